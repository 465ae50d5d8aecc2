"""Figures of a comparison run: Display objects drawing a ``ComparisonResult``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kreg._validation import _check_real, _fail, check_fraction, check_int
from kreg.plots._common import (
    COMPARISON_RESULT,
    OUTSIDE,
    CompositeDisplay,
    add_panels,
    append_axes,
    check_ax,
    check_below,
    check_grid,
    check_result,
    divergence,
    fail_shape,
    finite_or_nan,
    grid_spec,
    is_axes,
    largest_weights,
    mark_diverged,
    mark_upright,
    panel_axes,
    resolve_key,
    robust_ylim,
    std_band,
    variant_colors,
)
from kreg.plots._history import (
    NetworkDisplay,
    WeightBarsDisplay,
    WeightDistributionDisplay,
    edge_clip,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

#: Colours of class 0 and class 1, the two ends of the default colour map.
CLASS_COLORS: tuple[str, str] = ("#2166ac", "#b2182b")
_CMAP = "RdBu_r"  # the probability of class 1: blue = 0, red = 1
_LEVELS = tuple(np.round(np.linspace(0.0, 1.0, 11), 10))  # steps of 0.1
_CURVE_NAMES = ("train_loss", "val_loss", "penalty")
_ERRORBARS = dict(fmt="none", ecolor="black", elinewidth=1.2, capsize=4, zorder=3)
_SEED_DOTS = dict(s=12, color="black", alpha=0.6, zorder=4)
#: The marks on the top (bottom) edge of the values above (below) the y range.
_BEYOND = {
    side: dict(linestyle="", marker=m, markersize=5, clip_on=False, zorder=5)
    for side, m in (("above", "^"), ("below", "v"))
}
#: Validation dashed, thinner and lighter: the two stay apart where noisy.
_LOSSES = {
    "train": dict(linestyle="-", linewidth=1.5, alpha=1.0),
    "val": dict(linestyle="--", linewidth=1.0, alpha=0.6),
}
_WORDS = {"train": "training", "val": "validation"}
#: Training points filled, validation points outlined.
_POINTS = {
    "train": dict(marker="o", edgecolors="black", linewidths=0.6, zorder=3),
    "val": dict(marker="^", facecolors="white", linewidths=1.6, zorder=4),
}
_BAR_TITLES = {
    "train_loss": "training data loss",
    "val_loss": "validation data loss",
    "train_accuracy": "training accuracy",
    "val_accuracy": "validation accuracy",
    "gap": "gap (val - train loss)",
    "penalty": "penalty",
    "first_kernel_min": "first-layer kernel min",
    "first_kernel_max": "first-layer kernel max",
    "zero_fraction": "fraction exactly 0",
    "l1_norm": "L1 norm of the kernels",
    "l2_norm": "L2 norm of the kernels",
}


def _select_variants(
    result: Any, variants: Sequence[str] | None, *attributes: str
) -> list[str]:
    """``result.variants``, or the checked ``variants``; ``result`` checked first."""
    check_result(result, COMPARISON_RESULT, "variants", *attributes)
    available = [str(v) for v in result.variants]
    if variants is None:
        return available
    chosen = [variants] if isinstance(variants, str) else [str(v) for v in variants]
    if not chosen or any(v not in available for v in chosen):
        expected = f"a non-empty list of variants of the result, among {available}"
        _fail("variants", expected, chosen)
    return chosen


def _n_seeds(result: Any) -> int:
    return len(getattr(result, "seeds", None) or [0])


def _boundary_title(result: Any, variant: str) -> str:
    """The variant, "val acc 0.91 ± 0.02, gap 0.05", then the boundary length."""

    def field(name: str) -> dict:  # result.<name>[variant], or {}
        return (getattr(result, name, None) or {}).get(variant) or {}

    m, several = field("metrics"), _n_seeds(result) > 1
    spread = field("metrics_std") if several else {}
    parts = []
    for key, word in (("val_accuracy", "val acc"), ("gap", "gap")):
        if key in m and np.isfinite(m[key]):
            text = f"{word} {m[key]:.2f}"
            if key in spread and np.isfinite(spread[key]):
                text += f" ± {spread[key]:.2f}"
            parts.append(text)
    lines = [variant, ", ".join(parts)]
    if "boundary_length" in m:
        text = f"boundary {m['boundary_length']:.2f}"
        if several and "boundary_length" in field("per_seed"):
            std = spread["boundary_length"]
            drawn = field("per_seed")["boundary_length"][0]
            text += f" ± {std:.2f}; seed {result.seeds[0]} drawn: {drawn:.2f}"
        lines.append(text)
    return "\n".join(filter(None, lines))


def _notes(result: Any, chosen: Sequence[str]) -> dict[str, str]:
    """Variant -> "diverged at epoch N", from its curves, weights and decision grid."""
    curves = getattr(result, "curves", None) or {}
    histories = getattr(result, "histories", None) or {}
    decision = getattr(result, "decision", None) or {}
    notes = {}
    for name in chosen:
        history = histories.get(name)
        notes[name] = divergence(
            curves.get(name, {}),
            getattr(result, "epochs", None),
            weights=[] if history is None else list(history.weights.values()),
            predictions=[decision[name]] if name in decision else [],
        )
    return {name: note for name, note in notes.items() if note is not None}


def _read_notes(notes: Mapping[str, str] | None, names: Sequence[str]) -> dict:
    """``notes`` as a dict of str, checked to name only variants of ``names``."""
    out = {str(k): str(v) for k, v in (notes or {}).items()}
    unknown = sorted(set(out) - set(names))
    if unknown:
        _fail("notes", f"notes of variants among {list(names)}", unknown)
    return out


def _write_notes(axes: Mapping[str, Axes], notes: Mapping[str, str]) -> dict:
    """Write each variant's note in its panel (stacked, named, on a shared panel)."""
    written: dict[str, Any] = {}
    for name, text in notes.items():
        panel = axes[name]
        row = sum(axes[other] is panel for other in written)
        if sum(ax is panel for ax in axes.values()) > 1:
            text = f"{name}: {text}"
        written[name] = mark_diverged(panel, text, y=0.5 - 0.1 * row)
    return written


