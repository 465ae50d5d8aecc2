"""Drawing helpers shared by every Display of :mod:`kreg.plots`.

Nothing here imports matplotlib at module import time: :func:`pyplot` and the
functions that draw import it when they are first called, so that
``import kreg.plots`` stays cheap and works where matplotlib is absent.

The helpers fall in five groups, reused by the history, comparison and sweep
figures alike:

- figures and axes: :func:`figure_ax` (``ax=None`` creates a figure),
  :func:`subplots`, :func:`append_axes`, :func:`check_ax`;
- numbers: :func:`scott_bandwidth` and :func:`gaussian_kde` (a NumPy Gaussian
  kernel density estimate), :func:`kde_grid`, :func:`finite_values`,
  :func:`finite_or_nan`;
- looks: :func:`variant_colors` (one stable colour per variant name),
  :func:`annotate_min_max` and :func:`mark_diverged`;
- what was passed: :func:`check_result` (the duck-typed check of a result or a
  history, made before anything is drawn) and :func:`divergence` (whether and
  when a run went NaN or infinite);
- access to recorded weights: :func:`as_named_histories`, :func:`resolve_key`,
  :func:`check_record`.
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
    check_nonnegative,
    check_positive,
    first_nonfinite,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation, Text

    from kreg.history import WeightHistory

__all__ = [
    "COMPARISON_RESULT",
    "HISTORY",
    "SWEEP_RESULT",
    "annotate_min_max",
    "append_axes",
    "as_named_histories",
    "check_ax",
    "check_history",
    "check_record",
    "check_result",
    "divergence",
    "figure_ax",
    "finite_or_nan",
    "finite_values",
    "gaussian_kde",
    "is_history",
    "kde_grid",
    "mark_diverged",
    "pyplot",
    "resolve_key",
    "scott_bandwidth",
    "subplots",
    "variant_colors",
]

# --------------------------------------------------------------------------------
# Figures and axes
# --------------------------------------------------------------------------------


def pyplot():
    """Import and return ``matplotlib.pyplot``, with a clear error if it is missing.

    Returns:
        The ``matplotlib.pyplot`` module.

    Raises:
        ImportError: If matplotlib is not installed.

    Examples:
        >>> plt = pyplot()
        >>> plt.__name__
        'matplotlib.pyplot'
    """
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ImportError(
            "kreg.plots needs matplotlib; install it with `pip install matplotlib`."
        ) from error
    return plt


def check_ax(name: str, ax: Any) -> None:
    """Raise ``TypeError`` unless ``ax`` is ``None`` or a matplotlib ``Axes``.

    Args:
        name: The argument's name, for the message.
        ax: The value received.

    Raises:
        TypeError: If ``ax`` is neither ``None`` nor an ``Axes``.

    Examples:
        >>> check_ax("ax", None)
    """
    if ax is None:
        return
    from matplotlib.axes import Axes

    if not isinstance(ax, Axes):
        _fail(name, "a matplotlib Axes or None", ax, TypeError)


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """Create a figure and a grid of axes with ``pyplot.subplots``.

    The figure uses the ``"constrained"`` layout unless ``layout`` is given, so
    labels, legends and colour bars do not overlap.

    Args:
        nrows: Number of rows of axes.
        ncols: Number of columns of axes.
        **kwargs: Passed to ``matplotlib.pyplot.subplots``.

    Returns:
        ``(figure, axes)`` as returned by ``pyplot.subplots``.

    Examples:
        >>> fig, (top, bottom) = subplots(2, 1, sharex=True)
        >>> top.figure is fig
        True
    """
    kwargs.setdefault("layout", "constrained")
    return pyplot().subplots(nrows, ncols, **kwargs)


def figure_ax(ax: Axes | None = None, **kwargs: Any) -> tuple[Figure, Axes]:
    """Return ``(figure, ax)``: a new figure and axes when ``ax`` is ``None``.

    Args:
        ax: Axes to draw on, or ``None`` to create a figure with one axes.
        **kwargs: Passed to :func:`subplots` when a figure is created
            (e.g. ``figsize``).

    Returns:
        The figure holding ``ax`` and ``ax`` itself.

    Raises:
        TypeError: If ``ax`` is not an ``Axes``.

    Examples:
        >>> fig, ax = figure_ax()
        >>> figure_ax(ax) == (fig, ax)
        True
    """
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
    second axes is carved out of the first (``ax`` shrinks by ``size`` of its
    height or width), so the whole Display stays where the caller put it.

    Args:
        position: ``"bottom"``, ``"top"``, ``"left"`` or ``"right"``.
        size: Fraction of ``ax``'s current extent given to the new axes, in (0, 1).
        pad: Gap between the two, as a fraction of ``ax``'s original extent.
        share: Share the x axis (``"bottom"``/``"top"``) or the y axis
            (``"left"``/``"right"``) with ``ax``.

    Returns:
        The new axes, in the same figure as ``ax``.

    Raises:
        ValueError: If ``position`` or ``size`` is invalid.

    Examples:
        >>> fig, ax = figure_ax()
        >>> below = append_axes(ax, "bottom", size=0.3)
        >>> below.figure is fig
        True
    """
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
        new = fig.add_subplot(new_cell, **kw)
    else:
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
        new = fig.add_axes(rect, **kw)
    return new


