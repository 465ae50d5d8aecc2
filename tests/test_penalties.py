"""kreg.penalties against NumPy and closed-form gradients."""

import re

import keras
import numpy as np
import pytest
from backend import FLOAT64, gradient, tensorflow_only
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from keras import ops
from tolerance import assert_close

from kreg import l1_penalty, l2_penalty
from kreg.penalties import check_factor, check_weights

SHAPES = [(), (7,), (3, 4), (2, 3, 5), (2, 2, 3, 4), (1, 2, 2, 3, 2)]
DTYPES = ["float16", "bfloat16", "float32", "float64"]


def _reference(kind, w64, lam, n):
    scale = lam / (2 * n)
    return scale * (np.sum(w64**2) if kind == "l2" else np.sum(np.abs(w64)))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_value_matches_numpy(shape, dtype, kind):
    rng = np.random.default_rng(abs(hash((shape, dtype, kind))) % 2**32)
    w = ops.cast(rng.normal(scale=3.0, size=shape), dtype)
    w64 = ops.convert_to_numpy(ops.cast(w, "float32")).astype(np.float64)
    lam, n = 0.37, 13
    penalty = (l2_penalty if kind == "l2" else l1_penalty)(w, lam, n)
    expected_dtype = "float64" if dtype == "float64" and FLOAT64 else "float32"
    assert keras.backend.standardize_dtype(penalty.dtype) == expected_dtype
    np.testing.assert_allclose(
        ops.convert_to_numpy(penalty), _reference(kind, w64, lam, n), rtol=1e-5
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision_weights_do_not_overflow(dtype):
    w = ops.cast(np.full((4,), 200.0), dtype)
    # Keras' own L2 sums in the weight dtype: 4 * 200**2 = 160000 > fp16 max 65504.
    if dtype == "float16":
        assert not np.isfinite(ops.convert_to_numpy(keras.regularizers.L2(1.0)(w)))
    value = float(l2_penalty(w, lam=2.0, n=1))
    assert value == pytest.approx(160000.0)


def test_lam_zero_is_exactly_zero_and_never_reads_the_weights():
    w = np.array([np.nan, np.inf, 1.0], dtype="float32")
    assert float(l2_penalty(w, 0, 5)) == 0.0
    assert float(l1_penalty(w, 0.0, 5)) == 0.0
    assert float(l1_penalty(w.astype("float64"), np.float32(0), 5)) == 0.0


def test_closed_form_example():
    w = np.array([1.0, -2.0, 3.0])
    assert float(l2_penalty(w, 0.5, 10)) == pytest.approx(0.5 / 20 * 14)
    assert float(l1_penalty(w, 0.5, 10)) == pytest.approx(0.5 / 20 * 6)


def test_numpy_scalar_arguments_accepted():
    w = np.ones(3)
    assert float(l2_penalty(w, np.float32(0.5), np.int64(10))) == pytest.approx(0.075)


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_gradients_are_closed_form(shape):
    w = np.random.default_rng(0).normal(size=shape).astype("float32")
    w[0] = 0.0  # the L1 subgradient at 0 is 0 on every backend
    lam, n = 0.8, 20
    g2 = gradient(lambda v: l2_penalty(v, lam, n), w)
    g1 = gradient(lambda v: l1_penalty(v, lam, n), w)
    np.testing.assert_allclose(g2, (lam / n) * w, rtol=1e-6)
    np.testing.assert_allclose(g1, lam / (2 * n) * np.sign(w), rtol=1e-6)


_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    elements=st.floats(-100, 100),
)
# 0, or large enough that lam / (2 n) is a normal float: TensorFlow flushes
# subnormal numbers to zero (lam = 2.2e-308, n = 1 gave a penalty of 0).
_lams = st.one_of(st.just(0.0), st.floats(1e-30, 10))
# float64 weights are summed in float64, unless the backend truncates them to float32.
_RTOL = 1e-9 if FLOAT64 else 1e-5
_ns = st.integers(1, 10_000)


@settings(max_examples=40, deadline=None)
@given(_arrays, _lams, _ns)
def test_penalties_are_nonnegative(w, lam, n):
    assert float(l2_penalty(w, lam, n)) >= 0
    assert float(l1_penalty(w, lam, n)) >= 0


