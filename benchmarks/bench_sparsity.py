"""Benchmark: exact zeros of proximal L1 against subgradient L1 on the lecture setup.

The lecture's setup (two moons, 80 training rows, Dense 128-128-1, Adam 0.01,
batches of 32, 2000 epochs) with the L1 penalty ``lam / (2 n) * sum(|w|)`` at the
lecture's ``lam = 0.16`` on both hidden kernels, trained two ways side by side in
one ``kreg.compare`` run per seed (same initial weights, same batches):

- ``l1_subgradient``: ``kreg.L1(0.16, 80)``, the penalty's gradient, as Keras'
  own L1 regularizer acts;
- ``l1_proximal``: ``kreg.L1(0.16, 80, proximal=True)``, a soft threshold after
  each update (the run trains with ``kreg.ProximalAdam``, which updates the
  subgradient variant exactly as Adam does).

It prints the fraction of hidden-kernel weights that are exactly 0 and the
validation accuracy of each, and checks the goals of issue 5: the proximal
variant has at least 50% exact zeros and a validation accuracy at most 0.05
below the subgradient one, which has no exact zeros.

Usage::

    python benchmarks/bench_sparsity.py                    # seed 0, about 15 s
    python benchmarks/bench_sparsity.py --seeds 0,1,2,3,4  # five seeds
    python benchmarks/bench_sparsity.py --out runs/sparsity  # also write the report
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _seeds(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000, help="default: 2000")
    parser.add_argument("--lam", type=float, default=0.16, help="default: 0.16")
    parser.add_argument(
        "--seeds", type=_seeds, default=[0], help="comma-separated (default: 0)"
    )
    parser.add_argument(
        "--out", default=None, help="write the first seed's comparison report here"
    )
    args = parser.parse_args(argv)

    import numpy as np

    import kreg

    n = 80
    variants = {
        "l1_subgradient": kreg.L1(args.lam, n),
        "l1_proximal": kreg.L1(args.lam, n, proximal=True),
    }
    print(
        f"Lecture setup, lam = {args.lam:g} (n = {n}), {args.epochs} epochs, "
        f"seeds {args.seeds}",
        flush=True,
    )
    zeros = {name: [] for name in variants}
    accuracy = {name: [] for name in variants}
    for seed in args.seeds:
        result = kreg.compare(variants=variants, seed=seed, epochs=args.epochs)
        line = [f"seed {seed} ({result.config['optimizer']['class_name']}):"]
        for name in variants:
            weights = result.models[name].get_weights()
            hidden = np.concatenate([w.ravel() for w in weights[0:-2:2]])
            zeros[name].append(float(np.mean(hidden == 0)))
            accuracy[name].append(result.metrics[name]["val_accuracy"])
            line.append(
                f"{name} {zeros[name][-1]:.1%} zeros ({int(np.sum(hidden == 0))} of "
                f"{hidden.size}), val acc {accuracy[name][-1]:.3f};"
            )
        print("  " + " ".join(line), flush=True)
        if seed == args.seeds[0]:
            print(result.summary())
            if args.out:
                from kreg.report import write_report

                paths = write_report(result, args.out)
                print(f"  report: {paths['report.html']}")

    sub, prox = "l1_subgradient", "l1_proximal"
    mean = {k: (float(np.mean(zeros[k])), float(np.mean(accuracy[k]))) for k in zeros}
    print("mean over the seeds (hidden kernels):")
    for name, (z, a) in mean.items():
        print(f"  {name:15s} exact zeros {z:6.1%}   val accuracy {a:.3f}")
    goals = {
        "proximal >= 50% exact zeros": mean[prox][0] >= 0.5,
        "proximal val accuracy >= subgradient - 0.05": mean[prox][1]
        >= mean[sub][1] - 0.05,
        "subgradient has no exact zeros": mean[sub][0] == 0,
    }
    for goal, met in goals.items():
        print(f"  goal {goal}: {'met' if met else 'NOT met'}")
    return 0 if all(goals.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
