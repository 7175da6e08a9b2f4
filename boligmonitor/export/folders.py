"""Writing a folder durably and putting it in place of the previous one in a single step."""

from __future__ import annotations

import ctypes
import errno
import os
import secrets
import shutil
from pathlib import Path


def write_file(folder: Path, name: str, data: bytes) -> None:
    with open(folder / name, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())


def fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one atomic step (Linux renameat2 RENAME_EXCHANGE). False when the
    system or file system does not offer it."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def recover(target: Path) -> None:
    """After an interrupted two-step replace: put the previous package back if the target is
    missing, and delete what is left aside once the target is there."""
    aside = sorted(target.parent.glob(f".{target.name}.old-*"), key=lambda p: p.stat().st_mtime)
    if aside and not target.exists():
        os.rename(aside.pop(), target)
    for leftover in aside:
        shutil.rmtree(leftover, ignore_errors=True)


def replace_folder(new: Path, target: Path, *, atomic_exchange: bool = True) -> None:
    """Move the complete folder `new` to `target`, replacing a previous `target` only now.

    Where the system can, the two folders are exchanged atomically and the old one deleted
    afterwards. Otherwise the old folder is first renamed aside (and put back if the second
    rename fails; `write_package` also puts it back after a crash between the two renames)."""
    if not target.exists():
        os.replace(new, target)
    elif atomic_exchange and _exchange(new, target):
        shutil.rmtree(new)
    else:
        aside = target.parent / f".{target.name}.old-{secrets.token_hex(4)}"
        os.rename(target, aside)
        try:
            os.rename(new, target)
        except OSError:
            os.rename(aside, target)
            raise
        shutil.rmtree(aside)
    fsync_dir(target.parent)