# --------------------------------------------------------------------------------
# Numbers: kernel density estimate
# --------------------------------------------------------------------------------

_KDE_CHUNK = 1 << 22  # evaluate at most this many (point, sample) pairs at once


def _as_samples(data: Any, name: str = "data") -> np.ndarray:
    samples = np.asarray(data, dtype=np.float64).ravel()
    if samples.size < 2:
        _fail(name, "at least 2 values", f"<{samples.size} value(s)>")
    if not np.all(np.isfinite(samples)):
        _fail(name, "finite values only", "<array with NaN or inf>")
    return samples


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
    samples = _as_samples(data)
    return float(np.std(samples, ddof=1) * samples.size ** (-0.2))


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
        h = scott_bandwidth(samples)
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
    """Return evenly spaced points covering several samples and their kernels' tails.

    The grid runs from ``min - cut * h`` to ``max + cut * h`` over all samples,
    where ``h`` is the largest Scott bandwidth among them, so every density curve
    drawn on it falls close to zero at both ends.

    Args:
        samples: Array-likes of finite values (each flattened).
        num: Number of points, an integer >= 2.
        cut: How many bandwidths to extend past the data, a number >= 0.

    Returns:
        A float64 array of ``num`` increasing points.

    Raises:
        ValueError: If ``samples`` is empty or ``num`` < 2.

    Examples:
        >>> grid = kde_grid([[0.0, 1.0], [2.0, 3.0]], num=5, cut=0.0)
        >>> grid.tolist()
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
    h = max(
        (float(np.std(a, ddof=1)) * a.size ** (-0.2) for a in arrays if a.size > 1),
        default=0.0,
    )
    if h == 0.0 and low == high:
        h = max(abs(low), 1.0) * 0.1
    return np.linspace(low - cut * h, high + cut * h, num)


def finite_values(values: Any, *, what: str = "values") -> np.ndarray:
    """Return the finite entries of ``values`` as a flat float64 array.

    Non-finite entries (NaN, inf: a diverged training run) are dropped with a
    warning that says how many, so a figure can still be drawn.

    Args:
        values: Any array-like.
        what: How to name the values in the warning.

    Returns:
        The finite values, flattened.

    Examples:
        >>> finite_values([1.0, 2.0]).tolist()
        [1.0, 2.0]
    """
    flat = np.asarray(values, dtype=np.float64).ravel()
    keep = np.isfinite(flat)
    if not keep.all():
        warnings.warn(
            f"{what}: {int((~keep).sum())} of {flat.size} values are NaN or "
            "infinite and are left out of the figure.",
            stacklevel=3,
        )
        flat = flat[keep]
    return flat


def finite_or_nan(values: Any) -> np.ndarray:
    """Return ``values`` as a float64 array with every infinity replaced by NaN.

    matplotlib leaves NaN out of a drawing, but a bar or an error bar reaching
    infinity breaks the axis limits; NaN draws nothing instead.

    Args:
        values: Any array-like.

    Returns:
        A new float64 array of the same shape.

    Examples:
        >>> finite_or_nan([1.0, np.inf, -np.inf, np.nan]).tolist()
        [1.0, nan, nan, nan]
    """
    array = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(array), array, np.nan)


# --------------------------------------------------------------------------------
# Looks: colours per variant, min/max annotation
# --------------------------------------------------------------------------------

#: The colour cycle (matplotlib's "tab10" names).
PALETTE: tuple[str, ...] = (
    "tab:blue",
    "tab:orange",
    "tab:green",
    "tab:red",
    "tab:purple",
    "tab:brown",
    "tab:pink",
    "tab:gray",
    "tab:olive",
    "tab:cyan",
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


def variant_colors(names: Iterable[str]) -> dict[str, str]:
    """Return one distinct colour per name, fixed for the usual variant names.

    Names that read as unregularized (containing "none", "no", "without",
    "baseline", ...) are blue, L1 ("l1", "lasso") orange, L2 ("l2", "ridge")
    green and L1L2 purple; the first name of each kind gets that colour, so
    "without L2" and "with L2" are blue and green in every kreg figure. Other
    names (and further names of a kind already coloured) take the next unused
    colour of :data:`PALETTE`, cycling when all ten are used.

    Args:
        names: The labels, in drawing order.

    Returns:
        A dict mapping each name to a matplotlib colour string, in input order.

    Examples:
        >>> variant_colors(["without L2", "with L2", "L1 (lam=0.1)", "other"])
        {'without L2': 'tab:blue', 'with L2': 'tab:green', 'L1 (lam=0.1)': \
'tab:orange', 'other': 'tab:red'}
    """
    names = list(dict.fromkeys(names))
    colors: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        role = _role(name)
        if role is not None and ROLE_COLORS[role] not in used:
            colors[name] = ROLE_COLORS[role]
            used.add(colors[name])
    free = [c for c in PALETTE if c not in used]
    position = 0
    for name in names:
        if name in colors:
            continue
        if free:
            colors[name] = free.pop(0)
        else:
            colors[name] = PALETTE[position % len(PALETTE)]
            position += 1
    return {name: colors[name] for name in names}


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
    Non-finite values are ignored.

    Args:
        ax: The axes to write on.
        values: The data; any array-like.
        at: The other coordinate of both points, in data units.
        orientation: ``"horizontal"`` or ``"vertical"``.
        color: Text colour.
        fmt: Format of the numbers.
        offset: Gap between a point and its text, in typographic points.
        lift: Shift of both texts across the value axis, in points (to stack
            the annotations of several data sets at the same ``at``).
        **kwargs: Passed to ``Axes.annotate`` (e.g. ``fontsize``).

    Returns:
        ``(min_annotation, max_annotation)``; each ``xy`` is the point annotated.

    Raises:
        ValueError: If ``values`` has no finite value or ``orientation`` is unknown.

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
    out = []
    for word, value, (xy, xytext, align) in zip(
        ("min", "max"), (low, high), places, strict=True
    ):
        options = {**align, **kwargs}
        out.append(
            ax.annotate(
                f"{word} {fmt.format(value)}",
                xy=xy,
                xytext=xytext,
                color=color,
                **options,
            )
        )
    return out[0], out[1]


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

    Args:
        ax: The axes (the panel of the run that diverged).
        text: The note, e.g. from :func:`divergence`.
        x: Horizontal position, in the coordinates of ``transform``.
        y: Vertical position, in the coordinates of ``transform``.
        transform: ``None`` for axes coordinates (0.5, 0.5 is the centre); e.g.
            ``ax.get_xaxis_transform()`` puts ``x`` in data units.
        **kwargs: Passed to ``Axes.text`` (e.g. ``rotation=90``).

    Returns:
        The ``Text``.

    Examples:
        >>> fig, ax = figure_ax()
        >>> mark_diverged(ax, "diverged at epoch 7") in ax.texts
        True
    """
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
    figure, so that a wrong argument leaves none open.

    Args:
        value: The object received.
        expected: What was expected, e.g. :data:`COMPARISON_RESULT`.
        *attributes: The attributes the caller reads.
        name: The argument's name, for the message.

    Raises:
        TypeError: If an attribute is missing. When ``value`` has some of
            them, the message lists the missing ones.

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
    """Raise ``TypeError`` unless ``history`` looks like a ``kreg.WeightHistory``.

    Args:
        history: The object received.
        name: The argument's name, for the message.

    Raises:
        TypeError: If it lacks ``weights``, ``epochs`` or ``keys``.

    Examples:
        >>> check_history(42)
        Traceback (most recent call last):
        ...
        TypeError: Invalid value for argument `history`: expected a \
kreg.WeightHistory. Received: history=42
    """
    check_result(history, HISTORY, *_HISTORY_ATTRIBUTES, name=name)