class DecisionBoundaryDisplay:
    """Decision regions of several classifiers side by side, on one colour scale.

    The probability of class 1 as filled contours, the ``threshold`` contour as a
    black line, training points filled and validation points outlined.

    Args:
        xx: Grid x coordinates, shape ``(G, H)`` (as ``numpy.meshgrid`` makes).
        yy: Grid y coordinates, same shape.
        decision: Mapping variant -> probability of class 1 on the grid.
        data: Optional ``"x_train"``, ``"y_train"``, ``"x_val"``, ``"y_val"`` arrays.
        titles: Optional mapping variant -> panel title (default: the name).
        threshold: The probability drawn as the boundary line, in (0, 1).
        notes: Optional mapping variant -> a note across its panel.

    Attributes:
        axes_: Variant -> its ``Axes``; ``bounding_ax_``: the divided one or ``None``.
        contours_: Variant -> filled ``QuadContourSet``; ``boundaries_``: its line.
        train_points_: Variant -> ``PathCollection``; ``val_points_``: likewise.
        legend_: The legend of the point markers, or ``None``.
        colorbar_: The shared ``Colorbar`` or ``None``; ``norm_``, ``levels_``: scale.
        notes_: Variant -> the ``Text`` of its note.

    Examples:
        >>> xx, yy = np.meshgrid(np.linspace(-1, 1, 9), np.linspace(-1, 1, 9))
        >>> disp = DecisionBoundaryDisplay(xx, yy, {"a": (xx > 0) * 1.0, "b": 0 * yy})
        >>> disp = disp.plot()
        >>> list(disp.axes_), list(disp.boundaries_)
        (['a', 'b'], ['a'])
    """

    def __init__(
        self,
        xx: Any,
        yy: Any,
        decision: Mapping[str, Any],
        *,
        data: Mapping[str, Any] | None = None,
        titles: Mapping[str, str] | None = None,
        threshold: float = 0.5,
        notes: Mapping[str, str] | None = None,
    ) -> None:
        self.xx = np.asarray(xx, dtype=np.float64)
        self.yy = np.asarray(yy, dtype=np.float64)
        shape = self.xx.shape
        if self.xx.ndim != 2 or shape != self.yy.shape or min(shape) < 2:
            _fail(
                "xx",
                "2-D grid coordinates of at least 2 x 2 points, the shape of `yy`",
                f"<arrays of shapes {shape} and {self.yy.shape}>",
            )
        if not isinstance(decision, Mapping) or not decision:
            _fail("decision", "a non-empty dict of variant -> grid values", decision)
        self.decision = {}
        for name, values in decision.items():
            values = np.asarray(values, dtype=np.float64)
            if values.shape != shape:
                expected = f"an array of the grid's shape {shape}"
                fail_shape(f"decision[{name!r}]", expected, values)
            self.decision[str(name)] = values
        self.data = {
            part: None if (data or {}).get(part) is None else np.asarray(data[part])
            for part in ("x_train", "y_train", "x_val", "y_val")
        }
        self.titles = {str(k): str(v) for k, v in (titles or {}).items()}
        self.threshold = check_fraction("threshold", threshold)
        self.notes = _read_notes(notes, list(self.decision))

    @classmethod
    def from_result(
        cls,
        result: Any,
        *,
        variants: Sequence[str] | None = None,
        ax: Any = None,
        points: bool = True,
        **kwargs: Any,
    ) -> DecisionBoundaryDisplay:
        """Draw a comparison's decision regions, titled with each variant's scores.

        Args:
            result: A ``ComparisonResult`` of :func:`kreg.compare` with a grid.
            variants: Which variants, in order; ``None`` draws all.
            ax: ``None``, one ``Axes`` to divide into the panels, or one per variant.
            points: Draw the training and validation points.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.
        """
        chosen = _select_variants(result, variants, "grid", "decision", "data")
        check_grid(result, "compare")
        return cls(
            result.grid["xx"],
            result.grid["yy"],
            {v: result.decision[v] for v in chosen},
            data=dict(result.data) if points else None,
            titles={v: _boundary_title(result, v) for v in chosen},
            notes=_notes(result, chosen),
        ).plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Any = None,
        *,
        cmap: Any = _CMAP,
        levels: Sequence[float] = _LEVELS,
        alpha: float = 0.6,
        colorbar: bool = True,
        cax: Axes | None = None,
        legend: bool = True,
        point_size: float = 30.0,
        **kwargs: Any,
    ) -> DecisionBoundaryDisplay:
        """Draw the panels.

        Args:
            ax: ``None`` (a new figure), one ``Axes`` to divide, or one per variant.
            cmap: Colour map of the probability of class 1.
            levels: Filled-contour levels, increasing, within [0, 1].
            alpha: Opacity of the filled contours.
            colorbar: Add one colour bar for all panels.
            cax: Axes for the colour bar; ``None`` takes room from the panels.
            legend: Add a legend of the point markers.
            point_size: Marker area of the points.
            **kwargs: Passed to ``Axes.contourf``.

        Returns:
            ``self``, drawn.
        """
        from matplotlib.colors import Normalize

        check_ax("cax", cax)
        names = list(self.decision)
        levels = np.asarray(levels, dtype=np.float64)
        valid = levels.ndim == 1 and levels.size >= 2 and np.all(np.diff(levels) > 0)
        if not valid or levels[0] < 0 or levels[-1] > 1:
            _fail("levels", "at least 2 increasing values within [0, 1]", levels)
        n = len(names)
        fig, axes, bounding = panel_axes(ax, n, figsize=(3.6 * n + 1.2, 3.6))
        self.norm_ = Normalize(vmin=0.0, vmax=1.0)
        self.levels_ = levels
        self.axes_ = dict(zip(names, axes, strict=True))
        self.contours_, self.boundaries_ = {}, {}
        self.train_points_, self.val_points_ = {}, {}
        options = {"cmap": cmap, "norm": self.norm_, "alpha": alpha, **kwargs}
        line = dict(levels=[self.threshold], colors="black", linewidths=1.5)
        grid = (self.xx, self.yy)
        for i, (name, panel) in enumerate(self.axes_.items()):
            z = self.decision[name]
            self.contours_[name] = panel.contourf(*grid, z, levels=levels, **options)
            finite = z[np.isfinite(z)]
            if finite.size and finite.min() < self.threshold < finite.max():
                self.boundaries_[name] = panel.contour(*grid, z, **line)
            self._draw_points(panel, name, point_size)
            panel.set_xlim(float(self.xx.min()), float(self.xx.max()))
            panel.set_ylim(float(self.yy.min()), float(self.yy.max()))
            panel.set_title(self.titles.get(name, name), fontsize="small")
            panel.set_xlabel("x1")
            if i == 0:
                panel.set_ylabel("x2")
            else:
                panel.tick_params(labelleft=False)
        drawn = self.train_points_ or self.val_points_
        self.legend_ = self._legend(axes[-1]) if legend and drawn else None
        self.notes_ = _write_notes(self.axes_, self.notes)
        self.colorbar_ = None
        if colorbar:
            where = {"cax": cax} if cax is not None else {"ax": axes, "shrink": 0.9}
            first = self.contours_[names[0]]
            self.colorbar_ = fig.colorbar(first, label="P(class 1)", **where)
            line = dict(levels=[self.threshold], colors=["black"], linewidths=[1.5])
            self.colorbar_.add_lines(**line)
        self.ax_, self.bounding_ax_, self.figure_ = axes[0], bounding, fig
        return self

    def _draw_points(self, panel: Axes, name: str, size: float) -> None:
        """Training points: circles filled by class; validation: outlined triangles."""
        for part, store in (("train", self.train_points_), ("val", self.val_points_)):
            x, y = self.data[f"x_{part}"], self.data[f"y_{part}"]
            if x is None or y is None or len(x) == 0:
                continue
            x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
            labels = np.asarray(y).reshape(len(y), -1)[:, 0].astype(np.float64) > 0.5
            shade = list(np.asarray(CLASS_COLORS)[labels.astype(int)])
            if part == "train":
                style = dict(s=size, c=shade, **_POINTS[part])
            else:
                style = dict(s=size * 1.4, edgecolors=shade, **_POINTS[part])
            store[name] = panel.scatter(x[:, 0], x[:, 1], **style)

    def _legend(self, ax: Axes) -> Any:
        """The legend of the point markers: each kind drawn, in both classes."""
        from matplotlib.lines import Line2D

        handles = []
        for part, drawn in (("train", self.train_points_), ("val", self.val_points_)):
            filled, word = part == "train", _WORDS[part]
            shape = dict(linestyle="", marker="o" if filled else "^", markersize=6)
            shape["markeredgewidth"] = 0.6 if filled else 1.4
            for label, color in enumerate(CLASS_COLORS if drawn else ()):
                face, edge = (color, "black") if filled else ("white", color)
                look = dict(markerfacecolor=face, markeredgecolor=edge, **shape)
                handles.append(Line2D([], [], label=f"{word}, class {label}", **look))
        return ax.legend(handles=handles, **OUTSIDE)


