"""Atomic file writes: every file kreg writes goes through :func:`atomic_write`."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from typing import IO, Any

#: Prefix of the temporary files; a crashed write leaves at most one such file.
TMP_PREFIX = ".kreg-tmp-"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _naming(error: OSError, path: str, tmp: str | None = None) -> OSError:
    """``error`` about ``path`` instead of the temporary file (same type and errno).

    ``tmp`` is the temporary file once it exists (``None``: ``mkstemp`` failed, so
    any file named is one of its candidates). An error that names some other file
    (``write`` reading a file of its own) is returned unchanged.
    """
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
    """Write ``path`` by calling ``write(file)`` on a temporary file, then rename it.

    The temporary file is made in the same directory, so ``os.replace`` is atomic
    and a reader sees the old file or the whole new one, never a part. It gets the
    usual permissions (``0o666`` less the umask; ``mkstemp`` alone makes it private)
    and is removed if anything fails, a ``KeyboardInterrupt`` included.

    Args:
        path: The file to write; its directory must exist.
        write: Called once with the open binary file.

    Raises:
        OSError: If the temporary file cannot be made, written or renamed (a
            missing directory, no permission, a full disk). The error has the
            type and ``errno`` of the original one (its ``__cause__``) but names
            ``path``, not the temporary file: ``[Errno 2] No such file or
            directory: 'path'`` (``filename`` is ``path``), or ``Cannot write
            'path': <message>`` for an error without ``errno``. An error that
            names another file (raised by ``write`` itself) is passed on as it
            is. ``path`` is left as it was.

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
    # From here the temporary file exists and is removed whatever happens.
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
