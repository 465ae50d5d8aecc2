"""Tests of kreg.plots._compare: the figures of a comparison run, on Agg.

Most tests draw a small hand-made result (tests/fakes.py: the fields of a
ComparisonResult, with weight histories from WeightHistory.from_arrays), so that
what is drawn can be compared with known arrays; the last ones draw a real tiny
kreg.compare run.
"""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from fakes import assert_finite_limits, notes_by_axes  # noqa: E402
from fakes import fake_comparison as fake_result  # noqa: E402
from matplotlib.collections import PathCollection  # noqa: E402
from matplotlib.colorbar import Colorbar  # noqa: E402
from matplotlib.contour import QuadContourSet  # noqa: E402
from scipy.interpolate import RegularGridInterpolator  # noqa: E402

from kreg.history import WeightHistory  # noqa: E402
from kreg.plots import (  # noqa: E402
    NetworkDisplay,
    WeightBarsDisplay,
    WeightDistributionDisplay,
)
from kreg.plots._compare import (  # noqa: E402
    CLASS_COLORS,
    ComparisonDisplay,
    DecisionBoundaryDisplay,
    LossCurvesDisplay,
    VariantPanelsDisplay,
    plot_comparison,
    plot_decision_boundaries,
    plot_loss_curves,
    plot_metric_bars,
    plot_variant_networks,
    plot_variant_weight_bars,
)


@pytest.fixture
def result():
    return fake_result()


def assert_outside(legend, ax):
    """Assert that ``legend`` is drawn right of ``ax``'s data area, not over it."""
    legend.figure.canvas.draw()
    box, area = legend.get_window_extent(), ax.get_window_extent()
    assert box.x0 >= area.x1 - 1e-6, (box, area)


# --------------------------------------------------------------------------------
# Decision boundaries
# --------------------------------------------------------------------------------


def test_boundaries_one_panel_per_variant_with_shared_scale(result):
    disp = plot_decision_boundaries(result)
    assert isinstance(disp, DecisionBoundaryDisplay)
    assert list(disp.axes_) == result.variants
    assert len(set(map(id, disp.axes_.values()))) == 3
    norms = {id(c.norm) for c in disp.contours_.values()}
    assert norms == {id(disp.norm_)}
    assert (disp.norm_.vmin, disp.norm_.vmax) == (0.0, 1.0)
    for contour in disp.contours_.values():
        assert isinstance(contour, QuadContourSet) and contour.filled
        np.testing.assert_array_equal(contour.levels, disp.levels_)
    assert isinstance(disp.colorbar_, Colorbar)
    for panel in disp.axes_.values():
        assert panel.get_xlim() == (-2.0, 3.0)
        assert panel.get_ylim() == (-1.5, 2.0)
        assert panel.figure is disp.figure_
    assert disp.ax_ is disp.axes_["none"]
    assert disp.axes_["l2"].get_title().startswith("l2\nval acc")


def test_boundary_line_lies_on_the_half_probability_of_the_result(result):
    disp = plot_decision_boundaries(result)
    xs, ys = result.grid["xx"][0], result.grid["yy"][:, 0]
    for name, line in disp.boundaries_.items():
        assert not line.filled
        np.testing.assert_array_equal(line.levels, [0.5])
        vertices = np.concatenate([p.vertices for p in line.get_paths()])
        assert len(vertices) > 10
        interpolate = RegularGridInterpolator((ys, xs), result.decision[name])
        values = interpolate(vertices[:, ::-1])
        np.testing.assert_allclose(values, 0.5, atol=0.02)


