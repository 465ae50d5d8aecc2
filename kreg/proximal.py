"""Proximal L1: optimizers whose L1 step lands weights exactly on zero.

The subgradient ``c * sign(w)`` of ``c * sum(|w|)`` jumps over zero and back. The
proximal gradient method (ISTA) steps on the data loss only, then applies the soft
threshold (for the group lasso, the block soft threshold of a whole group)::

    w <- sign(w) * max(|w| - t, 0)              t = lr * c   (plain SGD)
    w_g <- w_g * max(1 - t_g / ||w_g||, 0)      t_g = lr * c * sqrt(p_g)

Adam scales the threshold as its step, ``t = lr * c * sqrt(1 - beta_2 ** step) /
(sqrt(v) + epsilon)`` (ProxGen, Yun et al., NeurIPS 2021), an approximation that
keeps exact zeros. Use: ``kreg.L1(lam, n, proximal=True)`` (or ``L1L2``,
``GroupL1``) with ``kreg.ProximalSGD`` or ``kreg.ProximalAdam``; with any other
optimizer the flag changes nothing. The guide "Sparsity" explains it.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

# The module, not its names: importing Keras from kreg.penalties registers
# this module while kreg.penalties is still being imported.
from kreg import penalties

__all__ = [
    "ProximalAdam",
    "ProximalSGD",
    "group_soft_threshold",
    "is_proximal",
    "proximal_strength",
    "soft_threshold",
]


def soft_threshold(w: Any, threshold: Any) -> Any:
    """The proximal operator of ``threshold * |w|``: ``sign(w) * max(|w| - t, 0)``.

    Args:
        w: A tensor or array.
        threshold: A non-negative scalar or a tensor broadcastable to ``w``.

    Returns:
        A tensor like ``w``.

    Examples:
        >>> w = np.array([-2.0, -0.5, 0.0, 0.3, 1.5])
        >>> np.asarray(soft_threshold(w, 0.5)).tolist()
        [-1.5, -0.0, 0.0, 0.0, 1.0]
    """
    w = ops.convert_to_tensor(w)
    threshold = ops.cast(threshold, w.dtype)
    return ops.sign(w) * ops.maximum(ops.abs(w) - threshold, ops.zeros_like(w))


def group_soft_threshold(w: Any, threshold: Any, groups: str = "units") -> Any:
    """The block soft threshold ``w_g * max(0, 1 - threshold / ||w_g||)``.

    Args:
        w: A kernel of rank >= 2, its groups as in :func:`kreg.group_norms`.
        threshold: A scalar >= 0, or one per group (broadcastable, keepdims).
        groups: ``"units"`` or ``"inputs"``.

    Returns:
        A tensor like ``w``.

    Examples:
        >>> w = np.array([[3.0, 0.1], [4.0, 0.0]])  # unit norms 5 and 0.1
        >>> np.asarray(group_soft_threshold(w, 1.0), dtype=float).round(6).tolist()
        [[2.4, 0.0], [3.2, 0.0]]
    """
    w = ops.convert_to_tensor(w)
    threshold = ops.cast(threshold, w.dtype)
    return _block_shrink(w, threshold, penalties.group_axes(len(w.shape), groups))


def _block_shrink(w: Any, threshold: Any, axes: tuple[int, ...]) -> Any:
    """``w_g * max(1 - threshold / ||w_g||, 0)``, the groups spanning ``axes``."""
    norms = ops.sqrt(ops.sum(ops.square(w), axis=axes, keepdims=True))
    tiny = ops.cast(1e-30, w.dtype)
    return w * ops.maximum(1 - threshold / ops.maximum(norms, tiny), 0)


def proximal_strength(regularizer: Any) -> float | None:
    """Return ``c`` of the proximal L1 term ``c * sum(|w|)`` of a regularizer, if any.

    ``lam / (2 n)`` for ``kreg.L1(lam, n, proximal=True)``, ``l1 / (2 n)`` for
    ``kreg.L1L2``; ``None`` for anything else (``GroupL1`` included).
    """
    from kreg.regularizers import L1, L1L2

    if isinstance(regularizer, L1) and regularizer.proximal:
        return penalties.scale(regularizer.lam, regularizer.n)
    if isinstance(regularizer, L1L2) and regularizer.proximal:
        return penalties.scale(regularizer.l1, regularizer.n)
    return None


def is_proximal(regularizer: Any) -> bool:
    """Whether ``regularizer`` is a kreg ``L1``, ``L1L2`` or ``GroupL1`` with
    ``proximal=True``, whose term the proximal optimizers apply as a threshold.

    Examples:
        >>> import kreg
        >>> is_proximal(kreg.GroupL1(0.1, 8, proximal=True)), is_proximal(kreg.L2(1, 8))
        (True, False)
    """
    return _term(regularizer) is not None


class _L1Term:
    """``c * sum(|w|)``: subgradient ``c * sign(w)``, soft threshold ``step * c``."""

    def __init__(self, strength: Any):
        self.strength = strength

    def subgradient(self, w: Any) -> Any:
        return ops.cast(self.strength, w.dtype) * ops.sign(w)

    def prox(self, w: Any, step: Any) -> Any:
        return soft_threshold(w, step * ops.cast(self.strength, w.dtype))


class _GroupTerm:
    """``c * sum_g sqrt(p_g) ||w_g||``; on a ``stacked`` kernel ``(slices, inputs,
    units)`` the groups are each slice's and ``c`` may be one per slice."""

    def __init__(self, strength: Any, groups: str, stacked: bool = False):
        self.strength, self.groups, self.stacked = strength, groups, stacked

    def _axes(self, w: Any) -> tuple[int, ...]:
        axes = penalties.group_axes(len(w.shape) - self.stacked, self.groups)
        return tuple(axis + self.stacked for axis in axes)

    def subgradient(self, w: Any) -> Any:
        return penalties.group_subgradient(w, self.strength, self._axes(w))

    def prox(self, w: Any, step: Any) -> Any:
        axes = self._axes(w)
        # One step for the group: the harmonic mean of its weights' steps (Adam's
        # per-weight lr / (sqrt(v) + eps) becomes lr / (mean sqrt(v) + eps)), not
        # led by a few weights whose tiny v would make their steps huge.
        inverse = ops.mean(
            1 / ops.broadcast_to(step, w.shape), axis=axes, keepdims=True
        )
        weight = penalties.group_weight(w, self.strength, axes)
        return _block_shrink(w, weight / inverse, axes)