class LossCurvesDisplay:
    """Training and validation data loss per epoch, with the penalty apart.

    The data loss (Keras' ``loss`` without the penalty), training solid, validation
    dashed, a panel per variant on one y scale (or all on one axes), titled with the
    final gap; the penalties below. Over several seeds: means and ± std bands.

    Args:
        epochs: The epoch of each value (``1..E``).
        curves: Mapping variant -> ``"train_loss"``, ``"val_loss"``, ``"penalty"``
            arrays, one value per epoch (a missing curve is not drawn).
        std: Optional mapping of the same form: standard deviations over seeds.
        notes: Optional mapping variant -> a note written in its panel.

    Attributes:
        axes_: Variant -> the ``Axes`` of its losses; ``penalty_ax_``: the penalties'.
        lines_: Variant -> ``{"train": Line2D, "val": Line2D}`` (not for all-NaN).
        penalty_lines_: Variant -> ``Line2D`` of its penalty (not all zero).
        ylim_: The y range of the loss panels, or ``None`` (``ylim_quantile=None``).
        above_: Variant -> how many epochs have a loss above ``ylim_``; ``above_max_``:
            their largest value; ``below_``, ``below_min_``: likewise below.
        outside_markers_: Variant -> the ``Line2D`` of their marks on the edges.
        gaps_: Variant -> validation minus training loss at the last epoch.
        bands_: Variant -> part -> the ``fill_between`` of mean ± std.
        colors_: Variant -> colour; ``notes_``: variant -> the ``Text`` of its note.
        legend_: The legend of the loss panels; ``penalty_legend_``: the penalties'.

    Examples:
        >>> e = np.arange(1, 6)
        >>> curves = {"none": {"train_loss": 1 / e, "val_loss": 1 / e + 0.5}}
        >>> curves["l2"] = {"train_loss": 1 / e, "val_loss": 1 / e, "penalty": e / e}
        >>> disp = LossCurvesDisplay(e, curves).plot()
        >>> list(disp.penalty_lines_), round(disp.gaps_["none"], 3)
        (['l2'], 0.5)
    """

    def __init__(
        self,
        epochs: Any,
        curves: Mapping[str, Mapping[str, Any]],
        *,
        std: Mapping[str, Mapping[str, Any]] | None = None,
        notes: Mapping[str, str] | None = None,
    ) -> None:
        self.epochs = np.asarray(epochs)
        if self.epochs.ndim != 1 or self.epochs.size < 1:
            _fail("epochs", "a non-empty 1-D sequence", epochs)
        if not isinstance(curves, Mapping) or not curves:
            _fail("curves", "a non-empty dict of variant -> curves", curves)
        self.curves = self._read_curves("curves", curves)
        self.std = self._read_curves("std", std or {})
        unknown = sorted(set(self.std) - set(self.curves))
        if unknown:
            _fail("std", f"variants among {list(self.curves)}", unknown)
        self.notes = _read_notes(notes, list(self.curves))

    def _read_curves(self, what: str, curves: Mapping) -> dict[str, dict]:
        n = self.epochs.size
        out: dict[str, dict[str, np.ndarray]] = {}
        for name, named in curves.items():
            if not isinstance(named, Mapping):
                _fail(f"{what}[{name!r}]", "a dict of curve name -> values", named)
            out[str(name)] = {}
            for curve in (c for c in _CURVE_NAMES if named.get(c) is not None):
                values = np.asarray(named[curve], dtype=np.float64)
                if values.shape != (n,):
                    expected = f"{n} values, one per epoch"
                    fail_shape(f"{what}[{name!r}][{curve!r}]", expected, values)
                out[str(name)][curve] = values
        return out

    @classmethod
    def from_result(
        cls,
        result: Any,
        *,
        variants: Sequence[str] | None = None,
        ax: Any = None,
        **kwargs: Any,
    ) -> LossCurvesDisplay:
        """Draw a comparison's loss curves (with several seeds, ``curves_std`` bands).

        Args:
            result: A ``ComparisonResult`` of :func:`kreg.compare`.
            variants: Which variants, in order; ``None`` draws all.
            ax: ``None``, one ``Axes`` to divide, or a sequence of ``Axes`` (one per
                variant, or one with ``separate=False``).
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.
        """
        chosen = _select_variants(result, variants, "epochs", "curves")
        std = None
        if _n_seeds(result) > 1 and getattr(result, "curves_std", None):
            std = {v: result.curves_std.get(v, {}) for v in chosen}
        curves = {v: result.curves[v] for v in chosen}
        notes = _notes(result, chosen)
        return cls(result.epochs, curves, std=std, notes=notes).plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Any = None,
        *,
        penalty_ax: Axes | None = None,
        separate: bool = True,
        penalty: bool = True,
        logy: bool = False,
        colors: Mapping[str, Any] | None = None,
        band_alpha: float = 0.2,
        ylim_quantile: float | None = 0.98,
        ylim_window: int = 11,
        **kwargs: Any,
    ) -> LossCurvesDisplay:
        """Draw the curves.

        The loss panels' y range is one that no spike sets: to each curve's
        ``ylim_quantile`` quantile or the top of its ``ylim_window``-epoch running
        median, plus 10%. The values above are marked ▲ on the top edge (▼ below).

        Args:
            ax: ``None``, one ``Axes`` (divided into the loss panels and the penalty
                axes), or the loss ``Axes``: one per variant, or one.
            penalty_ax: Axes for the penalties; ``None`` makes one below (it must be
                ``None`` with ``penalty=False``).
            separate: One panel per variant rather than all on one axes.
            penalty: Draw the penalties.
            logy: Logarithmic y scale for the losses (and the penalties).
            colors: Colour per variant (default: the variants' colours).
            band_alpha: Opacity of the training ± std bands (the others lighter).
            ylim_quantile: The quantile of the y range, in (0, 1]; ``None``: the
                range of all values (matplotlib's).
            ylim_window: Epochs of the running median of the y range, >= 1.
            **kwargs: Passed to ``Axes.plot`` for every loss line.

        Returns:
            ``self``, drawn.
        """
        check_below("penalty_ax", penalty_ax, penalty, "penalty")
        if ylim_quantile is not None:
            expected, valid = "a number in (0, 1]", lambda v: 0 < v <= 1
            ylim_quantile = _check_real("ylim_quantile", ylim_quantile, expected, valid)
        ylim_window = check_int("ylim_window", ylim_window, minimum=1)
        names = list(self.curves)
        n_panels = len(names) if separate else 1
        below = penalty and penalty_ax is None
        if ax is None or is_axes(ax):  # the loss panels, the penalty axes below
            rows, ratios = (2, [2.0, 1.0]) if below else (1, None)
            figsize = (3.6 * n_panels + 2.2, 5.6 if below else 3.6)
            fig, grid, bounding = grid_spec(
                ax, rows, n_panels, figure_kw={"figsize": figsize}, height_ratios=ratios
            )
            loss_axes = add_panels(fig, [grid[0, c] for c in range(n_panels)])
            if below:
                penalty_ax = fig.add_subplot(grid[1, :], sharex=loss_axes[0])
        else:
            fig, loss_axes, bounding = panel_axes(ax, n_panels, figsize=(6.4, 4.8))
            if below:
                penalty_ax = append_axes(loss_axes[-1], "bottom", size=0.35, pad=0.12)
        self.colors_ = variant_colors(names, colors)
        self.axes_ = {
            name: loss_axes[i if separate else 0] for i, name in enumerate(names)
        }
        self.lines_, self.gaps_ = {}, {}
        self.bands_: dict[str, dict[str, Any]] = {name: {} for name in names}
        for name, panel in self.axes_.items():
            self._draw_losses(name, panel, separate, band_alpha, kwargs)
        for i, panel in enumerate(loss_axes):  # one per variant, or the shared one
            if logy:
                panel.set_yscale("log")
            if i == 0:
                panel.set_ylabel("data loss (cross-entropy)")
            else:
                panel.tick_params(labelleft=False)
            panel.set_xlabel("epoch")
        self._limit(loss_axes, ylim_quantile, ylim_window, logy)
        for panel in loss_axes:
            self._title(panel, [n for n in names if self.axes_[n] is panel], separate)
        self.legend_ = self._legend(loss_axes[-1], separate)
        self.notes_ = _write_notes(self.axes_, self.notes)
        self.penalty_lines_: dict[str, Any] = {}
        self.penalty_legend_ = None
        if penalty:
            self._draw_penalties(penalty_ax, logy, band_alpha)
        self.ax_, self.penalty_ax_ = loss_axes[0], penalty_ax if penalty else None
        self.bounding_ax_, self.figure_ = bounding, fig
        return self

    def _drawn(self, name: str) -> dict[str, np.ndarray]:
        """The loss curves of ``name`` that are drawn: part -> values."""
        return {
            part: self.curves[name][f"{part}_loss"]
            for part in self.lines_.get(name, {})
        }

    def _limit(
        self, panels: Sequence[Axes], quantile: float | None, window: int, logy: bool
    ) -> None:
        """Set the y range no spike sets (``ylim_``); mark the values beyond it."""
        self.ylim_, self.outside_markers_ = None, {}
        self.above_, self.above_max_, self.below_, self.below_min_ = {}, {}, {}, {}
        if quantile is not None:
            drawn = [v for name in self.curves for v in self._drawn(name).values()]
            self.ylim_ = robust_ylim(drawn, quantile=quantile, window=window, log=logy)
        if self.ylim_ is None:
            return
        low, high = self.ylim_
        for panel in panels:
            panel.set_ylim(low, high)
        for name in self.curves:
            self._mark_beyond(name, "above", high, self.above_, self.above_max_)
            self._mark_beyond(name, "below", low, self.below_, self.below_min_)

    def _mark_beyond(
        self, name: str, side: str, limit: float, count: dict, extreme: dict
    ) -> None:
        """Mark ``name``'s values beyond ``limit`` on the edge; count their epochs."""
        parts, panel = self._drawn(name), self.axes_[name]
        sign = 1.0 if side == "above" else -1.0
        epochs = np.zeros(self.epochs.size, dtype=bool)
        for part, values in parts.items():
            out = np.nan_to_num(sign * (values - limit), nan=-1.0) > 0
            if not out.any():
                continue
            epochs |= out
            line, edge = self.lines_[name][part], 1.0 if side == "above" else 0.0
            (marks,) = panel.plot(
                self.epochs[out],
                np.full(int(out.sum()), edge),
                **{**_BEYOND[side], "color": line.get_color()},
                alpha=line.get_alpha(),
                transform=panel.get_xaxis_transform(),
            )
            self.outside_markers_.setdefault(name, []).append(marks)
        if epochs.any():
            beyond = np.concatenate([v[epochs] for v in parts.values()])
            count[name] = int(epochs.sum())
            extreme[name] = float(np.nanmax(beyond) if sign > 0 else np.nanmin(beyond))

    def _beyond_text(self, name: str) -> str:
        """``"▲ 3 epochs above the y range (max 1.59)"`` (and below), or ``""``."""
        texts = []
        for mark, count, extreme, side, what in (
            ("▲", self.above_, self.above_max_, "above", "max"),
            ("▼", self.below_, self.below_min_, "below", "min"),
        ):
            n = count.get(name, 0)
            if n:
                value = f"{what} {extreme[name]:.3g}"
                epochs = "epoch" if n == 1 else "epochs"
                texts.append(f"{mark} {n} {epochs} {side} the y range ({value})")
        return "; ".join(texts)

    def _title(self, panel: Axes, names: Sequence[str], separate: bool) -> None:
        """The variant and its final gap (or the line styles), and the values beyond."""
        if separate:
            (name,) = names
            gap = self.gaps_[name]
            lines = [name + (f" (final gap {gap:.2f})" if np.isfinite(gap) else "")]
            lines.append(self._beyond_text(name))
        else:
            lines = ["Data loss: training (solid) vs validation (dashed)"]
            lines += [f"{n}: {t}" for n in names if (t := self._beyond_text(n))]
        panel.set_title("\n".join(filter(None, lines)))

    def _legend(self, ax: Axes, separate: bool) -> Any:
        """The line styles (the lines, on one axes) and the marks of values beyond."""
        from matplotlib.lines import Line2D

        handles = []
        if separate:
            spread = " (mean ± std)" if self.std else ""
            for part, word in _WORDS.items():
                if any(part in lines for lines in self.lines_.values()):
                    look = {k: _LOSSES[part][k] for k in ("linestyle", "alpha")}
                    label = f"{word} data loss{spread}"
                    handles.append(Line2D([], [], label=label, color="0.25", **look))
        else:
            handles = [
                line for lines in self.lines_.values() for line in lines.values()
            ]
        for side, values in (("above", self.above_), ("below", self.below_)):
            if values:
                look = {**_BEYOND[side], "color": "0.25"}
                label = f"value {side} the y range"
                handles.append(Line2D([], [], label=label, **look))
        return ax.legend(handles=handles, **OUTSIDE) if handles else None

    def _draw_losses(
        self, name: str, panel: Axes, separate: bool, band_alpha: float, kwargs: dict
    ) -> None:
        """Draw one variant's data losses (and bands); keep its final gap."""
        curves, spread = self.curves[name], self.std.get(name, {})
        color, prefix = self.colors_[name], "" if separate else f"{name}: "
        self.lines_[name] = {}
        for part, word in _WORDS.items():
            values, std = curves.get(f"{part}_loss"), spread.get(f"{part}_loss")
            if values is None or not np.isfinite(values).any():
                continue
            label = f"{prefix}{word} data loss"
            label += "" if std is None else " (mean ± std)"
            options = {"color": color, **_LOSSES[part], "label": label, **kwargs}
            (self.lines_[name][part],) = panel.plot(self.epochs, values, **options)
            if std is not None:
                alpha = band_alpha * _LOSSES[part]["alpha"]
                self.bands_[name][part] = std_band(
                    panel, self.epochs, values, std, color, alpha
                )
        train, val = curves.get("train_loss"), curves.get("val_loss")
        gap = float("nan")
        if train is not None and val is not None:
            with np.errstate(invalid="ignore"):  # inf - inf: a diverged run
                gap = float(val[-1] - train[-1])
        self.gaps_[name] = gap

    def _draw_penalties(self, ax: Axes, logy: bool, band_alpha: float) -> None:
        """Draw the penalty of every variant whose penalty is not all zero."""
        for name, curves in self.curves.items():
            values = curves.get("penalty")
            if values is None or not np.any(np.nan_to_num(values) != 0):
                continue
            color, std = self.colors_[name], self.std.get(name, {}).get("penalty")
            line = ax.plot(self.epochs, values, color=color, label=name)
            self.penalty_lines_[name] = line[0]
            if std is not None:
                self.bands_[name]["penalty"] = std_band(
                    ax, self.epochs, values, std, color, band_alpha * 0.6
                )
        if self.penalty_lines_:
            drawn = [self.curves[n]["penalty"] for n in self.penalty_lines_]
            if logy and all(np.nanmin(values) > 0 for values in drawn):
                ax.set_yscale("log")
            self.penalty_legend_ = ax.legend(**OUTSIDE)
        else:
            where = {"ha": "center", "va": "center", "transform": ax.transAxes}
            ax.text(0.5, 0.5, "no penalty (no regularized variant)", **where)
        ax.set_ylabel("penalty")
        ax.set_xlabel("epoch")
        ax.set_title("Penalty lam/(2n)·Σ of each variant (not in the data losses)")


