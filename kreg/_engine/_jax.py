"""The stacked trainer's loop on JAX: one pure ``jax.jit`` function of the weights,
optimizer state (``stateless_apply``) and records (donated) per chunk of epochs;
the chunk's bounds are traced, so one compilation serves every chunk."""

from __future__ import annotations

import jax
import numpy as np
from jax import lax
from jax import numpy as jnp

from kreg._engine import StackedTrainer


class Trainer(StackedTrainer):
    """:class:`kreg._engine.StackedTrainer` on JAX."""

    def _prepare(self) -> None:
        self._params = [v.value for v in self.variables]
        self._state = [v.value for v in self._optimizer.variables]
        self._records = [jnp.asarray(b) for b in self._records]
        self._chunk = jax.jit(self._epochs, donate_argnums=2)
        self._probabilities = jax.jit(super()._probabilities)

    def _step(self, carry, x, y):
        params, state = carry
        grads = jax.grad(self._loss)(params, x, y)
        return tuple(self._optimizer.stateless_apply(state, grads, params))

    def _epochs(self, params, state, buffers, order, start, count):
        bs, n_full, rest = self.batch_size, self.n_full, self.rest
        slots = jnp.asarray(self._slots)
        metrics = jnp.zeros((self.max_chunk, *self._metrics.shape[1:]), "float32")

        def epoch(i, carry):
            params, state, buffers, metrics = carry
            xs = jnp.take(self._x_train, order[i], axis=0)
            ys = jnp.take(self._y_train, order[i], axis=0)

            def batch(k, step_carry):
                x, y = (lax.dynamic_slice_in_dim(a, k * bs, bs) for a in (xs, ys))
                return self._step(step_carry, x, y)

            params, state = lax.fori_loop(0, n_full, batch, (params, state))
            if rest:
                first = n_full * bs
                params, state = self._step((params, state), xs[first:], ys[first:])
            metrics = metrics.at[i].set(self._evaluate(params))
            slot = slots[start + i]
            values = params
            if self._recorded is not None:
                values = [jnp.take(p, self._recorded, axis=0) for p in params]
            buffers = [b.at[slot].set(v) for b, v in zip(buffers, values, strict=False)]
            return params, state, buffers, metrics

        return lax.fori_loop(0, count, epoch, (params, state, buffers, metrics))

    def _run_chunk(self, order: np.ndarray, start: int, stop: int) -> None:
        self._params, self._state, self._records, metrics = self._chunk(
            self._params,
            self._state,
            self._records,
            jnp.asarray(order),
            jnp.int32(start),
            jnp.int32(stop - start),
        )
        # Sliced in NumPy: each new slice of a JAX array would be compiled.
        self._metrics[start:stop] = np.asarray(metrics)[: stop - start]
        for variable, value in zip(self.variables, self._params, strict=True):
            variable.assign(value)
        for variable, value in zip(self._optimizer.variables, self._state, strict=True):
            variable.assign(value)