class _Terms:
    """Several terms on one variable, each on its own slices (others' are 0)."""

    def __init__(self, terms: list):
        self.terms = terms

    def subgradient(self, w: Any) -> Any:
        return sum(term.subgradient(w) for term in self.terms)

    def prox(self, w: Any, step: Any) -> Any:
        for term in self.terms:
            w = term.prox(w, step)
        return w


def stacked_group_terms(regularizers: list, proximal_only: bool = False) -> list:
    """The group-lasso terms, one per kind of group, of a stacked Dense kernel
    ``(slices, inputs, units)`` whose slice ``v`` carries ``regularizers[v]``."""
    from kreg.regularizers import GroupL1

    terms = []
    for groups in penalties.GROUPS:
        values = [
            penalties.scale(reg.lam, reg.n)
            if type(reg) is GroupL1
            and reg.groups == groups
            and (reg.proximal or not proximal_only)
            else 0.0
            for reg in regularizers
        ]
        if any(values):
            strength = np.asarray(values, "float32").reshape(-1, 1, 1)
            terms.append(_GroupTerm(strength, groups, stacked=True))
    return terms


def stacked_term(regularizers: list) -> Any:
    """The proximal term of such a stacked kernel (the comparison engine's)."""
    l1 = [proximal_strength(reg) or 0.0 for reg in regularizers]
    terms = stacked_group_terms(regularizers, proximal_only=True)
    if any(l1):
        terms.insert(0, _L1Term(np.asarray(l1, "float32").reshape(-1, 1, 1)))
    if len(terms) < 2:
        return terms[0] if terms else None
    return _Terms(terms)


