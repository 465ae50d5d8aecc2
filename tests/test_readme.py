"""README.md as a reader uses it: its Python runs, its names exist, its claims hold.

``test_python_snippets`` runs every ```python block of README.md, in order, in one
namespace (a reader pasting them into one fresh Python session), in a temporary
working directory, so ``model.keras`` and the report land there. It rewrites exactly
one thing: ``kreg.compare(epochs=2000, ...)`` runs with ``epochs=3``, because 2000 epochs
are too slow for a unit test; the rest of the README runs as written. Then it checks
what the README says about the values it computes and the files it writes.

The other tests check that every ``kreg.<name>`` the README mentions exists, that
every ``kreg`` command line it shows parses, that the output directories it
describes are the ones the commands use, and that a sweep's report holds the files
the README lists (a two-epoch sweep).
"""

from __future__ import annotations

import contextlib
import io
import pathlib
import re
import shlex

import keras
import numpy as np
import pytest
from tolerance import assert_close

import kreg
from kreg.cli import build_parser
from kreg.report import default_out_dir

README = pathlib.Path(__file__).resolve().parent.parent / "README.md"
TEXT = README.read_text(encoding="utf-8")
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)

#: The one rewrite: the README's full-length comparison, shortened for the test.
SLOW = "kreg.compare(epochs=2000, seeds=range(5))"
FAST = "kreg.compare(epochs=3, seeds=range(5))"


def blocks(language: str) -> list[str]:
    """The code blocks of README.md in ``language``, in order."""
    return [code for lang, code in FENCE.findall(TEXT) if lang == language]


def section(heading: str) -> str:
    """The text of the README section ``## heading`` up to the next ``## ``."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", TEXT, re.M | re.S)
    assert match, f"README.md has no section '## {heading}'"
    return match.group(1)


def report_files(text: str) -> set[str]:
    """The file names written in backticks in ``text`` (``report.html``, ...)."""
    return set(re.findall(r"`([\w.-]+\.(?:html|json|npz|png))`", text))


def test_python_snippets(tmp_path, monkeypatch):
    sources = blocks("python")
    assert len(sources) >= 3
    assert sum(code.count(SLOW) for code in sources) == 1
    sources = [code.replace(SLOW, FAST) for code in sources]

    monkeypatch.chdir(tmp_path)
    keras.backend.clear_session()  # a fresh session: layers named dense, dense_1, ...
    namespace: dict = {"__name__": "__readme__"}
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        for i, code in enumerate(sources):
            exec(compile(code, f"README.md python block {i + 1}", "exec"), namespace)
    ns = namespace

    # Your own model: the quickstart's, its variants side by side, and a sweep.
    mine = ns["mine"]
    assert mine.variants == ["none", "l1", "l2"]
    assert mine.metrics["l2"]["l2_norm"] < mine.metrics["none"]["l2_norm"]
    assert list(ns["lams"].lams) == [0, 0.5, 2, 8]

    # Quickstart: the lecture's 80 training rows and its Keras factor.
    assert ns["n"] == 80
    assert ns["x_train"].shape == (80, 2) and ns["x_val"].shape == (20, 2)
    assert kreg.conventions.keras_factor(0.16, ns["n"]) == 0.001
    kernel = ns["model"].layers[0].kernel
    assert_close(
        float(kreg.L2(0.16, ns["n"])(kernel)),
        float(keras.regularizers.L2(0.001)(kernel)),
    )

    # evaluate: the validation loss with the penalty included, as the comment says.
    model, x_val, y_val = ns["model"], ns["x_val"], ns["y_val"]
    probabilities = model.predict(x_val, verbose=0)[:, 0]
    data_loss = float(keras.losses.binary_crossentropy(y_val, probabilities))
    penalty = sum(float(loss) for loss in model.losses)
    assert penalty > 0
    assert_close(model.evaluate(x_val, y_val, verbose=0), data_loss + penalty)

    # "model.save" wrote into the working directory and loads back with kreg.
    loaded = keras.models.load_model(tmp_path / "model.keras")
    assert [layer.kernel_regularizer for layer in loaded.layers[:2]] == [
        kreg.L2(0.16, 80),
        kreg.L2(0.16, 80),
    ]
    np.testing.assert_array_equal(
        loaded.predict(ns["x_val"], verbose=0),
        ns["model"].predict(ns["x_val"], verbose=0),
    )

    # regularize: L1 on the layer named "dense" only, the weights unchanged.
    regularized = ns["regularized"]
    assert regularized.layers[0].kernel.regularizer == kreg.L1(0.16, 80)
    assert regularized.layers[1].kernel.regularizer == kreg.L2(0.16, 80)
    for copied, original in zip(regularized.weights, ns["model"].weights, strict=True):
        np.testing.assert_array_equal(copied.numpy(), original.numpy())

    # Recording weights: the shape the comment states, records of the real weights.
    history = ns["history"]
    assert "(51, 2, 128)" in section("Recording weights")
    assert history["hidden_1/kernel"].shape == (51, 2, 128)
    assert history.epochs == list(range(51))
    last_net = ns["net"]  # the loop's last network, the one with the L2 penalty
    assert last_net.get_layer("hidden_1").kernel_regularizer == kreg.L2(0.16, 80)
    np.testing.assert_array_equal(
        history["hidden_1/kernel"][-1], last_net.get_layer("hidden_1").kernel.numpy()
    )
    assert not np.array_equal(
        history["hidden_1/kernel"][0], history["hidden_1/kernel"][-1]
    )
    assert "hidden_1/kernel" in printed.getvalue()  # history.stats() was printed

    # The comparison: one row per variant, and the report files the README lists.
    rows = {line.split()[0] for line in ns["result"].summary().splitlines() if line}
    assert {"none", "l1", "l2"} <= rows
    written = {p.name for p in (tmp_path / "moons-py").iterdir()}
    assert written == report_files(section("Two commands"))


def test_every_kreg_name_in_readme_exists():
    names = set(re.findall(r"\bkreg((?:\.[A-Za-z_]\w*)+)", TEXT))
    assert {".L1", ".L2", ".L1L2", ".compare", ".WeightHistory"} <= names
    for name in sorted(names):
        obj = kreg
        for part in name.split(".")[1:]:
            assert hasattr(obj, part), (
                f"README.md names kreg{name}, which does not exist"
            )
            obj = getattr(obj, part)


def kreg_command_lines() -> list[str]:
    """Every ``kreg ...`` command of the README's bash blocks, comments removed."""
    lines = []
    for code in blocks("bash"):
        for line in code.splitlines():
            for command in line.split("&&"):
                command = command.split("#")[0].strip()
                if command == "kreg" or command.startswith("kreg "):
                    lines.append(command)
    return lines