class VariantPanelsDisplay:
    """One history Display per variant, side by side (:func:`plot_variant_networks`,
    :func:`plot_variant_weight_bars`).

    Args:
        displays: Mapping variant -> the drawn Display of its panel.
        figure: The figure holding the panels.
        bounding_ax: The hidden ``Axes`` whose place was divided, or ``None``.
        notes: Mapping variant -> a note written across its panel.

    Attributes:
        displays_: Variant -> sub-display; ``axes_``: variant -> its ``Axes``.
        notes_: Variant -> the ``Text`` of its note.

    Examples:
        >>> import matplotlib.pyplot as plt
        >>> fig, axes = plt.subplots(1, 2)
        >>> drawn = {v: NetworkDisplay([np.eye(2)]).plot(a) for v, a in zip("ab", axes)}
        >>> disp = VariantPanelsDisplay(drawn, fig, notes={"b": "diverged"})
        >>> disp.notes_["b"].axes is axes[1]
        True
    """

    def __init__(
        self,
        displays: Mapping[str, Any],
        figure: Any,
        bounding_ax: Any = None,
        notes: Mapping[str, str] | None = None,
    ) -> None:
        self.displays_ = dict(displays)
        self.axes_ = {name: d.ax_ for name, d in self.displays_.items()}
        self.ax_ = next(iter(self.axes_.values()))
        self.bounding_ax_, self.figure_ = bounding_ax, figure
        self.notes_ = _write_notes(self.axes_, _read_notes(notes, list(self.axes_)))


