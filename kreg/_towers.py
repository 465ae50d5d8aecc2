"""Variants of any Keras model, trained side by side as the towers of one model.

Each variant is a renamed copy of the user's model with its regularizer; one
functional model feeds the same inputs to every tower and has every tower's
outputs (keyed by ``Outputs``), so one ``fit`` trains each tower as if alone on
the same batches (the guide "Your own model": "What is trained", "The guarantee").
"""

from __future__ import annotations

import contextlib
import math
import sys
import time
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg.regularizers import _all_layers, _kernel_arg, rebuild

SEPARATOR = "__"

#: Training steps per compiled call of the joined model's ``fit``.
STEPS_PER_EXECUTION = 32


def rows(x: Any) -> int:
    """The number of rows of an array or of a structure of arrays (several inputs)."""
    return len(keras.tree.flatten(x)[0])


class Outputs:
    """The joined model's outputs: tower ``t``'s ``j``-th is ``t`` (one output) or
    ``f"{t}_{name_j}"``; ``spread`` gives a loss, metrics or targets to each."""

    def __init__(self, towers: Sequence[str], model: keras.Model):
        self.towers = list(towers)
        # A Sequential model has one output and no output_names.
        self.names = list(getattr(model, "output_names", None) or ["output"])

    def key(self, tower: str, j: int) -> str:
        return tower if len(self.names) == 1 else f"{tower}_{self.names[j]}"

    def per_output(self, spec: Any, listed: bool = True) -> list[Any]:
        """``spec`` for each output: a dict by output name, a list or tuple in
        output order (if ``listed`` and several outputs), or one for all."""
        if isinstance(spec, dict) and len(self.names) > 1:
            return [spec[name] for name in self.names]
        if listed and isinstance(spec, (list, tuple)) and len(self.names) > 1:
            return list(spec)
        return [spec] * len(self.names)

    def fresh_metrics(self, metrics: Any) -> Any:
        """New metric objects for one model's ``compile`` (by name if several)."""
        values = [_copies(m) for m in self.per_output(metrics, listed=False)]
        if len(values) == 1:
            return values[0]
        return dict(zip(self.names, values, strict=True))

    def spread(self, spec: Any, listed: bool = True) -> dict[str, Any]:
        """``spec`` for every output of every tower, keyed as the joined model's."""
        values = self.per_output(spec, listed)
        return {self.key(t, j): v for t in self.towers for j, v in enumerate(values)}


def _in_floatx(arrays: Any) -> Any:
    """NumPy arrays, those of floats cast to ``floatx`` (as Keras casts arrays)."""

    def cast(a: Any) -> np.ndarray:
        a = np.asarray(a)
        floating = np.issubdtype(a.dtype, np.floating)
        return a.astype(keras.config.floatx()) if floating else a

    return keras.tree.map_structure(cast, arrays)


class _Batches(keras.utils.PyDataset):
    """The training batches, epoch ``e`` in the order of the ``e``-th permutation.

    ``epoch`` is set by ``_Recorder.on_epoch_begin``, not counted here: Keras also
    reads batches before training and calls ``on_epoch_end`` at other times.
    """

    def __init__(self, x, y, outputs, batch_size: int, order: Iterator[np.ndarray]):
        super().__init__()
        (self._x, self._y), self._outputs = _in_floatx((x, y)), outputs
        self._batch_size, self._order = batch_size, order
        self._drawn: list[np.ndarray] = []
        self.epoch = 0

    def __len__(self) -> int:
        return math.ceil(rows(self._x) / self._batch_size)

    def permutation(self) -> np.ndarray:
        """The order of the rows in epoch ``epoch``."""
        while len(self._drawn) <= self.epoch:
            self._drawn.append(next(self._order))
        return self._drawn[self.epoch]

    def __getitem__(self, index: int):
        picked = self.permutation()[index * self._batch_size :]
        picked = picked[: self._batch_size]
        x, y = keras.tree.map_structure(lambda a: a[picked], (self._x, self._y))
        # Several inputs as a tuple: Keras reads a list as one batch's structure.
        return keras.tree.lists_to_tuples(x), self._outputs.spread(y)


def _gathered(x, y, outputs, batch_size: int, permutations):
    """Batches ``(x, spread y)`` of the rows in the order of each permutation of
    the dataset ``permutations``, gathered in TensorFlow; floats in ``floatx``,
    several inputs as a tuple (as ``_Batches``)."""
    import tensorflow as tf

    x, y = _in_floatx((keras.tree.lists_to_tuples(x), y))
    x, y = tf.nest.map_structure(tf.constant, (x, y))

    def gather(i):
        x_i, y_i = tf.nest.map_structure(lambda a: tf.gather(a, i), (x, y))
        return x_i, outputs.spread(y_i)

    return permutations.flat_map(
        lambda p: tf.data.Dataset.from_tensor_slices(p).batch(batch_size)
    ).map(gather)


