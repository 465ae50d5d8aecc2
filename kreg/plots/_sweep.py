"""Figures of a lambda sweep: Display objects drawing a ``SweepResult``.

A ``kreg.sweep`` run trains one network per lambda (and per seed) side by side;
these figures show what lambda does to it. Lambda runs along a logarithmic x
axis. ``lam = 0`` has no place on it, so it is drawn at a marked position left
of the smallest positive lambda, one and a half grid steps away, with a tick
labelled "0" and a break mark ``//`` on the axis between the two (see
:func:`lambda_positions`). With several seeds, the curves are means over the
seeds with bands of ± one standard deviation.

A lambda whose run diverged (its curves or weights went NaN or infinite) is
marked where it is drawn: "diverged at epoch N" across its boundary panel, and
written upright at its place on the lambda axis of the other figures.

Every Display follows the other figures' pattern: ``from_result`` reads the
numbers (NumPy only) and calls ``plot(ax=None, **kwargs)``, which draws and keeps
the axes (``ax_``), the figure (``figure_``) and the main artists.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kreg._validation import _fail, check_int, check_positive
from kreg.plots._common import (
    SWEEP_RESULT,
    CompositeDisplay,
    add_panels,
    check_ax,
    check_result,
    divergence,
    figure_ax,
    finite_or_nan,
    grid_spec,
    is_axes,
    key_at,
    largest_weights,
    mark_upright,
    pyplot,
    std_band,
)
from kreg.plots._compare import DecisionBoundaryDisplay

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.text import Text

#: How the kinds of penalty are written in titles.
_KIND_NAMES = {"l1": "L1", "l2": "L2", "l1l2": "L1L2"}
#: Colours of the training and the validation curves.
_TRAIN_COLOR, _VAL_COLOR = "tab:blue", "tab:red"
#: Grid steps between the drawn lam = 0 and the smallest positive lambda.
_ZERO_GAP = 1.5


# --------------------------------------------------------------------------------
# Helpers: the lambda axis, reading a result
# --------------------------------------------------------------------------------


def _check_lams(lams: Any, name: str = "lams") -> np.ndarray:
    values = np.asarray(lams, dtype=np.float64)
    if (
        values.ndim != 1
        or values.size == 0
        or not np.all(np.isfinite(values))
        or np.any(values < 0)
        or np.any(np.diff(values) <= 0)
    ):
        _fail(name, "a non-empty increasing 1-D sequence of finite numbers >= 0", lams)
    return values


def lambda_positions(lams: Any) -> tuple[np.ndarray, float | None, float]:
    """Return where each lambda is drawn on a log axis, ``lam = 0`` included.

    Positive lambdas are drawn at their value. ``lam = 0`` is drawn at
    ``first / step ** 1.5``, where ``first`` is the smallest positive lambda and
    ``step`` the geometric mean ratio of consecutive positive lambdas (10 with
    a single positive lambda; kept within ``[10 ** 0.25, 100]``), so it sits one
    and a half grid steps left of the others. With no positive lambda at all,
    ``lam = 0`` is drawn at 1.

    Args:
        lams: Increasing lambdas, all finite and >= 0.

    Returns:
        ``(positions, zero_x, step)``: the x position of each lambda, the
        position of ``lam = 0`` (``None`` when no lambda is 0) and the grid step
        used for the margins.

    Raises:
        ValueError: If ``lams`` is empty, not increasing, negative or not finite.

    Examples:
        >>> positions, zero_x, step = lambda_positions([0.0, 0.01, 0.1, 1.0])
        >>> positions[1:].tolist(), round(zero_x, 6), round(step, 6)
        ([0.01, 0.1, 1.0], 0.000316, 10.0)
    """
    lams = _check_lams(lams)
    positive = lams[lams > 0]
    if positive.size == 0:
        return np.ones_like(lams), 1.0, 10.0
    first, last = float(positive[0]), float(positive[-1])
    step = 10.0
    if positive.size > 1:
        step = (last / first) ** (1.0 / (positive.size - 1))
    step = min(max(step, 10**0.25), 100.0)
    zero_x = first / step**_ZERO_GAP if lams[0] == 0 else None
    positions = np.where(lams > 0, lams, first / step**_ZERO_GAP)
    return positions, zero_x, step


def _lam_label(lam: float) -> str:
    return "0" if lam == 0 else f"{lam:.3g}"


def _decade_label(value: float) -> str:
    exponent = round(math.log10(value))
    if abs(value / 10.0**exponent - 1) < 1e-9:
        if -2 <= exponent <= 2:
            return f"{10.0**exponent:g}"
        return f"$10^{{{exponent}}}$"
    return f"{value:.3g}"


def _setup_lambda_axis(ax: Axes, lams: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Put ``ax``'s x axis on a log scale for ``lams``; return the positions.

    Major ticks at the decades (or at the lambdas when the range spans less than
    two decades), a "0" tick and a break mark for ``lam = 0``.
    """
    from matplotlib.path import Path
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    positions, zero_x, step = lambda_positions(lams)
    positive = lams[lams > 0]
    low = float(positions.min()) / step**0.5
    high = float(positions.max()) * step**0.5
    ax.set_xscale("log")
    ax.set_xlim(low, high)
    ticks: list[float] = []
    minor: list[float] = []
    if positive.size:
        start = float(positive[0]) / step**0.5  # no tick left of the break
        exponents = range(math.floor(math.log10(start)), math.ceil(math.log10(high)))
        ticks = [10.0**e for e in exponents if start <= 10.0**e <= high]
        if len(ticks) >= 2:
            minor = [
                m * 10.0**e
                for e in exponents
                for m in range(2, 10)
                if start <= m * 10.0**e <= high
            ]
        else:
            ticks = [float(v) for v in positive[:: math.ceil(positive.size / 6)]]
    if zero_x is not None:
        ticks = [zero_x, *ticks]

    def label(value: float, _pos: Any = None) -> str:
        if zero_x is not None and math.isclose(value, zero_x, rel_tol=1e-9):
            return "0"
        return _decade_label(value)

    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.xaxis.set_minor_locator(FixedLocator(minor))
    ax.xaxis.set_minor_formatter(NullFormatter())
    if zero_x is not None and positive.size:
        where = math.sqrt(zero_x * float(positive[0]))
        mark = Path(
            [(-1.6, -1.0), (-0.4, 1.0), (0.4, -1.0), (1.6, 1.0)],
            [Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO],
        )
        for y in (0.0, 1.0):
            ax.plot(
                [where],
                [y],
                marker=mark,
                markersize=9,
                markeredgewidth=1.2,
                color="black",
                linestyle="",
                transform=ax.get_xaxis_transform(),
                clip_on=False,
                zorder=5,
                label="_break",
            )
    return positions, zero_x


