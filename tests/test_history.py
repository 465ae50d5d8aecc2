"""kreg.WeightHistory: recording, access, statistics, files, streaming, append."""

import errno
import json
import os
import tempfile
import zipfile

import keras
import numpy as np
import pytest
from backend import no_warnings

from kreg import history as history_module
from kreg._backend import to_numpy
from kreg.history import FORMAT_VERSION, STAT_NAMES, WeightHistory, WeightStats

X = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
Y = (X[:, 0] > 0).astype("float32")


def _sequential():
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="relu", name="dense"),
            keras.layers.Dropout(0.1, name="dropout"),
            keras.layers.Dense(1, name="dense_1"),
        ],
        name="seq",
    )


def _functional():
    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,))
    h = keras.layers.Dense(4, activation="relu", name="hidden")(inputs)
    h = keras.layers.BatchNormalization(name="norm")(h)
    outputs = keras.layers.Dense(1, name="out")(h)
    return keras.Model(inputs, outputs, name="func")


def _nested():
    keras.utils.set_random_seed(0)
    inner = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(4, name="a"), keras.layers.Flatten()],
        name="inner",
    )
    inputs = keras.Input((3,))
    outputs = keras.layers.Dense(1, name="out")(inner(inputs))
    return keras.Model(inputs, outputs, name="outer")


KERNELS = {
    "sequential": ["seq/dense/kernel", "seq/dense_1/kernel"],
    "functional": ["hidden/kernel", "out/kernel"],
    "nested": ["inner/a/kernel", "out/kernel"],
}
BUILDERS = {"sequential": _sequential, "functional": _functional, "nested": _nested}


def _fit(model, callbacks, *, epochs=3, batch_size=8, lr=0.1, **kwargs):
    if getattr(model, "optimizer", None) is None:
        model.compile(keras.optimizers.SGD(lr), "mse")
    return model.fit(
        X,
        Y,
        batch_size=batch_size,
        epochs=epochs,
        verbose=0,
        callbacks=callbacks,
        **kwargs,
    )


class Probe(keras.callbacks.Callback):
    """Reads ``model.get_weights()`` at the moments WeightHistory records."""

    def __init__(self, batches=False):
        super().__init__()
        self.batches = batches
        self.snapshots = []
        self.started = False

    def on_epoch_begin(self, epoch, logs=None):
        if not self.started:
            self.started = True
            self.snapshots.append(self.model.get_weights())

    def on_epoch_end(self, epoch, logs=None):
        if not self.batches:
            self.snapshots.append(self.model.get_weights())

    def on_train_batch_end(self, batch, logs=None):
        if self.batches:
            self.snapshots.append(self.model.get_weights())


class RaiseAt(keras.callbacks.Callback):
    """Raises ``error`` in ``on_epoch_end`` of the epoch with index ``epoch``."""

    def __init__(self, epoch, error):
        super().__init__()
        self.epoch = epoch
        self.error = error

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            raise self.error


def _expected(model, probe, key_paths):
    index = {v.path: i for i, v in enumerate(model.weights)}
    return {
        key: np.stack([snap[index[key]] for snap in probe.snapshots])
        for key in key_paths
    }


# --- recording ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["sequential", "functional", "nested"])
def test_records_equal_get_weights_at_the_same_moments(kind):
    model = BUILDERS[kind]()
    history, probe = WeightHistory(), Probe()
    _fit(model, [history, probe], epochs=3)
    assert history.keys() == KERNELS[kind]
    assert history.epochs == [0, 1, 2, 3]
    assert len(history) == 4
    for key, expected in _expected(model, probe, history.keys()).items():
        np.testing.assert_array_equal(history[key], expected)
        assert history[key].dtype == np.float32
    # Training moved the weights: the records are not all the same array.
    first = history.keys()[0]
    assert not np.array_equal(history[first][0], history[first][-1])


def test_every_batches_records_equal_get_weights_after_each_batch():
    model = _sequential()
    history, probe = WeightHistory(every_batches=1), Probe(batches=True)
    _fit(model, [history, probe], epochs=2)  # 16 rows / 8 = 2 batches per epoch
    assert history.steps == [0, 1, 2, 3, 4]
    assert history.epochs == [0, 1, 1, 2, 2]
    for key, expected in _expected(model, probe, history.keys()).items():
        np.testing.assert_array_equal(history[key], expected)


def test_every_batches_counts_across_epochs_and_records_the_last_batch():
    history = WeightHistory(every_batches=3)
    _fit(_sequential(), [history], epochs=5, batch_size=4)  # 4 batches per epoch
    assert history.steps == [0, 3, 6, 9, 12, 15, 18, 20]
    assert history.epochs == [0, 1, 2, 3, 3, 4, 5, 5]


def test_epoch_mode_defines_no_batch_hook():
    # Keras dispatches batch callbacks asynchronously only if no callback overrides
    # its (default, no-op) batch hooks.
    default = keras.callbacks.Callback.on_train_batch_end
    assert WeightHistory().on_train_batch_end.__func__ is default
    assert WeightHistory(every_batches=2).on_train_batch_end.__func__ is not default


def test_every_records_multiples_and_always_the_last_epoch():
    history = WeightHistory(every=3)
    _fit(_sequential(), [history], epochs=7)
    assert history.epochs == [0, 3, 6, 7]
    assert history["dense/kernel"].shape == (4, 3, 4)


