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
"""

from kreg.plots._compare import (
    ComparisonDisplay,
    DecisionBoundaryDisplay,
    LossCurvesDisplay,
    VariantPanelsDisplay,
    plot_comparison,
    plot_decision_boundaries,
    plot_loss_curves,
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

__all__ = [
    "ComparisonDisplay",
    "DecisionBoundaryDisplay",
    "LossCurvesDisplay",
    "VariantPanelsDisplay",
    "plot_comparison",
    "plot_decision_boundaries",
    "plot_loss_curves",
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
]
