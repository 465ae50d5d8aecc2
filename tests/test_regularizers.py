"""kreg.L1, kreg.L2, kreg.L1L2 and kreg.regularize."""

import inspect
import json
import os
import re
import subprocess
import sys
import textwrap
import traceback
import zipfile

import keras
import numpy as np
import pytest
from backend import no_warnings, tensorflow_only
from hypothesis import given, settings
from hypothesis import strategies as st
from keras import ops
from tolerance import assert_close

import kreg

REGULARIZERS = [kreg.L1(0.3, 40), kreg.L2(0.16, 80), kreg.L1L2(0.1, 0.2, 25)]


def _numpy_penalty(reg, w):
    w = np.asarray(w, dtype=np.float64)
    if isinstance(reg, kreg.L1L2):
        return (reg.l1 * np.abs(w).sum() + reg.l2 * (w**2).sum()) / (2 * reg.n)
    if isinstance(reg, kreg.L1):
        return reg.lam / (2 * reg.n) * np.abs(w).sum()
    return reg.lam / (2 * reg.n) * (w**2).sum()


def _keras_equivalent(reg):
    if isinstance(reg, kreg.L1L2):
        return keras.regularizers.L1L2(reg.l1 / (2 * reg.n), reg.l2 / (2 * reg.n))
    cls = keras.regularizers.L1 if isinstance(reg, kreg.L1) else keras.regularizers.L2
    return cls(reg.lam / (2 * reg.n))


# --- config, repr, serialization ---------------------------------------------------


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
def test_config_keys_equal_constructor_arguments(reg):
    config = reg.get_config()
    assert list(config) == list(inspect.signature(type(reg)).parameters)
    assert all(type(v) in (float, int, bool) for v in config.values())
    assert type(reg)(**config) == reg
    assert type(reg).from_config(config) == reg


def test_config_stores_python_floats_from_numpy_scalars():
    reg = kreg.L1(np.float32(0.01), np.int64(80))
    assert type(reg.lam) is float and type(reg.n) is int
    assert reg.get_config() == {
        "lam": float(np.float32(0.01)),
        "n": 80,
        "proximal": False,
    }
    json.dumps(reg.get_config())


def test_repr_is_readable():
    assert repr(kreg.L2(0.16, 80)) == "L2(lam=0.16, n=80)"
    assert repr(kreg.L1(1, 2)) == "L1(lam=1.0, n=2)"
    assert repr(kreg.L1L2(0.1, 0.2, 3)) == "L1L2(l1=0.1, l2=0.2, n=3)"


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
def test_serialize_round_trip(reg):
    serialized = keras.saving.serialize_keras_object(reg)
    assert serialized["registered_name"] == f"kreg>{type(reg).__name__}"
    json.dumps(serialized)
    restored = keras.saving.deserialize_keras_object(serialized)
    assert type(restored) is type(reg) and restored == reg
    assert keras.regularizers.get(serialized) == reg


@settings(max_examples=40, deadline=None)
@given(
    st.floats(0, 1e6, allow_subnormal=False),
    st.floats(0, 1e6, allow_subnormal=False),
    st.integers(1, 10**9),
)
def test_round_trip_for_any_valid_arguments(a, b, n):
    for reg in (kreg.L1(a, n), kreg.L2(b, n), kreg.L1L2(a, b, n)):
        restored = keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(reg)
        )
        assert restored == reg


# --- values --------------------------------------------------------------------------


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
def test_value_matches_numpy_and_keras_builtin(reg):
    w = np.random.default_rng(1).normal(size=(6, 5)).astype("float32")
    value = float(reg(w))
    np.testing.assert_allclose(value, _numpy_penalty(reg, w), rtol=1e-5)
    np.testing.assert_allclose(value, float(_keras_equivalent(reg)(w)), rtol=1e-6)


