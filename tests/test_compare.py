"""Tests of kreg.compare: fairness against Keras trained alone, curves, results."""

from __future__ import annotations

import copy
import importlib
import json
import os
import warnings

import keras
import numpy as np
import pytest
from backend import no_warnings
from tolerance import assert_close

import kreg
from kreg.compare import (
    LECTURE_BOX,
    METRIC_KEYS,
    ComparisonResult,
    _initial_weights,
    _permutations,
    compare,
)
from kreg.datasets import make_moons, train_val_split


def _batch_order(n_train: int, epochs: int, seed: int) -> np.ndarray:
    """The ``(epochs, n_train)`` rows each epoch of a run visits, in order."""
    permutations = _permutations(n_train, seed)
    return np.stack([next(permutations) for _ in range(epochs)])


# The module (kreg.compare, the attribute, may be the function).
compare_module = importlib.import_module("kreg.compare")

# Small and fast: 40 training rows in batches of 16 (two full batches and a
# partial one of 8 rows per epoch), a 2-8-6-1 network, a few epochs.
SMALL = {
    "n_samples": 50,
    "hidden": (8, 6),
    "batch_size": 16,
    "epochs": 4,
    "record_every": 1,
    "grid_resolution": 12,
    "jit_compile": False,
}


def _twin(result: ComparisonResult, name: str, *, regularized: bool = True):
    """A plain Keras model with the variant's layers, at the initial weights."""
    config = result.config
    regs = config["variants"][name]["regularizers"]
    layers = [keras.Input((result.data["x_train"].shape[1],))]
    for units, reg in zip(config["hidden"], regs, strict=True):
        reg = (
            keras.saving.deserialize_keras_object(reg) if reg and regularized else None
        )
        layers.append(
            keras.layers.Dense(
                units, activation=config["activation"], kernel_regularizer=reg
            )
        )
    layers.append(keras.layers.Dense(1, activation="sigmoid"))
    model = keras.Sequential(layers)
    history = result.histories[name]
    model.set_weights([history[key][0] for key in history.keys()])
    return model


def _train_alone(result: ComparisonResult, name: str, *, jit_compile: bool = False):
    """Train the twin alone on the engine's batches; return weights per epoch."""
    config = result.config
    model = _twin(result, name)
    model.compile(
        optimizer=keras.optimizers.deserialize(copy.deepcopy(config["optimizer"])),
        loss="binary_crossentropy",
        jit_compile=jit_compile,
    )
    x, y = result.data["x_train"], result.data["y_train"]
    size = config["batch_size"]
    per_epoch = []
    for perm in _batch_order(config["n_train"], config["epochs"], config["seed"]):
        for first in range(0, len(perm), size):
            rows = perm[first : first + size]
            model.train_on_batch(x[rows], y[rows])
        per_epoch.append(model.get_weights())
    return per_epoch


def _records(result: ComparisonResult, name: str, record: int) -> list[np.ndarray]:
    history = result.histories[name]
    return [history[key][record] for key in history.keys()]


@pytest.fixture(scope="module")
def adam_result():
    return compare(seed=3, **SMALL)


@pytest.fixture(scope="module")
def sgd_result():
    options = dict(SMALL, learning_rate=0.5)
    return compare(optimizer="sgd", lam=2.0, seed=4, **options)


# ----------------------------------------------------------------- fairness


@pytest.mark.parametrize("name", ["none", "l1", "l2"])
@pytest.mark.parametrize("which", ["adam_result", "sgd_result"])
def test_each_variant_equals_keras_trained_alone(request, which, name):
    result = request.getfixturevalue(which)
    alone = _train_alone(result, name)
    assert result.config["epochs"] == len(alone) == 4
    for epoch, weights in enumerate(alone, start=1):
        for ours, theirs in zip(_records(result, name, epoch), weights, strict=True):
            assert_close(ours, theirs)
    for ours, theirs in zip(result.models[name].get_weights(), alone[-1], strict=True):
        assert_close(ours, theirs)


def test_models_continue_training_as_if_trained_alone(adam_result):
    longer = compare(seed=3, **dict(SMALL, epochs=5))
    config = adam_result.config
    order = _batch_order(config["n_train"], 5, config["seed"])
    np.testing.assert_array_equal(order[:4], _batch_order(40, 4, 3))
    x, y = adam_result.data["x_train"], adam_result.data["y_train"]
    for name in ("none", "l2"):
        model = keras.models.clone_model(adam_result.models[name])
        model.set_weights(adam_result.models[name].get_weights())
        model.compile(optimizer=keras.optimizers.Adam(), loss="binary_crossentropy")
        original = adam_result.models[name].optimizer
        model.optimizer.build(model.trainable_variables)
        for mine, theirs in zip(
            model.optimizer.variables, original.variables, strict=True
        ):
            # A copy: JAX's training deletes the buffers it updates.
            mine.assign(keras.ops.copy(theirs))
        assert int(model.optimizer.iterations) == 4 * 3
        for first in range(0, 40, 16):
            rows = order[4][first : first + 16]
            model.train_on_batch(x[rows], y[rows])
        for ours, theirs in zip(
            model.get_weights(), longer.models[name].get_weights(), strict=True
        ):
            assert_close(ours, theirs)


