"""Tests of the command line: ``python -m kreg`` (subprocess) and ``kreg.cli.main``."""

import inspect
import json
import os
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
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


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


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