@pytest.mark.parametrize(
    "reg", [kreg.L1(0, 5), kreg.L2(0, 5), kreg.L1L2(0, 0, 5)], ids=repr
)
def test_zero_strength_is_exactly_zero(reg):
    assert float(reg(np.array([np.nan, 1.0], dtype="float32"))) == 0.0


LAYERS = {
    "Dense": (lambda r: keras.layers.Dense(3, kernel_regularizer=r), (4,)),
    "Conv1D": (lambda r: keras.layers.Conv1D(2, 3, kernel_regularizer=r), (8, 3)),
    "Conv2D": (lambda r: keras.layers.Conv2D(2, 3, kernel_regularizer=r), (6, 6, 2)),
    "Conv3D": (
        lambda r: keras.layers.Conv3D(2, 2, kernel_regularizer=r),
        (4, 4, 4, 1),
    ),
    "Embedding": (
        lambda r: keras.layers.Embedding(10, 4, embeddings_regularizer=r),
        (5,),
    ),
}


@pytest.mark.parametrize("name", list(LAYERS))
@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
def test_any_kernel_rank(name, reg):
    make, shape = LAYERS[name]
    layer = make(reg)
    layer.build((None, *shape))
    kernel = layer.embeddings if name == "Embedding" else layer.kernel
    (loss,) = layer.losses
    np.testing.assert_allclose(
        float(loss), _numpy_penalty(reg, kernel.numpy()), rtol=1e-5
    )


# --- training -----------------------------------------------------------------------


def _moons_like(n=64, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")
    return x, y


def _train(regularizer, x, y, *, epochs=5, optimizer=None):
    keras.utils.set_random_seed(7)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(16, activation="relu", kernel_regularizer=regularizer),
            keras.layers.Dense(16, activation="relu", kernel_regularizer=regularizer),
            keras.layers.Dense(1, activation="sigmoid"),
        ]
    )
    model.compile(optimizer or keras.optimizers.Adam(0.01), "binary_crossentropy")
    history = model.fit(x, y, batch_size=16, epochs=epochs, shuffle=False, verbose=0)
    return model, history.history["loss"]


@pytest.mark.parametrize("reg", [kreg.L2(0.16, 64), kreg.L1(0.16, 64)], ids=repr)
def test_trajectory_identical_to_keras_builtin(reg):
    x, y = _moons_like()
    ours, our_loss = _train(reg, x, y)
    theirs, their_loss = _train(_keras_equivalent(reg), x, y)
    for a, b in zip(ours.get_weights(), theirs.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-7)
    np.testing.assert_allclose(our_loss, their_loss, rtol=1e-6)
    unregularized, _ = _train(None, x, y)
    assert not np.allclose(ours.get_weights()[0], unregularized.get_weights()[0])


def test_model_losses_equal_numpy_after_training():
    x, y = _moons_like()
    reg = kreg.L2(0.16, len(x))
    model, _ = _train(reg, x, y, epochs=2)
    expected = sum(
        _numpy_penalty(reg, layer.kernel.numpy()) for layer in model.layers[:2]
    )
    np.testing.assert_allclose(float(sum(model.losses)), expected, rtol=1e-5)


def test_mixed_float16_training_penalty_equals_float32_value():
    x, y = _moons_like()
    reg = kreg.L2(0.16, len(x))
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        model, losses = _train(reg, x, y, epochs=2)
        assert model.layers[0].compute_dtype == "float16"
        assert np.all(np.isfinite(losses))
        penalties = [ops.convert_to_numpy(p) for p in model.losses]
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert all(p.dtype == np.float32 for p in penalties)
    expected = [
        _numpy_penalty(reg, layer.kernel.numpy().astype(np.float32))
        for layer in model.layers[:2]
    ]
    np.testing.assert_allclose(penalties, expected, rtol=1e-6)