def _epoch_dataset(x, y, outputs, batch_size: int, batches: _Batches | None = None):
    """One epoch of batches as a ``tf.data.Dataset`` (TensorFlow, no strategy), the
    rows in order or in ``batches.permutation()``'s, read anew at each iteration.
    Keras iterates it anew every epoch at about 1 ms instead of 20 for arrays."""
    import tensorflow as tf

    if batches is None:  # sliced in order (gathering by tf.range measured slower)
        x, y = _in_floatx((keras.tree.lists_to_tuples(x), y))
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
        data = data.map(lambda x, y: (x, outputs.spread(y)))
    else:
        permutation = tf.data.Dataset.from_generator(
            lambda: iter([batches.permutation().astype("int32")]),
            output_signature=tf.TensorSpec([rows(x)], tf.int32),
        )
        data = _gathered(x, y, outputs, batch_size, permutation)
    steps = tf.data.experimental.assert_cardinality(math.ceil(rows(x) / batch_size))
    return data.apply(steps)


def _distributed_batches(x, y, outputs, batch_size, order, epochs):
    """``_Batches`` of every epoch as one ``tf.data.Dataset``, for a strategy: its
    prefetch reads the next epoch's batches before ``on_epoch_begin``, so the
    permutations are laid out ahead (``epochs x rows`` indices)."""
    import tensorflow as tf

    laid_out = tf.data.Dataset.from_tensor_slices(
        np.stack([next(order) for _ in range(epochs)])
    )
    return _gathered(x, y, outputs, batch_size, laid_out)


def progress_bar(epochs: int, names: Sequence[str]) -> keras.utils.Progbar:
    """A bar over the epochs showing ``names``: redrawn in a terminal or notebook,
    else one line at the end (no control codes in a log file)."""
    live = sys.stdout.isatty() or "ipykernel" in sys.modules
    return keras.utils.Progbar(
        epochs, unit_name="epoch", stateful_metrics=names, verbose=1 if live else 2
    )


class _Recorder(keras.callbacks.Callback):
    """Each tower's penalty per epoch, the ``recorded`` towers' weights at
    ``record_at``, and a bar of the ``shown`` towers' (validation) losses."""

    def __init__(
        self,
        towers: Mapping[str, keras.Model],
        record_at: set[int],
        batches: _Batches | None,
        recorded: Sequence[str],
        shown: Mapping[str, str] | None,
        epochs: int,
        outputs: Sequence[str],
    ):
        super().__init__()
        self._towers, self._record_at, self._batches = towers, record_at, batches
        self.penalties: dict[str, list[float]] = {name: [] for name in towers}
        self.records: dict[str, list[list[np.ndarray]]] = {n: [] for n in recorded}
        self.epochs: list[int] = []
        self._shown, self._outputs = shown or {}, outputs
        self._bar = progress_bar(epochs, list(shown.values())) if shown else None

    def _record(self, epoch: int) -> None:
        self.epochs.append(epoch)
        for name, records in self.records.items():
            records.append([to_numpy(w) for w in self._towers[name].weights])

    def on_train_begin(self, logs=None) -> None:
        self.model  # noqa: B018 - on JAX, writes the trained state back
        self._record(0)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        if self._batches is not None:
            self._batches.epoch = epoch

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        self.model  # noqa: B018
        for name, tower in self._towers.items():
            total = sum(float(to_numpy(loss)) for loss in tower.losses)
            self.penalties[name].append(total)
        if epoch + 1 in self._record_at:
            self._record(epoch + 1)
        if self._bar is not None:
            history = {k: [v] for k, v in logs.items()}
            values = []
            for name, label in self._shown.items():
                last = _curves(history, self._towers[name].name, self._outputs)
                loss = last.get("val_loss", last["train_loss"])
                values.append((label, float(loss[0])))
            self._bar.update(epoch + 1, values=values)


def _copies(metrics: Sequence[Any]) -> list[Any]:
    """Fresh metric objects for one output (a Metric keeps state per output);
    names and functions as they are."""
    return [
        type(m).from_config(m.get_config())
        if isinstance(m, keras.metrics.Metric)
        else m
        for m in metrics
    ]


class Joined(keras.Model):
    """The towers' model; under ``MultiWorkerMirroredStrategy`` its logs have rank 1
    (Keras reduces them over the workers along axis 0, which fails on scalars:
    tensorflow/tensorflow#72388)."""

    def _ranked(self, logs):
        extended = getattr(getattr(self, "distribute_strategy", None), "extended", None)
        if not getattr(extended, "_in_multi_worker_mode", lambda: False)():
            return logs
        return {key: keras.ops.reshape(value, (1,)) for key, value in logs.items()}

    def train_step(self, *args):
        return self._ranked(super().train_step(*args))

    def test_step(self, *args):
        return self._ranked(super().test_step(*args))


