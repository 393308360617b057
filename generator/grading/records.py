"""The records of grading: a student's response to a part, and a copy's parts as graded.

Every responses reader returns :class:`Response` (the long and wide layouts here, each
LMS's report reader in its vendor's home); grading makes a :class:`Graded` per copy, which
the sheets, the item analysis, the feedback pages and each LMS's gradebook writer read.
This module imports nothing of the package but its errors, so that all of them can.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.errors import ExamError

# The kind of a graded row that a report of marks alone gives (Gradescope's: a whole
# question's points, no response): the item analysis lists no responses for it.
MARKS_ONLY = "question"


class ResponsesError(ExamError):
    """The responses file cannot be read, or does not fit the run's key."""


class GradingWarning(UserWarning):
    """Graded as the report says, but something about the quiz an instructor should
    check (its total differs from the exam's); ``grade`` prints each after its summary."""


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
    # The question the LMS drew, where it drew whole questions (a seat of a table that
    # picks, lms/seats.py): it may be another question than the copy prints at that number.
    question: str = ""
    # ``student`` is the LMS's own id of a student who sat no copy: a class without a
    # roster, whose quiz drew each question from any copy (its questions say which).
    sitting: bool = False
    # The report did not say which variant the student was shown (no question text): their
    # own copy's is assumed, which ``grade`` takes only when told the quiz gave each
    # student their own copy (``--own-copy``).
    assumed: bool = False


@dataclass
class GradedPart:
    """One part of a copy as graded: its points earned (None: a person is to grade it),
    what was answered and what was expected, and the named mistakes behind the answer."""

    label: str
    question: str  # the question's id
    kind: str
    points: float
    bonus: bool
    response: str
    score: float | None
    expected: str
    mistakes: list[str] = field(default_factory=list)
    rubric: list[str] = field(default_factory=list)  # the grading notes of the part graded
    by_hand: bool = False  # its score was filled in on a grading sheet
    by_group: bool = False  # ... on another row of its group of equal responses
    reason: str = ""  # why a person grades it (score None): its rubric, or an unread response
    shown: str = ""  # the copy whose variant the LMS showed, where not the student's own

    @property
    def verdict(self) -> str:
        """What the feedback says of the score."""
        if self.score is None:
            return "to be graded by hand"
        if self.score >= self.points:
            return "right"
        return "wrong" if self.score <= 0 else "partly right"


@dataclass
class Graded:
    """One copy's parts, graded, and who sat it."""

    variant: str
    student_id: str
    student_name: str
    parts: list[GradedPart] = field(default_factory=list)
    identity: dict[str, str] = field(default_factory=dict)  # the LMS's user columns, if any
    extra: dict[str, str] = field(default_factory=dict)  # the roster's other columns
    copy_name: str = ""  # v<copy>, or the code: how a class without roster names it

    @property
    def total(self) -> float:
        return sum(p.score or 0 for p in self.parts)

    @property
    def pending(self) -> int:
        return sum(p.score is None for p in self.parts)

    def found(self, names: tuple[str, ...]) -> str:
        """A user value from the LMS report's columns, else the roster's (the key's extras),
        by the usual names of its column (lower case)."""
        for source in (self.identity, self.extra):
            folded = {k.strip().lower(): v for k, v in source.items()}
            for name in names:
                if folded.get(name, "").strip():
                    return folded[name].strip()
        return ""

    @property
    def mixed(self) -> list[str]:
        """The questions whose parts the LMS showed from different copies' variants (a quiz
        of one random question per part): each part graded right, the question incoherent."""
        shown: dict[str, set[str]] = {}
        for part in self.parts:
            if part.response.strip():  # an unanswered part was shown nothing to compare
                shown.setdefault(part.question, set()).add(part.shown or self.variant)
        return [question for question, copies in shown.items() if len(copies) > 1]

    @property
    def who(self) -> str:
        """The copy's student, or its number: what a person reading a file recognises."""
        return self.student_name or self.found(("name",)) or self.copy_name


@dataclass(frozen=True)
class GradebookOptions:
    """What an LMS's gradebook import needs to know beyond the grades."""

    canvas_assignment: str | None = None  # Canvas's id of the quiz's assignment