def test_float16_policy_penalty_is_finite_where_keras_overflows():
    keras.mixed_precision.set_global_policy("float16")
    try:
        layers = {}
        for name, reg in [
            ("kreg", kreg.L2(2.0, 1)),
            ("keras", keras.regularizers.L2(1.0)),
        ]:
            layer = keras.layers.Dense(2, kernel_regularizer=reg)
            layer.build((None, 2))
            layer.kernel.assign(np.full((2, 2), 200.0, dtype="float16"))
            layers[name] = float(layer.losses[0])
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert layers["keras"] == np.inf
    assert layers["kreg"] == pytest.approx(160000.0)


def _run_python(code, env=None):
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", **(env or {})}
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def test_saved_model_loads_in_fresh_process_with_safe_mode(tmp_path):
    x, _ = _moons_like(16)
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(8, kernel_regularizer=kreg.L2(0.16, 80)),
            keras.layers.Dense(8, kernel_regularizer=kreg.L1(0.2, 80)),
            keras.layers.Dense(1, kernel_regularizer=kreg.L1L2(0.1, 0.3, 80)),
        ]
    )
    path = tmp_path / "model.keras"
    model.save(path)
    np.save(tmp_path / "x.npy", x)
    out = _run_python(
        f"""
        import json, numpy as np, keras, kreg
        model = keras.saving.load_model({str(path)!r}, safe_mode=True)
        x = np.load({str(tmp_path / "x.npy")!r})
        print(json.dumps({{
            "regs": [repr(layer.kernel.regularizer) for layer in model.layers],
            "losses": [float(v) for v in model.losses],
            "pred": model.predict(x, verbose=0).ravel().tolist(),
        }}))
        """
    )
    loaded = json.loads(out.strip().splitlines()[-1])
    assert loaded["regs"] == [
        "L2(lam=0.16, n=80)",
        "L1(lam=0.2, n=80)",
        "L1L2(l1=0.1, l2=0.3, n=80)",
    ]
    np.testing.assert_allclose(
        loaded["losses"], [float(v) for v in model.losses], rtol=1e-6
    )
    np.testing.assert_allclose(
        loaded["pred"], model.predict(x, verbose=0).ravel(), rtol=1e-6
    )


@tensorflow_only
def test_mirrored_strategy_on_two_devices_matches_one_device():
    out = _run_python(
        """
        import json, numpy as np, tensorflow as tf
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
        import keras, kreg
        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 3)).astype("float32")
        y = (x.sum(axis=1) > 0).astype("float32")
        keras.utils.set_random_seed(1)
        init = [w.copy() for w in keras.Sequential([keras.Input((3,)),
                keras.layers.Dense(8, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid")]).get_weights()]
        def train(strategy):
            with strategy.scope():
                model = keras.Sequential([keras.Input((3,)),
                    keras.layers.Dense(8, activation="relu",
                                       kernel_regularizer=kreg.L2(4.0, 64)),
                    keras.layers.Dense(1, activation="sigmoid",
                                       kernel_regularizer=kreg.L2(4.0, 64))])
                model.set_weights(init)
                model.compile(keras.optimizers.SGD(0.1), "binary_crossentropy")
            model.fit(x, y, batch_size=16, epochs=3, shuffle=False, verbose=0)
            return model.get_weights()
        mirrored = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
        assert mirrored.num_replicas_in_sync == 2
        one = train(tf.distribute.get_strategy())
        two = train(mirrored)
        print(json.dumps([float(np.max(np.abs(a - b))) for a, b in zip(one, two)]
                         + [float(np.max(np.abs(one[0] - init[0])))]))
        """
    )
    *diffs, moved = json.loads(out.strip().splitlines()[-1])
    assert max(diffs) < 1e-5
    assert moved > 1e-3  # the weights did train


# --- regularize() -----------------------------------------------------------------


def _plain_model():
    return keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(4, activation="relu", name="hidden"),
            keras.layers.Dropout(0.1, name="drop"),
            keras.layers.Dense(1, name="out"),
        ],
        name="plain",
    )


