"""Argument checks shared by every public entry point of kreg.

Each check returns the value converted to a plain Python type (``float`` or ``int``)
so that callers can store it in a config, and raises ``ValueError`` (bad value) or
``TypeError`` (bad type) with one message format::

    Invalid value for argument `lam`: expected a finite number >= 0. Received: lam=-1
"""

from __future__ import annotations

import math
import numbers
import reprlib
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np


def _fail(name: str, expected: str, value: Any, error: type[Exception] = ValueError):
    raise error(
        f"Invalid value for argument `{name}`: expected {expected}. "
        f"Received: {name}={value!r}"
    )


class _Shown:
    """A value as a message shows it: ``repr`` returns the given text."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _fail_array(
    name: str, expected: str, value: Any, error: type[Exception] = TypeError
):
    """``_fail`` for an array or tensor argument, shown by type, shape and dtype.

    The entries of a large array would fill the message; a tensor traced in a
    ``tf.function`` has none to show. Values without a ``shape`` and ``dtype``
    (``None``, strings, lists) are shown by ``reprlib.repr``, shortened if long.
    """
    shape, dtype = getattr(value, "shape", None), getattr(value, "dtype", None)
    if shape is not None and dtype is not None:
        dtype = getattr(dtype, "name", None) or str(dtype).removeprefix("torch.")
        shown = f"<{type(value).__name__} shape={tuple(shape)} dtype={dtype}>"
    else:
        shown = reprlib.repr(value)
    _fail(name, expected, _Shown(shown), error)


def _is_real(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_nonnegative(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number >= 0.

    Any ``numbers.Real`` is accepted (Python and NumPy scalars alike); ``bool`` is
    refused, as are NaN, infinities and negative numbers.
    """
    if not _is_real(value):
        _fail(name, "a finite number >= 0", value, TypeError)
    value = float(value)
    if not math.isfinite(value) or value < 0:
        _fail(name, "a finite number >= 0", value)
    return value


def check_positive(name: str, value: Any) -> float:
    """Return ``value`` as a float if it is a finite real number > 0."""
    if not _is_real(value):
        _fail(name, "a finite number > 0", value, TypeError)
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        _fail(name, "a finite number > 0", value)
    return value


def check_int(
    name: str,
    value: Any,
    minimum: int = 1,
    what: str = "",
    *,
    maximum: int | None = None,
) -> int:
    """Return ``value`` as an int if it is an integer in ``[minimum, maximum]``.

    Python and NumPy integers are accepted. ``bool`` and floats are refused, even
    integral ones such as ``80.0``: an ``n`` computed as ``0.8 * len(x)`` is better
    written ``int(0.8 * len(x))`` so that the rounding is visible. ``maximum``
    (``None``: no bound) keeps sizes that would exhaust memory out; ``what`` says
    why the bound is there.
    """
    bound = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum:,}]"
    expected = f"an integer {bound}" + (f" ({what})" if what else "")
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        _fail(name, expected, value, TypeError)
    value = int(value)
    if value < minimum or (maximum is not None and value > maximum):
        _fail(name, expected, value)
    return value


def check_bool(name: str, value: Any) -> bool:
    """Return ``value`` as a bool if it is a Python or NumPy bool."""
    if not isinstance(value, (bool, np.bool_)):
        _fail(name, "True or False", value, TypeError)
    return bool(value)


def check_fraction(name: str, value: Any, *, inclusive_low: bool = False) -> float:
    """Return ``value`` as a float if it lies in (0, 1) (or [0, 1) if asked)."""
    low = "[0" if inclusive_low else "(0"
    expected = f"a number in {low}, 1)"
    if not _is_real(value):
        _fail(name, expected, value, TypeError)
    value = float(value)
    if not (value >= 0 if inclusive_low else value > 0) or not value < 1:
        _fail(name, expected, value)
    return value


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


def first_nonfinite(curves: Any) -> int | None:
    """The index of the first epoch at which a training curve is NaN or infinite.

    The one test of divergence that results, reports and figures share.
    Validation curves (keys starting with ``"val_"``) are left out: they are NaN
    throughout when a run has no validation data, and a run whose weights went
    non-finite has a non-finite training loss anyway.

    Args:
        curves: Curve name -> per-epoch values, the epochs along the last axis
            (leading axes, e.g. seeds, are pooled: an epoch counts if any is bad).

    Returns:
        The 0-based index of that epoch, or ``None`` if every value is finite.
    """
    first = None
    for key, values in curves.items():
        if str(key).startswith("val_"):
            continue
        bad = ~np.isfinite(np.atleast_1d(np.asarray(values, dtype=np.float64)))
        bad = bad.reshape(-1, bad.shape[-1]).any(axis=0)
        if bad.any():
            index = int(np.argmax(bad))
            first = index if first is None else min(first, index)
    return first


# Upper bounds of the size arguments of ``kreg.compare`` and ``kreg.sweep``,
# checked before any training; each keeps one array to a sane size.

#: The decision grid: 2000 x 2000 points, 32 MB (float64) per network drawn; no
#: figure shows more pixels than that.
MAX_GRID_RESOLUTION = 2000
#: Points of the two moons: 1,000,000 rows of 2 features, 16 MB.
MAX_SAMPLES = 1_000_000
#: Epochs: 6 numbers per network per epoch are kept (1,000,000 epochs of 15
#: networks: 360 MB of float32).
MAX_EPOCHS = 1_000_000
#: Weights of all the networks trained side by side (variants x seeds x weights
#: of one network): 2**27 float32, 512 MiB; the optimizer keeps up to two more
#: copies (Adam's moments).
MAX_STACKED_WEIGHTS = 2**27
