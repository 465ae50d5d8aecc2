"""Feature selection with the group lasso: two moons plus 8 pure-noise inputs.

Each input's outgoing weights in the first Dense kernel form one group;
``kreg.GroupL1(lam, n, groups="inputs", proximal=True)`` with
``kreg.ProximalAdam`` sets whole groups exactly to zero, and ``kreg.prune``
removes those inputs from the model. The script trains the network once per
lambda, prints each input's group norm (the path), takes the smallest lambda
whose pruned model keeps exactly the two real inputs, fine-tunes that pruned
model without a penalty (the group lasso also shrinks the weights it keeps), and
compares its validation accuracy with the unregularized network on all 10 inputs.
It writes the path figure (``path.png``) and the numbers (``selection.json``) to
``--out``.

Run: ``python examples/feature_selection.py [--epochs 200] [--out DIR]``
"""

import argparse
import json
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("MPLBACKEND", "Agg")

import keras  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import kreg  # noqa: E402
from kreg.report import default_out_dir  # noqa: E402

LAMS = (2.0, 4.0, 8.0, 16.0, 32.0, 64.0)
REAL = [0, 1]


def data(seed=0):
    """1,200 rows: the two moons in columns 0-1, 8 standard-normal columns after."""
    x, y = kreg.make_moons(1200, noise=0.25, random_state=2)
    noise = np.random.default_rng(seed).normal(size=(len(x), 8))
    x = np.hstack([x, noise]).astype("float32")
    return x[:1000], y[:1000], x[1000:], y[1000:]


def network(n_inputs, regularizer=None):
    keras.utils.set_random_seed(0)
    return keras.Sequential(
        [
            keras.Input((n_inputs,)),
            keras.layers.Dense(128, "relu", kernel_regularizer=regularizer),
            keras.layers.Dense(128, "relu"),
            keras.layers.Dense(1, "sigmoid"),
        ]
    )


def train(model, x, y, epochs):
    model.compile(kreg.ProximalAdam(0.01), "binary_crossentropy")
    model.fit(x, y, batch_size=100, epochs=epochs, verbose=0)
    return model


def accuracy(model, x, y):
    return float(((model.predict(x, verbose=0)[:, 0] > 0.5) == y).mean())


def plot_path(path: dict, target: str) -> None:
    """Draw each input's group norm against lambda (``path[lam]["norms"]``)."""
    lams = [float(lam) for lam in path]  # float keys, or strings read from JSON
    figure, ax = plt.subplots(figsize=(6.4, 4.0))
    norms = np.array([entry["norms"] for entry in path.values()])
    for i in range(norms.shape[1]):
        real = i in REAL
        ax.plot(
            lams,
            norms[:, i],
            marker="o",
            color=f"C{i}" if real else "0.6",
            label=f"input {i} (real)" if real else ("noise inputs" if i == 2 else None),
            zorder=3 if real else 2,
        )
    for lam, row in zip(lams, norms, strict=True):
        zeros = int((row[2:] == 0).sum())
        ax.annotate(
            f"{zeros}/8",
            (lam, 1.02),
            xycoords=("data", "axes fraction"),
            ha="center",
            fontsize=8,
            color="0.4",
        )
    ax.set_xscale("log", base=2)
    ax.set_yscale("symlog", linthresh=1e-2)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("lambda of GroupL1(groups='inputs') on the first layer")
    ax.set_ylabel("norm of the input's outgoing weights")
    ax.set_title("Input-group norms (above: noise inputs exactly at 0)", pad=18)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.savefig(target, dpi=110, bbox_inches="tight")
    plt.close(figure)


def main(epochs: int, out: str | None) -> None:
    x, y, x_val, y_val = data()
    n = len(x)
    baseline = accuracy(train(network(10), x, y, epochs), x_val, y_val)
    print(f"unregularized, 10 inputs: validation accuracy {baseline:.3f}")

    path, chosen = {}, None
    print("lambda   kept inputs          input-group norms (first kernel rows)")
    for lam in LAMS:
        reg = kreg.GroupL1(lam, n, groups="inputs", proximal=True)
        model = train(network(10, reg), x, y, epochs)
        norms = np.asarray(kreg.group_norms(model.layers[0].kernel, "inputs"))
        kept = kreg.prune(model).kept_inputs.tolist()
        path[lam] = {"norms": norms.tolist(), "kept": kept}
        print(f"{lam:6g}   {str(kept):20s} {np.round(norms, 3).tolist()}")
        if chosen is None and kept == REAL:
            chosen = lam, model

    result = {"baseline_val_accuracy": baseline, "path": path}
    if chosen is None:
        print("No lambda kept exactly the two real inputs (too few epochs?).")
    else:
        lam, model = chosen
        pruned = kreg.prune(model)
        keep = pruned.kept_inputs
        before = accuracy(pruned, x_val[:, keep], y_val)
        tuned = accuracy(train(pruned, x[:, keep], y, epochs), x_val[:, keep], y_val)
        print(
            f"lambda {lam:g}: the pruned model takes inputs {keep.tolist()}, "
            f"{pruned.count_params()} parameters instead of {model.count_params()}; "
            f"validation accuracy {before:.3f} as pruned, {tuned:.3f} fine-tuned "
            f"without penalty for {epochs} epochs ({tuned - baseline:+.3f} against "
            "the unregularized network)"
        )
        result.update(
            lam=lam,
            kept_inputs=keep.tolist(),
            pruned_val_accuracy=before,
            fine_tuned_val_accuracy=tuned,
            params_before=model.count_params(),
            params_after=pruned.count_params(),
        )

    out = out or default_out_dir("feature-selection")
    os.makedirs(out, exist_ok=True)
    plot_path(path, os.path.join(out, "path.png"))
    with open(os.path.join(out, "selection.json"), "w") as file:
        json.dump(result, file, indent=2)
    print(f"Path figure and numbers written to {out}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    main(args.epochs, args.out)
