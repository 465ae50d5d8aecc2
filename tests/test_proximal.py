"""Proximal L1: soft threshold, ISTA against scikit-learn Lasso, Adam, saving."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.linear_model import Lasso
from tolerance import assert_close

import kreg
from kreg.conventions import lasso_alpha
from kreg.proximal import proximal_strength, soft_threshold


def test_soft_threshold_matches_numpy():
    w = np.random.default_rng(0).normal(size=(50,)).astype("float32")
    t = np.float32(0.4)
    expected = np.sign(w) * np.maximum(np.abs(w) - t, 0)
    got = np.asarray(soft_threshold(w, t))
    np.testing.assert_allclose(got, expected)
    assert np.array_equal(got == 0, np.abs(w) <= t)


def test_proximal_strength():
    assert proximal_strength(kreg.L1(0.5, 10, proximal=True)) == pytest.approx(0.025)
    assert proximal_strength(kreg.L1L2(0.5, 3.0, 10, proximal=True)) == 0.025
    assert proximal_strength(kreg.L1(0.5, 10)) is None
    assert proximal_strength(kreg.L2(0.5, 10)) is None
    assert proximal_strength(None) is None


def _lasso_problem(n=100, d=8, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d))
    x = (x - x.mean(0)) / x.std(0)
    w = np.array([2.0, -1.5, 0, 0, 0.5, 0, 0, 0.05])[:d]
    y = x @ w + 0.3 * rng.normal(size=n) + 1.0
    return x.astype("float32"), y.astype("float32")


def _fit_steps(model, x, y, steps):
    data = tf.data.Dataset.from_tensors((x, y)).repeat(steps)
    model.fit(data, epochs=1, verbose=0)


def test_proximal_sgd_reaches_the_lasso_solution():
    x, y = _lasso_problem()
    n, d = x.shape
    lam = 40.0
    reference = Lasso(alpha=lasso_alpha(lam, n), tol=1e-12, max_iter=100_000)
    reference.fit(x.astype(np.float64), y.astype(np.float64))
    model = keras.Sequential(
        [
            keras.Input((d,)),
            keras.layers.Dense(
                1,
                kernel_initializer="zeros",
                kernel_regularizer=kreg.L1(lam, n, proximal=True),
            ),
        ]
    )
    model.compile(kreg.ProximalSGD(learning_rate=0.2), "mse")
    _fit_steps(model, x, y, 1000)
    coef = model.layers[0].kernel.numpy().ravel()
    np.testing.assert_allclose(coef, reference.coef_, atol=1e-3)
    np.testing.assert_allclose(
        model.layers[0].bias.numpy(), reference.intercept_, atol=1e-3
    )
    assert np.array_equal(coef == 0, reference.coef_ == 0)
    assert (coef == 0).sum() >= 3


def test_subgradient_l1_gives_no_exact_zeros_on_the_same_problem():
    x, y = _lasso_problem()
    n, d = x.shape
    model = keras.Sequential(
        [
            keras.Input((d,)),
            keras.layers.Dense(1, kernel_regularizer=kreg.L1(40.0, n)),
        ]
    )
    model.compile(keras.optimizers.SGD(learning_rate=0.2), "mse")
    _fit_steps(model, x, y, 1000)
    assert (model.layers[0].kernel.numpy() == 0).sum() == 0


def test_proximal_sgd_without_proximal_regularizer_is_plain_sgd():
    x, y = _lasso_problem(n=32)
    results = []
    for optimizer in (keras.optimizers.SGD(0.05), kreg.ProximalSGD(0.05)):
        keras.utils.set_random_seed(3)
        model = keras.Sequential(
            [
                keras.Input((8,)),
                keras.layers.Dense(1, kernel_regularizer=kreg.L1(1.0, 32)),
            ]
        )
        model.compile(optimizer, "mse")
        _fit_steps(model, x, y, 20)
        results.append(model.get_weights())
    for a, b in zip(*results, strict=True):
        assert_close(a, b)  # on PyTorch, SGD is a fused update: last-bit rounding


def test_proximal_adam_one_step_matches_the_formula():
    w0 = np.array([[0.5], [-0.2], [0.001], [-1.0]], dtype="float32")
    x = np.eye(4, dtype="float32")
    y = np.array([0.3, -0.1, 0.0, 0.2], dtype="float32")
    lam, n, lr = 0.8, 4, 0.01
    layer = keras.layers.Dense(
        1, use_bias=False, kernel_regularizer=kreg.L1(lam, n, proximal=True)
    )
    model = keras.Sequential([keras.Input((4,)), layer])
    layer.kernel.assign(w0)
    optimizer = kreg.ProximalAdam(learning_rate=lr)
    model.compile(optimizer, "mse")
    _fit_steps(model, x, y, 1)
    # Adam's first step on the data gradient, then the scaled soft threshold.
    g = (2 / 4 * (x @ w0 - y[:, None])).astype(np.float64) * 1  # d mse / d w (x = I)
    m, v = 0.1 * g, 0.001 * g**2
    alpha = lr * np.sqrt(1 - 0.999) / (1 - 0.9)
    w_half = w0 - alpha * m / (np.sqrt(v) + 1e-7)
    c = lam / (2 * n)
    t = lr * c * np.sqrt(1 - 0.999) / (np.sqrt(v) + 1e-7)
    expected = np.sign(w_half) * np.maximum(np.abs(w_half) - t, 0)
    np.testing.assert_allclose(layer.kernel.numpy(), expected, rtol=1e-4, atol=1e-7)


def test_proximal_adam_makes_exact_zeros_that_stay():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 10)).astype("float32")
    y = (x[:, 0] - x[:, 1] > 0).astype("float32")
    model = keras.Sequential(
        [
            keras.Input((10,)),
            keras.layers.Dense(
                16, "relu", kernel_regularizer=kreg.L1(2.0, 64, proximal=True)
            ),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )
    model.compile(kreg.ProximalAdam(0.01), "binary_crossentropy", metrics=["accuracy"])
    _fit_steps(model, x, y, 150)
    zeros_before = model.layers[0].kernel.numpy() == 0
    _fit_steps(model, x, y, 50)
    zeros_after = model.layers[0].kernel.numpy() == 0
    assert zeros_before.mean() > 0.5
    # Zeros stay zero once their data gradient is too small to pull them out.
    assert (zeros_before & zeros_after).sum() >= 0.9 * zeros_before.sum()
    _, accuracy = model.evaluate(x, y, verbose=0)
    assert accuracy > 0.85


def test_model_with_proximal_l1_saves_and_loads(tmp_path):
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, kernel_regularizer=kreg.L1(0.5, 10, proximal=True)),
            keras.layers.Dense(
                1, kernel_regularizer=kreg.L1L2(0.1, 0.2, 10, proximal=True)
            ),
        ]
    )
    model.compile(kreg.ProximalAdam(0.01), "mse")
    x = np.ones((10, 3), "float32")
    model.fit(x, np.ones(10), verbose=0)
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras", safe_mode=True)
    assert isinstance(loaded.optimizer, kreg.ProximalAdam)
    assert loaded.layers[0].kernel.regularizer == kreg.L1(0.5, 10, proximal=True)
    assert repr(loaded.layers[1].kernel.regularizer) == (
        "L1L2(l1=0.1, l2=0.2, n=10, proximal=True)"
    )
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )
    loaded.fit(x, np.ones(10), verbose=0)  # the restored optimizer keeps training


def test_proximal_flag_validation():
    with pytest.raises(
        TypeError,
        match="argument `proximal`: expected True or False. Received: proximal=1",
    ):
        kreg.L1(0.1, 10, proximal=1)
    with pytest.raises(TypeError, match="Received: proximal='yes'"):
        kreg.L1L2(0.1, 0.1, 10, proximal="yes")
