"""Train unregularized, L1 and L2 networks side by side: ``kreg.compare``.

Two paths, so that the regularizer is the only difference between the variants
(same initial weights, same batches): the lecture's MLP trained as one stacked
network (``kreg._engine``; each variant's update is that of the variant trained
alone) and any Keras model trained as the towers of one model (``kreg._towers``).
``kreg.sweep`` reuses this module's checks and training pipeline over lambdas.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import inspect
import math
import numbers
import re
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import keras
import numpy as np

from kreg import _towers, proximal
from kreg._backend import to_numpy
from kreg._engine import METRIC_NAMES, StackedTrainer, new_trainer
from kreg._validation import (
    MAX_EPOCHS,
    MAX_GRID_RESOLUTION,
    MAX_SAMPLES,
    MAX_STACKED_WEIGHTS,
    _fail,
    _Shown,
    check_bool,
    check_choice,
    check_fraction,
    check_int,
    check_names,
    check_nonnegative,
    check_positive,
    first_nonfinite,
)
from kreg.boundary import boundary_length
from kreg.claims import check_claims, claims_text
from kreg.datasets import make_moons, train_val_split
from kreg.history import WeightHistory
from kreg.prune import dense_chain_params, pruned_size
from kreg.regularizers import L1, L1L2, L2, GroupL1

__all__ = ["ComparisonResult", "compare"]

#: Variants ``compare`` builds from ``lam`` (on every hidden kernel).
BUILTIN_VARIANTS = ("none", "l1", "l2", "l1l2")

#: The lecture's plot box for the moons: x in [-2, 3], y in [-1.5, 2].
LECTURE_BOX = (-2.0, 3.0, -1.5, 2.0)

#: The final numbers of a result (``ComparisonResult.metrics[variant]``), in table
#: order: key -> (its column title in ``summary()``, its heading in the reports,
#: its format). Everything that shows a metric formats it from here.
METRICS = {
    "train_loss": ("train loss", "train loss", "{:.4f}"),
    "val_loss": ("val loss", "val loss", "{:.4f}"),
    "gap": ("gap", "gap (val - train)", "{:+.4f}"),
    "train_accuracy": ("train acc", "train acc", "{:.3f}"),
    "val_accuracy": ("val acc", "val acc", "{:.3f}"),
    "penalty": ("penalty", "penalty", "{:.4f}"),
    "first_kernel_min": ("first kernel range", "1st kernel min", "{:.3f}"),
    "first_kernel_max": ("first kernel range", "1st kernel max", "{:.3f}"),
    "zero_fraction": ("zeros", "exact zeros", "{:.1%}"),
    "l1_norm": ("L1 norm", "L1 norm", "{:.2f}"),
    "l2_norm": ("L2 norm", "L2 norm", "{:.3f}"),
    "pruned_params": ("pruned params", "params after kreg.prune", "{:,.0f}"),
    "boundary_length": ("boundary", "boundary length", "{:.2f}"),
}

#: The keys of ``ComparisonResult.metrics[variant]``.
METRIC_KEYS = tuple(METRICS)


def format_number(value: float, fmt: str) -> str:
    """``value`` in the format ``fmt``; NaN and infinities as ``nan``, ``inf``."""
    value = float(value)
    return fmt.format(value) if math.isfinite(value) else str(value)


def format_metric(key: str, value: float, std: float | None = None) -> str:
    """``value`` in the format of metric ``key`` (another key: 4 decimals), then
    `` ± std`` if given."""
    fmt = METRICS.get(key, (None, None, "{:.4f}"))[2]
    text = format_number(value, fmt)
    return text if std is None else f"{text} ± {format_number(std, fmt).lstrip('+')}"


def metric_columns(keys: Any) -> list[tuple[str, list[str]]]:
    """The columns of a summary table for the metrics ``keys`` has: (title, the
    keys shown in it), in table order; the first kernel's min and max share one."""
    columns: dict[str, list[str]] = {}
    for key, (title, _, _) in METRICS.items():
        if key in keys:
            columns.setdefault(title, []).append(key)
    return list(columns.items())


def _cells(keys: list[str], mean: Mapping, std: Mapping | None) -> str:
    """One summary cell: a metric, or ``[min, max]`` for the kernel range."""
    if len(keys) == 2:
        return "[" + ", ".join(format_metric(k, mean[k]) for k in keys) + "]"
    return format_metric(keys[0], mean[keys[0]], None if std is None else std[keys[0]])


# Optimizers whose update of a weight depends only on that weight's own gradient
# history: on stacked variables they update each variant's slice exactly as they
# would update that variant alone. Keyed by the name ``compare`` accepts.
_ELEMENTWISE_OPTIMIZERS = {
    "adadelta": keras.optimizers.Adadelta,
    "adagrad": keras.optimizers.Adagrad,
    "adam": keras.optimizers.Adam,
    "adamax": keras.optimizers.Adamax,
    "adamw": keras.optimizers.AdamW,
    "ftrl": keras.optimizers.Ftrl,
    "lion": keras.optimizers.Lion,
    "nadam": keras.optimizers.Nadam,
    "rmsprop": keras.optimizers.RMSprop,
    "sgd": keras.optimizers.SGD,
    "proximal_adam": proximal.ProximalAdam,
    "proximal_sgd": proximal.ProximalSGD,
}
_OPTIMIZER_EXPECTED = (
    "an element-wise Keras optimizer: a name ("
    + ", ".join(repr(k) for k in _ELEMENTWISE_OPTIMIZERS)
    + "), an instance of one of those classes, or its serialized config"
)
_DEFAULT_LEARNING_RATE = 0.01

#: How the built-in L1 terms act: ``"proximal"`` (a soft threshold after each
#: update, exact zeros; the default) or ``"subgradient"`` (through the gradient of
#: the penalty, as Keras' own L1 does; no exact zeros).
L1_MODES = ("proximal", "subgradient")

# The proximal counterpart of each optimizer class that has one (exact classes:
# AdamW, a subclass of Adam, has none).
_PROXIMAL_COUNTERPARTS = {
    keras.optimizers.Adam: proximal.ProximalAdam,
    keras.optimizers.SGD: proximal.ProximalSGD,
}

# The default record frequency keeps about this many records per variant.
_DEFAULT_RECORDS = 100

# Memory the weight records may take by default (bytes); beyond 4 times this, an
# explicit record_every warns.
_RECORD_BUDGET = 256 * 2**20

# "auto" compiles with XLA from this many training steps on: below it the XLA
# compile time (about 1.5 s on 2 CPU cores) is more than XLA saves (measured:
# break-even near 800 epochs of the lecture setup, 3 steps each).
_JIT_MIN_STEPS = 2500

# Margin around user data on the decision grid, as a fraction of the data's span.
_BOX_MARGIN = 0.25

_ACTIVATIONS = tuple(
    "celu elu exponential gelu hard_sigmoid hard_silu hard_swish leaky_relu linear "
    "log_sigmoid mish relu relu6 selu sigmoid silu softplus softsign swish tanh".split()
)


# ------------------------------------------------------------------- the result


