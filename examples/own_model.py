"""Your own model: which regularizer, and which lambda, for a small CNN classifier?

A synthetic 10-class image task (8x8 images, each class a noisy template) and a
small Conv2D network, compiled as usual. ``kreg.compare`` trains its unregularized,
L1 and L2 variants side by side from the same initial weights on the same batches
(as towers of one Keras model, one ``fit``), then ``kreg.sweep`` trains one L2
variant per lambda the same way. Prints both tables.

Run: ``python examples/own_model.py [--epochs 20]``
"""

import argparse

import keras
import numpy as np

import kreg


def images(rows: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``rows`` noisy 8x8 images of 10 random templates, and their labels."""
    rng = np.random.default_rng(seed)
    templates = rng.normal(size=(10, 8, 8, 1))
    labels = rng.integers(0, 10, size=rows)
    x = templates[labels] + 1.5 * rng.normal(size=(rows, 8, 8, 1))
    return x.astype("float32"), labels.astype("int32")


def network() -> keras.Model:
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(8, 3, activation="relu", name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(32, activation="relu", name="hidden"),
            keras.layers.Dense(10, name="logits"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(0.003),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def main(epochs: int) -> None:
    x, y = images()
    result = kreg.compare(network(), x, y, lam=2.0, epochs=epochs)
    print(result.summary())
    path = kreg.sweep(
        network(), x, y, kind="l2", lams=[0, 0.5, 2, 8, 32], epochs=epochs
    )
    print()
    print(path.summary())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=20, help="default: 20")
    main(parser.parse_args().epochs)
