"""kreg.GroupL1 and the block soft threshold: values, gradients, configs, the
group-lasso solution of ProximalSGD against a NumPy solver and a closed form."""

import json
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from backend import gradient
from tolerance import assert_close

import kreg
from kreg.proximal import group_soft_threshold, is_proximal

GROUP_AXES = {"units": 0, "inputs": 1}  # the axis a Dense kernel's group spans


def _numpy_norms(w, groups):
    """Group norms of a kernel by moving the kept axis first and flattening."""
    kept = w.ndim - 1 if groups == "units" else w.ndim - 2
    return np.sqrt((np.moveaxis(w, kept, 0).reshape(w.shape[kept], -1) ** 2).sum(1))


def _numpy_penalty(w, lam, n, groups):
    w = np.asarray(w, np.float64)
    kept = w.ndim - 1 if groups == "units" else w.ndim - 2
    size = w.size // w.shape[kept]
    return lam / (2 * n) * np.sqrt(size) * _numpy_norms(w, groups).sum()


@pytest.mark.parametrize("groups", ["units", "inputs"])
@pytest.mark.parametrize("shape", [(6, 4), (3, 3, 2, 5), (4, 1), (1, 7)])
def test_value_and_norms_match_numpy(groups, shape):
    w = np.random.default_rng(0).normal(size=shape).astype("float32")
    reg = kreg.GroupL1(0.3, 40, groups=groups)
    assert_close(float(reg(w)), _numpy_penalty(w, 0.3, 40, groups))
    assert_close(np.asarray(kreg.group_norms(w, groups)), _numpy_norms(w, groups))


def test_single_weight_groups_are_l1():
    w = np.random.default_rng(1).normal(size=(9, 1)).astype("float32")
    assert_close(
        float(kreg.GroupL1(0.5, 20, groups="inputs")(w)), float(kreg.L1(0.5, 20)(w))
    )


def test_zero_strength_is_exactly_zero():
    assert float(kreg.GroupL1(0, 5)(np.full((2, 2), np.nan, "float32"))) == 0.0


@pytest.mark.parametrize("groups", ["units", "inputs"])
def test_gradient_matches_closed_form_and_is_zero_on_a_zero_group(groups):
    w = np.random.default_rng(2).normal(size=(5, 3)).astype("float32")
    w[:, 1] = 0.0  # a zero unit (column)
    w[3, :] = 0.0  # a zero input (row)
    reg = kreg.GroupL1(0.4, 10, groups=groups)
    got = gradient(reg, w)
    axis = GROUP_AXES[groups]
    norms = np.sqrt((w.astype(np.float64) ** 2).sum(axis, keepdims=True))
    size = w.shape[axis]
    expected = 0.4 / 20 * np.sqrt(size) * w / np.where(norms > 0, norms, 1)
    assert np.isfinite(got).all()
    assert_close(got, expected)


def test_config_serialization_and_repr():
    reg = kreg.GroupL1(np.float32(0.25), np.int64(8), groups="inputs", proximal=True)
    config = reg.get_config()
    assert config == {"lam": 0.25, "n": 8, "groups": "inputs", "proximal": True}
    json.dumps(config)
    assert kreg.GroupL1.from_config(config) == reg
    serialized = keras.saving.serialize_keras_object(reg)
    assert serialized["registered_name"] == "kreg>GroupL1"
    assert keras.saving.deserialize_keras_object(serialized) == reg
    assert repr(kreg.GroupL1(1, 2)) == "GroupL1(lam=1.0, n=2, groups='units')"


def test_saved_model_loads_with_the_regularizer(tmp_path):
    reg = kreg.GroupL1(0.5, 30, groups="inputs", proximal=True)
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, kernel_regularizer=reg)]
    )
    model.compile(kreg.ProximalSGD(0.1), "mse")
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert loaded.layers[0].kernel.regularizer == reg
    assert_close(float(loaded.losses[0]), float(model.losses[0]))


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: kreg.GroupL1(-1, 5), ValueError, "argument `lam`: expected a finite"),
        (lambda: kreg.GroupL1(1, 0), ValueError, "argument `n`"),
        (
            lambda: kreg.GroupL1(1, 5, groups="rows"),
            ValueError,
            "argument `groups`: expected one of 'units', 'inputs'. "
            "Received: groups='rows'",
        ),
        (lambda: kreg.GroupL1(1, 5, proximal=1), TypeError, "argument `proximal`"),
        (
            lambda: kreg.GroupL1(1, 5)(np.ones(3, "float32")),
            ValueError,
            "argument `w`: expected a kernel of rank >= 2 (inputs x units). "
            "Received: w=<ndarray shape=(3,) dtype=float32>",
        ),
        (lambda: kreg.GroupL1(1, 5)(np.ones((2, 2), bool)), TypeError, "argument `w`"),
        (lambda: kreg.group_norms(np.ones((2, 2)), "cols"), ValueError, "`groups`"),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


def test_block_soft_threshold_matches_numpy():
    w = np.random.default_rng(3).normal(size=(4, 6)).astype("float32")
    t = 1.5
    norms = np.sqrt((w**2).sum(0, keepdims=True))
    expected = w * np.maximum(1 - t / norms, 0)
    got = np.asarray(group_soft_threshold(w, t, "units"))
    assert_close(got, expected)
    assert np.array_equal((got == 0).all(0), norms[0] <= t)


def test_is_proximal():
    assert is_proximal(kreg.GroupL1(1, 2, proximal=True))
    assert is_proximal(kreg.L1(1, 2, proximal=True))
    assert not is_proximal(kreg.GroupL1(1, 2))
    assert not is_proximal(kreg.L2(1, 2))


