"""The ``kreg`` command line: ``kreg compare``, ``kreg sweep`` and ``kreg prune``.

``compare`` and ``sweep`` train (:func:`kreg.compare`, :func:`kreg.sweep`, one
shared option table), print the summary and write a report; ``prune`` writes a
smaller copy of a saved model (:func:`kreg.prune`). Arguments, the backend and the
output directory are checked before Keras is imported: every error of the user's
making exits with status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import math
import os
import pathlib
import re
import shlex
import sys
import tempfile
import time
import timeit
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from kreg import _backend
from kreg._validation import (
    MAX_EPOCHS,
    MAX_GRID_RESOLUTION,
    MAX_SAMPLES,
    check_fraction,
    check_int,
    check_nonnegative,
    check_positive,
)


def _process_start() -> float:
    """``time.perf_counter()`` at the start of this process (from ``/proc``, so
    that the imports count) on Linux; elsewhere, now."""
    now = time.perf_counter()
    try:
        stat = pathlib.Path("/proc/self/stat").read_text()
        # Fields after the command name (which may hold spaces) start at field 3;
        # "starttime" is field 22.
        start_ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
        uptime = float(pathlib.Path("/proc/uptime").read_text().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - age if 0.0 <= age < 3600.0 else now


#: ``time.perf_counter()`` value at the start of the process.
STARTED = _process_start()

#: Whether the user chose TensorFlow's C++ log level (else _import_keras does).
_USER_TF_LOG = "TF_CPP_MIN_LOG_LEVEL" in os.environ

# The start-up lines TensorFlow's C++ code writes to stderr on import, whatever
# TF_CPP_MIN_LOG_LEVEL says for some: glog lines, absl's note, CPU-feature advice.
_TF_STARTUP = re.compile(
    r"^([IWEF]\d{4} |WARNING: All log messages before absl::InitializeLog"
    r"|To enable the following instructions)"
)


def _import_keras() -> None:
    """Import Keras, and TensorFlow when installed (Keras imports it to serialize
    anyway), dropping the lines ``_TF_STARTUP`` matches from stderr and setting
    ``TF_CPP_MIN_LOG_LEVEL=3``, unless the user set it."""
    if _USER_TF_LOG or "keras" in sys.modules:
        import keras  # noqa: F401

        return
    os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as capture:
        os.dup2(capture.fileno(), 2)
        try:
            import keras  # noqa: F401

            if not _backend.missing("tensorflow"):
                import tensorflow  # noqa: F401
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            capture.seek(0)
            lines = capture.read().decode("utf-8", "replace").splitlines()
            kept = [line for line in lines if not _TF_STARTUP.match(line)]
            if kept:
                print("\n".join(kept), file=sys.stderr)


class _HelpFormatter(
    argparse.ArgumentDefaultsHelpFormatter, argparse.RawDescriptionHelpFormatter
):
    """Show "(default: ...)" for every option that has a value (not for flags)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        if action.default is None or action.nargs == 0:
            return action.help
        return super()._get_help_string(action)


