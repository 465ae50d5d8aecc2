"""Every claim of the seed documents about L1 and L2, tested over several seeds.

The three documents under ``shared/seeds/`` (the lecture notes, "L1 and L2
regularization in deep learning" and the visual guide) make claims about what L1
and L2 do. This script runs one experiment per question, over several model
initializations (``--seeds``, default 0-4), and gives each claim a verdict by a
rule fixed before the run: most rules say "holds if the mean over the seeds
differs by more than 2 standard errors in the claimed direction" (paired by seed
where both sides share the seeds' initial weights and batches). Every number and
verdict goes to ``OUT/claims.json``; docs/claims.md explains them.

The experiments (all with ``kreg.compare`` or ``kreg.sweep``, Adam 0.01, batches
of 32, the lecture's Dense(128, relu) - Dense(128, relu) - Dense(1, sigmoid)
unless said otherwise):

- lecture: the lecture's 80 training rows, validated on 1,000 fresh rows of the
  same distribution; none, L1 (proximal and subgradient), L2 at lam = 0.16 and
  GroupL1(0.1, groups="units"), 2000 epochs, one run per seed;
- lecture sweeps: the same data, an L2 and an L1 sweep over lambda;
- width: one hidden layer of 1 to 1,000 units, no penalty;
- outliers: 200 rows of moons, clean, with 20 % of the labels flipped, or with
  10 % of the rows moved far off; none, L1 and L2 (each at its best lambda);
- all features important: 10 inputs, the label depends on their sum;
- noise features: the same moons plus 18 pure-noise inputs;
- time per step: the lecture network trained by ``model.fit`` per penalty;
- weight decay: one plain SGD step with ``kreg.L2`` against the lecture formula.

Run: ``python examples/seed_claims.py [--epochs N] [--seeds 0,1,2,3,4] [--out DIR]``

``--epochs`` sets every experiment's epochs (default: 2000 for the lecture's
setup, 500 for the 200-row experiments; the step timing takes at most 10).
The full run took 436 s (about 7 minutes) on a shared 2-core machine.
"""

import argparse
import os
import time

STARTED = time.perf_counter()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kreg  # noqa: E402
from kreg.datasets import train_val_split  # noqa: E402
from kreg.report import default_out_dir, write_json  # noqa: E402

SOURCES = {
    "notes": "l1_l2_lecture_notes.md",
    "article": "l1_l2_in_deep_learning.md",
    "guide": "l1_l2_visual_guide.md",
}
LAM = 0.16  # the lecture's Keras l2(0.001) with n = 80
GROUP_LAM = 0.1  # benchmarks/bench_prune.py's GroupL1 strength
LECTURE_GRID = {
    "l2": [0, 0.01, 0.05, 0.16, 0.5, 1.6, 4.8, 8, 16, 30, 100],
    "l1": [0, 0.001, 0.005, 0.016, 0.05, 0.16, 0.35, 1, 3, 10],
}
SMALL_GRID = {"l1": [0, 0.05, 0.2, 0.8, 3.2], "l2": [1, 4, 16, 64]}  # n = 200
WIDTHS = (1, 10, 50, 256, 1000)
DEFAULT_EPOCHS = {"lecture": 2000, "small": 500, "timing": 10}
TOLERANCE = 0.3  # a range "appears" if each end is within 30 % of the lecture's
Z = 2.0  # standard errors


# ------------------------------------------------------------------ spread, verdict


def spread(values) -> dict:
    """Mean, standard deviation (ddof=0, as kreg's) and the values per seed."""
    a = np.asarray(values, dtype=float)
    return {"mean": float(a.mean()), "std": float(a.std()), "per_seed": a.tolist()}


def ms(values, digits: int = 3) -> str:
    """``mean ± std`` over the seeds."""
    a = np.asarray(values, dtype=float)
    return f"{a.mean():.{digits}f} ± {a.std():.{digits}f}"


def beyond(a, b, direction: str, *, paired: bool = True, what: str = "") -> dict:
    """Does mean(a) - mean(b) exceed 2 standard errors in ``direction`` (< or >)?

    Paired: the standard error of the per-seed differences; else Welch's.
    """
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if paired:
        d = a - b
        diff = d.mean()
        se = d.std(ddof=1) / np.sqrt(d.size) if d.size > 1 else np.nan
    else:
        diff = a.mean() - b.mean()
        var = [v.var(ddof=1) / v.size if v.size > 1 else np.nan for v in (a, b)]
        se = np.sqrt(sum(var))
    if se > 0:
        z = diff / se
    else:  # identical differences (or one seed): any nonzero one is beyond
        z = 0.0 if diff == 0 or np.isnan(se) else np.sign(diff) * np.inf
    sign = -1 if direction == "<" else 1
    return {
        "what": what,
        "difference": float(diff),
        "se": float(se),
        "z": float(z),
        "passed": bool(sign * z > Z),
        "opposite": bool(-sign * z > Z),
    }


def more_spread(a, b, *, what: str = "") -> dict:
    """Is the spread of ``a`` over the seeds larger than that of ``b``?

    Brown-Forsythe: the absolute deviations from each side's median, compared
    by ``beyond`` (unpaired).
    """
    dev = [np.abs(np.asarray(v, float) - np.median(v)) for v in (a, b)]
    return beyond(*dev, ">", paired=False, what=what)


def check(passed, what: str) -> dict:
    """A part of a rule that is a threshold, not a comparison."""
    return {"what": what, "passed": bool(passed)}


def verdict(parts: list[dict]) -> str:
    passed = [p["passed"] for p in parts]
    return "holds" if all(passed) else "does not hold" if not any(passed) else "mixed"


CLAIMS: list[dict] = []


def claim(cid, group, text, source, experiment, rule, parts, shown, **numbers):
    """Record a claim, its experiment, rule, numbers and verdict; print one line."""
    entry = {
        "id": cid,
        "group": group,
        "claim": text,
        "source": source,
        "experiment": experiment,
        "rule": rule,
        "parts": parts,
        "shown": shown,
        "numbers": numbers,
        "verdict": verdict(parts),
    }
    CLAIMS.append(entry)
    print(f"{cid:<4}{entry['verdict']:<14}{text} [{source}] | {experiment} | {shown}")


# -------------------------------------------------------------------------- data


def split_for(n_train: int, n_val: int) -> float:
    """The ``validation_split`` that trains on exactly the first ``n_train`` rows."""
    split = (n_val - 0.5) / (n_train + n_val)  # floor(n * (1 - split)) == n_train
    x = np.zeros((n_train + n_val, 1))
    assert len(train_val_split(x, x, split)[0]) == n_train
    return split


def lecture_data():
    """The lecture's 80 training rows, then 1,000 fresh rows to validate on."""
    x, y = kreg.make_moons(100, noise=0.25, random_state=2)
    fresh_x, fresh_y = kreg.make_moons(1000, noise=0.25, random_state=7)
    x = np.vstack([x[:80], fresh_x]).astype("float32")
    return x, np.concatenate([y[:80], fresh_y]), split_for(80, 1000)


