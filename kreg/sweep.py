"""Train one network per lambda side by side: ``kreg.sweep``.

The regularization path: how the weights, the sparsity and the losses change as
lambda grows, from overfitting (lambda = 0) to underfitting, and which lambda
generalizes best. All lambdas (and seeds) train as one stacked network in the
engine of ``kreg.compare``, so a 13-lambda sweep costs a few times one model.
"""

from __future__ import annotations

import itertools
import numbers
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg._engine import METRIC_NAMES
from kreg._towers import kernels
from kreg._validation import _fail, check_choice, check_names
from kreg.claims import check_claims, claims_text
from kreg.compare import (
    _MODEL_OPTIONS,
    _SETUP_OPTIONS,
    METRIC_KEYS,
    _base_config,
    _boundaries,
    _builtin_regularizers,
    _cells,
    _check_applies,
    _diverged_note,
    _first_nonfinite_epoch,
    _model_data,
    _model_history,
    _optimizer_for,
    _options,
    _over_seeds,
    _record_epochs,
    _record_frequency,
    _run_model,
    _run_title,
    _setup,
    _slice_metrics,
    _table,
    _train,
    _weight_paths,
    metric_columns,
)
from kreg.history import WeightHistory
from kreg.prune import dense_chain_units

__all__ = ["KINDS", "SweepResult", "default_lams", "sweep"]

#: The penalty kinds ``sweep`` accepts (``"l1l2"``: ``L1L2(lam, lam, n)``).
KINDS = ("l1", "l2", "l1l2")

# The default grid per kind: 0, then 12 values from geomspace(low, high, 12). On the
# lecture's setup (2000 epochs, Adam 0.01, n = 80, measured with seed 0) L2 starts
# to underfit near lam = 30 and predicts one class for every input at 100; L1 and
# L1L2 underfit from about lam = 1 and zero every hidden weight from about 3.
_DEFAULT_RANGES = {"l1": (1e-3, 10.0), "l2": (1e-2, 100.0), "l1l2": (1e-3, 10.0)}
_DEFAULT_POINTS = 12


def default_lams(kind: str = "l2") -> np.ndarray:
    """The default lambda grid of ``sweep``: 0 and 12 log-spaced values.

    ``[0, *numpy.geomspace(low, high, 12)]`` with ``(low, high) = (0.01, 100)`` for
    ``"l2"`` and ``(0.001, 10)`` for ``"l1"`` and ``"l1l2"`` (L1 bites harder:
    its pull toward 0 does not fade as a weight gets small). Both reach
    underfitting on the lecture's setup (``n = 80``): at the largest lambda the
    network predicts one class for every input. The penalty is ``lam / (2 n)``
    per unit, so with many more training rows larger values may be needed.

    Args:
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``.

    Returns:
        A float64 array of 13 increasing values, the first 0.

    Raises:
        ValueError: If ``kind`` is not one of those.

    Examples:
        >>> default_lams("l2")[:4].round(4).tolist()
        [0.0, 0.01, 0.0231, 0.0534]
        >>> len(default_lams("l1")), float(default_lams("l1")[-1])
        (13, 10.0)
    """
    kind = _check_kind(kind)
    low, high = _DEFAULT_RANGES[kind]
    return np.concatenate([[0.0], np.geomspace(low, high, _DEFAULT_POINTS)])


