"""kreg.compare on the user's own model: variants trained as towers of one model.

Every variant must equal that model trained alone with ``model.fit`` on the same
batches (within the float32 tolerance), whatever the task.
"""

import itertools
import warnings

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits
from tolerance import assert_close

import kreg
from kreg.compare import _permutations
from kreg.report import write_report

EPOCHS = 3


def _digits(rows=200):
    digits = load_digits()
    x = (digits.images[:rows] / 16.0).astype("float32")[..., None]
    return x, digits.target[:rows].astype("int32")


def _conv_classifier():
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.Flatten(),
            keras.layers.Dense(12, activation="relu", name="hidden"),
            keras.layers.Dense(10, name="logits"),
        ]
    )
    model.compile(
        keras.optimizers.Adam(0.01),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def _regression_data(rows=120):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(rows, 5)).astype("float32")
    y = (x @ rng.normal(size=(5, 1)) + 0.1 * rng.normal(size=(rows, 1))).astype(
        "float32"
    )
    return x, y


def _regression_mlp():
    keras.utils.set_random_seed(2)
    return keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(16, activation="tanh", name="hidden"),
            keras.layers.Dense(1, name="out"),
        ]
    )


def _alone(
    model, reg, x, y, loss, optimizer, *, shuffle, seed=0, batch_size=32, layers=None
):
    """``model`` (a fresh copy with ``reg``) trained alone with ``model.fit``, one
    epoch per call on the rows in kreg's order; its weights after each epoch."""
    copy = (
        kreg.regularize(model, reg, layers=layers)
        if reg is not None
        else _plain_copy(model)
    )
    copy.compile(optimizer, loss)
    orders = (
        _permutations(len(x), seed) if shuffle else itertools.repeat(np.arange(len(x)))
    )
    weights = []
    for _ in range(EPOCHS):
        rows = next(orders)
        copy.fit(
            x[rows], y[rows], batch_size=batch_size, epochs=1, shuffle=False, verbose=0
        )
        weights.append(copy.get_weights())
    return weights


def _plain_copy(model):
    copy = keras.models.clone_model(model)
    copy.set_weights(model.get_weights())
    return copy


@pytest.fixture(scope="module")
def digits_result():
    x, y = _digits()
    return kreg.compare(
        _conv_classifier(), x, y, lam=4.0, epochs=EPOCHS, record_every=1
    )


@pytest.mark.parametrize("name", ["none", "l1", "l2"])
def test_conv_classifier_variants_equal_training_alone(digits_result, name):
    x, y = _digits()
    n = digits_result.config["n_train"]
    assert n == 160  # validation_split=0.2 of 200 rows, the last ones
    reg = {"none": None, "l1": kreg.L1(4.0, n, proximal=True), "l2": kreg.L2(4.0, n)}[
        name
    ]
    optimizer = kreg.ProximalAdam(0.01)  # the proximal counterpart of Adam(0.01)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    alone = _alone(_conv_classifier(), reg, x[:n], y[:n], loss, optimizer, shuffle=True)
    history = digits_result.histories[name]
    for epoch in range(1, EPOCHS + 1):
        recorded = [history[key][epoch] for key in history.keys()]
        for ours, theirs in zip(recorded, alone[epoch - 1], strict=True):
            assert_close(ours, theirs)
    final = digits_result.models[name].get_weights()
    for ours, theirs in zip(final, alone[-1], strict=True):
        assert_close(ours, theirs)


def test_conv_classifier_reports_loss_metrics_and_penalty_apart(digits_result):
    n = digits_result.config["n_train"]
    assert digits_result.config["optimizer"]["class_name"] == "ProximalAdam"
    for name in digits_result.variants:
        curves = digits_result.curves[name]
        assert set(curves) == {
            "train_loss",
            "val_loss",
            "train_accuracy",
            "val_accuracy",
            "penalty",
            "train_total",
        }
        assert all(len(c) == EPOCHS for c in curves.values())
        # The penalty at the end: lam / (2 n) * the kernels' sums, from NumPy.
        model = digits_result.models[name]
        kernels = [
            model.get_layer(k).kernel.numpy() for k in ("conv", "hidden", "logits")
        ]
        expected = {
            "none": 0.0,
            "l1": 4.0 / (2 * n) * sum(np.abs(k).sum() for k in kernels),
            "l2": 4.0
            / (2 * n)
            * sum((k.astype("float64") ** 2).sum() for k in kernels),
        }[name]
        assert_close(curves["penalty"][-1], expected)
    # The exact zeros of proximal L1, and none elsewhere.
    assert digits_result.metrics["l1"]["zero_fraction"] > 0
    assert digits_result.metrics["none"]["zero_fraction"] == 0
    assert "val acc" in digits_result.summary()


