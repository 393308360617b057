"""One exception hierarchy for everything a user can get wrong.

Every error carries a message that is one sentence naming the file, the field
and the fix; the CLI prints it as-is and exits non-zero.  Anything that is not
an :class:`ExamError` is a bug in the generator, not a user mistake.
"""

from __future__ import annotations


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
    """pdflatex rejected a generated document; ``line`` is the failing line of the .tex."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class OutputError(ExamError):
    """The output folder cannot be written."""


class WorkerError(ExamError):
    """A build process died (killed, or out of memory) before finishing its share."""