class ComparisonResult:
    """What ``kreg.compare`` returns: curves, weights, numbers and models per variant.

    With ``seeds=[s0, s1, ...]``, ``metrics`` and ``curves`` are means over the
    seeds, ``metrics_std`` and ``curves_std`` standard deviations (``ddof=0``) and
    ``per_seed`` each seed's values; ``histories``, ``models`` and ``decision`` are
    the first seed's. Without ``seeds`` there is one seed, ``seed`` (standard
    deviations 0, ``per_seed`` arrays of one value).

    Attributes:
        config: Every setting of the run, JSON-serializable; ``config["variants"]``
            describes each variant by its hidden-kernel regularizers' Keras configs.
        variants: The variant names, in order.
        seeds: The seeds of the initial weights (``[seed]`` without ``seeds``).
        epochs: ``numpy.arange(1, epochs + 1)``, the x axis of the curves.
        curves: Variant -> per-epoch arrays at the end-of-epoch weights:
            ``"train_loss"`` (data loss on the whole training set),
            ``"penalty"``, ``"train_total"`` (their sum, the objective),
            ``"train_accuracy"``, ``"val_loss"`` (data loss) and
            ``"val_accuracy"``. Unlike Keras' ``history["loss"]``, no loss
            includes the penalty. With a model: Keras' per-epoch logs (see
            ``kreg.compare``).
        curves_std: Variant -> the same keys: standard deviations over the seeds.
        histories: Variant -> ``kreg.WeightHistory`` of every kernel and bias,
            keyed by the variable paths of ``models[variant]``; record 0 holds the
            initial weights (equal for all variants).
        metrics: Variant -> the final values of ``METRIC_KEYS`` (losses are data
            losses; ``gap = val_loss - train_loss``; ``zero_fraction``, ``l1_norm =
            sum |w|`` and ``l2_norm = sqrt(sum w ** 2)`` over all kernels;
            ``first_kernel_*`` over the first hidden layer's kernel).
        metrics_std: Variant -> the same keys: standard deviations over the seeds.
        per_seed: Variant -> dict of ``(seeds,)`` arrays: each seed's final values.
        grid: ``{"xx", "yy", "box"}``, the grid of the decision function (``box =
            (x_min, x_max, y_min, y_max)``); ``None`` unless the data has 2
            features.
        decision: Variant -> predicted probability of class 1 on the grid (shape
            of ``grid["xx"]``); empty without a grid.
        data: ``{"x_train", "y_train", "x_val", "y_val"}`` as trained on.
        models: Variant -> a trained ``keras.Sequential`` named after the variant,
            with its regularizers, compiled with a fresh copy of the optimizer
            (``config["optimizer"]``; a proximal one acts as its plain counterpart
            on a model without proximal L1), ``binary_crossentropy`` and accuracy.
        timing: ``{"train_seconds"}``: wall time of the training (compilation
            included).

    Examples:
        >>> import os
        >>> import tempfile
        >>> import kreg
        >>> result = kreg.compare(
        ...     hidden=(8, 8), epochs=5, batch_size=40, variants=("none", "l2")
        ... )
        >>> isinstance(result.metrics["l2"]["gap"], float)
        True
        >>> result.curves["none"]["val_loss"].shape
        (5,)
        >>> result.histories["l2"]["hidden_1/kernel"].shape
        (6, 2, 8)
        >>> result.models["l2"].save(os.path.join(tempfile.mkdtemp(), "l2.keras"))
        >>> several = kreg.compare(
        ...     hidden=(8, 8), epochs=5, batch_size=40, seeds=[0, 1, 2]
        ... )
        >>> several.per_seed["l1"]["zero_fraction"].shape
        (3,)
    """

    def __init__(
        self,
        *,
        config: dict[str, Any],
        variants: list[str],
        epochs: np.ndarray,
        curves: dict[str, dict[str, np.ndarray]],
        histories: dict[str, WeightHistory],
        metrics: dict[str, dict[str, float]],
        grid: dict[str, Any] | None,
        decision: dict[str, np.ndarray],
        data: dict[str, np.ndarray],
        models: dict[str, keras.Model],
        timing: dict[str, float],
        seeds: list[int] | None = None,
        metrics_std: dict[str, dict[str, float]] | None = None,
        per_seed: dict[str, dict[str, np.ndarray]] | None = None,
        curves_std: dict[str, dict[str, np.ndarray]] | None = None,
    ):
        self.config = config
        self.variants = variants
        self.seeds = [int(config.get("seed", 0))] if seeds is None else list(seeds)
        self.epochs = epochs
        self.curves = curves
        self.curves_std = (
            {v: {k: np.zeros_like(a) for k, a in c.items()} for v, c in curves.items()}
            if curves_std is None
            else curves_std
        )
        self.histories = histories
        self.metrics = metrics
        self.metrics_std = (
            {v: dict.fromkeys(m, 0.0) for v, m in metrics.items()}
            if metrics_std is None
            else metrics_std
        )
        self.per_seed = (
            {v: {k: np.array([x]) for k, x in m.items()} for v, m in metrics.items()}
            if per_seed is None
            else per_seed
        )
        self.grid = grid
        self.decision = decision
        self.data = data
        self.models = models
        self.timing = timing

    def __repr__(self) -> str:
        seeds = f"seeds={self.seeds!r}, " if len(self.seeds) > 1 else ""
        return (
            f"ComparisonResult(variants={self.variants!r}, {seeds}"
            f"epochs={len(self.epochs)}, train_seconds="
            f"{self.timing.get('train_seconds', float('nan')):.1f})"
        )

    @property
    def diverged(self) -> dict[str, int | None]:
        """Variant -> the first epoch at which it diverged (NaN or infinite loss or
        weights, in any seed), or ``None`` if it stayed finite."""
        return {
            name: _first_nonfinite_epoch(self.curves[name]) for name in self.variants
        }

    def summary(self) -> str:
        """A fixed-width table of the final numbers, one row per variant.

        Returns:
            The table (``metrics``; with several seeds ``mean ± std``), then the
            units ``kreg.prune`` keeps, the claims checked and any divergence.

        Examples:
            >>> import kreg
            >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
            >>> print(result.summary())  # doctest: +ELLIPSIS
            5 epochs, hidden (8, 8), ProximalAdam(learning_rate=0.01), ...
            variant  train loss  val loss ...
        """
        several = len(self.seeds) > 1
        present = set.intersection(*(set(m) for m in self.metrics.values()))
        columns = metric_columns(present)
        rows = []
        for name in self.variants:
            std = self.metrics_std[name] if several else None
            rows.append(
                [name, *(_cells(k, self.metrics[name], std) for _, k in columns)]
            )
        header = ["variant", *(title for title, _ in columns)]
        seeds = f", {len(self.seeds)} seeds (mean ± std)" if several else ""
        table = _table(_run_title(self.config, len(self.epochs)) + seeds, header, rows)
        units = units_kept(self)
        shown = "; ".join(f"{v} {'-'.join(map(str, u))}" for v, u in units.items())
        pruned = f"Units per layer after kreg.prune (seed {self.seeds[0]}): {shown}"
        return _lines(
            table,
            pruned if units else "",
            claims_text(check_claims(self), len(self.seeds)),
            _diverged_note(self.diverged, "Variant"),
        )

    def plot(self, **kwargs: Any) -> Any:
        """Draw the standard comparison figure (``kreg.plots.plot_comparison``).

        Args:
            **kwargs: Passed to ``kreg.plots.plot_comparison``.

        Returns:
            What ``kreg.plots.plot_comparison`` returns (a Display).

        Examples:
            >>> import kreg
            >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
            >>> display = result.plot()
            >>> import matplotlib.pyplot as plt
            >>> plt.close("all")
        """
        from kreg.plots import plot_comparison

        return plot_comparison(self, **kwargs)


def units_kept(result: Any) -> dict[str, list[int]]:
    """Variant -> the units per kernel layer that ``kreg.prune`` keeps of its
    (first seed's) model; empty if the models are not chains it takes."""
    try:
        return {
            name: list(pruned_size(result.models[name])[0].values())
            for name in result.variants
        }
    except (ValueError, TypeError, KeyError, AttributeError):
        return {}


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A text table: title, rule, header, rule, rows, rule (first column left)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "-" * len(line(header))
    return "\n".join([title, rule, line(header), rule, *map(line, rows), rule])


def _lines(*parts: str) -> str:
    """The non-empty ``parts``, one after the other on their own lines."""
    return "\n".join(part for part in parts if part)


def _first_nonfinite_epoch(curves: Mapping[str, np.ndarray]) -> int | None:
    """The first epoch (1-based) at which a training curve is not finite, or None."""
    index = first_nonfinite(curves)
    return None if index is None else index + 1


def _diverged_note(diverged: Mapping[str, int | None], what: str = "variant") -> str:
    """``""``, or one line per diverged run: which, and from which epoch on."""
    lines = [
        f"{what} {name} diverged at epoch {epoch}: its loss or weights are not "
        "finite from there on, so its numbers are NaN (a smaller learning_rate or "
        "lam may help)."
        for name, epoch in diverged.items()
        if epoch is not None
    ]
    return "\n".join(lines)


def _run_title(config: Mapping[str, Any], epochs: int) -> str:
    """One line describing a run's network, optimizer and data, from its config."""
    rate = config["learning_rate"]
    rate = "schedule" if rate is None else f"{rate:g}"
    network = (
        f"model {config['model']!r}"
        if "model" in config
        else f"hidden {tuple(config['hidden'])}"
    )
    return (
        f"{epochs} epochs, {network}, "
        f"{config['optimizer']['class_name']}(learning_rate={rate}), "
        f"batch size {config['batch_size']}, {config['n_train']} training / "
        f"{config['n_val']} validation rows"
    )


# -------------------------------------------------------------- argument checks


def _check_seed(name: str, value: Any) -> int:
    return check_int(name, value, minimum=0)


def _check_ints(name: str, value: Any, minimum: int, expected: str) -> list[int]:
    """``value`` as a non-empty list of integers >= ``minimum``."""
    items = check_names(name, value)
    for item in items:
        if not isinstance(item, numbers.Integral) or isinstance(item, bool):
            _fail(name, expected, value, TypeError)
        if item < minimum:
            _fail(name, expected, value)
    return [int(item) for item in items]


def _check_seeds(seeds: Any, seed: int) -> list[int]:
    """The seeds of the initial weights: ``[seed]`` for ``None``, else checked."""
    if seeds is None:
        return [seed]
    expected = "a non-empty list of distinct integers >= 0"
    items = _check_ints("seeds", seeds, 0, expected)
    if len(set(items)) != len(items):
        _fail("seeds", expected, seeds)
    return items


def _check_option(name: str, value: Any, choices: Sequence[str]) -> str:
    """``value`` if it is one of the strings ``choices``."""
    if not isinstance(value, str):
        _fail(name, "one of " + ", ".join(map(repr, choices)), value, TypeError)
    return check_choice(name, value, choices)


def _check_hidden(hidden: Any) -> tuple[int, ...]:
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = (hidden,)
    expected = "a list of integers >= 1 (units per hidden layer)"
    return tuple(_check_ints("hidden", hidden, 1, expected))


def _check_jit(jit_compile: Any) -> bool | str:
    if isinstance(jit_compile, (bool, np.bool_)):
        return bool(jit_compile)
    if not (isinstance(jit_compile, str) and jit_compile == "auto"):
        error = ValueError if isinstance(jit_compile, str) else TypeError
        _fail("jit_compile", "True, False or 'auto'", jit_compile, error)
    return "auto"


def _float_array(name: str, value: Any, expected: str) -> np.ndarray:
    try:
        return np.asarray(value, dtype="float64")
    except (TypeError, ValueError):
        _fail(name, expected, _Shown(f"<{type(value).__name__}>"), TypeError)


