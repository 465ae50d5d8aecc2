"""The compiled core of ``kreg.compare`` and ``kreg.sweep``: many nets as one.

Each layer of the ``V`` networks ("slices") is one variable with a leading slice
axis (kernels ``(V, fan_in, fan_out)``), the forward pass one batched product. A
step's loss is the sum of the slices' (batch-mean data loss + penalty); they share
no weight, so an element-wise optimizer updates each slice as that network trained
alone. Only the loop over the epochs is written per backend (``_tensorflow``,
``_jax``, ``_torch``; see the guide "Backends"); Python runs between chunks of epochs.
"""

from __future__ import annotations

import functools
import importlib
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from kreg import _backend, proximal
from kreg._backend import to_numpy
from kreg.penalties import magnitude, scale
from kreg.regularizers import L1, L1L2, L2, GroupL1

# Per-epoch quantities, in the order of the metric buffer's middle axis.
METRIC_NAMES = (
    "train_loss",
    "penalty",
    "train_total",
    "train_accuracy",
    "val_loss",
    "val_accuracy",
)

# Rows x slices evaluated per call when predicting on a grid.
_PREDICT_BUDGET = 65536

# The wall time each compiled call aims at: Python (and so a Ctrl-C) runs between
# calls; a call costs about 0.1 ms, so 0.25 s calls lose nothing measurable.
CALL_SECONDS = 0.25

# Most batch-order entries (epochs x training rows) held on the device at once: the
# epochs run in chunks of at most this many entries, whose permutations are drawn
# just before the chunk runs.
ORDER_BUDGET = 4_000_000


def _bce_from_logits(y: Any, logits: Any):
    """Per-slice ``(V,)`` mean binary cross-entropy of ``(V, rows, 1)`` logits, as
    Keras computes it for a sigmoid output on this backend: from the logits on
    TensorFlow, from the probabilities clipped to ``[eps, 1 - eps]`` elsewhere
    (written out: PyTorch's ``binary_cross_entropy`` raises on a NaN, where a
    diverged slice must go on as NaN)."""
    y = ops.broadcast_to(ops.cast(y, logits.dtype), ops.shape(logits))
    if keras.backend.backend() == "tensorflow":
        per_entry = ops.binary_crossentropy(y, logits, from_logits=True)
    else:
        eps = keras.backend.epsilon()
        p = ops.clip(ops.sigmoid(logits), eps, 1.0 - eps)
        per_entry = -(y * ops.log(p) + (1.0 - y) * ops.log(1.0 - p))
    per_row = ops.mean(per_entry, axis=-1)
    rows = ops.cast(ops.shape(per_row)[1], per_row.dtype)
    return ops.divide_no_nan(ops.sum(per_row, axis=1), rows)


def _accuracy(y: Any, logits: Any):
    """Per-slice binary accuracy of ``sigmoid(logits) > 0.5``, as Keras' metric."""
    predicted = ops.cast(ops.greater(ops.sigmoid(logits), 0.5), logits.dtype)
    y = ops.cast(y, logits.dtype)
    return ops.mean(ops.cast(ops.equal(predicted, y), logits.dtype), axis=(1, 2))


def _linear_coefficients(regularizer: Any) -> tuple[float, float] | None:
    """``(c1, c2)`` of a kreg penalty ``c1 * sum(|w|) + c2 * sum(w ** 2)``; None
    for anything else (subclasses included, which may compute something else)."""
    kind, reg = type(regularizer), regularizer
    if kind is L1:
        return scale(reg.lam, reg.n), 0.0
    if kind is L2:
        return 0.0, scale(reg.lam, reg.n)
    if kind is L1L2:
        return scale(reg.l1, reg.n), scale(reg.l2, reg.n)
    return None