class SweepResult:
    """What ``kreg.sweep`` returns: numbers, curves and final weights per lambda.

    Arrays are indexed ``[seed, lambda]`` (``S`` seeds, ``L`` lambdas); the
    networks of one seed start from the same initial weights and all see the same
    batches.

    Attributes:
        config: Every setting of the run, JSON-serializable (``"lams"``,
            ``"kind"``, ``"l1_mode"``, ``"seeds"``, ``"regularizers"`` (the
            hidden-kernel regularizer per lambda, as Keras configs), the data,
            network, optimizer and training settings).
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``.
        lams: ``(L,)`` float64, increasing; ``lams[0]`` may be 0.
        seeds: The seeds of the initial weights (``[seed]`` without ``seeds``).
        epochs: ``numpy.arange(1, epochs + 1)``, the x axis of the curves.
        metrics: ``METRIC_KEYS`` -> ``(S, L)`` float64: the final numbers, as
            ``ComparisonResult.metrics`` (data losses, ``gap = val_loss -
            train_loss``, the penalty, zeros, norms, ...).
        mean: ``METRIC_KEYS`` -> ``(L,)``: means over the seeds.
        std: ``METRIC_KEYS`` -> ``(L,)``: standard deviations over the seeds
            (``ddof=0``; 0 with one seed).
        curves: ``"train_loss"``, ``"penalty"``, ``"train_total"``,
            ``"train_accuracy"``, ``"val_loss"``, ``"val_accuracy"`` -> ``(S, L,
            epochs)``: per-epoch values at the end-of-epoch weights (as
            ``ComparisonResult.curves``).
        paths: Kernel path (``"hidden_1/kernel"``, ..., ``"output/kernel"``) ->
            ``(S, L, *shape)``: the final kernels, the regularization path.
        best_index: The index of the lambda with the lowest mean validation data
            loss.
        best_lam: ``lams[best_index]``.
        grid: ``{"xx", "yy", "box"}`` (see ``ComparisonResult.grid``), or ``None``
            when the data does not have 2 features.
        decision: ``(L, G, G)``: the first seed's predicted probability of class 1
            on the grid, per lambda; ``None`` without a grid.
        data: ``{"x_train", "y_train", "x_val", "y_val"}`` as trained on.
        histories: With ``record_every``, one ``kreg.WeightHistory`` per lambda
            (first seed; keys as ``paths`` plus the biases); else ``None``.
        timing: ``{"train_seconds"}``: wall time of the training (compilation
            included).

    Examples:
        >>> import kreg
        >>> result = kreg.sweep(kind="l1", hidden=(8, 8), epochs=5, batch_size=40)
        >>> result.mean["zero_fraction"].shape
        (13,)
        >>> result.paths["hidden_1/kernel"].shape
        (1, 13, 2, 8)
        >>> print(result.summary())  # doctest: +ELLIPSIS
        l1 sweep of 13 lambdas (proximal L1), 5 epochs, hidden (8, 8), ...
    """

    def __init__(
        self,
        *,
        config: dict[str, Any],
        kind: str,
        lams: np.ndarray,
        seeds: list[int],
        epochs: np.ndarray,
        metrics: dict[str, np.ndarray],
        curves: dict[str, np.ndarray],
        paths: dict[str, np.ndarray],
        grid: dict[str, Any] | None,
        decision: np.ndarray | None,
        data: dict[str, np.ndarray],
        timing: dict[str, float],
        histories: list[WeightHistory] | None = None,
    ):
        self.config = config
        self.kind = kind
        self.lams = lams
        self.seeds = seeds
        self.epochs = epochs
        self.metrics = metrics
        self.mean = {k: np.mean(a, axis=0) for k, a in metrics.items()}
        self.std = {k: np.std(a, axis=0) for k, a in metrics.items()}
        self.curves = curves
        self.paths = paths
        val = self.mean["val_loss"]
        self.best_index = int(np.nanargmin(val)) if np.any(~np.isnan(val)) else 0
        self.best_lam = float(lams[self.best_index])
        self.grid = grid
        self.decision = decision
        self.data = data
        self.histories = histories
        self.timing = timing

    def __repr__(self) -> str:
        return (
            f"SweepResult(kind={self.kind!r}, lams={len(self.lams)}, "
            f"seeds={self.seeds!r}, epochs={len(self.epochs)}, "
            f"best_lam={self.best_lam:.4g}, train_seconds="
            f"{self.timing.get('train_seconds', float('nan')):.1f})"
        )

    def summary(self) -> str:
        """A fixed-width table of the final numbers, one row per lambda.

        Returns:
            The table as a string: lambda (the best one marked ``*``), data
            losses, the gap, accuracies, the penalty, the fraction of exactly-zero
            kernel weights and the kernels' L1 and L2 norms. With several seeds,
            each cell is ``mean ± std`` over the seeds.

        Examples:
            >>> import kreg
            >>> result = kreg.sweep(
            ...     lams=[0.0, 0.1, 1.0], hidden=(8, 8), epochs=5, batch_size=40
            ... )
            >>> print(result.summary())  # doctest: +ELLIPSIS
            l2 sweep of 3 lambdas, 5 epochs, hidden (8, 8), ...
            lambda  train loss  val loss ...
            0 ...
            0.1 ...
            1 ...
            * best lambda ...: the lowest mean validation data loss...
        """
        several = len(self.seeds) > 1
        # Compare's columns but the first kernel's range.
        columns = metric_columns(
            set(self.mean) - {"first_kernel_min", "first_kernel_max"}
        )
        rows = []
        for i, lam in enumerate(self.lams):
            mark = " *" if i == self.best_index else "  "
            mean = {key: self.mean[key][i] for key in self.mean}
            std = {key: self.std[key][i] for key in self.std} if several else None
            rows.append(
                [f"{lam:.4g}{mark}", *(_cells(k, mean, std) for _, k in columns)]
            )
        header = ["lambda", *(title for title, _ in columns)]
        units = self._units_kept()
        if units:
            header.append("units kept")
            for row, kept in zip(rows, units, strict=True):
                row.append("-".join(map(str, kept)))
        mode = f" ({self.config['l1_mode']} L1)" if self.kind != "l2" else ""
        title = (
            f"{self.kind} sweep of {len(self.lams)} lambdas{mode}, "
            + _run_title(self.config, len(self.epochs))
            + (f", {len(self.seeds)} seeds (mean ± std)" if several else "")
        )
        footer = (
            f"* best lambda {self.best_lam:.4g}: the lowest mean validation data loss"
        )
        note = _diverged_note(
            {f"lam={lam:g}": epoch for lam, epoch in self.diverged.items()},
            "The model at",
        )
        claims = claims_text(check_claims(None, self), len(self.seeds))
        return (
            _table(title, header, rows)
            + "\n"
            + footer
            + ("\n" + claims if claims else "")
            + ("\n" + note if note else "")
        )

    def _units_kept(self) -> list[list[int]]:
        """Per lambda, the units per layer ``kreg.prune`` keeps of the first
        seed's network (one, feeding nothing, where none is alive), if the
        kernels are a chain of Dense ones; else empty."""
        finals = [paths[0] for paths in self.paths.values()]  # (L, *shape) each
        dense = all(k.ndim == 3 for k in finals) and all(
            a.shape[2] == b.shape[1] for a, b in itertools.pairwise(finals)
        )
        if not dense:
            return []
        return [
            dense_chain_units([k[i] for k in finals])[1:] for i in range(len(self.lams))
        ]

    @property
    def diverged(self) -> dict[float, int | None]:
        """Lambda -> the first epoch at which its model diverged (NaN or infinite
        loss or weights, in any seed), or ``None`` if it stayed finite."""
        return {
            float(lam): _first_nonfinite_epoch(
                {k: np.asarray(c)[:, i] for k, c in self.curves.items()}
            )
            for i, lam in enumerate(self.lams)
        }

    def plot(self, **kwargs: Any) -> Any:
        """Draw the standard sweep figure (``kreg.plots.plot_sweep``).

        Args:
            **kwargs: Passed to ``kreg.plots.plot_sweep``.

        Returns:
            What ``kreg.plots.plot_sweep`` returns (a Display).

        Examples:
            >>> import kreg
            >>> result = kreg.sweep(
            ...     lams=[0.0, 0.1, 1.0], hidden=(8, 8), epochs=5, batch_size=40
            ... )
            >>> display = result.plot()
            >>> import matplotlib.pyplot as plt
            >>> plt.close("all")
        """
        from kreg.plots import plot_sweep

        return plot_sweep(self, **kwargs)