def test_weights_move_and_variants_differ(adam_result):
    first = {v: _records(adam_result, v, -1)[0] for v in adam_result.variants}
    assert not np.allclose(first["none"], _records(adam_result, "none", 0)[0])
    assert not np.allclose(first["none"], first["l2"])
    assert not np.allclose(first["l1"], first["l2"])


def test_xla_engine_equals_keras_trained_alone():
    result = compare(
        variants=("none", "l2"), seed=5, lam=1.0, **dict(SMALL, jit_compile=True)
    )
    assert result.config["jit_compile"] is True
    alone = _train_alone(result, "l2", jit_compile=True)
    for ours, theirs in zip(result.models["l2"].get_weights(), alone[-1], strict=True):
        assert_close(ours, theirs)


def test_proximal_variant_equals_keras_trained_alone():
    n = 40
    variants = {"none": None, "l1_prox": kreg.L1(4.0, n, proximal=True)}
    result = compare(variants=variants, optimizer="proximal_adam", seed=6, **SMALL)
    alone = _train_alone(result, "l1_prox")
    for name in ("l1_prox",):
        for ours, theirs in zip(
            result.models[name].get_weights(), alone[-1], strict=True
        ):
            assert_close(ours, theirs)
    assert result.metrics["l1_prox"]["zero_fraction"] > 0
    assert result.metrics["none"]["zero_fraction"] == 0


def test_group_l1_variants_equal_keras_trained_alone():
    # Slices with element-wise L1, group L1 over units and over inputs share each
    # stacked kernel: every slice gets its own proximal step.
    n = 40
    variants = {
        "l1": kreg.L1(4.0, n, proximal=True),
        "units": kreg.GroupL1(6.0, n, groups="units", proximal=True),
        "inputs": kreg.GroupL1(3.0, n, groups="inputs", proximal=True),
    }
    result = compare(variants=variants, seed=6, **dict(SMALL, epochs=6))
    assert result.config["optimizer"]["class_name"].endswith("ProximalAdam")
    for name in variants:
        alone = _train_alone(result, name)
        for ours, theirs in zip(
            result.models[name].get_weights(), alone[-1], strict=True
        ):
            assert_close(ours, theirs)
    kernel = result.models["units"].layers[0].kernel.numpy()
    assert (kernel == 0).all(axis=0).any()  # a whole unit exactly at zero


@pytest.mark.parametrize(
    "optimizer",
    [
        "adagrad",
        "adamw",
        "ftrl",
        "lion",
        "nadam",
        keras.optimizers.SGD(momentum=0.9, nesterov=True, clipvalue=0.1),
        keras.optimizers.Adam(
            amsgrad=True,
            learning_rate=keras.optimizers.schedules.ExponentialDecay(0.02, 3, 0.5),
        ),
    ],
    ids=lambda o: o if isinstance(o, str) else type(o).__name__,
)
def test_every_allowed_optimizer_equals_keras_trained_alone(optimizer):
    # Adam and SGD train the L1 variant with their proximal counterparts; the
    # others have none and train it through the subgradient.
    has_proximal = type(optimizer) in (keras.optimizers.SGD, keras.optimizers.Adam)
    options = dict(SMALL, epochs=2, hidden=(5,), record_every=2)
    result = compare(
        variants=("none", "l1"),
        optimizer=optimizer,
        seed=1,
        l1_mode="proximal" if has_proximal else "subgradient",
        **options,
    )
    json.dumps(result.config)
    expected = "Proximal" + type(optimizer).__name__ if has_proximal else None
    if expected:
        assert result.config["optimizer"]["class_name"] == expected
    alone = _train_alone(result, "l1")
    for ours, theirs in zip(result.models["l1"].get_weights(), alone[-1], strict=True):
        assert_close(ours, theirs)


def test_builtin_l1_is_proximal_with_a_proximal_optimizer():
    result = compare(
        variants=("l1", "l2"),
        optimizer="proximal_sgd",
        lam=8.0,
        learning_rate=0.5,
        **SMALL,
    )
    assert result.models["l1"].layers[0].kernel_regularizer == kreg.L1(
        8.0, 40, proximal=True
    )
    assert result.metrics["l1"]["zero_fraction"] > 0.2
    assert result.metrics["l2"]["zero_fraction"] == 0
    alone = _train_alone(result, "l1")
    for ours, theirs in zip(result.models["l1"].get_weights(), alone[-1], strict=True):
        assert_close(ours, theirs)


def test_proximal_regularizer_without_proximal_optimizer_warns():
    variants = {"l1": kreg.L1(0.1, 40, proximal=True)}
    with pytest.warns(UserWarning, match="acts through the subgradient"):
        compare(variants=variants, l1_mode="subgradient", **dict(SMALL, epochs=1))


def test_initial_weights_are_shared_and_keras_glorot(adam_result):
    expected = _initial_weights((2, 8, 6, 1), 3)
    for name in adam_result.variants:
        for ours, init in zip(_records(adam_result, name, 0), expected, strict=True):
            np.testing.assert_array_equal(ours, init)
    kernel = expected[2]
    limit = np.sqrt(6 / (8 + 6))
    assert np.all(np.abs(kernel) <= limit) and np.all(expected[3] == 0)
    assert not np.array_equal(expected[0], _initial_weights((2, 8, 6, 1), 4)[0])