def _lambda_xlabel(kind: str | None) -> str:
    name = _KIND_NAMES.get(str(kind))
    what = f"{name} strength λ" if name else "λ"
    return f"{what} (log scale; 0 left of the break)"


def _lam_index(lams: np.ndarray, lam: Any, name: str) -> int:
    """The position of ``lam`` in ``lams`` (relative tolerance 1e-9)."""
    if isinstance(lam, bool) or not isinstance(lam, (int, float, np.number)):
        _fail(name, f"one of the lambdas {lams.tolist()}", lam, TypeError)
    match = np.nonzero(np.isclose(lams, float(lam), rtol=1e-9, atol=0))[0]
    if match.size == 0:
        _fail(name, f"one of the lambdas {lams.tolist()}", lam)
    return int(match[0])


def _lams_of(result: Any, *attributes: str) -> np.ndarray:
    """``result.lams``, checked, after checking ``result`` has ``attributes``."""
    check_result(result, SWEEP_RESULT, "lams", *attributes)
    return _check_lams(result.lams, "result.lams")


def _notes(
    result: Any, lams: np.ndarray, indices: Sequence[int] | None = None
) -> dict[float, str]:
    """Lambda -> "diverged at epoch N" (:func:`divergence`), for those that did.

    Looks at the lambdas ``lams[indices]`` (default: all), in the curves, the
    final weights (``paths``) and the decision grids that the result has, every
    seed's (``[seed, lambda, ...]``; the grids are ``[lambda, ...]``).
    """
    curves = getattr(result, "curves", None) or {}
    paths = getattr(result, "paths", None) or {}
    decision = getattr(result, "decision", None)
    notes = {}
    for i in range(lams.size) if indices is None else indices:
        note = divergence(
            {k: np.asarray(c)[:, i] for k, c in curves.items()},
            getattr(result, "epochs", None),
            weights=[np.asarray(p)[:, i] for p in paths.values()],
            predictions=[] if decision is None else [np.asarray(decision)[i]],
        )
        if note is not None:
            notes[float(lams[i])] = note
    return notes


def _read_notes(notes: Mapping[float, str] | None, lams: np.ndarray) -> dict:
    """``notes`` (lambda -> text), each lambda checked to be one of ``lams``."""
    return {
        float(lams[_lam_index(lams, lam, "notes")]): str(text)
        for lam, text in (notes or {}).items()
    }


def _as_runs(values: Any, n: int, name: str) -> np.ndarray:
    """``values`` as a float array ``(runs, n)`` (a 1-D array is one run)."""
    array = np.asarray(values, dtype=np.float64)
    if array.ndim == 1:
        array = array[None, :]
    if array.ndim != 2 or array.shape[1] != n or array.shape[0] == 0:
        _fail(name, f"an array of shape ({n},) or (seeds, {n})", array.shape)
    return array


def _seed_metric(result: Any, name: str) -> np.ndarray:
    """``result.metrics[name]`` as a float array ``(seeds, lambdas)``."""
    if name not in result.metrics:
        _fail(
            "result",
            f"a result whose metrics hold {name!r}",
            f"<metrics {sorted(result.metrics)}>",
        )
    return _as_runs(result.metrics[name], len(result.lams), f"result.metrics[{name!r}]")


