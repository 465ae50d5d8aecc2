"""Tests of kreg.report.write_sweep_report (the files a lambda sweep writes) and of
the seed fields of the comparison report.

A hand-made SweepResult-like object (tests/test_plots_sweep.py: fake_sweep) gives
known numbers; the last tests write the report of a real tiny kreg.sweep run.
"""

import base64
import json
import math
import os
import re
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from fakes import (  # noqa: E402
    fake_comparison,  # noqa: E402
    fake_sweep,
    with_seeds,
)

import kreg.report as report_module  # noqa: E402
from kreg._version import __version__  # noqa: E402
from kreg.report import (  # noqa: E402
    METRIC_KEYS,
    comparison_metrics,
    sweep_metrics,
    write_report,
    write_sweep_report,
)

FILES = {
    "report.html",
    "metrics.json",
    "paths.npz",
    "validation.png",
    "path.png",
    "sparsity.png",
    "boundaries.png",
}
FIGURES = ("validation", "path", "sparsity", "boundaries")
TOP_KEYS = [
    "config",
    "kind",
    "lams",
    "best_lam",
    "seeds",
    "per_lambda",
    "timing",
    "kreg_version",
]
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def result():
    return fake_sweep(kind="l1", seeds=(0, 1, 2))


@pytest.fixture(scope="module")
def written(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("sweep") / "report"
    started = time.perf_counter() - 100.0
    paths = write_sweep_report(
        result, out, started=started, command="kreg sweep --kind l1", dpi=50
    )
    return out, paths


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------


def test_every_file_is_written_and_returned(written):
    out, paths = written
    assert set(os.listdir(out)) == FILES  # no temporary file left
    assert set(paths) == FILES
    for name, path in paths.items():
        assert os.path.samefile(path, out / name)
        assert os.stat(path).st_mode & 0o777 == 0o666 & ~_umask()
    for name in FIGURES:
        assert (out / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_every_file_goes_through_atomic_write(result, tmp_path, monkeypatch):
    names = []
    original = report_module.atomic_write

    def record(path, data):
        names.append(os.path.basename(path))
        original(path, data)

    monkeypatch.setattr(report_module, "atomic_write", record)
    write_sweep_report(result, tmp_path / "out", dpi=30)
    assert sorted(names) == sorted(FILES)


def test_metrics_json_has_exactly_the_documented_keys(written, result):
    out, _ = written
    metrics = json.loads((out / "metrics.json").read_text())
    assert list(metrics) == TOP_KEYS
    assert metrics["kind"] == "l1"
    assert metrics["lams"] == result.lams.tolist()
    assert metrics["best_lam"] == result.best_lam
    assert metrics["seeds"] == [0, 1, 2]
    assert metrics["config"] == json.loads(json.dumps(result.config))
    assert metrics["kreg_version"] == __version__
    assert set(metrics["timing"]) == {"train_seconds", "total_seconds"}
    assert metrics["timing"]["train_seconds"] == 1.25
    assert metrics["timing"]["total_seconds"] >= 100.0  # from `started`
    want = ["lam", *METRIC_KEYS, *(f"{k}_std" for k in METRIC_KEYS), "diverged"]
    assert len(metrics["per_lambda"]) == len(result.lams)
    for i, row in enumerate(metrics["per_lambda"]):
        assert list(row) == want
        assert row["lam"] == result.lams[i]
        for key in METRIC_KEYS:
            assert row[key] == pytest.approx(result.mean[key][i], rel=1e-12)
            assert row[f"{key}_std"] == pytest.approx(result.std[key][i], rel=1e-12)
            # The mean and std are over the seeds, ddof=0.
            values = result.metrics[key][:, i]
            assert row[key] == pytest.approx(values.mean())
            assert row[f"{key}_std"] == pytest.approx(values.std())


def test_one_seed_has_no_std_keys_and_no_grid_no_boundaries(tmp_path):
    result = fake_sweep(kind="l2", grid=False)
    paths = write_sweep_report(result, tmp_path / "out", dpi=30)
    assert set(paths) == FILES - {"boundaries.png"}
    metrics = json.loads(open(paths["metrics.json"]).read())
    assert metrics["seeds"] == [0]
    assert [list(row) for row in metrics["per_lambda"]] == [
        ["lam", *METRIC_KEYS, "diverged"]
    ] * len(result.lams)
    page = open(paths["report.html"], encoding="utf-8").read()
    assert " ± " not in page
    assert len(DATA_URI.findall(page)) == 3


def test_paths_npz_holds_the_weights(written, result):
    out, _ = written
    with np.load(out / "paths.npz", allow_pickle=False) as data:
        assert sorted(data.files) == sorted(["lams", "seeds", *result.paths])
        np.testing.assert_array_equal(data["lams"], result.lams)
        np.testing.assert_array_equal(data["seeds"], [0, 1, 2])
        for key, values in result.paths.items():
            np.testing.assert_array_equal(data[key], values)


def test_html_is_self_contained(written):
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    images = DATA_URI.findall(page)
    assert len(images) == len(FIGURES)
    rest = DATA_URI.sub("", page)
    assert "http" not in rest.lower()
    for tag in ("<script", "<link", "<iframe", "@import", "url("):
        assert tag not in rest.lower()
    on_disk = [(out / f"{n}.png").read_bytes() for n in FIGURES]
    assert [base64.b64decode(data) for data in images] == on_disk


def test_html_holds_the_best_lambda_and_the_table(written, result):
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    best = result.best_index
    assert f"Best lambda by mean validation data loss: {result.best_lam:.4g}" in page
    loss = f"{result.mean['val_loss'][best]:.4f} ± {result.std['val_loss'][best]:.4f}"
    assert loss in page
    rows = re.findall(r"<tr><th>([^<]*)</th>(<td.*?)</tr>", page)
    lam_rows = [(label, cells) for label, cells in rows if label[:1].isdigit()]
    assert len(lam_rows) == len(result.lams)
    for i, (label, cells) in enumerate(lam_rows):
        assert label.startswith("0" if i == 0 else f"{result.lams[i]:.4g}")
        assert label.endswith("(best)") == (i == best)
        values = re.findall(r"<td[^>]*>(.*?)</td>", cells)
        assert len(values) == len(METRIC_KEYS)
        mean, std = result.mean["zero_fraction"][i], result.std["zero_fraction"][i]
        assert values[METRIC_KEYS.index("zero_fraction")] == f"{mean:.1%} ± {std:.1%}"
    assert "kreg sweep --kind l1" in page and "Timing" in page


def test_non_empty_directory_is_refused_then_forced(result, tmp_path, monkeypatch):
    (tmp_path / "notes.txt").write_text("mine")

    def fail(*args, **kwargs):
        raise AssertionError("nothing may be drawn before the directory is checked")

    monkeypatch.setattr(report_module, "_sweep_page", fail)
    with pytest.raises(FileExistsError, match="not empty.*force=True"):
        write_sweep_report(result, tmp_path)
    assert os.listdir(tmp_path) == ["notes.txt"]
    monkeypatch.undo()
    write_sweep_report(result, tmp_path, force=True, dpi=30)
    assert set(os.listdir(tmp_path)) == FILES | {"notes.txt"}
    assert (tmp_path / "notes.txt").read_text() == "mine"
    with pytest.raises(NotADirectoryError):
        write_sweep_report(result, tmp_path / "notes.txt", force=True)


def test_sweep_metrics_checks_and_nan(result, tmp_path):
    broken = fake_sweep()
    del broken.mean["l2_norm"]
    with pytest.raises(ValueError, match="result.mean.*l2_norm"):
        sweep_metrics(broken)
    with pytest.raises(ValueError, match="result.mean"):
        write_sweep_report(broken, tmp_path / "never")
    assert not (tmp_path / "never").exists()
    short = fake_sweep()
    short.std["gap"] = short.std["gap"][:-1]
    with pytest.raises(ValueError, match=r"result.std\['gap'\]"):
        sweep_metrics(short)
    diverged = fake_sweep()
    diverged.mean["val_loss"] = diverged.mean["val_loss"].copy()
    diverged.mean["val_loss"][-1] = math.nan
    assert math.isnan(sweep_metrics(diverged)["per_lambda"][-1]["val_loss"])
    assert sweep_metrics(result, total_seconds=7.5)["timing"]["total_seconds"] == 7.5
    # Without `started`, the total adds the report's own time to the training.
    paths = write_sweep_report(diverged, tmp_path / "nan", dpi=30)
    metrics = json.loads(open(paths["metrics.json"]).read())
    assert metrics["per_lambda"][-1]["val_loss"] is None  # NaN -> null
    assert metrics["timing"]["total_seconds"] > 1.25


# --------------------------------------------------------------------------------
# The comparison report with several seeds
# --------------------------------------------------------------------------------


def test_comparison_report_with_seeds(tmp_path):
    result = with_seeds(fake_comparison(), seeds=(0, 1, 2))
    metrics = comparison_metrics(result)
    assert list(metrics) == [
        "config",
        "seeds",
        "variants",
        "diverged",
        "timing",
        "kreg_version",
    ]
    assert metrics["seeds"] == [0, 1, 2]
    for variant, values in metrics["variants"].items():
        assert list(values) == [*METRIC_KEYS, *(f"{k}_std" for k in METRIC_KEYS)]
        for key in METRIC_KEYS:
            assert values[f"{key}_std"] == result.metrics_std[variant][key]
    paths = write_report(result, tmp_path / "out", dpi=30)
    assert "summary.png" in paths
    page = open(paths["report.html"], encoding="utf-8").read()
    m, s = result.metrics["l2"]["val_loss"], result.metrics_std["l2"]["val_loss"]
    assert f"{m:.4f} ± {s:.4f}" in page and "over 3 seeds" in page
    # One seed: exactly the keys and files of a run without seeds.
    single = with_seeds(fake_comparison(), seeds=(0,))
    assert list(comparison_metrics(single)) == [
        "config",
        "variants",
        "diverged",
        "timing",
        "kreg_version",
    ]
    paths = write_report(single, tmp_path / "single", dpi=30)
    assert "summary.png" not in paths


def _metric_cells(page, label):
    """The metric cells of the table row headed ``label``, by metric key."""
    row = re.search(rf"<tr><th>{re.escape(label)}</th>(.*?)</tr>", page)
    assert row is not None, label
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
    return dict(zip(METRIC_KEYS, cells, strict=True))


def test_both_reports_format_every_metric_the_same_way(tmp_path):
    # The same numbers in a comparison's row and in a sweep's row read the same,
    # exact zeros as a percentage in both (as in the command line's tables).
    means = {key: 0.5 + 1.5 * i for i, key in enumerate(METRIC_KEYS)}
    means["zero_fraction"] = 0.25
    stds = {key: 0.015 for key in METRIC_KEYS}
    comparison = with_seeds(fake_comparison(), seeds=(0, 1, 2))
    comparison.metrics["l1"] = dict(means)
    comparison.metrics_std["l1"] = dict(stds)
    sweep = fake_sweep(kind="l1", seeds=(0, 1, 2))
    for key in METRIC_KEYS:
        sweep.mean[key] = sweep.mean[key].copy()
        sweep.std[key] = sweep.std[key].copy()
        sweep.mean[key][1], sweep.std[key][1] = means[key], stds[key]
    label = f"{sweep.lams[1]:.4g}" + (" (best)" if sweep.best_index == 1 else "")
    compared = write_report(comparison, tmp_path / "compare", dpi=20)
    swept = write_sweep_report(sweep, tmp_path / "sweep", dpi=20)
    cells = _metric_cells(open(compared["report.html"]).read(), "l1")
    assert cells == _metric_cells(open(swept["report.html"]).read(), label)
    assert cells["zero_fraction"] == "25.0% ± 1.5%"
    assert cells["gap"] == f"{means['gap']:+.4f} ± 0.0150"
    assert cells["val_loss"] == f"{means['val_loss']:.4f} ± 0.0150"
    assert cells["val_accuracy"] == f"{means['val_accuracy']:.3f} ± 0.015"


# --------------------------------------------------------------------------------
# A real tiny sweep
# --------------------------------------------------------------------------------


def test_real_sweep_report(tmp_path):
    sweep = pytest.importorskip("kreg.sweep").sweep
    result = sweep(
        lams=[0.0, 0.1, 1.0], kind="l1", hidden=(8, 8), epochs=10, grid_resolution=30
    )
    paths = write_sweep_report(result, tmp_path / "out", dpi=40)
    assert set(paths) == FILES
    metrics = json.loads(open(paths["metrics.json"]).read())
    assert list(metrics) == TOP_KEYS
    assert metrics["lams"] == [0.0, 0.1, 1.0]
    assert metrics["best_lam"] == pytest.approx(result.best_lam)
    assert metrics["kind"] == "l1"
    for i, row in enumerate(metrics["per_lambda"]):
        assert list(row) == ["lam", *METRIC_KEYS, "diverged"]
        assert row["diverged"] is None
        assert row["val_loss"] == pytest.approx(float(result.mean["val_loss"][i]))
        assert row["zero_fraction"] == pytest.approx(
            float(result.metrics["zero_fraction"][0, i])
        )
    assert metrics["timing"]["train_seconds"] == pytest.approx(
        result.timing["train_seconds"]
    )
    with np.load(paths["paths.npz"], allow_pickle=False) as data:
        for key, values in result.paths.items():
            np.testing.assert_array_equal(data[key], values)
