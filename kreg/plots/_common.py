"""Helpers shared by the Displays of :mod:`kreg.plots` (matplotlib imported lazily)."""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from kreg._validation import (
    _fail,
    check_choice,
    check_int,
    check_names,
    check_positive,
    first_nonfinite,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.text import Annotation, Text

    from kreg.history import WeightHistory

# Figures, axes and panel grids


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
    """Raise ``TypeError`` (naming ``name``) unless ``ax`` is ``None`` or an Axes."""
    if ax is not None and not is_axes(ax):
        _fail(name, "a matplotlib Axes or None", ax, TypeError)


def check_below(name: str, ax: Any, draw: bool, flag: str) -> None:
    """:func:`check_ax`, and ``ax`` must be ``None`` unless ``draw`` (``flag``)."""
    check_ax(name, ax)
    if ax is not None and not draw:
        _fail(name, f"None when {flag}=False", ax)


def subplots(nrows: int = 1, ncols: int = 1, **kwargs: Any) -> tuple[Figure, Any]:
    """``pyplot.subplots`` with the ``"constrained"`` layout unless told otherwise."""
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
    """A new axes taking ``size`` of ``ax``'s place, on its ``position`` side."""
    check_ax("ax", ax)
    check_choice("position", position, ("bottom", "top", "left", "right"))
    vertical = position in ("bottom", "top")
    kw = {("sharex" if vertical else "sharey"): ax} if share else {}
    spec = ax.get_subplotspec()
    if spec is not None:  # split the subplot spec: the layout keeps managing both
        first = position in ("bottom", "right")  # ax is the first cell
        ratios = [1.0 - size, size] if first else [size, 1.0 - size]
        if vertical:
            inner = spec.subgridspec(2, 1, height_ratios=ratios, hspace=pad)
        else:
            inner = spec.subgridspec(1, 2, width_ratios=ratios, wspace=pad)
        ax.set_subplotspec(inner[0 if first else 1])
        return ax.figure.add_subplot(inner[1 if first else 0], **kw)
    x0, y0, w, h = ax.get_position().bounds
    start, length = (y0, h) if vertical else (x0, w)
    new, gap = length * size, length * pad
    at_start = position in ("bottom", "left")

    def rect(begin: float, extent: float) -> list[float]:
        return [x0, begin, w, extent] if vertical else [begin, y0, extent, h]

    ax.set_position(rect(start + (new + gap) * at_start, length - new - gap))
    return ax.figure.add_axes(
        rect(start if at_start else start + length - new, new), **kw
    )


def axes_and_below(
    ax: Axes | None,
    below: Axes | None,
    *,
    draw: bool,
    name: str,
    flag: str,
    size: float,
    **figure_kw: Any,
) -> tuple[Figure, Axes, Axes | None]:
    """``(figure, ax, below)``, ``below`` made (if ``draw``) of ``size`` of ``ax``."""
    check_ax("ax", ax)
    check_below(name, below, draw, flag)
    if ax is None:
        if not draw:
            return (*subplots(), None)
        fig, (ax, below) = subplots(2, 1, sharex=True, **figure_kw)
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
    """``(figure, grid, bounding)``: a grid in a new figure or in ``ax``'s place."""
    if ax is None:
        fig = pyplot().figure(**{"layout": "constrained", **dict(figure_kw or {})})
        return fig, fig.add_gridspec(nrows, ncols, **grid_kw), None
    spec = ax.get_subplotspec()
    if spec is None:
        what = "an Axes made by subplots or add_subplot (whose place can be divided)"
        _fail("ax", f"{what}, or a sequence of Axes", ax)
    ax.set_axis_off()
    return ax.figure, spec.subgridspec(nrows, ncols, **grid_kw), ax


def add_panels(fig: Figure, cells: Iterable[Any]) -> list:
    """Add one axes per grid cell, all sharing the first one's x and y axes."""
    panels: list[Axes] = []
    for cell in cells:
        first = panels[0] if panels else None
        panels.append(fig.add_subplot(cell, sharex=first, sharey=first))
    return panels


def panel_axes(
    ax: Any, n: int, *, figsize: tuple[float, float], per: str = "variant"
) -> tuple[Figure, list, Axes | None]:
    """``(figure, axes, bounding)``: ``n`` panels from ``None``, one Axes or ``n``."""
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
    """A figure made of several drawn Displays, each ``part`` kept as ``part_``."""

    def __init__(self, figure: Any, bounding_ax: Any = None, **parts: Any) -> None:
        self.figure_ = figure
        self.bounding_ax_ = bounding_ax
        for name, display in parts.items():
            setattr(self, f"{name}_", display)


# Numbers: kernel density estimate, non-finite values

_KDE_CHUNK = 1 << 22  # evaluate at most this many (point, sample) pairs at once


def _as_samples(data: Any) -> np.ndarray:
    samples = np.asarray(data, dtype=np.float64).ravel()
    if samples.size < 2:
        _fail("data", "at least 2 values", f"<{samples.size} value(s)>")
    if not np.all(np.isfinite(samples)):
        _fail("data", "finite values only", "<array with NaN or inf>")
    return samples


def _scott(samples: np.ndarray) -> float:
    return float(np.std(samples, ddof=1) * samples.size ** (-0.2))


def scott_bandwidth(data: Any) -> float:
    """Scott's bandwidth ``h = std(data, ddof=1) * n ** (-1/5)``, as scipy's."""
    return _scott(_as_samples(data))


def gaussian_kde(
    data: Any, points: Any, *, bandwidth: float | None = None
) -> np.ndarray:
    """Gaussian kernel density estimate of ``data`` at ``points`` (any shape).

    ``f(x) = 1 / (n h sqrt(2 pi)) * sum_i exp(-(x - x_i) ** 2 / (2 h ** 2))``, ``h``
    from :func:`scott_bandwidth` unless given; evaluated in chunks.
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


def kde_grid(samples: Iterable[Any], num: int = 256, cut: float = 3.0) -> np.ndarray:
    """``num`` points from ``min - cut * h`` to ``max + cut * h`` (largest ``h``)."""
    arrays = [np.asarray(s, dtype=np.float64).ravel() for s in samples]
    arrays = [a for a in arrays if a.size]
    low = min(float(a.min()) for a in arrays)
    high = max(float(a.max()) for a in arrays)
    h = max((_scott(a) for a in arrays if a.size > 1), default=0.0)
    if h == 0.0 and low == high:
        h = max(abs(low), 1.0) * 0.1
    return np.linspace(low - cut * h, high + cut * h, num)


def finite_values(values: Any, *, what: str = "values") -> np.ndarray:
    """The finite entries of ``values``, flattened; warn about the others (``what``)."""
    flat = np.asarray(values, dtype=np.float64).ravel()
    keep = np.isfinite(flat)
    if not keep.all():
        bad = f"{what}: {int((~keep).sum())} of {flat.size} values"
        warn_left_out(bad, "the figure", stacklevel=3)
        flat = flat[keep]
    return flat


def warn_left_out(values: str, place: str, stacklevel: int = 2) -> None:
    """Warn that ``values`` (e.g. "3 weights") are NaN or infinite, not in ``place``."""
    text = f"{values} are NaN or infinite and are left out of {place}."
    warnings.warn(text, stacklevel=stacklevel + 1)


def running_median(values: Any, window: int) -> np.ndarray:
    """The median of the ``window`` values centred on each, NaN left out."""
    array = np.asarray(values, dtype=np.float64).ravel()
    half = check_int("window", window, minimum=1) // 2
    if array.size == 0:
        return array
    padded = np.pad(array, half, mode="edge")
    with warnings.catch_warnings():  # an all-NaN window: NaN, without a warning
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(sliding_window_view(padded, 2 * half + 1), axis=1)


def robust_ylim(
    curves: Iterable[Any],
    *,
    quantile: float = 0.98,
    window: int = 11,
    log: bool = False,
    headroom: float = 0.1,
) -> tuple[float, float] | None:
    """y limits that no spike of a few values sets; ``None`` without a finite value.

    The top: the largest ``quantile`` quantile or ``window``-value running median,
    plus ``headroom`` (the bottom likewise; 5% if no value is beyond).
    """
    if not 0.0 < quantile <= 1.0:
        _fail("quantile", "a number in (0, 1]", quantile)
    bounds = []  # per curve: robust low, robust high, min, max
    for curve in curves:
        values = np.asarray(curve, dtype=np.float64).ravel()
        with np.errstate(invalid="ignore"):  # NaN > 0
            keep = np.isfinite(values) & ((values > 0) if log else True)
        if not keep.any():
            continue
        values = np.where(keep, values, np.nan)
        if log:
            values = np.log10(values)
        finite = values[keep]
        smooth = running_median(values, window)
        low_q, high_q = np.quantile(finite, [1.0 - quantile, quantile])
        low = min(float(low_q), float(np.nanmin(smooth)))
        high = max(float(high_q), float(np.nanmax(smooth)))
        bounds.append((low, high, float(finite.min()), float(finite.max())))
    if not bounds:
        return None
    low, high = min(b[0] for b in bounds), max(b[1] for b in bounds)
    least, most = min(b[2] for b in bounds), max(b[3] for b in bounds)
    span = high - low
    cut_low, cut_high = least < low - headroom * span, most > high + headroom * span
    first, last = (low if cut_low else least), (high if cut_high else most)
    shown = last - first if last > first else max(abs(last), 1.0) * 0.1
    bottom = first - (headroom if cut_low else 0.05) * shown
    top = last + (headroom if cut_high else 0.05) * shown
    return (10.0**bottom, 10.0**top) if log else (bottom, top)


def finite_or_nan(values: Any) -> np.ndarray:
    """``values`` as float64 with infinities as NaN (an infinite bar breaks limits)."""
    array = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(array), array, np.nan)


# Looks: colours per variant, bands, annotations

#: The colour cycle (matplotlib's "tab10" names).
_TAB10 = "blue orange green red purple brown pink gray olive cyan"
PALETTE: tuple[str, ...] = tuple(f"tab:{c}" for c in _TAB10.split())

#: Fixed colours for the usual variants, so every figure of a run agrees.
ROLE_COLORS: dict[str, str] = dict(
    none="tab:blue", l1="tab:orange", l2="tab:green", l1l2="tab:purple"
)

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
    return "l1" if has_l1 else "l2" if has_l2 else None


def variant_colors(
    names: Iterable[str], overrides: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """One distinct colour per name, in order; ``overrides`` win.

    The first name of each kind ("none"/"without"..., "l1"/"lasso", "l2"/"ridge",
    L1L2) gets its :data:`ROLE_COLORS` colour, the others the next unused one.
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
    colors.update({str(k): c for k, c in (overrides or {}).items()})
    return {name: colors[name] for name in names}


def std_band(ax: Axes, x: Any, mean: Any, std: Any, color: Any, alpha: float) -> Any:
    """Fill the band ``mean ± std`` (one standard deviation over seeds) on ``ax``."""
    band = dict(color=color, alpha=alpha, linewidth=0)
    return ax.fill_between(x, mean - std, mean + std, **band)


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
    """Write "min ..." and "max ..." just outside the extremes of ``values``."""
    check_choice("orientation", orientation, ("horizontal", "vertical"))
    flat = np.asarray(values, dtype=np.float64).ravel()
    flat = flat[np.isfinite(flat)]
    if flat.size == 0:
        _fail("values", "at least one finite value", values)
    low, high = float(flat.min()), float(flat.max())
    kwargs = {"fontsize": "small", "textcoords": "offset points", **kwargs}
    horizontal = orientation == "horizontal"
    across = "center" if lift == 0 else "bottom" if horizontal else "left"
    texts = []
    for word, value, side in (("min", low, 0), ("max", high, 1)):
        gap = offset if side else -offset
        if horizontal:
            xy, xytext = (value, at), (gap, lift)
            align = {"ha": ("right", "left")[side], "va": across}
        else:
            xy, xytext = (at, value), (lift, gap)
            align = {"ha": across, "va": ("top", "bottom")[side]}
        text, options = f"{word} {fmt.format(value)}", {**align, **kwargs}
        texts.append(ax.annotate(text, xy=xy, xytext=xytext, color=color, **options))
    return texts[0], texts[1]


#: A legend right of its axes, outside the data.
OUTSIDE = dict(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
OUTSIDE["fontsize"] = "x-small"

#: The look of a divergence note: red on white.
_NOTE = dict(ha="center", va="center", color="tab:red", fontsize="small", zorder=6)
_NOTE["bbox"] = dict(boxstyle="round", facecolor="white", edgecolor="tab:red")


def mark_diverged(
    ax: Axes, text: str, *, x: float = 0.5, y: float = 0.5, **kwargs: Any
) -> Text:
    """Write a note such as "diverged at epoch 7" at ``(x, y)`` (axes coordinates)."""
    options = {**_NOTE, "transform": ax.transAxes, **kwargs}
    return ax.text(x, y, text, **options)


def mark_upright(ax: Axes, text: str, x: float) -> Text:
    """:func:`mark_diverged` written upright across ``ax`` at ``x`` (data units)."""
    return mark_diverged(ax, text, x=x, transform=ax.get_xaxis_transform(), rotation=90)


# What was passed: results, histories, divergence, lengths

#: How a comparison result, a sweep result and a history are named in messages.
COMPARISON_RESULT = "a kreg.ComparisonResult (from kreg.compare)"
SWEEP_RESULT = "a kreg.SweepResult (from kreg.sweep)"
HISTORY = "a kreg.WeightHistory"
#: The attributes of a history that the figures read.
_HISTORY_ATTRIBUTES = ("weights", "epochs", "keys")


def check_result(
    value: Any, expected: str, *attributes: str, name: str = "result"
) -> None:
    """Raise ``TypeError`` unless ``value`` has all ``attributes`` (duck typing)."""
    missing = [a for a in attributes if not hasattr(value, a)]
    if missing:
        if len(missing) < len(attributes):
            expected += " with " + ", ".join(f"`{a}`" for a in missing)
        _fail(name, expected, value, TypeError)


def check_grid(result: Any, maker: str, *also: str) -> None:
    """Raise ``ValueError`` if ``result.grid`` (or an attribute of ``also``) is None."""
    if any(getattr(result, a) is None for a in ("grid", *also)):
        _fail(
            "result",
            f"a result with a decision grid ({maker}() makes one for data with "
            "2 features)",
            "<result without a grid>",
        )


def check_history(history: Any, name: str = "history") -> None:
    """Raise ``TypeError`` unless ``history`` looks like a ``kreg.WeightHistory``."""
    check_result(history, HISTORY, *_HISTORY_ATTRIBUTES, name=name)


def is_history(obj: Any) -> bool:
    """Return whether ``obj`` looks like a ``kreg.WeightHistory`` (duck typing)."""
    return all(hasattr(obj, a) for a in _HISTORY_ATTRIBUTES)


def divergence(
    curves: Mapping[str, Any], epochs: Any = None, **arrays: Iterable[Any]
) -> str | None:
    """``"diverged at epoch N"``, ``"diverged: non-finite <group>"`` or ``None``."""
    first = first_nonfinite(curves)
    if first is not None:
        epoch = first + 1 if epochs is None else int(np.asarray(epochs)[first])
        return f"diverged at epoch {epoch}"
    for what, group in arrays.items():
        if any(not np.isfinite(np.asarray(a, dtype=np.float64)).all() for a in group):
            return f"diverged: non-finite {what}"
    return None


def one_per(name: str, values: Any, n: int, what: str) -> list:
    """``values`` as a list of ``n`` items (else "expected {n} {what}")."""
    out = list(values)
    if len(out) != n:
        _fail(name, f"{n} {what}", out)
    return out


def fail_shape(name: str, expected: str, array: Any) -> None:
    """Raise ``ValueError`` for argument ``name``, an array of the wrong shape."""
    _fail(name, expected, f"<array of shape {np.shape(array)}>")


# Access to recorded weights


def as_named_histories(histories: Any, name: str = "histories") -> dict[str, Any]:
    """``{label: history}`` from a dict, a list or one history, each checked."""
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


def is_int(value: Any) -> bool:
    """Return whether ``value`` is a Python or NumPy integer (not a bool)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def check_index(name: str, value: Any, n: int, expected: str) -> int:
    """``value`` as a position in ``[0, n)``, negatives counting back."""
    if not is_int(value):
        _fail(name, expected, value, TypeError)
    if not -n <= int(value) < n:
        _fail(name, expected, value)
    return int(value) % n


def key_at(keys: Sequence[str], key: str | int) -> str | None:
    """The key at position ``key`` (``ValueError`` out of range), ``None`` for a str."""
    if is_int(key):
        n = len(keys)
        expected = f"a key or a position in [-{n}, {n}) (of the {n} weights {keys})"
        return keys[check_index("key", key, n, expected)]
    if not isinstance(key, str):
        _fail("key", "a weight's key (str) or position (int)", key, TypeError)
    return None


def resolve_key(history: WeightHistory, key: str | int = 0) -> tuple[str, np.ndarray]:
    """``(full_key, values)`` of a weight named by its path, suffix or position."""
    keys = list(history.keys())
    full = key_at(keys, key)
    if full is not None:
        return full, np.asarray(history[full])
    array = np.asarray(history[key])  # the history's own KeyError lists the keys
    matches = [k for k in keys if k == key or k.endswith("/" + key)]
    return (matches[0] if len(matches) == 1 else key), array


def _flat_indices(indices: Any, shape: tuple[int, ...]) -> list[int]:
    size = int(np.prod(shape))
    flat = []
    for item in check_names("indices", indices):
        if is_int(item):
            if not 0 <= int(item) < size:
                _fail("indices", f"flat indices in [0, {size})", indices)
            flat.append(int(item))
        elif isinstance(item, Sequence) and len(item) == len(shape):
            position = tuple(int(i) for i in item)
            if not all(0 <= i < n for i, n in zip(position, shape, strict=True)):
                _fail("indices", f"positions inside the shape {shape}", indices)
            flat.append(int(np.ravel_multi_index(position, shape)))
        else:
            expected = f"flat indices (int) or positions (tuples of {len(shape)} ints)"
            _fail("indices", expected, indices, TypeError)
    return flat


def largest_weights(
    values: Any, k: int, indices: Any = None, shape: tuple[int, ...] = ()
) -> list[int]:
    """Flat indices of the ``k`` largest ``|values|`` (NaN last), or of ``indices``."""
    if indices is not None:
        return _flat_indices(indices, shape)
    size = np.nan_to_num(np.abs(np.ravel(values).astype(np.float64)), nan=-1.0)
    k = min(check_int("k", k, minimum=1), size.size)
    return [int(i) for i in np.argsort(-size, kind="stable")[:k]]


def position_labels(
    flat: Sequence[int], shape: tuple[int, ...], fmt: str = "[{}]", sep: str = ","
) -> list[str]:
    """Label each flat index by its position in ``shape``, e.g. ``"[0,5]"``."""
    return [
        fmt.format(sep.join(str(int(i)) for i in np.unravel_index(f, shape)))
        for f in flat
    ]


def check_record(record: Any, n_records: int, name: str = "record") -> int:
    """``record`` as an index in ``[0, n_records)``; negatives count back."""
    n = n_records
    expected = f"an integer in [-{n}, {n}) (the history has {n} records)"
    return check_index(name, record, n, expected)
