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
"""

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
    "NetworkDisplay",
    "WeightBarsDisplay",
    "WeightDistributionDisplay",
    "WeightEvolutionDisplay",
    "plot_network",
    "plot_weight_bars",
    "plot_weight_distribution",
    "plot_weight_evolution",
]