def test_all_variants_start_from_the_models_weights(digits_result):
    initial = _conv_classifier().get_weights()
    for name in digits_result.variants:
        history = digits_result.histories[name]
        for key, start in zip(history.keys(), initial, strict=True):
            np.testing.assert_array_equal(history[key][0], start)


def test_regression_without_shuffle_and_only_some_layers():
    x, y = _regression_data()
    model = _regression_mlp()
    result = kreg.compare(
        model,
        x,
        y,
        variants=("none", "l2"),
        lam=2.0,
        layers=["hidden"],
        loss="mse",
        metrics=["mae"],
        optimizer=keras.optimizers.SGD(0.05),
        shuffle=False,
        epochs=EPOCHS,
        batch_size=16,
    )
    n = result.config["n_train"]
    assert result.config["layers"] == ["hidden"]
    for name, reg in (("none", None), ("l2", kreg.L2(2.0, n))):
        alone = _alone(
            model,
            reg,
            x[:n],
            y[:n],
            "mse",
            keras.optimizers.SGD(0.05),
            shuffle=False,
            batch_size=16,
            layers=["hidden"],
        )
        for ours, theirs in zip(
            result.models[name].get_weights(), alone[-1], strict=True
        ):
            assert_close(ours, theirs)
    assert {"train_mae", "val_mae"} <= set(result.curves["l2"])
    kernel = result.models["l2"].get_layer("hidden").kernel.numpy().astype("float64")
    assert_close(result.curves["l2"]["penalty"][-1], 2.0 / (2 * n) * (kernel**2).sum())
    # Only "hidden" carries the penalty: "out" has none.
    assert result.models["l2"].get_layer("out").kernel_regularizer is None


def test_a_build_function_gets_each_variants_regularizer():
    x, y = _regression_data(60)
    built = []

    def build(regularizer):
        built.append(regularizer)
        return keras.Sequential(
            [
                keras.Input((5,)),
                keras.layers.Dense(4, kernel_regularizer=regularizer, name="d"),
                keras.layers.Dense(1, name="o"),
            ]
        )

    result = kreg.compare(
        build,
        x,
        y,
        variants={"plain": None, "strong": kreg.L2(50.0, 48)},
        loss="mse",
        epochs=2,
        validation_split=0.2,
    )
    assert built[0] is None and isinstance(built[-1], kreg.L2)
    starts = [result.histories[v]["d/kernel"][0] for v in result.variants]
    np.testing.assert_array_equal(starts[0], starts[1])  # the first build's weights
    assert result.metrics["strong"]["l2_norm"] < result.metrics["plain"]["l2_norm"]


def test_trained_models_save_and_load(digits_result, tmp_path):
    model = digits_result.models["l2"]
    path = tmp_path / "l2.keras"
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "Skipping variable loading"
        loaded = keras.saving.load_model(path)
    x, _ = _digits()
    assert_close(loaded.predict(x[:8], verbose=0), model.predict(x[:8], verbose=0))
    assert isinstance(loaded.get_layer("hidden").kernel_regularizer, kreg.L2)


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        (
            {"model": "net"},
            TypeError,
            "argument `model`: expected a keras.Model or a function",
        ),
        ({"loss": None}, ValueError, "argument `loss`: expected a Keras loss"),
        ({"seeds": [-1], "loss": "mse"}, ValueError, "argument `seeds`"),
        ({"shuffle": "yes"}, TypeError, "argument `shuffle`"),
        ({"y": np.zeros((5, 1))}, ValueError, "argument `y`: expected 20 rows"),
        ({"loss": "binary_crossentropy"}, ValueError, "`y`: expected labels between"),
        (
            {"loss": "sparse_categorical_crossentropy"},
            ValueError,
            "`y`: expected integer class labels 0 to 0",
        ),
        (
            {"model": keras.Sequential([keras.Input((5,)), keras.layers.ReLU()])},
            ValueError,
            "`model`: expected a model with a layer that has a kernel",
        ),
        (
            {
                "model": lambda r: keras.Sequential(
                    [keras.Input((5,)), keras.layers.Dense(3 if r else 2)]
                )
            },
            ValueError,
            "`model`: expected a build function that returns the same architecture",
        ),
        (
            {"optimizer": keras.optimizers.Adam(global_clipnorm=1.0)},
            ValueError,
            "`optimizer`: expected an optimizer without clipnorm or global_clipnorm",
        ),
        ({"variants": {"a/b": None}}, ValueError, "`variants`: expected names"),
        ({"hidden": (4,)}, ValueError, "`hidden`: expected its default .* built-in"),
    ],
)
def test_bad_arguments_name_the_argument(kwargs, error, message, monkeypatch):
    x, y = _regression_data(20)
    args = {"model": _regression_mlp(), "y": y, "loss": "mse", "epochs": 1, **kwargs}
    # Refused before any training.
    monkeypatch.setattr("kreg._towers.train", pytest.fail)
    with pytest.raises(error, match=message):
        kreg.compare(args.pop("model"), x, args.pop("y"), **args)