def test_regularize_copies_weights_and_adds_penalty_to_kernels_only():
    model = _plain_model()
    reg = kreg.L2(0.5, 10)
    copy = kreg.regularize(model, reg)
    assert copy is not model
    for a, b in zip(model.get_weights(), copy.get_weights(), strict=True):
        np.testing.assert_array_equal(a, b)
    assert model.losses == []
    expected = [
        _numpy_penalty(reg, w) for w in (model.get_weights()[0], model.get_weights()[2])
    ]
    np.testing.assert_allclose([float(v) for v in copy.losses], expected, rtol=1e-6)
    regs = {v.path.split("/", 1)[1]: v.regularizer for v in copy.trainable_weights}
    assert regs == {
        "hidden/kernel": reg,
        "hidden/bias": None,
        "out/kernel": reg,
        "out/bias": None,
    }
    x = np.random.default_rng(0).normal(size=(5, 2)).astype("float32")
    np.testing.assert_allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0))


def test_regularize_selects_layers_by_name_and_object():
    model = _plain_model()
    by_name = kreg.regularize(model, kreg.L1(1, 1), layers=["out"])
    by_object = kreg.regularize(model, kreg.L1(1, 1), layers=[model.layers[-1]])
    for copy in (by_name, by_object):
        assert copy.layers[0].kernel.regularizer is None
        assert copy.layers[-1].kernel.regularizer == kreg.L1(1, 1)


def test_regularize_nested_functional_model():
    inner = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(2, name="b")], name="inner"
    )
    inputs = keras.Input((3,))
    outputs = inner(keras.layers.Dense(4, name="a")(inputs))
    model = keras.Model(inputs, outputs)
    copy = kreg.regularize(model, kreg.L2(1, 2), layers=["b"])
    (loss,) = copy.losses
    np.testing.assert_allclose(
        float(loss),
        _numpy_penalty(kreg.L2(1, 2), inner.layers[0].kernel.numpy()),
        rtol=1e-6,
    )
    x = np.ones((2, 3), "float32")
    np.testing.assert_allclose(copy.predict(x, verbose=0), model.predict(x, verbose=0))


def test_regularize_model_built_without_input_layer():
    model = keras.Sequential([keras.layers.Dense(3), keras.layers.Dense(1)])
    model.build((None, 5))
    copy = kreg.regularize(model, kreg.L2(1, 2))
    assert copy.built and len(copy.losses) == 2


def test_setting_regularizer_on_built_layer_does_nothing_in_keras():
    # The Keras behaviour regularize() exists for (tensorflow#33635).
    model = _plain_model()
    model.layers[0].kernel_regularizer = kreg.L2(1, 1)
    assert model.losses == []


# --- bad input --------------------------------------------------------------------

_LAM_MSG = (
    "Invalid value for argument `{}`: expected a finite number >= 0. Received: {}="
)
_N_MSG = "Invalid value for argument `n`: expected an integer >= 1 (the number of training examples). Received: n="

