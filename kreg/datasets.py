"""Toy data and the train/validation split Keras makes.

``make_moons`` is scikit-learn's, bit for bit, in NumPy only; ``train_val_split``
cuts off the last rows as ``keras.Model.fit(validation_split=...)`` does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kreg._validation import _check_real, _fail, _is_int, check_bool, check_fraction

_MAX_SEED = 2**32 - 1
_N_SAMPLES = (
    "an integer >= 1 (total points) or a tuple of two integers >= 0 "
    "(points in the outer and inner moon)"
)
_RANDOM_STATE = (
    f"None, an integer in [0, {_MAX_SEED}] or a numpy.random.RandomState instance"
)


def _moon_sizes(n_samples: Any) -> tuple[int, int]:
    """Return (points in the outer moon, points in the inner moon)."""
    if _is_int(n_samples):
        if n_samples < 1:
            _fail("n_samples", _N_SAMPLES, n_samples)
        total = int(n_samples)
        return total // 2, total - total // 2
    pair = isinstance(n_samples, tuple) and len(n_samples) == 2
    if not isinstance(n_samples, tuple) or (pair and not all(map(_is_int, n_samples))):
        _fail("n_samples", _N_SAMPLES, n_samples, TypeError)
    if not pair or min(n_samples) < 0:
        _fail("n_samples", _N_SAMPLES, n_samples)
    return int(n_samples[0]), int(n_samples[1])


def _random_source(random_state: Any) -> Any:
    """The RandomState that draws the data (``np.random``, the global one, for None)."""
    if random_state is None:
        return np.random
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if not _is_int(random_state):
        _fail("random_state", _RANDOM_STATE, random_state, TypeError)
    if not 0 <= random_state <= _MAX_SEED:
        _fail("random_state", _RANDOM_STATE, random_state)
    return np.random.RandomState(int(random_state))


def make_moons(
    n_samples: int | tuple[int, int] = 100,
    *,
    shuffle: bool = True,
    noise: float | None = None,
    random_state: int | np.random.RandomState | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, bit-identical to scikit-learn's ``make_moons``.

    With ``t`` evenly over ``[0, pi]`` in each moon, the outer moon (label 0) is
    ``(cos t, sin t)`` and the inner (label 1) ``(1 - cos t, 1 - sin t - 0.5)``.
    The rows are shuffled and noise added from one ``RandomState`` as
    scikit-learn (1.9) does: the same arrays bit for bit. The lecture's data is
    ``make_moons(100, noise=0.25, random_state=2)``.

    Args:
        n_samples: The number of points, an integer >= 1 (``n_samples // 2`` in
            the outer moon), or a tuple ``(n_outer, n_inner)`` of integers >= 0.
        shuffle: Whether to shuffle the rows (else the outer moon comes first).
        noise: The standard deviation of the Gaussian noise, >= 0 (``0`` still
            draws it), or ``None``.
        random_state: ``None`` (NumPy's global state), a seed in
            ``[0, 2**32 - 1]``, or a ``numpy.random.RandomState`` (advanced in
            place; not a ``Generator``, whose stream differs).

    Returns:
        ``(x, y)``: float64 points ``(n, 2)`` and ``numpy.intp`` labels ``(n,)``.

    Raises:
        ValueError: If an argument is out of range.
        TypeError: If an argument has the wrong type (``bool`` for a number).

    Examples:
        >>> x, y = make_moons(4, shuffle=False)
        >>> x.round(3).tolist(), y.tolist()
        ([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]], [0, 0, 1, 1])
    """
    n_outer, n_inner = _moon_sizes(n_samples)
    shuffle = check_bool("shuffle", shuffle)
    if noise is not None:
        noise = _check_real(
            "noise", noise, "a finite number >= 0 or None", lambda v: v >= 0
        )
    source = _random_source(random_state)

    t_outer = np.linspace(0, np.pi, n_outer)
    t_inner = np.linspace(0, np.pi, n_inner)
    x = np.empty((n_outer + n_inner, 2), dtype=np.float64)
    x[:n_outer, 0] = np.cos(t_outer)
    x[:n_outer, 1] = np.sin(t_outer)
    x[n_outer:, 0] = 1 - np.cos(t_inner)
    x[n_outer:, 1] = 1 - np.sin(t_inner) - 0.5
    y = np.zeros(n_outer + n_inner, dtype=np.intp)
    y[n_outer:] = 1

    if shuffle:
        order = source.permutation(len(y))
        x, y = x[order], y[order]
    if noise is not None:
        x += source.normal(scale=noise, size=x.shape)
    return x, y


def _rows(name: str, value: Any) -> np.ndarray:
    array = np.asarray(value)
    if array.ndim == 0:
        _fail(name, "an array with at least one dimension (rows first)", value)
    return array


def train_val_split(
    x: Any, y: Any, validation_split: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split off the last rows for validation, as Keras ``fit`` does.

    ``keras.Model.fit(x, y, validation_split=v)`` trains on the first
    ``floor(n * (1 - v))`` rows, computed as Keras does, and validates on the
    rest, without shuffling (shuffle ordered rows first): the lecture's 100 moons
    with ``v = 0.2`` give 80 training and 20 validation rows.

    Args:
        x: The inputs, an array-like with the rows first.
        y: The targets, an array-like with as many rows as ``x``.
        validation_split: The fraction to validate on, in ``[0, 1)``: ``0`` keeps
            every row for training (empty validation arrays); any other value
            must leave at least one row on each side, as in Keras.

    Returns:
        ``(x_train, y_train, x_val, y_val)``: NumPy arrays (views of NumPy inputs).

    Raises:
        ValueError: If ``validation_split`` is out of range or leaves a side
            empty, ``x`` or ``y`` is a scalar, or their numbers of rows differ.
        TypeError: If ``validation_split`` is not a real number.

    Examples:
        >>> x = np.arange(20.0).reshape(10, 2)
        >>> y = np.arange(10)
        >>> x_train, y_train, x_val, y_val = train_val_split(x, y, 0.25)
        >>> y_train.tolist(), y_val.tolist()
        ([0, 1, 2, 3, 4, 5, 6], [7, 8, 9])
    """
    validation_split = check_fraction(
        "validation_split", validation_split, inclusive_low=True
    )
    x = _rows("x", x)
    y = _rows("y", y)
    n = len(x)
    if len(y) != n:
        raise ValueError(
            f"Invalid value for argument `y`: expected as many rows as `x` ({n}). "
            f"Received: y with {len(y)} rows"
        )
    if validation_split == 0:
        n_train = n
    else:
        # The same expression as Keras, so the rounding agrees in every case.
        n_train = int(math.floor(n * (1.0 - validation_split)))
        if n_train == 0:
            _fail(
                "validation_split",
                f"a fraction that leaves at least one of the {n} rows for training",
                validation_split,
            )
        if n_train == n:
            _fail(
                "validation_split",
                f"0, or a fraction that moves at least one of the {n} rows to "
                "validation",
                validation_split,
            )
    return x[:n_train], y[:n_train], x[n_train:], y[n_train:]
