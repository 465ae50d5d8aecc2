"""Figures of a comparison run: Display objects drawing a ``ComparisonResult``.

A ``kreg.compare`` run trains several variants (e.g. ``"none"``, ``"l1"``,
``"l2"``) side by side; these figures put them next to each other on the same
scales, so the regularizer is the only thing that differs between panels. A run
repeated over several seeds (``kreg.compare(..., seeds=[0, 1, 2])``) holds means
over the seeds: the loss curves then show bands of ± one standard deviation, the
titles ``mean ± std`` and the bars error bars. A run with one seed draws exactly
as before.

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
    CompositeDisplay,
    add_panels,
    append_axes,
    check_ax,
    check_record,
    check_result,
    divergence,
    finite_or_nan,
    grid_spec,
    is_axes,
    largest_weights,
    mark_diverged,
    mark_upright,
    panel_axes,
    resolve_key,
    std_band,
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
    """All of ``result.variants``, or the checked subset ``variants``.

    ``result`` is first checked to have ``variants`` and ``attributes`` (those
    its caller reads), before anything is drawn.
    """
    check_result(result, COMPARISON_RESULT, "variants", *attributes)
    available = [str(v) for v in result.variants]
    if variants is None:
        return available
    if isinstance(variants, str):
        variants = [variants]
    chosen = [str(v) for v in variants]
    if not chosen or any(v not in available for v in chosen):
        _fail(
            "variants",
            f"a non-empty list of variants of the result, among {available}",
            list(variants),
        )
    return chosen


def _n_seeds(result: Any) -> int:
    """How many seeds a result was trained with (1 without ``seeds``)."""
    return len(getattr(result, "seeds", None) or [0])


def _metric_title(result: Any, variant: str) -> str:
    """``"l2 (val acc 0.91 ± 0.02, gap 0.05)"``, from ``result.metrics``."""
    m = (getattr(result, "metrics", {}) or {}).get(variant)
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

    Reads the curves, the recorded weights and the decision grid of each variant,
    where the result has them.
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
            ValueError: If a variant is not in the result or it has no grid.
        """
        chosen = _select_variants(result, variants, "grid", "decision", "data")
        if result.grid is None:
            _fail(
                "result",
                "a result with a decision grid (compare() makes one for data with "
                "2 features)",
                "<result without a grid>",
            )
        display = cls(
            result.grid["xx"],
            result.grid["yy"],
            {v: result.decision[v] for v in chosen},
            data=dict(result.data) if points else None,
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
        fig, axes, bounding = panel_axes(
            ax, len(names), figsize=(3.6 * len(names) + 1.2, 3.6)
        )
        self.norm_ = Normalize(vmin=0.0, vmax=1.0)
        self.levels_ = levels
        self.axes_ = dict(zip(names, axes, strict=True))
        self.contours_, self.boundaries_ = {}, {}
        self.train_points_, self.val_points_ = {}, {}
        options = {"cmap": cmap, "norm": self.norm_, "alpha": alpha, **kwargs}
        for i, (name, panel) in enumerate(self.axes_.items()):
            values = self.decision[name]
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
            panel.set_xlim(float(self.xx.min()), float(self.xx.max()))
            panel.set_ylim(float(self.yy.min()), float(self.yy.max()))
            panel.set_title(self.titles.get(name, name))
            panel.set_xlabel("x1")
            if i == 0:
                panel.set_ylabel("x2")
            else:
                panel.tick_params(labelleft=False)
        if legend and (self.train_points_ or self.val_points_):
            self._legend(axes[0])
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

    def _legend(self, ax: Axes) -> None:
        """The legend of the point markers: each kind drawn, in both classes."""
        from matplotlib.lines import Line2D

        handles = []
        for word, marker, drawn in (
            ("training", "o", self.train_points_),
            ("validation", "^", self.val_points_),
        ):
            filled = marker == "o"
            for label, color in enumerate(CLASS_COLORS if drawn else ()):
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
        ax.legend(
            handles=handles, loc="upper right", fontsize="x-small", framealpha=0.8
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
        """
        chosen = _select_variants(result, variants, "epochs", "curves")
        std = None
        if _n_seeds(result) > 1 and getattr(result, "curves_std", None):
            std = {v: result.curves_std.get(v, {}) for v in chosen}
        display = cls(
            result.epochs,
            {v: result.curves[v] for v in chosen},
            std=std,
            notes=_notes(result, chosen),
        )
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
        below = penalty and penalty_ax is None
        if ax is None or is_axes(ax):  # the loss panels, the penalty axes below
            size = (3.6 * n_panels + 0.8, 5.4 if below else 3.6)
            fig, grid, bounding = grid_spec(
                ax,
                2 if below else 1,
                n_panels,
                figure_kw={"figsize": size},
                height_ratios=[2.0, 1.0] if below else None,
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
        self.lines_: dict[str, dict[str, Any]] = {}
        self.bands_: dict[str, dict[str, Any]] = {name: {} for name in names}
        self.gaps_: dict[str, float] = {}
        for name, panel in self.axes_.items():
            self._draw_losses(name, panel, separate, band_alpha, kwargs)
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
            self._draw_penalties(penalty_ax, logy, band_alpha)
        self.ax_ = loss_axes[0]
        self.penalty_ax_ = penalty_ax if penalty else None
        self.bounding_ax_ = bounding
        self.figure_ = fig
        return self

    def _draw_losses(
        self, name: str, panel: Axes, separate: bool, band_alpha: float, kwargs: dict
    ) -> None:
        """Draw one variant's data losses (and bands); keep and show its final gap."""
        curves, spread = self.curves[name], self.std.get(name, {})
        color, prefix = self.colors_[name], "" if separate else f"{name}: "
        self.lines_[name] = {}
        # Solid and opaque for training; dashed, thinner and lighter for
        # validation (its band too), so the two stay apart where they are noisy.
        for part, style, width, alpha, word in (
            ("train", "-", 1.5, 1.0, "training"),
            ("val", "--", 1.0, 0.6, "validation"),
        ):
            values, std = curves.get(f"{part}_loss"), spread.get(f"{part}_loss")
            if values is None or not np.isfinite(values).any():
                continue
            label = f"{prefix}{word} data loss"
            options = {
                "color": color,
                "linestyle": style,
                "linewidth": width,
                "alpha": alpha,
                "label": label if std is None else f"{label} (mean ± std)",
                **kwargs,
            }
            (self.lines_[name][part],) = panel.plot(self.epochs, values, **options)
            if std is not None:
                self.bands_[name][part] = std_band(
                    panel, self.epochs, values, std, color, band_alpha * alpha
                )
        train, val = curves.get("train_loss"), curves.get("val_loss")
        gap = float("nan")
        if train is not None and val is not None:
            with np.errstate(invalid="ignore"):  # inf - inf: a diverged run
                gap = float(val[-1] - train[-1])
        self.gaps_[name] = gap
        if separate:
            panel.set_title(
                name + (f" (final gap {gap:.2f})" if np.isfinite(gap) else "")
            )

    def _draw_penalties(self, ax: Axes, logy: bool, band_alpha: float) -> None:
        """Draw the penalty of every variant whose penalty is not all zero."""
        for name, curves in self.curves.items():
            values = curves.get("penalty")
            if values is None or not np.any(np.nan_to_num(values) != 0):
                continue
            color = self.colors_[name]
            (self.penalty_lines_[name],) = ax.plot(
                self.epochs, values, color=color, label=name
            )
            std = self.std.get(name, {}).get("penalty")
            if std is not None:
                self.bands_[name]["penalty"] = std_band(
                    ax, self.epochs, values, std, color, band_alpha * 0.6
                )
        if self.penalty_lines_:
            if logy and all(
                np.nanmin(self.curves[n]["penalty"]) > 0 for n in self.penalty_lines_
            ):
                ax.set_yscale("log")
            ax.legend(fontsize="x-small", loc="best")
        else:
            ax.text(
                0.5,
                0.5,
                "no penalty (no regularized variant)",
                ha="center",
                va="center",
                transform=ax.transAxes,
                fontsize="small",
            )
        ax.set_ylabel("penalty")
        ax.set_xlabel("epoch")
        ax.set_title("Penalty lam/(2n)·Σ (not in the data losses)", fontsize="medium")


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
        >>> import matplotlib.pyplot as plt
        >>> fig, axes = plt.subplots(1, 2)
        >>> kernels = {"none": np.ones((2, 2)), "l1": np.eye(2)}
        >>> displays = {
        ...     name: NetworkDisplay([kernel]).plot(ax, colorbar=False)
        ...     for (name, kernel), ax in zip(kernels.items(), axes)
        ... }
        >>> disp = VariantPanelsDisplay(displays, fig, notes={"l1": "diverged"})
        >>> disp.notes_["l1"].axes is axes[1]
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
    """
    chosen = _select_variants(result, variants, "histories")
    from matplotlib.colors import Normalize

    max_units = check_int("max_units", max_units, minimum=1)
    top = 0.0
    for name in chosen:
        for array in map(np.asarray, result.histories[name].weights.values()):
            if array.ndim == 3:  # a 2-D kernel at each record
                drawn = np.abs(array[check_record(record, len(array))], dtype=float)
                top = max(
                    top, float(np.max(drawn, where=np.isfinite(drawn), initial=0))
                )
    kwargs.setdefault("norm", Normalize(0.0, top if top > 0 else 1.0))
    show_bar = kwargs.pop("colorbar", True)
    fig, axes, bounding = panel_axes(ax, len(chosen), figsize=(4.6 * len(chosen), 4.6))
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
    """
    chosen = _select_variants(result, variants, "histories")
    if indices is None:
        _, array = resolve_key(result.histories[chosen[0]], key)
        indices = largest_weights(array[0], k)
    fig, axes, bounding = panel_axes(ax, len(chosen), figsize=(5.0 * len(chosen), 4.0))
    colors = variant_colors(chosen)
    displays = {}
    for name, panel in zip(chosen, axes, strict=True):
        options = {"colors": ("tab:gray", colors[name]), **kwargs}
        display = WeightBarsDisplay.from_history(
            result.histories[name], key, indices=indices, ax=panel, **options
        )
        displays[name] = display
        short = str(display.key).removeprefix(f"{name}/")
        first, last = display.epochs
        panel.set_title(
            f"{name}: {len(display.labels)} weights of {short}, "
            f"epoch {first} vs {last}",
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
        fig, axes, bounding = panel_axes(
            ax, n, figsize=(2.6 * n + 0.8, 3.2), per="metric"
        )
        self.colors_ = variant_colors(self.variants, colors)
        x = np.arange(len(self.variants))
        shade = [self.colors_[v] for v in self.variants]
        self.axes_, self.bars_, self.errorbars_, self.seed_points_ = {}, {}, {}, {}
        self.notes_ = {}
        for name, panel in zip(self.names, axes, strict=True):
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
            panel.set_title(_BAR_TITLES.get(name, name), fontsize="medium")
            panel.axhline(0.0, color="0.3", linewidth=0.8)
            self.axes_[name] = panel
        if self.std is not None:
            dots = " (dots: each seed)" if self.per_seed is not None else ""
            axes[0].set_ylabel(f"mean ± std over seeds{dots}", fontsize="small")
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

    Shortcut for :meth:`MetricBarsDisplay.from_result`, which takes the same
    arguments; ``**kwargs`` go on to :meth:`MetricBarsDisplay.plot`.

    Returns:
        The drawn :class:`MetricBarsDisplay`.
    """
    return MetricBarsDisplay.from_result(
        result, names, variants=variants, ax=ax, **kwargs
    )


# ================================================================================
# 4. The standard figure
# ================================================================================


class ComparisonDisplay(CompositeDisplay):
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
    """

    def __init__(
        self,
        figure: Any,
        boundaries: DecisionBoundaryDisplay | None,
        losses: LossCurvesDisplay,
        weights: WeightDistributionDisplay,
        bounding_ax: Any = None,
    ) -> None:
        super().__init__(
            figure, bounding_ax, boundaries=boundaries, losses=losses, weights=weights
        )


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
        >>> list(disp.boundaries_.axes_)
        ['none', 'l1', 'l2']
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
    # Rows: losses, penalties, distributions, box plots, and the decision
    # boundaries on top; the last, narrow column holds their colour bar.
    heights = [2.6, 1.3, 2.6, 0.6 + 0.35 * k]
    if has_grid:
        heights.insert(0, 3.6)
    kwargs.setdefault("figsize", (max(3.7 * k + 1.4, 8.0), sum(heights) + 0.6))
    fig, outer, bounding = grid_spec(
        ax,
        len(heights),
        k + 1,
        figure_kw=kwargs,
        height_ratios=heights,
        width_ratios=[1.0] * k + [0.06],
    )
    row = 0
    boundaries = None
    if has_grid:
        panels = add_panels(fig, [outer[0, c] for c in range(k)])
        options = {"cax": fig.add_subplot(outer[0, k]), **dict(boundary_kw or {})}
        boundaries = DecisionBoundaryDisplay.from_result(
            result, variants=chosen, ax=panels, **options
        )
        row = 1
    loss_axes = add_panels(fig, [outer[row, c] for c in range(k)])
    losses = LossCurvesDisplay.from_result(
        result,
        variants=chosen,
        ax=loss_axes,
        penalty_ax=fig.add_subplot(outer[row + 1, :k], sharex=loss_axes[0]),
        **{"logy": logy, **dict(loss_kw or {})},
    )
    weight_ax = fig.add_subplot(outer[row + 2, :])
    weights = WeightDistributionDisplay.from_histories(
        {v: result.histories[v] for v in chosen},
        key,
        record=record,
        ax=weight_ax,
        box_ax=fig.add_subplot(outer[row + 3, :], sharex=weight_ax),
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

    Shortcut for :meth:`DecisionBoundaryDisplay.from_result` (same arguments).

    Returns:
        The drawn :class:`DecisionBoundaryDisplay`.
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

    Shortcut for :meth:`LossCurvesDisplay.from_result`, which takes the same
    arguments; ``**kwargs`` go on to :meth:`LossCurvesDisplay.plot` (e.g.
    ``logy=True``, ``separate=False``).

    Returns:
        The drawn :class:`LossCurvesDisplay`.
    """
    return LossCurvesDisplay.from_result(result, variants=variants, ax=ax, **kwargs)
