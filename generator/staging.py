"""Writing a run's folder so that it is never half-written, lost, or written twice at once.

A run writes into ``.<name>.partial`` beside its folder and renames it into place only
when everything succeeded.  While it works it holds a lock on ``.<name>.lock``, so a
second run into the same folder stops at once with a clear message; the kernel drops
the lock when a run dies, even by SIGKILL, which is how a later run tells the debris
of a killed run (removed) from the work of a live one (left alone).  An existing
folder is replaced only when the new run writes every file it holds: files the user
added, or an earlier export, are never deleted without ``--force``.

The lock is taken with portalocker (flock on Linux and macOS, ``msvcrt.locking`` on
Windows), not ``fcntl`` directly, which Windows lacks: the tool must import everywhere.
portalocker locks a descriptor opened here, so the lock file is still opened without
following a link and checked to be the file its name gives; filelock, the other
maintained choice, opens the file itself and offers neither.  On Windows an open file
cannot be removed, so a lock file may stay behind there: harmless, as the next run locks it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import portalocker

from generator.errors import OutputError

PARTIAL = ".partial"
OLD = ".old"
LOCK = ".lock"
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # Windows has no links to follow in its open()
FLAGS = os.O_RDWR | os.O_CREAT | NOFOLLOW
EXCLUSIVE = portalocker.LockFlags.EXCLUSIVE | portalocker.LockFlags.NON_BLOCKING
SHOWN = 3  # files named in the message about what a rebuild would delete


OTHER_OUT = "choose another --out"


@contextmanager
def staging(folder: Path, *, force: bool = False, other: str = OTHER_OUT) -> Iterator[Path]:
    """A private folder that replaces ``folder`` on success and vanishes on failure.
    ``other``: the messages' other way out, for a command with a choice of folder (a
    command that writes in a fixed place, like ``grade``, gives "")."""
    parent = folder.parent
    created_parent = not parent.exists()
    lock_path = parent / f".{folder.name}{LOCK}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"{parent}: cannot create the output folder ({exc.strerror}); check the "
            f"permissions of its parent{_or(other)}."
        ) from None
    try:
        lock = _lock(lock_path, folder, other)
    except BaseException:
        if created_parent:
            with contextlib.suppress(OSError):
                parent.rmdir()
        raise
    tmp = parent / f".{folder.name}{PARTIAL}"
    try:
        _recover(folder)  # a run of this folder killed earlier: we hold its lock now
        remove_debris(parent)
        tmp.mkdir()
        yield tmp
        replace(tmp, folder, force=force, other=other)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        _unlock(lock_path, lock)
        if created_parent:
            with contextlib.suppress(OSError):
                parent.rmdir()  # only if the run left nothing in it


def _or(other: str) -> str:
    return f", or {other}" if other else ""


def _lock(path: Path, folder: Path, other: str = OTHER_OUT) -> int:
    """Hold ``path``'s lock for the run; refuse if another live run holds it.

    The lock file is removed when the run ends, so after locking, the path must still
    name the file locked (else another run removed it meanwhile: try again).
    """
    while True:
        try:
            descriptor = os.open(path, FLAGS, 0o644)
        except OSError as exc:
            raise OutputError(
                f"{path}: cannot lock the run's folder ({_why(exc)}); remove it{_or(other)}."
            ) from None
        try:
            portalocker.lock(descriptor, EXCLUSIVE)
        except portalocker.AlreadyLocked:
            os.close(descriptor)
            raise OutputError(
                f"{folder}: another generate-exam run is writing this folder right now; wait "
                f"for it to finish{_or(other)}."
            ) from None
        except portalocker.LockException as exc:  # not another run: a file system without locks
            os.close(descriptor)
            raise OutputError(
                f"{path}: cannot lock the run's folder ({exc}); write to a local folder"
                f"{_or(other)}."
            ) from None
        with contextlib.suppress(FileNotFoundError):
            if os.stat(path).st_ino == os.fstat(descriptor).st_ino:
                return descriptor
        os.close(descriptor)


def _why(exc: OSError) -> str:
    return "it is a link, not this tool's lock" if exc.errno == errno.ELOOP else exc.strerror


def _unlock(path: Path, descriptor: int) -> None:
    with contextlib.suppress(OSError):
        path.unlink()  # while still holding it: see _lock
    os.close(descriptor)


def _recover(folder: Path) -> None:
    """Undo what a killed run of ``folder`` left: its staging folder goes; a previous
    output it had moved aside to swap in the new one comes back if the swap never ended."""
    shutil.rmtree(folder.with_name(f".{folder.name}{PARTIAL}"), ignore_errors=True)
    old = folder.with_name(f".{folder.name}{OLD}")
    if old.is_dir() and not old.is_symlink():
        if folder.exists():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.rename(folder)


def remove_debris(parent: Path) -> None:
    """Clean up after the runs killed in ``parent`` (one whose lock a live run holds is
    left alone): their staging folders go, their half-done swaps are undone."""
    for entry in parent.glob(".*"):
        for suffix in (PARTIAL, OLD):
            if entry.name.endswith(suffix) and entry.is_dir() and not entry.is_symlink():
                name = entry.name[1 : -len(suffix)]
                lock_path = parent / f".{name}{LOCK}"
                descriptor = _try_lock(lock_path)
                if descriptor is not None:
                    _recover(parent / name)
                    _unlock(lock_path, descriptor)


def _try_lock(path: Path) -> int | None:
    """``path``'s lock if no live run holds it (a killed run's lock is free)."""
    try:
        descriptor = os.open(path, FLAGS, 0o644)
    except OSError:
        return None
    try:
        portalocker.lock(descriptor, EXCLUSIVE)
    except portalocker.LockException:  # held by a live run (AlreadyLocked), or no locks here
        os.close(descriptor)
        return None
    return descriptor


def replace(new: Path, folder: Path, *, force: bool = False, other: str = OTHER_OUT) -> None:
    """Swap ``new`` in for ``folder`` with renames, so the folder is never half-written;
    refuse (unless ``force``) when that would delete a file ``new`` does not have."""
    if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
        raise OutputError(
            f"{folder}: exists and is not a folder (a link or a file); move it away{_or(other)}."
        )
    if folder.exists() and not force:
        lost = sorted(_files(folder) - _files(new), key=lambda p: (p.startswith("tex/"), p))
        if lost:
            more = f" and {len(lost) - SHOWN} more" if len(lost) > SHOWN else ""
            shown = ", ".join(lost[:SHOWN]) + more
            raise OutputError(
                f"{folder}: holds {shown}, which this run does not write; move them away, "
                "or pass --force to replace the folder and lose them."
            )
    os.chmod(new, 0o755)
    old = folder.with_name(f".{folder.name}{OLD}")
    if folder.exists():
        folder.rename(old)
    new.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def _files(root: Path) -> set[str]:
    """Every file and link below ``root``, as paths relative to it."""
    found = set()
    for directory, folders, files in os.walk(root):
        here = Path(directory).relative_to(root)
        found.update(str(here / name) for name in files)
        found.update(str(here / name) for name in folders if (Path(directory) / name).is_symlink())
    return found