def divergence(
    curves: Mapping[str, Any], epochs: Any = None, **arrays: Iterable[Any]
) -> str | None:
    """Say whether and when a run diverged: its numbers went NaN or infinite.

    The training curves tell when: the first epoch at which one of them is not
    finite (in any seed). Validation curves (keys starting with ``"val_"``)
    are left out: they are NaN throughout when there is no validation data.
    Without a non-finite curve, ``arrays`` tell what else went non-finite.

    Args:
        curves: Curve name -> per-epoch values, the epochs along the last axis
            (leading axes, e.g. seeds, are pooled).
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
        >>> divergence({"train_loss": [0.7, 0.5]}) is None
        True
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


def is_history(obj: Any) -> bool:
    """Return whether ``obj`` looks like a ``kreg.WeightHistory`` (duck typing).

    Examples:
        >>> is_history([1.0, 2.0])
        False
    """
    return all(hasattr(obj, a) for a in _HISTORY_ATTRIBUTES)


def as_named_histories(histories: Any, name: str = "histories") -> dict[str, Any]:
    """Return ``{label: history}`` from a dict, a list or a single history.

    Args:
        histories: A ``WeightHistory``, a mapping ``label -> WeightHistory`` or a
            sequence of them (labelled "history 1", "history 2", ...).
        name: The argument's name, for messages.

    Returns:
        A new dict of label (``str``) to history, in the order given.

    Raises:
        TypeError: If an item is not a recorded history.
        ValueError: If there is no history at all.

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


