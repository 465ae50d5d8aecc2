"""The penalty terms of kreg, as pure functions on tensors.

Everything else in kreg (the regularizer classes, the comparison engine, the
reports) calls these functions, so the formulas live here and nowhere else::

    l2_penalty(w, lam, n) = lam / (2 n) * sum(w ** 2)
    l1_penalty(w, lam, n) = lam / (2 n) * sum(|w|)
    group_l1_penalty(w, lam, n, groups) = lam / (2 n) * sum_g sqrt(p_g) * ||w_g||

``n`` is the number of training examples (not the batch size); :mod:`kreg.conventions`
gives the equal Keras, PyTorch and scikit-learn settings. The sums are accumulated
in float32 (float64 for float64 weights), whatever the dtype of ``w``, so that
float16 and bfloat16 weights give the true finite value. Each function returns a
scalar tensor of that dtype, exactly 0 when ``lam == 0`` (computed without reading
``w``, only its dtype), and raises ``ValueError`` if ``lam`` is negative, NaN or
infinite, ``n < 1`` or ``lam / (2 n)`` exceeds the float32 maximum
(``check_factor``), and ``TypeError`` if ``lam`` is not a real number, ``n`` not an
integer or ``w`` not a tensor or array of floats or integers (``check_weights``;
integers are cast to float32).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import keras
from keras import ops

from kreg._validation import (
    FLOAT32_MAX,
    _fail,
    _fail_array,
    check_choice,
    check_n,
    check_nonnegative,
)

_WEIGHTS_EXPECTED = (
    "a tensor or array of floats or integers (integers are cast to float32), "
    "not bool, complex or string"
)


def accumulation_dtype(dtype: Any) -> str:
    """Return the dtype penalties are summed in: float64 for float64, else float32."""
    return (
        "float64" if keras.backend.standardize_dtype(dtype) == "float64" else "float32"
    )


def scale(lam: float, n: int) -> float:
    """Return the factor ``lam / (2 n)`` that multiplies both penalty sums."""
    return lam / (2.0 * n)


def check_factor(name: str, lam: Any, n: Any) -> None:
    """Raise unless ``lam`` (named ``name``) is a finite number >= 0, ``n`` an
    integer >= 1 and ``lam / (2 n)`` at most the float32 maximum (about 3.4e38),
    above which the penalty of any nonzero weight would be ``inf``.

    Examples:
        >>> check_factor("lam", 0.16, 80)
        >>> check_factor("lam", 1e308, 80)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: Invalid value for argument `lam`: ... = 6.25e+305: ...
    """
    lam = check_nonnegative(name, lam)
    n = check_n(n)
    factor = scale(lam, n)
    if factor > FLOAT32_MAX:
        _fail(
            name,
            f"a finite number >= 0 whose factor {name} / (2 n) is at most the "
            f"float32 maximum {FLOAT32_MAX!r} (with n={n}, {name} / (2 n) = "
            f"{factor!r}: the penalty of any nonzero weight would be inf)",
            lam,
        )


def check_weights(name: str, w: Any) -> str:
    """Return the Keras dtype name of ``w`` (``"float32"``, ``"int64"``, ...) if
    it holds floats or integers, else raise ``TypeError`` naming ``name``.

    Only the dtype is read, so the check is free in a training step and works on
    symbolic tensors; Python scalars and lists are converted to find it.
    """
    dtype = _keras_dtype(w)
    if dtype is None or not (
        keras.backend.is_float_dtype(dtype) or keras.backend.is_int_dtype(dtype)
    ):
        _fail_array(name, _WEIGHTS_EXPECTED, w)
    return dtype


def _keras_dtype(w: Any) -> str | None:
    """The Keras name of ``w``'s dtype; None if it has none Keras knows."""
    dtype = getattr(w, "dtype", None)
    if dtype is None:
        if w is None or isinstance(w, (str, bytes)):
            return None
        try:
            dtype = ops.convert_to_tensor(w).dtype
        except (TypeError, ValueError):  # a dict, an arbitrary object
            return None
    try:
        return keras.backend.standardize_dtype(dtype)
    except ValueError:  # NumPy str, object, datetime: no Keras dtype
        return None


