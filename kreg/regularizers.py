"""Keras regularizers with the lecture's ``lam / (2 n)`` scaling.

``n`` is the number of training examples, fixed when the regularizer is made, not
the batch size: Keras adds the penalty once per step to the batch-mean loss, so
``mean_batch_loss + lam / (2 n) * sum(...)`` is an unbiased estimate of the full
objective for any batch size. Pass them to a layer as ``kernel_regularizer=`` (or
``embeddings_regularizer=`` for ``Embedding``); biases are not meant to be
regularized. They are registered with Keras under the package name ``"kreg"``, so
a saved model loads back in any process that has imported ``kreg``, with
``safe_mode=True`` and no ``custom_objects``. :mod:`kreg.conventions` gives the
equal Keras, PyTorch and scikit-learn settings.

With ``proximal=True``, ``kreg.ProximalSGD`` and ``kreg.ProximalAdam`` apply the
L1 (or group) term as a soft threshold after each update instead of through its
subgradient, which lands weights exactly on zero (see :mod:`kreg.proximal`); the
penalty in the loss is the same, and other optimizers ignore the flag.

The constructors raise ``ValueError`` if a strength (``lam``, ``l1``, ``l2``) is
negative, NaN or infinite, ``n < 1``, or a factor ``lam / (2 n)`` exceeds the
float32 maximum (about 3.4e38, where every nonzero penalty would be ``inf``), and
``TypeError`` if a strength is not a real number (``bool`` included), ``n`` not an
integer (``80.0`` is refused: write ``int(...)``) or ``proximal`` not a bool.
Called on what is not a tensor or array of floats or integers (bool, complex,
string, None), a regularizer raises ``TypeError``; integer weights are cast to
float32.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any, NoReturn

import keras
from keras import ops

# The module, not its names: importing Keras from kreg.penalties registers
# this module while kreg.penalties is still being imported.
from kreg import penalties
from kreg._validation import (
    _fail,
    check_bool,
    check_choice,
    check_n,
    check_names,
    check_nonnegative,
)


class _ScaledRegularizer(keras.regularizers.Regularizer):
    """Shared plumbing: config from the constructor's arguments, repr, equality."""

    def get_config(self) -> dict[str, Any]:
        return {
            key: getattr(self, key) for key in inspect.signature(type(self)).parameters
        }

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> _ScaledRegularizer:
        """Return the regularizer a config describes (the inverse of ``get_config``).

        Raises:
            ValueError: If ``config`` is not a dict with the constructor's keys, or
                holds a value the constructor refuses: one error (the root of the
                chain when Keras loads a model) naming the class and the config,
                then the constructor's message.
        """
        where = f"Cannot deserialize kreg.{cls.__name__} from config {config!r}"
        params = inspect.signature(cls).parameters
        keys = ", ".join(repr(key) for key in params)
        if not isinstance(config, dict):
            raise ValueError(f"{where}: expected a dict with the keys {keys}.")
        unknown = [key for key in config if key not in params]
        missing = [
            key
            for key, param in params.items()
            if param.default is param.empty and key not in config
        ]
        if unknown or missing:
            problems = ", ".join(
                f"{what} {', '.join(repr(key) for key in names)}"
                for what, names in (("unknown", unknown), ("missing", missing))
                if names
            )
            raise ValueError(f"{where}: expected the keys {keys}; {problems}.")
        try:
            return cls(**config)
        except (TypeError, ValueError) as error:
            # One error, not two: a traceback prints every link of the chain.
            raise ValueError(f"{where}: {error}") from None

    def __repr__(self) -> str:
        config = self.get_config()
        if config.get("proximal") is False:
            del config["proximal"]
        args = ", ".join(f"{k}={v!r}" for k, v in config.items())
        return f"{type(self).__name__}({args})"

    def __eq__(self, other: object) -> bool:
        return type(self) is type(other) and self.get_config() == other.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, tuple(self.get_config().items())))