BAD_ARGUMENTS = [
    (lambda: kreg.L2(-1, 10), ValueError, _LAM_MSG.format("lam", "lam") + "-1.0"),
    (
        lambda: kreg.L2(float("nan"), 10),
        ValueError,
        _LAM_MSG.format("lam", "lam") + "nan",
    ),
    (
        lambda: kreg.L1(float("inf"), 10),
        ValueError,
        _LAM_MSG.format("lam", "lam") + "inf",
    ),
    (lambda: kreg.L1(True, 10), TypeError, _LAM_MSG.format("lam", "lam") + "True"),
    (lambda: kreg.L2("0.1", 10), TypeError, _LAM_MSG.format("lam", "lam") + "'0.1'"),
    (lambda: kreg.L2(None, 10), TypeError, _LAM_MSG.format("lam", "lam") + "None"),
    (
        lambda: kreg.L2(np.float64(-0.5), 10),
        ValueError,
        _LAM_MSG.format("lam", "lam") + "-0.5",
    ),
    (lambda: kreg.L2(0.1, 0), ValueError, _N_MSG + "0"),
    (lambda: kreg.L2(0.1, -5), ValueError, _N_MSG + "-5"),
    (lambda: kreg.L1(0.1, 80.0), TypeError, _N_MSG + "80.0"),
    (lambda: kreg.L1(0.1, True), TypeError, _N_MSG + "True"),
    (lambda: kreg.L2(0.1, np.int32(0)), ValueError, _N_MSG + "0"),
    (lambda: kreg.L1L2(-0.1, 0.2, 5), ValueError, _LAM_MSG.format("l1", "l1") + "-0.1"),
    (
        lambda: kreg.L1L2(0.1, float("nan"), 5),
        ValueError,
        _LAM_MSG.format("l2", "l2") + "nan",
    ),
    (lambda: kreg.L1L2(0.1, 0.2, 2.5), TypeError, _N_MSG + "2.5"),
    (
        lambda: kreg.l2_penalty(np.ones(2), -1, 3),
        ValueError,
        _LAM_MSG.format("lam", "lam") + "-1.0",
    ),
    (lambda: kreg.l1_penalty(np.ones(2), 1, 0), ValueError, _N_MSG + "0"),
    (
        lambda: kreg.regularize("model", kreg.L2(1, 1)),
        TypeError,
        "Invalid value for argument `model`: expected a keras.Model. Received: model='model'",
    ),
    (
        lambda: kreg.regularize(_plain_model(), "l2"),
        TypeError,
        "Invalid value for argument `regularizer`: expected a keras.regularizers.Regularizer",
    ),
    (
        lambda: kreg.regularize(_plain_model(), kreg.L2(1, 1), layers=["nope"]),
        ValueError,
        "no layer named 'nope' in model 'plain'. Layers with a kernel: 'hidden', 'out'",
    ),
    (
        lambda: kreg.regularize(_plain_model(), kreg.L2(1, 1), layers=["drop"]),
        ValueError,
        "layer 'drop' (Dropout) has no kernel to regularize",
    ),
    (
        lambda: kreg.regularize(_plain_model(), kreg.L2(1, 1), layers=[]),
        ValueError,
        "Invalid value for argument `layers`: expected a non-empty list. Received: layers=[]",
    ),
    (
        lambda: kreg.regularize(_plain_model(), kreg.L2(1, 1), layers=[3]),
        TypeError,
        "expected layer names or keras Layer objects. Received: layers=[3]",
    ),
    (
        lambda: kreg.regularize(
            _plain_model(), kreg.L2(1, 1), layers=[keras.layers.Dense(2, name="other")]
        ),
        ValueError,
        "layer 'other' is not part of model 'plain'",
    ),
    (
        lambda: kreg.regularize(
            keras.Sequential([keras.layers.Dense(2)], name="s"), kreg.L2(1, 1)
        ),
        ValueError,
        "model 's' is not built",
    ),
]


@pytest.mark.parametrize("make, error, message", BAD_ARGUMENTS)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


# --- a factor lam / (2 n) float32 cannot hold ----------------------------------------

_F32_MAX = float(np.finfo(np.float32).max)


def _factor_msg(name, lam, n):
    return (
        f"Invalid value for argument `{name}`: expected a finite number >= 0 whose "
        f"factor {name} / (2 n) is at most the float32 maximum {_F32_MAX!r} (with "
        f"n={n}, {name} / (2 n) = {lam / (2.0 * n)!r}: the penalty of any nonzero "
        f"weight would be inf). Received: {name}={float(lam)!r}"
    )


BAD_FACTORS = [
    (lambda: kreg.L2(1e308, 80), _factor_msg("lam", 1e308, 80)),
    (lambda: kreg.L2(1e39, 1), _factor_msg("lam", 1e39, 1)),
    (lambda: kreg.L1(1e39, 1), _factor_msg("lam", 1e39, 1)),
    (lambda: kreg.L1(1e300, 10**6, proximal=True), _factor_msg("lam", 1e300, 10**6)),
    (lambda: kreg.L1L2(1e39, 0.0, 1), _factor_msg("l1", 1e39, 1)),
    (lambda: kreg.L1L2(0.1, 1e39, 1), _factor_msg("l2", 1e39, 1)),
    (lambda: kreg.L1L2(1e39, 1e39, 1), _factor_msg("l1", 1e39, 1)),
]


