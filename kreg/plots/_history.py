"""Figures of recorded weights: Display objects drawing a ``kreg.WeightHistory``.

Each figure is a Display in the scikit-learn manner: a class method
(``from_history`` or ``from_histories``) reads the numbers out of the recorded
weights (NumPy only), builds the Display and calls its ``plot(ax=None, **kwargs)``,
which draws and stores the axes (``ax_``), the figure (``figure_``) and the main
artists. Calling ``plot`` again draws the same numbers elsewhere. The ``plot_*``
functions are shortcuts that return the Display.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from kreg._validation import (
    _fail,
    check_choice,
    check_int,
    check_names,
    check_positive,
)
from kreg.plots._common import (
    HISTORY,
    annotate_min_max,
    as_named_histories,
    axes_and_below,
    check_history,
    check_record,
    figure_ax,
    finite_or_nan,
    finite_values,
    gaussian_kde,
    is_history,
    kde_grid,
    largest_weights,
    mark_diverged,
    resolve_key,
    variant_colors,
    warn_left_out,
)

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes

    from kreg.history import WeightHistory

#: The percentiles drawn by :class:`WeightEvolutionDisplay`.
PERCENTILES: tuple[int, ...] = (5, 25, 50, 75, 95)
#: The note written for weights without a finite value (a diverged run).
_NO_FINITE = "diverged: non-finite weights"


def _epochs_of(history: Any, n_records: int, label: str = "history") -> np.ndarray:
    epochs = np.asarray(history.epochs)
    if epochs.shape != (n_records,):
        _fail(
            label,
            f"as many epochs as records ({n_records})",
            f"<history with {epochs.size} epochs>",
        )
    return epochs


def _key_title(keys: Sequence[str]) -> str:
    unique = list(dict.fromkeys(keys))
    if len(unique) == 1:
        return unique[0]
    # Separately built models differ in their paths ("sequential/dense/kernel",
    # "sequential_1/dense_3/kernel"): "kernel of dense / dense_3".
    parts = [k.split("/") for k in unique]
    names = {p[-1] for p in parts}
    if len(names) == 1 and len(unique) <= 3 and all(len(p) > 1 for p in parts):
        layers = dict.fromkeys(p[-2] for p in parts)
        return f"{names.pop()} of {' / '.join(layers)}"
    if len(unique) <= 3:
        return ", ".join(unique)
    return f"{unique[0]} and {len(unique) - 1} other weights"


# ================================================================================
# 1. Distribution of the weights at one record
# ================================================================================


class WeightDistributionDisplay:
    """Density, histogram and box plot of weights, several histories overlaid.

    The lecture's "weights without vs with L2" figure. On the main axes, for each
    history: a histogram (normalized to unit area) and a Gaussian kernel density
    estimate (:func:`kreg.plots._common.gaussian_kde`, Scott's bandwidth, the same
    as ``scipy.stats.gaussian_kde``). On a second axes below it, sharing the x axis:
    one horizontal box plot per history, whose whiskers reach the minimum and the
    maximum, both written out.

    Build it with :meth:`from_histories` (or :meth:`from_history`); the
    constructor takes the values directly.

    Args:
        values: Mapping of label to the weight values to show (any shape; they
            are flattened). At least one label.
        key: Name of the weight shown, used in the title.
        epochs: Mapping of label to the epoch the values were recorded at, used in
            the title and legend.

    Attributes:
        ax_: The axes of the densities and histograms.
        box_ax_: The axes of the box plots (``None`` if drawn with ``box=False``).
        figure_: The figure.
        lines_: Mapping label -> density ``Line2D`` (absent if the density could
            not be estimated, e.g. all values equal).
        patches_: Mapping label -> list of histogram patches (one ``Polygon``).
        boxes_: The dict returned by ``Axes.boxplot`` (``"boxes"``,
            ``"whiskers"``, ``"medians"``, ...) of the labels with finite
            values, or ``None``.
        annotations_: Mapping label -> ``(min_annotation, max_annotation)``.
        extremes_: Mapping label -> ``(min, max)`` of the finite values.
        notes_: Mapping label -> the ``Text`` "diverged: non-finite weights"
            written (in its box-plot row) for a label without a finite value,
            which is drawn nowhere else; non-finite values among finite ones
            are left out with a warning.
        grid_: Points at which the densities were evaluated.
        densities_: Mapping label -> density values on ``grid_``.
        colors_: Mapping label -> colour used.

    Examples:
        >>> rng = np.random.default_rng(0)
        >>> values = {
        ...     "without L2": rng.normal(0, 1.0, 256),
        ...     "with L2": rng.normal(0, 0.3, 256),
        ... }
        >>> disp = WeightDistributionDisplay(values).plot()
        >>> sorted(disp.lines_), disp.box_ax_ is not None
        (['with L2', 'without L2'], True)
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
        box_ax: Axes | None = None,
        kde: bool = True,
        hist: bool = True,
        box: bool = True,
        bins: int | str = "auto",
        colors: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> WeightDistributionDisplay:
        """Draw one weight of several histories at one record.

        Args:
            histories: A mapping ``label -> WeightHistory`` (e.g. ``{"without L2":
                h0, "with L2": h2}``), a list of histories (labelled "history 1",
                ...) or one history.
            key: Which weight: its Keras path, a unique suffix (``"dense/kernel"``)
                or its position in ``history.keys()``. The default ``0`` is the
                first layer's kernel, and positions work across separately built
                models, whose paths differ.
            record: Which record of each history, ``-1`` (the last) by default;
                ``0`` is the initial weights.
            ax: As in :meth:`plot`.
            box_ax: As in :meth:`plot`.
            kde: As in :meth:`plot`.
            hist: As in :meth:`plot`.
            box: As in :meth:`plot`.
            bins: As in :meth:`plot`.
            colors: As in :meth:`plot`.
            **kwargs: As in :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``histories`` is not a history, a dict or a list of them.
            ValueError: If ``histories`` is empty or ``record`` is out of range
                for a history.
            KeyError: If ``key`` names no weight of a history.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> rng = np.random.default_rng(0)
            >>> h = WeightHistory.from_arrays(
            ...     {"dense/kernel": rng.normal(size=(3, 2, 8))}, [0, 1, 2]
            ... )
            >>> disp = WeightDistributionDisplay.from_histories({"run": h})
            >>> disp.epochs
            {'run': 2}
        """
        named = as_named_histories(histories)
        values: dict[str, np.ndarray] = {}
        epochs: dict[str, int] = {}
        keys: list[str] = []
        for label, history in named.items():
            full, array = resolve_key(history, key)
            epoch_list = _epochs_of(history, array.shape[0], f"histories[{label!r}]")
            index = check_record(record, array.shape[0])
            values[label] = array[index]
            epochs[label] = int(epoch_list[index])
            keys.append(full)
        display = cls(values, key=_key_title(keys), epochs=epochs)
        options = {"kde": kde, "hist": hist, "box": box, "bins": bins, **kwargs}
        return display.plot(ax, box_ax=box_ax, colors=colors, **options)

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

        Raises:
            TypeError: If ``history`` is not a ``WeightHistory``.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> w = np.array([[1.0, 2.0, 3.0, 4.0]])
            >>> h = WeightHistory.from_arrays({"d/kernel": w}, [0])
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
        **kwargs: Any,
    ) -> WeightDistributionDisplay:
        """Draw the densities, histograms and box plots.

        Args:
            ax: Axes for the densities; ``None`` creates a figure (with a second
                axes for the box plots when ``box``).
            box_ax: Axes for the box plots; ``None`` takes the lower part of
                ``ax``.
            kde: Draw the density curves.
            hist: Draw the histograms (the same bins for every label).
            box: Draw the box plots. When ``False``, the min and max are written
                on ``ax`` instead.
            bins: Histogram bins, as ``numpy.histogram_bin_edges`` takes them.
            colors: Colour per label; the others get
                :func:`kreg.plots._common.variant_colors`.
            **kwargs: Passed to ``Axes.plot`` for the density curves.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` or ``box_ax`` is not an ``Axes``.
            ValueError: If ``box_ax`` is given with ``box=False``.
        """
        labels = list(self.values)
        n = len(labels)
        fig, ax, box_ax = axes_and_below(
            ax,
            box_ax,
            figsize=(6.4, 4.0 + 0.35 * n),
            height_ratios=[3.0, 0.6 + 0.35 * n],
            size=0.3,
            draw=box,
            name="box_ax",
            flag="box",
        )
        data = {
            label: finite_values(v, what=f"Weights of {label!r}")
            for label, v in self.values.items()
        }
        drawn = [label for label in labels if data[label].size]
        self.colors_ = variant_colors(labels, colors)

        self.patches_: dict[str, list] = {}
        if hist and drawn:
            edges = np.histogram_bin_edges(
                np.concatenate([data[label] for label in drawn]), bins
            )
            for label in drawn:
                _, _, patches = ax.hist(
                    data[label],
                    bins=edges,
                    density=True,
                    histtype="stepfilled",
                    alpha=0.25,
                    color=self.colors_[label],
                    label=None if kde else label,
                )
                self.patches_[label] = list(patches)

        self.lines_: dict[str, Any] = {}
        self.densities_: dict[str, np.ndarray] = {}
        self.grid_ = kde_grid(data[label] for label in drawn) if drawn else np.empty(0)
        if kde:
            for label in drawn:
                try:
                    density = gaussian_kde(data[label], self.grid_)
                except ValueError as error:
                    warnings.warn(
                        f"No density curve for {label!r}: {error}", stacklevel=2
                    )
                    continue
                options = {"color": self.colors_[label], "label": label, **kwargs}
                (self.lines_[label],) = ax.plot(self.grid_, density, **options)
                self.densities_[label] = density

        self.extremes_ = {
            label: (float(data[label].min()), float(data[label].max()))
            for label in drawn
        }
        self.annotations_: dict[str, tuple] = {}
        self.notes_: dict[str, Any] = {}
        self.boxes_ = None
        diverged = [label for label in labels if label not in drawn]
        if box:
            rows = {label: float(len(labels) - i) for i, label in enumerate(labels)}
            if drawn:
                self.boxes_ = box_ax.boxplot(
                    [data[label] for label in drawn],
                    orientation="horizontal",
                    positions=[rows[label] for label in drawn],
                    whis=(0, 100),
                    widths=0.5,
                    patch_artist=True,
                    showfliers=False,
                )
                for label, patch, median in zip(
                    drawn, self.boxes_["boxes"], self.boxes_["medians"], strict=True
                ):
                    patch.set_facecolor(self.colors_[label])
                    patch.set_alpha(0.5)
                    median.set_color("black")
            for label in drawn:
                self.annotations_[label] = annotate_min_max(
                    box_ax, data[label], at=rows[label], color=self.colors_[label]
                )
            for label in diverged:
                self.notes_[label] = mark_diverged(
                    box_ax,
                    _NO_FINITE,
                    y=rows[label],
                    transform=box_ax.get_yaxis_transform(),
                )
            box_ax.set_yticks(list(rows.values()), labels)
            box_ax.set_ylim(0.4, len(labels) + 0.6)
            box_ax.set_xlabel("weight value")
            ax.tick_params(labelbottom=False)
        else:
            for i, label in enumerate(drawn):
                self.annotations_[label] = annotate_min_max(
                    ax,
                    data[label],
                    at=0.0,
                    color=self.colors_[label],
                    lift=3.0 + 11.0 * i,
                )
            for i, label in enumerate(diverged):
                self.notes_[label] = mark_diverged(
                    ax, f"{label}: {_NO_FINITE}", y=0.9 - 0.1 * i
                )
            ax.set_xlabel("weight value")

        if drawn:  # room for the "min"/"max" texts written outside the extremes
            low = min(lo for lo, _ in self.extremes_.values())
            high = max(hi for _, hi in self.extremes_.values())
            room = 0.2 * max(high - low, 1e-12)
            ax.set_xlim(
                min(self.grid_[0], low - room), max(self.grid_[-1], high + room)
            )
        ax.set_ylabel("density")
        epochs = set(self.epochs.values())
        title = self.key or "Weights"
        if len(epochs) == 1:
            title += f" at epoch {epochs.pop()}"
        ax.set_title(title)
        if ax.get_legend_handles_labels()[0]:
            ax.legend()
        self.ax_ = ax
        self.box_ax_ = box_ax
        self.figure_ = fig
        return self


