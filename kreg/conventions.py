"""Conversions between a kreg lambda and Keras, PyTorch and scikit-learn settings.

kreg writes the penalties with the lecture's scaling, where ``n`` is the number of
training examples (rows of the training set, not the batch size)::

    L2(lam, n):  lam / (2 n) * sum(w ** 2)        gradient (lam / n) * w
    L1(lam, n):  lam / (2 n) * sum(|w|)           gradient lam / (2 n) * sign(w)

Other libraries put the constants elsewhere. Each row gives the setting that makes
the same training objective (for optimizer weight decay: the same update) as kreg's
``L2(lam, n)`` or ``L1(lam, n)``; ``r = y - X w - b`` are the residuals of a linear
model trained with Keras ``loss="mse"``:

| Setting | Penalty or update it adds | Equal to kreg when |
|---|---|---|
| Keras `regularizers.L2(l2)` | `l2 * sum(w**2)` | `l2 = lam / (2n)` |
| Keras `regularizers.L1(l1)` | `l1 * sum(abs(w))` | `l1 = lam / (2n)` |
| Keras optimizer `weight_decay=wd` | `w <- w - lr * wd * w` | `wd = lam / n` (SGD) |
| PyTorch `SGD(weight_decay=wd)` | `wd * w` added to the gradient | `wd = lam / n` |
| sklearn `Ridge(alpha)` | `sum(r**2) + alpha * sum(w**2)` | `alpha = lam / 2` |
| sklearn `Lasso(alpha)` | `sum(r**2)/(2n) + alpha*sum(abs(w))` | `alpha = lam/(4n)` |

The functions, each with an inverse named ``lam_from_...``: ``keras_factor``,
``sgd_weight_decay``, ``torch_weight_decay``, ``ridge_alpha``, ``lasso_alpha``.
``to_keras`` and ``from_keras`` translate whole regularizer objects.

The limits of each equivalence are stated in the function's docstring. The most
important one: an optimizer's ``weight_decay`` equals an L2 penalty only where the
decay enters the update exactly as the penalty's gradient would. That is the case
for Keras' decoupled decay under plain SGD without momentum, and for PyTorch's
coupled decay (``SGD``, ``Adam``); it is not the case for Keras' decay under
momentum, Adam or any other adaptive optimizer, nor for ``AdamW`` anywhere.
"""

from __future__ import annotations

import warnings
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg._validation import _fail, check_int, check_nonnegative
from kreg.regularizers import L1, L1L2, L2

__all__ = [
    "from_keras",
    "keras_factor",
    "lam_from_keras_factor",
    "lam_from_lasso_alpha",
    "lam_from_ridge_alpha",
    "lam_from_sgd_weight_decay",
    "lam_from_torch_weight_decay",
    "lasso_alpha",
    "ridge_alpha",
    "sgd_weight_decay",
    "to_keras",
    "torch_weight_decay",
]

_N_WHAT = "the number of training examples"
_OUTPUTS_WHAT = "the number of model outputs"


def _lam(lam: Any) -> float:
    return check_nonnegative("lam", lam)


def _n(n: Any) -> int:
    return check_int("n", n, what=_N_WHAT)


def _n_outputs(n_outputs: Any) -> int:
    return check_int("n_outputs", n_outputs, what=_OUTPUTS_WHAT)


# --------------------------------------------------------------------------------------
# Keras regularizer factor
# --------------------------------------------------------------------------------------