class _KernelPenalty:
    """The penalty on one hidden kernel, for every slice at once: per-slice
    ``l1``/``l2`` factors (tensors, or None when all are 0), the group lasso
    terms, and ``others``, ``(slice, regularizer)`` pairs called on their slice."""

    def __init__(self, regularizers: Sequence[Any]):
        l1 = np.zeros(len(regularizers), "float32")
        l2 = np.zeros(len(regularizers), "float32")
        self.others = []
        for v, regularizer in enumerate(regularizers):
            if regularizer is None or type(regularizer) is GroupL1:
                continue
            coefficients = _linear_coefficients(regularizer)
            if coefficients is None:
                self.others.append((v, regularizer))
            else:
                l1[v], l2[v] = coefficients
        # Tensors once, here: a NumPy operand would be converted at every step.
        self.l1 = ops.convert_to_tensor(l1) if np.any(l1) else None
        self.l2 = ops.convert_to_tensor(l2) if np.any(l2) else None
        # The group lasso on the stacked kernel, with the very gradient its
        # proximal step takes back out (kreg.penalties.group_l1_penalty).
        self.groups = proximal.stacked_group_terms(regularizers)

    def __call__(self, kernel: Any) -> Any:
        """The ``(V,)`` penalties of the slices of a stacked kernel (or ``None``)."""
        terms = []
        if self.l1 is not None:
            terms.append(ops.multiply(self.l1, ops.sum(magnitude(kernel), axis=(1, 2))))
        if self.l2 is not None:
            terms.append(
                ops.multiply(self.l2, ops.sum(ops.square(kernel), axis=(1, 2)))
            )
        for group in self.groups:
            g = ops.stop_gradient(group.subgradient(kernel))
            terms.append(ops.sum(kernel * g, axis=(1, 2)))
        if self.others:
            values = [ops.zeros((), "float32")] * int(kernel.shape[0])
            for v, regularizer in self.others:
                value = regularizer(kernel[v])
                if not keras.backend.is_float_dtype(value.dtype):
                    value = ops.cast(value, "float32")
                values[v] = ops.cast(ops.sum(value), "float32")
            terms.append(ops.stack(values))
        return functools.reduce(ops.add, terms) if terms else None


