"""Pruning: a physically smaller Keras model with the same predictions.

``prune`` removes the units whose incoming weights are all zero (their constant
``activation(bias)`` is folded into the next layer's bias), the units whose
outgoing weights are all zero, and the inputs whose row of the first kernel is all
zero. The model must be a chain; the guide "Sparsity" lists the layers it prunes
through.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg._validation import _fail, _Shown, check_nonnegative

__all__ = ["prune"]


_KERNEL = (
    keras.layers.Dense,
    keras.layers.Conv1D,
    keras.layers.Conv2D,
    keras.layers.Conv3D,
)
#: Layers that act on each channel alone.
_PER_CHANNEL = (
    keras.layers.Dropout,
    keras.layers.SpatialDropout1D,
    keras.layers.SpatialDropout2D,
    keras.layers.SpatialDropout3D,
    keras.layers.GaussianNoise,
    keras.layers.GaussianDropout,
    keras.layers.AlphaDropout,
    keras.layers.ActivityRegularization,
    keras.layers.Identity,
    keras.layers.ReLU,
    keras.layers.LeakyReLU,
    keras.layers.ELU,
    keras.layers.Activation,
    keras.layers.MaxPooling1D,
    keras.layers.MaxPooling2D,
    keras.layers.MaxPooling3D,
    keras.layers.AveragePooling1D,
    keras.layers.AveragePooling2D,
    keras.layers.AveragePooling3D,
    keras.layers.BatchNormalization,
)
_TO_FEATURES = (
    keras.layers.Flatten,
    keras.layers.GlobalAveragePooling1D,
    keras.layers.GlobalAveragePooling2D,
    keras.layers.GlobalAveragePooling3D,
    keras.layers.GlobalMaxPooling1D,
    keras.layers.GlobalMaxPooling2D,
    keras.layers.GlobalMaxPooling3D,
)
#: Activations that mix units: a unit of such a layer is never constant alone.
_MIXING = ("softmax", "log_softmax")


def _chain(model: keras.Model) -> list[keras.layers.Layer]:
    """The layers of ``model`` from input to output, if it is a chain."""
    if not isinstance(model, keras.Model) or not model.built:
        _fail("model", "a built keras.Model", model, TypeError)
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        _fail("model", "a model with one input and one output", _Shown(model.name))
    layers = [
        layer
        for layer in model.layers
        if not isinstance(layer, keras.layers.InputLayer)
    ]
    if isinstance(model, keras.Sequential):  # a chain by construction
        return layers
    previous = model.inputs[0]
    for layer in layers:
        try:
            inbound = layer.input
        except (AttributeError, ValueError):  # a layer called more than once
            inbound = None
        if inbound is not previous:
            raise ValueError(
                f"Invalid value for argument `model`: prune() takes a chain of "
                f"layers, and layer {layer.name!r} ({type(layer).__name__}) is not "
                "fed by the one before it alone (a branch, a residual connection, "
                "a shared or nested layer)."
            )
        previous = layer.output
    return layers


def _activation_name(layer: keras.layers.Layer) -> str:
    return getattr(getattr(layer, "activation", None), "__name__", "")


def _kind(layer: keras.layers.Layer) -> str:
    """How pruning treats a layer: ``kernel``, ``channel``, ``features`` or ``keep``."""
    format_ok = getattr(layer, "data_format", "channels_last") == "channels_last"
    if type(layer) in _KERNEL:
        dense_on_vectors = not isinstance(layer, keras.layers.Dense) or (
            len(layer.input.shape) == 2
        )
        grouped = getattr(layer, "groups", 1) != 1
        if format_ok and dense_on_vectors and not grouped:
            return "kernel"
    elif type(layer) in _PER_CHANNEL:
        mixing = _activation_name(layer) in _MIXING
        axis = getattr(layer, "axis", -1)
        last = axis in (-1, len(layer.input.shape) - 1)
        if format_ok and not mixing and last:
            return "channel"
    elif type(layer) in _TO_FEATURES:
        spatial = layer.input.shape[1:-1]
        if format_ok and all(size is not None for size in spatial):
            return "features"
    return "keep"


def _incoming(kernel: np.ndarray, tol: float) -> np.ndarray:
    """``(inputs, units)``: whether input ``i`` reaches unit ``j`` by a weight."""
    spatial = tuple(range(kernel.ndim - 2))
    return (np.abs(kernel) > tol).any(axis=spatial)


def alive(
    kernels: list[np.ndarray],
    links: list[int | None],
    tol: float = 0.0,
    fold: Any = None,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The masks of the kept inputs and of each kernel's kept units.

    ``links[i]`` says how the units before kernel ``i`` feed its rows: ``s`` (row
    ``t * units + u`` is unit ``u`` at position ``t < s``; 1 without ``Flatten``),
    or ``None`` where a layer in between is kept as it is. ``fold(i, dead)``
    returns which of kernel ``i``'s dead units may go (by default all). The last
    kernel keeps its units.
    """
    masks = [np.ones(k.shape[-1], bool) for k in kernels]
    inputs = np.ones(kernels[0].shape[-2], bool)
    reach = [_incoming(k, tol) for k in kernels]
    rows = inputs
    for i, k in enumerate(reach[:-1]):
        dead = ~k[rows].any(axis=0)
        if links[i + 1] is None:
            dead[:] = False
        elif fold is not None and dead.any():
            dead &= fold(i, dead)
        masks[i] = ~dead
        rows = np.tile(masks[i], reach[i + 1].shape[0] // masks[i].size)
    for i in range(len(kernels) - 2, -1, -1):
        if links[i + 1] is None:
            continue
        units = kernels[i].shape[-1]
        out = reach[i + 1][:, masks[i + 1]].any(axis=1).reshape(-1, units).any(axis=0)
        masks[i] &= out
    if links[0] is not None:
        inputs = reach[0][:, masks[0]].any(axis=1).reshape(-1, inputs.size).any(axis=0)
    return inputs, masks


def dense_chain_units(kernels: list[np.ndarray]) -> list[int]:
    """The inputs and units per layer :func:`prune` keeps of a chain of Dense
    layers with element-wise activations (at least one each)."""
    inputs, masks = alive(kernels, [1] * len(kernels))
    return [max(int(mask.sum()), 1) for mask in (inputs, *masks)]


def dense_chain_params(kernels: list[np.ndarray]) -> int:
    """The parameters :func:`prune` leaves of such a chain, with biases."""
    sizes = dense_chain_units(kernels)
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


class _Pruner:
    """The chain of a model, its kernels and biases, and the constants folded."""

    def __init__(self, model: keras.Model):
        self.model = model
        self.layers = _chain(model)
        self.kinds = [_kind(layer) for layer in self.layers]
        self.at = [i for i, kind in enumerate(self.kinds) if kind == "kernel"]
        if not self.at:
            _fail("model", "a model with a Dense or Conv layer", _Shown(model.name))
        self.kernels = [to_numpy(self.layers[i].kernel).copy() for i in self.at]
        self.biases = [
            to_numpy(self.layers[i].bias).astype(np.float64)
            if self.layers[i].use_bias
            else np.zeros(self.kernels[slot].shape[-1])
            for slot, i in enumerate(self.at)
        ]
        self.links = [
            self._link(start, stop)
            for start, stop in zip([-1, *self.at], self.at, strict=False)
        ]

    def _link(self, start: int, stop: int) -> int | None:
        """``links[i]`` of :func:`alive` for the layers between two kernels."""
        if start >= 0 and _activation_name(self.layers[start]) in _MIXING:
            return None
        positions = 1
        for layer, kind in zip(
            self.layers[start + 1 : stop], self.kinds[start + 1 : stop], strict=True
        ):
            if kind == "keep" or (start < 0 and kind == "features"):
                return None
            if isinstance(layer, keras.layers.Flatten):
                positions *= math.prod(layer.input.shape[1:-1])
        return positions

    def fold(self, i: int, dead: np.ndarray) -> np.ndarray:
        """Fold the constant outputs of kernel ``i``'s ``dead`` units into kernel
        ``i + 1``'s bias where that is exact; return the units folded."""
        layer, following = self.layers[self.at[i]], self.layers[self.at[i + 1]]
        constant = to_numpy(layer.activation(self.biases[i].astype("float32")))
        x = np.where(dead, constant, 0).astype("float32")
        x = np.broadcast_to(x, (1, *layer.output.shape[1:])).copy()
        for between in self.layers[self.at[i] + 1 : self.at[i + 1]]:
            x = to_numpy(between(x, training=False))
        kernel = self.kernels[i + 1].astype(np.float64)
        units = dead.size
        if isinstance(following, keras.layers.Dense):
            features = x.reshape(-1).astype(np.float64)
            per_unit = (features[:, None] * kernel).reshape(-1, units, kernel.shape[-1])
            per_unit = per_unit.sum(axis=0)
            folded = dead.copy()
        else:  # a Conv: exact for a constant map under "valid" padding, or for 0
            x = x.reshape(-1, units).astype(np.float64)
            constant_map = (x == x[0]).all(axis=0)
            valid = following.padding == "valid"
            folded = dead & ((x[0] == 0) | (constant_map & valid))
            spatial = tuple(range(kernel.ndim - 2))
            per_unit = x[0][:, None] * kernel.sum(axis=spatial)
        if not following.use_bias:
            folded &= ~(per_unit != 0).any(axis=1)
        self.biases[i + 1] = self.biases[i + 1] + per_unit[folded].sum(axis=0)
        return folded

    def keep_one(
        self, inputs: np.ndarray, masks: list[np.ndarray]
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """New masks keeping the first input or unit, feeding nothing, of a layer
        that keeps none (Keras layers need one)."""
        kept = [inputs.copy(), *(mask.copy() for mask in masks)]
        for i, mask in enumerate(kept[:-1]):
            if not mask.any():
                mask[0] = True
                kernel = self.kernels[i]
                rows = kernel.reshape(
                    *kernel.shape[:-2], -1, mask.size, kernel.shape[-1]
                )
                rows[..., 0, :] = 0.0
        return kept[0], kept[1:]

    def plan(self, inputs: np.ndarray, masks: list[np.ndarray]) -> list:
        """``(layer, config, weights)`` of each layer of the smaller model: kernels
        and BatchNormalization sliced, biases folded."""
        channels, planned, slot = inputs, [], 0
        for layer, kind in zip(self.layers, self.kinds, strict=True):
            config = layer.get_config()
            values = [to_numpy(w) for w in layer.weights]
            if kind == "kernel":
                kernel = self.kernels[slot]
                if channels is not None:
                    rows = np.tile(channels, kernel.shape[-2] // channels.size)
                    kernel = kernel[..., rows, :]
                channels = masks[slot]
                values = [kernel[..., channels]]
                if layer.use_bias:
                    values.append(self.biases[slot][channels].astype(kernel.dtype))
                width = "units" if "units" in config else "filters"
                config[width] = int(channels.sum())
                slot += 1
            elif kind == "keep":
                channels = None
            elif channels is not None:
                if isinstance(layer, keras.layers.BatchNormalization):
                    values = [w[channels] for w in values]
                elif isinstance(layer, keras.layers.Flatten):
                    channels = np.tile(channels, math.prod(layer.input.shape[1:-1]))
            planned.append((layer, config, values))
        return planned

    def build(self, inputs: np.ndarray, planned: list) -> keras.Model:
        """The smaller model of :meth:`plan`."""
        source = self.model.inputs[0]
        shape = (*source.shape[1:-1], int(inputs.sum()))
        x = first = keras.Input(shape, dtype=source.dtype)
        copies = []
        for layer, config, _ in planned:
            copy = type(layer).from_config(config)
            x = copy(x)
            copies.append(copy)
        for copy, (_, _, values) in zip(copies, planned, strict=True):
            copy.set_weights(values)
        if isinstance(self.model, keras.Sequential):
            return keras.Sequential([first, *copies], name=self.model.name)
        return keras.Model(first, x, name=self.model.name)


def _analysed(model: keras.Model, tol: float) -> tuple[_Pruner, np.ndarray, list]:
    """The pruner of ``model``, its kept inputs and its kept units per kernel."""
    pruner = _Pruner(model)
    inputs, masks = alive(pruner.kernels, pruner.links, tol, pruner.fold)
    return pruner, *pruner.keep_one(inputs, masks)


def pruned_size(model: keras.Model, tol: float = 0.0) -> tuple[dict[str, int], int]:
    """What :func:`prune` would keep, without building it: ``({layer name: units
    kept}, parameters of the smaller model)``."""
    pruner, inputs, masks = _analysed(model, tol)
    planned = pruner.plan(inputs, masks)
    params = sum(int(v.size) for _, _, values in planned for v in values)
    units = {
        pruner.layers[i].name: int(m.sum())
        for i, m in zip(pruner.at, masks, strict=True)
    }
    return units, params


def prune(model: keras.Model, *, tol: float = 0.0) -> keras.Model:
    """Return a smaller copy of ``model`` without its units and inputs at zero.

    Removes each ``Dense`` or ``Conv`` unit whose incoming weights are all zero
    (its constant ``activation(bias)`` goes into the next layer's bias) or whose
    outgoing weights are all zero, and each input whose row of the first kernel
    is all zero; the last layer keeps its units. With ``tol=0`` the copy computes
    what ``model`` does, up to float32 rounding; with ``tol > 0`` it differs by what
    the weights counted as zero contributed. Train with ``kreg.GroupL1(...,
    proximal=True)`` and a proximal optimizer to get whole units at zero.

    Args:
        model: A built Sequential or functional Keras model that is a chain of
            layers (the guide "Sparsity" lists the layers pruned through).
        tol: Weights with ``|w| <= tol`` count as zero, a finite number >= 0.

    Returns:
        A new, built, uncompiled ``keras.Model`` of the same kind and name, with
        ``kept_inputs`` (the input indices it takes) and ``kept_units`` (layer
        name -> indices of its units kept), not saved with it.

    Raises:
        TypeError: If ``model`` is not a built Keras model.
        ValueError: If ``model`` is not a chain of layers, has no Dense or Conv
            layer, or ``tol`` is negative, NaN or infinite.

    Examples:
        >>> import numpy as np
        >>> model = keras.Sequential(
        ...     [keras.Input((3,)), keras.layers.Dense(4), keras.layers.Dense(1)]
        ... )
        >>> kernel, bias = model.layers[0].get_weights()
        >>> kernel[1] = 0.0  # input 1 is not used
        >>> kernel[:, 2] = 0.0  # unit 2 gets nothing: it outputs its bias
        >>> model.layers[0].set_weights([kernel, bias])
        >>> small = prune(model)
        >>> small.kept_inputs.tolist(), small.count_params(), model.count_params()
        ([0, 2], 13, 21)
        >>> x = np.random.default_rng(0).normal(size=(5, 3)).astype("float32")
        >>> same = small.predict(x[:, small.kept_inputs], verbose=0)
        >>> bool(np.allclose(same, model.predict(x, verbose=0), atol=1e-6))
        True
    """
    tol = check_nonnegative("tol", tol)
    pruner, inputs, masks = _analysed(model, tol)
    pruned = pruner.build(inputs, pruner.plan(inputs, masks))
    pruned.kept_inputs = np.flatnonzero(inputs)
    pruned.kept_units = {
        pruner.layers[i].name: np.flatnonzero(mask)
        for i, mask in zip(pruner.at, masks, strict=True)
    }
    return pruned