def keras_factor(lam: float, n: int) -> float:
    """Return the Keras regularizer factor equal to a kreg lambda: ``lam / (2 n)``.

    Keras writes its penalties without the ``1/2`` and without ``n``:
    ``keras.regularizers.L2(l2)`` adds ``l2 * sum(w ** 2)`` and
    ``keras.regularizers.L1(l1)`` adds ``l1 * sum(|w|)``. So ``kreg.L2(lam, n)`` is
    ``keras.regularizers.L2(lam / (2 n))`` and ``kreg.L1(lam, n)`` is
    ``keras.regularizers.L1(lam / (2 n))``: the same factor for both. The equality is
    exact for L2; Keras stores the ``L1`` factor as a float32, so there it holds to
    float32 precision (about 7 significant digits).

    Args:
        lam: The kreg regularization strength lambda, a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        The factor ``lam / (2 n)`` as a Python float.

    Raises:
        ValueError: If ``lam`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``lam`` is not a real number or ``n`` is not an integer.

    Examples:
        >>> keras_factor(0.16, n=80)
        0.001
        >>> reg = keras.regularizers.L2(keras_factor(0.16, n=80))
    """
    lam = _lam(lam)
    return lam / (2.0 * _n(n))


def lam_from_keras_factor(factor: float, n: int) -> float:
    """Return the kreg lambda equal to a Keras regularizer factor: ``2 n * factor``.

    The inverse of ``keras_factor``, for ``keras.regularizers.L1(factor)``,
    ``keras.regularizers.L2(factor)`` and each part of ``L1L2``. ``n`` is the number
    of training examples of the model the factor was used with.

    Args:
        factor: The Keras factor (``l1`` or ``l2``), a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        The kreg lambda ``2 n * factor`` as a Python float.

    Raises:
        ValueError: If ``factor`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``factor`` is not a real number or ``n`` is not an integer.

    Examples:
        >>> lam_from_keras_factor(0.001, n=80)
        0.16
    """
    factor = check_nonnegative("factor", factor)
    return 2.0 * _n(n) * factor


# --------------------------------------------------------------------------------------
# Optimizer weight decay
# --------------------------------------------------------------------------------------


def sgd_weight_decay(lam: float, n: int) -> float:
    """Return the Keras optimizer ``weight_decay`` equal to ``L2(lam, n)``: ``lam / n``.

    Keras 3 optimizers apply ``weight_decay=wd`` as ``w <- w - lr * wd * w`` just
    before each update step, ``lr`` being the current (scheduled) learning rate. A
    plain SGD step on the loss with ``kreg.L2(lam, n)`` is
    ``w <- w - lr * (dLoss/dw + (lam / n) * w)``, the same update when
    ``wd = lam / n``.

    Limits:

    - Plain SGD only (``keras.optimizers.SGD`` with ``momentum=0``). Keras' decay is
      decoupled: it never enters the momentum buffer or Adam's moment estimates, so
      under momentum, Nesterov, Adam, AdamW, RMSprop, ... the result is *not* an L2
      penalty (the trajectories differ).
    - The decay hits every trainable variable, biases included, while a kreg
      regularizer sits on the kernels it is attached to. Exclude the rest before the
      optimizer is built, e.g.
      ``optimizer.exclude_from_weight_decay(var_names=["bias"])``.
    - The penalty itself is not part of the reported loss, unlike with ``kreg.L2``.

    Args:
        lam: The kreg regularization strength lambda, a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        The Keras optimizer's ``weight_decay``, ``lam / n``, as a Python float.

    Raises:
        ValueError: If ``lam`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``lam`` is not a real number or ``n`` is not an integer.

    Examples:
        >>> sgd_weight_decay(0.16, n=80)
        0.002
        >>> opt = keras.optimizers.SGD(0.1, weight_decay=sgd_weight_decay(0.16, n=80))
        >>> opt.exclude_from_weight_decay(var_names=["bias"])
    """
    lam = _lam(lam)
    return lam / _n(n)


def lam_from_sgd_weight_decay(weight_decay: float, n: int) -> float:
    """Return the kreg lambda equal to a Keras SGD ``weight_decay``: ``n * wd``.

    The inverse of ``sgd_weight_decay``, with the same limits: the equality with an L2
    penalty holds under plain SGD without momentum only, and for the variables the
    decay is applied to (biases included unless excluded).

    Args:
        weight_decay: The optimizer's ``weight_decay``, a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        The kreg lambda ``n * weight_decay`` as a Python float.

    Raises:
        ValueError: If ``weight_decay`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``weight_decay`` is not a real number or ``n`` not an integer.

    Examples:
        >>> lam_from_sgd_weight_decay(0.002, n=80)
        0.16
    """
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    return _n(n) * weight_decay


