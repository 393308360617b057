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


class NotAFile(Exception):
    """The path is there but cannot be what the caller wants read; ``str()`` says why."""


def read_file(path: Path, *, limit: int, follow_links: bool = True) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes.

    Raises FileNotFoundError when there is nothing there, NotAFile when what is there is a
    folder, a link (with ``follow_links=False``), a device or pipe, or is too large.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | (0 if follow_links else os.O_NOFOLLOW)
    try:
        descriptor = os.open(path, flags)
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
    with os.fdopen(descriptor, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise NotAFile(f"larger than {limit / MB:g} MB")
    return data


def read_text(
    path: Path, error: Any, *, limit: int, what: str = "file", encoding: str = "utf-8"
) -> str:
    """A text file written by people (a roster, a blueprint, a question): its text, or an
    ``error`` (an ExamError class) whose one sentence names the file and the fix."""
    try:
        return read_file(path, limit=limit).decode(encoding)
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