class _Parser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose errors are one line on stderr, status 2."""

    #: The arguments being parsed (set by ``main``), to quote in messages.
    argv: Sequence[str] = ()

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(str(message).split())
        missing = re.fullmatch(r"argument (--[\w-]+): expected one argument", text)
        argv = list(self.argv)
        if missing and missing.group(1) in argv[:-1]:
            flag = missing.group(1)
            value = argv[argv.index(flag) + 1]
            if value.startswith("-"):
                text += (
                    f" (got {value!r}, which reads as an option: write {flag}={value})"
                )
        self.exit(2, f"{self.prog}: error: {text} (see '{self.prog} --help')\n")


def _dest(flag: str) -> str:
    """The keyword of a flag: ``--learning-rate`` -> ``learning_rate``."""
    return flag[2:].replace("-", "_")


#: A row of an option table: (flag, dest, type, default, help).
_Option = tuple[str, str, Callable[[str], Any], Any, str]


def _option(flag: str, kind: Callable[[str], Any], default: Any) -> _Option:
    return (flag, _dest(flag), kind, default, _HELP[flag])


def _typed(
    parse: Callable[[str], Any], metavar: str, expected: str | None = None
) -> Callable[[str], Any]:
    """An argparse type shown as ``metavar``: ``parse(text)``, whose error becomes
    "expected EXPECTED; got 'text'" (without ``expected``: the error's message)."""

    def convert(text: str) -> Any:
        try:
            return parse(text)
        except (KeyError, TypeError, ValueError) as error:
            wanted = str(error) if expected is None else expected
            raise argparse.ArgumentTypeError(
                f"expected {wanted}; got {text!r}"
            ) from None

    convert.metavar = metavar  # type: ignore[attr-defined]
    return convert


def _listed(
    convert: Callable[[str], Any],
    valid: Callable[[Any], bool],
    expected: str,
    metavar: str,
) -> Callable[[str], tuple]:
    """A type for comma-separated values, each converted and ``valid``."""

    def parse(text: str) -> tuple:
        values = tuple(convert(part) for part in text.split(","))
        if not all(valid(v) for v in values):
            raise ValueError
        return values

    return _typed(parse, metavar, f"comma-separated {expected}")


_names = _listed(str.strip, bool, "names, e.g. none,l1,l2", "A,B,...")
_ints = _listed(int, lambda v: v >= 1, "integers >= 1, e.g. 128,128", "A,B,...")
_seeds = _listed(int, lambda v: v >= 0, "integers >= 0, e.g. 0,1,2", "N,N,...")
_lams = _listed(
    float,
    lambda v: math.isfinite(v) and v >= 0,
    "numbers >= 0, e.g. 0,0.01,0.1",
    "X,Y,...",
)


def _checked(convert: Callable[[str], Any], check: Callable[..., Any], **bounds: Any):
    """A type converting with ``convert`` and checking with a kreg check function
    (``kreg._validation``), whose message says what it expected."""

    def parse(text: str) -> Any:
        try:
            return check("value", convert(text), **bounds)
        except (ValueError, TypeError) as error:
            found = re.search(r"expected (.*?)\. Received", str(error))
            number = "an integer" if convert is int else "a number"
            expected = found.group(1) if found else number
            raise ValueError(expected) from None

    return _typed(parse, "N" if convert is int else "X")


_nonnegative = _checked(float, check_nonnegative)
_positive = _checked(float, check_positive)
_fraction = _checked(float, check_fraction)
_count = _checked(int, check_int)
_seed = _checked(int, check_int, minimum=0)
_n_samples = _checked(int, check_int, minimum=2, maximum=MAX_SAMPLES)
_epochs = _checked(int, check_int, maximum=MAX_EPOCHS)
_resolution = _checked(int, check_int, minimum=2, maximum=MAX_GRID_RESOLUTION)


def _noise_or_none(text: str) -> float | None:
    if text.strip().lower() == "none":
        return None
    return check_nonnegative("value", float(text))


_noise = _typed(_noise_or_none, "X", "a number >= 0 or none")


def _choices(*names: str) -> Callable[[str], str]:
    """A type accepting one of ``names`` (case-insensitive), shown as {a,b}."""
    table = {name: name for name in names}
    expected = "one of " + ", ".join(names)
    return _typed(
        lambda text: table[text.strip().lower()], f"{{{','.join(names)}}}", expected
    )


_backend_name = _choices(*_backend.BACKENDS)
_JIT = {"auto": "auto", "true": True, "false": False}
_jit = _typed(
    lambda text: _JIT[text.strip().lower()], "{auto,true,false}", "auto, true or false"
)

#: The help of each option (of the tables below, and the output flags).
_HELP = {
    "--model": "a saved Keras model (.keras) to train the variants of, from its "
    "weights, instead of the lecture's network; its compiled loss, optimizer and "
    "metrics are used unless given (default: the built-in network)",
    "--data": "an .npz file with the arrays x_train, y_train and, with --model, "
    "optionally x_val, y_val (instead of --validation-split) (default: the two "
    "moons)",
    "--loss": "with --model: a Keras loss name",
    "--metrics": "with --model: Keras metric names",
    "--layers": "with --model: the names of the layers whose kernels get the "
    "penalty (default: every layer with a kernel)",
    "--variants": "comma-separated variants to train side by side: none (no "
    "penalty), l1 (kreg.L1), l2 (kreg.L2)",
    "--lam": "regularization strength lam of the penalty lam/(2n)*sum(...) on the "
    "hidden kernels (0.16 with n = 80 is Keras' l2(0.001), the lecture's)",
    "--l1-mode": "how the L1 penalty is applied: proximal (a soft-threshold step "
    "after each optimizer update; weights reach exactly 0) or subgradient (the "
    "penalty's gradient, as Keras' L1; no weight is ever exactly 0)",
    "--seeds": "comma-separated model seeds, e.g. 0,1,2,3,4: every model is "
    "trained once per seed (its initial weights; same data and batch order) and "
    "the numbers are reported as mean ± std (default: kreg compare on the "
    "lecture's network trains five, --seed to --seed + 4, so that the spread shows "
    "what is luck; with --model, and for kreg sweep, one run with --seed)",
    "--n-samples": "number of two-moons points",
    "--noise": "standard deviation of the moons' Gaussian noise (none: no noise)",
    "--data-seed": "random_state of make_moons",
    "--seed": "seed of the initial weights and of the batch order (the same for "
    "every model trained side by side)",
    "--validation-split": "fraction of the rows (the last ones, as Keras' "
    "validation_split) held out for validation",
    "--hidden": "comma-separated sizes of the hidden Dense layers",
    "--activation": "activation of the hidden layers",
    "--optimizer": "Keras optimizer name, e.g. adam, sgd",
    "--learning-rate": "the optimizer's learning rate",
    "--batch-size": "rows per training batch",
    "--epochs": "number of epochs",
    "--record-every": "record the weights every N epochs and after the last "
    "(default: about 100 records, max(1, EPOCHS // 100))",
    "--grid-resolution": "points per side of the grid the decision boundary is "
    "drawn from",
    "--jit-compile": "compile the training loop with XLA: true, false or auto (XLA "
    "for runs of 2500 training steps or more); TensorFlow only",
    "--kind": "the penalty swept: l1 (kreg.L1), l2 (kreg.L2) or l1l2 (kreg.L1L2 "
    "with l1 = l2 = lam), on the hidden kernels",
    "--lams": "comma-separated lambdas, e.g. 0,0.01,0.1,1 (default: sweep()'s "
    "grid, 0 and 12 log-spaced lambdas wide enough to reach underfitting)",
    "--tol": "weights with |w| <= tol count as zero",
    "--rows": "rows of random inputs the inference time is measured on",
    "--force": "write into DIR even if it is not empty (replacing the report's files)",
    "--quiet": "no progress bar (the summary table and the report's path are printed)",
}

#: ``--model``, ``--data`` and the options of a user's model, for both commands.
MODEL_DATA_OPTIONS: tuple[_Option, ...] = (
    _option("--model", str, None),
    _option("--data", str, None),
    _option("--loss", str, None),
    _option("--metrics", _names, None),
    _option("--layers", _names, None),
)

#: The options of ``kreg compare``, with :func:`kreg.compare`'s defaults (a test
#: checks that they agree; its ``learning_rate=None`` is 0.01 with an optimizer name).
COMPARE_OPTIONS: tuple[_Option, ...] = (
    _option("--variants", _names, "none,l1,l2"),
    _option("--lam", _nonnegative, 0.16),
    _option("--l1-mode", _choices("proximal", "subgradient"), "proximal"),
    _option("--seeds", _seeds, None),
    _option("--n-samples", _n_samples, 100),
    _option("--noise", _noise, 0.25),
    _option("--data-seed", _seed, 2),
    _option("--seed", _seed, 0),
    _option("--validation-split", _fraction, 0.2),
    _option("--hidden", _ints, "128,128"),
    _option("--activation", str, "relu"),
    _option("--optimizer", str, "adam"),
    _option("--learning-rate", _positive, 0.01),
    _option("--batch-size", _count, 32),
    _option("--epochs", _epochs, 2000),
    _option("--record-every", _count, None),
    _option("--grid-resolution", _resolution, 200),
    _option("--jit-compile", _jit, "auto"),
)

#: sweep()'s defaults that differ from compare()'s (one small panel per lambda).
_SWEEP_DEFAULTS = {"grid_resolution": 100}
#: Options of ``kreg compare`` that ``kreg sweep`` does not take (a sweep's report
#: keeps the final weights only).
_NOT_IN_SWEEP = ("variants", "lam", "record_every")

#: The options of ``kreg sweep``: its own, then the rest of ``kreg compare``'s.
SWEEP_OPTIONS: tuple[_Option, ...] = (
    _option("--kind", _choices("l1", "l2", "l1l2"), "l2"),
    _option("--lams", _lams, None),
    *(
        (flag, dest, kind, _SWEEP_DEFAULTS.get(dest, default), text)
        for flag, dest, kind, default, text in COMPARE_OPTIONS
        if dest not in _NOT_IN_SWEEP
    ),
)


def _add_options(group: Any, options: Sequence[_Option]) -> None:
    for flag, dest, kind, default, text in options:
        metavar = getattr(kind, "metavar", "NAME")
        group.add_argument(
            flag, dest=dest, type=kind, default=default, help=text, metavar=metavar
        )


def _add_output(parser: argparse.ArgumentParser, command: str) -> None:
    """Add ``--out``, ``--force`` and ``--quiet`` to a command's parser."""
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        metavar="DIR",
        help="directory of the report (default: a new directory "
        f"kreg-output/{command}-YYYYMMDD-HHMMSS)",
    )
    for flag in ("--force", "--quiet"):
        output.add_argument(flag, action="store_true", help=_HELP[flag])


