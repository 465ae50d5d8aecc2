"""Drawing helpers shared by every Display of :mod:`kreg.plots`.

Nothing here imports matplotlib at module import time: :func:`pyplot` and the
functions that draw import it when they are first called, so that
``import kreg.plots`` stays cheap and works where matplotlib is absent. The
helpers are in five groups, used by the history, comparison and sweep figures
alike: figures and axes (the panel grids, an axes carved out of another, the
composite figure), numbers (the Gaussian kernel density estimate, non-finite
values), looks (one colour per variant, bands, annotations, divergence notes),
what was passed (the duck-typed checks, :func:`divergence`) and access to the
recorded weights (by key, position or index).
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kreg._validation import (
    _fail,
    check_choice,
    check_fraction,
    check_int,
    check_names,
    check_nonnegative,
    check_positive,
    first_nonfinite,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation, Text

    from kreg.history import WeightHistory

# --------------------------------------------------------------------------------
# Figures and axes
# --------------------------------------------------------------------------------


def pyplot():
    """Import and return ``matplotlib.pyplot``; a clear ``ImportError`` without it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "kreg.plots needs matplotlib; install it with `pip install matplotlib`."
        ) from error
    return plt


def is_axes(obj: Any) -> bool:
    """Return whether ``obj`` is a matplotlib ``Axes`` (importing matplotlib)."""
    from matplotlib.axes import Axes

    return isinstance(obj, Axes)


def check_ax(name: str, ax: Any) -> None:
    """Raise ``TypeError`` (naming the argument) unless ``ax`` is ``None`` or an Axes.

    Examples:
        >>> check_ax("ax", "left")
        Traceback (most recent call last):
        ...
        TypeError: Invalid value for argument `ax`: expected a matplotlib Axes or \
None. Received: ax='left'
    """
    if ax is not None and not is_axes(ax):
        _fail(name, "a matplotlib Axes or None", ax, TypeError)


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """``pyplot.subplots`` with the ``"constrained"`` layout unless told otherwise.

    The constrained layout keeps labels, legends and colour bars from
    overlapping.
    """
    kwargs.setdefault("layout", "constrained")
    return pyplot().subplots(nrows, ncols, **kwargs)


def figure_ax(ax: Axes | None = None, **kwargs: Any) -> tuple[Figure, Axes]:
    """Return ``(figure, ax)``; ``ax=None`` creates both (``kwargs``: e.g. figsize)."""
    check_ax("ax", ax)
    if ax is None:
        return subplots(**kwargs)
    return ax.figure, ax


def append_axes(
    ax: Axes,
    position: str = "bottom",
    *,
    size: float = 0.35,
    pad: float = 0.08,
    share: bool = True,
) -> Axes:
    """Add a new axes next to ``ax``, taking part of its place in the figure.

    Used when a Display draws on two axes and the caller passed only one: the
    second axes is carved out of the first, so the whole Display stays where
    the caller put it.

    Args:
        ax: The axes to take the place from.
        position: ``"bottom"``, ``"top"``, ``"left"`` or ``"right"``.
        size: Fraction of ``ax``'s current extent given to the new axes, in (0, 1).
        pad: Gap between the two, as a fraction of ``ax``'s original extent.
        share: Share the x axis (``"bottom"``/``"top"``) or the y axis
            (``"left"``/``"right"``) with ``ax``.

    Returns:
        The new axes, in the same figure as ``ax``."""
    check_ax("ax", ax)
    check_choice("position", position, ("bottom", "top", "left", "right"))
    size = check_fraction("size", size)
    pad = check_fraction("pad", pad, inclusive_low=True)
    fig = ax.figure
    # Work in the axes' own subplot spec when it has one (constrained layout
    # keeps managing both axes); otherwise split its position rectangle.
    spec = ax.get_subplotspec()
    vertical = position in ("bottom", "top")
    kw: dict[str, Any] = {}
    if share:
        kw["sharex" if vertical else "sharey"] = ax
    if spec is not None:
        ratios = [1.0 - size, size]
        first_is_ax = position in ("bottom", "right")
        if not first_is_ax:
            ratios = ratios[::-1]
        if vertical:
            inner = spec.subgridspec(2, 1, height_ratios=ratios, hspace=pad)
            cells = (inner[0, 0], inner[1, 0])
        else:
            inner = spec.subgridspec(1, 2, width_ratios=ratios, wspace=pad)
            cells = (inner[0, 0], inner[0, 1])
        ax_cell, new_cell = cells if first_is_ax else cells[::-1]
        ax.set_subplotspec(ax_cell)
        return fig.add_subplot(new_cell, **kw)
    x0, y0, w, h = ax.get_position().bounds
    if vertical:
        new_h, gap = h * size, h * pad
        if position == "bottom":
            ax.set_position([x0, y0 + new_h + gap, w, h - new_h - gap])
            rect = [x0, y0, w, new_h]
        else:
            ax.set_position([x0, y0, w, h - new_h - gap])
            rect = [x0, y0 + h - new_h, w, new_h]
    else:
        new_w, gap = w * size, w * pad
        if position == "right":
            ax.set_position([x0, y0, w - new_w - gap, h])
            rect = [x0 + w - new_w, y0, new_w, h]
        else:
            ax.set_position([x0 + new_w + gap, y0, w - new_w - gap, h])
            rect = [x0, y0, new_w, h]
    return fig.add_axes(rect, **kw)


