"""kreg.prune: smaller models with the same predictions, parameter counts that the
zero pattern implies, saving, and the layers it refuses or keeps."""

import os
import re

import keras
import numpy as np
import pytest
from tolerance import assert_close

import kreg
from kreg._backend import to_numpy
from kreg.prune import alive


def _dense_chain(functional=False, activations=("relu", "sigmoid", "tanh")):
    keras.utils.set_random_seed(0)
    layers = [
        keras.layers.Dense(6, activation=activations[0], bias_initializer="ones"),
        keras.layers.Dropout(0.3),
        keras.layers.Dense(5, activation=activations[1], bias_initializer="ones"),
        keras.layers.Dense(4, activation=activations[2], bias_initializer="ones"),
        keras.layers.Dense(2),
    ]
    if not functional:
        return keras.Sequential([keras.Input((7,)), *layers], name="chain")
    x = inputs = keras.Input((7,))
    for layer in layers:
        x = layer(x)
    return keras.Model(inputs, x, name="chain")


def _zero(model, pattern):
    """Zero kernel entries: ``pattern`` maps a Dense layer's index to the indices
    of its kernel to set to 0."""
    dense = [layer for layer in model.layers if isinstance(layer, keras.layers.Dense)]
    for index, where in pattern.items():
        kernel, *rest = dense[index].get_weights()
        for entries in where:
            kernel[entries] = 0.0
        dense[index].set_weights([kernel, *rest])


ALL = slice(None)


def _fixed_point(kernels):
    """Kept inputs and units of a Dense chain by the definition, iterated to rest:
    a unit stays if some kept unit before it reaches it and it reaches some kept
    unit after it (the last layer keeps all its units)."""
    masks = [np.ones(k.shape[1], bool) for k in kernels]
    inputs = np.ones(kernels[0].shape[0], bool)
    while True:
        before = [inputs.copy(), *(m.copy() for m in masks)]
        inputs = (kernels[0][:, masks[0]] != 0).any(1)
        feeding = inputs
        for i, k in enumerate(kernels[:-1]):
            reached = (k[feeding] != 0).any(0)
            reaches = (kernels[i + 1][:, masks[i + 1]] != 0).any(1)
            masks[i] = reached & reaches
            feeding = masks[i]
        if all(
            np.array_equal(a, b) for a, b in zip(before, [inputs, *masks], strict=False)
        ):
            return inputs, masks


def _params(inputs, masks):
    sizes = [max(int(inputs.sum()), 1), *(max(int(m.sum()), 1) for m in masks)]
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:], strict=False))


def _assert_same_predictions(model, pruned, shape, seed=1):
    x = np.random.default_rng(seed).normal(size=(32, *shape)).astype("float32")
    assert_close(to_numpy(pruned(x[..., pruned.kept_inputs])), to_numpy(model(x)))


# Each pattern: dead inputs (rows of kernel 0), units without incoming weights
# (constants, some nonzero), units without outgoing weights, a cascade (unit 1 of
# layer 1 gets weights only from units of layer 0 that go) and a whole layer that
# goes (the model's output is then a constant: one unit stays, feeding nothing).
DENSE_PATTERNS = {
    "inputs": {0: [[1, 4]]},
    "constants": {0: [(ALL, [0, 3])], 1: [(ALL, [2])]},
    "outgoing": {1: [[5]], 2: [[0, 4]]},
    "cascade": {0: [(ALL, [0, 1])], 1: [np.ix_([2, 3, 4, 5], [1])], 2: [[1]]},
    "everything": {
        0: [[0, 6], (ALL, [2])],
        1: [[4], (ALL, [3])],
        2: [[0], (ALL, [1])],
        3: [[2]],
    },
    "a whole layer": {0: [(ALL, [0, 1])], 1: [[2, 3, 4, 5]]},
}


@pytest.mark.parametrize("functional", [False, True], ids=["sequential", "functional"])
@pytest.mark.parametrize("name", list(DENSE_PATTERNS))
def test_dense_chain_same_predictions_and_parameters_the_zeros_imply(name, functional):
    model = _dense_chain(functional)
    _zero(model, DENSE_PATTERNS[name])
    pruned = kreg.prune(model)
    _assert_same_predictions(model, pruned, (7,))
    kernels = [
        np.asarray(layer.kernel) for layer in model.layers if hasattr(layer, "kernel")
    ]
    inputs, masks = _fixed_point(kernels)
    assert pruned.count_params() == _params(inputs, masks) < model.count_params()
    assert pruned.kept_inputs.tolist() == (np.flatnonzero(inputs).tolist() or [0])
    assert isinstance(pruned, keras.Sequential) is (not functional)
    assert pruned.name == model.name
    dense_names = [layer.name for layer in model.layers if hasattr(layer, "kernel")]
    for layer_name, mask in zip(dense_names, masks, strict=False):
        assert pruned.kept_units[layer_name].tolist() == (
            np.flatnonzero(mask).tolist() or [0]
        )