def _add_backend(parser: argparse.ArgumentParser, default: Any) -> None:
    """Add ``--backend``; a command's has ``default=argparse.SUPPRESS``, so that
    it does not replace a ``--backend`` given before the command."""
    parser.add_argument(
        "--backend",
        type=_backend_name,
        default=default,
        metavar=_backend_name.metavar,  # type: ignore[attr-defined]
        help="the Keras backend to run on (default: the KERAS_BACKEND environment "
        "variable, else tensorflow)",
    )


def _choose_backend(args: argparse.Namespace, parser: argparse.ArgumentParser) -> str:
    """Set ``KERAS_BACKEND`` to ``--backend``, else to the variable's (checked
    here), else tensorflow, and return it; exit 2 if it cannot run."""
    name = args.backend or _backend.requested()
    reason = _backend.missing(name)
    if reason is not None:
        if args.backend is None:
            reason += (
                " (from the KERAS_BACKEND environment variable; --backend overrides it)"
            )
        parser.error(reason)
    keras = sys.modules.get("keras")  # imported before main() (Python, not shell)
    if args.backend is not None and keras is not None:
        running = keras.backend.backend()
        if running != name:
            parser.error(
                f"--backend {name}: Keras already runs on {running} in this "
                "process; its backend is chosen when Keras is first imported"
            )
    os.environ["KERAS_BACKEND"] = name
    return name


