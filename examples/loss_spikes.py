"""Where the spikes of the L2 loss curves come from, measured on kreg.compare's records.

The default ``kreg compare`` (2000 epochs, Adam(0.01), lam = 0.16) draws L2 loss
curves with single-epoch spikes (the validation data loss reaches about 1.6).
This script measures them on the records of that same run and on a few controls:

1. The default run with every epoch recorded (``record_every=1``): the spike
   epochs of the L2 variant (its training data loss more than 0.1 above the
   median of the 20 epochs before), and at each one the training points on the
   wrong side of the boundary before and at the spike, the share of the loss the
   4 worst points carry, and how many weights moved more than ``3 * lr`` in that
   epoch (3 Adam steps, each about ``lr`` in a steady state), against the median
   epoch. Also the training points with a loss above 0.1 (next to the boundary)
   in the median epoch, per variant.
2. Controls, as many epochs: no penalty and L2 with lam 0.016, 0.16 and 1.6,
   side by side, under Adam with lr 0.01, 0.003 and 0.001, and with lr 0.01
   and epsilon 1e-3 instead of 1e-7 (which damps the steps of the weights whose
   gradient RMS is small); the spike events after epoch 100 of each.

It prints the numbers and, with ``--out``, writes them to ``DIR/spikes.json``.
docs/tutorial.md ("Loss curves") quotes a default run.

Run: ``python examples/loss_spikes.py [--epochs 2000] [--out DIR]``
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kreg  # noqa: E402

#: A spike: the training data loss more than JUMP above the median of the
#: WINDOW epochs before it (the first WINDOW epochs are not tested).
JUMP, WINDOW = 0.1, 20
#: How many of the worst training points the share of the loss is taken over.
WORST = 4
#: The L2 strengths of the controls (0.16: the default's).
LAMS = (0.016, 0.16, 1.6)


def spike_epochs(loss: np.ndarray) -> list[int]:
    """The epochs (1-based) whose value is more than JUMP above the median of the
    WINDOW epochs before."""
    return [
        e + 1
        for e in range(WINDOW, len(loss))
        if loss[e] - np.median(loss[e - WINDOW : e]) > JUMP
    ]


def events(epochs: list[int], gap: int = 10) -> list[list[int]]:
    """Spike epochs grouped into events: no more than ``gap`` epochs apart."""
    groups: list[list[int]] = []
    for epoch in epochs:
        if groups and epoch - groups[-1][-1] <= gap:
            groups[-1].append(epoch)
        else:
            groups.append([epoch])
    return groups


def logits(history: kreg.WeightHistory, x: np.ndarray) -> np.ndarray:
    """The output logit of each row of ``x`` at every record, ``(records, rows)``:
    the Dense ReLU chain of kreg.compare's network, in NumPy."""
    keys = list(history.keys())
    layers = list(zip(keys[0::2], keys[1::2], strict=True))
    a = np.asarray(x, dtype=np.float64)[None]
    for i, (kernel, bias) in enumerate(layers):
        a = a @ np.asarray(history[kernel], np.float64)
        a = a + np.asarray(history[bias], np.float64)[:, None, :]
        if i < len(layers) - 1:
            a = np.maximum(a, 0.0)
    return a[..., 0]