def test_training_and_validation_points_are_the_results_data(result):
    disp = plot_decision_boundaries(result)
    for name in result.variants:
        train, val = disp.train_points_[name], disp.val_points_[name]
        assert isinstance(train, PathCollection) and isinstance(val, PathCollection)
        np.testing.assert_array_equal(train.get_offsets(), result.data["x_train"])
        np.testing.assert_array_equal(val.get_offsets(), result.data["x_val"])
        # Filled circles coloured by class vs white triangles outlined by class.
        want = [
            matplotlib.colors.to_rgba(CLASS_COLORS[int(c)])
            for c in result.data["y_train"]
        ]
        np.testing.assert_allclose(train.get_facecolors(), want)
        outline = [
            matplotlib.colors.to_rgba(CLASS_COLORS[int(c)])
            for c in result.data["y_val"]
        ]
        np.testing.assert_allclose(val.get_edgecolors(), outline)
        np.testing.assert_allclose(val.get_facecolors(), [[1, 1, 1, 1]])
        assert train.get_paths()[0] != val.get_paths()[0]
    labels = [t.get_text() for t in disp.legend_.get_texts()]
    assert_outside(disp.legend_, disp.axes_["l2"])  # right of the last panel
    assert labels == [
        "training, class 0",
        "training, class 1",
        "validation, class 0",
        "validation, class 1",
    ]


