"""Record the weights of the lecture's moons model and draw them with kreg.plots.

Trains the lecture's model (Dense 128-128-1 on 100 two-moons points, the last 20
for validation) from the same initial weights on the same batches three times:
without regularization, with ``kreg.L2(lam, n=80)`` on the two hidden kernels,
and (if ``kreg.proximal`` is available) with a proximal ``kreg.L1`` that sets
weights exactly to zero. A ``kreg.WeightHistory`` records every kernel at every
epoch, and the figures of ``docs/history.md`` are drawn from the records:

- ``history_distribution.png``: first-layer kernel without vs with L2;
- ``history_evolution.png``: percentile bands and norms over the epochs;
- ``history_bars.png``: the ten largest initial weights, before and after;
- ``history_network.png``: the networks, edge width and colour by ``|w|``.

Run from the repository root::

    python examples/history_figures.py                 # 500 epochs, docs/img/
    python examples/history_figures.py --epochs 5 --out /tmp/figures   # smoke test
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import matplotlib

matplotlib.use("Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import tensorflow as tf  # noqa: E402

import kreg  # noqa: E402
from kreg import plots  # noqa: E402
from kreg.datasets import make_moons, train_val_split  # noqa: E402
from kreg.history import WeightHistory  # noqa: E402

try:
    from kreg.proximal import ProximalAdam
except ImportError:  # an older kreg: no proximal L1, no third model
    ProximalAdam = None


def build(regularizer, seed: int) -> keras.Model:
    """The lecture's model; the same seed gives the same initial weights."""
    keras.utils.set_random_seed(seed)
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(128, activation="relu", kernel_regularizer=regularizer),
            keras.layers.Dense(128, activation="relu", kernel_regularizer=regularizer),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )


def train(name, regularizer, optimizer, data, *, epochs: int, seed: int):
    """Fit one variant and return its WeightHistory and Keras history."""
    (x_train, y_train), (x_val, y_val) = data
    model = build(regularizer, seed)
    model.compile(optimizer=optimizer, loss="binary_crossentropy")
    # A cached dataset is much faster than numpy arrays for tiny data
    # (REFERENCE.md section 5); the seed fixes the shuffling, so every variant
    # sees the same batches.
    train_ds = (
        tf.data.Dataset.from_tensor_slices((x_train, y_train))
        .cache()
        .shuffle(len(x_train), seed=seed)
        .batch(32)
    )
    val_ds = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(32).cache()
    history = WeightHistory()
    start = time.perf_counter()
    fit = model.fit(
        train_ds,
        validation_data=val_ds,
        epochs=epochs,
        callbacks=[history],
        verbose=0,
        shuffle=False,
    )
    seconds = time.perf_counter() - start
    first = history[history.keys()[0]][-1]
    print(
        f"{name:>14}: {seconds:5.1f} s, loss {fit.history['loss'][-1]:.3f}, "
        f"val_loss {fit.history['val_loss'][-1]:.3f}, first kernel "
        f"[{first.min():.2f}, {first.max():.2f}], exact zeros "
        f"{sum(int((history[k][-1] == 0).sum()) for k in history.keys())}"
    )
    return history


def save(fig, directory: str, name: str) -> None:
    """Write a PNG atomically: to a temporary file beside it, then rename."""
    path = os.path.join(directory, name)
    handle, tmp = tempfile.mkstemp(dir=directory, suffix=".png.tmp")
    os.close(handle)
    try:
        fig.savefig(tmp, format="png", dpi=100)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes it private; a figure is not
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    print("wrote", path)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=500, help="default: 500")
    parser.add_argument(
        "--lam", type=float, default=1.6, help="L2 strength (default: 1.6)"
    )
    parser.add_argument(
        "--l1-lam",
        type=float,
        default=0.16,
        help="proximal L1 strength (default: 0.16)",
    )
    parser.add_argument("--seed", type=int, default=0, help="model seed (default: 0)")
    parser.add_argument("--out", default="docs/img", help="default: docs/img")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)

    x, y = make_moons(100, noise=0.25, random_state=2)
    x_train, y_train, x_val, y_val = train_val_split(x, y, validation_split=0.2)
    x_train, x_val = x_train.astype("float32"), x_val.astype("float32")
    y_train, y_val = y_train.astype("float32"), y_val.astype("float32")
    data = ((x_train, y_train), (x_val, y_val))
    n = len(x_train)

    def adam():
        return keras.optimizers.Adam(learning_rate=0.01)

    runs = {
        "without L2": train(
            "without L2", None, adam(), data, epochs=args.epochs, seed=args.seed
        ),
        f"with L2 (lam={args.lam:g})": train(
            "with L2",
            kreg.L2(args.lam, n),
            adam(),
            data,
            epochs=args.epochs,
            seed=args.seed,
        ),
    }
    l1_run = None
    if ProximalAdam is not None:
        l1_run = train(
            f"L1 proximal (lam={args.l1_lam:g})",
            kreg.L1(args.l1_lam, n, proximal=True),
            ProximalAdam(learning_rate=0.01),
            data,
            epochs=args.epochs,
            seed=args.seed,
        )
    (name0, h0), (name2, h2) = runs.items()

    # 1. The lecture's figure: first-layer kernel without vs with L2.
    disp = plots.plot_weight_distribution(runs, key=0)
    save(disp.figure_, args.out, "history_distribution.png")

    # 2. Percentile bands and norms over the epochs, both models, same scales.
    fig, axes = plt.subplots(
        2,
        2,
        sharex=True,
        sharey="row",
        figsize=(10, 5.6),
        height_ratios=[2, 1],
        layout="constrained",
    )
    colors = ("tab:blue", "tab:green")  # as in the distribution figure
    for column, ((name, history), color) in enumerate(
        zip(runs.items(), colors, strict=True)
    ):
        disp = plots.plot_weight_evolution(
            history,
            1,
            ax=axes[0, column],
            norm_ax=axes[1, column],
            color=color,
        )
        disp.ax_.set_title(f"{name}: second-layer kernel")
    save(fig, args.out, "history_evolution.png")

    # 3. The ten largest initial weights of the first layer, before and after:
    #    same initial weights, so the same ten in both panels.
    fig, axes = plt.subplots(1, 2, sharey=True, figsize=(11, 4), layout="constrained")
    for ax, (name, history) in zip(axes, runs.items(), strict=True):
        disp = plots.plot_weight_bars(history, 0, k=10, ax=ax)
        disp.ax_.set_title(f"{name}: epoch 0 vs {history.epochs[-1]}")
    save(fig, args.out, "history_bars.png")

    # 4. The networks: the 12 strongest units per layer, edges by |w|.
    panels = [(name2, h2)] + (
        [(f"L1 proximal (lam={args.l1_lam:g})", l1_run)] if l1_run else []
    )
    fig, axes = plt.subplots(
        1,
        len(panels),
        figsize=(6.5 * len(panels), 5),
        squeeze=False,
        layout="constrained",
    )
    for ax, (name, history) in zip(axes[0], panels, strict=True):
        disp = plots.plot_network(history, max_units=12, ax=ax, width_scale="layer")
        disp.ax_.set_title(f"{name}\n{disp.ax_.get_title()}", fontsize="medium")
    save(fig, args.out, "history_network.png")


if __name__ == "__main__":
    main()