def _term(regularizer: Any) -> _L1Term | _GroupTerm | None:
    """The term of ``regularizer`` the proximal optimizers apply, if any."""
    from kreg.regularizers import GroupL1

    if isinstance(regularizer, GroupL1) and regularizer.proximal:
        strength = penalties.scale(regularizer.lam, regularizer.n)
        return _GroupTerm(strength, regularizer.groups)
    strength = proximal_strength(regularizer)
    return None if strength is None else _L1Term(strength)


class _ProximalMixin:
    """Adds a proximal step after each ``update_step``; each variable's term is
    read from its regularizer at ``build``."""

    def build(self, var_list):
        if self.built:
            return
        super().build(var_list)
        self._kreg_terms = [
            _term(getattr(variable, "regularizer", None)) for variable in var_list
        ]

    def set_proximal_strength(self, variable: Any, strength: Any) -> None:
        """Soft-threshold ``variable`` with L1 strength ``strength`` after each step.

        Args:
            variable: A variable the optimizer was built with.
            strength: ``c`` of ``c * sum(|w|)``, a number or an array broadcastable
                to the variable.
        """
        self.set_proximal_term(variable, _L1Term(strength))

    def set_proximal_term(self, variable: Any, term: Any) -> None:
        """Apply ``term`` (``subgradient(w)``, ``prox(w, step)``) to ``variable``;
        ``None`` for none."""
        self._kreg_terms[self._get_variable_index(variable)] = term

    def update_step(self, gradient, variable, learning_rate):
        term = self._kreg_terms[self._get_variable_index(variable)]
        if term is None:
            return super().update_step(gradient, variable, learning_rate)
        # The loss carries the penalty, so the gradient holds its subgradient, taken
        # at the weights before this update: take it out, step on the data gradient,
        # then apply the penalty as a (block) soft threshold.
        gradient = gradient - term.subgradient(ops.cast(variable, gradient.dtype))
        super().update_step(gradient, variable, learning_rate)
        step = self._step_size(variable, learning_rate)
        self.assign(variable, term.prox(ops.convert_to_tensor(variable), step))

    def _step_size(self, variable, learning_rate):  # pragma: no cover
        raise NotImplementedError


@keras.saving.register_keras_serializable(package="kreg")
class ProximalSGD(_ProximalMixin, keras.optimizers.SGD):
    """``keras.optimizers.SGD`` with a proximal (soft-threshold) L1 step.

    After each update, a variable whose regularizer has a proximal term
    ``c * sum(|w|)`` is soft-thresholded with ``t = lr * c``: without momentum,
    ISTA, which converges to the Lasso solution (``Lasso(alpha=lam / (4 n))`` for
    a linear model with ``loss="mse"``). Takes the arguments of
    ``keras.optimizers.SGD``.

    Examples:
        >>> ProximalSGD(learning_rate=0.1).get_config()["momentum"]
        0.0
    """

    def _step_size(self, variable, learning_rate):
        return ops.cast(learning_rate, variable.dtype)


@keras.saving.register_keras_serializable(package="kreg")
class ProximalAdam(_ProximalMixin, keras.optimizers.Adam):
    """``keras.optimizers.Adam`` with a proximal (soft-threshold) L1 step.

    As :class:`ProximalSGD`, with ``t = lr * c * sqrt(1 - beta_2 ** step) /
    (sqrt(v) + epsilon)`` per weight (ProxGen), an approximation that keeps exact
    zeros. Takes the arguments of ``keras.optimizers.Adam``.

    Examples:
        >>> ProximalAdam(learning_rate=0.01).get_config()["amsgrad"]
        False
    """

    def _step_size(self, variable, learning_rate):
        index = self._get_variable_index(variable)
        v = self._velocity_hats[index] if self.amsgrad else self._velocities[index]
        dtype = variable.dtype
        step = ops.cast(self.iterations + 1, dtype)
        correction = ops.sqrt(1 - ops.power(ops.cast(self.beta_2, dtype), step))
        lr = ops.cast(learning_rate, dtype)
        return lr * correction / (ops.sqrt(v) + self.epsilon)
