"""Tests of kreg.plots' figures of a WeightHistory (Agg backend)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.axes import Axes  # noqa: E402
from matplotlib.collections import (  # noqa: E402
    LineCollection,
    PathCollection,
    PolyCollection,
)
from matplotlib.container import BarContainer  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402
from scipy import stats  # noqa: E402

from kreg import plots  # noqa: E402
from kreg.history import WeightHistory  # noqa: E402
from kreg.plots import _common  # noqa: E402

EPOCHS = [0, 5, 10, 15]


def _history(scale: float = 1.0, prefix: str = "sequential", seed: int = 0):
    """A 2-16-8-1 model's kernels and biases over 4 records, shrinking by `scale`."""
    rng = np.random.default_rng(seed)
    shrink = np.array([1.0, 0.8, 0.6, 0.5])[:, None, None] ** scale
    weights = {
        f"{prefix}/dense/kernel": rng.normal(0, 1.0, (1, 2, 16)) * shrink,
        f"{prefix}/dense/bias": np.zeros((4, 16)),
        f"{prefix}/dense_1/kernel": rng.normal(0, 0.3, (1, 16, 8)) * shrink,
        f"{prefix}/dense_2/kernel": rng.normal(0, 0.3, (1, 8, 1)) * shrink,
    }
    return WeightHistory.from_arrays(weights, EPOCHS)


@pytest.fixture
def runs():
    return {"without L2": _history(0.2), "with L2": _history(3.0, "sequential_1")}


# -------------------------------------------------------------------------------
# Import without matplotlib
# -------------------------------------------------------------------------------


def test_import_does_not_need_matplotlib():
    # Keras itself imports matplotlib.pyplot when it can, so block matplotlib: the
    # import must still work (nothing in kreg imports it at module level) and
    # drawing must then fail with a clear message.
    code = textwrap.dedent(
        """
        import sys
        sys.modules["matplotlib"] = None
        import kreg.plots
        loaded = [n for n, m in sys.modules.items() if "matplotlib" in n and m]
        assert loaded == [], loaded
        assert all(hasattr(kreg.plots, name) for name in kreg.plots.__all__)
        try:
            kreg.plots.WeightDistributionDisplay({"a": [1.0, 2.0, 3.0]}).plot()
        except ImportError as error:
            assert "kreg.plots needs matplotlib" in str(error), error
        else:
            raise AssertionError("no ImportError")
        print("OK")
        """
    )
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("OK")


def test_history_names_are_public():
    names = [
        "NetworkDisplay",
        "WeightBarsDisplay",
        "WeightDistributionDisplay",
        "WeightEvolutionDisplay",
        "plot_network",
        "plot_weight_bars",
        "plot_weight_distribution",
        "plot_weight_evolution",
    ]
    assert set(names) <= set(plots.__all__)
    assert all(callable(getattr(plots, name)) for name in names)


# -------------------------------------------------------------------------------
# Shared helpers
# -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        np.random.default_rng(1).normal(size=200),
        np.r_[np.random.default_rng(2).normal(-2, 0.3, 50), np.ones(7) * 3.0],
        np.array([0.25, -1.5]),
        np.random.default_rng(3).standard_t(3, size=1000) * 1e-3,
    ],
)
def test_gaussian_kde_matches_scipy(data):
    reference = stats.gaussian_kde(data)
    points = np.linspace(data.min() - 1, data.max() + 1, 301)
    np.testing.assert_allclose(
        _common.gaussian_kde(data, points), reference(points), rtol=0, atol=1e-10
    )
    assert _common.scott_bandwidth(data) == pytest.approx(
        np.sqrt(reference.covariance[0, 0]), rel=1e-12
    )


def test_gaussian_kde_bandwidth_chunks_and_area(monkeypatch):
    data = np.random.default_rng(4).normal(size=300)
    points = np.linspace(-6, 6, 2001).reshape(3, 667)  # any shape
    h = 0.2
    reference = stats.gaussian_kde(data, bw_method=h / np.std(data, ddof=1))
    whole = _common.gaussian_kde(data, points, bandwidth=h)
    assert whole.shape == points.shape
    np.testing.assert_allclose(
        whole, reference(points.ravel()).reshape(3, 667), rtol=0, atol=1e-10
    )
    monkeypatch.setattr(_common, "_KDE_CHUNK", 500)  # 1 point per chunk
    np.testing.assert_array_equal(
        _common.gaussian_kde(data, points, bandwidth=h), whole
    )
    assert np.trapezoid(whole.ravel(), points.ravel()) == pytest.approx(1.0, abs=1e-6)


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "match"),
    [
        ([1.0], {}, ValueError, "at least 2 values"),
        ([1.0, np.nan, 2.0], {}, ValueError, "finite"),
        ([0.5, 0.5, 0.5], {}, ValueError, "bandwidth="),
        ([0.0, 1.0], {"bandwidth": 0.0}, ValueError, "`bandwidth`"),
        ([0.0, 1.0], {"bandwidth": True}, TypeError, "`bandwidth`"),
    ],
)
def test_gaussian_kde_bad_input(data, kwargs, error, match):
    with pytest.raises(error, match=match):
        _common.gaussian_kde(data, [0.0], **kwargs)