def _variant_panels(
    result: Any,
    chosen: list[str],
    ax: Any,
    size: tuple[float, float],
    draw: Callable[[int, str, Axes], Any],
) -> VariantPanelsDisplay:
    """``draw(i, name, panel)`` the Display of each variant in a panel of ``size``."""
    n = len(chosen)
    fig, axes, bounding = panel_axes(ax, n, figsize=(size[0] * n, size[1]))
    pairs = enumerate(zip(chosen, axes, strict=True))
    displays = {name: draw(i, name, panel) for i, (name, panel) in pairs}
    return VariantPanelsDisplay(displays, fig, bounding, _notes(result, chosen))


def plot_variant_networks(
    result: Any,
    *,
    variants: Sequence[str] | None = None,
    record: int = -1,
    max_units: int = 16,
    ax: Any = None,
    clip: float | None = 95.0,
    **kwargs: Any,
) -> VariantPanelsDisplay:
    """Draw each variant's trained network, side by side.

    A :class:`~kreg.plots.NetworkDisplay` per variant, on one colour scale of ``|w|``
    (its bar on the last panel); edge widths relative to each panel's largest.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        variants: Which variants, in order; ``None`` draws all.
        record: Which record: ``-1`` after training, ``0`` the initial weights.
        max_units: The most nodes drawn per layer.
        ax: ``None`` (a new figure), one ``Axes`` to divide, or one per variant.
        clip: The percentile of all panels' ``|w|`` where the colour scale ends, in
            (0, 100]; ``None``: the largest.
        **kwargs: Passed to :meth:`kreg.plots.NetworkDisplay.plot`.

    Returns:
        A :class:`VariantPanelsDisplay` of ``NetworkDisplay`` objects.
    """
    from matplotlib.colors import Normalize

    chosen = _select_variants(result, variants, "histories")
    max_units = check_int("max_units", max_units, minimum=1)
    networks = {
        name: NetworkDisplay._of_history(
            result.histories[name], record=record, max_units=max_units
        )
        for name in chosen
    }
    drawn = np.abs(np.concatenate([d.edge_weights for d in networks.values()]))
    kwargs.setdefault("norm", Normalize(0.0, edge_clip(drawn, clip)))
    show_bar = kwargs.pop("colorbar", True)

    def draw(i: int, name: str, panel: Axes) -> NetworkDisplay:
        display = networks[name].plot(ax=panel, colorbar=False, **kwargs)
        panel.set_title(f"{name}: {panel.get_title()}", fontsize="small")
        if show_bar and i == len(chosen) - 1:  # one bar, on the last panel
            clipped = any(d.clip_ is not None for d in networks.values())
            display.colorbar_ = display._colorbar(clipped)
        return display

    return _variant_panels(result, chosen, ax, (4.6, 4.6), draw)