@pytest.mark.parametrize("n_samples, batch_size", [(40, 16), (30, 64)])
def test_no_partial_batch_and_one_batch_larger_than_the_data(n_samples, batch_size):
    options = dict(SMALL, n_samples=n_samples, batch_size=batch_size)
    result = compare(variants=("none", "l2"), lam=1.0, **options)
    alone = _train_alone(result, "l2")
    for ours, theirs in zip(result.models["l2"].get_weights(), alone[-1], strict=True):
        assert_close(ours, theirs)


def test_zero_lambda_l2_retraces_none():
    # Alone, lam = 0 builds literally the same computation as no penalty (the
    # zero term is dropped): bit-equal on any machine.
    alone_none = compare(variants=("none",), seed=9, **SMALL)
    alone_l2 = compare(variants=("l2",), lam=0, seed=9, **SMALL)
    for a, b in zip(
        alone_none.models["none"].get_weights(),
        alone_l2.models["l2"].get_weights(),
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)
    # Two slots of one stacked run are two lanes of a batched op, which a CPU
    # may round differently: equal within the float32 tolerance.
    result = compare(variants=("none", "l2"), lam=0, **SMALL)
    for key_none, key_l2 in zip(
        result.histories["none"].keys(), result.histories["l2"].keys(), strict=True
    ):
        assert_close(result.histories["none"][key_none], result.histories["l2"][key_l2])
    assert_close(result.curves["none"]["val_loss"], result.curves["l2"]["val_loss"])


def test_batch_order_is_a_seeded_permutation_per_epoch():
    order = _batch_order(10, 3, seed=7)
    assert order.shape == (3, 10)
    for row in order:
        assert sorted(row.tolist()) == list(range(10))
    rng = np.random.default_rng(7)
    for row in order:
        np.testing.assert_array_equal(row, rng.permutation(10))
    assert not np.array_equal(order, _batch_order(10, 3, seed=8))


# ------------------------------------------------------------------- curves


@pytest.mark.parametrize("name", ["none", "l1", "l2"])
def test_curves_match_keras_evaluate_at_recorded_weights(adam_result, name):
    result, n = adam_result, adam_result.config["n_train"]
    plain = _twin(result, name, regularized=False)
    plain.compile(loss="binary_crossentropy", metrics=["accuracy"])
    regularized = _twin(result, name)
    regularized.compile(loss="binary_crossentropy")
    data = result.data
    curves = result.curves[name]
    lam = result.config["lam"]
    penalty = {"none": lambda w: 0.0, "l1": kreg.l1_penalty, "l2": kreg.l2_penalty}
    for epoch in (1, 4):
        weights = _records(result, name, epoch)
        plain.set_weights(weights)
        regularized.set_weights(weights)
        loss, acc = plain.evaluate(data["x_train"], data["y_train"], verbose=0)
        val_loss, val_acc = plain.evaluate(data["x_val"], data["y_val"], verbose=0)
        total = regularized.evaluate(data["x_train"], data["y_train"], verbose=0)
        i = epoch - 1
        np.testing.assert_allclose(curves["train_loss"][i], loss, atol=1e-6)
        np.testing.assert_allclose(curves["train_accuracy"][i], acc, atol=1e-6)
        np.testing.assert_allclose(curves["val_loss"][i], val_loss, atol=1e-6)
        np.testing.assert_allclose(curves["val_accuracy"][i], val_acc, atol=1e-6)
        np.testing.assert_allclose(curves["train_total"][i], total, atol=1e-6)
        if name == "none":
            expected = 0.0
        else:
            expected = sum(
                float(penalty[name](w, lam, n)) for w in (weights[0], weights[2])
            )
        np.testing.assert_allclose(curves["penalty"][i], expected, rtol=1e-6)
        if name != "none":
            assert curves["penalty"][i] > 0


def test_curves_against_numpy_cross_entropy(adam_result):
    weights = _records(adam_result, "l2", 2)
    h = np.asarray(adam_result.data["x_train"], "float64")
    for i in range(0, len(weights) - 2, 2):
        h = np.maximum(h @ weights[i] + weights[i + 1], 0)
    logits = (h @ weights[-2] + weights[-1])[:, 0]
    y = adam_result.data["y_train"]
    bce = np.mean(np.maximum(logits, 0) - logits * y + np.log1p(np.exp(-abs(logits))))
    np.testing.assert_allclose(
        adam_result.curves["l2"]["train_loss"][1], bce, rtol=1e-5
    )
    np.testing.assert_allclose(
        adam_result.curves["l2"]["train_accuracy"][1], np.mean((logits > 0) == y)
    )


def test_metrics_are_the_last_epoch_and_the_final_kernels(adam_result):
    for name in adam_result.variants:
        m, c = adam_result.metrics[name], adam_result.curves[name]
        assert set(m) == set(METRIC_KEYS)
        assert all(type(v) is float for v in m.values())
        assert m["train_loss"] == c["train_loss"][-1]
        assert m["gap"] == pytest.approx(m["val_loss"] - m["train_loss"])
        weights = adam_result.models[name].get_weights()
        kernels = np.concatenate([w.ravel() for w in weights[0::2]]).astype("float64")
        assert m["first_kernel_min"] == pytest.approx(weights[0].min())
        assert m["first_kernel_max"] == pytest.approx(weights[0].max())
        assert m["l1_norm"] == pytest.approx(np.abs(kernels).sum())
        assert m["l2_norm"] == pytest.approx(np.sqrt((kernels**2).sum()))
        assert m["zero_fraction"] == np.mean(kernels == 0)
    for curve in adam_result.curves["none"].values():
        assert curve.shape == (4,) and np.all(np.isfinite(curve))
    np.testing.assert_array_equal(adam_result.epochs, [1, 2, 3, 4])