def test_variant_colors():
    colors = _common.variant_colors(
        ["without L2", "with L2", "L1 (lam=0.1)", "l1l2", "mystery", "L2 lam=1"]
    )
    assert colors["without L2"] == "tab:blue"
    assert colors["with L2"] == "tab:green"
    assert colors["L1 (lam=0.1)"] == "tab:orange"
    assert colors["l1l2"] == "tab:purple"
    assert len(set(colors.values())) == 6  # a second L2 gets its own colour
    many = _common.variant_colors([f"v{i}" for i in range(12)])
    assert len(set(many.values())) == 10  # cycles once the palette is used up


def test_append_axes_and_check_ax():
    fig, ax = plt.subplots()
    below = _common.append_axes(ax, "bottom", size=0.3)
    assert below.figure is fig and below.get_shared_x_axes().joined(ax, below)
    assert below.get_position().y1 <= ax.get_position().y0
    free = fig.add_axes((0.1, 0.1, 0.8, 0.8))  # no subplot spec
    right = _common.append_axes(free, "right", size=0.25, share=False)
    assert right.get_position().x0 >= free.get_position().x1
    with pytest.raises(TypeError, match="`ax`"):
        _common.figure_ax("not an axes")
    with pytest.raises(ValueError, match="`position`"):
        _common.append_axes(ax, "middle")


def test_resolve_key_and_check_record():
    history = _history()
    assert _common.resolve_key(history, 0)[0] == "sequential/dense/kernel"
    assert _common.resolve_key(history, -1)[0] == "sequential/dense_2/kernel"
    key, values = _common.resolve_key(history, "dense_1/kernel")
    assert key == "sequential/dense_1/kernel"
    np.testing.assert_array_equal(values, history.weights[key])
    with pytest.raises(KeyError, match="sequential/dense/kernel"):  # lists keys
        _common.resolve_key(history, "conv/kernel")
    with pytest.raises(ValueError, match="`key`.*4 weights"):
        _common.resolve_key(history, 4)
    with pytest.raises(TypeError, match="`key`"):
        _common.resolve_key(history, 1.0)
    assert _common.check_record(-1, 4) == 3
    assert _common.check_record(0, 4) == 0
    with pytest.raises(ValueError, match=r"\[-4, 4\).*Received: record=4"):
        _common.check_record(4, 4)
    with pytest.raises(TypeError, match="`record`"):
        _common.check_record(1.0, 4)


def test_running_median_and_robust_ylim():
    np.testing.assert_array_equal(
        _common.running_median([1.0, 5.0, 1.0, np.nan, 1.0, 3.0], 3),
        [1.0, 1.0, 3.0, 1.0, 2.0, 3.0],  # ends repeated, NaN left out
    )
    assert _common.running_median([], 5).size == 0
    curve = np.r_[np.linspace(1.0, 0.2, 50), np.full(50, 0.2)]
    spiked = curve.copy()
    spiked[70] = 7.0
    low, high = _common.robust_ylim([spiked, curve])
    assert high < 2.0 and low <= 0.2 and high >= 1.0  # the start is kept
    # A curve without a spike: the usual 5% margins.
    assert _common.robust_ylim([curve]) == pytest.approx((0.16, 1.04))
    # Non-finite values are left out; none finite: None; a constant: a small range.
    assert _common.robust_ylim([[np.nan, np.inf, 0.5, 0.5]]) == pytest.approx(
        (0.495, 0.505)  # 5% of a tenth
    )
    assert _common.robust_ylim([[np.nan]]) is None
    assert _common.robust_ylim([[0.0, -1.0]], log=True) is None
    with pytest.raises(ValueError, match="argument `quantile`"):
        _common.robust_ylim([curve], quantile=0.0)


def test_annotate_min_max():
    fig, ax = plt.subplots()
    values = np.array([0.5, -2.25, 1.75, np.nan])
    low, high = _common.annotate_min_max(ax, values, at=2.0)
    assert (low.get_text(), low.xy) == ("min -2.25", (-2.25, 2.0))
    assert (high.get_text(), high.xy) == ("max 1.75", (1.75, 2.0))
    low, high = _common.annotate_min_max(ax, values, orientation="vertical")
    assert low.xy == (0.0, -2.25) and high.xy == (0.0, 1.75)
    with pytest.raises(ValueError, match="finite"):
        _common.annotate_min_max(ax, [np.nan])


