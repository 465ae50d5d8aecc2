"""Tests of kreg.plots._sweep (the figures of a lambda sweep) and of the seed spread
in the comparison figures, on Agg.

Most tests draw a hand-made result with the fields of a SweepResult
(tests/fakes.py: known arrays; L1 paths are soft-thresholded weights, so some
are exactly 0), so that what is drawn can be compared with the arrays; the last
ones draw a real tiny kreg.sweep run.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from fakes import (  # noqa: E402
    SHAPES,
    assert_finite_limits,
    fake_comparison,
    fake_sweep,
    notes_by_axes,
    with_seeds,
)
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.contour import QuadContourSet  # noqa: E402

from kreg.plots._compare import (  # noqa: E402
    DecisionBoundaryDisplay,
    LossCurvesDisplay,
    MetricBarsDisplay,
    plot_decision_boundaries,
    plot_loss_curves,
    plot_metric_bars,
)
from kreg.plots._sweep import (  # noqa: E402
    RegularizationPathDisplay,
    SparsityDisplay,
    SweepBoundariesDisplay,
    SweepDisplay,
    ValidationCurveDisplay,
    lambda_positions,
    plot_regularization_path,
    plot_sparsity,
    plot_sweep,
    plot_sweep_boundaries,
    plot_validation_curve,
)


def band_limits(band, xs):
    """The lowest and highest y of a fill_between band at each x of ``xs``."""
    vertices = np.concatenate([p.vertices for p in band.get_paths()])
    low, high = [], []
    for x in xs:
        ys = vertices[np.isclose(vertices[:, 0], x, rtol=1e-12, atol=0), 1]
        low.append(ys.min())
        high.append(ys.max())
    return np.array(low), np.array(high)


# --------------------------------------------------------------------------------
# The lambda axis
# --------------------------------------------------------------------------------


def test_lambda_positions_put_zero_left_of_the_grid():
    lams = [0.0, 0.01, 0.1, 1.0, 10.0]
    positions, zero_x, step = lambda_positions(lams)
    assert step == pytest.approx(10.0)
    assert zero_x == pytest.approx(0.01 / 10**1.5)
    np.testing.assert_allclose(positions, [zero_x, 0.01, 0.1, 1.0, 10.0])
    # No zero: no zero position; only zero: drawn at 1.
    positions, zero_x, _ = lambda_positions([0.5, 2.0])
    assert zero_x is None and positions.tolist() == [0.5, 2.0]
    positions, zero_x, _ = lambda_positions([0.0])
    assert zero_x == 1.0 and positions.tolist() == [1.0]


@pytest.mark.parametrize(
    "lams", [[], [0.1, 0.01], [-1.0, 0.1], [0.0, float("nan")], [[0.1]], [0.1, 0.1]]
)
def test_lambda_positions_refuse_bad_grids(lams):
    with pytest.raises(ValueError, match="argument `lams`"):
        lambda_positions(lams)


def test_lambda_axis_is_log_with_a_zero_tick_and_a_break():
    result = fake_sweep()
    disp = plot_validation_curve(result)
    ax = disp.ax_
    assert ax.get_xscale() == "log"
    ticks = ax.get_xticks()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks[0] == pytest.approx(disp.zero_x_) and labels[0] == "0"
    assert "0.01" in labels and "1" in labels
    low, high = ax.get_xlim()
    assert low < disp.positions_.min() and disp.positions_.max() < high
    breaks = [line for line in ax.get_lines() if line.get_label() == "_break"]
    assert len(breaks) == 2  # bottom and top spine
    where = breaks[0].get_xdata()[0]
    assert disp.zero_x_ < where < result.lams[1]


@pytest.mark.parametrize(
    "lams, zero_tick",
    [([0.0], True), ([0.5], False), ([0.1, 0.2, 0.4], False), ([0.0, 3.0], True)],
)
def test_lambda_axis_edge_grids(lams, zero_tick):
    n = len(lams)
    disp = ValidationCurveDisplay(lams, np.arange(n), np.arange(n) + 1.0).plot()
    labels = [t.get_text() for t in disp.ax_.get_xticklabels()]
    assert (labels[:1] == ["0"]) == zero_tick
    assert len(labels) >= 1
    low, high = disp.ax_.get_xlim()
    assert low < disp.positions_.min() <= disp.positions_.max() < high
    if not zero_tick and n > 1:  # less than two decades: a tick at each lambda
        assert labels == [f"{lam:g}" for lam in lams]


# --------------------------------------------------------------------------------
# Regularization path
# --------------------------------------------------------------------------------


def test_path_lines_are_the_results_weights():
    result = fake_sweep(kind="l1")
    disp = plot_regularization_path(result, k=6)
    assert isinstance(disp, RegularizationPathDisplay)
    weights = result.paths["hidden_1/kernel"][0].reshape(len(result.lams), -1)
    largest = np.argsort(-np.abs(weights[0]), kind="stable")[:6]
    assert disp.indices_ == largest.tolist()
    assert len(disp.lines_) == 6
    for line, index in zip(disp.lines_, largest, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), disp.positions_)
        np.testing.assert_array_equal(line.get_ydata(), weights[:, index])
        assert line.axes is disp.ax_
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    row, col = np.unravel_index(largest[0], SHAPES["hidden_1/kernel"])
    assert labels[0] == f"w[{row}, {col}]"
    assert "hidden_1/kernel" in disp.ax_.get_title()


def test_l1_path_marks_the_exact_zeros():
    result = fake_sweep(kind="l1")
    disp = plot_regularization_path(result, k=8)
    values = np.stack([line.get_ydata() for line in disp.lines_], axis=1)
    np.testing.assert_array_equal(disp.n_zero_, (values == 0).sum(axis=1))
    assert disp.n_zero_[0] == 0 and disp.n_zero_[-1] == 8
    # Once 0, a weight stays 0 as lambda grows.
    zero = values == 0
    assert np.all(zero[1:] >= zero[:-1])
    assert isinstance(disp.zeros_, PathCollection)
    rows, _ = np.nonzero(zero)
    np.testing.assert_allclose(
        disp.zeros_.get_offsets(), np.column_stack([disp.positions_[rows], 0 * rows])
    )
    assert "8 of 8 exactly 0" in disp.ax_.get_title()
    assert disp.revived_ == [] and disp.revived_points_ is None  # a convex fake
    assert "again" not in disp.ax_.get_title()


def test_l1_path_counts_and_rings_the_weights_that_leave_zero_again():
    # A non-convex network: each lambda's model is trained on its own, so a
    # weight exactly 0 at one lambda can be non-zero at a larger one.
    lams = [0.0, 0.01, 0.1, 1.0, 10.0]
    values = np.column_stack(  # one weight per column, one lambda per row
        [
            [0.0, 1.0, 2.0, 1.0, 0.5],  # 0 at lam = 0 only: not "again"
            [0.5, 0.0, 1.5, 0.0, -0.7],  # leaves 0 twice: at 0.1 and at 10
            [0.4, 0.3, 0.0, 0.0, 0.0],  # 0 from 0.1 on: stays
            [0.3, 0.2, 0.1, 0.0, 0.0],
        ]
    )
    disp = RegularizationPathDisplay(lams, values, kind="l1").plot()
    assert disp.revived_ == [1]
    rings = disp.revived_points_.get_offsets()
    np.testing.assert_allclose(
        rings, [[disp.positions_[2], 1.5], [disp.positions_[4], -0.7]]
    )
    assert "1 of 4 exactly 0 at a λ, non-zero again at a larger one" in (
        disp.ax_.get_title()
    )
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert labels[-2:] == ["exactly 0", "non-zero again"]
    # Without marks: counted in the title, not ringed.
    bare = RegularizationPathDisplay(lams, values, kind="l1").plot(mark_zeros=False)
    assert bare.revived_ == [1] and bare.revived_points_ is None


def test_l2_path_shrinks_without_zeros():
    result = fake_sweep(kind="l2")
    disp = plot_regularization_path(result)
    assert disp.zeros_ is None and not disp.n_zero_.any()
    for line in disp.lines_:
        magnitude = np.abs(line.get_ydata())
        assert np.all(np.diff(magnitude) < 0)
    assert "(L2)" in disp.ax_.get_title()


def test_path_key_indices_and_seed():
    result = fake_sweep(seeds=(3, 7))
    disp = plot_regularization_path(result, "hidden_2/kernel", indices=[(0, 1), 5])
    weights = result.paths["hidden_2/kernel"][0].reshape(len(result.lams), -1)
    assert disp.indices_ == [1, 5]
    np.testing.assert_array_equal(disp.lines_[0].get_ydata(), weights[:, 1])
    disp = plot_regularization_path(result, -1, indices=[0], seed=7)
    assert disp.seed_ == 7
    np.testing.assert_array_equal(
        disp.lines_[0].get_ydata(), result.paths["output/kernel"][1][:, 0, 0]
    )
    disp = plot_regularization_path(result, "sequential/hidden_1/kernel", k=2)
    assert disp.key == "hidden_1/kernel"


def test_path_picks_the_largest_weights_at_a_given_lambda():
    result = fake_sweep(kind="l1")
    at = result.lams[5]
    disp = plot_regularization_path(result, k=3, at=at)
    weights = result.paths["hidden_1/kernel"][0].reshape(len(result.lams), -1)
    largest = np.argsort(-np.abs(weights[5]), kind="stable")[:3]
    assert disp.indices_ == largest.tolist()
    top = np.sort(np.abs(weights[5]))[-3:]
    np.testing.assert_array_equal(np.sort(np.abs(weights[5, largest])), top)
    np.testing.assert_array_equal(disp.lines_[0].get_ydata(), weights[:, largest[0]])


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"at": 0.5}, ValueError, "argument `at`"),
        ({"at": "best"}, TypeError, "argument `at`"),
        ({"key": "kernel"}, ValueError, "argument `key`"),
        ({"key": 3}, ValueError, "argument `key`"),
        ({"key": 1.5}, TypeError, "argument `key`"),
        ({"seed": 5}, ValueError, r"argument `seed`.*\[0\]"),
        ({"indices": [16]}, ValueError, "argument `indices`"),
        ({"indices": [(2, 0)]}, ValueError, "argument `indices`"),
        ({"k": 0}, ValueError, "argument `k`"),
        ({"colors": ["red"]}, ValueError, "argument `colors`"),
    ],
)
def test_path_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_regularization_path(fake_sweep(), **kwargs)


# --------------------------------------------------------------------------------
# Validation curve
# --------------------------------------------------------------------------------


def test_validation_curve_one_seed():
    result = fake_sweep()
    disp = plot_validation_curve(result)
    assert isinstance(disp, ValidationCurveDisplay)
    np.testing.assert_array_equal(
        disp.lines_["train"].get_ydata(), result.metrics["train_loss"][0]
    )
    np.testing.assert_array_equal(
        disp.lines_["val"].get_ydata(), result.metrics["val_loss"][0]
    )
    assert disp.bands_ == {}
    assert disp.best_lam_ == result.best_lam
    assert disp.best_index_ == result.best_index
    x_best = disp.positions_[result.best_index]
    assert disp.best_line_.get_xdata()[0] == pytest.approx(x_best)
    assert disp.best_point_.get_xdata()[0] == pytest.approx(x_best)
    assert disp.best_point_.get_ydata()[0] == pytest.approx(
        result.mean["val_loss"][result.best_index]
    )
    assert f"best λ = {result.best_lam:.3g}" in disp.ax_.get_title()


@pytest.mark.parametrize("draw", [plot_validation_curve, plot_sparsity])
def test_lambda_figures_put_their_legend_outside_the_data(draw):
    disp = draw(fake_sweep())
    legend = disp.ax_.get_legend()
    disp.figure_.canvas.draw()
    assert legend.get_window_extent().x0 >= disp.ax_.get_window_extent().x1


def test_validation_curve_several_seeds_draws_mean_and_std_bands():
    result = fake_sweep(seeds=(0, 1, 2))
    disp = plot_validation_curve(result)
    for part, key in (("train", "train_loss"), ("val", "val_loss")):
        np.testing.assert_allclose(disp.lines_[part].get_ydata(), result.mean[key])
        np.testing.assert_allclose(disp.std_[part], result.std[key])
        low, high = band_limits(disp.bands_[part], disp.positions_)
        np.testing.assert_allclose(low, result.mean[key] - result.std[key])
        np.testing.assert_allclose(high, result.mean[key] + result.std[key])
    assert "3 seeds" in disp.lines_["val"].get_label()


def test_validation_curve_accuracy_and_constructor():
    result = fake_sweep()
    disp = plot_validation_curve(result, metric="accuracy", logy=True)
    np.testing.assert_array_equal(
        disp.lines_["val"].get_ydata(), result.metrics["val_accuracy"][0]
    )
    assert disp.best_lam_ == result.best_lam  # the result's, by validation loss
    assert disp.ax_.get_yscale() == "log"
    # Without a best lambda: the smallest validation loss, the largest accuracy.
    lams = [0.0, 0.1, 1.0]
    assert ValidationCurveDisplay(lams, [1, 2, 3], [3, 1, 2]).best_lam == 0.1
    both = ValidationCurveDisplay(lams, [1, 2, 3], [0.5, 0.9, 0.7], metric="accuracy")
    assert both.best_lam == 0.1
    with pytest.raises(ValueError, match="argument `best_lam`"):
        ValidationCurveDisplay(lams, [1, 2, 3], [3, 1, 2], best_lam=0.5)
    with pytest.raises(ValueError, match="argument `metric`"):
        plot_validation_curve(result, metric="auc")
    with pytest.raises(ValueError, match="argument `train`"):
        ValidationCurveDisplay(lams, [1, 2], [1, 2, 3])


# --------------------------------------------------------------------------------
# Sparsity
# --------------------------------------------------------------------------------


def test_sparsity_is_the_results_zero_fraction():
    result = fake_sweep(kind="l1")
    disp = plot_sparsity(result)
    assert isinstance(disp, SparsityDisplay)
    np.testing.assert_array_equal(
        disp.lines_["exact"].get_ydata(), result.metrics["zero_fraction"][0]
    )
    np.testing.assert_array_equal(disp.lines_["exact"].get_xdata(), disp.positions_)
    assert list(disp.lines_) == ["exact"] and disp.bands_ == {}
    assert disp.ax_.get_ylim() == (-0.03, 1.03)
    assert disp.ax_.yaxis.get_major_formatter()(0.5) == "50%"
    last = result.metrics["zero_fraction"][0, -1]
    assert f"{last:.1%} exactly 0" in disp.ax_.get_title()


def test_sparsity_below_tolerance_and_seed_bands():
    result = fake_sweep(kind="l2", seeds=(0, 1))
    disp = plot_sparsity(result, tol=0.05)
    every = np.concatenate(
        [p.reshape(2, len(result.lams), -1) for p in result.paths.values()], axis=2
    )
    below = (np.abs(every) < 0.05).mean(axis=2)
    np.testing.assert_allclose(disp.lines_["below"].get_ydata(), below.mean(axis=0))
    np.testing.assert_allclose(
        disp.lines_["exact"].get_ydata(), result.mean["zero_fraction"]
    )
    low, high = band_limits(disp.bands_["below"], disp.positions_)
    np.testing.assert_allclose(low, below.mean(0) - below.std(0))
    np.testing.assert_allclose(high, below.mean(0) + below.std(0))
    assert "|w| < 0.05" in disp.lines_["below"].get_label()
    with pytest.raises(ValueError, match="argument `tol`"):
        plot_sparsity(result, tol=0)


# --------------------------------------------------------------------------------
# Decision boundaries across lambdas
# --------------------------------------------------------------------------------


def test_sweep_boundaries_small_multiples_share_one_scale():
    result = fake_sweep()
    disp = plot_sweep_boundaries(result)
    assert isinstance(disp, SweepBoundariesDisplay)
    assert isinstance(disp.boundaries_, DecisionBoundaryDisplay)
    assert list(disp.axes_) == result.lams.tolist()
    norms = {id(c.norm) for c in disp.contours_.values()}
    assert norms == {id(disp.boundaries_.norm_)}
    for i, lam in enumerate(result.lams):
        contour = disp.contours_[lam]
        assert isinstance(contour, QuadContourSet) and contour.filled
        name = disp.names[i]
        np.testing.assert_array_equal(
            disp.boundaries_.decision[name], result.decision[i]
        )
        np.testing.assert_array_equal(
            disp.boundaries_.train_points_[name].get_offsets(), result.data["x_train"]
        )
    # 9 panels in a 2 x 5 grid (one removed) and one colour bar.
    assert len(disp.figure_.axes) == 10
    assert disp.ax_.get_legend() is None  # the small panels: no legend, small points
    assert disp.boundaries_.train_points_[disp.names[0]].get_sizes().tolist() == [10.0]
    assert disp.best_ax_ is disp.axes_[result.best_lam]
    assert disp.best_ax_.spines["left"].get_linewidth() == 2.5
    assert disp.best_ax_.get_title().endswith("· best")
    first = disp.axes_[0.0]
    assert first.get_title().startswith("λ = 0 (val acc")
    # Labels only on the outer panels: left column and last panel of each column.
    assert first.get_ylabel() == "x2" and first.get_xlabel() == ""
    assert disp.axes_[result.lams[1]].get_ylabel() == ""
    assert disp.axes_[result.lams[4]].get_xlabel() == "x1"  # nothing below it


def test_sweep_boundaries_subset_axes_and_errors():
    result = fake_sweep()
    chosen = [result.lams[0], result.lams[-1]]
    fig, axes = plt.subplots(1, 2)
    disp = plot_sweep_boundaries(
        result, lams=chosen, ax=axes, colorbar=False, legend=True, point_size=4.0
    )
    assert list(disp.axes_) == chosen and list(disp.axes_.values()) == list(axes)
    assert disp.colorbar_ is None and disp.boundaries_.legend_ is not None
    assert disp.boundaries_.legend_.axes is axes[-1]  # right of the last panel
    assert disp.boundaries_.train_points_[disp.names[0]].get_sizes().tolist() == [4.0]
    fig, ax = plt.subplots()
    disp = plot_sweep_boundaries(result, ax=ax, ncols=3)
    assert disp.bounding_ax_ is ax and not ax.axison
    assert all(p.figure is fig for p in disp.axes_.values())
    with pytest.raises(ValueError, match="argument `lams`"):
        plot_sweep_boundaries(result, lams=[0.5])
    with pytest.raises(ValueError, match="without a grid"):
        plot_sweep_boundaries(fake_sweep(grid=False))
    with pytest.raises(ValueError, match="argument `decision`"):
        SweepBoundariesDisplay(
            result.grid["xx"], result.grid["yy"], [0.0], result.decision
        )


# --------------------------------------------------------------------------------
# The standard figure
# --------------------------------------------------------------------------------


def test_plot_sweep_holds_the_four_displays():
    result = fake_sweep(seeds=(0, 1))
    disp = plot_sweep(result, tol=1e-3)
    assert isinstance(disp, SweepDisplay)
    subs = (disp.path_, disp.validation_, disp.sparsity_, disp.boundaries_)
    for sub in subs:
        assert sub.ax_.figure is disp.figure_
    # 3 top panels, 9 boundary panels and their colour bar.
    assert len(disp.figure_.axes) == 13
    assert disp.validation_.best_lam_ == result.best_lam
    assert "below" in disp.sparsity_.lines_
    assert set(disp.validation_.bands_) == {"train", "val"}


def test_plot_sweep_without_grid_and_in_a_given_axes():
    disp = plot_sweep(fake_sweep(grid=False))
    assert disp.boundaries_ is None and len(disp.figure_.axes) == 3
    fig, (left, right) = plt.subplots(1, 2)
    disp = plot_sweep(fake_sweep(kind="l2"), ax=right)
    assert disp.bounding_ax_ is right and not right.axison and left.axison
    assert disp.figure_ is fig


# --------------------------------------------------------------------------------
# Diverged lambdas still draw, marked where they are drawn
# --------------------------------------------------------------------------------


def diverged_sweep():
    """A two-seed fake sweep whose two largest lambdas diverged.

    ``lams[7]``: seed 1 only, at epoch 4 (the drawn first seed is finite);
    ``lams[8]``: both seeds at epoch 2, with infinities, and its grid all NaN.
    """
    result = fake_sweep(seeds=(0, 1))
    for arrays in (result.curves, result.metrics, result.paths):
        for key in arrays:
            arrays[key] = arrays[key].astype(np.float64)
    for values in result.curves.values():  # (seeds, lambdas, epochs)
        values[1, 7, 3:] = np.nan
        values[:, 8, 1:] = np.nan
        values[:, 8, 1] = np.inf
    for values in (*result.metrics.values(), *result.paths.values()):
        values[1, 7] = np.nan  # (seeds, lambdas, ...)
        values[:, 8] = np.nan
    result.metrics["val_loss"][:, 8] = np.inf
    result.paths["hidden_1/kernel"][:, 8, 0, 0] = np.inf
    result.decision[8] = np.nan
    return result


def lambda_marks(disp):
    """x position -> text of the divergence notes on a single-panel display."""
    return {
        float(t.get_position()[0]): t.get_text()
        for t in disp.ax_.texts
        if "diverged" in t.get_text()
    }


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.parametrize(
    "draw",
    [
        plot_validation_curve,
        plot_regularization_path,
        lambda result: plot_sparsity(result, tol=1e-3),
    ],
)
def test_diverged_lambdas_are_marked_at_their_place(draw):
    result = diverged_sweep()
    disp = draw(result)
    assert_finite_limits(disp.figure_)
    assert lambda_marks(disp) == {
        disp.positions_[7]: "diverged at epoch 4",
        disp.positions_[8]: "diverged at epoch 2",
    }
    assert list(disp.notes_) == [result.lams[7], result.lams[8]]


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_diverged_lambdas_draw_their_finite_part():
    result = diverged_sweep()
    validation = plot_validation_curve(result)
    val = validation.mean_["val"]
    assert val[7] == result.metrics["val_loss"][0, 7]  # the finite seed only
    assert np.isnan(val[8]) and np.isfinite(val[:8]).all()
    path = plot_regularization_path(result, k=3)
    assert not np.isfinite(path.values[8]).any() and np.isfinite(path.values[:8]).all()
    nothing = np.full(result.lams.size, np.nan)  # every lambda diverged
    disp = ValidationCurveDisplay(result.lams, nothing, nothing).plot(logy=True)
    assert_finite_limits(disp.figure_)
    assert disp.ax_.get_yscale() == "linear"  # no positive value to log-scale


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_diverged_lambdas_boundary_panels_are_marked():
    result = diverged_sweep()
    disp = plot_sweep_boundaries(result)
    assert_finite_limits(disp.figure_)
    lams = result.lams
    assert notes_by_axes(disp.figure_) == {
        disp.axes_[lams[7]]: ["diverged at epoch 4"],
        disp.axes_[lams[8]]: ["diverged at epoch 2"],
    }
    subset = plot_sweep_boundaries(result, lams=[lams[0], lams[8]])
    assert list(subset.notes_) == [lams[8]]


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_diverged_sweep_figure():
    result = diverged_sweep()
    disp = plot_sweep(result, tol=1e-3)
    assert_finite_limits(disp.figure_)
    notes = notes_by_axes(disp.figure_)
    for sub in (disp.path_, disp.validation_, disp.sparsity_):
        assert notes.pop(sub.ax_) == ["diverged at epoch 4", "diverged at epoch 2"]
    assert set(notes) == {disp.boundaries_.axes_[lam] for lam in result.lams[7:]}


# --------------------------------------------------------------------------------
# Seed spread in the comparison figures
# --------------------------------------------------------------------------------


def test_loss_curves_show_seed_bands():
    result = with_seeds(fake_comparison())
    disp = plot_loss_curves(result)
    assert isinstance(disp, LossCurvesDisplay)
    for name in result.variants:
        assert set(disp.bands_[name]) == {"train", "val"} | (
            {"penalty"} if name != "none" else set()
        )
        for part in ("train", "val"):
            mean = result.curves[name][f"{part}_loss"]
            std = result.curves_std[name][f"{part}_loss"]
            low, high = band_limits(disp.bands_[name][part], result.epochs)
            np.testing.assert_allclose(low, mean - std)
            np.testing.assert_allclose(high, mean + std)
        assert "(mean ± std)" in disp.lines_[name]["train"].get_label()
    titles = plot_decision_boundaries(result).axes_["l2"].get_title()
    assert "±" in titles


def test_comparison_figures_without_seeds_have_no_bands():
    result = fake_comparison()
    disp = plot_loss_curves(result)
    assert disp.bands_ == {v: {} for v in result.variants}
    # One seed: curves_std is present (and non-zero in the fake); nothing is drawn.
    result = with_seeds(fake_comparison(), seeds=(0,))
    disp = plot_loss_curves(result)
    assert disp.bands_ == {v: {} for v in result.variants}
    assert "±" not in plot_decision_boundaries(result).axes_["l2"].get_title()
    bars = plot_metric_bars(result)
    assert all(e is None for e in bars.errorbars_.values())
    assert all(p is None for p in bars.seed_points_.values())


def test_metric_bars_with_error_bars_and_seed_points():
    result = with_seeds(fake_comparison())
    disp = plot_metric_bars(result, ["val_loss", "gap"])
    assert isinstance(disp, MetricBarsDisplay)
    assert list(disp.axes_) == ["val_loss", "gap"]
    for name in ("val_loss", "gap"):
        heights = [bar.get_height() for bar in disp.bars_[name]]
        np.testing.assert_allclose(
            heights, [result.metrics[v][name] for v in "none l1 l2".split()]
        )
        _, _, (segments,) = disp.errorbars_[name].lines
        ends = np.array([s[:, 1] for s in segments.get_segments()])
        for i, v in enumerate(result.variants):
            mean, std = result.metrics[v][name], result.metrics_std[v][name]
            np.testing.assert_allclose(sorted(ends[i]), [mean - std, mean + std])
        points = disp.seed_points_[name].get_offsets()
        np.testing.assert_allclose(
            points[:, 1],
            np.concatenate([result.per_seed[v][name] for v in result.variants]),
        )
    colors = [bar.get_facecolor()[:3] for bar in disp.bars_["gap"]]
    assert colors[0] == pytest.approx(matplotlib.colors.to_rgb("tab:blue"))
    with pytest.raises(ValueError, match="argument `metrics"):
        plot_metric_bars(result, ["auc"])


# --------------------------------------------------------------------------------
# A real tiny sweep
# --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_sweep():
    module = pytest.importorskip("kreg.sweep")
    return module.sweep(
        lams=[0.0, 0.1, 1.0, 10.0],
        kind="l1",
        seeds=[0, 1],
        hidden=(8, 8),
        epochs=10,
        grid_resolution=30,
    )


def test_real_sweep_figure(real_sweep):
    result = real_sweep
    disp = plot_sweep(result)
    lams = np.asarray(result.lams)
    key = list(result.paths)[0]
    weights = np.asarray(result.paths[key])[0].reshape(len(lams), -1)
    for line, index in zip(disp.path_.lines_, disp.path_.indices_, strict=True):
        np.testing.assert_allclose(line.get_ydata(), weights[:, index])
    np.testing.assert_allclose(
        disp.validation_.lines_["val"].get_ydata(), result.mean["val_loss"]
    )
    low, high = band_limits(disp.validation_.bands_["val"], disp.validation_.positions_)
    np.testing.assert_allclose(low, result.mean["val_loss"] - result.std["val_loss"])
    np.testing.assert_allclose(high, result.mean["val_loss"] + result.std["val_loss"])
    assert disp.validation_.best_lam_ == pytest.approx(result.best_lam)
    np.testing.assert_allclose(
        disp.sparsity_.lines_["exact"].get_ydata(), result.mean["zero_fraction"]
    )
    assert list(disp.boundaries_.axes_) == pytest.approx(lams.tolist())
    # The result's own plot method draws the same figure.
    assert isinstance(result.plot(), SweepDisplay)


def test_real_comparison_with_seeds_draws_the_spread():
    from kreg.compare import compare

    result = compare(
        hidden=(8, 8), epochs=5, seeds=[0, 1], record_every=5, grid_resolution=20
    )
    disp = plot_loss_curves(result)
    for name in result.variants:
        mean = result.curves[name]["val_loss"]
        std = result.curves_std[name]["val_loss"]
        assert np.all(std > 0)  # two initializations differ
        low, high = band_limits(disp.bands_[name]["val"], result.epochs)
        np.testing.assert_allclose(low, mean - std)
        np.testing.assert_allclose(high, mean + std)
    bars = plot_metric_bars(result, ["val_loss"])
    heights = [bar.get_height() for bar in bars.bars_["val_loss"]]
    np.testing.assert_allclose(
        heights, [result.metrics[v]["val_loss"] for v in result.variants]
    )
    np.testing.assert_allclose(
        bars.seed_points_["val_loss"].get_offsets()[:, 1],
        np.concatenate([result.per_seed[v]["val_loss"] for v in result.variants]),
    )
