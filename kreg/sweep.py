"""Train one network per lambda side by side: ``kreg.sweep``.

The regularization path, from overfitting (lambda = 0) to underfitting, trained in
the pipeline of ``kreg.compare`` (the guide "Choosing lambda with sweeps").
"""

from __future__ import annotations

import functools
import itertools
import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg._engine import METRIC_NAMES
from kreg._towers import kernels
from kreg._validation import _fail, check_names
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
    _check_option,
    _diverged_note,
    _first_nonfinite_epoch,
    _lines,
    _model_history,
    _optimizer_for,
    _options,
    _over_seeds,
    _record_epochs,
    _record_frequency,
    _run_model,
    _run_title,
    _seed_rows,
    _setup,
    _slice_history,
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

# The default grid per kind: 0, then geomspace(low, high, 12). On the lecture's
# setup (seed 0) L2 underfits from about lam = 30, L1 and L1L2 from about 1.
_DEFAULT_RANGES = {"l1": (1e-3, 10.0), "l2": (1e-2, 100.0), "l1l2": (1e-3, 10.0)}
_DEFAULT_POINTS = 12


def default_lams(kind: str = "l2") -> np.ndarray:
    """The default lambda grid of ``sweep``: 0 and 12 log-spaced values.

    ``[0, *numpy.geomspace(low, high, 12)]`` with ``(low, high) = (0.01, 100)`` for
    ``"l2"`` and ``(0.001, 10)`` for ``"l1"`` and ``"l1l2"``: both reach
    underfitting on the lecture's setup (the guide "Choosing lambda with sweeps").

    Args:
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``.

    Returns:
        A float64 array of 13 increasing values, the first 0.

    Raises:
        ValueError: If ``kind`` is not one of those.

    Examples:
        >>> default_lams("l2")[:4].round(4).tolist()
        [0.0, 0.01, 0.0231, 0.0534]
    """
    kind = _check_option("kind", kind, KINDS)
    low, high = _DEFAULT_RANGES[kind]
    return np.concatenate([[0.0], np.geomspace(low, high, _DEFAULT_POINTS)])