@pytest.mark.parametrize("make, message", BAD_FACTORS)
def test_factor_beyond_float32_is_refused(make, message):
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        make()


def test_factor_at_float32_max_is_accepted_and_gives_a_finite_penalty():
    w = np.ones(1, dtype="float32")
    for reg in (
        kreg.L2(2 * _F32_MAX, 1),
        kreg.L1(2 * _F32_MAX, 1),
        kreg.L1L2(0.0, 2 * _F32_MAX, 1),
    ):
        assert float(reg(w)) == _F32_MAX
    # The same lam is fine with more examples: the factor is what counts.
    assert_close(float(kreg.L2(1e39, 10**9)(w)), 5e29, rtol=1e-6)


# --- what a regularizer may be called on -------------------------------------------

_X_MSG = (
    "Invalid value for argument `x`: expected a tensor or array of floats or "
    "integers (integers are cast to float32), not bool, complex or string. "
    "Received: x="
)

_complex = ops.convert_to_tensor(np.ones(2, "complex64"))
_bool = ops.convert_to_tensor([True, False])

BAD_WEIGHTS = [
    ("abc", "'abc'"),
    (None, "None"),
    (np.ones((2, 3), dtype="complex64"), "<ndarray shape=(2, 3) dtype=complex64>"),
    (_complex, f"<{type(_complex).__name__} shape=(2,) dtype=complex64>"),
    (np.zeros((4, 4), dtype=bool), "<ndarray shape=(4, 4) dtype=bool>"),
    (_bool, f"<{type(_bool).__name__} shape=(2,) dtype=bool>"),
    (["0.1", "0.2"], "['0.1', '0.2']"),
]


@pytest.mark.parametrize("reg", [*REGULARIZERS, kreg.L2(0, 5)], ids=repr)
@pytest.mark.parametrize("x, shown", BAD_WEIGHTS)
def test_call_on_what_is_not_real_numbers_raises_type_error_naming_x(reg, x, shown):
    with pytest.raises(TypeError, match="^" + re.escape(_X_MSG + shown) + "$"):
        reg(x)


@pytest.mark.parametrize("reg", REGULARIZERS, ids=repr)
def test_integer_weights_are_cast_to_float32(reg):
    w = np.array([[1, -2], [3, 0]], dtype="int32")
    value = reg(w)
    assert keras.backend.standardize_dtype(value.dtype) == "float32"
    assert_close(float(value), _numpy_penalty(reg, w))


def test_complex_weight_of_a_layer_raises_type_error_from_losses():
    class ComplexKernel(keras.layers.Layer):
        def build(self, input_shape):
            self.kernel = self.add_weight(
                shape=(2, 2), dtype="complex64", regularizer=kreg.L2(0.16, 80)
            )

    layer = ComplexKernel()
    layer.build((None, 2))
    with pytest.raises(TypeError, match=re.escape(_X_MSG + "<Variable shape=(2, 2)")):
        layer.losses  # noqa: B018 - the property computes the penalties


# --- regularize() on a model without kernels ----------------------------------------


def _kernelless_model():
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dropout(0.2, name="drop"),
            keras.layers.BatchNormalization(name="norm"),
        ],
        name="bare",
    )


def test_regularize_warns_when_no_layer_has_a_kernel():
    model = _kernelless_model()
    message = (
        "regularize() regularized nothing: no layer of model 'bare' has a kernel (a "
        "kernel_regularizer or embeddings_regularizer argument). Layers looked at: "
        "'drop' (Dropout), 'norm' (BatchNormalization). The copy is returned "
        "without a penalty."
    )
    with pytest.warns(UserWarning, match="^" + re.escape(message) + "$") as record:
        copy = kreg.regularize(model, kreg.L2(0.16, 80))
    assert len(record) == 1 and record[0].filename == __file__  # stacklevel=2
    assert copy is not model and copy.losses == []
    assert len(copy.get_weights()) == len(model.get_weights())