def _prepare_out_dir(
    args: argparse.Namespace, parser: argparse.ArgumentParser, command: str
) -> str:
    """The output directory, created and probed before Keras is imported."""
    from kreg._io import default_out_dir, prepare_out_dir

    out_dir = default_out_dir(command) if args.out is None else args.out
    try:
        prepare_out_dir(out_dir, force=args.force)
    except FileExistsError:
        parser.error(
            f"--out {out_dir!r} exists and is not empty; choose another directory "
            "or add --force to replace the report's files in it"
        )
    except (OSError, TypeError, ValueError) as error:
        parser.error(f"--out {out_dir!r} cannot be written: {error}")
    args.created = out_dir
    return out_dir


class _Command(NamedTuple):
    """A training command, running ``kreg.<name>.<name>``."""

    help: str
    description: str
    epilog: str
    options: tuple[_Option, ...]
    #: The function of :mod:`kreg.report` that writes the report.
    writer: str
    #: What is trained, for the first line ("kreg NAME: training WHAT for ...").
    what: Callable[[dict[str, Any]], str]
    #: Lines printed after the summary table.
    after_summary: Callable[[Any], list[str]] = lambda result: []


def _add_command(subparsers: Any, name: str) -> argparse.ArgumentParser:
    command = _COMMANDS[name]
    parser = subparsers.add_parser(
        name,
        help=command.help,
        description=command.description,
        epilog=command.epilog,
        formatter_class=_HelpFormatter,
    )
    model = parser.add_argument_group(f"run settings (passed to kreg.{name})")
    _add_options(model, command.options)
    _add_options(parser.add_argument_group("your model and data"), MODEL_DATA_OPTIONS)
    _add_output(parser, name)
    return parser


