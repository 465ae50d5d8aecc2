"""Tests for kreg.conventions: closed forms, inverses, Keras objects, and the two
equivalences that training must show (weight decay under plain SGD, Ridge/Lasso)."""

from __future__ import annotations

import math
import re

import keras
import numpy as np
import pytest
import tensorflow as tf
from backend import no_warnings
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Lasso, Ridge

import kreg
from kreg import conventions as conv

# ------------------------------------------------------------------------------------
# Strategies: non-negative lambdas and factors far enough from under/overflow that a
# multiplication by 2n or 4n and back is exact to a few ulps.
# ------------------------------------------------------------------------------------

lams = st.one_of(
    st.just(0.0),
    st.floats(min_value=1e-200, max_value=1e200, allow_nan=False, allow_infinity=False),
)
ns = st.integers(min_value=1, max_value=10**7)
outputs = st.integers(min_value=1, max_value=1000)

REL = 1e-15  # a few ulps


def _close(a: float, b: float, rel: float = REL) -> bool:
    return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)


# ------------------------------------------------------------------------------------
# Closed forms and inverses
# ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("func", "args", "kwargs", "expected"),
    [
        (conv.keras_factor, (0.16, 80), {}, 0.001),
        (conv.lam_from_keras_factor, (0.001, 80), {}, 0.16),
        (conv.sgd_weight_decay, (0.16, 80), {}, 0.002),
        (conv.lam_from_sgd_weight_decay, (0.002, 80), {}, 0.16),
        (conv.torch_weight_decay, (0.16, 80), {}, 0.002),
        (conv.lam_from_torch_weight_decay, (0.002, 80), {}, 0.16),
        (conv.ridge_alpha, (0.16,), {}, 0.08),
        (conv.ridge_alpha, (0.16,), {"n_outputs": 3}, 0.24),
        (conv.lam_from_ridge_alpha, (0.08,), {}, 0.16),
        (conv.lam_from_ridge_alpha, (0.24,), {"n_outputs": 3}, 0.16),
        (conv.lasso_alpha, (0.16, 80), {}, 0.0005),
        (conv.lasso_alpha, (0.16, 80), {"n_outputs": 2}, 0.001),
        (conv.lam_from_lasso_alpha, (0.0005, 80), {}, 0.16),
        (conv.keras_factor, (0.0, 5), {}, 0.0),
        (conv.ridge_alpha, (0,), {}, 0.0),
    ],
)
def test_known_values(func, args, kwargs, expected):
    result = func(*args, **kwargs)
    assert type(result) is float
    assert result == pytest.approx(expected, rel=1e-15, abs=0)


def test_numpy_scalars_accepted_and_plain_floats_returned():
    result = conv.keras_factor(np.float32(0.5), np.int64(10))
    assert type(result) is float
    assert result == pytest.approx(float(np.float32(0.5)) / 20, rel=1e-15)
    assert type(conv.lasso_alpha(np.float64(1.0), np.int32(4))) is float


@settings(max_examples=200)
@given(lam=lams, n=ns)
def test_keras_factor_closed_form_and_inverse(lam, n):
    factor = conv.keras_factor(lam, n)
    assert _close(factor, lam / (2 * n))
    assert _close(conv.lam_from_keras_factor(factor, n), lam)
    assert _close(conv.keras_factor(conv.lam_from_keras_factor(lam, n), n), lam)


@settings(max_examples=200)
@given(lam=lams, n=ns)
def test_weight_decay_closed_forms_and_inverses(lam, n):
    for forward, backward in [
        (conv.sgd_weight_decay, conv.lam_from_sgd_weight_decay),
        (conv.torch_weight_decay, conv.lam_from_torch_weight_decay),
    ]:
        wd = forward(lam, n)
        assert _close(wd, lam / n)
        assert _close(backward(wd, n), lam)
        assert _close(forward(backward(lam, n), n), lam)
    # REFERENCE.md section 2: Keras L2(l2) ~ weight_decay = 2 * l2.
    assert _close(conv.sgd_weight_decay(lam, n), 2 * conv.keras_factor(lam, n))