@settings(max_examples=40, deadline=None)
@given(_arrays, _lams, _ns, st.floats(-5, 5))
def test_homogeneity(w, lam, n, c):
    # L2 is homogeneous of degree 2 in w, L1 of degree 1 (|c| for negative c).
    np.testing.assert_allclose(
        float(l2_penalty(c * w, lam, n)),
        c**2 * float(l2_penalty(w, lam, n)),
        rtol=_RTOL,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        float(l1_penalty(c * w, lam, n)),
        abs(c) * float(l1_penalty(w, lam, n)),
        rtol=_RTOL,
        atol=1e-12,
    )


@settings(max_examples=30, deadline=None)
@given(_arrays, _lams, _ns)
def test_linear_in_lambda(w, lam, n):
    np.testing.assert_allclose(
        float(l2_penalty(w, 2 * lam, n)), 2 * float(l2_penalty(w, lam, n)), rtol=_RTOL
    )


# --- what the weights may be --------------------------------------------------------


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
@pytest.mark.parametrize("dtype", ["int8", "int32", "int64", "uint8"])
def test_integer_weights_are_cast_to_float32(penalty, dtype):
    w = np.array([[1, 2], [3, 0]], dtype=dtype)
    value = penalty(w, 0.5, 10)
    assert keras.backend.standardize_dtype(value.dtype) == "float32"
    reference = _reference(
        "l2" if penalty is l2_penalty else "l1", w.astype(np.float64), 0.5, 10
    )
    assert_close(float(value), reference)


def test_python_numbers_and_lists_are_weights():
    assert_close(float(l2_penalty([1.0, -2.0, 3.0], 0.5, 10)), 0.35)
    assert_close(float(l1_penalty(-2.0, 0.5, 10)), 0.05)
    assert_close(float(l1_penalty([1, -2], 0.5, 10)), 0.075)


def test_check_weights_returns_the_keras_dtype_without_reading_values():
    assert check_weights("w", np.array([np.nan], dtype="float16")) == "float16"
    assert check_weights("w", keras.Variable(np.ones(2), dtype="bfloat16")) == (
        "bfloat16"
    )
    assert check_weights("w", [1, 2]) == "int32"


@tensorflow_only
def test_check_weights_reads_the_dtype_of_a_symbolic_tensor():
    import tensorflow as tf

    seen = []

    @tf.function
    def traced(w):
        seen.append(check_weights("w", w))  # runs once, on the symbolic tensor
        return l2_penalty(w, 0.5, 3)

    traced.get_concrete_function(tf.TensorSpec((None, 3), tf.float64))
    assert seen == ["float64"]


_W_MSG = (
    "Invalid value for argument `w`: expected a tensor or array of floats or "
    "integers (integers are cast to float32), not bool, complex or string. "
    "Received: w="
)

_complex = ops.convert_to_tensor(np.array([1 + 2j], "complex64"))
_bool = ops.convert_to_tensor([True])

BAD_WEIGHTS = [
    (None, "None"),
    ("abc", "'abc'"),
    (b"abc", "b'abc'"),
    (["a", "b"], "['a', 'b']"),
    ({"a": 1.0}, "{'a': 1.0}"),
    (1 + 2j, "(1+2j)"),
    ([True, False], "[True, False]"),
    (np.ones(3, dtype="complex64"), "<ndarray shape=(3,) dtype=complex64>"),
    (np.ones((2, 2), dtype=bool), "<ndarray shape=(2, 2) dtype=bool>"),
    (np.array(["a"]), "<ndarray shape=(1,) dtype=str32>"),
    (np.array([1.0, "a"], dtype=object), "<ndarray shape=(2,) dtype=object>"),
    (_complex, f"<{type(_complex).__name__} shape=(1,) dtype=complex64>"),
    (_bool, f"<{type(_bool).__name__} shape=(1,) dtype=bool>"),
    (np.ones(10_000, dtype=bool), "<ndarray shape=(10000,) dtype=bool>"),
    (["a"] * 1000, "['a', 'a', 'a', 'a', 'a', 'a', ...]"),
]


