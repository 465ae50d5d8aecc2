"""Atomic writes and a report's output directory, without NumPy or Keras: the
command line checks ``--out`` at once, before importing them."""

from __future__ import annotations

import datetime
import os
import re
import tempfile
from collections.abc import Callable
from typing import IO, Any

from kreg._validation import _fail, check_path

#: Prefix of the temporary files; a crashed write leaves at most one such file.
TMP_PREFIX = ".kreg-tmp-"

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _naming(error: OSError, path: str, tmp: str | None = None) -> OSError:
    """``error`` (same type and errno) naming ``path`` instead of ``tmp``."""
    if tmp is not None and error.filename not in (None, tmp):
        return error
    if error.errno is not None:
        args: tuple = (error.errno, error.strerror or os.strerror(error.errno), path)
    else:
        args = (f"Cannot write {path!r}: {error}",)
    try:
        return type(error)(*args)
    except TypeError:  # a subclass with a constructor of its own
        return OSError(*args)


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], Any]) -> None:
    """Write ``path`` by calling ``write(file)`` on a temporary file beside it,
    then renaming it over ``path``: a reader sees the old file or the whole new one.

    On any failure the temporary file is removed and ``path`` left as it was; an
    ``OSError`` keeps its type and ``errno`` but names ``path``.

    Examples:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "missing", "note.txt")
        >>> atomic_write(path, lambda file: file.write(b"hello"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        FileNotFoundError: [Errno 2] No such file or directory: '.../missing/note.txt'
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=TMP_PREFIX, suffix=".tmp")
    except OSError as error:
        raise _naming(error, path) from error
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException as error:
        try:
            os.remove(tmp)
        except OSError:
            pass
        renamed = _naming(error, path, tmp) if isinstance(error, OSError) else error
        if renamed is error:
            raise
        raise renamed from error


def default_out_dir(
    kind: str = "compare", *, root: str = "kreg-output", now: Any = None
) -> str:
    """Return a fresh output directory name: ``ROOT/KIND-YYYYMMDD-HHMMSS``, with
    ``-2``, ``-3``, ... appended while that path exists.

    Args:
        kind: The kind of run (``"compare"``, ``"sweep"``), a plain name.
        root: The parent directory.
        now: A ``datetime.datetime`` to use instead of the current local time.

    Returns:
        The path (not created).

    Examples:
        >>> import datetime
        >>> default_out_dir("compare", now=datetime.datetime(2024, 5, 17, 9, 30, 5))
        'kreg-output/compare-20240517-093005'
    """
    if not isinstance(kind, str) or not _NAME.match(kind):
        _fail("kind", "a plain name (letters, digits, '_', '.', '-')", kind)
    now = datetime.datetime.now() if now is None else now
    path = os.path.join(root, f"{kind}-{now:%Y%m%d-%H%M%S}")
    candidate, number = path, 1
    while os.path.exists(candidate):
        number += 1
        candidate = f"{path}-{number}"
    return candidate


def check_out_dir(out_dir: str | os.PathLike, *, force: bool = False) -> str:
    """Return ``out_dir`` as a string if a report may be written there: a missing
    or empty directory, or with ``force`` any directory (nothing is written).

    Raises:
        FileExistsError: If ``out_dir`` is not empty and ``force`` is false.
        NotADirectoryError: If ``out_dir`` exists and is not a directory.
        TypeError: If ``out_dir`` is not a path.

    Examples:
        >>> import tempfile
        >>> check_out_dir(tempfile.mkdtemp()) != ""
        True
    """
    out_dir = check_path("out_dir", out_dir)
    if not out_dir:
        _fail("out_dir", "a non-empty path", out_dir)
    if os.path.exists(out_dir):
        if not os.path.isdir(out_dir):
            raise NotADirectoryError(
                f"Output directory {out_dir!r} exists and is not a directory; "
                "choose another path."
            )
        if not force and any(os.scandir(out_dir)):
            raise FileExistsError(
                f"Output directory {out_dir!r} exists and is not empty; choose "
                "another directory or pass force=True (--force on the command "
                "line) to replace the report files in it."
            )
    return out_dir


def prepare_out_dir(out_dir: str | os.PathLike, *, force: bool = False) -> str:
    """:func:`check_out_dir`, then create ``out_dir`` and probe that it is writable
    (else an ``OSError`` naming it).

    Examples:
        >>> import os, tempfile
        >>> out = prepare_out_dir(os.path.join(tempfile.mkdtemp(), "a", "b"))
        >>> os.listdir(out)
        []
    """
    out_dir = check_out_dir(out_dir, force=force)
    try:
        os.makedirs(out_dir, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=out_dir, prefix=TMP_PREFIX, suffix=".probe")
        os.close(fd)
        os.remove(probe)
    except OSError as error:
        raise _naming(error, out_dir) from error
    return out_dir
