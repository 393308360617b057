"""Reading a file named by a person or found in a folder that may have been tampered with.

Only a regular file is read, and only up to a size that file can reasonably have: a
roster that is ``/dev/zero`` or a FIFO nobody writes to must end in one clear sentence,
not in a hang or a machine out of memory.  Files inside a run folder (its key, its
figures) are read without following links, so a planted link cannot make the tool read,
and ship, a file from elsewhere.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any

MB = 2**20
# Flags some systems lack (Windows: no links to refuse in open(), no FIFOs, and a text
# mode to turn off); where a flag is missing, _open_checked checks instead.
BINARY = getattr(os, "O_BINARY", 0)
NONBLOCK = getattr(os, "O_NONBLOCK", 0)
NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)


class NotAFile(Exception):
    """The path is there but cannot be what the caller wants read; ``str()`` says why."""


CHUNK = MB  # read a chunk at a time: a buffer the size of ``limit`` may not fit in memory


def read_file(
    path: Path, *, limit: int, follow_links: bool = True, under: Path | None = None
) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    ``under``: a folder holding ``path`` (a run folder) that no link may lead out of: each
    folder on the way from it to the file, and the file, is opened without following links.
    Raises FileNotFoundError when there is nothing there, NotAFile when what is there is a
    folder, a link (with ``follow_links=False`` or ``under``), a device or pipe, or is too
    large.
    """
    flags = os.O_RDONLY | NONBLOCK | BINARY
    try:
        if under is not None:
            descriptor = _open_under(under, path, flags)
        else:
            descriptor = _open_checked(path, flags, follow_links=follow_links)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise NotAFile("a symbolic link") from None
        raise
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        if stat.S_ISDIR(mode):
            raise NotAFile("a folder, not a file")
        raise NotAFile("not a regular file (a device or a pipe)")
    chunks, size = [], 0
    try:
        while size <= limit:
            chunk = os.read(descriptor, min(CHUNK, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    finally:
        os.close(descriptor)
    if size > limit:
        raise NotAFile(f"larger than {limit / MB:g} MB")
    return b"".join(chunks)


def _open_under(root: Path, path: Path, flags: int) -> int:
    """``path`` opened with ``flags`` from ``root`` down, one name at a time, following no
    link: a link planted in a run folder cannot lead a read or a write out of it."""
    try:
        names = Path(path).relative_to(root).parts
    except ValueError:
        raise NotAFile(f"not inside {root}") from None
    if not names or any(name in (".", "..") for name in names):
        raise NotAFile(f"not a file inside {root}")
    if os.open not in os.supports_dir_fd:  # Windows: each name checked, then opened
        for depth in range(1, len(names)):
            inside = Path(root, *names[:depth])
            if inside.is_symlink() or (inside.exists() and not inside.is_dir()):
                raise NotAFile(f"in {names[depth - 1]}, a symbolic link or a file, not a folder")
        return _open_checked(Path(root, *names), flags, follow_links=False)
    folder = os.open(root, os.O_RDONLY | DIRECTORY)
    try:
        for name in names[:-1]:
            try:
                inner = os.open(name, os.O_RDONLY | DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            except OSError as exc:
                if exc.errno in (errno.ELOOP, errno.ENOTDIR):
                    raise NotAFile(f"in {name}, a symbolic link or a file, not a folder") from None
                raise
            os.close(folder)
            folder = inner
        return os.open(names[-1], flags | os.O_NOFOLLOW, dir_fd=folder)
    finally:
        os.close(folder)


def _open_checked(path: Path, flags: int, *, follow_links: bool) -> int:
    """``path`` opened with ``flags``, a link refused unless ``follow_links``: by open()
    itself, or where it cannot (no O_NOFOLLOW: Windows) by looking first."""
    if follow_links:
        return os.open(path, flags)
    if not NOFOLLOW and os.path.islink(path):
        raise NotAFile("a symbolic link")
    return os.open(path, flags | NOFOLLOW)


def read_text(
    path: Path,
    error: Any,
    *,
    limit: int,
    what: str = "file",
    encoding: str = "utf-8",
    under: Path | None = None,
) -> str:
    """A text file written by people (a roster, a blueprint, a question): its text, or an
    ``error`` (an ExamError class) whose one sentence names the file and the fix."""
    try:
        return read_file(path, limit=limit, under=under).decode(encoding)
    except FileNotFoundError:
        raise error(f"{path}: {what} not found; check the path.") from None
    except NotAFile as exc:
        raise error(f"{path}: {exc}, not a {what}; is it the right file?") from None
    except UnicodeDecodeError as exc:
        raise error(
            f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and try again."
        ) from None
    except OSError as exc:
        raise error(f"{path}: cannot read the {what} ({exc.strerror}).") from None
