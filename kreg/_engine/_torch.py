"""The stacked trainer's loop on PyTorch: eager steps, as Keras' PyTorch trainer.

Each step computes the summed objective, its gradients with ``torch.autograd``
and the update with ``optimizer.apply`` under ``torch.no_grad()``, the order of
``model.fit``'s step on this backend. The metrics are evaluated after each epoch
and the records copied to the host at their epochs.
"""

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
            for first, rows in self._batches():
                loss = self._loss(
                    params, xs[first : first + rows], ys[first : first + rows]
                )
                grads = torch.autograd.grad(loss, params)
                with torch.no_grad():
                    self._optimizer.apply(list(grads), self.variables)
            with torch.no_grad():
                self._metrics[start + i] = to_numpy(self._evaluate(params))
                slot = self._slots[start + i]
                if slot < n_records:
                    for buffer, param in zip(self._records, params, strict=False):
                        if self._recorded is not None:  # gathered on the device
                            value = ops.take(param, self._recorded, axis=0)
                        else:
                            value = param
                        buffer[slot] = to_numpy(value)