def point_losses(z: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Binary cross-entropy of each point, from its logit ``z`` and label ``y``."""
    return np.logaddexp(0.0, -(2.0 * y - 1.0) * z)


def moved(history: kreg.WeightHistory, step: float) -> np.ndarray:
    """Per epoch (records 1, 2, ...), how many weights changed by more than
    ``step`` since the record before."""
    counts = 0
    for key in history.keys():
        change = np.abs(np.diff(np.asarray(history[key], np.float64), axis=0))
        counts = counts + (change.reshape(len(change), -1) > step).sum(axis=1)
    return np.asarray(counts)


def anatomy(result, variant: str, start: int) -> dict:
    """The spikes of ``variant`` in ``result`` (recorded every epoch), measured;
    the medians over the other epochs; the training points with a loss above 0.1
    (next to the boundary) in the median epoch from ``start`` on."""
    history, data = result.histories[variant], result.data
    y = np.ravel(data["y_train"]).astype(np.float64)
    yv = np.ravel(data["y_val"]).astype(np.float64)
    z, zv = logits(history, data["x_train"]), logits(history, data["x_val"])
    losses, val_losses = point_losses(z, y), point_losses(zv, yv)
    wrong = ((z > 0) != (y > 0.5)).sum(axis=1)  # per record
    loss = np.asarray(result.curves[variant]["train_loss"])
    val = np.asarray(result.curves[variant]["val_loss"])
    config = result.config
    steps = -(-config["n_train"] // config["batch_size"])  # Adam steps per epoch
    step = steps * config["learning_rate"]
    far = moved(history, step)
    spikes = spike_epochs(loss)
    rows = []
    for e in spikes:
        worst = np.sort(losses[e])[::-1][:WORST]
        rows.append(
            dict(
                epoch=e,
                train_loss_before=float(np.median(loss[e - 1 - WINDOW : e - 1])),
                train_loss=float(loss[e - 1]),
                val_loss=float(val[e - 1]),
                wrong_before=int(wrong[e - 1]),
                wrong_at=int(wrong[e]),
                worst_share=float(worst.sum() / losses[e].sum()),
                worst_val_share=float(val_losses[e].max() / val_losses[e].sum()),
                moved=int(far[e - 1]),
            )
        )
    quiet = [e for e in range(WINDOW + 1, len(loss) + 1) if e not in spikes]
    late = [e for e in quiet if e >= start]

    def median(values):
        return float(np.median(values)) if len(values) else None

    return dict(
        spikes=rows,
        events=len(events(spikes)),
        step=step,
        median_moved=median(far[np.asarray(quiet, int) - 1]),
        median_wrong=median(wrong[quiet]),
        median_near_boundary=median((losses[late] > 0.1).sum(axis=1)),
    )


def controls(epochs: int) -> list[dict]:
    """Spike events after epoch 100 of no penalty and of L2 (LAMS) under a few
    optimizers (each run: all trained side by side, as kreg.compare does)."""
    runs = [(f"Adam(lr={lr})", "adam", lr) for lr in (0.01, 0.003, 0.001)]
    wide = keras.optimizers.Adam(learning_rate=0.01, epsilon=1e-3)
    runs.append(("Adam(lr=0.01, epsilon=1e-3)", wide, None))
    rows = []
    for label, optimizer, lr in runs:
        result = kreg.compare(
            variants={
                "none": None,
                **{f"l2 lam={lam:g}": kreg.L2(lam, n=80) for lam in LAMS},
            },
            optimizer=optimizer,
            learning_rate=lr,
            epochs=epochs,
            record_every=epochs,
        )
        for variant in result.variants:
            loss = result.curves[variant]["train_loss"]
            after = [e for e in spike_epochs(loss) if e > 100]
            val = np.asarray(result.curves[variant]["val_loss"])[100:]
            rows.append(
                dict(
                    optimizer=label,
                    variant=variant,
                    events=len(events(after)),
                    spike_epochs=len(after),
                    max_val_loss=float(val.max()) if val.size else None,
                )
            )
    return rows


def main(epochs: int, out: str | None) -> None:
    result = kreg.compare(epochs=epochs, record_every=1)
    start = min(500, epochs)
    measured = {v: anatomy(result, v, start) for v in result.variants}
    l2 = measured["l2"]
    print(
        f"Default run, {epochs} epochs: spike epochs (training data loss more than "
        f"{JUMP} above the median of the {WINDOW} epochs before):"
    )
    for variant, m in measured.items():
        shown = [s["epoch"] for s in m["spikes"]]
        print(
            f"  {variant}: {len(shown)} in {m['events']} events {shown}; training "
            f"points with a loss > 0.1 in the median epoch from {start} on: "
            f"{m['median_near_boundary']}"
        )
    print(
        f"L2, the median other epoch: {l2['median_wrong']} training points on the "
        f"wrong side, {l2['median_moved']} weights moved > {l2['step']:.2g} "
        "(3 Adam steps of lr); at its spikes:"
    )
    for s in l2["spikes"]:
        print(
            f"  epoch {s['epoch']}: train loss {s['train_loss_before']:.3f} -> "
            f"{s['train_loss']:.3f} (val {s['val_loss']:.3f}), wrong side "
            f"{s['wrong_before']} -> {s['wrong_at']}, the {WORST} worst carry "
            f"{s['worst_share']:.0%}, the worst validation point "
            f"{s['worst_val_share']:.0%} of the val loss, {s['moved']} weights "
            f"moved > {l2['step']:.2g}"
        )
    table = controls(epochs)
    print(f"Controls, {epochs} epochs: spike events after epoch 100")
    for row in table:
        print(
            f"  {row['optimizer']:<28} {row['variant']:<13} {row['events']} events "
            f"({row['spike_epochs']} spike epochs), max val loss {row['max_val_loss']}"
        )
    if out:
        os.makedirs(out, exist_ok=True)
        path = os.path.join(out, "spikes.json")
        report = dict(
            epochs=epochs,
            spike=f"training data loss more than {JUMP} above the median of the "
            f"{WINDOW} epochs before",
            default_run=measured,
            near_boundary_from_epoch=start,
            controls=table,
        )
        with open(path, "w", encoding="utf-8") as file:
            json.dump(report, file, indent=1)
        print(f"Written to {path}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000, help="default: 2000")
    parser.add_argument("--out", default=None, help="write DIR/spikes.json")
    args = parser.parse_args()
    main(args.epochs, args.out)