# -------------------------------------------------------------------------------
# 1. Weight distribution
# -------------------------------------------------------------------------------


def test_distribution_artists_and_data(runs):
    fig, ax = plt.subplots()
    disp = plots.plot_weight_distribution(runs, ax=ax, linewidth=3)
    assert isinstance(disp, plots.WeightDistributionDisplay)
    assert disp.ax_ is ax and disp.figure_ is fig
    assert isinstance(disp.box_ax_, Axes) and disp.box_ax_.figure is fig
    assert list(disp.lines_) == list(runs)
    assert len(ax.get_lines()) == len(runs)
    for label, history in runs.items():
        values = history.weights[history.keys()[0]][-1].ravel()
        line = disp.lines_[label]
        assert isinstance(line, Line2D) and line.get_linewidth() == 3
        np.testing.assert_array_equal(line.get_xdata(), disp.grid_)
        np.testing.assert_allclose(
            line.get_ydata(), stats.gaussian_kde(values)(disp.grid_), atol=1e-10
        )
        (patch,) = disp.patches_[label]  # one filled step outline per history
        assert isinstance(patch, Polygon)
        edges = np.histogram_bin_edges(
            np.concatenate([h.weights[h.keys()[0]][-1].ravel() for h in runs.values()]),
            "auto",
        )
        heights, _ = np.histogram(values, edges, density=True)
        top = patch.get_xy()[:, 1]
        assert all(np.isclose(top, height).any() for height in heights)
        assert disp.extremes_[label] == (values.min(), values.max())
        low, high = disp.annotations_[label]
        assert low.xy[0] == values.min() and high.xy[0] == values.max()
        assert low.get_text() == f"min {values.min():.3g}"
        assert high.get_text() == f"max {values.max():.3g}"
    assert disp.colors_ == {"without L2": "tab:blue", "with L2": "tab:green"}
    boxes = disp.boxes_
    assert len(boxes["boxes"]) == len(runs) == len(boxes["medians"])
    whisker_ends = np.concatenate([w.get_xdata() for w in boxes["whiskers"]])
    for low_value, high_value in disp.extremes_.values():
        assert np.isclose(whisker_ends, low_value).any()
        assert np.isclose(whisker_ends, high_value).any()
    assert [t.get_text() for t in disp.box_ax_.get_yticklabels()] == list(runs)
    assert ax.get_title() == "kernel of dense at epoch 15"


def test_distribution_new_figure_record_and_key(runs):
    disp = plots.WeightDistributionDisplay.from_histories(
        list(runs.values()), key="dense_1/kernel", record=0, hist=False
    )
    assert len(disp.figure_.axes) == 2 and disp.box_ax_ in disp.figure_.axes
    assert list(disp.lines_) == ["history 1", "history 2"]
    assert disp.ax_.get_title() == "kernel of dense_1 at epoch 0"
    assert disp.patches_ == {}
    first = runs["with L2"].weights["sequential_1/dense_1/kernel"][0].ravel()
    np.testing.assert_array_equal(disp.values["history 2"], first)
    assert disp.epochs == {"history 1": 0, "history 2": 0}
    # One history, no box plots: the min and max go on the density axes.
    one = plots.WeightDistributionDisplay.from_history(runs["with L2"], 3, box=False)
    assert one.box_ax_ is None and one.boxes_ is None
    (label,) = one.lines_
    assert label == "sequential_1/dense_2/kernel"
    low, high = one.annotations_[label]
    assert low.axes is one.ax_ and low.xy == (one.extremes_[label][0], 0.0)


def test_distribution_replot_on_given_axes(runs):
    disp = plots.plot_weight_distribution(runs)
    fig, (ax, box_ax) = plt.subplots(1, 2)
    again = disp.plot(ax=ax, box_ax=box_ax, kde=False)
    assert again is disp and disp.ax_ is ax and disp.box_ax_ is box_ax
    assert disp.lines_ == {} and len(disp.patches_) == len(runs)
    assert ax.get_legend() is not None


