"""Figures of a lambda sweep: Display objects drawing a ``SweepResult``.

Lambda is on a log axis, ``lam = 0`` left of a break (:func:`lambda_positions`). A
figure against lambda keeps each lambda's x as ``positions_`` (``lam = 0``'s as
``zero_x_``, or ``None``) and the ``Text`` of each lambda's note in ``notes_``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kreg._validation import _fail, check_choice, check_int, check_positive
from kreg.plots._common import (
    OUTSIDE,
    SWEEP_RESULT,
    CompositeDisplay,
    add_panels,
    check_ax,
    check_grid,
    check_result,
    divergence,
    fail_shape,
    figure_ax,
    finite_or_nan,
    grid_spec,
    is_axes,
    is_int,
    key_at,
    largest_weights,
    mark_upright,
    one_per,
    position_labels,
    pyplot,
    std_band,
)
from kreg.plots._compare import DecisionBoundaryDisplay

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

_KIND_NAMES = {"l1": "L1", "l2": "L2", "l1l2": "L1L2"}
#: Grid steps between the drawn lam = 0 and the smallest positive lambda.
_ZERO_GAP = 1.5
#: The break mark ``//`` between lam = 0 and the other lambdas.
_BREAK = dict(markersize=9, markeredgewidth=1.2, color="black", linestyle="")


def _check_lams(lams: Any, name: str = "lams") -> np.ndarray:
    values = np.asarray(lams, dtype=np.float64)
    valid = values.ndim == 1 and values.size and np.isfinite(values).all()
    if not valid or values[0] < 0 or np.any(np.diff(values) <= 0):
        _fail(name, "a non-empty increasing 1-D sequence of finite numbers >= 0", lams)
    return values


def lambda_positions(lams: Any) -> tuple[np.ndarray, float | None, float]:
    """Return where each lambda is drawn on a log axis, ``lam = 0`` included.

    Positive lambdas at their value; ``lam = 0`` at ``first / step ** 1.5``, with
    ``first`` the smallest positive lambda and ``step`` the geometric mean ratio of
    consecutive ones (10 for one; within ``[10 ** 0.25, 100]``); at 1 without any.
    Returns ``(positions, zero_x, step)``, ``zero_x`` ``None`` without ``lam = 0``.
    """
    lams = _check_lams(lams)
    positive = lams[lams > 0]
    if positive.size == 0:
        return np.ones_like(lams), 1.0, 10.0
    first, last = float(positive[0]), float(positive[-1])
    step = (last / first) ** (1.0 / (positive.size - 1)) if positive.size > 1 else 10.0
    step = min(max(step, 10**0.25), 100.0)
    zero = first / step**_ZERO_GAP
    zero_x = zero if lams[0] == 0 else None
    return np.where(lams > 0, lams, zero), zero_x, step


def _lam_label(lam: float) -> str:
    return "0" if lam == 0 else f"{lam:.3g}"


def _setup_lambda_axis(ax: Axes, lams: np.ndarray) -> tuple[np.ndarray, float | None]:
    """Put ``ax``'s x axis on a log scale for ``lams``, "0" and break mark included."""
    from matplotlib.path import Path
    from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

    positions, zero_x, step = lambda_positions(lams)
    positive = lams[lams > 0]
    high = float(positions.max()) * step**0.5
    ax.set_xscale("log")
    ax.set_xlim(float(positions.min()) / step**0.5, high)
    ticks: list[float] = []
    minor: list[float] = []
    if positive.size:
        start = float(positive[0]) / step**0.5  # no tick left of the break
        exponents = range(math.floor(math.log10(start)), math.ceil(math.log10(high)))
        ticks = [10.0**e for e in exponents if start <= 10.0**e <= high]
        if len(ticks) >= 2:
            minor = [m * 10.0**e for e in exponents for m in range(2, 10)]
            minor = [x for x in minor if start <= x <= high]
        else:
            ticks = [float(v) for v in positive[:: math.ceil(positive.size / 6)]]
    if zero_x is not None:
        ticks = [zero_x, *ticks]

    def label(value: float, _pos: Any = None) -> str:  # "0", 0.01 ... 100, $10^3$
        if zero_x is not None and math.isclose(value, zero_x, rel_tol=1e-9):
            return "0"
        exponent = round(math.log10(value))
        if abs(value / 10.0**exponent - 1) >= 1e-9:
            return f"{value:.3g}"
        return f"{10.0**exponent:g}" if -2 <= exponent <= 2 else f"$10^{{{exponent}}}$"

    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(label))
    ax.xaxis.set_minor_locator(FixedLocator(minor))
    ax.xaxis.set_minor_formatter(NullFormatter())
    if zero_x is not None and positive.size:
        mark = Path(
            [(-1.6, -1.0), (-0.4, 1.0), (0.4, -1.0), (1.6, 1.0)],
            [Path.MOVETO, Path.LINETO, Path.MOVETO, Path.LINETO],
        )
        where = [math.sqrt(zero_x * float(positive[0]))]
        on = dict(transform=ax.get_xaxis_transform(), clip_on=False, zorder=5)
        for y in (0.0, 1.0):  # on the bottom and the top spine
            ax.plot(where, [y], marker=mark, label="_break", **on, **_BREAK)
    return positions, zero_x


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
    """Lambda -> "diverged at epoch N" for ``lams[indices]``, from every seed's runs."""
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
        held = f"<metrics {sorted(result.metrics)}>"
        _fail("result", f"a result whose metrics hold {name!r}", held)
    return _as_runs(result.metrics[name], len(result.lams), f"result.metrics[{name!r}]")


