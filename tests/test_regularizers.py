"""kreg.L1, kreg.L2, kreg.L1L2 and kreg.regularize."""

import inspect
import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from keras import ops

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
    with pytest.raises(error) as info:
        make()
    assert message in str(info.value)
