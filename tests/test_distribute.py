"""``compare(model, ..., strategy=...)``: several devices or processes, same run.

Each run is a process of its own (``distributed_run.py``): devices and cluster
are set before the framework starts. Adam's update is not linear in the
gradient, so a replica-summed gradient that differs from the one-device gradient
in the last bit can move a weight by a few float32 ulps per step; 3 epochs of 5
steps stay within 1e-5.
"""

import os
import socket
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from backend import BACKEND, tensorflow_only
from tolerance import assert_close

import kreg

SCRIPT = Path(__file__).with_name("distributed_run.py")
TIMEOUT = 240


def _start(*args: str) -> subprocess.Popen:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _finish(*processes: subprocess.Popen) -> None:
    try:
        for process in processes:
            output, _ = process.communicate(timeout=TIMEOUT)
            assert process.returncode == 0, output[-3000:]
    finally:
        for process in processes:
            process.kill()


def _assert_same_run(path: Path, reference: Path, replicas: int) -> None:
    ours, theirs = np.load(path), np.load(reference)
    assert int(ours["replicas"]) == replicas
    keys = [key for key in theirs.files if key != "replicas"]
    assert len(keys) == 2 * (4 + 1)  # two variants: four weights and the loss
    for key in keys:
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-5, atol=1e-5)
    # The variants differ: the comparison is not trivially equal.
    assert not np.allclose(theirs["none_0"], theirs["l2_0"], rtol=0, atol=1e-7)


@pytest.fixture(scope="module")
def alone(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("alone") / "alone.npz"
    _finish(_start("alone", str(path)))
    return path


def test_several_devices_train_as_one(request, tmp_path):
    """MirroredStrategy (TensorFlow) or DataParallel (JAX) over two CPU devices;
    PyTorch has no strategy here."""
    if BACKEND == "torch":
        net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
        with pytest.raises(TypeError, match="argument `strategy`: expected None"):
            kreg.compare(net, np.zeros((4, 2)), np.zeros(4), strategy="x", loss="mse")
        return
    path = tmp_path / "two.npz"
    _finish(_start("mirrored" if BACKEND == "tensorflow" else "jax", str(path)))
    # A Keras distribution has no replica count: 1 is recorded.
    replicas = 2 if BACKEND == "tensorflow" else 1
    _assert_same_run(path, request.getfixturevalue("alone"), replicas)


def _free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


@tensorflow_only
def test_two_worker_processes_train_as_one(alone, tmp_path):
    """MultiWorkerMirroredStrategy, two local workers (one CPU device each)."""
    ports = ",".join(map(str, _free_ports(2)))
    paths = [tmp_path / f"worker{i}.npz" for i in range(2)]
    _finish(*(_start("worker", str(p), str(i), ports) for i, p in enumerate(paths)))
    for path in paths:
        _assert_same_run(path, alone, replicas=2)


@tensorflow_only
def test_an_uneven_split_over_replicas_warns():
    import tensorflow as tf

    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    from kreg._towers import _check_split

    _check_split(strategy.num_replicas_in_sync, 16, 80)  # one replica: no warning
    with pytest.warns(UserWarning, match=r"Batches of \[7\] rows do not split"):
        _check_split(2, 16, 87)  # the last batch has 7 rows
    with pytest.warns(UserWarning, match=r"Batches of \[5, 13\] rows"):
        _check_split(2, 13, 18)


def test_a_strategy_of_another_backend_is_refused():
    net = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    with pytest.raises(TypeError, match=f"argument `strategy`.*{BACKEND} backend"):
        kreg.compare(net, np.zeros((4, 2)), np.zeros(4), strategy=object(), loss="mse")


@tensorflow_only
def test_a_strategy_takes_several_float64_inputs_as_one_device_does():
    """Shuffled batches under a strategy: two inputs (a list) and float64 arrays
    train as without a strategy (cast to floatx, the inputs as a tuple)."""
    import tensorflow as tf

    def net():
        a, b = keras.Input((2,)), keras.Input((3,))
        joined = keras.layers.Concatenate()([a, b])
        model = keras.Model([a, b], keras.layers.Dense(1)(joined))
        model.set_weights([np.full((5, 1), 0.1), np.zeros(1)])
        return model

    rng = np.random.default_rng(0)
    x = [rng.normal(size=(24, 2)), rng.normal(size=(24, 3))]  # float64
    y = rng.normal(size=(24, 1))
    options = dict(variants=("none", "l2"), lam=0.1, loss="mse", epochs=2)
    options.update(batch_size=8, validation_split=0.25, seed=3, optimizer="sgd")
    plain = kreg.compare(net(), x, y, **options)
    strategy = tf.distribute.OneDeviceStrategy("/cpu:0")
    distributed = kreg.compare(net(), x, y, strategy=strategy, **options)
    for name in ("none", "l2"):
        ours = distributed.models[name].get_weights()
        for got, want in zip(ours, plain.models[name].get_weights(), strict=True):
            assert_close(got, want)
    assert not np.allclose(plain.models["none"].get_weights()[0], 0.1)