@keras.saving.register_keras_serializable(package="kreg")
class L2(_ScaledRegularizer):
    """L2 kernel regularizer: ``penalty = lam / (2 n) * sum(w ** 2)``.

    Its gradient ``(lam / n) * w`` makes a plain SGD step
    ``w <- w * (1 - lr * lam / n) - lr * dLoss/dw`` (weight decay). The same
    penalty: Keras ``keras.regularizers.L2(lam / (2 n))``; under plain SGD only,
    the optimizer argument ``weight_decay=lam / n``.

    Args:
        lam: The regularization strength lambda, a finite number >= 0 (``0``
            switches the penalty off at no cost).
        n: The number of training examples, an integer >= 1.

    Examples:
        >>> import numpy as np
        >>> reg = L2(lam=0.16, n=80)
        >>> reg
        L2(lam=0.16, n=80)
        >>> round(float(reg(np.ones((2, 3)))), 6)
        0.006
        >>> layer = keras.layers.Dense(4, kernel_regularizer=L2(0.16, n=80))
    """

    def __init__(self, lam: float, n: int):
        self.lam = check_nonnegative("lam", lam)
        self.n = check_n(n)
        penalties.check_factor("lam", self.lam, self.n)

    def __call__(self, x: Any):
        penalties.check_weights("x", x)
        return penalties.l2_penalty(x, self.lam, self.n)


@keras.saving.register_keras_serializable(package="kreg")
class L1(_ScaledRegularizer):
    """L1 kernel regularizer: ``penalty = lam / (2 n) * sum(|w|)``.

    Its gradient ``lam / (2 n) * sign(w)`` is a constant pull toward zero. The same
    penalty: Keras ``keras.regularizers.L1(lam / (2 n))``; for a linear model
    trained on the mean squared error, scikit-learn ``Lasso(alpha=lam / (4 n))``.

    Args:
        lam: The regularization strength lambda, a finite number >= 0.
        n: The number of training examples, an integer >= 1.
        proximal: Apply the penalty as a soft threshold with the proximal
            optimizers, for exact zeros.

    Examples:
        >>> import numpy as np
        >>> reg = L1(lam=0.16, n=80)
        >>> round(float(reg(np.array([[1.0, -2.0], [0.5, 0.0]]))), 6)
        0.0035
    """

    def __init__(self, lam: float, n: int, *, proximal: bool = False):
        self.lam = check_nonnegative("lam", lam)
        self.n = check_n(n)
        penalties.check_factor("lam", self.lam, self.n)
        self.proximal = check_bool("proximal", proximal)

    def __call__(self, x: Any):
        penalties.check_weights("x", x)
        return penalties.l1_penalty(x, self.lam, self.n)


@keras.saving.register_keras_serializable(package="kreg")
class L1L2(_ScaledRegularizer):
    """L1 plus L2 (elastic net): ``l1 / (2 n) * sum(|w|) + l2 / (2 n) * sum(w ** 2)``.

    The same penalty: Keras ``keras.regularizers.L1L2(l1 / (2 n), l2 / (2 n))``.

    Args:
        l1: The L1 strength, a finite number >= 0.
        l2: The L2 strength, a finite number >= 0.
        n: The number of training examples, an integer >= 1.
        proximal: Apply the L1 part as a soft threshold with the proximal
            optimizers; the L2 part stays a gradient term.

    Examples:
        >>> import numpy as np
        >>> reg = L1L2(l1=0.1, l2=0.2, n=10)
        >>> round(float(reg(np.array([1.0, -2.0]))), 6)
        0.065
    """

    def __init__(self, l1: float, l2: float, n: int, *, proximal: bool = False):
        self.l1 = check_nonnegative("l1", l1)
        self.l2 = check_nonnegative("l2", l2)
        self.n = check_n(n)
        penalties.check_factor("l1", self.l1, self.n)
        penalties.check_factor("l2", self.l2, self.n)
        self.proximal = check_bool("proximal", proximal)

    def __call__(self, x: Any):
        penalties.check_weights("x", x)
        if self.l2 == 0:
            return penalties.l1_penalty(x, self.l1, self.n)
        if self.l1 == 0:
            return penalties.l2_penalty(x, self.l2, self.n)
        return ops.add(
            penalties.l1_penalty(x, self.l1, self.n),
            penalties.l2_penalty(x, self.l2, self.n),
        )


