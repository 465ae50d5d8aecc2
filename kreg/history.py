"""Weight snapshots during ``model.fit``: the callback, its statistics and its files.

Guide: "Weight history".
"""

from __future__ import annotations

import contextlib
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
    _is_int,
    _Shown,
    check_bool,
    check_choice,
    check_int,
    check_nonnegative,
    check_path,
)
from kreg._version import __version__

__all__ = ["FORMAT_VERSION", "STAT_NAMES", "WeightHistory", "WeightStats"]

#: Version of the file format written by ``WeightHistory.save`` and by streaming.
FORMAT_VERSION = 1
_PERCENTILES = (5, 25, 50, 75, 95)
#: The statistics computed by ``WeightHistory.stats``, in display order.
STAT_NAMES = (
    *("l1", "l2", "min", "max", "mean_abs", "std", "zero_fraction", "small_fraction"),
    *(f"p{q}" for q in _PERCENTILES),
)

_FORMAT_NAME = "kreg.WeightHistory"
_META_FILE = "weight_history.json"
_RECORD_PATTERN = re.compile(r"^record-(\d{6,})\.npz$")
_ON_NONFINITE = ("warn", "stop", "ignore")
#: What describes the records of a history: "keys" (a list), then key -> value.
_LAYOUT = ("keys", "layer_names", "shapes", "dtypes")
#: The columns of ``WeightStats.summary``.
_SUMMARY = ("first", "last", "change", "ratio")
# Statistics are computed on float64 blocks of at most this many values.
_STATS_BLOCK = 1 << 22
#: What NumPy raises for a truncated or corrupt ``.npz`` file.
_READ_ERRORS = (OSError, ValueError, EOFError, zipfile.BadZipFile)


# --- small helpers -----------------------------------------------------------------


def _layer_of(path: str) -> str:
    """The layer name in a variable path: the component before the last."""
    return path.split("/")[-2] if "/" in path else path


def _owner_names(layers: list, variables: list) -> dict[int, str]:
    """``id(variable)`` -> the name of the innermost layer holding it."""
    owners: dict[int, tuple[int, str]] = {}
    for layer in layers:
        weights = layer.weights
        for variable in weights:
            best = owners.get(id(variable))
            # Layers come parents first: on a tie the later (inner) layer wins.
            if best is None or len(weights) <= best[0]:
                owners[id(variable)] = (len(weights), layer.name)
    return {
        id(v): owners[id(v)][1] if id(v) in owners else _layer_of(v.path)
        for v in variables
    }


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _key_list(keys: Sequence[str]) -> str:
    shown = ", ".join(repr(k) for k in keys[:20])
    more = f", ... ({len(keys) - 20} more)" if len(keys) > 20 else ""
    return f"[{shown}{more}]"