def resolve_key(history: WeightHistory, key: str | int = 0) -> tuple[str, np.ndarray]:
    """Return ``(full_key, values)`` for a weight of ``history``.

    Args:
        history: A recorded ``WeightHistory``.
        key: The weight's Keras path (``"sequential/dense/kernel"``), a unique
            suffix of it (``"dense/kernel"``), or its position in
            ``history.keys()`` (``0`` is the first weight recorded, the first
            layer's kernel). Positions work across separately built models, whose
            paths differ (``dense`` vs ``dense_3``).

    Returns:
        The full key and the array of shape ``(records, *weight_shape)``.

    Raises:
        KeyError: If no weight matches or a suffix is ambiguous (raised by the
            history, listing the keys).
        ValueError: If a position is out of range.
        TypeError: If ``key`` is neither a string nor an integer.

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
    if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
        if not -len(keys) <= int(key) < len(keys):
            _fail(
                "key",
                f"a key or a position in [-{len(keys)}, {len(keys)}) "
                f"(the history has {len(keys)} weights: {keys})",
                key,
            )
        full = keys[int(key)]
        return full, np.asarray(history[full])
    if not isinstance(key, str):
        _fail("key", "a weight's key (str) or position (int)", key, TypeError)
    array = np.asarray(history[key])  # the history's own KeyError lists the keys
    if key in keys:
        return key, array
    matches = [k for k in keys if k.endswith("/" + key)]
    return (matches[0] if len(matches) == 1 else key), array


def check_record(record: Any, n_records: int, name: str = "record") -> int:
    """Return ``record`` as a non-negative index into ``n_records`` records.

    Negative values count from the end (``-1`` is the last record).

    Args:
        record: An integer in ``[-n_records, n_records)``.
        n_records: How many records the history holds.
        name: The argument's name, for messages.

    Returns:
        The index in ``[0, n_records)``.

    Raises:
        TypeError: If ``record`` is not an integer.
        ValueError: If it is out of range.

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
