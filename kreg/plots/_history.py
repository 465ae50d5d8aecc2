"""Figures of recorded weights: Display objects drawing a ``kreg.WeightHistory``."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np

from kreg._validation import (
    _check_real,
    _fail,
    check_choice,
    check_int,
    check_names,
    check_positive,
)
from kreg.plots._common import (
    HISTORY,
    OUTSIDE,
    annotate_min_max,
    as_named_histories,
    axes_and_below,
    check_history,
    check_record,
    fail_shape,
    figure_ax,
    finite_or_nan,
    finite_values,
    gaussian_kde,
    is_history,
    kde_grid,
    largest_weights,
    mark_diverged,
    one_per,
    position_labels,
    resolve_key,
    variant_colors,
    warn_left_out,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

    from kreg.history import WeightHistory

#: The percentiles drawn by :class:`WeightEvolutionDisplay`.
PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
_NO_FINITE = "diverged: non-finite weights"
_BOX = {"whis": (0, 100), "widths": 0.5, "patch_artist": True, "showfliers": False}
_HIST = {"histtype": "stepfilled", "alpha": 0.25}
_ZERO_TEXT = dict(xytext=(0, 2), textcoords="offset points", ha="center", va="bottom")
_NODES = {"edgecolors": "black", "linewidths": 0.5, "zorder": 2}
_OUTSIDE = {**OUTSIDE, "fontsize": "small"}
#: The stem at 0 of the weights exactly 0, and its count.
_STEM = dict(linewidth=2.5, marker="D", markevery=[1], markersize=6, zorder=4)
_STEM["solid_capstyle"] = "butt"
_STEM_TEXT = dict(xytext=(8, 0), textcoords="offset points", ha="left", va="center")
_STEM_TEXT.update(fontsize="small", zorder=5)
_STEM_TEXT["bbox"] = dict(boxstyle="round,pad=0.2", facecolor="white", alpha=0.8)
_STEM_TEXT["bbox"]["linewidth"] = 0


def _weight(history: Any, key: str | int, label: str = "history") -> tuple:
    """``(full_key, values, epochs)`` of a weight of ``history``, records first."""
    check_history(history, label)
    full, array = resolve_key(history, key)
    epochs = np.asarray(history.epochs)
    if epochs.shape != (array.shape[0],):
        expected = f"as many epochs as records ({array.shape[0]})"
        _fail(label, expected, f"<history with {epochs.size} epochs>")
    return full, array, epochs


def _key_title(keys: Sequence[str]) -> str:
    """One title for the keys of several models: "kernel of dense / dense_3"."""
    unique = list(dict.fromkeys(keys))
    if len(unique) == 1:
        return unique[0]
    parts = [k.split("/") for k in unique]
    names = {p[-1] for p in parts}
    if len(names) == 1 and len(unique) <= 3 and all(len(p) > 1 for p in parts):
        return f"{names.pop()} of {' / '.join(dict.fromkeys(p[-2] for p in parts))}"
    if len(unique) <= 3:
        return ", ".join(unique)
    return f"{unique[0]} and {len(unique) - 1} other weights"


class WeightDistributionDisplay:
    """Density, histogram and box plot of weights, several histories overlaid.

    Per label a histogram and a Gaussian kernel density (Scott's bandwidth); below,
    box plots with whiskers at the minimum and maximum. Weights exactly 0 are drawn
    as a stem at 0 as tall as their share, not smoothed into the density.

    Args:
        values: Mapping label -> the weight values (any shape; flattened).
        key: Name of the weight, for the title.
        epochs: Mapping label -> the epoch of the values, for the title.

    Attributes:
        box_ax_: The axes of the box plots (``None`` with ``box=False``).
        lines_: Label -> density ``Line2D``; ``densities_``: the values on ``grid_``.
        patches_: Label -> the histogram's patches; ``colors_``: label -> colour.
        boxes_: The dict of ``Axes.boxplot`` (labels with finite values) or ``None``.
        annotations_: Label -> min and max annotations; ``extremes_``: their values.
        notes_: Label -> its "diverged: non-finite weights" ``Text`` (no finite value).
        zero_counts_: Label -> how many of its finite values are exactly 0.
        zero_stems_: Label -> its stem at 0; ``zero_texts_``: label -> its count.
        legend_: The legend, right of the axes, or ``None``.

    Examples:
        >>> values = {"without L2": [-2.0, 0.5, 2.0], "with L2": [-0.5, 0.1, 0.4]}
        >>> disp = WeightDistributionDisplay(values).plot()
        >>> sorted(disp.lines_), disp.extremes_["with L2"]
        (['with L2', 'without L2'], (-0.5, 0.4))
    """

    def __init__(
        self,
        values: Mapping[str, Any],
        *,
        key: str | None = None,
        epochs: Mapping[str, int] | None = None,
    ) -> None:
        if not isinstance(values, Mapping):
            _fail("values", "a dict of label -> weight values", values, TypeError)
        if not values:
            _fail("values", "at least one label", values)
        self.values = {
            str(label): np.asarray(v, dtype=np.float64).ravel()
            for label, v in values.items()
        }
        self.key = key
        self.epochs = {str(k): int(v) for k, v in (epochs or {}).items()}

    @classmethod
    def from_histories(
        cls,
        histories: Any,
        key: str | int = 0,
        *,
        record: int = -1,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> WeightDistributionDisplay:
        """Draw one weight of several histories at one record.

        Args:
            histories: Mapping label -> ``WeightHistory``, a list of them, or one.
            key: Which weight: path, unique suffix (else ``KeyError``) or position.
            record: Which record: ``-1`` the last, ``0`` the initial weights.
            ax: As in :meth:`plot`.
            **kwargs: Passed to :meth:`plot` (``box_ax``, ``kde``, ``hist``, ...).

        Returns:
            The Display, drawn.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> w = np.arange(1.0, 5.0).reshape(1, 2, 2)
            >>> h = WeightHistory.from_arrays({"d/kernel": w}, [3])
            >>> WeightDistributionDisplay.from_histories({"run": h}).epochs
            {'run': 3}
        """
        values, epochs, keys = {}, {}, []
        for label, history in as_named_histories(histories).items():
            full, array, epoch = _weight(history, key, f"histories[{label!r}]")
            index = check_record(record, array.shape[0])
            values[label], epochs[label] = array[index], int(epoch[index])
            keys.append(full)
        return cls(values, key=_key_title(keys), epochs=epochs).plot(ax, **kwargs)

    @classmethod
    def from_history(
        cls,
        history: WeightHistory,
        key: str | int = 0,
        *,
        label: str | None = None,
        **kwargs: Any,
    ) -> WeightDistributionDisplay:
        """Draw one weight of one history; see :meth:`from_histories`.

        Args:
            history: A recorded ``WeightHistory``.
            key: Which weight (path, unique suffix or position).
            label: Legend label; defaults to the weight's key.
            **kwargs: Passed to :meth:`from_histories`.

        Returns:
            The Display, drawn.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> h = WeightHistory.from_arrays({"d/kernel": [[1.0, 2.0, 4.0]]}, [0])
            >>> WeightDistributionDisplay.from_history(h).extremes_
            {'d/kernel': (1.0, 4.0)}
        """
        check_history(history)
        if label is None:
            label, _ = resolve_key(history, key)
        return cls.from_histories({label: history}, key, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        box_ax: Axes | None = None,
        kde: bool = True,
        hist: bool = True,
        box: bool = True,
        bins: int | str = "auto",
        colors: Mapping[str, Any] | None = None,
        zeros: bool = True,
        **kwargs: Any,
    ) -> WeightDistributionDisplay:
        """Draw the densities, histograms and box plots.

        Args:
            ax: Axes for the densities; ``None`` creates a figure.
            box_ax: Axes for the box plots; ``None`` takes the lower part of ``ax``.
            kde: Draw the density curves.
            hist: Draw the histograms (the same bins for every label).
            box: Draw the box plots; else the min and max are written on ``ax``.
            bins: Histogram bins, as ``numpy.histogram_bin_edges`` takes them.
            colors: Colour per label; the others get the variants' colours.
            zeros: Draw the weights exactly 0 as a stem at 0, not in the densities.
            **kwargs: Passed to ``Axes.plot`` for the density curves.

        Returns:
            ``self``, drawn.
        """
        labels = list(self.values)
        n = len(labels)
        size = dict(figsize=(7.6, 4.0 + 0.35 * n), height_ratios=[3, 0.6 + 0.35 * n])
        fig, ax, box_ax = axes_and_below(
            ax, box_ax, draw=box, name="box_ax", flag="box", size=0.3, **size
        )
        data = {
            k: finite_values(v, what=f"Weights of {k!r}")
            for k, v in self.values.items()
        }
        drawn = [label for label in labels if data[label].size]
        self.zero_counts_ = {k: int((v == 0.0).sum()) for k, v in data.items()}
        # The histogram and the density show the weights other than the exact zeros
        # (with ``zeros``), each of area 1 / (all finite values).
        spread = {k: v[v != 0.0] if zeros else v for k, v in data.items() if k in drawn}
        self.colors_ = colors = variant_colors(labels, colors)
        self.patches_, self.lines_, self.densities_ = {}, {}, {}
        # The grid reaches 3 bandwidths beyond the values the densities are of.
        sources = [spread[k] for k in drawn if spread[k].size > 1]
        sources = sources or [data[k] for k in drawn]
        self.grid_ = kde_grid(sources) if drawn else np.empty(0)
        if hist and drawn:
            edges = np.histogram_bin_edges(np.concatenate(list(data.values())), bins)
            widths = np.diff(edges)
        for label in drawn if hist else ():
            values = spread[label]
            if not values.size:
                continue
            at = np.searchsorted(edges, values, side="right") - 1
            area = 1.0 / (data[label].size * widths[np.clip(at, 0, widths.size - 1)])
            options = {"color": colors[label], "label": None if kde else label, **_HIST}
            patches = ax.hist(values, edges, weights=area, **options)[2]
            self.patches_[label] = list(patches)
        for label in drawn if kde else ():
            values = spread[label]
            if values.size < data[label].size and values.size < 2:
                continue  # (nearly) all exactly 0: the stem says it
            try:
                density = gaussian_kde(values, self.grid_)
            except ValueError as error:
                warnings.warn(f"No density curve for {label!r}: {error}", stacklevel=2)
                continue
            density *= values.size / data[label].size
            options = {"color": colors[label], "label": label, **kwargs}
            (self.lines_[label],) = ax.plot(self.grid_, density, **options)
            self.densities_[label] = density
        self._draw_zeros(ax, data, drawn if zeros else [])
        self.extremes_ = {
            k: (float(data[k].min()), float(data[k].max())) for k in drawn
        }
        self.annotations_, self.notes_, self.boxes_ = {}, {}, None
        on = box_ax if box else ax  # where the min, max and notes are written
        rows = {label: float(n - i) for i, label in enumerate(labels)}
        if box and drawn:
            options = dict(positions=[rows[k] for k in drawn], orientation="horizontal")
            self.boxes_ = box_ax.boxplot([data[k] for k in drawn], **options, **_BOX)
        for i, label in enumerate(drawn):
            if box:
                self.boxes_["boxes"][i].set(facecolor=colors[label], alpha=0.5)
                self.boxes_["medians"][i].set_color("black")
            where = {"at": rows[label]} if box else {"lift": 3.0 + 11.0 * i}
            self.annotations_[label] = annotate_min_max(
                on, data[label], color=colors[label], **where
            )
        for i, label in enumerate(label for label in labels if label not in drawn):
            if box:
                where = {"y": rows[label], "transform": box_ax.get_yaxis_transform()}
                self.notes_[label] = mark_diverged(box_ax, _NO_FINITE, **where)
            else:
                text = f"{label}: {_NO_FINITE}"
                self.notes_[label] = mark_diverged(ax, text, y=0.9 - 0.1 * i)
        if box:
            box_ax.set_yticks(list(rows.values()), labels)
            box_ax.set_ylim(0.4, n + 0.6)
            ax.tick_params(labelbottom=False)
        on.set_xlabel("weight value")
        if drawn:  # room for the "min"/"max" texts written outside the extremes
            lows, highs = zip(*self.extremes_.values(), strict=True)
            room = 0.2 * max(max(highs) - min(lows), 1e-12)
            left, right = min(lows) - room, max(highs) + room
            ax.set_xlim(min(self.grid_[0], left), max(self.grid_[-1], right))
        ax.set_ylabel("density")
        epochs = set(self.epochs.values())
        at = f" at epoch {epochs.pop()}" if len(epochs) == 1 else ""
        ax.set_title((self.key or "Weights") + at)
        handles, _ = ax.get_legend_handles_labels()
        self.legend_ = ax.legend(handles=handles, **_OUTSIDE) if handles else None
        self.ax_, self.box_ax_, self.figure_ = ax, box_ax, fig
        return self

    def _draw_zeros(self, ax: Axes, data: Mapping[str, Any], labels: list) -> None:
        """Per label, a stem at 0 as tall as its share of exact zeros, and the count."""
        self.zero_stems_, self.zero_texts_ = {}, {}
        placed: list[float] = []
        on = ax.get_xaxis_transform()  # x: data, y: share of the axes' height
        for label in labels:
            count, total = self.zero_counts_[label], data[label].size
            if not count:
                continue
            share, color = count / total, self.colors_[label]
            stem = dict(color=color, transform=on, label=f"{label}: exactly 0 (stem)")
            (self.zero_stems_[label],) = ax.plot(
                [0.0, 0.0], [0.0, share], **_STEM, **stem
            )
            y = share
            while any(abs(y - other) < 0.07 for other in placed):  # apart
                y -= 0.07
            placed.append(y)
            text = f"{label}: {count:,} of {total:,} exactly 0 ({share:.1%})"
            self.zero_texts_[label] = ax.annotate(
                text, xy=(0.0, y), xycoords=on, color=color, **_STEM_TEXT
            )


class WeightEvolutionDisplay:
    """Percentile bands of one weight over the epochs, and its L1 and L2 norms.

    Above: the 5-95 and 25-75 percentile bands and the median; below: ``sum(|w|)``
    (left scale) and ``sqrt(sum(w ** 2))`` (right scale).

    Args:
        epochs: The epoch of each record (``0`` = before training).
        percentiles: Mapping of each of 5, 25, 50, 75, 95 to its values per record.
        l1_norms: ``sum(|w|)`` at each record.
        l2_norms: ``sqrt(sum(w ** 2))`` at each record.
        key: Name of the weight, for the title.

    Attributes:
        norm_ax_: The L1 norm's axes; ``norm_twin_ax_``: the L2 norm's (or ``None``).
        bands_: ``"5-95"`` and ``"25-75"`` -> ``PolyCollection``.
        line_: The median ``Line2D``; ``norm_lines_``: ``"l1"``, ``"l2"`` -> ``Line2D``.

    Examples:
        >>> from kreg.history import WeightHistory
        >>> w = np.ones((3, 2, 2)) / np.arange(1, 4)[:, None, None]  # shrinking
        >>> h = WeightHistory.from_arrays({"d/kernel": w}, [0, 1, 2])
        >>> WeightEvolutionDisplay.from_history(h).l1_norms.round(2).tolist()
        [4.0, 2.0, 1.33]
    """

    def __init__(
        self,
        epochs: Any,
        percentiles: Mapping[int, Any],
        l1_norms: Any,
        l2_norms: Any,
        *,
        key: str | None = None,
    ) -> None:
        self.epochs, self.key = np.asarray(epochs), key
        n = self.epochs.shape[0] if self.epochs.ndim == 1 else -1
        if n < 1:
            _fail("epochs", "a non-empty 1-D sequence", epochs)
        if not isinstance(percentiles, Mapping) or set(percentiles) != set(PERCENTILES):
            expected = f"a dict with the keys {list(PERCENTILES)}"
            _fail("percentiles", expected, percentiles)
        self.percentiles = {
            int(q): np.asarray(percentiles[q], dtype=np.float64) for q in PERCENTILES
        }
        self.l1_norms = np.asarray(l1_norms, dtype=np.float64)
        self.l2_norms = np.asarray(l2_norms, dtype=np.float64)
        arrays = {f"percentiles[{q}]": a for q, a in self.percentiles.items()}
        arrays.update(l1_norms=self.l1_norms, l2_norms=self.l2_norms)
        for name, array in arrays.items():
            if array.shape != (n,):
                _fail(name, f"{n} values, one per epoch", f"<shape {array.shape}>")

    @classmethod
    def from_history(
        cls,
        history: WeightHistory,
        key: str | int = 0,
        *,
        ax: Axes | None = None,
        norm_ax: Axes | None = None,
        norms: bool = True,
        color: Any = "tab:blue",
        **kwargs: Any,
    ) -> WeightEvolutionDisplay:
        """Draw the percentiles (of the finite values) and norms of one weight.

        Args:
            history: A recorded ``WeightHistory``.
            key: Which weight: path, unique suffix (else ``KeyError``) or position.
            ax: As in :meth:`plot`; so are ``norm_ax``, ``norms``, ``color``.
            **kwargs: As in :meth:`plot`.

        Returns:
            The Display, drawn.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> h = WeightHistory.from_arrays({"d/kernel": np.ones((2, 2, 2))}, [0, 1])
            >>> WeightEvolutionDisplay.from_history(h).percentiles[50].tolist()
            [1.0, 1.0]
        """
        full, array, epochs = _weight(history, key)
        flat = array.reshape(array.shape[0], -1).astype(np.float64)
        finite = np.isfinite(flat)
        if not finite.all():
            bad = f"{full}: {int((~finite).sum())} recorded values"
            warn_left_out(bad, "the percentiles and norms")
        some = finite.any(axis=1)
        table = np.full((len(PERCENTILES), flat.shape[0]), np.nan)
        table[:, some] = np.nanpercentile(
            np.where(finite, flat, np.nan)[some], PERCENTILES, axis=1
        )
        flat = np.where(finite, flat, 0.0)
        l1 = np.where(some, np.abs(flat).sum(axis=1), np.nan)
        l2 = np.where(some, np.sqrt((flat * flat).sum(axis=1)), np.nan)
        percentiles = dict(zip(PERCENTILES, table, strict=True))
        display = cls(epochs, percentiles, l1, l2, key=full)
        return display.plot(ax=ax, norm_ax=norm_ax, norms=norms, color=color, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        norm_ax: Axes | None = None,
        norms: bool = True,
        color: Any = "tab:blue",
        **kwargs: Any,
    ) -> WeightEvolutionDisplay:
        """Draw the bands, the median and the norms.

        Args:
            ax: Axes for the bands; ``None`` creates a figure.
            norm_ax: Axes for the norms (``None`` if ``norms=False``); ``None``: below.
            norms: Draw the norms.
            color: Colour of the bands and the median.
            **kwargs: Passed to ``Axes.plot`` for the median line.

        Returns:
            ``self``, drawn.
        """
        size = dict(figsize=(6.4, 5.6), height_ratios=[2.0, 1.0])
        fig, ax, norm_ax = axes_and_below(
            ax, norm_ax, draw=norms, name="norm_ax", flag="norms", size=0.35, **size
        )
        p, x = self.percentiles, self.epochs
        self.bands_ = {
            f"{low}-{high}": ax.fill_between(
                x, p[low], p[high], color=color, alpha=alpha, linewidth=0, label=label
            )
            for low, high, alpha in ((5, 95, 0.2), (25, 75, 0.4))
            for label in [f"{low}-{high}th percentile"]
        }
        median = {"color": color, "label": "median", **kwargs}
        (self.line_,) = ax.plot(x, p[50], **median)
        ax.set_ylabel("weight value")
        ax.set_title(f"{self.key or 'Weights'} over the epochs")
        ax.legend(loc="best", fontsize="small")
        self.norm_lines_, twin = {}, None
        if norms:
            twin = norm_ax.twinx()
            for name, on, values, shade, style, label, side in (
                ("l1", norm_ax, self.l1_norms, "tab:purple", "-", "sum |w|", "left"),
                ("l2", twin, self.l2_norms, "tab:brown", "--", "sqrt(sum w²)", "right"),
            ):
                text = f"{name.upper()} norm ({side})"
                line = dict(color=shade, linestyle=style, label=text)
                (self.norm_lines_[name],) = on.plot(x, values, **line)
                on.set_ylabel(label)
            lines = list(self.norm_lines_.values())
            norm_ax.legend(handles=lines, loc="best", fontsize="small")
            ax.tick_params(labelbottom=False)
        (norm_ax if norms else ax).set_xlabel("epoch")
        self.ax_, self.norm_ax_, self.norm_twin_ax_ = ax, norm_ax, twin
        self.figure_ = fig
        return self


class WeightBarsDisplay:
    """Grouped bars of individual weights at two records: before and after.

    L2 shrinks every bar toward 0; proximal L1 sets some to exactly 0 (marked "0").

    Args:
        before: The weights' values at the first record.
        after: Their values at the second record (same length).
        labels: One tick label per weight (e.g. ``"[0,5]"``, its position).
        epochs: The epochs of the two records, for the legend.
        key: Name of the weight, for the title.

    Attributes:
        bars_: ``[before_bars, after_bars]``, two ``BarContainer``.
        zero_labels_: The "0" texts written over weights exactly 0 after.

    Examples:
        >>> disp = WeightBarsDisplay([1.0, -2.0], [0.5, 0.0], labels=["a", "b"]).plot()
        >>> [float(b.get_height()) for b in disp.bars_[1]], len(disp.zero_labels_)
        ([0.5, 0.0], 1)
    """

    def __init__(
        self,
        before: Any,
        after: Any,
        *,
        labels: Sequence[str] | None = None,
        epochs: tuple[int, int] | None = None,
        key: str | None = None,
    ) -> None:
        self.key = key
        self.before = np.asarray(before, dtype=np.float64).ravel()
        self.after = np.asarray(after, dtype=np.float64).ravel()
        n = self.before.size
        if n == 0:
            _fail("before", "at least one value", before)
        if self.after.shape != self.before.shape:
            _fail("after", f"{n} values, as many as `before`", after)
        labels = range(n) if labels is None else labels
        self.labels = [str(x) for x in one_per("labels", labels, n, "labels")]
        self.epochs = None if epochs is None else tuple(int(e) for e in epochs)

    @classmethod
    def from_history(
        cls,
        history: WeightHistory,
        key: str | int = 0,
        *,
        indices: Sequence[Any] | None = None,
        k: int = 10,
        records: tuple[int, int] = (0, -1),
        ax: Axes | None = None,
        colors: tuple[Any, Any] = ("tab:gray", "tab:blue"),
        **kwargs: Any,
    ) -> WeightBarsDisplay:
        """Draw a few entries of one recorded weight at two records.

        Args:
            history: A recorded ``WeightHistory``.
            key: Which weight: path, unique suffix (else ``KeyError``) or position.
            indices: Flat indices or positions (``(0, 5)``); ``None``: the ``k``
                largest ``|w|`` at the first record, largest first.
            k: How many entries when ``indices`` is ``None`` (at most all).
            records: The two records compared, by default the first and the last.
            ax: Axes to draw on; ``None`` creates a figure.
            colors: Colours of the first and second bars.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> w = np.array([[[1.0, -3.0], [2.0, 0.5]], [[0.5, -1.0], [0.0, 0.2]]])
            >>> h = WeightHistory.from_arrays({"d": w}, [0, 9])
            >>> disp = WeightBarsDisplay.from_history(h, k=2)
            >>> disp.labels, disp.after.tolist()
            (['[0,1]', '[1,0]'], [-1.0, 0.0])
        """
        full, array, epochs = _weight(history, key)
        if not isinstance(records, Sequence) or len(records) != 2:
            _fail("records", "two record indices, e.g. (0, -1)", records, TypeError)
        first, last = (check_record(r, array.shape[0], "records") for r in records)
        flat = array.reshape(array.shape[0], -1).astype(np.float64)
        chosen = largest_weights(flat[first], k, indices, array.shape[1:])
        before, after = flat[first, chosen], flat[last, chosen]
        labels = position_labels(chosen, array.shape[1:])
        pair = (int(epochs[first]), int(epochs[last]))
        display = cls(before, after, labels=labels, epochs=pair, key=full)
        return display.plot(ax=ax, colors=colors, **kwargs)

    def plot(
        self,
        ax: Axes | None = None,
        *,
        colors: tuple[Any, Any] = ("tab:gray", "tab:blue"),
        width: float = 0.8,
        **kwargs: Any,
    ) -> WeightBarsDisplay:
        """Draw the two groups of bars.

        Args:
            ax: Axes to draw on; ``None`` creates a figure.
            colors: Colours of the first and second bars.
            width: Total width of a pair of bars, in (0, 1].
            **kwargs: Passed to both ``Axes.bar`` calls.

        Returns:
            ``self``, drawn.
        """
        width = check_positive("width", width)
        fig, ax = figure_ax(ax, figsize=(max(6.4, 0.6 * self.before.size), 4.0))
        x = np.arange(self.before.size, dtype=float)
        names = ("before", "after")
        if self.epochs is not None:
            names = tuple(f"epoch {e}" for e in self.epochs)
        self.bars_ = []
        for side, values, color, name in zip(
            (-1, 1), (self.before, self.after), colors, names, strict=True
        ):
            heights = finite_or_nan(values)  # an infinite bar breaks the limits
            options = {"color": color, "label": name, **kwargs}
            self.bars_.append(
                ax.bar(x + side * width / 4, heights, width / 2, **options)
            )
        self.zero_labels_ = [
            ax.annotate("0", xy=(xi + width / 4, 0.0), fontsize="small", **_ZERO_TEXT)
            for xi in x[self.after == 0.0]
        ]
        ax.axhline(0.0, color="black", linewidth=0.8)
        ax.margins(y=0.15)
        ax.set_xticks(x, self.labels, rotation=45 if len(x) > 8 else 0)
        ax.set_xlabel("weight (position in the kernel)")
        ax.set_ylabel("weight value")
        title = f"{len(x)} weights of {self.key}" if self.key else "Weights"
        if self.epochs is not None:
            title += f": epoch {self.epochs[0]} vs {self.epochs[1]}"
        ax.set_title(title)
        ax.legend(**_OUTSIDE)  # right of the axes, outside the bars
        self.ax_, self.figure_ = ax, fig
        return self


class NetworkDisplay:
    """A small dense network drawn as nodes and edges, thick where ``|w|`` is large.

    A column of nodes per layer, an edge per weight, its width and colour growing
    with ``|w|``; weights exactly 0 (removed connections) are not drawn but counted.
    A wide layer shows its ``max_units`` units of largest total ``|w|``.

    Args:
        kernels: The 2-D kernels ``(units_in, units_out)`` of consecutive Dense layers.
        layer_names: One name per kernel (the input column is called "input").
        max_units: The most nodes drawn per layer, an integer >= 1.
        epoch: The epoch the kernels were recorded at, for the title.

    Attributes:
        units: For each column, the indices of the units drawn.
        edges: ``(kernel, i, j)`` of each edge drawn, by increasing ``|w|``.
        edge_weights: Their ``w[i, j]``; ``n_weights``, ``n_zero``: the counts.
        edges_: The ``LineCollection`` of the edges; ``nodes_``: the nodes.
        colorbar_: The colour bar of ``|w|``, or ``None``.
        clip_: The ``|w|`` where the colour scale is clipped (edges above), or ``None``.

    Examples:
        >>> kernels = [np.array([[1.0, 0.0], [0.5, -2.0]]), np.array([[1.0], [0.0]])]
        >>> disp = NetworkDisplay(kernels).plot()
        >>> disp.n_zero, len(disp.edges_.get_segments())
        (2, 4)
    """

    def __init__(
        self,
        kernels: Sequence[Any],
        *,
        layer_names: Sequence[str] | None = None,
        max_units: int = 16,
        epoch: int | None = None,
    ) -> None:
        self.kernels = [
            np.asarray(k, dtype=np.float64) for k in check_names("kernels", kernels)
        ]
        expected = "a non-empty 2-D kernel (units_in, units_out) of a Dense layer"
        for i, kernel in enumerate(self.kernels):
            if kernel.ndim != 2 or kernel.size == 0:
                fail_shape(f"kernels[{i}]", expected, kernel)
        for i, (a, b) in enumerate(pairwise(self.kernels)):
            if a.shape[1] != b.shape[0]:
                chain = "kernels that chain (units_out of each = units_in of the next)"
                shapes = f"kernels[{i}] has shape {a.shape}, kernels[{i + 1}] {b.shape}"
                _fail("kernels", f"{chain}; {shapes}", "<kernels>")
        n = len(self.kernels)
        if layer_names is None:
            layer_names = [f"layer {i + 1}" for i in range(n)]
        expected = "names, one per kernel"
        names = one_per("layer_names", map(str, layer_names), n, expected)
        self.layer_names = ["input", *names]
        self.max_units = check_int("max_units", max_units, minimum=1)
        self.epoch = None if epoch is None else int(epoch)
        self.n_weights = sum(k.size for k in self.kernels)
        n_bad = self.n_weights - sum(int(np.isfinite(k).sum()) for k in self.kernels)
        if n_bad:
            warn_left_out(f"{n_bad} weights", "the network")
        self.n_zero = sum(int((k == 0.0).sum()) for k in self.kernels)
        sizes = [np.nan_to_num(np.abs(k), nan=0.0, posinf=0.0) for k in self.kernels]
        self.layer_sizes = [len(self.kernels[0]), *(k.shape[1] for k in self.kernels)]
        # Each column keeps its units of the largest total |w| in and out.
        into = [np.zeros(self.layer_sizes[0]), *(s.sum(axis=0) for s in sizes)]
        out = [*(s.sum(axis=1) for s in sizes), np.zeros(self.layer_sizes[-1])]
        self.units = [
            np.sort(np.argsort(-(a + b), kind="stable")[: self.max_units])
            for a, b in zip(into, out, strict=True)
        ]
        edges, weights = [], []
        for index, kernel in enumerate(self.kernels):
            rows, cols = self.units[index], self.units[index + 1]
            block = kernel[np.ix_(rows, cols)]
            i, j = np.nonzero((block != 0.0) & np.isfinite(block))
            edges.append(np.stack([np.full(i.size, index), rows[i], cols[j]], axis=1))
            weights.append(block[i, j])
        weights = np.concatenate(weights)
        order = np.argsort(np.abs(weights), kind="stable")
        self.edges = np.concatenate(edges).astype(np.intp)[order]
        self.edge_weights = weights[order]

    @classmethod
    def from_history(
        cls,
        history: WeightHistory,
        *,
        record: int = -1,
        keys: Sequence[str | int] | None = None,
        max_units: int = 16,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> NetworkDisplay:
        """Draw the network from the kernels recorded at one record.

        Args:
            history: A recorded ``WeightHistory`` of a model made of Dense layers.
            record: Which record: ``-1`` the last, ``0`` the initial weights.
            keys: The kernels in order: paths, suffixes or positions (else
                ``KeyError``); ``None``: every 2-D weight in model order.
            max_units: The most nodes drawn per layer.
            ax: Axes to draw on; ``None`` creates a figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> w = {"a/kernel": np.ones((1, 3, 4)), "b/kernel": np.zeros((1, 4, 1))}
            >>> NetworkDisplay.from_history(WeightHistory.from_arrays(w, [0])).n_zero
            4
        """
        options = dict(record=record, keys=keys, max_units=max_units)
        return cls._of_history(history, **options).plot(ax=ax, **kwargs)

    @classmethod
    def _of_history(
        cls,
        history: WeightHistory,
        *,
        record: int = -1,
        keys: Sequence[str | int] | None = None,
        max_units: int = 16,
    ) -> NetworkDisplay:
        """The Display of :meth:`from_history`, not drawn."""
        check_history(history)
        if keys is None:
            keys = [k for k in history.keys() if np.ndim(history.weights[k]) == 3]
            if not keys:
                expected = "a history with at least one 2-D kernel (a Dense layer)"
                weights = f"its weights are {list(history.keys())}"
                _fail("history", f"{expected}; {weights}", history)
        chosen = [_weight(history, k) for k in check_names("keys", keys)]
        epochs = chosen[0][2]
        index = check_record(record, len(epochs))
        names = getattr(history, "layer_names", None) or {}
        layer_names = [
            names.get(k, k.split("/")[-2] if "/" in k else k) for k, _, _ in chosen
        ]
        kernels = [array[index] for _, array, _ in chosen]
        epoch = int(epochs[index])
        return cls(kernels, layer_names=layer_names, max_units=max_units, epoch=epoch)

    @classmethod
    def from_kernels(
        cls,
        kernels: Sequence[Any],
        *,
        layer_names: Sequence[str] | None = None,
        max_units: int = 16,
        ax: Axes | None = None,
        **kwargs: Any,
    ) -> NetworkDisplay:
        """Draw the network from a list of 2-D kernels.

        Args:
            kernels: Kernels of consecutive Dense layers (arrays or Keras variables).
            layer_names: One name per kernel.
            max_units: The most nodes drawn per layer.
            ax: Axes to draw on; ``None`` creates a figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Examples:
            >>> disp = NetworkDisplay.from_kernels([np.ones((3, 2))])
            >>> [u.tolist() for u in disp.units]
            [[0, 1, 2], [0, 1]]
        """
        display = cls(kernels, layer_names=layer_names, max_units=max_units)
        return display.plot(ax=ax, **kwargs)

    def _positions(self) -> list[np.ndarray]:
        """The y of each drawn unit, per column: centred, the widest from 1 to -1."""
        widest = max(len(u) for u in self.units)
        return [
            np.linspace(half, -half, len(u)) if len(u) > 1 else np.zeros(1)
            for u in self.units
            for half in [0.0 if widest == 1 else (len(u) - 1) / (widest - 1)]
        ]

    def plot(
        self,
        ax: Axes | None = None,
        *,
        cmap: Any = "viridis",
        max_width: float = 4.0,
        min_width: float = 0.3,
        node_size: float | None = None,
        colorbar: bool = True,
        width_scale: str = "network",
        clip: float | None = 95.0,
        **kwargs: Any,
    ) -> NetworkDisplay:
        """Draw the nodes and edges.

        Edge ``e`` is ``min_width + (max_width - min_width) * |w_e| / m`` points wide,
        ``m`` the largest ``|w|`` drawn (in its layer with ``width_scale="layer"``).

        Args:
            ax: Axes to draw on; ``None`` creates a figure.
            cmap: Colour map of ``|w|``.
            max_width: Width of the largest edge, in points.
            min_width: Width of an edge with ``|w|`` near 0, in points.
            node_size: Marker area of the nodes; ``None``: from their number.
            colorbar: Add a colour bar of ``|w|``.
            width_scale: ``"network"`` or ``"layer"`` (for layers of different scales).
            clip: Percentile of the drawn ``|w|`` (in (0, 100]) where the colour
                scale ends (unless ``norm`` is given); ``None``: the largest ``|w|``.
            **kwargs: Passed to the edges' ``LineCollection``.

        Returns:
            ``self``, drawn.
        """
        from matplotlib.collections import LineCollection
        from matplotlib.colors import Normalize

        max_width = check_positive("max_width", max_width)
        min_width = check_positive("min_width", min_width)
        check_choice("width_scale", width_scale, ("network", "layer"))
        fig, ax = figure_ax(ax, figsize=(7.0, 5.0))
        columns = self._positions()

        def height(column: int, unit: int) -> float:  # y of a unit drawn
            return columns[column][np.searchsorted(self.units[column], unit)]

        segments = [
            [(c, height(c, i)), (c + 1.0, height(c + 1, j))] for c, i, j in self.edges
        ]
        magnitude = np.abs(self.edge_weights)
        scale = np.full_like(magnitude, magnitude.max(initial=0.0))
        for index in np.unique(self.edges[:, 0]) if width_scale == "layer" else ():
            mask = self.edges[:, 0] == index
            scale[mask] = magnitude[mask].max()
        widths = min_width + (max_width - min_width) * magnitude / scale
        norm = kwargs.pop("norm", None)
        if norm is None:
            norm = Normalize(0.0, edge_clip(magnitude, clip))
        clipped = norm.vmax is not None and bool(np.any(magnitude > norm.vmax))
        self.clip_ = float(norm.vmax) if clipped else None
        options = {"cmap": cmap, "norm": norm, "zorder": 1, **kwargs}
        segments = np.array(segments, dtype=np.float64).reshape(-1, 2, 2)
        self.edges_ = LineCollection(segments, linewidths=widths, **options)
        self.edges_.set_array(magnitude)
        ax.add_collection(self.edges_)
        last, counts = len(columns) - 1, [len(y) for y in columns]
        roles = ["tab:gray", *["tab:blue"] * (last - 1), "tab:red"]  # in, hidden, out
        if node_size is None:
            node_size = float(np.clip(2000.0 / max(counts), 20, 300))
        xs = np.repeat(np.arange(last + 1, dtype=float), counts)
        shade = [role for role, n in zip(roles, counts, strict=True) for _ in range(n)]
        ys = np.concatenate(columns)
        self.nodes_ = ax.scatter(xs, ys, s=node_size, c=shade, **_NODES)
        layers = zip(self.layer_names, self.layer_sizes, self.units, strict=True)
        for c, (name, size, units) in enumerate(layers):
            shown = f"{len(units)} of {size}" if len(units) < size else f"{size}"
            shown += " unit" if size == 1 else " units"
            text = f"{name}\n{shown}"
            ax.text(c, -1.12, text, ha="center", va="top", fontsize="small")
        ax.set_xlim(-0.4, last + 0.4)
        ax.set_ylim(-1.45, 1.1)
        ax.set_axis_off()
        epoch = f" at epoch {self.epoch}" if self.epoch is not None else ""
        zeros = f"{self.n_zero:,} of {self.n_weights:,} weights exactly 0"
        lines = [f"Network{epoch}", f"{zeros} (removed connections, not drawn)"]
        if any(len(u) < s for u, s in zip(self.units, self.layer_sizes, strict=True)):
            shown = f"showing at most {self.max_units} units per layer"
            lines.append(f"{shown}: those with the largest |w|")
        if self.clip_ is not None:
            share = float(np.mean(magnitude > self.clip_))
            above = f"{share:.0%} of the edges drawn lie above"
            lines.append(f"colour clipped at |w| = {self.clip_:.3g} ({above})")
        ax.set_title("\n".join(lines), fontsize="medium")
        self.ax_, self.figure_ = ax, fig
        self.colorbar_ = self._colorbar(self.clip_ is not None) if colorbar else None
        return self

    def _colorbar(self, clipped: bool) -> Any:
        """A colour bar of the edges' ``|w|``, open at the top when ``clipped``."""
        label, extend = ("|w| (clipped)", "max") if clipped else ("|w|", "neither")
        options = dict(ax=self.ax_, label=label, shrink=0.8, extend=extend)
        return self.figure_.colorbar(self.edges_, **options)


def edge_clip(magnitudes: Any, percentile: float | None) -> float:
    """The ``percentile`` (``None``: max) of the finite ``magnitudes``, else 1."""
    if percentile is not None:
        expected, valid = "a percentile in (0, 100]", lambda v: 0 < v <= 100
        percentile = _check_real("clip", percentile, expected, valid)
    values = np.asarray(magnitudes, dtype=np.float64).ravel()
    values = values[np.isfinite(values)]
    if not values.size:
        return 1.0
    top = values.max() if percentile is None else np.percentile(values, percentile)
    return float(top) if top > 0 else (float(values.max()) or 1.0)


def plot_weight_distribution(
    histories: Any,
    key: str | int = 0,
    *,
    record: int = -1,
    ax: Axes | None = None,
    **kwargs: Any,
) -> WeightDistributionDisplay:
    """Plot the distribution of one weight for several histories at one record.

    Returns:
        The drawn Display of :meth:`WeightDistributionDisplay.from_histories`.

    Examples:
        >>> from kreg.history import WeightHistory
        >>> w = np.arange(1.0, 10.0).reshape(1, 3, 3)
        >>> one = lambda s: WeightHistory.from_arrays({"d": w * s}, [0])
        >>> disp = plot_weight_distribution([one(1), one(2)])
        >>> list(disp.lines_), len(disp.boxes_["boxes"])
        (['history 1', 'history 2'], 2)
    """
    return WeightDistributionDisplay.from_histories(
        histories, key, record=record, ax=ax, **kwargs
    )


def plot_weight_evolution(
    history: WeightHistory, key: str | int = 0, *, ax: Axes | None = None, **kwargs: Any
) -> WeightEvolutionDisplay:
    """Plot percentile bands and norms of one weight over the epochs.

    Returns:
        The drawn Display of :meth:`WeightEvolutionDisplay.from_history`.

    Examples:
        >>> from kreg.history import WeightHistory as History
        >>> h = History.from_arrays({"d/kernel": np.ones((3, 2, 2))}, [0, 1, 2])
        >>> plot_weight_evolution(h, norms=False).norm_ax_ is None
        True
    """
    return WeightEvolutionDisplay.from_history(history, key, ax=ax, **kwargs)


def plot_weight_bars(
    history: WeightHistory,
    key: str | int = 0,
    *,
    indices: Sequence[Any] | None = None,
    k: int = 10,
    ax: Axes | None = None,
    **kwargs: Any,
) -> WeightBarsDisplay:
    """Plot grouped bars of individual weights at the first and last record.

    Returns:
        The drawn Display of :meth:`WeightBarsDisplay.from_history`.

    Examples:
        >>> from kreg.history import WeightHistory
        >>> h = WeightHistory.from_arrays({"d/kernel": np.ones((2, 4, 4))}, [0, 9])
        >>> len(plot_weight_bars(h, k=3).bars_[0])
        3
    """
    return WeightBarsDisplay.from_history(
        history, key, indices=indices, k=k, ax=ax, **kwargs
    )


def plot_network(
    weights: Any,
    *,
    record: int = -1,
    max_units: int = 16,
    ax: Axes | None = None,
    **kwargs: Any,
) -> NetworkDisplay:
    """Plot a small dense network, edges by ``|w|``, exact zeros removed.

    Returns:
        The drawn Display of :meth:`NetworkDisplay.from_history` (a history)
        or :meth:`NetworkDisplay.from_kernels` (a list of kernels).

    Examples:
        >>> disp = plot_network([np.eye(3)], colorbar=False)
        >>> disp.n_zero, len(disp.edges_.get_segments())
        (6, 3)
    """
    if is_history(weights):
        return NetworkDisplay.from_history(
            weights, record=record, max_units=max_units, ax=ax, **kwargs
        )
    if isinstance(weights, (str, bytes)) or not isinstance(weights, Iterable):
        _fail("weights", f"{HISTORY} or a list of 2-D kernels", weights, TypeError)
    return NetworkDisplay.from_kernels(weights, max_units=max_units, ax=ax, **kwargs)
