"""kreg.compare on a user's model against training the variants one after another.

scikit-learn's digits (1,797 images of 8x8, 10 classes; the last 20% validate), a
small Conv2D network (Conv2D 16 3x3 relu, MaxPooling 2, Flatten, Dense 64 relu,
Dense 10), Adam(0.001), batches of 32, and three variants (none, L1, L2 with
``lam``) for ``--epochs`` epochs:

- kreg: ``kreg.compare(model, x, y, ...)``, the variants as towers of one model
  trained by one ``fit`` (the time of the whole call);
- the plain way: ``kreg.regularize`` copies of the same model, each compiled and
  trained with its own ``model.fit`` on the same batches, one after another.

Both see the same rows in the same order (``shuffle=False``) and are timed in the
same process, kreg first and last (the median of the two) around the plain way.
Prints both times and the ratio (goal: >= 2.5).

Then a sweep of the same network over 13 lambdas (0 and 12 log-spaced values, L2,
the same epochs): ``kreg.sweep(model, ...)`` against KerasTuner's ``GridSearch``
over the same 13 values (one trial per lambda, each its own ``fit``; keras-tuner
is in the ``bench`` extra). Prints both times and the ratio (goal: >= 4).

Run: ``python benchmarks/bench_pipeline.py [--epochs 30] [--lam 0.5]``
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
from sklearn.datasets import load_digits  # noqa: E402

import kreg  # noqa: E402


def network() -> keras.Model:
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(16, 3, activation="relu"),
            keras.layers.MaxPooling2D(2),
            keras.layers.Flatten(),
            keras.layers.Dense(64, activation="relu"),
            keras.layers.Dense(10),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30, help="default: 30")
    parser.add_argument("--lam", type=float, default=0.5, help="default: 0.5")
    args = parser.parse_args()

    digits = load_digits()
    x = (digits.images / 16.0).astype("float32")[..., None]
    y = digits.target.astype("int32")
    n = int(len(x) * 0.8)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model = network()
    options = dict(loss=loss, metrics=["accuracy"], epochs=args.epochs, shuffle=False)

    def with_kreg() -> float:
        started = time.perf_counter()
        kreg.compare(
            model,
            x,
            y,
            lam=args.lam,
            optimizer=keras.optimizers.Adam(),
            l1_mode="subgradient",
            **options,
        )
        return time.perf_counter() - started

    def plain() -> float:
        started = time.perf_counter()
        for reg in (None, kreg.L1(args.lam, n), kreg.L2(args.lam, n)):
            copy = kreg.regularize(model, reg or kreg.L2(0.0, n))
            copy.compile(keras.optimizers.Adam(), loss, metrics=["accuracy"])
            copy.fit(
                x[:n],
                y[:n],
                batch_size=32,
                epochs=args.epochs,
                shuffle=False,
                validation_data=(x[n:], y[n:]),
                verbose=0,
            )
        return time.perf_counter() - started

    first = with_kreg()
    sequential = plain()
    last = with_kreg()
    towers = statistics.median([first, last])
    print(f"backend {keras.backend.backend()}, {args.epochs} epochs, 3 variants")
    print(f"kreg.compare (towers, one fit): {towers:7.2f} s  ({first:.2f}, {last:.2f})")
    print(f"three model.fit, one after another: {sequential:7.2f} s")
    print(f"ratio plain / kreg: {sequential / towers:.2f} (goal >= 2.5)")

    lams = [0.0, *(float(lam) for lam in np.geomspace(0.01, 100.0, 12))]
    started = time.perf_counter()
    kreg.sweep(
        model, x, y, kind="l2", lams=lams, optimizer=keras.optimizers.Adam(), **options
    )
    swept = time.perf_counter() - started
    tuned = keras_tuner_grid(model, x, y, n, lams, loss, args.epochs)
    print(f"\n13-lambda L2 sweep, {args.epochs} epochs")
    print(f"kreg.sweep (towers, one fit): {swept:7.2f} s")
    print(f"KerasTuner GridSearch:        {tuned:7.2f} s")
    print(f"ratio KerasTuner / kreg: {tuned / swept:.2f} (goal >= 4)")


def keras_tuner_grid(model, x, y, n, lams, loss, epochs) -> float:
    """The wall time of KerasTuner's GridSearch over ``lams`` (one trial each)."""
    import tempfile

    import keras_tuner

    initial = model.get_weights()

    def build(hp):
        lam = hp.Choice("lam", lams)
        copy = kreg.regularize(model, kreg.L2(lam, n))
        copy.set_weights(initial)
        copy.compile(keras.optimizers.Adam(), loss, metrics=["accuracy"])
        return copy

    started = time.perf_counter()
    tuner = keras_tuner.GridSearch(
        build,
        objective="val_loss",
        max_trials=len(lams),
        overwrite=True,
        directory=tempfile.mkdtemp(),
        project_name="sweep",
    )
    tuner.search(
        x[:n],
        y[:n],
        batch_size=32,
        epochs=epochs,
        shuffle=False,
        validation_data=(x[n:], y[n:]),
        verbose=0,
    )
    assert len(tuner.oracle.trials) == len(lams)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
