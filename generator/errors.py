"""One exception hierarchy for everything a user can get wrong.

Every error carries a message that is one sentence naming the file, the field
and the fix; the CLI prints it as-is and exits non-zero.  Anything that is not
an :class:`ExamError` is a bug in the generator, not a user mistake.
"""

from __future__ import annotations

import errno
import os
import re
from pathlib import Path


class ExamError(Exception):
    """Base class: a problem the user can fix; ``str(err)`` is the whole story."""

    exit_code = 1


class BankError(ExamError):
    """A question folder is missing, malformed or inconsistent."""


class BlueprintError(ExamError):
    """A blueprint cannot be found or does not describe a valid exam."""


class AnswerError(ExamError):
    """A question's solver produced an answer that does not fit its declared kind."""


class TexNotFoundError(ExamError):
    """No usable TeX installation: pdflatex or a LaTeX package is missing."""


class LatexError(ExamError):
    """pdflatex rejected a generated document: ``source`` is the .tex and ``line`` its
    failing line.  The source is named where the user can open it, which is not always
    where it was typeset (a failed run's staging folder is gone): see ``source``."""

    def __init__(self, message: str, line: int | None = None, source: Path | None = None):
        super().__init__(message)
        self.line = line
        self.source = source

    def __str__(self) -> str:
        message = super().__str__()
        return f"{self.source}: LaTeX failed: {message}" if self.source else message


class OutputError(ExamError):
    """The output folder cannot be written."""


class WorkerError(ExamError):
    """A build process died (killed, or out of memory) before finishing its share."""


class MachineError(ExamError):
    """The machine refused (a full disk, no permission): nothing was written."""


HINTS = {
    errno.ENOSPC: "free some space and run again",
    errno.EDQUOT: "free some space and run again",
    errno.EACCES: "check the folder's permissions, or write elsewhere",
    errno.EPERM: "check the folder's permissions, or write elsewhere",
    errno.EROFS: "the disk is read-only: write elsewhere",
}


# What a terminal acts on rather than shows (escape sequences, a bell, a carriage return that
# overwrites the line) and what reorders a line's text (bidirectional controls).
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """A message as the CLI prints it: every control character in it (a value the user's
    files hold, echoed) written as an escape, ``\\x1b``, so that the message is one line
    and shows what the file holds instead of acting on the terminal."""
    return CONTROL.sub(_escaped, text)


def _escaped(found: re.Match[str]) -> str:
    code = ord(found.group())
    return {9: "\\t", 10: "\\n", 13: "\\r"}.get(code) or (
        f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    )


def os_error(exc: OSError) -> str:
    """An error of the machine's as one sentence: the file (a path, never a Python object's
    repr), what went wrong, that nothing was written, and what to do."""
    name = exc.filename
    if name is not None and not isinstance(name, str | bytes | os.PathLike):
        name = getattr(name, "name", None)  # an open file: its path
    where = f"{os.fsdecode(name)}: " if isinstance(name, str | bytes | os.PathLike) else ""
    hint = HINTS.get(exc.errno or 0, "check the path and run again")
    return (
        f"{where}{exc.strerror or exc}; nothing was written (any earlier output is "
        f"unchanged); {hint}."
    )


def write_file(path: Path, text: str, option: str) -> None:
    """Write a file the user named, whole or not at all (through a temporary beside it)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise MachineError(
            f"{path}: cannot write it ({exc.strerror}); choose another path with {option}."
        ) from None