def test_a_dataset_trains_as_the_same_arrays_in_order():
    import tensorflow as tf

    x, y = _regression_data(64)
    options = dict(variants=("none", "l1"), lam=1.0, loss="mse", epochs=2)
    arrays = kreg.compare(
        _regression_mlp(),
        x,
        y,
        shuffle=False,
        batch_size=16,
        validation_split=0.25,
        **options,
    )
    train = tf.data.Dataset.from_tensor_slices((x[:48], y[:48])).batch(16)
    val = tf.data.Dataset.from_tensor_slices((x[48:], y[48:])).batch(16)
    data = kreg.compare(_regression_mlp(), train, validation_data=val, **options)
    assert data.config["n_train"] == 48
    for name in ("none", "l1"):
        for ours, theirs in zip(
            data.models[name].get_weights(),
            arrays.models[name].get_weights(),
            strict=True,
        ):
            assert_close(ours, theirs)
        assert_close(data.curves[name]["val_loss"], arrays.curves[name]["val_loss"])


def test_one_hot_labels_and_categorical_loss():
    x, labels = _digits(100)
    one_hot = np.eye(10, dtype="float32")[labels]
    model = _conv_classifier()
    result = kreg.compare(
        model,
        x,
        one_hot,
        variants=("none", "l2"),
        epochs=1,
        loss=keras.losses.CategoricalCrossentropy(from_logits=True),
        metrics=["categorical_accuracy"],
    )
    sparse = kreg.compare(model, x, labels, variants=("none", "l2"), epochs=1)
    # The same task, labelled two ways: the same training.
    for name in ("none", "l2"):
        assert_close(
            result.curves[name]["train_loss"], sparse.curves[name]["train_loss"]
        )
        assert_close(
            result.curves[name]["val_categorical_accuracy"],
            sparse.curves[name]["val_accuracy"],
        )


def test_sweep_of_a_model_is_a_comparison_over_lambdas():
    x, y = _regression_data()
    lams = [0.0, 1.0, 30.0]
    options = dict(loss="mse", optimizer=keras.optimizers.SGD(0.05), epochs=2)
    result = kreg.sweep(_regression_mlp(), x, y, kind="l2", lams=lams, **options)
    n = result.config["n_train"]
    variants = {f"lam={lam:g}": kreg.L2(lam, n) for lam in lams}
    same = kreg.compare(_regression_mlp(), x, y, variants=variants, **options)
    for i, name in enumerate(variants):
        kernel = same.models[name].get_layer("hidden").kernel.numpy()
        assert_close(result.paths["hidden/kernel"][0, i], kernel)
        assert_close(result.curves["val_loss"][0, i], same.curves[name]["val_loss"])
    # The path shrinks: larger lambda, smaller L2 norm.
    assert np.all(np.diff(result.mean["l2_norm"]) < 0)
    assert result.best_lam in lams
    assert "l2 sweep of 3 lambdas" in result.summary()