@settings(max_examples=200)
@given(lam=lams, n=ns, k=outputs)
def test_ridge_closed_form_and_inverse(lam, n, k):
    alpha = conv.ridge_alpha(lam, n_outputs=k)
    assert _close(alpha, k * lam / 2)
    assert _close(conv.lam_from_ridge_alpha(alpha, n_outputs=k), lam)
    assert _close(
        conv.ridge_alpha(conv.lam_from_ridge_alpha(lam, n_outputs=k), n_outputs=k), lam
    )
    # Equivalently, from the Keras factor: alpha = n * l2 (one output).
    assert _close(conv.ridge_alpha(lam), n * conv.keras_factor(lam, n))


@settings(max_examples=200)
@given(lam=lams, n=ns, k=outputs)
def test_lasso_closed_form_and_inverse(lam, n, k):
    alpha = conv.lasso_alpha(lam, n, n_outputs=k)
    assert _close(alpha, k * lam / (4 * n))
    assert _close(conv.lam_from_lasso_alpha(alpha, n, n_outputs=k), lam)
    back = conv.lam_from_lasso_alpha(lam, n, n_outputs=k)
    assert _close(conv.lasso_alpha(back, n, n_outputs=k), lam)
    # Equivalently, from the Keras factor: alpha = l1 / 2 (one output).
    assert _close(conv.lasso_alpha(lam, n), conv.keras_factor(lam, n) / 2)


# ------------------------------------------------------------------------------------
# to_keras / from_keras
# ------------------------------------------------------------------------------------

# Keras holds the L1 factor in float32: keep lam / (2 n) well inside its range.
reg_lams = st.one_of(st.just(0.0), st.floats(min_value=1e-6, max_value=1e4))
reg_ns = st.integers(min_value=1, max_value=100_000)


@st.composite
def kreg_regularizers(draw):
    kind = draw(st.sampled_from(["L1", "L2", "L1L2"]))
    n = draw(reg_ns)
    if kind == "L1L2":
        return kreg.L1L2(draw(reg_lams), draw(reg_lams), n)
    return getattr(kreg, kind)(draw(reg_lams), n)


def _config_close(a, b, rel):
    assert type(a) is type(b)
    ca, cb = a.get_config(), b.get_config()
    assert ca.keys() == cb.keys()
    for key in ca:
        assert type(ca[key]) is type(cb[key])
        assert math.isclose(ca[key], cb[key], rel_tol=rel, abs_tol=0.0), key


def test_to_keras_types_and_factors():
    l1 = conv.to_keras(kreg.L1(0.16, 80))
    l2 = conv.to_keras(kreg.L2(0.16, 80))
    both = conv.to_keras(kreg.L1L2(0.16, 0.32, 80))
    assert type(l1) is keras.regularizers.L1
    assert type(l2) is keras.regularizers.L2
    assert type(both) is keras.regularizers.L1L2
    assert l1.get_config() == {"l1": float(np.float32(0.001))}
    assert l2.get_config() == {"l2": 0.001}
    assert both.get_config() == {"l1": 0.001, "l2": 0.002}


def test_from_keras_types_and_lambdas():
    l1 = conv.from_keras(keras.regularizers.L1(0.01), 50)
    # Keras stores 0.01 as float32 0.009999999776...; kreg reads back 0.01.
    assert float(keras.regularizers.L1(0.01).l1) != 0.01
    assert l1 == kreg.L1(1.0, 50)
    assert type(l1.lam) is float
    assert conv.from_keras(keras.regularizers.L2(0.001), np.int64(80)) == kreg.L2(
        0.16, 80
    )
    both = conv.from_keras(keras.regularizers.L1L2(l1=0.001, l2=0.002), 80)
    assert both == kreg.L1L2(0.16, 0.32, 80)
    # One zero part: still an L1L2, with that part 0.
    only_l2 = conv.from_keras(keras.regularizers.L1L2(l2=0.001), 80)
    assert only_l2 == kreg.L1L2(0.0, 0.16, 80)
    only_l1 = conv.from_keras(keras.regularizers.L1L2(l1=0.001), 80)
    assert only_l1 == kreg.L1L2(0.16, 0.0, 80)
    assert type(only_l1.l1) is float and type(only_l1.l2) is float
    assert type(only_l1.n) is int