def plot_variant_weight_bars(
    result: Any,
    key: str | int = 0,
    *,
    variants: Sequence[str] | None = None,
    indices: Sequence[Any] | None = None,
    k: int = 10,
    ax: Any = None,
    **kwargs: Any,
) -> VariantPanelsDisplay:
    """Draw a few weights before and after training, one panel per variant.

    A :class:`~kreg.plots.WeightBarsDisplay` per variant, of the same entries on one
    y scale.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        key: Which weight: path, unique suffix or position (``0``: the first kernel).
        variants: Which variants, in order; ``None`` draws all.
        indices: Which entries (flat indices or positions); ``None``: the ``k``
            largest ``|w|`` at record 0 of the first variant.
        k: How many weights when ``indices`` is ``None``.
        ax: ``None`` (a new figure), one ``Axes`` to divide, or one per variant.
        **kwargs: Passed to :meth:`kreg.plots.WeightBarsDisplay.from_history`.

    Returns:
        A :class:`VariantPanelsDisplay` of ``WeightBarsDisplay`` objects.
    """
    chosen = _select_variants(result, variants, "histories")
    if indices is None:
        _, array = resolve_key(result.histories[chosen[0]], key)
        indices = largest_weights(array[0], k)
    colors = variant_colors(chosen)

    def draw(i: int, name: str, panel: Axes) -> WeightBarsDisplay:
        options = {"colors": ("tab:gray", colors[name]), **kwargs}
        display = WeightBarsDisplay.from_history(
            result.histories[name], key, indices=indices, ax=panel, **options
        )
        short = str(display.key).removeprefix(f"{name}/")
        first, last = display.epochs
        what = f"{len(display.labels)} weights of {short}"
        panel.set_title(f"{name}: {what}, epoch {first} vs {last}", fontsize="small")
        return display

    panels = _variant_panels(result, chosen, ax, (5.0, 4.0), draw)
    limits = np.array([panel.get_ylim() for panel in panels.axes_.values()])
    for panel in panels.axes_.values():  # one y scale
        panel.set_ylim(limits[:, 0].min(), limits[:, 1].max())
    return panels