def _penalty(
    w: Any,
    lam: Any,
    n: Any,
    penalty: Callable[[Any, float], Any],
    kernel: bool = False,
) -> Any:
    """``penalty(w, lam / (2 n))``, ``w`` checked (a ``kernel`` of rank >= 2) and
    cast to its accumulation dtype; 0 for ``lam == 0`` without reading ``w``."""
    check_factor("lam", lam, n)
    dtype = accumulation_dtype(check_weights("w", w))
    w = _check_kernel(w) if kernel else w
    if float(lam) == 0:
        return ops.zeros((), dtype=dtype)
    w = ops.cast(ops.convert_to_tensor(w), dtype)
    return penalty(w, scale(float(lam), int(n)))


def l2_penalty(w: Any, lam: float, n: int) -> Any:
    """L2 penalty with the lecture's scaling: ``lam / (2 n) * sum(w ** 2)``.

    Its gradient is ``(lam / n) * w``: a plain gradient-descent step with learning
    rate ``lr`` multiplies each weight by ``1 - lr * lam / n`` (weight decay).

    Args:
        w: A tensor or array of floats or integers, any shape.
        lam: The regularization strength lambda, a finite number >= 0.
        n: The number of training examples, an integer >= 1.

    Returns:
        A scalar tensor, float32 (float64 when ``w`` is float64).

    Examples:
        >>> import numpy as np
        >>> round(float(l2_penalty(np.array([1.0, -2.0, 3.0]), lam=0.5, n=10)), 6)
        0.35
    """
    return _penalty(w, lam, n, lambda w, factor: factor * ops.sum(ops.square(w)))


def magnitude(w: Any) -> Any:
    """``|w|`` as ``w * sign(w)``: its gradient is ``sign(w)`` (0 at 0) on every
    backend, where that of ``ops.abs`` is 1 at 0 on JAX; the proximal optimizers
    take exactly ``c * sign(w)`` out of the gradient."""
    return w * ops.sign(w)


def l1_penalty(w: Any, lam: float, n: int) -> Any:
    """L1 penalty with the lecture's scaling: ``lam / (2 n) * sum(|w|)``.

    Its (sub)gradient is ``lam / (2 n) * sign(w)``, a constant pull toward zero:
    under plain gradient descent the weights oscillate around zero rather than
    land on it (``kreg.L1(..., proximal=True)`` gives exact zeros).

    Args:
        w: A tensor or array of floats or integers, any shape.
        lam: The regularization strength lambda, a finite number >= 0.
        n: The number of training examples, an integer >= 1.

    Returns:
        A scalar tensor, float32 (float64 when ``w`` is float64).

    Examples:
        >>> w = [1.0, -2.0, 3.0]
        >>> round(float(l1_penalty(w, lam=0.5, n=10)), 6), float(l1_penalty(w, 0, 10))
        (0.15, 0.0)
    """
    return _penalty(w, lam, n, lambda w, factor: factor * ops.sum(magnitude(w)))


#: The groups of ``group_norms``: a unit's incoming weights, an input's outgoing ones.
GROUPS = ("units", "inputs")


def group_axes(rank: int, groups: str) -> tuple[int, ...]:
    """The kernel axes one group spans: all but the last (``"units"``) or all but
    the second to last (``"inputs"``) of a kernel of rank >= 2."""
    kept = rank - 1 if groups == "units" else rank - 2
    return tuple(axis for axis in range(rank) if axis != kept)


def _check_kernel(w: Any) -> Any:
    """``w`` as a tensor if it has rank >= 2."""
    if len(getattr(w, "shape", None) or ops.shape(ops.convert_to_tensor(w))) < 2:
        _fail_array("w", "a kernel of rank >= 2 (inputs x units)", w, ValueError)
    return ops.convert_to_tensor(w)


def _norms(w: Any, axes: tuple[int, ...], keepdims: bool = False) -> Any:
    """Euclidean norms over ``axes``, with gradient 0 (not NaN) where a norm is 0."""
    squares = ops.sum(ops.square(w), axis=axes, keepdims=keepdims)
    positive = squares > 0
    return ops.where(positive, ops.sqrt(ops.where(positive, squares, 1)), 0)


