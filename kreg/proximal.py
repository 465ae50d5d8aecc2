"""Proximal L1: optimizers whose L1 step lands weights exactly on zero.

The subgradient ``c * sign(w)`` of ``c * sum(|w|)`` jumps over zero and back, so
weights trained with an L1 penalty oscillate around zero. The proximal gradient
method (ISTA) steps on the data loss only, then applies the soft threshold::

    w <- sign(w) * max(|w| - t, 0)        t = lr * c   (plain SGD)

A weight whose data gradient cannot pull it past the threshold lands on 0 and
stays there; for plain SGD this is ISTA, which converges to the Lasso solution.
Adam scales each step by ``1 / (sqrt(v) + eps)``, and the threshold with it (the
diagonal-preconditioned step of ProxGen, Yun, Lozano and Yang, NeurIPS 2021), an
approximation that keeps exact zeros::

    t = lr * c * sqrt(1 - beta_2 ** step) / (sqrt(v) + epsilon)

Use: give the layer ``kreg.L1(lam, n, proximal=True)`` (or ``kreg.L1L2(...,
proximal=True)``) and compile with ``kreg.ProximalSGD`` or ``kreg.ProximalAdam``.
The penalty stays in the loss; the optimizer takes its subgradient out of the
gradient and applies the soft threshold after the update, inside the compiled
step. With any other optimizer the flag changes nothing.
"""

from __future__ import annotations

from typing import Any

import keras
from keras import ops

from kreg.penalties import scale

__all__ = ["ProximalAdam", "ProximalSGD", "proximal_strength", "soft_threshold"]


def soft_threshold(w: Any, threshold: Any) -> Any:
    """The proximal operator of ``threshold * |w|``: ``sign(w) * max(|w| - t, 0)``.

    Args:
        w: A tensor or array.
        threshold: A non-negative scalar or a tensor broadcastable to ``w``.

    Returns:
        A tensor like ``w``: entries with ``|w| <= threshold`` become exactly 0, the
        others move ``threshold`` toward 0.

    Examples:
        >>> import numpy as np
        >>> w = np.array([-2.0, -0.5, 0.0, 0.3, 1.5])
        >>> np.asarray(soft_threshold(w, 0.5)).tolist()
        [-1.5, -0.0, 0.0, 0.0, 1.0]
    """
    w = ops.convert_to_tensor(w)
    threshold = ops.cast(threshold, w.dtype)
    return ops.sign(w) * ops.maximum(ops.abs(w) - threshold, ops.zeros_like(w))


def proximal_strength(regularizer: Any) -> float | None:
    """Return ``c`` of the proximal L1 term ``c * sum(|w|)`` of a regularizer, if any.

    ``c = lam / (2 n)`` for ``kreg.L1(lam, n, proximal=True)`` and ``l1 / (2 n)`` for
    ``kreg.L1L2(l1, l2, n, proximal=True)``; ``None`` for anything else.
    """
    from kreg.regularizers import L1, L1L2

    if isinstance(regularizer, L1) and regularizer.proximal:
        return scale(regularizer.lam, regularizer.n)
    if isinstance(regularizer, L1L2) and regularizer.proximal:
        return scale(regularizer.l1, regularizer.n)
    return None


class _ProximalMixin:
    """Adds the soft threshold after each ``update_step`` of an element-wise optimizer.

    Each variable's L1 strength is read from its regularizer at ``build``;
    :meth:`set_proximal_strength` overrides it (the engine's stacked variables).
    """

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._kreg_strengths = [None] * len(var_list)
        for variable in var_list:
            strength = proximal_strength(getattr(variable, "regularizer", None))
            if strength is not None:
                self.set_proximal_strength(variable, strength)

    def set_proximal_strength(self, variable: Any, strength: Any) -> None:
        """Soft-threshold ``variable`` with L1 strength ``strength`` after each step.

        Args:
            variable: A variable the optimizer was built with.
            strength: ``c`` of ``c * sum(|w|)``: a number, or an array
                broadcastable to the variable (e.g. one strength per slice).
        """
        self._kreg_strengths[self._get_variable_index(variable)] = strength

    def update_step(self, gradient, variable, learning_rate):
        strength = self._kreg_strengths[self._get_variable_index(variable)]
        if strength is None:
            return super().update_step(gradient, variable, learning_rate)
        # The loss carries the L1 penalty, so the gradient holds its subgradient
        # c * sign(w), taken at the weights before this update: take it out, step
        # on the data gradient, then apply the L1 term as a soft threshold.
        strength = ops.cast(strength, gradient.dtype)
        gradient = gradient - strength * ops.sign(ops.cast(variable, gradient.dtype))
        super().update_step(gradient, variable, learning_rate)
        threshold = self._threshold(variable, learning_rate, strength)
        self.assign(variable, soft_threshold(variable, threshold))

    def _threshold(self, variable, learning_rate, strength):  # pragma: no cover
        raise NotImplementedError


@keras.saving.register_keras_serializable(package="kreg")
class ProximalSGD(_ProximalMixin, keras.optimizers.SGD):
    """``keras.optimizers.SGD`` with a proximal (soft-threshold) L1 step.

    After each SGD update, every variable whose regularizer is a proximal kreg L1
    term ``c * sum(|w|)`` is soft-thresholded with ``t = lr * c``. Without momentum
    this is exactly ISTA, the proximal gradient method, which converges to the
    Lasso solution (scikit-learn's ``Lasso(alpha=lam / (4 n))`` for a linear model
    trained on the mean squared error). With momentum the threshold is the same
    ``lr * c``, an approximation.

    Takes the arguments of ``keras.optimizers.SGD``.

    Examples:
        >>> import kreg
        >>> reg = kreg.L1(0.5, 100, proximal=True)
        >>> layer = keras.layers.Dense(1, kernel_regularizer=reg)
        >>> model = keras.Sequential([keras.Input((3,)), layer])
        >>> model.compile(kreg.ProximalSGD(learning_rate=0.1), "mse")
    """

    def _threshold(self, variable, learning_rate, strength):
        return ops.cast(learning_rate, variable.dtype) * strength


@keras.saving.register_keras_serializable(package="kreg")
class ProximalAdam(_ProximalMixin, keras.optimizers.Adam):
    """``keras.optimizers.Adam`` with a proximal (soft-threshold) L1 step.

    As :class:`ProximalSGD`, with the threshold scaled per weight by Adam's own
    step size: ``t = lr * c * sqrt(1 - beta_2 ** step) / (sqrt(v) + epsilon)``
    (the diagonal-metric proximal step of ProxGen, Yun et al., NeurIPS 2021). Adam
    has no exact proximal form: this is an approximation that produces exact
    zeros. Takes the arguments of ``keras.optimizers.Adam``.

    Examples:
        >>> import kreg
        >>> kreg.ProximalAdam(learning_rate=0.01).get_config()["amsgrad"]
        False
    """

    def _threshold(self, variable, learning_rate, strength):
        index = self._get_variable_index(variable)
        v = self._velocity_hats[index] if self.amsgrad else self._velocities[index]
        dtype = variable.dtype
        step = ops.cast(self.iterations + 1, dtype)
        correction = ops.sqrt(1 - ops.power(ops.cast(self.beta_2, dtype), step))
        lr = ops.cast(learning_rate, dtype)
        return lr * strength * correction / (ops.sqrt(v) + self.epsilon)
