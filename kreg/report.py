"""Reports of kreg runs: figures, ``metrics.json``, ``weights.npz``, ``report.html``.

:func:`write_report` writes everything a ``kreg.compare`` run produced into one
directory::

    DIR/report.html     one self-contained page: the figures embedded as PNG data
                        URIs, the summary table, the config and the timing; no
                        external link, script or style sheet
    DIR/metrics.json    "config", "variants" (per variant: METRIC_KEYS), "timing"
                        ({"train_seconds", "total_seconds"}) and "kreg_version"
    DIR/weights.npz     every variant's WeightHistory in one file (see
                        save_histories); WeightHistory.load reads it
    DIR/boundaries.png  decision boundaries, one panel per variant (data with 2
                        features only)
    DIR/losses.png      training vs validation data loss, and the penalties
    DIR/weights.png     first-layer kernel distributions (density, box plots)
    DIR/network.png     each trained network, edges by |w|
    DIR/bars.png        a few first-layer weights before and after training
    DIR/summary.png     (several seeds only) the final numbers as bars with error
                        bars over the seeds

A comparison repeated over several seeds (``kreg.compare(..., seeds=[...])``)
reports means over the seeds; ``metrics.json`` then also holds ``"seeds"`` and,
per variant, ``"<key>_std"`` (standard deviation over the seeds, ``ddof=0``).

:func:`write_sweep_report` writes the report of a ``kreg.sweep`` run the same way::

    DIR/report.html     the page: best lambda, the per-lambda table (mean ± std
                        with several seeds), the figures, config and timing
    DIR/metrics.json    "config", "kind", "lams", "best_lam", "seeds",
                        "per_lambda" (per lambda: "lam", the mean of every
                        METRIC_KEY and, with several seeds, "<key>_std"),
                        "timing" and "kreg_version"
    DIR/paths.npz       the final weights per lambda: "lams", "seeds" and one
                        array (seeds, lambdas, *shape) per kernel path
    DIR/validation.png  training vs validation data loss against lambda
    DIR/path.png        the regularization path of a few first-layer weights
    DIR/sparsity.png    the fraction of exactly-zero kernel weights
    DIR/boundaries.png  decision boundaries, one small panel per lambda (data
                        with 2 features only)

Every file is written atomically (a temporary file in ``DIR``, then
``os.replace``), so a reader never sees half a file. An existing ``DIR`` that is not
empty is refused unless ``force=True``.

The pieces are reusable by other runs (a lambda sweep writes the same kind of
report): :class:`Report` collects sections of headings, text, figures and tables and
writes the PNG files and the HTML page; :func:`check_out_dir`,
:func:`default_out_dir`, :func:`atomic_write` and :func:`write_json` do the file
handling. Only :mod:`kreg.plots` draws; this module imports it when a report is
written.
"""

from __future__ import annotations

import base64
import html
import io
import json
import math
import numbers
import os
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from kreg._io import _NAME, check_out_dir, default_out_dir, prepare_out_dir
from kreg._io import atomic_write as _atomic_write
from kreg._validation import _fail, check_positive
from kreg._version import __version__
from kreg.compare import METRIC_KEYS, _diverged_note

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

#: Column headings of the summary table, one per entry of :data:`METRIC_KEYS`.
_METRIC_HEADINGS = {
    "train_loss": "train loss",
    "val_loss": "val loss",
    "train_accuracy": "train acc",
    "val_accuracy": "val acc",
    "gap": "gap (val - train)",
    "penalty": "penalty",
    "first_kernel_min": "1st kernel min",
    "first_kernel_max": "1st kernel max",
    "zero_fraction": "exact zeros",
    "l1_norm": "L1 norm",
    "l2_norm": "L2 norm",
}


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


# --------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------


