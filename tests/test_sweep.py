"""Tests of kreg.sweep: each lambda equals compare() alone, numbers, grid, errors."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest
from tolerance import assert_close

import kreg
from kreg.compare import METRIC_KEYS, compare
from kreg.sweep import KINDS, SweepResult, default_lams, sweep

# Small and fast: 40 training rows in batches of 16, a 2-8-8-1 network, 5 epochs.
SMALL = {
    "n_samples": 50,
    "hidden": (8, 8),
    "batch_size": 16,
    "epochs": 5,
    "grid_resolution": 10,
    "jit_compile": False,
}
KERNELS = ("hidden_1/kernel", "hidden_2/kernel", "output/kernel")
LAMS = [0.0, 0.5, 4.0]


@pytest.fixture(scope="module")
def l1_sweep():
    """Proximal L1 over three lambdas and two seeds."""
    return sweep(lams=LAMS, kind="l1", seeds=[0, 1], seed=0, record_every=1, **SMALL)


@pytest.fixture(scope="module")
def l2_sweep():
    return sweep(lams=LAMS, kind="l2", seed=2, **SMALL)


def _alone(result: SweepResult, index: int, seed_index: int = 0):
    """compare() with the sweep's regularizer at lams[index] as one custom variant."""
    reg = keras.saving.deserialize_keras_object(result.config["regularizers"][index])
    return compare(
        variants={"alone": reg},
        seeds=[result.seeds[seed_index]],
        seed=result.config["seed"],
        l1_mode=result.config["l1_mode"],
        **SMALL,
    )


# ------------------------------------------- each lambda is compare() alone


@pytest.mark.parametrize("which", ["l1_sweep", "l2_sweep"])
def test_each_lambda_equals_compare_with_that_lambda_alone(request, which):
    result = request.getfixturevalue(which)
    for i in range(len(LAMS)):
        alone = _alone(result, i)
        weights = alone.models["alone"].get_weights()
        for key, ours in zip(KERNELS, weights[0::2], strict=True):
            assert_close(result.paths[key][0, i], ours)
        for key in METRIC_KEYS:
            assert_close(result.metrics[key][0, i], alone.metrics["alone"][key])
        assert_close(result.curves["val_loss"][0, i], alone.curves["alone"]["val_loss"])
        assert_close(result.decision[i], alone.decision["alone"])
        ours, theirs = alone.config["optimizer"], result.config["optimizer"]
        assert ours["class_name"] == theirs["class_name"]
        ours, theirs = dict(ours["config"]), dict(theirs["config"])
        del ours["name"], theirs["name"]
        assert ours == theirs


def test_second_seed_equals_compare_from_that_seed(l1_sweep):
    alone = _alone(l1_sweep, 2, seed_index=1)
    kernel = alone.models["alone"].get_weights()[2]
    assert_close(l1_sweep.paths["hidden_2/kernel"][1, 2], kernel)
    # Different seeds start from different weights: their paths differ.
    assert not np.allclose(
        l1_sweep.paths["hidden_1/kernel"][0, 0], l1_sweep.paths["hidden_1/kernel"][1, 0]
    )


def test_l1_sweep_is_proximal_and_lands_on_exact_zeros(l1_sweep):
    assert l1_sweep.config["optimizer"]["class_name"] == "ProximalAdam"
    regs = [
        keras.saving.deserialize_keras_object(r)
        for r in l1_sweep.config["regularizers"]
    ]
    assert regs == [kreg.L1(lam, 40, proximal=True) for lam in LAMS]
    hidden = np.concatenate(
        [
            l1_sweep.paths[k].reshape(2, 3, -1)
            for k in ("hidden_1/kernel", "hidden_2/kernel")
        ],
        axis=-1,
    )
    zeros = np.mean(hidden == 0, axis=-1)  # (seeds, lambdas)
    assert np.all(zeros[:, 0] == 0) and np.all(zeros[:, -1] > 0.3)
    subgradient = sweep(lams=LAMS, kind="l1", l1_mode="subgradient", **SMALL)
    assert subgradient.config["optimizer"]["class_name"] == "Adam"
    assert np.all(subgradient.metrics["zero_fraction"] == 0)


