"""Weight snapshots during ``model.fit``: the callback, its statistics and its files.

``WeightHistory`` is a Keras callback that keeps copies of the real weight values,
before training (epoch 0) and after every ``every``-th epoch (or every
``every_batches``-th batch), in memory or streamed to a directory one file per
record. ``WeightHistory.stats`` summarizes each recorded weight per record (norms,
range, sparsity, percentiles) and ``WeightHistory.save``/``WeightHistory.load``
keep a history in one ``.npz`` file that NumPy reads with ``allow_pickle=False``.

Keras itself keeps no weights per epoch: ``keras.callbacks.TensorBoard`` with
``histogram_freq=1`` writes 30-bin histograms of each weight after each epoch, never
the initial weights, and needs TensorFlow.
"""

from __future__ import annotations

import json
import math
import os
import re
import warnings
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg._io import TMP_PREFIX, atomic_write
from kreg._validation import (
    _fail,
    check_bool,
    check_choice,
    check_int,
    check_nonnegative,
)
from kreg._version import __version__

__all__ = ["FORMAT_VERSION", "STAT_NAMES", "WeightHistory", "WeightStats"]

#: Version of the file format written by ``WeightHistory.save`` and by streaming.
FORMAT_VERSION = 1
#: The statistics computed by ``WeightHistory.stats``, in display order.
STAT_NAMES = (
    "l1",
    "l2",
    "min",
    "max",
    "mean_abs",
    "std",
    "zero_fraction",
    "small_fraction",
    "p5",
    "p25",
    "p50",
    "p75",
    "p95",
)

_FORMAT_NAME = "kreg.WeightHistory"
_META_FILE = "weight_history.json"
_RECORD_PATTERN = re.compile(r"^record-(\d{6,})\.npz$")
_PERCENTILES = (5, 25, 50, 75, 95)
_ON_NONFINITE = ("warn", "stop", "ignore")
# Statistics are computed on float64 blocks of at most this many values.
_STATS_BLOCK = 1 << 22


# --- small helpers -----------------------------------------------------------------


def _write_json(path: str, obj: Any) -> None:
    text = json.dumps(obj, indent=1, sort_keys=True).encode("utf-8")
    atomic_write(path, lambda file: file.write(text))


def _is_kernel(variable: Any) -> bool:
    name = variable.name.rsplit("/", 1)[-1]
    return name.endswith("kernel") or name == "embeddings"


def _is_bias(variable: Any) -> bool:
    return variable.name.rsplit("/", 1)[-1].endswith("bias")


def _all_layers(model: Any) -> list:
    """Every layer inside ``model``, nested ones included, in a stable order."""
    flatten = getattr(model, "_flatten_layers", None)
    if flatten is None:  # pragma: no cover - every Keras 3 layer has it
        return list(getattr(model, "layers", []))
    return list(flatten(include_self=False, recursive=True))


def _owner_names(layers: list, variables: list) -> dict[int, str]:
    """Map ``id(variable)`` to the name of the innermost layer holding it."""
    owners: dict[int, tuple[int, str]] = {}
    for layer in layers:
        weights = layer.weights
        for variable in weights:
            best = owners.get(id(variable))
            # Layers come parents first: on a tie the later (inner) layer wins.
            if best is None or len(weights) <= best[0]:
                owners[id(variable)] = (len(weights), layer.name)
    names = {}
    for variable in variables:
        if id(variable) in owners:
            names[id(variable)] = owners[id(variable)][1]
        else:
            parts = variable.path.split("/")
            names[id(variable)] = parts[-2] if len(parts) > 1 else parts[0]
    return names


def _storage_dtype(variable: Any) -> str:
    dtype = keras.backend.standardize_dtype(variable.dtype)
    return "float32" if dtype == "bfloat16" else dtype


def _key_list(keys: Sequence[str]) -> str:
    shown = ", ".join(repr(k) for k in keys[:20])
    more = f", ... ({len(keys) - 20} more)" if len(keys) > 20 else ""
    return f"[{shown}{more}]"


# --- statistics --------------------------------------------------------------------


def _block_stats(values: np.ndarray, tol: float) -> dict[str, np.ndarray]:
    """Statistics of each row of a 2-D block of shape (records, size)."""
    rows = values.shape[0]
    if values.shape[1] == 0:
        return {name: np.full(rows, np.nan) for name in STAT_NAMES}
    values = values.astype(np.float64, copy=False)
    magnitude = np.abs(values)
    out = {
        "l1": magnitude.sum(axis=1),
        "l2": np.sqrt(np.square(values).sum(axis=1)),
        "min": values.min(axis=1),
        "max": values.max(axis=1),
        "mean_abs": magnitude.mean(axis=1),
        "std": values.std(axis=1),
        "zero_fraction": (values == 0).mean(axis=1),
        "small_fraction": (magnitude < tol).mean(axis=1),
    }
    percentiles = np.percentile(values, _PERCENTILES, axis=1)
    for q, row in zip(_PERCENTILES, percentiles, strict=True):
        out[f"p{q}"] = row
    return out


def _format_number(x: float) -> str:
    if math.isnan(x):
        return "nan"
    return f"{x:.6g}"