def _mean_std(runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation (ddof=0) over the runs of the finite values.

    NaN where no run is finite (every seed of that lambda diverged).
    """
    finite = finite_or_nan(runs)
    with warnings.catch_warnings():  # all-NaN columns: NaN, without a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(finite, axis=0), np.nanstd(finite, axis=0)


def _seed_index(result: Any, seed: int | None) -> int:
    seeds = [int(s) for s in getattr(result, "seeds", [0]) or [0]]
    if seed is None:
        return 0
    expected = f"one of the result's seeds {seeds} or None"
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        _fail("seed", expected, seed, TypeError)
    if int(seed) not in seeds:
        _fail("seed", expected, seed)
    return seeds.index(int(seed))


def _path_key(result: Any, key: str | int) -> str:
    """The key of ``result.paths`` named by a position, a key or a unique suffix."""
    keys = [str(k) for k in result.paths]
    if not keys:
        _fail("result", "a result with weight paths", "<result without paths>")
    full = key_at(keys, key)
    if full is not None:
        return full
    if key in keys:
        return key
    matches = [k for k in keys if k.endswith("/" + key) or key.endswith("/" + k)]
    if len(matches) != 1:
        _fail("key", f"one of the result's weight paths {keys}", key)
    return matches[0]


def _best(result: Any, lams: np.ndarray) -> tuple[int, float] | None:
    """``(index, lambda)`` of the result's best lambda, or ``None``."""
    best = getattr(result, "best_lam", None)
    if best is None:
        return None
    index = getattr(result, "best_index", None)
    if index is None:
        index = int(np.argmin(np.abs(lams - float(best))))
    return int(index), float(best)


def _label_outer(panels: Sequence[Axes], ncols: int) -> None:
    """Label x1 and x2 only on the outer panels of a grid filled row by row.

    Unlike ``Axes.label_outer``, a panel with no panel below it (in a last row
    that is not full) keeps its x labels.
    """
    for i, panel in enumerate(panels):
        left, bottom = i % ncols == 0, i + ncols >= len(panels)
        panel.tick_params(labelleft=left, labelbottom=bottom)
        panel.set_ylabel("x2" if left else "")
        panel.set_xlabel("x1" if bottom else "")


class _LambdaDisplay:
    """What the figures against lambda share: the lambdas, the axis, the notes.

    A subclass's ``plot`` starts with :meth:`_start` (the figure and the lambda
    axis) and ends with :meth:`_finish` (the notes of the diverged lambdas).
    """

    def __init__(
        self, lams: Any, kind: str | None, notes: Mapping[float, str] | None
    ) -> None:
        self.lams = _check_lams(lams)
        self.kind = kind
        self.notes = _read_notes(notes, self.lams)

    @classmethod
    def _of(cls, result: Any, lams: np.ndarray, *args: Any, **options: Any) -> Any:
        """The Display of ``result``'s ``lams``, with the result's kind and notes."""
        kind = getattr(result, "kind", None)
        return cls(lams, *args, kind=kind, notes=_notes(result, lams), **options)

    def _start(self, ax: Axes | None) -> tuple[Axes, np.ndarray]:
        """Return ``(ax, positions)``: the axes with the lambda axis set up."""
        self.figure_, self.ax_ = figure_ax(ax, figsize=(6.4, 4.2))
        self.positions_, self.zero_x_ = _setup_lambda_axis(self.ax_, self.lams)
        self.ax_.set_xlabel(_lambda_xlabel(self.kind))
        return self.ax_, self.positions_

    def _draw_runs(
        self, parts: Sequence[tuple], band_alpha: float, **options: Any
    ) -> None:
        """Draw each part's mean over the runs and, with several, a ± std band.

        ``parts`` holds ``(part, runs, label, color, linestyle, marker)``;
        ``options`` go to ``Axes.plot``. The means, standard deviations, lines
        and bands are kept in ``mean_``, ``std_``, ``lines_`` and ``bands_``.
        """
        self.mean_, self.std_, self.lines_, self.bands_ = {}, {}, {}, {}
        for part, runs, label, color, linestyle, marker in parts:
            mean, std = _mean_std(runs)
            self.mean_[part], self.std_[part] = mean, std
            seeds = runs.shape[0]
            if seeds > 1:
                label += f" (mean ± std, {seeds} seeds)"
            style = {
                "color": color,
                "linestyle": linestyle,
                "marker": marker,
                "markersize": 4,
                "label": label,
                **options,
            }
            (self.lines_[part],) = self.ax_.plot(self.positions_, mean, **style)
            if seeds > 1:
                self.bands_[part] = std_band(
                    self.ax_, self.positions_, mean, std, color, band_alpha
                )

    def _finish(self) -> Any:
        """Write each note upright at its lambda's place; return ``self``."""
        self.notes_: dict[float, Text] = {
            lam: mark_upright(
                self.ax_, text, self.positions_[_lam_index(self.lams, lam, "notes")]
            )
            for lam, text in self.notes.items()
        }
        return self


# ================================================================================
# 1. Regularization path: weights vs lambda
# ================================================================================


class RegularizationPathDisplay(_LambdaDisplay):
    """A selection of trained weights against lambda: the regularization path.

    One line per weight, through its value after training at each lambda, on a
    logarithmic lambda axis (``lam = 0`` left of a break mark). Under L1 the
    lines reach exactly 0 and stay there as lambda grows (the proximal step sets
    weights to 0); points exactly 0 are marked with black dots. Under L2 the
    lines shrink toward 0 without reaching it. Every model of a sweep starts
    from the same initial weights, so each line follows one weight across the
    models.

    Build it with :meth:`from_result`; the constructor takes the arrays directly.

    Args:
        lams: The lambdas, increasing, >= 0.
        values: The weights, shape ``(len(lams), k)``: column ``j`` is weight
            ``j`` at each lambda.
        labels: One label per weight (default ``"w0"``, ``"w1"``, ...).
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``, for the title, or ``None``.
        key: The weight's name, for the title, or ``None``.
        notes: Optional mapping lambda -> a note written upright at its place,
            e.g. "diverged at epoch 7" (NaN and infinite values are not drawn).

    Attributes:
        lines_: One ``Line2D`` per weight, in the order of ``labels``.
        zeros_: ``PathCollection`` of the points exactly 0 (at ``lam > 0``), or
            ``None`` when there are none.
        n_zero_: Per lambda, how many of the drawn weights are exactly 0.
        positions_: The x position of each lambda.
        zero_x_: The x position of ``lam = 0``, or ``None``.
        indices_: (:meth:`from_result` only) the flat indices of the weights
            drawn.
        seed_: (:meth:`from_result` only) the seed whose networks are drawn.
        notes_: Mapping lambda -> the ``Text`` of its note.
        ax_: The ``Axes``.
        figure_: The figure.

    Examples:
        >>> lams = np.array([0.0, 0.1, 2.0, 10.0])
        >>> w = np.array([1.0, -0.6, 0.3])
        >>> values = np.sign(w) * np.maximum(np.abs(w) - lams[:, None] / 4, 0)
        >>> disp = RegularizationPathDisplay(lams, values, kind="l1").plot()
        >>> disp.n_zero_.tolist()
        [0, 0, 1, 3]
    """

    def __init__(
        self,
        lams: Any,
        values: Any,
        *,
        labels: Sequence[str] | None = None,
        kind: str | None = None,
        key: str | None = None,
        notes: Mapping[float, str] | None = None,
    ) -> None:
        super().__init__(lams, kind, notes)
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.ndim == 1:
            self.values = self.values[:, None]
        if self.values.ndim != 2 or self.values.shape[0] != self.lams.size:
            _fail(
                "values",
                f"an array of shape ({self.lams.size}, k), one row per lambda",
                f"<array of shape {np.shape(values)}>",
            )
        k = self.values.shape[1]
        self.labels = [f"w{j}" for j in range(k)] if labels is None else list(labels)
        if len(self.labels) != k:
            _fail("labels", f"{k} labels, one per weight", self.labels)
        self.key = key

    @classmethod
    def from_result(
        cls,
        result: Any,
        key: str | int = 0,
        *,
        indices: Sequence[Any] | None = None,
        k: int = 10,
        at: float | None = None,
        seed: int | None = None,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> RegularizationPathDisplay:
        """Draw the path of a few weights of a sweep.

        Reads ``result.paths[key]`` (final weights, shape ``(seeds, lambdas,
        *shape)``) for one seed: the models of different seeds start from
        different initial weights, so their weights are not averaged.

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            key: Which weight: a key of ``result.paths`` (``"hidden_1/kernel"``),
                a unique suffix of one, or its position (``0``, the default, is
                the first hidden layer's kernel).
            indices: Which entries: flat indices or index tuples into the
                weight. ``None`` takes the ``k`` largest ``|w|`` at the lambda
                ``at``.
            k: How many weights when ``indices`` is ``None``.
            at: The lambda (one of ``result.lams``) at which the ``k`` largest
                ``|w|`` are picked; ``None``: the smallest lambda (``lam = 0`` if
                the sweep has it). ``at=result.best_lam`` follows the weights
                that matter at the best lambda.
            seed: Which seed's models (a value of ``result.seeds``); ``None``
                takes the first.
            ax: Axes to draw on, or ``None`` for a new figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``result`` is not a sweep result.
            ValueError: If ``key``, ``seed`` or an index is not in the result.
        """
        lams = _lams_of(result, "paths")
        full = _path_key(result, key)
        s = _seed_index(result, seed)
        array = np.asarray(result.paths[full], dtype=np.float64)
        if array.ndim < 3 or array.shape[1] != lams.size:
            _fail(
                f"result.paths[{full!r}]",
                f"an array of shape (seeds, {lams.size}, ...)",
                f"<array of shape {array.shape}>",
            )
        weights = array[s]
        shape = weights.shape[1:]
        flat = weights.reshape(lams.size, -1)
        row = 0 if at is None else _lam_index(lams, at, "at")
        chosen = largest_weights(flat[row], k, indices, shape)
        labels = [
            "w[" + ", ".join(str(int(c)) for c in np.unravel_index(i, shape)) + "]"
            for i in chosen
        ]
        display = cls._of(result, lams, flat[:, chosen], labels=labels, key=full)
        display.indices_ = chosen
        display.seed_ = int((getattr(result, "seeds", None) or [0])[s])
        return display.plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        colors: Sequence[Any] | None = None,
        legend: bool | None = None,
        mark_zeros: bool = True,
        **kwargs: Any,
    ) -> RegularizationPathDisplay:
        """Draw the lines.

        Args:
            ax: Axes to draw on, or ``None`` for a new figure.
            colors: One colour per weight (default: matplotlib's ``tab10``, or
                ``viridis`` for more than 10 weights).
            legend: Show a legend of the weights beside the axes (default: when
                there are at most 10).
            mark_zeros: Mark the points exactly 0 (at ``lam > 0``) with black dots.
            **kwargs: Passed to ``Axes.plot`` for every line.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not an ``Axes``.
            ValueError: If ``colors`` does not hold one colour per weight.
        """
        ax, positions = self._start(ax)
        k = self.values.shape[1]
        if colors is None:
            cmap = pyplot().get_cmap("tab10" if k <= 10 else "viridis")
            colors = [cmap(j if k <= 10 else j / max(k - 1, 1)) for j in range(k)]
        colors = list(colors)
        if len(colors) != k:
            _fail("colors", f"{k} colours, one per weight", colors)
        ax.axhline(0.0, color="0.3", linewidth=0.8, zorder=1)
        self.lines_ = []
        for j in range(k):
            options = {
                "color": colors[j],
                "marker": "o",
                "markersize": 3.5,
                "linewidth": 1.5,
                "label": self.labels[j],
                **kwargs,
            }
            (line,) = ax.plot(positions, self.values[:, j], **options)
            self.lines_.append(line)
        exact = (self.values == 0.0) & (self.lams[:, None] > 0)
        self.n_zero_ = (self.values == 0.0).sum(axis=1)
        self.zeros_ = None
        if mark_zeros and exact.any():
            rows, _ = np.nonzero(exact)
            self.zeros_ = ax.scatter(
                positions[rows],
                np.zeros(rows.size),
                s=22,
                color="black",
                zorder=4,
                label="exactly 0",
            )
        kind = _KIND_NAMES.get(str(self.kind), None)
        what = f"{k} weights" + (f" of {self.key}" if self.key else "")
        title = f"Regularization path{f' ({kind})' if kind else ''}: {what}"
        if self.n_zero_[-1] and self.lams[-1] > 0:
            title += f"\n{int(self.n_zero_[-1])} of {k} exactly 0 at the largest λ"
        ax.set_title(title, fontsize="medium")
        ax.set_ylabel("weight after training")
        if legend is None:
            legend = k <= 10
        if legend:
            ax.legend(
                fontsize="x-small",
                loc="center left",
                bbox_to_anchor=(1.01, 0.5),
                frameon=False,
            )
        return self._finish()


# ================================================================================
# 2. Validation curve: training vs validation data loss vs lambda
# ================================================================================


class ValidationCurveDisplay(_LambdaDisplay):
    """Training and validation data loss against lambda, the best lambda marked.

    The classic picture of tuning lambda: at small lambda the network fits the
    training data (low training loss) but not the validation data (high
    validation loss: overfitting); at large lambda it fits neither
    (underfitting); the best lambda minimizes the validation loss. The losses are
    data losses (cross-entropy without the penalty), after the last epoch. With
    several seeds, the lines are the mean over seeds and the bands mean ± one
    standard deviation (``ddof=0``).

    Args:
        lams: The lambdas, increasing, >= 0.
        train: Training values, shape ``(len(lams),)`` or ``(seeds, len(lams))``.
        val: Validation values, same shape.
        best_lam: The lambda to mark (default: the lambda of the smallest mean
            validation value for losses, the largest for accuracies).
        metric: ``"loss"`` or ``"accuracy"``, for the labels.
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``, for the labels, or ``None``.
        notes: Optional mapping lambda -> a note written upright at its place,
            e.g. "diverged at epoch 7" (NaN and infinite values are not drawn).

    Attributes:
        mean_: ``{"train": ..., "val": ...}``, the mean over seeds per lambda.
        std_: The same with the standard deviations (0 for one seed).
        lines_: ``{"train": Line2D, "val": Line2D}`` through the means.
        bands_: ``{"train": ..., "val": ...}``: the ``fill_between`` collections
            of mean ± std (empty with one seed).
        best_lam_: The lambda marked.
        best_index_: Its position in ``lams``.
        best_line_: The vertical ``Line2D`` at the best lambda.
        best_point_: The ``Line2D`` marker on the validation curve there.
        notes_: Mapping lambda -> the ``Text`` of its note.
        positions_: The x position of each lambda.
        zero_x_: The x position of ``lam = 0``, or ``None``.
        ax_: The ``Axes``.
        figure_: The figure.

    Examples:
        >>> lams = np.array([0.0, 0.01, 0.1, 1.0, 10.0])
        >>> train = np.array([0.01, 0.02, 0.08, 0.3, 0.69])
        >>> val = np.array([0.9, 0.6, 0.25, 0.35, 0.69])
        >>> disp = ValidationCurveDisplay(lams, train, val).plot()
        >>> disp.best_lam_, disp.bands_
        (0.1, {})
    """

    def __init__(
        self,
        lams: Any,
        train: Any,
        val: Any,
        *,
        best_lam: float | None = None,
        metric: str = "loss",
        kind: str | None = None,
        notes: Mapping[float, str] | None = None,
    ) -> None:
        super().__init__(lams, kind, notes)
        if metric not in ("loss", "accuracy"):
            _fail("metric", "one of 'loss', 'accuracy'", metric)
        self.metric = metric
        n = self.lams.size
        self.train = _as_runs(train, n, "train")
        self.val = _as_runs(val, n, "val")
        if self.train.shape != self.val.shape:
            _fail("val", f"the shape of `train` {self.train.shape}", self.val.shape)
        if best_lam is None:
            mean, _ = _mean_std(self.val)
            if np.isfinite(mean).any():
                pick = np.nanargmin if metric == "loss" else np.nanargmax
                self.best_index = int(pick(mean))
            else:
                self.best_index = 0
        else:
            self.best_index = _lam_index(self.lams, best_lam, "best_lam")
        self.best_lam = float(self.lams[self.best_index])

    @classmethod
    def from_result(
        cls,
        result: Any,
        *,
        metric: str = "loss",
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> ValidationCurveDisplay:
        """Draw the validation curve of a sweep.

        Reads ``result.metrics["train_loss"]`` and ``["val_loss"]`` (or the
        accuracies), shape ``(seeds, lambdas)``, and marks ``result.best_lam``
        (the smallest mean validation data loss).

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            metric: ``"loss"`` (data loss, the default) or ``"accuracy"``; the
                best lambda is the result's in both cases.
            ax: Axes to draw on, or ``None`` for a new figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``result`` is not a sweep result.
            ValueError: If ``metric`` is unknown or the result's arrays do not
                match its lambdas.
        """
        lams = _lams_of(result, "metrics")
        if metric not in ("loss", "accuracy"):
            _fail("metric", "one of 'loss', 'accuracy'", metric)
        best = _best(result, lams)
        display = cls._of(
            result,
            lams,
            _seed_metric(result, f"train_{metric}"),
            _seed_metric(result, f"val_{metric}"),
            best_lam=None if best is None else lams[best[0]],
            metric=metric,
        )
        return display.plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        colors: tuple[Any, Any] = (_TRAIN_COLOR, _VAL_COLOR),
        band_alpha: float = 0.2,
        logy: bool = False,
        **kwargs: Any,
    ) -> ValidationCurveDisplay:
        """Draw the curves, the bands and the best lambda.

        Args:
            ax: Axes to draw on, or ``None`` for a new figure.
            colors: Colours of the training and validation curves.
            band_alpha: Opacity of the ± std bands.
            logy: Logarithmic y scale.
            **kwargs: Passed to ``Axes.plot`` for both curves.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not an ``Axes``.
        """
        ax, positions = self._start(ax)
        word = "data loss" if self.metric == "loss" else "accuracy"
        self._draw_runs(
            [
                ("train", self.train, f"training {word}", colors[0], "-", "o"),
                ("val", self.val, f"validation {word}", colors[1], "--", "s"),
            ],
            band_alpha,
            **{"linewidth": 1.6, **kwargs},
        )
        i = self.best_index
        self.best_line_ = ax.axvline(
            positions[i],
            color="black",
            linestyle=":",
            linewidth=1.2,
            label=f"best λ = {_lam_label(self.best_lam)}",
        )
        (self.best_point_,) = ax.plot(
            [positions[i]],
            [self.mean_["val"][i]],
            linestyle="",
            marker="*",
            markersize=13,
            color="gold",
            markeredgecolor="black",
            zorder=5,
        )
        if logy and any(np.any(mean > 0) for mean in self.mean_.values()):
            ax.set_yscale("log")  # not without a positive value (all diverged)
        ax.set_ylabel(
            word if self.metric == "accuracy" else "data loss (cross-entropy)"
        )
        ax.set_title(
            f"Validation curve: best λ = {_lam_label(self.best_lam)} "
            f"(validation {word} {self.mean_['val'][i]:.3g})",
            fontsize="medium",
        )
        ax.legend(fontsize="x-small", loc="best")
        self.best_lam_ = self.best_lam
        self.best_index_ = self.best_index
        return self._finish()


# ================================================================================
# 3. Sparsity vs lambda
# ================================================================================


class SparsityDisplay(_LambdaDisplay):
    """The fraction of kernel weights exactly 0 against lambda.

    Subgradient L1 and L2 leave no weight exactly 0 (the line stays at 0 %);
    proximal L1 zeroes more and more weights as lambda grows. Optionally the
    fraction with ``|w| < tol`` is drawn too (dashed): it shows how many weights
    are merely small. With several seeds: means and ± std bands.

    Args:
        lams: The lambdas, increasing, >= 0.
        zero_fraction: Fraction of kernel weights exactly 0, shape
            ``(len(lams),)`` or ``(seeds, len(lams))``.
        below: Fraction with ``|w| < tol``, the same shape, or ``None``.
        tol: The tolerance of ``below``, for the label.
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``, for the labels, or ``None``.
        notes: Optional mapping lambda -> a note written upright at its place,
            e.g. "diverged at epoch 7" (NaN and infinite values are not drawn).

    Attributes:
        mean_: ``{"exact": ..., "below": ...}``, the means per lambda (``"below"``
            only with ``below``).
        std_: The same with the standard deviations.
        lines_: ``{"exact": Line2D, "below": Line2D}``.
        bands_: The ``fill_between`` collections of mean ± std (empty with one
            seed).
        positions_: The x position of each lambda.
        zero_x_: The x position of ``lam = 0``, or ``None``.
        notes_: Mapping lambda -> the ``Text`` of its note.
        ax_: The ``Axes``.
        figure_: The figure.

    Examples:
        >>> lams = np.array([0.0, 0.1, 1.0])
        >>> disp = SparsityDisplay(lams, [0.0, 0.25, 0.9]).plot()
        >>> disp.lines_["exact"].get_ydata().tolist()
        [0.0, 0.25, 0.9]
    """

    def __init__(
        self,
        lams: Any,
        zero_fraction: Any,
        *,
        below: Any = None,
        tol: float | None = None,
        kind: str | None = None,
        notes: Mapping[float, str] | None = None,
    ) -> None:
        super().__init__(lams, kind, notes)
        n = self.lams.size
        self.zero_fraction = _as_runs(zero_fraction, n, "zero_fraction")
        self.below = None if below is None else _as_runs(below, n, "below")
        self.tol = None if tol is None else check_positive("tol", tol)

    @classmethod
    def from_result(
        cls,
        result: Any,
        *,
        tol: float | None = None,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> SparsityDisplay:
        """Draw the sparsity of a sweep's models.

        Reads ``result.metrics["zero_fraction"]`` (exact zeros over all kernels).
        With ``tol``, the fraction ``|w| < tol`` is computed from
        ``result.paths`` (every kernel recorded there) for each seed and lambda.

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            tol: Also draw the fraction of weights with ``|w| < tol``, a number
                > 0; ``None`` leaves it out.
            ax: Axes to draw on, or ``None`` for a new figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``result`` is not a sweep result.
            ValueError: If ``tol`` is not > 0.
        """
        lams = _lams_of(result, "metrics", *(() if tol is None else ("paths",)))
        below = None
        if tol is not None:
            tol = check_positive("tol", tol)
            counts, sizes = 0.0, 0
            for array in result.paths.values():
                array = np.asarray(array, dtype=np.float64)
                flat = array.reshape(array.shape[0], array.shape[1], -1)
                counts = counts + (np.abs(flat) < tol).sum(axis=2)
                sizes += flat.shape[2]
            below = np.asarray(counts, dtype=np.float64) / max(sizes, 1)
        zeros = _seed_metric(result, "zero_fraction")
        display = cls._of(result, lams, zeros, below=below, tol=tol)
        return display.plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        color: Any = "black",
        band_alpha: float = 0.2,
        **kwargs: Any,
    ) -> SparsityDisplay:
        """Draw the fractions (y axis in percent, from 0 to 100 %).

        Args:
            ax: Axes to draw on, or ``None`` for a new figure.
            color: Colour of the lines.
            band_alpha: Opacity of the ± std bands.
            **kwargs: Passed to ``Axes.plot`` for the lines.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not an ``Axes``.
        """
        from matplotlib.ticker import PercentFormatter

        ax, _ = self._start(ax)
        parts = [("exact", self.zero_fraction, "exactly 0", color, "-", "o")]
        if self.below is not None:
            tol = "tol" if self.tol is None else f"{self.tol:g}"
            parts.append(("below", self.below, f"|w| < {tol}", color, "--", "^"))
        self._draw_runs(parts, band_alpha, **kwargs)
        ax.set_ylim(-0.03, 1.03)
        ax.yaxis.set_major_formatter(PercentFormatter(xmax=1.0))
        ax.set_ylabel("fraction of kernel weights")
        last = self.mean_["exact"][-1]
        ax.set_title(
            f"Sparsity: {last:.1%} exactly 0 at the largest λ", fontsize="medium"
        )
        ax.legend(fontsize="x-small", loc="best")
        return self._finish()


# ================================================================================
# 4. Decision boundaries across lambdas, as small multiples
# ================================================================================


class SweepBoundariesDisplay:
    """Decision regions of a sweep's models, one small panel per lambda.

    The panels share the plot box, the contour levels and the colour scale
    (drawn by :class:`~kreg.plots.DecisionBoundaryDisplay`, one colour bar for
    all), so the eye follows the boundary from a wiggly, overfitted one at
    ``lam = 0`` to a smooth one and, at the largest lambdas, to an underfitted
    one. The best lambda's panel has a thick frame and "best" in its title.

    Args:
        xx: Grid x coordinates, shape ``(G, H)``.
        yy: Grid y coordinates, same shape.
        lams: The lambdas, increasing, >= 0.
        decision: Probability of class 1 on the grid per lambda, shape
            ``(len(lams), G, H)``.
        data: Optional ``{"x_train", "y_train", "x_val", "y_val"}``: the points.
        titles: Optional panel titles, one per lambda.
        best_lam: The lambda whose panel is highlighted, or ``None``.
        notes: Optional mapping lambda -> a note written across its panel, e.g.
            "diverged at epoch 7" (a grid of NaN draws no contours).

    Attributes:
        boundaries_: The drawn :class:`~kreg.plots.DecisionBoundaryDisplay`
            (its ``contours_``, ``boundaries_``, ``colorbar_``, ...).
        axes_: Mapping lambda (float) -> its ``Axes``, in order.
        contours_: Mapping lambda -> the filled ``QuadContourSet``.
        best_ax_: The best lambda's ``Axes``, or ``None``.
        notes_: Mapping lambda -> the ``Text`` of its note.
        colorbar_: The shared ``Colorbar``, or ``None``.
        ax_: The first panel.
        bounding_ax_: The hidden ``Axes`` whose place was divided, or ``None``.
        figure_: The figure.

    Examples:
        >>> xx, yy = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
        >>> lams = np.array([0.0, 0.1, 1.0])
        >>> decision = np.stack([1 / (1 + np.exp(-s * xx)) for s in (9, 3, 1)])
        >>> disp = SweepBoundariesDisplay(xx, yy, lams, decision).plot()
        >>> list(disp.axes_), len(disp.figure_.axes)
        ([0.0, 0.1, 1.0], 4)
    """

    def __init__(
        self,
        xx: Any,
        yy: Any,
        lams: Any,
        decision: Any,
        *,
        data: Mapping[str, Any] | None = None,
        titles: Sequence[str] | None = None,
        best_lam: float | None = None,
        notes: Mapping[float, str] | None = None,
    ) -> None:
        self.lams = _check_lams(lams)
        self.notes = _read_notes(notes, self.lams)
        decision = np.asarray(decision, dtype=np.float64)
        xx = np.asarray(xx, dtype=np.float64)
        if decision.ndim != 3 or decision.shape != (self.lams.size, *xx.shape):
            _fail(
                "decision",
                f"an array of shape ({self.lams.size}, *grid shape {xx.shape})",
                f"<array of shape {decision.shape}>",
            )
        self.names = []
        for i, lam in enumerate(self.lams):
            name = f"λ = {_lam_label(lam)}"
            self.names.append(name if name not in self.names else f"{name} ({i})")
        if titles is None:
            titles = list(self.names)
        titles = [str(t) for t in titles]
        if len(titles) != self.lams.size:
            _fail("titles", f"{self.lams.size} titles, one per lambda", titles)
        self.best_lam = None if best_lam is None else float(best_lam)
        # The arrays are checked (shapes, threshold) by the boundary display.
        self.boundaries = DecisionBoundaryDisplay(
            xx,
            yy,
            dict(zip(self.names, decision, strict=True)),
            data=data,
            titles=dict(zip(self.names, titles, strict=True)),
            notes={
                name: self.notes[float(lam)]
                for name, lam in zip(self.names, self.lams, strict=True)
                if float(lam) in self.notes
            },
        )

    @classmethod
    def from_result(
        cls,
        result: Any,
        *,
        lams: Sequence[float] | None = None,
        points: bool = True,
        ax: Any = None,
        **kwargs: Any,
    ) -> SweepBoundariesDisplay:
        """Draw a sweep's decision regions, one panel per lambda.

        Reads ``result.grid``, ``result.decision`` (first seed's models, shape
        ``(lambdas, G, H)``), ``result.data`` and, for the titles,
        ``result.mean["val_accuracy"]``.

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            lams: Which lambdas (values of ``result.lams``); ``None`` draws all.
            points: Draw the training and validation points.
            ax: ``None`` (a new figure), one ``Axes`` to divide into the panels,
                or one ``Axes`` per lambda.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``result`` is not a sweep result.
            ValueError: If the result has no decision grid or a lambda is not in
                it.
        """
        all_lams = _lams_of(result, "grid", "decision", "data")
        if result.grid is None or result.decision is None:
            _fail(
                "result",
                "a result with a decision grid (sweep() makes one for data with "
                "2 features)",
                "<result without a grid>",
            )
        if lams is None:
            chosen = list(range(all_lams.size))
        else:
            if isinstance(lams, (str, bytes)) or not isinstance(
                lams, (Sequence, np.ndarray)
            ):
                _fail("lams", "a sequence of the result's lambdas", lams, TypeError)
            chosen = [_lam_index(all_lams, lam, "lams") for lam in lams]
            if not chosen:
                _fail("lams", "at least one lambda", list(lams))
            chosen = sorted(set(chosen))
        mean = getattr(result, "mean", None) or {}
        accuracy = mean.get("val_accuracy")
        best = _best(result, all_lams)
        titles = []
        for i in chosen:
            title = f"λ = {_lam_label(all_lams[i])}"
            if accuracy is not None and np.isfinite(accuracy[i]):
                title += f" (val acc {float(accuracy[i]):.2f})"
            if best is not None and i == best[0]:
                title += " · best"
            titles.append(title)
        display = cls(
            result.grid["xx"],
            result.grid["yy"],
            all_lams[chosen],
            np.asarray(result.decision)[chosen],
            data=dict(result.data) if points else None,
            titles=titles,
            best_lam=None if best is None else best[1],
            notes=_notes(result, all_lams, chosen),
        )
        return display.plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Any = None,
        *,
        ncols: int | None = None,
        colorbar: bool = True,
        cax: Axes | None = None,
        legend: bool = False,
        point_size: float = 10.0,
        **kwargs: Any,
    ) -> SweepBoundariesDisplay:
        """Draw the panels in a grid.

        Args:
            ax: ``None`` (a new figure), one ``Axes`` to divide into the grid, or
                one ``Axes`` per lambda.
            ncols: Panels per row (default: up to 5).
            colorbar: Add one colour bar for all panels.
            cax: Axes for the colour bar; ``None`` takes room from the panels.
            legend: Add the legend of the point markers (training: filled
                circles; validation: white triangles) on the first panel.
            point_size: Marker area of the points.
            **kwargs: Passed to :meth:`kreg.plots.DecisionBoundaryDisplay.plot`
                (e.g. ``cmap``, ``levels``, ``alpha``).

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not ``None``, an ``Axes`` or a sequence of them.
            ValueError: If ``ax`` holds the wrong number of axes.
        """
        n = self.lams.size
        ncols = min(n, 5) if ncols is None else check_int("ncols", ncols, minimum=1)
        ncols = min(ncols, n)
        nrows = math.ceil(n / ncols)
        bounding = None
        panels = ax  # a sequence of Axes, checked by the boundary display
        if ax is None or is_axes(ax):
            size = (2.7 * ncols + 1.0, 2.5 * nrows + 0.2)
            fig, grid, bounding = grid_spec(
                ax, nrows, ncols, figure_kw={"figsize": size}
            )
            panels = add_panels(fig, [grid[i // ncols, i % ncols] for i in range(n)])
        self.boundaries_ = self.boundaries.plot(
            ax=panels,
            colorbar=colorbar,
            cax=cax,
            legend=legend,
            point_size=point_size,
            **kwargs,
        )
        axes = [self.boundaries_.axes_[name] for name in self.names]
        if ax is None or is_axes(ax):
            _label_outer(axes, ncols)
        for panel in axes:
            panel.title.set_fontsize("small")
        names = dict(zip(self.lams.tolist(), self.names, strict=True))
        self.axes_ = {lam: self.boundaries_.axes_[name] for lam, name in names.items()}
        self.contours_ = {
            lam: self.boundaries_.contours_[n] for lam, n in names.items()
        }
        notes = self.boundaries_.notes_
        self.notes_ = {lam: notes[n] for lam, n in names.items() if n in notes}
        self.best_ax_ = None
        if self.best_lam is not None:
            match = np.isclose(self.lams, self.best_lam, rtol=1e-9, atol=0)
            if match.any():  # a thick frame and a bold title
                self.best_ax_ = axes[int(np.argmax(match))]
                for spine in self.best_ax_.spines.values():
                    spine.set_linewidth(2.5)
                self.best_ax_.title.set_fontweight("bold")
        self.colorbar_ = self.boundaries_.colorbar_
        self.ax_ = axes[0]
        self.bounding_ax_ = bounding
        self.figure_ = self.boundaries_.figure_
        return self


# ================================================================================
# 5. The standard figure
# ================================================================================


class SweepDisplay(CompositeDisplay):
    """The standard figure of a sweep: path, validation curve, sparsity, boundaries.

    Top row: :class:`RegularizationPathDisplay`, :class:`ValidationCurveDisplay`
    and :class:`SparsityDisplay`; below, :class:`SweepBoundariesDisplay` (left
    out for data without 2 features). Made by :func:`plot_sweep`.

    Args:
        figure: The figure.
        path: The drawn regularization path.
        validation: The drawn validation curve.
        sparsity: The drawn sparsity figure.
        boundaries: The drawn decision boundaries, or ``None``.
        bounding_ax: The hidden ``Axes`` whose place was divided, or ``None``.

    Attributes:
        figure_: The figure.
        path_: The :class:`RegularizationPathDisplay`.
        validation_: The :class:`ValidationCurveDisplay`.
        sparsity_: The :class:`SparsityDisplay`.
        boundaries_: The :class:`SweepBoundariesDisplay`, or ``None``.
        bounding_ax_: As given.

    """

    def __init__(
        self,
        figure: Any,
        path: RegularizationPathDisplay,
        validation: ValidationCurveDisplay,
        sparsity: SparsityDisplay,
        boundaries: SweepBoundariesDisplay | None,
        bounding_ax: Any = None,
    ) -> None:
        super().__init__(
            figure,
            bounding_ax,
            path=path,
            validation=validation,
            sparsity=sparsity,
            boundaries=boundaries,
        )


def plot_sweep(
    result: Any,
    *,
    key: str | int = 0,
    k: int = 10,
    tol: float | None = None,
    ncols: int | None = None,
    ax: Axes | None = None,
    path_kw: Mapping[str, Any] | None = None,
    validation_kw: Mapping[str, Any] | None = None,
    sparsity_kw: Mapping[str, Any] | None = None,
    boundary_kw: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> SweepDisplay:
    """Draw the standard figure of a lambda sweep.

    Row 1: the regularization path of the ``k`` first-layer weights largest at
    the smallest lambda, the validation curve (training vs validation data loss,
    best lambda marked, ± std bands with several seeds) and the fraction of
    exact zeros. Below: the decision boundaries, one small panel per lambda on
    one colour scale (left out without a decision grid).

    Args:
        result: A ``SweepResult`` of :func:`kreg.sweep`.
        key: The weight of the path: key, unique suffix or position in
            ``result.paths`` (``0``: the first hidden layer's kernel).
        k: How many weights the path shows.
        tol: Also show the fraction of weights with ``|w| < tol``.
        ncols: Boundary panels per row (default: up to 5).
        ax: ``None`` (a new figure) or one ``Axes`` whose place is divided.
        path_kw: Passed to :meth:`RegularizationPathDisplay.plot`.
        validation_kw: Passed to :meth:`ValidationCurveDisplay.plot`.
        sparsity_kw: Passed to :meth:`SparsityDisplay.plot`.
        boundary_kw: Passed to :meth:`SweepBoundariesDisplay.plot`.
        **kwargs: Passed to ``matplotlib.pyplot.figure`` when a figure is made
            (e.g. ``figsize``, ``dpi``).

    Returns:
        A :class:`SweepDisplay`.

    Raises:
        TypeError: If ``result`` is not a sweep result or ``ax`` is not an
            ``Axes``.
        ValueError: If ``key`` is not a weight of the result.

    Examples:
        >>> import os
        >>> import tempfile
        >>> import kreg
        >>> result = kreg.sweep(
        ...     kind="l1", lams=[0.0, 0.1, 1.0], hidden=(8, 8), epochs=5, batch_size=40
        ... )
        >>> path = os.path.join(tempfile.mkdtemp(), "sweep.png")
        >>> plot_sweep(result).figure_.savefig(path)
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """
    check_ax("ax", ax)
    has_grid = (
        getattr(result, "grid", None) is not None
        and getattr(result, "decision", None) is not None
    )
    lams = _lams_of(result, "paths", "metrics", *(("data",) if has_grid else ()))
    n = lams.size
    ncols = min(n, 5) if ncols is None else min(check_int("ncols", ncols), n)
    nrows = math.ceil(n / ncols) if has_grid else 0
    heights = [3.8] + ([2.5] * nrows if has_grid else [])
    kwargs.setdefault("figsize", (max(16.0, 2.7 * ncols + 1.2), sum(heights) + 0.8))
    ratios = [heights[0], sum(heights[1:])] if has_grid else None
    fig, outer, bounding = grid_spec(
        ax, 2 if has_grid else 1, 1, figure_kw=kwargs, height_ratios=ratios
    )
    top = outer[0, 0].subgridspec(1, 3, width_ratios=[1.25, 1.0, 1.0])
    path = RegularizationPathDisplay.from_result(
        result, key, k=k, ax=fig.add_subplot(top[0, 0]), **dict(path_kw or {})
    )
    validation = ValidationCurveDisplay.from_result(
        result, ax=fig.add_subplot(top[0, 1]), **dict(validation_kw or {})
    )
    sparsity = SparsityDisplay.from_result(
        result, tol=tol, ax=fig.add_subplot(top[0, 2]), **dict(sparsity_kw or {})
    )
    boundaries = None
    if has_grid:
        bottom = outer[1, 0].subgridspec(
            nrows, ncols + 1, width_ratios=[1.0] * ncols + [0.06]
        )
        panels = add_panels(fig, [bottom[i // ncols, i % ncols] for i in range(n)])
        options = {"cax": fig.add_subplot(bottom[:, ncols]), **dict(boundary_kw or {})}
        boundaries = SweepBoundariesDisplay.from_result(result, ax=panels, **options)
        _label_outer(panels, ncols)
    return SweepDisplay(fig, path, validation, sparsity, boundaries, bounding)


# --------------------------------------------------------------------------------
# Shortcuts
# --------------------------------------------------------------------------------


def plot_regularization_path(
    result: Any, key: str | int = 0, *, ax: Axes | None = None, **kwargs: Any
) -> RegularizationPathDisplay:
    """Plot a few trained weights of a sweep against lambda.

    Shortcut for :meth:`RegularizationPathDisplay.from_result`, which takes the
    same arguments (``indices``, ``k``, ``at``, ``seed`` and the options of
    :meth:`RegularizationPathDisplay.plot` among ``**kwargs``).

    Returns:
        The drawn :class:`RegularizationPathDisplay`.
    """
    return RegularizationPathDisplay.from_result(result, key, ax=ax, **kwargs)


def plot_validation_curve(
    result: Any, *, ax: Axes | None = None, **kwargs: Any
) -> ValidationCurveDisplay:
    """Plot training vs validation data loss of a sweep against lambda.

    Shortcut for :meth:`ValidationCurveDisplay.from_result` (same arguments:
    ``metric`` and the options of :meth:`ValidationCurveDisplay.plot`).

    Returns:
        The drawn :class:`ValidationCurveDisplay`, the best lambda marked.
    """
    return ValidationCurveDisplay.from_result(result, ax=ax, **kwargs)


def plot_sparsity(
    result: Any, *, ax: Axes | None = None, **kwargs: Any
) -> SparsityDisplay:
    """Plot the fraction of exactly-zero kernel weights of a sweep against lambda.

    Shortcut for :meth:`SparsityDisplay.from_result`, which takes the same
    arguments; ``tol=1e-3`` adds the fraction of weights with ``|w| < 1e-3``.

    Returns:
        The drawn :class:`SparsityDisplay`.
    """
    return SparsityDisplay.from_result(result, ax=ax, **kwargs)


def plot_sweep_boundaries(
    result: Any, *, ax: Any = None, **kwargs: Any
) -> SweepBoundariesDisplay:
    """Plot a sweep's decision regions, one small panel per lambda.

    Shortcut for :meth:`SweepBoundariesDisplay.from_result` (same arguments:
    ``lams``, ``points`` and the options of :meth:`SweepBoundariesDisplay.plot`
    such as ``ncols``).

    Returns:
        The drawn :class:`SweepBoundariesDisplay`.
    """
    return SweepBoundariesDisplay.from_result(result, ax=ax, **kwargs)