def test_distribution_degenerate_and_nonfinite_values():
    values = {"zeros": np.zeros(10), "spread": np.arange(1.0, 11.0)}
    # All exactly 0: a stem of the full height, no density (and no warning).
    disp = plots.WeightDistributionDisplay(values).plot()
    assert list(disp.lines_) == ["spread"] and list(disp.zero_stems_) == ["zeros"]
    assert disp.zero_stems_["zeros"].get_ydata().tolist() == [0.0, 1.0]
    assert disp.extremes_["zeros"] == (0.0, 0.0)
    with pytest.warns(UserWarning, match="No density curve for 'zeros'"):
        disp = plots.WeightDistributionDisplay(values).plot(zeros=False)
    assert list(disp.lines_) == ["spread"] and disp.zero_stems_ == {}
    with pytest.warns(UserWarning, match="1 of 4 values are NaN"):
        disp = plots.WeightDistributionDisplay({"x": [1.0, np.inf, 2.0, 4.0]}).plot()
    assert disp.extremes_["x"] == (1.0, 4.0)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda r: plots.plot_weight_distribution({}), ValueError, "at least one"),
        (lambda r: plots.plot_weight_distribution([]), ValueError, "at least one"),
        (lambda r: plots.plot_weight_distribution(r, "conv/kernel"), KeyError, "conv"),
        (lambda r: plots.plot_weight_distribution(r, 9), ValueError, "`key`"),
        (lambda r: plots.plot_weight_distribution(r, record=4), ValueError, "record"),
        (lambda r: plots.plot_weight_distribution(r, record=-5), ValueError, "record"),
        (lambda r: plots.plot_weight_distribution({"a": 3}), TypeError, "histories"),
        (lambda r: plots.plot_weight_distribution("abc"), TypeError, "histories"),
        (lambda r: plots.plot_weight_distribution(r, ax=1), TypeError, "`ax`"),
        (
            lambda r: plots.plot_weight_distribution(
                r, box=False, box_ax=plt.subplots()[1]
            ),
            ValueError,
            "`box_ax`",
        ),
        (
            lambda r: plots.plot_weight_distribution(
                {"empty": WeightHistory.from_arrays({"k": np.zeros((0, 2))}, [])}
            ),
            ValueError,
            "at least one record",
        ),
    ],
)
@pytest.mark.filterwarnings("ignore:Weights of")
def test_distribution_bad_arguments(runs, call, error, match):
    with pytest.raises(error, match=match):
        call(runs)


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Weights of:UserWarning")
def _polygon_area(polygon):
    """The area of a filled histogram (a ``Polygon``), by the shoelace formula."""
    x, y = polygon.get_xy().T
    return 0.5 * abs(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1)))


def test_distribution_shows_exact_zeros_as_a_counted_stem():
    rng = np.random.default_rng(3)
    sparse = np.zeros(200)
    sparse[:10] = rng.normal(0.0, 1.0, size=10)  # 190 of 200 exactly 0, as L1's
    dense = rng.normal(0.0, 0.3, size=200)
    disp = plots.WeightDistributionDisplay({"l1": sparse, "l2": dense}).plot()
    assert disp.zero_counts_ == {"l1": 190, "l2": 0}
    # The stem: at 0, as tall as the share exactly 0 (of the axes' height).
    assert list(disp.zero_stems_) == ["l1"]
    stem = disp.zero_stems_["l1"]
    assert stem.get_xdata().tolist() == [0.0, 0.0]
    assert stem.get_ydata().tolist() == [0.0, pytest.approx(0.95)]
    assert stem.get_transform() == disp.ax_.get_xaxis_transform()
    text = disp.zero_texts_["l1"].get_text()
    assert text == "l1: 190 of 200 exactly 0 (95.0%)"
    # The other weights: histogram and density of the area of their share.
    (l1_hist,) = disp.patches_["l1"]
    (l2_hist,) = disp.patches_["l2"]
    assert _polygon_area(l1_hist) == pytest.approx(0.05)
    assert _polygon_area(l2_hist) == pytest.approx(1.0)
    area = np.trapezoid(disp.densities_["l1"], disp.grid_)
    assert area == pytest.approx(0.05, rel=0.02)  # the grid cuts 3 bandwidths out
    assert np.trapezoid(disp.densities_["l2"], disp.grid_) == pytest.approx(
        1.0, rel=0.02
    )
    # The zeros are not smoothed in: the l1 density at 0 stays below the l2 one.
    at_zero = np.argmin(np.abs(disp.grid_))
    assert disp.densities_["l1"][at_zero] < disp.densities_["l2"][at_zero]
    # The legend, right of the axes, names the stem.
    labels = [t.get_text() for t in disp.legend_.get_texts()]
    assert labels[-1] == "l1: exactly 0 (stem)"
    disp.figure_.canvas.draw()
    assert disp.legend_.get_window_extent().x0 >= disp.ax_.get_window_extent().x1
    # zeros=False: the zeros are in the histogram and the density, unit area.
    mixed = plots.WeightDistributionDisplay({"l1": sparse}).plot(zeros=False)
    assert mixed.zero_stems_ == {} and mixed.zero_texts_ == {}
    assert _polygon_area(mixed.patches_["l1"][0]) == pytest.approx(1.0)