def _run_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Train with ``kreg.<command>``, print its tables and write its report."""
    name = args.command
    command = _COMMANDS[name]
    # Refuse a non-empty directory or a missing file before training, not after.
    _require_file(parser, "--model", args.model)
    _require_file(parser, "--data", args.data)
    out_dir = _prepare_out_dir(args, parser, name)

    os.environ.setdefault("MPLBACKEND", "Agg")  # no window, no display needed
    _import_keras()
    import kreg.report

    train = getattr(importlib.import_module(f"kreg.{name}"), name)
    options = {dest: getattr(args, dest) for _, dest, _, _, _ in command.options}
    options.update(_model_and_data(args, parser))
    if name == "compare" and options["seeds"] is None and args.model is None:
        options["seeds"] = tuple(range(options["seed"], options["seed"] + 5))
    if not args.quiet:
        seeds = options["seeds"]
        runs = f" x {len(seeds)} seeds" if seeds and len(seeds) > 1 else ""
        print(
            f"kreg {name}: training {command.what(options)}{runs} for "
            f"{options['epochs']} epochs"
        )
    try:
        result = train(progress=not args.quiet, **options)
    except (ValueError, TypeError) as error:
        parser.error(_flag_names(str(error)))
    print(result.summary())
    for line in command.after_summary(result):
        print(line)
    # Files are written atomically (each whole or absent); an error exits 1.
    try:
        paths = getattr(kreg.report, command.writer)(
            result,
            out_dir,
            force=args.force,
            started=args.started,
            command=shlex.join(["kreg", *args.argv]),
        )
    except OSError as error:
        parser.exit(1, f"{parser.prog}: error: cannot write the report: {error}\n")
    with open(paths["metrics.json"]) as file:
        timing = json.load(file)["timing"]
    print(
        f"Report written to {paths['report.html']} (with metrics.json, "
        f"{next(iter(paths))} and {sum(p.endswith('.png') for p in paths)} figures). "
        f"Training {timing['train_seconds']:.1f} s; total "
        f"{timing['total_seconds']:.1f} s from process start to report written."
    )
    return 0


def _model_and_data(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> dict[str, Any]:
    """The keywords of ``MODEL_DATA_OPTIONS``: the model loaded, the arrays read."""
    import numpy as np

    given = {k: getattr(args, k) for k in ("loss", "metrics", "layers")}
    keywords = {k: v for k, v in given.items() if v is not None}
    if args.data is not None:
        try:
            with np.load(args.data) as arrays:
                data = {key: arrays[key] for key in arrays.files}
        except (OSError, ValueError) as error:
            parser.error(f"--data {args.data!r} cannot be read: {error}")
        expected = ["x_train", "y_train"] + (
            ["x_val", "y_val"] if "x_val" in data or "y_val" in data else []
        )
        absent = [key for key in expected if key not in data]
        if absent:
            parser.error(
                f"--data {args.data!r} has no array {absent[0]!r} (expected "
                "x_train, y_train and optionally x_val, y_val)"
            )
        keywords["x"], keywords["y"] = data["x_train"], data["y_train"]
        if "x_val" in data:
            if args.model is None:
                parser.error(
                    f"--data {args.data!r}: x_val and y_val need --model (the "
                    "built-in network holds out --validation-split of x_train)"
                )
            keywords["validation_data"] = (data["x_val"], data["y_val"])
    if args.model is not None:
        # The model's compiled optimizer, unless --optimizer or --learning-rate is
        # given (or an unambiguous prefix, which argparse takes: --learn 0.1).
        named = [a.split("=")[0] for a in args.argv if a.startswith("--")]
        for flag in ("--optimizer", "--learning-rate"):
            if not any(len(a) > 2 and flag.startswith(a) for a in named):
                keywords[_dest(flag)] = None
        keywords["model"] = _load_model(parser, "--model", args.model)
    return keywords


def _require_file(parser: argparse.ArgumentParser, flag: str, path: Any) -> None:
    if path is not None and not os.path.isfile(path):
        parser.error(f"{flag} {path!r}: no such file")


def _load_model(
    parser: argparse.ArgumentParser, flag: str, path: str, **options: Any
) -> Any:
    """The Keras model saved at ``path``; one that cannot be loaded exits 2."""
    import keras

    try:
        with warnings.catch_warnings():  # kreg trains with a fresh optimizer
            warnings.filterwarnings("ignore", "Skipping variable loading for opt")
            return keras.saving.load_model(path, **options)
    except Exception as error:  # Keras raises many kinds for a bad file
        parser.error(f"{flag} {path!r} cannot be loaded: {error}")


def _sweep_grid(options: dict[str, Any]) -> str:
    """``l2 over the default grid`` or ``l1 over lambdas 0, 0.1, 1``."""
    if options["lams"] is None:
        return f"{options['kind']} over the default grid"
    lams = ", ".join(f"{lam:g}" for lam in options["lams"])
    return f"{options['kind']} over lambdas {lams}"


def _best_line(result: Any) -> str:
    """``Best lambda: ... (validation data loss ...)`` for a sweep result."""
    i = int(result.best_index)
    several = len(list(getattr(result, "seeds", None) or [0])) > 1
    parts = []
    for key, what, digits in (
        ("val_loss", "validation data loss", 4),
        ("val_accuracy", "validation accuracy", 3),
    ):
        if key in result.mean:  # a regression has no accuracy
            text = f"{what} {float(result.mean[key][i]):.{digits}f}"
            if several:
                text += f" ± {float(result.std[key][i]):.{digits}f}"
            parts.append(text)
    if several:
        parts[-1] += f", mean ± std over {len(result.seeds)} seeds"
    return f"Best lambda: {float(result.best_lam):g} ({', '.join(parts)})"


def _flag_names(message: str) -> str:
    """Name the command-line flag in kreg's argument errors (``lam`` -> --lam)."""
    for flag, dest, _, _, _ in (*COMPARE_OPTIONS, *SWEEP_OPTIONS, *MODEL_DATA_OPTIONS):
        message = message.replace(f"argument `{dest}`", f"{flag}")
        message = message.replace(f"Received: {dest}=", f"Received: {flag} ")
    return message


