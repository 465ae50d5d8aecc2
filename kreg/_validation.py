"""Argument checks: each returns the value as a plain Python type and raises
``ValueError`` (bad value) or ``TypeError`` (bad type) with one message format::

    Invalid value for argument `lam`: expected a finite number >= 0. Received: lam=-1
"""

from __future__ import annotations

import math
import numbers
import os
import reprlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np


def _fail(name: str, expected: str, value: Any, error: type[Exception] = ValueError):
    raise error(
        f"Invalid value for argument `{name}`: expected {expected}. "
        f"Received: {name}={value!r}"
    )


class _Shown(str):
    """Text a message shows as it is (``repr`` without quotes)."""

    __repr__ = str.__str__


def _fail_array(
    name: str, expected: str, value: Any, error: type[Exception] = TypeError
):
    """``_fail`` showing an array by type, shape and dtype, others by ``reprlib``."""
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        dtype = getattr(dtype, "name", None) or str(dtype).removeprefix("torch.")
        shown = f"<{type(value).__name__} shape={tuple(shape)} dtype={dtype}>"
    else:
        shown = reprlib.repr(value)
    _fail(name, expected, _Shown(shown), error)


def _is_int(value: Any) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _check_real(
    name: str, value: Any, expected: str, valid: Callable[[float], bool]
) -> float:
    """``value`` as a float if it is a real number (not bool) and ``valid``."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        _fail(name, expected, value, TypeError)
    value = float(value)
    if not (math.isfinite(value) and valid(value)):
        _fail(name, expected, value)
    return value


def check_nonnegative(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number >= 0 (not bool)."""
    return _check_real(name, value, "a finite number >= 0", lambda v: v >= 0)


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number > 0."""
    return _check_real(name, value, "a finite number > 0", lambda v: v > 0)


def check_fraction(name: str, value: Any, *, inclusive_low: bool = False) -> float:
    """Return ``value`` as a float if it lies in (0, 1) (or [0, 1) if asked)."""
    expected = f"a number in {'[' if inclusive_low else '('}0, 1)"
    return _check_real(
        name, value, expected, lambda v: 0 <= v < 1 and (inclusive_low or v > 0)
    )


def check_int(
    name: str,
    value: Any,
    minimum: int = 1,
    what: str = "",
    *,
    maximum: int | None = None,
) -> int:
    """Return ``value`` as an int if it is an integer (not bool, nor a float, even
    ``80.0``) in ``[minimum, maximum]``; ``what`` says what it is in the message."""
    bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum:,}]"
    expected = f"an integer {bound}" + (f" ({what})" if what else "")
    if not _is_int(value):
        _fail(name, expected, value, TypeError)
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        _fail(name, expected, value)
    return value


#: The largest float32: a factor ``lam / (2 n)`` above it makes any penalty inf.
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_n(value: Any, name: str = "n") -> int:
    """Return ``n``, the number of training examples, as an int if it is >= 1."""
    return check_int(name, value, what="the number of training examples")


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool if it is a Python or NumPy bool."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(name, "True or False", value, TypeError)
    return bool(value)


def check_choice(name: str, value: Any, choices: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``choices`` (a sequence of strings)."""
    if value not in choices:
        _fail(name, "one of " + ", ".join(repr(c) for c in choices), value)
    return value


def check_names(name: str, value: Any) -> list:
    """Return ``value`` as a list if it is a non-empty iterable that is not a string."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        _fail(name, "a list", value, TypeError)
    items = list(value)
    if not items:
        _fail(name, "a non-empty list", value)
    return items


def check_path(name: str, value: Any, expected: str = "a path (str or os.PathLike)"):
    """Return ``value`` as a ``str`` path if it is a ``str`` or ``os.PathLike``."""
    if not isinstance(value, (str, os.PathLike)):
        _fail(name, expected, value, TypeError)
    return os.fspath(value)


def first_nonfinite(curves: Any) -> int | None:
    """The first epoch (0-based) at which a training curve is not finite, or None.

    ``curves`` maps names to values with the epochs on the last axis (leading axes
    pooled); ``"val_*"`` curves (NaN without validation data) are left out.
    """
    firsts = []
    for key, values in curves.items():
        if str(key).startswith("val_"):
            continue
        bad = ~np.isfinite(np.atleast_1d(np.asarray(values, dtype=np.float64)))
        bad = bad.reshape(-1, bad.shape[-1]).any(axis=0)
        if bad.any():
            firsts.append(int(np.argmax(bad)))
    return min(firsts, default=None)


# Upper bounds of the sizes ``kreg.compare`` and ``kreg.sweep`` accept, checked
# before any training; each keeps one array to a sane size.

#: The decision grid: 2000 x 2000 points, 32 MB (float64) per network drawn.
MAX_GRID_RESOLUTION = 2000
#: Points of the two moons: 1,000,000 rows of 2 features, 16 MB.
MAX_SAMPLES = 1_000_000
#: Epochs: 6 numbers per network per epoch (15 networks: 360 MB of float32).
MAX_EPOCHS = 1_000_000
#: Weights of all the networks trained side by side (variants x seeds x weights
#: of one network): 2**27 float32, 512 MiB, plus up to two optimizer copies.
MAX_STACKED_WEIGHTS = 2**27