def torch_weight_decay(lam: float, n: int) -> float:
    """Return the PyTorch ``weight_decay`` equal to ``L2(lam, n)``: ``lam / n``.

    ``torch.optim.SGD(params, lr, weight_decay=wd)`` adds ``wd * w`` to the gradient
    of the (batch-mean) loss before the momentum and update steps. That is the
    gradient of ``wd / 2 * sum(w ** 2)``, the gradient of ``kreg.L2(lam, n)`` when
    ``wd = lam / n``.

    Limits:

    - Because this decay is added to the gradient (coupled), it equals the L2
      penalty under SGD with or without momentum and under ``torch.optim.Adam``.
      ``torch.optim.AdamW`` decays decoupled (``w <- w - lr * wd * w``), which is
      not an L2 penalty.
    - It applies to every parameter of the parameter group, biases included; put
      biases in a group with ``weight_decay=0`` to match kreg.
    - The loss must be a mean over the batch (PyTorch's default
      ``reduction="mean"``), as Keras losses are.

    Args:
        lam: The kreg regularization strength lambda, a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        PyTorch's ``weight_decay``, ``lam / n`` (the same number as
        ``sgd_weight_decay``), as a Python float.

    Raises:
        ValueError: If ``lam`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``lam`` is not a real number or ``n`` is not an integer.

    Examples:
        >>> torch_weight_decay(0.16, n=80)
        0.002
    """
    return sgd_weight_decay(lam, n)


def lam_from_torch_weight_decay(weight_decay: float, n: int) -> float:
    """Return the kreg lambda equal to a PyTorch ``weight_decay``: ``n * weight_decay``.

    The inverse of ``torch_weight_decay``, with the same limits (coupled decay of
    ``torch.optim.SGD`` or ``Adam``, not ``AdamW``; biases decayed unless in a group
    of their own).

    Args:
        weight_decay: PyTorch's ``weight_decay``, a finite number >= 0.
        n: The number of training examples (not the batch size), an integer >= 1.

    Returns:
        The kreg lambda ``n * weight_decay`` (the same number as
        ``lam_from_sgd_weight_decay``), as a Python float.

    Raises:
        ValueError: If ``weight_decay`` is negative, NaN or infinite, or ``n < 1``.
        TypeError: If ``weight_decay`` is not a real number or ``n`` not an integer.

    Examples:
        >>> lam_from_torch_weight_decay(0.002, n=80)
        0.16
    """
    return lam_from_sgd_weight_decay(weight_decay, n)


# --------------------------------------------------------------------------------------
# scikit-learn linear models
# --------------------------------------------------------------------------------------