@settings(max_examples=60, deadline=None)
@given(reg=kreg_regularizers())
def test_kreg_keras_kreg_round_trip(reg):
    back = conv.from_keras(conv.to_keras(reg), reg.n)
    # Keras stores the L1 factor in float32: equal to float32 precision there.
    _config_close(back, reg, rel=1e-7 if isinstance(reg, kreg.L1) else REL)


@settings(max_examples=60, deadline=None)
@given(
    kind=st.sampled_from(["L1", "L2", "L1L2"]),
    f1=st.floats(min_value=1e-8, max_value=10.0),
    f2=st.one_of(st.just(0.0), st.floats(min_value=1e-8, max_value=10.0)),
    n=reg_ns,
)
def test_keras_kreg_keras_round_trip(kind, f1, f2, n):
    if kind == "L1L2":
        keras_reg = keras.regularizers.L1L2(l1=f1, l2=f2)
    else:
        keras_reg = getattr(keras.regularizers, kind)(f1)
    back = conv.to_keras(conv.from_keras(keras_reg, n))
    assert type(back) is type(keras_reg)
    before, after = keras_reg.get_config(), back.get_config()
    assert before.keys() == after.keys()
    for key in before:
        if kind == "L1":  # float32 storage: the same float32 value comes back
            assert np.float32(after[key]) == np.float32(before[key])
        else:
            assert math.isclose(after[key], before[key], rel_tol=REL, abs_tol=0.0)


@pytest.mark.parametrize("seed", range(6))
def test_to_keras_gives_the_same_penalty(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(rng.integers(1, 6, size=rng.integers(1, 5)))
    w = rng.normal(scale=2.0, size=shape).astype("float32")
    n = int(rng.integers(1, 1000))
    lam, lam2 = rng.uniform(0.01, 50.0, size=2)
    for reg in [kreg.L1(lam, n), kreg.L2(lam, n), kreg.L1L2(lam, lam2, n)]:
        expected = float(reg(w))
        assert expected > 0
        got = float(conv.to_keras(reg)(keras.ops.convert_to_tensor(w)))
        assert got == pytest.approx(expected, rel=1e-5)
        # And the kreg regularizer read back from Keras gives it too.
        back = conv.from_keras(conv.to_keras(reg), n)
        assert float(back(w)) == pytest.approx(expected, rel=1e-5)


def test_to_keras_warns_when_float32_cannot_hold_the_factor():
    with pytest.warns(UserWarning, match="outside the normal float32 range"):
        conv.to_keras(kreg.L1(1e-40, 1))
    # A factor above the float32 maximum cannot even be built (kreg.L1L2 refuses
    # it), so only the tiny side reaches to_keras.
    with pytest.raises(ValueError, match="at most the float32 maximum"):
        kreg.L1L2(0.0, 1e39, 1)
    with no_warnings():
        conv.to_keras(kreg.L1L2(0.0, 1e-30, 1))  # small but representable: quiet


def test_to_keras_warns_that_proximal_is_lost():
    with pytest.warns(UserWarning, match="proximal=True"):
        keras_reg = conv.to_keras(kreg.L1(0.16, 80, proximal=True))
    assert keras_reg.get_config() == {"l1": float(np.float32(0.001))}
    with pytest.warns(UserWarning, match="proximal=True"):
        conv.to_keras(kreg.L1L2(0.16, 0.1, 80, proximal=True))
    back = conv.from_keras(keras_reg, 80)
    assert back == kreg.L1(0.16, 80) and back.proximal is False


# ------------------------------------------------------------------------------------
# Weight decay under plain SGD equals kreg.L2; under momentum it does not
# ------------------------------------------------------------------------------------

_N = 80
_LAM = 4.0
_LR = 0.05
_BATCH = 16
_EPOCHS = 10  # 80 / 16 * 10 = 50 steps


@pytest.fixture(scope="module")
def small_problem():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(_N, 3)).astype("float32")
    y = (np.sin(x[:, :1]) + 0.1 * rng.normal(size=(_N, 1))).astype("float32")
    keras.utils.set_random_seed(1)
    initial = _small_model(None).get_weights()
    return x, y, initial