def _mean_std(runs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and std (ddof=0) of the finite values over the runs; NaN where none."""
    finite = finite_or_nan(runs)
    with warnings.catch_warnings():  # all-NaN columns: NaN, without a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(finite, axis=0), np.nanstd(finite, axis=0)


def _seed_index(result: Any, seed: int | None) -> int:
    seeds = [int(s) for s in getattr(result, "seeds", [0]) or [0]]
    if seed is None:
        return 0
    expected = f"one of the result's seeds {seeds} or None"
    if not is_int(seed):
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
    if full is not None or key in keys:
        return full or key
    matches = [k for k in keys if k.endswith("/" + key) or key.endswith("/" + k)]
    if len(matches) != 1:
        _fail("key", f"one of the result's weight paths {keys}", key)
    return matches[0]


def _cells(grid: Any, n: int, ncols: int) -> list:
    """The first ``n`` cells of ``grid``, row by row."""
    return [grid[i // ncols, i % ncols] for i in range(n)]


def _label_outer(panels: Sequence[Axes], ncols: int) -> None:
    """Label x1 and x2 only on the outer panels (one with nothing below keeps x1)."""
    for i, panel in enumerate(panels):
        left, bottom = i % ncols == 0, i + ncols >= len(panels)
        panel.tick_params(labelleft=left, labelbottom=bottom)
        panel.set_ylabel("x2" if left else "")
        panel.set_xlabel("x1" if bottom else "")


class _LambdaDisplay:
    """The lambdas, the axis and the notes of a figure against lambda."""

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
        name = _KIND_NAMES.get(str(self.kind))
        what = f"{name} strength λ" if name else "λ"
        self.ax_.set_xlabel(f"{what} (log scale; 0 left of the break)")
        return self.ax_, self.positions_

    def _draw_runs(self, parts: Sequence[tuple], band_alpha: float, **kw: Any) -> None:
        """Per ``(part, runs, label, color, linestyle, marker)``: mean, ± std band."""
        self.mean_, self.std_, self.lines_, self.bands_ = {}, {}, {}, {}
        for part, runs, label, color, linestyle, marker in parts:
            mean, std = _mean_std(runs)
            self.mean_[part], self.std_[part] = mean, std
            seeds = runs.shape[0]
            if seeds > 1:
                label += f" (mean ± std, {seeds} seeds)"
            style = {"color": color, "linestyle": linestyle, "marker": marker}
            style = {**style, "markersize": 4, "label": label, **kw}
            (self.lines_[part],) = self.ax_.plot(self.positions_, mean, **style)
            if seeds > 1:
                self.bands_[part] = std_band(
                    self.ax_, self.positions_, mean, std, color, band_alpha
                )

    def _finish(self, title: str, ylabel: str, legend: dict | None) -> Any:
        """Title, y label, legend (its options, or ``None``) and upright notes."""
        self.ax_.set_title(title, fontsize="medium")
        self.ax_.set_ylabel(ylabel)
        if legend is not None:
            self.ax_.legend(**{"fontsize": "x-small", **legend})
        self.notes_ = {}
        for lam, text in self.notes.items():
            x = self.positions_[_lam_index(self.lams, lam, "notes")]
            self.notes_[lam] = mark_upright(self.ax_, text, x)
        return self


class RegularizationPathDisplay(_LambdaDisplay):
    """A selection of trained weights against lambda: the regularization path.

    Exact zeros at ``lam > 0`` are black dots. Each lambda's model is trained on its
    own: a weight exactly 0 at one lambda and non-zero at a larger one is ringed.

    Args:
        lams: The lambdas, increasing, >= 0.
        values: The weights, shape ``(len(lams), k)``: column ``j`` is weight ``j``.
        labels: One label per weight (default ``"w0"``, ``"w1"``, ...).
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``, for the title, or ``None``.
        key: The weight's name, for the title, or ``None``.
        notes: Optional mapping lambda -> a note written upright at its place.

    Attributes:
        lines_: A ``Line2D`` per weight; ``zeros_``: the exact zeros' dots or ``None``.
        n_zero_: Per lambda, how many of the drawn weights are exactly 0.
        revived_: The columns exactly 0 at some ``lam > 0``, non-zero at a larger one;
            ``revived_points_``: the rings where they leave 0, or ``None``.
        indices_, seed_: (:meth:`from_result`) the flat indices drawn, and the seed.

    Examples:
        >>> values = [[1.0, -0.6], [0.5, 0.0], [0.0, 0.0]]
        >>> RegularizationPathDisplay([0.0, 0.1, 1.0], values).plot().n_zero_.tolist()
        [0, 1, 2]
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
        self.key = key
        self.values = np.asarray(values, dtype=np.float64)
        if self.values.ndim == 1:
            self.values = self.values[:, None]
        if self.values.ndim != 2 or self.values.shape[0] != self.lams.size:
            expected = f"an array of shape ({self.lams.size}, k), one row per lambda"
            fail_shape("values", expected, values)
        k = self.values.shape[1]
        labels = [f"w{j}" for j in range(k)] if labels is None else labels
        self.labels = one_per("labels", labels, k, "labels, one per weight")

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
        """Draw the path of a few weights of one seed's models of a sweep.

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            key: Which weight: a key of ``result.paths``, a unique suffix or a position.
            indices: Which entries; ``None``: the ``k`` largest ``|w|`` at ``at``.
            k: How many weights when ``indices`` is ``None``.
            at: The lambda where they are picked; ``None``: the smallest.
            seed: Which seed's models (of ``result.seeds``); ``None``: the first.
            ax: Axes to draw on, or ``None`` for a new figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.
        """
        lams = _lams_of(result, "paths")
        full = _path_key(result, key)
        s = _seed_index(result, seed)
        array = np.asarray(result.paths[full], dtype=np.float64)
        if array.ndim < 3 or array.shape[1] != lams.size:
            expected = f"an array of shape (seeds, {lams.size}, ...)"
            fail_shape(f"result.paths[{full!r}]", expected, array)
        shape = array.shape[2:]
        flat = array[s].reshape(lams.size, -1)
        row = 0 if at is None else _lam_index(lams, at, "at")
        chosen = largest_weights(flat[row], k, indices, shape)
        labels = position_labels(chosen, shape, "w[{}]", ", ")
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
            colors: One colour per weight (default: ``tab10``; ``viridis`` beyond 10).
            legend: Show a legend beside the axes (default: up to 10 weights).
            mark_zeros: Mark the points exactly 0 (``lam > 0``) with black dots.
            **kwargs: Passed to ``Axes.plot`` for every line.

        Returns:
            ``self``, drawn.
        """
        ax, positions = self._start(ax)
        k = self.values.shape[1]
        if colors is None:
            cmap = pyplot().get_cmap("tab10" if k <= 10 else "viridis")
            colors = [cmap(j if k <= 10 else j / max(k - 1, 1)) for j in range(k)]
        colors = one_per("colors", colors, k, "colours, one per weight")
        ax.axhline(0.0, color="0.3", linewidth=0.8, zorder=1)
        style = {"marker": "o", "markersize": 3.5, "linewidth": 1.5}
        self.lines_ = []
        for j, (color, label) in enumerate(zip(colors, self.labels, strict=True)):
            options = {**style, "color": color, "label": label, **kwargs}
            self.lines_.append(ax.plot(positions, self.values[:, j], **options)[0])
        exact = (self.values == 0.0) & (self.lams[:, None] > 0)
        self.n_zero_ = (self.values == 0.0).sum(axis=1)
        self.zeros_ = None
        if mark_zeros and exact.any():
            rows, _ = np.nonzero(exact)
            style = dict(s=22, color="black", zorder=4, label="exactly 0")
            self.zeros_ = ax.scatter(positions[rows], np.zeros(rows.size), **style)
        # A weight leaves 0 again: non-zero at a lambda after one where it was 0.
        was_zero = np.maximum.accumulate(exact, axis=0)
        before = np.vstack([np.zeros((1, k), bool), was_zero[:-1]])
        again = (self.values != 0.0) & before
        self.revived_ = [int(j) for j in np.flatnonzero(again.any(axis=0))]
        self.revived_points_ = None
        if mark_zeros and self.revived_:
            first = np.vstack([again[:1], again[1:] & ~again[:-1]])  # each return
            rows, cols = np.nonzero(first)
            ring = dict(s=70, facecolors="none", edgecolors="black", linewidths=1.2)
            ring.update(zorder=5, label="non-zero again")
            ys = self.values[rows, cols]
            self.revived_points_ = ax.scatter(positions[rows], ys, **ring)
        kind = _KIND_NAMES.get(str(self.kind))
        what = f"{k} weights" + (f" of {self.key}" if self.key else "")
        title = f"Regularization path{f' ({kind})' if kind else ''}: {what}"
        if self.n_zero_[-1] and self.lams[-1] > 0:
            title += f"\n{int(self.n_zero_[-1])} of {k} exactly 0 at the largest λ"
        if self.revived_:
            n = len(self.revived_)
            title += f"\n{n} of {k} exactly 0 at a λ, non-zero again at a larger one"
        beside = dict(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        shown = (k <= 10) if legend is None else legend
        return self._finish(title, "weight after training", beside if shown else None)


class ValidationCurveDisplay(_LambdaDisplay):
    """Training and validation data loss against lambda, the best lambda marked.

    Data losses (no penalty) after the last epoch; several seeds: means, ± std.

    Args:
        lams: The lambdas, increasing, >= 0.
        train: Training values, ``(len(lams),)`` or ``(seeds, len(lams))``.
        val: Validation values, same shape.
        best_lam: The lambda to mark (default: the best mean validation value).
        metric: ``"loss"`` or ``"accuracy"``, for the labels.
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``, for the labels, or ``None``.
        notes: Optional mapping lambda -> a note written upright at its place.

    Attributes:
        mean_: ``{"train": ..., "val": ...}`` over seeds; ``std_``: their spread.
        lines_: ``"train"``, ``"val"`` -> ``Line2D``; ``bands_``: their ± std bands.
        best_lam_: The lambda marked; ``best_index_``: its position.
        best_line_: The vertical line there; ``best_point_``: the star on the curve.

    Examples:
        >>> val = np.array([0.9, 0.25, 0.69])
        >>> ValidationCurveDisplay([0.0, 0.1, 1.0], val / 2, val).plot().best_lam_
        0.1
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
        self.metric = check_choice("metric", metric, ("loss", "accuracy"))
        n = self.lams.size
        self.train = _as_runs(train, n, "train")
        self.val = _as_runs(val, n, "val")
        if self.train.shape != self.val.shape:
            _fail("val", f"the shape of `train` {self.train.shape}", self.val.shape)
        if best_lam is not None:
            self.best_index = _lam_index(self.lams, best_lam, "best_lam")
        else:
            mean, _ = _mean_std(self.val)
            pick = np.nanargmin if metric == "loss" else np.nanargmax
            self.best_index = int(pick(mean)) if np.isfinite(mean).any() else 0
        self.best_lam = float(self.lams[self.best_index])

    @classmethod
    def from_result(
        cls, result: Any, *, metric: str = "loss", ax: Axes | None = None, **kwargs: Any
    ) -> ValidationCurveDisplay:
        """Draw the validation curve of a sweep, ``result.best_lam`` marked.

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            metric: ``"loss"`` or ``"accuracy"``; the best lambda stays the result's.
            ax: Axes to draw on, or ``None`` for a new figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.
        """
        lams = _lams_of(result, "metrics")
        metric = check_choice("metric", metric, ("loss", "accuracy"))
        best = getattr(result, "best_index", None)
        train = _seed_metric(result, f"train_{metric}")
        val = _seed_metric(result, f"val_{metric}")
        best_lam = None if best is None else lams[best]
        display = cls._of(result, lams, train, val, best_lam=best_lam, metric=metric)
        return display.plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        colors: tuple[Any, Any] = ("tab:blue", "tab:red"),
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
            ``self``, drawn.
        """
        ax, positions = self._start(ax)
        word = "data loss" if self.metric == "loss" else "accuracy"
        parts = [
            ("train", self.train, f"training {word}", colors[0], "-", "o"),
            ("val", self.val, f"validation {word}", colors[1], "--", "s"),
        ]
        self._draw_runs(parts, band_alpha, **{"linewidth": 1.6, **kwargs})
        i, best = self.best_index, _lam_label(self.best_lam)
        line = dict(color="black", linestyle=":", linewidth=1.2)
        self.best_line_ = ax.axvline(positions[i], label=f"best λ = {best}", **line)
        star = dict(marker="*", markersize=13, color="gold", markeredgecolor="black")
        (self.best_point_,) = ax.plot(
            [positions[i]], [self.mean_["val"][i]], linestyle="", zorder=5, **star
        )
        if logy and any(np.any(mean > 0) for mean in self.mean_.values()):
            ax.set_yscale("log")  # not without a positive value (all diverged)
        self.best_lam_, self.best_index_ = self.best_lam, self.best_index
        value = f"validation {word} {self.mean_['val'][i]:.3g}"
        title = f"Validation curve: best λ = {best} ({value})"
        ylabel = word if self.metric == "accuracy" else "data loss (cross-entropy)"
        return self._finish(title, ylabel, OUTSIDE)


class SparsityDisplay(_LambdaDisplay):
    """The fraction of kernel weights exactly 0 against lambda.

    Optionally, dashed, the fraction merely small (``|w| < tol``).

    Args:
        lams: The lambdas, increasing, >= 0.
        zero_fraction: Fraction exactly 0, ``(len(lams),)`` or ``(seeds, len(lams))``.
        below: Fraction with ``|w| < tol``, the same shape, or ``None``.
        tol: The tolerance of ``below``, for the label.
        kind: ``"l1"``, ``"l2"`` or ``"l1l2"``, for the labels, or ``None``.
        notes: Optional mapping lambda -> a note written upright at its place.

    Attributes:
        mean_: ``"exact"`` (and ``"below"``) -> means per lambda; ``std_``: spreads.
        lines_: ``"exact"`` (and ``"below"``) -> ``Line2D``; ``bands_``: ± std.

    Examples:
        >>> disp = SparsityDisplay([0.0, 0.1, 1.0], [0.0, 0.25, 0.9]).plot()
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
        """Draw the sparsity of a sweep's models (``result.metrics["zero_fraction"]``).

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            tol: Also draw the fraction of ``result.paths`` with ``|w| < tol`` (> 0).
            ax: Axes to draw on, or ``None`` for a new figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.
        """
        lams = _lams_of(result, "metrics", *(() if tol is None else ("paths",)))
        below = None
        if tol is not None:
            tol = check_positive("tol", tol)
            arrays = [np.asarray(a, dtype=np.float64) for a in result.paths.values()]
            flat = [a.reshape(a.shape[0], a.shape[1], -1) for a in arrays]
            counts = sum((np.abs(f) < tol).sum(axis=2) for f in flat)
            size = max(sum(f.shape[2] for f in flat), 1)
            below = np.asarray(counts, dtype=np.float64) / size
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
        """Draw the fractions, the y axis in percent.

        Args:
            ax: Axes to draw on, or ``None`` for a new figure.
            color: Colour of the lines.
            band_alpha: Opacity of the ± std bands.
            **kwargs: Passed to ``Axes.plot`` for the lines.

        Returns:
            ``self``, drawn.
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
        title = f"Sparsity: {self.mean_['exact'][-1]:.1%} exactly 0 at the largest λ"
        return self._finish(title, "fraction of kernel weights", OUTSIDE)


class SweepBoundariesDisplay:
    """Decision regions of a sweep's models, one small panel per lambda.

    Drawn by :class:`~kreg.plots.DecisionBoundaryDisplay` on one scale; the best
    lambda's panel in bold.

    Args:
        xx: Grid x coordinates, shape ``(G, H)``.
        yy: Grid y coordinates, same shape.
        lams: The lambdas, increasing, >= 0.
        decision: Probability of class 1 per lambda, ``(len(lams), G, H)``.
        data: Optional ``{"x_train", "y_train", "x_val", "y_val"}``: the points.
        titles: Optional panel titles, one per lambda.
        best_lam: The lambda whose panel is highlighted, or ``None``.
        notes: Optional mapping lambda -> a note written across its panel.

    Attributes:
        boundaries_: The drawn :class:`~kreg.plots.DecisionBoundaryDisplay`.
        axes_: Lambda -> its ``Axes``; ``contours_``: lambda -> ``QuadContourSet``.
        best_ax_: The best lambda's ``Axes``, or ``None``.
        notes_: Lambda -> the ``Text`` of its note; ``colorbar_``: the colour bar.

    Examples:
        >>> xx, yy = np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9))
        >>> decision = np.stack([1 / (1 + np.exp(-s * xx)) for s in (9, 3, 1)])
        >>> disp = SweepBoundariesDisplay(xx, yy, [0.0, 0.1, 1.0], decision).plot()
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
        shape = np.shape(xx)
        if decision.ndim != 3 or decision.shape != (self.lams.size, *shape):
            expected = f"an array of shape ({self.lams.size}, *grid shape {shape})"
            fail_shape("decision", expected, decision)
        self.names = []
        for i, lam in enumerate(self.lams):
            name = f"λ = {_lam_label(lam)}"
            self.names.append(name if name not in self.names else f"{name} ({i})")
        titles = self.names if titles is None else [str(t) for t in titles]
        titles = one_per("titles", titles, self.lams.size, "titles, one per lambda")
        self.best_lam = None if best_lam is None else float(best_lam)
        self._by_lam = dict(zip(self.lams.tolist(), self.names, strict=True))
        # The arrays are checked (shapes, threshold) by the boundary display.
        by_name = dict(zip(self.names, decision, strict=True))
        options = dict(data=data, titles=dict(zip(self.names, titles, strict=True)))
        options["notes"] = {self._by_lam[lam]: t for lam, t in self.notes.items()}
        self.boundaries = DecisionBoundaryDisplay(xx, yy, by_name, **options)

    @classmethod
    def from_result(
        cls,
        result: Any,
        *,
        lams: Sequence[float] | np.ndarray | None = None,
        points: bool = True,
        ax: Any = None,
        **kwargs: Any,
    ) -> SweepBoundariesDisplay:
        """Draw the decision regions of a sweep's first seed, one panel per lambda.

        Args:
            result: A ``SweepResult`` of :func:`kreg.sweep`.
            lams: Which lambdas (values of ``result.lams``); ``None`` draws all.
            points: Draw the data points on every panel.
            ax: ``None``, one ``Axes`` to divide, or one ``Axes`` per lambda.
            **kwargs: Passed to :meth:`plot` (e.g. ``ncols``).

        Returns:
            The Display, drawn, a panel per lambda.
        """
        all_lams = _lams_of(result, "grid", "decision", "data")
        check_grid(result, "sweep", "decision")
        chosen = list(range(all_lams.size))
        if lams is not None:
            sequence = isinstance(lams, (Sequence, np.ndarray))
            if isinstance(lams, (str, bytes)) or not sequence:
                _fail("lams", "a sequence of the result's lambdas", lams, TypeError)
            chosen = sorted({_lam_index(all_lams, lam, "lams") for lam in lams})
            if not chosen:
                _fail("lams", "at least one lambda", list(lams))
        accuracy = (getattr(result, "mean", None) or {}).get("val_accuracy")
        best = getattr(result, "best_index", None)
        titles = []
        for i in chosen:
            title = f"λ = {_lam_label(all_lams[i])}"
            if accuracy is not None and np.isfinite(accuracy[i]):
                title += f" (val acc {float(accuracy[i]):.2f})"
            titles.append(f"{title} · best" if i == best else title)
        display = cls(
            result.grid["xx"],
            result.grid["yy"],
            all_lams[chosen],
            np.asarray(result.decision)[chosen],
            data=dict(result.data) if points else None,
            titles=titles,
            best_lam=None if best is None else float(result.best_lam),
            notes=_notes(result, all_lams, chosen),
        )
        return display.plot(ax=ax, **kwargs)

    def plot(
        self, ax: Any = None, *, ncols: int | None = None, **kwargs: Any
    ) -> SweepBoundariesDisplay:
        """Draw the panels in a grid.

        Args:
            ax: ``None`` (a new figure), one ``Axes`` to divide, or one per lambda.
            ncols: Panels per row (default: up to 5).
            **kwargs: Passed to :meth:`kreg.plots.DecisionBoundaryDisplay.plot`
                (default ``legend=False``, ``point_size=10``).

        Returns:
            ``self``, drawn.
        """
        n = self.lams.size
        ncols = min(n, 5 if ncols is None else check_int("ncols", ncols))
        bounding, panels = None, ax  # a sequence of Axes, checked by the boundaries
        divided = ax is None or is_axes(ax)
        if divided:
            nrows = math.ceil(n / ncols)
            size = (2.7 * ncols + 1.0, 2.5 * nrows + 0.2)
            fig, grid, bounding = grid_spec(
                ax, nrows, ncols, figure_kw={"figsize": size}
            )
            panels = add_panels(fig, _cells(grid, n, ncols))
        options = {"legend": False, "point_size": 10.0, **kwargs}
        drawn = self.boundaries_ = self.boundaries.plot(ax=panels, **options)
        axes = [drawn.axes_[name] for name in self.names]
        if divided:
            _label_outer(axes, ncols)
        for panel in axes:
            panel.title.set_fontsize("small")
        self.axes_, self.contours_, self.notes_ = (
            {lam: of[name] for lam, name in self._by_lam.items() if name in of}
            for of in (drawn.axes_, drawn.contours_, drawn.notes_)
        )
        self.best_ax_ = None
        if self.best_lam is not None:
            match = np.isclose(self.lams, self.best_lam, rtol=1e-9, atol=0)
            if match.any():  # a thick frame and a bold title
                self.best_ax_ = axes[int(np.argmax(match))]
                for spine in self.best_ax_.spines.values():
                    spine.set_linewidth(2.5)
                self.best_ax_.title.set_fontweight("bold")
        self.colorbar_, self.figure_ = drawn.colorbar_, drawn.figure_
        self.ax_, self.bounding_ax_ = axes[0], bounding
        return self


