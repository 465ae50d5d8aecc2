"""kreg.penalties against NumPy and closed-form gradients."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from keras import ops

from kreg import l1_penalty, l2_penalty

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
    expected_dtype = "float64" if dtype == "float64" else "float32"
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
    rng = np.random.default_rng(0)
    w = tf.Variable(rng.normal(size=shape).astype("float32"))
    lam, n = 0.8, 20
    with tf.GradientTape(persistent=True) as tape:
        p2 = l2_penalty(w, lam, n)
        p1 = l1_penalty(w, lam, n)
    g2 = tape.gradient(p2, w).numpy()
    g1 = tape.gradient(p1, w).numpy()
    np.testing.assert_allclose(g2, (lam / n) * w.numpy(), rtol=1e-6)
    np.testing.assert_allclose(g1, lam / (2 * n) * np.sign(w.numpy()), rtol=1e-6)


_arrays = hnp.arrays(
    np.float64,
    hnp.array_shapes(min_dims=1, max_dims=3, max_side=5),
    elements=st.floats(-100, 100),
)
_lams = st.floats(0, 10)
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
        rtol=1e-9,
        atol=1e-12,
    )
    np.testing.assert_allclose(
        float(l1_penalty(c * w, lam, n)),
        abs(c) * float(l1_penalty(w, lam, n)),
        rtol=1e-9,
        atol=1e-12,
    )


@settings(max_examples=30, deadline=None)
@given(_arrays, _lams, _ns)
def test_linear_in_lambda(w, lam, n):
    np.testing.assert_allclose(
        float(l2_penalty(w, 2 * lam, n)), 2 * float(l2_penalty(w, lam, n)), rtol=1e-9
    )