def moons_rows():
    """700 moons rows: the first 200 train, the last 500 validate."""
    x, y = kreg.make_moons(700, noise=0.25, random_state=3)
    return x.astype("float32"), y


def inputs_used(kernels) -> np.ndarray:
    """Per input: is there a path of nonzero weights from it to the output?"""
    alive = np.abs(kernels[-1]).sum(axis=1) > 0
    for kernel in reversed(kernels[:-1]):
        alive = np.abs(kernel[:, alive]).sum(axis=1) > 0
    return alive


def boundary_length(prob: np.ndarray, box) -> float:
    """Length of the 0.5 boundary on the decision grid (grid-edge crossings)."""
    cls = prob > 0.5
    dx = (box[1] - box[0]) / (cls.shape[1] - 1)
    dy = (box[3] - box[2]) / (cls.shape[0] - 1)
    across = np.sum(cls[:, 1:] != cls[:, :-1]) * dy
    return float(across + np.sum(cls[1:] != cls[:-1]) * dx)


def spikes(train_loss: np.ndarray, skip: int) -> int:
    """Epochs (after ``skip``) whose training data loss rose by more than 0.1."""
    return int(np.sum(np.diff(train_loss[skip:]) > 0.1))


def largest_jump(history, skip: int) -> float:
    """Largest relative change of the hidden kernels between two records."""
    keys = [k for k in history.keys() if "hidden_" in k and k.endswith("/kernel")]
    flat = np.concatenate(
        [history[k].reshape(len(history.epochs), -1) for k in keys], 1
    )
    late = flat[np.asarray(history.epochs) >= skip]
    if len(late) < 2:
        return 0.0
    change = np.linalg.norm(np.diff(late, axis=0), axis=1)
    return float(np.max(change / np.maximum(np.linalg.norm(late[:-1], axis=1), 1e-12)))


def best(sweep, first: int = 0) -> int:
    """Index of the lambda (from index ``first`` on) with the lowest validation loss."""
    return first + int(np.argmin(sweep.mean["val_loss"][first:]))


def at(sweep, j: int) -> dict:
    """Per-seed numbers of the ``j``-th lambda of a sweep, and the inputs used."""
    keys = ("val_accuracy", "val_loss", "gap", "train_loss", "train_accuracy")
    out = {k: sweep.metrics[k][:, j] for k in keys}
    paths = [p for p in sweep.paths if p.endswith("kernel")]
    out["used"] = np.array(
        [
            inputs_used([sweep.paths[p][s, j] for p in paths])
            for s in range(len(sweep.seeds))
        ]
    )
    out["first_kernel"] = sweep.paths[paths[0]][:, j]
    out["lam"] = float(sweep.lams[j])
    return out


# ------------------------------------------------------------------- experiments


def lecture(seeds, epochs) -> dict:
    """The lecture's setup, one ``kreg.compare`` per seed (per-seed curves, models)."""
    x, y, split = lecture_data()
    variants = {
        "none": None,
        "l1": kreg.L1(LAM, 80, proximal=True),
        "l1_subgradient": kreg.L1(LAM, 80),
        "l2": kreg.L2(LAM, 80),
        "group_l1": kreg.GroupL1(GROUP_LAM, 80, groups="units", proximal=True),
    }
    runs = [
        kreg.compare(
            x=x,
            y=y,
            validation_split=split,
            seeds=[s],
            variants=variants,
            epochs=epochs,
        )
        for s in seeds
    ]
    skip = epochs // 10
    out = {"runs": runs, "metrics": {}, "boundary": {}, "spikes": {}, "jump": {}}
    out["val_rise"] = {}
    for v in variants:
        out["metrics"][v] = {
            k: np.array([r.per_seed[v][k][0] for r in runs])
            for k in runs[0].per_seed[v]
        }
        out["boundary"][v] = np.array(
            [boundary_length(r.decision[v], r.grid["box"]) for r in runs]
        )
        out["spikes"][v] = np.array(
            [spikes(r.curves[v]["train_loss"], skip) for r in runs]
        )
        out["jump"][v] = np.array([largest_jump(r.histories[v], skip) for r in runs])
        out["val_rise"][v] = np.array(
            [r.curves[v]["val_loss"][-1] - r.curves[v]["val_loss"].min() for r in runs]
        )
    out["seconds"] = sum(r.timing["train_seconds"] for r in runs)
    return out


def lecture_sweeps(seeds, epochs) -> dict:
    """An L2 and an L1 sweep on the lecture's data (``LECTURE_GRID``)."""
    x, y, split = lecture_data()
    return {
        kind: _sweep(x, y, split, kind, lams, seeds, epochs)
        for kind, lams in LECTURE_GRID.items()
    }


def _sweep(x, y, split, kind, lams, seeds, epochs):
    """``kreg.sweep`` of ``kind`` over ``lams`` on ``x, y`` (no decision grid)."""
    return kreg.sweep(
        x=x,
        y=y,
        validation_split=split,
        kind=kind,
        lams=lams,
        seeds=seeds,
        epochs=epochs,
        grid_resolution=2,
    )


def width(seeds, epochs) -> dict:
    """No penalty, one hidden layer of each width: the gap per seed."""
    x, y, split = lecture_data()
    gaps = {}
    for units in WIDTHS:
        result = kreg.compare(
            x=x,
            y=y,
            validation_split=split,
            hidden=(units,),
            variants=["none"],
            seeds=seeds,
            epochs=epochs,
            grid_resolution=2,
        )
        gaps[units] = result.per_seed["none"]["gap"]
    return gaps


def penalty_grid(x, y, seeds, epochs, n_val: int = 500) -> dict:
    """None, L1 and L2 (``SMALL_GRID``) on ``x, y``; each kind at its best lambda.

    The best lambda has the lowest mean validation loss (the sweep's rule); the
    validation rows (the last ``n_val``) are clean in every experiment.
    """
    split = split_for(len(x) - n_val, n_val)
    runs = {
        kind: _sweep(x, y, split, kind, lams, seeds, epochs)
        for kind, lams in SMALL_GRID.items()
    }
    out = {"none": at(runs["l1"], 0)}
    out["l1"] = at(runs["l1"], best(runs["l1"], 1))
    out["l2"] = at(runs["l2"], best(runs["l2"]))
    out["grid"] = {
        kind: {
            "lams": r.lams.tolist(),
            "val_loss": r.mean["val_loss"].tolist(),
            "val_accuracy": r.mean["val_accuracy"].tolist(),
            "best_lam": out[kind]["lam"],
            # a best lambda at an end of the grid: a wider grid might move it
            "best_at_edge": out[kind]["lam"] in (r.lams[-1], min(r.lams[r.lams > 0])),
        }
        for kind, r in runs.items()
    }
    return out


def outliers(seeds, epochs) -> dict:
    """200 moons rows clean, with 20 % of labels flipped, or 10 % of rows moved."""
    x, y = moons_rows()
    rng = np.random.default_rng(0)
    flipped = y.copy()
    rows = rng.choice(200, 40, replace=False)
    flipped[rows] = 1 - flipped[rows]
    moved = x.copy()
    rows = rng.choice(200, 20, replace=False)
    moved[rows] += rng.normal(scale=3.0, size=(20, 2)).astype("float32")
    data = {"clean": (x, y), "labels": (x, flipped), "features": (moved, y)}
    return {name: penalty_grid(*xy, seeds, epochs) for name, xy in data.items()}