def _join(copies, outputs, loss, metrics, optimizer, steps_per_execution):
    """The towers (copies renamed ``v0__...``) joined in one compiled model."""
    names = outputs.towers
    # Layers prefixed with the tower's output key, so that no two variables share
    # a path (Keras' PyTorch backend tracks them by path); not the variant's name,
    # which need not be a valid Keras scope name ("lam=0.1").
    towers = {}
    for key, (name, copy) in zip(names, copies.items(), strict=True):
        towers[name] = rebuild(copy, None, set(), key + SEPARATOR)
        towers[name].name = key
    first = next(iter(copies.values())).inputs
    inputs = [keras.Input(shape=i.shape[1:], dtype=i.dtype) for i in first]
    inputs = inputs[0] if len(inputs) == 1 else inputs
    joined_outputs = {
        outputs.key(tower.name, j): out
        for tower in towers.values()
        for j, out in enumerate(keras.tree.flatten(tower(inputs)))
    }
    joined = Joined(inputs, joined_outputs)
    joined.compile(
        # Made here, in the strategy's scope (an optimizer owns variables).
        optimizer=type(optimizer).from_config(optimizer.get_config()),
        loss=outputs.spread(loss),
        metrics={
            key: _copies(m) for key, m in outputs.spread(metrics, listed=False).items()
        },
        steps_per_execution=steps_per_execution,
    )
    return joined, towers


def _multi_device(strategy: Any) -> bool:
    """Whether ``strategy`` is a ``tf.distribute`` strategy (not a JAX layout)."""
    return hasattr(strategy, "num_replicas_in_sync")


def _check_split(replicas: int, batch_size: int, rows: int) -> None:
    """Warn if a training batch does not split evenly over the replicas."""
    sizes = {min(batch_size, rows), rows % batch_size} - {0}
    uneven = sorted(size for size in sizes if size % replicas)
    if uneven:
        warnings.warn(
            f"Batches of {uneven} rows do not split evenly over the strategy's "
            f"{replicas} replicas: Keras then averages the replicas' losses with "
            "equal weights, so the run differs slightly from one on one device "
            f"(a batch_size and a number of training rows divisible by {replicas} "
            "avoid it).",
            stacklevel=4,
        )


def _build_locally(joined: keras.Model, dataset: Any, data, outputs: Outputs) -> None:
    """Build ``joined`` (metrics, losses, optimizer) from one row or a dataset's
    element spec, in the strategy's scope, and skip ``fit``'s own build.

    Else the train function is traced twice on TensorFlow (most of a short run's
    fixed cost), and under a strategy ``fit`` reduces a distributed batch to learn
    its shapes, which fails for ``MultiWorkerMirroredStrategy`` and uneven splits.
    """
    if dataset is not None:
        x, y = dataset.element_spec
    else:
        x, y = keras.tree.map_structure(lambda a: a[:1], data[:2])
        y = outputs.spread(y)
    joined._symbolic_build(data_batch=(x, y, None))
    joined._maybe_symbolic_build = lambda **kwargs: None


