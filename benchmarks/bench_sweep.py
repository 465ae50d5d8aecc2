"""Benchmark: a 13-lambda kreg.sweep against one model trained alone by the engine.

Both are timed in this process with the lecture's settings (two moons, 80
training rows, Dense 128-128-1, Adam 0.01, batches of 32): one model is
``kreg.compare(variants=(KIND,))`` (the engine with a single network), the sweep
is ``kreg.sweep(kind=KIND)`` over its default grid of 13 lambdas. The time of
each is its ``timing["train_seconds"]``: building the stacked network, compiling
the training loop and training, without the decision grid. A short warm-up run
first pays TensorFlow's one-time start-up, so that neither side is charged for it.
The goal of issue 5: the sweep takes at most 3 times one model.

Usage::

    python benchmarks/bench_sweep.py                  # 2000 epochs, about 30 s
    python benchmarks/bench_sweep.py --kind l1 --repeats 3
    python benchmarks/bench_sweep.py --epochs 500     # a quick look
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

GOAL = 3.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000, help="default: 2000")
    parser.add_argument(
        "--kind", choices=("l1", "l2", "l1l2"), default="l2", help="default: l2"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="time each this many times, alternating, and keep the fastest "
        "(default: 1)",
    )
    args = parser.parse_args(argv)

    import tensorflow as tf

    from kreg.compare import compare
    from kreg.sweep import default_lams, sweep

    # Each run builds its own compiled loop; TensorFlow's "retracing" notice about
    # that is expected here.
    tf.get_logger().setLevel("ERROR")

    settings = {"epochs": args.epochs, "grid_resolution": 2}
    lams = default_lams(args.kind)
    print(
        f"Lecture setup, {args.epochs} epochs, kind {args.kind}, "
        f"{os.cpu_count()} CPUs; {len(lams)} lambdas: "
        + ", ".join(f"{lam:.3g}" for lam in lams),
        flush=True,
    )
    compare(variants=(args.kind,), epochs=2, grid_resolution=2)  # warm-up

    one, many = [], []
    for _ in range(args.repeats):
        alone = compare(variants=(args.kind,), **settings)
        one.append(alone.timing["train_seconds"])
        print(f"  one model (compare, 1 variant): {one[-1]:.2f} s", flush=True)
        result = sweep(kind=args.kind, **settings)
        many.append(result.timing["train_seconds"])
        print(f"  {len(lams)}-lambda sweep:            {many[-1]:.2f} s", flush=True)

    ratio = min(many) / min(one)
    print(
        f"one model {min(one):.2f} s, {len(lams)}-lambda sweep {min(many):.2f} s: "
        f"ratio {ratio:.2f} (goal <= {GOAL:g}: {'met' if ratio <= GOAL else 'NOT met'})"
    )
    print(f"best lambda {result.best_lam:.4g}; the sweep's table:")
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