# ------------------------------------------------- models, grid, histories


def test_models_predict_the_decision_grid(adam_result):
    grid = adam_result.grid
    assert grid["box"] == LECTURE_BOX
    assert grid["xx"].shape == grid["yy"].shape == (12, 12)
    assert grid["xx"].min() == -2.0 and grid["yy"].max() == 2.0
    points = np.column_stack([grid["xx"].ravel(), grid["yy"].ravel()])
    for name in adam_result.variants:
        model = adam_result.models[name]
        assert model.name == name
        predicted = model.predict(points, verbose=0)[:, 0].reshape(grid["xx"].shape)
        np.testing.assert_allclose(adam_result.decision[name], predicted, atol=1e-6)


def test_model_saves_and_loads(adam_result, tmp_path):
    model = adam_result.models["l2"]
    assert isinstance(model.layers[0].kernel_regularizer, kreg.L2)
    assert model.layers[-1].kernel_regularizer is None
    path = os.fspath(tmp_path / "l2.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    x = adam_result.data["x_val"]
    np.testing.assert_allclose(
        loaded.predict(x, verbose=0), model.predict(x, verbose=0)
    )
    assert loaded.layers[0].kernel_regularizer == model.layers[0].kernel_regularizer


def test_histories_are_keyed_by_model_paths(adam_result):
    for name in adam_result.variants:
        history = adam_result.histories[name]
        assert history.keys() == [w.path for w in adam_result.models[name].weights]
        assert history.epochs == [0, 1, 2, 3, 4]
        assert history["hidden_1/kernel"].shape == (5, 2, 8)


def test_default_record_every_keeps_about_100_records():
    result = compare(
        variants=("none",), hidden=(3,), epochs=250, n_samples=20, jit_compile=False
    )
    epochs = result.histories["none"].epochs
    assert result.config["record_every"] == 2
    assert epochs[:3] == [0, 2, 4] and epochs[-1] == 250 and len(epochs) == 126


def test_default_records_fit_the_memory_budget(monkeypatch):
    monkeypatch.setattr(compare_module, "_RECORD_BUDGET", 10 * 4 * 87)
    result = compare(variants=("none",), **dict(SMALL, epochs=40, record_every=None))
    assert result.config["record_every"] == 4  # 10 records of 87 weights
    with pytest.warns(UserWarning, match="record_every=1 keeps"):
        compare(variants=("none",), **dict(SMALL, epochs=40))


def test_record_every_keeps_the_last_epoch():
    result = compare(variants=("none",), **dict(SMALL, epochs=5, record_every=2))
    assert result.histories["none"].epochs == [0, 2, 4, 5]


def test_config_is_json_and_describes_the_run(adam_result):
    config = json.loads(json.dumps(adam_result.config))
    assert config["n_train"] == 40 and config["n_val"] == 10
    assert config["data"] == {
        "source": "make_moons",
        "n_samples": 50,
        "noise": 0.25,
        "data_seed": 2,
    }
    regs = config["variants"]["l2"]["regularizers"]
    assert len(regs) == 2
    assert keras.saving.deserialize_keras_object(regs[0]) == kreg.L2(0.16, 40)
    assert config["variants"]["none"]["regularizers"] == [None, None]
    # The default variants include l1, trained proximally: Adam -> ProximalAdam.
    assert config["optimizer"]["class_name"] == "ProximalAdam"
    assert config["l1_mode"] == "proximal" and config["seeds"] == [3]
    assert config["learning_rate"] == pytest.approx(0.01)
    assert config["seed"] == 3 and config["epochs"] == 4 and config["batch_size"] == 16


def test_data_is_the_lecture_split_of_make_moons(adam_result):
    x, y = make_moons(50, noise=0.25, random_state=2)
    x_train, y_train, x_val, y_val = train_val_split(x, y, 0.2)
    data = adam_result.data
    np.testing.assert_allclose(data["x_train"], x_train.astype("float32"))
    np.testing.assert_array_equal(data["y_train"], y_train)
    np.testing.assert_allclose(data["x_val"], x_val.astype("float32"))
    np.testing.assert_array_equal(data["y_val"], y_val)


def test_summary_is_a_table_of_the_metrics(adam_result):
    text = adam_result.summary()
    lines = text.splitlines()
    assert any(line.startswith("variant") for line in lines)
    for name in adam_result.variants:
        row = next(line for line in lines if line.startswith(name + " "))
        assert f"{adam_result.metrics[name]['val_loss']:.4f}" in row
    assert len({len(line) for line in lines[1:4]}) <= 2
    assert "ComparisonResult" in repr(adam_result)


def test_plot_delegates_to_kreg_plots(adam_result, monkeypatch):
    import kreg.plots

    calls = []
    monkeypatch.setattr(
        kreg.plots,
        "plot_comparison",
        lambda result, **kw: calls.append((result, kw)) or "display",
        raising=False,
    )
    assert adam_result.plot(figsize=(3, 3)) == "display"
    assert calls == [(adam_result, {"figsize": (3, 3)})]


def test_progress_bar_reports_epochs_and_changes_nothing(adam_result, capsys):
    result = compare(seed=3, progress=True, **SMALL)  # one compiled call per epoch
    out = capsys.readouterr().out
    assert "4/4" in out and "l2_val_loss" in out and "none_val_loss" in out
    for name in result.variants:
        for ours, theirs in zip(
            result.models[name].get_weights(),
            adam_result.models[name].get_weights(),
            strict=True,
        ):
            np.testing.assert_allclose(ours, theirs, atol=1e-6, rtol=0)


def test_batch_order_drawn_in_chunks_is_the_same(adam_result, monkeypatch):
    from kreg import _engine

    monkeypatch.setattr(_engine, "ORDER_BUDGET", 3 * 40)  # 3 epochs per chunk
    result = compare(seed=3, **SMALL)
    for name in result.variants:
        np.testing.assert_allclose(
            result.curves[name]["val_loss"],
            adam_result.curves[name]["val_loss"],
            atol=1e-6,
        )
        for ours, theirs in zip(
            result.models[name].get_weights(),
            adam_result.models[name].get_weights(),
            strict=True,
        ):
            np.testing.assert_allclose(ours, theirs, atol=1e-6, rtol=0)


def test_calls_are_sized_by_time_and_give_the_same_run(adam_result, monkeypatch):
    # The default sizes each compiled call by the speed measured (1 epoch, then
    # 8, then as many as fit in `seconds`): tiny `seconds` give one epoch a call.
    from kreg import _engine

    calls = []
    run = _engine.StackedTrainer.run

    def spy(self, callback=None, chunk=None, **kwargs):
        def record(done):
            calls.append(done)
            if callback is not None:
                callback(done)

        run(self, record, chunk, seconds=1e-9)

    monkeypatch.setattr(_engine.StackedTrainer, "run", spy)
    result = compare(seed=3, **SMALL)
    assert calls == [1, 4]  # one epoch (compiling), then the other three
    for name in result.variants:
        for ours, theirs in zip(
            result.models[name].get_weights(),
            adam_result.models[name].get_weights(),
            strict=True,
        ):
            assert_close(ours, theirs)


def test_a_diverged_run_is_warned_about_and_reported():
    with pytest.warns(RuntimeWarning) as caught:
        result = compare(
            variants=("none", "l2"), optimizer="sgd", learning_rate=1e30, **SMALL
        )
    messages = [str(w.message) for w in caught if w.category is RuntimeWarning]
    assert any(m.startswith("Variant 'none' diverged") for m in messages)
    assert all("from epoch 1 on" in m for m in messages if "diverged" in m)
    first = next(w for w in caught if w.category is RuntimeWarning)
    assert first.filename == __file__  # points at the caller of compare()
    assert result.diverged == {"none": 1, "l2": 1}
    assert "Variant none diverged at epoch 1" in result.summary()
    metrics = json.loads(
        json.dumps(kreg.report.comparison_metrics(result), allow_nan=True)
    )
    assert metrics["diverged"] == {"none": 1, "l2": 1}
    # A healthy run says nothing.
    assert compare(variants=("none",), **SMALL).diverged == {"none": None}


# ------------------------------------------------ custom variants and data


def test_custom_variants_per_layer():
    variants = {
        "first_only": [kreg.L1(0.5, 40), None],
        "keras_l2": keras.regularizers.L2(0.01),
        "plain": None,
    }
    result = compare(variants=variants, **SMALL)
    assert result.variants == ["first_only", "keras_l2", "plain"]
    layers = result.models["first_only"].layers
    assert layers[0].kernel_regularizer == kreg.L1(0.5, 40)
    assert layers[1].kernel_regularizer is None
    weights = _records(result, "first_only", 4)
    np.testing.assert_allclose(
        result.curves["first_only"]["penalty"][-1],
        float(kreg.l1_penalty(weights[0], 0.5, 40)),
        rtol=1e-6,
    )
    k = _records(result, "keras_l2", 4)
    expected = 0.01 * (np.sum(k[0] ** 2) + np.sum(k[2] ** 2))
    np.testing.assert_allclose(
        result.curves["keras_l2"]["penalty"][-1], expected, rtol=1e-5
    )
    assert result.config["variants"]["first_only"]["regularizers"][1] is None
    assert np.all(result.curves["plain"]["penalty"] == 0)


def test_l1l2_builtin_uses_lam_for_both_terms():
    result = compare(variants=("l1l2",), lam=0.3, **SMALL)
    reg = result.models["l1l2"].layers[0].kernel_regularizer
    assert reg == kreg.L1L2(0.3, 0.3, 40, proximal=True)
    assert result.config["optimizer"]["class_name"] == "ProximalAdam"


def test_user_data_with_three_features():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    result = compare(x=x, y=y, variants=("none", "l2"), **SMALL)
    assert result.config["data"] == {"source": "user", "n_rows": 30, "n_features": 3}
    assert result.config["n_train"] == 24 and result.grid is None
    assert result.decision == {}
    np.testing.assert_allclose(result.data["x_val"], x[24:].astype("float32"))
    np.testing.assert_array_equal(result.data["y_val"], y[24:])
    assert result.models["l2"].input_shape == (None, 3)
    assert result.models["l2"].layers[0].kernel_regularizer == kreg.L2(0.16, 24)


def test_user_data_with_two_features_gets_a_box_around_it():
    rng = np.random.default_rng(1)
    x = rng.uniform(10, 20, size=(25, 2))
    y = (x[:, 0] > 15).astype(float)[:, None]
    result = compare(x=x, y=y, variants=("none",), **SMALL)
    x0, x1, y0, y1 = result.grid["box"]
    assert x0 < x[:, 0].min() and x1 > x[:, 0].max()
    assert y0 < x[:, 1].min() and y1 > x[:, 1].max()
    assert result.decision["none"].shape == (12, 12)


def test_optimizer_instance_is_copied_not_used():
    optimizer = keras.optimizers.SGD(learning_rate=0.05, momentum=0.9, nesterov=True)
    result = compare(variants=("l2",), optimizer=optimizer, **SMALL)
    assert not optimizer.built and int(optimizer.iterations) == 0
    assert result.config["optimizer"]["config"]["momentum"] == 0.9
    assert result.config["learning_rate"] == pytest.approx(0.05)
    alone = _train_alone(result, "l2")
    for ours, theirs in zip(result.models["l2"].get_weights(), alone[-1], strict=True):
        assert_close(ours, theirs)
    other = compare(
        variants=("l2",),
        optimizer=keras.optimizers.serialize(optimizer),
        learning_rate=0.2,
        **SMALL,
    )
    assert other.config["learning_rate"] == pytest.approx(0.2)


def test_mismatched_n_warns():
    with pytest.warns(UserWarning, match="n=100 is not the number of training rows"):
        compare(variants={"l2": kreg.L2(0.1, 100)}, **dict(SMALL, epochs=1))


# ----------------------------------------------------------- l1_mode, seeds


def _hidden_zero_fraction(result: ComparisonResult, name: str) -> float:
    weights = result.models[name].get_weights()
    kernels = np.concatenate([w.ravel() for w in weights[0:-2:2]])
    return float(np.mean(kernels == 0))


def test_l1_mode_proximal_gives_exact_zeros_and_subgradient_none():
    options = dict(SMALL, hidden=(8, 8), epochs=5, seed=7, lam=4.0)
    prox = compare(variants=("none", "l1"), **options)
    sub = compare(variants=("none", "l1"), l1_mode="subgradient", **options)
    assert prox.config["l1_mode"] == "proximal" and sub.config["l1_mode"] == (
        "subgradient"
    )
    assert prox.models["l1"].layers[0].kernel_regularizer == kreg.L1(
        4.0, 40, proximal=True
    )
    assert sub.models["l1"].layers[0].kernel_regularizer == kreg.L1(4.0, 40)
    assert prox.config["optimizer"]["class_name"] == "ProximalAdam"
    assert sub.config["optimizer"]["class_name"] == "Adam"
    assert _hidden_zero_fraction(prox, "l1") > 0.2
    assert _hidden_zero_fraction(sub, "l1") == 0
    assert _hidden_zero_fraction(prox, "none") == 0

    # The proximal variant is a plain Keras model with kreg.L1(proximal=True)
    # and kreg.ProximalAdam, trained alone on the replayed batches.
    model = _twin(prox, "l1")
    assert model.layers[0].kernel_regularizer.proximal is True
    model.compile(kreg.ProximalAdam(learning_rate=0.01), "binary_crossentropy")
    x, y = prox.data["x_train"], prox.data["y_train"]
    for perm in _batch_order(40, 5, 7):
        for first in range(0, 40, 16):
            rows = perm[first : first + 16]
            model.train_on_batch(x[rows], y[rows])
    for ours, theirs in zip(
        prox.models["l1"].get_weights(), model.get_weights(), strict=True
    ):
        assert_close(ours, theirs)
        # The same exact zeros, but for a weight that one path rounds to the
        # threshold and the other just past it.
        assert np.mean((ours == 0) != (theirs == 0)) <= 0.01


def test_l1_mode_proximal_makes_custom_proximal_variants_proximal():
    variants = {"mine": kreg.L1(8.0, 40, proximal=True), "sub": kreg.L1(8.0, 40)}
    with no_warnings():
        result = compare(variants=variants, optimizer="sgd", learning_rate=0.5, **SMALL)
    assert result.config["optimizer"]["class_name"] == "ProximalSGD"
    assert result.metrics["mine"]["zero_fraction"] > 0
    assert result.metrics["sub"]["zero_fraction"] == 0


def test_l1_mode_proximal_refuses_an_optimizer_without_proximal_step():
    with pytest.raises(ValueError, match="l1_mode='subgradient'") as info:
        compare(optimizer="rmsprop", **SMALL)
    assert "'adam' or 'sgd'" in str(info.value)
    assert "Received: optimizer='rmsprop'" in str(info.value)
    with pytest.raises(ValueError, match="Received: optimizer=Nadam"):
        compare(variants=("l1l2",), optimizer=keras.optimizers.Nadam(), **SMALL)
    # Without an L1 variant there is nothing to make proximal.
    result = compare(variants=("none", "l2"), optimizer="rmsprop", **SMALL)
    assert result.config["optimizer"]["class_name"] == "RMSprop"


@pytest.fixture(scope="module")
def seeds_result():
    return compare(seeds=[3, 5], seed=3, **SMALL)


def test_seeds_first_slice_equals_the_single_seed_run(seeds_result, adam_result):
    assert seeds_result.seeds == [3, 5] and seeds_result.config["seeds"] == [3, 5]
    for name in adam_result.variants:
        for key in METRIC_KEYS:
            assert_close(
                seeds_result.per_seed[name][key][0], adam_result.metrics[name][key]
            )
        # Models, histories and decision are the first seed's.
        for ours, theirs in zip(
            seeds_result.models[name].get_weights(),
            adam_result.models[name].get_weights(),
            strict=True,
        ):
            assert_close(ours, theirs)
        np.testing.assert_array_equal(
            _records(seeds_result, name, 0)[0], _initial_weights((2, 8, 6, 1), 3)[0]
        )
        assert_close(seeds_result.decision[name], adam_result.decision[name])


def test_seeds_second_slice_equals_a_run_from_that_seed(seeds_result, adam_result):
    # The batch order follows `seed` (3), the initial weights follow seeds[1].
    alone = compare(seeds=[5], seed=3, **SMALL)
    for name in alone.variants:
        for key in METRIC_KEYS:
            assert_close(seeds_result.per_seed[name][key][1], alone.metrics[name][key])
    first = adam_result  # compare(seed=3, **SMALL)
    for name in alone.variants:
        for key, curve in seeds_result.curves[name].items():
            pair = np.stack([first.curves[name][key], alone.curves[name][key]])
            assert_close(curve, pair.mean(axis=0))
            assert_close(seeds_result.curves_std[name][key], pair.std(axis=0))


def test_seeds_means_and_stds_are_numpy_over_per_seed(seeds_result):
    for name in seeds_result.variants:
        assert set(seeds_result.metrics_std[name]) == set(METRIC_KEYS)
        for key in METRIC_KEYS:
            values = seeds_result.per_seed[name][key]
            assert values.shape == (2,)
            assert seeds_result.metrics[name][key] == pytest.approx(np.mean(values))
            assert seeds_result.metrics_std[name][key] == pytest.approx(np.std(values))
            assert type(seeds_result.metrics_std[name][key]) is float
    assert seeds_result.metrics_std["none"]["val_loss"] > 0
    text = seeds_result.summary()
    assert "2 seeds (mean ± std)" in text and "±" in text.splitlines()[4]
    assert "seeds=[3, 5]" in repr(seeds_result)


def test_without_seeds_the_spread_is_zero(adam_result):
    assert adam_result.seeds == [3]
    for name in adam_result.variants:
        for key in METRIC_KEYS:
            assert adam_result.metrics_std[name][key] == 0.0
            np.testing.assert_array_equal(
                adam_result.per_seed[name][key], [adam_result.metrics[name][key]]
            )
        for curve in adam_result.curves_std[name].values():
            assert curve.shape == (4,) and np.all(curve == 0)
    assert "±" not in adam_result.summary()


# ------------------------------------------------------------ bad arguments


BAD_ARGUMENTS = [
    (
        {"lam": -1},
        ValueError,
        "Invalid value for argument `lam`: expected a finite "
        "number >= 0. Received: lam=-1",
    ),
    ({"seed": -2}, ValueError, "argument `seed`: expected an integer >= 0"),
    ({"seed": 1.5}, TypeError, "argument `seed`"),
    ({"seeds": []}, ValueError, "argument `seeds`: expected a non-empty list"),
    (
        {"seeds": [1, 2, 1]},
        ValueError,
        "argument `seeds`: expected a non-empty list of distinct integers >= 0. "
        r"Received: seeds=\[1, 2, 1\]",
    ),
    ({"seeds": [0, "1"]}, TypeError, "argument `seeds`"),
    ({"seeds": [0, True]}, TypeError, "argument `seeds`"),
    ({"seeds": [-1]}, ValueError, "argument `seeds`"),
    ({"seeds": 5}, TypeError, "argument `seeds`: expected a list"),
    (
        {"l1_mode": "ista"},
        ValueError,
        "argument `l1_mode`: expected one of 'proximal', 'subgradient'. "
        "Received: l1_mode='ista'",
    ),
    ({"l1_mode": True}, TypeError, "argument `l1_mode`"),
    ({"hidden": ()}, ValueError, "argument `hidden`: expected a non-empty list"),
    ({"hidden": (8, 0)}, ValueError, "argument `hidden`: expected a list of integers"),
    ({"hidden": "8"}, TypeError, "argument `hidden`"),
    ({"activation": "softmax2"}, ValueError, "argument `activation`: expected one of"),
    ({"activation": max}, TypeError, "argument `activation`"),
    (
        {"learning_rate": 0},
        ValueError,
        "argument `learning_rate`: expected a finite number > 0",
    ),
    ({"batch_size": 0}, ValueError, "argument `batch_size`"),
    ({"epochs": 0}, ValueError, r"`epochs`: expected an integer in \[1, 1,000,000\]"),
    ({"epochs": 10**6 + 1}, ValueError, r"`epochs`: expected an integer in \[1, 1,0"),
    ({"n_samples": 10**6 + 1}, ValueError, "`n_samples`: expected 2 to 1,000,000"),
    ({"n_samples": 1}, ValueError, "`n_samples`: expected 2 to 1,000,000 points"),
    (
        {"hidden": (8192, 8192)},
        ValueError,
        "argument `hidden`: expected layers small enough",
    ),
    (
        {"lam": 1e308},
        ValueError,
        "argument `lam`: expected a finite number >= 0 whose factor",
    ),
    ({"epochs": 10.0}, TypeError, "argument `epochs`"),
    (
        {"validation_split": 0},
        ValueError,
        "argument `validation_split`: expected a "
        r"number in \(0, 1\)",
    ),
    ({"validation_split": 0.999}, ValueError, "argument `validation_split`"),
    ({"record_every": 0}, ValueError, "argument `record_every`"),
    (
        {"grid_resolution": 1},
        ValueError,
        r"argument `grid_resolution`: expected an integer in \[2, 2,000\]",
    ),
    (
        {"jit_compile": "yes"},
        ValueError,
        "argument `jit_compile`: expected True, False or 'auto'",
    ),
    ({"progress": 1}, TypeError, "argument `progress`"),
    ({"noise": -0.1}, ValueError, "argument `noise`"),
    ({"data_seed": -1}, ValueError, "argument `data_seed`"),
    ({"n_samples": 0}, ValueError, "argument `n_samples`"),
    ({"variants": ()}, ValueError, "argument `variants`: expected a non-empty list"),
    ({"variants": "l2"}, TypeError, "argument `variants`: expected a list"),
    (
        {"variants": ("l2", "l3")},
        ValueError,
        "argument `variants`: expected one of "
        "'none', 'l1', 'l2', 'l1l2'. Received: variants='l3'",
    ),
    ({"variants": ("l2", "l2")}, ValueError, "expected names without repeats"),
    (
        {"variants": {"a": "l2"}},
        TypeError,
        r"argument `variants\['a'\]`: expected a "
        "Keras regularizer",
    ),
    (
        {"variants": {"a": [None]}},
        ValueError,
        r"argument `variants\['a'\]`: expected "
        r"one regularizer \(or None\) per hidden layer \(2\)",
    ),
    ({"variants": {"a/b": None}}, ValueError, "without '/'"),
    ({"variants": {}}, ValueError, "argument `variants`"),
    (
        {"optimizer": "lamb"},
        ValueError,
        "argument `optimizer`: expected one of 'adadelta'",
    ),
    ({"optimizer": 3}, TypeError, "argument `optimizer`: expected an element-wise"),
    ({"optimizer": keras.optimizers.Lamb()}, ValueError, "only with those"),
    ({"optimizer": keras.optimizers.Adafactor()}, ValueError, "only with those"),
    (
        {"optimizer": keras.optimizers.Adam(clipnorm=1.0)},
        ValueError,
        "without clipnorm or global_clipnorm",
    ),
    (
        {"optimizer": keras.optimizers.SGD(global_clipnorm=1.0)},
        ValueError,
        "without clipnorm or global_clipnorm",
    ),
    ({"optimizer": keras.optimizers.Adam(use_ema=True)}, ValueError, "without use_ema"),
    (
        {"optimizer": {"class_name": "Nope", "config": {}}},
        ValueError,
        "argument `optimizer`",
    ),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_ARGUMENTS)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        compare(**{**SMALL, **kwargs})


BAD_DATA = [
    ((np.zeros((10, 2)), None), ValueError, "argument `y`: expected an array when"),
    ((None, np.zeros(10)), ValueError, "argument `x`: expected an array when"),
    (
        (np.zeros((10, 2)), np.arange(10) % 3),
        ValueError,
        "argument `y`: expected binary labels, each 0 or 1. Received: y=<array of "
        "labels 0, 1, 2>",
    ),
    (
        (np.zeros((10, 2)), np.zeros(9)),
        ValueError,
        r"argument `y`: expected an array of 10 labels",
    ),
    (
        (np.full((10, 2), np.nan), np.zeros(10)),
        ValueError,
        "argument `x`: expected finite values",
    ),
    (
        (np.zeros((10, 2, 2)), np.zeros(10)),
        ValueError,
        r"argument `x`: expected an "
        r"array of shape \(rows >= 2, features >= 1\)",
    ),
    ((np.array([["a", "b"]] * 4), np.zeros(4)), TypeError, "argument `x`"),
]


@pytest.mark.parametrize("data, error, message", BAD_DATA)
def test_bad_data(data, error, message):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(error, match=message):
            compare(None, *data, **SMALL)


def test_pruned_params_and_units_are_what_kreg_prune_leaves():
    variants = {"none": None, "l1": kreg.L1(8.0, 40, proximal=True)}
    result = compare(variants=variants, seed=2, **dict(SMALL, epochs=20))
    lines = result.summary().splitlines()
    for name in variants:
        pruned = kreg.prune(result.models[name])
        assert result.metrics[name]["pruned_params"] == pruned.count_params()
        units = "-".join(str(len(kept)) for kept in pruned.kept_units.values())
        line = next(x for x in lines if x.startswith("Units per layer after"))
        assert f"{name} {units}" in line
    assert (
        result.metrics["l1"]["pruned_params"] < result.metrics["none"]["pruned_params"]
    )