# ----------------------------------------------------------------- numbers


def test_mean_std_and_best_lambda_are_numpy_over_the_seeds(l1_sweep):
    for key in METRIC_KEYS:
        values = l1_sweep.metrics[key]
        assert values.shape == (2, 3)
        np.testing.assert_allclose(l1_sweep.mean[key], values.mean(axis=0))
        np.testing.assert_allclose(l1_sweep.std[key], values.std(axis=0, ddof=0))
    best = int(np.argmin(l1_sweep.metrics["val_loss"].mean(axis=0)))
    assert l1_sweep.best_index == best and l1_sweep.best_lam == LAMS[best]


def test_one_seed_has_zero_spread(l2_sweep):
    assert l2_sweep.seeds == [2] and l2_sweep.config["seeds"] == [2]
    for key in METRIC_KEYS:
        assert l2_sweep.metrics[key].shape == (1, 3)
        assert np.all(l2_sweep.std[key] == 0)
        np.testing.assert_array_equal(l2_sweep.mean[key], l2_sweep.metrics[key][0])


def test_metrics_against_numpy_on_the_final_kernels(l2_sweep):
    for i, lam in enumerate(LAMS):
        kernels = [l2_sweep.paths[k][0, i].astype("float64") for k in KERNELS]
        flat = np.concatenate([k.ravel() for k in kernels])
        penalty = sum(float(kreg.l2_penalty(k, lam, 40)) for k in kernels[:2])
        m = {key: l2_sweep.metrics[key][0, i] for key in METRIC_KEYS}
        np.testing.assert_allclose(m["penalty"], penalty, rtol=1e-5, atol=1e-9)
        assert m["zero_fraction"] == np.mean(flat == 0)
        np.testing.assert_allclose(m["l1_norm"], np.abs(flat).sum())
        np.testing.assert_allclose(m["l2_norm"], np.sqrt((flat**2).sum()))
        assert m["first_kernel_min"] == kernels[0].min()
        np.testing.assert_allclose(m["gap"], m["val_loss"] - m["train_loss"])
    assert l2_sweep.metrics["penalty"][0, 0] == 0
    for name in ("train_loss", "val_loss", "train_accuracy", "val_accuracy"):
        np.testing.assert_array_equal(
            l2_sweep.curves[name][:, :, -1], l2_sweep.metrics[name]
        )
        assert l2_sweep.curves[name].shape == (1, 3, 5)
    np.testing.assert_array_equal(l2_sweep.epochs, np.arange(1, 6))


def test_histories_record_the_first_seed_per_lambda(l1_sweep, l2_sweep):
    assert l2_sweep.histories is None
    assert len(l1_sweep.histories) == 3
    reference = compare(variants=("none",), **dict(SMALL, epochs=1))
    # The keys are the models' variable paths without the model's name.
    keys = [k.removeprefix("none/") for k in reference.histories["none"].keys()]
    for i, history in enumerate(l1_sweep.histories):
        assert history.keys() == keys and history.epochs == [0, 1, 2, 3, 4, 5]
        np.testing.assert_array_equal(
            history["hidden_1/kernel"][-1], l1_sweep.paths["hidden_1/kernel"][0, i]
        )
        np.testing.assert_array_equal(
            history["hidden_1/kernel"][0], l1_sweep.histories[0]["hidden_1/kernel"][0]
        )