def test_constant_of_a_unit_without_inputs_is_folded_into_the_next_bias():
    model = _dense_chain()
    _zero(model, {0: [(ALL, [3])]})
    pruned = kreg.prune(model)
    before = model.layers[2].get_weights()
    after = pruned.layers[2].get_weights()
    constant = np.maximum(model.layers[0].get_weights()[1][3], 0)  # relu(bias)
    assert_close(after[1], before[1] + constant * before[0][3])


def test_tolerance_counts_tiny_weights_as_zero():
    model = _dense_chain()
    kernel, bias = model.layers[0].get_weights()
    kernel[2] = 1e-7
    model.layers[0].set_weights([kernel, bias])
    assert kreg.prune(model).kept_inputs.size == 7
    pruned = kreg.prune(model, tol=1e-6)
    assert 2 not in pruned.kept_inputs
    x = np.random.default_rng(2).normal(size=(16, 7)).astype("float32")
    assert_close(
        to_numpy(pruned(x[:, pruned.kept_inputs])), to_numpy(model(x)), atol=1e-5
    )


def _conv_net(padding, head):
    keras.utils.set_random_seed(1)
    layers = [
        keras.layers.Conv2D(
            6, 3, padding=padding, activation="relu", bias_initializer="ones"
        ),
        keras.layers.BatchNormalization(),
        keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(
            5, 3, padding=padding, activation="relu", bias_initializer="ones"
        ),
        keras.layers.Flatten()
        if head == "flatten"
        else keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(3),
    ]
    model = keras.Sequential([keras.Input((10, 10, 3)), *layers])
    bn = model.layers[1]
    rng = np.random.default_rng(3)
    bn.set_weights(
        [
            rng.uniform(0.5, 2, 6),
            rng.normal(size=6),
            rng.normal(size=6),
            rng.uniform(0.5, 2, 6),
        ]
    )
    return model


def _zero_conv(model):
    first, second, dense = model.layers[0], model.layers[3], model.layers[5]
    k, b = first.get_weights()
    k[:, :, 1, :] = 0.0  # input channel 1 is not used
    k[..., [0, 4]] = 0.0  # filters 0 and 4 get nothing: constant maps
    first.set_weights([k, b])
    k, b = second.get_weights()
    k[:, :, 2, :] = 0.0  # filter 2 of the first layer feeds nothing
    k[..., 3] = 0.0  # filter 3 gets nothing
    second.set_weights([k, b])
    k, b = dense.get_weights()
    k.reshape(-1, 5, 3)[:, 1] = 0.0  # filter 1 of the second layer feeds nothing
    dense.set_weights([k, b])


@pytest.mark.parametrize("head", ["flatten", "global"])
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_conv_chain_same_predictions(padding, head):
    model = _conv_net(padding, head)
    _zero_conv(model)
    pruned = kreg.prune(model)
    _assert_same_predictions(model, pruned, (10, 10, 3))
    assert pruned.kept_inputs.tolist() == [0, 2]
    first, second = pruned.layers[0], pruned.layers[3]
    # Constant maps fold exactly under "valid" padding; under "same" the border
    # sees the padding, so a filter with a nonzero constant stays.
    kept = [1, 3, 5] if padding == "valid" else [0, 1, 3, 4, 5]
    assert pruned.kept_units[model.layers[0].name].tolist() == kept
    assert pruned.kept_units[model.layers[3].name].tolist() == [0, 2, 4]
    assert first.kernel.shape == (3, 3, 2, len(kept))
    assert pruned.layers[1].gamma.shape == (len(kept),)
    assert second.kernel.shape == (3, 3, len(kept), 3)
    assert pruned.count_params() < model.count_params()


def test_pruned_model_saves_and_loads(tmp_path):
    model = _dense_chain()
    _zero(model, DENSE_PATTERNS["everything"])
    pruned = kreg.prune(model)
    pruned.save(tmp_path / "small.keras")
    loaded = keras.models.load_model(tmp_path / "small.keras")
    x = (
        np.random.default_rng(4)
        .normal(size=(8, pruned.kept_inputs.size))
        .astype("float32")
    )
    assert_close(to_numpy(loaded(x)), to_numpy(pruned(x)), atol=0, rtol=0)