# -------------------------------------------------------------- argument checks


def _check_kind(kind: Any) -> str:
    if not isinstance(kind, str):
        _fail("kind", "one of " + ", ".join(map(repr, KINDS)), kind, TypeError)
    return check_choice("kind", kind, KINDS)


def _check_lams(lams: Any) -> np.ndarray:
    """The grid as a float64 array: non-empty, finite, >= 0, strictly increasing."""
    expected = "a non-empty, strictly increasing list of finite numbers >= 0"
    items = check_names("lams", lams)
    for item in items:
        if not isinstance(item, numbers.Real) or isinstance(item, bool):
            _fail("lams", expected, lams, TypeError)
    values = np.array([float(item) for item in items], dtype=np.float64)
    if (
        not np.all(np.isfinite(values))
        or np.any(values < 0)
        or np.any(np.diff(values) <= 0)
    ):
        _fail("lams", expected, lams)
    return values


# --------------------------------------------------------------------- sweep


def _sweep_model(
    model: Any, x: Any, y: Any, kind: str, lams: np.ndarray, options: dict
) -> SweepResult:
    """``sweep`` on the user's model: ``kreg.compare`` with a variant per lambda."""
    _, n_train = _model_data(
        x, y, options["validation_data"], options["validation_split"]
    )
    prox = options["l1_mode"] == "proximal"
    names = [f"lam={lam:g}" for lam in lams]
    variants = {
        name: _builtin_regularizers(kind, float(lam), n_train, 1, prox)[0]
        for name, lam in zip(names, lams, strict=True)
    }
    run = _run_model(model, x, y, variants=variants, lam=0.0, **options)
    seeds = run["seeds"]
    keys = [[f"{name}@{s}" for name in names] for s in seeds]  # [seed][lambda]

    def stacked(value: Any) -> dict[str, np.ndarray]:
        """The entries of the dicts ``value(key)`` that all have, as ``(S, L,
        ...)`` arrays."""
        rows = [[value(key) for key in row] for row in keys]
        return {
            k: np.array([[entry[k] for entry in row] for row in rows])
            for k in rows[0][0]
            if all(k in entry for row in rows for entry in row)
        }

    # Keyed without the model's own name, as the built-in "hidden_1/kernel".
    first = kernels(run["models"][keys[0][0]])
    kernel_paths = [kernel.path.split("/", 1)[-1] for kernel in first]
    paths = stacked(
        lambda key: dict(
            zip(kernel_paths, map(to_numpy, kernels(run["models"][key])), strict=True)
        )
    )
    config = dict(run["config"])
    config.pop("variants")
    config.update(
        kind=kind,
        lams=[float(lam) for lam in lams],
        l1_mode=options["l1_mode"],
        regularizers=[
            keras.saving.serialize_keras_object(r) for r in variants.values()
        ],
    )
    return SweepResult(
        config=config,
        kind=kind,
        lams=lams,
        seeds=seeds,
        epochs=np.arange(1, config["epochs"] + 1),
        metrics=stacked(run["finals"].get),
        curves=stacked(run["curves"].get),
        paths=paths,
        grid=None,
        decision=None,
        data=run["data"],
        histories=[_model_history(run, key) for key in keys[0]],
        timing={"train_seconds": run["seconds"]},
    )