def test_reports_of_a_regression_show_its_own_metrics(tmp_path):
    import json

    from kreg.report import write_report, write_sweep_report

    x, y = _regression_data(60)
    options = dict(loss="mse", metrics=["mae"], epochs=2)
    result = kreg.compare(_regression_mlp(), x, y, **options)
    write_report(result, tmp_path / "compare")
    written = json.loads((tmp_path / "compare" / "metrics.json").read_text())
    assert written["config"]["model"] == result.config["model"]
    for name in result.variants:
        row = written["variants"][name]
        assert "train_accuracy" not in row
        assert_close(row["val_mae"], result.curves[name]["val_mae"][-1])
    assert "val mae" in (tmp_path / "compare" / "report.html").read_text()
    swept = kreg.sweep(_regression_mlp(), x, y, lams=[0, 1], **options)
    write_sweep_report(swept, tmp_path / "sweep")
    rows = json.loads((tmp_path / "sweep" / "metrics.json").read_text())["per_lambda"]
    assert [row["lam"] for row in rows] == [0, 1]


def test_seeds_initialize_afresh_and_report_mean_and_spread():
    x, y = _regression_data(60)
    options = dict(variants=("none", "l2"), lam=2.0, loss="mse", epochs=2)
    result = kreg.compare(_regression_mlp(), x, y, seeds=[3, 4], **options)
    assert result.seeds == [3, 4] and result.config["seeds"] == [3, 4]
    # Seed 3 alone, from the same fresh initialization, is the first seed.
    alone = kreg.compare(_regression_mlp(), x, y, seeds=[3], **options)
    for name in ("none", "l2"):
        assert_close(
            result.per_seed[name]["val_loss"][0], alone.metrics[name]["val_loss"]
        )
        values = result.per_seed[name]["l2_norm"]
        assert values[0] != values[1]  # two initializations
        penalties = result.per_seed[name]["penalty"]  # each seed's own L2 copy
        assert np.all(penalties > 0) if name == "l2" else np.all(penalties == 0)
        assert_close(result.metrics[name]["l2_norm"], values.mean())
        assert_close(result.metrics_std[name]["l2_norm"], values.std())
        starts = result.histories[name].keys()
        assert all(result.histories[name][k].shape[0] == 3 for k in starts)


def test_sweep_of_a_model_over_seeds_stacks_each_seeds_comparison():
    x, y = _regression_data(60)
    options = dict(lams=[0.0, 2.0], loss="mse", epochs=2)
    swept = kreg.sweep(_regression_mlp(), x, y, seeds=[3, 4], **options)
    assert swept.seeds == [3, 4] and swept.config["seeds"] == [3, 4]
    assert swept.metrics["val_loss"].shape == (2, 2)
    assert swept.curves["train_loss"].shape == (2, 2, 2)
    # Each seed's row is the sweep of that seed alone, from the same fresh weights.
    alone = kreg.sweep(_regression_mlp(), x, y, seeds=[4], **options)
    for key in ("val_loss", "l2_norm", "penalty"):
        assert_close(swept.metrics[key][1], alone.metrics[key][0])
    for path, kernel in swept.paths.items():
        assert kernel.shape[:2] == (2, 2)
        assert_close(kernel[1], alone.paths[path][0])
        assert not np.allclose(kernel[0], kernel[1])  # two initializations
    assert_close(swept.mean["l2_norm"], swept.metrics["l2_norm"].mean(axis=0))
    assert np.all(swept.metrics["penalty"][:, 0] == 0)
    assert np.all(swept.metrics["penalty"][:, 1] > 0)
    assert len(swept.histories) == 2


@pytest.mark.parametrize("function", [kreg.compare, kreg.sweep])
def test_a_models_keyword_without_a_model_is_refused(function):
    with pytest.raises(ValueError, match="`loss`: expected its default None"):
        function(loss="mse", epochs=1)
    with pytest.raises(ValueError, match="`shuffle`: expected its default True"):
        function(shuffle=False, epochs=1)


def _two_headed():
    """Two inputs, two outputs: a regression head and a 3-class head."""
    keras.utils.set_random_seed(3)
    a, b = keras.Input((3,), name="a"), keras.Input((2,), name="b")
    hidden = keras.layers.Dense(6, activation="tanh", name="hidden")(
        keras.layers.Concatenate()([a, b])
    )
    value = keras.layers.Dense(1, name="value")(hidden)
    label = keras.layers.Dense(3, name="label")(hidden)
    return keras.Model([a, b], [value, label])