class SweepResult:
    """What ``kreg.sweep`` returns: numbers, curves and final weights per lambda.

    Arrays are indexed ``[seed, lambda]`` (``S`` seeds, ``L`` lambdas).

    Attributes:
        config: Every setting of the run, JSON-serializable (with ``"lams"``,
            ``"kind"`` and ``"regularizers"``, one Keras config per lambda).
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``.
        lams: ``(L,)`` float64, increasing; ``lams[0]`` may be 0.
        seeds: The seeds of the initial weights (``[seed]`` without ``seeds``).
        epochs: ``numpy.arange(1, epochs + 1)``, the x axis of the curves.
        metrics: ``METRIC_KEYS`` -> ``(S, L)`` float64: the final numbers, as
            ``ComparisonResult.metrics``.
        mean: ``METRIC_KEYS`` -> ``(L,)``: means over the seeds.
        std: ``METRIC_KEYS`` -> ``(L,)``: standard deviations over the seeds
            (``ddof=0``; 0 with one seed).
        curves: The keys of ``ComparisonResult.curves`` -> ``(S, L, epochs)``.
        paths: Kernel path (``"hidden_1/kernel"``, ..., ``"output/kernel"``) ->
            ``(S, L, *shape)``: the final kernels, the regularization path.
        best_index: The index of the lowest mean validation data loss.
        best_lam: ``lams[best_index]``.
        grid: ``{"xx", "yy", "box"}`` (see ``ComparisonResult.grid``), or ``None``
            when the data does not have 2 features.
        decision: ``(L, G, G)``: the first seed's predicted probability of class 1
            on the grid, per lambda; ``None`` without a grid.
        data: ``{"x_train", "y_train", "x_val", "y_val"}`` as trained on.
        histories: With ``record_every``, one ``kreg.WeightHistory`` per lambda
            (first seed; keys as ``paths`` plus the biases); else ``None``.
        timing: ``{"train_seconds"}``: wall time of the training.

    Examples:
        >>> import kreg
        >>> result = kreg.sweep(kind="l1", hidden=(8, 8), epochs=5, batch_size=40)
        >>> result.paths["hidden_1/kernel"].shape
        (1, 13, 2, 8)
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
            The table (``mean``, ``± std`` with several seeds; the best lambda
            marked ``*``), the units ``kreg.prune`` keeps, claims and divergences.

        Examples:
            >>> import kreg
            >>> result = kreg.sweep(
            ...     lams=[0.0, 0.1, 1.0], hidden=(8, 8), epochs=5, batch_size=40
            ... )
            >>> print(result.summary())  # doctest: +ELLIPSIS
            l2 sweep of 3 lambdas, 5 epochs, hidden (8, 8), ...
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
        diverged = {f"lam={lam:g}": epoch for lam, epoch in self.diverged.items()}
        return _lines(
            _table(title, header, rows),
            f"* best lambda {self.best_lam:.4g}: the lowest mean validation data loss",
            claims_text(check_claims(None, self), len(self.seeds)),
            _diverged_note(diverged, "The model at"),
        )

    def _units_kept(self) -> list[list[int]]:
        """Per lambda, the units per layer ``kreg.prune`` keeps of the first seed's
        network; empty unless the kernels are a chain of Dense ones."""
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


def _check_lams(lams: Any) -> np.ndarray:
    """The grid as a float64 array: non-empty, finite, >= 0, strictly increasing."""
    expected = "a non-empty, strictly increasing list of finite numbers >= 0"
    items = check_names("lams", lams)
    for item in items:
        if not isinstance(item, numbers.Real) or isinstance(item, bool):
            _fail("lams", expected, lams, TypeError)
    values = np.array([float(item) for item in items], dtype=np.float64)
    if not np.all(np.isfinite(values) & (values >= 0)) or np.any(np.diff(values) <= 0):
        _fail("lams", expected, lams)
    return values


# --------------------------------------------------------------------- sweep


def _lam_variants(
    kind: str, lams: np.ndarray, n_train: int, depth: int, prox: bool
) -> dict[str, list]:
    """``"lam={lam:g}"`` -> the hidden-kernel regularizers of ``kind`` at ``lam``."""
    return {
        f"lam={lam:g}": _builtin_regularizers(kind, float(lam), n_train, depth, prox)
        for lam in lams
    }


def _sweep_model(
    model: Any, x: Any, y: Any, kind: str, lams: np.ndarray, options: dict
) -> SweepResult:
    """``sweep`` on the user's model: ``kreg.compare`` with a variant per lambda."""
    variants = functools.partial(_lam_variants, kind, lams)
    run = _run_model(model, x, y, variants=variants, lam=0.0, **options)
    names = [f"lam={lam:g}" for lam in lams]
    seeds = run["seeds"]

    def stacked(table: Mapping[str, dict]) -> dict[str, np.ndarray]:
        """The keys every lambda's entries have, as ``(S, L, ...)`` arrays."""
        per_lam = [_seed_rows(table, name, seeds) for name in names]
        return {
            k: np.stack([rows[k] for rows in per_lam], axis=1)
            for k in per_lam[0]
            if all(k in rows for rows in per_lam)
        }

    # Keyed without the model's own name, as the built-in "hidden_1/kernel".
    first = kernels(run["models"][f"{names[0]}@{seeds[0]}"])
    kernel_paths = [kernel.path.split("/", 1)[-1] for kernel in first]
    kernels_of = {
        key: dict(zip(kernel_paths, map(to_numpy, kernels(model)), strict=True))
        for key, model in run["models"].items()
    }
    config = dict(run["config"])
    config.pop("variants")
    config.update(
        kind=kind,
        lams=[float(lam) for lam in lams],
        l1_mode=options["l1_mode"],
        regularizers=[
            keras.saving.serialize_keras_object(r) for r in run["regs"].values()
        ],
    )
    return SweepResult(
        config=config,
        kind=kind,
        lams=lams,
        seeds=seeds,
        epochs=np.arange(1, config["epochs"] + 1),
        metrics=stacked(run["finals"]),
        curves=stacked(run["curves"]),
        paths=stacked(kernels_of),
        grid=None,
        decision=None,
        data=run["data"],
        histories=[_model_history(run, f"{name}@{seeds[0]}") for name in names],
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
    - ``"l1"``: ``kreg.L1(lam, n)``, ``lam / (2 n) * sum(|w|)`` (a soft threshold
      under ``l1_mode="proximal"``);
    - ``"l1l2"``: ``kreg.L1L2(lam, lam, n)``, both.

    The networks of a seed start from the same initial weights and see the same
    batches, so each is the one ``kreg.compare`` trains with that lambda alone.
    With ``model``, the sweep is ``kreg.compare`` on that model with one variant
    per lambda; ``result.paths`` is keyed by its kernel paths without the model's
    name (``"hidden/kernel"``).

    Args:
        model: ``None`` (the built-in network) or your model (see
            ``kreg.compare``).
        x: The inputs (with a model, also a ``tf.data.Dataset``); ``None``: the
            two moons.
        y: The targets, one per row of ``x`` (0/1 labels for the built-in
            network).
        lams: The lambdas, a non-empty strictly increasing list of finite numbers
            >= 0. ``None``: ``default_lams(kind)``.
        kind: ``"l2"`` (default), ``"l1"`` or ``"l1l2"``.
        l1_mode: ``"proximal"`` (default) or ``"subgradient"`` (see
            ``kreg.compare``).
        layers: With a model: see ``kreg.compare``.
        loss: With a model: see ``kreg.compare``.
        metrics: With a model: see ``kreg.compare``.
        validation_data: With a model: see ``kreg.compare``.
        shuffle: With a model: see ``kreg.compare``.
        callbacks: With a model: see ``kreg.compare``.
        strategy: With a model: see ``kreg.compare``.
        seeds: Seeds of the initial weights (see ``kreg.compare``); ``None``: one
            run from ``seed`` (with a model, from its current weights).
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
            after the last) into ``result.histories``; ``None``: only the final
            weights (``result.paths``).
        grid_resolution: Points per side of the decision grid, >= 2.
        jit_compile: ``True``, ``False`` or ``"auto"`` (see ``kreg.compare``).
        progress: Show a ``keras.utils.Progbar`` over the epochs.

    Returns:
        A :class:`SweepResult`.

    Raises:
        ValueError: For an out-of-range value (the message names the argument and
            the value), e.g. ``lams`` empty, negative, unsorted or repeated, or
            ``l1_mode="proximal"`` with an L1 kind and an optimizer other than
            Adam or SGD.
        TypeError: For an argument of the wrong type.

    Examples:
        >>> import kreg
        >>> result = kreg.sweep(kind="l1", hidden=(8, 8), epochs=5, batch_size=40)
        >>> result.mean["zero_fraction"].shape
        (13,)
    """
    arguments = dict(locals())
    _check_applies(arguments, sweep)
    kind = _check_option("kind", kind, KINDS)
    lams = default_lams(kind) if lams is None else _check_lams(lams)
    if model is not None:
        options = _options(arguments, _MODEL_OPTIONS)
        return _sweep_model(model, x, y, kind, lams, options)
    setup = _setup(**_options(arguments, _SETUP_OPTIONS))
    depth, n_seeds, n_lams = len(setup.hidden), len(setup.seeds), len(lams)
    prox = setup.l1_mode == "proximal"
    per_lam = [
        _builtin_regularizers(kind, float(lam), setup.n_train, depth, prox)
        for lam in lams
    ]
    slice_regs = per_lam * n_seeds  # seed-major
    optimizer = _optimizer_for(setup, slice_regs)
    if setup.record_every is None:
        record_at, record_slices = [setup.epochs], []
    else:
        every = _record_frequency(
            setup.record_every, setup.epochs, n_lams, setup.n_weights
        )
        record_at, record_slices = _record_epochs(setup.epochs, every), range(n_lams)

    def status(val_loss: np.ndarray) -> dict[str, float]:
        return {"best_val_loss": float(np.min(val_loss))}

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
    metrics = _slice_metrics(per_epoch, final, lengths, n_seeds)
    by_seed = _over_seeds(per_epoch, n_seeds)  # (epochs, 6, S, L)
    names = _weight_paths(depth)
    histories = None
    if record_slices:
        records = trainer.records()
        histories = [_slice_history(trainer, records, i, names) for i in record_slices]
    config = {
        "kind": kind,
        "lams": [float(lam) for lam in lams],
        "regularizers": [keras.saving.serialize_keras_object(r[0]) for r in per_lam],
        **_base_config(setup, optimizer),
        "record_every": setup.record_every,
        "box": None if grid is None else list(grid["box"]),
    }
    return SweepResult(
        config=config,
        kind=kind,
        lams=lams,
        seeds=list(setup.seeds),
        epochs=np.arange(1, setup.epochs + 1),
        metrics={key: metrics[key] for key in METRIC_KEYS if key in metrics},
        curves={
            key: np.ascontiguousarray(np.moveaxis(by_seed[:, i], 0, -1))
            for i, key in enumerate(METRIC_NAMES)
        },
        paths={
            name: final[j].reshape(n_seeds, n_lams, *final[j].shape[1:])
            for j, name in enumerate(names)
            if name.endswith("/kernel")
        },
        grid=grid,
        decision=decision,
        data=setup.data_dict(),
        histories=histories,
        timing={"train_seconds": train_seconds},
    )
