"""Choosing lambda on the lecture's two moons: an L2 sweep and an L1 sweep.

``kreg.sweep(kind=...)`` trains the lecture's network (Dense(128, relu) -
Dense(128, relu) - Dense(1, sigmoid), Adam(0.01), batch size 32, 80 training / 20
validation rows) once per lambda, side by side from identical initial weights on
identical batches. The default grid is 0 and 12 log-spaced lambdas, wide enough to
reach underfitting: 0.01 to 100 for L2, 0.001 to 10 for L1 (proximal: weights
reach exactly 0). The script prints each sweep's table and best lambda and writes
one report per kind (``report.html``, ``metrics.json``, ``paths.npz``, figures)
to ``OUT/l2`` and ``OUT/l1``; ``kreg sweep --kind l2 --out OUT/l2`` does the same
for one kind.

Run: ``python examples/sweep_moons.py [--epochs 2000] [--out DIR] [--seeds 0,1,2]``

``--docs-figures docs/img`` also copies the figures to ``docs/img/lambda_*.png``
for the page on choosing lambda (docs/lambda.md).
"""

import argparse
import os
import time

STARTED = time.perf_counter()

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

from kreg.report import atomic_write, default_out_dir, write_sweep_report  # noqa: E402
from kreg.sweep import sweep  # noqa: E402

KINDS = ("l2", "l1")
FIGURES = ("validation", "path", "sparsity", "boundaries")


def main(
    epochs: int, out: str | None, seeds: list[int] | None, docs_figures: str | None
) -> None:
    out = out or default_out_dir("sweep-moons")
    for kind in KINDS:
        began = time.perf_counter()
        result = sweep(kind=kind, epochs=epochs, seeds=seeds)
        print(result.summary())
        i = result.best_index
        print(
            f"{kind}: best lambda {result.best_lam:.4g} (validation data loss "
            f"{result.mean['val_loss'][i]:.3f}, validation accuracy "
            f"{result.mean['val_accuracy'][i]:.2f}); at lambda 0: validation data "
            f"loss {result.mean['val_loss'][0]:.3f}; exact zeros at the largest "
            f"lambda {result.mean['zero_fraction'][-1]:.1%}"
        )
        paths = write_sweep_report(result, os.path.join(out, kind), started=began)
        print(
            f"Report written to {paths['report.html']}; training "
            f"{result.timing['train_seconds']:.1f} s for {len(result.lams)} lambdas"
        )
        if docs_figures:
            os.makedirs(docs_figures, exist_ok=True)
            for name in FIGURES:
                if f"{name}.png" not in paths:
                    continue
                target = os.path.join(docs_figures, f"lambda_{kind}_{name}.png")
                with open(paths[f"{name}.png"], "rb") as file:
                    atomic_write(target, file.read())
            print(f"Figures copied to {docs_figures}/lambda_{kind}_*.png")
    print(f"Total {time.perf_counter() - STARTED:.1f} s")


def _seeds(text: str) -> list[int]:
    return [int(part) for part in text.split(",")]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000, help="default: 2000")
    parser.add_argument(
        "--out", default=None, help="report directory (default: kreg-output/...)"
    )
    parser.add_argument(
        "--seeds",
        type=_seeds,
        default=None,
        help="comma-separated model seeds, e.g. 0,1,2 (default: one run, seed 0)",
    )
    parser.add_argument(
        "--docs-figures",
        metavar="DIR",
        default=None,
        help="also copy the figures to DIR/lambda_<kind>_<figure>.png",
    )
    args = parser.parse_args()
    main(args.epochs, args.out, args.seeds, args.docs_figures)
