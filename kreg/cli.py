"""The ``kreg`` command line: ``kreg compare`` (more commands plug in the same way).

``kreg compare [options] [--out DIR]`` trains the lecture's two-moons demonstration
(unregularized, L1 and L2 variants side by side, from identical initial weights on
identical batches) with :func:`kreg.compare`, prints the summary table and writes a
report (:func:`kreg.report.write_report`): ``report.html``, ``metrics.json``,
``weights.npz`` and the figures as PNG files.

Arguments are parsed before TensorFlow, :mod:`kreg.compare` or matplotlib are
imported by this module, so a bad option fails at once. Every error of the user's
making (an unknown option, a bad value, an output directory that is not empty)
exits with status 2 and one line on stderr, without a traceback.

Adding a command (``kreg sweep``): write ``_add_<name>(subparsers)`` and
``_run_<name>(args, parser) -> int`` and register them in :data:`_COMMANDS`.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any


def _process_start() -> float:
    """``time.perf_counter()`` at the start of this process, as best we can tell.

    On Linux, the process's start time (``/proc/self/stat``, in clock ticks since
    boot) against the system uptime gives its age to about 10 ms, so the import of
    Python, TensorFlow and kreg is counted. Elsewhere: the moment this module was
    imported.
    """
    now = time.perf_counter()
    try:
        with open("/proc/self/stat") as file:
            stat = file.read()
        # Fields after the command name (which may hold spaces) start at field 3;
        # "starttime" is field 22.
        start_ticks = int(stat[stat.rindex(")") + 2 :].split()[19])
        with open("/proc/uptime") as file:
            uptime = float(file.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return now
    return now - age if 0.0 <= age < 3600.0 else now


#: ``time.perf_counter()`` value at the start of the process (see _process_start).
STARTED = _process_start()

# Quiet TensorFlow's C++ logging unless the user chose a level (it only takes
# effect if TensorFlow has not been imported yet).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


# --------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------


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

    def error(self, message: str) -> None:  # type: ignore[override]
        text = " ".join(str(message).split())
        self.exit(2, f"{self.prog}: error: {text} (see '{self.prog} --help')\n")


def _names(text: str) -> tuple[str, ...]:
    names = tuple(part.strip() for part in text.split(","))
    if not text.strip() or any(not name for name in names):
        raise argparse.ArgumentTypeError(
            f"expected comma-separated names, e.g. none,l1,l2; got {text!r}"
        )
    return names


def _ints(text: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, e.g. 128,128; got {text!r}"
        ) from None
    return values


def _noise(text: str) -> float | None:
    if text.strip().lower() == "none":
        return None
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or none; got {text!r}"
        ) from None


def _jit(text: str) -> bool | str:
    value = text.strip().lower()
    choices = {"auto": "auto", "true": True, "false": False}
    if value not in choices:
        raise argparse.ArgumentTypeError(f"expected auto, true or false; got {text!r}")
    return choices[value]


#: The options of ``kreg compare`` that go to :func:`kreg.compare`: (flag, keyword
#: of compare, type, default, help). The defaults are compare()'s own (a test
#: checks that they agree; compare's ``learning_rate=None`` means 0.01 with an
#: optimizer name, which the command line always passes).
COMPARE_OPTIONS: tuple[tuple[str, str, Callable[[str], Any], Any, str], ...] = (
    (
        "--variants",
        "variants",
        _names,
        "none,l1,l2",
        "comma-separated variants to train side by side: none (no penalty), "
        "l1 (kreg.L1), l2 (kreg.L2)",
    ),
    (
        "--lam",
        "lam",
        float,
        0.16,
        "regularization strength lam of the penalty lam/(2n)*sum(...) on the "
        "hidden kernels (0.16 with n = 80 is Keras' l2(0.001), the lecture's)",
    ),
    ("--n-samples", "n_samples", int, 100, "number of two-moons points"),
    (
        "--noise",
        "noise",
        _noise,
        0.25,
        "standard deviation of the moons' Gaussian noise (none: no noise)",
    ),
    ("--data-seed", "data_seed", int, 2, "random_state of make_moons"),
    (
        "--seed",
        "seed",
        int,
        0,
        "seed of the initial weights and of the batch order (shared by all variants)",
    ),
    (
        "--validation-split",
        "validation_split",
        float,
        0.2,
        "fraction of the rows (the last ones, as Keras' validation_split) "
        "held out for validation",
    ),
    (
        "--hidden",
        "hidden",
        _ints,
        "128,128",
        "comma-separated sizes of the hidden Dense layers",
    ),
    ("--activation", "activation", str, "relu", "activation of the hidden layers"),
    ("--optimizer", "optimizer", str, "adam", "Keras optimizer name, e.g. adam, sgd"),
    ("--learning-rate", "learning_rate", float, 0.01, "the optimizer's learning rate"),
    ("--batch-size", "batch_size", int, 32, "rows per training batch"),
    ("--epochs", "epochs", int, 2000, "number of epochs"),
    (
        "--record-every",
        "record_every",
        int,
        None,
        "record the weights every N epochs and after the last (default: about 100 "
        "records, max(1, EPOCHS // 100))",
    ),
    (
        "--grid-resolution",
        "grid_resolution",
        int,
        200,
        "points per side of the grid the decision boundary is drawn from",
    ),
    (
        "--jit-compile",
        "jit_compile",
        _jit,
        "auto",
        "compile the training loop with XLA: true, false or auto (XLA for runs "
        "of 3000 training steps or more)",
    ),
)


def _add_compare(subparsers: Any) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "compare",
        help="train unregularized, L1 and L2 models side by side and write a report",
        description=(
            "Train the lecture's two-moons network once per variant (none, L1, "
            "L2), from identical initial weights on identical batches, print the "
            "summary table and write DIR/report.html (self-contained), "
            "DIR/metrics.json, DIR/weights.npz and the figures as DIR/*.png."
        ),
        epilog=(
            "examples:\n"
            "  kreg compare                        # the lecture's setup, 2000 epochs\n"
            "  kreg compare --epochs 300 --lam 1.6 --out runs/strong-l2\n"
            "  kreg compare --variants none,l2 --hidden 64,64 --quiet"
        ),
        formatter_class=_HelpFormatter,
    )
    model = parser.add_argument_group("run settings (passed to kreg.compare)")
    for flag, dest, kind, default, text in COMPARE_OPTIONS:
        metavar = {
            int: "N",
            float: "X",
            _noise: "X",
            str: "NAME",
            _jit: "{auto,true,false}",
        }.get(kind, "A,B,...")
        model.add_argument(
            flag, dest=dest, type=kind, default=default, help=text, metavar=metavar
        )
    output = parser.add_argument_group("output")
    output.add_argument(
        "--out",
        metavar="DIR",
        default=None,
        help=(
            "directory of the report (default: a new directory "
            "kreg-output/compare-YYYYMMDD-HHMMSS)"
        ),
    )
    output.add_argument(
        "--force",
        action="store_true",
        help="write into DIR even if it is not empty (replacing the report's files)",
    )
    output.add_argument(
        "--quiet",
        action="store_true",
        help="no progress bar (the summary table and the report's path are printed)",
    )
    return parser


def _run_compare(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    from kreg.report import check_out_dir, default_out_dir

    out_dir = args.out
    if out_dir is None:
        out_dir = default_out_dir("compare")
    # Refuse a non-empty directory before training, not after.
    try:
        check_out_dir(out_dir, force=args.force)
    except FileExistsError:
        parser.error(
            f"--out {out_dir!r} exists and is not empty; choose another directory "
            "or add --force to replace the report's files in it"
        )
    except (NotADirectoryError, TypeError, ValueError) as error:
        parser.error(f"--out {out_dir!r}: {error}")

    os.environ.setdefault("MPLBACKEND", "Agg")  # no window, no display needed
    from kreg.compare import compare
    from kreg.report import write_report

    options = {dest: getattr(args, dest) for _, dest, _, _, _ in COMPARE_OPTIONS}
    if not args.quiet:
        variants = ", ".join(options["variants"])
        print(f"kreg compare: training {variants} for {options['epochs']} epochs")
    try:
        result = compare(progress=not args.quiet, **options)
    except (ValueError, TypeError) as error:
        parser.error(_flag_names(str(error)))
    print(result.summary())
    paths = write_report(
        result,
        out_dir,
        force=args.force,
        started=args.started,
        command=shlex.join(["kreg", *args.argv]),
    )
    with open(paths["metrics.json"]) as file:
        timing = json.load(file)["timing"]
    print(
        f"Report written to {paths['report.html']} (with metrics.json, weights.npz "
        f"and {sum(p.endswith('.png') for p in paths)} figures). Training "
        f"{timing['train_seconds']:.1f} s; total {timing['total_seconds']:.1f} s "
        "from process start to report written."
    )
    return 0


def _flag_names(message: str) -> str:
    """Name the command-line flag in kreg's argument errors (``lam`` -> --lam)."""
    for flag, dest, _, _, _ in COMPARE_OPTIONS:
        message = message.replace(f"argument `{dest}`", f"{flag}")
        message = message.replace(f"Received: {dest}=", f"Received: {flag} ")
    return message