def test_config_result_fields_and_data(l2_sweep):
    config = json.loads(json.dumps(l2_sweep.config))
    assert config["kind"] == "l2" and config["lams"] == LAMS
    assert config["l1_mode"] == "proximal" and config["epochs"] == 5
    assert config["optimizer"]["class_name"] == "Adam"  # no L1 term: not swapped
    assert config["n_train"] == 40 and config["n_val"] == 10
    assert l2_sweep.kind == "l2" and l2_sweep.lams.dtype == np.float64
    assert set(l2_sweep.paths) == set(KERNELS)
    assert l2_sweep.paths["hidden_2/kernel"].shape == (1, 3, 8, 8)
    assert l2_sweep.grid["xx"].shape == (10, 10)
    assert l2_sweep.decision.shape == (3, 10, 10)
    assert set(l2_sweep.data) == {"x_train", "y_train", "x_val", "y_val"}
    assert l2_sweep.timing["train_seconds"] > 0


def test_user_data_without_two_features_has_no_grid():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(30, 3))
    y = (x[:, 0] > 0).astype(int)
    result = sweep(None, x, y, lams=[0, 1], **SMALL)
    assert result.grid is None and result.decision is None
    assert result.paths["hidden_1/kernel"].shape == (1, 2, 3, 8)


# ------------------------------------------------------------- default grid


@pytest.mark.parametrize("kind", KINDS)
def test_default_grid_is_zero_and_twelve_log_spaced_values(kind):
    lams = default_lams(kind)
    assert lams.shape == (13,) and lams[0] == 0
    ratios = lams[2:] / lams[1:-1]
    np.testing.assert_allclose(ratios, ratios[0])
    assert ratios[0] > 1
    # Wide: four decades, ending where the lecture's setup underfits.
    np.testing.assert_allclose(lams[-1] / lams[1], 1e4)
    assert lams[-1] == (100.0 if kind == "l2" else 10.0)


def test_sweep_uses_the_default_grid():
    result = sweep(kind="l1l2", **dict(SMALL, epochs=1, grid_resolution=2))
    np.testing.assert_array_equal(result.lams, default_lams("l1l2"))
    assert result.metrics["val_loss"].shape == (1, 13)
    reg = keras.saving.deserialize_keras_object(result.config["regularizers"][-1])
    assert reg == kreg.L1L2(10.0, 10.0, 40, proximal=True)


# ------------------------------------------------------- summary, plot, bar


def test_summary_has_a_row_per_lambda_and_marks_the_best(l1_sweep, l2_sweep):
    text = l1_sweep.summary()
    lines = text.splitlines()
    rows = [line for line in lines if line[:1].isdigit()]
    assert len(rows) == 3
    best = rows[l1_sweep.best_index]
    assert best.split()[1] == "*" and sum("*" in row for row in rows) == 1
    assert "±" in best and "2 seeds" in lines[0] and "proximal L1" in lines[0]
    single = l2_sweep.summary()
    assert "±" not in single
    assert f"{l2_sweep.mean['val_loss'][1]:.4f}" in single
    assert "SweepResult(kind='l2'" in repr(l2_sweep)


def test_plot_delegates_to_kreg_plots(l2_sweep, monkeypatch):
    import kreg.plots

    calls = []
    monkeypatch.setattr(
        kreg.plots,
        "plot_sweep",
        lambda result, **kw: calls.append((result, kw)) or "display",
        raising=False,
    )
    assert l2_sweep.plot(ax=None) == "display"
    assert calls == [(l2_sweep, {"ax": None})]


def test_progress_bar_shows_the_best_validation_loss(capsys):
    sweep(lams=[0, 1], progress=True, **dict(SMALL, epochs=2))
    out = capsys.readouterr().out
    assert "2/2" in out and "best_val_loss" in out


# ------------------------------------------------------------ bad arguments


