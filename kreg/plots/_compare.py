"""Figures of a comparison run: Display objects drawing a ``ComparisonResult``.

A ``kreg.compare`` run trains several variants (e.g. ``"none"``, ``"l1"``,
``"l2"``) side by side; these figures put them next to each other with the same
scales, so the regularizer is the only thing that differs between panels:

- :class:`DecisionBoundaryDisplay`: one panel per variant, the predicted
  probability of class 1 over the plot box (filled contours on one shared colour
  scale), the 0.5 boundary as a line, training points as filled circles and
  validation points as white-filled triangles outlined in their class colour.
- :class:`LossCurvesDisplay`: training and validation *data* loss per epoch, one
  panel per variant (or all on one axes), and the penalty on its own axes (Keras
  mixes it into both ``loss`` and ``val_loss``; here it is kept apart).
- :class:`VariantPanelsDisplay`: one history figure of :mod:`kreg.plots` per
  variant, side by side (:func:`plot_variant_networks`,
  :func:`plot_variant_weight_bars`).
- :class:`MetricBarsDisplay` / :func:`plot_metric_bars`: the final numbers as
  bars, with error bars and each seed's value when the run was repeated over
  several seeds.
- :class:`ComparisonDisplay` / :func:`plot_comparison`: the standard figure:
  boundaries, losses and the first-layer weight distributions (the history
  module's :class:`~kreg.plots.WeightDistributionDisplay` on
  ``result.histories``).

A run repeated over several seeds (``kreg.compare(..., seeds=[0, 1, 2])``) holds
means over the seeds; the loss curves then show bands of ± one standard
deviation, the titles ``mean ± std`` and the bars error bars. A run with one seed
draws exactly as before.

Every Display follows the history figures' pattern: ``from_result`` reads the
numbers (NumPy only) and calls ``plot(ax=None, **kwargs)``, which draws and keeps
the axes, the figure and the main artists. A multi-panel figure takes ``ax`` as
``None`` (a new figure), one ``Axes`` (its place is divided into the panels; the
original axes is hidden and kept as ``bounding_ax_``) or one ``Axes`` per panel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kreg._validation import _fail, check_fraction, check_int
from kreg.plots._common import (
    COMPARISON_RESULT,
    append_axes,
    check_ax,
    check_record,
    check_result,
    divergence,
    finite_or_nan,
    mark_diverged,
    pyplot,
    resolve_key,
    subplots,
    variant_colors,
)
from kreg.plots._history import (
    NetworkDisplay,
    WeightBarsDisplay,
    WeightDistributionDisplay,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.text import Text

__all__ = [
    "CLASS_COLORS",
    "ComparisonDisplay",
    "DecisionBoundaryDisplay",
    "LossCurvesDisplay",
    "MetricBarsDisplay",
    "VariantPanelsDisplay",
    "plot_comparison",
    "plot_decision_boundaries",
    "plot_loss_curves",
    "plot_metric_bars",
    "plot_variant_networks",
    "plot_variant_weight_bars",
]

#: Colours of class 0 and class 1, the two ends of the default colour map.
CLASS_COLORS: tuple[str, str] = ("#2166ac", "#b2182b")
#: Default colour map of the probability of class 1 (blue = 0, red = 1).
_CMAP = "RdBu_r"
#: Default filled-contour levels: the probability in steps of 0.1.
_LEVELS = tuple(np.round(np.linspace(0.0, 1.0, 11), 10))
_CURVE_NAMES = ("train_loss", "val_loss", "penalty")


# --------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------


def _select_variants(
    result: Any, variants: Sequence[str] | None, *attributes: str
) -> list[str]:
    """The variants to draw: all of ``result.variants`` or a checked subset.

    ``result`` is first checked to have ``variants`` and ``attributes``, the
    attributes its caller reads, before anything is drawn.
    """
    check_result(result, COMPARISON_RESULT, "variants", *attributes)
    available = [str(v) for v in result.variants]
    if variants is None:
        return available
    if isinstance(variants, str):
        variants = [variants]
    chosen = [str(v) for v in variants]
    unknown = [v for v in chosen if v not in available]
    if unknown or not chosen:
        _fail(
            "variants",
            f"a non-empty list of variants of the result, among {available}",
            list(variants),
        )
    return chosen


def _is_axes(obj: Any) -> bool:
    from matplotlib.axes import Axes

    return isinstance(obj, Axes)


def _split_axes(ax: Axes, nrows: int, ncols: int, **grid_kw: Any) -> Any:
    """Hide ``ax`` and return a grid spec dividing its place into ``nrows x ncols``.

    ``ax`` is hidden, not removed (the caller may hold it); it must have a subplot
    spec (made by ``subplots`` or ``add_subplot``).
    """
    spec = ax.get_subplotspec()
    if spec is None:
        _fail(
            "ax",
            "an Axes made by subplots or add_subplot (whose place can be divided), "
            "or a sequence of Axes",
            ax,
        )
    ax.set_axis_off()
    return spec.subgridspec(nrows, ncols, **grid_kw)


def _panel_axes(
    ax: Any, n: int, *, figsize: tuple[float, float], name: str = "ax"
) -> tuple[Any, list[Axes], Axes | None]:
    """Return ``(figure, n axes, bounding axes or None)`` for ``n`` side-by-side panels.

    ``ax`` is ``None`` (a new figure with one row of ``n`` panels), one ``Axes``
    (divided into ``n`` panels, or used as is when ``n == 1``) or a sequence of
    ``n`` ``Axes``.
    """
    if ax is None:
        fig, grid = subplots(1, n, figsize=figsize, squeeze=False)
        return fig, list(grid[0]), None
    if _is_axes(ax):
        if n == 1:
            return ax.figure, [ax], None
        grid = _split_axes(ax, 1, n)
        fig = ax.figure
        return fig, [fig.add_subplot(grid[0, c]) for c in range(n)], ax
    if isinstance(ax, (str, bytes)) or not isinstance(ax, (Sequence, np.ndarray)):
        _fail(name, f"None, an Axes or a sequence of {n} Axes", ax, TypeError)
    axes = list(np.asarray(ax, dtype=object).ravel())
    if len(axes) != n:
        _fail(name, f"{n} Axes, one per variant", f"<{len(axes)} axes>")
    for i, item in enumerate(axes):
        check_ax(f"{name}[{i}]", item)
    return axes[0].figure, axes, None


def _curve(result: Any, variant: str, name: str, n: int) -> np.ndarray:
    curves = result.curves[variant]
    if name not in curves:
        return np.full(n, np.nan)
    values = np.asarray(curves[name], dtype=np.float64)
    if values.shape != (n,):
        _fail(
            f"result.curves[{variant!r}][{name!r}]",
            f"{n} values, one per epoch",
            f"<array of shape {values.shape}>",
        )
    return values


def _n_seeds(result: Any) -> int:
    """How many seeds a result was trained with (1 without ``seeds``)."""
    return len(getattr(result, "seeds", None) or [0])


def _metric_title(result: Any, variant: str) -> str:
    metrics = getattr(result, "metrics", {}) or {}
    m = metrics.get(variant)
    if not m:
        return variant
    spread = {}
    if _n_seeds(result) > 1:
        spread = (getattr(result, "metrics_std", None) or {}).get(variant, {})
    parts = []
    for key, word in (("val_accuracy", "val acc"), ("gap", "gap")):
        if key in m and np.isfinite(m[key]):
            text = f"{word} {m[key]:.2f}"
            if key in spread and np.isfinite(spread[key]):
                text += f" ± {spread[key]:.2f}"
            parts.append(text)
    return f"{variant} ({', '.join(parts)})" if parts else variant


def _notes(result: Any, chosen: Sequence[str]) -> dict[str, str]:
    """Variant -> "diverged at epoch N" (:func:`divergence`), for those that did.

    Reads the curves, the recorded weights and the decision grid of each variant
    that the result has.
    """
    curves = getattr(result, "curves", None) or {}
    histories = getattr(result, "histories", None) or {}
    decision = getattr(result, "decision", None) or {}
    notes = {}
    for name in chosen:
        history = histories.get(name)
        note = divergence(
            curves.get(name, {}),
            getattr(result, "epochs", None),
            weights=[] if history is None else list(history.weights.values()),
            predictions=[decision[name]] if name in decision else [],
        )
        if note is not None:
            notes[name] = note
    return notes


def _read_notes(notes: Mapping[str, str] | None, names: Sequence[str]) -> dict:
    """``notes`` as a dict of str, checked to name only variants of ``names``."""
    out = {str(k): str(v) for k, v in (notes or {}).items()}
    unknown = sorted(set(out) - set(names))
    if unknown:
        _fail("notes", f"notes of variants among {list(names)}", unknown)
    return out


def _write_notes(axes: Mapping[str, Axes], notes: Mapping[str, str]) -> dict:
    """Write each variant's note in its panel; return variant -> ``Text``.

    On a panel shared by several variants the notes are stacked, each prefixed
    by its variant.
    """
    written: dict[str, Text] = {}
    for name, text in notes.items():
        panel = axes[name]
        row = sum(axes[other] is panel for other in written)
        if sum(ax is panel for ax in axes.values()) > 1:
            text = f"{name}: {text}"
        written[name] = mark_diverged(panel, text, y=0.5 - 0.1 * row)
    return written


# ================================================================================
# 1. Decision boundaries, one panel per variant
# ================================================================================


class DecisionBoundaryDisplay:
    """Decision regions of several classifiers side by side, on one colour scale.

    One panel per variant, all with the same plot box, the same filled-contour
    levels and the same colour normalization (0 to 1), so a colour means the same
    probability in every panel. On each panel: the probability of class 1 as
    filled contours, the ``threshold`` contour (the decision boundary) as a black
    line, the training points as filled circles and the validation points as
    white triangles outlined in the class colour (:data:`CLASS_COLORS`). One
    colour bar serves every panel.

    Build it with :meth:`from_result`; the constructor takes the arrays directly.

    Args:
        xx: Grid x coordinates, shape ``(G, H)`` (as ``numpy.meshgrid`` makes).
        yy: Grid y coordinates, same shape.
        decision: Mapping variant -> probability of class 1 on the grid (same
            shape as ``xx``).
        data: Optional mapping with ``"x_train"``, ``"y_train"``, ``"x_val"``,
            ``"y_val"``: the points drawn on every panel (any of them may be
            missing or empty).
        titles: Optional mapping variant -> panel title (default: the name).
        threshold: The probability drawn as the boundary line, in (0, 1).
        notes: Optional mapping variant -> a note written across its panel, e.g.
            "diverged at epoch 7" (a grid of NaN draws no contours).

    Attributes:
        axes_: Mapping variant -> its ``Axes``.
        ax_: The first panel's ``Axes``.
        bounding_ax_: The hidden ``Axes`` whose place was divided, or ``None``.
        figure_: The figure (or subfigure) holding the panels.
        contours_: Mapping variant -> the filled ``QuadContourSet``.
        boundaries_: Mapping variant -> the ``QuadContourSet`` of the threshold line.
        train_points_: Mapping variant -> ``PathCollection`` of the training
            points (absent when there are none).
        val_points_: Mapping variant -> ``PathCollection`` of the validation
            points (absent when there are none).
        colorbar_: The shared ``Colorbar``, or ``None``.
        norm_: The shared ``Normalize(0, 1)``.
        levels_: The filled-contour levels, shared by every panel.
        notes_: Mapping variant -> the ``Text`` of its note (only variants with
            one).

    Examples:
        >>> import numpy as np
        >>> xx, yy = np.meshgrid(np.linspace(-1, 1, 20), np.linspace(-1, 1, 20))
        >>> decision = {"a": 1 / (1 + np.exp(-4 * xx)), "b": 1 / (1 + np.exp(-4 * yy))}
        >>> disp = DecisionBoundaryDisplay(xx, yy, decision).plot()
        >>> list(disp.axes_), disp.contours_["a"].norm is disp.contours_["b"].norm
        (['a', 'b'], True)
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
        if (
            self.xx.ndim != 2
            or self.xx.shape != self.yy.shape
            or min(self.xx.shape) < 2
        ):
            _fail(
                "xx",
                "2-D grid coordinates of at least 2 x 2 points, the shape of `yy`",
                f"<arrays of shapes {self.xx.shape} and {self.yy.shape}>",
            )
        if not isinstance(decision, Mapping) or not decision:
            _fail("decision", "a non-empty dict of variant -> grid values", decision)
        self.decision = {}
        for name, values in decision.items():
            values = np.asarray(values, dtype=np.float64)
            if values.shape != self.xx.shape:
                _fail(
                    f"decision[{name!r}]",
                    f"an array of the grid's shape {self.xx.shape}",
                    f"<array of shape {values.shape}>",
                )
            self.decision[str(name)] = values
        self.data = {}
        for part in ("x_train", "y_train", "x_val", "y_val"):
            value = (data or {}).get(part)
            self.data[part] = None if value is None else np.asarray(value)
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
        """Draw the decision regions of a comparison's variants side by side.

        Reads ``result.grid`` (``"xx"``, ``"yy"``), ``result.decision`` and
        ``result.data``; titles show each variant's validation accuracy and gap
        from ``result.metrics``. The panel of a variant whose run diverged (its
        curves or weights went NaN or infinite) says so, e.g. "diverged at
        epoch 7".

        Args:
            result: A ``ComparisonResult`` of :func:`kreg.compare`.
            variants: Which variants, in order; ``None`` draws all.
            ax: ``None`` (a new figure), one ``Axes`` to divide into the panels,
                or one ``Axes`` per variant.
            points: Draw the training and validation points.
            **kwargs: Passed to :meth:`plot` (and from it to ``Axes.contourf``).

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``result`` is not a comparison result.
            ValueError: If a variant is not in the result.

        Examples:
            >>> import kreg
            >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
            >>> disp = DecisionBoundaryDisplay.from_result(result)
            >>> list(disp.axes_)
            ['none', 'l1', 'l2']
            >>> import matplotlib.pyplot as plt
            >>> plt.close("all")
        """
        chosen = _select_variants(result, variants, "grid", "decision", "data")
        if result.grid is None:
            _fail(
                "result",
                "a result with a decision grid (compare() makes one for data with "
                "2 features)",
                "<result without a grid>",
            )
        data = dict(result.data) if points else None
        display = cls(
            result.grid["xx"],
            result.grid["yy"],
            {v: result.decision[v] for v in chosen},
            data=data,
            titles={v: _metric_title(result, v) for v in chosen},
            notes=_notes(result, chosen),
        )
        return display.plot(ax=ax, **kwargs)

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
            ax: ``None`` (a new figure), one ``Axes`` to divide into one panel per
                variant, or one ``Axes`` per variant.
            cmap: Colour map of the probability of class 1.
            levels: Filled-contour levels, shared by every panel (increasing,
                within [0, 1]).
            alpha: Opacity of the filled contours.
            colorbar: Add one colour bar for all panels.
            cax: Axes for the colour bar; ``None`` takes room from the panels.
            legend: Add a legend of the point markers on the first panel.
            point_size: Marker area of the points.
            **kwargs: Passed to ``Axes.contourf``.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not ``None``, an ``Axes`` or a sequence of them.
            ValueError: If ``ax`` holds the wrong number of axes or ``levels`` is
                not increasing within [0, 1].
        """
        from matplotlib.colors import Normalize
        from matplotlib.lines import Line2D

        check_ax("cax", cax)
        names = list(self.decision)
        levels = np.asarray(levels, dtype=np.float64)
        if (
            levels.ndim != 1
            or levels.size < 2
            or np.any(np.diff(levels) <= 0)
            or levels[0] < 0
            or levels[-1] > 1
        ):
            _fail("levels", "at least 2 increasing values within [0, 1]", levels)
        fig, axes, bounding = _panel_axes(
            ax, len(names), figsize=(3.6 * len(names) + 1.2, 3.6)
        )
        norm = Normalize(vmin=0.0, vmax=1.0)
        box = (
            float(self.xx.min()),
            float(self.xx.max()),
            float(self.yy.min()),
            float(self.yy.max()),
        )
        self.axes_ = dict(zip(names, axes, strict=True))
        self.contours_, self.boundaries_ = {}, {}
        self.train_points_, self.val_points_ = {}, {}
        for i, name in enumerate(names):
            panel = self.axes_[name]
            values = self.decision[name]
            options = {"cmap": cmap, "norm": norm, "alpha": alpha, **kwargs}
            self.contours_[name] = panel.contourf(
                self.xx, self.yy, values, levels=levels, **options
            )
            finite = values[np.isfinite(values)]
            if finite.size and finite.min() < self.threshold < finite.max():
                self.boundaries_[name] = panel.contour(
                    self.xx,
                    self.yy,
                    values,
                    levels=[self.threshold],
                    colors="black",
                    linewidths=1.5,
                )
            self._draw_points(panel, name, point_size)
            panel.set_xlim(box[0], box[1])
            panel.set_ylim(box[2], box[3])
            panel.set_title(self.titles.get(name, name))
            panel.set_xlabel("x1")
            if i == 0:
                panel.set_ylabel("x2")
            else:
                panel.tick_params(labelleft=False)
        if legend and (self.train_points_ or self.val_points_):
            handles = []
            for part, marker, filled in (("train", "o", True), ("val", "^", False)):
                if not (self.train_points_ if part == "train" else self.val_points_):
                    continue
                word = "training" if part == "train" else "validation"
                for label, color in enumerate(CLASS_COLORS):
                    handles.append(
                        Line2D(
                            [],
                            [],
                            linestyle="",
                            marker=marker,
                            markersize=6,
                            markerfacecolor=color if filled else "white",
                            markeredgecolor="black" if filled else color,
                            markeredgewidth=0.6 if filled else 1.4,
                            label=f"{word}, class {label}",
                        )
                    )
            axes[0].legend(
                handles=handles, loc="upper right", fontsize="x-small", framealpha=0.8
            )
        self.notes_ = _write_notes(self.axes_, self.notes)
        self.colorbar_ = None
        if colorbar:
            where = {"cax": cax} if cax is not None else {"ax": axes, "shrink": 0.9}
            self.colorbar_ = fig.colorbar(
                self.contours_[names[0]], label="P(class 1)", **where
            )
            self.colorbar_.add_lines(
                levels=[self.threshold], colors=["black"], linewidths=[1.5]
            )
        self.norm_ = norm
        self.levels_ = levels
        self.ax_ = axes[0]
        self.bounding_ax_ = bounding
        self.figure_ = fig
        return self

    def _draw_points(self, panel: Axes, name: str, size: float) -> None:
        colors = np.asarray(CLASS_COLORS)
        for part, store in (("train", self.train_points_), ("val", self.val_points_)):
            x, y = self.data[f"x_{part}"], self.data[f"y_{part}"]
            if x is None or y is None or len(x) == 0:
                continue
            x = np.asarray(x, dtype=np.float64).reshape(len(x), -1)
            labels = np.asarray(y).reshape(len(y), -1)[:, 0].astype(np.float64) > 0.5
            shade = colors[labels.astype(int)]
            if part == "train":
                store[name] = panel.scatter(
                    x[:, 0],
                    x[:, 1],
                    s=size,
                    c=list(shade),
                    marker="o",
                    edgecolors="black",
                    linewidths=0.6,
                    zorder=3,
                )
            else:
                store[name] = panel.scatter(
                    x[:, 0],
                    x[:, 1],
                    s=size * 1.4,
                    marker="^",
                    facecolors="white",
                    edgecolors=list(shade),
                    linewidths=1.6,
                    zorder=4,
                )


# ================================================================================
# 2. Loss curves: data losses per variant, the penalty apart
# ================================================================================


class LossCurvesDisplay:
    """Training and validation data loss per epoch, with the penalty apart.

    Keras' ``loss`` and ``val_loss`` both include the regularization penalty;
    here the data loss (binary cross-entropy) is drawn for training (solid) and
    validation (dashed, lighter), one panel per variant sharing the y scale, or
    all variants on one axes, and the penalty ``lam / (2 n) * sum(...)`` of each
    regularized variant on its own axes below.
    The gap between the two losses at the last epoch is written in each title.
    A run repeated over several seeds draws the mean curves and, around each, a
    band of one standard deviation over the seeds.

    Args:
        epochs: The epoch of each value (``1..E``).
        curves: Mapping variant -> mapping with ``"train_loss"``, ``"val_loss"``
            and ``"penalty"`` arrays (one value per epoch; a missing curve is
            not drawn).
        std: Optional mapping of the same form with the standard deviations
            over seeds; a curve with a standard deviation gets a band of mean
            ± std.
        notes: Optional mapping variant -> a note written in its panel, e.g.
            "diverged at epoch 7" (NaN and infinite values are not drawn).

    Attributes:
        axes_: Mapping variant -> the ``Axes`` of its losses (the same axes for
            every variant with ``separate=False``).
        ax_: The first loss ``Axes``.
        penalty_ax_: The ``Axes`` of the penalties, or ``None``.
        bounding_ax_: The hidden ``Axes`` whose place was divided, or ``None``.
        figure_: The figure.
        lines_: Mapping variant -> ``{"train": Line2D, "val": Line2D}`` (a curve
            that is all NaN, e.g. without validation data, is left out).
        penalty_lines_: Mapping variant -> ``Line2D`` of its penalty (only
            variants whose penalty is not all zero).
        gaps_: Mapping variant -> validation minus training data loss at the last
            epoch.
        bands_: Mapping variant -> ``{"train", "val", "penalty"}`` -> the
            ``fill_between`` collection of mean ± std (only curves given a
            standard deviation; empty dicts without seeds).
        colors_: Mapping variant -> colour.
        notes_: Mapping variant -> the ``Text`` of its note.

    Examples:
        >>> import numpy as np
        >>> e = np.arange(1, 6)
        >>> curves = {
        ...     "none": {"train_loss": 1 / e, "val_loss": 1 / e + 0.5,
        ...              "penalty": 0 * e},
        ...     "l2": {"train_loss": 1 / e + 0.1, "val_loss": 1 / e + 0.2,
        ...            "penalty": 0.05 + 0 * e},
        ... }
        >>> disp = LossCurvesDisplay(e, curves).plot()
        >>> sorted(disp.penalty_lines_), round(disp.gaps_["none"], 3)
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

    def _read_curves(
        self, what: str, curves: Mapping[str, Mapping[str, Any]]
    ) -> dict[str, dict[str, np.ndarray]]:
        n = self.epochs.size
        out: dict[str, dict[str, np.ndarray]] = {}
        for name, named in curves.items():
            if not isinstance(named, Mapping):
                _fail(f"{what}[{name!r}]", "a dict of curve name -> values", named)
            out[str(name)] = {}
            for curve in _CURVE_NAMES:
                if curve not in named or named[curve] is None:
                    continue
                values = np.asarray(named[curve], dtype=np.float64)
                if values.shape != (n,):
                    _fail(
                        f"{what}[{name!r}][{curve!r}]",
                        f"{n} values, one per epoch",
                        f"<array of shape {values.shape}>",
                    )
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
        """Draw the loss curves of a comparison's variants.

        With several seeds (``result.seeds``), the curves are the means over the
        seeds and ``result.curves_std`` gives bands of mean ± std. The panel of
        a variant whose run diverged says so ("diverged at epoch 7"); its
        curves are drawn up to there.

        Args:
            result: A ``ComparisonResult`` of :func:`kreg.compare`.
            variants: Which variants, in order; ``None`` draws all.
            ax: ``None`` (a new figure), one ``Axes`` to divide, or a sequence of
                ``Axes`` (one per variant, or one with ``separate=False``).
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``result`` is not a comparison result.
            ValueError: If a variant is not in the result.

        Examples:
            >>> import kreg
            >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
            >>> d = LossCurvesDisplay.from_result(result, logy=True)
            >>> d.penalty_ax_.get_yscale()
            'log'
            >>> import matplotlib.pyplot as plt
            >>> plt.close("all")
        """
        chosen = _select_variants(result, variants, "epochs", "curves")
        n = len(result.epochs)
        curves = {v: {c: _curve(result, v, c, n) for c in _CURVE_NAMES} for v in chosen}
        std = None
        if _n_seeds(result) > 1 and getattr(result, "curves_std", None):
            std = {
                v: {
                    c: np.asarray(result.curves_std[v][c], dtype=np.float64)
                    for c in _CURVE_NAMES
                    if c in result.curves_std.get(v, {})
                }
                for v in chosen
            }
        display = cls(result.epochs, curves, std=std, notes=_notes(result, chosen))
        return display.plot(ax=ax, **kwargs)

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
        **kwargs: Any,
    ) -> LossCurvesDisplay:
        """Draw the curves.

        Args:
            ax: ``None`` (a new figure), one ``Axes`` (its place is divided into
                the loss panels and, unless ``penalty_ax`` is given, the penalty
                axes below them), or a sequence of loss ``Axes``: one per variant
                (``separate=True``) or one.
            penalty_ax: Axes for the penalties; ``None`` makes one below the loss
                panels.
            separate: One panel per variant (sharing the y scale) rather than all
                variants on one axes.
            penalty: Draw the penalties.
            logy: Logarithmic y scale for the losses (and the penalties).
            colors: Colour per variant (default:
                :func:`kreg.plots._common.variant_colors`).
            band_alpha: Opacity of the ± std bands (training; validation and
                penalty bands are lighter).
            **kwargs: Passed to ``Axes.plot`` for every loss line.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` or ``penalty_ax`` is not an ``Axes``.
            ValueError: If ``ax`` holds the wrong number of axes, or ``penalty_ax``
                is given with ``penalty=False``.
        """
        check_ax("penalty_ax", penalty_ax)
        if penalty_ax is not None and not penalty:
            _fail("penalty_ax", "None when penalty=False", penalty_ax)
        names = list(self.curves)
        n_panels = len(names) if separate else 1
        bounding = None
        if ax is None or _is_axes(ax):
            below = penalty and penalty_ax is None
            ratios = [2.0, 1.0] if below else None
            if ax is None:
                fig = pyplot().figure(
                    figsize=(3.6 * n_panels + 0.8, 5.4 if below else 3.6),
                    layout="constrained",
                )
                grid = fig.add_gridspec(
                    2 if below else 1, n_panels, height_ratios=ratios
                )
            else:
                fig, bounding = ax.figure, ax
                grid = _split_axes(
                    ax, 2 if below else 1, n_panels, height_ratios=ratios
                )
            loss_axes = []
            for c in range(n_panels):
                share = {"sharey": loss_axes[0], "sharex": loss_axes[0]} if c else {}
                loss_axes.append(fig.add_subplot(grid[0, c], **share))
            if below:
                penalty_ax = fig.add_subplot(grid[1, :], sharex=loss_axes[0])
        else:
            fig, loss_axes, _ = _panel_axes(ax, n_panels, figsize=(6.4, 4.8))
            if penalty and penalty_ax is None:
                penalty_ax = append_axes(loss_axes[-1], "bottom", size=0.35, pad=0.12)

        chosen = variant_colors(names)
        chosen.update({str(k): v for k, v in (colors or {}).items()})
        self.colors_ = {name: chosen[name] for name in names}
        self.axes_ = {
            name: loss_axes[i if separate else 0] for i, name in enumerate(names)
        }
        self.lines_: dict[str, dict[str, Any]] = {}
        self.bands_: dict[str, dict[str, Any]] = {name: {} for name in names}
        self.gaps_: dict[str, float] = {}
        x = self.epochs
        for name in names:
            panel = self.axes_[name]
            curves = self.curves[name]
            spread = self.std.get(name, {})
            self.lines_[name] = {}
            prefix = "" if separate else f"{name}: "
            # Solid and opaque for training; dashed, thinner and lighter for
            # validation, so the two stay apart even where a curve is noisy.
            for part, style, width, alpha, word in (
                ("train", "-", 1.5, 1.0, "training"),
                ("val", "--", 1.0, 0.6, "validation"),
            ):
                values = curves.get(f"{part}_loss")
                if values is None or not np.isfinite(values).any():
                    continue
                options = {
                    "color": self.colors_[name],
                    "linestyle": style,
                    "linewidth": width,
                    "alpha": alpha,
                    "label": f"{prefix}{word} data loss",
                    **kwargs,
                }
                if f"{part}_loss" in spread:
                    options["label"] += " (mean ± std)"
                (self.lines_[name][part],) = panel.plot(x, values, **options)
                if f"{part}_loss" in spread:
                    std = spread[f"{part}_loss"]
                    self.bands_[name][part] = panel.fill_between(
                        x,
                        values - std,
                        values + std,
                        color=self.colors_[name],
                        alpha=band_alpha * (1.0 if part == "train" else 0.6),
                        linewidth=0,
                    )
            train, val = curves.get("train_loss"), curves.get("val_loss")
            gap = float("nan")
            if train is not None and val is not None:
                with np.errstate(invalid="ignore"):  # inf - inf: a diverged run
                    gap = float(val[-1] - train[-1])
            self.gaps_[name] = gap
            if separate:
                title = name
                if np.isfinite(gap):
                    title += f" (final gap {gap:.2f})"
                panel.set_title(title)
        for i, panel in enumerate(dict.fromkeys(self.axes_.values())):
            if logy:
                panel.set_yscale("log")
            if i == 0:
                panel.set_ylabel("data loss (cross-entropy)")
            elif separate:
                panel.tick_params(labelleft=False)
            if penalty_ax is None:
                panel.set_xlabel("epoch")
            if not separate:
                panel.set_title("Data loss: training (solid) vs validation (dashed)")
            if panel.get_legend_handles_labels()[0]:
                panel.legend(fontsize="x-small", loc="best")
        self.notes_ = _write_notes(self.axes_, self.notes)

        self.penalty_lines_: dict[str, Any] = {}
        if penalty:
            for name in names:
                values = self.curves[name].get("penalty")
                if values is None or not np.any(np.nan_to_num(values) != 0):
                    continue
                (self.penalty_lines_[name],) = penalty_ax.plot(
                    x, values, color=self.colors_[name], label=name
                )
                if "penalty" in self.std.get(name, {}):
                    std = self.std[name]["penalty"]
                    self.bands_[name]["penalty"] = penalty_ax.fill_between(
                        x,
                        values - std,
                        values + std,
                        color=self.colors_[name],
                        alpha=band_alpha * 0.6,
                        linewidth=0,
                    )
            if self.penalty_lines_:
                if logy and all(
                    np.nanmin(self.curves[n]["penalty"]) > 0
                    for n in self.penalty_lines_
                ):
                    penalty_ax.set_yscale("log")
                penalty_ax.legend(fontsize="x-small", loc="best")
            else:
                penalty_ax.text(
                    0.5,
                    0.5,
                    "no penalty (no regularized variant)",
                    ha="center",
                    va="center",
                    transform=penalty_ax.transAxes,
                    fontsize="small",
                )
            penalty_ax.set_ylabel("penalty")
            penalty_ax.set_xlabel("epoch")
            penalty_ax.set_title(
                "Penalty lam/(2n)·Σ (not in the data losses)", fontsize="medium"
            )
        self.ax_ = loss_axes[0]
        self.penalty_ax_ = penalty_ax if penalty else None
        self.bounding_ax_ = bounding
        self.figure_ = fig
        return self