@pytest.mark.parametrize("box", [True, False])
def test_distribution_marks_labels_without_finite_values(box):
    values = {"ok": np.arange(10.0), "nan": [np.nan, np.inf], "inf": [np.inf]}
    disp = plots.WeightDistributionDisplay(values).plot(box=box)
    disp.figure_.canvas.draw()
    assert list(disp.lines_) == list(disp.extremes_) == ["ok"]
    assert list(disp.notes_) == ["nan", "inf"]
    notes = [(t.get_text(), t.axes, t.get_position()[1]) for t in disp.notes_.values()]
    if box:  # in the label's own row of box plots (rows 3, 2, 1 from the top)
        assert notes == [
            ("diverged: non-finite weights", disp.box_ax_, 2.0),
            ("diverged: non-finite weights", disp.box_ax_, 1.0),
        ]
        ticks = [t.get_text() for t in disp.box_ax_.get_yticklabels()]
        assert ticks == ["ok", "nan", "inf"] and len(disp.boxes_["boxes"]) == 1
    else:
        assert [(text, ax) for text, ax, _ in notes] == [
            ("nan: diverged: non-finite weights", disp.ax_),
            ("inf: diverged: non-finite weights", disp.ax_),
        ]
    assert disp.ax_.get_xlim()[0] < 0.0 and disp.ax_.get_xlim()[1] > 9.0


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Weights of:UserWarning")
def test_distribution_of_nothing_finite_still_draws():
    disp = plots.WeightDistributionDisplay({"a": [np.nan], "b": [np.inf]}).plot()
    disp.figure_.canvas.draw()
    assert disp.lines_ == disp.patches_ == disp.extremes_ == {}
    assert disp.boxes_ is None and list(disp.notes_) == ["a", "b"]
    assert disp.ax_.get_legend() is None
    assert np.isfinite([*disp.ax_.get_xlim(), *disp.box_ax_.get_ylim()]).all()


def test_divergence_finds_the_first_non_finite_epoch():
    curves = {
        "train_loss": [[0.7, 0.6, 0.5, 0.4], [0.7, 0.6, np.inf, np.nan]],  # 2 seeds
        "penalty": [0.1, 0.1, 0.1, np.nan],
        "val_loss": [np.nan] * 4,  # no validation data: not a divergence
    }
    assert _common.divergence(curves, [10, 20, 30, 40]) == "diverged at epoch 30"
    assert _common.divergence({"val_loss": [np.nan]}) is None
    finite = {"train_loss": [0.7, 0.5]}
    groups = {"weights": [np.ones(3)], "predictions": [[0.5, np.nan]]}
    assert _common.divergence(finite, **groups) == "diverged: non-finite predictions"
    groups["weights"].append([np.inf])
    assert _common.divergence(finite, **groups) == "diverged: non-finite weights"


# -------------------------------------------------------------------------------
# 2. Evolution over epochs
# -------------------------------------------------------------------------------


def test_evolution_bands_median_and_norms():
    history = _history(2.0)
    fig, (ax, norm_ax) = plt.subplots(2, 1)
    disp = plots.plot_weight_evolution(
        history, "dense_1/kernel", ax=ax, norm_ax=norm_ax, linestyle=":"
    )
    assert isinstance(disp, plots.WeightEvolutionDisplay)
    assert disp.ax_ is ax and disp.norm_ax_ is norm_ax and disp.figure_ is fig
    assert disp.norm_twin_ax_.figure is fig
    values = history["dense_1/kernel"].reshape(4, -1)
    expected = np.percentile(values, [5, 25, 50, 75, 95], axis=1)
    epochs = np.asarray(EPOCHS, dtype=float)
    for name, (low, high) in {"5-95": (0, 4), "25-75": (1, 3)}.items():
        band = disp.bands_[name]
        assert isinstance(band, PolyCollection)
        vertices = band.get_paths()[0].vertices
        for x, lo, hi in zip(epochs, expected[low], expected[high], strict=True):
            at_x = vertices[np.isclose(vertices[:, 0], x), 1]
            assert np.isclose(at_x, lo).any() and np.isclose(at_x, hi).any()
    assert isinstance(disp.line_, Line2D) and disp.line_.get_linestyle() == ":"
    np.testing.assert_allclose(disp.line_.get_ydata(), expected[2])
    np.testing.assert_array_equal(disp.line_.get_xdata(), EPOCHS)
    np.testing.assert_allclose(
        disp.norm_lines_["l1"].get_ydata(), np.abs(values).sum(axis=1)
    )
    np.testing.assert_allclose(
        disp.norm_lines_["l2"].get_ydata(), np.linalg.norm(values, axis=1)
    )
    assert disp.norm_lines_["l2"].axes is disp.norm_twin_ax_
    assert len(ax.collections) == 2 and len(ax.get_lines()) == 1
    assert (
        disp.norm_lines_["l1"].get_ydata()[-1] < disp.norm_lines_["l1"].get_ydata()[0]
    )


