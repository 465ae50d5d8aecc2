"""One run of ``kreg.compare`` for ``test_distribute.py``, in a process of its own.

``python distributed_run.py MODE OUT [INDEX PORTS]`` trains a small regression
MLP with two variants and saves every variant's weights and training loss to the
``.npz`` file ``OUT``. MODE: ``alone`` (one device, no strategy), ``mirrored``
(MirroredStrategy over two logical CPU devices), ``worker`` (worker INDEX of a
MultiWorkerMirroredStrategy cluster on 127.0.0.1 at PORTS, comma-separated), or
``jax`` (a keras.distribution.DataParallel layout over two CPU devices).
"""

import json
import os
import sys

mode, out = sys.argv[1], sys.argv[2]
strategy = None
if mode == "worker":
    ports = sys.argv[4].split(",")
    os.environ["TF_CONFIG"] = json.dumps(
        {
            "cluster": {"worker": [f"127.0.0.1:{port}" for port in ports]},
            "task": {"type": "worker", "index": int(sys.argv[3])},
        }
    )
if mode == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
if mode in ("worker", "mirrored"):
    import tensorflow as tf

    if mode == "mirrored":
        cpu = tf.config.list_physical_devices("CPU")[0]
        tf.config.set_logical_device_configuration(
            cpu, [tf.config.LogicalDeviceConfiguration()] * 2
        )
        strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    else:  # before any other TensorFlow operation
        strategy = tf.distribute.MultiWorkerMirroredStrategy()

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kreg  # noqa: E402

if mode == "jax":
    assert len(keras.distribution.list_devices()) == 2
    strategy = keras.distribution.DataParallel()
rng = np.random.default_rng(0)
x = rng.normal(size=(96, 5)).astype("float32")
y = (x @ rng.normal(size=(5, 1))).astype("float32")
keras.utils.set_random_seed(1)
net = keras.Sequential(
    [
        keras.Input((5,)),
        keras.layers.Dense(8, activation="tanh"),
        keras.layers.Dense(1),
    ]
)
result = kreg.compare(
    net,
    x,
    y,
    variants=("none", "l2"),
    lam=1.0,
    loss="mse",
    optimizer="adam",
    epochs=3,
    batch_size=16,
    validation_split=1 / 6,  # 80 training rows: batches of 16 split evenly
    strategy=strategy,
)
arrays = {"replicas": getattr(strategy, "num_replicas_in_sync", 1)}
for name in result.variants:
    arrays[f"{name}_loss"] = result.curves[name]["train_loss"]
    for i, weight in enumerate(result.models[name].get_weights()):
        arrays[f"{name}_{i}"] = weight
np.savez(out, **arrays)
