"""Hand-made results for the plot tests: the fields a figure reads, known arrays.

``fake_comparison`` and ``fake_sweep`` build objects with the attributes of a
``ComparisonResult`` and a ``SweepResult`` (no training), so that what is drawn
can be compared with the arrays; ``with_seeds`` adds a comparison's seed fields.
``notes_by_axes`` and ``assert_finite_limits`` inspect a drawn figure.
"""

import types

import numpy as np

from kreg.history import WeightHistory


def fake_comparison(variants=("none", "l1", "l2"), epochs=12, record_every=4, n_val=4):
    """A ComparisonResult-like object with known arrays (no training)."""
    rng = np.random.default_rng(0)
    e = np.arange(1, epochs + 1)
    records = sorted({*range(0, epochs + 1, record_every), epochs})
    sizes = [2, 8, 8, 1]
    init = [
        rng.normal(size=s).astype("float32")
        for s in zip(sizes, sizes[1:], strict=False)
    ]
    x = rng.normal(size=(16 + n_val, 2))
    y = (x[:, 1] > 0.3 * x[:, 0]).astype("float32")
    xx, yy = np.meshgrid(np.linspace(-2, 3, 31), np.linspace(-1.5, 2, 27))
    histories, curves, decision, metrics = {}, {}, {}, {}
    for i, v in enumerate(variants):
        shrink = 1.0 / (1 + i)
        weights = {
            f"{v}/{name}/kernel": np.stack(
                [w * (1 - (1 - shrink) * r / epochs) for r in records]
            ).astype("float32")
            for name, w in zip(["dense", "dense_1", "dense_2"], init, strict=True)
        }
        histories[v] = WeightHistory.from_arrays(weights, records)
        train = 0.7 * np.exp(-e / 4) + 0.05 * i
        val = train + 0.3 / (1 + i) if n_val else np.full(epochs, np.nan)
        penalty = np.zeros(epochs) if v == "none" else 0.02 * (1 + i) * np.exp(-e / 8)
        curves[v] = {
            "train_loss": train,
            "val_loss": val,
            "penalty": penalty,
            "train_total": train + penalty,
            "train_accuracy": 1 - train / 2,
            "val_accuracy": 1 - val / 2,
        }
        decision[v] = 1 / (1 + np.exp(-(2 + 2 * i) * (yy - 0.4 * np.sin(2 * xx))))
        first = weights[f"{v}/dense/kernel"][-1].ravel()
        every = np.concatenate([w[-1].ravel() for w in weights.values()])
        finals = _metrics(train[-1], val[-1], penalty[-1], first, every)
        metrics[v] = {k: float(value) for k, value in finals.items()}
    return types.SimpleNamespace(
        config={"variants": list(variants), "epochs": epochs, "lam": 0.16},
        variants=list(variants),
        epochs=e,
        curves=curves,
        histories=histories,
        metrics=metrics,
        grid={"xx": xx, "yy": yy, "box": (-2.0, 3.0, -1.5, 2.0)},
        decision=decision,
        data={
            "x_train": x[:16],
            "y_train": y[:16],
            "x_val": x[16:],
            "y_val": y[16:],
        },
        models={},
        timing={"train_seconds": 1.5},
    )


def _metrics(train, val, penalty, first, every):
    """The final numbers of kreg.compare and kreg.sweep from the losses and the
    kernels (``first``: the first layer's, ``every``: all; weights on the last axis)."""
    first, every = np.asarray(first, np.float64), np.asarray(every, np.float64)
    return {
        "train_loss": train,
        "val_loss": val,
        "train_accuracy": 1 - train / 2,
        "val_accuracy": 1 - val / 2,
        "gap": val - train,
        "penalty": penalty,
        "first_kernel_min": first.min(axis=-1),
        "first_kernel_max": first.max(axis=-1),
        "zero_fraction": (every == 0).mean(axis=-1),
        "l1_norm": np.abs(every).sum(axis=-1),
        "l2_norm": np.sqrt((every**2).sum(axis=-1)),
        "pruned_params": (every != 0).sum(axis=-1).astype(np.float64),
        "boundary_length": 4.0 + 10 * val,
    }