@keras.saving.register_keras_serializable(package="kreg")
class GroupL1(_ScaledRegularizer):
    """Group-lasso kernel regularizer: ``lam / (2 n) * sum_g sqrt(p_g) * ||w_g||_2``.

    A group ``w_g`` of ``p_g`` weights is one unit's incoming weights
    (``groups="units"``: a column of a Dense kernel, one Conv filter) or one
    input's outgoing weights (``groups="inputs"``: a row of a Dense kernel, one
    input channel). It drives whole groups to zero as ``L1`` (its case of
    one-weight groups) drives single weights, so that units or inputs can be
    removed (``kreg.prune``). Keras has no equivalent. The proximal optimizers'
    block soft threshold is ``w_g <- w_g * max(0, 1 - t_g / ||w_g||)`` with
    ``t_g = lr * lam / (2 n) * sqrt(p_g)`` (for Adam, ``lr`` times Adam's mean
    step scale over the group, an approximation).

    Args:
        lam: The regularization strength lambda, a finite number >= 0.
        n: The number of training examples, an integer >= 1.
        groups: ``"units"`` or ``"inputs"`` (else ``ValueError``; so is a kernel
            of rank < 2 when called).
        proximal: Apply the penalty as a block soft threshold with the proximal
            optimizers.

    Examples:
        >>> import numpy as np
        >>> reg = GroupL1(lam=0.5, n=10, groups="inputs")
        >>> reg
        GroupL1(lam=0.5, n=10, groups='inputs')
        >>> round(float(reg(np.array([[3.0, 4.0], [0.0, 0.0]]))), 6)  # 0.025*5*sqrt 2
        0.176777
    """

    def __init__(
        self, lam: float, n: int, *, groups: str = "units", proximal: bool = False
    ):
        self.lam = check_nonnegative("lam", lam)
        self.n = check_n(n)
        penalties.check_factor("lam", self.lam, self.n)
        self.groups = check_choice("groups", groups, penalties.GROUPS)
        self.proximal = check_bool("proximal", proximal)

    def __call__(self, x: Any):
        return penalties.group_l1_penalty(x, self.lam, self.n, self.groups)


_KERNEL_ARGS = ("kernel_regularizer", "embeddings_regularizer")


def _kernel_arg(layer: keras.layers.Layer) -> str | None:
    """The constructor argument that regularizes ``layer``'s kernel, if it has one."""
    config = layer.get_config()
    return next((arg for arg in _KERNEL_ARGS if arg in config), None)


def _all_layers(model: keras.Model) -> list[keras.layers.Layer]:
    """Every layer of ``model``, nested models' layers included, in model order."""
    found = []
    for layer in model.layers:
        found.append(layer)
        if isinstance(layer, keras.Model):
            found.extend(_all_layers(layer))
    return found


def _select_layers(model: keras.Model, layers: Any) -> set[int]:
    """Resolve ``layers`` (None, names, Layer objects) to a set of ``id(layer)``."""
    every = _all_layers(model)
    candidates = [layer for layer in every if _kernel_arg(layer)]
    if layers is None:
        return {id(layer) for layer in candidates}
    if isinstance(layers, (str, keras.layers.Layer)):
        layers = [layers]
    layers = check_names("layers", layers)
    by_name = {layer.name: layer for layer in every}
    valid = ", ".join(repr(layer.name) for layer in candidates) or "none"

    def refuse(problem: str) -> NoReturn:
        raise ValueError(
            f"Invalid value for argument `layers`: {problem}. Layers with a kernel: "
            f"{valid}"
        )

    selected = set()
    for item in layers:
        if isinstance(item, str):
            if item not in by_name:
                refuse(f"no layer named {item!r} in model {model.name!r}")
            layer = by_name[item]
        elif isinstance(item, keras.layers.Layer):
            if all(item is not other for other in every):
                refuse(f"layer {item.name!r} is not part of model {model.name!r}")
            layer = item
        else:
            _fail("layers", "layer names or keras Layer objects", layers, TypeError)
        if not _kernel_arg(layer):
            kind = type(layer).__name__
            refuse(f"layer {layer.name!r} ({kind}) has no kernel to regularize")
        selected.add(id(layer))
    return selected