def test_several_inputs_and_outputs_equal_training_alone(tmp_path):
    rng = np.random.default_rng(4)
    x = [rng.normal(size=(48, 3)), rng.normal(size=(48, 2))]
    y = {"value": x[0].sum(axis=1, keepdims=True), "label": rng.integers(0, 3, 48)}
    x_val = [a[:8] for a in x]
    y_val = {key: a[:8] for key, a in y.items()}
    loss = {
        "value": "mse",
        "label": keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    }
    result = kreg.compare(
        _two_headed(),
        x,
        y,
        variants=("none", "l2"),
        lam=2.0,
        loss=loss,
        metrics={"label": ["accuracy"], "value": []},
        optimizer=keras.optimizers.SGD(0.05),
        validation_data=(x_val, y_val),
        shuffle=False,
        batch_size=16,
        epochs=EPOCHS,
    )
    alone = kreg.regularize(_two_headed(), kreg.L2(2.0, 48))
    alone.compile(keras.optimizers.SGD(0.05), loss)
    fit = alone.fit(x, y, batch_size=16, epochs=EPOCHS, shuffle=False, verbose=0)
    for ours, theirs in zip(
        result.models["l2"].get_weights(), alone.get_weights(), strict=True
    ):
        assert_close(ours, theirs)
    curves = result.curves["l2"]
    # The data loss is the sum of the outputs' losses; the penalty apart.
    assert_close(
        curves["train_loss"], curves["train_value_loss"] + curves["train_label_loss"]
    )
    for head in ("value", "label"):  # as Keras logs each output of the model alone
        assert_close(curves[f"train_{head}_loss"], fit.history[f"{head}_loss"])
    assert {"val_label_accuracy", "val_value_loss"} <= set(curves)
    assert not {"train_value_accuracy"} & set(curves)
    # Shuffled: epoch e visits the rows of kreg's e-th permutation, every input
    # and output alike.
    shuffled = kreg.compare(
        _two_headed(),
        x,
        y,
        variants=("none",),
        loss=loss,
        batch_size=16,
        epochs=2,
        optimizer=keras.optimizers.SGD(0.05),
    )
    alone = _plain_copy(_two_headed())
    alone.compile(keras.optimizers.SGD(0.05), loss)
    orders = _permutations(shuffled.config["n_train"], 0)
    for _ in range(2):
        rows = next(orders)
        x_rows = [a[rows] for a in x]
        y_rows = {k: a[rows] for k, a in y.items()}
        alone.fit(x_rows, y_rows, batch_size=16, shuffle=False, verbose=0)
    for ours, theirs in zip(
        shuffled.models["none"].get_weights(), alone.get_weights(), strict=True
    ):
        assert_close(ours, theirs)
    # The report: no network diagram (the kernels do not chain as a Dense stack).
    written = write_report(result, tmp_path / "report")
    assert "losses.png" in written and "network.png" not in written
    bad = {**y, "label": y["label"] + 3}  # labels 3..5 for 3 classes
    with pytest.raises(ValueError, match="`y`: expected integer class labels 0 to 2"):
        kreg.compare(_two_headed(), x, bad, loss=loss, epochs=1)


@pytest.mark.parametrize("shuffle", [True, False])
def test_callbacks_see_the_steps_and_float64_data_arrives_as_floatx(shuffle):
    seen = []

    class Steps(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            seen.append(self.params["steps"])

    def in_floatx(y_true, y_pred):  # 1 where the targets come as float32
        same = keras.backend.standardize_dtype(y_true.dtype) == keras.config.floatx()
        return keras.ops.mean(y_pred) * 0.0 + float(same)

    x, y = _regression_data(50)  # 40 training rows: batches of 16, 16, 8
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = kreg.compare(
            _regression_mlp(),
            x.astype("float64"),
            y.astype("float64"),
            variants=("none", "l2"),
            loss="mse",
            metrics=[in_floatx],
            epochs=2,
            batch_size=16,
            shuffle=shuffle,
            callbacks=[Steps()],
        )
    assert seen == [3, 3]
    assert not [w for w in caught if "ran out of data" in str(w.message)]
    for name in ("none", "l2"):
        np.testing.assert_array_equal(result.curves[name]["train_in_floatx"], 1.0)
        np.testing.assert_array_equal(result.curves[name]["val_in_floatx"], 1.0)