def axes_and_below(
    ax: Axes | None,
    below: Axes | None,
    *,
    figsize: tuple[float, float],
    height_ratios: Sequence[float],
    size: float,
    draw: bool,
    name: str,
    flag: str,
) -> tuple[Figure, Axes, Axes | None]:
    """Return ``(figure, ax, below)`` for a Display drawn on ``ax`` and one axes below.

    ``ax=None`` creates a figure of ``figsize``: two rows sharing the x axis
    (``height_ratios``) when ``draw``, else one axes. A given ``ax`` without
    ``below`` gives up the fraction ``size`` of its height to it. ``below`` is
    the argument ``name`` and ``draw`` the argument ``flag`` of the caller, for
    the messages (``below`` must be ``None`` unless ``draw``).

    Examples:
        >>> fig, top, bottom = axes_and_below(
        ...     None, None, figsize=(6.4, 4.8), height_ratios=[3, 1], size=0.3,
        ...     draw=True, name="box_ax", flag="box",
        ... )
        >>> bottom.get_shared_x_axes().joined(top, bottom)
        True
    """
    check_ax("ax", ax)
    check_ax(name, below)
    if below is not None and not draw:
        _fail(name, f"None when {flag}=False", below)
    if ax is None:
        if not draw:
            return (*subplots(), None)
        fig, (ax, below) = subplots(
            2, 1, sharex=True, figsize=figsize, height_ratios=height_ratios
        )
        return fig, ax, below
    if draw and below is None:
        below = append_axes(ax, "bottom", size=size, pad=0.05)
    return ax.figure, ax, below


def grid_spec(
    ax: Axes | None,
    nrows: int,
    ncols: int,
    *,
    figure_kw: Mapping[str, Any] | None = None,
    **grid_kw: Any,
) -> tuple[Figure, Any, Axes | None]:
    """Return ``(figure, grid, bounding)``: the grid of cells of a multi-panel figure.

    With ``ax=None`` the grid fills a new figure (``pyplot.figure(**figure_kw)``,
    ``"constrained"`` layout by default) and ``bounding`` is ``None``. With one
    ``Axes`` (made by ``subplots`` or ``add_subplot``) the grid divides its
    place: ``ax`` is hidden, not removed (the caller may hold it), and returned
    as ``bounding``. ``grid_kw`` go to the ``GridSpec`` (e.g. ``height_ratios``).

    Examples:
        >>> fig, grid, bounding = grid_spec(None, 2, 3)
        >>> grid.get_geometry(), bounding is None
        ((2, 3), True)
    """
    if ax is None:
        fig = pyplot().figure(**{"layout": "constrained", **dict(figure_kw or {})})
        return fig, fig.add_gridspec(nrows, ncols, **grid_kw), None
    spec = ax.get_subplotspec()
    if spec is None:
        _fail(
            "ax",
            "an Axes made by subplots or add_subplot (whose place can be divided), "
            "or a sequence of Axes",
            ax,
        )
    ax.set_axis_off()
    return ax.figure, spec.subgridspec(nrows, ncols, **grid_kw), ax