class WeightStats(dict):
    """Statistics of a ``WeightHistory``: ``stats[key][name]`` is one value per record.

    A plain ``dict`` mapping each weight's key to a dict of NumPy arrays of shape
    ``(records,)``, one per statistic in ``STAT_NAMES``. For the values ``w`` of one
    record (flattened, computed in float64):

    - ``l1 = sum(|w|)``, ``l2 = sqrt(sum(w ** 2))`` (the L2 norm, not its square),
    - ``min``, ``max``, ``mean_abs = mean(|w|)``, ``std`` (population, ``ddof=0``),
    - ``zero_fraction = mean(w == 0)``, ``small_fraction = mean(|w| < tol)``,
    - ``p5``, ``p25``, ``p50``, ``p75``, ``p95``: ``numpy.percentile`` (linear).

    Attributes:
        epochs: NumPy array of the recorded epochs (0 = before training).
        steps: NumPy array of the optimizer steps at each record.
        tol: The threshold of ``small_fraction``.
        layer_names: Key -> name of the layer owning the weight.
        sizes: Key -> number of values in the weight.
        summary: Key -> statistic -> ``{"first", "last", "change", "ratio"}``,
            comparing the last record with the first (``change = last - first``,
            ``ratio = last / first``, NaN when ``first`` is 0).

    ``print(stats)`` (or ``stats.to_string()``) shows the summary as one table per
    weight. Like ``WeightHistory``, ``stats[...]`` also accepts a unique suffix of a
    key (``stats["dense/kernel"]``).

    Examples:
        >>> import numpy as np
        >>> kernel = np.array([[[1.0, -2.0], [0.0, 0.5]], [[0.5, -1.0], [0.0, 0.0]]])
        >>> history = WeightHistory.from_arrays({"net/dense/kernel": kernel}, [0, 1])
        >>> stats = history.stats()
        >>> stats["dense/kernel"]["l1"]
        array([3.5, 1.5])
        >>> stats["dense/kernel"]["zero_fraction"]
        array([0.25, 0.5 ])
        >>> stats.summary["net/dense/kernel"]["l1"]["ratio"]
        0.42857142857142855
    """

    def __init__(
        self,
        values: dict[str, dict[str, np.ndarray]],
        *,
        epochs: Sequence[int],
        steps: Sequence[int],
        tol: float,
        layer_names: Mapping[str, str],
        sizes: Mapping[str, int],
    ):
        super().__init__(values)
        self.epochs = np.asarray(epochs, dtype=np.int64)
        self.steps = np.asarray(steps, dtype=np.int64)
        self.tol = tol
        self.layer_names = dict(layer_names)
        self.sizes = dict(sizes)
        self.summary = {key: _summary(stats) for key, stats in self.items()}

    def __missing__(self, key: Any) -> dict[str, np.ndarray]:
        # ``stats["dense/kernel"]`` works like ``history["dense/kernel"]``.
        if isinstance(key, str):
            matches = [k for k in self if k.endswith("/" + key)]
            if len(matches) == 1:
                return self[matches[0]]
            if matches:
                raise KeyError(
                    f"{key!r} is ambiguous: it ends {len(matches)} keys "
                    f"{_key_list(matches)}. Use a longer suffix or the full key."
                )
        raise KeyError(f"{key!r} is not a key. Keys: {_key_list(list(self))}")

    def to_string(self, keys: Sequence[str] | None = None) -> str:
        """The summary as text: one table per weight, first vs last record.

        Args:
            keys: The weights to show (keys or unique suffixes), by default all.

        Returns:
            A multi-line string.

        Examples:
            >>> import numpy as np
            >>> history = WeightHistory.from_arrays(
            ...     {"dense/kernel": np.array([[1.0, -2.0], [0.5, 0.0]])}, [0, 1]
            ... )
            >>> print(history.stats().to_string())  # doctest: +NORMALIZE_WHITESPACE
            WeightStats: 1 weight, 2 records (epochs 0 to 1), tol=0.001
            <BLANKLINE>
            dense/kernel (layer 'dense', 2 values)
              statistic          epoch 0         epoch 1          change           ratio
              l1                       3             0.5            -2.5        0.166667
              l2                 2.23607             0.5        -1.73607        0.223607
              min                     -2               0               2            -0
              max                      1             0.5            -0.5             0.5
              mean_abs               1.5            0.25           -1.25        0.166667
              std                    1.5            0.25           -1.25        0.166667
              zero_fraction            0             0.5             0.5             nan
              small_fraction           0             0.5             0.5             nan
              p5                   -1.85           0.025           1.875      -0.0135135
              p25                  -1.25           0.125           1.375            -0.1
              p50                   -0.5            0.25            0.75            -0.5
              p75                   0.25           0.375           0.125             1.5
              p95                   0.85           0.475          -0.375        0.558824
        """
        keys = list(self) if keys is None else [self._key(k) for k in keys]
        first = int(self.epochs[0]) if len(self.epochs) else 0
        last = int(self.epochs[-1]) if len(self.epochs) else 0
        plural = "" if len(self) == 1 else "s"
        lines = [
            f"WeightStats: {len(self)} weight{plural}, {len(self.epochs)} records "
            f"(epochs {first} to {last}), tol={self.tol:g}"
        ]
        header = (
            f"  {'statistic':<15}{'epoch ' + str(first):>16}"
            f"{'epoch ' + str(last):>16}{'change':>16}{'ratio':>16}"
        )
        for key in keys:
            summary = self.summary[key]
            size = self.sizes.get(key, 0)
            lines += [
                "",
                f"{key} (layer {self.layer_names.get(key, '?')!r}, "
                f"{size} value{'' if size == 1 else 's'})",
                header,
            ]
            for name in STAT_NAMES:
                row = summary[name]
                cells = "".join(
                    f"{_format_number(row[c]):>16}"
                    for c in ("first", "last", "change", "ratio")
                )
                lines.append(f"  {name:<15}{cells}")
        return "\n".join(lines)

    def _key(self, key: str) -> str:
        if key in self:
            return key
        value = self[key]
        return next(k for k, v in self.items() if v is value)

    def __repr__(self) -> str:
        return self.to_string()

    __str__ = __repr__


def _summary(stats: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    out = {}
    for name in STAT_NAMES:
        values = stats[name]
        if len(values) == 0:
            first = last = float("nan")
        else:
            first, last = float(values[0]), float(values[-1])
        ratio = last / first if first != 0 and not math.isnan(first) else float("nan")
        out[name] = {
            "first": first,
            "last": last,
            "change": last - first,
            "ratio": ratio,
        }
    return out


# --- files -------------------------------------------------------------------------


def _metadata(
    keys: Sequence[str],
    layer_names: Mapping[str, str],
    shapes: Mapping[str, tuple],
    dtypes: Mapping[str, str],
) -> dict[str, Any]:
    return {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "kreg_version": __version__,
        "keys": list(keys),
        "layer_names": {k: layer_names[k] for k in keys},
        "shapes": {k: list(shapes[k]) for k in keys},
        "dtypes": {k: dtypes[k] for k in keys},
    }


def _check_metadata(meta: Any, where: str) -> dict[str, Any]:
    """Validate parsed metadata; raise ValueError naming ``where`` if it is wrong."""
    if not isinstance(meta, dict) or meta.get("format") != _FORMAT_NAME:
        raise ValueError(
            f"{where} is not a kreg WeightHistory file: its metadata does not "
            f"declare format {_FORMAT_NAME!r}."
        )
    version = meta.get("format_version")
    if not isinstance(version, int) or version < 1:
        raise ValueError(f"{where} has an invalid format version: {version!r}.")
    if version > FORMAT_VERSION:
        raise ValueError(
            f"{where} was written by a newer kreg (format version {version}, "
            f"kreg {meta.get('kreg_version', '?')}); this kreg {__version__} reads "
            f"format versions up to {FORMAT_VERSION}. Upgrade kreg to read it."
        )
    try:
        keys = [str(k) for k in meta["keys"]]
        shapes = {k: tuple(int(d) for d in meta["shapes"][k]) for k in keys}
        dtypes = {k: np.dtype(meta["dtypes"][k]).name for k in keys}
        layer_names = {k: str(meta["layer_names"][k]) for k in keys}
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{where} has incomplete metadata: {err!r}.") from err
    return {
        "keys": keys,
        "shapes": shapes,
        "dtypes": dtypes,
        "layer_names": layer_names,
        "kreg_version": meta.get("kreg_version"),
    }


def _open_npz(path: str):
    try:
        data = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        if isinstance(err, OSError) and err.errno is not None:
            raise  # missing, no permission, ...: a system error naming the path
        raise ValueError(
            f"Cannot read {path!r} as a kreg WeightHistory .npz file: the file is "
            f"truncated, corrupt or in another format ({err})."
        ) from err
    if not isinstance(data, np.lib.npyio.NpzFile):
        raise ValueError(
            f"{path!r} is not a kreg WeightHistory file: it holds a single NumPy "
            "array, not an .npz archive."
        )
    return data


def _read_npz_member(data: Any, name: str, path: str) -> np.ndarray:
    if name not in data.files:
        raise ValueError(
            f"{path!r} is not a kreg WeightHistory file or is incomplete: it has "
            f"no array {name!r}."
        )
    try:
        return data[name]
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"Cannot read array {name!r} of {path!r}: the file is truncated or "
            f"corrupt ({err})."
        ) from err


