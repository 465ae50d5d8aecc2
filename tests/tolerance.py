"""The one float32 tolerance of the suite, and the assertion that uses it.

float32 keeps a 24-bit significand: one unit in the last place (ulp) is
``2**-23 = 1.2e-7`` relative. Two code paths that compute the same quantity in
another order (a slot of one batched op against the op alone, XLA on or off,
oneDNN on or off, the AVX-512 kernels of one CPU against the AVX2 ones of another)
may round differently, by an ulp or a few per operation, and in a training run
each step's rounding feeds the next. For the short runs of this suite (tens of
steps on values of order 1) those differences stay below ``1e-6``; a real mistake
(a wrong factor, a missed step, two slots swapped) is orders of magnitude larger.

``ATOL = 1e-5`` (about 80 ulp at 1.0) and ``RTOL = 1e-5`` leave a margin of 10 over
the largest difference seen between code paths in the suite. Bit-equality is kept
only where the computation is literally the same (one function called twice on the
same inputs, a copy, a file read back).
"""

import numpy as np

#: Absolute tolerance for float32 values from two different code paths.
ATOL = 1e-5
#: Relative tolerance for float32 values from two different code paths.
RTOL = 1e-5


def assert_close(actual, desired, *, atol=ATOL, rtol=RTOL, err_msg=""):
    """``numpy.testing.assert_allclose`` with the suite's float32 tolerance."""
    np.testing.assert_allclose(actual, desired, atol=atol, rtol=rtol, err_msg=err_msg)
