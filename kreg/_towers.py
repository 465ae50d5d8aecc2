"""Variants of any Keras model, trained side by side as the towers of one model.

Each variant is a copy of the user's model (``regularizers.rebuild``): the same
layers and weights, the variant's regularizer on the kernels of the chosen layers,
and its layer names prefixed with its tower's name, so that no two variables
share a path (Keras' PyTorch backend tracks variables by path). One functional
model feeds the same inputs to every tower and has one output per tower; compiled
with the same loss on every output and an element-wise optimizer (Adam, SGD, ...),
one ``fit`` trains every tower as if it were trained alone on the same batches:
the objective is the sum of the towers' losses and penalties, the towers share no
weight, so each variable's gradient is its own tower's gradient.

The batches: with ``shuffle``, epoch ``e`` visits the training rows in the order
of the ``e``-th permutation drawn from ``numpy.random.default_rng(seed)`` (as the
built-in demonstration does), in consecutive batches; without it, in the order
given. A ``tf.data.Dataset`` is passed through as it is.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import keras
import numpy as np

from kreg._backend import to_numpy
from kreg.regularizers import _all_layers, _kernel_arg, rebuild

SEPARATOR = "__"

#: Training steps per compiled call of the joined model's ``fit``.
STEPS_PER_EXECUTION = 32


class _Batches(keras.utils.PyDataset):
    """The training batches, epoch ``e`` in the order of the ``e``-th permutation.

    ``epoch`` is set by ``_Recorder.on_epoch_begin``: Keras also reads batches
    before training (to learn their structure) and calls ``on_epoch_end`` at other
    times, so the epoch is not counted here. Permutations are drawn in order, as
    they are first needed.
    """

    def __init__(self, x, y, names, batch_size: int, order: Iterator[np.ndarray]):
        super().__init__()
        self._x, self._y, self._names = x, y, list(names)
        self._batch_size, self._order = batch_size, order
        self._drawn: list[np.ndarray] = []
        self.epoch = 0

    def __len__(self) -> int:
        return math.ceil(len(self._x) / self._batch_size)

    def __getitem__(self, index: int):
        while len(self._drawn) <= self.epoch:
            self._drawn.append(next(self._order))
        rows = self._drawn[self.epoch][index * self._batch_size :][: self._batch_size]
        y = self._y[rows]
        return self._x[rows], dict.fromkeys(self._names, y)


class _Recorder(keras.callbacks.Callback):
    """Each tower's penalty after every epoch and its weights at ``record_at``."""

    def __init__(
        self,
        towers: Mapping[str, keras.Model],
        record_at: set[int],
        batches: _Batches | None,
    ):
        super().__init__()
        self._towers, self._record_at, self._batches = towers, record_at, batches
        self.penalties: dict[str, list[float]] = {name: [] for name in towers}
        self.records: dict[str, list[list[np.ndarray]]] = {n: [] for n in towers}
        self.epochs: list[int] = []

    def _record(self, epoch: int) -> None:
        self.epochs.append(epoch)
        for name, tower in self._towers.items():
            self.records[name].append([to_numpy(w) for w in tower.weights])

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


def _copies(metrics: Sequence[Any]) -> list[Any]:
    """Fresh metric objects for one output (a Metric keeps state per output)."""
    return [
        m if isinstance(m, str) else type(m).from_config(m.get_config())
        for m in metrics
    ]


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
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: int = 0,
) -> dict[str, Any]:
    """Train every variant of ``model`` as one tower; see the module docstring.

    Args:
        copies: Variant name -> its model (one input, one output), all with the
            same initial weights; trained in place.
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
        callbacks: More Keras callbacks for the ``fit``.
        verbose: ``fit``'s verbosity.

    Returns:
        ``{"models", "curves", "penalties", "records", "record_epochs",
        "seconds"}``: ``copies`` with the trained weights; per variant its
        per-epoch logs from Keras (``"train_loss"``, the data loss averaged over
        the epoch's batches, ``"val_loss"``, ``"train_accuracy"``, ...), the
        per-epoch
        penalties, the recorded weights (a list per record, in ``weights``
        order); the epochs of the records; the training time.
    """
    # Outputs keyed "v0", "v1", ...: Keras logs "{output}_{metric}", which a
    # variant name (say "a" beside "a_b") could not be parsed back from.
    names = [f"v{i}" for i in range(len(copies))]
    # The towers are named after their outputs: a variant's name need not be a
    # valid Keras scope name ("lam=0.1").
    towers = {
        name: rebuild(copy, None, set(), key + SEPARATOR)
        for key, (name, copy) in zip(names, copies.items(), strict=True)
    }
    for key, tower in zip(names, towers.values(), strict=True):
        tower.name = key
    first = next(iter(copies.values())).inputs[0]
    inputs = keras.Input(shape=first.shape[1:], dtype=first.dtype)
    joined = keras.Model(
        inputs, {key: t(inputs) for key, t in zip(names, towers.values(), strict=True)}
    )
    joined.compile(
        optimizer=optimizer,
        loss=dict.fromkeys(names, loss),
        metrics={name: _copies(metrics) for name in names},
        # Many steps per compiled call: the same steps in the same order, with
        # less of the per-step overhead that dominates small models (PyTorch
        # runs one step per call).
        steps_per_execution=1
        if keras.backend.backend() == "torch"
        else STEPS_PER_EXECUTION,
    )
    x_train, y_train, x_val, y_val = data
    batches = None
    if y_train is None:  # a dataset of (x, y)
        fit_data = x_train.map(lambda x, y: (x, dict.fromkeys(names, y)))
        validation = (
            None
            if x_val is None
            else x_val.map(lambda x, y: (x, dict.fromkeys(names, y)))
        )
        fit_args = {"x": fit_data, "shuffle": False}
    else:
        validation = None if x_val is None else (x_val, dict.fromkeys(names, y_val))
        if order is None:
            fit_args = {
                "x": x_train,
                "y": dict.fromkeys(names, y_train),
                "batch_size": batch_size,
                "shuffle": False,
            }
        else:
            batches = _Batches(x_train, y_train, names, batch_size, order)
            fit_args = {"x": batches, "shuffle": False}
    recorder = _Recorder(towers, set(record_at), batches)
    started = time.perf_counter()
    fit = joined.fit(
        **fit_args,
        epochs=epochs,
        validation_data=validation,
        callbacks=[recorder, *callbacks],
        verbose=verbose,
    )
    seconds = time.perf_counter() - started
    for name, copy in copies.items():
        for target, source in zip(copy.weights, towers[name].weights, strict=True):
            target.assign(keras.ops.copy(source.value))
    return {
        "models": dict(copies),
        "curves": {
            name: {
                ("val_" if key.startswith("val_") else "train_")
                + key.removeprefix("val_").removeprefix(f"{output}_"): np.asarray(
                    values, "float64"
                )
                for key, values in fit.history.items()
                if key.removeprefix("val_").startswith(f"{output}_")
            }
            for name, output in zip(copies, names, strict=True)
        },
        "penalties": {
            n: np.asarray(p, "float64") for n, p in recorder.penalties.items()
        },
        "records": recorder.records,
        "record_epochs": recorder.epochs,
        "seconds": seconds,
    }


def kernels(model: keras.Model) -> list[Any]:
    """The kernels (or embeddings) of every layer of ``model`` that has one."""
    found = []
    for layer in _all_layers(model):
        arg = _kernel_arg(layer)
        if arg is None:
            continue
        found.append(layer.embeddings if arg.startswith("embeddings") else layer.kernel)
    return found
