"""Variants of any Keras model, trained side by side as the towers of one model.

Each variant is a copy of the user's model (``regularizers.rebuild``): the same
layers and weights, the variant's regularizer on the kernels of the chosen layers,
and its layer names prefixed with its tower's name, so that no two variables
share a path (Keras' PyTorch backend tracks variables by path). One functional
model feeds the same inputs to every tower and has every tower's outputs (keyed by
``Outputs``); compiled with the same losses on every tower and an element-wise
optimizer (Adam, SGD, ...),
one ``fit`` trains every tower as if it were trained alone on the same batches:
the objective is the sum of the towers' losses and penalties, the towers share no
weight, so each variable's gradient is its own tower's gradient.

The batches: with ``shuffle``, epoch ``e`` visits the training rows in the order
of the ``e``-th permutation drawn from ``numpy.random.default_rng(seed)`` (as the
built-in demonstration does), in consecutive batches; without it, in the order
given. A ``tf.data.Dataset`` is passed through as it is.
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
    """The joined model's outputs: the ``j``-th output of tower ``t`` is ``t`` (a
    model with one output) or ``f"{t}_{name_j}"`` (``name_j`` the model's output
    names); ``spread`` gives a loss, metrics or targets, given Keras' way, to
    every output of every tower."""

    def __init__(self, towers: Sequence[str], model: keras.Model):
        self.towers = list(towers)
        # A Sequential model has one output and no output_names.
        self.names = list(getattr(model, "output_names", None) or ["output"])
        self.keys = [
            self.key(t, j) for t in self.towers for j in range(len(self.names))
        ]

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
        """New metric objects for one model's ``compile``: a list (one output) or
        a dict by output name."""
        values = [_copies(m) for m in self.per_output(metrics, listed=False)]
        return (
            values[0]
            if len(values) == 1
            else dict(zip(self.names, values, strict=True))
        )

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

    ``epoch`` is set by ``_Recorder.on_epoch_begin``: Keras also reads batches
    before training (to learn their structure) and calls ``on_epoch_end`` at other
    times, so the epoch is not counted here. Permutations are drawn in order, as
    they are first needed.
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


def _epoch_dataset(x, y, outputs, batch_size: int, batches: _Batches | None = None):
    """One epoch of batches as a ``tf.data.Dataset`` (TensorFlow, no strategy):
    the rows in order, or in the order of ``batches.permutation()`` at the first
    read of each new iteration. Keras iterates it anew every epoch, as it does
    arrays, but at about 1 ms instead of 20 (measured); floats are cast to
    ``floatx`` as Keras casts arrays, and ``y`` is given to the towers per batch.
    """
    import tensorflow as tf

    x, y = _in_floatx((keras.tree.lists_to_tuples(x), y))
    if batches is None:
        data = tf.data.Dataset.from_tensor_slices((x, y)).batch(batch_size)
    else:
        x, y = tf.nest.map_structure(tf.constant, (x, y))
        permutation = tf.data.Dataset.from_generator(
            lambda: iter([batches.permutation().astype("int32")]),
            output_signature=tf.TensorSpec([rows(x)], tf.int32),
        )
        data = permutation.flat_map(
            lambda p: tf.data.Dataset.from_tensor_slices(p).batch(batch_size)
        ).map(lambda i: tf.nest.map_structure(lambda a: tf.gather(a, i), (x, y)))
    steps = tf.data.experimental.assert_cardinality(math.ceil(rows(x) / batch_size))
    return data.map(lambda x, y: (x, outputs.spread(y))).apply(steps)


def _distributed_batches(x, y, outputs, batch_size, order, epochs):
    """``_Batches`` of every epoch as one ``tf.data.Dataset``, for a strategy.

    A strategy's prefetch reads the next epoch's first batches before
    ``on_epoch_begin``, so the permutations are laid out ahead (``epochs x rows``
    indices) and gathered in TensorFlow; ``fit`` gets ``steps_per_epoch``.
    """
    import tensorflow as tf

    laid_out = np.stack([next(order) for _ in range(epochs)])
    x, y = tf.nest.map_structure(tf.constant, (x, y))

    def gather(i):
        x_i, y_i = tf.nest.map_structure(lambda a: tf.gather(a, i), (x, y))
        return x_i, outputs.spread(y_i)

    return (
        tf.data.Dataset.from_tensor_slices(laid_out)
        .flat_map(lambda p: tf.data.Dataset.from_tensor_slices(p).batch(batch_size))
        .map(gather)
    )


def progress_bar(epochs: int, names: Sequence[str]) -> keras.utils.Progbar:
    """A bar over the epochs showing ``names``: redrawn in a terminal or notebook;
    elsewhere (a log file, a pipe) one line at the end, without control codes."""
    live = sys.stdout.isatty() or "ipykernel" in sys.modules
    return keras.utils.Progbar(
        epochs, unit_name="epoch", stateful_metrics=names, verbose=1 if live else 2
    )


class _Recorder(keras.callbacks.Callback):
    """Each tower's penalty after every epoch, and the weights of the ``recorded``
    towers at ``record_at``; with ``shown`` (tower -> label), a progress bar over
    the epochs with those towers' validation (else training) data losses."""

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
        self._bar = None
        if shown:
            self._bar = progress_bar(epochs, list(shown.values()))

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
            values = []
            for name, label in self._shown.items():
                tower = self._towers[name].name
                last = _curves({k: [v] for k, v in logs.items()}, tower, self._outputs)
                values.append(
                    (label, float(last.get("val_loss", last["train_loss"])[0]))
                )
            self._bar.update(epoch + 1, values=values)