def _check_array(array: np.ndarray, shape: tuple, dtype: str, what: str) -> None:
    if array.shape != shape or array.dtype.name != dtype:
        raise ValueError(
            f"{what} has shape {array.shape} and dtype {array.dtype.name}; the "
            f"metadata says {shape} and {dtype}."
        )


def _load_npz(path: str) -> WeightHistory:
    with _open_npz(path) as data:
        raw = _read_npz_member(data, "metadata", path)
        try:
            meta = json.loads(str(raw[()]))
        except (ValueError, TypeError, IndexError) as err:
            raise ValueError(
                f"{path!r} is not a kreg WeightHistory file: its metadata is not "
                "JSON text."
            ) from err
        meta = _check_metadata(meta, repr(path))
        epochs = _read_npz_member(data, "epochs", path)
        steps = _read_npz_member(data, "steps", path)
        if epochs.ndim != 1 or steps.shape != epochs.shape:
            raise ValueError(f"{path!r} has malformed 'epochs' or 'steps' arrays.")
        weights = {}
        for i, key in enumerate(meta["keys"]):
            array = _read_npz_member(data, f"w{i}", path)
            shape = (len(epochs), *meta["shapes"][key])
            _check_array(array, shape, meta["dtypes"][key], f"{key!r} in {path!r}")
            weights[key] = array
    history = WeightHistory.from_arrays(
        weights,
        [int(e) for e in epochs],
        layer_names=meta["layer_names"],
        steps=[int(s) for s in steps],
    )
    history._kreg_version = meta["kreg_version"]
    return history


def _record_path(directory: str, index: int) -> str:
    return os.path.join(directory, f"record-{index:06d}.npz")


def _record_files(directory: str) -> list[tuple[int, str]]:
    found = []
    for name in os.listdir(directory):
        match = _RECORD_PATTERN.match(name)
        if match:
            found.append((int(match.group(1)), os.path.join(directory, name)))
    return sorted(found)


def _read_directory_meta(directory: str) -> dict[str, Any]:
    meta_path = os.path.join(directory, _META_FILE)
    if not os.path.isfile(meta_path):
        raise ValueError(
            f"{directory!r} is not a kreg WeightHistory directory: it has no "
            f"{_META_FILE!r}."
        )
    try:
        with open(meta_path, encoding="utf-8") as file:
            meta = json.load(file)
    except ValueError as err:  # not JSON, or not UTF-8
        raise ValueError(f"Cannot read {meta_path!r}: {err}.") from err
    return _check_metadata(meta, repr(meta_path))


def _read_record(path: str, meta: Mapping[str, Any], *, values: bool = True):
    """Epoch, step and (optionally) the arrays of one streamed record."""
    with _open_npz(path) as data:
        epoch = int(_read_npz_member(data, "epoch", path))
        step = int(_read_npz_member(data, "step", path))
        arrays = []
        if values:
            for i, key in enumerate(meta["keys"]):
                array = _read_npz_member(data, f"w{i}", path)
                _check_array(
                    array,
                    meta["shapes"][key],
                    meta["dtypes"][key],
                    f"{key!r} in {path!r}",
                )
                arrays.append(array)
    return epoch, step, arrays


def _scan_records(
    directory: str, meta: Mapping[str, Any], *, values: bool
) -> Iterator[tuple[int, str, int, int, list]]:
    """Yield the complete records of a directory, in order, up to the first gap.

    A missing index or an unreadable file ends the scan with a warning: everything
    before it is a complete record.
    """
    for expected, (index, path) in enumerate(_record_files(directory)):
        if index != expected:
            warnings.warn(
                f"WeightHistory directory {directory!r}: record {expected} is "
                f"missing; loading the {expected} records before it.",
                stacklevel=3,
            )
            return
        try:
            epoch, step, arrays = _read_record(path, meta, values=values)
        except ValueError as err:
            warnings.warn(
                f"WeightHistory directory {directory!r}: record {index} cannot be "
                f"read ({err}); loading the {index} records before it.",
                stacklevel=3,
            )
            return
        yield index, path, epoch, step, arrays


# --- the callback ------------------------------------------------------------------


