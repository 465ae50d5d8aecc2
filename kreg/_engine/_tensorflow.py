"""The stacked trainer's loop on TensorFlow: a ``tf.while_loop`` over a chunk of
epochs in one ``tf.function`` (XLA if ``jit_compile``), all data on the device."""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from kreg._engine import StackedTrainer


class Trainer(StackedTrainer):
    """:class:`kreg._engine.StackedTrainer` on TensorFlow."""

    def _prepare(self) -> None:
        self._order = tf.Variable(
            np.zeros((self.max_chunk, self.n_train), "int32"), trainable=False
        )
        self._bounds = tf.Variable([0, 0], dtype=tf.int32, trainable=False)
        self._slots_device = tf.constant(self._slots)
        self._records = [tf.Variable(b, trainable=False) for b in self._records]
        self._metrics = tf.Variable(self._metrics, trainable=False)
        self._run = tf.function(
            self._run_epochs,
            jit_compile=self.jit_compile,
            autograph=False,
            reduce_retracing=True,
        )

    def _run_chunk(self, order: np.ndarray, start: int, stop: int) -> None:
        self._order.assign(order)
        self._bounds.assign([start, stop])
        self._run()

    def _train_step(self, x, y) -> None:
        with tf.GradientTape() as tape:
            loss = self._loss(self.variables, x, y)
        grads = tape.gradient(loss, self.variables)
        self._optimizer.apply(grads, self.variables)

    def _run_epochs(self) -> None:
        """Epochs ``start + 1 .. stop`` of ``_bounds``: a variable, not arguments,
        which XLA would take as constants and compile each chunk anew (1.6 s)."""
        bs, n_full, rest = self.batch_size, self.n_full, self.rest
        d = self._x_train.shape[1]
        recorded = self._recorded

        def epoch_body(i):
            e = self._bounds[0] + i
            perm = tf.gather(self._order, i)
            xs = tf.gather(self._x_train, perm)
            ys = tf.gather(self._y_train, perm)

            def batch_body(k):
                first = k * bs
                self._train_step(
                    tf.slice(xs, [first, 0], [bs, d]), tf.slice(ys, [first, 0], [bs, 1])
                )
                return (k + 1,)

            tf.while_loop(lambda k: k < n_full, batch_body, (tf.constant(0, tf.int32),))
            if rest:
                self._train_step(xs[n_full * bs :], ys[n_full * bs :])
            metrics = self._evaluate(self.variables)[None]
            self._metrics.scatter_update(tf.IndexedSlices(metrics, tf.reshape(e, [1])))
            slot = tf.reshape(tf.gather(self._slots_device, e), [1])
            for buffer, variable in zip(self._records, self.variables, strict=False):
                value = variable.value
                if recorded is not None:
                    value = tf.gather(value, recorded)
                buffer.scatter_update(tf.IndexedSlices(value[None], slot))
            return (i + 1,)

        tf.while_loop(
            lambda i: i < self._bounds[1] - self._bounds[0],
            epoch_body,
            (tf.constant(0, tf.int32),),
        )