class SweepDisplay(CompositeDisplay):
    """The figure of :func:`plot_sweep`; each part is kept as ``part_``.

    Args:
        figure: The figure.
        path: The drawn :class:`RegularizationPathDisplay`.
        validation: The drawn :class:`ValidationCurveDisplay`.
        sparsity: The drawn :class:`SparsityDisplay`.
        boundaries: The drawn :class:`SweepBoundariesDisplay`, or ``None``.
        bounding_ax: The hidden ``Axes`` whose place was divided, or ``None``.
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
        parts = dict(path=path, validation=validation, sparsity=sparsity)
        super().__init__(figure, bounding_ax, boundaries=boundaries, **parts)


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

    Row 1: the regularization path, the validation curve and the sparsity; below,
    the decision boundaries, a panel per lambda (none without a grid).

    Args:
        result: A ``SweepResult`` of :func:`kreg.sweep`.
        key: The weight of the path: key, unique suffix or position.
        k: How many weights the path shows.
        tol: Also show the fraction of weights with ``|w| < tol``.
        ncols: Boundary panels per row (default: up to 5).
        ax: ``None`` (a new figure) or one ``Axes`` whose place is divided.
        path_kw: Passed to :meth:`RegularizationPathDisplay.plot`.
        validation_kw: Passed to :meth:`ValidationCurveDisplay.plot`.
        sparsity_kw: Passed to :meth:`SparsityDisplay.plot`.
        boundary_kw: Passed to :meth:`SweepBoundariesDisplay.plot`.
        **kwargs: Passed to ``matplotlib.pyplot.figure`` (e.g. ``figsize``).

    Returns:
        A :class:`SweepDisplay`.

    Examples:
        >>> import kreg
        >>> result = kreg.sweep(kind="l1", lams=[0.0, 1.0], hidden=(8,), epochs=3)
        >>> plot_sweep(result).boundaries_.best_ax_ is not None
        True
    """
    check_ax("ax", ax)
    has_grid = all(getattr(result, a, None) is not None for a in ("grid", "decision"))
    lams = _lams_of(result, "paths", "metrics", *(("data",) if has_grid else ()))
    n = lams.size
    ncols = min(n, 5 if ncols is None else check_int("ncols", ncols))
    nrows = math.ceil(n / ncols) if has_grid else 0
    size = (max(16.0, 2.7 * ncols + 1.2), 3.8 + 2.5 * nrows + 0.8)
    kwargs.setdefault("figsize", size)
    ratios = [3.8, 2.5 * nrows] if has_grid else None
    fig, outer, bounding = grid_spec(
        ax, 2 if has_grid else 1, 1, figure_kw=kwargs, height_ratios=ratios
    )
    top = outer[0, 0].subgridspec(1, 3, width_ratios=[1.25, 1.0, 1.0])
    axes = [fig.add_subplot(top[0, c]) for c in range(3)]
    path = RegularizationPathDisplay.from_result(
        result, key, k=k, ax=axes[0], **dict(path_kw or {})
    )
    validation = ValidationCurveDisplay.from_result(
        result, ax=axes[1], **dict(validation_kw or {})
    )
    sparsity = SparsityDisplay.from_result(
        result, tol=tol, ax=axes[2], **dict(sparsity_kw or {})
    )
    boundaries = None
    if has_grid:
        widths = [1.0] * ncols + [0.06]
        bottom = outer[1, 0].subgridspec(nrows, ncols + 1, width_ratios=widths)
        panels = add_panels(fig, _cells(bottom, n, ncols))
        options = {"cax": fig.add_subplot(bottom[:, ncols]), **dict(boundary_kw or {})}
        boundaries = SweepBoundariesDisplay.from_result(result, ax=panels, **options)
        _label_outer(panels, ncols)
    return SweepDisplay(fig, path, validation, sparsity, boundaries, bounding)