def test_evolution_layouts_and_errors():
    history = _history()
    disp = plots.plot_weight_evolution(history)
    assert len(disp.figure_.axes) == 3  # bands, norms and the twin of the norms
    fig, ax = plt.subplots()
    disp = plots.plot_weight_evolution(history, 0, ax=ax)  # norms below, carved out
    assert disp.ax_ is ax and disp.norm_ax_.figure is fig
    assert disp.norm_ax_.get_position().y1 <= ax.get_position().y0
    disp = plots.plot_weight_evolution(history, ax=plt.subplots()[1], norms=False)
    assert disp.norm_ax_ is None and disp.norm_lines_ == {}
    with pytest.raises(KeyError, match="Recorded keys"):
        plots.plot_weight_evolution(history, "nope")
    with pytest.raises(ValueError, match="`norm_ax`"):
        plots.plot_weight_evolution(history, norms=False, norm_ax=ax)
    with pytest.raises(ValueError, match="`percentiles`"):
        plots.WeightEvolutionDisplay([0, 1], {50: [0, 0]}, [1, 1], [1, 1])
    nan = WeightHistory.from_arrays(
        {"k": np.array([[1.0, np.nan], [2.0, 3.0]])}, [0, 1]
    )
    with pytest.warns(UserWarning, match="NaN or infinite"):
        disp = plots.plot_weight_evolution(nan)
    np.testing.assert_allclose(disp.l1_norms, [1.0, 5.0])


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_evolution_of_a_diverged_record():
    w = np.array([[[1.0, -1.0]], [[3.0, np.inf]], [[np.nan, np.nan]]])
    history = WeightHistory.from_arrays({"d/kernel": w}, [0, 1, 2])
    with pytest.warns(UserWarning, match="3 recorded values are NaN or infinite"):
        disp = plots.plot_weight_evolution(history)
    disp.figure_.canvas.draw()
    np.testing.assert_array_equal(disp.percentiles[50], [0.0, 3.0, np.nan])
    np.testing.assert_array_equal(disp.l1_norms, [2.0, 3.0, np.nan])
    np.testing.assert_array_equal(disp.l2_norms, [np.sqrt(2.0), 3.0, np.nan])
    for ax in disp.figure_.axes:
        assert np.isfinite([*ax.get_xlim(), *ax.get_ylim()]).all()


# -------------------------------------------------------------------------------
# 3. Before/after bars
# -------------------------------------------------------------------------------


def test_bars_default_largest_weights():
    history = _history(2.0)
    fig, ax = plt.subplots()
    disp = plots.plot_weight_bars(history, "dense_1/kernel", ax=ax, alpha=0.5)
    assert isinstance(disp, plots.WeightBarsDisplay)
    assert disp.ax_ is ax and disp.figure_ is fig
    kernel = history["dense_1/kernel"]
    chosen = np.argsort(-np.abs(kernel[0].ravel()))[:10]
    assert len(disp.bars_) == 2
    for container, record in zip(disp.bars_, (0, -1), strict=True):
        assert isinstance(container, BarContainer) and len(container) == 10
        heights = [bar.get_height() for bar in container]
        np.testing.assert_array_equal(heights, kernel[record].ravel()[chosen])
        assert all(bar.get_alpha() == 0.5 for bar in container)
    magnitudes = np.abs([bar.get_height() for bar in disp.bars_[0]])
    assert np.all(np.diff(magnitudes) <= 0)  # largest first
    rows, cols = np.unravel_index(chosen, kernel.shape[1:])
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert labels == [f"[{r},{c}]" for r, c in zip(rows, cols, strict=True)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "epoch 0",
        "epoch 15",
    ]
    fig.canvas.draw()  # the legend is right of the bars, not over them
    assert ax.get_legend().get_window_extent().x0 >= ax.get_window_extent().x1


def test_bars_given_indices_records_and_zeros():
    w = np.zeros((3, 2, 3))
    w[0] = [[1.0, -2.0, 3.0], [0.5, 0.25, -4.0]]
    w[1] = w[0] / 2
    w[2] = [[0.5, 0.0, 1.0], [0.0, 0.1, -1.0]]
    history = WeightHistory.from_arrays({"m/d/kernel": w}, [0, 1, 2])
    disp = plots.WeightBarsDisplay.from_history(
        history, indices=[(0, 1), 3, (1, 2)], records=(1, 2)
    )
    assert disp.labels == ["[0,1]", "[1,0]", "[1,2]"]
    np.testing.assert_array_equal(
        [b.get_height() for b in disp.bars_[0]], [-1, 0.25, -2]
    )
    np.testing.assert_array_equal([b.get_height() for b in disp.bars_[1]], [0, 0, -1])
    assert len(disp.zero_labels_) == 2  # the two exact zeros after
    assert disp.epochs == (1, 2)
    k_big = plots.plot_weight_bars(history, k=100)
    assert len(k_big.bars_[0]) == 6  # capped at the weight's size


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"indices": [6]}, ValueError, r"\[0, 6\)"),
        ({"indices": [-1]}, ValueError, "`indices`"),
        ({"indices": [(2, 0)]}, ValueError, "inside the shape"),
        ({"indices": ["a"]}, TypeError, "`indices`"),
        ({"indices": []}, ValueError, "non-empty"),
        ({"k": 0}, ValueError, "`k`"),
        ({"records": (0, 5)}, ValueError, "`records`"),
        ({"records": 0}, TypeError, "`records`"),
        ({"key": "bias"}, KeyError, "bias"),
    ],
)
def test_bars_bad_arguments(kwargs, error, match):
    history = WeightHistory.from_arrays({"m/d/kernel": np.ones((2, 2, 3))}, [0, 1])
    with pytest.raises(error, match=match):
        plots.plot_weight_bars(history, **kwargs)


