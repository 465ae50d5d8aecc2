"""Reports of kreg runs: ``report.html``, ``metrics.json``, the arrays, the figures.

:mod:`kreg.plots` is imported only when a report is written.
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io
import json
import math
import numbers
import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

import numpy as np

from kreg._io import _NAME, check_out_dir, default_out_dir, prepare_out_dir
from kreg._io import atomic_write as _atomic_write
from kreg._validation import _fail, check_positive
from kreg._version import __version__
from kreg.compare import (
    METRIC_KEYS,
    METRICS,
    _diverged_note,
    format_metric,
    format_number,
)

__all__ = [
    "METRIC_KEYS",
    "Report",
    "atomic_write",
    "check_out_dir",
    "comparison_metrics",
    "default_out_dir",
    "load_histories",
    "prepare_out_dir",
    "save_histories",
    "sweep_metrics",
    "write_json",
    "write_report",
    "write_sweep_report",
]

#: The metrics every result has (not the accuracies, pruned_params, boundary_length).
REQUIRED_KEYS = tuple(
    key
    for key in METRIC_KEYS
    if "accuracy" not in key and key not in ("pruned_params", "boundary_length")
)

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 1200px;
       padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 1.8em; border-bottom: 1px solid #ddd; }
p.subtitle { color: #555; margin-top: 0; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
caption { caption-side: top; text-align: left; color: #555; padding-bottom: 0.3em; }
figure { margin: 1em 0 1.6em 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; }
code { background: #f3f3f3; padding: 0 0.2em; }
""".strip()


# --- Files -------------------------------------------------------------------------


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    Args:
        path: The file to write; its directory must exist.
        data: The contents, ``bytes`` or ``str`` (written as UTF-8).

    Raises:
        TypeError: If ``data`` is neither ``bytes`` nor ``str``.
        OSError: If the file cannot be written; the error names ``path``.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "note.txt")
        >>> atomic_write(path, "hello")
        >>> open(path).read()
        'hello'
    """
    if isinstance(data, str):
        data = data.encode("utf-8")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        _fail("data", "bytes or str", type(data).__name__, TypeError)
    _atomic_write(path, lambda file: file.write(data))


def _jsonable(value: Any) -> Any:
    """Plain JSON values: NumPy scalars and arrays converted, NaN/inf as ``None``."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        value = float(value)
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    get_config = getattr(value, "get_config", None)
    if callable(get_config):  # e.g. a kreg regularizer of a custom variant
        return {"class_name": type(value).__name__, "config": _jsonable(get_config())}
    return repr(value)