#: The commands, by name.
_COMMANDS: dict[str, _Command] = {
    "compare": _Command(
        help="train unregularized, L1 and L2 models side by side and write a report",
        description="Train the lecture's two-moons network once per variant (none, L1, "
        "L2), from identical initial weights on identical batches, print the "
        "summary table and write DIR/report.html (self-contained), "
        "DIR/metrics.json, DIR/weights.npz and the figures as DIR/*.png. "
        "With --model and --data, the variants are copies of your saved Keras "
        "model trained on your arrays.",
        epilog="examples:\n"
        "  kreg compare                        # the lecture's setup, 2000 epochs\n"
        "  kreg compare --epochs 300 --lam 1.6 --out runs/strong-l2\n"
        "  kreg compare --variants none,l2 --hidden 64,64 --quiet\n"
        "  kreg compare --model model.keras --data data.npz --epochs 50",
        options=COMPARE_OPTIONS,
        writer="write_report",
        what=lambda options: ", ".join(options["variants"]),
    ),
    "sweep": _Command(
        help="train one model per lambda side by side, find the best lambda and "
        "write a report",
        description="Train the lecture's two-moons network once per lambda (and per "
        "seed), from identical initial weights on identical batches, print the "
        "per-lambda table and the best lambda (smallest mean validation data "
        "loss), and write DIR/report.html (self-contained), DIR/metrics.json, "
        "DIR/paths.npz and the figures as DIR/*.png: validation curve, "
        "regularization path, sparsity and decision boundaries per lambda. "
        "With --model and --data, your saved Keras model on your arrays.",
        epilog="examples:\n"
        "  kreg sweep --kind l1                  # default grid, 2000 epochs\n"
        "  kreg sweep --kind l2 --lams 0,0.1,1,10 --epochs 500 --out runs/l2\n"
        "  kreg sweep --kind l1 --seeds 0,1,2 --l1-mode subgradient --quiet\n"
        "  kreg sweep --model model.keras --data data.npz --lams 0,0.1,1,10",
        options=SWEEP_OPTIONS,
        writer="write_sweep_report",
        what=_sweep_grid,
        after_summary=lambda result: [_best_line(result)],
    ),
}