# -------------------------------------------------------------------------------
# 4. Network diagram
# -------------------------------------------------------------------------------


def test_network_edges_follow_the_weights():
    k1 = np.array([[1.0, 0.0, -3.0], [0.5, 2.0, 0.0]])
    k2 = np.array([[0.0], [-1.0], [4.0]])
    fig, ax = plt.subplots()
    disp = plots.plot_network([k1, k2], ax=ax, alpha=0.7)
    assert isinstance(disp, plots.NetworkDisplay)
    assert disp.ax_ is ax and disp.figure_ is fig
    assert isinstance(disp.edges_, LineCollection) and disp.edges_.get_alpha() == 0.7
    assert isinstance(disp.nodes_, PathCollection)
    assert len(disp.nodes_.get_offsets()) == 2 + 3 + 1
    assert disp.n_weights == 9 and disp.n_zero == 3
    segments = disp.edges_.get_segments()
    assert len(segments) == 6  # the 6 non-zero weights, nothing for the zeros
    kernels = [k1, k2]
    for (layer, i, j), w in zip(disp.edges, disp.edge_weights, strict=True):
        assert kernels[layer][i, j] == w != 0
    assert sorted(map(tuple, disp.edges.tolist())) == sorted(
        (layer, i, j)
        for layer, kernel in enumerate(kernels)
        for i, j in zip(*np.nonzero(kernel), strict=True)
    )
    # Positions: edge (0, 0, 1) would join input 0 to unit 1: it is not drawn.
    columns = disp._positions()
    removed = [[0.0, columns[0][0]], [1.0, columns[1][1]]]
    assert not any(np.allclose(s, removed) for s in segments)
    # Width and colour grow with |w|; the colour array is |w|.
    np.testing.assert_array_equal(disp.edges_.get_array(), np.abs(disp.edge_weights))
    widths = np.asarray(disp.edges_.get_linewidths())
    assert np.all(np.diff(widths) >= 0) and widths[-1] == pytest.approx(4.0)
    assert np.all(np.diff(np.abs(disp.edge_weights)) >= 0)
    assert "3 of 9 weights exactly 0" in ax.get_title()
    assert "showing at most" not in ax.get_title()
    assert disp.colorbar_ is not None


def test_network_colour_is_clipped_at_a_stated_percentile():
    rng = np.random.default_rng(2)
    k1 = rng.normal(0.0, 0.3, size=(4, 10))
    k2 = rng.normal(0.0, 0.3, size=(10, 1))
    k2[3, 0] = 50.0  # one large weight
    disp = plots.NetworkDisplay.from_kernels([k1, k2])
    magnitude = np.abs(disp.edge_weights)
    clip = np.percentile(magnitude, 95)
    assert disp.edges_.norm.vmin == 0.0
    assert disp.edges_.norm.vmax == pytest.approx(clip, rel=1e-9)
    assert clip < 2.0  # not set by the large weight
    assert disp.clip_ == pytest.approx(clip)
    share = np.mean(magnitude > clip)
    title = disp.ax_.get_title()
    assert f"colour clipped at |w| = {clip:.3g} ({share:.0%} of the edges" in title
    assert disp.colorbar_.extend == "max"
    # The widths are not clipped: the large weight's edge is the widest.
    widths = np.asarray(disp.edges_.get_linewidths())
    assert widths[np.argmax(magnitude)] == pytest.approx(4.0)
    assert np.sort(widths)[-2] < 1.0
    # Another percentile, or none.
    assert disp.plot(clip=50).edges_.norm.vmax == pytest.approx(np.median(magnitude))
    full = disp.plot(clip=None)
    assert full.edges_.norm.vmax == pytest.approx(50.0) and full.clip_ is None
    assert "clipped" not in full.ax_.get_title()
    assert full.colorbar_.extend == "neither"
    with pytest.raises(ValueError, match="argument `clip`"):
        disp.plot(clip=0)


