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

The group lasso ``kreg.GroupL1`` gets the block soft threshold, which sets a
whole group (a unit's or an input's weights) to zero at once::

    w_g <- w_g * max(1 - t_g / ||w_g||, 0)        t_g = lr * c * sqrt(p_g)

(for Adam, ``lr`` times the group's mean of Adam's per-weight step scale).

Use: give the layer ``kreg.L1(lam, n, proximal=True)`` (or ``kreg.L1L2(...,
proximal=True)``, ``kreg.GroupL1(..., proximal=True)``) and compile with
``kreg.ProximalSGD`` or ``kreg.ProximalAdam``. The penalty stays in the loss; the
optimizer takes its subgradient out of the gradient and applies the threshold
after the update, inside the compiled step. With any other optimizer the flag
changes nothing.
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


def group_soft_threshold(w: Any, threshold: Any, groups: str = "units") -> Any:
    """The proximal operator of ``threshold * sum_g ||w_g||``, the block soft
    threshold: ``w_g * max(0, 1 - threshold / ||w_g||)`` for each group.

    Args:
        w: A kernel of rank >= 2; its groups are as in ``kreg.penalties.group_norms``.
        threshold: A non-negative scalar, or one value per group broadcastable to
            the group norms kept as dimensions of ``w``.
        groups: ``"units"`` or ``"inputs"``.

    Returns:
        A tensor like ``w``: groups with ``||w_g|| <= threshold`` become exactly 0,
        the others shrink by ``threshold`` in norm, keeping their direction.

    Examples:
        >>> import numpy as np
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

    ``c = lam / (2 n)`` for ``kreg.L1(lam, n, proximal=True)`` and ``l1 / (2 n)`` for
    ``kreg.L1L2(l1, l2, n, proximal=True)``; ``None`` for anything else (a
    ``kreg.GroupL1`` has a proximal term too, but not an element-wise one).
    """
    from kreg.regularizers import L1, L1L2

    if isinstance(regularizer, L1) and regularizer.proximal:
        return penalties.scale(regularizer.lam, regularizer.n)
    if isinstance(regularizer, L1L2) and regularizer.proximal:
        return penalties.scale(regularizer.l1, regularizer.n)
    return None


def is_proximal(regularizer: Any) -> bool:
    """Whether the proximal optimizers apply a term of ``regularizer`` as a
    threshold: a kreg ``L1``, ``L1L2`` or ``GroupL1`` made with ``proximal=True``.

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
    """``c * sum_g sqrt(p_g) ||w_g||``: subgradient ``c sqrt(p_g) w_g / ||w_g||``
    (0 at 0), block soft threshold ``c sqrt(p_g)`` times the group's step. On a
    ``stacked`` kernel ``(slices, inputs, units)`` the groups are each slice's and
    ``c`` may hold one strength per slice."""

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
    """Several terms on one variable, each acting on its own slices (the others'
    strengths are 0 there, where their steps change nothing)."""

    def __init__(self, terms: list):
        self.terms = terms

    def subgradient(self, w: Any) -> Any:
        return sum(term.subgradient(w) for term in self.terms)

    def prox(self, w: Any, step: Any) -> Any:
        for term in self.terms:
            w = term.prox(w, step)
        return w


def stacked_group_terms(regularizers: list, proximal_only: bool = False) -> list:
    """The group-lasso terms of a stacked Dense kernel ``(slices, inputs, units)``
    whose slice ``v`` carries ``regularizers[v]``: one per kind of group present,
    with one strength per slice (0 where another regularizer is)."""
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
    """The proximal term of a stacked Dense kernel ``(slices, inputs, units)``
    whose slice ``v`` carries ``regularizers[v]`` (the comparison engine's)."""
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
    """Adds a proximal step after each ``update_step`` of an element-wise optimizer.

    Each variable's proximal term is read from its regularizer at ``build``;
    :meth:`set_proximal_strength` sets an L1 one (the engine's stacked variables).
    """

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
            strength: ``c`` of ``c * sum(|w|)``: a number, or an array
                broadcastable to the variable (e.g. one strength per slice).
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

    def _step_size(self, variable, learning_rate):
        return ops.cast(learning_rate, variable.dtype)


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

    def _step_size(self, variable, learning_rate):
        index = self._get_variable_index(variable)
        v = self._velocity_hats[index] if self.amsgrad else self._velocities[index]
        dtype = variable.dtype
        step = ops.cast(self.iterations + 1, dtype)
        correction = ops.sqrt(1 - ops.power(ops.cast(self.beta_2, dtype), step))
        lr = ops.cast(learning_rate, dtype)
        return lr * correction / (ops.sqrt(v) + self.epsilon)