def test_early_stop_records_the_epoch_training_stopped_at():
    class StopAt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == 3:
                self.model.stop_training = True

    history = WeightHistory(every=5)
    model = _sequential()
    _fit(model, [StopAt(), history], epochs=20)
    assert history.epochs == [0, 4]
    np.testing.assert_array_equal(history["dense/kernel"][-1], model.get_weights()[0])


def test_initial_epoch_labels_the_first_record():
    history = WeightHistory()
    _fit(_sequential(), [history], epochs=4, initial_epoch=2)
    assert history.epochs == [2, 3, 4]


def test_records_are_copies_not_references():
    model = _sequential()
    history = WeightHistory()
    _fit(model, [history], epochs=2)
    before = {k: np.array(v) for k, v in history.weights.items()}
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    for key, values in history.weights.items():
        np.testing.assert_array_equal(values, before[key])
        assert np.abs(values).sum() > 0
    array = history["dense/kernel"]
    assert not array.flags.writeable
    with pytest.raises(ValueError):
        array[0, 0, 0] = 1.0
    # Epoch lists and dicts handed out are new objects.
    history.epochs.append(99)
    history.layer_names.clear()
    assert history.epochs == [0, 1, 2] and history.layer_names


def test_include_bias_and_layers_without_weights():
    model = _functional()
    history = WeightHistory(include_bias=True)
    probe = Probe()
    _fit(model, [history, probe], epochs=1)
    # BatchNormalization's gamma, beta and moving statistics are not recorded.
    assert history.keys() == ["hidden/kernel", "hidden/bias", "out/kernel", "out/bias"]
    assert history.layer_names == {
        "hidden/kernel": "hidden",
        "hidden/bias": "hidden",
        "out/kernel": "out",
        "out/bias": "out",
    }
    for key, expected in _expected(model, probe, history.keys()).items():
        np.testing.assert_array_equal(history[key], expected)


def test_nested_model_layer_names_and_selection_by_model_name():
    model = _nested()
    history = WeightHistory(layers=["inner"], include_bias=True)
    _fit(model, [history], epochs=1)
    assert history.keys() == ["inner/a/kernel", "inner/a/bias"]
    assert history.layer_names["inner/a/kernel"] == "a"


def test_select_layers_by_name_and_by_object():
    model = _sequential()
    by_name = WeightHistory(layers=["dense_1"])
    by_object = WeightHistory(layers=model.layers[0])
    mixed = WeightHistory(layers=[model.layers[2], "dense"])
    _fit(model, [by_name, by_object, mixed], epochs=1)
    assert by_name.keys() == ["seq/dense_1/kernel"]
    assert by_object.keys() == ["seq/dense/kernel"]
    assert mixed.keys() == ["seq/dense/kernel", "seq/dense_1/kernel"]  # model order


def test_unknown_layer_name_warns_and_lists_valid_names():
    history = WeightHistory(layers=["dense", "densse"])
    with pytest.warns(UserWarning, match="no layer named 'densse'") as record:
        _fit(_sequential(), [history], epochs=1)
    message = str(record[0].message)
    for name in ("'dense'", "'dropout'", "'dense_1'"):
        assert name in message
    assert history.keys() == ["seq/dense/kernel"]


def test_layer_outside_the_model_or_without_kernel_warns():
    outsider = keras.layers.Dense(2, name="outsider")
    with pytest.warns(UserWarning, match="'outsider'.*not part of the model"):
        _fit(_sequential(), [WeightHistory(layers=[outsider, "dense"])], epochs=1)
    with pytest.warns(UserWarning, match="'dropout' has no kernel"):
        _fit(_sequential(), [WeightHistory(layers=["dropout", "dense"])], epochs=1)


# --- access ------------------------------------------------------------------------


def _two_dense_history():
    return WeightHistory.from_arrays(
        {
            "model/block/dense/kernel": np.zeros((2, 3)),
            "model/dense/kernel": np.ones((2, 3)),
            "model/dense_1/kernel": np.ones((2, 1)),
        },
        [0, 1],
    )


def test_lookup_by_exact_key_and_unique_suffix():
    history = _two_dense_history()
    assert history["model/dense/kernel"].sum() == 6
    assert history["dense_1/kernel"].shape == (2, 1)
    assert history["block/dense/kernel"].sum() == 0
    assert "dense_1/kernel" in history and "nope" not in history
    # A suffix matches whole path components only.
    with pytest.raises(KeyError, match="not a recorded weight"):
        history["ense_1/kernel"]


def test_ambiguous_and_unknown_keys_raise_keyerror_listing_keys():
    history = _two_dense_history()
    with pytest.raises(KeyError, match="ambiguous.*model/block/dense/kernel"):
        history["dense/kernel"]
    with pytest.raises(KeyError, match="not a recorded weight.*model/dense_1/kernel"):
        history["conv/kernel"]
    with pytest.raises(KeyError, match="strings"):
        history[0]


def test_repr_and_truthiness():
    empty = WeightHistory()
    assert bool(empty) and len(empty) == 0
    assert repr(empty) == "<WeightHistory: no records>"
    assert repr(_two_dense_history()) == (
        "<WeightHistory: 3 weights, 2 records (epochs 0 to 1)>"
    )