def test_boundaries_on_given_axes(result):
    fig, axes = plt.subplots(1, 3)
    disp = plot_decision_boundaries(result, ax=axes, colorbar=False)
    assert list(disp.axes_.values()) == list(axes)
    assert disp.colorbar_ is None and disp.bounding_ax_ is None
    fig, ax = plt.subplots()
    disp = plot_decision_boundaries(result, ax=ax, variants=["l2", "none"])
    assert disp.bounding_ax_ is ax and not ax.axison
    assert list(disp.axes_) == ["l2", "none"]
    assert all(panel.figure is fig for panel in disp.axes_.values())


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"variants": ["l3"]},
            ValueError,
            r"argument `variants`.*among \['none', 'l1', 'l2'\]",
        ),
        ({"variants": []}, ValueError, "argument `variants`"),
        ({"ax": "axes"}, TypeError, "argument `ax`"),
        ({"levels": [0.5, 0.2]}, ValueError, "argument `levels`"),
    ],
)
def test_boundaries_bad_arguments(result, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot_decision_boundaries(result, **kwargs)


def test_boundaries_wrong_number_of_axes(result):
    _, axes = plt.subplots(1, 2)
    with pytest.raises(ValueError, match="3 Axes, one per variant"):
        plot_decision_boundaries(result, ax=axes)


def test_boundaries_without_validation_points():
    result = fake_result(n_val=0)
    disp = plot_decision_boundaries(result)
    assert disp.val_points_ == {} and len(disp.train_points_) == 3
    assert len(disp.legend_.get_texts()) == 2


def test_display_constructor_checks_shapes():
    xx, yy = np.meshgrid(np.arange(3.0), np.arange(4.0))
    with pytest.raises(ValueError, match=r"decision\['a'\]"):
        DecisionBoundaryDisplay(xx, yy, {"a": np.zeros((3, 3))})
    with pytest.raises(ValueError, match="argument `threshold`"):
        DecisionBoundaryDisplay(xx, yy, {"a": np.zeros((4, 3))}, threshold=1.5)


# --------------------------------------------------------------------------------
# Loss curves
# --------------------------------------------------------------------------------


def test_loss_curves_draw_the_results_data_losses(result):
    disp = plot_loss_curves(result)
    assert isinstance(disp, LossCurvesDisplay)
    assert list(disp.axes_) == result.variants
    for name in result.variants:
        lines = disp.lines_[name]
        np.testing.assert_array_equal(lines["train"].get_xdata(), result.epochs)
        np.testing.assert_array_equal(
            lines["train"].get_ydata(), result.curves[name]["train_loss"]
        )
        np.testing.assert_array_equal(
            lines["val"].get_ydata(), result.curves[name]["val_loss"]
        )
        assert lines["train"].get_linestyle() == "-"
        assert lines["val"].get_linestyle() == "--"
        assert disp.gaps_[name] == pytest.approx(result.metrics[name]["gap"])
        assert (
            f"final gap {result.metrics[name]['gap']:.2f}"
            in disp.axes_[name].get_title()
        )
    # The panels share the y scale, and the penalty has an axes of its own.
    limits = {panel.get_ylim() for panel in disp.axes_.values()}
    assert len(limits) == 1
    assert disp.penalty_ax_ not in disp.axes_.values()
    assert sorted(disp.penalty_lines_) == ["l1", "l2"]
    for name, line in disp.penalty_lines_.items():
        np.testing.assert_array_equal(line.get_ydata(), result.curves[name]["penalty"])
        assert line.axes is disp.penalty_ax_


def test_loss_curves_on_one_axes_with_log_scale(result):
    disp = plot_loss_curves(result, separate=False, logy=True)
    assert len(set(map(id, disp.axes_.values()))) == 1
    assert len(disp.ax_.get_lines()) == 6
    assert disp.ax_.get_yscale() == "log"
    assert disp.penalty_ax_.get_yscale() == "log"


def test_loss_curves_axes_handling(result):
    fig, axes = plt.subplots(1, 3)
    disp = plot_loss_curves(result, ax=axes)
    assert [disp.axes_[v] for v in result.variants] == list(axes)
    assert disp.penalty_ax_.figure is fig
    fig, ax = plt.subplots()
    disp = plot_loss_curves(result, ax=ax, penalty=False)
    assert disp.bounding_ax_ is ax and disp.penalty_ax_ is None
    assert disp.penalty_lines_ == {}
    with pytest.raises(ValueError, match="argument `penalty_ax`"):
        plot_loss_curves(result, penalty=False, penalty_ax=ax)


def test_loss_curves_without_validation_or_penalty():
    result = fake_result(variants=("none",), n_val=0)
    disp = plot_loss_curves(result)
    assert list(disp.lines_["none"]) == ["train"]
    assert disp.penalty_lines_ == {}
    assert "no penalty" in disp.penalty_ax_.texts[0].get_text()


def spiky_curves(epochs=300, spike_at=120, height=10.0):
    """Smooth, slightly noisy curves, the l2 validation loss with one spike."""
    rng = np.random.default_rng(1)
    e = np.arange(1, epochs + 1)
    curves = {}
    for i, name in enumerate(("none", "l2")):
        train = 0.7 * np.exp(-e / 30) + 0.02 + 0.01 * rng.random(epochs)
        val = train + 0.1 + 0.2 * i + 0.05 * rng.random(epochs)
        curves[name] = {"train_loss": train, "val_loss": val, "penalty": 0 * e + i}
    curves["l2"]["val_loss"][spike_at - 1] = height
    return e, curves


def test_loss_y_range_leaves_out_a_spike_and_marks_it():
    e, curves = spiky_curves()
    disp = LossCurvesDisplay(e, curves).plot()
    low, high = disp.ylim_
    rest = np.concatenate(
        [c[k] for c in curves.values() for k in ("train_loss", "val_loss")]
    )
    rest = rest[rest < 10.0]
    # The spike does not set the range; every other value is inside it.
    assert high < 10.0 / 5
    assert low <= rest.min() and rest.max() <= high
    for panel in disp.axes_.values():  # one range for all panels
        assert panel.get_ylim() == pytest.approx(disp.ylim_)
    # The spike: counted, its value in the title, marked on the top edge.
    assert disp.above_ == {"l2": 1} and disp.below_ == {}
    assert disp.above_max_["l2"] == pytest.approx(10.0)
    title = disp.axes_["l2"].get_title()
    assert "▲ 1 epoch above the y range (max 10)" in title
    assert "above" not in disp.axes_["none"].get_title()
    (marks,) = disp.outside_markers_["l2"]
    assert marks.get_xdata().tolist() == [120] and marks.get_ydata().tolist() == [1.0]
    assert marks.get_transform() == disp.axes_["l2"].get_xaxis_transform()
    # The line itself still holds the spike (only the view is cut).
    assert disp.lines_["l2"]["val"].get_ydata().max() == 10.0


def test_loss_y_range_keeps_the_first_epochs_of_a_steep_start():
    e, curves = spiky_curves()
    for c in curves.values():  # a steep start: 3.0 at epoch 1, halved by epoch 4
        c["train_loss"] = c["train_loss"] + 3.0 * np.exp(-(e - 1) / 4)
    disp = LossCurvesDisplay(e, curves).plot()
    first = max(c["train_loss"][0] for c in curves.values())
    assert disp.ylim_[1] >= first and disp.above_ == {"l2": 1}


def test_loss_y_range_without_a_spike_is_the_usual_one():
    e, curves = spiky_curves(height=0.5)  # not a spike: inside the curves' spread
    disp = LossCurvesDisplay(e, curves).plot()
    values = np.concatenate(
        [c[k] for c in curves.values() for k in ("train_loss", "val_loss")]
    )
    span = values.max() - values.min()
    assert disp.ylim_ == pytest.approx(
        (values.min() - 0.05 * span, values.max() + 0.05 * span)
    )
    assert disp.above_ == disp.below_ == disp.outside_markers_ == {}
    assert "▲" not in disp.axes_["l2"].get_title()
    # ylim_quantile=None: every value, the spike included, sets the range.
    e, curves = spiky_curves()
    disp = LossCurvesDisplay(e, curves).plot(ylim_quantile=None)
    assert disp.ylim_ is None and disp.ax_.get_ylim()[1] >= 10.0


def test_loss_y_range_on_a_log_scale_leaves_out_a_downward_spike():
    e, curves = spiky_curves(height=1e-6)
    disp = LossCurvesDisplay(e, curves).plot(logy=True, separate=False)
    assert disp.ax_.get_yscale() == "log"
    low, high = disp.ylim_
    assert 1e-6 < low < 0.02 and disp.below_ == {"l2": 1} and disp.above_ == {}
    assert disp.below_min_["l2"] == pytest.approx(1e-6)
    assert "l2: ▼ 1 epoch below the y range (min 1e-06)" in disp.ax_.get_title()
    (marks,) = disp.outside_markers_["l2"]
    assert marks.get_ydata().tolist() == [0.0]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"ylim_quantile": 0.0}, "argument `ylim_quantile`"),
        ({"ylim_quantile": 1.5}, "argument `ylim_quantile`"),
        ({"ylim_window": 0}, "argument `ylim_window`"),
    ],
)
def test_loss_y_range_bad_arguments(result, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plot_loss_curves(result, **kwargs)


def test_loss_legends_outside_and_penalty_title(result):
    disp = plot_loss_curves(result)
    # One legend, right of the last panel: the line styles, not per variant.
    labels = [t.get_text() for t in disp.legend_.get_texts()]
    assert labels == ["training data loss", "validation data loss"]
    assert disp.legend_.axes is disp.axes_["l2"]
    assert_outside(disp.legend_, disp.axes_["l2"])
    assert [p.get_legend() for p in list(disp.axes_.values())[:2]] == [None, None]
    assert_outside(disp.penalty_legend_, disp.penalty_ax_)
    # Every loss panel has its "epoch" label; the penalty's title is a title,
    # above its axes and below the top row's labels.
    for panel in disp.axes_.values():
        assert panel.get_xlabel() == "epoch"
    assert disp.penalty_ax_.get_title().startswith("Penalty lam/(2n)")
    renderer = disp.figure_.canvas.get_renderer()
    disp.figure_.canvas.draw()
    title = disp.penalty_ax_.title.get_window_extent(renderer)
    epoch_label = disp.ax_.xaxis.label.get_window_extent(renderer)
    assert disp.penalty_ax_.get_window_extent().y1 <= title.y0
    assert title.y1 <= epoch_label.y0


# --------------------------------------------------------------------------------
# Networks, bars, the standard figure
# --------------------------------------------------------------------------------


def test_variant_networks_reuse_network_display(result):
    disp = plot_variant_networks(result, max_units=4)
    assert isinstance(disp, VariantPanelsDisplay)
    assert list(disp.displays_) == result.variants
    for name, sub in disp.displays_.items():
        assert isinstance(sub, NetworkDisplay)
        assert sub.ax_ is disp.axes_[name]
        assert all(len(u) <= 4 for u in sub.units)
    # One colour scale for every panel, one colour bar: from 0 to the 95th
    # percentile of the |w| of the edges drawn in all panels, stated in the titles.
    norms = {(d.edges_.norm.vmin, d.edges_.norm.vmax) for d in disp.displays_.values()}
    drawn = np.abs(np.concatenate([d.edge_weights for d in disp.displays_.values()]))
    clip = np.percentile(drawn, 95)
    assert len(norms) == 1
    assert norms.pop() == (0.0, pytest.approx(clip, rel=1e-9))
    assert clip < drawn.max()  # the few largest do not set the scale
    for name, sub in disp.displays_.items():
        above = np.abs(sub.edge_weights) > clip
        assert (sub.clip_ is not None) == above.any()
        if above.any():
            assert f"colour clipped at |w| = {clip:.3g}" in disp.axes_[name].get_title()
            share = f"({above.mean():.0%} of the edges drawn lie above)"
            assert share in disp.axes_[name].get_title()
    assert [d.colorbar_ is not None for d in disp.displays_.values()] == [
        False,
        False,
        True,
    ]
    assert disp.displays_["l2"].colorbar_.extend == "max"
    # clip=None: the largest |w| drawn, nothing clipped.
    full = plot_variant_networks(result, max_units=4, clip=None)
    assert full.displays_["none"].edges_.norm.vmax == pytest.approx(drawn.max())
    assert all(d.clip_ is None for d in full.displays_.values())
    assert "clipped" not in full.axes_["none"].get_title()


def test_variant_weight_bars_show_the_same_weights(result):
    disp = plot_variant_weight_bars(result, k=5)
    labels = {tuple(d.labels) for d in disp.displays_.values()}
    assert len(labels) == 1
    first = result.histories["none"]["dense/kernel"]
    largest = np.argsort(-np.abs(first[0]).ravel(), kind="stable")[:5]
    for name, sub in disp.displays_.items():
        assert isinstance(sub, WeightBarsDisplay)
        kernel = result.histories[name][f"{name}/dense/kernel"]
        np.testing.assert_allclose(sub.before, kernel[0].ravel()[largest])
        np.testing.assert_allclose(sub.after, kernel[-1].ravel()[largest])
    assert len({d.ax_.get_ylim() for d in disp.displays_.values()}) == 1


def test_plot_comparison_holds_the_three_sub_displays(result):
    disp = plot_comparison(result)
    assert isinstance(disp, ComparisonDisplay)
    assert isinstance(disp.boundaries_, DecisionBoundaryDisplay)
    assert isinstance(disp.losses_, LossCurvesDisplay)
    assert isinstance(disp.weights_, WeightDistributionDisplay)
    fig = disp.figure_
    for sub in (disp.boundaries_, disp.losses_, disp.weights_):
        assert sub.ax_.figure is fig
    # 3 boundary panels + colour bar, 3 loss panels + penalty, density + boxes,
    # and an empty cell right of each of 4 rows holding its legend.
    assert len(fig.axes) == 14
    legends = [
        disp.boundaries_.legend_,
        disp.losses_.legend_,
        disp.losses_.penalty_legend_,
        disp.weights_.legend_,
    ]
    cells = [legend.axes for legend in legends]
    assert len(set(cells)) == 4 and not any(cell.axison for cell in cells)
    for legend, beside in zip(
        legends,
        [disp.boundaries_.axes_["l2"], disp.losses_.axes_["l2"], disp.weights_.ax_],
        strict=False,
    ):
        assert_outside(legend, beside)
    assert [a.get_legend() for a in disp.losses_.axes_.values()] == [None] * 3
    assert list(disp.weights_.extremes_) == result.variants
    for name in result.variants:
        kernel = result.histories[name][f"{name}/dense/kernel"][-1]
        assert disp.weights_.extremes_[name] == (
            pytest.approx(float(kernel.min())),
            pytest.approx(float(kernel.max())),
        )
    assert (
        disp.weights_.ax_.get_title() == "First-layer kernel (16 weights) at epoch 12"
    )


def test_plot_comparison_in_a_given_axes(result):
    fig, (left, right) = plt.subplots(1, 2)
    disp = plot_comparison(result, ax=right, variants=["none", "l2"], logy=True)
    assert disp.bounding_ax_ is right and not right.axison
    assert left.axison
    assert list(disp.boundaries_.axes_) == ["none", "l2"]
    assert disp.losses_.ax_.get_yscale() == "log"
    assert disp.figure_ is fig


# --------------------------------------------------------------------------------
# A diverged run still draws, its panels marked
# --------------------------------------------------------------------------------


def diverge(result, variant="l1", epoch=5):
    """Make ``variant`` of a fake result diverge at ``epoch`` (1-based).

    Its curves are NaN from ``epoch`` on, infinite at ``epoch`` and at the last
    epoch (so the final gap is inf - inf); its weights are NaN in the records
    after ``epoch`` (the one largest at first is infinite); its decision grid is
    all NaN and its final numbers NaN or infinite.
    """
    for values in result.curves[variant].values():
        values[epoch - 1 :] = np.nan
    for name in ("train_loss", "val_loss"):
        result.curves[variant][name][[epoch - 1, -1]] = np.inf
    history = result.histories[variant]
    late = np.asarray(history.epochs) >= epoch
    weights = {k: np.array(w, dtype=np.float64) for k, w in history.weights.items()}
    for w in weights.values():
        w[late] = np.nan
        w[-1].flat[np.argmax(np.abs(w[0]))] = np.inf  # drawn by the weight bars
    result.histories[variant] = WeightHistory.from_arrays(weights, history.epochs)
    result.decision[variant] = np.full_like(result.decision[variant], np.nan)
    result.metrics[variant] = dict.fromkeys(result.metrics[variant], np.nan)
    result.metrics[variant]["val_loss"] = np.inf
    return result


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Weights of:UserWarning")
@pytest.mark.filterwarnings("ignore:.*weights are NaN or infinite:UserWarning")
@pytest.mark.parametrize(
    "draw",
    [
        plot_decision_boundaries,
        plot_loss_curves,
        plot_variant_networks,
        plot_variant_weight_bars,
    ],
)
def test_diverged_variant_panel_is_marked(draw):
    result = diverge(fake_result())
    disp = draw(result)
    assert_finite_limits(disp.figure_)
    assert notes_by_axes(disp.figure_) == {disp.axes_["l1"]: ["diverged at epoch 5"]}
    assert list(disp.notes_) == ["l1"]


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_diverged_loss_curves_draw_the_finite_part():
    result = diverge(fake_result())
    disp = plot_loss_curves(result, separate=False, logy=True)
    assert_finite_limits(disp.figure_)
    train = disp.lines_["l1"]["train"].get_ydata()
    np.testing.assert_array_equal(train[:4], result.curves["l1"]["train_loss"][:4])
    assert np.isnan(disp.gaps_["l1"]) and np.isfinite(disp.gaps_["l2"])
    # On one shared axes, the note says which variant it is about.
    assert notes_by_axes(disp.figure_) == {disp.ax_: ["l1: diverged at epoch 5"]}


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Weights of:UserWarning")
def test_diverged_weights_are_marked_in_their_box_row():
    result = diverge(fake_result())
    disp = WeightDistributionDisplay.from_histories(result.histories)  # as the report
    assert_finite_limits(disp.figure_)
    assert sorted(disp.lines_) == sorted(disp.extremes_) == ["l2", "none"]
    assert list(disp.notes_) == ["l1"]
    note = disp.notes_["l1"]
    assert note.get_text() == "diverged: non-finite weights"
    assert note.axes is disp.box_ax_ and note.get_position()[1] == 2.0  # 2nd of 3
    labels = [t.get_text() for t in disp.box_ax_.get_yticklabels()]
    assert labels == ["none", "l1", "l2"]


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Weights of:UserWarning")
def test_diverged_comparison_figure():
    result = diverge(fake_result())
    disp = plot_comparison(result)
    assert_finite_limits(disp.figure_)
    assert notes_by_axes(disp.figure_) == {
        disp.boundaries_.axes_["l1"]: ["diverged at epoch 5"],
        disp.losses_.axes_["l1"]: ["diverged at epoch 5"],
        disp.weights_.box_ax_: ["diverged: non-finite weights"],
    }


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_diverged_metric_bars_say_non_finite_in_place_of_the_bar():
    result = diverge(fake_result())
    result.seeds = [0, 1]
    result.metrics_std = {v: dict.fromkeys(m, 0.1) for v, m in result.metrics.items()}
    result.per_seed = {
        v: {k: np.array([x, x]) for k, x in m.items()}
        for v, m in result.metrics.items()
    }
    disp = plot_metric_bars(result, ["val_loss", "zero_fraction"])
    assert_finite_limits(disp.figure_)
    assert np.isnan(disp.bars_["val_loss"][1].get_height())  # inf: no bar
    assert list(disp.notes_) == ["val_loss", "zero_fraction"]
    note = disp.notes_["val_loss"]["l1"]
    assert note.get_text() == "non-finite" and note.get_position()[0] == 1


@pytest.mark.filterwarnings("error::RuntimeWarning")
@pytest.mark.filterwarnings("ignore:Weights of:UserWarning")
@pytest.mark.filterwarnings("ignore:.*weights are NaN or infinite:UserWarning")
def test_every_variant_diverged_at_the_first_epoch():
    result = fake_result()
    for name in result.variants:
        diverge(result, name, epoch=1)
    disp = plot_comparison(result)
    assert_finite_limits(disp.figure_)
    assert disp.losses_.lines_ == {v: {} for v in result.variants}
    assert disp.weights_.boxes_ is None
    notes = notes_by_axes(disp.figure_)
    assert notes.pop(disp.weights_.box_ax_) == ["diverged: non-finite weights"] * 3
    panels = [*disp.boundaries_.axes_.values(), *disp.losses_.axes_.values()]
    assert notes == {panel: ["diverged at epoch 1"] for panel in panels}
    networks = plot_variant_networks(result)
    assert_finite_limits(networks.figure_)
    assert set(notes_by_axes(networks.figure_)) == set(networks.axes_.values())


def test_divergence_notes_say_what_went_non_finite():
    result = fake_result()
    history = result.histories["l2"]
    weights = {k: np.array(w) for k, w in history.weights.items()}
    weights["l2/dense_1/kernel"][-1, 0, 0] = np.nan
    result.histories["l2"] = WeightHistory.from_arrays(weights, history.epochs)
    result.decision["none"][0, 0] = np.nan
    disp = plot_decision_boundaries(result)
    assert {v: t.get_text() for v, t in disp.notes_.items()} == {
        "none": "diverged: non-finite predictions",
        "l2": "diverged: non-finite weights",
    }
    # Validation curves all NaN (no validation data) are not a divergence.
    assert plot_loss_curves(fake_result(n_val=0)).notes_ == {}


# --------------------------------------------------------------------------------
# A real tiny comparison
# --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_result():
    from kreg.compare import compare

    return compare(hidden=(8, 8), epochs=6, record_every=3, grid_resolution=40)


def test_real_comparison_figure(real_result):
    result = real_result
    disp = plot_comparison(result)
    assert list(disp.boundaries_.axes_) == list(result.variants)
    for name in result.variants:
        np.testing.assert_array_equal(
            disp.boundaries_.train_points_[name].get_offsets(), result.data["x_train"]
        )
        np.testing.assert_array_equal(
            disp.losses_.lines_[name]["val"].get_ydata(),
            result.curves[name]["val_loss"],
        )
        kernel = result.histories[name][result.histories[name].keys()[0]]
        low, high = disp.weights_.extremes_[name]
        assert low == pytest.approx(result.metrics[name]["first_kernel_min"], abs=1e-6)
        assert high == pytest.approx(float(kernel[-1].max()), abs=1e-6)
    assert set(disp.losses_.penalty_lines_) == set(result.variants) - {"none"}


def test_real_result_plot_method_and_history_figures(real_result):
    disp = real_result.plot()
    assert isinstance(disp, ComparisonDisplay)
    networks = plot_variant_networks(real_result)
    assert all(isinstance(d, NetworkDisplay) for d in networks.displays_.values())
    bars = plot_variant_weight_bars(real_result, k=3)
    assert all(len(d.labels) == 3 for d in bars.displays_.values())


def test_boundary_titles_give_the_length_over_seeds_and_of_the_drawn_seed():
    import kreg

    result = kreg.compare(hidden=(8, 8), epochs=20, batch_size=40, seeds=[4, 7])
    disp = plot_decision_boundaries(result)
    for name in result.variants:
        lengths = result.per_seed[name]["boundary_length"]
        title = disp.axes_[name].get_title()
        assert title.endswith(
            f"boundary {lengths.mean():.2f} ± {lengths.std():.2f}; seed 4 drawn: "
            f"{lengths[0]:.2f}"
        )
        # The drawn panel is seed 4's: its grid gives that length again.
        grid = result.grid
        drawn = kreg.boundary_length(grid["xx"], grid["yy"], result.decision[name])
        assert drawn == pytest.approx(lengths[0], rel=1e-9)
    plt.close("all")