class MetricBarsDisplay:
    """Final numbers of a comparison as bars, one panel per metric.

    A bar per variant, in its colour; with several seeds the mean, an error bar of one
    std (``ddof=0``) and a dot per seed. A non-finite value is written, not drawn.

    Args:
        metrics: Mapping variant -> metric -> value (the mean).
        names: The metrics to draw, one panel each, in order.
        std: Optional mapping of the same form with the standard deviations.
        per_seed: Optional mapping variant -> metric -> each seed's values.

    Attributes:
        axes_: Metric -> its ``Axes``; ``bars_``: metric -> ``BarContainer``.
        errorbars_: Metric -> ``ErrorbarContainer`` or ``None``.
        seed_points_: Metric -> ``PathCollection`` of the seeds' values or ``None``.
        notes_: Metric -> variant -> its "non-finite" ``Text``.
        colors_: Variant -> colour.

    Examples:
        >>> metrics = {"none": {"val_loss": 0.9}, "l2": {"val_loss": 0.3}}
        >>> disp = MetricBarsDisplay(metrics, ["val_loss"]).plot()
        >>> [float(bar.get_height()) for bar in disp.bars_["val_loss"]]
        [0.9, 0.3]
    """

    def __init__(
        self,
        metrics: Mapping[str, Mapping[str, Any]],
        names: Sequence[str],
        *,
        std: Mapping[str, Mapping[str, Any]] | None = None,
        per_seed: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        if not isinstance(metrics, Mapping) or not metrics:
            _fail("metrics", "a non-empty dict of variant -> metrics", metrics)
        self.names = [names] if isinstance(names, str) else [str(n) for n in names]
        if not self.names:
            _fail("names", "at least one metric", self.names)
        self.variants = [str(v) for v in metrics]
        for variant, values in metrics.items():
            missing = [n for n in self.names if n not in values]
            if missing:
                _fail(f"metrics[{variant!r}]", f"the metrics {self.names}", missing)

        def table(source: Mapping, read: Any, missing: Any) -> dict | None:
            """variant -> metric -> ``read(value)``, ``missing`` where absent."""
            if not source:
                return None
            return {
                v: {n: read(source.get(v, {}).get(n, missing)) for n in self.names}
                for v in self.variants
            }

        self.metrics = table({str(v): m for v, m in metrics.items()}, float, None)
        self.std = table(std, float, np.nan)
        self.per_seed = table(per_seed, lambda a: np.asarray(a, dtype=float), [])

    @classmethod
    def from_result(
        cls,
        result: Any,
        names: Sequence[str] = ("val_loss", "gap", "val_accuracy", "zero_fraction"),
        *,
        variants: Sequence[str] | None = None,
        ax: Any = None,
        **kwargs: Any,
    ) -> MetricBarsDisplay:
        """Draw a comparison's final numbers, with error bars over its seeds.

        Args:
            result: A ``ComparisonResult`` of :func:`kreg.compare`.
            names: The metrics, one panel each (keys of ``result.metrics``).
            variants: Which variants, in order; ``None`` draws all.
            ax: ``None`` (a new figure), one ``Axes`` to divide, or one per metric.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.
        """
        chosen = _select_variants(result, variants, "metrics")
        several = _n_seeds(result) > 1

        def part(name: str) -> dict | None:  # the seeds' fields, with several
            values = getattr(result, name, None) if several else None
            return {v: values[v] for v in chosen if v in values} if values else None

        metrics = {v: result.metrics[v] for v in chosen}
        std, per_seed = part("metrics_std"), part("per_seed")
        return cls(metrics, names, std=std, per_seed=per_seed).plot(ax=ax, **kwargs)

    def plot(
        self,
        ax: Any = None,
        *,
        colors: Mapping[str, Any] | None = None,
        seeds: bool = True,
        **kwargs: Any,
    ) -> MetricBarsDisplay:
        """Draw the panels.

        Args:
            ax: ``None``, one ``Axes`` to divide into a panel per metric, or their axes.
            colors: Colour per variant (default: the variants' colours).
            seeds: Draw each seed's value as a dot (when known).
            **kwargs: Passed to ``Axes.bar``.

        Returns:
            ``self``, drawn.
        """
        n = len(self.names)
        fig, axes, bounding = panel_axes(
            ax, n, figsize=(2.6 * n + 0.8, 3.2), per="metric"
        )
        self.colors_ = variant_colors(self.variants, colors)
        x = np.arange(len(self.variants))
        shade = [self.colors_[v] for v in self.variants]
        self.axes_ = dict(zip(self.names, axes, strict=True))
        self.bars_, self.errorbars_, self.seed_points_, self.notes_ = {}, {}, {}, {}
        for name, panel in self.axes_.items():
            heights = finite_or_nan([self.metrics[v][name] for v in self.variants])
            options = {"color": shade, "alpha": 0.85, "width": 0.7, **kwargs}
            self.bars_[name] = panel.bar(x, heights, **options)
            missing = {
                v: mark_upright(panel, "non-finite", x=i)
                for i, v in enumerate(self.variants)
                if np.isnan(heights[i])
            }
            if missing:
                self.notes_[name] = missing
            self.errorbars_[name] = self.seed_points_[name] = None
            if self.std is not None:
                errors = finite_or_nan([self.std[v][name] for v in self.variants])
                bars = panel.errorbar(x, heights, yerr=errors, **_ERRORBARS)
                self.errorbars_[name] = bars
            if seeds and self.per_seed is not None:
                values = [finite_or_nan(self.per_seed[v][name]) for v in self.variants]
                xs = np.repeat(x, [a.size for a in values])
                if xs.size:
                    ys = np.concatenate(values)
                    self.seed_points_[name] = panel.scatter(xs, ys, **_SEED_DOTS)
            panel.set_xticks(x, self.variants)
            panel.set_title(_BAR_TITLES.get(name, name), fontsize="medium")
            panel.axhline(0.0, color="0.3", linewidth=0.8)
        if self.std is not None:
            dots = " (dots: each seed)" if self.per_seed is not None else ""
            axes[0].set_ylabel(f"mean ± std over seeds{dots}", fontsize="small")
        self.ax_, self.bounding_ax_, self.figure_ = axes[0], bounding, fig
        return self


class ComparisonDisplay(CompositeDisplay):
    """The standard figure of a comparison (:func:`plot_comparison`), by parts.

    Args:
        figure: The figure.
        boundaries: The drawn :class:`DecisionBoundaryDisplay`, or ``None``.
        losses: The drawn :class:`LossCurvesDisplay`.
        weights: The drawn :class:`~kreg.plots.WeightDistributionDisplay`.
        bounding_ax: The hidden ``Axes`` whose place was divided, or ``None``.
    """

    def __init__(
        self,
        figure: Any,
        boundaries: DecisionBoundaryDisplay | None,
        losses: LossCurvesDisplay,
        weights: WeightDistributionDisplay,
        bounding_ax: Any = None,
    ) -> None:
        parts = dict(boundaries=boundaries, losses=losses, weights=weights)
        super().__init__(figure, bounding_ax, **parts)


def plot_comparison(
    result: Any,
    *,
    variants: Sequence[str] | None = None,
    key: str | int = 0,
    record: int = -1,
    logy: bool = False,
    ax: Axes | None = None,
    boundary_kw: Mapping[str, Any] | None = None,
    loss_kw: Mapping[str, Any] | None = None,
    weights_kw: Mapping[str, Any] | None = None,
    **kwargs: Any,
) -> ComparisonDisplay:
    """Draw the standard figure of a comparison run.

    Rows: the decision boundaries (with a grid), the data losses and the penalties,
    the distributions of the weight ``key`` (box plots below).

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        variants: Which variants, in order; ``None`` draws all.
        key: The weight of the last rows: path, unique suffix or position.
        record: Its record: ``-1`` after training, ``0`` the initial weights.
        logy: Logarithmic y scale for the losses.
        ax: ``None`` (a new figure) or one ``Axes`` divided into the rows.
        boundary_kw: Passed to :meth:`DecisionBoundaryDisplay.plot`.
        loss_kw: Passed to :meth:`LossCurvesDisplay.plot`.
        weights_kw: Passed to
            :meth:`kreg.plots.WeightDistributionDisplay.from_histories`.
        **kwargs: Passed to ``matplotlib.pyplot.figure`` (e.g. ``figsize``).

    Returns:
        A :class:`ComparisonDisplay` holding the figure and the sub-displays.

    Examples:
        >>> import kreg
        >>> disp = plot_comparison(kreg.compare(hidden=(8,), epochs=3, batch_size=40))
        >>> list(disp.boundaries_.axes_)
        ['none', 'l1', 'l2']
    """
    check_ax("ax", ax)
    has_grid = getattr(result, "grid", None) is not None
    parts = ("decision", "data") if has_grid else ()
    chosen = _select_variants(result, variants, "epochs", "curves", "histories", *parts)
    k = len(chosen)
    # Rows: boundaries (with a grid), losses, penalties, distributions, box plots;
    # then a narrow column (the boundaries' colour bar) and one for the legends.
    heights = [3.6] if has_grid else []
    heights += [2.6, 1.3, 2.6, 0.6 + 0.35 * k]
    kwargs.setdefault("figsize", (max(3.7 * k + 3.2, 9.8), sum(heights) + 0.6))
    fig, outer, bounding = grid_spec(
        ax,
        len(heights),
        k + 2,
        figure_kw=kwargs,
        height_ratios=heights,
        width_ratios=[1.0] * k + [0.06, 0.5],
    )

    def legend_cell(row: int) -> Axes:  # an empty axes: the legend of a row
        cell = fig.add_subplot(outer[row, k + 1])
        cell.set_axis_off()
        return cell

    row, boundaries = int(has_grid), None
    if has_grid:
        panels = add_panels(fig, [outer[0, c] for c in range(k)])
        options = {"cax": fig.add_subplot(outer[0, k]), **dict(boundary_kw or {})}
        boundaries = DecisionBoundaryDisplay.from_result(
            result, variants=chosen, ax=panels, **options
        )
        boundaries.legend_ = _legend_into(boundaries.legend_, legend_cell(0))
    loss_axes = add_panels(fig, [outer[row, c] for c in range(k)])
    losses = LossCurvesDisplay.from_result(
        result,
        variants=chosen,
        ax=loss_axes,
        penalty_ax=fig.add_subplot(outer[row + 1, :k], sharex=loss_axes[0]),
        **{"logy": logy, **dict(loss_kw or {})},
    )
    losses.legend_ = _legend_into(losses.legend_, legend_cell(row))
    losses.penalty_legend_ = _legend_into(losses.penalty_legend_, legend_cell(row + 1))
    weight_ax = fig.add_subplot(outer[row + 2, : k + 1])
    weights = WeightDistributionDisplay.from_histories(
        {v: result.histories[v] for v in chosen},
        key,
        record=record,
        ax=weight_ax,
        box_ax=fig.add_subplot(outer[row + 3, : k + 1], sharex=weight_ax),
        **dict(weights_kw or {}),
    )
    weights.legend_ = _legend_into(weights.legend_, legend_cell(row + 2))
    weight_ax.set_title(weights_title(weights, key))
    return ComparisonDisplay(fig, boundaries, losses, weights, bounding)


def _legend_into(legend: Any, ax: Axes) -> Any:
    """Move ``legend`` (``None``: none) to the upper left of ``ax``, an empty cell."""
    if legend is None:
        return None
    handles = list(legend.legend_handles)
    labels = [text.get_text() for text in legend.get_texts()]
    size = legend.get_texts()[0].get_fontsize() if labels else None
    legend.remove()
    where = dict(loc="upper left", bbox_to_anchor=(0.0, 1.0), borderaxespad=0.0)
    return ax.legend(handles, labels, fontsize=size, **where)


def weights_title(weights: WeightDistributionDisplay, key: str | int = 0) -> str:
    """``"First-layer kernel (N weights) at epoch E"``: size and epoch if all share."""
    epochs = set(weights.epochs.values())
    sizes = {int(np.asarray(v).size) for v in weights.values.values()}
    what = "First-layer kernel" if key == 0 else f"Weight {key!r}"
    if len(sizes) == 1:
        what += f" ({sizes.pop():,} weights)"
    if len(epochs) == 1:
        what += f" at epoch {epochs.pop()}"
    return what


def plot_decision_boundaries(
    result: Any, *, variants: Sequence[str] | None = None, ax: Any = None, **kwargs: Any
) -> DecisionBoundaryDisplay:
    """Plot the decision regions of a comparison's variants side by side.

    Returns:
        The drawn Display of :meth:`DecisionBoundaryDisplay.from_result`.
    """
    return DecisionBoundaryDisplay.from_result(
        result, variants=variants, ax=ax, **kwargs
    )


def plot_loss_curves(
    result: Any, *, variants: Sequence[str] | None = None, ax: Any = None, **kwargs: Any
) -> LossCurvesDisplay:
    """Plot training vs validation data loss per variant, the penalty apart.

    Returns:
        The drawn Display of :meth:`LossCurvesDisplay.from_result`.
    """
    return LossCurvesDisplay.from_result(result, variants=variants, ax=ax, **kwargs)


def plot_metric_bars(
    result: Any,
    names: Sequence[str] = ("val_loss", "gap", "val_accuracy", "zero_fraction"),
    *,
    variants: Sequence[str] | None = None,
    ax: Any = None,
    **kwargs: Any,
) -> MetricBarsDisplay:
    """Plot a comparison's final numbers as bars, with error bars over seeds.

    Returns:
        The drawn Display of :meth:`MetricBarsDisplay.from_result`.
    """
    return MetricBarsDisplay.from_result(
        result, names, variants=variants, ax=ax, **kwargs
    )