def regularize(
    model: keras.Model,
    regularizer: keras.regularizers.Regularizer,
    *,
    layers: Any = None,
) -> keras.Model:
    """Return a copy of a built model whose kernels carry ``regularizer``.

    Setting ``layer.kernel_regularizer`` on a built layer silently does nothing
    (Keras attaches a regularizer when the layer is built; see
    tensorflow/tensorflow#33635). This rebuilds the model with the regularizer in
    the selected layers' ``kernel_regularizer`` (``embeddings_regularizer`` for
    ``Embedding``) and copies every weight: the copy computes what the original
    does, plus the penalty. Biases are never regularized; the original is not
    changed; the copy is not compiled.

    Args:
        model: A built Sequential or functional Keras model (nested models
            included; a subclassed model cannot be rebuilt from its config).
        regularizer: A Keras regularizer instance, typically ``kreg.L2(lam, n)``.
        layers: ``None`` (every layer with a kernel), or names or layer objects
            of ``model``.

    Returns:
        A new, built, uncompiled ``keras.Model`` with identical weights.

    Raises:
        TypeError: If an argument is not of the kind given above.
        ValueError: If ``model`` is not built, is subclassed, or ``layers`` names
            a layer that is not in it or has no kernel.

    Warns:
        UserWarning: If ``layers`` is None and no layer of ``model`` has a kernel:
            the copy carries no penalty.

    Examples:
        >>> import kreg
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
        >>> copy = kreg.regularize(model, kreg.L2(0.16, n=80))
        >>> copy.layers[0].kernel.regularizer
        L2(lam=0.16, n=80)
        >>> len(copy.losses)
        1
    """
    if not isinstance(model, keras.Model):
        _fail("model", "a keras.Model", model, TypeError)
    if not isinstance(regularizer, keras.regularizers.Regularizer):
        expected = "a keras.regularizers.Regularizer instance such as kreg.L2(lam, n)"
        _fail("regularizer", expected, regularizer, TypeError)
    if not model.built:
        raise ValueError(
            f"Invalid value for argument `model`: model {model.name!r} is not built; "
            "call it on data or call `model.build(input_shape)` first."
        )
    selected = _select_layers(model, layers)
    if not selected:  # layers=None on a model without kernels
        looked_at = ", ".join(
            f"{layer.name!r} ({type(layer).__name__})" for layer in _all_layers(model)
        )
        warnings.warn(
            f"regularize() regularized nothing: no layer of model {model.name!r} "
            f"has a kernel (a {' or '.join(_KERNEL_ARGS)} argument). Layers looked "
            f"at: {looked_at or 'none'}. The copy is returned without a penalty.",
            stacklevel=2,
        )

    return rebuild(model, regularizer, selected)


def rebuild(
    model: keras.Model,
    regularizer: keras.regularizers.Regularizer | None,
    selected: set[int],
    prefix: str = "",
) -> keras.Model:
    """A copy of ``model`` with ``regularizer`` on the kernels of the ``selected``
    layers (``id``s) and the same weights; ``prefix`` goes before every layer's
    name (``kreg.compare``'s towers of one model need distinct variable paths)."""

    def clone(layer: keras.layers.Layer) -> keras.layers.Layer:
        config = layer.get_config()
        if id(layer) in selected:
            config[_kernel_arg(layer)] = regularizer
        if prefix:
            config["name"] = prefix + layer.name
        return type(layer).from_config(config)

    try:
        copy = keras.models.clone_model(model, clone_function=clone, recursive=True)
    except ValueError as error:
        raise ValueError(
            f"Invalid value for argument `model`: {model.name!r} cannot be rebuilt "
            f"from its config ({error}); regularize() supports Sequential and "
            "functional models."
        ) from error
    if not copy.built:
        copy.build(model.inputs[0].shape if model.inputs else None)
    # Copied tensor by tensor, not through NumPy (which warns on JAX and PyTorch);
    # copied, since JAX's fit deletes the buffers of the arrays it trains.
    for target, source in zip(copy.weights, model.weights, strict=True):
        target.assign(ops.copy(source.value))
    return copy
