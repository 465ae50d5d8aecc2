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
``sgd_weight_decay``, ``torch_weight_decay``, ``ridge_alpha``, ``lasso_alpha``;
``to_keras`` and ``from_keras`` translate regularizer objects. Each states the
limits of its equivalence (the guide "Conventions" derives them). The main one:
an optimizer's ``weight_decay`` equals an L2 penalty only where the decay enters
the update as the penalty's gradient would: Keras' decoupled decay under plain
SGD, PyTorch's coupled decay (``SGD``, ``Adam``); not Keras' decay under momentum
or Adam, nor ``AdamW`` anywhere.

Each strength (``lam``, ``factor``, ``weight_decay``, ``alpha``) must be a finite
real number >= 0 and ``n`` and ``n_outputs`` integers >= 1, else the functions
raise ``ValueError`` (a bad value) or ``TypeError`` (a bad type).
"""

from __future__ import annotations

import warnings
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg._validation import FLOAT32_MAX, _fail, check_int, check_n, check_nonnegative
from kreg.penalties import scale
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

_FLOAT32_TINY = float(np.finfo(np.float32).tiny)


def _n_outputs(n_outputs: Any) -> int:
    return check_int("n_outputs", n_outputs, what="the number of model outputs")


def keras_factor(lam: float, n: int) -> float:
    """Return the Keras regularizer factor equal to a kreg lambda: ``lam / (2 n)``.

    For ``keras.regularizers.L1``, ``L2`` and each part of ``L1L2`` (``L1`` to
    float32 precision: Keras stores its factor as a float32).

    Args:
        lam: The kreg regularization strength lambda.
        n: The number of training examples (not the batch size).

    Returns:
        The factor ``lam / (2 n)``.

    Examples:
        >>> keras_factor(0.16, n=80)
        0.001
        >>> reg = keras.regularizers.L2(keras_factor(0.16, n=80))
    """
    lam = check_nonnegative("lam", lam)
    return scale(lam, check_n(n))


def lam_from_keras_factor(factor: float, n: int) -> float:
    """Return the kreg lambda equal to a Keras regularizer factor: ``2 n * factor``.

    Args:
        factor: The Keras factor (``l1`` or ``l2``).
        n: The number of training examples of the model.

    Returns:
        The kreg lambda ``2 n * factor``.

    Examples:
        >>> lam_from_keras_factor(keras_factor(0.16, n=80), n=80)
        0.16
    """
    factor = check_nonnegative("factor", factor)
    return 2.0 * check_n(n) * factor


def sgd_weight_decay(lam: float, n: int) -> float:
    """Return the Keras optimizer ``weight_decay`` equal to ``L2(lam, n)``: ``lam / n``.

    Keras 3 applies ``weight_decay=wd`` as ``w <- w - lr * wd * w`` before each
    step. Limits: plain SGD only (the decay is decoupled: under momentum or Adam it
    is *not* an L2 penalty); it decays biases unless they are excluded; it is not
    part of the reported loss.

    Args:
        lam: The kreg regularization strength lambda.
        n: The number of training examples (not the batch size).

    Returns:
        The optimizer's ``weight_decay``, ``lam / n``.

    Examples:
        >>> sgd_weight_decay(0.16, n=80)
        0.002
        >>> opt = keras.optimizers.SGD(0.1, weight_decay=sgd_weight_decay(0.16, n=80))
        >>> opt.exclude_from_weight_decay(var_names=["bias"])
    """
    lam = check_nonnegative("lam", lam)
    return lam / check_n(n)


def lam_from_sgd_weight_decay(weight_decay: float, n: int) -> float:
    """Return the kreg lambda equal to a Keras SGD ``weight_decay`` (with the limits
    of :func:`sgd_weight_decay`): ``n * wd``.

    Args:
        weight_decay: The optimizer's ``weight_decay``.
        n: The number of training examples (not the batch size).

    Returns:
        The kreg lambda ``n * weight_decay``.

    Examples:
        >>> lam_from_sgd_weight_decay(0.002, n=80)
        0.16
    """
    weight_decay = check_nonnegative("weight_decay", weight_decay)
    return check_n(n) * weight_decay


def torch_weight_decay(lam: float, n: int) -> float:
    """Return the PyTorch ``weight_decay`` equal to ``L2(lam, n)``: ``lam / n``.

    PyTorch adds ``wd * w`` to the gradient of the batch-mean loss. Limits: this
    coupled decay is the L2 penalty under ``SGD`` (with or without momentum) and
    ``Adam``, not ``AdamW``; it decays biases unless they are in a group with
    ``weight_decay=0``.

    Args:
        lam: The kreg regularization strength lambda.
        n: The number of training examples (not the batch size).

    Returns:
        PyTorch's ``weight_decay``, ``lam / n`` (as :func:`sgd_weight_decay`).

    Examples:
        >>> torch_weight_decay(0.16, n=80)
        0.002
    """
    return sgd_weight_decay(lam, n)


def lam_from_torch_weight_decay(weight_decay: float, n: int) -> float:
    """Return the kreg lambda equal to a PyTorch ``weight_decay`` (with the limits
    of :func:`torch_weight_decay`): ``n * weight_decay``.

    Args:
        weight_decay: PyTorch's ``weight_decay``.
        n: The number of training examples (not the batch size).

    Returns:
        The kreg lambda ``n * weight_decay``.

    Examples:
        >>> lam_from_torch_weight_decay(torch_weight_decay(0.16, n=80), n=80)
        0.16
    """
    return lam_from_sgd_weight_decay(weight_decay, n)


def ridge_alpha(lam: float, *, n_outputs: int = 1) -> float:
    """Return the scikit-learn ``Ridge`` alpha equal to ``L2(lam, n)``: ``lam / 2``.

    A linear Keras model with ``loss="mse"`` and ``kreg.L2(lam, n)`` minimizes
    ``1 / n`` times Ridge's objective; with ``k`` outputs, which ``mse`` averages
    over, ``alpha = k * lam / 2``. Limits: a linear model, an unregularized bias,
    no sample weights, and a Keras model trained to convergence.

    Args:
        lam: The kreg regularization strength lambda.
        n_outputs: The number of model outputs (columns of ``y``).

    Returns:
        The Ridge ``alpha``, ``n_outputs * lam / 2``.

    Examples:
        >>> ridge_alpha(0.16), ridge_alpha(0.16, n_outputs=3)
        (0.08, 0.24)
    """
    lam = check_nonnegative("lam", lam)
    return _n_outputs(n_outputs) * lam / 2.0


def lam_from_ridge_alpha(alpha: float, *, n_outputs: int = 1) -> float:
    """Return the kreg lambda equal to a scikit-learn ``Ridge`` alpha (with the
    limits of :func:`ridge_alpha`): ``2 alpha``.

    Args:
        alpha: The ``Ridge`` alpha.
        n_outputs: The number of model outputs (columns of ``y``).

    Returns:
        The kreg lambda ``2 * alpha / n_outputs``.

    Examples:
        >>> lam_from_ridge_alpha(0.08)
        0.16
    """
    alpha = check_nonnegative("alpha", alpha)
    return 2.0 * alpha / _n_outputs(n_outputs)


def lasso_alpha(lam: float, n: int, *, n_outputs: int = 1) -> float:
    """Return the scikit-learn ``Lasso`` alpha equal to ``L1(lam, n)``: ``lam / (4 n)``.

    A linear Keras model with ``loss="mse"`` and ``kreg.L1(lam, n)`` minimizes
    twice Lasso's objective (``k * lam / (4 n)`` with ``k`` outputs). Limits: those
    of :func:`ridge_alpha`; the Lasso's exact zeros need
    ``kreg.L1(..., proximal=True)``.

    Args:
        lam: The kreg regularization strength lambda.
        n: The number of training examples.
        n_outputs: The number of model outputs (columns of ``y``).

    Returns:
        The Lasso ``alpha``, ``n_outputs * lam / (4 n)``.

    Examples:
        >>> lasso_alpha(0.16, n=80)
        0.0005
    """
    lam, n = check_nonnegative("lam", lam), check_n(n)
    return _n_outputs(n_outputs) * lam / (4.0 * n)


def lam_from_lasso_alpha(alpha: float, n: int, *, n_outputs: int = 1) -> float:
    """Return the kreg lambda equal to a scikit-learn ``Lasso`` alpha (with the
    limits of :func:`lasso_alpha`): ``4 n alpha``.

    Args:
        alpha: The ``Lasso`` alpha.
        n: The number of training examples.
        n_outputs: The number of model outputs (columns of ``y``).

    Returns:
        The kreg lambda ``4 n * alpha / n_outputs``.

    Examples:
        >>> lam_from_lasso_alpha(lasso_alpha(0.16, n=80), n=80)
        0.16
    """
    alpha = check_nonnegative("alpha", alpha)
    return 4.0 * check_n(n) * alpha / _n_outputs(n_outputs)


def _keras_float(value: Any) -> float:
    """A Keras factor as a float, a float32 one as its shortest decimal."""
    value = to_numpy(value)[()]
    if value.dtype == np.float32:
        return float(np.format_float_scientific(value, unique=True))
    return float(value)


#: Keras regularizer class -> the kreg class and the Keras factors' names.
_KERAS = {
    keras.regularizers.L1L2: (L1L2, ("l1", "l2")),
    keras.regularizers.L2: (L2, ("l2",)),
    keras.regularizers.L1: (L1, ("l1",)),
}


def to_keras(reg: L1 | L2 | L1L2) -> keras.regularizers.Regularizer:
    """Return the Keras built-in regularizer that equals a kreg regularizer.

    Each factor is ``lam / (2 n)`` (:func:`keras_factor`): ``kreg.L1L2(l1, l2, n)``
    -> ``keras.regularizers.L1L2(l1 / (2 n), l2 / (2 n))``, likewise for ``L1`` and
    ``L2``. The penalties agree to float32 precision for float32 weights. Keras
    has no proximal step: it trains the penalty with the subgradient.

    Args:
        reg: A ``kreg.L1``, ``kreg.L2`` or ``kreg.L1L2`` instance.

    Returns:
        A ``keras.regularizers.L1``, ``L2`` or ``L1L2`` instance.

    Warns:
        UserWarning: If ``reg`` has ``proximal=True``, or a factor is nonzero but
            outside the normal float32 range (about 1.2e-38 to 3.4e38).

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
    for keras_class, (kreg_class, names) in _KERAS.items():
        if isinstance(reg, kreg_class):
            lams = [reg.lam] if len(names) == 1 else [reg.l1, reg.l2]
            factors = [keras_factor(lam, reg.n) for lam in lams]
            for factor in factors:
                if factor != 0 and not _FLOAT32_TINY <= factor <= FLOAT32_MAX:
                    warnings.warn(
                        f"The Keras factor lam / (2 n) = {factor!r} is outside the "
                        f"normal float32 range [{_FLOAT32_TINY!r}, {FLOAT32_MAX!r}]. "
                        "Keras computes penalties in the weights' dtype (and stores "
                        "the L1 factor as float32), so the Keras regularizer will "
                        "not give kreg's penalty.",
                        stacklevel=2,
                    )
            return keras_class(**dict(zip(names, factors, strict=True)))
    _fail("reg", "a kreg L1, L2 or L1L2 regularizer", reg, TypeError)


