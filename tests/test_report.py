"""Tests of kreg.report: the files a comparison run writes, and the Report pieces."""

import base64
import json
import os
import re
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import kreg  # noqa: E402
from kreg.compare import compare  # noqa: E402
from kreg.history import WeightHistory  # noqa: E402
from kreg.report import (  # noqa: E402
    METRIC_KEYS,
    Report,
    atomic_write,
    check_out_dir,
    comparison_metrics,
    default_out_dir,
    load_histories,
    save_histories,
    write_json,
    write_report,
)

FILES = {
    "report.html",
    "metrics.json",
    "weights.npz",
    "boundaries.png",
    "losses.png",
    "weights.png",
    "network.png",
    "bars.png",
}
DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=]+)")


@pytest.fixture(scope="module")
def result():
    return compare(hidden=(8, 8), epochs=8, record_every=4, grid_resolution=40)


@pytest.fixture(scope="module")
def written(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "report"
    started = time.perf_counter() - 100.0
    paths = write_report(
        result, out, started=started, command="kreg compare --epochs 8"
    )
    return out, paths


def _umask():
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------------
# The comparison report
# --------------------------------------------------------------------------------


def test_every_file_is_written_and_returned(written):
    out, paths = written
    assert set(os.listdir(out)) == FILES
    assert set(paths) == FILES
    for name, path in paths.items():
        assert os.path.samefile(path, out / name)
        assert os.path.getsize(path) > 0
    for name in FILES - {"weights.npz"}:
        assert os.stat(out / name).st_mode & 0o777 == 0o666 & ~_umask()
    for name in FILES:
        if name.endswith(".png"):
            assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_metrics_json_has_exactly_the_documented_keys(written, result):
    out, _ = written
    metrics = json.loads((out / "metrics.json").read_text())
    assert set(metrics) == {"config", "variants", "diverged", "timing", "kreg_version"}
    assert metrics["diverged"] == dict.fromkeys(result.variants)
    assert list(metrics["variants"]) == list(result.variants)
    for variant, values in metrics["variants"].items():
        assert (
            set(values)
            == set(METRIC_KEYS)
            == {
                "train_loss",
                "val_loss",
                "train_accuracy",
                "val_accuracy",
                "gap",
                "penalty",
                "first_kernel_min",
                "first_kernel_max",
                "zero_fraction",
                "l1_norm",
                "l2_norm",
                "pruned_params",
                "boundary_length",
            }
        )
        for key, value in values.items():
            assert value == float(result.metrics[variant][key])
    assert set(metrics["timing"]) == {"train_seconds", "total_seconds"}
    assert metrics["timing"]["train_seconds"] == result.timing["train_seconds"]
    # started was 100 s before the call: the total counts from there.
    assert metrics["timing"]["total_seconds"] >= 100.0
    assert metrics["kreg_version"] == kreg.__version__
    assert metrics["config"] == json.loads(json.dumps(result.config))


def test_metrics_are_consistent_with_the_result(result):
    # The gap is val - train data loss, and the first-layer range is the
    # last record of the first kernel.
    for variant in result.variants:
        m = result.metrics[variant]
        assert m["gap"] == pytest.approx(m["val_loss"] - m["train_loss"], abs=1e-6)
        history = result.histories[variant]
        kernel = history[history.keys()[0]][-1]
        assert m["first_kernel_min"] == pytest.approx(float(kernel.min()), abs=1e-6)
        assert m["first_kernel_max"] == pytest.approx(float(kernel.max()), abs=1e-6)


def test_html_is_self_contained(written):
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    images = DATA_URI.findall(page)
    assert len(images) == 5
    rest = DATA_URI.sub("", page)
    assert "http" not in rest.lower()
    assert 'src="/' not in rest and "src='/" not in rest
    for tag in ("<script", "<link", "<iframe", "@import", "url("):
        assert tag not in rest.lower()
    # Every <img> is a data URI, and each equals a PNG file next to the page.
    assert (
        re.findall(r'<img [^>]*src="([^"]{0,22})', page)
        == ["data:image/png;base64,"] * 5
    )
    on_disk = {
        (out / f"{n}.png").read_bytes()
        for n in ("boundaries", "losses", "weights", "network", "bars")
    }
    assert {base64.b64decode(data) for data in images} == on_disk


def test_html_holds_the_table_config_and_timing(written, result):
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    for variant in result.variants:
        row = re.search(rf"<tr><th>{variant}</th>(.*?)</tr>", page)
        assert row is not None
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        assert len(cells) == len(METRIC_KEYS)
        val_loss, val_accuracy = (
            cells[METRIC_KEYS.index(key)] for key in ("val_loss", "val_accuracy")
        )
        assert val_loss == f"{result.metrics[variant]['val_loss']:.4f}"
        assert val_accuracy == f"{result.metrics[variant]['val_accuracy']:.3f}"
    for key in result.config:
        assert f"<td>{key}</td>" in page
    assert "Timing" in page and "kreg compare --epochs 8" in page


def test_html_formats_numbers_as_the_summary_table(written, result):
    # Every metric cell of the page reads as in result.summary(), the table the
    # command line prints: exact zeros as a percentage, the gap with its sign.
    out, _ = written
    page = (out / "report.html").read_text(encoding="utf-8")
    lines = result.summary().splitlines()
    for variant in result.variants:
        row = re.search(rf"<tr><th>{variant}</th>(.*?)</tr>", page).group(1)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row)
        cells = dict(zip(METRIC_KEYS, cells, strict=True))
        summary = next(s for s in map(str.split, lines) if s[:1] == [variant])
        assert cells["zero_fraction"].endswith("%")
        assert cells["gap"][0] in "+-"
        for key in METRIC_KEYS:
            if key not in ("first_kernel_min", "first_kernel_max"):
                assert cells[key] in summary, key
        low, high = cells["first_kernel_min"], cells["first_kernel_max"]
        assert f"[{low}, {high}]" in " ".join(summary)


