"""kreg: L1 and L2 weight regularization for Keras 3, correct, visible and fast.

The public API:

- ``L1``, ``L2``, ``L1L2``: kernel regularizers with the ``lam / (2 n)`` scaling.
- ``l1_penalty``, ``l2_penalty``: the penalty functions they call.
- ``regularize``: a copy of a built model whose kernels carry a regularizer.
- ``conventions``: conversions to and from Keras, PyTorch and scikit-learn settings.
- ``ProximalSGD``, ``ProximalAdam`` (module ``proximal``): L1 with exact zeros.
- ``make_moons`` (module ``datasets``): scikit-learn's two moons, NumPy only.
- ``WeightHistory``: a callback that records every kernel per epoch.
- ``compare``: unregularized, L1 and L2 models trained side by side on two moons.
- ``sweep``: one model per lambda, side by side: paths, validation curve, sparsity.
- ``report``: the report (html, json, png, npz) of a comparison.
- ``plots``: figures of histories and comparisons (matplotlib, imported lazily).
"""

from kreg import conventions, datasets, penalties, plots, proximal, report
from kreg._version import __version__
from kreg.compare import ComparisonResult, compare
from kreg.datasets import make_moons
from kreg.history import WeightHistory, WeightStats
from kreg.penalties import l1_penalty, l2_penalty
from kreg.proximal import ProximalAdam, ProximalSGD
from kreg.regularizers import L1, L1L2, L2, regularize
from kreg.sweep import SweepResult, sweep

__all__ = [
    "ComparisonResult",
    "L1",
    "L1L2",
    "L2",
    "ProximalAdam",
    "ProximalSGD",
    "SweepResult",
    "WeightHistory",
    "WeightStats",
    "__version__",
    "compare",
    "conventions",
    "datasets",
    "l1_penalty",
    "l2_penalty",
    "make_moons",
    "penalties",
    "plots",
    "proximal",
    "regularize",
    "report",
    "sweep",
]