def _small_model(regularizer):
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(8, activation="tanh", kernel_regularizer=regularizer),
            keras.layers.Dense(1, kernel_regularizer=regularizer),
        ]
    )


def _train(problem, regularizer, optimizer):
    x, y, initial = problem
    model = _small_model(regularizer)
    model.set_weights(initial)
    model.compile(optimizer=optimizer, loss="mse")
    model.fit(x, y, batch_size=_BATCH, epochs=_EPOCHS, shuffle=False, verbose=0)
    assert int(optimizer.iterations) == 50
    return model.get_weights()


def _decaying_sgd(momentum):
    optimizer = keras.optimizers.SGD(
        _LR, momentum=momentum, weight_decay=conv.sgd_weight_decay(_LAM, _N)
    )
    optimizer.exclude_from_weight_decay(var_names=["bias"])
    return optimizer


def _max_diff(a, b):
    return max(float(np.max(np.abs(p - q))) for p, q in zip(a, b, strict=True))


def test_sgd_weight_decay_equals_l2_under_plain_sgd(small_problem):
    with_l2 = _train(small_problem, kreg.L2(_LAM, _N), keras.optimizers.SGD(_LR))
    with_decay = _train(small_problem, None, _decaying_sgd(0.0))
    plain = _train(small_problem, None, keras.optimizers.SGD(_LR))
    for a, b in zip(with_l2, with_decay, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)
    # The penalty did matter, so the agreement above is not trivial.
    assert _max_diff(with_l2, plain) > 1e-2


def test_sgd_weight_decay_differs_from_l2_under_momentum(small_problem):
    with_l2 = _train(
        small_problem, kreg.L2(_LAM, _N), keras.optimizers.SGD(_LR, momentum=0.9)
    )
    with_decay = _train(small_problem, None, _decaying_sgd(0.9))
    assert np.all(np.isfinite(np.concatenate([w.ravel() for w in with_l2])))
    assert _max_diff(with_l2, with_decay) > 1e-2


# ------------------------------------------------------------------------------------
# Ridge and Lasso: a converged linear Keras model equals scikit-learn
# ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def regression():
    """Standardized, correlated features (condition number about 20), n = 120."""
    rng = np.random.default_rng(4)
    n, d = 120, 4
    mixing = np.eye(d) + 0.8 * rng.uniform(-1, 1, size=(d, d))
    x = rng.normal(size=(n, d)) @ mixing
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = x @ np.array([1.5, -2.0, 0.7, 3.0]) + 0.5 + rng.normal(scale=0.5, size=n)
    return x, y


def _fit_linear(x, y, regularizer, hessian):
    """Full-batch SGD on mse + penalty, with lr and step count from the Hessian.

    Gradient descent with lr = 1/L on an objective whose Hessian has eigenvalues in
    [mu, L] shrinks the distance to the minimum by (1 - mu/L) per step; the step
    count brings that factor to 1e-7.
    """
    eig = np.linalg.eigvalsh(hessian)
    big, small = eig.max(), eig.min()
    steps = math.ceil(math.log(1e-7) / math.log1p(-small / big))
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((x.shape[1],)),
            keras.layers.Dense(1, kernel_regularizer=regularizer),
        ]
    )
    model.compile(optimizer=keras.optimizers.SGD(1.0 / big), loss="mse")
    data = tf.data.Dataset.from_tensors(
        (x.astype("float32"), y[:, None].astype("float32"))
    ).repeat()
    model.fit(data, epochs=1, steps_per_epoch=steps, shuffle=False, verbose=0)
    kernel, bias = model.get_weights()
    return kernel[:, 0].astype("float64"), float(bias[0]), steps