def test_a_layer_it_does_not_know_is_kept_with_the_units_around_it():
    keras.utils.set_random_seed(2)
    model = keras.Sequential(
        [
            keras.Input((5,)),
            keras.layers.Dense(4, bias_initializer="ones"),
            keras.layers.LayerNormalization(),
            keras.layers.Dense(3, activation="softmax", bias_initializer="ones"),
            keras.layers.Dense(2),
        ]
    )
    _zero(model, {0: [[3], (ALL, [1])], 1: [(ALL, [0])], 2: [[2]]})
    pruned = kreg.prune(model)
    _assert_same_predictions(model, pruned, (5,))
    assert pruned.kept_inputs.tolist() == [0, 1, 2, 4]
    # LayerNormalization mixes the 4 units; softmax mixes the 3: all stay.
    assert [len(v) for v in pruned.kept_units.values()] == [4, 3, 2]


def test_alive_on_kernels_alone():
    k0 = np.ones((3, 4))
    k0[:, 2] = 0
    k1 = np.ones((4, 2))
    inputs, masks = alive([k0, k1], [1, 1])
    assert inputs.tolist() == [True] * 3
    assert [m.tolist() for m in masks] == [[True, True, False, True], [True, True]]


def _residual():
    x = inputs = keras.Input((4,))
    h = keras.layers.Dense(4)(x)
    out = keras.layers.Dense(1)(keras.layers.Add(name="skip")([x, h]))
    return keras.Model(inputs, out)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (
            lambda: kreg.prune("model"),
            TypeError,
            "argument `model`: expected a built keras.Model",
        ),
        (
            lambda: kreg.prune(keras.Sequential([keras.layers.Dense(2)])),
            TypeError,
            "expected a built keras.Model",
        ),
        (
            lambda: kreg.prune(_residual()),
            ValueError,
            "layer 'skip' (Add) is not fed by the one before it alone",
        ),
        (
            lambda: kreg.prune(
                keras.Sequential(
                    [keras.Input((3,)), keras.layers.Dropout(0.1)], name="s"
                )
            ),
            ValueError,
            "expected a model with a Dense or Conv layer. Received: model=s",
        ),
        (
            lambda: kreg.prune(_dense_chain(), tol=-1),
            ValueError,
            "argument `tol`: expected a finite number >= 0",
        ),
    ],
)
def test_bad_arguments(make, error, message):
    with pytest.raises(error, match=re.escape(message)):
        make()


# --- kreg prune MODEL ------------------------------------------------------------


def test_command_writes_the_smaller_model_and_prints_what_it_saves(tmp_path, capsys):
    from kreg import cli

    model = _dense_chain()
    _zero(model, DENSE_PATTERNS["everything"])
    path, out = tmp_path / "m.keras", tmp_path / "small.keras"
    model.save(path)
    assert cli.main(["prune", str(path), "--out", str(out), "--rows", "50"]) == 0
    text = capsys.readouterr().out
    loaded = keras.models.load_model(out)
    expected = kreg.prune(model)
    assert loaded.count_params() == expected.count_params()
    assert f"{model.count_params():,}" in text and f"{loaded.count_params():,}" in text
    kb = [f"{os.path.getsize(p) / 1024:,.1f} KiB" for p in (path, out)]
    assert all(size in text for size in kb)
    assert "predict_on_batch, 50 rows" in text
    assert f"inputs kept: {expected.kept_inputs.size} of 7" in text
    x = np.random.default_rng(5).normal(size=(9, 7)).astype("float32")
    assert_close(to_numpy(loaded(x[:, expected.kept_inputs])), to_numpy(model(x)))


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--out", "small.h5"], "--out 'small.h5': the file name must end in .keras"),
        (["--out", "m.keras"], "--out 'm.keras' exists; choose another file"),
        (["--tol", "-1"], "argument --tol: expected a finite number >= 0; got '-1'"),
    ],
)
def test_command_refuses_bad_arguments(extra, message, tmp_path, capsys, monkeypatch):
    from kreg import cli

    monkeypatch.chdir(tmp_path)
    _dense_chain().save("m.keras")
    assert cli.main(["prune", "m.keras", *extra]) == 2
    assert message in capsys.readouterr().err
    assert cli.main(["prune", "missing.keras"]) == 2
    assert "MODEL 'missing.keras': no such file" in capsys.readouterr().err