def ridge_alpha(lam: float, *, n_outputs: int = 1) -> float:
    """Return the scikit-learn ``Ridge`` alpha equal to ``L2(lam, n)``: ``lam / 2``.

    scikit-learn's ``Ridge(alpha)`` minimizes the sum (not the mean) of squares
    ``||y - X w - b||^2 + alpha * ||w||^2``. A Keras linear model (``Dense`` without
    activation) trained with ``loss="mse"`` and ``kreg.L2(lam, n)`` on its kernel
    minimizes ``(1 / n) ||y - X w - b||^2 + lam / (2 n) * ||w||^2``; multiplied by
    ``n`` this is the Ridge objective with ``alpha = lam / 2``, whatever ``n`` is.
    With ``n_outputs = k`` outputs, Keras' ``mse`` also averages over the outputs, so
    ``alpha = k * lam / 2``.

    Limits: the objectives agree for a linear model with the mean squared error and
    an unregularized bias (``Ridge(fit_intercept=True)``; kreg regularizes kernels
    only) and no sample weights. ``Ridge`` returns the exact minimizer; the Keras
    model reaches it only when training has converged (full-batch gradient descent
    does; minibatch SGD with a fixed learning rate only approximately).

    Args:
        lam: The kreg regularization strength lambda, a finite number >= 0.
        n_outputs: The number of model outputs (columns of ``y``), an integer >= 1.

    Returns:
        The Ridge ``alpha`` ``n_outputs * lam / 2`` as a Python float.

    Raises:
        ValueError: If ``lam`` is negative, NaN or infinite, or ``n_outputs < 1``.
        TypeError: If ``lam`` is not a real number or ``n_outputs`` not an integer.

    Examples:
        >>> ridge_alpha(0.16)
        0.08
        >>> ridge_alpha(0.16, n_outputs=3)
        0.24
    """
    lam = _lam(lam)
    return _n_outputs(n_outputs) * lam / 2.0


def lam_from_ridge_alpha(alpha: float, *, n_outputs: int = 1) -> float:
    """Return the kreg lambda equal to a scikit-learn ``Ridge`` alpha: ``2 alpha``.

    The inverse of ``ridge_alpha`` (``lam = 2 * alpha / n_outputs``), for a linear
    Keras model trained with ``loss="mse"``, with the same limits. The result does not
    depend on the number of training examples.

    Args:
        alpha: The ``Ridge`` alpha, a finite number >= 0.
        n_outputs: The number of model outputs (columns of ``y``), an integer >= 1.

    Returns:
        The kreg lambda ``2 * alpha / n_outputs`` as a Python float.

    Raises:
        ValueError: If ``alpha`` is negative, NaN or infinite, or ``n_outputs < 1``.
        TypeError: If ``alpha`` is not a real number or ``n_outputs`` not an
            integer.

    Examples:
        >>> lam_from_ridge_alpha(0.08)
        0.16
    """
    alpha = check_nonnegative("alpha", alpha)
    return 2.0 * alpha / _n_outputs(n_outputs)


def lasso_alpha(lam: float, n: int, *, n_outputs: int = 1) -> float:
    """Return the scikit-learn ``Lasso`` alpha equal to ``L1(lam, n)``: ``lam / (4 n)``.

    scikit-learn's ``Lasso(alpha)`` minimizes
    ``(1 / (2 n)) ||y - X w - b||^2 + alpha * ||w||_1``. A Keras linear model trained
    with ``loss="mse"`` and ``kreg.L1(lam, n)`` on its kernel minimizes
    ``(1 / n) ||y - X w - b||^2 + lam / (2 n) * ||w||_1``; halved, this is the Lasso
    objective with ``alpha = lam / (4 n)``. With ``n_outputs = k`` outputs Keras'
    ``mse`` also averages over the outputs, so ``alpha = k * lam / (4 n)``.

    Limits: as for ``ridge_alpha`` (linear model, mean squared error, unregularized
    bias, converged training). In addition, plain gradient descent on an L1 penalty
    oscillates around zero instead of landing on it, so coefficients that the Lasso
    sets exactly to zero come out small but nonzero; the nonzero ones agree.

    Args:
        lam: The kreg regularization strength lambda, a finite number >= 0.
        n: The number of training examples, an integer >= 1.
        n_outputs: The number of model outputs (columns of ``y``), an integer >= 1.

    Returns:
        The Lasso ``alpha`` ``n_outputs * lam / (4 n)`` as a Python float.

    Raises:
        ValueError: If ``lam`` is negative, NaN or infinite, or ``n`` or
            ``n_outputs`` is < 1.
        TypeError: If ``lam`` is not a real number or ``n`` or ``n_outputs`` is not
            an integer.

    Examples:
        >>> lasso_alpha(0.16, n=80)
        0.0005
    """
    lam, n = _lam(lam), _n(n)
    return _n_outputs(n_outputs) * lam / (4.0 * n)


