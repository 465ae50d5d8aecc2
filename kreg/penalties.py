"""The penalty terms of kreg, as pure functions on tensors.

Everything else in kreg (the regularizer classes, the comparison engine, the
reports) calls these two functions, so the formulas live here and nowhere else::

    l2_penalty(w, lam, n) = lam / (2 n) * sum(w ** 2)
    l1_penalty(w, lam, n) = lam / (2 n) * sum(|w|)

``n`` is the number of training examples. The sums are accumulated in float32
(float64 for float64 weights), whatever the dtype of ``w``, so that float16 and
bfloat16 weights give the true finite value.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from kreg._validation import check_int, check_nonnegative


def accumulation_dtype(dtype: Any) -> str:
    """Return the dtype penalties are summed in: float64 for float64, else float32."""
    return (
        "float64" if keras.backend.standardize_dtype(dtype) == "float64" else "float32"
    )


def scale(lam: float, n: int) -> float:
    """Return the factor ``lam / (2 n)`` that multiplies both penalty sums."""
    return lam / (2.0 * n)


def _as_float(w: Any):
    w = ops.convert_to_tensor(w)
    return ops.cast(w, accumulation_dtype(w.dtype))


def _zero(w: Any):
    dtype = accumulation_dtype(getattr(w, "dtype", "float32"))
    return ops.zeros((), dtype=dtype)


def l2_penalty(w: Any, lam: float, n: int) -> Any:
    """L2 penalty with the lecture's scaling: ``lam / (2 n) * sum(w ** 2)``.

    Its gradient is ``(lam / n) * w``, so one plain gradient-descent step with
    learning rate ``lr`` multiplies each weight by ``1 - lr * lam / n`` before the
    data-gradient step: weight decay.

    The same penalty is Keras' ``keras.regularizers.L2(lam / (2 n))``, PyTorch's
    ``SGD(weight_decay=lam / n)`` under plain SGD, and scikit-learn's
    ``Ridge(alpha=lam / 2)`` for a model trained on the mean squared error.

    Args:
        w: A tensor or array of any shape and floating dtype.
        lam: The regularization strength lambda, a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        A scalar tensor, float32 (float64 when ``w`` is float64). It is exactly 0
        when ``lam == 0``, computed without touching ``w``.

    Raises:
        ValueError: If ``lam`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``lam`` is not a real number or ``n`` not an integer.

    Examples:
        >>> import numpy as np
        >>> round(float(l2_penalty(np.array([1.0, -2.0, 3.0]), lam=0.5, n=10)), 6)
        0.35
    """
    lam = check_nonnegative("lam", lam)
    n = check_int("n", n, what="the number of training examples")
    if lam == 0:
        return _zero(w)
    return scale(lam, n) * ops.sum(ops.square(_as_float(w)))


def l1_penalty(w: Any, lam: float, n: int) -> Any:
    """L1 penalty with the lecture's scaling: ``lam / (2 n) * sum(|w|)``.

    Its (sub)gradient is ``lam / (2 n) * sign(w)``: a constant pull toward zero.
    Under plain gradient descent the weights oscillate around zero rather than
    land on it; see ``kreg.L1(..., proximal=True)`` for exact zeros.

    The same penalty is Keras' ``keras.regularizers.L1(lam / (2 n))`` and, for a
    model trained on the mean squared error, scikit-learn's
    ``Lasso(alpha=lam / (4 n))``.

    Args:
        w: A tensor or array of any shape and floating dtype.
        lam: The regularization strength lambda, a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        A scalar tensor, float32 (float64 when ``w`` is float64), exactly 0 when
        ``lam == 0``.

    Raises:
        ValueError: If ``lam`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``lam`` is not a real number or ``n`` not an integer.

    Examples:
        >>> import numpy as np
        >>> round(float(l1_penalty(np.array([1.0, -2.0, 3.0]), lam=0.5, n=10)), 6)
        0.15
    """
    lam = check_nonnegative("lam", lam)
    n = check_int("n", n, what="the number of training examples")
    if lam == 0:
        return _zero(w)
    return scale(lam, n) * ops.sum(ops.abs(_as_float(w)))
