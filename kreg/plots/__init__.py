"""Figures of kreg's results, as Display objects in the scikit-learn manner.

Every figure is a class with class methods that compute what to draw from a
result (``from_history``, ``from_histories``, ...) and a ``plot(ax=None,
**kwargs)`` method that draws it; after drawing, the Display holds the axes
(``ax_``), the figure (``figure_``) and its main artists (``lines_``, ``bars_``,
...), so a figure can be restyled or tested. ``ax=None`` creates a new figure;
``**kwargs`` go to the main artist. The ``plot_*`` functions are shortcuts that
return the Display.

matplotlib is imported only when something is drawn: ``import kreg.plots`` does
not import it.

Figures of a ``kreg.WeightHistory``:

- :class:`WeightDistributionDisplay` / :func:`plot_weight_distribution`: density,
  histogram and box plots of one weight for several histories (the lecture's
  "weights without vs with L2" figure).
- :class:`WeightEvolutionDisplay` / :func:`plot_weight_evolution`: percentile
  bands and norms over the epochs.
- :class:`WeightBarsDisplay` / :func:`plot_weight_bars`: individual weights
  before and after training.
- :class:`NetworkDisplay` / :func:`plot_network`: the network's connections,
  exact zeros removed.

Figures of a ``kreg.compare`` result:

- :class:`ComparisonDisplay` / :func:`plot_comparison`: the standard figure
  (decision boundaries, loss curves, first-layer weight distributions).
- :class:`DecisionBoundaryDisplay` / :func:`plot_decision_boundaries`, and
  :class:`LossCurvesDisplay` / :func:`plot_loss_curves`.
- :class:`VariantPanelsDisplay` with :func:`plot_variant_networks` and
  :func:`plot_variant_weight_bars`: one history figure per variant.
- :class:`MetricBarsDisplay` / :func:`plot_metric_bars`: the final numbers as
  bars, with error bars over seeds (a run with ``seeds=[...]`` also draws ± std
  bands on the loss curves).

Figures of a ``kreg.sweep`` result (lambda on a log axis, ``lam = 0`` drawn left
of a break mark):

- :class:`SweepDisplay` / :func:`plot_sweep`: the standard figure (path,
  validation curve, sparsity, decision boundaries per lambda).
- :class:`RegularizationPathDisplay` / :func:`plot_regularization_path`: trained
  weights vs lambda (L1: exactly 0 and stays; L2: shrinks).
- :class:`ValidationCurveDisplay` / :func:`plot_validation_curve`: training vs
  validation data loss vs lambda, the best lambda marked, ± std bands over seeds.
- :class:`SparsityDisplay` / :func:`plot_sparsity`: fraction of exact zeros.
- :class:`SweepBoundariesDisplay` / :func:`plot_sweep_boundaries`: decision
  boundaries as small multiples across lambdas.
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