def atomic_write(path: str | os.PathLike, data: bytes | str) -> None:
    """Write ``data`` to ``path`` through a temporary file and ``os.replace``.

    The temporary file is made in the same directory (so the rename is atomic on
    the same file system) and removed if anything fails, a ``KeyboardInterrupt``
    included. Text is written as UTF-8.

    Args:
        path: The file to write; its directory must exist.
        data: The contents, ``bytes`` or ``str``.

    Raises:
        TypeError: If ``data`` is neither ``bytes`` nor ``str``.

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

    NumPy scalars and arrays become numbers and lists; NaN and infinities (not
    valid JSON) become ``null``; an object with ``get_config()`` becomes
    ``{"class_name", "config"}``, anything else its ``repr``. Key order is kept.

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
    text = json.dumps(_jsonable(obj), indent=2, allow_nan=False) + "\n"
    atomic_write(path, text)


# --------------------------------------------------------------------------------
# Weight histories of several variants in one file
# --------------------------------------------------------------------------------


def save_histories(histories: Mapping[str, Any], path: str | os.PathLike) -> None:
    """Save several variants' ``WeightHistory`` objects in one ``.npz`` file.

    The file is one ``WeightHistory`` (written by ``WeightHistory.save``,
    atomically) holding every variant's weights, each key starting with its
    variant's name: a ``kreg.compare`` model's variable paths already do
    (``"none/dense/kernel"``, ``"l2/dense/kernel"``); other keys get the prefix
    ``"<variant>/"``. ``WeightHistory.load(path)`` reads it back as one history;
    :func:`load_histories` splits it into one history per variant again. The
    variants must share their record epochs (a comparison records all of them
    together).

    Args:
        histories: Mapping variant name -> ``WeightHistory``; names must not
            contain ``"/"``.
        path: The file to write.

    Raises:
        ValueError: If ``histories`` is empty, a name contains ``"/"``, or the
            variants were recorded at different epochs.

    Examples:
        >>> import os, tempfile, numpy as np
        >>> from kreg.history import WeightHistory
        >>> runs = {
        ...     v: WeightHistory.from_arrays({f"{v}/dense/kernel": np.zeros((2, 2, 3))},
        ...                                  [0, 5])
        ...     for v in ("none", "l2")
        ... }
        >>> path = os.path.join(tempfile.mkdtemp(), "weights.npz")
        >>> save_histories(runs, path)
        >>> WeightHistory.load(path).keys()
        ['none/dense/kernel', 'l2/dense/kernel']
    """
    from kreg.history import WeightHistory

    if not isinstance(histories, Mapping) or not histories:
        _fail("histories", "a non-empty dict of variant -> WeightHistory", histories)
    weights: dict[str, np.ndarray] = {}
    layer_names: dict[str, str] = {}
    epochs = steps = None
    for variant, history in histories.items():
        variant = str(variant)
        if "/" in variant or not variant:
            _fail("histories", "variant names without '/'", variant)
        if epochs is None:
            epochs, steps = list(history.epochs), list(history.steps)
        elif list(history.epochs) != epochs:
            _fail(
                "histories",
                f"histories recorded at the same epochs (first: {epochs})",
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
        weights, epochs, layer_names=layer_names, steps=steps
    ).save(path)


def load_histories(path: str | os.PathLike) -> dict[str, Any]:
    """Read a file written by :func:`save_histories`: one history per variant.

    Keys are grouped by their first path component (the variant's name) in file
    order; each variant's history keeps the full keys (``"l2/dense/kernel"``), the
    epochs, steps and layer names.

    Args:
        path: A ``weights.npz`` written by :func:`save_histories` (or any
            ``WeightHistory`` file).

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
    weights = combined.weights
    names = combined.layer_names
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


# --------------------------------------------------------------------------------
# A report page: sections of headings, text, figures and tables
# --------------------------------------------------------------------------------


def _format_cell(value: Any, fmt: str) -> tuple[str, bool]:
    """The cell text and whether it is a number (right-aligned)."""
    if isinstance(value, (bool, np.bool_)) or value is None:
        return ("" if value is None else str(value)), False
    if isinstance(value, numbers.Integral):
        return str(int(value)), True
    if isinstance(value, numbers.Real):
        value = float(value)
        return (fmt.format(value) if math.isfinite(value) else str(value)), True
    return str(value), False


class Report:
    """An HTML report built section by section, written with its figures as PNG.

    Blocks are kept in order: headings, paragraphs, preformatted text, figures
    (rendered to PNG when added, then closed), tables and key-value tables.
    :meth:`write` puts each figure in ``DIR/<name>.png`` and the page in
    ``DIR/report.html`` with the same PNGs embedded as base64 data URIs, so the
    page is self-contained: no external link, script, style sheet or image.

    Args:
        title: The page title (also the first heading).
        subtitle: A line under the title.

    Attributes:
        title: As given.
        subtitle: As given.
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
        """Start a section with a heading.

        Args:
            text: The heading (escaped).
        """
        self._blocks.append(f"<h2>{html.escape(str(text))}</h2>")

    def add_text(self, text: str) -> None:
        """Add a paragraph of plain text.

        Args:
            text: The paragraph (escaped); spans in backticks become ``<code>``.
        """
        escaped = html.escape(str(text))
        escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
        self._blocks.append(f"<p>{escaped}</p>")

    def add_preformatted(self, text: str) -> None:
        """Add text shown as is, in a fixed-width font (e.g. a summary table).

        Args:
            text: The text (escaped).
        """
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
            name: File stem of the PNG (``"losses"`` -> ``losses.png``): letters,
                digits, ``_``, ``.`` and ``-``, unique in the report.
            figure: A matplotlib ``Figure`` (or anything with ``savefig``).
            caption: Text under the figure.
            dpi: Resolution of the PNG.
            close: Close the figure afterwards (frees its memory).

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
        data = base64.b64encode(png).decode("ascii")
        alt = html.escape(caption or name, quote=True)
        uri = f"data:image/png;base64,{data}"
        block = f'<figure id="fig-{name}"><img alt="{alt}" src="{uri}">'
        if caption:
            block += f"<figcaption>{html.escape(caption)}</figcaption>"
        self._blocks.append(block + "</figure>")
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
            columns: Column keys (for mapping rows) in order; default: the keys of
                the first row. Required names for sequence rows.
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
            if rows and isinstance(rows[0], Mapping):
                columns = list(rows[0])
            else:
                _fail("columns", "column names for rows given as sequences", columns)
        columns = [str(c) for c in columns]
        if index is not None and len(index) != len(rows):
            _fail("index", f"{len(rows)} labels, one per row", list(index))
        headings = {str(k): str(v) for k, v in (headings or {}).items()}
        parts = ["<table>"]
        if caption:
            parts.append(f"<caption>{html.escape(caption)}</caption>")
        head = [html.escape(index_name)] if index is not None else []
        head += [html.escape(headings.get(c, c)) for c in columns]
        parts.append("<tr>" + "".join(f"<th>{h}</th>" for h in head) + "</tr>")
        for i, row in enumerate(rows):
            if isinstance(row, Mapping):
                values = [row.get(c) for c in columns]
            else:
                values = list(row)
                if len(values) != len(columns):
                    _fail(f"rows[{i}]", f"{len(columns)} values", values)
            cells = []
            if index is not None:
                cells.append(f"<th>{html.escape(str(index[i]))}</th>")
            for value in values:
                text, numeric = _format_cell(value, fmt)
                css = ' class="num"' if numeric else ""
                cells.append(f"<td{css}>{html.escape(text)}</td>")
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table>")
        self._blocks.append("".join(parts))

    def add_mapping(self, mapping: Mapping[str, Any], *, caption: str | None = None):
        """Add a two-column table of keys and values (e.g. a run's config).

        Args:
            mapping: The settings; lists, tuples, arrays and mappings are written
                as JSON.
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
        head = (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n"
        )
        top = [f"<h1>{title}</h1>"]
        if self.subtitle:
            top.append(f'<p class="subtitle">{html.escape(self.subtitle)}</p>')
        body = "\n".join(top + self._blocks)
        return head + body + "\n</body>\n</html>\n"

    def write(
        self,
        out_dir: str | os.PathLike,
        *,
        force: bool = False,
        html_name: str = "report.html",
    ) -> dict[str, str]:
        """Write every figure as ``<name>.png`` and the page, atomically.

        Args:
            out_dir: The directory; created if missing (with its parents).
            force: Allow a non-empty ``out_dir`` (see :func:`check_out_dir`).
            html_name: File name of the page.

        Returns:
            Mapping file name -> path written, the PNGs first, the page last.

        Raises:
            FileExistsError: If ``out_dir`` is not empty and ``force`` is false.
            NotADirectoryError: If ``out_dir`` is a file.
        """
        out_dir = prepare_out_dir(out_dir, force=force)
        written: dict[str, str] = {}
        for name, png in self.figures.items():
            path = os.path.join(out_dir, f"{name}.png")
            atomic_write(path, png)
            written[f"{name}.png"] = path
        path = os.path.join(out_dir, html_name)
        atomic_write(path, self.to_html())
        written[html_name] = path
        return written


# --------------------------------------------------------------------------------
# The comparison report
# --------------------------------------------------------------------------------


def comparison_metrics(result: Any, *, total_seconds: float | None = None) -> dict:
    """Return the contents of ``metrics.json`` for a comparison result.

    Exactly five top-level keys: ``"config"`` (``result.config``, every setting),
    ``"variants"`` (variant -> exactly the :data:`METRIC_KEYS`, as floats; losses
    are data losses), ``"diverged"`` (variant -> the first epoch at which its
    loss or weights were NaN or infinite, or ``None``), ``"timing"``
    (``"train_seconds"`` from ``result.timing`` and ``"total_seconds"``) and
    ``"kreg_version"``. A result of several seeds adds ``"seeds"`` (the list)
    and, per variant after the means, the standard deviations over the seeds as
    ``"<key>_std"`` (from ``result.metrics_std``).

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        total_seconds: Wall time of the whole run. ``None`` uses
            ``result.timing["total_seconds"]`` if present, else the training
            time.

    Returns:
        A dict of plain Python values (NaN and infinities stay floats here;
        :func:`write_json` writes them as ``null``).

    Raises:
        ValueError: If a variant's metrics lack one of :data:`METRIC_KEYS`.

    Examples:
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> sorted(comparison_metrics(result))
        ['config', 'diverged', 'kreg_version', 'timing', 'variants']
    """
    seeds = _seeds_of(result)
    variants = {}
    for variant in result.variants:
        metrics = result.metrics[variant]
        missing = [k for k in METRIC_KEYS if k not in metrics]
        if missing:
            _fail(
                f"result.metrics[{variant!r}]",
                f"the keys {list(METRIC_KEYS)}",
                f"<missing {missing}>",
            )
        variants[str(variant)] = {k: float(metrics[k]) for k in METRIC_KEYS}
        if len(seeds) > 1:
            spread = (getattr(result, "metrics_std", None) or {}).get(variant, {})
            for k in METRIC_KEYS:
                variants[str(variant)][f"{k}_std"] = float(spread.get(k, math.nan))
    timing = dict(getattr(result, "timing", {}) or {})
    train_seconds = float(timing.get("train_seconds", float("nan")))
    if total_seconds is None:
        total_seconds = float(timing.get("total_seconds", train_seconds))
    out = {
        "config": _jsonable(result.config),
        "variants": variants,
        "diverged": dict(getattr(result, "diverged", None) or {}),
        "timing": {
            "train_seconds": train_seconds,
            "total_seconds": float(total_seconds),
        },
        "kreg_version": __version__,
    }
    if len(seeds) > 1:
        out = {"config": out["config"], "seeds": seeds, **out}
    return out


def _seeds_of(result: Any) -> list[int]:
    """The seeds a result was trained with (``[]`` when it does not say)."""
    return [int(s) for s in (getattr(result, "seeds", None) or [])]


def _metric_format(key: str) -> str:
    if key in ("l1_norm", "l2_norm"):
        return "{:.4g}"
    if key in ("train_accuracy", "val_accuracy", "zero_fraction"):
        return "{:.3f}"
    return "{:.4f}"


def _format_metric(key: str, value: Any, std: Any = None) -> str:
    """``value`` in the format of ``key``, with `` ± std`` when ``std`` is given."""
    fmt = _metric_format(key)
    value = float(value)
    text = fmt.format(value) if math.isfinite(value) else "nan"
    if std is not None:
        std = float(std)
        text += " ± " + (fmt.format(std) if math.isfinite(std) else "nan")
    return text


def _summary_rows(
    metrics: Mapping[str, Mapping[str, float]],
    std: Mapping[str, Mapping[str, float]] | None = None,
) -> list[list[str]]:
    rows = []
    for variant, variant_metrics in metrics.items():
        spread = None if std is None else std.get(variant, {})
        row = []
        for key in METRIC_KEYS:
            deviation = None if spread is None else spread.get(key, math.nan)
            row.append(_format_metric(key, variant_metrics[key], deviation))
        rows.append(row)
    return rows


def _draw_comparison_figures(report: Report, result: Any, dpi: float) -> None:
    """Add the comparison figures to ``report`` (draws with :mod:`kreg.plots`)."""
    from kreg.plots import WeightDistributionDisplay
    from kreg.plots._compare import (
        plot_decision_boundaries,
        plot_loss_curves,
        plot_variant_networks,
        plot_variant_weight_bars,
    )

    variants = list(result.variants)
    if getattr(result, "grid", None) is not None:
        report.add_heading("Decision boundaries")
        disp = plot_decision_boundaries(result)
        report.add_figure(
            "boundaries",
            disp.figure_,
            dpi=dpi,
            caption=(
                "Predicted probability of class 1 over the plot box, one panel per "
                "variant on the same colour scale; the black line is the 0.5 "
                "decision boundary. Filled circles: training points; white "
                "triangles: validation points (colour = true class). A boundary "
                "that bends around single training points is overfitting them."
            ),
        )
    report.add_heading("Loss curves")
    disp = plot_loss_curves(result)
    report.add_figure(
        "losses",
        disp.figure_,
        dpi=dpi,
        caption=(
            "Training (solid) and validation (dashed) data loss per epoch, without "
            "the penalty (Keras' loss and val_loss both include it); the gap at "
            "the end is in each title. Below: the penalty lam/(2n)·Σ of each "
            "regularized variant."
        ),
    )
    report.add_heading("First-layer weights")
    disp = WeightDistributionDisplay.from_histories(
        {v: result.histories[v] for v in variants}, 0
    )
    size = int(np.asarray(next(iter(disp.values.values()))).size)
    epoch = next(iter(disp.epochs.values()), None)
    disp.ax_.set_title(f"First-layer kernel ({size:,} weights) at epoch {epoch}")
    report.add_figure(
        "weights",
        disp.figure_,
        dpi=dpi,
        caption=(
            "Distribution of the first layer's kernel after training: histogram "
            "and Gaussian density per variant; box plots below, whiskers at the "
            "minimum and maximum (written out)."
        ),
    )
    report.add_heading("Networks")
    disp = plot_variant_networks(result)
    report.add_figure(
        "network",
        disp.figure_,
        dpi=dpi,
        caption=(
            "The trained networks (at most 16 units per layer shown: those with "
            "the largest |w|); edge colour by |w| on one scale for all panels. "
            "Weights exactly 0 are removed connections."
        ),
    )
    if len(_seeds_of(result)) > 1:
        from kreg.plots._compare import plot_metric_bars

        report.add_heading("Spread over seeds")
        disp = plot_metric_bars(result)
        report.add_figure(
            "summary",
            disp.figure_,
            dpi=dpi,
            caption=(
                "Final numbers per variant: bars are means over the seeds, error "
                "bars one standard deviation, dots the individual seeds."
            ),
        )
    report.add_heading("Single weights")
    disp = plot_variant_weight_bars(result)
    report.add_figure(
        "bars",
        disp.figure_,
        dpi=dpi,
        caption=(
            "The 10 first-layer weights largest at initialization (identical for "
            "every variant), before training and after."
        ),
    )


def _total_seconds(result: Any, started: float | None, begin: float) -> float:
    """Seconds from ``started`` (or the run's own timing plus the report) to now."""
    now = time.perf_counter()
    if started is not None:
        return now - float(started)
    timing = dict(getattr(result, "timing", {}) or {})
    base = timing.get("total_seconds", timing.get("train_seconds", 0.0))
    return float(base) + (now - begin)


def _add_timing_and_config(
    report: Report,
    result: Any,
    metrics: Mapping[str, Any],
    started: float | None,
    note: str = "",
) -> None:
    """The report's "Timing" table and "Config" section, shared by both reports."""
    report.add_heading("Timing")
    report.add_table(
        [
            ["training", metrics["timing"]["train_seconds"]],
            ["total", metrics["timing"]["total_seconds"]],
        ],
        columns=["", "seconds"],
        caption=(
            note
            + "total: from the start of the run"
            + (" (process start)" if started is not None else "")
            + " to the figures and weights written."
        ),
        fmt="{:.2f}",
    )
    report.add_heading("Config")
    report.add_mapping(result.config, caption="Every setting of the run.")


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

    Files written in ``out_dir`` (created if missing), each atomically:
    ``report.html`` (self-contained: figures as PNG data URIs, the summary table,
    the config, the timing; no external links), ``metrics.json`` (see
    :func:`comparison_metrics`), ``weights.npz`` (every variant's weight history
    in one file, see :func:`save_histories`; ``WeightHistory.load`` reads it,
    :func:`load_histories` splits it per variant), and ``boundaries.png`` (when
    the result has a decision grid, i.e. data with 2 features), ``losses.png``,
    ``weights.png``, ``network.png``, ``bars.png``, and with several seeds
    ``summary.png`` (the final numbers as bars with error bars over the seeds).

    ``total_seconds`` in ``metrics.json`` runs from ``started`` (a
    ``time.perf_counter()`` value; the command line passes the process start)
    to the moment every figure is drawn and ``weights.npz`` is written: only the
    writing of the last few small files comes after it. Without ``started`` it is
    ``result.timing["total_seconds"]`` (or the training time) plus the time this
    function takes to get there.

    Args:
        result: A ``ComparisonResult`` of :func:`kreg.compare`.
        out_dir: The output directory.
        force: Write into a non-empty ``out_dir``, replacing files of the same
            names (other files are left alone).
        started: ``time.perf_counter()`` at the start of the run, or ``None``.
        command: The command line that made the run, shown in the report.
        dpi: Resolution of the PNG figures.

    Returns:
        Mapping file name (``"report.html"``, ``"metrics.json"``, ...) -> path.

    Raises:
        FileExistsError: If ``out_dir`` is a non-empty directory and ``force`` is
            false (checked before anything is drawn or written).
        NotADirectoryError: If ``out_dir`` is a file.

    Examples:
        >>> import tempfile
        >>> import kreg
        >>> result = kreg.compare(hidden=(8, 8), epochs=5, batch_size=40)
        >>> paths = write_report(result, tempfile.mkdtemp())
        >>> sorted(paths)
        ['bars.png', 'boundaries.png', 'losses.png', 'metrics.json', 'network.png', \
'report.html', 'weights.npz', 'weights.png']
    """
    begin = time.perf_counter()
    dpi = check_positive("dpi", dpi)
    variants = [str(v) for v in result.variants]
    # Validate the metrics, then the directory, before drawing anything.
    comparison_metrics(result)
    out_dir = prepare_out_dir(out_dir, force=force)

    report = Report(
        "kreg compare: " + " vs ".join(variants),
        subtitle=(
            "The same network trained from identical initial weights on identical "
            "batches, once per variant: the regularizer is the only difference."
        ),
    )
    if command:
        report.add_preformatted(command)
    report.add_heading("Summary")
    seeds = _seeds_of(result)
    several = len(seeds) > 1
    report.add_table(
        _summary_rows(
            result.metrics,
            (getattr(result, "metrics_std", None) or {}) if several else None,
        ),
        columns=list(METRIC_KEYS),
        headings=_METRIC_HEADINGS,
        index=variants,
        index_name="variant",
        caption=(
            "After the last epoch. Losses are data losses (binary cross-entropy, "
            "without the penalty); gap = val loss - train loss; penalty = "
            "lam/(2n)·Σ over the regularized kernels; kernel min/max of the first "
            "layer; exact zeros, L1 and L2 norms over all kernels."
            + (
                f" Mean ± standard deviation over {len(seeds)} seeds {seeds} "
                "(model initializations; same data); the figures show the first "
                "seed's models, the loss curves the mean with ± std bands."
                if several
                else ""
            )
        ),
    )
    note = _diverged_note(getattr(result, "diverged", None) or {}, "Variant")
    if note:
        report.add_text(note)
    _draw_comparison_figures(report, result, dpi)

    os.makedirs(out_dir, exist_ok=True)
    written: dict[str, str] = {}
    weights_path = os.path.join(out_dir, "weights.npz")
    save_histories({v: result.histories[v] for v in variants}, weights_path)
    written["weights.npz"] = weights_path

    total = _total_seconds(result, started, begin)
    metrics = comparison_metrics(result, total_seconds=total)

    _add_timing_and_config(report, result, metrics, started)
    report.add_heading("Files")
    report.add_text(
        "Next to this page: metrics.json (the numbers above and the config), "
        "weights.npz (every recorded weight of every variant; "
        "`kreg.WeightHistory.load('weights.npz')` reads it, "
        "`kreg.report.load_histories('weights.npz')` splits it per variant) and "
        "the figures as PNG files."
    )
    report.add_text(
        f"Written by kreg {__version__}, trained on the Keras backend "
        f"{result.config.get('backend', 'tensorflow')}."
    )
    written.update(report.write(out_dir, force=True))
    metrics_path = os.path.join(out_dir, "metrics.json")
    write_json(metrics_path, metrics)
    written["metrics.json"] = metrics_path
    return written


# --------------------------------------------------------------------------------
# The sweep report
# --------------------------------------------------------------------------------


def _sweep_arrays(result: Any) -> tuple[np.ndarray, list[int], dict, dict]:
    """``(lams, seeds, mean, std)`` of a sweep, checked against each other."""
    lams = np.asarray(result.lams, dtype=np.float64)
    if lams.ndim != 1 or lams.size == 0:
        _fail("result.lams", "a non-empty 1-D array", lams)
    seeds = _seeds_of(result) or [0]
    mean, std = {}, {}
    for key in METRIC_KEYS:
        for name, store in (("mean", mean), ("std", std)):
            table = getattr(result, name, None) or {}
            if key not in table:
                _fail(
                    f"result.{name}",
                    f"the keys {list(METRIC_KEYS)}",
                    f"<missing {key!r}>",
                )
            values = np.asarray(table[key], dtype=np.float64)
            if values.shape != lams.shape:
                _fail(
                    f"result.{name}[{key!r}]",
                    f"{lams.size} values, one per lambda",
                    f"<array of shape {values.shape}>",
                )
            store[key] = values
    return lams, seeds, mean, std


def sweep_metrics(result: Any, *, total_seconds: float | None = None) -> dict:
    """Return the contents of ``metrics.json`` for a sweep result.

    Exactly these top-level keys, in this order: ``"config"`` (``result.config``,
    every setting), ``"kind"``, ``"lams"`` (the lambdas, increasing),
    ``"best_lam"`` (the lambda of the smallest mean validation data loss),
    ``"seeds"``, ``"per_lambda"``, ``"timing"`` (``"train_seconds"`` and
    ``"total_seconds"``) and ``"kreg_version"``. ``"per_lambda"`` holds one dict
    per lambda: ``"lam"``, then the mean over the seeds of every key of
    :data:`METRIC_KEYS` (losses are data losses), then, when the sweep has
    several seeds, ``"<key>_std"`` for each (standard deviation, ``ddof=0``),
    and last ``"diverged"``: the first epoch at which its loss or weights were NaN
    or infinite, or ``None``.

    Args:
        result: A ``SweepResult`` of :func:`kreg.sweep`.
        total_seconds: Wall time of the whole run. ``None`` uses
            ``result.timing["total_seconds"]`` if present, else the training
            time.

    Returns:
        A dict of plain Python values (NaN stays a float here; :func:`write_json`
        writes it as ``null``).

    Raises:
        ValueError: If ``result.mean`` or ``result.std`` lacks a key of
            :data:`METRIC_KEYS` or does not hold one value per lambda.

    Examples:
        >>> import kreg
        >>> result = kreg.sweep(
        ...     lams=[0.0, 0.1, 1.0], hidden=(8, 8), epochs=5, batch_size=40
        ... )
        >>> list(sweep_metrics(result))
        ['config', 'kind', 'lams', 'best_lam', 'seeds', 'per_lambda', 'timing', \
'kreg_version']
    """
    lams, seeds, mean, std = _sweep_arrays(result)
    several = len(seeds) > 1
    diverged = getattr(result, "diverged", None) or {}
    per_lambda = []
    for i, lam in enumerate(lams):
        row = {"lam": float(lam)}
        row.update({key: float(mean[key][i]) for key in METRIC_KEYS})
        if several:
            row.update({f"{key}_std": float(std[key][i]) for key in METRIC_KEYS})
        row["diverged"] = diverged.get(float(lam))
        per_lambda.append(row)
    timing = dict(getattr(result, "timing", {}) or {})
    train_seconds = float(timing.get("train_seconds", float("nan")))
    if total_seconds is None:
        total_seconds = float(timing.get("total_seconds", train_seconds))
    return {
        "config": _jsonable(result.config),
        "kind": str(result.kind),
        "lams": [float(lam) for lam in lams],
        "best_lam": float(result.best_lam),
        "seeds": seeds,
        "per_lambda": per_lambda,
        "timing": {
            "train_seconds": train_seconds,
            "total_seconds": float(total_seconds),
        },
        "kreg_version": __version__,
    }


def _lam_text(lam: float) -> str:
    return "0" if lam == 0 else f"{lam:.4g}"


def _save_paths(result: Any, path: str) -> None:
    """Write the final weights per lambda as a ``.npz`` file, atomically."""
    arrays = {
        "lams": np.asarray(result.lams, dtype=np.float64),
        "seeds": np.asarray(_seeds_of(result) or [0], dtype=np.int64),
    }
    for key, values in result.paths.items():
        key = str(key)
        if key in arrays:
            _fail("result.paths", "keys other than 'lams' and 'seeds'", key)
        arrays[key] = np.asarray(values)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    atomic_write(path, buffer.getvalue())


def _draw_sweep_figures(report: Report, result: Any, dpi: float) -> None:
    """Add the sweep figures to ``report`` (draws with :mod:`kreg.plots`)."""
    from kreg.plots._sweep import (
        plot_regularization_path,
        plot_sparsity,
        plot_sweep_boundaries,
        plot_validation_curve,
    )

    seeds = _seeds_of(result) or [0]
    several = len(seeds) > 1
    spread = f" Lines: means over {len(seeds)} seeds; bands: ± one std." * several
    report.add_heading("Validation curve")
    disp = plot_validation_curve(result)
    report.add_figure(
        "validation",
        disp.figure_,
        dpi=dpi,
        caption=(
            "Training (solid) and validation (dashed) data loss after the last "
            "epoch, against lambda on a log axis (lambda = 0 left of the break "
            "mark). Small lambda: low training loss, high validation loss "
            "(overfitting); large lambda: both high (underfitting). The star marks "
            "the best lambda, the smallest mean validation loss." + spread
        ),
    )
    report.add_heading("Regularization path")
    disp = plot_regularization_path(result)
    report.add_figure(
        "path",
        disp.figure_,
        dpi=dpi,
        caption=(
            f"The {len(disp.lines_)} first-layer weights largest at the smallest "
            "lambda, after training, against lambda (every model starts from the "
            "same initial weights"
            + (f"; the models of seed {disp.seed_}" if several else "")
            + "). Under L1 the lines reach exactly 0 and stay (black dots: "
            "exactly 0); under L2 they shrink toward 0 without reaching it."
        ),
    )
    report.add_heading("Sparsity")
    disp = plot_sparsity(result, tol=1e-3)
    report.add_figure(
        "sparsity",
        disp.figure_,
        dpi=dpi,
        caption=(
            "Fraction of all kernel weights exactly 0 (solid) and below 1e-3 in "
            "absolute value (dashed), against lambda. Only a proximal L1 step "
            "sets weights exactly to 0; L2 and subgradient L1 leave them small "
            "but non-zero." + spread
        ),
    )
    if getattr(result, "grid", None) is not None and result.decision is not None:
        report.add_heading("Decision boundaries")
        disp = plot_sweep_boundaries(result)
        report.add_figure(
            "boundaries",
            disp.figure_,
            dpi=dpi,
            caption=(
                "Predicted probability of class 1, one panel per lambda on the "
                "same colour scale"
                + (f" (models of seed {seeds[0]})" if several else "")
                + "; the black line is the 0.5 decision boundary, the best "
                "lambda's panel is framed. Filled circles: training points; "
                "white triangles: validation points (colour = true class)."
            ),
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

    Files written in ``out_dir`` (created if missing), each atomically:
    ``report.html`` (self-contained: figures as PNG data URIs, the best lambda,
    the per-lambda table with mean ± std when there are several seeds, the
    config and the timing; no external links), ``metrics.json`` (see
    :func:`sweep_metrics`), ``paths.npz`` (``"lams"``, ``"seeds"`` and the final
    kernels per lambda, ``result.paths``, each of shape ``(seeds, lambdas,
    *shape)``; ``numpy.load(path, allow_pickle=False)`` reads it),
    ``validation.png``, ``path.png``, ``sparsity.png`` and ``boundaries.png``
    (when the result has a decision grid, i.e. data with 2 features).

    ``total_seconds`` in ``metrics.json`` runs from ``started`` (a
    ``time.perf_counter()`` value; the command line passes the process start)
    to the moment every figure is drawn and ``paths.npz`` is written. Without
    ``started`` it is ``result.timing["total_seconds"]`` (or the training time)
    plus the time this function takes to get there.

    Args:
        result: A ``SweepResult`` of :func:`kreg.sweep`.
        out_dir: The output directory.
        force: Write into a non-empty ``out_dir``, replacing files of the same
            names (other files are left alone).
        started: ``time.perf_counter()`` at the start of the run, or ``None``.
        command: The command line that made the run, shown in the report.
        dpi: Resolution of the PNG figures.

    Returns:
        Mapping file name (``"report.html"``, ``"metrics.json"``, ...) -> path.

    Raises:
        FileExistsError: If ``out_dir`` is a non-empty directory and ``force`` is
            false (checked before anything is drawn or written).
        NotADirectoryError: If ``out_dir`` is a file.
        ValueError: If the result's means or standard deviations lack a metric.

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
    begin = time.perf_counter()
    dpi = check_positive("dpi", dpi)
    # Validate the numbers, then the directory, before drawing anything.
    lams, seeds, mean, std = _sweep_arrays(result)
    out_dir = prepare_out_dir(out_dir, force=force)
    several = len(seeds) > 1
    kind = str(result.kind)
    best = float(result.best_lam)
    best_index = int(np.argmin(np.abs(lams - best)))

    report = Report(
        f"kreg sweep: {kind.upper()} over {lams.size} lambdas",
        subtitle=(
            "One network per lambda, trained side by side from identical initial "
            "weights on identical batches"
            + (f", repeated for {len(seeds)} seeds" if several else "")
            + ": lambda is the only difference between the models."
        ),
    )
    if command:
        report.add_preformatted(command)
    report.add_heading("Best lambda")
    val = _format_metric(
        "val_loss",
        mean["val_loss"][best_index],
        std["val_loss"][best_index] if several else None,
    )
    report.add_text(
        f"Best lambda by mean validation data loss: {_lam_text(best)} "
        f"(validation data loss {val}, validation accuracy "
        f"{_format_metric('val_accuracy', mean['val_accuracy'][best_index])}); "
        f"at lambda = {_lam_text(lams[0])}: validation data loss "
        f"{_format_metric('val_loss', mean['val_loss'][0])}."
    )
    diverged = getattr(result, "diverged", None) or {}
    note = _diverged_note(
        {f"lam={_lam_text(lam)}": epoch for lam, epoch in diverged.items()},
        "The model at",
    )
    if note:
        report.add_text(note)
    report.add_heading("Per lambda")
    rows = []
    for i in range(lams.size):
        rows.append(
            [
                _format_metric(key, mean[key][i], std[key][i] if several else None)
                for key in METRIC_KEYS
            ]
        )
    labels = [
        _lam_text(lam) + (" (best)" if i == best_index else "")
        for i, lam in enumerate(lams)
    ]
    report.add_table(
        rows,
        columns=list(METRIC_KEYS),
        headings=_METRIC_HEADINGS,
        index=labels,
        index_name="lambda",
        caption=(
            "After the last epoch. Losses are data losses (binary cross-entropy, "
            "without the penalty); gap = val loss - train loss; penalty = "
            "lam/(2n)·Σ over the regularized kernels; kernel min/max of the first "
            "layer; exact zeros, L1 and L2 norms over all kernels."
            + (
                f" Mean ± standard deviation over {len(seeds)} seeds {seeds} "
                "(model initializations; same data)."
                if several
                else ""
            )
        ),
    )
    _draw_sweep_figures(report, result, dpi)

    os.makedirs(out_dir, exist_ok=True)
    written: dict[str, str] = {}
    paths_path = os.path.join(out_dir, "paths.npz")
    _save_paths(result, paths_path)
    written["paths.npz"] = paths_path

    total = _total_seconds(result, started, begin)
    metrics = sweep_metrics(result, total_seconds=total)

    _add_timing_and_config(
        report,
        result,
        metrics,
        started,
        note=f"training: all {lams.size * len(seeds)} models together; ",
    )
    report.add_heading("Files")
    report.add_text(
        "Next to this page: metrics.json (the numbers above and the config), "
        "paths.npz (the final kernels of every model: `numpy.load('paths.npz')` "
        "gives 'lams', 'seeds' and one array (seeds, lambdas, ...) per kernel) "
        "and the figures as PNG files."
    )
    report.add_text(
        f"Written by kreg {__version__}, trained on the Keras backend "
        f"{result.config.get('backend', 'tensorflow')}."
    )
    written.update(report.write(out_dir, force=True))
    metrics_path = os.path.join(out_dir, "metrics.json")
    write_json(metrics_path, metrics)
    written["metrics.json"] = metrics_path
    return written