def test_regularize_is_quiet_when_a_kernel_is_regularized():
    with no_warnings():
        copy = kreg.regularize(_plain_model(), kreg.L2(0.16, 80))
    assert len(copy.losses) == 2


def test_regularize_names_no_kernel_layer_in_a_model_without_kernels():
    message = (
        "Invalid value for argument `layers`: layer 'drop' (Dropout) has no kernel "
        "to regularize. Layers with a kernel: none"
    )
    with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
        kreg.regularize(_kernelless_model(), kreg.L2(1, 1), layers=["drop"])


# --- from_config of a tampered config ------------------------------------------------

_LAM_NEG = "Invalid value for argument `lam`: expected a finite number >= 0. Received: lam=-1.0"


def _from_config_msg(cls, config, message):
    return f"Cannot deserialize kreg.{cls.__name__} from config {config!r}: {message}"


BAD_CONFIGS = [
    (kreg.L2, {"lam": -1.0, "n": 80}, _LAM_NEG),
    (
        kreg.L2,
        {"lam": float("nan"), "n": 80},
        "Invalid value for argument `lam`: expected a finite number >= 0. Received: lam=nan",
    ),
    (kreg.L2, {"lam": 0.16, "n": 80.5}, _N_MSG + "80.5"),
    (kreg.L1, {"lam": 0.16, "n": "80", "proximal": False}, _N_MSG + "'80'"),
    (
        kreg.L1,
        {"lam": 0.16, "n": 80, "proximal": "yes"},
        "Invalid value for argument `proximal`: expected True or False. Received: proximal='yes'",
    ),
    (kreg.L2, {"lam": 1e308, "n": 80}, _factor_msg("lam", 1e308, 80)),
    (
        kreg.L1L2,
        {"l1": 0.1, "l2": -0.2, "n": 5, "proximal": False},
        "Invalid value for argument `l2`: expected a finite number >= 0. Received: l2=-0.2",
    ),
    (
        kreg.L2,
        {"lam": 0.16, "n": 80, "foo": 1},
        "expected the keys 'lam', 'n'; unknown 'foo'.",
    ),
    (kreg.L2, {"lam": 0.16}, "expected the keys 'lam', 'n'; missing 'n'."),
    (
        kreg.L1L2,
        {"l1": 0.1, "lam": 0.2, "n": 5},
        "expected the keys 'l1', 'l2', 'n', 'proximal'; unknown 'lam', missing 'l2'.",
    ),
    (kreg.L2, [0.16, 80], "expected a dict with the keys 'lam', 'n'."),
]


@pytest.mark.parametrize("cls, config, message", BAD_CONFIGS)
def test_from_config_refuses_a_bad_config_in_one_line(cls, config, message):
    expected = _from_config_msg(cls, config, message)
    with pytest.raises(ValueError, match="^" + re.escape(expected) + "$") as info:
        cls.from_config(config)
    assert _printed_chain(info.value) == [info.value]  # no second, chained message
    assert "\n" not in str(info.value)


def _printed_chain(error):
    """The exceptions Python prints for ``error``, first printed first."""
    chain = [error]
    while True:
        last = chain[-1]
        nxt = last.__cause__ or (
            None if last.__suppress_context__ else last.__context__
        )
        if nxt is None:
            return chain[::-1]
        chain.append(nxt)


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory):
    model = keras.Sequential(
        [
            keras.Input((2,)),
            keras.layers.Dense(3, kernel_regularizer=kreg.L2(0.16, 80)),
            keras.layers.Dense(3, kernel_regularizer=kreg.L1(0.2, 80)),
            keras.layers.Dense(1, kernel_regularizer=kreg.L1L2(0.1, 0.3, 80)),
        ]
    )
    path = tmp_path_factory.mktemp("saved") / "model.keras"
    model.save(path)
    return path


