"""kreg on each Keras backend: choosing one, reading tensors, and which one ran."""

import importlib.util
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
from backend import BACKEND
from tolerance import assert_close

import kreg
from kreg import _backend, _engine

INSTALLED = [b for b in _backend.BACKENDS if _backend.missing(b) is None]


def test_missing_names_the_backend_and_the_extra(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name: None if name == "torch" else real(name),
    )
    assert _backend.missing("torch") == (
        "the Keras backend 'torch' needs the package 'torch', which is not "
        "installed: pip install 'kreg[torch]'"
    )
    assert _backend.missing("tensorflow") is None
    assert _backend.missing("numpy") == (
        "kreg runs on the Keras backends tensorflow, jax, torch, not 'numpy'"
    )


def test_requested_reads_keras_backend(monkeypatch):
    monkeypatch.setenv("KERAS_BACKEND", "jax")
    assert _backend.requested() == "jax"
    monkeypatch.delenv("KERAS_BACKEND")
    assert _backend.requested() == "tensorflow"
    monkeypatch.setenv("KERAS_BACKEND", "")  # empty: Keras' default
    assert _backend.requested() == "tensorflow"


def test_to_numpy_copies_variables_and_widens_bfloat16():
    variable = keras.Variable(np.arange(3.0, dtype="float32"))
    value = _backend.to_numpy(variable)
    value[0] = 7.0
    assert _backend.to_numpy(variable)[0] == 0.0  # a copy, not a view
    half = _backend.to_numpy(keras.ops.cast(variable, "bfloat16"))
    assert half.dtype == np.float32
    np.testing.assert_array_equal(half, [0.0, 1.0, 2.0])


def test_the_engine_refuses_an_unsupported_backend(monkeypatch):
    monkeypatch.setattr(keras.backend, "backend", lambda: "openvino")
    with pytest.raises(
        RuntimeError, match="kreg runs on the Keras backends .*, not 'openvino'"
    ):
        _engine.new_trainer()


def test_predict_in_padded_blocks_matches_one_block(monkeypatch):
    rng = np.random.default_rng(0)
    shapes = [(2, 5), (5,), (5, 1), (1,)]
    initial = [[rng.normal(size=s).astype("float32") for s in shapes] for _ in range(3)]
    x = rng.normal(size=(8, 2)).astype("float32")
    y = (x[:, :1] > 0).astype("float32")
    trainer = _engine.new_trainer(
        initial,
        activation="relu",
        regularizers=[[None]] * 3,
        optimizer=keras.optimizers.SGD(0.1),
        data=(x, y, x, y),
        order=iter(()),
        epochs=1,
        batch_size=4,
        record_epochs=[],
    )
    points = rng.normal(size=(7, 2)).astype("float32")
    # (slices, their number, rows per block, blocks) with a budget of 6 rows x
    # slices per call: 7 rows in blocks of 2 (the last one 1 row, padded) for 3
    # slices, in blocks of 3 (the last one padded) for 2.
    cases = [(None, 3, 2, 4), ([2, 0], 2, 3, 3)]
    one_block = [trainer.predict(points, case[0]) for case in cases]
    calls = []
    probabilities = trainer._probabilities

    def spy(weights, x, slices):
        calls.append(tuple(x.shape))
        return probabilities(weights, x, slices)

    monkeypatch.setattr(trainer, "_probabilities", spy)
    monkeypatch.setattr(_engine, "_PREDICT_BUDGET", 6)
    for (slices, count, rows, blocks), expected in zip(cases, one_block, strict=True):
        calls.clear()
        blocked = trainer.predict(points, slices)
        assert calls == [(rows, 2)] * blocks  # every block, the last padded
        assert blocked.shape == expected.shape == (count, 7)
        assert_close(blocked, expected)


def test_compare_records_the_backend_and_matches_numpy_on_it():
    result = kreg.compare(
        variants=("none", "l2"),
        hidden=(4,),
        epochs=3,
        n_samples=30,
        grid_resolution=4,
        progress=False,
    )
    assert result.config["backend"] == BACKEND
    # The decision grid is the sigmoid of the network's output, computed in NumPy.
    model, grid = result.models["l2"], result.grid
    points = np.column_stack([grid["xx"].ravel(), grid["yy"].ravel()])
    kernel, bias, out_kernel, out_bias = model.get_weights()
    hidden = np.maximum(points @ kernel + bias, 0.0)
    expected = 1.0 / (1.0 + np.exp(-(hidden @ out_kernel + out_bias)))
    assert_close(result.decision["l2"].ravel(), expected.ravel())


@pytest.mark.parametrize("backend", INSTALLED)
def test_import_kreg_loads_no_other_framework_and_models_load_safely(backend, tmp_path):
    # A fresh process per backend: `import kreg` after Keras (which registers
    # kreg's classes at once) loads no framework and no matplotlib, and a saved
    # kreg model loads with safe_mode=True.
    heavy = [*_backend.BACKENDS, "matplotlib"]
    code = f"""
import sys, keras
assert keras.backend.backend() == {backend!r}
before = set(sys.modules)
import kreg
new = {{m.split(".")[0] for m in set(sys.modules) - before}}
assert not new & set({heavy!r}), new
model = keras.Sequential([keras.Input((2,)),
    keras.layers.Dense(3, kernel_regularizer=kreg.L1(0.5, 10, proximal=True))])
model.compile(kreg.ProximalAdam(0.01), "mse")
model.save({str(tmp_path / "m.keras")!r})
again = keras.saving.load_model({str(tmp_path / "m.keras")!r}, safe_mode=True)
assert again.layers[0].kernel_regularizer == kreg.L1(0.5, 10, proximal=True)
print("ok")
"""
    env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
