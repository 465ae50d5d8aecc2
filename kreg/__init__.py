"""kreg: L1 and L2 weight regularization for Keras 3, correct, visible and fast.

The public API:

- ``L1``, ``L2``, ``L1L2``: kernel regularizers with the ``lam / (2 n)`` scaling.
- ``l1_penalty``, ``l2_penalty``: the penalty functions they call.
- ``regularize``: a copy of a built model whose kernels carry a regularizer.
- ``conventions``: conversions to and from Keras, PyTorch and scikit-learn settings.
"""

from kreg import penalties
from kreg._version import __version__
from kreg.penalties import l1_penalty, l2_penalty
from kreg.regularizers import L1, L1L2, L2, regularize

__all__ = [
    "L1",
    "L1L2",
    "L2",
    "__version__",
    "l1_penalty",
    "l2_penalty",
    "penalties",
    "regularize",
]