# ================================================================================
# 3. One history figure per variant, side by side
# ================================================================================


class VariantPanelsDisplay:
    """One figure of :mod:`kreg.plots`' history Displays per variant, side by side.

    Holds the sub-displays (a :class:`~kreg.plots.NetworkDisplay` or a
    :class:`~kreg.plots.WeightBarsDisplay` per variant); made by
    :func:`plot_variant_networks` and :func:`plot_variant_weight_bars`.

    Args:
        displays: Mapping variant -> the drawn Display of its panel.
        figure: The figure holding the panels.
        bounding_ax: The hidden ``Axes`` whose place was divided, or ``None``.
        notes: Mapping variant -> a note to write across its panel, e.g.
            "diverged at epoch 7".

    Attributes:
        displays_: Mapping variant -> sub-display.
        axes_: Mapping variant -> its ``Axes``.
        ax_: The first panel's ``Axes``.
        bounding_ax_: As given.
        figure_: The figure.
        notes_: Mapping variant -> the ``Text`` of its note.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> plot_variant_networks(result).displays_["l1"].n_weights
        88
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
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
        self.bounding_ax_ = bounding_ax
        self.figure_ = figure
        self.notes_ = _write_notes(self.axes_, _read_notes(notes, list(self.axes_)))


def plot_variant_networks(
    result: Any,
    *,
    variants: Sequence[str] | None = None,
    record: int = -1,
    max_units: int = 16,
    ax: Any = None,
    **kwargs: Any,
) -> VariantPanelsDisplay:
    """Draw each variant's trained network, side by side.

    One :class:`~kreg.plots.NetworkDisplay` per variant from
    ``result.histories[variant]`` (edge width and colour by ``|w|``, exact zeros
    removed). The colour scale of ``|w|`` is shared by every panel (one colour bar,
    on the last); the edge widths are relative to each panel's largest ``|w|``.
    The panel of a variant whose run diverged says so; NaN and infinite
    weights are not drawn.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        variants: Which variants, in order; ``None`` draws all.
        record: Which record, ``-1`` (after training) by default; ``0`` is the
            initial weights.
        max_units: The most nodes drawn per layer.
        ax: ``None`` (a new figure), one ``Axes`` to divide, or one ``Axes`` per
            variant.
        **kwargs: Passed to :meth:`kreg.plots.NetworkDisplay.plot` (``colorbar=False``
            leaves out the colour bar).

    Returns:
        A :class:`VariantPanelsDisplay` of ``NetworkDisplay`` objects.

    Raises:
        TypeError: If ``result`` is not a comparison result.
        ValueError: If a variant is not in the result or ``record`` is out of
            range.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> disp = plot_variant_networks(result, max_units=8)
        >>> sorted(disp.displays_)
        ['l1', 'l2', 'none']
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """
    chosen = _select_variants(result, variants, "histories")
    from matplotlib.colors import Normalize

    max_units = check_int("max_units", max_units, minimum=1)
    top = 0.0
    for name in chosen:
        history = result.histories[name]
        for k in history.keys():
            array = np.asarray(history.weights[k])
            if array.ndim == 3:
                index = check_record(record, array.shape[0])
                values = np.abs(array[index].astype(np.float64))
                values = values[np.isfinite(values)]
                top = max(top, float(values.max()) if values.size else 0.0)
    kwargs.setdefault("norm", Normalize(0.0, top if top > 0 else 1.0))
    show_bar = kwargs.pop("colorbar", True)
    fig, axes, bounding = _panel_axes(ax, len(chosen), figsize=(4.6 * len(chosen), 4.6))
    displays = {}
    for i, (name, panel) in enumerate(zip(chosen, axes, strict=True)):
        displays[name] = NetworkDisplay.from_history(
            result.histories[name],
            record=record,
            max_units=max_units,
            ax=panel,
            colorbar=bool(show_bar) and i == len(chosen) - 1,
            **kwargs,
        )
        panel.set_title(f"{name}: {panel.get_title()}", fontsize="small")
    return VariantPanelsDisplay(displays, fig, bounding, _notes(result, chosen))


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

    One :class:`~kreg.plots.WeightBarsDisplay` per variant. All variants start
    from the same initial weights, so every panel shows the same entries (by
    default the ``k`` largest ``|w|`` at record 0 of the first variant) and the
    panels share the y scale: the bars "after" differ only by the regularizer.
    The panel of a variant whose run diverged says so; NaN and infinite
    weights have no bar.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        key: Which weight: path, unique suffix or position in each history's
            ``keys()`` (``0``, the default, is the first layer's kernel; paths
            differ between variants, positions do not).
        variants: Which variants, in order; ``None`` draws all.
        indices: Which entries (flat indices or positions); ``None`` picks them
            as described above.
        k: How many weights when ``indices`` is ``None``.
        ax: ``None`` (a new figure), one ``Axes`` to divide, or one ``Axes`` per
            variant.
        **kwargs: Passed to :meth:`kreg.plots.WeightBarsDisplay.from_history`.

    Returns:
        A :class:`VariantPanelsDisplay` of ``WeightBarsDisplay`` objects.

    Raises:
        TypeError: If ``result`` is not a comparison result.
        ValueError: If a variant is not in the result or an index is out of range.
        KeyError: If ``key`` names no recorded weight.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> disp = plot_variant_weight_bars(result, k=4)
        >>> [d.labels == disp.displays_["none"].labels for d in disp.displays_.values()]
        [True, True, True]
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """
    chosen = _select_variants(result, variants, "histories")
    if indices is None:
        _, array = resolve_key(result.histories[chosen[0]], key)
        first = np.nan_to_num(np.abs(array[0].reshape(-1).astype(np.float64)), nan=-1.0)
        k = min(check_int("k", k, minimum=1), first.size)
        flat = np.argsort(-first, kind="stable")[:k]
        indices = [int(i) for i in flat]
    fig, axes, bounding = _panel_axes(ax, len(chosen), figsize=(5.0 * len(chosen), 4.0))
    colors = variant_colors(chosen)
    displays = {}
    for name, panel in zip(chosen, axes, strict=True):
        options = {"colors": ("tab:gray", colors[name]), **kwargs}
        display = WeightBarsDisplay.from_history(
            result.histories[name], key, indices=indices, ax=panel, **options
        )
        displays[name] = display
        short = str(display.key)
        if short.startswith(f"{name}/"):
            short = short[len(name) + 1 :]
        first, last = display.epochs
        count = len(display.labels)
        panel.set_title(
            f"{name}: {count} weights of {short}, epoch {first} vs {last}",
            fontsize="small",
        )
    low = min(panel.get_ylim()[0] for panel in axes)
    high = max(panel.get_ylim()[1] for panel in axes)
    for panel in axes:
        panel.set_ylim(low, high)
    return VariantPanelsDisplay(displays, fig, bounding, _notes(result, chosen))


