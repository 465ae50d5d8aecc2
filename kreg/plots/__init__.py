"""Figures of kreg's results, as Display objects in the scikit-learn manner.

Each figure is a class whose class methods (``from_history``, ``from_result``, ...)
compute what to draw and call ``plot(ax=None, **kwargs)``, which draws and keeps
the axes (``ax_``), the figure (``figure_``) and the main artists (``lines_``,
``bars_``, ...). ``ax=None`` creates a figure; ``**kwargs`` go to the main artist.
The ``plot_*`` functions are shortcuts returning the Display. matplotlib is
imported only when something is drawn. An argument of the wrong kind (a result,
a history, an ``Axes``) raises ``TypeError`` before anything is drawn, a wrong
value ``ValueError``; the message names the argument. A multi-panel figure takes
``ax`` as ``None``, one ``Axes`` (divided; hidden and kept as ``bounding_ax_``) or
one ``Axes`` per panel.

- Of a ``kreg.WeightHistory``: :class:`WeightDistributionDisplay` (density,
  histogram, box plot), :class:`WeightEvolutionDisplay` (percentiles and norms
  over the epochs), :class:`WeightBarsDisplay` (weights before and after),
  :class:`NetworkDisplay` (the connections, exact zeros removed).
- Of a ``kreg.compare`` result: :class:`ComparisonDisplay` (the standard figure),
  :class:`DecisionBoundaryDisplay`, :class:`LossCurvesDisplay`,
  :class:`VariantPanelsDisplay` (a history figure per variant) and
  :class:`MetricBarsDisplay` (final numbers, error bars over seeds).
- Of a ``kreg.sweep`` result (lambda on a log axis, ``lam = 0`` left of a break):
  :class:`SweepDisplay` (the standard figure), :class:`RegularizationPathDisplay`,
  :class:`ValidationCurveDisplay`, :class:`SparsityDisplay` and
  :class:`SweepBoundariesDisplay`.
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