def _hessian(x, l2_lam=0.0):
    """Hessian of (1/n)||y - Xw - b||^2 + l2_lam/(2n)||w||^2 in (w, b)."""
    n, d = x.shape
    xa = np.c_[x, np.ones(n)]
    h = 2.0 / n * xa.T @ xa
    h[:d, :d] += l2_lam / n * np.eye(d)
    return h


def test_l2_linear_model_matches_ridge(regression):
    x, y = regression
    n = len(x)
    lam = 30.0
    hessian = _hessian(x, lam)
    assert np.linalg.cond(hessian) > 5  # not a trivially conditioned problem
    coef, intercept, steps = _fit_linear(x, y, kreg.L2(lam, n), hessian)
    assert steps > 50

    # Converged: the full gradient of the Keras objective is ~0.
    residual = x @ coef + intercept - y
    grad_w = 2.0 / n * x.T @ residual + lam / n * coef
    grad_b = 2.0 / n * residual.sum()
    assert np.max(np.abs(grad_w)) < 1e-4 and abs(grad_b) < 1e-4

    ridge = Ridge(alpha=conv.ridge_alpha(lam), fit_intercept=True).fit(x, y)
    np.testing.assert_allclose(coef, ridge.coef_, rtol=0, atol=1e-3)
    assert intercept == pytest.approx(ridge.intercept_, abs=1e-3)
    # The conversion matters: the naive alpha = lam is far off.
    naive = Ridge(alpha=lam).fit(x, y)
    assert np.max(np.abs(coef - naive.coef_)) > 0.05
    assert conv.lam_from_ridge_alpha(conv.ridge_alpha(lam)) == lam


def test_l1_linear_model_matches_lasso(regression):
    x, y = regression
    n = len(x)
    lam = 40.0
    alpha = conv.lasso_alpha(lam, n)
    lasso = Lasso(alpha=alpha, tol=1e-12, max_iter=100_000).fit(x, y)
    # Away from zero the L1 term is smooth, so gradient descent converges exactly.
    assert np.min(np.abs(lasso.coef_)) > 0.1
    coef, intercept, _ = _fit_linear(x, y, kreg.L1(lam, n), _hessian(x))
    np.testing.assert_allclose(coef, lasso.coef_, rtol=0, atol=1e-3)
    assert intercept == pytest.approx(lasso.intercept_, abs=1e-3)
    naive = Lasso(alpha=lam / (2 * n), tol=1e-12, max_iter=100_000).fit(x, y)
    assert np.max(np.abs(coef - naive.coef_)) > 0.05


# ------------------------------------------------------------------------------------
# Bad input
# ------------------------------------------------------------------------------------

_NONNEG = "a finite number >= 0"
_N_INT = "an integer >= 1 (the number of training examples)"
_K_INT = "an integer >= 1 (the number of model outputs)"