def all_important(seeds, epochs) -> dict:
    """10 standard-normal inputs; label 1 where their sum plus noise is positive."""
    rng = np.random.default_rng(1)
    x = rng.normal(size=(700, 10)).astype("float32")
    y = (x.sum(axis=1) + rng.normal(size=700) > 0).astype("int64")
    return penalty_grid(x, y, seeds, epochs)


def noise_features(seeds, epochs) -> dict:
    """The 200-row moons of ``outliers`` plus 18 standard-normal noise inputs."""
    x, y = moons_rows()
    noise = np.random.default_rng(2).normal(size=(len(x), 18)).astype("float32")
    return penalty_grid(np.hstack([x, noise]), y, seeds, epochs)


class EpochTimer(keras.callbacks.Callback):
    """Wall time of each epoch of a ``fit`` (``seconds``), set-up excluded."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self._began = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self._began)


def step_time(repeats: int, epochs: int) -> dict:
    """Milliseconds per training step of ``model.fit``, per penalty and setting.

    The lecture network on 3,200 moons rows (100 steps of 32 per epoch), with the
    penalty on both hidden kernels. Two settings: Keras' defaults (one step per
    call, no XLA on a CPU) and XLA with 100 steps per call, where the framework's
    overhead is smallest and a penalty's own cost shows most. Each repeat fits
    every variant in turn (in a new order each repeat) for ``1 + epochs // 2``
    epochs and takes the median epoch after the first.
    """
    x, y = kreg.make_moons(3200, noise=0.25, random_state=2)
    x, y, n = x.astype("float32"), y.astype("float32"), len(x)
    penalties = {
        "none": (None, keras.optimizers.Adam),
        "l2": (kreg.L2(LAM * 40, n), keras.optimizers.Adam),
        "l1_subgradient": (kreg.L1(LAM * 40, n), keras.optimizers.Adam),
        "l1_proximal": (kreg.L1(LAM * 40, n, proximal=True), kreg.ProximalAdam),
    }
    settings = {
        "keras_default": {},
        "xla_100_steps": {"jit_compile": True, "steps_per_execution": 100},
    }
    timer, out = EpochTimer(), {}
    for setting, options in settings.items():
        models = {}
        for name, (reg, optimizer) in penalties.items():
            keras.utils.set_random_seed(0)
            model = keras.Sequential(
                [
                    keras.Input((2,)),
                    keras.layers.Dense(128, "relu", kernel_regularizer=reg),
                    keras.layers.Dense(128, "relu", kernel_regularizer=reg),
                    keras.layers.Dense(1, "sigmoid"),
                ]
            )
            model.compile(optimizer(0.01), "binary_crossentropy", **options)
            model.fit(x, y, batch_size=32, epochs=1, verbose=0)  # compile, warm up
            models[name] = model
        times = {name: [] for name in penalties}
        names = list(penalties)
        for r in range(repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                models[name].fit(
                    x,
                    y,
                    batch_size=32,
                    epochs=1 + max(1, epochs // 2),
                    verbose=0,
                    callbacks=[timer],
                )
                times[name].append(np.median(timer.seconds[1:]) / (n // 32) * 1e3)
        out[setting] = {name: np.array(t) for name, t in times.items()}
    return out


def weight_decay_step(seeds) -> np.ndarray:
    """Per seed: max |Keras SGD step with kreg.L2 - the lecture's decay formula|.

    ``w_new = w * (1 - lr * lam / n) - lr * dLoss/dw`` for a Dense(3) layer under
    mean squared error, its data gradient written out by hand.
    """
    lam, n, lr = 0.5, 80, 0.1
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, kernel_regularizer=kreg.L2(lam, n))]
    )
    model.compile(keras.optimizers.SGD(lr), "mse")
    errors = []
    for s in seeds:
        rng = np.random.default_rng(s)
        x, y = rng.normal(size=(32, 4)), rng.normal(size=(32, 3))
        w, b = rng.normal(size=(4, 3)), rng.normal(size=3)
        model.layers[0].set_weights([w, b])
        model.train_on_batch(x.astype("float32"), y.astype("float32"))
        grad = 2 * x.T @ (x @ w + b - y) / y.size  # d mean((xw + b - y)^2) / dw
        expected = w * (1 - lr * lam / n) - lr * grad
        errors.append(np.abs(model.layers[0].get_weights()[0] - expected).max())
    return np.array(errors)


def pruned_inference(runs, rows: int = 100_000, repeats: int = 5) -> dict:
    """Per seed: parameters and ``predict_on_batch`` ms of the pruned L1 and group
    L1 networks and of the unregularized one, on ``rows`` fresh moons rows."""
    x, _ = kreg.make_moons(rows, noise=0.25, random_state=9)
    x = x.astype("float32")

    def ms_per_call(model, inputs):
        model.predict_on_batch(inputs)  # build the predict function
        times = []
        for _ in range(repeats):
            began = time.perf_counter()
            model.predict_on_batch(inputs)
            times.append(time.perf_counter() - began)
        return 1e3 * float(np.median(times))

    out = {v: {"params": [], "ms": []} for v in ("none", "l1", "group_l1")}
    for r in runs:
        for v in out:
            model = r.models[v] if v == "none" else kreg.prune(r.models[v])
            keep = getattr(model, "kept_inputs", np.arange(2))
            out[v]["params"].append(model.count_params())
            out[v]["ms"].append(ms_per_call(model, x[:, keep]))
    return {v: {k: np.array(a) for k, a in d.items()} for v, d in out.items()}


# ------------------------------------------------------------------------ claims


def zeros(a) -> np.ndarray:
    return np.zeros_like(np.asarray(a, dtype=float))


def hidden_zero_fraction(sweep, j: int, tol: float = 0.0) -> np.ndarray:
    """Per seed: the fraction of hidden-kernel weights with ``|w| <= tol``."""
    hidden = [p for p in sweep.paths if p.startswith("hidden") and p.endswith("kernel")]
    flat = np.concatenate(
        [sweep.paths[p][:, j].reshape(len(sweep.seeds), -1) for p in hidden], axis=1
    )
    return np.mean(np.abs(flat) <= tol, axis=1)


def proportional_r2(sweep, j: int) -> np.ndarray:
    """Per seed: the share of the hidden weights at lambda ``j`` that ``c * w(0)``
    explains (uncentred R^2 of a fit through the origin)."""
    hidden = [p for p in sweep.paths if p.startswith("hidden") and p.endswith("kernel")]
    out = []
    for s in range(len(sweep.seeds)):
        w0 = np.concatenate([sweep.paths[p][s, 0].ravel() for p in hidden])
        w = np.concatenate([sweep.paths[p][s, j].ravel() for p in hidden])
        c = w0 @ w / (w0 @ w0)
        out.append(1 - np.sum((w - c * w0) ** 2) / np.sum(w**2))
    return np.array(out)


def within(value: float, target: float) -> bool:
    return abs(value - target) <= TOLERANCE * abs(target)


def lam_index(sweep, lam: float) -> int:
    return int(np.flatnonzero(np.isclose(sweep.lams, lam))[0])


def overfitting_claims(m) -> None:
    group = "Overfitting and generalization"
    lec, l2_sweep = m["lecture"]["metrics"], m["sweeps"]["l2"]
    gap = {v: lec[v]["gap"] for v in lec}
    rise = m["lecture"]["val_rise"]["none"]
    claim(
        "A1",
        group,
        "Without regularization the large network overfits: the validation loss "
        "climbs while the training loss falls",
        "notes §2, §8",
        "lecture: none",
        "gap (val - train data loss) > 0 and final val loss above its minimum "
        "over the epochs, each by 2 SE",
        [
            beyond(gap["none"], zeros(rise), ">", what="gap > 0"),
            beyond(rise, zeros(rise), ">", what="val loss rises"),
        ],
        f"gap {ms(gap['none'])}; val loss ends {ms(rise)} above its minimum",
        gap=spread(gap["none"]),
        val_rise=spread(rise),
    )
    gaps = l2_sweep.mean["gap"]
    closed = [float(lam) for lam, g in zip(l2_sweep.lams, gaps, strict=True) if g < 0.1]
    claim(
        "A2",
        group,
        "With L2 (Keras l2(0.001)) the validation loss follows the training loss, "
        "with no significant gap",
        "notes §8",
        "lecture: none vs l2, lam 0.16; L2 sweep",
        "gap of l2 < gap of none by 2 SE; and mean gap of l2 < 0.1",
        [
            beyond(gap["l2"], gap["none"], "<", what="l2 gap < none gap"),
            check(gap["l2"].mean() < 0.1, "mean l2 gap < 0.1"),
        ],
        f"gap none {ms(gap['none'])}, l2 {ms(gap['l2'])}; "
        f"mean gap < 0.1 from lam {closed[0] if closed else 'none of the grid'}",
        gap_none=spread(gap["none"]),
        gap_l2=spread(gap["l2"]),
        sweep_lams=l2_sweep.lams.tolist(),
        sweep_gap_mean=gaps.tolist(),
    )
    claim(
        "A3",
        group,
        "L1 reduces overfitting",
        "guide; article",
        "lecture: none vs l1 (proximal), lam 0.16",
        "gap of l1 < gap of none by 2 SE",
        [beyond(gap["l1"], gap["none"], "<", what="l1 gap < none gap")],
        f"gap none {ms(gap['none'])}, l1 {ms(gap['l1'])}, "
        f"l1 subgradient {ms(gap['l1_subgradient'])}",
        gap_l1=spread(gap["l1"]),
        gap_l1_subgradient=spread(gap["l1_subgradient"]),
    )
    loss = {v: lec[v]["val_loss"] for v in lec}
    acc = {v: lec[v]["val_accuracy"] for v in lec}
    j = best(l2_sweep, 1)
    claim(
        "A4",
        group,
        "L2 improves generalization",
        "article; guide; notes §10",
        "lecture: none vs l2, lam 0.16, on 1,000 fresh validation rows",
        "val loss of l2 < none and val accuracy of l2 > none, each by 2 SE",
        [
            beyond(loss["l2"], loss["none"], "<", what="val loss lower"),
            beyond(acc["l2"], acc["none"], ">", what="val accuracy higher"),
        ],
        f"val loss none {ms(loss['none'])}, l2 {ms(loss['l2'])}; val accuracy "
        f"none {ms(acc['none'])}, l2 {ms(acc['l2'])}; at the sweep's best lam "
        f"{l2_sweep.lams[j]:g}: {ms(l2_sweep.metrics['val_accuracy'][:, j])}",
        val_loss={v: spread(loss[v]) for v in ("none", "l2")},
        val_accuracy={v: spread(acc[v]) for v in ("none", "l2")},
        best_lam=float(l2_sweep.lams[j]),
        best_val_accuracy=spread(l2_sweep.metrics["val_accuracy"][:, j]),
    )
    length = m["lecture"]["boundary"]
    claim(
        "A5",
        group,
        "L2 gives a much smoother decision boundary than no regularization",
        "notes §8",
        "lecture: length of the 0.5 boundary on the 200x200 decision grid",
        "boundary of l2 shorter than that of none by 2 SE",
        [beyond(length["l2"], length["none"], "<", what="l2 shorter")],
        f"length none {ms(length['none'], 2)}, l2 {ms(length['l2'], 2)}, "
        f"l1 {ms(length['l1'], 2)}",
        boundary_length={v: spread(a) for v, a in length.items()},
    )
    out = m["outliers"]
    drop = {
        (v, c): out["clean"][v]["val_accuracy"] - out[c][v]["val_accuracy"]
        for v in ("none", "l1", "l2")
        for c in ("labels", "features")
    }
    parts = [
        beyond(drop[v, c], drop["none", c], "<", what=f"{v} drops less, {c}")
        for v in ("l2", "l1")
        for c in ("labels", "features")
    ]
    claim(
        "A6",
        group,
        "Regularization makes the model less sensitive to noise in the training data",
        "article",
        "outliers: drop of clean-validation accuracy from clean training data to "
        "20 % flipped labels / 10 % moved rows, each variant at its best lambda",
        "drop of l2 (and of l1) < drop of none by 2 SE, for each corruption",
        parts,
        "; ".join(
            f"{c}: none {ms(drop['none', c])}, l1 {ms(drop['l1', c])}, "
            f"l2 {ms(drop['l2', c])}"
            for c in ("labels", "features")
        ),
        drop={f"{v}/{c}": spread(a) for (v, c), a in drop.items()},
    )
    gaps = m["width"]
    means = [gaps[w].mean() for w in WIDTHS]
    claim(
        "A7",
        group,
        "More neurons let the network fit the training data more closely and "
        "overfit more",
        "notes §2",
        "width: no penalty, one hidden layer of 1, 10, 50, 256, 1000 units",
        "mean gap increases with every step of width; and gap(1000) > gap(1) by 2 SE",
        [
            check(np.all(np.diff(means) > 0), "gap increases at every step"),
            beyond(gaps[WIDTHS[-1]], gaps[WIDTHS[0]], ">", what="widest > narrowest"),
        ],
        ", ".join(f"{w}: {ms(gaps[w])}" for w in WIDTHS),
        gap={str(w): spread(gaps[w]) for w in WIDTHS},
    )


def weight_claims(m) -> None:
    group = "What the penalties do to the weights"
    lec, sweeps = m["lecture"]["metrics"], m["sweeps"]
    span = {v: lec[v]["first_kernel_max"] - lec[v]["first_kernel_min"] for v in lec}
    ratio = span["l2"] / span["none"]
    norm_ratio = lec["l2"]["l2_norm"] / lec["none"]["l2_norm"]
    claim(
        "B1",
        group,
        "L2 shrinks the weights toward zero",
        "notes §5a, §8; guide; article",
        "lecture: first-layer kernel range and L2 norm of all kernels, l2 vs none",
        "range and norm of l2 < those of none by 2 SE",
        [
            beyond(span["l2"], span["none"], "<", what="range smaller"),
            beyond(lec["l2"]["l2_norm"], lec["none"]["l2_norm"], "<", what="norm"),
        ],
        f"range ratio l2/none {ms(ratio, 2)}, L2-norm ratio {ms(norm_ratio, 2)}",
        range_ratio=spread(ratio),
        norm_ratio=spread(norm_ratio),
    )
    l2 = sweeps["l2"]
    lecture_j, best_j = lam_index(l2, LAM), best(l2, 1)
    exact = [hidden_zero_fraction(l2, j) for j in range(len(l2.lams))]
    first = next(
        (f"{l2.lams[j]:g}" for j, z in enumerate(exact) if z.mean() >= 1e-3),
        "no lambda of the grid",
    )
    small = hidden_zero_fraction(l2, best_j, tol=1e-3)
    claim(
        "B2",
        group,
        "L2 does not set weights exactly to zero (small, close to zero, not zero)",
        "notes §5a, §6; guide; article",
        "L2 sweep: hidden-kernel weights exactly 0",
        "below 0.1 % in every seed at lam 0.16 and at the best lambda",
        [
            check(exact[lecture_j].max() < 1e-3, "lam 0.16"),
            check(exact[best_j].max() < 1e-3, f"best lam {l2.lams[best_j]:g}"),
        ],
        f"exact zeros at lam 0.16 {ms(100 * exact[lecture_j], 3)} %, at best lam "
        f"{l2.lams[best_j]:g} {ms(100 * exact[best_j], 3)} % (|w| < 1e-3 there: "
        f"{ms(100 * small, 1)} %); >= 0.1 % from lam {first}",
        exact_zero_fraction={
            f"{lam:g}": spread(z) for lam, z in zip(l2.lams, exact, strict=True)
        },
        below_1e3_at_best=spread(small),
    )
    errors = m["decay"]
    claim(
        "B3",
        group,
        "An L2 gradient step is a weight decay: w <- w (1 - lr lam / n) - lr dLoss/dw",
        "notes §5a",
        "weight decay: one Keras SGD step with kreg.L2 against the formula",
        "largest difference below 1e-5 in every seed",
        [check(errors.max() < 1e-5, "max |difference| < 1e-5")],
        f"largest difference {errors.max():.1e}",
        max_difference=spread(errors),
    )
    low, high = lec["none"]["first_kernel_min"], lec["none"]["first_kernel_max"]
    claim(
        "B4",
        group,
        "Without regularization the first-layer weights span about -2 to 1.75",
        "notes §8",
        "lecture: none, first-layer kernel (256 weights)",
        "each mean end within 30 % of the lecture's",
        [
            check(within(low.mean(), -2.0), "minimum near -2"),
            check(within(high.mean(), 1.75), "maximum near 1.75"),
        ],
        f"min {ms(low, 2)}, max {ms(high, 2)}",
        first_kernel_min=spread(low),
        first_kernel_max=spread(high),
    )
    low, high = lec["l2"]["first_kernel_min"], lec["l2"]["first_kernel_max"]
    lows, highs = l2.mean["first_kernel_min"], l2.mean["first_kernel_max"]
    where = [
        float(lam)
        for lam, a, b in zip(l2.lams, lows, highs, strict=True)
        if within(a, -0.5) and within(b, 0.3)
    ]
    claim(
        "B5",
        group,
        "With L2 (Keras l2(0.001), lam 0.16) they span about -0.5 to 0.3",
        "notes §8",
        "lecture: l2, lam 0.16; L2 sweep for the lambdas where the range appears",
        "each mean end within 30 % of the lecture's at lam 0.16",
        [
            check(within(low.mean(), -0.5), "minimum near -0.5"),
            check(within(high.mean(), 0.3), "maximum near 0.3"),
        ],
        f"min {ms(low, 2)}, max {ms(high, 2)}; the lecture's range at lam "
        f"{where if where else 'none of the grid'}",
        first_kernel_min=spread(low),
        first_kernel_max=spread(high),
        sweep_lams=l2.lams.tolist(),
        sweep_min_mean=lows.tolist(),
        sweep_max_mean=highs.tolist(),
        lams_with_lecture_range=where,
    )
    parts, shown, numbers = [], [], {}
    for kind, key in (("l2", "l2_norm"), ("l1", "l1_norm")):
        sweep = sweeps[kind]
        norm = sweep.metrics[key]
        rises = [
            float(sweep.lams[j + 1])
            for j in range(len(sweep.lams) - 1)
            if beyond(norm[:, j + 1], norm[:, j], ">")["passed"]
        ]
        shrinks = beyond(norm[:, -1], norm[:, 0], "<")["passed"]
        parts.append(check(not rises and shrinks, f"{kind} sweep: {key} falls"))
        shown.append(
            f"{kind}: {key} {norm[:, 0].mean():.1f} -> {norm[:, -1].mean():.2f}, "
            f"significant rises at lam {rises}"
        )
        numbers[kind] = {"lams": sweep.lams.tolist(), key: sweep.mean[key].tolist()}
        numbers[kind]["rises_at"] = rises
    claim(
        "B6",
        group,
        "A larger lambda gives smaller weights",
        "guide (key considerations); notes §5a",
        "lecture sweeps: the norm each penalty measures, per lambda",
        "no step up in lambda raises the mean norm by 2 SE, and the largest "
        "lambda's norm is below lambda 0's by 2 SE (per kind)",
        parts,
        "; ".join(shown),
        **numbers,
    )
    r2 = {
        lam: proportional_r2(l2, j) for lam, j in ((LAM, lecture_j), ("best", best_j))
    }
    claim(
        "B7",
        group,
        "As lambda grows, L2 shrinks all weights proportionally",
        "guide (figure 2 of L2)",
        "L2 sweep: fit w(lam) = c * w(0) over all hidden weights, per seed",
        "R^2 of that fit >= 0.9 at lam 0.16 and at the best lambda",
        [check(r2[k].mean() >= 0.9, f"R^2 at lam {k}") for k in r2],
        f"R^2 at lam 0.16 {ms(r2[LAM], 2)}, at best lam {l2.lams[best_j]:g} "
        f"{ms(r2['best'], 2)}",
        r2={str(k): spread(v) for k, v in r2.items()},
    )


def sparsity_claims(m) -> None:
    group = "Sparsity and features"
    lec, l1 = m["lecture"]["metrics"], m["sweeps"]["l1"]
    zero = {v: lec[v]["zero_fraction"] for v in ("l1", "l1_subgradient", "l2")}
    claim(
        "C1",
        group,
        "L1 drives many weights exactly to zero",
        "notes §5b, §6; guide; article",
        "lecture: kernel weights exactly 0, L1 at lam 0.16 as a proximal step "
        "(kreg's default) and as Keras applies it (subgradient)",
        "more than 50 % exactly 0 in every seed (each form)",
        [
            check(zero["l1"].min() > 0.5, "proximal"),
            check(zero["l1_subgradient"].min() > 0.5, "subgradient"),
        ],
        f"exact zeros: proximal {ms(100 * zero['l1'], 1)} %, subgradient "
        f"{ms(100 * zero['l1_subgradient'], 1)} %, l2 {ms(100 * zero['l2'], 1)} %",
        zero_fraction={v: spread(a) for v, a in zero.items()},
    )
    fraction = np.array([hidden_zero_fraction(l1, j) for j in range(len(l1.lams))]).T
    falls = [
        float(l1.lams[j + 1])
        for j in range(len(l1.lams) - 1)
        if beyond(fraction[:, j + 1], fraction[:, j], "<")["passed"]
    ]
    back = []  # weights at 0 for one lambda and not for the next larger one
    hidden = [p for p in l1.paths if p.startswith("hidden") and p.endswith("kernel")]
    for s in range(len(l1.seeds)):
        w = np.concatenate(
            [l1.paths[p][s].reshape(len(l1.lams), -1) for p in hidden], 1
        )
        back.append(np.mean((w[:-1] == 0) & (w[1:] != 0), axis=1).max())
    claim(
        "C2",
        group,
        "As lambda grows, more L1 weights become exactly zero",
        "guide (figures of L1)",
        "L1 sweep: hidden-kernel weights exactly 0, per lambda",
        "no step up in lambda lowers the fraction by 2 SE; the largest lambda has "
        "more zeros than the smallest nonzero one by 2 SE",
        [
            check(not falls, "never falls"),
            beyond(fraction[:, -1], fraction[:, 1], ">", what="rises overall"),
        ],
        f"exact zeros {100 * fraction[:, 1].mean():.1f} % at lam {l1.lams[1]:g} -> "
        f"{100 * fraction[:, -1].mean():.1f} % at {l1.lams[-1]:g}; significant "
        f"falls at lam {falls}; weights back from 0 at the next lambda: at most "
        f"{ms(100 * np.array(back), 2)} %",
        lams=l1.lams.tolist(),
        zero_fraction_mean=fraction.mean(axis=0).tolist(),
        back_from_zero=spread(back),
    )
    noise, clean = m["noise"], m["outliers"]["clean"]
    used = {v: noise[v]["used"] for v in ("none", "l1", "l2")}
    real_kept = {v: u[:, :2].all(axis=1) for v, u in used.items()}
    noise_removed = {v: 1 - u[:, 2:].mean(axis=1) for v, u in used.items()}
    weights = np.count_nonzero(noise["l1"]["first_kernel"], axis=2)  # per input
    selects = [
        check(real_kept["l1"].all(), "l1 keeps both real inputs in every seed"),
        check(noise_removed["l1"].mean() >= 0.75, "l1 removes >= 75 % of noise inputs"),
    ]
    claim(
        "C3",
        group,
        "L1 performs feature selection: it removes the inputs that do not matter",
        "article; guide; notes §5b",
        f"noise features: 2 moons inputs + 18 noise inputs, l1 at its best lambda "
        f"({noise['l1']['lam']:g}); an input is kept if a path of nonzero weights "
        "leads from it to the output",
        "both real inputs kept in every seed, and on average >= 75 % of the noise "
        "inputs removed",
        selects,
        f"real inputs kept in {int(real_kept['l1'].sum())}/{len(real_kept['l1'])} "
        f"seeds; noise inputs removed {ms(100 * noise_removed['l1'], 1)} % (nonzero "
        f"first-layer weights per real input {ms(weights[:, :2].mean(1), 1)}, per "
        f"noise input {ms(weights[:, 2:].mean(1), 1)} of 128); "
        "GroupL1(64, groups='inputs') in examples/feature_selection.py keeps "
        "exactly the 2 real inputs (1 seed)",
        lam=noise["l1"]["lam"],
        real_kept=real_kept["l1"].tolist(),
        l1_nonzero_first_layer_weights_per_real_input=spread(weights[:, :2].mean(1)),
        l1_nonzero_first_layer_weights_per_noise_input=spread(weights[:, 2:].mean(1)),
        noise_removed={v: spread(a) for v, a in noise_removed.items()},
    )
    share = {
        v: np.sum(noise[v]["first_kernel"][:, 2:] ** 2, axis=(1, 2))
        / np.sum(noise[v]["first_kernel"] ** 2, axis=(1, 2))
        for v in ("none", "l2")
    }
    claim(
        "C4",
        group,
        "L2 keeps every feature: all inputs still contribute, with less weight",
        "article; guide",
        f"noise features: l2 at its best lambda ({noise['l2']['lam']:g})",
        "all 20 inputs kept (a nonzero path to the output) in every seed",
        [check(used["l2"].all(), "all inputs kept")],
        f"inputs kept {ms(used['l2'].sum(axis=1), 1)} of 20; the noise inputs' "
        f"share of the first kernel's squared norm: none {ms(100 * share['none'], 1)}"
        f" %, l2 {ms(100 * share['l2'], 1)} %",
        inputs_kept=spread(used["l2"].sum(axis=1)),
        noise_share={v: spread(a) for v, a in share.items()},
    )
    gap = {v: noise[v]["gap"] for v in ("none", "l1", "l2")}
    claim(
        "C5",
        group,
        "L1 reduces overfitting by removing irrelevant features",
        "guide",
        "noise features: none vs l1 at its best lambda",
        "gap of l1 < gap of none by 2 SE, and >= 75 % of the noise inputs removed",
        [beyond(gap["l1"], gap["none"], "<", what="gap smaller"), selects[1]],
        f"gap none {ms(gap['none'])}, l1 {ms(gap['l1'])}; noise inputs removed "
        f"{ms(100 * noise_removed['l1'], 1)} %",
        gap={v: spread(a) for v, a in gap.items()},
    )
    inf = m["inference"]
    parts, shown = [], []
    for v in ("l1", "group_l1"):
        fewer = inf["none"]["params"] / inf[v]["params"]
        faster = inf["none"]["ms"] / inf[v]["ms"]
        parts += [
            check(fewer.min() >= 2, f"{v}: >= 2x fewer parameters in every seed"),
            beyond(inf[v]["ms"], inf["none"]["ms"], "<", what=f"{v}: faster"),
        ]
        shown.append(
            f"{v}: {ms(inf[v]['params'], 0)} parameters ({ms(fewer, 1)}x fewer), "
            f"predict {ms(inf[v]['ms'], 1)} ms ({ms(faster, 2)}x faster)"
        )
    claim(
        "C6",
        group,
        "Sparse L1 models have fewer parameters and need less memory and computation",
        "article",
        "lecture: kreg.prune of l1 (lam 0.16) and GroupL1(0.1, 'units'), "
        "predict_on_batch on 100,000 rows (median of 5), against none",
        "per variant: >= 2x fewer parameters in every seed, and faster by 2 SE",
        parts,
        f"none {ms(inf['none']['params'], 0)} parameters, "
        f"{ms(inf['none']['ms'], 1)} ms; " + "; ".join(shown),
        **{v: {k: spread(a) for k, a in d.items()} for v, d in inf.items()},
    )
    allimp = m["all_important"]
    acc = {v: allimp[v]["val_accuracy"] for v in ("none", "l1", "l2")}
    moons_acc = {v: clean[v]["val_accuracy"] for v in ("none", "l1", "l2")}
    claim(
        "C7",
        group,
        "L1 may not work well when all features are important",
        "guide (disadvantages)",
        "all features important (10 inputs, label from their sum) vs the 200-row "
        "moons; each penalty at its best lambda",
        "l1 below l2 in val accuracy by 2 SE; and l1 - l2 lower than on the moons "
        "by 2 SE (Welch)",
        [
            beyond(acc["l1"], acc["l2"], "<", what="l1 < l2"),
            beyond(
                acc["l1"] - acc["l2"],
                moons_acc["l1"] - moons_acc["l2"],
                "<",
                paired=False,
                what="worse than elsewhere",
            ),
        ],
        f"val accuracy none {ms(acc['none'])}, l1 {ms(acc['l1'])}, l2 "
        f"{ms(acc['l2'])} (moons: l1 - l2 "
        f"{ms(moons_acc['l1'] - moons_acc['l2'])}); l1 keeps "
        f"{ms(allimp['l1']['used'].sum(axis=1), 1)} of 10 inputs",
        val_accuracy={v: spread(a) for v, a in acc.items()},
        moons_val_accuracy={v: spread(a) for v, a in moons_acc.items()},
        lams={v: allimp[v]["lam"] for v in ("l1", "l2")},
        l1_inputs_kept=spread(allimp["l1"]["used"].sum(axis=1)),
    )
    acc = {v: noise[v]["val_accuracy"] for v in ("none", "l1", "l2")}
    gain, gain_clean = acc["l2"] - acc["none"], moons_acc["l2"] - moons_acc["none"]
    claim(
        "C8",
        group,
        "L2 may not be effective when irrelevant features dominate",
        "guide (disadvantages)",
        "noise features (18 of 20 inputs noise) vs the same 200-row moons without "
        "them; each penalty at its best lambda",
        "l2 below l1 in val accuracy by 2 SE; and l2's gain over none smaller than "
        "on the moons without noise inputs by 2 SE (Welch)",
        [
            beyond(acc["l2"], acc["l1"], "<", what="l2 < l1"),
            beyond(gain, gain_clean, "<", paired=False, what="l2 gains less"),
        ],
        f"val accuracy none {ms(acc['none'])}, l1 {ms(acc['l1'])}, l2 "
        f"{ms(acc['l2'])}; l2's gain over none {ms(gain)} (without noise inputs "
        f"{ms(gain_clean)})",
        val_accuracy={v: spread(a) for v, a in acc.items()},
        l2_gain=spread(gain),
        l2_gain_without_noise_inputs=spread(gain_clean),
        lams={v: noise[v]["lam"] for v in ("l1", "l2")},
    )


def lambda_claims(m) -> None:
    group = "Choosing lambda"
    under, over, shown, shown_over, numbers = [], [], [], [], {}
    for kind, sweep in m["sweeps"].items():
        j, metric = best(sweep, 1), sweep.metrics
        train, acc, gap = metric["train_loss"], metric["val_accuracy"], metric["gap"]
        under += [
            beyond(train[:, -1], train[:, j], ">", what=f"{kind}: train loss up"),
            beyond(acc[:, -1], acc[:, j], "<", what=f"{kind}: val accuracy down"),
        ]
        over.append(beyond(gap[:, 1], gap[:, j], ">", what=kind))
        shown.append(
            f"{kind}: best lam {sweep.lams[j]:g} train loss {ms(train[:, j])}, val "
            f"acc {ms(acc[:, j])}; lam {sweep.lams[-1]:g} train loss "
            f"{ms(train[:, -1])}, val acc {ms(acc[:, -1])}"
        )
        shown_over.append(
            f"{kind}: gap at lam {sweep.lams[1]:g} {ms(gap[:, 1])}, at best lam "
            f"{sweep.lams[j]:g} {ms(gap[:, j])}"
        )
        numbers[kind] = {
            "best_lam": float(sweep.lams[j]),
            **{
                f"{key}_{where}": spread(metric[key][:, i])
                for key in ("train_loss", "train_accuracy", "val_accuracy", "gap")
                for where, i in (("smallest", 1), ("best", j), ("largest", -1))
            },
        }
    claim(
        "D1",
        group,
        "Too large a lambda underfits",
        "notes §5a, §9; guide",
        "lecture sweeps: the largest lambda against the best one",
        "train loss higher and val accuracy lower than at the best lambda, by 2 SE, "
        "for L2 and L1",
        under,
        "; ".join(shown),
        **numbers,
    )
    claim(
        "D2",
        group,
        "Too small a lambda leaves the network overfitting",
        "notes §9",
        "lecture sweeps: the smallest nonzero lambda against the best one",
        "gap larger than at the best lambda by 2 SE, for L2 and L1",
        over,
        "; ".join(shown_over),
        **numbers,
    )


def l1_vs_l2_claims(m) -> None:
    group = "L1 against L2"
    out = m["outliers"]
    drop = {
        (v, c): out["clean"][v]["val_accuracy"] - out[c][v]["val_accuracy"]
        for v in ("l1", "l2")
        for c in ("labels", "features")
    }
    parts = [
        beyond(drop["l1", c], drop["l2", c], "<", what=f"{c}")
        for c in ("labels", "features")
    ]
    claim(
        "E1",
        group,
        "L1 is more robust to outliers (the penalty, not an L1 loss)",
        "article (advantages of L1)",
        "outliers: drop of clean-validation accuracy with 20 % flipped labels / "
        "10 % moved rows, each penalty at its best lambda per data set",
        "drop of l1 < drop of l2 by 2 SE, for each corruption",
        parts,
        "; ".join(
            f"{c}: drop l1 {ms(drop['l1', c])}, l2 {ms(drop['l2', c])}; accuracy "
            f"l1 {ms(out[c]['l1']['val_accuracy'])}, "
            f"l2 {ms(out[c]['l2']['val_accuracy'])}"
            for c in ("labels", "features")
        ),
        drop={f"{v}/{c}": spread(a) for (v, c), a in drop.items()},
        lams={c: {v: out[c][v]["lam"] for v in ("l1", "l2")} for c in out},
    )
    step = m["step"]
    parts, shown = [], []
    for setting, times in step.items():
        for v in ("l1_subgradient", "l1_proximal"):
            parts.append(beyond(times[v], times["l2"], ">", what=f"{v}, {setting}"))
        shown.append(
            f"{setting}: "
            + ", ".join(f"{v} {ms(t, 3)}" for v, t in times.items())
            + " ms"
        )
    claim(
        "E2",
        group,
        "L1 is computationally more expensive (non-differentiable at 0)",
        "article (key differences)",
        "time per step: model.fit of the lecture network, Keras defaults and XLA "
        "with 100 steps per call",
        "each L1 form slower than l2 by 2 SE (paired by repeat), in each setting",
        parts,
        "; ".join(shown),
        **{s: {v: spread(t) for v, t in times.items()} for s, times in step.items()},
    )
    lec, sweeps = m["lecture"]["metrics"], m["sweeps"]
    best_loss = {k: s.metrics["val_loss"][:, best(s, 1)] for k, s in sweeps.items()}
    claim(
        "E3",
        group,
        "L2 gives more stable performance than L1 (spread over initializations)",
        "notes §6",
        "lecture (lam 0.16) and lecture sweeps (each at its best lambda): the "
        "spread of the validation loss over the seeds",
        "spread of l1 > spread of l2 (Brown-Forsythe: absolute deviations from the "
        "median, 2 SE), at lam 0.16 and at the best lambdas",
        [
            more_spread(lec["l1"]["val_loss"], lec["l2"]["val_loss"], what="lam 0.16"),
            more_spread(best_loss["l1"], best_loss["l2"], what="best lambdas"),
        ],
        f"std of val loss at lam 0.16: l1 {lec['l1']['val_loss'].std():.4f}, l2 "
        f"{lec['l2']['val_loss'].std():.4f}; at the best lambdas: l1 "
        f"{best_loss['l1'].std():.4f}, l2 {best_loss['l2'].std():.4f}",
        val_loss={v: spread(lec[v]["val_loss"]) for v in ("l1", "l2")},
        best_val_loss={k: spread(a) for k, a in best_loss.items()},
    )
    spike, jump = m["lecture"]["spikes"], m["lecture"]["jump"]
    shown = (
        f"loss spikes (rise > 0.1 in one epoch) none {ms(spike['none'], 1)}, l1 "
        f"{ms(spike['l1'], 1)}, l2 {ms(spike['l2'], 1)}; largest relative kernel "
        f"change between records none {ms(jump['none'])}, l1 {ms(jump['l1'])}, l2 "
        f"{ms(jump['l2'])}"
    )
    claim(
        "E4",
        group,
        "L2 makes training more stable, preventing dramatic changes in the weights",
        "article (advantages of L2)",
        "lecture: per-seed curves and weight records, l2 vs none, after the first "
        "10 % of the epochs",
        "fewer loss spikes and a smaller largest kernel change than none, each by 2 SE",
        [
            beyond(spike["l2"], spike["none"], "<", what="fewer spikes"),
            beyond(jump["l2"], jump["none"], "<", what="smaller jumps"),
        ],
        shown,
        spikes={v: spread(a) for v, a in spike.items()},
        largest_change={v: spread(a) for v, a in jump.items()},
    )
    claim(
        "E5",
        group,
        "L1 can lead to instability in optimization",
        "guide (disadvantages)",
        "lecture: as E4, l1 (proximal) vs none",
        "more loss spikes and a larger largest kernel change than none, each by 2 SE",
        [
            beyond(spike["l1"], spike["none"], ">", what="more spikes"),
            beyond(jump["l1"], jump["none"], ">", what="larger jumps"),
        ],
        shown,
    )
    data = {
        "lecture": {
            k: s.metrics["val_accuracy"][:, best(s, 1)] for k, s in sweeps.items()
        },
        **{
            name: {k: d[k]["val_accuracy"] for k in ("l1", "l2")}
            for name, d in (
                ("moons200", out["clean"]),
                ("all_important", m["all_important"]),
                ("noise_features", m["noise"]),
            )
        },
    }
    claim(
        "E6",
        group,
        "L2 gives better results than L1 in practice",
        "notes §5b, §6",
        "each data set, each penalty at its best lambda: validation accuracy",
        "l2 above l1 by 2 SE on every data set",
        [beyond(d["l2"], d["l1"], ">", what=name) for name, d in data.items()],
        "; ".join(f"{n}: l1 {ms(d['l1'])}, l2 {ms(d['l2'])}" for n, d in data.items()),
        val_accuracy={n: {k: spread(a) for k, a in d.items()} for n, d in data.items()},
    )


# -------------------------------------------------------------------------- main


def main(epochs: int | None, seeds: list[int], out: str | None) -> None:
    def n(kind):  # the step timing measures steps: it needs no more than 10 epochs
        if epochs is None:
            return DEFAULT_EPOCHS[kind]
        return min(epochs, DEFAULT_EPOCHS[kind]) if kind == "timing" else epochs

    m, seconds = {}, {}
    steps = [
        ("lecture", lambda: lecture(seeds, n("lecture"))),
        ("sweeps", lambda: lecture_sweeps(seeds, n("lecture"))),
        ("width", lambda: width(seeds, n("lecture"))),
        ("outliers", lambda: outliers(seeds, n("small"))),
        ("all_important", lambda: all_important(seeds, n("small"))),
        ("noise", lambda: noise_features(seeds, n("small"))),
        ("step", lambda: step_time(len(seeds), n("timing"))),
        ("decay", lambda: weight_decay_step(seeds)),
        ("inference", lambda: pruned_inference(m["lecture"]["runs"])),
    ]
    for name, run in steps:
        began = time.perf_counter()
        m[name] = run()
        seconds[name] = round(time.perf_counter() - began, 1)
        print(f"# {name}: {seconds[name]} s", flush=True)
    grids = {f"outliers/{c}": d["grid"] for c, d in m["outliers"].items()}
    grids.update(all_important=m["all_important"]["grid"], noise=m["noise"]["grid"])
    for name, grid in grids.items():
        for kind, g in grid.items():
            if g["best_at_edge"]:
                print(
                    f"# {name}, {kind}: best lambda {g['best_lam']:g} at the grid's end"
                )

    overfitting_claims(m)
    weight_claims(m)
    sparsity_claims(m)
    lambda_claims(m)
    l1_vs_l2_claims(m)
    counts = {v: sum(c["verdict"] == v for c in CLAIMS) for v in ("holds", "mixed")}
    counts["does not hold"] = len(CLAIMS) - sum(counts.values())
    total = time.perf_counter() - STARTED
    print(f"{len(CLAIMS)} claims: {counts}; {len(seeds)} seeds; total {total:.0f} s")

    out = out or default_out_dir("seed-claims")
    os.makedirs(out, exist_ok=True)
    write_json(
        os.path.join(out, "claims.json"),
        {
            "seeds": seeds,
            "epochs": {k: n(k) for k in DEFAULT_EPOCHS},
            "rule": f"{Z:g} standard errors over the seeds (paired by seed where "
            "the variants share initial weights and batches)",
            "sources": SOURCES,
            "claims": CLAIMS,
            "lecture_metrics": {
                v: {k: spread(a) for k, a in metrics.items()}
                for v, metrics in m["lecture"]["metrics"].items()
            },
            "penalty_grids": grids,
            "verdicts": counts,
            "seconds": {**seconds, "total": round(total, 1)},
            "kreg_version": kreg.__version__,
        },
    )
    print(f"Claims and numbers written to {os.path.join(out, 'claims.json')}")


def _seeds(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--epochs",
        type=int,
        default=None,
        help="epochs of every experiment (default: 2000 lecture, 500 others)",
    )
    parser.add_argument(
        "--seeds", type=_seeds, default=[0, 1, 2, 3, 4], help="default: 0,1,2,3,4"
    )
    parser.add_argument(
        "--out",
        default=None,
        help="directory for claims.json (default: kreg-output/...)",
    )
    args = parser.parse_args()
    main(args.epochs, args.seeds, args.out)