def add_panels(fig: Figure, cells: Iterable[Any], *, share: bool = True) -> list:
    """Add one axes per grid cell; with ``share``, all share the first one's x and y."""
    panels: list[Axes] = []
    for cell in cells:
        first = panels[0] if share and panels else None
        panels.append(fig.add_subplot(cell, sharex=first, sharey=first))
    return panels


def panel_axes(
    ax: Any, n: int, *, figsize: tuple[float, float], per: str = "variant"
) -> tuple[Figure, list, Axes | None]:
    """Return ``(figure, axes, bounding)`` for ``n`` panels side by side.

    ``ax`` is ``None`` (a new figure of ``figsize``, one row of panels), one
    ``Axes`` (its place divided as by :func:`grid_spec`; used as is when
    ``n == 1``) or a sequence of ``n`` ``Axes``; ``per`` names what a panel
    shows, for the messages.

    Examples:
        >>> fig, axes, bounding = panel_axes(None, 3, figsize=(9.0, 3.0))
        >>> len(axes), bounding is None
        (3, True)
    """
    if ax is None or is_axes(ax):
        if ax is not None and n == 1:
            return ax.figure, [ax], None
        fig, grid, bounding = grid_spec(ax, 1, n, figure_kw={"figsize": figsize})
        return fig, [fig.add_subplot(grid[0, c]) for c in range(n)], bounding
    if isinstance(ax, (str, bytes)) or not isinstance(ax, (Sequence, np.ndarray)):
        _fail("ax", f"None, an Axes or a sequence of {n} Axes", ax, TypeError)
    axes = list(np.asarray(ax, dtype=object).ravel())
    if len(axes) != n:
        _fail("ax", f"{n} Axes, one per {per}", f"<{len(axes)} axes>")
    for i, item in enumerate(axes):
        check_ax(f"ax[{i}]", item)
    return axes[0].figure, axes, None


class CompositeDisplay:
    """A figure made of several drawn Displays, each kept as an attribute.

    The base of the standard figures (:class:`~kreg.plots.ComparisonDisplay`,
    :class:`~kreg.plots.SweepDisplay`).

    Args:
        figure: The figure.
        bounding_ax: The hidden ``Axes`` whose place was divided, or ``None``.
        **parts: The drawn sub-displays by name; ``part`` is kept as ``part_``.

    Examples:
        >>> disp = CompositeDisplay("figure", losses="a display")
        >>> disp.figure_, disp.losses_, disp.bounding_ax_
        ('figure', 'a display', None)
    """

    def __init__(self, figure: Any, bounding_ax: Any = None, **parts: Any) -> None:
        self.figure_ = figure
        self.bounding_ax_ = bounding_ax
        for name, display in parts.items():
            setattr(self, f"{name}_", display)


# --------------------------------------------------------------------------------
# Numbers: kernel density estimate, non-finite values
# --------------------------------------------------------------------------------

_KDE_CHUNK = 1 << 22  # evaluate at most this many (point, sample) pairs at once


def _as_samples(data: Any, name: str = "data") -> np.ndarray:
    samples = np.asarray(data, dtype=np.float64).ravel()
    if samples.size < 2:
        _fail(name, "at least 2 values", f"<{samples.size} value(s)>")
    if not np.all(np.isfinite(samples)):
        _fail(name, "finite values only", "<array with NaN or inf>")
    return samples


def _scott(samples: np.ndarray) -> float:
    return float(np.std(samples, ddof=1) * samples.size ** (-0.2))


def scott_bandwidth(data: Any) -> float:
    """Return Scott's rule-of-thumb bandwidth for a one-dimensional sample.

    ``h = std(data, ddof=1) * n ** (-1/5)``, the standard deviation of the
    Gaussian kernel used by :func:`gaussian_kde` (``scipy.stats.gaussian_kde``'s
    default ``bw_method="scott"`` gives the same kernel).

    Args:
        data: The sample, any array-like; it is flattened. At least 2 finite values.

    Returns:
        The bandwidth ``h`` (0.0 when every value is the same).

    Raises:
        ValueError: If ``data`` has fewer than 2 values or a NaN or infinity.

    Examples:
        >>> round(scott_bandwidth([0.0, 1.0, 2.0, 3.0]), 6)
        0.978391
    """
    return _scott(_as_samples(data))