# ================================================================================
# 3b. Summary bars: final numbers per variant, error bars over seeds
# ================================================================================

#: Headings of the summary bar panels, for the metrics of a comparison.
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


class MetricBarsDisplay:
    """Final numbers of a comparison as bars, one panel per metric.

    One bar per variant (in the variants' colours) in each panel. With several
    seeds, each bar is the mean over the seeds, with an error bar of one
    standard deviation (``ddof=0``) and the individual seeds as dots. A value
    that is NaN or infinite (a diverged run) has no bar; "non-finite" is
    written in its place.

    Args:
        metrics: Mapping variant -> mapping metric -> value (the mean).
        names: The metrics to draw, one panel each, in order.
        std: Optional mapping of the same form with the standard deviations.
        per_seed: Optional mapping variant -> metric -> values of each seed.

    Attributes:
        axes_: Mapping metric -> its ``Axes``.
        bars_: Mapping metric -> ``BarContainer`` (one bar per variant).
        errorbars_: Mapping metric -> ``ErrorbarContainer``, or ``None`` without
            standard deviations.
        seed_points_: Mapping metric -> ``PathCollection`` of the seeds' values,
            or ``None``.
        notes_: Mapping metric -> variant -> the "non-finite" ``Text`` written
            in place of its bar (only metrics with such a value).
        colors_: Mapping variant -> colour.
        ax_: The first panel.
        bounding_ax_: The hidden ``Axes`` whose place was divided, or ``None``.
        figure_: The figure.

    Examples:
        >>> metrics = {"none": {"val_loss": 0.9}, "l2": {"val_loss": 0.3}}
        >>> std = {"none": {"val_loss": 0.1}, "l2": {"val_loss": 0.05}}
        >>> disp = MetricBarsDisplay(metrics, ["val_loss"], std=std).plot()
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
        if isinstance(names, str):
            names = [names]
        self.names = [str(n) for n in names]
        if not self.names:
            _fail("names", "at least one metric", list(names))
        self.variants = [str(v) for v in metrics]
        for variant, values in metrics.items():
            missing = [n for n in self.names if n not in values]
            if missing:
                _fail(f"metrics[{variant!r}]", f"the metrics {self.names}", missing)
        self.metrics = {
            str(v): {n: float(m[n]) for n in self.names} for v, m in metrics.items()
        }
        self.std = None
        if std:
            self.std = {
                v: {n: float(std.get(v, {}).get(n, np.nan)) for n in self.names}
                for v in self.variants
            }
        self.per_seed = None
        if per_seed:
            self.per_seed = {
                v: {
                    n: np.asarray(per_seed.get(v, {}).get(n, []), dtype=np.float64)
                    for n in self.names
                }
                for v in self.variants
            }

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

        Reads ``result.metrics`` (means over the seeds) and, when the result
        was trained with several seeds, ``result.metrics_std`` and
        ``result.per_seed``.

        Args:
            result: A ``ComparisonResult`` of :func:`kreg.compare`.
            names: The metrics, one panel each (keys of ``result.metrics``).
            variants: Which variants, in order; ``None`` draws all.
            ax: ``None`` (a new figure), one ``Axes`` to divide, or one ``Axes``
                per metric.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``result`` is not a comparison result.
            ValueError: If a variant or a metric is not in the result.

        Examples:
            >>> import kreg
            >>> result = kreg.compare(
            ...     hidden=(8, 8), epochs=5, batch_size=40, seeds=[0, 1, 2]
            ... )
            >>> disp = MetricBarsDisplay.from_result(result)
            >>> disp.errorbars_["val_loss"] is not None
            True
            >>> import matplotlib.pyplot as plt
            >>> plt.close("all")
        """
        chosen = _select_variants(result, variants, "metrics")
        several = _n_seeds(result) > 1
        std = getattr(result, "metrics_std", None) if several else None
        per_seed = getattr(result, "per_seed", None) if several else None
        display = cls(
            {v: result.metrics[v] for v in chosen},
            names,
            std={v: std[v] for v in chosen if v in std} if std else None,
            per_seed={v: per_seed[v] for v in chosen if v in per_seed}
            if per_seed
            else None,
        )
        return display.plot(ax=ax, **kwargs)

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
            ax: ``None`` (a new figure), one ``Axes`` to divide into one panel
                per metric, or one ``Axes`` per metric.
            colors: Colour per variant (default:
                :func:`kreg.plots._common.variant_colors`).
            seeds: Draw each seed's value as a dot (when known).
            **kwargs: Passed to ``Axes.bar``.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not ``None``, an ``Axes`` or a sequence of them.
            ValueError: If ``ax`` holds the wrong number of axes.
        """
        n = len(self.names)
        fig, axes, bounding = _panel_axes(
            ax, n, figsize=(2.6 * n + 0.8, 3.2), name="ax"
        )
        chosen = variant_colors(self.variants)
        chosen.update({str(k): v for k, v in (colors or {}).items()})
        self.colors_ = {v: chosen[v] for v in self.variants}
        x = np.arange(len(self.variants))
        shade = [self.colors_[v] for v in self.variants]
        self.axes_, self.bars_, self.errorbars_, self.seed_points_ = {}, {}, {}, {}
        self.notes_ = {}
        for name, panel in zip(self.names, axes, strict=True):
            heights = finite_or_nan([self.metrics[v][name] for v in self.variants])
            options = {"color": shade, "alpha": 0.85, "width": 0.7, **kwargs}
            self.bars_[name] = panel.bar(x, heights, **options)
            missing = {
                v: mark_diverged(
                    panel,
                    "non-finite",
                    x=i,
                    transform=panel.get_xaxis_transform(),
                    rotation=90,
                )
                for i, v in enumerate(self.variants)
                if np.isnan(heights[i])
            }
            if missing:
                self.notes_[name] = missing
            self.errorbars_[name] = None
            if self.std is not None:
                errors = finite_or_nan([self.std[v][name] for v in self.variants])
                self.errorbars_[name] = panel.errorbar(
                    x,
                    heights,
                    yerr=errors,
                    fmt="none",
                    ecolor="black",
                    elinewidth=1.2,
                    capsize=4,
                    zorder=3,
                )
            self.seed_points_[name] = None
            if seeds and self.per_seed is not None:
                xs, ys = [], []
                for i, v in enumerate(self.variants):
                    values = finite_or_nan(self.per_seed[v][name])
                    xs += [i] * values.size
                    ys += values.tolist()
                if xs:
                    self.seed_points_[name] = panel.scatter(
                        xs, ys, s=12, color="black", alpha=0.6, zorder=4
                    )
            panel.set_xticks(x, self.variants)
            title = _BAR_TITLES.get(name, name)
            panel.set_title(title, fontsize="medium")
            panel.axhline(0.0, color="0.3", linewidth=0.8)
            self.axes_[name] = panel
        if self.std is not None:
            seeds_known = self.per_seed is not None
            note = "mean ± std over seeds" + (
                " (dots: each seed)" if seeds_known else ""
            )
            axes[0].set_ylabel(note, fontsize="small")
        self.ax_ = axes[0]
        self.bounding_ax_ = bounding
        self.figure_ = fig
        return self


def plot_metric_bars(
    result: Any,
    names: Sequence[str] = ("val_loss", "gap", "val_accuracy", "zero_fraction"),
    *,
    variants: Sequence[str] | None = None,
    ax: Any = None,
    **kwargs: Any,
) -> MetricBarsDisplay:
    """Plot a comparison's final numbers as bars, with error bars over seeds.

    Shortcut for :meth:`MetricBarsDisplay.from_result`.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        names: The metrics, one panel each.
        variants: Which variants, in order; ``None`` draws all.
        ax: ``None`` (a new figure), one ``Axes`` to divide, or one ``Axes`` per
            metric.
        **kwargs: Passed to :meth:`MetricBarsDisplay.plot`.

    Returns:
        The drawn :class:`MetricBarsDisplay`.

    Raises:
        TypeError: If ``result`` is not a comparison result.
        ValueError: If a variant or a metric is not in the result.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(
        ...     hidden=(8, 8), epochs=5, batch_size=40, seeds=[0, 1, 2]
        ... )
        >>> plot_metric_bars(result, ["gap"]).errorbars_["gap"]
        <ErrorbarContainer object of 3 artists>
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """
    return MetricBarsDisplay.from_result(
        result, names, variants=variants, ax=ax, **kwargs
    )


# ================================================================================
# 4. The standard figure
# ================================================================================


class ComparisonDisplay:
    """The standard figure of a comparison: boundaries, losses, weight distributions.

    Three rows in one figure: the decision boundaries
    (:class:`DecisionBoundaryDisplay`), the data-loss curves and penalties
    (:class:`LossCurvesDisplay`), and the distribution of the first layer's kernel
    for every variant overlaid, with box plots
    (:class:`~kreg.plots.WeightDistributionDisplay` on ``result.histories``).
    Made by :func:`plot_comparison`.

    Args:
        figure: The figure.
        boundaries: The drawn :class:`DecisionBoundaryDisplay`, or ``None``.
        losses: The drawn :class:`LossCurvesDisplay`.
        weights: The drawn :class:`~kreg.plots.WeightDistributionDisplay`.
        bounding_ax: The hidden ``Axes`` whose place was divided, or ``None``.

    Attributes:
        figure_: The figure.
        boundaries_: The decision-boundary sub-display (``None`` without a grid).
        losses_: The loss-curve sub-display.
        weights_: The weight-distribution sub-display.
        bounding_ax_: As given.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> disp = plot_comparison(result)
        >>> list(disp.boundaries_.axes_)
        ['none', 'l1', 'l2']
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """

    def __init__(
        self,
        figure: Any,
        boundaries: DecisionBoundaryDisplay | None,
        losses: LossCurvesDisplay,
        weights: WeightDistributionDisplay,
        bounding_ax: Any = None,
    ) -> None:
        self.figure_ = figure
        self.boundaries_ = boundaries
        self.losses_ = losses
        self.weights_ = weights
        self.bounding_ax_ = bounding_ax


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

    Row 1: decision boundaries, one panel per variant (same box and colour
    scale; training points filled circles, validation points white triangles);
    left out when the result has no decision grid (data without 2 features).
    Row 2: training vs validation data loss per variant, and the penalties on
    their own axes. Row 3: the first layer's kernel of every variant after
    training, density and histogram overlaid, box plots with min and max below.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        variants: Which variants, in order; ``None`` draws all.
        key: The weight of the distribution row: path, unique suffix or position
            (``0``, the default, is the first layer's kernel).
        record: The record of the distribution row, ``-1`` (after training) by
            default; ``0`` shows the (identical) initial weights.
        logy: Logarithmic y scale for the losses.
        ax: ``None`` (a new figure) or one ``Axes`` whose place is divided into
            the three rows.
        boundary_kw: Passed to :meth:`DecisionBoundaryDisplay.plot`.
        loss_kw: Passed to :meth:`LossCurvesDisplay.plot`.
        weights_kw: Passed to
            :meth:`kreg.plots.WeightDistributionDisplay.from_histories`.
        **kwargs: Passed to ``matplotlib.pyplot.figure`` when a figure is made
            (e.g. ``figsize``, ``dpi``).

    Returns:
        A :class:`ComparisonDisplay` holding the figure and the three
        sub-displays.

    Raises:
        ValueError: If a variant is not in the result or ``record`` is out of
            range.
        TypeError: If ``result`` is not a comparison result or ``ax`` is not an
            ``Axes``.

    Examples:
        >>> import os
        >>> import tempfile
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> disp = plot_comparison(result, logy=True)
        >>> disp.figure_.savefig(os.path.join(tempfile.mkdtemp(), "comparison.png"))
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """
    check_ax("ax", ax)
    has_grid = getattr(result, "grid", None) is not None
    grid_parts = ("decision", "data") if has_grid else ()
    chosen = _select_variants(
        result, variants, "epochs", "curves", "histories", *grid_parts
    )
    k = len(chosen)
    heights = [3.6, 2.6, 1.3, 2.6, 0.6 + 0.35 * k]
    if not has_grid:  # data without 2 features: no decision boundaries
        heights = heights[1:]
    rows = len(heights)
    widths = [1.0] * k + [0.06]
    if ax is None:
        kwargs.setdefault("figsize", (max(3.7 * k + 1.4, 8.0), sum(heights) + 0.6))
        kwargs.setdefault("layout", "constrained")
        fig = pyplot().figure(**kwargs)
        outer = fig.add_gridspec(
            rows, k + 1, height_ratios=heights, width_ratios=widths
        )
        bounding = None
    else:
        fig = ax.figure
        bounding = ax
        outer = _split_axes(ax, rows, k + 1, height_ratios=heights, width_ratios=widths)
    row = 0
    boundaries = None
    if has_grid:
        # Row 1: boundary panels (the last, narrow column holds the colour bar).
        boundary_axes = [fig.add_subplot(outer[0, c]) for c in range(k)]
        for panel in boundary_axes[1:]:
            panel.sharex(boundary_axes[0])
            panel.sharey(boundary_axes[0])
        boundary_options = {
            "cax": fig.add_subplot(outer[0, k]),
            **dict(boundary_kw or {}),
        }
        boundaries = DecisionBoundaryDisplay.from_result(
            result, variants=chosen, ax=boundary_axes, **boundary_options
        )
        row = 1
    # Loss panels and the penalty axes below them.
    loss_axes = [fig.add_subplot(outer[row, c]) for c in range(k)]
    for panel in loss_axes[1:]:
        panel.sharex(loss_axes[0])
        panel.sharey(loss_axes[0])
    penalty_ax = fig.add_subplot(outer[row + 1, :k], sharex=loss_axes[0])
    loss_options = {"logy": logy, **dict(loss_kw or {})}
    losses = LossCurvesDisplay.from_result(
        result, variants=chosen, ax=loss_axes, penalty_ax=penalty_ax, **loss_options
    )
    # First-layer kernel distributions and their box plots.
    weight_ax = fig.add_subplot(outer[row + 2, :])
    box_ax = fig.add_subplot(outer[row + 3, :], sharex=weight_ax)
    weights = WeightDistributionDisplay.from_histories(
        {v: result.histories[v] for v in chosen},
        key,
        record=record,
        ax=weight_ax,
        box_ax=box_ax,
        **dict(weights_kw or {}),
    )
    epochs = set(weights.epochs.values())
    sizes = {int(np.asarray(v).size) for v in weights.values.values()}
    what = "First-layer kernel" if key == 0 else f"Weight {key!r}"
    if len(sizes) == 1:
        what += f" ({sizes.pop():,} weights)"
    if len(epochs) == 1:
        what += f" at epoch {epochs.pop()}"
    weight_ax.set_title(what)
    return ComparisonDisplay(fig, boundaries, losses, weights, bounding)


