"""Benchmark: kreg.compare against the notebook way of the lecture's demonstration.

The notebook way (REFERENCE.md section 5) trains the three networks one after the
other with ``model.fit(x, y, validation_split=0.2, epochs=E, batch_size=32,
verbose=0)`` on NumPy arrays: no penalty, Keras ``l1(0.001)`` and Keras
``l2(0.001)`` on the two hidden kernels. Its time is the three fits, timed in this
process, plus the time a fresh process takes to import TensorFlow.

kreg's time is a fresh process, timed from its start to its exit: ``import kreg``
and ``kreg.compare(epochs=E)`` (the same three variants: ``lam = 0.16`` with
``n = 80`` is Keras' 0.001); and, when the command line is installed, the whole
``kreg compare --epochs E --out DIR --quiet --seeds 0`` (import, training,
figures, report), and the command's default of five seeds against that one.
The training time alone is ``result.timing["train_seconds"]``.

Usage::

    python benchmarks/bench_compare.py                 # 2000 epochs, ~6 minutes
    python benchmarks/bench_compare.py --epochs 200    # a quick look
    python benchmarks/bench_compare.py --skip-notebook # kreg only
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ENV = dict(os.environ)

_IMPORT_TF = """
import time
start = time.perf_counter()
import tensorflow
print(time.perf_counter() - start)
"""

_KREG_API = """
import json, sys, time
start = time.perf_counter()
from kreg.compare import compare
imported = time.perf_counter()
result = compare(epochs={epochs})
done = time.perf_counter()
print(json.dumps({{
    "import_seconds": imported - start,
    "compare_seconds": done - imported,
    "train_seconds": result.timing["train_seconds"],
    "val_loss": {{v: m["val_loss"] for v, m in result.metrics.items()}},
}}))
"""


def _run(args: list[str]) -> tuple[float, str]:
    """Run a fresh process; return its wall time and its standard output."""
    start = time.perf_counter()
    done = subprocess.run(args, env=ENV, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{args[1:3]} failed:\n{done.stderr[-2000:]}")
    return seconds, done.stdout


def notebook_way(epochs: int) -> dict[str, float]:
    """The three sequential ``model.fit`` calls of the notebook, timed here."""
    import keras

    from kreg.datasets import make_moons

    x, y = make_moons(100, noise=0.25, random_state=2)
    times = {}
    for name, reg in (
        ("none", None),
        ("l1", keras.regularizers.L1(0.001)),
        ("l2", keras.regularizers.L2(0.001)),
    ):
        start = time.perf_counter()
        model = keras.Sequential(
            [
                keras.Input((2,)),
                keras.layers.Dense(128, activation="relu", kernel_regularizer=reg),
                keras.layers.Dense(128, activation="relu", kernel_regularizer=reg),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=0.01),
            loss="binary_crossentropy",
            metrics=["accuracy"],
        )
        model.fit(x, y, validation_split=0.2, epochs=epochs, batch_size=32, verbose=0)
        times[name] = time.perf_counter() - start
        print(f"  notebook fit {name}: {times[name]:.1f} s", flush=True)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=2000, help="default: 2000")
    parser.add_argument(
        "--skip-notebook", action="store_true", help="time kreg only (no model.fit)"
    )
    args = parser.parse_args(argv)
    epochs = args.epochs
    print(f"Lecture demonstration, 3 variants x {epochs} epochs, {os.cpu_count()} CPUs")

    print("kreg:", flush=True)
    api_seconds, out = _run([sys.executable, "-c", _KREG_API.format(epochs=epochs)])
    api = json.loads(out.strip().splitlines()[-1])
    print(
        f"  fresh process, import kreg + kreg.compare(epochs={epochs}): "
        f"{api_seconds:.1f} s (import {api['import_seconds']:.1f} s, compare "
        f"{api['compare_seconds']:.1f} s, of which training "
        f"{api['train_seconds']:.1f} s)"
    )
    cli_seconds = None
    if importlib.util.find_spec("kreg.cli") is None:
        print("  (no command line yet: `kreg compare` not timed)")
    else:
        runs = {}
        for seeds in ("0", None):  # one seed, then the command's default five
            with tempfile.TemporaryDirectory() as tmp:
                command = [sys.executable, "-m", "kreg", "compare", "--quiet"]
                command += ["--epochs", str(epochs), "--out", os.path.join(tmp, "r")]
                command += ["--seeds", seeds] if seeds else []
                runs[seeds] = _run(command)[0]
        cli_seconds = runs["0"]
        print(
            f"  fresh process, kreg compare --epochs {epochs} --seeds 0 --quiet "
            f"(import, training, figures, report): {cli_seconds:.1f} s"
        )
        print(
            f"  the same with the default five seeds: {runs[None]:.1f} s, "
            f"{runs[None] / cli_seconds:.2f}x one seed"
        )

    if args.skip_notebook:
        return 0
    print("notebook way:", flush=True)
    import_seconds = float(_run([sys.executable, "-c", _IMPORT_TF])[1].split()[-1])
    print(f"  import tensorflow in a fresh process: {import_seconds:.1f} s")
    fits = notebook_way(epochs)
    notebook = import_seconds + sum(fits.values())
    print(f"  total (import + 3 fits): {notebook:.1f} s")

    print("speed-up (notebook total / kreg process):")
    print(f"  kreg.compare process: {notebook / api_seconds:.1f}x")
    if cli_seconds is not None:
        print(f"  kreg compare command: {notebook / cli_seconds:.1f}x")
    print(
        f"  training alone: {sum(fits.values()) / api['train_seconds']:.1f}x "
        f"({sum(fits.values()):.1f} s vs {api['train_seconds']:.1f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
