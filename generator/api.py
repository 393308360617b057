"""The Python API: an exam or a class built in memory, its key as records or as a table, and
a table of responses graded, for scripts and notebooks.  One import:

```python
from generator import api

secret = api.secret_file("course.secret")  # made on first use; or api.PUBLIC, by name
key = api.build(seed=42, copies=5, secret=secret)
key.variants[0].questions[0].parts[0].answer  # the records key.json holds
table = api.key_frame(key)  # pandas: a row per copy and part
marks = api.grade_frame(key, responses)  # responses: student, label, response
```

Nothing here writes a file but the secret: `build` draws and answers the copies as
`generate-exam` does (the same seed, secret, blueprint and roster give the same copies
and the same key), without typesetting them.  A run folder with its PDFs and exports is
`generator.builds.pipeline.build` with a `BuildSpec`, as the command line makes one.

A secret is never implied: pass the one your course keeps (`secret_file`), or `PUBLIC`
to ask for public mode (anyone can rebuild those copies and their answers from the seed:
for practice exams and examples only).

The tables need pandas (``pip install "exam-variant-generator[pandas]"``); the rest does
not.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from generator.bank.blueprints import load_blueprint
from generator.bank.questions import load_bank
from generator.errors import ExamError
from generator.grading.pipeline import grade
from generator.grading.records import Graded, Response, ResponsesError
from generator.key import schema
from generator.key.answer_csv import answer_text
from generator.key.records import Key
from generator.key.write import build_key
from generator.variants.assemble import build_exam
from generator.variants.roster import MAX_COPIES, Student, for_roster, numbered, read_roster
from generator.variants.secret import load_secret
from generator.variants.seeding import PUBLIC, Secret, Seeding

if TYPE_CHECKING:
    import pandas

__all__ = ["PUBLIC", "Graded", "Key", "Response", "Secret", "Student", "build", "grade_frame",
           "grade_responses", "key_frame", "marks_frame", "read_roster", "secret_file"]  # fmt: skip

RESPONSE_COLUMNS = ("student", "label", "response")
MARKS_COLUMNS = ("student", "variant", "name", "question", "label", "points", "bonus", "score",
                 "verdict", "mistakes", "reason", "response", "expected")  # fmt: skip


class APIError(ExamError):
    """A call of the Python API that no build or grading can answer."""


def secret_file(path: str | Path, *, create: bool = True) -> Secret:
    """The secret in ``path``, as ``--secret-file`` reads it; made there (mode 600) when it
    does not exist and ``create`` (``create=False`` for a rebuild, which needs the
    secret the exam was made with)."""
    return load_secret(Path(path), create=create).secret


def build(
    *,
    seed: int,
    secret: Secret,
    copies: int = 1,
    students: Sequence[Student] | None = None,
    blueprint: str | Path | None = None,
    banks: Sequence[str | Path] = (),
) -> Key:
    """The key of an exam (one copy, v0) or a class: ``copies`` numbered copies v0 ...
    v(N-1), or a copy per student of ``students`` (:func:`read_roster`'s rows).
    ``blueprint``: a shipped blueprint's name or a file (the default exam when None);
    ``banks``: extra question-bank folders.  An ``exam.toml`` is not read: a script
    says what it builds."""
    if not isinstance(secret, Secret):
        raise APIError("secret= must be a Secret: api.secret_file(path), or api.PUBLIC.")
    if students is not None and copies != 1:
        raise APIError("give either copies= or students=, not both.")
    count = copies if students is None else len(students)
    if not 1 <= count <= MAX_COPIES:
        raise APIError(f"{count} copies: build from 1 to {MAX_COPIES:,} in one class.")
    ids = [s.id for s in students or ()]
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise APIError(f"students= lists the id {twice[0]!r} twice; give each student once.")
    bank = load_bank(tuple(Path(b) for b in banks))
    plan = load_blueprint(None if blueprint is None else str(blueprint), bank)
    seeding = Seeding(seed, secret)
    assignments = (for_roster(seeding, students) if students is not None
                   else numbered(seeding, copies))  # fmt: skip
    exam = build_exam(plan, bank, seeding, assignments=assignments)
    return schema.check(build_key(exam, figures=False))


def grade_responses(key: Key, responses: Sequence[Response]) -> list[Graded]:
    """Each copy that has responses, every part scored as ``generate-exam grade`` scores
    it (the parts a person grades: score None, with the reason)."""
    return grade(key, responses, where="responses")


# ------------------------------------------------------------------ tables (pandas)


def key_frame(key: Key) -> pandas.DataFrame:
    """The key as a table: a row per copy and part, with the copy's code (``variant``, as
    its pages print it), the student (a roster's), the question, the part's label, kind
    and points, and the answer as answer-key.csv writes it (``answer``) and as key.json
    holds it (``value``)."""
    pd = _pandas()
    rows = []
    for variant in key.variants:
        student = variant.student
        for question in variant.questions:
            for part in question.parts:
                rows.append({
                    "variant": variant.variant, "student_id": student.id if student else "",
                    "student_name": student.name if student else "",
                    "question": question.id, "number": question.number, "label": part.label,
                    "kind": part.kind, "points": part.points, "bonus": part.bonus,
                    "answer": answer_text(part), "value": msgspec.to_builtins(part.answer),
                })  # fmt: skip
    return pd.DataFrame(rows)


def grade_frame(key: Key, responses: pandas.DataFrame) -> pandas.DataFrame:
    """A table of responses graded: ``responses`` has a row per student and part, columns
    ``student`` (their id, the copy's code, or v<copy>), ``label`` (the printed label,
    ``1(a)``) and ``response`` (as a student would type it).  The marks: a row per
    student and part of their copy, with the score (empty where a person is to grade
    it: ``reason`` says why), the verdict, the named mistakes and the expected answer."""
    _pandas()
    missing = [c for c in RESPONSE_COLUMNS if c not in responses.columns]
    if missing:
        raise ResponsesError(f"responses table: no column {', '.join(missing)}; give the "
                             f"columns {', '.join(RESPONSE_COLUMNS)}.")  # fmt: skip
    rows = responses[list(RESPONSE_COLUMNS)].itertuples()
    given = [Response(student=_cell(row.student), label=_cell(row.label),
                      text=_cell(row.response), line=index + 1)
             for index, row in enumerate(rows)]  # fmt: skip
    return marks_frame(grade(key, given, where="responses table (line N: its N-th row)"))


def marks_frame(graded: Sequence[Graded]) -> pandas.DataFrame:
    """Graded copies as a table: a row per student and part."""
    pd = _pandas()
    rows = [(g.student_id or g.copy_name, g.variant, g.who, p.question, p.label, p.points,
             p.bonus, p.score, p.verdict, "; ".join(p.mistakes), p.reason, p.response,
             p.expected) for g in graded for p in g.parts]  # fmt: skip
    return pd.DataFrame(rows, columns=MARKS_COLUMNS)


def _cell(value: Any) -> str:
    """A table cell as text: an empty cell (None, NaN, pandas' NA) is an empty response."""
    return "" if _pandas().isna(value) else str(value)


def _pandas() -> Any:
    try:
        import pandas
    except ImportError:
        raise APIError('the tables need pandas: pip install "exam-variant-generator[pandas]".'
                       ) from None  # fmt: skip
    return pandas