def plot_decision_boundaries(
    result: Any,
    *,
    variants: Sequence[str] | None = None,
    ax: Any = None,
    **kwargs: Any,
) -> DecisionBoundaryDisplay:
    """Plot the decision regions of a comparison's variants side by side.

    Shortcut for :meth:`DecisionBoundaryDisplay.from_result`.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        variants: Which variants, in order; ``None`` draws all.
        ax: ``None`` (a new figure), one ``Axes`` to divide, or one ``Axes`` per
            variant.
        **kwargs: Passed to :meth:`DecisionBoundaryDisplay.from_result`.

    Returns:
        The drawn :class:`DecisionBoundaryDisplay`.

    Raises:
        TypeError: If ``result`` is not a comparison result.
        ValueError: If a variant is not in the result.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> disp = plot_decision_boundaries(result, variants=["l2"])
        >>> len(disp.axes_)
        1
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """
    return DecisionBoundaryDisplay.from_result(
        result, variants=variants, ax=ax, **kwargs
    )


def plot_loss_curves(
    result: Any,
    *,
    variants: Sequence[str] | None = None,
    ax: Any = None,
    **kwargs: Any,
) -> LossCurvesDisplay:
    """Plot training vs validation data loss per variant, the penalty apart.

    Shortcut for :meth:`LossCurvesDisplay.from_result`.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        variants: Which variants, in order; ``None`` draws all.
        ax: ``None`` (a new figure), one ``Axes`` to divide, or a sequence of
            ``Axes``.
        **kwargs: Passed to :meth:`LossCurvesDisplay.plot` (e.g. ``logy=True``,
            ``separate=False``).

    Returns:
        The drawn :class:`LossCurvesDisplay`.

    Raises:
        TypeError: If ``result`` is not a comparison result.
        ValueError: If a variant is not in the result.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> plot_loss_curves(result, separate=False).ax_.get_yscale()
        'linear'
        >>> import matplotlib.pyplot as plt
        >>> plt.close("all")
    """
    return LossCurvesDisplay.from_result(result, variants=variants, ax=ax, **kwargs)
