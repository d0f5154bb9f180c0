"""Atomic file writes: a save either completes or leaves the previous file exactly as it was.

Keras writes its files in place, so an interrupted ``save`` (a kernel restart, a full disk, Ctrl-C) destroys the
last good checkpoint. Here every save goes to a hidden temporary file in the target's folder; the file is flushed
and fsync'ed, and only then renamed over the target with :func:`os.replace` (atomic on POSIX and Windows: a reader
sees the old file or the new one, never a mix). On any exception, ``KeyboardInterrupt`` included, the temporary
file is removed and the target is untouched.

Two forms:

- :func:`atomic_write` yields an open file object (for ``zipfile``, ``json.dump``, ...);
- :func:`atomic_path` yields the temporary file's *path*, for libraries that want a file name (``h5py.File``).
"""

import contextlib
import os
import secrets
import stat

__all__ = ["atomic_path", "atomic_write"]

_WRITE_MODES = {"w", "wb", "wt", "w+", "w+b", "wb+", "w+t", "wt+"}


def _target(path):
    """The real file to replace (through a symbolic link, the file it points to) and its folder, created if
    missing."""
    path = os.fspath(path)
    if not path:
        raise ValueError("atomic_write needs a file path; received an empty path.")
    if os.path.islink(path):
        path = os.path.realpath(path)
    if os.path.isdir(path):
        raise IsADirectoryError(f"Cannot write the file {path!r}: it is a folder.")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    return path, folder


def _create_temporary(path, folder):
    """Create a new, empty, hidden file next to ``path`` (never an existing one) and return (fd, temp path).

    The file is created with mode 0o666 filtered by the umask, as ``open(path, "w")`` would; when the target
    exists, its permission bits are copied so that replacing it does not change who may read it."""
    base = os.path.basename(path)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    for _ in range(100):
        tmp = os.path.join(folder, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:
            continue
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            mode = None
        if mode is not None:
            try:
                os.chmod(tmp, mode)
            except OSError:
                pass
        return fd, tmp
    raise FileExistsError(f"Could not create a temporary file next to {path!r}.")


def _fsync_folder(folder):
    """Make the rename itself durable (POSIX); a no-op where folders cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _remove_quietly(tmp):
    try:
        os.remove(tmp)
    except OSError:
        pass


@contextlib.contextmanager
def atomic_write(path, mode="wb", encoding=None):
    """Write ``path`` atomically: yield a file object on a temporary file, rename it over ``path`` at the end.

    Missing parent folders are created. The target is replaced only when the ``with`` body finishes without an
    exception; otherwise (``KeyboardInterrupt`` included) the temporary file is deleted and the old ``path``, if
    any, stays byte for byte as it was.

    Args:
        path: the file to write (``str`` or ``os.PathLike``); a symbolic link is followed to the file it points to.
        mode: ``"wb"`` (default) or ``"w"`` for text; any other mode is refused.
        encoding: for text mode (default UTF-8).

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "notes", "a.txt")
        >>> with atomic_write(path, "w") as f:
        ...     _ = f.write("first")
        >>> try:
        ...     with atomic_write(path, "w") as f:
        ...         _ = f.write("half a sec")
        ...         raise KeyboardInterrupt
        ... except KeyboardInterrupt:
        ...     pass
        >>> open(path).read(), sorted(os.listdir(os.path.dirname(path)))
        ('first', ['a.txt'])
    """
    if mode not in _WRITE_MODES:
        raise ValueError(f"atomic_write opens files for writing only: mode must be 'wb' or 'w'. Received: "
                         f"mode={mode!r}")
    path, folder = _target(path)
    fd, tmp = _create_temporary(path, folder)
    try:
        if "b" in mode:
            f = os.fdopen(fd, mode)
        else:
            f = os.fdopen(fd, mode, encoding=encoding or "utf-8", newline="")
        with f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(folder)


@contextlib.contextmanager
def atomic_path(path):
    """Like :func:`atomic_write`, for libraries that need a file *name*: yield the path of a temporary file
    (created empty, in the target's folder) to write to; at the end it is fsync'ed and renamed over ``path``.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "weights.bin")
        >>> with atomic_path(path) as tmp:
        ...     with open(tmp, "wb") as f:
        ...         _ = f.write(b"\\x00\\x01")
        >>> open(path, "rb").read()
        b'\\x00\\x01'
    """
    path, folder = _target(path)
    fd, tmp = _create_temporary(path, folder)
    os.close(fd)
    try:
        yield tmp
        if not os.path.isfile(tmp):
            raise FileNotFoundError(
                f"The temporary file {tmp!r} for {path!r} was removed before it could be renamed; nothing was saved."
            )
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        _remove_quietly(tmp)
        raise
    _fsync_folder(folder)