#: Commands: name -> (function adding its sub-parser, function running it).
_COMMANDS: dict[str, tuple[Callable[..., argparse.ArgumentParser], Callable]] = {
    "compare": (_add_compare, _run_compare),
    # "sweep": (_add_sweep, _run_sweep),  # issue 5
}


def build_parser() -> tuple[argparse.ArgumentParser, dict[str, Any]]:
    """Build the ``kreg`` parser; return it and the sub-parser of each command.

    Returns:
        ``(parser, {command name: its sub-parser})``.

    Examples:
        >>> parser, commands = build_parser()
        >>> sorted(commands)
        ['compare']
    """
    from kreg._version import __version__

    parser = _Parser(
        prog="kreg",
        description=(
            "kreg: L1 and L2 weight regularization for Keras with the lam/(2n) "
            "scaling. Run 'kreg COMMAND --help' for a command's options."
        ),
        formatter_class=_HelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"kreg {__version__}")
    subparsers = parser.add_subparsers(
        dest="command", metavar="COMMAND", title="commands"
    )
    commands = {name: add(subparsers) for name, (add, _) in _COMMANDS.items()}
    for name, sub in commands.items():
        sub.prog = f"kreg {name}"
    return parser, commands


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``kreg`` command line.

    The run's ``total_seconds`` (in ``metrics.json``) counts from the start of the
    process when ``argv`` is ``None`` (the console command), else from this call.

    Args:
        argv: The arguments after the program name; ``None`` reads ``sys.argv``.

    Returns:
        The exit status: 0 on success, 2 for a usage error (one line on stderr),
        130 if interrupted.

    Examples:
        >>> main(["--version"])  # doctest: +SKIP
        kreg 0.1.0
        0
    """
    # A command run from the shell counts its time from the process start; a call
    # from Python (tests, notebooks) from this call.
    started = STARTED if argv is None else time.perf_counter()
    argv = list(sys.argv[1:] if argv is None else argv)
    parser, commands = build_parser()
    try:
        args = parser.parse_args(argv)
        args.argv = argv
        args.started = started
        if args.command is None:
            parser.error("a command is required: " + ", ".join(commands))
        _, run = _COMMANDS[args.command]
        return run(args, commands[args.command])
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else 1)
    except KeyboardInterrupt:
        print("kreg: interrupted", file=sys.stderr)
        return 130
