"""Atomic file writes: a reader never sees a half-written output file.

Each writer writes to a temporary file in the destination folder and renames it
over the destination (``os.replace`` is atomic on POSIX and Windows). On any
error the temporary file is removed and the destination is left untouched. The
file gets the permissions a plain ``open`` would give it (``0o666`` less the
umask), not the owner-only ones of a temporary file.
"""
import json
import os
import tempfile
from contextlib import contextmanager
from typing import IO, Any, Iterator


def _umask() -> int:
    """The process's umask (read by setting it and setting it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextmanager
def atomic_open(path: str, mode: str = 'w', **kwargs) -> Iterator[IO]:
    """Open a temporary file that replaces ``path`` when the block succeeds.

    Args:
        path (str): Destination file. Its folder must exist.
        mode (str): ``'w'`` (text) or ``'wb'`` (binary).
        **kwargs: Passed to :func:`open` (e.g. ``encoding``).

    Yields:
        The open temporary file.
    """
    if mode not in ('w', 'wb'):
        raise ValueError(f'atomic_open supports modes "w" and "wb", got {mode!r}')
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp_path = tempfile.mkstemp(
        dir=folder, prefix=f'.{os.path.basename(path)}.', suffix='.tmp')
    try:
        with os.fdopen(fd, mode, **kwargs) as f:
            if hasattr(os, 'fchmod'):
                os.fchmod(f.fileno(), 0o666 & ~_umask())
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise


def atomic_write_json(path: str, obj: Any, **json_kwargs) -> None:
    """Serialise ``obj`` as JSON into ``path`` atomically."""
    with atomic_open(path, 'w', encoding='utf-8') as f:
        json.dump(obj, f, **json_kwargs)


def atomic_write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` into ``path`` atomically."""
    with atomic_open(path, 'wb') as f:
        f.write(data)
