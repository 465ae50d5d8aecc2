"""Every public figure of kreg.plots refuses the wrong kind of object with a TypeError
that names the argument, before any figure is made (Agg backend)."""

import inspect
import re
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from kreg import plots  # noqa: E402

COMPARISON = "a kreg.ComparisonResult (from kreg.compare)"
SWEEP = "a kreg.SweepResult (from kreg.sweep)"
HISTORY = "a kreg.WeightHistory"
HISTORIES = "a kreg.WeightHistory, a dict of them or a list of them"

#: Each public entry point -> (the argument checked, what it expects).
EXPECTED = {
    plots.plot_comparison: ("result", COMPARISON),
    plots.plot_decision_boundaries: ("result", COMPARISON),
    plots.plot_loss_curves: ("result", COMPARISON),
    plots.plot_metric_bars: ("result", COMPARISON),
    plots.plot_variant_networks: ("result", COMPARISON),
    plots.plot_variant_weight_bars: ("result", COMPARISON),
    plots.DecisionBoundaryDisplay.from_result: ("result", COMPARISON),
    plots.LossCurvesDisplay.from_result: ("result", COMPARISON),
    plots.MetricBarsDisplay.from_result: ("result", COMPARISON),
    plots.plot_sweep: ("result", SWEEP),
    plots.plot_regularization_path: ("result", SWEEP),
    plots.plot_validation_curve: ("result", SWEEP),
    plots.plot_sparsity: ("result", SWEEP),
    plots.plot_sweep_boundaries: ("result", SWEEP),
    plots.RegularizationPathDisplay.from_result: ("result", SWEEP),
    plots.ValidationCurveDisplay.from_result: ("result", SWEEP),
    plots.SparsityDisplay.from_result: ("result", SWEEP),
    plots.SweepBoundariesDisplay.from_result: ("result", SWEEP),
    plots.plot_weight_distribution: ("histories", HISTORIES),
    plots.WeightDistributionDisplay.from_histories: ("histories", HISTORIES),
    plots.WeightDistributionDisplay.from_history: ("history", HISTORY),
    plots.plot_weight_evolution: ("history", HISTORY),
    plots.WeightEvolutionDisplay.from_history: ("history", HISTORY),
    plots.plot_weight_bars: ("history", HISTORY),
    plots.WeightBarsDisplay.from_history: ("history", HISTORY),
    plots.plot_network: ("weights", f"{HISTORY} or a list of 2-D kernels"),
    plots.NetworkDisplay.from_history: ("history", HISTORY),
    plots.NetworkDisplay.from_kernels: ("kernels", "a list"),
}


def public_entry_points():
    """The functions of kreg.plots.__all__ and the from_* methods of its classes."""
    for name in plots.__all__:
        obj = getattr(plots, name)
        if inspect.isclass(obj):
            yield from (getattr(obj, m) for m in vars(obj) if m.startswith("from_"))
        else:
            yield obj


def message(argument, expected, value):
    text = (
        f"Invalid value for argument `{argument}`: expected {expected}. "
        f"Received: {argument}={value!r}"
    )
    return "^" + re.escape(text) + "$"


def test_the_table_covers_every_public_entry_point():
    names = {f.__qualname__ for f in public_entry_points()}
    assert names == {f.__qualname__ for f in EXPECTED}
    assert len(names) == 28


@pytest.mark.parametrize("value", ["x", 42, None])
@pytest.mark.parametrize("call", list(EXPECTED), ids=lambda f: f.__qualname__)
def test_wrong_kind_of_object_is_a_type_error(call, value):
    argument, expected = EXPECTED[call]
    with pytest.raises(TypeError, match=message(argument, expected, value)):
        call(value)
    assert plt.get_fignums() == []  # checked before any figure was made


NOT_A_COMPARISON = types.SimpleNamespace(lams=[])
HALF_A_COMPARISON = types.SimpleNamespace(variants=["a"])
HALF_A_SWEEP = types.SimpleNamespace(lams=[0.0])


@pytest.mark.parametrize(
    "call, value, argument, expected, received",
    [
        # A dict or a list of things that are not histories: the item is named.
        (plots.plot_weight_distribution, {"a": 1}, "histories['a']", HISTORY, 1),
        (plots.plot_weight_distribution, ["x"], "histories['history 1']", HISTORY, "x"),
        # Another kind of result: nothing a comparison figure reads is there.
        (
            plots.plot_comparison,
            NOT_A_COMPARISON,
            "result",
            COMPARISON,
            NOT_A_COMPARISON,
        ),
        # Part of a result: the message lists what is missing.
        (
            plots.plot_loss_curves,
            HALF_A_COMPARISON,
            "result",
            f"{COMPARISON} with `epochs`, `curves`",
            HALF_A_COMPARISON,
        ),
        (
            plots.plot_sparsity,
            HALF_A_SWEEP,
            "result",
            f"{SWEEP} with `metrics`",
            HALF_A_SWEEP,
        ),
    ],
)
def test_wrong_contents_are_named(call, value, argument, expected, received):
    with pytest.raises(TypeError, match=message(argument, expected, received)):
        call(value)
    assert plt.get_fignums() == []
