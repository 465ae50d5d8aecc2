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


def atomic_write(path: str | os.PathLike, write: Callable[[IO[bytes]], Any]) -> None:
    """Write ``path`` by calling ``write(file)`` on a temporary file, then rename it.

    The temporary file is made in the same directory, so ``os.replace`` is atomic
    and a reader sees the old file or the whole new one, never a part. It gets the
    usual permissions (``0o666`` less the umask; ``mkstemp`` alone makes it private)
    and is removed if anything fails, a ``KeyboardInterrupt`` included.

    Args:
        path: The file to write; its directory must exist.
        write: Called once with the open binary file.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=TMP_PREFIX, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as file:
            write(file)
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.remove(tmp)
        except OSError:
            pass
        raise
