"""The stacked trainer's loop on PyTorch: eager steps, as Keras' PyTorch trainer
(gradients by ``torch.autograd``, then ``optimizer.apply`` under ``no_grad``)."""

from __future__ import annotations

import numpy as np
import torch
from keras import ops

from kreg._backend import to_numpy
from kreg._engine import StackedTrainer


class Trainer(StackedTrainer):
    """:class:`kreg._engine.StackedTrainer` on PyTorch."""

    def _run_chunk(self, order: np.ndarray, start: int, stop: int) -> None:
        params = [v.value for v in self.variables]
        n_records = len(self.record_epochs)
        for i in range(stop - start):
            perm = torch.as_tensor(order[i], dtype=torch.int64)
            xs = ops.take(self._x_train, perm, axis=0)
            ys = ops.take(self._y_train, perm, axis=0)
            for first in range(0, self.n_train, self.batch_size):
                batch = slice(first, first + self.batch_size)
                loss = self._loss(params, xs[batch], ys[batch])
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    self._optimizer.apply(list(grads), self.variables)
            with torch.no_grad():
                self._metrics[start + i] = to_numpy(self._evaluate(params))
                slot = self._slots[start + i]
                if slot < n_records:
                    for buffer, value in zip(self._records, params, strict=False):
                        if self._recorded is not None:  # gathered on the device
                            value = ops.take(value, self._recorded, axis=0)
                        buffer[slot] = to_numpy(value)
