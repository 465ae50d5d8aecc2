"""Quickstart: the lecture's moons model with and without kreg.L2.

Trains Dense(128, relu) - Dense(128, relu) - Dense(1, sigmoid) twice from the same
initial weights, once plain and once with ``kreg.L2(lam=0.16, n=80)`` on the hidden
kernels (the lecture's Keras ``l2(0.001)`` with n = 80 training rows), and prints
the data loss, the penalty and the first-layer weight range of each.

Run: ``python examples/quickstart.py [--epochs 300]``
"""

import argparse

import keras

import kreg


def build(regularizer):
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(128, "relu", kernel_regularizer=regularizer),
            keras.layers.Dense(128, "relu", kernel_regularizer=regularizer),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )


def main(epochs: int) -> None:
    x, y = kreg.make_moons(100, noise=0.25, random_state=2)
    x_train, y_train, x_val, y_val = kreg.datasets.train_val_split(x, y, 0.2)

    keras.utils.set_random_seed(0)
    initial = build(None).get_weights()
    for name, reg in [("none", None), ("l2", kreg.L2(0.16, n=len(x_train)))]:
        model = build(reg)
        model.set_weights(initial)
        model.compile(keras.optimizers.Adam(0.01), "binary_crossentropy")
        model.fit(x_train, y_train, batch_size=32, epochs=epochs, verbose=0)
        penalty = float(sum(model.losses)) if model.losses else 0.0
        train = model.evaluate(x_train, y_train, verbose=0) - penalty
        val = model.evaluate(x_val, y_val, verbose=0) - penalty
        kernel = model.layers[0].kernel.numpy()
        print(
            f"{name:>4}: train data loss {train:.3f}  val data loss {val:.3f}  "
            f"penalty {penalty:.4f}  first kernel in [{kernel.min():.2f}, "
            f"{kernel.max():.2f}]"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=300, help="default: 300")
    main(parser.parse_args().epochs)