def lam_from_lasso_alpha(alpha: float, n: int, *, n_outputs: int = 1) -> float:
    """Return the kreg lambda equal to a scikit-learn ``Lasso`` alpha: ``4 n alpha``.

    The inverse of ``lasso_alpha`` (``lam = 4 n * alpha / n_outputs``), for a linear
    Keras model trained with ``loss="mse"``, with the same limits.

    Args:
        alpha: The ``Lasso`` alpha, a finite number >= 0.
        n: The number of training examples, an integer >= 1.
        n_outputs: The number of model outputs (columns of ``y``), an integer >= 1.

    Returns:
        The kreg lambda ``4 n * alpha / n_outputs`` as a Python float.

    Raises:
        ValueError: If ``alpha`` is negative, NaN or infinite, or ``n`` or
            ``n_outputs`` is < 1.
        TypeError: If ``alpha`` is not a real number or ``n`` or ``n_outputs`` is
            not an integer.

    Examples:
        >>> lam_from_lasso_alpha(0.0005, n=80)
        0.16
    """
    alpha = check_nonnegative("alpha", alpha)
    return 4.0 * _n(n) * alpha / _n_outputs(n_outputs)


# --------------------------------------------------------------------------------------
# Regularizer objects
# --------------------------------------------------------------------------------------


def _keras_float(value: Any) -> float:
    """Return a Keras factor as a Python float, undoing float32 storage.

    Keras ``L1`` keeps its factor as a float32 tensor (``L1(0.01)`` holds
    0.009999999776482582). The shortest decimal that rounds to the same float32 is
    the value the user typed (``0.01``); it is within float32 precision either way.
    """
    value = to_numpy(value)[()]
    if value.dtype == np.float32:
        return float(np.format_float_scientific(value, unique=True))
    return float(value)


_FLOAT32_TINY = float(np.finfo(np.float32).tiny)
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def _keras_factor_checked(lam: float, n: int) -> float:
    """``keras_factor`` with a warning when float32 cannot hold the factor."""
    factor = keras_factor(lam, n)
    if factor != 0 and not _FLOAT32_TINY <= factor <= _FLOAT32_MAX:
        warnings.warn(
            f"The Keras factor lam / (2 n) = {factor!r} is outside the normal float32 "
            f"range [{_FLOAT32_TINY!r}, {_FLOAT32_MAX!r}]. Keras "
            "computes penalties in the weights' dtype (and stores the L1 factor as "
            "float32), so the Keras regularizer will not give kreg's penalty.",
            stacklevel=3,
        )
    return factor