def _add_prune(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "prune",
        help="write a smaller copy of a saved model without its units at zero",
        description="Load MODEL (a .keras file), remove the units and inputs whose "
        "weights are zero with kreg.prune, save the smaller model and print the "
        "parameters, file size and inference time of both.",
        epilog="examples:\n"
        "  kreg prune model.keras --out smaller.keras\n"
        "  kreg prune model.keras --tol 1e-6 --rows 100000",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("model", metavar="MODEL", help="the saved model (.keras)")
    parser.add_argument(
        "--out",
        metavar="FILE",
        help="where to save the smaller model (default: MODEL-pruned.keras)",
    )
    rows = _checked(int, check_int, maximum=MAX_SAMPLES)
    _add_options(
        parser, (_option("--tol", _nonnegative, 0.0), _option("--rows", rows, 10_000))
    )
    return parser


def _prune_command(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """Prune a saved model, save the copy and print what it saves."""
    out = args.out or os.path.splitext(args.model)[0] + "-pruned.keras"
    _require_file(parser, "MODEL", args.model)
    if not out.endswith(".keras"):
        parser.error(f"--out {out!r}: the file name must end in .keras")
    if os.path.exists(out):
        parser.error(f"--out {out!r} exists; choose another file")
    _import_keras()
    import numpy as np

    from kreg.prune import prune

    model = _load_model(parser, "MODEL", args.model, compile=False)
    try:
        small = prune(model, tol=args.tol)
    except (ValueError, TypeError) as error:
        parser.error(str(error))
    folder = os.path.dirname(os.path.abspath(out))
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        partial = os.path.join(scratch, os.path.basename(out))
        small.save(partial)
        os.replace(partial, out)
    shape = (args.rows, *model.inputs[0].shape[1:])
    x = np.random.default_rng(0).normal(size=shape).astype("float32")
    before = _inference_seconds(model, x)
    after = _inference_seconds(small, x[..., small.kept_inputs])
    sizes = [os.path.getsize(args.model), os.path.getsize(out)]
    params = [model.count_params(), small.count_params()]
    times = [f"{seconds * 1e3:,.1f} ms" for seconds in (before, after)]
    rows = [
        ("parameters", *(f"{p:,}" for p in params), params[0] / params[1]),
        ("file size", *(f"{b / 1024:,.1f} KiB" for b in sizes), sizes[0] / sizes[1]),
        (f"predict_on_batch, {args.rows:,} rows", *times, before / after),
    ]
    print(f"{'':34s} {'before':>12s} {'after':>12s} {'ratio':>7s}")
    for name, first, second, ratio in rows:
        print(f"{name:34s} {first:>12s} {second:>12s} {ratio:>6.1f}x")
    inputs = model.inputs[0].shape[-1]
    print(f"inputs kept: {len(small.kept_inputs)} of {inputs}", end="")
    print(f" {small.kept_inputs.tolist()}" if len(small.kept_inputs) < inputs else "")
    for name, kept in small.kept_units.items():
        print(f"{name}: {len(kept)} of {model.get_layer(name).kernel.shape[-1]} units")
    print(f"Pruned model written to {out}")
    return 0


def _inference_seconds(model: Any, x: Any, repeats: int = 5) -> float:
    """The median time of ``model.predict_on_batch(x)``, after one call to trace."""
    model.predict_on_batch(x)
    times = timeit.repeat(lambda: model.predict_on_batch(x), number=1, repeat=repeats)
    return sorted(times)[len(times) // 2]


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Any]]:
    """Build the ``kreg`` parser; return it and the sub-parser of each command.

    Returns:
        ``(parser, {command name: its sub-parser})``.

    Examples:
        >>> parser, commands = build_parser()
        >>> sorted(commands)
        ['compare', 'prune', 'sweep']
    """
    from kreg._version import __version__

    parser = _Parser(
        prog="kreg",
        description="kreg: L1 and L2 weight regularization for Keras with the lam/(2n) "
        "scaling. Run 'kreg COMMAND --help' for a command's options.",
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kreg {__version__}")
    _add_backend(parser, None)
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands"
    )
    commands = {name: _add_command(subparsers, name) for name in _COMMANDS}
    commands["prune"] = _add_prune(subparsers)
    for name, sub in commands.items():
        sub.prog = f"kreg {name}"
        _add_backend(sub, argparse.SUPPRESS)
    return parser, commands


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kreg`` command line.

    Args:
        argv: The arguments after the program name; ``None`` reads ``sys.argv``
            (and the run's ``total_seconds`` counts from the process start, not
            from this call).

    Returns:
        The exit status: 0 on success, 2 for a usage error (one line on stderr),
        130 if interrupted.

    Examples:
        >>> main(["--version"])  # doctest: +ELLIPSIS
        kreg ...
        0
    """
    started = STARTED if argv is None else time.perf_counter()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, commands = build_parser()
    for each in (parser, *commands.values()):
        each.argv = argv
    args = None
    try:
        args, unknown = parser.parse_known_args(argv)
        if args.command is None:
            parser.error("a command is required: " + ", ".join(commands))
        if unknown:  # named by the command's own parser, which --help lists
            commands[args.command].error("unrecognized arguments: " + " ".join(unknown))
        _choose_backend(args, parser)
        args.argv = argv
        args.started = started
        if args.command == "prune":
            return _prune_command(args, commands["prune"])
        return _run_command(args, commands[args.command])
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except BaseException as error:
        if not _interrupted(error):
            raise
        print("kreg: interrupted", file=sys.stderr)
        return 130
    finally:
        _remove_if_empty(getattr(args, "created", None))


def _interrupted(error: BaseException | None) -> bool:
    """Whether ``error`` is a Ctrl-C, or an error raised while one unwound (a
    library's cleanup failing on a file that the interrupt left half-written)."""
    while error is not None:
        if isinstance(error, KeyboardInterrupt):
            return True
        error = error.__context__
    return False


def _remove_if_empty(out_dir: str | None) -> None:
    """Remove the output directory the command made if nothing was written in it."""
    if out_dir is not None:
        with contextlib.suppress(OSError):  # not empty (the report), or already gone
            os.rmdir(out_dir)