def test_network_caps_wide_layers():
    rng = np.random.default_rng(5)
    k1 = rng.normal(size=(3, 40))
    k1[:, [7, 21, 33]] *= 10.0  # the three strongest hidden units
    k2 = rng.normal(size=(40, 2))
    disp = plots.NetworkDisplay.from_kernels(
        [k1, k2], layer_names=["hidden", "out"], max_units=3, colorbar=False
    )
    assert [u.tolist() for u in disp.units] == [[0, 1, 2], [7, 21, 33], [0, 1]]
    assert len(disp.nodes_.get_offsets()) == 3 + 3 + 2
    assert len(disp.edges_.get_segments()) == 3 * 3 + 3 * 2
    assert disp.colorbar_ is None
    title = disp.ax_.get_title()
    assert "showing at most 3 units per layer" in title and "0 of 200" in title
    texts = [t.get_text() for t in disp.ax_.texts]
    assert "hidden\n3 of 40 units" in texts and "out\n2 units" in texts
    layer = disp.plot(width_scale="layer")
    widths = np.asarray(layer.edges_.get_linewidths())
    for index in (0, 1):  # each layer's strongest edge gets the full width
        assert widths[layer.edges[:, 0] == index].max() == pytest.approx(4.0)


def test_network_from_history_skips_biases():
    history = _history()
    fig, ax = plt.subplots()
    disp = plots.plot_network(history, record=0, ax=ax, max_units=16)
    assert disp.ax_ is ax
    assert disp.layer_sizes == [2, 16, 8, 1]
    assert disp.layer_names == ["input", "dense", "dense_1", "dense_2"]
    assert disp.epoch == 0 and "epoch 0" in ax.get_title()
    expected = sum(
        int(np.count_nonzero(history[k][0]))
        for k in history.keys()
        if k.endswith("kernel")
    )
    assert len(disp.edges_.get_segments()) == expected
    only = plots.NetworkDisplay.from_history(history, keys=["dense_1/kernel"])
    assert only.layer_sizes == [16, 8]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: plots.plot_network([np.ones((2, 3)), np.ones((4, 1))]),
            ValueError,
            "chain",
        ),
        (lambda: plots.plot_network([np.ones(3)]), ValueError, r"kernels\[0\]"),
        (lambda: plots.plot_network([]), ValueError, "non-empty"),
        (
            lambda: plots.plot_network([np.ones((2, 2))], max_units=0),
            ValueError,
            "`max_units`",
        ),
        (
            lambda: plots.plot_network([np.ones((2, 2))], width_scale="x"),
            ValueError,
            "`width_scale`",
        ),
        (
            lambda: plots.NetworkDisplay([np.ones((2, 2))], layer_names=["a", "b"]),
            ValueError,
            "`layer_names`",
        ),
        (lambda: plots.plot_network(_history(), record=7), ValueError, "record"),
        (
            lambda: plots.plot_network(
                WeightHistory.from_arrays({"b/bias": np.ones((1, 3))}, [0])
            ),
            ValueError,
            "2-D kernel",
        ),
        (
            lambda: plots.NetworkDisplay.from_history(_history(), keys=["nope"]),
            KeyError,
            "nope",
        ),
    ],
)
def test_network_bad_arguments(call, error, match):
    with pytest.raises(error, match=match):
        call()


# -------------------------------------------------------------------------------
# With a real fit
# -------------------------------------------------------------------------------


def test_figures_of_a_recorded_fit():
    import keras

    import kreg

    keras.utils.set_random_seed(0)
    x = np.random.default_rng(0).normal(size=(32, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(
                6, activation="relu", kernel_regularizer=kreg.L2(1.0, 32)
            ),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile("adam", "binary_crossentropy")
    history = WeightHistory(include_bias=True)
    model.fit(x, y, epochs=2, batch_size=16, verbose=0, callbacks=[history])
    first = history.keys()[0]
    dist = plots.plot_weight_distribution({"L2": history}, record=0)
    np.testing.assert_array_equal(dist.values["L2"], history[first][0].ravel())
    evolution = plots.plot_weight_evolution(history)
    np.testing.assert_array_equal(evolution.line_.get_xdata(), [0, 1, 2])
    bars = plots.plot_weight_bars(history, k=4)
    np.testing.assert_array_equal(
        [b.get_height() for b in bars.bars_[1]],
        history[first][-1].ravel()[np.argsort(-np.abs(history[first][0].ravel()))[:4]],
    )
    network = plots.plot_network(history)
    assert network.layer_sizes == [2, 6, 1]  # biases left out
    np.testing.assert_array_equal(network.kernels[0], model.layers[0].kernel.numpy())