def with_seeds(result, seeds=(0, 1, 2)):
    """Add a ComparisonResult's seed fields to a fake comparison: standard
    deviations (non-zero even for one seed) and one value per seed (with several
    seeds, their mean is ``metrics`` and their std, ``ddof=0``, ``metrics_std``)."""
    rng = np.random.default_rng(5)
    result.seeds = list(seeds)
    result.curves_std = {
        v: {k: 0.02 + 0.01 * rng.random(len(result.epochs)) for k in c}
        for v, c in result.curves.items()
    }
    result.metrics_std = {
        v: {k: 0.01 + 0.05 * rng.random() for k in m} for v, m in result.metrics.items()
    }
    spread = np.arange(len(seeds)) - (len(seeds) - 1) / 2
    spread = spread / (spread.std() or 1.0)  # mean 0 and std 1 (one seed: [0])
    result.per_seed = {
        v: {k: m[k] + result.metrics_std[v][k] * spread for k in m}
        for v, m in result.metrics.items()
    }
    return result


SHAPES = {"hidden_1/kernel": (2, 8), "hidden_2/kernel": (8, 8), "output/kernel": (8, 1)}


def fake_sweep(kind="l1", seeds=(0,), lams=None, grid=True, epochs=6):
    """A SweepResult-like object with known arrays (no training)."""
    if lams is None:
        lams = np.concatenate([[0.0], np.geomspace(1e-3, 10.0, 8)])
    lams = np.asarray(lams, dtype=np.float64)
    n_lams, n_seeds = lams.size, len(seeds)
    paths = {}
    for key, shape in SHAPES.items():
        per_seed = []
        for s in seeds:
            w = np.random.default_rng([s, len(key)]).normal(size=shape)
            if kind == "l1":  # soft threshold: exact zeros that stay
                rows = [np.sign(w) * np.maximum(np.abs(w) - lam / 4, 0) for lam in lams]
            else:  # shrinkage: never exactly 0
                rows = [w / (1 + lam) for lam in lams]
            per_seed.append(np.stack(rows))
        paths[key] = np.stack(per_seed).astype("float32")
    rng = np.random.default_rng(1)
    u = np.log10(np.maximum(lams, 1e-4))
    train = 0.02 + 0.6 / (1 + np.exp(-2 * u)) + 0.05 * rng.random((n_seeds, n_lams))
    val = 0.3 + 0.04 * (u + 1) ** 2 + 0.05 * rng.random((n_seeds, n_lams))
    every = np.concatenate(
        [p.reshape(n_seeds, n_lams, -1) for p in paths.values()], axis=2
    ).astype(np.float64)
    first = paths["hidden_1/kernel"].reshape(n_seeds, n_lams, -1)
    penalty = np.tile(lams * 0.01, (n_seeds, 1))
    metrics = _metrics(train, val, penalty, first, every)
    mean = {k: v.mean(axis=0) for k, v in metrics.items()}
    std = {k: v.std(axis=0) for k, v in metrics.items()}
    best = int(np.argmin(mean["val_loss"]))
    curves = {
        k: np.repeat(metrics[k][:, :, None], epochs, axis=2)
        for k in ("train_loss", "val_loss", "penalty", "train_accuracy")
    }
    xx, yy = np.meshgrid(np.linspace(-2, 3, 31), np.linspace(-1.5, 2, 27))
    decision = np.stack(
        [
            1 / (1 + np.exp(-(8 / (1 + lam)) * (yy - 0.4 * np.sin(2 * xx))))
            for lam in lams
        ]
    )
    x = rng.normal(size=(20, 2))
    y = (x[:, 1] > 0.4 * np.sin(2 * x[:, 0])).astype("int64")
    return types.SimpleNamespace(
        config={"kind": kind, "epochs": epochs, "lams": lams.tolist()},
        kind=kind,
        lams=lams,
        seeds=list(seeds),
        epochs=np.arange(1, epochs + 1),
        metrics=metrics,
        mean=mean,
        std=std,
        curves=curves,
        paths=paths,
        best_index=best,
        best_lam=float(lams[best]),
        grid={"xx": xx, "yy": yy, "box": (-2.0, 3.0, -1.5, 2.0)} if grid else None,
        decision=decision if grid else None,
        data={"x_train": x[:16], "y_train": y[:16], "x_val": x[16:], "y_val": y[16:]},
        timing={"train_seconds": 1.25},
        summary=lambda: "lam  train loss  val loss",
    )


def notes_by_axes(figure):
    """Axes -> the divergence notes written on it (only axes with some)."""
    notes = {}
    for ax in figure.axes:
        texts = [t.get_text() for t in ax.texts if "diverged" in t.get_text()]
        if texts:
            notes[ax] = texts
    return notes


def assert_finite_limits(figure):
    figure.canvas.draw()
    for ax in figure.axes:
        assert np.isfinite([*ax.get_xlim(), *ax.get_ylim()]).all(), ax.get_title()