# --- statistics --------------------------------------------------------------------


def _numpy_stats(values, tol):
    flat = values.reshape(len(values), -1).astype(np.float64)
    out = {
        "l1": np.array([np.sum(np.abs(r)) for r in flat]),
        "l2": np.array([np.linalg.norm(r) for r in flat]),
        "min": np.array([np.min(r) for r in flat]),
        "max": np.array([np.max(r) for r in flat]),
        "mean_abs": np.array([np.mean(np.abs(r)) for r in flat]),
        "std": np.array([np.std(r) for r in flat]),
        "zero_fraction": np.array([np.count_nonzero(r == 0) / r.size for r in flat]),
        "small_fraction": np.array(
            [np.count_nonzero(np.abs(r) < tol) / r.size for r in flat]
        ),
    }
    for q in (5, 25, 50, 75, 95):
        out[f"p{q}"] = np.array([np.percentile(r, q) for r in flat])
    return out


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_every_statistic_against_numpy(dtype):
    rng = np.random.default_rng(1)
    values = rng.normal(scale=0.01, size=(5, 7, 9)).astype(dtype)
    values[1, :2] = 0.0
    values[3] = 0.0
    history = WeightHistory.from_arrays({"m/dense/kernel": values}, [0, 2, 4, 6, 8])
    for tol in (0.0, 1e-3, 0.01):
        stats = history.stats(tol=tol)
        assert isinstance(stats, WeightStats)
        assert list(stats["m/dense/kernel"]) == list(STAT_NAMES)
        expected = _numpy_stats(values, tol)
        for name in STAT_NAMES:
            got = stats["m/dense/kernel"][name]
            assert got.shape == (5,)
            np.testing.assert_allclose(got, expected[name], rtol=1e-12, err_msg=name)
    assert stats["m/dense/kernel"]["zero_fraction"][3] == 1.0
    assert stats["m/dense/kernel"]["zero_fraction"][1] == pytest.approx(18 / 63)
    assert stats.epochs.tolist() == [0, 2, 4, 6, 8]


def test_stats_in_blocks_equal_stats_at_once(monkeypatch):
    values = np.random.default_rng(2).normal(size=(6, 5, 4))
    history = WeightHistory.from_arrays({"k/kernel": values}, list(range(6)))
    whole = history.stats()
    monkeypatch.setattr(history_module, "_STATS_BLOCK", 30)  # 1 record per block
    blocks = history.stats()
    for name in STAT_NAMES:
        np.testing.assert_array_equal(blocks["k/kernel"][name], whole["k/kernel"][name])


def test_stats_summary_compares_last_with_first_and_prints():
    values = np.array([[[1.0, -2.0]], [[0.5, 0.0]], [[0.25, 0.0]]])
    history = WeightHistory.from_arrays({"net/dense/kernel": values}, [0, 5, 10])
    stats = history.stats(tol=0.3)
    l1 = stats.summary["net/dense/kernel"]["l1"]
    assert l1 == {"first": 3.0, "last": 0.25, "change": -2.75, "ratio": 0.25 / 3.0}
    zeros = stats.summary["net/dense/kernel"]["zero_fraction"]
    assert zeros["first"] == 0.0 and zeros["last"] == 0.5
    assert np.isnan(zeros["ratio"])
    assert stats["dense/kernel"] is stats["net/dense/kernel"]
    with pytest.raises(KeyError, match="not a key"):
        stats["conv/kernel"]
    text = stats.to_string()
    assert text == repr(stats) == str(stats) == stats.to_string(["dense/kernel"])
    assert "net/dense/kernel (layer 'dense', 2 values)" in text
    assert "epoch 0" in text and "epoch 10" in text and "tol=0.3" in text
    for name in STAT_NAMES:
        assert f"\n  {name} " in text


# --- files -------------------------------------------------------------------------


def test_save_load_round_trip(tmp_path):
    rng = np.random.default_rng(3)
    weights = {
        "m/dense/kernel": rng.normal(size=(3, 2, 4)).astype("float16"),
        "m/dense/bias": rng.normal(size=(3, 4)).astype("float32"),
        "m/emb/embeddings": rng.normal(size=(3, 5, 2)).astype("float64"),
    }
    history = WeightHistory.from_arrays(
        weights, [0, 1, 4], layer_names={"m/dense/kernel": "first"}, steps=[0, 5, 20]
    )
    path = tmp_path / "history.npz"
    history.save(path)
    loaded = WeightHistory.load(path)
    assert loaded.keys() == list(weights)
    assert loaded.epochs == [0, 1, 4] and loaded.steps == [0, 5, 20]
    assert loaded.layer_names == {
        "m/dense/kernel": "first",
        "m/dense/bias": "dense",
        "m/emb/embeddings": "emb",
    }
    for key, values in weights.items():
        assert loaded[key].dtype == values.dtype
        np.testing.assert_array_equal(loaded[key], values)
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["metadata"][()]))
    assert meta["format"] == "kreg.WeightHistory"
    assert meta["format_version"] == FORMAT_VERSION
    assert meta["kreg_version"] == history_module.__version__
    assert loaded.kreg_version == history_module.__version__
    assert meta["shapes"]["m/dense/kernel"] == [2, 4]
    assert meta["dtypes"]["m/dense/kernel"] == "float16"
    assert os.listdir(tmp_path) == ["history.npz"]  # no temporary file left