def write_json(path: str | os.PathLike, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically (see :func:`atomic_write`).

    NumPy values become numbers and lists, NaN and infinities ``null``, an object
    with ``get_config()`` ``{"class_name", "config"}``, anything else its ``repr``.

    Args:
        path: The file to write.
        obj: The data.

    Examples:
        >>> import json, os, tempfile, numpy as np
        >>> path = os.path.join(tempfile.mkdtemp(), "m.json")
        >>> write_json(path, {"a": np.float32(0.5), "b": float("nan")})
        >>> json.load(open(path))
        {'a': 0.5, 'b': None}
    """
    atomic_write(path, json.dumps(_jsonable(obj), indent=2, allow_nan=False) + "\n")


def save_histories(histories: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Save several variants' ``WeightHistory`` objects in one ``.npz`` file.

    One ``WeightHistory`` file, each key prefixed with ``"<variant>/"`` where
    missing; :func:`load_histories` splits it again.

    Args:
        histories: Mapping variant name (without ``"/"``) -> ``WeightHistory``.
        path: The file to write.

    Raises:
        ValueError: If ``histories`` is empty, a name contains ``"/"``, or the
            variants were recorded at different epochs.

    Examples:
        >>> import os, tempfile, numpy as np
        >>> from kreg.history import WeightHistory
        >>> zeros = {"dense/kernel": np.zeros((2, 2, 3))}
        >>> runs = {v: WeightHistory.from_arrays(zeros, [0, 5]) for v in ("none", "l2")}
        >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
        >>> save_histories(runs, path)
        >>> WeightHistory.load(path).keys()
        ['none/dense/kernel', 'l2/dense/kernel']
    """
    from kreg.history import WeightHistory

    if not isinstance(histories, Mapping) or not histories:
        _fail("histories", "a non-empty dict of variant -> WeightHistory", histories)
    first = next(iter(histories.values()))
    weights: dict[str, np.ndarray] = {}
    layer_names: dict[str, str] = {}
    for variant, history in histories.items():
        variant = str(variant)
        if "/" in variant or not variant:
            _fail("histories", "variant names without '/'", variant)
        if list(history.epochs) != list(first.epochs):
            _fail(
                "histories",
                f"histories recorded at the same epochs (first: {list(first.epochs)})",
                f"<{variant!r} recorded at {list(history.epochs)}>",
            )
        names = history.layer_names
        for key, array in history.weights.items():
            full = key if key.startswith(variant + "/") else f"{variant}/{key}"
            if full in weights:
                _fail("histories", "distinct keys", full)
            weights[full] = array
            layer_names[full] = names.get(key, full.split("/")[-2])
    WeightHistory.from_arrays(
        weights, list(first.epochs), layer_names=layer_names, steps=list(first.steps)
    ).save(path)


def load_histories(path: str | os.PathLike) -> dict[str, Any]:
    """Read a file written by :func:`save_histories`: one history per variant.

    Keys are grouped by their first path component; each history keeps the full
    keys (``"l2/dense/kernel"``).

    Args:
        path: A ``WeightHistory`` file, e.g. written by :func:`save_histories`.

    Returns:
        Mapping variant name -> ``WeightHistory``.

    Raises:
        FileNotFoundError: If the file does not exist.
        ValueError: If it is not a WeightHistory file.

    Examples:
        >>> import os, tempfile, numpy as np
        >>> from kreg.history import WeightHistory
        >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
        >>> WeightHistory.from_arrays(
        ...     {"a/d/kernel": np.ones((1, 2)), "b/d/kernel": np.zeros((1, 2))}, [0]
        ... ).save(path)
        >>> {v: h.keys() for v, h in load_histories(path).items()}
        {'a': ['a/d/kernel'], 'b': ['b/d/kernel']}
    """
    from kreg.history import WeightHistory

    combined = WeightHistory.load(path)
    weights, names = combined.weights, combined.layer_names
    groups: dict[str, list[str]] = {}
    for key in combined.keys():
        groups.setdefault(key.split("/", 1)[0], []).append(key)
    return {
        variant: WeightHistory.from_arrays(
            {k: weights[k] for k in keys},
            combined.epochs,
            layer_names={k: names[k] for k in keys},
            steps=combined.steps,
        )
        for variant, keys in groups.items()
    }


# --- A report page: sections of headings, text, figures and tables -----------------


def _format_cell(value: Any, fmt: str) -> tuple[str, bool]:
    """The cell text and whether it is a number (right-aligned)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        return ("" if value is None else str(value)), False
    if isinstance(value, numbers.Integral):
        return str(int(value)), True
    if isinstance(value, numbers.Real):
        return format_number(value, fmt), True
    return str(value), False


class Report:
    """An HTML report built section by section, written with its figures as PNG.

    The page is self-contained: the PNGs are embedded as data URIs too.

    Args:
        title: The page title (also the first heading).
        subtitle: A line under the title.

    Attributes:
        figures: Mapping figure name -> PNG bytes, in the order added.

    Examples:
        >>> report = Report("A run", subtitle="two variants")
        >>> report.add_heading("Numbers")
        >>> report.add_table([{"loss": 0.25}, {"loss": 0.5}], index=["a", "b"])
        >>> "<td class=\\"num\\">0.25</td>" in report.to_html()
        True
    """

    def __init__(self, title: str, *, subtitle: str | None = None) -> None:
        self.title = str(title)
        self.subtitle = None if subtitle is None else str(subtitle)
        self.figures: dict[str, bytes] = {}
        self._blocks: list[str] = []

    def add_heading(self, text: str) -> None:
        """Start a section with the heading ``text`` (escaped)."""
        self._blocks.append(f"<h2>{html.escape(str(text))}</h2>")

    def add_text(self, text: str) -> None:
        """Add a paragraph of text (escaped; spans in backticks become ``<code>``)."""
        escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(str(text)))
        self._blocks.append(f"<p>{escaped}</p>")

    def add_preformatted(self, text: str) -> None:
        """Add text (escaped) shown as is, in a fixed-width font."""
        self._blocks.append(f"<pre>{html.escape(str(text))}</pre>")

    def add_figure(
        self,
        name: str,
        figure: Any,
        *,
        caption: str | None = None,
        dpi: float = 100.0,
        close: bool = True,
    ) -> bytes:
        """Render a matplotlib figure to PNG and add it.

        Args:
            name: Unique file stem of the PNG (letters, digits, ``_``, ``.``, ``-``).
            figure: A matplotlib ``Figure`` (or anything with ``savefig``).
            caption: Text under the figure.
            dpi: Resolution of the PNG.
            close: Close the figure afterwards.

        Returns:
            The PNG bytes.

        Raises:
            ValueError: If ``name`` is not a plain name or is already used.
        """
        if not isinstance(name, str) or not _NAME.match(name):
            _fail("name", "a plain file stem (letters, digits, '_', '.', '-')", name)
        if name in self.figures:
            _fail("name", f"a name not used yet (used: {list(self.figures)})", name)
        dpi = check_positive("dpi", dpi)
        buffer = io.BytesIO()
        # No "Software" entry: the PNG carries no URL or version string.
        figure.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
        png = buffer.getvalue()
        if close:
            from kreg.plots._common import pyplot

            pyplot().close(figure)
        self.figures[name] = png
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        alt = html.escape(caption or name, quote=True)
        text = f"<figcaption>{html.escape(caption)}</figcaption>" if caption else ""
        self._blocks.append(
            f'<figure id="fig-{name}"><img alt="{alt}" src="{uri}">{text}</figure>'
        )
        return png

    def add_table(
        self,
        rows: Sequence[Mapping[str, Any]] | Sequence[Sequence[Any]],
        *,
        columns: Sequence[str] | None = None,
        headings: Mapping[str, str] | None = None,
        index: Sequence[Any] | None = None,
        index_name: str = "",
        caption: str | None = None,
        fmt: str = "{:.4g}",
    ) -> None:
        """Add a table.

        Args:
            rows: One mapping (column -> value) or one sequence of values per row.
            columns: Column keys in order (default: the first mapping row's keys).
            headings: Mapping column key -> heading text (default: the key).
            index: Optional row labels, shown as a first column.
            index_name: Heading of the index column.
            caption: Text above the table.
            fmt: Format of real numbers (non-finite ones are written as is).

        Raises:
            ValueError: If a row has the wrong length or ``index`` does not match.
        """
        rows = list(rows)
        if columns is None:
            if not (rows and isinstance(rows[0], Mapping)):
                _fail("columns", "column names for rows given as sequences", columns)
            columns = list(rows[0])
        columns = [str(c) for c in columns]
        if index is not None and len(index) != len(rows):
            _fail("index", f"{len(rows)} labels, one per row", list(index))
        headings = {str(k): str(v) for k, v in (headings or {}).items()}
        label = [] if index is None else [("th", index_name, False)]
        parts = [f"<caption>{html.escape(caption)}</caption>"] if caption else []
        parts.append(_row(label + [("th", headings.get(c, c), False) for c in columns]))
        for i, row in enumerate(rows):
            if isinstance(row, Mapping):
                values = [row.get(c) for c in columns]
            else:
                values = list(row)
                if len(values) != len(columns):
                    _fail(f"rows[{i}]", f"{len(columns)} values", values)
            label = [] if index is None else [("th", str(index[i]), False)]
            parts.append(_row(label + [("td", *_format_cell(v, fmt)) for v in values]))
        self._blocks.append("<table>" + "".join(parts) + "</table>")

    def add_mapping(
        self, mapping: Mapping[str, Any], *, caption: str | None = None
    ) -> None:
        """Add a two-column table of keys and values (containers shown as JSON).

        Args:
            mapping: The settings.
            caption: Text above the table.
        """
        rows = []
        for key, value in mapping.items():
            if isinstance(value, (list, tuple, Mapping, np.ndarray)):
                value = json.dumps(_jsonable(value))
            rows.append([str(key), value])
        self.add_table(rows, columns=["setting", "value"], caption=caption, fmt="{:g}")

    def to_html(self) -> str:
        """Return the page as one HTML document (UTF-8, inline CSS only)."""
        title = html.escape(self.title)
        top = [f"<h1>{title}</h1>"]
        if self.subtitle:
            top.append(f'<p class="subtitle">{html.escape(self.subtitle)}</p>')
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
            + "\n".join(top + self._blocks)
            + "\n</body>\n</html>\n"
        )

    def write(
        self,
        out_dir: str | os.PathLike,
        *,
        force: bool = False,
        html_name: str = "report.html",
    ) -> dict[str, str]:
        """Write every figure as ``<name>.png`` and the page, atomically.

        Args:
            out_dir: The directory, created if missing.
            force: Allow a non-empty ``out_dir`` (see :func:`check_out_dir`).
            html_name: File name of the page.

        Returns:
            Mapping file name -> path, the PNGs first, the page last.

        Raises:
            FileExistsError: If ``out_dir`` is not empty and ``force`` is false.
            NotADirectoryError: If ``out_dir`` is a file.
        """
        out_dir = prepare_out_dir(out_dir, force=force)
        files = {f"{name}.png": png for name, png in self.figures.items()}
        files[html_name] = self.to_html()
        written = {}
        for name, data in files.items():
            written[name] = os.path.join(out_dir, name)
            atomic_write(written[name], data)
        return written


def _row(cells: Sequence[tuple[str, str, bool]]) -> str:
    """A table row of ``(tag, text, numeric)`` cells, the texts escaped."""
    numeric = ' class="num"'
    parts = [f"<{t}{numeric if n else ''}>{html.escape(x)}</{t}>" for t, x, n in cells]
    return "<tr>" + "".join(parts) + "</tr>"


# --- The one writer: a page of sections, the run's arrays, metrics.json ------------


@dataclasses.dataclass(frozen=True)
class _Section:
    """A part of a page: heading, paragraphs, table (``add_table`` keywords), and
    the Display ``draw(result)`` as ``<figure>.png`` with a caption (or its maker)."""

    heading: str | None = None
    figure: str | None = None
    draw: Callable[[Any], Any] | None = None
    caption: str | Callable[[Any], str] = ""
    table: Mapping[str, Any] | None = None
    text: Sequence[str] = ()

    def add_to(self, report: Report, result: Any, dpi: float) -> None:
        if self.heading:
            report.add_heading(self.heading)
        for paragraph in filter(None, self.text):
            report.add_text(paragraph)
        if self.table is not None:
            report.add_table(**self.table)
        if self.draw is not None:
            disp = self.draw(result)
            caption = self.caption(disp) if callable(self.caption) else self.caption
            report.add_figure(self.figure, disp.figure_, caption=caption, dpi=dpi)


@dataclasses.dataclass(frozen=True)
class _Page:
    """A kind of report: sections (``None`` ones left out), data file and writer."""

    title: str
    subtitle: str
    sections: Sequence[_Section | None]
    data_file: str
    save_data: Callable[[str], None]
    metrics: Callable[..., dict]
    data_note: str  # what the data file holds
    timing_note: str = ""


def _write(
    result: Any,
    out_dir: str | os.PathLike,
    check: Callable[[Any], _Rows],
    page: Callable[[Any, _Rows], _Page],
    force: bool,
    started: float | None,
    command: str | None,
    dpi: float,
) -> dict[str, str]:
    """Write ``page(result, check(result))``, checking before drawing anything."""
    begin = time.perf_counter()
    rows = check(result)
    dpi = check_positive("dpi", dpi)
    out_dir = prepare_out_dir(out_dir, force=force)
    page = page(result, rows)
    report = Report(page.title, subtitle=page.subtitle)
    if command:
        report.add_preformatted(command)
    for section in filter(None, page.sections):
        section.add_to(report, result, dpi)
    written = {page.data_file: os.path.join(out_dir, page.data_file)}
    page.save_data(written[page.data_file])
    timing = getattr(result, "timing", None) or {}
    run = float(timing.get("total_seconds", timing.get("train_seconds", 0.0)))
    origin = begin - run if started is None else float(started)  # see write_report
    metrics = page.metrics(total_seconds=time.perf_counter() - origin)
    seconds = metrics["timing"]
    report.add_heading("Timing")
    report.add_table(
        [["training", seconds["train_seconds"]], ["total", seconds["total_seconds"]]],
        columns=["", "seconds"],
        caption=(
            f"{page.timing_note}total: from the start of the run"
            + (" (process start)" if started is not None else "")
            + " to the figures and weights written."
        ),
        fmt="{:.2f}",
    )
    report.add_heading("Config")
    report.add_mapping(result.config, caption="Every setting of the run.")
    report.add_heading("Files")
    report.add_text(
        "Next to this page: metrics.json (the numbers above and the config), "
        f"{page.data_file} ({page.data_note}) and the figures as PNG files."
    )
    report.add_text(
        f"Written by kreg {__version__}, trained on the Keras backend "
        f"{result.config.get('backend', 'tensorflow')}."
    )
    written.update(report.write(out_dir, force=True))
    written["metrics.json"] = os.path.join(out_dir, "metrics.json")
    write_json(written["metrics.json"], metrics)
    return written


def _metrics_file(result: Any, total_seconds: float | None, **fields: Any) -> dict:
    """``metrics.json``: the config, ``fields``, the timing and the kreg version."""
    timing = getattr(result, "timing", None) or {}
    train = float(timing.get("train_seconds", math.nan))
    if total_seconds is None:
        total_seconds = timing.get("total_seconds", train)
    return {
        "config": _jsonable(result.config),
        **fields,
        "timing": {"train_seconds": train, "total_seconds": float(total_seconds)},
        "kreg_version": __version__,
    }


def _seeds_of(result: Any) -> list[int]:
    """The seeds a result was trained with (``[]`` when it does not say)."""
    return [int(s) for s in (getattr(result, "seeds", None) or [])]


def _keys_of(metrics: Sequence[Mapping[str, Any]]) -> list[str]:
    """The metric keys all rows have: ``METRIC_KEYS`` first, then the others sorted."""
    common = set.intersection(*(set(m) for m in metrics))
    return [k for k in METRIC_KEYS if k in common] + sorted(common - set(METRIC_KEYS))


def _check_keys(name: str, metrics: Mapping[str, Any]) -> None:
    missing = [key for key in REQUIRED_KEYS if key not in metrics]
    if missing:
        _fail(name, f"the keys {list(REQUIRED_KEYS)}", f"<missing {missing}>")


def _metric_values(
    mean: Mapping[str, float], std: Mapping[str, float], seeds: list, keys: list
) -> dict[str, float]:
    """Every metric as a float, then with several seeds each ``"<key>_std"``."""
    values = {key: float(mean[key]) for key in keys}
    if len(seeds) > 1:
        values.update({f"{k}_std": float(std.get(k, math.nan)) for k in keys})
    return values


class _Rows(NamedTuple):
    """A report's rows (variants or lambdas) and their final metrics, checked."""

    keys: Any  # the variant names, or the lambdas
    seeds: list[int]
    means: list[Mapping[str, float]]  # per row: metric -> mean over the seeds
    stds: list[Mapping[str, float]]  # per row: metric -> standard deviation


def _metrics_table(
    heading: str, index_name: str, labels: Sequence[str], rows: _Rows, shown: str = ""
) -> _Section:
    """The table of every metric of ``rows``, one row per label (``mean ± std``
    with several seeds)."""
    seeds = rows.seeds
    several = len(seeds) > 1
    keys = _keys_of(rows.means)
    cells = [
        [
            format_metric(key, mean[key], std.get(key, math.nan) if several else None)
            for key in keys
        ]
        for mean, std in zip(rows.means, rows.stds, strict=True)
    ]
    caption = (
        "After the last epoch. Losses are data losses (the model's loss, "
        "without the penalty); gap = val loss - train loss; penalty = "
        "lam/(2n)·Σ over the regularized kernels; kernel min/max of the first "
        "layer; exact zeros, L1 and L2 norms over all kernels."
    )
    if several:
        caption += (
            f" Mean ± standard deviation over {len(seeds)} seeds {list(seeds)} "
            f"(model initializations; same data){shown}."
        )
    table = {
        "rows": cells,
        "columns": keys,
        "headings": {
            key: METRICS.get(key, (key, key.replace("_", " ")))[1] for key in keys
        },
        "index": list(labels),
        "index_name": index_name,
        "caption": caption,
    }
    return _Section(heading, table=table)


# --- The comparison report ---------------------------------------------------------


def _compare_rows(result: Any) -> _Rows:
    """The rows of a comparison: its variants."""
    for variant in result.variants:
        _check_keys(f"result.metrics[{variant!r}]", result.metrics[variant])
    spread = getattr(result, "metrics_std", None) or {}
    return _Rows(
        [str(v) for v in result.variants],
        _seeds_of(result),
        [result.metrics[v] for v in result.variants],
        [spread.get(v, {}) for v in result.variants],
    )


def comparison_metrics(result: Any, *, total_seconds: float | None = None) -> dict:
    """Return the contents of ``metrics.json`` for a comparison result.

    The keys: ``"config"``, ``"variants"`` (variant -> metric -> float: the keys of
    :data:`METRIC_KEYS` every variant has, then a user model's own, sorted),
    ``"diverged"`` (variant -> the first non-finite epoch, or ``None``),
    ``"timing"``, ``"kreg_version"``; with several seeds ``"seeds"`` and a
    ``"<key>_std"`` per metric.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        total_seconds: Wall time of the run (default: ``result.timing``'s).

    Returns:
        A dict of plain Python values (NaN stays a float, ``null`` in the file).

    Raises:
        ValueError: If a variant lacks a metric of :data:`REQUIRED_KEYS`.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> sorted(comparison_metrics(result))
        ['config', 'diverged', 'kreg_version', 'timing', 'variants']
    """
    variants, seeds, means, stds = _compare_rows(result)
    keys = _keys_of(means)
    return _metrics_file(
        result,
        total_seconds,
        **({"seeds": seeds} if len(seeds) > 1 else {}),
        variants={
            v: _metric_values(mean, std, seeds, keys)
            for v, mean, std in zip(variants, means, stds, strict=True)
        },
        diverged=dict(getattr(result, "diverged", None) or {}),
    )


def _first_layer_weights(result: Any) -> Any:
    """The Display of every variant's first-layer kernel, titled with its size."""
    from kreg.plots import WeightDistributionDisplay
    from kreg.plots._compare import weights_title

    disp = WeightDistributionDisplay.from_histories(
        {v: result.histories[v] for v in result.variants}, 0
    )
    disp.ax_.set_title(weights_title(disp))
    return disp


def _dense_chain(result: Any) -> bool:
    """Whether the networks are a chain of Dense kernels (drawn as a diagram)."""
    history = result.histories[result.variants[0]]
    kernels = [history[key][-1] for key in history.keys() if key.endswith("kernel")]
    return all(k.ndim == 2 for k in kernels) and all(
        a.shape[1] == b.shape[0] for a, b in zip(kernels, kernels[1:], strict=False)
    )


def _claims_section(result: Any, sweep: Any = None) -> _Section | None:
    """The lecture's claims a comparison (or a sweep) tests, with their verdicts."""
    from kreg.claims import check_claims

    claims = check_claims(result, sweep) if hasattr(result or sweep, "seeds") else []
    if not claims:
        return None
    seeds = len(_seeds_of(result or sweep))
    rule = (
        f"over the {seeds} seeds, a claim holds when the mean of the per-seed "
        "differences lies in the claimed direction by more than two standard errors"
        if seeds > 1
        else "one seed: the verdicts follow the sign of the difference, with no "
        "spread to tell the effect from luck"
    )
    return _Section(
        "Claims",
        table={
            "rows": [{"verdict": c.verdict, "numbers": c.measure} for c in claims],
            "index": [c.claim for c in claims],
            "index_name": "claim",
            "columns": ["verdict", "numbers"],
            "caption": f"The lecture's claims that this run's numbers test ({rule}).",
        },
    )


def _units_note(result: Any) -> str:
    """Each variant's units per layer after ``kreg.prune``, as a sentence."""
    from kreg.compare import units_kept

    units = units_kept(result)
    if not units:
        return ""
    shown = "; ".join(f"{v}: {'-'.join(map(str, u))}" for v, u in units.items())
    return (
        f"Units per layer that kreg.prune keeps (seed {_seeds_of(result)[0]}): "
        f"{shown}. A unit goes when its incoming or its outgoing weights are all "
        "exactly zero; the smaller model predicts the same."
    )


def _comparison_page(result: Any, rows: _Rows) -> _Page:
    """The report of a comparison: the summary table, then one figure a section."""
    from kreg.plots._compare import (
        plot_decision_boundaries,
        plot_loss_curves,
        plot_metric_bars,
        plot_variant_networks,
        plot_variant_weight_bars,
    )

    variants, seeds, means, stds = rows
    diverged = getattr(result, "diverged", None) or {}
    sections = [
        _metrics_table(
            "Summary",
            "variant",
            variants,
            rows,
            shown="; the figures show the first seed's models, the loss curves "
            "the mean with ± std bands",
        ),
        _Section(text=[_diverged_note(diverged, "Variant"), _units_note(result)]),
        _claims_section(result),
        _Section(
            "Decision boundaries",
            "boundaries",
            plot_decision_boundaries,
            "Predicted probability of class 1 over the plot box, one panel per "
            "variant on the same colour scale; the black line is the 0.5 decision "
            "boundary. Filled circles: training points; white triangles: validation "
            "points (colour = true class). A boundary that bends around single "
            "training points is overfitting them. Each title gives the boundary's "
            "length (kreg.boundary_length, in the data's units; longer is more "
            "wiggly) as mean ± std over the seeds; the panels draw the first seed, "
            "whose models and weights the other figures show too.",
        )
        if getattr(result, "grid", None) is not None
        else None,
        _Section(
            "Loss curves",
            "losses",
            plot_loss_curves,
            "Training (solid) and validation (dashed) data loss per epoch, without "
            "the penalty (Keras' loss and val_loss both include it); the gap at "
            "the end is in each title. The panels share a y range that no spike "
            "of a few epochs sets: up to the larger of each curve's 98th "
            "percentile and the top of its 11-epoch running median, plus 10%; an "
            "epoch with a value beyond it is marked ▲ (▼) on the panel's edge, "
            "and the panel's title counts those epochs and gives the extreme "
            "value. Below: the penalty lam/(2n)·Σ of each regularized variant.",
        ),
        _Section(
            "First-layer weights",
            "weights",
            _first_layer_weights,
            "Distribution of the first layer's kernel after training: histogram "
            "and Gaussian density per variant; box plots below, whiskers at the "
            "minimum and maximum (written out). Weights exactly 0 (L1's removed "
            "connections) are not smoothed into the density: a stem at 0 stands "
            "for them, as tall as their share of the weights (of the axes' "
            "height), their count written beside it; the histogram and density "
            "of the other weights have the area of their share.",
        ),
        _Section(
            "Networks",
            "network",
            plot_variant_networks,
            "The trained networks (at most 16 units per layer shown: those with "
            "the largest |w|); edge colour by |w| on one scale for all panels, "
            "from 0 to the 95th percentile of the |w| of the edges drawn in all "
            "panels, so that a few large weights do not darken all the others: "
            "edges above it take the top colour (each title gives the |w| where "
            "the colour is clipped), their width still grows with |w|. Weights "
            "exactly 0 are removed connections.",
        )
        if _dense_chain(result)
        else None,
        _Section(
            "Spread over seeds",
            "summary",
            partial(
                plot_metric_bars,
                names=[  # those the run has (a regression has no accuracy)
                    key
                    for key in ("val_loss", "gap", "val_accuracy", "zero_fraction")
                    if key in means[0]
                ],
            ),
            "Final numbers per variant: bars are means over the seeds, error "
            "bars one standard deviation, dots the individual seeds.",
        )
        if len(seeds) > 1
        else None,
        _Section(
            "Single weights",
            "bars",
            plot_variant_weight_bars,
            "The 10 first-layer weights largest at initialization (identical for "
            "every variant), before training and after.",
        ),
    ]
    return _Page(
        title="kreg compare: " + " vs ".join(variants),
        subtitle="The same network trained from identical initial weights on "
        "identical batches, once per variant: the regularizer is the only difference.",
        sections=sections,
        data_file="weights.npz",
        save_data=partial(
            save_histories, {str(v): result.histories[v] for v in result.variants}
        ),
        metrics=partial(comparison_metrics, result),
        data_note="every recorded weight of every variant; "
        "`kreg.WeightHistory.load('weights.npz')` reads it, "
        "`kreg.report.load_histories('weights.npz')` splits it per variant",
    )


def write_report(
    result: Any,
    out_dir: str | os.PathLike,
    *,
    force: bool = False,
    started: float | None = None,
    command: str | None = None,
    dpi: float = 100.0,
) -> dict[str, str]:
    """Write a comparison's report: HTML, metrics, weights and figures.

    Each file atomically: ``report.html``, ``metrics.json``
    (:func:`comparison_metrics`), ``weights.npz`` (:func:`save_histories`) and the
    figures ``boundaries.png`` (2-D data), ``losses.png``, ``weights.png``,
    ``network.png`` (Dense networks), ``bars.png``, ``summary.png`` (several seeds).

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        out_dir: The output directory, created if missing.
        force: Write into a non-empty ``out_dir``, replacing files of the same
            names (other files are left alone).
        started: ``time.perf_counter()`` at the start of the run: ``total_seconds``
            runs from it to the data file written. ``None``: the run's
            ``result.timing`` total (or training time) plus this call's time.
        command: The command line that made the run, shown in the report.
        dpi: Resolution of the PNG figures.

    Returns:
        Mapping file name -> path in the order written: the data file, the PNGs,
        ``"report.html"``, ``"metrics.json"``.

    Raises:
        FileExistsError: If ``out_dir`` is not empty and ``force`` is false.
        NotADirectoryError: If ``out_dir`` is a file.
        ValueError: If a metric is missing (checked before ``out_dir``).

    Examples:
        >>> import tempfile
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> paths = write_report(result, tempfile.mkdtemp())
        >>> sorted(paths)
        ['bars.png', 'boundaries.png', 'losses.png', 'metrics.json', 'network.png', \
'report.html', 'weights.npz', 'weights.png']
    """
    return _write(
        result, out_dir, _compare_rows, _comparison_page, force, started, command, dpi
    )


# --- The sweep report --------------------------------------------------------------


def _sweep_rows(result: Any) -> _Rows:
    """The rows of a sweep: its lambdas."""
    lams = np.asarray(result.lams, dtype=np.float64)
    if lams.ndim != 1 or lams.size == 0:
        _fail("result.lams", "a non-empty 1-D array", lams)
    rows = {}
    for name in ("mean", "std"):
        table = getattr(result, name, None) or {}
        _check_keys(f"result.{name}", table)
        for key, values in table.items():
            if np.shape(values) != lams.shape:
                _fail(
                    f"result.{name}[{key!r}]",
                    f"{lams.size} values, one per lambda",
                    f"<array of shape {np.shape(values)}>",
                )
        rows[name] = [
            {k: float(v[i]) for k, v in table.items()} for i in range(lams.size)
        ]
    return _Rows(lams, _seeds_of(result) or [0], rows["mean"], rows["std"])


def sweep_metrics(result: Any, *, total_seconds: float | None = None) -> dict:
    """Return the contents of ``metrics.json`` for a sweep result.

    As :func:`comparison_metrics`, with ``"kind"``, ``"lams"``, ``"best_lam"``,
    ``"seeds"`` and ``"per_lambda"``: per lambda ``"lam"``, the mean of every
    metric over the seeds (with several, ``"<key>_std"`` too) and ``"diverged"``.

    Args:
        result: A ``SweepResult`` of :func:`kreg.sweep`.
        total_seconds: As for :func:`comparison_metrics`.

    Returns:
        A dict of plain Python values, as :func:`comparison_metrics`.

    Raises:
        ValueError: If ``result.mean`` or ``result.std`` lacks a metric of
            :data:`REQUIRED_KEYS` or does not hold one value per lambda.

    Examples:
        >>> import kreg
        >>> result = kreg.sweep(
        ...     lams=[0.0, 0.1, 1.0], hidden=(8, 8), epochs=5, batch_size=40
        ... )
        >>> list(sweep_metrics(result))
        ['config', 'kind', 'lams', 'best_lam', 'seeds', 'per_lambda', 'timing', \
'kreg_version']
    """
    lams, seeds, means, stds = _sweep_rows(result)
    keys = _keys_of(means)
    diverged = getattr(result, "diverged", None) or {}
    per_lambda = [
        {
            "lam": float(lam),
            **_metric_values(mean, std, seeds, keys),
            "diverged": diverged.get(float(lam)),
        }
        for lam, mean, std in zip(lams, means, stds, strict=True)
    ]
    return _metrics_file(
        result,
        total_seconds,
        kind=str(result.kind),
        lams=[float(lam) for lam in lams],
        best_lam=float(result.best_lam),
        seeds=seeds,
        per_lambda=per_lambda,
    )


def _lam_text(lam: float) -> str:
    """A lambda as the tables and the text show it."""
    return "0" if lam == 0 else f"{lam:.4g}"


def _save_paths(result: Any, path: str) -> None:
    """Write the final weights per lambda as a ``.npz`` file, atomically."""
    arrays = {
        "lams": np.asarray(result.lams, dtype=np.float64),
        "seeds": np.asarray(_seeds_of(result) or [0], dtype=np.int64),
    }
    for key, values in result.paths.items():
        if str(key) in arrays:
            _fail("result.paths", "keys other than 'lams' and 'seeds'", str(key))
        arrays[str(key)] = np.asarray(values)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write(path, buffer.getvalue())


def _sweep_page(result: Any, rows: _Rows) -> _Page:
    """The report of a sweep: the best lambda, the table, one figure a section."""
    from kreg.plots._sweep import (
        plot_regularization_path,
        plot_sparsity,
        plot_sweep_boundaries,
        plot_validation_curve,
    )

    lams, seeds, means, stds = rows
    several = len(seeds) > 1
    best, i = float(result.best_lam), int(result.best_index)
    labels = [_lam_text(lam) + " (best)" * (j == i) for j, lam in enumerate(lams)]
    val = format_metric(
        "val_loss", means[i]["val_loss"], stds[i]["val_loss"] if several else None
    )
    accuracy = ""
    if "val_accuracy" in means[i]:
        shown = format_metric("val_accuracy", means[i]["val_accuracy"])
        accuracy = f", validation accuracy {shown}"
    best_text = (
        f"Best lambda by mean validation data loss: {_lam_text(best)} "
        f"(validation data loss {val}{accuracy}); "
        f"at lambda = {_lam_text(lams[0])}: validation data loss "
        f"{format_metric('val_loss', means[0]['val_loss'])}."
    )
    diverged = getattr(result, "diverged", None) or {}
    note = _diverged_note(
        {f"lam={_lam_text(lam)}": epoch for lam, epoch in diverged.items()},
        "The model at",
    )
    spread = f" Lines: means over {len(seeds)} seeds; bands: ± one std." * several
    sections = [
        _Section("Best lambda", text=[best_text, note]),
        _metrics_table("Per lambda", "lambda", labels, rows),
        _claims_section(None, result),
        _Section(
            "Validation curve",
            "validation",
            plot_validation_curve,
            "Training (solid) and validation (dashed) data loss after the last "
            "epoch, against lambda on a log axis (lambda = 0 left of the break "
            "mark). Small lambda: low training loss, high validation loss "
            "(overfitting); large lambda: both high (underfitting). The star marks "
            "the best lambda, the smallest mean validation loss." + spread,
        ),
        _Section(
            "Regularization path",
            "path",
            plot_regularization_path,
            lambda disp: (
                f"The {len(disp.lines_)} first-layer weights largest at the "
                "smallest lambda, after training, against lambda (every model "
                "starts from the same initial weights"
                + (f"; the models of seed {disp.seed_}" if several else "")
                + "). Under L1 the lines reach exactly 0 (black dots: exactly 0); "
                "under L2 they shrink toward 0 without reaching it. Each lambda's "
                "network is trained on its own and the loss is not convex, so a "
                "weight exactly 0 at one lambda can be non-zero again at a larger "
                "one (ringed where it leaves 0)"
                + (
                    f": {len(disp.revived_)} of these {len(disp.lines_)} weights do."
                    if disp.revived_
                    else "; none of these does."
                )
            ),
        ),
        _Section(
            "Sparsity",
            "sparsity",
            partial(plot_sparsity, tol=1e-3),
            "Fraction of all kernel weights exactly 0 (solid) and below 1e-3 in "
            "absolute value (dashed), against lambda. Only a proximal L1 step "
            "sets weights exactly to 0; L2 and subgradient L1 leave them small "
            "but non-zero." + spread,
        ),
        _Section(
            "Decision boundaries",
            "boundaries",
            plot_sweep_boundaries,
            "Predicted probability of class 1, one panel per lambda on the "
            "same colour scale"
            + (f" (models of seed {seeds[0]})" if several else "")
            + "; the black line is the 0.5 decision boundary, the best "
            "lambda's panel is framed. Filled circles: training points; "
            "white triangles: validation points (colour = true class).",
        )
        if getattr(result, "grid", None) is not None and result.decision is not None
        else None,
    ]
    return _Page(
        title=f"kreg sweep: {str(result.kind).upper()} over {lams.size} lambdas",
        subtitle="One network per lambda, trained side by side from identical "
        "initial weights on identical batches"
        + (f", repeated for {len(seeds)} seeds" if several else "")
        + ": lambda is the only difference between the models.",
        sections=sections,
        data_file="paths.npz",
        save_data=partial(_save_paths, result),
        metrics=partial(sweep_metrics, result),
        data_note="the final kernels of every model: `numpy.load('paths.npz')` "
        "gives 'lams', 'seeds' and one array (seeds, lambdas, ...) per kernel",
        timing_note=f"training: all {lams.size * len(seeds)} models together; ",
    )


def write_sweep_report(
    result: Any,
    out_dir: str | os.PathLike,
    *,
    force: bool = False,
    started: float | None = None,
    command: str | None = None,
    dpi: float = 100.0,
) -> dict[str, str]:
    """Write a lambda sweep's report: HTML, metrics, weight paths and figures.

    As :func:`write_report`, with :func:`sweep_metrics`, ``paths.npz`` (``"lams"``,
    ``"seeds"``, ``result.paths``: each ``(seeds, lambdas, *shape)``) and the figures
    ``validation.png``, ``path.png``, ``sparsity.png``, ``boundaries.png`` (2-D).

    Args:
        result: A ``SweepResult`` of :func:`kreg.sweep`.
        out_dir: The output directory.
        force: As for :func:`write_report`.
        started: As for :func:`write_report`.
        command: As for :func:`write_report`.
        dpi: As for :func:`write_report`.

    Returns:
        Mapping file name -> path, in the order written.

    Raises:
        FileExistsError, NotADirectoryError, ValueError: As :func:`write_report`.

    Examples:
        >>> import tempfile
        >>> import kreg
        >>> result = kreg.sweep(
        ...     kind="l1", lams=[0.0, 0.1, 1.0], hidden=(8, 8), epochs=5, batch_size=40
        ... )
        >>> paths = write_sweep_report(result, tempfile.mkdtemp())
        >>> sorted(paths)
        ['boundaries.png', 'metrics.json', 'path.png', 'paths.npz', 'report.html', \
'sparsity.png', 'validation.png']
    """
    return _write(
        result, out_dir, _sweep_rows, _sweep_page, force, started, command, dpi
    )
