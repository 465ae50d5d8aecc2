"""kreg._io.atomic_write: the whole file or nothing, and errors that name the target."""

import errno
import io
import os
import tempfile

import pytest

from kreg._io import TMP_PREFIX, atomic_write


class _FullDisk(io.RawIOBase):
    """A file on a full disk, like ``/dev/full``: every write fails with ENOSPC."""

    def writable(self):
        return True

    def write(self, data):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _full_disk_fdopen(fd, mode="r", *args, **kwargs):
    # The bytes are buffered and fail when the file is flushed on close.
    os.close(fd)
    return io.BufferedWriter(_FullDisk())


def _raise(error):
    def fail(*args, **kwargs):
        raise error

    return fail


def _write_raises(error):
    def write(file):
        file.write(b"new contents")
        raise error

    return write


def _ok(file):
    file.write(b"new contents")


def _missing_dir(tmp_path, monkeypatch):
    return tmp_path / "missing" / "dir" / "h.npz", _ok


def _parent_is_a_file(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("x")
    return tmp_path / "file" / "h.npz", _ok


def _target_is_a_directory(tmp_path, monkeypatch):
    (tmp_path / "h.npz").mkdir()
    return tmp_path / "h.npz", _ok


def _read_only_dir(tmp_path, monkeypatch):
    # What mkstemp raises in a directory mode 0o500 (root is not stopped by the
    # mode, so the error is simulated); it names the candidate temporary file.
    name = str(tmp_path / f"{TMP_PREFIX}abc.tmp")
    error = PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)
    monkeypatch.setattr(tempfile, "mkstemp", _raise(error))
    return tmp_path / "h.npz", _ok


def _rename_refused(tmp_path, monkeypatch):
    def replace(src, dst):
        raise PermissionError(errno.EPERM, os.strerror(errno.EPERM), src, dst)

    monkeypatch.setattr(os, "replace", replace)
    return tmp_path / "h.npz", _ok


def _full_disk_in_write(tmp_path, monkeypatch):
    error = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return tmp_path / "h.npz", _write_raises(error)


def _full_disk_on_close(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "fdopen", _full_disk_fdopen)
    return tmp_path / "h.npz", _ok


def _error_without_errno(tmp_path, monkeypatch):
    return tmp_path / "h.npz", _write_raises(OSError("disk full"))


def _message(path, code):
    return f"[Errno {code}] {os.strerror(code)}: {str(path)!r}"


@pytest.mark.parametrize(
    ("setup", "error_type", "code"),
    [
        (_missing_dir, FileNotFoundError, errno.ENOENT),
        (_parent_is_a_file, NotADirectoryError, errno.ENOTDIR),
        (_target_is_a_directory, IsADirectoryError, errno.EISDIR),
        (_read_only_dir, PermissionError, errno.EACCES),
        (_rename_refused, PermissionError, errno.EPERM),
        (_full_disk_in_write, OSError, errno.ENOSPC),
        (_full_disk_on_close, OSError, errno.ENOSPC),
        (_error_without_errno, OSError, None),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_errors_name_the_target_and_leave_no_file(
    tmp_path, monkeypatch, setup, error_type, code
):
    path, write = setup(tmp_path, monkeypatch)
    before = sorted(os.listdir(tmp_path))
    with pytest.raises(OSError) as info:
        atomic_write(path, write)
    error = info.value
    assert type(error) is error_type
    assert error.errno == code
    if code is None:
        assert str(error) == f"Cannot write {str(path)!r}: disk full"
    else:
        assert str(error) == _message(path, code)
        assert error.filename == str(path) and error.filename2 is None
    assert TMP_PREFIX not in str(error)
    # The original error is chained, and nothing is left behind.
    assert isinstance(error.__cause__, OSError)
    assert error.__cause__.errno == code
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == before
    for directory, _, names in os.walk(tmp_path):
        assert not [n for n in names if n.startswith(TMP_PREFIX)], directory


def test_the_message_names_the_temporary_file_without_the_fix(tmp_path):
    # What the user would see otherwise: the reason for the renaming above.
    with pytest.raises(FileNotFoundError) as info:
        tempfile.mkstemp(dir=tmp_path / "missing", prefix=TMP_PREFIX)
    assert TMP_PREFIX in str(info.value)
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(tmp_path / "missing" / "h.npz", _ok)
    assert TMP_PREFIX not in str(info.value)
    assert info.value.__cause__.filename.startswith(str(tmp_path / "missing"))


@pytest.mark.parametrize(
    ("error", "match"),
    [
        (OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), r"No space.*'[^']*h.npz'"),
        (ValueError("bad data"), "^bad data$"),
        (KeyboardInterrupt(), "^$"),
    ],
    ids=["full disk", "ValueError", "KeyboardInterrupt"],
)
def test_a_failed_write_keeps_the_old_file(tmp_path, error, match):
    path = tmp_path / "h.npz"
    atomic_write(path, lambda file: file.write(b"old contents"))
    with pytest.raises(type(error), match=match):
        atomic_write(path, _write_raises(error))
    assert path.read_bytes() == b"old contents"
    assert os.listdir(tmp_path) == ["h.npz"]


@pytest.mark.parametrize(
    "error",
    [ValueError("bad data"), KeyboardInterrupt(), RuntimeError("boom")],
    ids=["ValueError", "KeyboardInterrupt", "RuntimeError"],
)
def test_other_errors_pass_unchanged(tmp_path, error):
    with pytest.raises(type(error)) as info:
        atomic_write(tmp_path / "h.npz", _write_raises(error))
    assert info.value is error
    assert os.listdir(tmp_path) == []


def test_an_error_naming_another_file_passes_unchanged(tmp_path):
    # ``write`` reading a file of its own: that file is the one to name.
    other = str(tmp_path / "source.png")
    error = FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), other)
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(tmp_path / "h.npz", _write_raises(error))
    assert info.value is error
    assert info.value.filename == other
    assert os.listdir(tmp_path) == []


def test_a_pathlike_target_is_named_as_a_string(tmp_path):
    path = tmp_path / "missing" / "h.npz"
    with pytest.raises(FileNotFoundError) as info:
        atomic_write(path, _ok)
    assert info.value.filename == str(path)
    assert str(info.value) == _message(path, errno.ENOENT)


def test_writes_the_whole_file_with_the_usual_permissions(tmp_path):
    path = tmp_path / "h.npz"
    atomic_write(str(path), _ok)
    assert path.read_bytes() == b"new contents"
    mask = os.umask(0o022)
    os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o666 & ~mask
    assert os.listdir(tmp_path) == ["h.npz"]