def test_save_load_round_trip_of_a_float16_model(tmp_path):
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((3,)), keras.layers.Dense(1, dtype="float16", name="dense")]
    )
    history = WeightHistory()
    _fit(model, [history], epochs=2)
    assert history["dense/kernel"].dtype == np.float16
    history.save(tmp_path / "h.npz")
    loaded = WeightHistory.load(str(tmp_path / "h.npz"))
    np.testing.assert_array_equal(loaded["dense/kernel"], history["dense/kernel"])
    assert loaded["dense/kernel"].dtype == np.float16
    assert loaded.epochs == history.epochs and loaded.steps == history.steps == [
        0,
        2,
        4,
    ]


def test_save_overwrites_atomically(tmp_path):
    path = tmp_path / "h.npz"
    WeightHistory.from_arrays({"a/kernel": np.ones((1, 2))}, [0]).save(path)
    WeightHistory.from_arrays({"a/kernel": np.zeros((2, 2))}, [0, 1]).save(path)
    assert WeightHistory.load(path).epochs == [0, 1]
    assert os.listdir(tmp_path) == ["h.npz"]


def _saved(tmp_path):
    path = tmp_path / "good.npz"
    WeightHistory.from_arrays({"a/kernel": np.ones((4, 50, 50))}, [0, 1, 2, 3]).save(
        path
    )
    return path


def test_truncated_file_raises_valueerror_naming_the_path(tmp_path):
    good = _saved(tmp_path).read_bytes()
    for size in (len(good) // 2, len(good) - 10, 30):
        path = tmp_path / f"cut{size}.npz"
        path.write_bytes(good[:size])
        with pytest.raises(ValueError, match=f"cut{size}.npz.*(truncated|corrupt)"):
            WeightHistory.load(path)


def test_foreign_npz_raises_valueerror(tmp_path):
    path = tmp_path / "foreign.npz"
    np.savez(path, weights=np.ones(3))
    with pytest.raises(ValueError, match="foreign.npz.*not a kreg WeightHistory"):
        WeightHistory.load(path)
    other = tmp_path / "other.npz"
    np.savez(other, metadata=np.array(json.dumps({"format": "something"})))
    with pytest.raises(ValueError, match="other.npz.*not a kreg WeightHistory"):
        WeightHistory.load(other)


def test_newer_format_version_raises_valueerror(tmp_path):
    path = _saved(tmp_path)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(str(arrays["metadata"][()]))
    meta["format_version"] = FORMAT_VERSION + 1
    arrays["metadata"] = np.array(json.dumps(meta))
    newer = tmp_path / "newer.npz"
    np.savez(newer, **arrays)
    with pytest.raises(ValueError, match="newer.npz.*newer kreg.*format version 2"):
        WeightHistory.load(newer)


def test_pickled_npy_text_and_missing_files(tmp_path):
    pickled = tmp_path / "pickled.npz"
    np.savez(pickled, metadata=np.array([{"format": "kreg.WeightHistory"}]))
    with pytest.raises(ValueError, match="pickled.npz"):
        WeightHistory.load(pickled)
    single = tmp_path / "single.npy"
    np.save(single, np.ones(3))
    with pytest.raises(ValueError, match="single.npy.*single NumPy array"):
        WeightHistory.load(single)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match="notes.txt"):
        WeightHistory.load(text)
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        WeightHistory.load(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="no 'weight_history.json'"):
        WeightHistory.load(tmp_path)