def _find_key(key: Any, keys: Sequence[str], unknown: str) -> str:
    """``key``, or the one of ``keys`` ending with ``"/" + key``; else a KeyError."""
    if key in keys:
        return key
    matches = [k for k in keys if isinstance(key, str) and k.endswith("/" + key)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise KeyError(
            f"{key!r} is ambiguous: it ends {len(matches)} keys "
            f"{_key_list(matches)}. Use a longer suffix or the full key."
        )
    raise KeyError(f"{key!r} is not {unknown}: {_key_list(keys)}")


def _stack(parts: list, shape: tuple, dtype: str) -> np.ndarray:
    """The records ``parts`` of one weight as one read-only array."""
    array = np.stack(parts) if parts else np.empty((0, *shape), dtype=dtype)
    array.flags.writeable = False
    return array


def _check_ints(name: str, values: Any) -> list[int]:
    try:
        items = list(values)
    except TypeError:  # not iterable: fails the check below
        items = [None]
    if isinstance(values, (str, bytes)) or not all(map(_is_int, items)):
        _fail(name, "a sequence of integers", values, TypeError)
    return [int(item) for item in items]


# --- statistics --------------------------------------------------------------------


def _block_stats(values: np.ndarray, tol: float) -> dict[str, np.ndarray]:
    """Statistics of each row of a 2-D block of shape (records, size)."""
    if values.shape[1] == 0:
        return {name: np.full(values.shape[0], np.nan) for name in STAT_NAMES}
    values = values.astype(np.float64, copy=False)
    magnitude = np.abs(values)
    percentiles = np.percentile(values, _PERCENTILES, axis=1)
    return {
        "l1": magnitude.sum(axis=1),
        "l2": np.sqrt(np.square(values).sum(axis=1)),
        "min": values.min(axis=1),
        "max": values.max(axis=1),
        "mean_abs": magnitude.mean(axis=1),
        "std": values.std(axis=1),
        "zero_fraction": (values == 0).mean(axis=1),
        "small_fraction": (magnitude < tol).mean(axis=1),
        **{f"p{q}": row for q, row in zip(_PERCENTILES, percentiles, strict=True)},
    }


def _summary(stats: Mapping[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Statistic -> the first and last values, their change and their ratio."""
    out = {}
    for name in STAT_NAMES:
        values = stats[name]
        first, last = (values[0], values[-1]) if len(values) else (math.nan,) * 2
        first, last = float(first), float(last)
        ratio = last / first if first != 0 else math.nan
        out[name] = dict(zip(_SUMMARY, (first, last, last - first, ratio), strict=True))
    return out


class WeightStats(dict):
    """Statistics of a ``WeightHistory``: ``stats[key][name]`` is one value per record.

    A ``dict`` key -> statistic (``STAT_NAMES``) -> array of shape ``(records,)``.
    For the values ``w`` of one record (flattened, in float64):

    - ``l1 = sum(|w|)``, ``l2 = sqrt(sum(w ** 2))`` (the L2 norm, not its square),
    - ``min``, ``max``, ``mean_abs = mean(|w|)``, ``std`` (population, ``ddof=0``),
    - ``zero_fraction = mean(w == 0)``, ``small_fraction = mean(|w| < tol)``,
    - ``p5``, ``p25``, ``p50``, ``p75``, ``p95``: ``numpy.percentile`` (linear).

    ``print(stats)`` shows :meth:`to_string`; a unique suffix of a key works too.

    Attributes:
        epochs: Array of the recorded epochs (0 = before training).
        steps: Array of the optimizer steps at each record.
        tol: The threshold of ``small_fraction``.
        layer_names: Key -> name of the layer owning the weight.
        sizes: Key -> number of values in the weight.
        summary: Key -> statistic -> ``{"first", "last", "change", "ratio"}``:
            ``last - first`` and ``last / first`` (NaN when ``first`` is 0).

    Examples:
        >>> import numpy as np
        >>> kernel = np.array([[[1.0, -2.0], [0.0, 0.5]], [[0.5, -1.0], [0.0, 0.0]]])
        >>> history = WeightHistory.from_arrays({"net/dense/kernel": kernel}, [0, 1])
        >>> history.stats().summary["net/dense/kernel"]["l1"]
        {'first': 3.5, 'last': 1.5, 'change': -2.0, 'ratio': 0.42857142857142855}
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
        return self[_find_key(key, list(self), "a key. Keys")]

    def to_string(self, keys: Sequence[str] | None = None) -> str:
        """The summary as text: one table per weight, first vs last record.

        Args:
            keys: The weights to show (keys or unique suffixes), by default all.

        Returns:
            A multi-line string.

        Examples:
            >>> import numpy as np
            >>> weights = {"dense/kernel": np.array([[1.0, -2.0], [0.5, 0.0]])}
            >>> text = WeightHistory.from_arrays(weights, [0, 1]).stats().to_string()
            >>> print(text)  # doctest: +ELLIPSIS, +NORMALIZE_WHITESPACE
            WeightStats: 1 weight, 2 records (epochs 0 to 1), tol=0.001
            <BLANKLINE>
            dense/kernel (layer 'dense', 2 values)
              statistic          epoch 0         epoch 1          change           ratio
              l1                       3             0.5            -2.5        0.166667
            ...
        """
        if keys is not None:
            keys = [_find_key(k, list(self), "a key. Keys") for k in keys]
        first, last = (
            (int(self.epochs[0]), int(self.epochs[-1])) if len(self.epochs) else (0, 0)
        )
        lines = [
            f"WeightStats: {_plural(len(self), 'weight')}, {len(self.epochs)} "
            f"records (epochs {first} to {last}), tol={self.tol:g}"
        ]
        columns = (f"epoch {first}", f"epoch {last}", "change", "ratio")
        header = f"  {'statistic':<15}" + "".join(f"{c:>16}" for c in columns)
        for key in self if keys is None else keys:
            owner = self.layer_names.get(key, "?")
            size = _plural(self.sizes.get(key, 0), "value")
            lines += ["", f"{key} (layer {owner!r}, {size})", header]
            for name in STAT_NAMES:
                row = self.summary[key][name]
                cells = "".join(f"{row[column]:>16.6g}" for column in _SUMMARY)
                lines.append(f"  {name:<15}{cells}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return self.to_string()

    __str__ = __repr__


# --- files -------------------------------------------------------------------------


def _metadata(layout: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON metadata of a file or directory of records with ``layout``."""
    return {
        "format": _FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "kreg_version": __version__,
        **{name: layout[name] for name in _LAYOUT},
    }


def _check_metadata(meta: Any, where: str) -> dict[str, Any]:
    """The layout and kreg version of parsed metadata; errors name ``where``."""
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
        return {
            "keys": keys,
            "layer_names": {k: str(meta["layer_names"][k]) for k in keys},
            "shapes": {k: tuple(int(d) for d in meta["shapes"][k]) for k in keys},
            "dtypes": {k: np.dtype(meta["dtypes"][k]).name for k in keys},
            "kreg_version": meta.get("kreg_version"),
        }
    except (KeyError, TypeError, ValueError) as err:
        raise ValueError(f"{where} has incomplete metadata: {err!r}.") from err


def _open_npz(path: str):
    try:
        data = np.load(path, allow_pickle=False)
    except _READ_ERRORS as err:
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
    try:
        return data[name]
    except KeyError:
        raise ValueError(
            f"{path!r} is not a kreg WeightHistory file or is incomplete: it has "
            f"no array {name!r}."
        ) from None
    except _READ_ERRORS as err:
        raise ValueError(
            f"Cannot read array {name!r} of {path!r}: the file is truncated or "
            f"corrupt ({err})."
        ) from err


def _read_weights(data: Any, layout: Mapping, path: str, *records: int) -> list:
    """The ``w<i>`` arrays of an archive, checked against ``layout`` and ``records``."""
    arrays = []
    for i, key in enumerate(layout["keys"]):
        array = _read_npz_member(data, f"w{i}", path)
        shape, dtype = (*records, *layout["shapes"][key]), layout["dtypes"][key]
        if array.shape != shape or array.dtype.name != dtype:
            raise ValueError(
                f"{key!r} in {path!r} has shape {array.shape} and dtype "
                f"{array.dtype.name}; the metadata says {shape} and {dtype}."
            )
        arrays.append(array)
    return arrays


def _load_npz(path: str) -> tuple[dict, list, list, dict[str, np.ndarray]]:
    """The layout, epochs, steps and weights of a file written by ``save``."""
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
        arrays = _read_weights(data, meta, path, len(epochs))
    weights = dict(zip(meta["keys"], arrays, strict=True))
    return meta, [int(e) for e in epochs], [int(s) for s in steps], weights


def _record_files(directory: str) -> list[tuple[int, str]]:
    """``(index, path)`` of the record files in ``directory``, in order."""
    if not os.path.isdir(directory):
        return []
    matches = (_RECORD_PATTERN.match(name) for name in os.listdir(directory))
    return sorted(
        (int(m.group(1)), os.path.join(directory, m.group(0))) for m in matches if m
    )


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


def _scan_records(
    directory: str, layout: Mapping[str, Any], *, values: bool, limit: float = math.inf
) -> Iterator[tuple[int, int, int, list]]:
    """``(index, epoch, step, arrays)`` of the first ``limit`` complete records of
    a directory (``arrays`` empty unless ``values``); a gap or an unreadable file
    ends the scan with a warning."""
    for expected, (index, path) in enumerate(_record_files(directory)):
        if expected >= limit:
            return
        if index != expected:
            warnings.warn(
                f"WeightHistory directory {directory!r}: record {expected} is "
                f"missing; loading the {expected} records before it.",
                stacklevel=3,
            )
            return
        try:
            with _open_npz(path) as data:
                epoch = int(_read_npz_member(data, "epoch", path))
                step = int(_read_npz_member(data, "step", path))
                arrays = _read_weights(data, layout, path) if values else []
        except ValueError as err:
            warnings.warn(
                f"WeightHistory directory {directory!r}: record {index} cannot be "
                f"read ({err}); loading the {index} records before it.",
                stacklevel=3,
            )
            return
        yield index, epoch, step, arrays


def _read_stream(
    directory: str, layout: Mapping[str, Any], limit: float = math.inf
) -> tuple[list[int], list[int], dict[str, np.ndarray]]:
    """The epochs, steps and stacked weights of a directory's complete records."""
    epochs, steps, parts = [], [], {key: [] for key in layout["keys"]}
    scan = _scan_records(directory, layout, values=True, limit=limit)
    for _, epoch, step, arrays in scan:
        epochs.append(epoch)
        steps.append(step)
        for key, array in zip(layout["keys"], arrays, strict=True):
            parts[key].append(array)
    shapes, dtypes = layout["shapes"], layout["dtypes"]
    weights = {k: _stack(parts[k], shapes[k], dtypes[k]) for k in layout["keys"]}
    return epochs, steps, weights


# --- the callback ------------------------------------------------------------------


class WeightHistory(keras.callbacks.Callback):
    """Record copies of a model's weights during ``model.fit``.

    Records every kernel (variables named ``*kernel`` or ``embeddings``; biases too
    with ``include_bias=True``) of the ``layers``, nested ones included: before
    training (labelled with the epoch at the start of ``fit``), after every
    ``every``-th epoch (or ``every_batches``-th batch) and after the last one.
    Details: the guide "Weight history".

    Args:
        layers: Layer names, layer objects or a list of them (a nested model's name
            selects its layers); ``None``: every layer. Unknown names warn.
        include_bias: Whether to record biases too.
        every: Record after every ``every``-th epoch (>= 1).
        every_batches: Record after every ``every_batches``-th training batch
            instead (>= 1; not with ``every``).
        append: Whether a new ``fit`` continues the record.
        directory: A directory to stream the records to, one file per record;
            ``None``: keep them in memory.
        overwrite: Whether a new record may delete another history's files in
            ``directory``.
        on_nonfinite: What non-finite weights do: ``"warn"``, ``"stop"`` (training)
            or ``"ignore"``.

    Raises:
        TypeError: If an argument has the wrong type.
        ValueError: If ``every`` or ``every_batches`` is < 1, both are given,
            ``on_nonfinite`` is not a choice, or ``directory`` is a file.
        FileExistsError: If ``directory`` holds another history's files and neither
            ``overwrite`` nor ``append`` is true (checked again by ``fit``).

    Examples:
        >>> import keras, numpy as np
        >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(3)])
        >>> model.compile("sgd", "mse")
        >>> history = WeightHistory()
        >>> _ = model.fit(np.ones((8, 2)), np.ones((8, 3)), epochs=3, verbose=0,
        ...               callbacks=[history])
        >>> history.epochs, history["kernel"].shape
        ([0, 1, 2, 3], (4, 2, 3))
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
        self._selection = _check_layers(layers)
        self.include_bias = check_bool("include_bias", include_bias)
        self.every = check_int("every", every)
        if every_batches is not None:
            every_batches = check_int("every_batches", every_batches)
            if self.every != 1:
                expected = (
                    "1 (the default) when `every_batches` is given; records are "
                    "made either per epoch or per batch"
                )
                both = _Shown(f"{self.every}, every_batches={every_batches}")
                _fail("every", expected, both)
            # Only the per-batch mode has a batch hook (an instance attribute):
            # otherwise Keras keeps dispatching batches asynchronously.
            self.on_train_batch_end = self._on_train_batch_end
        self.every_batches = every_batches
        self.append = check_bool("append", append)
        if directory is not None:
            expected = "a path (str or os.PathLike) or None"
            directory = check_path("directory", directory, expected)
            if os.path.exists(directory) and not os.path.isdir(directory):
                _fail("directory", "a directory, not a file", directory)
        self.directory = directory
        self.overwrite = check_bool("overwrite", overwrite)
        self.on_nonfinite = check_choice("on_nonfinite", on_nonfinite, _ON_NONFINITE)
        self._clear()
        self._kreg_version: str | None = __version__
        # The directory (absolute) whose history files are this callback's own.
        self._own_directory: str | None = None
        if directory is not None:
            if self.append and os.path.exists(os.path.join(directory, _META_FILE)):
                self._adopt_directory()
            self._check_directory_free()

    def _clear(self) -> None:
        self._set_layout({"keys": [], "layer_names": {}, "shapes": {}, "dtypes": {}})
        self._epochs: list[int] = []
        self._steps: list[int] = []
        self._disk_cache: tuple[int, dict[str, np.ndarray]] | None = None
        self._variables: list = []
        self._fit_started = False

    def _set_layout(self, layout: Mapping[str, Any]) -> None:
        """Start an empty record of ``layout`` (keys; key -> layer, shape, dtype)."""
        self._layout = {name: layout[name] for name in _LAYOUT}
        self._stacked: dict[str, np.ndarray] = {}
        self._pending: dict[str, list[np.ndarray]] = {k: [] for k in layout["keys"]}

    def _adopt_directory(self) -> None:
        """Continue the records an earlier run left in ``self.directory``."""
        meta = _read_directory_meta(self.directory)
        self._own_directory = os.path.abspath(self.directory)
        self._set_layout(meta)
        self._kreg_version = meta["kreg_version"]
        for _, epoch, step, _ in _scan_records(self.directory, meta, values=False):
            self._epochs.append(epoch)
            self._steps.append(step)

    def _check_directory_free(self) -> None:
        """Refuse to record over another history's files in the directory."""
        directory = self.directory
        if self.overwrite or self._own_directory == os.path.abspath(directory):
            return
        has_meta = os.path.exists(os.path.join(directory, _META_FILE))
        records = len(_record_files(directory))
        if not has_meta and not records:
            return
        found = [repr(_META_FILE)] if has_meta else []
        if records:
            found.append(_plural(records, "record file"))
        resume = (
            " " if self.append or not has_meta else ", append=True to continue it, "
        )
        raise FileExistsError(
            f"WeightHistory: the directory {directory!r} already holds another "
            f"history ({' and '.join(found)}), which a new record would delete. "
            f"Pass overwrite=True to delete it{resume}or choose another directory."
        )

    @property
    def epochs(self) -> list[int]:
        """The epoch of each record: 0 = before training (a new list)."""
        return list(self._epochs)

    @property
    def steps(self) -> list[int]:
        """The training steps since the record began, one per record."""
        return list(self._steps)

    @property
    def kreg_version(self) -> str | None:
        """The kreg version that recorded the history (that wrote it, if loaded)."""
        return self._kreg_version

    @property
    def layer_names(self) -> dict[str, str]:
        """Key -> name of the layer owning the weight (a new dict)."""
        return dict(self._layout["layer_names"])

    @property
    def weights(self) -> dict[str, np.ndarray]:
        """Key (the variable's Keras ``path``) -> read-only array of shape
        ``(records, *weight_shape)``, read from disk when streaming."""
        return {key: self._records_of(key) for key in self._layout["keys"]}

    def _records_of(self, key: str) -> np.ndarray:
        """The read-only array of one key's records."""
        if self.directory is not None:
            return self._read_directory_arrays()[key]
        parts = self._pending[key]
        if parts or key not in self._stacked:
            records = [*self._stacked.get(key, ()), *parts]
            shape, dtype = self._layout["shapes"][key], self._layout["dtypes"][key]
            self._stacked[key] = _stack(records, shape, dtype)
            parts.clear()
        return self._stacked[key]

    def _read_directory_arrays(self) -> dict[str, np.ndarray]:
        records = len(self._epochs)
        if self._disk_cache is None or self._disk_cache[0] != records:
            weights = {}
            if self._layout["keys"]:
                epochs, _, weights = _read_stream(self.directory, self._layout, records)
                if len(epochs) != records:
                    raise ValueError(
                        f"The WeightHistory directory {self.directory!r} holds "
                        f"{len(epochs)} readable records; this history has {records}."
                    )
            self._disk_cache = (records, weights)
        return self._disk_cache[1]

    def keys(self) -> list[str]:
        """The recorded keys (variable paths), in the model's order of weights."""
        return list(self._layout["keys"])

    def _resolve_key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise KeyError(
                f"WeightHistory keys are strings (variable paths). Received: {key!r}"
            )
        return _find_key(key, self._layout["keys"], "a recorded weight. Recorded keys")

    def __getitem__(self, key: str) -> np.ndarray:
        """The records of one weight, by exact key or unique suffix."""
        return self._records_of(self._resolve_key(key))

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
        # Truthy even when empty: ``if callback:`` must not drop a history.
        return True

    def __repr__(self) -> str:
        where = f", directory={self.directory!r}" if self.directory else ""
        if not self._epochs:
            return f"<WeightHistory: no records{where}>"
        return (
            f"<WeightHistory: {_plural(len(self._layout['keys']), 'weight')}, "
            f"{len(self._epochs)} records (epochs {self._epochs[0]} to "
            f"{self._epochs[-1]}){where}>"
        )

    def stats(self, tol: float = 1e-3) -> WeightStats:
        """Per-record statistics of every recorded weight (formulas: ``WeightStats``).

        Args:
            tol: The threshold of ``small_fraction``, a finite number >= 0.

        Returns:
            A ``WeightStats``.

        Raises:
            ValueError: If ``tol`` is negative, NaN or infinite.
            TypeError: If ``tol`` is not a real number.

        Examples:
            >>> import numpy as np
            >>> weights = {"dense/kernel": np.array([[3.0, -4.0], [0.0, 0.0005]])}
            >>> WeightHistory.from_arrays(weights, [0, 5]).stats()["kernel"]["l2"]
            array([5.e+00, 5.e-04])
        """
        tol = check_nonnegative("tol", tol)
        keys, shapes = self._layout["keys"], self._layout["shapes"]
        sizes = {k: int(np.prod(shapes[k], dtype=np.int64)) for k in keys}
        empty = {name: np.empty(0) for name in STAT_NAMES}  # for 0 records
        blocks: dict[str, list] = {k: [empty] for k in keys}
        for key, block in self._blocks(sizes):
            blocks[key].append(_block_stats(block, tol))
        values = {
            key: {n: np.concatenate([part[n] for part in parts]) for n in STAT_NAMES}
            for key, parts in blocks.items()
        }
        return WeightStats(
            values,
            epochs=self._epochs,
            steps=self._steps,
            tol=tol,
            layer_names=self._layout["layer_names"],
            sizes=sizes,
        )

    def _blocks(self, sizes: Mapping[str, int]) -> Iterator[tuple[str, np.ndarray]]:
        """``(key, values)`` blocks of shape (records, size), of one record (streamed)
        or up to ``_STATS_BLOCK`` values."""
        records = len(self._epochs)
        keys = self._layout["keys"]
        if self.directory is None:
            for key in keys:
                flat = self._records_of(key).reshape(records, sizes[key])
                chunk = max(1, _STATS_BLOCK // max(1, sizes[key]))
                for start in range(0, records, chunk):
                    yield key, flat[start : start + chunk]
        else:
            layout = self._layout
            scan = _scan_records(self.directory, layout, values=True, limit=records)
            for _, _, _, arrays in scan:
                for key, array in zip(keys, arrays, strict=True):
                    yield key, array.reshape(1, -1)

    def save(self, path: str | os.PathLike) -> None:
        """Write the history to one ``.npz`` file (no extension added), atomically.

        The format: the guide "Weight history"; ``numpy.load`` reads it.

        Args:
            path: The file to write.

        Raises:
            TypeError: If ``path`` is not a str or ``os.PathLike``.
            OSError: If the file cannot be written; it names ``path``, left as it was.

        Examples:
            >>> import os, tempfile, numpy as np
            >>> path = os.path.join(tempfile.mkdtemp(), "history.npz")
            >>> weights = {"dense/kernel": np.zeros((2, 3, 4), dtype="float16")}
            >>> WeightHistory.from_arrays(weights, [0, 1]).save(path)
            >>> WeightHistory.load(path)["dense/kernel"].dtype
            dtype('float16')
        """
        path = check_path("path", path)
        arrays = {
            "metadata": np.array(json.dumps(_metadata(self._layout))),
            "epochs": np.asarray(self._epochs, dtype=np.int64),
            "steps": np.asarray(self._steps, dtype=np.int64),
            **{f"w{i}": array for i, array in enumerate(self.weights.values())},
        }
        atomic_write(path, lambda file: np.savez(file, **arrays))

    @classmethod
    def load(cls, path: str | os.PathLike) -> WeightHistory:
        """Read a history saved by ``save`` (a file) or streamed (a directory).

        A missing or unreadable record file of a directory ends the reading with a
        warning.

        Args:
            path: A file written by ``save``, or a ``WeightHistory(directory=...)``.

        Returns:
            A ``WeightHistory`` holding the records in memory.

        Raises:
            FileNotFoundError: If ``path`` does not exist.
            OSError: If a file cannot be opened; it names the file.
            ValueError: If a file is truncated, corrupt, not a WeightHistory file or
                of a newer format version; it names the file.

        Examples:
            >>> import os, tempfile, numpy as np
            >>> path = os.path.join(tempfile.mkdtemp(), "h.npz")
            >>> WeightHistory.from_arrays({"d/kernel": np.ones((1, 2))}, [0]).save(path)
            >>> WeightHistory.load(path).epochs
            [0]
        """
        path = check_path("path", path)
        if not os.path.exists(path):
            raise FileNotFoundError(f"No WeightHistory file or directory at {path!r}.")
        if os.path.isdir(path):
            meta = _read_directory_meta(path)
            epochs, steps, weights = _read_stream(path, meta)
        else:
            meta, epochs, steps, weights = _load_npz(path)
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
        """Build a history from arrays recorded elsewhere (read-only views, no copy).

        Args:
            weights: Mapping key -> array of shape ``(records, *weight_shape)``.
            epochs: The epoch of each record (integers, 0 = before training).
            layer_names: Key -> layer name (default: the path component before the
                last).
            steps: The optimizer step of each record (default: ``-1``, unknown).

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
        epoch_list = _check_ints("epochs", epochs)
        records = len(epoch_list)
        step_list = [-1] * records if steps is None else _check_ints("steps", steps)
        if len(step_list) != records:
            _fail("steps", f"one entry per record ({records})", steps)
        if layer_names is not None and not isinstance(layer_names, Mapping):
            expected = "a mapping of key to layer name"
            _fail("layer_names", expected, layer_names, TypeError)
        names = layer_names or {}
        arrays: dict[str, np.ndarray] = {}
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
            arrays[key] = array.view()
            arrays[key].flags.writeable = False
        history = cls()
        history._set_layout(
            {
                "keys": list(arrays),
                "layer_names": {k: str(names.get(k, _layer_of(k))) for k in arrays},
                "shapes": {k: a.shape[1:] for k, a in arrays.items()},
                "dtypes": {k: a.dtype.name for k, a in arrays.items()},
            }
        )
        history._stacked = arrays
        history._epochs, history._steps = epoch_list, step_list
        return history

    def _select_variables(self, model: Any, layers: list) -> list:
        """The variables of ``model`` (with ``layers``) to record, in its order."""

        def keep(variable: Any) -> bool:
            name = variable.name.rsplit("/", 1)[-1]
            bias = self.include_bias and name.endswith("bias")
            return bias or name.endswith("kernel") or name == "embeddings"

        model_weights = list(model.weights)
        if self._selection is None:
            return [v for v in model_weights if keep(v)]
        by_name: dict[str, list] = {}
        for layer in layers:
            if not isinstance(layer, keras.layers.InputLayer):
                by_name.setdefault(layer.name, []).append(layer)
        in_model = {id(layer) for layer in layers}
        chosen = set()
        for item in self._selection:
            if isinstance(item, str):
                found = by_name.get(item)
                problem = (
                    f"the model has no layer named {item!r}; it is ignored. "
                    f"Valid names: {list(by_name)}"
                )
            else:
                found = [item] if id(item) in in_model else None
                problem = (
                    f"layer {item.name!r} (given as an object) is not part of the "
                    "model; it is ignored."
                )
            if not found:
                warnings.warn(f"WeightHistory: {problem}", stacklevel=3)
                continue
            kept = [id(v) for layer in found for v in layer.weights if keep(v)]
            if not kept:
                what = "kernel or bias" if self.include_bias else "kernel"
                warnings.warn(
                    f"WeightHistory: layer {found[0].name!r} has no {what} to record.",
                    stacklevel=3,
                )
            chosen.update(kept)
        return [v for v in model_weights if id(v) in chosen]

    def _layout_from_model(self, model: Any) -> tuple[list, dict[str, Any]]:
        """The variables to record and the layout of their records."""
        layers = list(model._flatten_layers(include_self=False, recursive=True))
        variables = self._select_variables(model, layers)
        owners = _owner_names(layers, variables)
        layout: dict[str, Any] = {name: {} for name in _LAYOUT}
        for variable in variables:
            key = variable.path
            if key in layout["shapes"]:  # two variables with one path: keep both
                n = 2
                while f"{key}#{n}" in layout["shapes"]:
                    n += 1
                key = f"{key}#{n}"
            layout["layer_names"][key] = owners[id(variable)]
            layout["shapes"][key] = tuple(int(d) for d in variable.shape)
            dtype = keras.backend.standardize_dtype(variable.dtype)
            # to_numpy gives bfloat16 values as float32.
            layout["dtypes"][key] = "float32" if dtype == "bfloat16" else dtype
        layout["keys"] = list(layout["shapes"])
        return variables, layout

    def on_train_begin(self, logs: dict | None = None) -> None:
        variables, layout = self._layout_from_model(self.model)
        if not layout["keys"]:
            warnings.warn(
                "WeightHistory: no weights to record (the selected layers have no "
                "kernels, or the model is not built yet).",
                stacklevel=2,
            )
        continuing = self.append and bool(self._epochs)
        if continuing:
            recorded = self._layout["keys"]
            if _signature(self._layout) != _signature(layout):
                raise ValueError(
                    "WeightHistory(append=True) cannot continue: the weights to "
                    f"record changed. Recorded: {_key_list(recorded)}; now: "
                    f"{_key_list(layout['keys'])} (or their shapes or dtypes "
                    "differ). Use a new WeightHistory, or append=False."
                )
            if self.directory is not None:
                self._remove_records_from(len(self._epochs))
        else:
            if self.directory is not None:
                self._check_directory_free()
            self._clear()
            self._set_layout(layout)
            self._kreg_version = __version__
            if self.directory is not None:
                os.makedirs(self.directory, exist_ok=True)
                self._own_directory = os.path.abspath(self.directory)
                self._remove_records_from(0)
                text = json.dumps(_metadata(layout), indent=1, sort_keys=True)
                atomic_write(
                    os.path.join(self.directory, _META_FILE),
                    lambda file: file.write(text.encode("utf-8")),
                )
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

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if not self._fit_started:
            self._fit_started = True
            last = self._epochs[-1] if self.append and self._epochs else None
            if last is None or epoch > last:
                self._record(epoch)
            elif epoch < last:
                warnings.warn(
                    f"WeightHistory(append=True): this fit starts at epoch "
                    f"{epoch} but the record already reaches epoch {last}; "
                    f"numbering continues from {last}. Pass "
                    f"initial_epoch={last} to fit to continue Keras' epoch "
                    "numbering.",
                    stacklevel=2,
                )
                self._offset = last - epoch
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
        # Bound as ``on_train_batch_end`` with ``every_batches`` only; ``batch`` is
        # the index (within the epoch) of the batch just run.
        self._batches_done = self._epoch_batches + batch + 1
        self._dirty = True
        k = self.every_batches
        last = self._steps[-1] if self._steps else 0
        if (self._step_base + self._batches_done) // k > last // k:
            self._record(self._epoch_label)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self._dirty and self._last_done is not None:
            self._record(self._last_done)
        self._variables = []

    def _iterations(self) -> int | None:
        optimizer = getattr(self.model, "optimizer", None)
        iterations = getattr(optimizer, "iterations", None)
        return None if iterations is None else int(iterations)

    def _step(self) -> int:
        if self.every_batches is None:
            now = self._iterations()
            if now is not None and self._iterations_start is not None:
                return self._step_base + now - self._iterations_start
        return self._step_base + self._batches_done

    def _record(self, epoch: int) -> None:
        # On JAX, fit keeps the trained state outside the variables during an
        # epoch; reading ``Callback.model`` writes it back into them.
        self.model  # noqa: B018
        values = [to_numpy(v) for v in self._variables]
        step = self._step()
        if self.on_nonfinite != "ignore":
            self._check_finite(values, epoch)
        if self.directory is not None:
            arrays = {"epoch": np.int64(epoch), "step": np.int64(step)}
            arrays.update({f"w{i}": value for i, value in enumerate(values)})
            name = f"record-{len(self._epochs):06d}.npz"
            atomic_write(
                os.path.join(self.directory, name),
                lambda file: np.savez(file, **arrays),
            )
        else:
            for key, value in zip(self._layout["keys"], values, strict=True):
                self._pending[key].append(value)
        self._epochs.append(int(epoch))
        self._steps.append(int(step))
        self._dirty = False

    def _check_finite(self, values: list[np.ndarray], epoch: int) -> None:
        for key, value in zip(self._layout["keys"], values, strict=True):
            if value.dtype.kind not in "fc" or np.isfinite(value).all():
                continue
            if key not in self._flagged:
                self._flagged.add(key)
                bad = int(value.size - np.count_nonzero(np.isfinite(value)))
                stop = self.on_nonfinite == "stop"
                layer = self._layout["layer_names"][key]
                warnings.warn(
                    f"WeightHistory: non-finite weights (NaN or inf) in {key!r} "
                    f"(layer {layer!r}) at epoch {epoch}: {bad} of "
                    f"{value.size} values." + (" Stopping training." if stop else ""),
                    stacklevel=3,
                )
            if self.on_nonfinite == "stop":
                self.model.stop_training = True

    def _remove_records_from(self, first: int) -> None:
        """Delete the record files from number ``first`` on, and temporary files."""
        for index, path in _record_files(self.directory):
            if index >= first:
                os.remove(path)
        for name in os.listdir(self.directory):
            if name.startswith(TMP_PREFIX) and name.endswith(".tmp"):
                with contextlib.suppress(OSError):  # removed concurrently
                    os.remove(os.path.join(self.directory, name))


def _signature(layout: Mapping[str, Any]) -> list:
    """Each key with its shape and dtype: what ``append=True`` must find again."""
    return [(k, layout["shapes"][k], layout["dtypes"][k]) for k in layout["keys"]]


def _check_layers(layers: Any) -> list | None:
    if layers is None:
        return None
    if isinstance(layers, (str, keras.layers.Layer)):
        return [layers]
    if not isinstance(layers, (list, tuple)):
        expected = "a layer name, a layer, or a list of them"
        _fail("layers", expected, layers, TypeError)
    if not layers:
        _fail("layers", "a non-empty list of layer names or layers", layers)
    if not all(isinstance(item, (str, keras.layers.Layer)) for item in layers):
        expected = "a list of layer names (str) or keras.layers.Layer objects"
        _fail("layers", expected, layers, TypeError)
    return list(layers)
