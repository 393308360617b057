"""The records every responses reader returns: one student's response to one part.

Kept apart from :mod:`generator.grading`, which dispatches to the readers, so that the
LMS report readers (:mod:`generator.lms_responses`) can build them without importing it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.errors import ExamError


class ResponsesError(ExamError):
    """The responses file cannot be read, or does not fit the run's key."""


@dataclass(frozen=True)
class Response:
    student: str  # the student's id, the copy's code or v<copy>
    label: str  # the part's printed label, 1(b)(ii)
    text: str  # the response, written the way the key's cells are (generator.kinds)
    line: int  # its line in the file, for messages
    identity: tuple[tuple[str, str], ...] = field(default=())  # the LMS's user columns
    # The pool copy whose variant of the part the student answered, where the LMS drew it
    # from a variant pool (--pool) and not from the student's own copy; "": their own.
    source: str = ""