# ================================================================================
# 2. Evolution over the epochs
# ================================================================================


class WeightEvolutionDisplay:
    """Percentile bands of one weight over the epochs, and its L1 and L2 norms.

    On the main axes: the 5-95 and 25-75 percentile bands of the weight's
    values at each record, and the median as a line. On a second axes below:
    the L1 norm ``sum(|w|)`` (left scale) and the L2 norm ``sqrt(sum(w ** 2))``
    (right scale) against the epoch.

    Args:
        epochs: The epoch of each record (``0`` = before training).
        percentiles: Mapping of each of 5, 25, 50, 75 and 95 to the values of
            that percentile at each record.
        l1_norms: ``sum(|w|)`` at each record.
        l2_norms: ``sqrt(sum(w ** 2))`` at each record.
        key: Name of the weight, for the title.

    Attributes:
        ax_: The axes of the percentile bands.
        norm_ax_: The axes of the L1 norm (``None`` with ``norms=False``).
        norm_twin_ax_: Its twin axes (right scale) of the L2 norm, or ``None``.
        figure_: The figure.
        bands_: Mapping ``"5-95"`` and ``"25-75"`` -> ``PolyCollection``.
        line_: The median ``Line2D``.
        norm_lines_: Mapping ``"l1"`` and ``"l2"`` -> ``Line2D`` (empty with
            ``norms=False``).

    Examples:
        >>> from kreg.history import WeightHistory
        >>> w = np.random.default_rng(0).normal(size=(4, 3, 5))
        >>> w = w / np.arange(1, 5)[:, None, None]  # shrinking
        >>> h = WeightHistory.from_arrays({"d/kernel": w}, [0, 1, 2, 3])
        >>> disp = WeightEvolutionDisplay.from_history(h)
        >>> bool(disp.l2_norms[-1] < disp.l2_norms[0])
        True
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
        self.epochs = np.asarray(epochs)
        n = self.epochs.shape[0] if self.epochs.ndim == 1 else -1
        if n < 1:
            _fail("epochs", "a non-empty 1-D sequence", epochs)
        if not isinstance(percentiles, Mapping) or set(percentiles) != set(PERCENTILES):
            _fail(
                "percentiles", f"a dict with the keys {list(PERCENTILES)}", percentiles
            )
        self.percentiles = {
            int(q): np.asarray(percentiles[q], dtype=np.float64) for q in PERCENTILES
        }
        self.l1_norms = np.asarray(l1_norms, dtype=np.float64)
        self.l2_norms = np.asarray(l2_norms, dtype=np.float64)
        for name, array in (
            *((f"percentiles[{q}]", a) for q, a in self.percentiles.items()),
            ("l1_norms", self.l1_norms),
            ("l2_norms", self.l2_norms),
        ):
            if array.shape != (n,):
                _fail(name, f"{n} values, one per epoch", f"<shape {array.shape}>")
        self.key = key

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
        """Compute the percentiles and norms of one weight and draw them.

        Percentiles are ``numpy.percentile`` (linear interpolation) over all the
        weight's values at each record. Non-finite values are left out with a
        warning; a record without a finite value (a diverged run) has NaN
        percentiles and norms, which are not drawn.

        Args:
            history: A recorded ``WeightHistory``.
            key: Which weight: its Keras path, a unique suffix or its position in
                ``history.keys()`` (``0``, the default, is the first kernel).
            ax: As in :meth:`plot`.
            norm_ax: As in :meth:`plot`.
            norms: As in :meth:`plot`.
            color: As in :meth:`plot`.
            **kwargs: As in :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``history`` is not a ``WeightHistory``.
            KeyError: If ``key`` names no recorded weight.
            ValueError: If the history's epochs and records disagree.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> h = WeightHistory.from_arrays({"d/kernel": np.ones((2, 2, 2))}, [0, 1])
            >>> WeightEvolutionDisplay.from_history(h).l1_norms.tolist()
            [4.0, 4.0]
        """
        check_history(history)
        full, array = resolve_key(history, key)
        epochs = _epochs_of(history, array.shape[0])
        flat = array.reshape(array.shape[0], -1).astype(np.float64)
        finite = np.isfinite(flat)
        if not finite.all():
            bad = f"{full}: {int((~finite).sum())} recorded values"
            warn_left_out(bad, "the percentiles and norms")
        # A record without a finite value (a diverged run) gets NaN, not drawn.
        some = finite.any(axis=1)
        table = np.full((len(PERCENTILES), flat.shape[0]), np.nan)
        table[:, some] = np.nanpercentile(
            np.where(finite, flat, np.nan)[some], PERCENTILES, axis=1
        )
        flat = np.where(finite, flat, 0.0)
        l1 = np.where(some, np.abs(flat).sum(axis=1), np.nan)
        l2 = np.where(some, np.sqrt((flat * flat).sum(axis=1)), np.nan)
        display = cls(
            epochs, dict(zip(PERCENTILES, table, strict=True)), l1, l2, key=full
        )
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
            norm_ax: Axes for the norms; ``None`` takes the lower part of ``ax``.
            norms: Draw the norms.
            color: Colour of the bands and the median.
            **kwargs: Passed to ``Axes.plot`` for the median line.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` or ``norm_ax`` is not an ``Axes``.
            ValueError: If ``norm_ax`` is given with ``norms=False``.
        """
        fig, ax, norm_ax = axes_and_below(
            ax,
            norm_ax,
            figsize=(6.4, 5.6),
            height_ratios=[2.0, 1.0],
            size=0.35,
            draw=norms,
            name="norm_ax",
            flag="norms",
        )
        p, x = self.percentiles, self.epochs
        self.bands_ = {
            f"{low}-{high}": ax.fill_between(
                x,
                p[low],
                p[high],
                color=color,
                alpha=alpha,
                linewidth=0,
                label=f"{low}-{high}th percentile",
            )
            for low, high, alpha in ((5, 95, 0.2), (25, 75, 0.4))
        }
        options = {"color": color, "label": "median", **kwargs}
        (self.line_,) = ax.plot(x, p[50], **options)
        ax.set_ylabel("weight value")
        ax.set_title(f"{self.key or 'Weights'} over the epochs")
        ax.legend(loc="best", fontsize="small")

        self.norm_lines_: dict[str, Any] = {}
        twin = None
        if norms:
            (self.norm_lines_["l1"],) = norm_ax.plot(
                x, self.l1_norms, color="tab:purple", label="L1 norm (left)"
            )
            twin = norm_ax.twinx()
            (self.norm_lines_["l2"],) = twin.plot(
                x,
                self.l2_norms,
                color="tab:brown",
                linestyle="--",
                label="L2 norm (right)",
            )
            norm_ax.set_ylabel("sum |w|")
            twin.set_ylabel("sqrt(sum w²)")
            norm_ax.set_xlabel("epoch")
            norm_ax.legend(
                handles=list(self.norm_lines_.values()), loc="best", fontsize="small"
            )
            ax.tick_params(labelbottom=False)
        else:
            ax.set_xlabel("epoch")
        self.ax_ = ax
        self.norm_ax_ = norm_ax
        self.norm_twin_ax_ = twin
        self.figure_ = fig
        return self