def _tampered(source, target, layer, edit):
    """Copy the .keras archive ``source`` to ``target``, editing one regularizer."""
    with zipfile.ZipFile(source) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    config = json.loads(files["config.json"])
    edit(config["config"]["layers"][layer]["config"]["kernel_regularizer"])
    files["config.json"] = json.dumps(config).encode()
    with zipfile.ZipFile(target, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return target


def _set(key, value):
    return lambda reg: reg["config"].__setitem__(key, value)


# (layer index in the saved model, edit, kreg class, config after the edit, message)
TAMPERED = [
    (1, _set("lam", -1.0), kreg.L2, {"lam": -1.0, "n": 80}, _LAM_NEG),
    (
        1,
        _set("lam", float("nan")),
        kreg.L2,
        {"lam": float("nan"), "n": 80},
        "Invalid value for argument `lam`: expected a finite number >= 0. Received: lam=nan",
    ),
    (1, _set("n", 80.5), kreg.L2, {"lam": 0.16, "n": 80.5}, _N_MSG + "80.5"),
    (
        2,
        _set("n", "80"),
        kreg.L1,
        {"lam": 0.2, "n": "80", "proximal": False},
        _N_MSG + "'80'",
    ),
    (
        1,
        _set("lam", 1e308),
        kreg.L2,
        {"lam": 1e308, "n": 80},
        _factor_msg("lam", 1e308, 80),
    ),
    (
        3,
        _set("l3", 0.5),
        kreg.L1L2,
        {"l1": 0.1, "l2": 0.3, "n": 80, "proximal": False, "l3": 0.5},
        "expected the keys 'l1', 'l2', 'n', 'proximal'; unknown 'l3'.",
    ),
]


@pytest.mark.parametrize("layer, edit, cls, config, message", TAMPERED)
def test_tampered_saved_model_fails_with_kregs_message_printed_first(
    saved_model, tmp_path, layer, edit, cls, config, message
):
    path = _tampered(saved_model, tmp_path / "tampered.keras", layer, edit)
    expected = _from_config_msg(cls, config, message)
    with pytest.raises(Exception) as info:  # noqa: B017 - Keras picks the type
        keras.models.load_model(path)
    # Keras wraps the error in three TypeErrors that repeat the whole model config;
    # kreg's one-line error is the first one Python prints, and the root cause.
    root = _printed_chain(info.value)[0]
    assert type(root) is ValueError
    assert str(root) == expected
    printed = "".join(traceback.format_exception(info.value)).splitlines()
    first_error = next(
        line for line in printed if not line.startswith((" ", "Traceback"))
    )
    assert first_error == f"ValueError: {str(root)}"
    assert str(info.value).splitlines()[-1] == f"Exception encountered: {root}"


def test_untampered_saved_model_loads(saved_model, tmp_path):
    path = _tampered(saved_model, tmp_path / "same.keras", 1, lambda reg: None)
    model = keras.models.load_model(path)
    assert [layer.kernel.regularizer for layer in model.layers] == [
        kreg.L2(0.16, 80),
        kreg.L1(0.2, 80),
        kreg.L1L2(0.1, 0.3, 80),
    ]


def test_unknown_kreg_class_is_refused_by_keras(saved_model, tmp_path):
    # Keras looks the registered name up before any kreg code runs, so kreg cannot
    # word this one; its root error is Keras' one-line "Could not interpret ...".
    def rename(reg):
        reg["class_name"], reg["registered_name"] = "L3", "kreg>L3"

    path = _tampered(saved_model, tmp_path / "l3.keras", 1, rename)
    with pytest.raises(Exception) as info:  # noqa: B017 - Keras picks the type
        keras.models.load_model(path)
    root = _printed_chain(info.value)[0]
    assert str(root).startswith("Could not interpret regularizer identifier: {")
    assert "'registered_name': 'kreg>L3'" in str(root)
