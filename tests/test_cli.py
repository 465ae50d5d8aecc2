"""Tests of the command line: ``python -m kreg`` (subprocess) and ``kreg.cli.main``."""

import inspect
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402

from kreg import cli  # noqa: E402
from kreg.history import WeightHistory  # noqa: E402

TINY = [
    "--hidden",
    "8,8",
    "--epochs",
    "5",
    "--record-every",
    "5",
    "--grid-resolution",
    "30",
]
REPORT_FILES = {
    "report.html",
    "metrics.json",
    "weights.npz",
    "boundaries.png",
    "losses.png",
    "weights.png",
    "network.png",
    "bars.png",
}


def _flat(text):
    return " ".join(text.split())


def _kreg_lines(stderr):
    """stderr without TensorFlow's own start-up log lines.

    Importing TensorFlow writes a few C++ log lines to stderr ("WARNING: All log
    messages before absl::InitializeLog() ...", "I0000 ... cudart_stub.cc ...")
    whatever TF_CPP_MIN_LOG_LEVEL says; they are not kreg's output.
    """
    lines = []
    for line in stderr.splitlines():
        if line.startswith("WARNING: All log messages before absl::InitializeLog()"):
            continue
        if len(line) > 5 and line[0] in "IWEF" and line[1:5].isdigit():
            continue
        if line.startswith("To enable the following instructions"):
            continue
        if line.strip():
            lines.append(line)
    return lines


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Four ``python -m kreg`` processes, started together to share the import time."""
    out = tmp_path_factory.mktemp("cli") / "report"
    env = {
        **os.environ,
        "TF_CPP_MIN_LOG_LEVEL": "3",
        "MPLBACKEND": "Agg",
        "COLUMNS": "200",
    }
    commands = {
        "help": ["--help"],
        "bad_option": ["compare", "--epochs", "x"],
        "bad_value": ["compare", "--lam", "-1", "--out", str(out.parent / "unused")],
        "run": ["compare", *TINY, "--out", str(out), "--quiet"],
    }
    processes = {
        name: subprocess.Popen(
            [sys.executable, "-m", "kreg", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for name, argv in commands.items()
    }
    done = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        done[name] = (process.returncode, stdout, stderr)
    done["out"] = out
    return done


# --------------------------------------------------------------------------------
# Subprocess: python -m kreg
# --------------------------------------------------------------------------------


def test_module_help_lists_the_commands(runs):
    code, stdout, stderr = runs["help"]
    assert code == 0, stderr
    assert "usage: kreg" in stdout
    assert "compare" in stdout and "train unregularized, L1 and L2" in stdout


@pytest.mark.parametrize(
    "name, word", [("bad_option", "--epochs"), ("bad_value", "--lam")]
)
def test_module_bad_input_exits_2_with_one_line(runs, name, word):
    code, stdout, stderr = runs[name]
    assert code == 2
    assert "Traceback" not in stderr
    lines = _kreg_lines(stderr)
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kreg compare: error: ") and word in lines[0]


def test_module_tiny_run_writes_the_report(runs):
    code, stdout, stderr = runs["run"]
    assert code == 0, stderr
    out = runs["out"]
    assert set(os.listdir(out)) == REPORT_FILES
    assert f"Report written to {out / 'report.html'}" in stdout
    for variant in ("none", "l1", "l2"):
        assert variant in stdout  # the summary table
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["epochs"] == 5
    assert list(metrics["config"]["hidden"]) == [8, 8]
    assert list(metrics["variants"]) == ["none", "l1", "l2"]
    timing = metrics["timing"]
    # From process start: includes the import of TensorFlow, so more than training.
    assert timing["total_seconds"] > timing["train_seconds"] > 0
    history = WeightHistory.load(out / "weights.npz")
    assert history.epochs[0] == 0 and history.epochs[-1] == 5


# --------------------------------------------------------------------------------
# In-process: kreg.cli.main
# --------------------------------------------------------------------------------


def test_main_help_documents_every_option_and_default(capsys):
    assert cli.main(["compare", "--help"]) == 0
    text = _flat(capsys.readouterr().out)
    for flag, _, _, default, _ in cli.COMPARE_OPTIONS:
        assert f"{flag} " in text
        if default is None:
            assert "(default: about 100 records" in text
        else:
            assert f"(default: {default})" in text, flag
    for flag in ("--out DIR", "--force", "--quiet"):
        assert flag in text
    assert "kreg-output/compare-YYYYMMDD-HHMMSS" in _flat(text.replace("- ", "-"))
    assert cli.main(["--help"]) == 0
    assert "compare" in capsys.readouterr().out


def test_cli_options_match_compare_signature():
    from kreg.compare import compare

    parameters = inspect.signature(compare).parameters
    parser, commands = cli.build_parser()
    defaults = vars(commands["compare"].parse_args([]))
    options = {dest for _, dest, _, _, _ in cli.COMPARE_OPTIONS}
    # Every keyword of compare() but the progress bar has a flag ...
    keywords = {n for n, p in parameters.items() if p.kind is p.KEYWORD_ONLY}
    assert options == keywords - {"progress"}
    # ... whose default is compare()'s (learning_rate=None means 0.01 for an
    # optimizer given by name, as on the command line).
    for dest in options:
        want = parameters[dest].default
        if dest == "learning_rate":
            assert want is None
            want = 0.01
        got = defaults[dest]
        if isinstance(want, (tuple, list)):
            assert tuple(got) == tuple(want), dest
        else:
            assert got == want, dest


@pytest.mark.parametrize(
    "argv, word",
    [
        ([], "a command is required"),
        (["sweep-all"], "invalid choice"),
        (["compare", "--bogus"], "--bogus"),
        (["compare", "--epochs", "1.5"], "--epochs"),
        (["compare", "--hidden", "a,b"], "comma-separated integers"),
        (["compare", "--variants", ","], "comma-separated names"),
        (["compare", "--lam"], "expected one argument"),
    ],
)
def test_main_usage_errors(argv, word, capsys):
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "error:" in lines[0] and word in lines[0]


@pytest.mark.parametrize(
    "argv, word",
    [
        (["--lam", "-1"], "--lam"),
        (["--epochs", "0"], "--epochs"),
        (["--variants", "none,l3"], "variants"),
        (["--validation-split", "1.5"], "--validation-split"),
    ],
)
def test_main_bad_values_from_compare(argv, word, tmp_path, capsys):
    assert cli.main(["compare", *TINY, *argv, "--out", str(tmp_path / "x")]) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("kreg compare: error: ") and word in lines[0]
    assert "Traceback" not in captured.err
    assert not (tmp_path / "x").exists()


def test_main_refuses_a_non_empty_directory_before_training(
    tmp_path, capsys, monkeypatch
):
    import kreg.compare as module  # noqa: F401

    def fail(*args, **kwargs):
        raise AssertionError("compare() must not run")

    monkeypatch.setattr(sys.modules["kreg.compare"], "compare", fail)
    (tmp_path / "old.txt").write_text("keep")
    assert cli.main(["compare", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "--force" in err
    (tmp_path / "file").write_text("x")
    assert cli.main(["compare", "--out", str(tmp_path / "file")]) == 2
    assert "not a directory" in capsys.readouterr().err


def test_main_run_with_progress_default_directory_and_force(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    assert cli.main(["compare", *TINY, "--variants", "none,l2"]) == 0
    out = capsys.readouterr().out
    (directory,) = os.listdir(tmp_path / "kreg-output")
    assert directory.startswith("compare-")
    report = os.path.join("kreg-output", directory, "report.html")
    assert f"Report written to {report}" in out
    assert "5/5" in out  # the progress bar's last update
    metrics = json.loads(
        (tmp_path / "kreg-output" / directory / "metrics.json").read_text()
    )
    assert list(metrics["variants"]) == ["none", "l2"]
    # --force writes into the (now non-empty) directory again.
    target = str(tmp_path / "kreg-output" / directory)
    assert cli.main(["compare", *TINY, "--out", target, "--quiet"]) == 2
    capsys.readouterr()
    assert cli.main(["compare", *TINY, "--out", target, "--quiet", "--force"]) == 0
    assert "5/5" not in capsys.readouterr().out
    metrics = json.loads(
        (tmp_path / "kreg-output" / directory / "metrics.json").read_text()
    )
    assert list(metrics["variants"]) == ["none", "l1", "l2"]


# --------------------------------------------------------------------------------
# kreg sweep
# --------------------------------------------------------------------------------

SWEEP_TINY = [
    "--kind",
    "l1",
    "--lams",
    "0,0.1,1",
    "--hidden",
    "8,8",
    "--epochs",
    "10",
    "--grid-resolution",
    "30",
]
SWEEP_FILES = {
    "report.html",
    "metrics.json",
    "paths.npz",
    "validation.png",
    "path.png",
    "sparsity.png",
    "boundaries.png",
}


def test_sweep_help_documents_every_option_and_default(capsys):
    assert cli.main(["sweep", "--help"]) == 0
    text = _flat(capsys.readouterr().out)
    for flag, _, _, default, _ in cli.SWEEP_OPTIONS:
        assert f"{flag} " in text, flag
        if flag == "--lams":
            assert "(default: sweep()'s grid, 0 and 12 log-spaced lambdas" in text
        elif flag == "--seeds":
            assert "(default: one run, with --seed)" in text
        else:
            assert f"(default: {default})" in text, flag
    for flag in ("--out DIR", "--force", "--quiet", "{l1,l2,l1l2}"):
        assert flag in text
    assert "{proximal,subgradient}" in text and "--record-every" not in text
    assert "kreg-output/sweep-YYYYMMDD-HHMMSS" in _flat(text.replace("- ", "-"))
    assert cli.main(["--help"]) == 0
    assert "one model per lambda" in _flat(capsys.readouterr().out)


def test_sweep_shares_the_compare_option_table():
    skipped = ("variants", "lam", "record_every")
    shared = [o for o in cli.COMPARE_OPTIONS if o[1] not in skipped]
    sweep = {o[1]: o for o in cli.SWEEP_OPTIONS}
    assert len(sweep) == len(cli.SWEEP_OPTIONS)
    assert set(sweep) == {o[1] for o in shared} | {"kind", "lams"}
    assert {"l1_mode", "seeds"} <= set(sweep)
    for flag, dest, kind, default, text in shared:
        # Same flag, type and help; only the default may be sweep()'s own.
        assert sweep[dest][0] == flag and sweep[dest][2] is kind
        assert sweep[dest][4] == text
        if dest != "grid_resolution":
            assert sweep[dest][3] == default
    assert sweep["grid_resolution"][3] == 100


def test_cli_options_match_sweep_signature():
    sweep = pytest.importorskip("kreg.sweep").sweep
    parameters = inspect.signature(sweep).parameters
    _, commands = cli.build_parser()
    defaults = vars(commands["sweep"].parse_args([]))
    options = {dest for _, dest, _, _, _ in cli.SWEEP_OPTIONS}
    keywords = {n for n, p in parameters.items() if p.kind is p.KEYWORD_ONLY}
    # The command line keeps the final weights only: no --record-every.
    assert options == keywords - {"progress", "record_every"}
    for dest in options:
        want = parameters[dest].default
        if dest == "learning_rate":
            assert want is None
            want = 0.01
        got = defaults[dest]
        if isinstance(want, (tuple, list)):
            assert tuple(got) == tuple(want), dest
        else:
            assert got == want, dest


@pytest.mark.parametrize(
    "argv, word",
    [
        (["--kind", "l3"], "--kind"),
        (["--lams", "0,-1"], "--lams"),
        (["--lams", "0,,1"], "comma-separated numbers"),
        (["--lams", "nan"], "--lams"),
        (["--seeds", "0,-1"], "--seeds"),
        (["--seeds", "a"], "comma-separated integers"),
        (["--l1-mode", "ista"], "--l1-mode"),
        (["--variants", "none,l1"], "unrecognized arguments: --variants"),
    ],
)
def test_sweep_usage_errors(argv, word, tmp_path, capsys):
    assert cli.main(["sweep", *argv, "--out", str(tmp_path / "x")]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(("kreg sweep: error: ", "kreg: error: "))
    assert word in lines[0]
    assert not (tmp_path / "x").exists()


class FakeSweep:
    """Stands in for kreg.sweep.sweep: records its keywords, returns a fake result."""

    def __init__(self, error=None):
        self.calls = []
        self.error = error

    def __call__(self, **kwargs):
        from test_plots_sweep import fake_sweep

        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        lams = kwargs["lams"] or (0.0, 0.01, 0.1, 1.0)
        return fake_sweep(kind=kwargs["kind"], seeds=kwargs["seeds"] or (0,), lams=lams)


def _fake_engine(monkeypatch, fake):
    import types

    monkeypatch.setitem(sys.modules, "kreg.sweep", types.SimpleNamespace(sweep=fake))


def test_sweep_refuses_a_non_empty_directory_before_training(
    tmp_path, capsys, monkeypatch
):
    fake = FakeSweep()
    _fake_engine(monkeypatch, fake)
    (tmp_path / "old.txt").write_text("keep")
    assert cli.main(["sweep", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not empty" in err and "--force" in err
    assert fake.calls == []


def test_sweep_passes_the_options_and_prints_the_best_lambda(
    tmp_path, capsys, monkeypatch
):
    fake = FakeSweep()
    _fake_engine(monkeypatch, fake)
    out = tmp_path / "run"
    argv = [
        "sweep",
        "--kind",
        "L1",
        "--lams",
        "0,0.01,0.1,1",
        "--seeds",
        "0,1,2",
        "--l1-mode",
        "subgradient",
        "--epochs",
        "7",
        "--out",
        str(out),
        "--quiet",
    ]
    assert cli.main(argv) == 0
    (call,) = fake.calls
    assert call["kind"] == "l1" and call["l1_mode"] == "subgradient"
    assert call["lams"] == (0.0, 0.01, 0.1, 1.0) and call["seeds"] == (0, 1, 2)
    assert call["epochs"] == 7 and call["progress"] is False
    assert call["hidden"] == (128, 128)  # the shared defaults
    stdout = capsys.readouterr().out
    result = fake(**call)
    i = result.best_index
    assert "lam  train loss  val loss" in stdout  # result.summary()
    assert (
        f"Best lambda: {result.best_lam:g} (validation data loss "
        f"{result.mean['val_loss'][i]:.4f} ± {result.std['val_loss'][i]:.4f}"
    ) in stdout
    assert "over 3 seeds" in stdout
    assert f"Report written to {out / 'report.html'}" in stdout
    assert set(os.listdir(out)) == SWEEP_FILES
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["seeds"] == [0, 1, 2] and metrics["kind"] == "l1"
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "kreg sweep --kind L1 --lams 0,0.01,0.1,1" in page


def test_sweep_engine_errors_name_the_flag(tmp_path, capsys, monkeypatch):
    error = ValueError(
        "Invalid value for argument `lams`: expected distinct lambdas. "
        "Received: lams=(0.1, 0.1)"
    )
    _fake_engine(monkeypatch, FakeSweep(error))
    argv = ["sweep", "--lams", "0.1,0.1", "--out", str(tmp_path / "x"), "--quiet"]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err
    assert lines[0] == (
        "kreg sweep: error: Invalid value for --lams: expected distinct lambdas. "
        "Received: --lams (0.1, 0.1) (see 'kreg sweep --help')"
    )
    assert not (tmp_path / "x").exists()


def test_sweep_tiny_real_run(tmp_path, capsys):
    pytest.importorskip("kreg.sweep")
    out = tmp_path / "sweep"
    assert cli.main(["sweep", *SWEEP_TINY, "--out", str(out), "--quiet"]) == 0
    stdout = capsys.readouterr().out
    assert "Best lambda: " in stdout
    assert set(os.listdir(out)) == SWEEP_FILES
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["lams"] == [0.0, 0.1, 1.0]
    assert metrics["config"]["epochs"] == 10
    assert metrics["timing"]["total_seconds"] >= metrics["timing"]["train_seconds"]
    # A bad value for the engine exits 2 with one line naming the flag.
    argv = ["sweep", *SWEEP_TINY, "--epochs", "0", "--out", str(tmp_path / "y")]
    assert cli.main(argv) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and "--epochs" in lines[0]


def test_compare_with_seeds_and_l1_mode(tmp_path, capsys):
    out = tmp_path / "seeds"
    argv = ["compare", *TINY, "--seeds", "0,1", "--l1-mode", "subgradient"]
    assert cli.main([*argv, "--out", str(out), "--quiet"]) == 0
    capsys.readouterr()
    assert set(os.listdir(out)) == REPORT_FILES | {"summary.png"}
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["seeds"] == [0, 1]
    assert metrics["config"]["l1_mode"] == "subgradient"
    for values in metrics["variants"].values():
        assert values["val_loss_std"] >= 0 and "zero_fraction_std" in values