def test_weights_npz_loads_and_equals_the_histories(written, result):
    out, _ = written
    combined = WeightHistory.load(out / "weights.npz")
    keys = [k for v in result.variants for k in result.histories[v].keys()]
    assert combined.keys() == keys
    for variant in result.variants:
        history = result.histories[variant]
        assert combined.epochs == history.epochs
        for key in history.keys():
            assert key.startswith(variant + "/")
            np.testing.assert_array_equal(combined[key], history[key])
    split = load_histories(out / "weights.npz")
    assert list(split) == list(result.variants)
    for variant, history in split.items():
        assert history.keys() == result.histories[variant].keys()
        assert history.layer_names == result.histories[variant].layer_names


def test_non_empty_directory_is_refused_then_forced(result, tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError, match="not empty.*force=True"):
        write_report(result, tmp_path)
    assert os.listdir(tmp_path) == ["notes.txt"]
    paths = write_report(result, tmp_path, force=True)
    assert set(os.listdir(tmp_path)) == FILES | {"notes.txt"}
    assert (tmp_path / "notes.txt").read_text() == "mine"
    # Without `started`, the total adds the report's own time to the training time.
    total = json.loads(open(paths["metrics.json"]).read())["timing"]["total_seconds"]
    assert total > result.timing["train_seconds"]


def test_empty_existing_directory_and_file_path(tmp_path):
    assert check_out_dir(tmp_path) == str(tmp_path)
    (tmp_path / "file").write_text("x")
    with pytest.raises(NotADirectoryError, match="not a directory"):
        check_out_dir(tmp_path / "file", force=True)
    with pytest.raises(TypeError, match="argument `out_dir`"):
        check_out_dir(3)


def test_comparison_metrics_needs_every_key(result):
    class Broken:
        variants = ["none"]
        metrics = {"none": {"train_loss": 1.0}}
        config = {}
        timing = {"train_seconds": 1.0}

    with pytest.raises(ValueError, match="missing"):
        comparison_metrics(Broken())
    metrics = comparison_metrics(result, total_seconds=12.5)
    assert metrics["timing"]["total_seconds"] == 12.5


# --------------------------------------------------------------------------------
# Reusable pieces
# --------------------------------------------------------------------------------


