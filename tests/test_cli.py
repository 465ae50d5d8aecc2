"""Tests of the command line: ``python -m kreg`` (subprocess) and ``kreg.cli.main``."""

import errno
import inspect
import json
import os
import subprocess
import sys

import matplotlib
import numpy as np

matplotlib.use("Agg")

import pytest  # noqa: E402

from kreg import _backend, cli  # noqa: E402
from kreg.history import WeightHistory  # noqa: E402

# The backend a real run picks with --backend: another one than the suite's if one
# is installed (so the option is seen to switch), else the suite's own.
_RUNNING = _backend.requested()
CHOSEN = next(
    (b for b in _backend.BACKENDS if b != _RUNNING and not _backend.missing(b)),
    _RUNNING,
)

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
REPORT_FILES = {  # of kreg compare's default five seeds (summary.png: their spread)
    "summary.png",
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


#: Run by ``python -c`` in a fresh process: ``kreg.cli.main(sys.argv[1:])``, then
#: fail (exit 1, traceback) if the call imported Keras or TensorFlow.
NO_KERAS_SCRIPT = """
import sys
from kreg import cli
code = cli.main(sys.argv[1:])
assert "keras" not in sys.modules, "keras was imported"
assert "tensorflow" not in sys.modules, "tensorflow was imported"
sys.exit(code)
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """``python -m kreg`` processes, started together to share the import time.

    TF_CPP_MIN_LOG_LEVEL is removed from their environment: the command silences
    TensorFlow's start-up lines itself, so a real run writes nothing to stderr.
    """
    out = tmp_path_factory.mktemp("cli") / "report"
    env = {**os.environ, "MPLBACKEND": "Agg", "COLUMNS": "200"}
    env.pop("TF_CPP_MIN_LOG_LEVEL", None)
    chosen_out = out.parent / "chosen"
    commands = {
        "help": ["-m", "kreg", "--help"],
        "bad_option": ["-m", "kreg", "compare", "--epochs", "x"],
        "bad_value": [
            *("-m", "kreg", "compare", "--lam", "-1"),
            *("--out", str(out.parent / "unused")),
        ],
        "run": ["-m", "kreg", "compare", *TINY, "--out", str(out), "--quiet"],
        "no_keras_out": ["-c", NO_KERAS_SCRIPT, "compare", "--out", "/proc/x"],
        "no_keras_option": ["-c", NO_KERAS_SCRIPT, "compare", "--bogus"],
        "no_keras_backend": ["-c", NO_KERAS_SCRIPT, "--backend", "numpy", "compare"],
        "no_keras_env": [
            *("-c", NO_KERAS_SCRIPT, "compare", "--epochs", "1"),
            *("--out", str(out.parent / "numpy")),
        ],
        "chosen_run": [
            *("-m", "kreg", "--backend", CHOSEN, "compare", "--epochs", "2"),
            *("--n-samples", "20", "--hidden", "4", "--grid-resolution", "2"),
            *("--out", str(chosen_out), "--quiet"),
        ],
    }
    # The variable names an unsupported backend: it must fail where it is used,
    # and --backend must win over it.
    envs = {"no_keras_env": "numpy", "chosen_run": "numpy"}
    processes = {
        name: subprocess.Popen(
            [sys.executable, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**env, "KERAS_BACKEND": envs[name]} if name in envs else env,
        )
        for name, argv in commands.items()
    }
    done = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=600)
        done[name] = (process.returncode, stdout, stderr)
    done["out"] = out
    done["chosen_out"] = chosen_out
    return done


# --------------------------------------------------------------------------------
# Subprocess: python -m kreg
# --------------------------------------------------------------------------------


def test_module_help_lists_the_commands(runs):
    code, stdout, stderr = runs["help"]
    assert code == 0, stderr
    assert "usage: kreg" in stdout
    assert "compare" in stdout and "train unregularized, L1 and L2" in stdout
    assert "--backend {tensorflow,jax,torch}" in stdout
    assert "(default: the KERAS_BACKEND environment variable, else tensorflow)" in (
        _flat(stdout)
    )


@pytest.mark.parametrize(
    "name, word", [("bad_option", "--epochs"), ("bad_value", "--lam")]
)
def test_module_bad_input_exits_2_with_one_line(runs, name, word):
    code, stdout, stderr = runs[name]
    assert code == 2
    assert "Traceback" not in stderr
    lines = stderr.splitlines()  # no TensorFlow line: Keras is not imported
    assert len(lines) == 1, stderr
    assert lines[0].startswith("kreg compare: error: ") and word in lines[0]


@pytest.mark.parametrize(
    "name, line",
    [
        (
            "no_keras_out",
            "kreg compare: error: --out '/proc/x' cannot be written: [Errno 2] No "
            "such file or directory: '/proc/x' (see 'kreg compare --help')",
        ),
        (
            "no_keras_option",
            "kreg compare: error: unrecognized arguments: --bogus "
            "(see 'kreg compare --help')",
        ),
        (
            "no_keras_backend",
            "kreg: error: argument --backend: expected one of tensorflow, jax, "
            "torch; got 'numpy' (see 'kreg --help')",
        ),
        (
            "no_keras_env",
            "kreg: error: kreg runs on the Keras backends tensorflow, jax, torch, "
            "not 'numpy' (from the KERAS_BACKEND environment variable; --backend "
            "overrides it) (see 'kreg --help')",
        ),
    ],
)
def test_module_usage_errors_do_not_import_keras(runs, name, line):
    code, stdout, stderr = runs[name]
    assert code == 2, stderr  # 1 with a traceback if Keras was imported
    assert stdout == ""
    assert stderr.splitlines() == [line]
    if name == "no_keras_env":  # refused before Keras could write its config dir
        assert not (runs["out"].parent / "numpy").exists()


def test_module_tiny_run_writes_the_report(runs):
    code, stdout, stderr = runs["run"]
    assert code == 0, stderr
    # Without TF_CPP_MIN_LOG_LEVEL: TensorFlow's start-up lines are dropped.
    assert stderr == ""
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


def test_module_backend_option_wins_over_the_variable(runs):
    # --backend wins over KERAS_BACKEND=numpy (which would be refused) in the
    # process's environment.
    code, stdout, stderr = runs["chosen_run"]
    assert code == 0, stderr
    out = runs["chosen_out"]
    assert f"Report written to {out / 'report.html'}" in stdout
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["config"]["epochs"] == 2
    assert list(metrics["config"]["hidden"]) == [4]
    assert metrics["config"]["backend"] == CHOSEN  # recorded in the report


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
    backend = (
        "--backend {tensorflow,jax,torch} the Keras backend to run on (default: "
        "the KERAS_BACKEND environment variable, else tensorflow)"
    )
    assert backend in text  # also accepted after the command
    assert cli.main(["--help"]) == 0
    text = _flat(capsys.readouterr().out)
    assert "compare" in text and backend in text


def test_cli_options_match_compare_signature():
    from kreg.compare import MODEL_ONLY, compare

    parameters = inspect.signature(compare).parameters
    parser, commands = cli.build_parser()
    defaults = vars(commands["compare"].parse_args([]))
    options = {dest for _, dest, _, _, _ in cli.COMPARE_OPTIONS}
    # Every keyword of compare() but the progress bar and those of a user's own
    # model has a flag ...
    keywords = {n for n, p in parameters.items() if p.kind is p.KEYWORD_ONLY}
    assert options == keywords - {"progress", *MODEL_ONLY}
    # ... and the model's options are compare()'s too (--data gives x, y and
    # validation_data).
    model_options = {dest for _, dest, _, _, _ in cli.MODEL_DATA_OPTIONS}
    assert model_options - {"data"} <= set(parameters)
    # ... whose default is compare()'s (learning_rate=None means 0.01 for an
    # optimizer given by name, optimizer=None Adam, as on the command line).
    for dest in options:
        want = parameters[dest].default
        if dest == "learning_rate":
            assert want is None
            want = 0.01
        if dest == "optimizer":
            assert want is None
            want = "adam"
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
            assert (
                "(default: kreg compare on the lecture's network trains five, "
                "--seed to --seed + 4" in text
            )
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
    # The command line keeps the final weights only: no --record-every; and it
    # trains the built-in network only.
    from kreg.compare import MODEL_ONLY

    assert options == keywords - {"progress", "record_every", *MODEL_ONLY}
    for dest in options:
        want = parameters[dest].default
        if dest == "learning_rate":
            assert want is None
            want = 0.01
        if dest == "optimizer":
            assert want is None
            want = "adam"
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


# --------------------------------------------------------------------------------
# Failures: one line, the right status, nothing left behind
# --------------------------------------------------------------------------------

#: The smallest real run (about a second once Keras is imported).
QUICK = ["--hidden", "8,8", "--epochs", "3", "--grid-resolution", "20"]


def _tree(root):
    """Every path under ``root`` with the contents of its files."""
    found = {}
    for directory, _, files in os.walk(root):
        found[os.path.relpath(directory, root)] = None
        for name in files:
            path = os.path.join(directory, name)
            with open(path, "rb") as file:
                found[os.path.relpath(path, root)] = file.read()
    return found


def _help(command):
    return f" (see 'kreg {command} --help')"


@pytest.mark.parametrize(
    "argv, line",
    [
        (
            ["compare", "--bogus", "--out", "{tmp}/new"],
            "kreg compare: error: unrecognized arguments: --bogus" + _help("compare"),
        ),
        (
            ["sweep", "--bogus", "1", "--out", "{tmp}/new"],
            "kreg sweep: error: unrecognized arguments: --bogus 1" + _help("sweep"),
        ),
        (
            ["sweep", "--lams", "-1,0.1", "--out", "{tmp}/new"],
            "kreg sweep: error: argument --lams: expected one argument (got "
            "'-1,0.1', which reads as an option: write --lams=-1,0.1)" + _help("sweep"),
        ),
        (
            ["compare", "--n-samples", "1", "--out", "{tmp}/new"],
            "kreg compare: error: argument --n-samples: expected an integer in "
            "[2, 1,000,000]; got '1'" + _help("compare"),
        ),
        (
            ["compare", "--grid-resolution", "9999", "--out", "{tmp}/new"],
            "kreg compare: error: argument --grid-resolution: expected an integer "
            "in [2, 2,000]; got '9999'" + _help("compare"),
        ),
        (
            ["compare", "--epochs", "0", "--out", "{tmp}/new"],
            "kreg compare: error: argument --epochs: expected an integer in "
            "[1, 1,000,000]; got '0'" + _help("compare"),
        ),
        (
            ["compare", "--epochs", "2000000", "--out", "{tmp}/new"],
            "kreg compare: error: argument --epochs: expected an integer in "
            "[1, 1,000,000]; got '2000000'" + _help("compare"),
        ),
        (
            ["compare", "--epochs", "1.5", "--out", "{tmp}/new"],
            "kreg compare: error: argument --epochs: expected an integer; got '1.5'"
            + _help("compare"),
        ),
        (
            ["compare", "--lam", "x", "--out", "{tmp}/new"],
            "kreg compare: error: argument --lam: expected a number; got 'x'"
            + _help("compare"),
        ),
        (
            ["compare", "--lam", "-1", "--out", "{tmp}/new"],
            "kreg compare: error: argument --lam: expected a finite number >= 0; "
            "got '-1'" + _help("compare"),
        ),
        (
            ["compare", "--hidden", "0,3", "--out", "{tmp}/new"],
            "kreg compare: error: argument --hidden: expected comma-separated "
            "integers >= 1, e.g. 128,128; got '0,3'" + _help("compare"),
        ),
        (
            ["compare", "--noise", "-1", "--out", "{tmp}/new"],
            "kreg compare: error: argument --noise: expected a number >= 0 or none; "
            "got '-1'" + _help("compare"),
        ),
        (
            ["compare", "--validation-split", "1.5", "--out", "{tmp}/new"],
            "kreg compare: error: argument --validation-split: expected a number "
            "in (0, 1); got '1.5'" + _help("compare"),
        ),
        (
            ["compare", "--learning-rate", "0", "--out", "{tmp}/new"],
            "kreg compare: error: argument --learning-rate: expected a finite "
            "number > 0; got '0'" + _help("compare"),
        ),
        (
            ["compare", "--out", "{tmp}/file"],
            "kreg compare: error: --out '{tmp}/file' cannot be written: Output "
            "directory '{tmp}/file' exists and is not a directory; choose another "
            "path." + _help("compare"),
        ),
        (
            ["compare", "--out", "{tmp}/file/sub"],
            "kreg compare: error: --out '{tmp}/file/sub' cannot be written: "
            "[Errno 20] Not a directory: '{tmp}/file/sub'" + _help("compare"),
        ),
        (
            ["compare", "--out", "/proc/x"],
            "kreg compare: error: --out '/proc/x' cannot be written: [Errno 2] No "
            "such file or directory: '/proc/x'" + _help("compare"),
        ),
        (
            ["--backend", "numpy", "compare", "--out", "{tmp}/new"],
            "kreg: error: argument --backend: expected one of tensorflow, jax, "
            "torch; got 'numpy'" + " (see 'kreg --help')",
        ),
        (
            ["compare", "--backend", "mlx", "--out", "{tmp}/new"],
            "kreg compare: error: argument --backend: expected one of tensorflow, "
            "jax, torch; got 'mlx'" + _help("compare"),
        ),
        (
            ["--backend", "jax"],
            "kreg: error: a command is required: compare, sweep, prune (see 'kreg --help')",
        ),
        (
            ["compare", "--model", "{tmp}/nope.keras", "--out", "{tmp}/new"],
            "kreg compare: error: --model '{tmp}/nope.keras': no such file"
            + _help("compare"),
        ),
        (
            ["sweep", "--data", "{tmp}/file.npz", "--out", "{tmp}/new"],
            "kreg sweep: error: --data '{tmp}/file.npz': no such file" + _help("sweep"),
        ),
        (
            ["sweep", "--out", "{tmp}/full"],
            "kreg sweep: error: --out '{tmp}/full' exists and is not empty; choose "
            "another directory or add --force to replace the report's files in it"
            + _help("sweep"),
        ),
    ],
)
def test_main_bad_command_lines(argv, line, tmp_path, capsys, monkeypatch):
    (tmp_path / "file").write_text("a file")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.txt").write_text("keep")
    before = _tree(tmp_path)
    # Keras is imported by other tests, so sys.modules tells nothing here (see
    # test_module_usage_errors_do_not_import_keras); the command must fail before
    # it imports Keras, and before it probes (writes in) an output directory.
    _no_work(monkeypatch)
    argv = [part.replace("{tmp}", str(tmp_path)) for part in argv]
    assert cli.main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err.splitlines() == [line.replace("{tmp}", str(tmp_path))]
    assert _tree(tmp_path) == before  # nothing created, nothing changed
    assert not os.path.exists("/proc/x")


def _no_work(monkeypatch):
    """Make importing Keras or probing an output directory fail the test."""
    import kreg._io

    def must_not_run(*args, **kwargs):
        raise AssertionError("the command went past its checks")

    monkeypatch.setattr(cli, "_import_keras", must_not_run)
    monkeypatch.setattr(kreg._io.tempfile, "mkstemp", must_not_run)


@pytest.mark.parametrize(
    "argv, env, extra",
    [
        (["--backend", "jax", "compare"], None, "kreg[jax]"),
        (["compare", "--backend", "jax"], "tensorflow", "kreg[jax]"),
        (["--backend", "jax", "sweep", "--backend", "torch"], None, "kreg[torch]"),
        (["compare"], "jax", "kreg[jax]"),
        (["sweep"], "torch", "kreg[torch]"),
    ],
)
def test_main_backend_not_installed_exits_2_naming_the_extra(
    argv, env, extra, tmp_path, capsys, monkeypatch
):
    import importlib.util

    backend = extra[len("kreg[") : -1]
    real = importlib.util.find_spec

    def find_spec(name, *args, **kwargs):
        return None if name == backend else real(name, *args, **kwargs)

    if env is None:
        monkeypatch.delenv("KERAS_BACKEND", raising=False)
    else:
        monkeypatch.setenv("KERAS_BACKEND", env)
    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    _no_work(monkeypatch)
    out = tmp_path / "new"
    assert cli.main([*argv, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(
        f"kreg: error: the Keras backend '{backend}' needs the package "
        f"'{backend}', which is not installed: pip install '{extra}'"
    )
    assert ("KERAS_BACKEND" in lines[0]) == ("--backend" not in argv)
    assert os.listdir(tmp_path) == []  # nothing created


@pytest.mark.parametrize("value", ["numpy", "mlx", "JAX"])
def test_main_unsupported_keras_backend_variable_exits_2(
    value, tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("KERAS_BACKEND", value)
    _no_work(monkeypatch)
    out = tmp_path / "new"
    assert cli.main(["compare", "--epochs", "1", "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.splitlines() == [
        f"kreg: error: kreg runs on the Keras backends tensorflow, jax, torch, not "
        f"{value!r} (from the KERAS_BACKEND environment variable; --backend "
        "overrides it) (see 'kreg --help')"
    ]
    assert os.listdir(tmp_path) == []
    assert os.environ["KERAS_BACKEND"] == value  # left as it was


def test_choose_backend_sets_keras_backend(monkeypatch):
    import argparse

    import keras

    parser, _ = cli.build_parser()
    running = keras.backend.backend()
    # --backend wins over the variable (even one naming no backend) ...
    monkeypatch.setenv("KERAS_BACKEND", "numpy")
    args = argparse.Namespace(backend=running)
    assert cli._choose_backend(args, parser) == running
    assert os.environ["KERAS_BACKEND"] == running
    # ... and without it, the variable decides (installed or not: here the
    # check is the question of which one); unset or empty: tensorflow.
    args = argparse.Namespace(backend=None)
    monkeypatch.setattr(cli._backend, "missing", lambda name: None)
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert cli._choose_backend(args, parser) == "torch"
    for unset in (True, False):
        if unset:
            monkeypatch.delenv("KERAS_BACKEND")
        else:
            monkeypatch.setenv("KERAS_BACKEND", "")
        assert cli._choose_backend(args, parser) == "tensorflow"
        assert os.environ["KERAS_BACKEND"] == "tensorflow"


def test_main_backend_other_than_the_running_keras_exits_2(
    tmp_path, capsys, monkeypatch
):
    import keras

    running = keras.backend.backend()
    other = "torch" if running != "torch" else "jax"
    monkeypatch.setattr(cli._backend, "missing", lambda name: None)
    monkeypatch.setenv("KERAS_BACKEND", running)
    _no_work(monkeypatch)
    assert cli.main(["--backend", other, "compare", "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"kreg: error: --backend {other}: Keras already runs on {running} in this "
        "process; its backend is chosen when Keras is first imported (see 'kreg "
        "--help')"
    ]
    assert os.listdir(tmp_path) == []
    assert os.environ["KERAS_BACKEND"] == running


def test_main_read_only_directory_exits_2_naming_it(tmp_path, capsys, monkeypatch):
    import kreg._io

    # Tests run as root, whom chmod does not stop: fail the probe file instead.
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(cli, "_import_keras", lambda: pytest.fail("Keras imported"))
    monkeypatch.setattr(kreg._io.tempfile, "mkstemp", denied)
    out = tmp_path / "read-only"
    out.mkdir()
    assert cli.main(["compare", *QUICK, "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.splitlines() == [
        f"kreg compare: error: --out {str(out)!r} cannot be written: [Errno 13] "
        f"Permission denied: {str(out)!r}" + _help("compare")
    ]
    assert out.is_dir() and os.listdir(out) == []  # left as it was


def test_main_full_disk_while_writing_the_report(tmp_path, capsys, monkeypatch):
    import kreg._io
    import kreg.report

    real = kreg._io.atomic_write
    failed = []

    def full_disk_for_metrics(path, write):
        if not os.fspath(path).endswith("metrics.json"):
            return real(path, write)

        def write_part(file):
            file.write(b'{"config": ')  # a part, then the disk is full
            file.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

        failed.append(os.fspath(path))
        return real(path, write_part)

    monkeypatch.setattr(kreg.report, "_atomic_write", full_disk_for_metrics)
    out = tmp_path / "run"
    assert cli.main(["compare", *QUICK, "--out", str(out), "--quiet"]) == 1
    captured = capsys.readouterr()
    metrics = str(out / "metrics.json")
    assert failed == [metrics]
    assert "Traceback" not in captured.err
    assert captured.err.splitlines() == [
        "kreg compare: error: cannot write the report: [Errno 28] No space left "
        f"on device: {metrics!r}"
    ]
    assert "Report written" not in captured.out
    names = set(os.listdir(out))
    assert not any(name.startswith(".kreg-tmp-") for name in names), names
    assert "metrics.json" not in names
    assert names <= REPORT_FILES
    # Every file there is whole: the page ends, the arrays load.
    if "report.html" in names:
        assert (
            (out / "report.html")
            .read_text(encoding="utf-8")
            .rstrip()
            .endswith("</html>")
        )
    if "weights.npz" in names:
        assert WeightHistory.load(out / "weights.npz").epochs[-1] == 3


def _interrupt(*args, **kwargs):
    raise KeyboardInterrupt


def _fail_while_interrupted(*args, **kwargs):
    """A cleanup failing while a Ctrl-C unwinds (its __context__ is the Ctrl-C)."""
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise ValueError("seek of closed file")  # noqa: B904


@pytest.mark.parametrize("writer", [_interrupt, _fail_while_interrupted])
def test_main_ctrl_c_while_writing_the_report(writer, tmp_path, capsys, monkeypatch):
    import kreg.report

    monkeypatch.setattr(kreg.report, "save_histories", writer)
    out = tmp_path / "run"
    assert cli.main(["compare", *QUICK, "--out", str(out), "--quiet"]) == 130
    captured = capsys.readouterr()
    assert captured.err == "kreg: interrupted\n"
    # Interrupted at the first file: the directory made for it is empty, and
    # removed.
    assert not out.exists() and os.listdir(tmp_path) == []


def test_main_ctrl_c_while_training_removes_the_new_directory(
    tmp_path, capsys, monkeypatch
):
    import kreg._engine

    monkeypatch.setattr(kreg._engine.StackedTrainer, "run", _interrupt)
    out = tmp_path / "run"
    argv = ["compare", *QUICK, "--out", str(out), "--quiet"]
    assert cli.main(argv) == 130
    captured = capsys.readouterr()
    assert captured.err == "kreg: interrupted\n"
    assert "Report written" not in captured.out
    # The command created the directory (empty) before training: removed again.
    assert not out.exists() and os.listdir(tmp_path) == []


def test_main_progress_bar_without_a_terminal_is_plain_lines(tmp_path, capsys):
    out = tmp_path / "run"
    assert cli.main(["compare", *QUICK, "--out", str(out)]) == 0
    stdout = capsys.readouterr().out
    assert not sys.stdout.isatty()  # capsys: as with a pipe or a file
    assert "3/3" in stdout  # the progress bar's line
    for control in ("\r", "\x08", "\x1b"):
        assert control not in stdout, repr(control)


# --------------------------------------------------------------------------------
# Your model and data: --model, --data, --loss, --metrics, --layers
# --------------------------------------------------------------------------------


@pytest.fixture
def saved(tmp_path):
    """A compiled regression model (Adam 0.001, MSE, MAE) and its data files."""
    import keras

    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 3)).astype("float32")
    y = (x @ rng.normal(size=(3, 1))).astype("float32")
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [
            keras.Input((3,)),
            keras.layers.Dense(4, activation="tanh", name="hidden"),
            keras.layers.Dense(1, name="out"),
        ],
        name="net",
    )
    model.compile(keras.optimizers.Adam(0.001), "mse", metrics=["mae"])
    model.save(tmp_path / "model.keras")
    np.savez(
        tmp_path / "split.npz",
        x_train=x[:40],
        y_train=y[:40],
        x_val=x[40:],
        y_val=y[40:],
    )
    np.savez(tmp_path / "all.npz", x_train=x, y_train=y)
    np.savez(tmp_path / "odd.npz", x_train=x, y_train=y, x_val=x)
    (tmp_path / "text.npz").write_text("not an npz file")
    return tmp_path


def test_main_compare_your_model_on_your_data(saved, capsys):
    out = saved / "run"
    argv = ["compare", "--model", str(saved / "model.keras"), "--data"]
    argv += [str(saved / "split.npz"), "--layers", "hidden", "--epochs", "2"]
    assert cli.main([*argv, "--quiet", "--out", str(out)]) == 0
    assert "model 'net'" in capsys.readouterr().out
    config = json.loads((out / "metrics.json").read_text())["config"]
    # The arrays as given (x_val, y_val validate), the model's compiled optimizer,
    # loss and metrics, the penalty on the layers asked for.
    assert (config["n_train"], config["n_val"]) == (40, 20)
    assert config["optimizer"]["config"]["learning_rate"] == pytest.approx(0.001)
    assert config["loss"] == "mse" and config["layers"] == ["hidden"]
    metrics = json.loads((out / "metrics.json").read_text())["variants"]
    assert "val_mae" in metrics["l2"] and "val_accuracy" not in metrics["l2"]


def test_main_sweep_your_model_with_a_learning_rate(saved, capsys):
    out = saved / "sweep"
    argv = ["sweep", "--model", str(saved / "model.keras"), "--data"]
    argv += [str(saved / "all.npz"), "--lams", "0,1", "--epochs", "2"]
    argv += ["--learn", "0.05", "--quiet", "--out", str(out)]  # a prefix
    assert cli.main(argv) == 0
    best = [ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("Best")]
    # A regression: the validation data loss, no accuracy.
    assert len(best) == 1 and "validation data loss" in best[0]
    assert "accuracy" not in best[0]
    config = json.loads((out / "metrics.json").read_text())["config"]
    assert config["optimizer"]["config"]["learning_rate"] == pytest.approx(0.05)
    assert config["n_train"] == 48  # --validation-split 0.2 of 60 rows


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "odd.npz"], "--data '{tmp}/odd.npz' has no array 'y_val'"),
        (["--data", "split.npz", "--no-model"], "x_val and y_val need --model"),
        (["--loss", "mse", "--no-model"], "--loss: expected its default None"),
        (["--hidden", "4"], "--hidden: expected its default (128, 128)"),
        (["--data", "text.npz"], "--data '{tmp}/text.npz' cannot be read"),
    ],
)
def test_main_bad_model_or_data(saved, args, message, capsys, monkeypatch):
    monkeypatch.setattr("kreg._towers.train", pytest.fail)  # refused before
    argv = ["compare"] if "--no-model" in args else ["compare", "--model"]
    argv += [] if "--no-model" in args else [str(saved / "model.keras")]
    for arg in args:
        if arg != "--no-model":
            argv.append(str(saved / arg) if arg.endswith((".npz", ".keras")) else arg)
    assert cli.main([*argv, "--epochs", "1", "--out", str(saved / "bad")]) == 2
    assert message.replace("{tmp}", str(saved)) in _flat(capsys.readouterr().err)