def _copies(metrics: Sequence[Any]) -> list[Any]:
    """Fresh metric objects for one output (a Metric keeps state per output);
    names and functions as they are (Keras wraps them per output)."""
    return [
        type(m).from_config(m.get_config())
        if isinstance(m, keras.metrics.Metric)
        else m
        for m in metrics
    ]


class Joined(keras.Model):
    """The towers' model; under ``MultiWorkerMirroredStrategy`` its logs have rank 1.

    Keras 3's TensorFlow trainer averages each step's logs over the workers with
    ``strategy.reduce("MEAN", log, axis=0)``, which fails on scalars
    (tensorflow/tensorflow#72388); a log of shape ``(1,)`` reduces to the same
    number.
    """

    def _ranked(self, logs):
        if not _multi_worker(getattr(self, "distribute_strategy", None)):
            return logs
        return {key: keras.ops.reshape(value, (1,)) for key, value in logs.items()}

    def train_step(self, *args):
        return self._ranked(super().train_step(*args))

    def test_step(self, *args):
        return self._ranked(super().test_step(*args))


def _multi_worker(strategy: Any) -> bool:
    extended = getattr(strategy, "extended", None)
    return bool(getattr(extended, "_in_multi_worker_mode", lambda: False)())


def _join(copies, outputs, loss, metrics, optimizer, steps_per_execution):
    """The towers (copies renamed ``v0__...``) joined in one compiled model."""
    names = outputs.towers
    # The towers are named after their outputs: a variant's name need not be a
    # valid Keras scope name ("lam=0.1").
    towers = {
        name: rebuild(copy, None, set(), key + SEPARATOR)
        for key, (name, copy) in zip(names, copies.items(), strict=True)
    }
    for key, tower in zip(names, towers.values(), strict=True):
        tower.name = key
    first = next(iter(copies.values())).inputs
    inputs = [keras.Input(shape=i.shape[1:], dtype=i.dtype) for i in first]
    inputs = inputs[0] if len(inputs) == 1 else inputs
    joined = Joined(
        inputs,
        {
            outputs.key(key, j): out
            for key, t in zip(names, towers.values(), strict=True)
            for j, out in enumerate(keras.tree.flatten(t(inputs)))
        },
    )
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
    """Build ``joined`` (metrics, losses, optimizer) from one local batch.

    On TensorFlow, a train function that creates those variables on its first
    call is traced twice, which is most of the fixed cost of a short run. And
    under a ``tf.distribute`` strategy, Keras 3's ``fit`` first reduces a
    distributed batch over the replicas (``_maybe_symbolic_build``) only to learn
    its shapes; that fails for ``MultiWorkerMirroredStrategy`` and for a batch the
    replicas split unevenly. One row of the arrays (or a dataset's element spec,
    not a batch read from it) builds the model the same way, so the joined model
    (kreg's own) skips that step. Call in the strategy's scope.
    """
    if dataset is not None:  # its shapes, without reading it
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
        copies: Variant name -> its model (one or several inputs and outputs),
            all with the same initial weights; trained in place.
        data: ``(x_train, y_train, x_val, y_val)`` arrays, or a
            ``tf.data.Dataset`` of ``(x, y)`` batches as ``x_train`` (``y_train``
            None) and another (or None) as ``x_val``.
        loss: The loss of every output.
        metrics: The metrics of every output.
        optimizer: A fresh element-wise optimizer.
        epochs: Epochs.
        batch_size: Rows per step (arrays).
        order: The permutations of the training rows, one per epoch (``None``:
            the rows in order).
        record_at: Epochs after which the weights are recorded (0 is always).
        recorded: The variants whose weights are recorded.
        callbacks: More Keras callbacks for the ``fit``.
        shown: Variant -> its label in a progress bar over the epochs (None:
            no bar).

    Returns:
        ``{"models", "curves", "penalties", "records", "record_epochs",
        "seconds"}``: ``copies`` with the trained weights; per variant its
        per-epoch logs from Keras (``"train_loss"``, the data loss averaged over
        the epoch's batches, ``"val_loss"``, ``"train_accuracy"``, ...) and
        penalties; per recorded variant its weights (a list per record, in
        ``weights`` order); the epochs of the records; the training time.
    """
    # Outputs keyed "v0", "v1", ...: Keras logs "{output}_{metric}", which a
    # variant name (say "a" beside "a_b") could not be parsed back from.
    names = [f"v{i}" for i in range(len(copies))]
    outputs = Outputs(names, next(iter(copies.values())))
    # Many steps per compiled call: the same steps in the same order, with less of
    # the per-step overhead that dominates small models. One on PyTorch (eager)
    # and under a tf.distribute strategy (TensorFlow 2.21's multi-step loop fails
    # on a distributed iterator).
    one = _multi_device(strategy) or keras.backend.backend() == "torch"
    with contextlib.nullcontext() if strategy is None else strategy.scope():
        joined, towers = _join(
            copies, outputs, loss, metrics, optimizer, 1 if one else STEPS_PER_EXECUTION
        )
    x_train, y_train, x_val, y_val = data
    if y_train is not None and _multi_device(strategy):
        _check_split(strategy.num_replicas_in_sync, batch_size, rows(x_train))
    batches = None
    if y_train is None:  # a dataset of (x, y)
        fit_data = x_train.map(lambda x, y: (x, outputs.spread(y)))
        validation = (
            None if x_val is None else x_val.map(lambda x, y: (x, outputs.spread(y)))
        )
        fit_args = {"x": fit_data, "shuffle": False}
    else:
        validation = None if x_val is None else (x_val, outputs.spread(y_val))
        if keras.backend.backend() == "tensorflow" and not _multi_device(strategy):
            if order is not None:
                batches = _Batches(x_train, y_train, outputs, batch_size, order)
            fit_args = {
                "x": _epoch_dataset(x_train, y_train, outputs, batch_size, batches),
                "shuffle": False,
            }
            if x_val is not None:
                validation = _epoch_dataset(x_val, y_val, outputs, batch_size)
        elif order is None:
            fit_args = {
                "x": x_train,
                "y": outputs.spread(y_train),
                "batch_size": batch_size,
                "shuffle": False,
            }
        elif _multi_device(strategy):
            fit_args = {
                "x": _distributed_batches(
                    x_train, y_train, outputs, batch_size, order, epochs
                ),
                "steps_per_epoch": math.ceil(rows(x_train) / batch_size),
                "shuffle": False,
            }
        else:
            batches = _Batches(x_train, y_train, outputs, batch_size, order)
            fit_args = {"x": batches, "shuffle": False}
    recorder = _Recorder(
        towers, set(record_at), batches, recorded, shown, epochs, outputs.names
    )
    started = time.perf_counter()
    with contextlib.nullcontext() if strategy is None else strategy.scope():
        _build_locally(joined, fit_data if y_train is None else None, data, outputs)
        fit = joined.fit(
            **fit_args,
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
    curves = {}
    for key, values in history.items():
        split = "val_" if key.startswith("val_") else "train_"
        name = key.removeprefix("val_")
        if name.startswith(f"{tower}_"):
            curves[split + name.removeprefix(f"{tower}_")] = np.asarray(
                values, "float64"
            )
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