def test_atomic_write_keeps_the_old_file_when_the_rename_fails(tmp_path, monkeypatch):
    path = tmp_path / "a.txt"
    atomic_write(path, "old")

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        atomic_write(path, "new")
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["a.txt"]


def test_write_json_plain_values(tmp_path):
    path = tmp_path / "m.json"
    write_json(
        path,
        {
            "a": np.float32(0.5),
            "b": float("inf"),
            "c": (1, np.int64(2)),
            "d": np.arange(2),
        },
    )
    assert json.loads(path.read_text()) == {
        "a": 0.5,
        "b": None,
        "c": [1, 2],
        "d": [0, 1],
    }
    regularized = json.loads(json.dumps(json.loads(path.read_text())))
    assert regularized["c"] == [1, 2]
    write_json(path, {"reg": kreg.L2(0.16, 80)})
    saved = json.loads(path.read_text())["reg"]
    assert saved["class_name"] == "L2" and saved["config"]["lam"] == 0.16


def test_report_builds_escaped_html_and_writes_figures(tmp_path):
    report = Report("Sweep <lam>", subtitle="a & b")
    report.add_heading("Numbers")
    report.add_text("Load with `WeightHistory.load`.")
    report.add_table(
        [{"lam": 0.1, "loss": 0.25}, {"lam": 1.0, "loss": float("nan")}],
        index=["<a>", "b"],
        caption="per lambda",
    )
    report.add_mapping({"hidden": (8, 8), "name": "x<y"})
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    png = report.add_figure("path", fig, caption="weights vs lambda", dpi=40)
    assert not plt.fignum_exists(fig.number)
    page = report.to_html()
    assert "<h1>Sweep &lt;lam&gt;</h1>" in page
    assert "<th>&lt;a&gt;</th>" in page and "<td>x&lt;y</td>" in page
    assert '<td class="num">0.25</td>' in page and '<td class="num">nan</td>' in page
    assert "<td>[8, 8]</td>" in page
    assert "<code>WeightHistory.load</code>" in page
    paths = report.write(tmp_path / "out")
    assert list(paths) == ["path.png", "report.html"]
    assert (tmp_path / "out" / "path.png").read_bytes() == png
    with pytest.raises(FileExistsError):
        report.write(tmp_path / "out")


@pytest.mark.parametrize("name", ["../up", "", "a b", "dup"])
def test_report_figure_names(name):
    report = Report("t")
    fig, _ = plt.subplots()
    report.add_figure("dup", fig)
    fig, _ = plt.subplots()
    with pytest.raises(ValueError, match="argument `name`"):
        report.add_figure(name, fig)


def test_save_histories_prefixes_and_checks_epochs(tmp_path):
    a = WeightHistory.from_arrays({"dense/kernel": np.ones((2, 2, 3))}, [0, 4])
    b = WeightHistory.from_arrays({"b/dense/kernel": np.zeros((2, 2, 3))}, [0, 4])
    save_histories({"a": a, "b": b}, tmp_path / "w.npz")
    loaded = WeightHistory.load(tmp_path / "w.npz")
    assert loaded.keys() == ["a/dense/kernel", "b/dense/kernel"]
    assert loaded.epochs == [0, 4]
    c = WeightHistory.from_arrays({"c/dense/kernel": np.zeros((3, 2, 3))}, [0, 2, 4])
    with pytest.raises(ValueError, match="same epochs"):
        save_histories({"a": a, "c": c}, tmp_path / "x.npz")
    with pytest.raises(ValueError, match="without '/'"):
        save_histories({"a/b": a}, tmp_path / "x.npz")
    assert not (tmp_path / "x.npz").exists()


def test_default_out_dir_is_new(tmp_path):
    import datetime

    now = datetime.datetime(2025, 1, 2, 3, 4, 5)
    first = default_out_dir("sweep", root=str(tmp_path), now=now)
    assert first == str(tmp_path / "sweep-20250102-030405")
    os.makedirs(first)
    assert default_out_dir("sweep", root=str(tmp_path), now=now) == first + "-2"
    with pytest.raises(ValueError, match="argument `kind`"):
        default_out_dir("../x")
