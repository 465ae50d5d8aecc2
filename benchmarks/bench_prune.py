"""Benchmark: group L1 then ``kreg.prune`` against the dense network and magnitude
pruning, on the lecture setup.

The lecture's setup (two moons, 80 training rows and the last 20 for validation,
Dense 128-128-1, Adam 0.01, batches of 32, 2000 epochs), trained four ways from
the same initial weights:

- ``dense``: no penalty, the network as the lecture trains it;
- ``group``: ``kreg.GroupL1(lam, 80, groups="units", proximal=True)`` on both
  hidden kernels with ``kreg.ProximalAdam``, then ``kreg.prune``: a physically
  smaller Keras model with the same predictions;
- ``group + fine-tune``: the pruned model trained ``--fine-tune`` more epochs
  without a penalty;
- ``magnitude``: the dense network with all but its largest parameters (by
  |value|, over every kernel and bias) set to zero, as many as the pruned model
  has, then fine-tuned as long with the zeros held (a mask applied after each
  step): unstructured pruning, which keeps the dense shapes.

It prints the parameters (weights and biases; for ``magnitude`` the nonzero
ones), the validation accuracy (20 rows, as the lecture), the accuracy on 10,000
fresh rows of the same distribution (``make_moons(10000, noise=0.25,
random_state=7)``), and the CPU time of one ``predict_on_batch`` on 100,000 rows
(median of ``--repeats``), with the ratios against ``dense``.

Usage::

    python benchmarks/bench_prune.py                 # about 2 minutes
    python benchmarks/bench_prune.py --lam 2 --epochs 500
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000, help="default: 2000")
    parser.add_argument("--fine-tune", type=int, default=200, help="default: 200")
    parser.add_argument("--lam", type=float, default=0.1, help="default: 0.1")
    parser.add_argument("--repeats", type=int, default=7, help="default: 7")
    args = parser.parse_args(argv)

    import keras
    import numpy as np

    import kreg

    x, y = kreg.make_moons(100, noise=0.25, random_state=2)
    x, y = x.astype("float32"), y.astype("float32")
    x_train, y_train, x_val, y_val = x[:80], y[:80], x[80:], y[80:]
    x_test, y_test = kreg.make_moons(10_000, noise=0.25, random_state=7)
    rows = np.random.default_rng(0).normal(size=(100_000, 2)).astype("float32")

    def network(regularizer=None):
        keras.utils.set_random_seed(0)
        return keras.Sequential(
            [
                keras.Input((2,)),
                keras.layers.Dense(128, "relu", kernel_regularizer=regularizer),
                keras.layers.Dense(128, "relu", kernel_regularizer=regularizer),
                keras.layers.Dense(1, "sigmoid"),
            ]
        )

    def fit(model, epochs, callbacks=(), columns=slice(None)):
        model.compile(kreg.ProximalAdam(0.01), "binary_crossentropy")
        model.fit(
            x_train[:, columns],
            y_train,
            batch_size=32,
            epochs=epochs,
            verbose=0,
            callbacks=list(callbacks),
        )
        return model

    def accuracy(model, x, y):
        return float(((model.predict_on_batch(x)[:, 0] > 0.5) == y).mean())

    def inference_seconds(model):
        model.predict_on_batch(rows)  # traced once
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            model.predict_on_batch(rows)
            times.append(time.perf_counter() - start)
        return float(np.median(times))

    print(
        f"Lecture setup, {args.epochs} epochs; GroupL1(lam={args.lam:g}, n=80, "
        f"groups='units', proximal=True) on the hidden kernels; fine-tuning "
        f"{args.fine_tune} epochs",
        flush=True,
    )
    dense = fit(network(), args.epochs)
    reg = kreg.GroupL1(args.lam, 80, groups="units", proximal=True)
    grouped = fit(network(reg), args.epochs)
    pruned = kreg.prune(grouped)
    units = [len(kept) for kept in pruned.kept_units.values()]
    print(f"  units kept per layer: {units} of [128, 128, 1]", flush=True)
    tuned = fit(kreg.prune(grouped), args.fine_tune, columns=pruned.kept_inputs)

    # Magnitude pruning to the pruned model's number of parameters: the largest
    # |value| among all weights and biases stay, the others are held at 0.
    budget = pruned.count_params()
    magnitude = fit(network(), args.epochs)
    variables = magnitude.trainable_variables
    values = np.concatenate([np.abs(v.numpy()).ravel() for v in variables])
    cut = np.sort(values)[-budget]
    masks = [np.abs(v.numpy()) >= cut for v in variables]

    class HoldZeros(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            for variable, mask in zip(variables, masks, strict=True):
                variable.assign(variable.numpy() * mask)

    HoldZeros().on_train_batch_end(0)
    fit(magnitude, args.fine_tune, [HoldZeros()])
    nonzero = sum(int(np.count_nonzero(v.numpy())) for v in variables)

    rows_out = []
    for name, model, params in [
        ("dense", dense, dense.count_params()),
        ("group, not pruned", grouped, grouped.count_params()),
        ("group, pruned", pruned, pruned.count_params()),
        ("group, pruned + fine-tune", tuned, tuned.count_params()),
        ("magnitude + fine-tune", magnitude, nonzero),
    ]:
        features = x_val[:, pruned.kept_inputs] if model in (pruned, tuned) else x_val
        test = x_test[:, pruned.kept_inputs] if model in (pruned, tuned) else x_test
        seconds = inference_seconds(model) if model in (dense, pruned) else None
        rows_out.append(
            (
                name,
                params,
                accuracy(model, features, y_val),
                accuracy(model, test, y_test),
                seconds,
            )
        )
    print(
        f"  {'':28s} {'params':>8s} {'val acc':>8s} {'test acc':>9s} "
        f"{'predict 100k':>13s}"
    )
    for name, params, val, test, seconds in rows_out:
        shown = f"{seconds * 1e3:10.1f} ms" if seconds is not None else ""
        print(f"  {name:28s} {params:8d} {val:8.3f} {test:9.3f} {shown:>13s}")
    ratio_params = rows_out[0][1] / rows_out[2][1]
    ratio_time = rows_out[0][4] / rows_out[2][4]
    print(
        f"Ratios, dense / pruned: {ratio_params:.1f}x fewer parameters, "
        f"{ratio_time:.1f}x faster predict_on_batch on 100,000 rows; validation "
        f"accuracy {rows_out[2][2] - rows_out[0][2]:+.3f}, test accuracy "
        f"{rows_out[2][3] - rows_out[0][3]:+.3f} (pruned - dense)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