@pytest.mark.parametrize("command", kreg_command_lines())
def test_readme_command_lines_parse(command, capsys):
    parser, _ = build_parser()
    argv = shlex.split(command)[1:]
    if "--help" in argv:
        with pytest.raises(SystemExit) as exit_:
            parser.parse_args(argv)
        assert exit_.value.code == 0
        assert "usage: kreg" in capsys.readouterr().out
    else:
        args = parser.parse_args(argv)
        assert args.command in ("compare", "sweep")


def test_readme_states_the_default_output_directories():
    _, commands = build_parser()
    for command in ("compare", "sweep"):
        stated = f"kreg-output/{command}-YYYYMMDD-HHMMSS/"
        assert stated in TEXT
        assert re.fullmatch(
            rf"kreg-output/{command}-\d{{8}}-\d{{6}}(-\d+)?", default_out_dir(command)
        )
        assert stated.rstrip("/") in commands[command].format_help()


def test_sweep_report_holds_the_files_the_readme_lists(tmp_path):
    result = kreg.sweep(kind="l2", lams=(0.0, 0.16), epochs=2, grid_resolution=10)
    paths = kreg.report.write_sweep_report(result, tmp_path / "sweep", dpi=20)
    assert set(paths) == {p.name for p in (tmp_path / "sweep").iterdir()}
    assert set(paths) == report_files(section("The comparison"))


def test_readme_links_to_existing_docs_pages():
    pages = re.findall(r"`(docs/[\w/.-]+\.md)`", TEXT)
    assert pages
    for page in pages:
        assert (README.parent / page).is_file(), page