def _check_data(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """User data as float32 ``(n, d)`` inputs and float32 ``(n, 1)`` 0/1 labels."""
    if (x is None) != (y is None):
        expected = (
            "an array when the other of x, y is given (pass both, or neither for "
            "the two moons)"
        )
        _fail("y" if y is None else "x", expected, None)
    xa = _float_array("x", x, "a numeric array of shape (rows, features)")
    if xa.ndim == 1:
        xa = xa[:, None]
    if xa.ndim != 2 or xa.shape[0] < 2 or xa.shape[1] < 1:
        shown = _Shown(f"<array of shape {xa.shape}>")
        _fail("x", "an array of shape (rows >= 2, features >= 1)", shown)
    if not np.all(np.isfinite(xa)):
        _fail("x", "finite values", _Shown("<array with NaN or infinite values>"))
    ya = _float_array("y", y, "an array of 0/1 labels")
    if ya.ndim == 2 and ya.shape[1] == 1:
        ya = ya[:, 0]
    if ya.ndim != 1 or len(ya) != len(xa):
        shown = _Shown(f"<array of shape {ya.shape}>")
        _fail("y", f"an array of {len(xa)} labels (one per row of x)", shown)
    if not np.all((ya == 0) | (ya == 1)):
        labels = ", ".join(f"{v:g}" for v in np.unique(ya)[:6])
        _fail("y", "binary labels, each 0 or 1", _Shown(f"<array of labels {labels}>"))
    return xa.astype("float32"), ya.astype("float32")[:, None]


def _builtin_regularizers(
    name: str, lam: float, n: int, depth: int, prox: bool
) -> list:
    if name == "none":
        return [None] * depth
    if name == "l1":
        return [L1(lam, n, proximal=prox) for _ in range(depth)]
    if name == "l2":
        return [L2(lam, n) for _ in range(depth)]
    return [L1L2(lam, lam, n, proximal=prox) for _ in range(depth)]


def _check_regularizer(name: str, reg: Any) -> Any:
    if reg is None:
        return reg
    if not isinstance(reg, keras.regularizers.Regularizer):
        expected = (
            "a Keras regularizer (e.g. kreg.L2(lam, n)), None, or a list of those "
            "(one per hidden layer)"
        )
        _fail(f"variants[{name!r}]", expected, reg, TypeError)
    try:
        keras.saving.serialize_keras_object(reg)
    except NotImplementedError:
        expected = (
            "a regularizer with a get_config method (the result's config and "
            "saved models describe it by its config)"
        )
        _fail(f"variants[{name!r}]", expected, reg, TypeError)
    return reg


def _resolve_variants(
    variants: Any, lam: float, n_train: int, depth: int, prox: bool
) -> dict[str, list]:
    """Variant name -> one hidden-kernel regularizer (or None) per hidden layer."""
    resolved: dict[str, list] = {}
    if isinstance(variants, Mapping):
        if not variants:
            _fail("variants", "a non-empty list of names or mapping", variants)
        for name, spec in variants.items():
            if not isinstance(name, str) or not name or "/" in name:
                expected = "names that are non-empty strings without '/'"
                error = ValueError if isinstance(name, str) else TypeError
                _fail("variants", expected, name, error)
            if isinstance(spec, (list, tuple)):
                regs = [_check_regularizer(name, r) for r in spec]
                if len(regs) != depth:
                    _fail(
                        f"variants[{name!r}]",
                        f"one regularizer (or None) per hidden layer ({depth})",
                        spec,
                    )
            else:
                regs = [_check_regularizer(name, spec)] * depth
            resolved[name] = regs
        return resolved
    names = check_names("variants", variants)
    for name in names:
        check_choice("variants", name, BUILTIN_VARIANTS)
        if name in resolved:
            _fail("variants", "names without repeats", variants)
        resolved[name] = _builtin_regularizers(name, lam, n_train, depth, prox)
    return resolved


def _warn_about(variants: Mapping[str, list], n_train: int, prox: bool) -> None:
    """Warn about regularizers that will not act as their user may expect."""
    for name, regs in variants.items():
        if not prox and any(proximal.is_proximal(r) for r in regs):
            warnings.warn(
                f"Variant {name!r} has a proximal L1 regularizer but the optimizer "
                "is not kreg.ProximalSGD or kreg.ProximalAdam ('proximal_sgd', "
                "'proximal_adam'): its L1 term acts through the subgradient, as "
                "with proximal=False, and leaves no exact zeros.",
                stacklevel=3,
            )
        for reg in regs:
            n = getattr(reg, "n", None)
            if isinstance(reg, (L1, L2, L1L2, GroupL1)) and n != n_train:
                warnings.warn(
                    f"Variant {name!r} uses {reg!r}, whose n={n} is not the number "
                    f"of training rows ({n_train}); its penalty is lam/(2*{n}) per "
                    "unit of weight.",
                    stacklevel=3,
                )
                break


def _keras_class(optimizer: keras.optimizers.Optimizer) -> type:
    """The Keras class of ``optimizer``: on PyTorch, ``keras.optimizers.Adam()``
    and a few others are instances of a backend subclass (fused updates)."""
    for kind in type(optimizer).__mro__:
        if not kind.__module__.startswith("keras.src.backend."):
            return kind
    return type(optimizer)  # pragma: no cover - a Keras backend class at the root


def _resolve_optimizer(
    optimizer: Any, learning_rate: float | None
) -> tuple[keras.optimizers.Optimizer, float | None]:
    """A fresh, unbuilt element-wise optimizer made from ``optimizer``, and its
    learning rate as a float (``None`` for a schedule)."""
    if isinstance(optimizer, str):
        name = check_choice(
            "optimizer", optimizer.lower(), tuple(_ELEMENTWISE_OPTIMIZERS)
        )
        rate = _DEFAULT_LEARNING_RATE if learning_rate is None else learning_rate
        return _ELEMENTWISE_OPTIMIZERS[name](learning_rate=rate), rate
    if isinstance(optimizer, Mapping):
        given = optimizer
        try:
            optimizer = keras.optimizers.deserialize(copy.deepcopy(dict(given)))
        except (TypeError, ValueError, KeyError):
            optimizer = None
        if not isinstance(optimizer, keras.optimizers.Optimizer):
            _fail("optimizer", _OPTIMIZER_EXPECTED, given)
    if not isinstance(optimizer, keras.optimizers.Optimizer):
        _fail("optimizer", _OPTIMIZER_EXPECTED, optimizer, TypeError)
    if _keras_class(optimizer) not in _ELEMENTWISE_OPTIMIZERS.values():
        _fail(
            "optimizer",
            _OPTIMIZER_EXPECTED + " (the stacked training updates "
            "each variant exactly as alone only with those)",
            optimizer,
        )
    config = optimizer.get_config()
    refused = {
        "clipnorm or global_clipnorm (they clip by norms over whole variables, "
        "which would mix the variants; clipvalue is element-wise and allowed)": (
            config.get("clipnorm") is not None
            or config.get("global_clipnorm") is not None
        ),
        "use_ema (the weight records and curves would not show the averaged "
        "weights Keras ends with)": config.get("use_ema"),
        "exclude_from_weight_decay (the stacked variables are not the models' "
        "variables)": getattr(optimizer, "_exclude_from_weight_decay", None)
        or getattr(optimizer, "_exclude_from_weight_decay_names", None),
    }
    for setting, is_set in refused.items():
        if is_set:
            _fail("optimizer", f"an optimizer without {setting}", optimizer)
    if learning_rate is not None:
        config["learning_rate"] = learning_rate
    rate = config["learning_rate"]
    rate = float(rate) if isinstance(rate, numbers.Real) else None
    return _keras_class(optimizer).from_config(config), rate


def _proximal_optimizer(
    optimizer: keras.optimizers.Optimizer, given: Any
) -> keras.optimizers.Optimizer:
    """The proximal counterpart of ``optimizer`` (same config): ``Adam`` ->
    ``kreg.ProximalAdam``, ``SGD`` -> ``kreg.ProximalSGD``, a proximal one as it
    is; any other has no proximal step (a ``ValueError`` names the ways out)."""
    if isinstance(optimizer, proximal._ProximalMixin):
        return optimizer
    counterpart = _PROXIMAL_COUNTERPARTS.get(_keras_class(optimizer))
    if counterpart is None:
        name = _keras_class(optimizer).__name__
        shown = given if isinstance(given, str) else _Shown(name)
        _fail(
            "optimizer",
            "an optimizer with a proximal L1 step for l1_mode='proximal': 'adam' "
            "or 'sgd' (trained as kreg.ProximalAdam / kreg.ProximalSGD), "
            "'proximal_adam', 'proximal_sgd', or an instance or config of "
            "keras.optimizers.Adam or SGD; pass l1_mode='subgradient' to train "
            "the L1 variants with this optimizer through the subgradient (no "
            "exact zeros)",
            shown,
        )
    return counterpart.from_config(optimizer.get_config())


# ------------------------------------------------------------ batches & weights


def _permutations(n_train: int, seed: int) -> Iterator[np.ndarray]:
    """The rows each epoch visits, in order, one epoch after the other (the same
    for every variant; a longer run starts with a shorter one's epochs)."""
    rng = np.random.default_rng(seed)
    while True:
        yield rng.permutation(n_train)


def _initial_weights(sizes: Sequence[int], seed: int) -> list[np.ndarray]:
    """Keras ``Dense`` initial weights: Glorot-uniform kernels drawn in layer order
    from ``keras.random.SeedGenerator(seed)``, zero biases."""
    generator = keras.random.SeedGenerator(seed)
    initializer = keras.initializers.GlorotUniform(seed=generator)
    weights = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        kernel = initializer((fan_in, fan_out), dtype="float32")
        weights += [np.asarray(kernel, dtype="float32"), np.zeros(fan_out, "float32")]
    return weights


def _record_frequency(
    every: int | None, epochs: int, n_variants: int, params: int
) -> int:
    """The record frequency: ``every``, or about 100 records within a memory budget
    (``params`` weights per variant)."""
    record_bytes = 4 * n_variants * params
    if every is None:
        budget_records = max(1, _RECORD_BUDGET // record_bytes)
        return max(1, epochs // _DEFAULT_RECORDS, math.ceil(epochs / budget_records))
    size = record_bytes * (epochs // every + 2)
    if size > 4 * _RECORD_BUDGET:
        warnings.warn(
            f"record_every={every} keeps {size / 2**20:.0f} MiB of weight records "
            f"({epochs // every + 2} records of {n_variants} variants x {params} "
            "weights); a larger record_every keeps fewer.",
            stacklevel=3,
        )
    return every


def _record_epochs(epochs: int, every: int) -> list[int]:
    """Epochs after which the weights are recorded: every ``every``-th and the last."""
    recorded = list(range(every, epochs + 1, every))
    if not recorded or recorded[-1] != epochs:
        recorded.append(epochs)
    return recorded


def _build_model(
    name: str,
    n_features: int,
    hidden: Sequence[int],
    activation: str,
    regularizers: Sequence[Any],
) -> keras.Sequential:
    dense = functools.partial(keras.layers.Dense, dtype="float32")
    layers = [keras.Input((n_features,), dtype="float32")]
    for i, (units, reg) in enumerate(zip(hidden, regularizers, strict=True), start=1):
        layers.append(
            dense(units, activation, kernel_regularizer=reg, name=f"hidden_{i}")
        )
    layers.append(dense(1, "sigmoid", name="output"))
    return keras.Sequential(layers, name=name)


def _weight_paths(depth: int) -> list[str]:
    """``_build_model``'s paths: ``["hidden_1/kernel", ..., "output/bias"]``."""
    layers = [f"hidden_{i}" for i in range(1, depth + 1)] + ["output"]
    return [f"{layer}/{name}" for layer in layers for name in ("kernel", "bias")]


def _set_optimizer_state(
    model: keras.Model, state: Sequence[np.ndarray], v: int, n_variants: int
) -> None:
    """Give the model's optimizer variant ``v``'s slice of the stacked ``state`` (a
    leading variant axis, or shared as the iteration count), so that the model
    continues training where the comparison stopped."""
    optimizer = model.optimizer
    optimizer.build(model.trainable_variables)
    if len(optimizer.variables) != len(state):  # pragma: no cover - defensive
        return
    for variable, value in zip(optimizer.variables, state, strict=True):
        shape = tuple(variable.shape)
        if value.shape == (n_variants, *shape):
            variable.assign(value[v])
        elif value.shape == shape:
            variable.assign(value)


def _grid_box(x: np.ndarray, moons: bool) -> tuple[float, float, float, float]:
    low, high = x.min(axis=0).astype(float), x.max(axis=0).astype(float)
    span = np.where(high > low, high - low, 1.0)
    low, high = low - _BOX_MARGIN * span, high + _BOX_MARGIN * span
    if moons:  # the lecture's box, widened only if some point falls outside it
        box_low, box_high = LECTURE_BOX[0::2], LECTURE_BOX[1::2]
        if np.all(x.min(axis=0) >= box_low) and np.all(x.max(axis=0) <= box_high):
            return LECTURE_BOX
        low, high = np.minimum(low, box_low), np.maximum(high, box_high)
    return (float(low[0]), float(high[0]), float(low[1]), float(high[1]))


def _boundaries(
    trainer: StackedTrainer, setup: _Setup, drawn: int
) -> tuple[dict[str, Any] | None, np.ndarray | None, dict[str, np.ndarray]]:
    """The decision grid, the probabilities of the first ``drawn`` slices on it
    (the first seed's, which the figures draw) and every slice's boundary length
    (``{"boundary_length": (V,)}``; all empty unless the inputs are 2-D)."""
    x_seen = np.concatenate([setup.data[0], setup.data[2]])
    if x_seen.shape[1] != 2:
        return None, None, {}
    box = _grid_box(x_seen, setup.moons)
    side = setup.grid_resolution
    xx, yy = np.meshgrid(
        np.linspace(box[0], box[1], side), np.linspace(box[2], box[3], side)
    )
    points = np.column_stack([xx.ravel(), yy.ravel()])
    probabilities = trainer.predict(points, range(trainer.n_slices))
    probabilities = probabilities.reshape(-1, *xx.shape).astype("float64")
    lengths = [boundary_length(xx, yy, p) for p in probabilities]
    grid = {"xx": xx, "yy": yy, "box": box}
    return grid, probabilities[:drawn], {"boundary_length": np.array(lengths)}


def _slice_metrics(
    per_epoch: np.ndarray,
    final: Sequence[np.ndarray],
    extra: Mapping[str, np.ndarray],
    n_seeds: int,
) -> dict[str, np.ndarray]:
    """``METRIC_KEYS`` and ``extra``'s keys -> ``(S, k)``: every slice's final
    numbers, from the per-epoch ``(epochs, 6, V)`` quantities, the final stacked
    weights (``(V, *shape)``) and ``extra``'s ``(V,)`` values."""
    last = dict(zip(METRIC_NAMES, per_epoch[-1], strict=True))
    curves = ("train_loss", "val_loss", "train_accuracy", "val_accuracy")
    kernels = final[0::2]
    pruned = [dense_chain_params([k[v] for k in kernels]) for v in range(len(final[0]))]
    metrics = {
        **{key: last[key].copy() for key in curves},
        "gap": last["val_loss"] - last["train_loss"],
        "penalty": last["penalty"].copy(),
        **_kernel_stats(kernels),
        "pruned_params": np.array(pruned, dtype=np.float64),
        **extra,
    }
    return {key: _over_seeds(values, n_seeds) for key, values in metrics.items()}


def _kernel_stats(kernels: Sequence[Any]) -> dict[str, np.ndarray]:
    """The kernel numbers of ``METRIC_KEYS``, ``(V,)`` each, of ``(V, ...)`` kernels."""
    kernels = [np.asarray(k, dtype=np.float64) for k in kernels]
    n = kernels[0].shape[0]
    flat = np.concatenate([k.reshape(n, -1) for k in kernels], axis=1)
    first = kernels[0].reshape(n, -1)
    return {
        "first_kernel_min": first.min(axis=1),
        "first_kernel_max": first.max(axis=1),
        "zero_fraction": np.mean(flat == 0.0, axis=1),
        "l1_norm": np.sum(np.abs(flat), axis=1),
        "l2_norm": np.sqrt(np.sum(flat * flat, axis=1)),
    }


def _load_data(
    x: Any, y: Any, n_samples: Any, noise: Any, data_seed: Any
) -> tuple[np.ndarray, np.ndarray, dict[str, Any]]:
    """The rows to split: the user's (checked) or the moons; and their description."""
    if x is not None or y is not None:
        x_all, y_all = _check_data(x, y)
        rows, features = map(int, x_all.shape)
        return x_all, y_all, {"source": "user", "n_rows": rows, "n_features": features}
    data_seed = _check_seed("data_seed", data_seed)
    if noise is not None:
        noise = check_nonnegative("noise", noise)
    pair = isinstance(n_samples, tuple)
    total = sum(n_samples) if pair else n_samples
    if isinstance(total, numbers.Real) and not 2 <= total <= MAX_SAMPLES:
        # One training and one validation row at least.
        _fail("n_samples", f"2 to {MAX_SAMPLES:,} points", n_samples)
    x_all, y_all = make_moons(n_samples, noise=noise, random_state=data_seed)
    config = {
        "source": "make_moons",
        "n_samples": [int(k) for k in n_samples] if pair else int(n_samples),
        "noise": noise,
        "data_seed": data_seed,
    }
    return x_all.astype("float32"), y_all.astype("float32")[:, None], config


# ------------------------------------------------- the pipeline compare and sweep share


@dataclasses.dataclass
class _Setup:
    """The checked settings and the data of a run (``compare`` and ``sweep``)."""

    seed: int
    seeds: list[int]
    l1_mode: str
    hidden: tuple[int, ...]
    activation: str
    optimizer: keras.optimizers.Optimizer
    given_optimizer: Any
    learning_rate: float | None
    batch_size: int
    epochs: int
    validation_split: float
    record_every: int | None
    grid_resolution: int
    jit_compile: bool
    progress: bool
    moons: bool
    data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
    data_config: dict[str, Any]

    @property
    def n_train(self) -> int:
        return int(self.data[0].shape[0])

    @property
    def sizes(self) -> tuple[int, ...]:
        """Units per layer, inputs first: ``(features, *hidden, 1)``."""
        return (int(self.data[0].shape[1]), *self.hidden, 1)

    @property
    def n_weights(self) -> int:
        """Weights (kernels and biases) of one network."""
        sizes = self.sizes
        return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=True))

    def data_dict(self) -> dict[str, np.ndarray]:
        x_train, y_train, x_val, y_val = self.data
        return {
            "x_train": x_train,
            "y_train": y_train[:, 0].astype("int64"),
            "x_val": x_val,
            "y_val": y_val[:, 0].astype("int64"),
        }


def _setup(
    *,
    x: Any,
    y: Any,
    n_samples: Any,
    noise: Any,
    data_seed: Any,
    seed: Any,
    seeds: Any,
    l1_mode: Any,
    hidden: Any,
    activation: Any,
    optimizer: Any,
    learning_rate: Any,
    batch_size: Any,
    epochs: Any,
    validation_split: Any,
    record_every: Any,
    grid_resolution: Any,
    jit_compile: Any,
    progress: Any,
) -> _Setup:
    """Check the settings ``compare`` and ``sweep`` share and load the data."""
    optimizer = "adam" if optimizer is None else optimizer
    seed = _check_seed("seed", seed)
    seeds = _check_seeds(seeds, seed)
    l1_mode = _check_option("l1_mode", l1_mode, L1_MODES)
    hidden = _check_hidden(hidden)
    if not isinstance(activation, str):
        _fail("activation", "a Keras activation name", activation, TypeError)
    activation = check_choice("activation", activation, _ACTIVATIONS)
    if learning_rate is not None:
        learning_rate = check_positive("learning_rate", learning_rate)
    batch_size = check_int("batch_size", batch_size)
    epochs = check_int(
        "epochs", epochs, what="the per-epoch curves are kept", maximum=MAX_EPOCHS
    )
    validation_split = check_fraction("validation_split", validation_split)
    if record_every is not None:
        record_every = check_int("record_every", record_every)
    grid_resolution = check_int(
        "grid_resolution",
        grid_resolution,
        minimum=2,
        what="points per side of the decision grid",
        maximum=MAX_GRID_RESOLUTION,
    )
    jit_compile = _check_jit(jit_compile)
    progress = check_bool("progress", progress)
    resolved, learning_rate = _resolve_optimizer(optimizer, learning_rate)

    moons = x is None and y is None
    x_all, y_all, data_config = _load_data(x, y, n_samples, noise, data_seed)
    data = train_val_split(x_all, y_all, validation_split)
    if jit_compile == "auto":
        steps = epochs * math.ceil(len(data[0]) / batch_size)
        jit_compile = steps >= _JIT_MIN_STEPS
    return _Setup(
        seed=seed,
        seeds=seeds,
        l1_mode=l1_mode,
        hidden=hidden,
        activation=activation,
        optimizer=resolved,
        given_optimizer=optimizer,
        learning_rate=learning_rate,
        batch_size=batch_size,
        epochs=epochs,
        validation_split=validation_split,
        record_every=record_every,
        grid_resolution=grid_resolution,
        jit_compile=bool(jit_compile),
        progress=progress,
        moons=moons,
        data=tuple(data),
        data_config=data_config,
    )


def _optimizer_for(setup: _Setup, slice_regs: Sequence[Sequence[Any]]):
    """The optimizer to train with: proximal if ``l1_mode`` asks and L1 is there.

    Under ``l1_mode="proximal"``, a run with a proximal L1 term (the built-in
    ``"l1"``/``"l1l2"`` variants, or the user's ``L1(..., proximal=True)``) trains
    with the proximal counterpart of the optimizer; any other run keeps it.
    """
    if setup.l1_mode == "proximal" and any(
        proximal.is_proximal(reg) for regs in slice_regs for reg in regs
    ):
        return _proximal_optimizer(setup.optimizer, setup.given_optimizer)
    return setup.optimizer


def _base_config(setup: _Setup, optimizer: keras.optimizers.Optimizer) -> dict:
    """The settings every run records in its config (JSON-serializable)."""
    several = len(setup.seeds) > 1
    return {
        "data": setup.data_config,
        "validation_split": setup.validation_split,
        "n_train": setup.n_train,
        "n_val": int(len(setup.data[2])),
        "seed": setup.seed,
        "seeds": list(setup.seeds),
        "l1_mode": setup.l1_mode,
        "hidden": list(setup.hidden),
        "activation": setup.activation,
        "output": "Dense(1, activation='sigmoid')",
        "loss": "binary_crossentropy",
        "optimizer": keras.optimizers.serialize(optimizer),
        "learning_rate": setup.learning_rate,
        "batch_size": setup.batch_size,
        "epochs": setup.epochs,
        "grid_resolution": setup.grid_resolution,
        "jit_compile": setup.jit_compile,
        "backend": keras.backend.backend(),
        "initial_weights": "keras.initializers.GlorotUniform(seed=keras.random."
        "SeedGenerator(s)) kernels in layer order, zero biases, "
        + (
            "for each seed s in seeds; the same for every variant (or lambda) of a seed"
            if several
            else "with s = seed; the same for every variant (or lambda)"
        ),
        "batch_order": "epoch e visits the training rows in the order "
        "numpy.random.default_rng(seed).permutation(n_train) (the e-th draw), in "
        "consecutive batches of batch_size rows; the same for every variant (or "
        "lambda)" + (" and every seed in seeds" if several else ""),
    }


def _run(
    trainer: StackedTrainer,
    progress: bool,
    status: Callable[[np.ndarray], dict[str, float]],
    labels: Sequence[str],
) -> None:
    """Train, with a progress bar if asked (``status``: the values it shows, of the
    last epoch's ``(6, V)`` quantities); warn of a slice that diverges
    (``labels[slice]``) as soon as its chunk returns."""
    bar = None
    if progress:
        names = list(status(np.zeros((len(METRIC_NAMES), trainer.n_slices))))
        bar = _towers.progress_bar(trainer.epochs, names)
        bar.update(0)  # shown while the loop compiles
    diverged: set[int] = set()
    checked = 0

    def report(done: int) -> None:
        nonlocal checked
        chunk = trainer.metrics_between(checked, done)  # (epochs, 6, V)
        finite = np.isfinite(chunk).all(axis=1)  # (epochs, V)
        for v in np.flatnonzero(~finite.all(axis=0)):
            if v not in diverged:
                diverged.add(int(v))
                epoch = checked + 1 + int(np.argmin(finite[:, v]))
                warnings.warn(
                    f"{labels[v]} diverged: its loss or weights are not finite from "
                    f"epoch {epoch} on (a smaller learning_rate or lam may help).",
                    RuntimeWarning,
                    stacklevel=6,  # the caller of compare() or sweep()
                )
        checked = done
        if bar is not None:
            bar.update(done, values=list(status(chunk[-1]).items()))

    trainer.run(report)


def _train(
    setup: _Setup,
    optimizer: keras.optimizers.Optimizer,
    slice_regs: Sequence[Sequence[Any]],
    *,
    record_at: Sequence[int],
    record_slices: Sequence[int],
    status: Callable[[np.ndarray], dict[str, float]],
    names: Sequence[str],
) -> tuple[StackedTrainer, np.ndarray, float]:
    """Train every slice of a run; return the trainer, its curves and the time.

    The slices are seed-major: ``slice_regs`` holds, for each seed of
    ``setup.seeds`` in turn, the regularizers of the ``k`` networks trained per
    seed; all ``k`` start from that seed's initial weights. Every slice sees the
    batches of ``setup.seed``. ``names`` names the ``k`` networks in warnings;
    ``status`` maps their ``(k,)`` validation losses (mean over the seeds) to the
    values the progress bar shows.
    """
    per_seed = len(slice_regs) // len(setup.seeds)
    weights = setup.n_weights
    if weights * len(slice_regs) > MAX_STACKED_WEIGHTS:
        _fail(
            "hidden",
            f"layers small enough that the {len(slice_regs)} networks trained side "
            f"by side ({per_seed} per seed x {len(setup.seeds)} seeds, {weights:,} "
            f"weights each) hold at most {MAX_STACKED_WEIGHTS:,} weights",
            setup.hidden,
        )
    sets = [_initial_weights(setup.sizes, s) for s in setup.seeds]
    initial = sets[0] if len(sets) == 1 else [w for w in sets for _ in range(per_seed)]
    started = time.perf_counter()
    trainer = new_trainer(
        initial,
        activation=setup.activation,
        regularizers=slice_regs,
        optimizer=optimizer,
        data=setup.data,
        order=_permutations(setup.n_train, setup.seed),
        epochs=setup.epochs,
        batch_size=setup.batch_size,
        record_epochs=record_at,
        record_slices=record_slices,
        jit_compile=setup.jit_compile,
    )
    several = len(setup.seeds) > 1
    labels = [
        f"{name} (seed {s})" if several else name for s in setup.seeds for name in names
    ]
    val = METRIC_NAMES.index("val_loss")

    def shown(last: np.ndarray) -> dict[str, float]:
        return status(_over_seeds(last[val], len(setup.seeds)).mean(axis=0))

    _run(trainer, setup.progress, shown, labels)
    per_epoch = trainer.metrics()
    return trainer, per_epoch, time.perf_counter() - started


def _over_seeds(values: np.ndarray, n_seeds: int) -> np.ndarray:
    """Split a trailing slice axis ``(..., S * k)`` into ``(..., S, k)``."""
    return values.reshape(*values.shape[:-1], n_seeds, values.shape[-1] // n_seeds)


def _spread(per_seed: Mapping[str, dict], curves: Mapping[str, dict]) -> dict:
    """The result's ``per_seed``, ``metrics``, ``curves`` and their ``*_std``, from
    variant -> arrays with the seeds on axis 0 (0-d means as floats)."""

    def over(table: Mapping[str, dict], reduce: Callable) -> dict:
        return {
            name: {
                key: float(v) if np.ndim(v := reduce(a, axis=0)) == 0 else v
                for key, a in values.items()
            }
            for name, values in table.items()
        }

    return {
        "per_seed": per_seed,
        "metrics": over(per_seed, np.mean),
        "metrics_std": over(per_seed, np.std),
        "curves": over(curves, np.mean),
        "curves_std": over(curves, np.std),
    }


def _slice_history(
    trainer: StackedTrainer, records: Sequence[np.ndarray], v: int, paths: list[str]
) -> WeightHistory:
    """Slice ``v``'s weight records, keyed by ``paths`` in weight order."""
    steps = trainer.n_full + (1 if trainer.rest else 0)  # per epoch
    return WeightHistory.from_arrays(
        {path: np.ascontiguousarray(records[j][:, v]) for j, path in enumerate(paths)},
        trainer.record_epochs,
        steps=[e * steps for e in trainer.record_epochs],
    )


def _fresh(optimizer: keras.optimizers.Optimizer) -> keras.optimizers.Optimizer:
    """An unbuilt copy of ``optimizer``, for a model of the result to compile with."""
    return type(optimizer).from_config(optimizer.get_config())


def _serialized(obj: Any) -> Any:
    return None if obj is None else keras.saving.serialize_keras_object(obj)


def _collect(
    trainer: StackedTrainer,
    setup: _Setup,
    names: Sequence[str],
    regs: Mapping[str, list],
    per_epoch: np.ndarray,
    optimizer: keras.optimizers.Optimizer,
    extra: Mapping[str, np.ndarray],
) -> dict[str, dict]:
    """The result's models, histories (the first seed's: slices ``0 .. k - 1``),
    metrics (with the ``extra`` ones, ``(V,)`` each) and curves (see ``_spread``),
    by variant."""
    n_seeds = len(setup.seeds)
    final, records = trainer.weights(), trainer.records()
    state = trainer.optimizer_state()
    by_slice = _slice_metrics(per_epoch, final, extra, n_seeds)
    curves = _over_seeds(per_epoch, n_seeds)  # (epochs, 6, S, k)
    out = _spread(
        {
            name: {key: values[:, v].copy() for key, values in by_slice.items()}
            for v, name in enumerate(names)
        },
        {
            name: {key: curves[:, i, :, v].T for i, key in enumerate(METRIC_NAMES)}
            for v, name in enumerate(names)
        },
    )
    out["models"], out["histories"] = {}, {}
    for v, name in enumerate(names):
        model = _build_model(
            name, setup.sizes[0], setup.hidden, setup.activation, regs[name]
        )
        model.set_weights([w[v] for w in final])
        model.compile(_fresh(optimizer), "binary_crossentropy", metrics=["accuracy"])
        _set_optimizer_state(model, state, v, trainer.n_slices)
        out["models"][name] = model
        paths = [variable.path for variable in model.weights]
        out["histories"][name] = _slice_history(trainer, records, v, paths)
    return out


# ------------------------------------------------------- any model, as towers


def _model_data(x: Any, y: Any, validation_data: Any, validation_split: float):
    """``(x_train, y_train, x_val, y_val)`` and the number of training rows: arrays
    split as Keras' ``validation_split``, or a ``tf.data.Dataset`` as ``x_train``
    (its rows counted by one pass over it)."""
    if hasattr(x, "element_spec"):  # a tf.data.Dataset
        if y is not None:
            _fail("y", "None when x is a tf.data.Dataset of (x, y) batches", y)
        n_train = sum(int(keras.ops.shape(batch[0])[0]) for batch in x)
        return (x, None, validation_data, None), n_train
    if x is None or y is None:
        _fail("x" if x is None else "y", "an array (with a model, pass x and y)", None)
    # Arrays, or lists or dicts of them (several inputs or outputs).
    x, y = keras.tree.map_structure(np.asarray, (x, y))
    n = _towers.rows(x)
    for name, part in (("x", x), ("y", y)):
        for leaf in keras.tree.flatten(part):
            if len(leaf) != n:
                shown = _Shown(f"<{len(leaf)} rows>")
                _fail(name, f"{n} rows, one per row of x", shown)
    if validation_data is not None:
        x_val, y_val = keras.tree.map_structure(np.asarray, tuple(validation_data))
        return (x, y, x_val, y_val), n
    train, _, val, _ = train_val_split(np.arange(n), np.arange(n), validation_split)
    x_train, y_train = keras.tree.map_structure(lambda a: a[train], (x, y))
    x_val, y_val = keras.tree.map_structure(lambda a: a[val], (x, y))
    if not len(val):
        x_val = y_val = None
    return (x_train, y_train, x_val, y_val), len(train)


def _built(build: Callable, regularizer: Any, start: keras.Model) -> keras.Model:
    """``build(regularizer)``, checked against ``start``, with its weights."""
    model = build(regularizer)
    shapes = [tuple(w.shape) for w in start.weights]
    if not isinstance(model, keras.Model) or shapes != [
        tuple(w.shape) for w in model.weights
    ]:
        _fail(
            "model",
            "a build function that returns the same architecture for every "
            f"regularizer (build(None) has weights of shapes {shapes})",
            _Shown(f"<build({regularizer!r}) -> {model!r}>"),
        )
    for target, source in zip(model.weights, start.weights, strict=True):
        target.assign(keras.ops.copy(source.value))
    return model


def _check_targets(loss: Any, y: Any, model: keras.Model) -> None:
    """Refuse classification targets that ``loss`` cannot take from ``model``."""
    outputs = _towers.Outputs([], model)
    for output, loss_j, y_j in zip(
        model.outputs, outputs.per_output(loss), outputs.per_output(y), strict=True
    ):
        if isinstance(y_j, np.ndarray) and y_j.size:
            _check_output_targets(loss_j, y_j, output.shape[-1])


def _check_output_targets(loss: Any, y: np.ndarray, units: int) -> None:
    """Refuse classification targets of one output that ``loss`` cannot take."""
    name = str(getattr(loss, "name", None) or getattr(loss, "__name__", loss))
    low, high = float(y.min()), float(y.max())
    if "sparse_categorical" in name:
        expected = f"integer class labels 0 to {units - 1} ({units} outputs)"
        fits = y.shape[1:] in ((), (1,)) and np.all(y == np.round(y))
        fits = fits and low >= 0 and high < units
    elif "categorical" in name:
        expected = f"one-hot rows of {units} values ({units} outputs)"
        fits = y.shape[1:] == (units,)
    elif "binary" in name:
        expected, fits = "labels between 0 and 1", low >= 0 and high <= 1
    else:
        return
    if not fits:
        shown = f"<targets of shape {y.shape}, values {low:g} to {high:g}>"
        _fail("y", f"{expected} for loss {name!r}", _Shown(shown))


def _weight_stats(model: keras.Model) -> dict[str, float]:
    """The kernel numbers of ``METRIC_KEYS`` for one trained model."""
    kernels = [to_numpy(k)[None] for k in _towers.kernels(model)]
    stats = {key: float(value[0]) for key, value in _kernel_stats(kernels).items()}
    try:
        stats["pruned_params"] = float(pruned_size(model)[1])
    except ValueError:  # not a chain kreg.prune takes
        stats["pruned_params"] = float("nan")
    return stats


def _check_applies(arguments: Mapping[str, Any], function: Callable) -> None:
    """Refuse a keyword given away from its default where it does not apply."""
    model = arguments["model"] is not None
    parameters = inspect.signature(function).parameters
    for name in MOONS_ONLY if model else MODEL_ONLY:
        value, default = arguments[name], parameters[name].default
        try:
            given = value is not default and bool(value != default)
        except (TypeError, ValueError):  # an array, say
            given = True
        if given:
            where = "the built-in network" if model else "a model's run (model=...)"
            _fail(name, f"its default {default!r}: it applies to {where} only", value)


def _check_strategy(strategy: Any) -> None:
    """A ``tf.distribute`` strategy on TensorFlow, a Keras distribution on JAX."""
    backend = keras.backend.backend()
    if strategy is None:
        return
    if backend == "tensorflow" and _towers._multi_device(strategy):
        return
    layouts = (keras.distribution.DataParallel, keras.distribution.ModelParallel)
    if backend == "jax" and isinstance(strategy, layouts):
        return
    expected = {
        "tensorflow": "a tf.distribute strategy",
        "jax": "a keras.distribution layout (DataParallel, ModelParallel)",
    }.get(backend, "None: the torch backend runs on one device here")
    _fail("strategy", f"{expected} on the {backend} backend", strategy, TypeError)


def _options(arguments: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
    """The ``names`` of a call's arguments (``locals()`` at its start), so that
    ``compare`` and ``sweep`` hand them on without listing them again."""
    return {name: arguments[name] for name in names}


def _run_model(
    model: Any,
    x: Any,
    y: Any,
    *,
    variants: Callable[[int, int, bool], Mapping[str, list]],
    lam: float,
    layers: Any,
    loss: Any,
    metrics: Any,
    optimizer: Any,
    learning_rate: float | None,
    l1_mode: str,
    validation_data: Any,
    validation_split: float,
    epochs: int,
    batch_size: int,
    shuffle: bool,
    seed: int,
    seeds: Any,
    record_every: int | None,
    callbacks: Sequence[Any] | None,
    strategy: Any,
    progress: bool,
) -> dict[str, Any]:
    """Train the variants on the user's model, for every seed, as towers of one
    model: ``_towers.train``'s run (keys ``"{variant}@{seed}"``) with ``"finals"``
    (key -> final numbers), ``"regs"``, ``"seeds"``, ``"config"`` and ``"data"``.

    ``variants(n_train, 1, prox)`` gives the variants as ``_resolve_variants``
    does (a function, so that the data is split once, here).
    """
    from kreg.regularizers import _all_layers, _select_layers, rebuild

    build = None
    if not isinstance(model, keras.Model):
        if not callable(model):
            expected = "a keras.Model or a function build(regularizer) -> keras.Model"
            _fail("model", expected, model, TypeError)
        build, model = model, model(None)
        if not isinstance(model, keras.Model):
            expected = "a build function that returns a keras.Model"
            _fail("model", expected, model, TypeError)
    if not model.built:
        _fail("model", "a built model (call it on data or build it first)", model)
    _check_strategy(strategy)
    seed = _check_seed("seed", seed)
    epochs = check_int("epochs", epochs, minimum=1, maximum=MAX_EPOCHS)
    batch_size = check_int("batch_size", batch_size, minimum=1)
    shuffle = check_bool("shuffle", shuffle)
    l1_mode = _check_option("l1_mode", l1_mode, L1_MODES)
    validation_split = check_fraction("validation_split", validation_split)
    data, n_train = _model_data(x, y, validation_data, validation_split)
    loss = loss if loss is not None else getattr(model, "loss", None)
    if loss is None:
        _fail("loss", "a Keras loss (or a compiled model)", None)
    if metrics is None:  # the compiled metrics given by name
        compiled = (model.get_compile_config() if model.compiled else None) or {}
        compiled = compiled.get("metrics") or []

        def named(found: Any) -> list[str]:
            return [m for m in keras.tree.flatten(found) if isinstance(m, str)]

        metrics = (
            {key: named(m) for key, m in compiled.items()}
            if isinstance(compiled, dict)
            else named(compiled)
        )
    # A list for every output, or a dict of lists by output name.
    metrics = dict(metrics) if isinstance(metrics, dict) else list(metrics)
    if optimizer is None:
        optimizer = model.optimizer if model.compiled else keras.optimizers.Adam()
    optimizer, rate = _resolve_optimizer(optimizer, learning_rate)
    prox = l1_mode == "proximal"
    regs = {name: r[0] for name, r in variants(n_train, 1, prox).items()}
    if prox and any(proximal.is_proximal(r) for r in regs.values()):
        optimizer = _proximal_optimizer(optimizer, optimizer)
    selected = _select_layers(model, layers)
    if not selected:
        _fail("model", "a model with a layer that has a kernel", _Shown(model.name))
    for targets in (data[1], data[3]):
        _check_targets(loss, targets, model)
    several = seeds is not None
    seeds = _check_seeds(seeds, seed)
    copies = {}
    for s in seeds:
        start, chosen = model, selected
        if several:  # the layers initialized afresh from seed s
            keras.utils.set_random_seed(s)
            start = build(None) if build else keras.models.clone_model(model)
            # The clone's layers, in the original's order, where it has them.
            pairs = zip(_all_layers(model), _all_layers(start), strict=True)
            chosen = {id(new) for old, new in pairs if id(old) in selected}
        for name, reg in regs.items():
            key = f"{name}@{s}"
            if build is None:
                copies[key] = rebuild(start, reg, chosen if reg is not None else set())
            else:  # each variant's own build, from this seed's initial weights
                copies[key] = _built(build, reg, start)
    if record_every is not None:
        record_every = check_int("record_every", record_every)
    every = _record_frequency(record_every, epochs, len(regs), model.count_params())
    first = {name: f"{name}@{seeds[0]}" for name in regs}  # recorded and returned
    split = "train" if data[2] is None else "val"
    shown = {key: f"{name}_{split}_loss" for name, key in first.items()}
    run = _towers.train(
        copies,
        data=data,
        loss=loss,
        metrics=metrics,
        optimizer=optimizer,
        epochs=epochs,
        batch_size=batch_size,
        order=_permutations(n_train, seed) if shuffle else None,
        record_at=_record_epochs(epochs, every),
        recorded=list(first.values()),
        callbacks=list(callbacks or []),
        shown=shown if progress else None,
        strategy=strategy,
    )
    finals: dict[str, dict] = {}
    for key, curve in run["curves"].items():
        curve["penalty"] = run["penalties"][key]
        curve["train_total"] = curve["train_loss"] + curve["penalty"]
        last = {k: float(v[-1]) for k, v in curve.items()}
        if "val_loss" in last:
            last["gap"] = last["val_loss"] - last["train_loss"]
        finals[key] = {**last, **_weight_stats(run["models"][key])}
    for name, key in first.items():
        trained = run["models"][key]
        if re.fullmatch(r"[\w.>-]+", name):
            trained.name = name
        trained.compile(
            optimizer=_fresh(optimizer),
            loss=loss,
            metrics=_towers.Outputs([], model).fresh_metrics(metrics),
        )
        # Built, so that a saved copy holds the optimizer's variables and loads
        # without Keras' "Skipping variable loading for optimizer" warning.
        trained.optimizer.build(trained.trainable_variables)
    x_train, y_train, x_val, y_val = data
    config = {
        "model": model.name,
        "variants": {name: {"regularizer": _serialized(r)} for name, r in regs.items()},
        "lam": lam,
        "layers": [layer.name for layer in _all_layers(model) if id(layer) in selected],
        "loss": keras.tree.map_structure(_serialized, loss),
        "metrics": keras.tree.map_structure(_serialized, metrics),
        "optimizer": keras.optimizers.serialize(optimizer),
        "learning_rate": rate,
        "batch_size": batch_size,
        "epochs": epochs,
        "shuffle": shuffle,
        "seed": seed,
        "seeds": seeds,
        "n_train": n_train,
        "n_val": None if x_val is None or y_val is None else _towers.rows(x_val),
        "record_every": every,
        "backend": keras.backend.backend(),
    }
    arrays = {"x_train": x_train, "y_train": y_train, "x_val": x_val, "y_val": y_val}
    run.update(
        finals=finals,
        regs=regs,
        seeds=seeds,
        config=config,
        data=arrays if y_train is not None else {},
    )
    return run


def _model_history(run: Mapping[str, Any], key: str) -> WeightHistory:
    """The recorded weights of the model ``key`` of a ``_run_model`` run."""
    records = run["records"][key]
    return WeightHistory.from_arrays(
        {
            w.path: np.stack([r[i] for r in records])
            for i, w in enumerate(run["models"][key].weights)
        },
        run["record_epochs"],
    )


def _seed_rows(
    table: Mapping[str, dict], name: str, seeds: Sequence[int]
) -> dict[str, np.ndarray]:
    """Variant ``name``'s entries of a ``_run_model`` table as ``(seeds, ...)``."""
    rows = [table[f"{name}@{s}"] for s in seeds]
    return {k: np.asarray([row[k] for row in rows]) for k in rows[0]}


def _compare_model(model: Any, x: Any, y: Any, **options: Any) -> ComparisonResult:
    """``compare`` on the user's model (see ``_run_model``)."""
    run = _run_model(model, x, y, **options)
    names, seeds = list(run["regs"]), run["seeds"]
    out = _spread(
        {name: _seed_rows(run["finals"], name, seeds) for name in names},
        {name: _seed_rows(run["curves"], name, seeds) for name in names},
    )
    first = {name: f"{name}@{seeds[0]}" for name in names}
    out["models"] = {name: run["models"][key] for name, key in first.items()}
    out["histories"] = {name: _model_history(run, key) for name, key in first.items()}
    return ComparisonResult(
        config=run["config"],
        variants=names,
        seeds=seeds,
        epochs=np.arange(1, run["config"]["epochs"] + 1),
        grid=None,
        decision={},
        data=run["data"],
        timing={"train_seconds": run["seconds"]},
        **out,
    )


def _keywords(function: Callable, *leave_out: str) -> tuple[str, ...]:
    """The keyword-only parameters of ``function`` in order, but ``leave_out``."""
    parameters = inspect.signature(function).parameters.values()
    return tuple(
        p.name
        for p in parameters
        if p.kind is p.KEYWORD_ONLY and p.name not in leave_out
    )


#: The arguments of ``compare`` and ``sweep`` that ``_setup`` and ``_run_model``
#: take (their keywords).
_SETUP_OPTIONS = _keywords(_setup)
_MODEL_OPTIONS = _keywords(_run_model, "variants", "lam")

#: The keywords of ``compare`` and ``sweep`` that apply to a user's model only.
MODEL_ONLY = tuple(n for n in _MODEL_OPTIONS if n not in _SETUP_OPTIONS)

#: The keywords of ``compare`` and ``sweep`` that apply to the built-in network only.
MOONS_ONLY = tuple(n for n in _SETUP_OPTIONS if n not in {*_MODEL_OPTIONS, "x", "y"})


# ------------------------------------------------------------------- compare


def compare(
    model: Any = None,
    x: Any = None,
    y: Any = None,
    *,
    variants: Sequence[str] | Mapping[str, Any] = ("none", "l1", "l2"),
    lam: float = 0.16,
    layers: Any = None,
    loss: Any = None,
    metrics: Sequence[Any] | None = None,
    validation_data: Any = None,
    shuffle: bool = True,
    callbacks: Sequence[Any] | None = None,
    strategy: Any = None,
    l1_mode: str = "proximal",
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
    grid_resolution: int = 200,
    jit_compile: bool | str = "auto",
    progress: bool = False,
) -> ComparisonResult:
    """Train regularized and unregularized networks side by side, fairly and fast.

    By default the lecture's demonstration: ``make_moons(100, noise=0.25,
    random_state=2)``, the last 20% of the rows held out as Keras'
    ``validation_split=0.2`` does (80 training rows, so ``n = 80``), ``Dense(128,
    relu) - Dense(128, relu) - Dense(1, sigmoid)``, binary cross-entropy,
    ``Adam(learning_rate=0.01)``, batches of 32, 2000 epochs, and variants that
    differ only in the penalty on the hidden kernels (biases and the output layer
    are never penalized):

    - ``"none"``: no penalty;
    - ``"l1"``: ``kreg.L1(lam, n, proximal=True)``, ``lam / (2 n) * sum(|w|)``;
    - ``"l2"``: ``kreg.L2(lam, n)``, ``lam / (2 n) * sum(w ** 2)``;
    - ``"l1l2"`` (on request): ``kreg.L1L2(lam, lam, n, proximal=True)``.

    ``lam = 0.16`` with ``n = 80`` is the lecture's Keras ``l2(0.001)`` (``0.001 =
    lam / (2 n)``). Every variant starts from the same initial weights and sees
    the same batches in the same order, so its trajectory is (up to float
    rounding) that of a Keras model with the same layers and regularizers trained
    alone on those batches. The variants are trained together as one stacked
    network, in one compiled loop over many epochs, which is what makes it fast.

    With ``l1_mode="proximal"`` (the default) the built-in L1 terms act as a soft
    threshold after each update, so L1 drives weights exactly to zero, and the run
    trains with the proximal counterpart of the optimizer (``"adam"`` as
    ``kreg.ProximalAdam``, ``"sgd"`` as ``kreg.ProximalSGD``, same settings; on
    variants without a proximal L1 term they update exactly as Adam and SGD).
    ``l1_mode="subgradient"`` trains them as Keras' own L1 does, through the
    penalty's gradient (no exact zeros). Variants you pass as regularizers keep
    them as given.

    With ``seeds``, every variant is trained once per seed (each seed its own
    initial weights, all seeds the batches of ``seed``), all ``len(seeds) x
    len(variants)`` networks together; the result holds means, standard
    deviations and the values per seed.

    **Your own model.** With ``model``, every variant is a copy of it (its
    current weights, its layers) with the variant's regularizer on the kernels of
    ``layers``, as ``kreg.regularize`` makes it; the copies are trained as the
    towers of one Keras model by one ``fit`` (any task, on every backend), each
    equal to that copy trained alone with ``model.fit`` on the same batches. The
    loss, optimizer and metrics are those given, else the model's compiled ones
    (else Adam(0.001)). Dropout masks are drawn per tower. The curves are Keras'
    per-epoch logs (the training ones averaged over the epoch's batches) per
    variant: ``train_loss`` and ``val_loss`` (data losses), ``penalty`` (at the
    end of the epoch) and ``train_<metric>``/``val_<metric>``. The moons-only
    arguments (``n_samples``, ``hidden``, ``grid_resolution``, ...) do not apply;
    there is no decision grid. With ``seeds``, each seed initializes the layers
    afresh (``keras.utils.set_random_seed(s)``, then Keras' initializers; a build
    function is called again).

    Args:
        model: ``None`` (the built-in network), a built ``keras.Model`` (one or
            several inputs and outputs), or a function ``build(regularizer) ->
            keras.Model`` that puts the regularizer where you want it (called once
            with ``None``, whose initial weights every variant starts from, then
            once per variant).
        x: The inputs (rows first; a list of arrays for several inputs), or a
            ``tf.data.Dataset`` of ``(x, y)`` batches (with a model); ``None``
            (without a model) uses the two moons.
        y: The targets, one per row of ``x`` (0/1 labels for the built-in
            network); for several outputs a list in output order or a dict by
            output name, as ``fit`` takes them (and ``loss`` and ``metrics``).
        variants: Names among ``"none"``, ``"l1"``, ``"l2"``, ``"l1l2"`` (built
            from ``lam`` and the number of training rows), or a mapping of your
            names to a Keras regularizer (any ``kreg`` one), ``None``, or a list
            of those with one per hidden layer (hidden kernels only).
        lam: The strength lambda of the built-in variants, >= 0.
        layers: With a model: the layers whose kernels get the regularizer
            (names or layers; ``None``: every layer with a kernel).
        loss: With a model: the loss (default: the model's compiled loss).
        metrics: With a model: metrics of every variant (default: the model's
            compiled metrics given by name).
        validation_data: With a model: ``(x_val, y_val)`` (or a dataset),
            instead of ``validation_split``.
        shuffle: With a model: visit the training rows in a new order each
            epoch (drawn from ``seed``, the same for every variant); ``False``
            keeps them in order, as ``fit(shuffle=False)``.
        callbacks: With a model: more Keras callbacks for the ``fit``.
        strategy: With a model: a ``tf.distribute`` strategy (TensorFlow) or a
            ``keras.distribution`` layout (JAX) to train under, as ``fit``
            would; ``None``: one device. See the docs' "Your own model" page.
        l1_mode: ``"proximal"`` (default) or ``"subgradient"``: how the built-in
            L1 terms act (see above); ``"proximal"`` with an L1 term needs an
            optimizer with a proximal counterpart (Adam or SGD).
        seeds: Seeds of the initial weights, e.g. ``[0, 1, 2, 3, 4]``: distinct
            integers >= 0. ``None``: one run from ``seed``.
        n_samples: Moons: number of points (``kreg.make_moons``).
        noise: Moons: standard deviation of the Gaussian noise (None: none).
        data_seed: Moons: ``random_state`` of ``make_moons``, an integer >= 0.
        seed: Seed of the batch order and, without ``seeds``, of the initial
            weights (Keras' Glorot-uniform kernels, zero biases), an integer >= 0.
        hidden: Units of each hidden ``Dense`` layer.
        activation: The hidden layers' activation, a Keras activation name.
        optimizer: ``None`` (Adam, or a model's compiled optimizer), a Keras
            optimizer name (``"adam"``, ``"sgd"``, ``"rmsprop"``, ``"adamw"``,
            ``"adagrad"``, ``"adadelta"``, ``"adamax"``, ``"nadam"``, ``"ftrl"``,
            ``"lion"``, ``"proximal_adam"``, ``"proximal_sgd"``), or an instance
            or serialized config of one of those classes, which is copied.
            Optimizers that are not element-wise (Lamb, Adafactor, Muon, a
            LossScaleOptimizer) and ``clipnorm``/``global_clipnorm``/``use_ema``
            are refused: they would mix the variants.
        learning_rate: The learning rate. ``None``: 0.01 with an optimizer name
            (the lecture's), the optimizer's own with an instance or config.
        batch_size: Rows per training step.
        epochs: Number of epochs.
        validation_split: Fraction of the rows (the last ones) held out, in
            ``(0, 1)``, as Keras' ``fit(validation_split=...)``.
        record_every: Record all weights every this many epochs (and after the
            last); ``None``: about 100 records (``max(1, epochs // 100)``).
        grid_resolution: Points per side of the decision grid, >= 2.
        jit_compile: Compile the training loop with XLA: ``True``, ``False`` or
            ``"auto"`` (from 2500 training steps on, where XLA saves more than its
            compilation takes). TensorFlow only: JAX always compiles its loop,
            PyTorch runs eagerly.
        progress: Show a ``keras.utils.Progbar`` over the epochs.

    Returns:
        A :class:`ComparisonResult`.

    Raises:
        ValueError: For an out-of-range value (each message names the argument
            and the value received), labels other than 0/1, a split that leaves
            no training or validation row, or ``l1_mode="proximal"`` with an L1
            variant and an optimizer other than Adam or SGD.
        TypeError: For an argument of the wrong type.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> result.variants
        ['none', 'l1', 'l2']
        >>> result.models["l2"].predict(result.data["x_val"], verbose=0).shape
        (20, 1)
        >>> several = kreg.compare(
        ...     hidden=(8, 8), epochs=5, batch_size=40, seeds=[0, 1, 2]
        ... )
        >>> sorted(several.metrics_std["l1"]) == sorted(several.metrics["l1"])
        True

        Your own model, here a small regression:

        >>> import keras, numpy as np
        >>> net = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4),
        ...                         keras.layers.Dense(1)])
        >>> x = np.random.default_rng(0).normal(size=(50, 3))
        >>> mine = kreg.compare(net, x, x.sum(axis=1), loss="mse", epochs=2)
        >>> sorted(mine.curves["l2"])
        ['penalty', 'train_loss', 'train_total', 'val_loss']

        The lecture's run (the defaults: 128-128 units, 2000 epochs), here with
        five seeds, is too slow for a doctest:

        >>> result = kreg.compare(seeds=[0, 1, 2, 3, 4])  # doctest: +SKIP
        >>> result.metrics_std["l1"]["val_accuracy"]  # doctest: +SKIP
    """
    arguments = dict(locals())
    _check_applies(arguments, compare)
    lam = check_nonnegative("lam", lam)
    if model is not None:
        options = _options(arguments, _MODEL_OPTIONS)
        given = functools.partial(_resolve_variants, variants, lam)
        return _compare_model(model, x, y, variants=given, lam=lam, **options)
    setup = _setup(**_options(arguments, _SETUP_OPTIONS))
    n_train, depth = setup.n_train, len(setup.hidden)
    regs = _resolve_variants(variants, lam, n_train, depth, setup.l1_mode == "proximal")
    names = list(regs)
    slice_regs = [regs[name] for _ in setup.seeds for name in names]
    optimizer = _optimizer_for(setup, slice_regs)
    _warn_about(regs, n_train, isinstance(optimizer, proximal._ProximalMixin))
    record_every = _record_frequency(
        setup.record_every, setup.epochs, len(names), setup.n_weights
    )
    config = {
        "variants": {
            name: {"regularizers": [_serialized(r) for r in regs[name]]}
            for name in names
        },
        "lam": lam,
        **_base_config(setup, optimizer),
        "record_every": record_every,
    }

    def status(val_loss: np.ndarray) -> dict[str, float]:
        return {f"{n}_val_loss": float(val_loss[v]) for v, n in enumerate(names)}

    trainer, per_epoch, train_seconds = _train(
        setup,
        optimizer,
        slice_regs,
        record_at=_record_epochs(setup.epochs, record_every),
        record_slices=range(len(names)),
        status=status,
        names=[f"Variant {name!r}" for name in names],
    )
    grid, probabilities, lengths = _boundaries(trainer, setup, len(names))
    out = _collect(trainer, setup, names, regs, per_epoch, optimizer, lengths)
    config["box"] = None if grid is None else list(grid["box"])
    return ComparisonResult(
        config=config,
        variants=names,
        seeds=list(setup.seeds),
        epochs=np.arange(1, setup.epochs + 1),
        grid=grid,
        decision={} if grid is None else dict(zip(names, probabilities, strict=True)),
        data=setup.data_dict(),
        timing={"train_seconds": train_seconds},
        **out,
    )
