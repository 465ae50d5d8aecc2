"""Training-step time of kreg.L2 against Keras' own L2 with the same factor.

The seed's moons model (Dense 128-128-1, relu, sigmoid; Adam 0.01; binary
cross-entropy) is trained with ``kreg.L2(lam, n)`` on the hidden kernels and, in the
same process, with ``keras.regularizers.L2(lam / (2 n))``. Both fits run from the
same initial weights on the same cached dataset; the rounds alternate (kreg, Keras,
kreg, ...) so that a slow spell of the machine hits both, and the median time per
training step of each is reported with their ratio (goal: <= 1.05).

Run: ``python benchmarks/bench_regularizers.py [--rows N] [--epochs E] [--rounds R]``
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kreg  # noqa: E402


def build(regularizer):
    """The seed's moons model, ``regularizer`` on its hidden kernels, compiled."""
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(128, "relu", kernel_regularizer=regularizer),
            keras.layers.Dense(128, "relu", kernel_regularizer=regularizer),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy")
    return model


def median_fit_seconds(models, fit, rounds: int) -> dict[str, float]:
    """Name -> median seconds of ``fit(model)`` over ``rounds`` alternating rounds
    (kreg, Keras, kreg, ...), after one warm-up ``fit`` each (compiles the step)."""
    for model in models.values():
        fit(model)
    times = {name: [] for name in models}
    for _ in range(rounds):
        for name, model in models.items():
            start = time.perf_counter()
            fit(model)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1000, help="default: 1000")
    parser.add_argument("--epochs", type=int, default=20, help="default: 20")
    parser.add_argument("--rounds", type=int, default=5, help="default: 5")
    parser.add_argument("--lam", type=float, default=0.16, help="default: 0.16")
    args = parser.parse_args()
    import tensorflow as tf

    rng = np.random.default_rng(0)
    x = rng.normal(size=(args.rows, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")
    data = tf.data.Dataset.from_tensor_slices((x, y)).batch(32).cache()
    steps = args.epochs * int(np.ceil(args.rows / 32))

    regularizers = {
        "kreg.L2": kreg.L2(args.lam, args.rows),
        "keras L2": keras.regularizers.L2(args.lam / (2 * args.rows)),
    }
    keras.utils.set_random_seed(0)
    initial = build(None).get_weights()
    models = {}
    for name, reg in regularizers.items():
        models[name] = build(reg)
        models[name].set_weights(initial)

    def fit(model):
        model.fit(data, epochs=args.epochs, verbose=0, shuffle=False)

    seconds = median_fit_seconds(models, fit, args.rounds)
    per_step = {name: t / steps for name, t in seconds.items()}
    for name, t in per_step.items():
        print(
            f"{name:>9}: {t * 1e6:8.1f} us per training step (median of {args.rounds})"
        )
    ratio = per_step["kreg.L2"] / per_step["keras L2"]
    print(f"ratio kreg / keras: {ratio:.3f} (goal <= 1.05)")


if __name__ == "__main__":
    main()