# ================================================================================
# 3. Individual weights before and after
# ================================================================================


class WeightBarsDisplay:
    """Grouped bars of individual weights at two records: before and after.

    The seed's "ELI5" figure, from real weights: for each chosen weight, one bar
    at the first record (by default the initial weights) beside one bar at the
    last. L2 shrinks every bar toward 0; L1 with a proximal step sets some to
    exactly 0 (marked "0").

    Args:
        before: The weights' values at the first record.
        after: Their values at the second record (same length).
        labels: One tick label per weight (e.g. ``"[0,5]"``, its position).
        epochs: The epochs of the two records, for the legend.
        key: Name of the weight, for the title.

    Attributes:
        ax_: The axes.
        figure_: The figure.
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
        self.before = np.asarray(before, dtype=np.float64).ravel()
        self.after = np.asarray(after, dtype=np.float64).ravel()
        if self.before.size == 0:
            _fail("before", "at least one value", before)
        if self.after.shape != self.before.shape:
            _fail("after", f"{self.before.size} values, as many as `before`", after)
        if labels is None:
            labels = [str(i) for i in range(self.before.size)]
        self.labels = [str(label) for label in labels]
        if len(self.labels) != self.before.size:
            _fail("labels", f"{self.before.size} labels", labels)
        self.epochs = None if epochs is None else tuple(int(e) for e in epochs)
        self.key = key

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
        """Draw a few weights of one recorded weight at two records.

        Args:
            history: A recorded ``WeightHistory``.
            key: Which weight: its Keras path, a unique suffix or its position in
                ``history.keys()`` (``0``, the default, is the first kernel).
            indices: Which entries: flat indices into the weight (C order) or
                positions such as ``(0, 5)`` (input 0 to unit 5 of a Dense
                kernel). ``None`` takes the ``k`` largest ``|w|`` at the first
                record, largest first.
            k: How many weights when ``indices`` is ``None``, an integer >= 1
                (fewer if the weight is smaller).
            records: The two records compared, ``(0, -1)`` by default: the
                initial and the last weights.
            ax: Axes to draw on; ``None`` creates a figure.
            colors: Colours of the first and second bars.
            **kwargs: Passed to both ``Axes.bar`` calls.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``history`` is not a ``WeightHistory``.
            KeyError: If ``key`` names no recorded weight.
            ValueError: If an index or a record is out of range.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> w = np.array([[[1.0, -3.0], [2.0, 0.5]], [[0.5, -1.0], [0.0, 0.2]]])
            >>> h = WeightHistory.from_arrays({"d/kernel": w}, [0, 10])
            >>> disp = WeightBarsDisplay.from_history(h, k=2)
            >>> disp.labels, disp.after.tolist()
            (['[0,1]', '[1,0]'], [-1.0, 0.0])
        """
        check_history(history)
        full, array = resolve_key(history, key)
        epochs = _epochs_of(history, array.shape[0])
        if not isinstance(records, Sequence) or len(records) != 2:
            _fail("records", "two record indices, e.g. (0, -1)", records, TypeError)
        first, last = (check_record(r, array.shape[0], "records") for r in records)
        shape = array.shape[1:]
        w_first = array[first].reshape(-1).astype(np.float64)
        w_last = array[last].reshape(-1).astype(np.float64)
        chosen = largest_weights(w_first, k, indices, shape)
        labels = [
            "[" + ",".join(str(int(i)) for i in np.unravel_index(f, shape)) + "]"
            for f in chosen
        ]
        display = cls(
            w_first[chosen],
            w_last[chosen],
            labels=labels,
            epochs=(int(epochs[first]), int(epochs[last])),
            key=full,
        )
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
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not an ``Axes``.
        """
        width = check_positive("width", width)
        fig, ax = figure_ax(ax, figsize=(max(6.4, 0.6 * self.before.size), 4.0))
        x = np.arange(self.before.size, dtype=float)
        names = ("before", "after")
        if self.epochs is not None:
            names = (f"epoch {self.epochs[0]}", f"epoch {self.epochs[1]}")
        self.bars_ = []
        for side, values, color, name in zip(
            (-1, 1), (self.before, self.after), colors, names, strict=True
        ):
            options = {"color": color, "label": name, **kwargs}
            heights = finite_or_nan(values)  # an infinite bar breaks the limits
            bars = ax.bar(x + side * width / 4, heights, width / 2, **options)
            self.bars_.append(bars)
        self.zero_labels_ = [
            ax.annotate(
                "0",
                xy=(xi + width / 4, 0.0),
                xytext=(0, 2),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize="small",
            )
            for xi, value in zip(x, self.after, strict=True)
            if value == 0.0
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
        ax.legend(fontsize="small")
        self.ax_ = ax
        self.figure_ = fig
        return self


# ================================================================================
# 4. The network as a graph
# ================================================================================


class NetworkDisplay:
    """A small dense network drawn as nodes and edges, thick where ``|w|`` is large.

    The seed's "web of connections", from real weights. Nodes stand in columns,
    one per layer (inputs, then the units of each kernel); an edge joins input
    ``i`` to unit ``j`` for each weight ``w[i, j]``, its width and colour growing
    with ``|w|``. Weights that are exactly 0 are removed connections: they are not
    drawn, and the title counts them. Wide layers are capped at ``max_units``
    units: those with the largest total ``|w|`` in and out, in their original
    order; the title says so.

    Args:
        kernels: The 2-D kernels of consecutive Dense layers, ``kernels[i]`` of
            shape ``(units_in, units_out)`` with ``units_out`` equal to the
            ``units_in`` of ``kernels[i + 1]``.
        layer_names: One name per kernel (the input column is called "input").
        max_units: The most nodes drawn per layer, an integer >= 1.
        epoch: The epoch the kernels were recorded at, for the title.

    Attributes:
        units: For each column, the indices of the units drawn.
        edges: Integer array of shape ``(m, 3)``: ``(kernel, i, j)`` of each edge
            drawn, in drawing order (increasing ``|w|``).
        edge_weights: The weights ``w[i, j]`` of those edges.
        n_weights: Number of weights in all kernels.
        n_zero: Number of them exactly 0 (removed connections).
        ax_: The axes.
        figure_: The figure.
        edges_: The ``LineCollection`` of the edges (one segment per edge).
        nodes_: The ``PathCollection`` of the nodes.
        colorbar_: The colour bar of ``|w|``, or ``None``.

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
        items = check_names("kernels", kernels)
        self.kernels = [np.asarray(k, dtype=np.float64) for k in items]
        for i, kernel in enumerate(self.kernels):
            if kernel.ndim != 2 or kernel.size == 0:
                _fail(
                    f"kernels[{i}]",
                    "a non-empty 2-D kernel (units_in, units_out) of a Dense layer",
                    f"<array of shape {kernel.shape}>",
                )
        for i, (a, b) in enumerate(
            zip(self.kernels[:-1], self.kernels[1:], strict=True)
        ):
            if a.shape[1] != b.shape[0]:
                _fail(
                    "kernels",
                    "kernels that chain (units_out of each = units_in of the next); "
                    f"kernels[{i}] has shape {a.shape}, kernels[{i + 1}] {b.shape}",
                    "<kernels>",
                )
        if layer_names is None:
            layer_names = [f"layer {i + 1}" for i in range(len(self.kernels))]
        layer_names = [str(name) for name in layer_names]
        if len(layer_names) != len(self.kernels):
            _fail(
                "layer_names", f"{len(self.kernels)} names, one per kernel", layer_names
            )
        self.layer_names = ["input", *layer_names]
        self.max_units = check_int("max_units", max_units, minimum=1)
        self.epoch = None if epoch is None else int(epoch)

        n_finite = sum(int(np.isfinite(k).sum()) for k in self.kernels)
        self.n_weights = sum(k.size for k in self.kernels)
        if n_finite < self.n_weights:
            warn_left_out(f"{self.n_weights - n_finite} weights", "the network")
        self.n_zero = sum(int((k == 0.0).sum()) for k in self.kernels)

        magnitudes = [
            np.nan_to_num(np.abs(k), nan=0.0, posinf=0.0) for k in self.kernels
        ]
        sizes = [self.kernels[0].shape[0], *(k.shape[1] for k in self.kernels)]
        self.layer_sizes = sizes
        self.units = []
        for column, size in enumerate(sizes):
            importance = np.zeros(size)
            if column > 0:
                importance += magnitudes[column - 1].sum(axis=0)
            if column < len(self.kernels):
                importance += magnitudes[column].sum(axis=1)
            keep = np.argsort(-importance, kind="stable")[: self.max_units]
            self.units.append(np.sort(keep))

        edges = []
        weights = []
        for index, kernel in enumerate(self.kernels):
            rows, cols = self.units[index], self.units[index + 1]
            block = kernel[np.ix_(rows, cols)]
            i, j = np.nonzero((block != 0.0) & np.isfinite(block))
            edges.append(np.stack([np.full(i.size, index), rows[i], cols[j]], axis=1))
            weights.append(block[i, j])
        edges_array = np.concatenate(edges).astype(np.intp)
        weights_array = np.concatenate(weights)
        order = np.argsort(np.abs(weights_array), kind="stable")
        self.edges = edges_array[order]
        self.edge_weights = weights_array[order]

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
            record: Which record, ``-1`` (the last) by default; ``0`` is the
                initial weights.
            keys: The kernels to draw, in order (paths, unique suffixes or
                positions). ``None`` takes every 2-D weight, in model order, which
                is the right chain for a ``Sequential`` stack of Dense layers.
            max_units: The most nodes drawn per layer.
            ax: Axes to draw on; ``None`` creates a figure.
            **kwargs: Passed to :meth:`plot` (and from it to the edges'
                ``LineCollection``).

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``history`` is not a ``WeightHistory``.
            ValueError: If the history has no 2-D kernel, the kernels do not
                chain, or ``record`` is out of range.
            KeyError: If a key names no recorded weight.

        Examples:
            >>> from kreg.history import WeightHistory
            >>> h = WeightHistory.from_arrays(
            ...     {"s/d1/kernel": np.ones((2, 3, 4)),
            ...      "s/d2/kernel": np.zeros((2, 4, 1))},
            ...     [0, 1],
            ... )
            >>> NetworkDisplay.from_history(h).n_zero
            4
        """
        check_history(history)
        if keys is None:
            chosen = [k for k in history.keys() if np.ndim(history.weights[k]) == 3]
            if not chosen:
                _fail(
                    "history",
                    "a history with at least one 2-D kernel (a Dense layer); "
                    f"its weights are {list(history.keys())}",
                    history,
                )
            arrays = [np.asarray(history.weights[k]) for k in chosen]
        else:
            pairs = [resolve_key(history, k) for k in check_names("keys", keys)]
            chosen = [full for full, _ in pairs]
            arrays = [array for _, array in pairs]
        epochs = _epochs_of(history, arrays[0].shape[0])
        index = check_record(record, arrays[0].shape[0])
        names = getattr(history, "layer_names", None) or {}
        layer_names = [
            names.get(k, k.split("/")[-2] if "/" in k else k) for k in chosen
        ]
        display = cls(
            [a[index] for a in arrays],
            layer_names=layer_names,
            max_units=max_units,
            epoch=int(epochs[index]),
        )
        return display.plot(ax=ax, **kwargs)

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
            kernels: Kernels of consecutive Dense layers (NumPy arrays, or Keras
                variables such as ``[layer.kernel for layer in model.layers]``).
            layer_names: One name per kernel.
            max_units: The most nodes drawn per layer.
            ax: Axes to draw on; ``None`` creates a figure.
            **kwargs: Passed to :meth:`plot`.

        Returns:
            The Display, drawn.

        Raises:
            TypeError: If ``kernels`` is not a list.
            ValueError: If a kernel is not 2-D or the kernels do not chain.

        Examples:
            >>> disp = NetworkDisplay.from_kernels([np.ones((3, 2))])
            >>> [u.tolist() for u in disp.units]
            [[0, 1, 2], [0, 1]]
        """
        display = cls(kernels, layer_names=layer_names, max_units=max_units)
        return display.plot(ax=ax, **kwargs)

    def _positions(self) -> list[np.ndarray]:
        widest = max(len(u) for u in self.units)
        columns = []
        for units in self.units:
            n = len(units)
            half = 0.0 if widest == 1 else (n - 1) / (widest - 1)
            y = np.linspace(half, -half, n) if n > 1 else np.zeros(1)
            columns.append(y)
        return columns

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
        **kwargs: Any,
    ) -> NetworkDisplay:
        """Draw the nodes and edges.

        Edge ``e`` has width ``min_width + (max_width - min_width) * |w_e| / m``
        points, where ``m`` is the largest ``|w|`` drawn (in the whole network, or
        in the edge's own layer with ``width_scale="layer"``), and the colour of
        ``|w_e|`` in ``cmap``, from 0 to the largest ``|w|`` drawn.

        Args:
            ax: Axes to draw on; ``None`` creates a figure.
            cmap: Colour map of ``|w|``.
            max_width: Width of the largest edge, in points.
            min_width: Width of an edge with ``|w|`` near 0, in points.
            node_size: Marker area of the nodes; ``None`` picks one from the
                number of nodes.
            colorbar: Add a colour bar of ``|w|``.
            width_scale: ``"network"`` (one scale for all edges) or ``"layer"``
                (each layer's largest ``|w|`` gets ``max_width``: useful when the
                layers' weights differ in size, as they do with the usual
                initializations, whose scale falls with the number of inputs).
            **kwargs: Passed to the edges' ``LineCollection``.

        Returns:
            ``self``, with the attributes listed in the class docstring.

        Raises:
            TypeError: If ``ax`` is not an ``Axes``.
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

        segments = np.array(
            [
                [(c, height(c, i)), (c + 1.0, height(c + 1, j))]
                for c, i, j in self.edges
            ],
            dtype=np.float64,
        ).reshape(-1, 2, 2)
        magnitude = np.abs(self.edge_weights)
        top = float(magnitude.max()) if magnitude.size else 1.0
        if width_scale == "layer":
            scale = np.ones_like(magnitude)
            for index in np.unique(self.edges[:, 0]):
                mask = self.edges[:, 0] == index
                scale[mask] = magnitude[mask].max()
        else:
            scale = np.full_like(magnitude, top)
        widths = min_width + (max_width - min_width) * magnitude / scale
        options = {"cmap": cmap, "norm": Normalize(0.0, top), "zorder": 1, **kwargs}
        self.edges_ = LineCollection(segments, linewidths=widths, **options)
        self.edges_.set_array(magnitude)
        ax.add_collection(self.edges_)

        last = len(columns) - 1
        xs = np.concatenate([np.full(len(y), float(c)) for c, y in enumerate(columns)])
        ys = np.concatenate(columns)
        roles = np.concatenate(
            [
                np.full(
                    len(y),
                    "tab:gray" if c == 0 else "tab:red" if c == last else "tab:blue",
                )
                for c, y in enumerate(columns)
            ]
        )
        if node_size is None:
            node_size = float(np.clip(2000.0 / max(len(y) for y in columns), 20, 300))
        self.nodes_ = ax.scatter(
            xs,
            ys,
            s=node_size,
            c=list(roles),
            edgecolors="black",
            linewidths=0.5,
            zorder=2,
        )
        for c, (name, size, units) in enumerate(
            zip(self.layer_names, self.layer_sizes, self.units, strict=True)
        ):
            shown = f"{len(units)} of {size}" if len(units) < size else f"{size}"
            shown += " unit" if size == 1 else " units"
            ax.text(
                c,
                -1.12,
                f"{name}\n{shown}",
                ha="center",
                va="top",
                fontsize="small",
            )
        ax.set_xlim(-0.4, last + 0.4)
        ax.set_ylim(-1.45, 1.1)
        ax.set_axis_off()

        lines = [
            "Network" + (f" at epoch {self.epoch}" if self.epoch is not None else "")
        ]
        lines.append(
            f"{self.n_zero:,} of {self.n_weights:,} weights exactly 0 "
            "(removed connections, not drawn)"
        )
        if any(len(u) < s for u, s in zip(self.units, self.layer_sizes, strict=True)):
            lines.append(
                f"showing at most {self.max_units} units per layer: "
                "those with the largest |w|"
            )
        ax.set_title("\n".join(lines), fontsize="medium")
        self.colorbar_ = (
            fig.colorbar(self.edges_, ax=ax, label="|w|", shrink=0.8)
            if colorbar
            else None
        )
        self.ax_ = ax
        self.figure_ = fig
        return self


# ================================================================================
# Shortcuts
# ================================================================================


def plot_weight_distribution(
    histories: Any,
    key: str | int = 0,
    *,
    record: int = -1,
    ax: Axes | None = None,
    **kwargs: Any,
) -> WeightDistributionDisplay:
    """Plot the distribution of one weight for several histories at one record.

    Shortcut for :meth:`WeightDistributionDisplay.from_histories`, which takes
    the same arguments: density (Gaussian KDE, Scott's bandwidth) and histogram
    overlaid, box plots below, min and max written out.

    Returns:
        The drawn :class:`WeightDistributionDisplay`.

    Examples:
        >>> from kreg.history import WeightHistory
        >>> rng = np.random.default_rng(0)
        >>> runs = {
        ...     name: WeightHistory.from_arrays(
        ...         {"d/kernel": rng.normal(0, s, (2, 2, 64))}, [0, 5]
        ...     )
        ...     for name, s in [("without L2", 1.0), ("with L2", 0.2)]
        ... }
        >>> disp = plot_weight_distribution(runs)
        >>> len(disp.lines_), len(disp.boxes_["boxes"])
        (2, 2)
    """
    return WeightDistributionDisplay.from_histories(
        histories, key, record=record, ax=ax, **kwargs
    )


def plot_weight_evolution(
    history: WeightHistory,
    key: str | int = 0,
    *,
    ax: Axes | None = None,
    **kwargs: Any,
) -> WeightEvolutionDisplay:
    """Plot percentile bands and norms of one weight over the epochs.

    Shortcut for :meth:`WeightEvolutionDisplay.from_history` (same arguments).

    Returns:
        The drawn :class:`WeightEvolutionDisplay`.

    Examples:
        >>> from kreg.history import WeightHistory
        >>> h = WeightHistory.from_arrays({"d/kernel": np.ones((3, 2, 2))}, [0, 1, 2])
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

    Shortcut for :meth:`WeightBarsDisplay.from_history`, which takes the same
    arguments: by default the 10 weights largest in ``|w|`` at the first record.

    Returns:
        The drawn :class:`WeightBarsDisplay`.

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

    Shortcut for :meth:`NetworkDisplay.from_history` when ``weights`` is a
    ``WeightHistory`` (``record`` is its record) or
    :meth:`NetworkDisplay.from_kernels` when it is a list of 2-D kernels (a
    ``TypeError`` otherwise); the other arguments are theirs.

    Returns:
        The drawn :class:`NetworkDisplay`.

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