def _msg(name, expected, received):
    return re.escape(
        f"Invalid value for argument `{name}`: expected {expected}. "
        f"Received: {name}={received}"
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: conv.keras_factor(-1, 10), ValueError, _msg("lam", _NONNEG, "-1.0")),
        (
            lambda: conv.keras_factor(math.nan, 10),
            ValueError,
            _msg("lam", _NONNEG, "nan"),
        ),
        (
            lambda: conv.keras_factor(math.inf, 10),
            ValueError,
            _msg("lam", _NONNEG, "inf"),
        ),
        (lambda: conv.keras_factor(True, 10), TypeError, _msg("lam", _NONNEG, "True")),
        (
            lambda: conv.keras_factor("0.1", 10),
            TypeError,
            _msg("lam", _NONNEG, "'0.1'"),
        ),
        (lambda: conv.keras_factor(0.1, 0), ValueError, _msg("n", _N_INT, "0")),
        (lambda: conv.keras_factor(0.1, 80.0), TypeError, _msg("n", _N_INT, "80.0")),
        (lambda: conv.keras_factor(0.1, True), TypeError, _msg("n", _N_INT, "True")),
        (lambda: conv.keras_factor(0.1, None), TypeError, _msg("n", _N_INT, "None")),
        (
            lambda: conv.lam_from_keras_factor(-0.5, 10),
            ValueError,
            _msg("factor", _NONNEG, "-0.5"),
        ),
        (
            lambda: conv.lam_from_keras_factor(0.5, -3),
            ValueError,
            _msg("n", _N_INT, "-3"),
        ),
        (
            lambda: conv.sgd_weight_decay(-2, 10),
            ValueError,
            _msg("lam", _NONNEG, "-2.0"),
        ),
        (
            lambda: conv.lam_from_sgd_weight_decay(math.nan, 10),
            ValueError,
            _msg("weight_decay", _NONNEG, "nan"),
        ),
        (lambda: conv.torch_weight_decay(1.0, 0), ValueError, _msg("n", _N_INT, "0")),
        (
            lambda: conv.lam_from_torch_weight_decay(None, 10),
            TypeError,
            _msg("weight_decay", _NONNEG, "None"),
        ),
        (lambda: conv.ridge_alpha(-0.1), ValueError, _msg("lam", _NONNEG, "-0.1")),
        (
            lambda: conv.ridge_alpha(1.0, n_outputs=0),
            ValueError,
            _msg("n_outputs", _K_INT, "0"),
        ),
        (
            lambda: conv.lam_from_ridge_alpha(-1e-9),
            ValueError,
            _msg("alpha", _NONNEG, "-1e-09"),
        ),
        (
            lambda: conv.lam_from_ridge_alpha(1.0, n_outputs=2.0),
            TypeError,
            _msg("n_outputs", _K_INT, "2.0"),
        ),
        (
            lambda: conv.lasso_alpha(1.0, np.int64(0)),
            ValueError,
            _msg("n", _N_INT, "0"),
        ),
        (
            lambda: conv.lam_from_lasso_alpha(math.inf, 10),
            ValueError,
            _msg("alpha", _NONNEG, "inf"),
        ),
        (
            lambda: conv.to_keras(None),
            TypeError,
            _msg("reg", "a kreg L1, L2 or L1L2 regularizer", "None"),
        ),
        (
            lambda: conv.to_keras(keras.regularizers.L2(0.01)),
            TypeError,
            re.escape(
                "Invalid value for argument `reg`: expected a kreg L1, L2 or L1L2 "
                "regularizer. Received: reg=<"
            ),
        ),
        (
            lambda: conv.from_keras(kreg.L2(1.0, 10), 10),
            TypeError,
            _msg(
                "keras_reg",
                "a keras.regularizers.L1, L2 or L1L2 instance",
                "L2(lam=1.0, n=10)",
            ),
        ),
        (
            lambda: conv.from_keras(keras.regularizers.OrthogonalRegularizer(), 10),
            TypeError,
            re.escape("Invalid value for argument `keras_reg`: expected a keras."),
        ),
        (
            lambda: conv.from_keras("l2", 10),
            TypeError,
            _msg("keras_reg", "a keras.regularizers.L1, L2 or L1L2 instance", "'l2'"),
        ),
        (
            lambda: conv.from_keras(keras.regularizers.L2(0.01), 0),
            ValueError,
            _msg("n", _N_INT, "0"),
        ),
        (
            lambda: conv.from_keras(keras.regularizers.L1(0.01), 1.5),
            TypeError,
            _msg("n", _N_INT, "1.5"),
        ),
    ],
)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()