def gaussian_kde(
    data: Any, points: Any, *, bandwidth: float | None = None
) -> np.ndarray:
    """Evaluate a Gaussian kernel density estimate of ``data`` at ``points``.

    ``f(x) = 1 / (n h sqrt(2 pi)) * sum_i exp(-(x - x_i) ** 2 / (2 h ** 2))``

    with ``h`` from :func:`scott_bandwidth` unless given. The result integrates
    to 1 over the real line, so it can share an axis with a ``density=True``
    histogram. The sum is evaluated in chunks, so memory stays bounded for large
    kernels (time grows as ``len(data) * len(points)``).

    Args:
        data: The sample, any array-like; it is flattened. At least 2 finite
            values that are not all equal (unless ``bandwidth`` is given).
        points: Where to evaluate the density; any shape.
        bandwidth: Standard deviation ``h`` of the Gaussian kernel, a finite
            number > 0, in the units of ``data``. ``None`` uses Scott's rule.

    Returns:
        The density at each point, a float64 array of the shape of ``points``.

    Raises:
        ValueError: If ``data`` has fewer than 2 values, a non-finite value, or no
            spread (all values equal) while ``bandwidth`` is ``None``; or if
            ``bandwidth`` is not > 0.

    Examples:
        >>> density = gaussian_kde([-1.0, 1.0], [0.0], bandwidth=1.0)
        >>> round(float(density[0]), 6)  # exp(-1/2) / sqrt(2 pi)
        0.241971
    """
    samples = _as_samples(data)
    if bandwidth is None:
        h = _scott(samples)
        if h == 0.0:
            _fail(
                "data",
                "values with some spread (Scott's bandwidth is 0 when all are "
                "equal; pass `bandwidth=`)",
                f"<{samples.size} values all equal to {samples[0]!r}>",
            )
    else:
        h = check_positive("bandwidth", bandwidth)
    at = np.asarray(points, dtype=np.float64)
    flat = at.ravel()
    out = np.empty(flat.shape, dtype=np.float64)
    step = max(1, _KDE_CHUNK // samples.size)
    scale = 1.0 / (samples.size * h * math.sqrt(2.0 * math.pi))
    for start in range(0, flat.size, step):
        z = (flat[start : start + step, None] - samples[None, :]) / h
        out[start : start + step] = np.exp(-0.5 * z * z).sum(axis=1) * scale
    return out.reshape(at.shape)


def kde_grid(samples: Iterable[Any], *, num: int = 256, cut: float = 3.0) -> np.ndarray:
    """Return ``num`` evenly spaced points covering several samples and their tails.

    The grid runs from ``min - cut * h`` to ``max + cut * h`` over all samples,
    where ``h`` is the largest Scott bandwidth among them, so every density curve
    drawn on it falls close to zero at both ends.

    Examples:
        >>> kde_grid([[0.0, 1.0], [2.0, 3.0]], num=5, cut=0.0).tolist()
        [0.0, 0.75, 1.5, 2.25, 3.0]
    """
    num = check_int("num", num, minimum=2)
    cut = check_nonnegative("cut", cut)
    arrays = [np.asarray(s, dtype=np.float64).ravel() for s in samples]
    arrays = [a for a in arrays if a.size]
    if not arrays:
        _fail("samples", "at least one non-empty sample", samples)
    low = min(float(a.min()) for a in arrays)
    high = max(float(a.max()) for a in arrays)
    h = max((_scott(a) for a in arrays if a.size > 1), default=0.0)
    if h == 0.0 and low == high:
        h = max(abs(low), 1.0) * 0.1
    return np.linspace(low - cut * h, high + cut * h, num)


def finite_values(values: Any, *, what: str = "values") -> np.ndarray:
    """Return the finite entries of ``values``, flattened, warning about the others.

    Non-finite entries (NaN, inf: a diverged training run) are dropped with a
    warning that names ``what`` and says how many, so a figure can still be
    drawn.
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    keep = np.isfinite(flat)
    if not keep.all():
        bad = f"{what}: {int((~keep).sum())} of {flat.size} values"
        warn_left_out(bad, "the figure", stacklevel=3)
        flat = flat[keep]
    return flat


def warn_left_out(values: str, place: str, stacklevel: int = 2) -> None:
    """Warn that ``values`` (e.g. "3 weights") are NaN or infinite, not in ``place``.

    ``stacklevel`` is that of the caller's own ``warnings.warn``.
    """
    warnings.warn(
        f"{values} are NaN or infinite and are left out of {place}.",
        stacklevel=stacklevel + 1,
    )


def finite_or_nan(values: Any) -> np.ndarray:
    """Return ``values`` as a float64 array with every infinity replaced by NaN.

    matplotlib leaves NaN out of a drawing, but a bar or an error bar reaching
    infinity breaks the axis limits.

    Examples:
        >>> finite_or_nan([1.0, np.inf, -np.inf, np.nan]).tolist()
        [1.0, nan, nan, nan]
    """
    array = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(array), array, np.nan)


# --------------------------------------------------------------------------------
# Looks: colours per variant, bands, annotations
# --------------------------------------------------------------------------------

#: The colour cycle (matplotlib's "tab10" names).
PALETTE: tuple[str, ...] = tuple(
    f"tab:{c}"
    for c in "blue orange green red purple brown pink gray olive cyan".split()
)

#: Fixed colours for the usual variants, so every figure of a run agrees.
ROLE_COLORS: dict[str, str] = {
    "none": "tab:blue",
    "l1": "tab:orange",
    "l2": "tab:green",
    "l1l2": "tab:purple",
}

_NONE_WORDS = frozenset(
    {"none", "no", "without", "unregularized", "unregularised", "baseline", "plain"}
)


def _role(name: str) -> str | None:
    tokens = set(re.findall(r"[a-z0-9]+", str(name).lower()))
    if tokens & _NONE_WORDS:
        return "none"
    has_l1 = bool(tokens & {"l1", "lasso"})
    has_l2 = bool(tokens & {"l2", "ridge"})
    if "l1l2" in tokens or "elasticnet" in tokens or (has_l1 and has_l2):
        return "l1l2"
    if has_l1:
        return "l1"
    if has_l2:
        return "l2"
    return None


def variant_colors(
    names: Iterable[str], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """Return one distinct colour per name, fixed for the usual variant names.

    Names that read as unregularized (containing "none", "no", "without",
    "baseline", ...) are blue, L1 ("l1", "lasso") orange, L2 ("l2", "ridge")
    green and L1L2 purple; the first name of each kind gets that colour, so
    "without L2" and "with L2" are blue and green in every kreg figure. Other
    names (and further names of a kind already coloured) take the next unused
    colour of :data:`PALETTE`, cycling when all ten are used.

    Args:
        names: The labels, in drawing order.
        overrides: Colours chosen by the caller for some of the names (the
            ``colors=`` argument of the Displays); they win.

    Returns:
        A dict mapping each name to a matplotlib colour, in input order.

    Examples:
        >>> variant_colors(["without L2", "with L2", "L1 (lam=0.1)", "other"])
        {'without L2': 'tab:blue', 'with L2': 'tab:green', 'L1 (lam=0.1)': \
'tab:orange', 'other': 'tab:red'}
        >>> variant_colors(["l1", "l2"], {"l2": "black"})
        {'l1': 'tab:orange', 'l2': 'black'}
    """
    names = list(dict.fromkeys(names))
    colors: dict[str, Any] = {}
    for name in names:
        role = _role(name)
        if role is not None and ROLE_COLORS[role] not in colors.values():
            colors[name] = ROLE_COLORS[role]
    free = [c for c in PALETTE if c not in colors.values()]
    rest = [name for name in names if name not in colors]
    for i, name in enumerate(rest):
        colors[name] = free[i] if i < len(free) else PALETTE[(i - len(free)) % 10]
    colors.update({str(k): v for k, v in (overrides or {}).items()})
    return {name: colors[name] for name in names}


def std_band(ax: Axes, x: Any, mean: Any, std: Any, color: Any, alpha: float) -> Any:
    """Fill the band ``mean ± std`` (one standard deviation over seeds) on ``ax``."""
    return ax.fill_between(
        x, mean - std, mean + std, color=color, alpha=alpha, linewidth=0
    )


def annotate_min_max(
    ax: Axes,
    values: Any,
    *,
    at: float = 0.0,
    orientation: str = "horizontal",
    color: Any = None,
    fmt: str = "{:.3g}",
    offset: float = 3.0,
    lift: float = 0.0,
    **kwargs: Any,
) -> tuple[Annotation, Annotation]:
    """Write "min ..." and "max ..." just outside the extremes of ``values``.

    With ``orientation="horizontal"`` the values run along the x axis: the
    points annotated are ``(min, at)`` and ``(max, at)`` (e.g. the whisker ends
    of a horizontal box plot at position ``at``), the texts sit left of the
    minimum and right of the maximum. With ``"vertical"`` the values run along
    the y axis: points ``(at, min)`` and ``(at, max)``, texts below and above.
    Non-finite values are ignored. ``offset`` is the gap between a point and
    its text and ``lift`` a shift of both texts across the value axis (to stack
    the annotations of several data sets), in typographic points; ``kwargs`` go
    to ``Axes.annotate``.

    Returns:
        ``(min_annotation, max_annotation)``; each ``xy`` is the point annotated.

    Examples:
        >>> fig, ax = figure_ax()
        >>> low, high = annotate_min_max(ax, [3.0, -1.5, 2.0], at=1.0)
        >>> low.get_text(), high.xy
        ('min -1.5', (3.0, 1.0))
    """
    check_choice("orientation", orientation, ("horizontal", "vertical"))
    flat = np.asarray(values, dtype=np.float64).ravel()
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        _fail("values", "at least one finite value", values)
    low, high = float(flat.min()), float(flat.max())
    kwargs.setdefault("fontsize", "small")
    kwargs.setdefault("textcoords", "offset points")
    if orientation == "horizontal":
        across = "center" if lift == 0 else "bottom"
        places = (
            ((low, at), (-offset, lift), {"ha": "right", "va": across}),
            ((high, at), (offset, lift), {"ha": "left", "va": across}),
        )
    else:
        across = "center" if lift == 0 else "left"
        places = (
            ((at, low), (lift, -offset), {"ha": across, "va": "top"}),
            ((at, high), (lift, offset), {"ha": across, "va": "bottom"}),
        )
    low_text, high_text = (
        ax.annotate(
            f"{word} {fmt.format(value)}",
            xy=xy,
            xytext=xytext,
            color=color,
            **{**align, **kwargs},
        )
        for word, value, (xy, xytext, align) in zip(
            ("min", "max"), (low, high), places, strict=True
        )
    )
    return low_text, high_text


def mark_diverged(
    ax: Axes,
    text: str,
    *,
    x: float = 0.5,
    y: float = 0.5,
    transform: Any = None,
    **kwargs: Any,
) -> Text:
    """Write a note such as "diverged at epoch 7" on ``ax``, red on white.

    ``(x, y)`` is in the coordinates of ``transform``: by default the axes'
    (0.5, 0.5 is the centre); e.g. ``ax.get_xaxis_transform()`` puts ``x`` in
    data units. ``kwargs`` go to ``Axes.text`` (e.g. ``rotation=90``)."""
    options = {
        "ha": "center",
        "va": "center",
        "color": "tab:red",
        "fontsize": "small",
        "bbox": {"boxstyle": "round", "facecolor": "white", "edgecolor": "tab:red"},
        "zorder": 6,
        "transform": ax.transAxes if transform is None else transform,
        **kwargs,
    }
    return ax.text(x, y, text, **options)


def mark_upright(ax: Axes, text: str, x: float) -> Text:
    """:func:`mark_diverged` written upright across ``ax`` at ``x`` (data units)."""
    return mark_diverged(ax, text, x=x, transform=ax.get_xaxis_transform(), rotation=90)


# --------------------------------------------------------------------------------
# What was passed: results, histories, divergence
# --------------------------------------------------------------------------------

#: How a comparison result, a sweep result and a history are named in messages.
COMPARISON_RESULT = "a kreg.ComparisonResult (from kreg.compare)"
SWEEP_RESULT = "a kreg.SweepResult (from kreg.sweep)"
HISTORY = "a kreg.WeightHistory"
#: The attributes of a history that the figures read.
_HISTORY_ATTRIBUTES = ("weights", "epochs", "keys")


def check_result(
    value: Any, expected: str, *attributes: str, name: str = "result"
) -> None:
    """Raise ``TypeError`` unless ``value`` has every one of ``attributes``.

    A duck-typed check, so that any object with the attributes a figure reads
    can be drawn (tests draw hand-made results); call it before creating a
    figure, so that a wrong argument leaves none open. ``expected`` says what
    was expected (e.g. :data:`COMPARISON_RESULT`); when ``value`` has some of
    the attributes, the message lists the missing ones.

    Examples:
        >>> check_result("x", COMPARISON_RESULT, "variants", "curves")
        Traceback (most recent call last):
        ...
        TypeError: Invalid value for argument `result`: expected a \
kreg.ComparisonResult (from kreg.compare). Received: result='x'
    """
    missing = [a for a in attributes if not hasattr(value, a)]
    if missing:
        if len(missing) < len(attributes):
            expected += " with " + ", ".join(f"`{a}`" for a in missing)
        _fail(name, expected, value, TypeError)


def check_history(history: Any, name: str = "history") -> None:
    """Raise ``TypeError`` unless ``history`` looks like a ``kreg.WeightHistory``."""
    check_result(history, HISTORY, *_HISTORY_ATTRIBUTES, name=name)


def is_history(obj: Any) -> bool:
    """Return whether ``obj`` looks like a ``kreg.WeightHistory`` (duck typing)."""
    return all(hasattr(obj, a) for a in _HISTORY_ATTRIBUTES)


def divergence(
    curves: Mapping[str, Any], epochs: Any = None, **arrays: Iterable[Any]
) -> str | None:
    """Say whether and when a run diverged: its numbers went NaN or infinite.

    The training curves tell when: the first epoch at which one of them is not
    finite (in any seed; :func:`kreg._validation.first_nonfinite`, which leaves
    out the validation curves, NaN throughout without validation data).
    Without a non-finite curve, ``arrays`` tell what else went non-finite.

    Args:
        curves: Curve name -> per-epoch values, the epochs along the last axis.
        epochs: The epoch of each position of the curves; ``None``: 1, 2, ...
        **arrays: Other groups of arrays by what they hold, e.g.
            ``weights=[...]``, checked in order.

    Returns:
        ``"diverged at epoch N"``, ``"diverged: non-finite <group>"`` for the
        first group holding a NaN or an infinity, or ``None``.

    Examples:
        >>> divergence({"train_loss": [0.7, np.inf, np.nan]}, [1, 2, 3])
        'diverged at epoch 2'
        >>> divergence({"val_loss": [np.nan]}, weights=[[1.0, np.nan]])
        'diverged: non-finite weights'
    """
    first = first_nonfinite(curves)
    if first is not None:
        epoch = first + 1 if epochs is None else int(np.asarray(epochs)[first])
        return f"diverged at epoch {epoch}"
    for what, group in arrays.items():
        if any(not np.isfinite(np.asarray(a, dtype=np.float64)).all() for a in group):
            return f"diverged: non-finite {what}"
    return None


# --------------------------------------------------------------------------------
# Access to recorded weights
# --------------------------------------------------------------------------------


def as_named_histories(histories: Any, name: str = "histories") -> dict[str, Any]:
    """Return ``{label: history}`` from a dict, a list or a single history.

    A list is labelled "history 1", "history 2", ...; one history "history".
    Raises ``TypeError`` for an item that is not a history and ``ValueError``
    when there is none, or a history without a record.

    Examples:
        >>> as_named_histories({})
        Traceback (most recent call last):
        ...
        ValueError: Invalid value for argument `histories`: expected at least \
one WeightHistory. Received: histories={}
    """
    if is_history(histories):
        named = {"history": histories}
    elif isinstance(histories, Mapping):
        named = {str(label): h for label, h in histories.items()}
    elif isinstance(histories, Sequence) and not isinstance(histories, (str, bytes)):
        named = {f"history {i + 1}": h for i, h in enumerate(histories)}
    else:
        expected = f"{HISTORY}, a dict of them or a list of them"
        _fail(name, expected, histories, TypeError)
    if not named:
        _fail(name, "at least one WeightHistory", histories)
    for label, history in named.items():
        check_history(history, f"{name}[{label!r}]")
        if len(history.epochs) == 0:
            _fail(f"{name}[{label!r}]", "a history with at least one record", history)
    return named


def key_at(keys: Sequence[str], key: str | int) -> str | None:
    """Return the key at position ``key``, or ``None`` when ``key`` is a string.

    The part of naming a weight that histories and sweep results share: an
    integer is a position in ``keys`` (negative from the end; ``ValueError``
    out of range); a string is left to the caller to match; anything else is a
    ``TypeError``.

    Examples:
        >>> key_at(["a/kernel", "b/kernel"], -1), key_at(["a/kernel"], "kernel")
        ('b/kernel', None)
    """
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        n = len(keys)
        if not -n <= int(key) < n:
            _fail(
                "key",
                f"a key or a position in [-{n}, {n}) (of the {n} weights {keys})",
                key,
            )
        return keys[int(key)]
    if not isinstance(key, str):
        _fail("key", "a weight's key (str) or position (int)", key, TypeError)
    return None


def resolve_key(history: WeightHistory, key: str | int = 0) -> tuple[str, np.ndarray]:
    """Return ``(full_key, values)`` for a weight of ``history``.

    ``key`` is the weight's Keras path (``"sequential/dense/kernel"``), a unique
    suffix of it (``"dense/kernel"``; else the history raises a ``KeyError``
    listing its keys) or its position in ``history.keys()`` (``0`` is the first
    layer's kernel; positions work across separately built models, whose paths
    differ). ``values`` has the shape ``(records, *weight_shape)``.

    Examples:
        >>> from kreg.history import WeightHistory
        >>> history = WeightHistory.from_arrays(
        ...     {"sequential/dense/kernel": np.zeros((1, 2, 3))}, [0]
        ... )
        >>> key, values = resolve_key(history, "dense/kernel")
        >>> key, values.shape
        ('sequential/dense/kernel', (1, 2, 3))
    """
    keys = list(history.keys())
    full = key_at(keys, key)
    if full is not None:
        return full, np.asarray(history[full])
    array = np.asarray(history[key])  # the history's own KeyError lists the keys
    matches = [k for k in keys if k == key or k.endswith("/" + key)]
    return (matches[0] if len(matches) == 1 else key), array


def flat_indices(indices: Any, shape: tuple[int, ...]) -> list[int]:
    """Return entries of an array of ``shape`` as flat (C-order) indices.

    ``indices`` is a non-empty list of flat indices (``int``) or positions
    (tuples of ``len(shape)`` ints, e.g. ``(0, 5)``: input 0 to unit 5 of a
    Dense kernel).

    Examples:
        >>> flat_indices([(1, 0), 2], (2, 3))
        [3, 2]
    """
    size = int(np.prod(shape))
    flat = []
    for item in check_names("indices", indices):
        if isinstance(item, (int, np.integer)) and not isinstance(item, bool):
            if not 0 <= int(item) < size:
                _fail("indices", f"flat indices in [0, {size})", indices)
            flat.append(int(item))
        elif isinstance(item, Sequence) and len(item) == len(shape):
            position = tuple(int(i) for i in item)
            if not all(0 <= i < n for i, n in zip(position, shape, strict=True)):
                _fail("indices", f"positions inside the shape {shape}", indices)
            flat.append(int(np.ravel_multi_index(position, shape)))
        else:
            _fail(
                "indices",
                f"flat indices (int) or positions (tuples of {len(shape)} ints)",
                indices,
                TypeError,
            )
    return flat


def largest_weights(
    values: Any, k: int, indices: Any = None, shape: tuple[int, ...] = ()
) -> list[int]:
    """Flat indices of the ``k`` largest ``|values|`` (largest first; NaN last).

    With ``indices``, those entries instead (:func:`flat_indices` into
    ``shape``). ``k`` is capped at the number of values.

    Examples:
        >>> largest_weights([0.5, -3.0, np.nan, 2.0], k=2)
        [1, 3]
    """
    if indices is not None:
        return flat_indices(indices, shape)
    size = np.nan_to_num(np.abs(np.ravel(values).astype(np.float64)), nan=-1.0)
    k = min(check_int("k", k, minimum=1), size.size)
    return [int(i) for i in np.argsort(-size, kind="stable")[:k]]


def check_record(record: Any, n_records: int, name: str = "record") -> int:
    """Return ``record`` as an index in ``[0, n_records)``; negatives count back.

    Examples:
        >>> check_record(-1, 5)
        4
        >>> check_record(5, 5)
        Traceback (most recent call last):
        ...
        ValueError: Invalid value for argument `record`: expected an integer in \
[-5, 5) (the history has 5 records). Received: record=5
    """
    expected = (
        f"an integer in [-{n_records}, {n_records}) "
        f"(the history has {n_records} records)"
    )
    if not isinstance(record, (int, np.integer)) or isinstance(record, bool):
        _fail(name, expected, record, TypeError)
    record = int(record)
    if not -n_records <= record < n_records:
        _fail(name, expected, record)
    return record % n_records
