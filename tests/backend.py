"""What the tests need to know about the Keras backend they run on.

The suite runs on every backend (``KERAS_BACKEND=jax python -m pytest ...``).
Tests of TensorFlow-only features (``tf.function`` tracing, ``tf.data``,
``tf.distribute``) carry ``@tensorflow_only``; on the other backends they are
deselected (``conftest.py``), not skipped.
"""

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import keras
import numpy as np
import pytest
from keras import ops

BACKEND = keras.backend.backend()

#: Whether the backend computes in float64 when asked (JAX does not, by default:
#: it truncates to float32 unless ``jax_enable_x64`` is set).
with warnings.catch_warnings():  # JAX warns that it truncates
    warnings.simplefilter("ignore", UserWarning)
    FLOAT64 = (
        keras.backend.standardize_dtype(ops.ones((), "float64").dtype) == "float64"
    )

tensorflow_only = pytest.mark.tensorflow_only


def gradient(fn: Callable[[Any], Any], w: np.ndarray) -> np.ndarray:
    """The gradient of the scalar ``fn(w)`` with respect to ``w``, as NumPy."""
    if BACKEND == "tensorflow":
        import tensorflow as tf

        variable = tf.Variable(w)
        with tf.GradientTape() as tape:
            value = fn(variable)
        return tape.gradient(value, variable).numpy()
    if BACKEND == "jax":
        import jax

        return np.asarray(jax.grad(fn)(ops.convert_to_tensor(w)))
    import torch

    tensor = torch.tensor(w, requires_grad=True)
    fn(tensor).backward()
    return tensor.grad.numpy()


@contextlib.contextmanager
def no_warnings() -> Iterator[None]:
    """Turn every warning into an error, but Keras' own DeprecationWarnings (on
    JAX and PyTorch, Keras converts variables with NumPy 2's deprecated copy
    semantics)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        warnings.filterwarnings("ignore", category=DeprecationWarning, module="keras")
        yield