# --- the group-lasso solution --------------------------------------------------------
#
# A linear model y = x @ W (d inputs, m outputs) trained on Keras' "mse", the mean
# over rows and outputs, with GroupL1 minimizes
#     F(W) = ||x W - y||^2 / (n m) + c * sum_g sqrt(p_g) ||W_g||,   c = lam / (2 n).


def _group_lasso_numpy(x, y, c, groups, steps=20_000):
    """Proximal gradient descent on F in float64, run to convergence."""
    n, d = x.shape
    m = y.shape[1]
    axis = GROUP_AXES[groups]
    weight = c * np.sqrt(d if groups == "units" else m)
    lr = n * m / (2 * np.linalg.eigvalsh(x.T @ x).max())
    w = np.zeros((d, m))
    for _ in range(steps):
        w = w - lr * 2 / (n * m) * x.T @ (x @ w - y)
        norms = np.sqrt((w**2).sum(axis, keepdims=True))
        w = w * np.maximum(1 - lr * weight / np.maximum(norms, 1e-300), 0)
    return w, lr


def _orthogonal_problem(n=64, d=6, m=3, seed=0):
    """x with x.T @ x = n I exactly (orthonormal columns times sqrt(n))."""
    rng = np.random.default_rng(seed)
    q, _ = np.linalg.qr(rng.normal(size=(n, d)))
    x = q * np.sqrt(n)
    rows, columns = np.array([2.0, 0.1, 1.0, 0.05, 0.0, 1.5]), np.array([1, 0.05, 1])
    w = rng.normal(size=(d, m)) * rows[:, None] * columns
    y = x @ w + 0.1 * rng.normal(size=(n, m))
    return x, y


@pytest.mark.parametrize("groups", ["units", "inputs"])
def test_numpy_solver_matches_the_orthogonal_design_closed_form(groups):
    # With x.T x = n I, F separates: F = ||W - B||^2 / m + c sum_g sqrt(p_g)||W_g||
    # + const, B = x.T y / n, whose minimizer is B_g * max(0, 1 - m c sqrt(p_g) /
    # (2 ||B_g||)) for each group.
    x, y = _orthogonal_problem()
    n, d = x.shape
    m = y.shape[1]
    c = 0.5 / (2 * n) * 40
    solved, _ = _group_lasso_numpy(x, y, c, groups, steps=200)
    b = x.T @ y / n
    axis = GROUP_AXES[groups]
    size = d if groups == "units" else m
    norms = np.sqrt((b**2).sum(axis, keepdims=True))
    closed = b * np.maximum(1 - m * c * np.sqrt(size) / (2 * norms), 0)
    np.testing.assert_allclose(solved, closed, atol=1e-10)
    zero = (closed == 0).all(axis)
    assert 0 < zero.sum() < zero.size  # some groups at zero, not all


def _correlated_problem(n=80, d=6, m=3, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) + 0.5 * rng.normal(size=(n, 1))
    x = x - x.mean(0)
    rows, columns = np.array([1.5, 0.0, 1.0, 0.03, 0.0, 0.8]), np.array([1, 0.02, 1])
    w = rng.normal(size=(d, m)) * rows[:, None] * columns
    y = x @ w + 0.2 * rng.normal(size=(n, m))
    return x, y - y.mean(0)


@pytest.mark.parametrize("groups", ["units", "inputs"])
def test_proximal_sgd_reaches_the_group_lasso_solution(groups):
    x, y = _correlated_problem()
    n, d = x.shape
    lam = 12.0 if groups == "inputs" else 30.0
    reference, lr = _group_lasso_numpy(x, y, lam / (2 * n), groups)
    axis = GROUP_AXES[groups]
    zero = (reference == 0).all(axis)
    assert 0 < zero.sum() < zero.size
    model = keras.Sequential(
        [
            keras.Input((d,)),
            keras.layers.Dense(
                y.shape[1],
                use_bias=False,
                kernel_initializer="zeros",
                kernel_regularizer=kreg.GroupL1(lam, n, groups=groups, proximal=True),
            ),
        ]
    )
    model.compile(kreg.ProximalSGD(learning_rate=lr), "mse")
    data = tf.data.Dataset.from_tensors(
        (x.astype("float32"), y.astype("float32"))
    ).repeat(3000)
    model.fit(data, epochs=1, verbose=0)
    kernel = np.asarray(model.layers[0].kernel)
    np.testing.assert_allclose(kernel, reference, atol=1e-4)
    assert np.array_equal((kernel == 0).all(axis), zero)


def test_proximal_adam_zeroes_whole_filters_and_they_stay_zero():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(64, 6, 6, 2)).astype("float32")
    y = x[..., :1].mean((1, 2)) * 3
    reg = kreg.GroupL1(2.0, 64, groups="units", proximal=True)
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((6, 6, 2)),
            keras.layers.Conv2D(8, 3, kernel_regularizer=reg),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dense(1),
        ]
    )
    model.compile(kreg.ProximalAdam(0.02), "mse")
    zero_at = []
    for _ in range(3):
        model.fit(x, y, batch_size=16, epochs=10, shuffle=False, verbose=0)
        kernel = np.asarray(model.layers[0].kernel)
        zero_at.append((kernel == 0).all((0, 1, 2)))
    assert 0 < zero_at[-1].sum() < 8  # some filters exactly zero, not all
    assert (zero_at[1] <= zero_at[2]).all()  # a zero filter stayed zero
