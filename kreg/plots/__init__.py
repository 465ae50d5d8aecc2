"""Figures of kreg's results, as Display objects in the scikit-learn manner.

A Display's class methods (``from_history``, ``from_result``, ...) compute what to
draw and call ``plot(ax=None, **kwargs)``, which draws (in a new figure for ``None``)
and keeps ``ax_``, ``figure_`` and the main artists (``lines_``, ``bars_``, ...);
the ``plot_*`` functions are shortcuts returning the Display (see the tutorial).
"""

from kreg.plots._compare import (
    ComparisonDisplay,
    DecisionBoundaryDisplay,
    LossCurvesDisplay,
    MetricBarsDisplay,
    VariantPanelsDisplay,
    plot_comparison,
    plot_decision_boundaries,
    plot_loss_curves,
    plot_metric_bars,
    plot_variant_networks,
    plot_variant_weight_bars,
)
from kreg.plots._history import (
    NetworkDisplay,
    WeightBarsDisplay,
    WeightDistributionDisplay,
    WeightEvolutionDisplay,
    plot_network,
    plot_weight_bars,
    plot_weight_distribution,
    plot_weight_evolution,
)
from kreg.plots._sweep import (
    RegularizationPathDisplay,
    SparsityDisplay,
    SweepBoundariesDisplay,
    SweepDisplay,
    ValidationCurveDisplay,
    plot_regularization_path,
    plot_sparsity,
    plot_sweep,
    plot_sweep_boundaries,
    plot_validation_curve,
)

__all__ = [
    "ComparisonDisplay",
    "DecisionBoundaryDisplay",
    "LossCurvesDisplay",
    "MetricBarsDisplay",
    "VariantPanelsDisplay",
    "plot_comparison",
    "plot_decision_boundaries",
    "plot_loss_curves",
    "plot_metric_bars",
    "plot_variant_networks",
    "plot_variant_weight_bars",
    "NetworkDisplay",
    "WeightBarsDisplay",
    "WeightDistributionDisplay",
    "WeightEvolutionDisplay",
    "plot_network",
    "plot_weight_bars",
    "plot_weight_distribution",
    "plot_weight_evolution",
    "RegularizationPathDisplay",
    "SparsityDisplay",
    "SweepBoundariesDisplay",
    "SweepDisplay",
    "ValidationCurveDisplay",
    "plot_regularization_path",
    "plot_sparsity",
    "plot_sweep",
    "plot_sweep_boundaries",
    "plot_validation_curve",
]