def _denied(path):
    def fail(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    return fail


def _save_missing_dir(tmp_path, monkeypatch):
    return tmp_path / "missing" / "dir" / "h.npz"


def _save_parent_is_a_file(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    return tmp_path / "file" / "h.npz"


def _save_to_a_directory(tmp_path, monkeypatch):
    (tmp_path / "h.npz").mkdir()
    return tmp_path / "h.npz"


def _save_read_only_dir(tmp_path, monkeypatch):
    # What a directory of mode 0o500 does to a user other than root (the tests
    # run as root, whom the mode does not stop): mkstemp is refused.
    monkeypatch.setattr(tempfile, "mkstemp", _denied(tmp_path / ".kreg-tmp-x.tmp"))
    return tmp_path / "h.npz"


def _save_full_disk(tmp_path, monkeypatch):
    savez = np.savez

    def full(file, **arrays):
        savez(file, **arrays)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(np, "savez", full)
    return tmp_path / "h.npz"


@pytest.mark.parametrize(
    ("setup", "error", "code"),
    [
        (_save_missing_dir, FileNotFoundError, errno.ENOENT),
        (_save_parent_is_a_file, NotADirectoryError, errno.ENOTDIR),
        (_save_to_a_directory, IsADirectoryError, errno.EISDIR),
        (_save_read_only_dir, PermissionError, errno.EACCES),
        (_save_full_disk, OSError, errno.ENOSPC),
    ],
    ids=["missing dir", "parent is a file", "a directory", "read-only", "full disk"],
)
def test_save_errors_name_the_path_given(tmp_path, monkeypatch, setup, error, code):
    history = WeightHistory.from_arrays({"a/kernel": np.ones((1, 2))}, [0])
    path = setup(tmp_path, monkeypatch)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(error) as info:
        history.save(path)
    assert type(info.value) is error
    assert str(info.value) == f"[Errno {code}] {os.strerror(code)}: {str(path)!r}"
    assert sorted(os.listdir(tmp_path)) == before  # no temporary file, no target


def test_save_on_a_full_disk_keeps_the_old_file(tmp_path, monkeypatch):
    old = _saved(tmp_path)
    data = old.read_bytes()
    path = _save_full_disk(tmp_path, monkeypatch)
    os.replace(old, path)
    with pytest.raises(OSError, match="No space left on device: '.*h.npz'$"):
        WeightHistory.from_arrays({"b/kernel": np.zeros((1, 3))}, [0]).save(path)
    assert path.read_bytes() == data
    assert os.listdir(tmp_path) == ["h.npz"]


def _load_missing(tmp_path, monkeypatch):
    path = tmp_path / "missing.npz"
    return (
        path,
        FileNotFoundError,
        f"No WeightHistory file or directory at {str(path)!r}.",
    )


def _load_under_a_file(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    path = tmp_path / "file" / "h.npz"
    return (
        path,
        FileNotFoundError,
        f"No WeightHistory file or directory at {str(path)!r}.",
    )


def _load_unreadable_file(tmp_path, monkeypatch):
    # Not "truncated or corrupt": the file cannot be opened at all.
    path = _saved(tmp_path)
    monkeypatch.setattr(np, "load", _denied(path))
    return path, PermissionError, f"[Errno 13] Permission denied: {str(path)!r}"


def _load_unreadable_metadata(tmp_path, monkeypatch):
    directory = tmp_path / "run"
    directory.mkdir()
    meta = directory / "weight_history.json"
    meta.write_text("{}")
    monkeypatch.setattr(history_module, "open", _denied(meta), raising=False)
    return directory, PermissionError, f"[Errno 13] Permission denied: {str(meta)!r}"


def _load_metadata_not_json(tmp_path, monkeypatch):
    directory = tmp_path / "run"
    directory.mkdir()
    meta = directory / "weight_history.json"
    meta.write_text("{not json")
    return directory, ValueError, f"Cannot read {str(meta)!r}: Expecting"


@pytest.mark.parametrize(
    "setup",
    [
        _load_missing,
        _load_under_a_file,
        _load_unreadable_file,
        _load_unreadable_metadata,
        _load_metadata_not_json,
    ],
    ids=lambda setup: setup.__name__[1:],
)
def test_load_errors_name_the_path(tmp_path, monkeypatch, setup):
    path, error, message = setup(tmp_path, monkeypatch)
    with pytest.raises(error) as info:
        WeightHistory.load(path)
    assert type(info.value) is error
    assert str(info.value).startswith(message)


def test_stats_of_a_streaming_history_before_fit(tmp_path):
    # The directory is made by fit; before it, the history is empty, not an error.
    history = WeightHistory(directory=tmp_path / "not yet")
    stats = history.stats()
    assert dict(stats) == {} and stats.epochs.tolist() == []
    assert not os.path.exists(tmp_path / "not yet")


# --- streaming ---------------------------------------------------------------------


def test_streaming_equals_memory_and_keeps_no_arrays(tmp_path):
    directory = tmp_path / "run"
    streamed, memory = WeightHistory(directory=directory), WeightHistory()
    _fit(_sequential(), [streamed, memory], epochs=3)
    assert streamed._pending == {k: [] for k in streamed.keys()}
    assert streamed._stacked == {}
    names = sorted(os.listdir(directory))
    assert names == [f"record-{i:06d}.npz" for i in range(4)] + ["weight_history.json"]
    loaded = WeightHistory.load(directory)
    assert loaded.epochs == streamed.epochs == memory.epochs == [0, 1, 2, 3]
    assert loaded.steps == memory.steps
    assert loaded.layer_names == memory.layer_names
    for key in memory.keys():
        np.testing.assert_array_equal(loaded[key], memory[key])
        np.testing.assert_array_equal(streamed[key], memory[key])
    s1, s2 = streamed.stats(), memory.stats()
    for key in memory.keys():
        for name in STAT_NAMES:
            np.testing.assert_array_equal(s1[key][name], s2[key][name])


@pytest.mark.parametrize("error", [RuntimeError("boom"), KeyboardInterrupt()])
def test_streaming_recovers_after_an_interrupted_fit(tmp_path, error):
    directory = tmp_path / "run"
    history, memory, probe = (
        WeightHistory(directory=directory),
        WeightHistory(),
        Probe(),
    )
    model = _sequential()
    # The error is raised in on_epoch_end of epoch index 2 (the third epoch),
    # after WeightHistory has written that epoch's record.
    with pytest.raises(type(error)):
        _fit(model, [history, memory, probe, RaiseAt(2, error)], epochs=10)
    loaded = WeightHistory.load(directory)
    assert loaded.epochs == [0, 1, 2, 3]
    for key, expected in _expected(model, probe, loaded.keys()).items():
        np.testing.assert_array_equal(loaded[key], expected)
    assert not [n for n in os.listdir(directory) if n.endswith(".tmp")]


def test_streaming_crash_before_the_record_of_that_epoch(tmp_path):
    directory = tmp_path / "run"
    with pytest.raises(RuntimeError):
        _fit(
            _sequential(),
            [RaiseAt(1, RuntimeError("early")), WeightHistory(directory=directory)],
            epochs=10,
        )
    assert WeightHistory.load(directory).epochs == [0, 1]


def test_streaming_load_stops_at_a_damaged_record_and_ignores_temp_files(tmp_path):
    directory = tmp_path / "run"
    _fit(_sequential(), [WeightHistory(directory=directory)], epochs=4)
    (directory / ".kreg-tmp-half.tmp").write_bytes(b"partial")
    last = directory / "record-000004.npz"
    last.write_bytes(last.read_bytes()[:100])
    with pytest.warns(UserWarning, match="record 4 cannot be read"):
        loaded = WeightHistory.load(directory)
    assert loaded.epochs == [0, 1, 2, 3]
    os.remove(directory / "record-000002.npz")
    with pytest.warns(UserWarning, match="record 2 is missing"):
        assert WeightHistory.load(directory).epochs == [0, 1]


def test_streaming_directory_of_a_newer_format_raises(tmp_path):
    directory = tmp_path / "run"
    _fit(_sequential(), [WeightHistory(directory=directory)], epochs=1)
    meta_path = directory / "weight_history.json"
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = FORMAT_VERSION + 1
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="weight_history.json.*newer kreg"):
        WeightHistory.load(directory)
    with pytest.raises(ValueError, match="weight_history.json.*newer kreg"):
        WeightHistory(directory=directory, append=True)


def test_streaming_restart_removes_old_records_only(tmp_path):
    directory = tmp_path / "run"
    directory.mkdir()
    (directory / "notes.txt").write_text("mine")
    history = WeightHistory(directory=directory)
    model = _sequential()
    _fit(model, [history], epochs=5)
    _fit(model, [history], epochs=2)
    assert history.epochs == [0, 1, 2]
    assert sorted(os.listdir(directory)) == [
        "notes.txt",
        "record-000000.npz",
        "record-000001.npz",
        "record-000002.npz",
        "weight_history.json",
    ]
    assert WeightHistory.load(directory).epochs == [0, 1, 2]


def test_streaming_append_resumes_a_crashed_run_in_a_new_callback(tmp_path):
    directory = tmp_path / "run"
    model = _sequential()
    with pytest.raises(RuntimeError):
        _fit(
            model,
            [WeightHistory(directory=directory), RaiseAt(1, RuntimeError("x"))],
            epochs=10,
        )
    resumed = WeightHistory(directory=directory, append=True)
    assert resumed.epochs == [0, 1, 2] and len(resumed) == 3
    probe = Probe()
    _fit(model, [resumed, probe], epochs=4, initial_epoch=2)
    loaded = WeightHistory.load(directory)
    assert loaded.epochs == resumed.epochs == [0, 1, 2, 3, 4]
    np.testing.assert_array_equal(
        loaded["dense/kernel"][2:],
        _expected(model, probe, ["seq/dense/kernel"])["seq/dense/kernel"],
    )


# --- streaming into a directory that holds another history -------------------------


def _other_history(directory, state="complete"):
    """Leave another callback's history in ``directory`` (2 records)."""
    _fit(_sequential(), [WeightHistory(directory=directory)], epochs=1)
    if state == "metadata only":
        for name in os.listdir(directory):
            if name.startswith("record-"):
                os.remove(directory / name)
    elif state == "records only":
        os.remove(directory / "weight_history.json")
    elif state == "one record":
        os.remove(directory / "record-000001.npz")
    return {name: (directory / name).read_bytes() for name in os.listdir(directory)}


def _refusal(directory, found, resume=True):
    return (
        f"WeightHistory: the directory {str(directory)!r} already holds another "
        f"history ({found}), which a new record would delete. Pass overwrite=True "
        f"to delete it{', append=True to continue it, ' if resume else ' '}or "
        "choose another directory."
    )


@pytest.mark.parametrize(
    ("state", "kwargs", "found", "resume"),
    [
        ("complete", {}, "'weight_history.json' and 2 record files", True),
        ("metadata only", {}, "'weight_history.json'", True),
        ("records only", {}, "2 record files", False),
        # No metadata, so nothing to continue: append=True starts anew.
        ("records only", {"append": True}, "2 record files", False),
        ("one record", {}, "'weight_history.json' and 1 record file", True),
    ],
)
def test_another_history_in_the_directory_is_refused_at_construction(
    tmp_path, state, kwargs, found, resume
):
    directory = tmp_path / "run"
    files = _other_history(directory, state)
    with pytest.raises(FileExistsError) as info:
        WeightHistory(directory=directory, **kwargs)
    assert str(info.value) == _refusal(directory, found, resume)
    assert {n: (directory / n).read_bytes() for n in os.listdir(directory)} == files


class _CountEpochs(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def on_epoch_begin(self, epoch, logs=None):
        self.epochs += 1


def test_another_history_written_after_construction_is_refused_by_fit(tmp_path):
    directory = tmp_path / "run"
    late = WeightHistory(directory=directory)  # the directory does not exist yet
    files = _other_history(directory)
    counter = _CountEpochs()
    with pytest.raises(FileExistsError, match="already holds another history"):
        _fit(_sequential(), [late, counter], epochs=2)
    assert counter.epochs == 0  # refused before any epoch ran
    assert {n: (directory / n).read_bytes() for n in os.listdir(directory)} == files
    assert late.epochs == [] and late.keys() == []


def test_two_callbacks_streaming_to_one_directory_are_refused(tmp_path):
    directory = tmp_path / "run"
    first, second = (
        WeightHistory(directory=directory),
        WeightHistory(directory=directory),
    )
    with pytest.raises(FileExistsError, match="'weight_history.json'\\)"):
        _fit(_sequential(), [first, second], epochs=1)
    # The first callback's metadata is there, no record was made.
    assert os.listdir(directory) == ["weight_history.json"]


@pytest.mark.parametrize(
    ("files", "kept"),
    [
        (None, []),  # missing: created
        ({}, []),
        ({"notes.txt": b"mine"}, ["notes.txt"]),
        ({".kreg-tmp-x.tmp": b"half"}, []),  # a crashed write's leftover: removed
    ],
    ids=["missing", "empty", "unrelated file", "stale temporary file"],
)
def test_a_directory_without_a_history_is_used(tmp_path, files, kept):
    directory = tmp_path / "run"
    if files is not None:
        directory.mkdir()
        for name, data in files.items():
            (directory / name).write_bytes(data)
    history = WeightHistory(directory=directory)
    _fit(_sequential(), [history], epochs=2)
    records = [f"record-{i:06d}.npz" for i in range(3)]
    assert sorted(os.listdir(directory)) == sorted(
        [*kept, *records, "weight_history.json"]
    )
    for name in kept:
        assert (directory / name).read_bytes() == files[name]
    assert WeightHistory.load(directory).epochs == [0, 1, 2]


@pytest.mark.parametrize("append", [False, True])
def test_overwrite_true_replaces_another_history(tmp_path, append):
    directory = tmp_path / "run"
    _fit(_sequential(), [WeightHistory(directory=directory)], epochs=4)
    (directory / "notes.txt").write_text("mine")
    os.remove(directory / "weight_history.json")  # so that append=True cannot adopt
    history = WeightHistory(directory=directory, overwrite=True, append=append)
    assert history.overwrite is True and history.epochs == []
    _fit(_sequential(), [history], epochs=1)
    assert sorted(os.listdir(directory)) == [
        "notes.txt",
        "record-000000.npz",
        "record-000001.npz",
        "weight_history.json",
    ]
    assert WeightHistory.load(directory).epochs == history.epochs == [0, 1]


def test_the_callbacks_own_records_are_replaced_or_continued(tmp_path):
    # A second fit of the same callback is not "another history".
    directory = tmp_path / "run"
    model = _sequential()
    restart = WeightHistory(directory=directory / "restart")
    _fit(model, [restart], epochs=3)
    _fit(model, [restart], epochs=1)
    assert WeightHistory.load(directory / "restart").epochs == [0, 1]
    cont = WeightHistory(directory=directory / "append", append=True)
    _fit(model, [cont], epochs=2)
    _fit(model, [cont], epochs=3, initial_epoch=2)
    assert WeightHistory.load(directory / "append").epochs == [0, 1, 2, 3]
    # ... and a new callback with append=True adopts them as its own.
    adopted = WeightHistory(directory=directory / "append", append=True)
    _fit(model, [adopted], epochs=4, initial_epoch=3)
    assert WeightHistory.load(directory / "append").epochs == [0, 1, 2, 3, 4]


# --- reuse across fit calls --------------------------------------------------------


def test_append_false_restarts_the_record():
    model = _sequential()
    history = WeightHistory()
    _fit(model, [history], epochs=3)
    end_of_first = history["dense/kernel"][-1]
    _fit(model, [history], epochs=2)
    assert history.epochs == [0, 1, 2]
    assert history.steps == [0, 2, 4]
    np.testing.assert_array_equal(history["dense/kernel"][0], end_of_first)


def test_append_true_continues_with_keras_epoch_index():
    model = _sequential()
    history, probe = WeightHistory(append=True), Probe()
    _fit(model, [history, probe], epochs=3)
    probe.started = True  # the continued fit makes no initial record
    _fit(model, [history, probe], epochs=5, initial_epoch=3)
    assert history.epochs == [0, 1, 2, 3, 4, 5]
    assert history.steps == [0, 2, 4, 6, 8, 10]
    for key, expected in _expected(model, probe, history.keys()).items():
        np.testing.assert_array_equal(history[key], expected)


def test_append_true_without_initial_epoch_warns_and_continues_numbering():
    model = _sequential()
    history = WeightHistory(append=True, every=2)
    _fit(model, [history], epochs=3)
    with pytest.warns(UserWarning, match="initial_epoch=3"):
        _fit(model, [history], epochs=3)
    assert history.epochs == [0, 2, 3, 4, 6]
    assert sorted(set(history.epochs)) == history.epochs


def test_append_true_refuses_different_weights():
    history = WeightHistory(append=True)
    _fit(_sequential(), [history], epochs=1)
    with pytest.raises(ValueError, match="weights to record changed"):
        _fit(_functional(), [history], epochs=1)


# --- non-finite weights ------------------------------------------------------------


class PoisonAt(keras.callbacks.Callback):
    def __init__(self, epoch):
        super().__init__()
        self.epoch = epoch

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.epoch:
            kernel = self.model.layers[0].kernel
            value = to_numpy(kernel)
            value[0, 0] = np.nan
            kernel.assign(value)


def test_nonfinite_weights_warn_naming_layer_and_epoch():
    history = WeightHistory()
    model = _sequential()
    model.compile(keras.optimizers.SGD(0.1), "mse")
    with pytest.warns(UserWarning) as record:
        _fit(model, [PoisonAt(1), history], epochs=3)
    messages = [str(w.message) for w in record if "non-finite" in str(w.message)]
    # Once per weight and fit, not once per record (the NaN spreads to dense_1).
    messages = [m for m in messages if "'seq/dense/kernel'" in m]
    assert len(messages) == 1
    assert "'seq/dense/kernel'" in messages[0]
    assert "layer 'dense'" in messages[0] and "epoch 2" in messages[0]
    assert history.epochs == [0, 1, 2, 3]


def test_nonfinite_stop_ends_training_and_ignore_is_silent():
    model = _sequential()
    history = WeightHistory(on_nonfinite="stop")
    with pytest.warns(UserWarning, match="Stopping training"):
        fit = _fit(model, [PoisonAt(1), history], epochs=6)
    assert len(fit.history["loss"]) == 2
    assert history.epochs == [0, 1, 2]
    assert np.isnan(history["dense/kernel"][-1, 0, 0])
    with no_warnings():
        _fit(_sequential(), [PoisonAt(0), WeightHistory(on_nonfinite="ignore")])


# --- from_arrays -------------------------------------------------------------------


def test_from_arrays_copies_nothing_and_is_read_only():
    values = np.arange(12.0).reshape(3, 2, 2)
    history = WeightHistory.from_arrays({"net/dense/kernel": values}, [0, 1, 2])
    assert np.shares_memory(history["dense/kernel"], values)
    assert values.flags.writeable  # the caller's array is untouched
    assert not history["dense/kernel"].flags.writeable
    assert history.steps == [-1, -1, -1]
    assert history.layer_names == {"net/dense/kernel": "dense"}


# --- bad arguments -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"layers": 3}, TypeError, "`layers`.*Received: layers=3"),
        ({"layers": []}, ValueError, "`layers`.*non-empty"),
        ({"layers": ["dense", 2]}, TypeError, "`layers`"),
        ({"include_bias": "yes"}, TypeError, "`include_bias`.*'yes'"),
        ({"every": 0}, ValueError, "`every`.*>= 1.*every=0"),
        ({"every": 1.5}, TypeError, "`every`.*every=1.5"),
        ({"every": True}, TypeError, "`every`"),
        ({"every_batches": 0}, ValueError, "`every_batches`.*every_batches=0"),
        ({"every": 2, "every_batches": 3}, ValueError, "`every`.*every_batches=3"),
        ({"append": 1}, TypeError, "`append`.*append=1"),
        ({"directory": 5}, TypeError, "`directory`.*directory=5"),
        (
            {"overwrite": "yes"},
            TypeError,
            "^Invalid value for argument `overwrite`: expected True or False. "
            "Received: overwrite='yes'$",
        ),
        ({"overwrite": 1}, TypeError, "`overwrite`.*overwrite=1$"),
        ({"overwrite": None}, TypeError, "`overwrite`.*overwrite=None$"),
        ({"on_nonfinite": "boom"}, ValueError, "`on_nonfinite`.*'warn'.*'boom'"),
    ],
)
def test_bad_constructor_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        WeightHistory(**kwargs)


def test_directory_that_is_a_file(tmp_path):
    path = tmp_path / "file"
    path.write_text("x")
    with pytest.raises(ValueError, match="`directory`.*a directory"):
        WeightHistory(directory=path)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda h: h.stats(tol=-1), ValueError, "`tol`.*tol=-1"),
        (lambda h: h.stats(tol=float("nan")), ValueError, "`tol`"),
        (lambda h: h.stats(tol="1"), TypeError, "`tol`"),
        (lambda h: h.save(3), TypeError, "`path`"),
        (lambda h: WeightHistory.load(None), TypeError, "`path`"),
        (
            lambda h: WeightHistory.from_arrays({"a": np.ones((2, 3))}, [0]),
            ValueError,
            r"`weights`.*1 records.*\(2, 3\)",
        ),
        (
            lambda h: WeightHistory.from_arrays({"a": np.ones((1, 3))}, [0.5]),
            TypeError,
            "`epochs`",
        ),
        (
            lambda h: WeightHistory.from_arrays({"a": np.ones(1)}, [0], steps=[1, 2]),
            ValueError,
            "`steps`",
        ),
        (lambda h: WeightHistory.from_arrays([1], [0]), TypeError, "`weights`"),
        (
            lambda h: WeightHistory.from_arrays({1: np.ones(1)}, [0]),
            TypeError,
            "string keys",
        ),
    ],
)
def test_bad_method_arguments(call, error, match):
    history = WeightHistory.from_arrays({"a/kernel": np.ones((1, 2))}, [0])
    with pytest.raises(error, match=match):
        call(history)


def test_npz_is_a_plain_zip_of_npy_files(tmp_path):
    path = _saved(tmp_path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "epochs.npy",
            "metadata.npy",
            "steps.npy",
            "w0.npy",
        ]