def train(
    copies: Mapping[str, keras.Model],
    *,
    data: tuple[Any, Any, Any, Any],
    loss: Any,
    metrics: Sequence[Any],
    optimizer: keras.optimizers.Optimizer,
    epochs: int,
    batch_size: int,
    order: Iterator[np.ndarray] | None,
    record_at: Sequence[int],
    recorded: Sequence[str],
    callbacks: Sequence[keras.callbacks.Callback] = (),
    shown: Mapping[str, str] | None = None,
    strategy: Any = None,
) -> dict[str, Any]:
    """Train every variant of ``model`` as one tower; see the module docstring.

    Args:
        copies: Variant name -> its model (same initial weights), trained in place.
        data: ``(x_train, y_train, x_val, y_val)`` arrays, or datasets of
            ``(x, y)`` batches as ``x_train`` and ``x_val`` (or None), ``y``s None.
        loss: The loss of every output.
        metrics: The metrics of every output.
        optimizer: A fresh element-wise optimizer.
        epochs: Epochs.
        batch_size: Rows per step (arrays).
        order: The permutations of the rows, one per epoch (None: in order).
        record_at: Epochs after which the weights are recorded (0 is always).
        recorded: The variants whose weights are recorded.
        callbacks: More Keras callbacks for the ``fit``.
        shown: Variant -> its label in a progress bar (None: no bar).

    Returns:
        ``{"models", "curves", "penalties", "records", "record_epochs",
        "seconds"}``: ``copies`` trained; per variant its per-epoch Keras logs
        (``"train_loss"``, ``"val_loss"``, ...) and penalties; per recorded
        variant its weights per record; the records' epochs; the training time.
    """
    # Outputs keyed "v0", "v1", ...: Keras logs "{output}_{metric}", which a
    # variant name (say "a" beside "a_b") could not be parsed back from.
    names = [f"v{i}" for i in range(len(copies))]
    outputs = Outputs(names, next(iter(copies.values())))
    # Many steps per compiled call, less per-step overhead; one on PyTorch (eager)
    # and under a tf.distribute strategy (TensorFlow 2.21's multi-step loop fails
    # on a distributed iterator).
    multi_device = _multi_device(strategy)
    one = multi_device or keras.backend.backend() == "torch"
    with contextlib.nullcontext() if strategy is None else strategy.scope():
        joined, towers = _join(
            copies, outputs, loss, metrics, optimizer, 1 if one else STEPS_PER_EXECUTION
        )
    x_train, y_train, x_val, y_val = data
    if y_train is not None and multi_device:
        _check_split(strategy.num_replicas_in_sync, batch_size, rows(x_train))

    def spread(x, y):
        return x, outputs.spread(y)

    batches = None
    if y_train is None:  # datasets of (x, y)
        fit_args = {"x": x_train.map(spread)}
        validation = None if x_val is None else x_val.map(spread)
    else:
        validation = None if x_val is None else spread(x_val, y_val)
        if order is not None and not multi_device:
            batches = _Batches(x_train, y_train, outputs, batch_size, order)
        if keras.backend.backend() == "tensorflow" and not multi_device:
            train_set = _epoch_dataset(x_train, y_train, outputs, batch_size, batches)
            fit_args = {"x": train_set}
            if x_val is not None:
                validation = _epoch_dataset(x_val, y_val, outputs, batch_size)
        elif order is None:
            fit_args = {
                "x": x_train,
                "y": outputs.spread(y_train),
                "batch_size": batch_size,
            }
        elif multi_device:
            fit_args = {
                "x": _distributed_batches(
                    x_train, y_train, outputs, batch_size, order, epochs
                ),
                "steps_per_epoch": math.ceil(rows(x_train) / batch_size),
            }
        else:
            fit_args = {"x": batches}
    recorder = _Recorder(
        towers, set(record_at), batches, recorded, shown, epochs, outputs.names
    )
    started = time.perf_counter()
    with contextlib.nullcontext() if strategy is None else strategy.scope():
        dataset = fit_args["x"] if y_train is None else None
        _build_locally(joined, dataset, data, outputs)
        fit = joined.fit(
            **fit_args,
            shuffle=False,
            epochs=epochs,
            validation_data=validation,
            callbacks=[recorder, *callbacks],
            verbose=0,
        )
    seconds = time.perf_counter() - started
    for name, copy in copies.items():
        for target, source in zip(copy.weights, towers[name].weights, strict=True):
            target.assign(keras.ops.copy(source.value))
    return {
        "models": dict(copies),
        "curves": {
            name: _curves(fit.history, tower, outputs.names)
            for name, tower in zip(copies, names, strict=True)
        },
        "penalties": {
            n: np.asarray(p, "float64") for n, p in recorder.penalties.items()
        },
        "records": recorder.records,
        "record_epochs": recorder.epochs,
        "seconds": seconds,
    }


def _curves(history: Mapping[str, list], tower: str, outputs: Sequence[str]) -> dict:
    """One tower's per-epoch logs, ``train_``/``val_`` + Keras' name without the
    tower: ``train_loss``, ``val_mae`` (one output) or ``train_<output>_loss``,
    ... and ``train_loss``, their sum, the tower's data loss (several)."""
    curves, prefix = {}, f"{tower}_"
    for key, values in history.items():
        split = "val_" if key.startswith("val_") else "train_"
        name = key.removeprefix("val_")
        if name.startswith(prefix):
            curves[split + name.removeprefix(prefix)] = np.asarray(values, "float64")
    if len(outputs) > 1:
        for split in ("train_", "val_"):
            parts = [curves.get(f"{split}{o}_loss") for o in outputs]
            if all(p is not None for p in parts):
                curves[f"{split}loss"] = np.sum(parts, axis=0)
    return curves


def kernels(model: keras.Model) -> list[Any]:
    """The kernels (or embeddings) of every layer of ``model`` that has one."""
    found = []
    for layer in _all_layers(model):
        arg = _kernel_arg(layer)
        if arg is None:
            continue
        found.append(layer.embeddings if arg.startswith("embeddings") else layer.kernel)
    return found