def group_subgradient(w: Any, strength: Any, axes: tuple[int, ...]) -> Any:
    """``strength * sqrt(p_g) * w_g / ||w_g||`` for the groups spanning ``axes``
    (0 for a group at 0): the gradient of the group-lasso penalty. ``strength``
    is ``lam / (2 n)``, or an array broadcastable to ``w`` (one per slice)."""
    norms = _norms(w, axes, keepdims=True)
    inverse = ops.where(norms > 0, 1 / ops.where(norms > 0, norms, 1), 0)
    return group_weight(w, strength, axes) * w * inverse


def group_weight(w: Any, strength: Any, axes: tuple[int, ...]) -> Any:
    """``strength * sqrt(p_g)``, ``p_g`` the size of a group spanning ``axes``."""
    size = math.prod(int(w.shape[axis]) for axis in axes)
    return ops.cast(strength, w.dtype) * ops.cast(math.sqrt(size), w.dtype)


def group_norms(w: Any, groups: str = "units") -> Any:
    """The Euclidean norm ``||w_g||_2`` of each group of a kernel.

    A kernel's last axis indexes its units and its second to last its inputs (a
    Dense kernel is ``(inputs, units)``, a Conv2D kernel ``(height, width, input
    channels, filters)``). A group is one unit's incoming weights
    (``groups="units"``: a column of a Dense kernel, a whole filter) or one input's
    outgoing weights (``groups="inputs"``: a row, one input channel of every
    filter).

    Args:
        w: A kernel of floats or integers, rank >= 2 (else ``ValueError``).
        groups: ``"units"`` or ``"inputs"``.

    Returns:
        A vector of float32 (float64 for float64 ``w``), one norm per unit or input.

    Examples:
        >>> import numpy as np
        >>> w = np.array([[3.0, 0.0], [4.0, 0.0]])
        >>> np.asarray(group_norms(w, "units")).tolist()
        [5.0, 0.0]
        >>> np.asarray(group_norms(w, "inputs")).tolist()
        [3.0, 4.0]
    """
    check_choice("groups", groups, GROUPS)
    dtype = accumulation_dtype(check_weights("w", w))
    w = ops.cast(_check_kernel(w), dtype)
    return _norms(w, group_axes(len(w.shape), groups))


def group_l1_penalty(w: Any, lam: float, n: int, groups: str = "units") -> Any:
    """Group-lasso penalty: ``lam / (2 n) * sum_g sqrt(p_g) * ||w_g||_2``.

    The groups are a kernel's units or inputs (:func:`group_norms`), ``p_g`` a
    group's number of weights, so that groups of different sizes are penalized
    alike (Yuan and Lin, 2006). With one-weight groups this is
    :func:`l1_penalty`; with a proximal step it sets whole units or inputs exactly
    to zero. Its gradient is ``lam / (2 n) * sqrt(p_g) * w_g / ||w_g||`` (0 for a
    group at 0).

    Args:
        w: A kernel of floats or integers, rank >= 2 (else ``ValueError``).
        lam: The regularization strength lambda, a finite number >= 0.
        n: The number of training examples, an integer >= 1.
        groups: ``"units"`` or ``"inputs"``.

    Returns:
        A scalar tensor, float32 (float64 when ``w`` is float64).

    Examples:
        >>> import numpy as np
        >>> w = np.array([[3.0, 0.0], [4.0, 0.0]])  # unit norms 5 and 0, p_g = 2
        >>> round(float(group_l1_penalty(w, lam=0.5, n=10)), 6)  # 0.025 * 5 * 2**0.5
        0.176777
    """
    check_choice("groups", groups, GROUPS)

    def penalty(w: Any, factor: float) -> Any:
        # sum(w * g) with g the gradient held constant: the value is the penalty
        # (sqrt(p_g) ||w_g||^2 / ||w_g|| per group) and the gradient is exactly g,
        # the very tensor the proximal optimizers take back out of the gradient.
        g = group_subgradient(w, factor, group_axes(len(w.shape), groups))
        return ops.sum(w * ops.stop_gradient(g))

    return _penalty(w, lam, n, penalty, kernel=True)