class StackedTrainer:
    """Trains ``V`` networks of one MLP shape together; see the module docstring.

    :func:`new_trainer` picks the subclass of the active backend, which implements
    :meth:`_run_chunk` and may override :meth:`_prepare`.

    Args:
        initial: One network's ``[kernel_0, bias_0, ...]`` (float32), copied to
            every slice, or a list of ``V`` such lists.
        activation: The hidden layers' activation (a Keras activation name).
        regularizers: Per slice, one kernel regularizer (or None) per hidden
            layer; the output layer is never regularized.
        optimizer: A fresh, unbuilt element-wise Keras optimizer.
        data: ``(x_train, y_train, x_val, y_val)``; ``y`` of shape ``(rows, 1)``.
        order: Permutations of ``range(n_train)``, one per epoch, drawn just
            before each chunk runs: the epoch's rows in consecutive batches.
        epochs: The number of epochs.
        batch_size: Rows per step.
        record_epochs: Sorted epochs (>= 1) after which the weights are recorded;
            the initial weights are always record 0.
        record_slices: The slices whose weights are recorded (default: all).
        jit_compile: Compile the epoch loop with XLA (TensorFlow only).
    """

    def __init__(
        self,
        initial: Sequence[Any],
        *,
        activation: str,
        regularizers: Sequence[Sequence[Any]],
        optimizer: keras.optimizers.Optimizer,
        data: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
        order: Iterator[np.ndarray],
        epochs: int,
        batch_size: int,
        record_epochs: Sequence[int],
        record_slices: Sequence[int] | None = None,
        jit_compile: bool = True,
    ):
        x_train, y_train, x_val, y_val = data
        self.n_slices = n = len(regularizers)
        per_slice = isinstance(initial[0], (list, tuple))
        if per_slice and len(initial) != n:  # pragma: no cover - internal misuse
            raise ValueError(f"{len(initial)} initial weight sets for {n} slices")
        self.n_layers = len(initial[0] if per_slice else initial) // 2
        self.epochs = epochs
        self.n_train = len(x_train)
        self.batch_size = min(batch_size, self.n_train)
        self.n_full, self.rest = divmod(self.n_train, self.batch_size)
        self.jit_compile = jit_compile
        self._activation = keras.activations.get(activation)
        self._regularizers = [list(r) for r in regularizers]
        self._penalties = [
            _KernelPenalty([regs[i] for regs in self._regularizers])
            for i in range(self.n_layers - 1)
        ]
        self._optimizer = optimizer

        sets = initial if per_slice else [initial] * n
        values = [
            np.stack([np.asarray(w[j], dtype="float32") for w in sets])
            for j in range(2 * self.n_layers)
        ]
        self.variables = [
            keras.Variable(value, name="kernel" if j % 2 == 0 else "bias")
            for j, value in enumerate(values)
        ]
        self.kernels = self.variables[0::2]
        self._optimizer.build(self.variables)
        if isinstance(optimizer, proximal._ProximalMixin):
            for i, kernel in enumerate(self.kernels[:-1]):
                term = proximal.stacked_term([regs[i] for regs in self._regularizers])
                if term is not None:
                    self._optimizer.set_proximal_term(kernel, term)

        self._x_train = ops.convert_to_tensor(x_train, "float32")
        self._y_train = ops.convert_to_tensor(y_train, "float32")
        self._x_all = ops.convert_to_tensor(np.concatenate([x_train, x_val]), "float32")
        self._y_val = ops.convert_to_tensor(y_val, "float32")
        self._order_source = order
        self.max_chunk = max(1, min(epochs, ORDER_BUDGET // self.n_train))

        # Slot r holds record r; epochs that are not recorded write to a last
        # scratch slot, so a compiled loop has no branch.
        self.record_epochs = [0, *record_epochs]
        self.record_slices = list(range(n) if record_slices is None else record_slices)
        # The slices to record, or None for all of them (no gather needed).
        self._recorded = None
        if self.record_slices != list(range(n)):
            self._recorded = np.asarray(self.record_slices, "int32")
        n_records = len(self.record_epochs)
        self._slots = np.full(self.epochs, n_records, dtype="int32")
        for r, epoch in enumerate(record_epochs, start=1):
            self._slots[epoch - 1] = r
        # Host arrays here; ``_prepare`` may replace them with device copies.
        self._records = []
        if self.record_slices:
            for value in values:
                initial_record = value[self.record_slices]
                buffer = np.zeros((n_records + 1, *initial_record.shape), "float32")
                buffer[0] = initial_record
                self._records.append(buffer)
        self._metrics = np.full((self.epochs, len(METRIC_NAMES), n), np.nan, "float32")
        self._prepare()

    def _prepare(self) -> None:
        """Put the data, records, metrics and compiled loop where the backend runs."""

    def _run_chunk(self, order: np.ndarray, start: int, stop: int) -> None:
        """Run epochs ``start + 1 .. stop`` (``order[i]``: epoch ``start + i + 1``'s
        permutation), filling ``_metrics`` and ``_records``."""
        raise NotImplementedError  # pragma: no cover - every backend overrides it

    def logits(self, weights: Sequence[Any], x: Any, slices: Any = None):
        """Output logits ``(V, rows, 1)`` of every slice (or of ``slices``) at the
        stacked ``weights`` for inputs ``x`` ``(rows, features)``, layer by layer
        as Keras' ``Dense``, with one batched product for all slices."""
        if slices is not None:
            weights = [ops.take(w, slices, axis=0) for w in weights]
        kernels, biases = weights[0::2], weights[1::2]
        h = ops.einsum("bi,vij->vbj", x, kernels[0]) + ops.expand_dims(biases[0], 1)
        for kernel, bias in zip(kernels[1:], biases[1:], strict=True):
            h = self._activation(h)
            h = ops.matmul(h, kernel) + ops.expand_dims(bias, 1)
        return h

    def penalties(self, weights: Sequence[Any]):
        """Penalty ``(V,)`` of every slice: its regularizers on its kernel slices
        (the L1 term too with a proximal optimizer, which takes it back out)."""
        total = ops.zeros((self.n_slices,), "float32")
        for penalty, kernel in zip(self._penalties, weights[0::2], strict=False):
            term = penalty(kernel)
            if term is not None:
                total = total + term
        return total

    def _loss(self, weights: Sequence[Any], x: Any, y: Any):
        """One step's objective: the slices' data losses plus penalties, summed."""
        data = _bce_from_logits(y, self.logits(weights, x))
        loss = ops.sum(data) + ops.sum(self.penalties(weights))
        return self._optimizer.scale_loss(loss)

    def _evaluate(self, weights: Sequence[Any]):
        """The six per-epoch quantities at ``weights``, ``(6, V)``."""
        logits = self.logits(weights, self._x_all)
        train_logits, val_logits = logits[:, : self.n_train], logits[:, self.n_train :]
        train_loss = _bce_from_logits(self._y_train, train_logits)
        penalty = self.penalties(weights)
        return ops.stack(
            [
                train_loss,
                penalty,
                train_loss + penalty,
                _accuracy(self._y_train, train_logits),
                _bce_from_logits(self._y_val, val_logits),
                _accuracy(self._y_val, val_logits),
            ]
        )

    def run(
        self,
        callback: Callable[[int], None] | None = None,
        chunk: int | None = None,
        *,
        seconds: float = CALL_SECONDS,
    ) -> None:
        """Train all epochs, calling ``callback(epochs_done)`` after each chunk.

        By default the first compiled call runs one epoch (and compiles), the
        next eight, then as many as the measured speed fits in ``seconds``.

        Args:
            callback: Called with the number of epochs done after each chunk.
            chunk: Epochs per compiled call (at most ``max_chunk``); default:
                sized by ``seconds``.
            seconds: The wall time one compiled call aims at (``chunk=None``).
        """
        order = np.zeros((self.max_chunk, self.n_train), "int32")
        done, size = 0, 1 if chunk is None else min(chunk, self.max_chunk)
        while done < self.epochs:
            stop = min(done + size, self.epochs)
            for row in range(stop - done):
                order[row] = next(self._order_source)
            began = time.perf_counter()
            self._run_chunk(order, done, stop)
            elapsed = time.perf_counter() - began
            if chunk is None and done > 0:  # the first call's time is compilation
                per_epoch = max(elapsed, 1e-6) / (stop - done)
                size = int(min(self.max_chunk, max(1, seconds / per_epoch)))
            elif chunk is None:
                size = 8  # one more short call, to measure the speed
            done = stop
            if callback is not None:
                callback(done)

    def metrics(self) -> np.ndarray:
        """The per-epoch quantities, ``(epochs, 6, V)`` float64."""
        return self.metrics_between(0, self.epochs)

    def metrics_between(self, start: int, stop: int) -> np.ndarray:
        """The per-epoch quantities of epochs ``start + 1 .. stop`` (only those
        rows copied from the device), float64."""
        return to_numpy(self._metrics[start:stop]).astype("float64")

    def records(self) -> list[np.ndarray]:
        """One array per variable, ``(records, R, *shape)`` for the ``R`` slices of
        ``record_slices``; record 0 is initial; empty when no slice is recorded."""
        n_records = len(self.record_epochs)
        return [to_numpy(b[:n_records]) for b in self._records]

    def weights(self) -> list[np.ndarray]:
        """The current stacked variables as NumPy arrays, ``(V, *shape)`` each."""
        return [to_numpy(v) for v in self.variables]

    def optimizer_state(self) -> list[np.ndarray]:
        """The optimizer's variables as NumPy arrays (stacked ones ``(V, ...)``)."""
        return [to_numpy(v) for v in self._optimizer.variables]

    def predict(self, x: np.ndarray, slices: Sequence[int] | None = None) -> np.ndarray:
        """Sigmoid outputs ``(V, rows)`` at the final weights, of all or ``slices``."""
        x = np.asarray(x, dtype="float32")
        count = self.n_slices if slices is None else len(slices)
        block = min(len(x), max(1, _PREDICT_BUDGET // max(1, count)))
        index = None if slices is None else np.asarray(slices, "int32")
        weights = [v.value for v in self.variables]
        outputs = []
        for first in range(0, len(x), block):
            rows = x[first : first + block]
            n_rows = len(rows)
            # The short last block padded: a compiled ``_probabilities`` compiles
            # once.
            rows = np.pad(rows, ((0, block - n_rows), (0, 0)))
            out = self._probabilities(weights, ops.convert_to_tensor(rows), index)
            outputs.append(to_numpy(out)[:, :n_rows, 0])
        return np.concatenate(outputs, axis=1)

    def _probabilities(self, weights: Sequence[Any], x: Any, slices: Any) -> Any:
        return ops.sigmoid(self.logits(weights, x, slices))


def new_trainer(*args: Any, **kwargs: Any) -> StackedTrainer:
    """A :class:`StackedTrainer` for the active Keras backend (same arguments)."""
    backend = keras.backend.backend()
    if backend not in _backend.BACKENDS:
        raise RuntimeError(_backend.missing(backend))
    module = importlib.import_module(f"kreg._engine._{backend}")
    return module.Trainer(*args, **kwargs)