@pytest.mark.parametrize("penalty", [l1_penalty, l2_penalty])
@pytest.mark.parametrize("lam", [0.5, 0.0])
@pytest.mark.parametrize("w, shown", BAD_WEIGHTS)
def test_weights_that_are_not_real_numbers_are_refused(penalty, lam, w, shown):
    # Refused also for lam == 0, where the values are never read: dtype only.
    with pytest.raises(TypeError, match="^" + re.escape(_W_MSG + shown) + "$"):
        penalty(w, lam, 10)


@tensorflow_only
def test_string_tensor_is_refused():
    import tensorflow as tf

    message = _W_MSG + "<EagerTensor shape=(1,) dtype=string>"
    with pytest.raises(TypeError, match="^" + re.escape(message) + "$"):
        l2_penalty(tf.constant(["a"]), 0.5, 10)


@tensorflow_only
def test_complex_variable_and_symbolic_tensor_are_refused_by_dtype():
    import tensorflow as tf

    variable = keras.Variable(np.ones(2, dtype="complex64"), name="v")
    with pytest.raises(TypeError, match=re.escape("w=<Variable shape=(2,) dtype=")):
        l2_penalty(variable, 0.0, 3)

    @tf.function
    def traced(w):
        return l2_penalty(w, 0.5, 3)

    spec = tf.TensorSpec((None, 3), tf.complex64)
    message = _W_MSG + "<SymbolicTensor shape=(None, 3) dtype=complex64>"
    # AutoGraph prefixes the frames of the traced function; the message ends it.
    with pytest.raises(TypeError, match=re.escape(message) + "$"):
        traced.get_concrete_function(spec)


# --- the factor lam / (2 n) must fit in float32 ------------------------------------

_F32_MAX = float(np.finfo(np.float32).max)


def _factor_msg(name, lam, n):
    lam = float(lam)
    factor = lam / (2.0 * n)
    return (
        f"Invalid value for argument `{name}`: expected a finite number >= 0 whose "
        f"factor {name} / (2 n) is at most the float32 maximum {_F32_MAX!r} (with "
        f"n={n}, {name} / (2 n) = {factor!r}: the penalty of any nonzero weight "
        f"would be inf). Received: {name}={lam!r}"
    )


BAD_FACTORS = [
    (lambda: l2_penalty(np.ones(2), 1e308, 1), _factor_msg("lam", 1e308, 1)),
    (lambda: l1_penalty(np.ones(2), 1e39, 1), _factor_msg("lam", 1e39, 1)),
    (lambda: l2_penalty(np.ones(2), 1e300, 10**9), _factor_msg("lam", 1e300, 10**9)),
    (
        lambda: l2_penalty(np.ones(2), np.nextafter(2 * _F32_MAX, np.inf), 1),
        _factor_msg("lam", np.nextafter(2 * _F32_MAX, np.inf), 1),
    ),
    (lambda: check_factor("lam", 1e39, 1), _factor_msg("lam", 1e39, 1)),
    (lambda: check_factor("l2", 1e40, 3), _factor_msg("l2", 1e40, 3)),
    (lambda: check_factor("lam", np.float64(7e38), 1), _factor_msg("lam", 7e38, 1)),
]


@pytest.mark.parametrize("make, message", BAD_FACTORS)
def test_factor_beyond_float32_is_refused(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


def test_check_factor_checks_lam_and_n_first():
    with pytest.raises(ValueError, match=re.escape("Received: lam=-1.0")):
        check_factor("lam", -1, 5)
    with pytest.raises(TypeError, match=re.escape("Received: n=2.5")):
        check_factor("lam", 1.0, 2.5)
    with pytest.raises(TypeError, match=re.escape("Received: l1=True")):
        check_factor("l1", True, 5)


def test_largest_float32_factor_is_accepted_and_finite():
    assert check_factor("lam", 2 * _F32_MAX, 1) is None
    value = float(l2_penalty(np.ones(1, dtype="float32"), 2 * _F32_MAX, 1))
    assert value == _F32_MAX
    # A large n brings a large lam back into range.
    assert_close(float(l1_penalty(np.ones(2), 1e39, 10**9)), 1e30, rtol=1e-6)