def from_keras(keras_reg: keras.regularizers.Regularizer, n: int) -> L1 | L2 | L1L2:
    """Return the kreg regularizer that equals a Keras built-in one.

    The inverse of :func:`to_keras`: each lambda is ``2 n * factor``, a float32
    factor read as the shortest decimal of the same float32 (Keras ``L1(0.01)``
    holds 0.009999999776482582: ``0.01``). The result has ``proximal=False``.

    Args:
        keras_reg: A ``keras.regularizers.L1``, ``L2`` or ``L1L2`` instance (not
            a kreg one).
        n: The number of training examples of the model it is for.

    Returns:
        A ``kreg.L1``, ``kreg.L2`` or ``kreg.L1L2`` instance.

    Examples:
        >>> from_keras(keras.regularizers.L1(0.001), n=80)
        L1(lam=0.16, n=80)
    """
    for keras_class, (kreg_class, factors) in _KERAS.items():
        if isinstance(keras_reg, keras_class):
            n = check_n(n)
            values = [_keras_float(getattr(keras_reg, name)) for name in factors]
            return kreg_class(*[lam_from_keras_factor(v, n) for v in values], n)
    expected = "a keras.regularizers.L1, L2 or L1L2 instance"
    _fail("keras_reg", expected, keras_reg, TypeError)