def sweep(
    model: Any = None,
    x: Any = None,
    y: Any = None,
    *,
    lams: Sequence[float] | None = None,
    kind: str = "l2",
    l1_mode: str = "proximal",
    layers: Any = None,
    loss: Any = None,
    metrics: Sequence[Any] | None = None,
    validation_data: Any = None,
    shuffle: bool = True,
    callbacks: Sequence[Any] | None = None,
    strategy: Any = None,
    seeds: Sequence[int] | None = None,
    n_samples: int = 100,
    noise: float | None = 0.25,
    data_seed: int = 2,
    seed: int = 0,
    hidden: Sequence[int] = (128, 128),
    activation: str = "relu",
    optimizer: Any = None,
    learning_rate: float | None = None,
    batch_size: int = 32,
    epochs: int = 2000,
    validation_split: float = 0.2,
    record_every: int | None = None,
    grid_resolution: int = 100,
    jit_compile: bool | str = "auto",
    progress: bool = False,
) -> SweepResult:
    """Train one network per lambda side by side: the regularization path.

    For each ``lam`` in ``lams``, the network of ``kreg.compare`` gets the
    penalty ``kind`` on every hidden kernel (``n`` = the number of training
    rows; biases and the output layer are never penalized):

    - ``"l2"``: ``kreg.L2(lam, n)``, ``lam / (2 n) * sum(w ** 2)``;
    - ``"l1"``: ``kreg.L1(lam, n)``, ``lam / (2 n) * sum(|w|)``, applied as a soft
      threshold under ``l1_mode="proximal"`` (exact zeros; see
      ``kreg.compare``);
    - ``"l1l2"``: ``kreg.L1L2(lam, lam, n)``, both.

    ``lam = 0`` is the unregularized network. The networks of a seed start from
    the same initial weights and all see the same batches (drawn from ``seed``),
    so each is the one ``kreg.compare`` trains with that lambda alone. The best
    lambda has the lowest validation data loss (mean over the seeds).

    With ``model`` (a Keras model or a ``build(regularizer)`` function), the
    sweep is ``kreg.compare`` on that model with one variant per lambda (towers
    of one model); ``result.paths`` is keyed by the model's kernel paths without
    the model's name (``"hidden/kernel"``).

    Args:
        model: ``None`` (the built-in network) or your model.
        x: The inputs (or, with a model, a ``tf.data.Dataset``); ``None``
            (default, without a model) uses the two moons. The last
            ``validation_split`` of the rows validate.
        y: The targets, one per row of ``x`` (0/1 labels for the built-in
            network).
        lams: The lambdas, a non-empty strictly increasing list of finite numbers
            >= 0. ``None``: ``default_lams(kind)``, 0 and 12 log-spaced values
            wide enough to reach underfitting on the lecture's setup.
        kind: ``"l2"`` (default), ``"l1"`` or ``"l1l2"``.
        l1_mode: ``"proximal"`` (default: the proximal counterpart of Adam or SGD
            when ``kind`` has an L1 term) or ``"subgradient"`` (see
            ``kreg.compare``).
        layers: With a model: see ``kreg.compare``.
        loss: With a model: see ``kreg.compare``.
        metrics: With a model: see ``kreg.compare``.
        validation_data: With a model: see ``kreg.compare``.
        shuffle: With a model: see ``kreg.compare``.
        callbacks: With a model: see ``kreg.compare``.
        strategy: With a model: see ``kreg.compare``.
        seeds: Seeds of the initial weights, e.g. ``[0, 1, 2, 3, 4]`` (with a
            model, each seed initializes its layers afresh, as in
            ``kreg.compare``); ``None``: one run from ``seed`` (with a model, from
            its current weights).
        n_samples: Moons: number of points.
        noise: Moons: standard deviation of the Gaussian noise (None: none).
        data_seed: Moons: ``random_state`` of ``make_moons``.
        seed: Seed of the batch order and, without ``seeds``, of the initial
            weights.
        hidden: Units of each hidden ``Dense`` layer.
        activation: The hidden layers' activation, a Keras activation name.
        optimizer: An element-wise Keras optimizer name, instance or config (see
            ``kreg.compare``).
        learning_rate: The learning rate (``None``: 0.01 with a name, the
            optimizer's own otherwise).
        batch_size: Rows per training step.
        epochs: Number of epochs.
        validation_split: Fraction of the rows (the last ones) held out.
        record_every: Record the first seed's weights every this many epochs (and
            after the last) into ``result.histories``; ``None`` (default): no
            per-epoch records, only the final weights (``result.paths``).
        grid_resolution: Points per side of the decision grid, >= 2.
        jit_compile: Compile the training loop with XLA: ``True``, ``False`` or
            ``"auto"`` (as in ``kreg.compare``; TensorFlow only).
        progress: Show a ``keras.utils.Progbar`` over the epochs.

    Returns:
        A :class:`SweepResult`.

    Raises:
        ValueError: For an out-of-range value (each message names the argument
            and the value received), e.g. ``lams`` empty, negative, unsorted or
            repeated, an unknown ``kind`` or ``l1_mode``, or
            ``l1_mode="proximal"`` with an L1 kind and an optimizer other than
            Adam or SGD.
        TypeError: For an argument of the wrong type.

    Examples:
        >>> import kreg
        >>> result = kreg.sweep(kind="l1", hidden=(8, 8), epochs=5, batch_size=40)
        >>> result.best_lam in result.lams
        True
        >>> result.mean["zero_fraction"].shape
        (13,)
        >>> several = kreg.sweep(
        ...     lams=[0, 1, 10], seeds=[0, 1, 2], hidden=(8, 8), epochs=5, batch_size=40
        ... )
        >>> several.std["val_loss"].shape
        (3,)
    """
    arguments = dict(locals())
    _check_applies(arguments, sweep)
    kind = _check_kind(kind)
    lams = default_lams(kind) if lams is None else _check_lams(lams)
    if model is not None:
        options = _options(arguments, _MODEL_OPTIONS)
        return _sweep_model(model, x, y, kind, lams, options)
    setup = _setup(**_options(arguments, _SETUP_OPTIONS))
    n_train, depth = setup.n_train, len(setup.hidden)
    n_seeds, n_lams = len(setup.seeds), len(lams)
    prox = setup.l1_mode == "proximal"
    per_lam = [
        _builtin_regularizers(kind, float(lam), n_train, depth, prox) for lam in lams
    ]
    slice_regs = [regs for _ in setup.seeds for regs in per_lam]
    optimizer = _optimizer_for(setup, slice_regs)
    if setup.record_every is None:
        record_at, record_slices = [setup.epochs], []
    else:
        every = _record_frequency(
            setup.record_every, setup.epochs, n_lams, setup.n_weights
        )
        record_at, record_slices = _record_epochs(setup.epochs, every), range(n_lams)

    config = {
        "kind": kind,
        "lams": [float(lam) for lam in lams],
        "regularizers": [keras.saving.serialize_keras_object(r[0]) for r in per_lam],
        **_base_config(setup, optimizer),
        "record_every": setup.record_every,
    }

    val = METRIC_NAMES.index("val_loss")

    def status(last: np.ndarray) -> dict[str, float]:
        means = _over_seeds(last[val], n_seeds).mean(axis=0)
        return {"best_val_loss": float(np.min(means))}

    trainer, per_epoch, train_seconds = _train(
        setup,
        optimizer,
        slice_regs,
        record_at=record_at,
        record_slices=record_slices,
        status=status,
        names=[f"The {kind} model at lam={lam:g}" for lam in lams],
    )
    final = trainer.weights()
    grid, decision, lengths = _boundaries(trainer, setup, n_lams)
    metrics = {
        key: _over_seeds(values, n_seeds)
        for key, values in {**_slice_metrics(per_epoch, final), **lengths}.items()
    }
    by_seed = _over_seeds(per_epoch, n_seeds)  # (epochs, 6, S, L)
    curves = {
        key: np.ascontiguousarray(np.moveaxis(by_seed[:, i], 0, -1))
        for i, key in enumerate(METRIC_NAMES)
    }
    names = _weight_paths(depth)
    paths = {
        name: final[j].reshape(n_seeds, n_lams, *final[j].shape[1:])
        for j, name in enumerate(names)
        if name.endswith("/kernel")
    }
    histories = None
    if record_slices:
        records = trainer.records()
        steps_per_epoch = trainer.n_full + (1 if trainer.rest else 0)
        histories = [
            WeightHistory.from_arrays(
                {
                    name: np.ascontiguousarray(records[j][:, i])
                    for j, name in enumerate(names)
                },
                trainer.record_epochs,
                steps=[e * steps_per_epoch for e in trainer.record_epochs],
            )
            for i in range(n_lams)
        ]
    config["box"] = None if grid is None else list(grid["box"])

    return SweepResult(
        config=config,
        kind=kind,
        lams=lams,
        seeds=list(setup.seeds),
        epochs=np.arange(1, setup.epochs + 1),
        metrics={key: metrics[key] for key in METRIC_KEYS if key in metrics},
        curves=curves,
        paths=paths,
        grid=grid,
        decision=decision,
        data=setup.data_dict(),
        histories=histories,
        timing={"train_seconds": train_seconds},
    )