def to_keras(reg: L1 | L2 | L1L2) -> keras.regularizers.Regularizer:
    """Return the Keras built-in regularizer that equals a kreg regularizer.

    Each factor is ``lam / (2 n)`` (see ``keras_factor``):

    - ``kreg.L1(lam, n)`` -> ``keras.regularizers.L1(lam / (2 n))``
    - ``kreg.L2(lam, n)`` -> ``keras.regularizers.L2(lam / (2 n))``
    - ``kreg.L1L2(l1, l2, n)`` ->
      ``keras.regularizers.L1L2(l1=l1 / (2 n), l2=l2 / (2 n))``

    The Keras object no longer knows ``n``; ``from_keras(result, n)`` gives the kreg
    regularizer back. Keras stores the ``L1`` factor as a float32 and computes
    penalties in the weights' dtype (float16 weights can overflow to ``inf``), so the
    penalties agree to float32 precision for float32 weights. A factor outside the
    normal float32 range (below about 1.2e-38 or above 3.4e38) cannot be carried
    over and gives a warning.

    Keras has no proximal step: for a regularizer made with ``proximal=True`` the
    Keras one adds the same penalty but trains it with the plain subgradient, so
    weights no longer land exactly on zero; a warning says so.

    Args:
        reg: A ``kreg.L1``, ``kreg.L2`` or ``kreg.L1L2`` instance.

    Returns:
        A ``keras.regularizers.L1``, ``L2`` or ``L1L2`` instance.

    Raises:
        TypeError: If ``reg`` is not a kreg ``L1``, ``L2`` or ``L1L2``.

    Warns:
        UserWarning: If a factor ``lam / (2 n)`` is nonzero but outside the normal
            float32 range, or if ``reg`` was made with ``proximal=True``.

    Examples:
        >>> import kreg
        >>> to_keras(kreg.L2(0.16, n=80)).get_config()
        {'l2': 0.001}
    """
    if isinstance(reg, (L1, L1L2)) and getattr(reg, "proximal", False):
        warnings.warn(
            f"{reg!r} has proximal=True, which Keras regularizers cannot express: "
            "the Keras regularizer adds the same penalty but trains it with the "
            "subgradient, so weights will not land exactly on zero.",
            stacklevel=2,
        )
    if isinstance(reg, L1L2):
        return keras.regularizers.L1L2(
            l1=_keras_factor_checked(reg.l1, reg.n),
            l2=_keras_factor_checked(reg.l2, reg.n),
        )
    if isinstance(reg, L2):
        return keras.regularizers.L2(_keras_factor_checked(reg.lam, reg.n))
    if isinstance(reg, L1):
        return keras.regularizers.L1(_keras_factor_checked(reg.lam, reg.n))
    _fail("reg", "a kreg L1, L2 or L1L2 regularizer", reg, TypeError)


def from_keras(keras_reg: keras.regularizers.Regularizer, n: int) -> L1 | L2 | L1L2:
    """Return the kreg regularizer that equals a Keras built-in one.

    Each lambda is ``2 n * factor`` (see ``lam_from_keras_factor``):

    - ``keras.regularizers.L1(l1)`` -> ``kreg.L1(2 n * l1, n)``
    - ``keras.regularizers.L2(l2)`` -> ``kreg.L2(2 n * l2, n)``
    - ``keras.regularizers.L1L2(l1, l2)`` -> ``kreg.L1L2(2 n * l1, 2 n * l2, n)``,
      also when one of the two parts is zero.

    Keras ``L1`` stores its factor as a float32 (``L1(0.01)`` holds
    0.009999999776482582); the factor is read back as the shortest decimal with the
    same float32 value (``0.01``), so round numbers stay round. The result is made
    with ``proximal=False``, the training Keras' regularizers do.

    Args:
        keras_reg: A ``keras.regularizers.L1``, ``L2`` or ``L1L2`` instance.
        n: The number of training examples of the model the regularizer is for (not
            the batch size), an integer >= 1.

    Returns:
        A ``kreg.L1``, ``kreg.L2`` or ``kreg.L1L2`` instance.

    Raises:
        TypeError: If ``keras_reg`` is not a Keras ``L1``, ``L2`` or ``L1L2``
            (kreg regularizers included), or ``n`` is not an integer.
        ValueError: If ``n < 1``.

    Examples:
        >>> from_keras(keras.regularizers.L1(0.001), n=80)
        L1(lam=0.16, n=80)
    """
    if isinstance(keras_reg, keras.regularizers.L1L2):
        n = _n(n)
        return L1L2(
            lam_from_keras_factor(_keras_float(keras_reg.l1), n),
            lam_from_keras_factor(_keras_float(keras_reg.l2), n),
            n,
        )
    if isinstance(keras_reg, keras.regularizers.L2):
        n = _n(n)
        return L2(lam_from_keras_factor(_keras_float(keras_reg.l2), n), n)
    if isinstance(keras_reg, keras.regularizers.L1):
        n = _n(n)
        return L1(lam_from_keras_factor(_keras_float(keras_reg.l1), n), n)
    _fail(
        "keras_reg",
        "a keras.regularizers.L1, L2 or L1L2 instance",
        keras_reg,
        TypeError,
    )