def plot_regularization_path(
    result: Any, key: str | int = 0, *, ax: Axes | None = None, **kwargs: Any
) -> RegularizationPathDisplay:
    """Plot a few trained weights of a sweep against lambda.

    Returns:
        The drawn Display of :meth:`RegularizationPathDisplay.from_result`.
    """
    return RegularizationPathDisplay.from_result(result, key, ax=ax, **kwargs)


def plot_validation_curve(
    result: Any, *, ax: Axes | None = None, **kwargs: Any
) -> ValidationCurveDisplay:
    """Plot training vs validation data loss of a sweep against lambda.

    Returns:
        The drawn Display of :meth:`ValidationCurveDisplay.from_result`.
    """
    return ValidationCurveDisplay.from_result(result, ax=ax, **kwargs)


def plot_sparsity(
    result: Any, *, ax: Axes | None = None, **kwargs: Any
) -> SparsityDisplay:
    """Plot the fraction of exactly-zero kernel weights of a sweep against lambda.

    Returns:
        The drawn Display of :meth:`SparsityDisplay.from_result`.
    """
    return SparsityDisplay.from_result(result, ax=ax, **kwargs)


def plot_sweep_boundaries(
    result: Any, *, ax: Any = None, **kwargs: Any
) -> SweepBoundariesDisplay:
    """Plot a sweep's decision regions, one small panel per lambda.

    Returns:
        The drawn Display of :meth:`SweepBoundariesDisplay.from_result`.
    """
    return SweepBoundariesDisplay.from_result(result, ax=ax, **kwargs)
