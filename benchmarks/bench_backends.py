"""kreg on each Keras backend: the default comparison and a training step, timed.

For each backend (TensorFlow, JAX, PyTorch; one process each, since Keras picks its
backend at import), in one run:

- the default comparison, ``kreg.compare()`` (none, L1, L2; 2000 epochs): the
  training time (``result.timing["train_seconds"]``) and the whole call;
- 100 training steps (``model.fit``, batches of 32) of the seed's Dense 128-128-1
  model with ``kreg.L2(lam, n)`` on the hidden kernels against
  ``keras.regularizers.L2(lam / (2 n))``, after one warm-up fit; the median of
  ``--rounds`` alternating rounds.

Prints the times, the ratios to TensorFlow and, per backend, kreg.L2 / Keras L2.
A backend that is not installed is reported and left out.

Run: ``python benchmarks/bench_backends.py [--backends tensorflow,jax,torch]
[--epochs 2000] [--rounds 5]``
"""

import argparse
import json
import os
import subprocess
import sys
import time

from kreg._backend import BACKENDS, missing


def worker(epochs: int, rounds: int) -> dict:
    """Run in the child process: the measurements on the active backend."""
    import keras
    import numpy as np
    from bench_regularizers import build, median_fit_seconds

    import kreg

    started = time.perf_counter()
    result = kreg.compare(epochs=epochs, progress=False)
    compare_total = time.perf_counter() - started

    rows, lam = 3200, 0.16  # 100 batches of 32
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, 2)).astype("float32")
    y = (x[:, 0] * x[:, 1] > 0).astype("float32")

    models = {
        "kreg": build(kreg.L2(lam, rows)),
        "keras": build(keras.regularizers.L2(lam / (2 * rows))),
    }
    seconds = median_fit_seconds(
        models,
        lambda m: m.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False),
        rounds,
    )
    return {
        "compare_train": result.timing["train_seconds"],
        "compare_total": compare_total,
        "steps_kreg": seconds["kreg"],
        "steps_keras": seconds["keras"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--epochs", type=int, default=2000, help="default: 2000")
    parser.add_argument("--rounds", type=int, default=5, help="default: 5")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.epochs, args.rounds)))
        return

    results = {}
    for backend in args.backends.split(","):
        reason = missing(backend)
        if reason:
            print(f"{backend}: left out ({reason})")
            continue
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3")
        command = [sys.executable, __file__, "--worker"]
        command += ["--epochs", str(args.epochs), "--rounds", str(args.rounds)]
        out = subprocess.run(
            command, env=env, capture_output=True, text=True, check=True
        )
        results[backend] = json.loads(out.stdout.strip().splitlines()[-1])

    base = results.get("tensorflow")
    print(
        f"\n{'backend':<11} {'compare: train':>15} {'whole call':>11} "
        f"{'100 steps kreg.L2':>18} {'Keras L2':>9} {'kreg/Keras':>10}"
    )
    for backend, r in results.items():
        print(
            f"{backend:<11} {r['compare_train']:>13.2f} s {r['compare_total']:>9.2f} s "
            f"{r['steps_kreg'] * 1e3:>15.1f} ms {r['steps_keras'] * 1e3:>6.1f} ms "
            f"{r['steps_kreg'] / r['steps_keras']:>10.3f}"
        )
    if base:
        print("\nratio to tensorflow (higher is slower):")
        for backend, r in results.items():
            ratios = {key: r[key] / base[key] for key in r}
            print(
                f"{backend:<11} compare train {ratios['compare_train']:.2f}, "
                f"whole call {ratios['compare_total']:.2f}, "
                f"100 steps {ratios['steps_kreg']:.2f}"
            )


if __name__ == "__main__":
    main()