BAD_ARGUMENTS = [
    (
        {"lams": [0.1, -1.0]},
        ValueError,
        "Invalid value for argument `lams`: expected a non-empty, strictly "
        r"increasing list of finite numbers >= 0. Received: lams=\[0.1, -1.0\]",
    ),
    ({"lams": [1.0, 0.1]}, ValueError, "argument `lams`: expected a non-empty, st"),
    ({"lams": [0.1, 0.1]}, ValueError, "strictly increasing"),
    ({"lams": []}, ValueError, "argument `lams`: expected a non-empty list"),
    ({"lams": [0.1, float("nan")]}, ValueError, "argument `lams`"),
    ({"lams": [0.1, "1"]}, TypeError, "argument `lams`"),
    ({"lams": [0, True]}, TypeError, "argument `lams`"),
    ({"lams": 0.1}, TypeError, "argument `lams`: expected a list"),
    (
        {"kind": "l3"},
        ValueError,
        "argument `kind`: expected one of 'l1', 'l2', 'l1l2'. Received: kind='l3'",
    ),
    ({"kind": None}, TypeError, "argument `kind`"),
    ({"seeds": []}, ValueError, "argument `seeds`: expected a non-empty list"),
    ({"seeds": [0, 1, 0]}, ValueError, "argument `seeds`: expected a non-empty list"),
    ({"seeds": [0, 1.5]}, TypeError, "argument `seeds`"),
    ({"seeds": [-1]}, ValueError, "argument `seeds`: expected a non-empty list of"),
    ({"seeds": 3}, TypeError, "argument `seeds`: expected a list"),
    (
        {"l1_mode": "ista"},
        ValueError,
        "argument `l1_mode`: expected one of 'proximal', 'subgradient'",
    ),
    ({"l1_mode": None}, TypeError, "argument `l1_mode`"),
    (
        {"kind": "l1", "optimizer": "rmsprop"},
        ValueError,
        "argument `optimizer`: expected an optimizer with a proximal L1 step.*"
        "l1_mode='subgradient'.*Received: optimizer='rmsprop'",
    ),
    ({"epochs": 0}, ValueError, "argument `epochs`"),
    ({"hidden": ()}, ValueError, "argument `hidden`"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_ARGUMENTS)
def test_bad_arguments(kwargs, error, message):
    with pytest.raises(error, match=message):
        sweep(**{**SMALL, "lams": LAMS, **kwargs})


def test_l2_sweep_accepts_an_optimizer_without_proximal_step():
    result = sweep(lams=[0, 1], optimizer="rmsprop", **dict(SMALL, epochs=1))
    assert result.config["optimizer"]["class_name"] == "RMSprop"


def test_summary_shows_the_units_kreg_prune_keeps_per_lambda():
    from test_prune import _fixed_point

    result = sweep(kind="l1", lams=[0.0, 4.0], seed=1, **dict(SMALL, epochs=30))
    lines = result.summary().splitlines()
    assert "units kept" in lines[2]
    for i, lam in enumerate(result.lams):
        kernels = [paths[0, i] for paths in result.paths.values()]
        _, masks = _fixed_point(kernels)
        units = "-".join(str(max(int(m.sum()), 1)) for m in masks)
        row = next(line for line in lines[4:] if line.startswith(f"{lam:.4g}"))
        assert row.split()[-1] == units
    assert lines[5].split()[-1] != lines[4].split()[-1]  # L1 removed units


def test_summary_and_report_state_whether_a_too_large_lambda_underfits(tmp_path):
    from kreg.report import write_sweep_report

    result = sweep(kind="l2", lams=[0.0, 1.0, 400.0], seeds=[0, 1], **SMALL)
    train = result.metrics["train_loss"]
    best, last = result.best_index, 2
    differences = train[:, last] - train[:, best]
    error = differences.std(ddof=1) / np.sqrt(2)
    holds = differences.mean() > 2 * error
    verdict = "holds" if holds else "does not hold in this run"
    assert f"A too-large lambda underfits: {verdict}" in result.summary()
    paths = write_sweep_report(result, tmp_path / "out", dpi=30)
    page = open(paths["report.html"], encoding="utf-8").read()
    assert "A too-large lambda underfits" in page and verdict in page