class WeightHistory(keras.callbacks.Callback):
    """Record copies of a model's weights during ``model.fit``.

    By default every kernel is recorded: each variable whose name ends in
    ``kernel`` (``Dense``, ``Conv*``, ``EinsumDense``, the ``kernel`` and
    ``recurrent_kernel`` of recurrent cells, separable convolutions) or is
    ``embeddings`` (``Embedding``); biases too with ``include_bias=True``. Other
    variables (normalization statistics, optimizer slots) are never recorded.
    Layers without such weights (``Dropout``, ``Flatten``, ...) are skipped, and
    layers nested inside sub-models are found.

    A record is a copy of the values (never a reference to the variables): the
    initial weights before the first epoch, labelled with Keras' epoch index at
    the start of ``fit`` (0, or ``initial_epoch``), then the weights after each
    epoch whose number (counted from 1) is a multiple of ``every``, and always
    after the last epoch (also when training stops early). With
    ``every_batches=k``, records are made after every ``k``-th training batch
    instead (counted across epochs), plus after the last one; ``epochs[i]`` is then
    the epoch during which record ``i`` was made (counted from 1) and ``steps[i]``
    tells the records apart (with ``steps_per_execution > 1``, Keras calls batch
    hooks once per execution, so a record falls on the first execution boundary
    at or after each multiple of ``k``). Batches that do not record cost nothing: in the
    epoch mode the callback defines no batch hook at all, so Keras keeps its
    asynchronous batch dispatch.

    Reusing the callback: with ``append=False`` (the default) each ``fit`` call
    starts a new record, like ``keras.callbacks.History``. With ``append=True`` a
    second ``fit`` continues it: no new initial record (the weights are those of
    the last record), and the epochs continue with Keras' epoch index, so pass
    ``initial_epoch=`` to the second ``fit`` as Keras expects. If a continued fit
    starts at an epoch below the last recorded one, a warning is issued and the
    numbering is shifted to continue from the last recorded epoch. The recorded
    keys and shapes must not change between the fits.

    Streaming: with ``directory=``, each record is written as it is made to its
    own file ``record-NNNNNN.npz`` in that directory (temporary file, then
    ``os.replace``), next to a small ``weight_history.json``, and nothing but the
    epoch numbers stays in memory. After a crash or a ``KeyboardInterrupt`` inside
    ``fit``, ``WeightHistory.load(directory)`` returns every record completed
    before it. A directory that already holds another history's files
    (``weight_history.json`` or ``record-NNNNNN.npz``) is refused with a
    ``FileExistsError``, when the callback is made and again when ``fit``
    starts, unless ``overwrite=True`` (delete those files) or ``append=True``
    (continue them, which resumes a run left by an earlier process). The
    callback's own files are not another history's: with ``append=False`` a new
    ``fit`` of the same callback deletes the record files of its previous ``fit``.
    Other files in the directory are never touched.

    Non-finite weights (NaN or infinity) in a record raise a ``UserWarning``
    naming the weight, its layer and the epoch (``on_nonfinite="warn"``), also
    stop training like ``keras.callbacks.TerminateOnNaN`` (``"stop"``), or are
    not checked (``"ignore"``). Weights are checked only when a record is made.

    Args:
        layers: The layers to record, as names, layer objects or a list of them
            (a nested model's name selects all the layers inside it). ``None``
            (default) records every layer. An unknown name raises a warning that
            lists the valid names.
        include_bias: Whether to record biases too. Default ``False``.
        every: Record after every ``every``-th epoch, an integer >= 1. Default 1.
        every_batches: If given, an integer >= 1: record after every
            ``every_batches``-th training batch instead of per epoch (for short
            runs). Cannot be combined with ``every``.
        append: Whether a new ``fit`` continues the record (``True``) or starts
            a new one (``False``, default).
        directory: A directory to stream the records to (created if needed), or
            ``None`` (default) to keep them in memory.
        overwrite: Whether a new record may delete the files another history
            left in ``directory`` (its ``weight_history.json`` and
            ``record-NNNNNN.npz`` files, nothing else). Default ``False``: such
            a directory raises ``FileExistsError``. Only used with ``directory``.
        on_nonfinite: ``"warn"`` (default), ``"stop"`` or ``"ignore"``.

    Attributes:
        epochs: List of ints, one per record; 0 = before training.
        steps: List of ints, one per record: the training steps since the record
            began (per epoch: from ``model.optimizer.iterations``; per batch: the
            batches counted).
        kreg_version: The kreg version that recorded (or saved) the history.
        weights: Dict mapping each key (the variable's Keras ``path``, e.g.
            ``"sequential/dense/kernel"``) to a read-only NumPy array of shape
            ``(records, *weight_shape)``. A streaming history reads it from disk.
        layer_names: Dict mapping each key to the name of the layer owning it.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every`` or ``every_batches`` is < 1, both are given, or
            ``on_nonfinite`` is not one of the choices, or ``directory`` is a
            file.
        FileExistsError: If ``directory`` holds another history's files and
            neither ``overwrite`` nor ``append`` is ``True`` (also raised by
            ``fit`` before the first epoch).

    Examples:
        >>> import keras, numpy as np
        >>> hidden = keras.layers.Dense(3, name="hidden")
        >>> out = keras.layers.Dense(1, name="out")
        >>> model = keras.Sequential([keras.Input((2,)), hidden, out], name="net")
        >>> model.compile("sgd", "mse")
        >>> history = WeightHistory()
        >>> _ = model.fit(
        ...     np.ones((8, 2)), np.ones(8), epochs=3, verbose=0, callbacks=[history]
        ... )
        >>> history.epochs
        [0, 1, 2, 3]
        >>> history.keys()
        ['net/hidden/kernel', 'net/out/kernel']
        >>> history["hidden/kernel"].shape
        (4, 2, 3)
        >>> bool(np.array_equal(history["out/kernel"][-1], model.get_weights()[2]))
        True
    """

    def __init__(
        self,
        layers: Any = None,
        *,
        include_bias: bool = False,
        every: int = 1,
        every_batches: int | None = None,
        append: bool = False,
        directory: str | os.PathLike | None = None,
        overwrite: bool = False,
        on_nonfinite: str = "warn",
    ):
        super().__init__()
        self._selection = self._check_layers(layers)
        self.include_bias = check_bool("include_bias", include_bias)
        self.every = check_int("every", every)
        if every_batches is not None:
            every_batches = check_int("every_batches", every_batches)
            if self.every != 1:
                raise ValueError(
                    "Invalid value for argument `every`: expected 1 (the default) "
                    "when `every_batches` is given; records are made either per "
                    f"epoch or per batch. Received: every={self.every}, "
                    f"every_batches={every_batches}"
                )
        self.every_batches = every_batches
        self.append = check_bool("append", append)
        if directory is not None:
            if not isinstance(directory, (str, os.PathLike)):
                _fail(
                    "directory",
                    "a path (str or os.PathLike) or None",
                    directory,
                    TypeError,
                )
            directory = os.fspath(directory)
            if os.path.exists(directory) and not os.path.isdir(directory):
                _fail("directory", "a directory, not a file", directory)
        self.directory = directory
        self.overwrite = check_bool("overwrite", overwrite)
        self.on_nonfinite = check_choice("on_nonfinite", on_nonfinite, _ON_NONFINITE)
        if every_batches is not None:
            # Only the per-batch mode defines a batch hook (an instance attribute,
            # so that Keras sees the class default otherwise and keeps dispatching
            # batch callbacks asynchronously).
            self.on_train_batch_end = self._on_train_batch_end

        self._clear()
        self._kreg_version: str | None = __version__
        # The directory (absolute) whose history files are this callback's own.
        self._own_directory: str | None = None
        if directory is not None and self.append and os.path.isdir(directory):
            if os.path.exists(os.path.join(directory, _META_FILE)):
                self._adopt_directory()
        if directory is not None:
            self._check_directory_free()

    # -- state ------------------------------------------------------------------

    def _clear(self) -> None:
        self._keys: list[str] = []
        self._layer_names: dict[str, str] = {}
        self._shapes: dict[str, tuple] = {}
        self._dtypes: dict[str, str] = {}
        self._epochs: list[int] = []
        self._steps: list[int] = []
        self._stacked: dict[str, np.ndarray] = {}
        self._pending: dict[str, list[np.ndarray]] = {}
        self._disk_cache: tuple[int, dict[str, np.ndarray]] | None = None
        self._variables: list = []
        self._fit_started = False

    def _set_layout(self, keys, layer_names, shapes, dtypes) -> None:
        self._keys = list(keys)
        self._layer_names = {k: layer_names[k] for k in self._keys}
        self._shapes = {k: tuple(shapes[k]) for k in self._keys}
        self._dtypes = {k: dtypes[k] for k in self._keys}

    def _adopt_directory(self) -> None:
        """Continue the records an earlier run left in ``self.directory``."""
        meta = _read_directory_meta(self.directory)
        self._own_directory = os.path.abspath(self.directory)
        self._set_layout(
            meta["keys"], meta["layer_names"], meta["shapes"], meta["dtypes"]
        )
        self._kreg_version = meta["kreg_version"]
        for _, _, epoch, step, _ in _scan_records(self.directory, meta, values=False):
            self._epochs.append(epoch)
            self._steps.append(step)

    def _check_directory_free(self) -> None:
        """Refuse to start a record over another history's files in the directory.

        The files of this callback (written by its previous ``fit``, or adopted
        with ``append=True``) are its own to replace.
        """
        directory = self.directory
        if (
            self.overwrite
            or not os.path.isdir(directory)
            or self._own_directory == os.path.abspath(directory)
        ):
            return
        has_meta = os.path.exists(os.path.join(directory, _META_FILE))
        records = len(_record_files(directory))
        if not has_meta and not records:
            return
        found = [repr(_META_FILE)] if has_meta else []
        if records:
            found.append(f"{records} record file{'' if records == 1 else 's'}")
        resume = (
            " " if self.append or not has_meta else ", append=True to continue it, "
        )
        raise FileExistsError(
            f"WeightHistory: the directory {directory!r} already holds another "
            f"history ({' and '.join(found)}), which a new record would delete. "
            f"Pass overwrite=True to delete it{resume}or choose another directory."
        )

    @staticmethod
    def _check_layers(layers: Any) -> list | None:
        if layers is None:
            return None
        if isinstance(layers, (str, keras.layers.Layer)):
            return [layers]
        if not isinstance(layers, (list, tuple)):
            _fail(
                "layers", "a layer name, a layer, or a list of them", layers, TypeError
            )
        if not layers:
            _fail("layers", "a non-empty list of layer names or layers", layers)
        for item in layers:
            if not isinstance(item, (str, keras.layers.Layer)):
                _fail(
                    "layers",
                    "a list of layer names (str) or keras.layers.Layer objects",
                    layers,
                    TypeError,
                )
        return list(layers)

    # -- public data ------------------------------------------------------------

    @property
    def epochs(self) -> list[int]:
        """The epoch of each record: 0 = before training (a new list)."""
        return list(self._epochs)

    @property
    def steps(self) -> list[int]:
        """The optimizer steps since the record began, one per record."""
        return list(self._steps)

    @property
    def kreg_version(self) -> str | None:
        """The kreg version that recorded the history (that wrote it, if loaded)."""
        return self._kreg_version

    @property
    def layer_names(self) -> dict[str, str]:
        """Key -> name of the layer owning the weight (a new dict)."""
        return dict(self._layer_names)

    @property
    def weights(self) -> dict[str, np.ndarray]:
        """Key -> read-only array of shape ``(records, *weight_shape)``."""
        if self.directory is not None:
            return dict(self._read_directory_arrays())
        if any(self._pending.get(k) for k in self._keys):
            for key in self._keys:
                parts = self._pending[key]
                if not parts:
                    continue
                new = np.stack(parts)
                old = self._stacked.get(key)
                merged = new if old is None else np.concatenate([old, new])
                merged.flags.writeable = False
                self._stacked[key] = merged
                parts.clear()
        return {key: self._array(key) for key in self._keys}

    def _array(self, key: str) -> np.ndarray:
        array = self._stacked.get(key)
        if array is None:
            array = np.empty((0, *self._shapes[key]), dtype=self._dtypes[key])
            array.flags.writeable = False
        return array

    def _read_directory_arrays(self) -> dict[str, np.ndarray]:
        if self._disk_cache is not None and self._disk_cache[0] == len(self._epochs):
            return self._disk_cache[1]
        meta = {"keys": self._keys, "shapes": self._shapes, "dtypes": self._dtypes}
        per_key: dict[str, list] = {k: [] for k in self._keys}
        count = 0
        if self._keys and os.path.isdir(self.directory):
            for index, _, _, _, arrays in _scan_records(
                self.directory, meta, values=True
            ):
                if index >= len(self._epochs):
                    break
                for key, array in zip(self._keys, arrays, strict=True):
                    per_key[key].append(array)
                count += 1
        if self._keys and count != len(self._epochs):
            raise ValueError(
                f"The WeightHistory directory {self.directory!r} holds "
                f"{count} readable records; this history has {len(self._epochs)}."
            )
        out = {}
        for key in self._keys:
            array = (
                np.stack(per_key[key])
                if per_key[key]
                else np.empty((0, *self._shapes[key]), dtype=self._dtypes[key])
            )
            array.flags.writeable = False
            out[key] = array
        self._disk_cache = (len(self._epochs), out)
        return out

    def keys(self) -> list[str]:
        """The recorded keys (variable paths), in the model's order of weights."""
        return list(self._keys)

    def _resolve_key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise KeyError(
                f"WeightHistory keys are strings (variable paths). Received: {key!r}"
            )
        if key in self._layer_names:
            return key
        matches = [k for k in self._keys if k.endswith("/" + key)]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise KeyError(
                f"{key!r} is ambiguous: it ends {len(matches)} keys "
                f"{_key_list(matches)}. Use a longer suffix or the full key."
            )
        raise KeyError(
            f"{key!r} is not a recorded weight. Recorded keys: {_key_list(self._keys)}"
        )

    def __getitem__(self, key: str) -> np.ndarray:
        """The records of one weight, by exact key or unique suffix ("dense/kernel").

        Raises:
            KeyError: If no key or several keys end with ``key``; the message lists
                the candidates.
        """
        key = self._resolve_key(key)
        if self.directory is not None:
            return self._read_directory_arrays()[key]
        return self.weights[key]

    def __contains__(self, key: object) -> bool:
        try:
            self._resolve_key(key)
        except KeyError:
            return False
        return True

    def __len__(self) -> int:
        """The number of records."""
        return len(self._epochs)

    def __bool__(self) -> bool:
        # A callback is always truthy, even before it has recorded anything
        # (``if callback:`` must not drop an empty history).
        return True

    def __repr__(self) -> str:
        where = f", directory={self.directory!r}" if self.directory else ""
        if not self._epochs:
            return f"<WeightHistory: no records{where}>"
        plural = "" if len(self._keys) == 1 else "s"
        return (
            f"<WeightHistory: {len(self._keys)} weight{plural}, "
            f"{len(self._epochs)} records (epochs {self._epochs[0]} to "
            f"{self._epochs[-1]}){where}>"
        )

    # -- statistics -------------------------------------------------------------

    def stats(self, tol: float = 1e-3) -> WeightStats:
        """Per-record statistics of every recorded weight.

        For each key and record, with ``w`` the record's values flattened (in
        float64): ``l1 = sum(|w|)``, ``l2 = sqrt(sum(w ** 2))``, ``min``, ``max``,
        ``mean_abs = mean(|w|)``, ``std`` (``ddof=0``), ``zero_fraction =
        mean(w == 0)`` (exact zeros), ``small_fraction = mean(|w| < tol)`` and
        the percentiles ``p5``, ``p25``, ``p50``, ``p75``, ``p95``
        (``numpy.percentile``, linear interpolation). A streaming history is read
        one record at a time, so memory stays flat.

        Args:
            tol: The threshold of ``small_fraction``, a finite number >= 0.
                Default ``1e-3``.

        Returns:
            A ``WeightStats``: ``stats[key][name]`` is a NumPy array with one value
            per record; ``stats.summary[key][name]`` compares the last record with
            the first; ``print(stats)`` shows the summary.

        Raises:
            ValueError: If ``tol`` is negative, NaN or infinite.
            TypeError: If ``tol`` is not a real number.

        Examples:
            >>> import numpy as np
            >>> history = WeightHistory.from_arrays(
            ...     {"dense/kernel": np.array([[3.0, -4.0], [0.0, 0.0005]])}, [0, 5]
            ... )
            >>> stats = history.stats(tol=1e-3)
            >>> stats["dense/kernel"]["l2"].tolist()
            [5.0, 0.0005]
            >>> stats["dense/kernel"]["small_fraction"].tolist()
            [0.0, 1.0]
            >>> round(stats.summary["dense/kernel"]["l2"]["ratio"], 6)
            0.0001
        """
        tol = check_nonnegative("tol", tol)
        records = len(self._epochs)
        sizes = {k: int(np.prod(self._shapes[k], dtype=np.int64)) for k in self._keys}
        results: dict[str, dict[str, list]] = {
            k: {name: [] for name in STAT_NAMES} for k in self._keys
        }

        def add(key: str, block: np.ndarray) -> None:
            for name, values in _block_stats(block, tol).items():
                results[key][name].append(values)

        if self.directory is not None and records:
            meta = {"keys": self._keys, "shapes": self._shapes, "dtypes": self._dtypes}
            for index, _, _, _, arrays in _scan_records(
                self.directory, meta, values=True
            ):
                if index >= records:
                    break
                for key, array in zip(self._keys, arrays, strict=True):
                    add(key, array.reshape(1, -1))
        else:
            weights = self.weights
            for key in self._keys:
                flat = weights[key].reshape(records, -1)
                chunk = max(1, _STATS_BLOCK // max(1, sizes[key]))
                for start in range(0, records, chunk):
                    add(key, flat[start : start + chunk])
        values = {
            key: {
                name: (
                    np.concatenate(parts) if parts else np.empty(0, dtype=np.float64)
                )
                for name, parts in per_stat.items()
            }
            for key, per_stat in results.items()
        }
        return WeightStats(
            values,
            epochs=self._epochs,
            steps=self._steps,
            tol=tol,
            layer_names=self._layer_names,
            sizes=sizes,
        )

    # -- files ------------------------------------------------------------------

    def save(self, path: str | os.PathLike) -> None:
        """Write the history to one ``.npz`` file, atomically.

        The archive holds ``epochs`` and ``steps`` (int64), one array ``w<i>`` of
        shape ``(records, *weight_shape)`` per key in its recorded dtype, and
        ``metadata``: a 0-d string array of JSON text (format name and version,
        kreg version, keys, layer names, shapes, dtypes). NumPy reads it with
        ``allow_pickle=False``. It is written to a temporary file in the same
        directory, then renamed over ``path``, so a reader never sees a partial
        file. ``path`` is used as given (no extension is added).

        Args:
            path: The file to write.

        Raises:
            TypeError: If ``path`` is not a str or ``os.PathLike``.
            OSError: If the file cannot be written (its directory is missing, no
                permission, a full disk); the message names ``path``, and an
                existing file at ``path`` is left as it was.

        Examples:
            >>> import os, tempfile, numpy as np
            >>> history = WeightHistory.from_arrays(
            ...     {"dense/kernel": np.zeros((2, 3, 4), dtype="float16")}, [0, 1]
            ... )
            >>> path = os.path.join(tempfile.mkdtemp(), "history.npz")
            >>> history.save(path)
            >>> WeightHistory.load(path)["dense/kernel"].dtype
            dtype('float16')
        """
        if not isinstance(path, (str, os.PathLike)):
            _fail("path", "a path (str or os.PathLike)", path, TypeError)
        path = os.fspath(path)
        weights = self.weights
        meta = _metadata(self._keys, self._layer_names, self._shapes, self._dtypes)
        arrays = {
            "metadata": np.array(json.dumps(meta)),
            "epochs": np.asarray(self._epochs, dtype=np.int64),
            "steps": np.asarray(self._steps, dtype=np.int64),
        }
        for i, key in enumerate(self._keys):
            arrays[f"w{i}"] = weights[key]
        atomic_write(path, lambda file: np.savez(file, **arrays))

    @classmethod
    def load(cls, path: str | os.PathLike) -> WeightHistory:
        """Read a history saved by ``save`` (a file) or streamed (a directory).

        From a streaming directory, every complete record is read, in order; a
        missing or unreadable record file ends the reading with a warning (the
        records before it are returned). Files are read with
        ``allow_pickle=False``.

        Args:
            path: An ``.npz`` file written by ``save``, or a directory written with
                ``WeightHistory(directory=...)``.

        Returns:
            A ``WeightHistory`` holding the records in memory.

        Raises:
            FileNotFoundError: If ``path`` does not exist.
            OSError: If a file cannot be opened (no permission, ...); the message
                names the file.
            ValueError: If the file is truncated or corrupt, is not a kreg
                WeightHistory file, or was written by a newer format version;
                the message names the path.

        Examples:
            >>> import os, tempfile, numpy as np
            >>> path = os.path.join(tempfile.mkdtemp(), "h.npz")
            >>> WeightHistory.from_arrays({"d/kernel": np.ones((1, 2))}, [0]).save(path)
            >>> WeightHistory.load(path).epochs
            [0]
        """
        if not isinstance(path, (str, os.PathLike)):
            _fail("path", "a path (str or os.PathLike)", path, TypeError)
        path = os.fspath(path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"No WeightHistory file or directory at {path!r}.")
        if not os.path.isdir(path):
            return _load_npz(path)
        meta = _read_directory_meta(path)
        epochs, steps = [], []
        per_key: dict[str, list] = {k: [] for k in meta["keys"]}
        for _, _, epoch, step, arrays in _scan_records(path, meta, values=True):
            epochs.append(epoch)
            steps.append(step)
            for key, array in zip(meta["keys"], arrays, strict=True):
                per_key[key].append(array)
        weights = {
            key: (
                np.stack(parts)
                if parts
                else np.empty((0, *meta["shapes"][key]), dtype=meta["dtypes"][key])
            )
            for key, parts in per_key.items()
        }
        history = cls.from_arrays(
            weights, epochs, layer_names=meta["layer_names"], steps=steps
        )
        history._kreg_version = meta["kreg_version"]
        return history

    @classmethod
    def from_arrays(
        cls,
        weights: Mapping[str, Any],
        epochs: Sequence[int],
        *,
        layer_names: Mapping[str, str] | None = None,
        steps: Sequence[int] | None = None,
    ) -> WeightHistory:
        """Build a history from arrays recorded elsewhere.

        NumPy arrays are kept as they are (no copy; the history holds read-only
        views of them); other array-likes are converted with ``numpy.asarray``.

        Args:
            weights: Mapping of key (e.g. ``"sequential/dense/kernel"``) to an array
                of shape ``(records, *weight_shape)``.
            epochs: The epoch of each record (integers, 0 = before training).
            layer_names: Key -> layer name. By default the path component before
                the last one (``"dense"`` for ``"sequential/dense/kernel"``).
            steps: The optimizer step of each record. Default: ``-1`` for each
                (unknown).

        Returns:
            A ``WeightHistory`` (usable as data; as a callback it starts afresh).

        Raises:
            TypeError: If ``weights`` is not a mapping with string keys, or an
                epoch is not an integer.
            ValueError: If an array does not have ``len(epochs)`` records, or
                ``steps`` does not have one entry per record.

        Examples:
            >>> import numpy as np
            >>> history = WeightHistory.from_arrays(
            ...     {"model/dense/kernel": np.zeros((3, 2, 4))}, [0, 1, 2]
            ... )
            >>> len(history), history.layer_names
            (3, {'model/dense/kernel': 'dense'})
        """
        if not isinstance(weights, Mapping):
            _fail("weights", "a mapping of key to array", weights, TypeError)
        epoch_list = cls._check_ints("epochs", epochs)
        records = len(epoch_list)
        step_list = [-1] * records if steps is None else cls._check_ints("steps", steps)
        if len(step_list) != records:
            _fail("steps", f"one entry per record ({records})", steps)
        if layer_names is not None and not isinstance(layer_names, Mapping):
            _fail(
                "layer_names", "a mapping of key to layer name", layer_names, TypeError
            )
        arrays: dict[str, np.ndarray] = {}
        names: dict[str, str] = {}
        for key, value in weights.items():
            if not isinstance(key, str):
                raise TypeError(
                    "Invalid value for argument `weights`: expected a mapping with "
                    f"string keys. Received: a key {key!r}"
                )
            array = np.asarray(value)
            if array.ndim < 1 or array.shape[0] != records:
                raise ValueError(
                    "Invalid value for argument `weights`: expected arrays with "
                    f"len(epochs) = {records} records on the first axis. Received: "
                    f"weights[{key!r}] of shape {array.shape}"
                )
            view = array.view()
            view.flags.writeable = False
            arrays[key] = view
            if layer_names is not None and key in layer_names:
                names[key] = str(layer_names[key])
            else:
                parts = key.split("/")
                names[key] = parts[-2] if len(parts) > 1 else parts[0]
        history = cls()
        history._set_layout(
            list(arrays),
            names,
            {k: a.shape[1:] for k, a in arrays.items()},
            {k: a.dtype.name for k, a in arrays.items()},
        )
        history._stacked = arrays
        history._pending = {k: [] for k in arrays}
        history._epochs = epoch_list
        history._steps = step_list
        return history

    @staticmethod
    def _check_ints(name: str, values: Any) -> list[int]:
        if isinstance(values, (str, bytes)):
            _fail(name, "a sequence of integers", values, TypeError)
        try:
            items = list(values)
        except TypeError:
            _fail(name, "a sequence of integers", values, TypeError)
        for item in items:
            if isinstance(item, bool) or not isinstance(item, (int, np.integer)):
                _fail(name, "a sequence of integers", values, TypeError)
        return [int(item) for item in items]

    # -- selection --------------------------------------------------------------

    def _select_variables(self, model: Any) -> list:
        """The variables to record, in the model's order of weights."""
        model_weights = list(model.weights)
        layers = _all_layers(model)
        wanted = _is_kernel if not self.include_bias else None

        def keep(variable: Any) -> bool:
            if wanted is not None:
                return wanted(variable)
            return _is_kernel(variable) or _is_bias(variable)

        if self._selection is None:
            candidates = {id(v) for v in model_weights}
        else:
            candidates = set()
            by_name: dict[str, list] = {}
            for layer in layers:
                if not isinstance(layer, keras.layers.InputLayer):
                    by_name.setdefault(layer.name, []).append(layer)
            in_model = {id(layer) for layer in layers}
            for item in self._selection:
                if isinstance(item, str):
                    found = by_name.get(item)
                    if not found:
                        warnings.warn(
                            f"WeightHistory: the model has no layer named {item!r}; "
                            f"it is ignored. Valid names: {list(by_name)}",
                            stacklevel=3,
                        )
                        continue
                else:
                    if id(item) not in in_model:
                        warnings.warn(
                            f"WeightHistory: layer {item.name!r} (given as an "
                            "object) is not part of the model; it is ignored.",
                            stacklevel=3,
                        )
                        continue
                    found = [item]
                chosen = [v for layer in found for v in layer.weights if keep(v)]
                if not chosen:
                    what = "kernel or bias" if self.include_bias else "kernel"
                    warnings.warn(
                        f"WeightHistory: layer {found[0].name!r} has no {what} to "
                        "record.",
                        stacklevel=3,
                    )
                candidates.update(id(v) for v in chosen)
        return [v for v in model_weights if id(v) in candidates and keep(v)]

    def _layout_from_model(self, model: Any) -> tuple:
        variables = self._select_variables(model)
        owners = _owner_names(_all_layers(model), variables)
        keys, names, shapes, dtypes = [], {}, {}, {}
        for variable in variables:
            key = variable.path
            if key in names:  # two variables with one path: keep both apart
                n = 2
                while f"{key}#{n}" in names:
                    n += 1
                key = f"{key}#{n}"
            keys.append(key)
            names[key] = owners[id(variable)]
            shapes[key] = tuple(int(d) for d in variable.shape)
            dtypes[key] = _storage_dtype(variable)
        return variables, keys, names, shapes, dtypes

    # -- callback hooks ---------------------------------------------------------

    def on_train_begin(self, logs: dict | None = None) -> None:
        variables, keys, names, shapes, dtypes = self._layout_from_model(self.model)
        if not keys:
            warnings.warn(
                "WeightHistory: no weights to record (the selected layers have no "
                "kernels, or the model is not built yet).",
                stacklevel=2,
            )
        continuing = self.append and bool(self._epochs)
        if continuing:
            old = [(k, self._shapes[k], self._dtypes[k]) for k in self._keys]
            new = [(k, shapes[k], dtypes[k]) for k in keys]
            if old != new:
                raise ValueError(
                    "WeightHistory(append=True) cannot continue: the weights to "
                    f"record changed. Recorded: {_key_list(self._keys)}; now: "
                    f"{_key_list(keys)} (or their shapes or dtypes differ). Use a "
                    "new WeightHistory, or append=False."
                )
        else:
            directory = self.directory
            if directory is not None:
                self._check_directory_free()
            self._clear()
            self._set_layout(keys, names, shapes, dtypes)
            self._stacked = {}
            self._pending = {k: [] for k in keys}
            self._kreg_version = __version__
            if directory is not None:
                os.makedirs(directory, exist_ok=True)
                self._own_directory = os.path.abspath(directory)
                self._remove_records_from(0)
                meta = _metadata(keys, names, shapes, dtypes)
                _write_json(os.path.join(directory, _META_FILE), meta)
        if continuing and self.directory is not None:
            self._remove_records_from(len(self._epochs))
        self._variables = variables
        self._fit_started = False
        self._offset = 0
        self._last_done: int | None = None
        self._dirty = False
        self._flagged: set[str] = set()
        self._iterations_start = self._iterations()
        self._step_base = self._steps[-1] if continuing else 0
        self._batches_done = 0  # training batches completed in this fit
        self._epoch_batches = 0  # ... before the current epoch
        self._batch_base = self._step_base

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if not self._fit_started:
            self._fit_started = True
            if self.append and self._epochs:
                last = self._epochs[-1]
                if epoch < last:
                    warnings.warn(
                        f"WeightHistory(append=True): this fit starts at epoch "
                        f"{epoch} but the record already reaches epoch {last}; "
                        f"numbering continues from {last}. Pass "
                        f"initial_epoch={last} to fit to continue Keras' epoch "
                        "numbering.",
                        stacklevel=2,
                    )
                    self._offset = last - epoch
                elif epoch > last:
                    self._record(epoch)
            else:
                self._record(epoch)
        self._epoch_label = epoch + 1 + self._offset

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        label = epoch + 1 + self._offset
        self._last_done = label
        if self.every_batches is not None:
            self._epoch_batches = self._batches_done
            return
        self._dirty = True
        total = self.params.get("epochs") if self.params else None
        if label % self.every == 0 or (total is not None and epoch + 1 >= total):
            self._record(label)

    def _on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        # Only bound as ``on_train_batch_end`` when ``every_batches`` is given.
        # ``batch`` is the index (within the epoch) of the last batch just run.
        self._batches_done = self._epoch_batches + batch + 1
        self._dirty = True
        k = self.every_batches
        now = self._batch_base + self._batches_done
        if now // k > self._last_scheduled // k:
            self._record(self._epoch_label)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._dirty and self._last_done is not None:
            self._record(self._last_done)
        self._variables = []

    # -- recording --------------------------------------------------------------

    @property
    def _last_scheduled(self) -> int:
        return self._steps[-1] if self._steps else 0

    def _iterations(self) -> int | None:
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        if iterations is None:
            return None
        return int(iterations)

    def _step(self) -> int:
        if self.every_batches is None:
            now = self._iterations()
            if now is not None and self._iterations_start is not None:
                return self._step_base + now - self._iterations_start
        return self._batch_base + self._batches_done

    def _record(self, epoch: int) -> None:
        # On JAX, fit keeps the trained state outside the variables during an
        # epoch; reading ``Callback.model`` writes it back into them.
        self.model  # noqa: B018
        values = [to_numpy(v) for v in self._variables]
        step = self._step()
        if self.on_nonfinite != "ignore":
            self._check_finite(values, epoch)
        index = len(self._epochs)
        if self.directory is not None:
            arrays = {"epoch": np.int64(epoch), "step": np.int64(step)}
            arrays.update({f"w{i}": value for i, value in enumerate(values)})
            atomic_write(
                _record_path(self.directory, index),
                lambda file: np.savez(file, **arrays),
            )
        else:
            for key, value in zip(self._keys, values, strict=True):
                self._pending[key].append(value)
        self._epochs.append(int(epoch))
        self._steps.append(int(step))
        self._dirty = False

    def _check_finite(self, values: list[np.ndarray], epoch: int) -> None:
        for key, value in zip(self._keys, values, strict=True):
            if value.dtype.kind not in "fc" or np.isfinite(value).all():
                continue
            if key not in self._flagged:
                self._flagged.add(key)
                bad = int(value.size - np.count_nonzero(np.isfinite(value)))
                stop = self.on_nonfinite == "stop"
                warnings.warn(
                    f"WeightHistory: non-finite weights (NaN or inf) in {key!r} "
                    f"(layer {self._layer_names[key]!r}) at epoch {epoch}: {bad} of "
                    f"{value.size} values." + (" Stopping training." if stop else ""),
                    stacklevel=3,
                )
            if self.on_nonfinite == "stop":
                self.model.stop_training = True

    def _remove_records_from(self, first: int) -> None:
        """Delete this directory's record files numbered ``first`` and above."""
        for index, path in _record_files(self.directory):
            if index >= first:
                os.remove(path)
        for name in os.listdir(self.directory):
            if name.startswith(TMP_PREFIX) and name.endswith(".tmp"):
                try:
                    os.remove(os.path.join(self.directory, name))
                except OSError:  # pragma: no cover - removed concurrently
                    pass
