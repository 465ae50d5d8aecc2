"""Tests for kreg.datasets: make_moons against scikit-learn, train_val_split
against Keras' own split."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keras.src.trainers.data_adapters.array_slicing import train_validation_split
from sklearn.datasets import make_moons as sk_make_moons

import kreg.datasets
from kreg.datasets import make_moons, train_val_split


def _states_equal(a, b):
    sa, sb = a.get_state(), b.get_state()
    return all(np.array_equal(p, q) for p, q in zip(sa, sb, strict=True))


def _assert_same(ours, theirs):
    for mine, ref in zip(ours, theirs, strict=True):
        assert mine.dtype == ref.dtype
        assert mine.shape == ref.shape
        assert np.array_equal(mine, ref)


# ---------------------------------------------------------------------------
# make_moons == scikit-learn


SETTINGS = [
    # (n_samples, noise, random_state, shuffle)
    (100, None, 0, True),
    (100, 0.25, 2, True),  # the lecture's data
    (101, 0.1, 42, True),
    (7, 0.3, 1, False),
    (1000, 0.2, 123, True),
    (1, None, 0, True),
    (1, 0.5, 0, True),
    (2, 0.0, 3, True),
    (3, 0.1, 2**32 - 1, True),
    (50, 0, 7, False),
    (50, 1e-300, 7, True),
    (50, 10.0, 0, True),
    ((0, 0), 0.1, 0, True),
    ((0, 3), None, 0, True),
    ((5, 0), 0.2, 0, True),
    ((4, 7), 0.2, 9, True),
    ((4, 7), 0.2, 9, False),
    ((np.int64(3), np.int32(2)), 0.1, 0, True),
    (np.int64(9), np.float32(0.1), np.int64(4), np.True_),
    (np.uint8(6), 0.1, np.uint32(2**32 - 1), False),
]


@pytest.mark.parametrize(("n_samples", "noise", "random_state", "shuffle"), SETTINGS)
def test_make_moons_equals_sklearn_with_seed(n_samples, noise, random_state, shuffle):
    kwargs = {"noise": noise, "random_state": random_state, "shuffle": shuffle}
    _assert_same(make_moons(n_samples, **kwargs), sk_make_moons(n_samples, **kwargs))


@pytest.mark.parametrize(("n_samples", "noise", "seed", "shuffle"), SETTINGS)
def test_make_moons_equals_sklearn_with_random_state_instance(
    n_samples, noise, seed, shuffle
):
    ours, theirs = np.random.RandomState(seed), np.random.RandomState(seed)
    kwargs = {"noise": noise, "shuffle": shuffle}
    _assert_same(
        make_moons(n_samples, random_state=ours, **kwargs),
        sk_make_moons(n_samples, random_state=theirs, **kwargs),
    )
    # Same consumption of the stream: the instances end in the same state...
    assert _states_equal(ours, theirs)
    # ...which is not the starting state whenever something was drawn.
    rows = len(make_moons(n_samples)[1])
    drew = rows > 0 and ((shuffle and rows > 1) or noise is not None)
    assert _states_equal(ours, np.random.RandomState(seed)) != drew


def test_make_moons_instance_is_advanced_between_calls():
    ours, theirs = np.random.RandomState(0), np.random.RandomState(0)
    for _ in range(3):
        _assert_same(
            make_moons(20, noise=0.1, random_state=ours),
            sk_make_moons(20, noise=0.1, random_state=theirs),
        )
    assert not np.array_equal(
        make_moons(20, noise=0.1, random_state=np.random.RandomState(0))[0],
        make_moons(20, noise=0.1, random_state=ours)[0],
    )
    assert _states_equal(ours, np.random.RandomState(0)) is False


@pytest.mark.parametrize("shuffle", [True, False])
def test_make_moons_none_uses_numpy_global_state(shuffle):
    # random_state=None draws from NumPy's legacy global RandomState, as in
    # scikit-learn, so this test has to drive that legacy API.
    saved = np.random.get_state()  # noqa: NPY002
    try:
        np.random.seed(11)  # noqa: NPY002
        theirs = sk_make_moons(30, noise=0.2, shuffle=shuffle)
        after_theirs = np.random.get_state()  # noqa: NPY002
        np.random.seed(11)  # noqa: NPY002
        ours = make_moons(30, noise=0.2, shuffle=shuffle)
        after_ours = np.random.get_state()  # noqa: NPY002
    finally:
        np.random.set_state(saved)  # noqa: NPY002
    _assert_same(ours, theirs)
    assert all(
        np.array_equal(p, q) for p, q in zip(after_ours, after_theirs, strict=True)
    )
    seeded = np.random.RandomState(11).get_state()
    assert not all(
        np.array_equal(p, q) for p, q in zip(after_ours, seeded, strict=True)
    )


def test_make_moons_defaults_and_layout():
    x, y = make_moons(random_state=0)
    assert x.shape == (100, 2) and x.dtype == np.float64
    assert y.dtype == np.intp and np.bincount(y).tolist() == [50, 50]
    # Unshuffled and noiseless: outer moon (label 0) first, on the closed forms.
    x, y = make_moons((3, 4), shuffle=False)
    assert y.tolist() == [0, 0, 0, 1, 1, 1, 1]
    t3, t4 = np.linspace(0, np.pi, 3), np.linspace(0, np.pi, 4)
    np.testing.assert_allclose(x[:3], np.c_[np.cos(t3), np.sin(t3)], atol=1e-15)
    np.testing.assert_allclose(
        x[3:], np.c_[1 - np.cos(t4), 0.5 - np.sin(t4)], atol=1e-15
    )
    # Integer n: n // 2 points in the outer moon.
    assert np.bincount(make_moons(7, random_state=0)[1]).tolist() == [3, 4]
    assert make_moons(1, random_state=0)[1].tolist() == [1]


def test_make_moons_noise_zero_consumes_stream_but_changes_nothing():
    a, b = np.random.RandomState(1), np.random.RandomState(1)
    x0, _ = make_moons(40, noise=0.0, random_state=a)
    xn, _ = make_moons(40, noise=None, random_state=b)
    assert np.array_equal(x0, xn)
    assert not _states_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(
    n_samples=st.one_of(
        st.integers(1, 400),
        st.tuples(st.integers(0, 200), st.integers(0, 200)),
    ),
    shuffle=st.booleans(),
    noise=st.one_of(
        st.none(),
        st.just(0.0),
        st.floats(0, 5, allow_nan=False, allow_infinity=False),
    ),
    seed=st.integers(0, 2**32 - 1),
    as_instance=st.booleans(),
)
def test_make_moons_property_equals_sklearn(
    n_samples, shuffle, noise, seed, as_instance
):
    if as_instance:
        ours, theirs = np.random.RandomState(seed), np.random.RandomState(seed)
    else:
        ours = theirs = seed
    kwargs = {"shuffle": shuffle, "noise": noise}
    _assert_same(
        make_moons(n_samples, random_state=ours, **kwargs),
        sk_make_moons(n_samples, random_state=theirs, **kwargs),
    )
    if as_instance:
        assert _states_equal(ours, theirs)


R = "Received: "
BAD_MOONS = [
    # (kwargs, error, message pattern)
    (
        {"n_samples": 0},
        ValueError,
        r"`n_samples`: expected an integer >= 1 .*\. Received: n_samples=0$",
    ),
    ({"n_samples": -5}, ValueError, r"n_samples=-5$"),
    (
        {"n_samples": 5.0},
        TypeError,
        r"`n_samples`: .*tuple of two integers >= 0 .*n_samples=5\.0$",
    ),
    ({"n_samples": True}, TypeError, r"n_samples=True$"),
    ({"n_samples": "100"}, TypeError, r"n_samples='100'$"),
    ({"n_samples": [50, 50]}, TypeError, r"n_samples=\[50, 50\]$"),
    ({"n_samples": (2,)}, ValueError, r"a tuple of two integers .*n_samples=\(2,\)$"),
    ({"n_samples": (1, 2, 3)}, ValueError, r"n_samples=\(1, 2, 3\)$"),
    ({"n_samples": (-1, 2)}, ValueError, r"integers >= 0 .*n_samples=\(-1, 2\)$"),
    ({"n_samples": (1.0, 2)}, TypeError, r"n_samples=\(1\.0, 2\)$"),
    ({"n_samples": (True, 2)}, TypeError, r"n_samples=\(True, 2\)$"),
    (
        {"noise": -0.1},
        ValueError,
        r"`noise`: expected a finite number >= 0 or None\. " + R + r"noise=-0\.1$",
    ),
    ({"noise": float("nan")}, ValueError, r"`noise`: .*noise=nan$"),
    ({"noise": float("inf")}, ValueError, r"`noise`: .*noise=inf$"),
    ({"noise": True}, TypeError, r"`noise`: .*noise=True$"),
    ({"noise": "0.1"}, TypeError, r"`noise`: .*noise='0\.1'$"),
    (
        {"random_state": -1},
        ValueError,
        r"`random_state`: expected None, an integer in \[0, 4294967295\] "
        r"or a numpy\.random\.RandomState instance\. " + R + r"random_state=-1$",
    ),
    ({"random_state": 2**32}, ValueError, r"random_state=4294967296$"),
    ({"random_state": 1.5}, TypeError, r"random_state=1\.5$"),
    ({"random_state": True}, TypeError, r"random_state=True$"),
    (
        {"random_state": np.random.default_rng(0)},
        TypeError,
        r"`random_state`: .*random_state=Generator\(PCG64\)",
    ),
    ({"random_state": np.random}, TypeError, r"`random_state`: .*random_state=<module"),
    (
        {"shuffle": 1},
        TypeError,
        r"`shuffle`: expected True or False\. " + R + r"shuffle=1$",
    ),
    ({"shuffle": None}, TypeError, r"shuffle=None$"),
    ({"shuffle": "yes"}, TypeError, r"shuffle='yes'$"),
]


@pytest.mark.parametrize(("kwargs", "error", "pattern"), BAD_MOONS)
def test_make_moons_bad_arguments(kwargs, error, pattern):
    (name,) = kwargs
    with pytest.raises(error, match=pattern) as info:
        make_moons(**kwargs)
    assert str(info.value).startswith(f"Invalid value for argument `{name}`: expected")


@pytest.mark.parametrize(("kwargs", "error", "pattern"), BAD_MOONS)
def test_make_moons_bad_arguments_also_rejected_by_sklearn_or_stricter(
    kwargs, error, pattern
):
    # kreg refuses nothing that scikit-learn accepts, except bool where a number
    # is expected: scikit-learn takes True as 1, kreg asks for a real number.
    try:
        sk_make_moons(**kwargs)
    except (ValueError, TypeError):
        return
    (value,) = kwargs.values()
    assert isinstance(value, bool) or (
        isinstance(value, tuple) and any(isinstance(k, bool) for k in value)
    )


def test_datasets_module_imports_numpy_only():
    source = Path(kreg.datasets.__file__).read_text(encoding="utf-8")
    imported = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add(node.module)
    allowed = {"__future__", "math", "numbers", "typing", "numpy", "kreg._validation"}
    assert imported <= allowed, imported


# ---------------------------------------------------------------------------
# train_val_split == Keras' validation_split

FRACTIONS = [1e-17, 0.01, 0.1, 0.15, 0.2, 0.25, 0.3, 1 / 3, 0.5, 0.6, 0.7, 0.9, 0.99]


def _keras_split(x, y, fraction):
    (x_tr, y_tr), (x_val, y_val) = train_validation_split(
        (x, y), validation_split=fraction
    )
    return x_tr, y_tr, x_val, y_val


def _assert_same_split(ours, theirs, x, y):
    # Same rows as Keras. Keras also casts float arrays to its floatx (float32)
    # here, which fit does anyway; train_val_split keeps the caller's dtypes.
    for mine, ref, source in zip(ours, theirs, (x, y, x, y), strict=True):
        assert mine.dtype == source.dtype
        assert mine.shape == ref.shape
        assert np.array_equal(mine, ref)


def test_train_val_split_equals_keras_on_a_grid():
    agreed = refused = 0
    for n in [*range(1, 61), 99, 100, 101, 333, 1000, 1001]:
        x = np.arange(3.0 * n).reshape(n, 3)
        y = np.arange(n) % 2
        for fraction in FRACTIONS:
            try:
                expected = _keras_split(x, y, fraction)
            except ValueError:
                with pytest.raises(ValueError, match="`validation_split`"):
                    train_val_split(x, y, fraction)
                refused += 1
                continue
            _assert_same_split(train_val_split(x, y, fraction), expected, x, y)
            agreed += 1
    assert agreed > 500 and refused > 50  # both branches exercised


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(0, 5000),
    fraction=st.floats(0, 1, exclude_min=True, exclude_max=True),
)
def test_train_val_split_property_equals_keras(n, fraction):
    x = np.arange(n, dtype=np.float32).reshape(n, 1)
    y = np.arange(n)
    try:
        expected = _keras_split(x, y, fraction)
    except ValueError:
        with pytest.raises(ValueError):
            train_val_split(x, y, fraction)
        return
    _assert_same_split(train_val_split(x, y, fraction), expected, x, y)


def test_train_val_split_lecture_rows():
    x, y = make_moons(100, noise=0.25, random_state=2)
    x_tr, y_tr, x_val, y_val = train_val_split(x, y, 0.2)
    assert len(x_tr) == len(y_tr) == 80 and len(x_val) == len(y_val) == 20
    assert np.array_equal(x_val, x[80:]) and np.array_equal(y_tr, y[:80])


def test_train_val_split_floor_rounding():
    # 10 * (1 - 0.7) is 3.0000000000000004 in floating point: 3 training rows.
    assert len(train_val_split(np.zeros(10), np.zeros(10), 0.7)[0]) == 3
    # 7 * 0.9 = 6.3 -> 6 training rows, 1 validation row.
    assert [len(a) for a in train_val_split(np.zeros(7), np.zeros(7), 0.1)] == [
        6,
        6,
        1,
        1,
    ]
    n = 29
    for fraction in FRACTIONS[1:-1]:
        n_train = len(train_val_split(np.zeros(n), np.zeros(n), fraction)[0])
        assert n_train == math.floor(n * (1 - fraction))


def test_train_val_split_zero_keeps_everything():
    x = np.arange(12.0).reshape(4, 3)
    y = np.array([0, 1, 1, 0], dtype=np.int32)
    x_tr, y_tr, x_val, y_val = train_val_split(x, y, 0)
    assert np.array_equal(x_tr, x) and np.array_equal(y_tr, y)
    assert x_val.shape == (0, 3) and x_val.dtype == x.dtype
    assert y_val.shape == (0,) and y_val.dtype == np.int32
    # Zero rows and no split is fine too.
    assert [a.shape for a in train_val_split(np.zeros((0, 2)), [], 0.0)] == [
        (0, 2),
        (0,),
        (0, 2),
        (0,),
    ]


def test_train_val_split_accepts_lists_and_numpy_scalars():
    x_tr, y_tr, x_val, y_val = train_val_split(
        [[1, 2], [3, 4], [5, 6], [7, 8]], [0, 1, 0, 1], np.float64(0.25)
    )
    assert isinstance(x_tr, np.ndarray)
    assert x_val.tolist() == [[7, 8]] and y_tr.tolist() == [0, 1, 0]


BAD_SPLITS = [
    # (x, y, validation_split, error, message pattern)
    (
        np.zeros(10),
        np.zeros(10),
        1.0,
        ValueError,
        r"`validation_split`: expected a number in \[0, 1\)\. "
        r"Received: validation_split=1\.0$",
    ),
    (np.zeros(10), np.zeros(10), -0.1, ValueError, r"validation_split=-0\.1$"),
    (np.zeros(10), np.zeros(10), float("nan"), ValueError, r"validation_split=nan$"),
    (np.zeros(10), np.zeros(10), True, TypeError, r"validation_split=True$"),
    (np.zeros(10), np.zeros(10), "0.2", TypeError, r"validation_split='0\.2'$"),
    (np.zeros(10), np.zeros(10), None, TypeError, r"validation_split=None$"),
    (
        np.zeros(1),
        np.zeros(1),
        0.5,
        ValueError,
        r"`validation_split`: expected a fraction that leaves at least one of "
        r"the 1 rows for training\. Received: validation_split=0\.5$",
    ),
    (
        np.zeros(3),
        np.zeros(3),
        0.7,
        ValueError,
        r"at least one of the 3 rows for training",
    ),
    (
        np.zeros(0),
        np.zeros(0),
        0.2,
        ValueError,
        r"at least one of the 0 rows for training",
    ),
    (
        np.zeros(100),
        np.zeros(100),
        1e-17,
        ValueError,
        r"`validation_split`: expected 0, or a fraction that moves at least one "
        r"of the 100 rows to validation\. Received: validation_split=1e-17$",
    ),
    (
        np.zeros(10),
        np.zeros(9),
        0.2,
        ValueError,
        r"`y`: expected as many rows as `x` \(10\)\. Received: y with 9 rows$",
    ),
    (
        5.0,
        np.zeros(1),
        0.2,
        ValueError,
        r"`x`: expected an array with at least one dimension \(rows first\)\. "
        r"Received: x=5\.0$",
    ),
    (
        np.zeros(4),
        1,
        0.2,
        ValueError,
        r"`y`: expected an array with at least one dimension",
    ),
]


@pytest.mark.parametrize(("x", "y", "fraction", "error", "pattern"), BAD_SPLITS)
def test_train_val_split_bad_arguments(x, y, fraction, error, pattern):
    with pytest.raises(error, match=pattern) as info:
        train_val_split(x, y, fraction)
    assert str(info.value).startswith("Invalid value for argument `")
