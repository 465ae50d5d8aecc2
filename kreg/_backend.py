"""The Keras backends kreg runs on: choosing one, and reading tensors on each.

Importing this module imports neither Keras nor any framework: the command line
checks the backend it is asked for before Keras starts.
"""

from __future__ import annotations

import importlib.util
import os
from typing import Any

import numpy as np

#: Keras' name of each backend kreg supports -> the module that provides it and the
#: pip extra that installs it.
BACKENDS = {
    "tensorflow": ("tensorflow", "kreg"),
    "jax": ("jax", "kreg[jax]"),
    "torch": ("torch", "kreg[torch]"),
}


def requested() -> str:
    """The backend Keras will start with: ``KERAS_BACKEND``, else ``"tensorflow"``
    (the variable takes precedence over ``~/.keras/keras.json``)."""
    return os.environ.get("KERAS_BACKEND") or "tensorflow"


def missing(backend: str) -> str | None:
    """Why ``backend`` cannot run here, in one line; ``None`` if it can (nothing is
    imported)."""
    if backend not in BACKENDS:
        choices = ", ".join(BACKENDS)
        return f"kreg runs on the Keras backends {choices}, not {backend!r}"
    module, extra = BACKENDS[backend]
    if importlib.util.find_spec(module) is None:
        return (
            f"the Keras backend {backend!r} needs the package {module!r}, which is "
            f"not installed: pip install '{extra}'"
        )
    return None


def to_numpy(x: Any) -> np.ndarray:
    """A NumPy copy of a tensor or ``keras.Variable``, bfloat16 as float32.

    Not ``keras.ops.convert_to_numpy``: it calls ``np.array`` on the framework's
    tensor, which NumPy 2 warns about on PyTorch and JAX.
    """
    import keras

    value = x.value if isinstance(x, keras.Variable) else x  # the backend's tensor
    if hasattr(value, "detach"):  # torch
        value = value.detach().cpu()
        if str(value.dtype) == "torch.bfloat16":
            value = value.float()
        return value.numpy().copy()
    if hasattr(value, "numpy"):  # tensorflow
        value = value.numpy()
    out = np.array(value)
    if out.dtype.kind == "V" or out.dtype.name == "bfloat16":
        out = out.astype(np.float32)
    return out
