"""``generate-exam grade RUN --responses FILE``: each student against their own copy.

read the key -> read the responses (any layout: grading/responses.py) -> score each part
by its answer kind -> the grading sheets' scores put in -> ``RUN/grades/``, written
complete or not at all: grades.csv, feedback.csv, each LMS's gradebook import (its
vendor's module, generator.lms.VENDORS), a feedback page per student
(grading/feedback.py), the sheets of the parts people grade (grading/sheets.py) and the
item analysis (grading/item_analysis.py).

Each response is scored by its part's answer kind (:meth:`generator.kinds.Kind.score`),
the rule the LMS files promise; formulas by equivalence (generator.kinds.formula), code
by running it in a restricted interpreter (generator.kinds.code); the parts people grade
(text, and code whose skeleton the grader cannot run) get no score and are listed for a
grader.  A Gradescope grades export (a vendor's report of ``marks``, generator.lms.Vendor)
is not scored: the points its graders gave are the grades, one per question.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

import msgspec

from generator.errors import OutputError
from generator.grading import feedback, item_analysis, sheets
from generator.grading.records import (
    GradebookOptions,
    Graded,
    GradedPart,
    Response,
    ResponsesError,
)
from generator.grading.responses import marks_reader, read_responses, read_table, responses_of
from generator.key.answer_csv import answer_text
from generator.key.read import read_key
from generator.key.records import Key, PartInfo, QuestionInfo, StudentInfo, VariantInfo
from generator.kinds import KINDS, streams
from generator.kinds.scoring import Judgement
from generator.lms import VENDORS
from generator.run_folder import GradesFolder, RunFolder
from generator.staging import staging
from generator.tables import csv_text

__all__ = ["Graded", "Response", "ResponsesError", "grade", "grade_run", "read_responses"]


def grade_run(run: Path, responses_path: Path, *, force: bool = False,
              canvas_assignment: str | None = None,
              own_copy: bool = False) -> list[Graded]:  # fmt: skip
    """Grade ``responses_path`` against ``run``'s key; write ``run/grades/`` (see the
    module docstring); the filled-in scores of its earlier sheets are read back.
    ``own_copy``: each student took a quiz of their own copy's questions, so a report
    that does not say which variant they were shown is graded against their copy."""
    folder = RunFolder(run)
    _check_grades_folder(folder.grades.root)
    key = read_key(folder.key)
    rows, where = read_table(responses_path), str(responses_path)
    marks = marks_reader(rows[0])
    if marks is not None:  # points given per question elsewhere (Gradescope): as they are
        graded = marks.read(rows, key, where)
    else:
        responses = responses_of(rows, key, where)
        _check_assumed(responses, own_copy, where)
        graded = grade(key, responses, where=where)
        sheets.apply(graded, sheets.read_scores(folder.grades, graded))
    options = GradebookOptions(canvas_assignment)
    with staging(folder.grades.root, force=force, other="") as tmp:  # grade has no --out
        grades = GradesFolder(tmp)
        if marks is None:  # a question left ungraded there is graded there, not on a sheet
            sheets.write_sheets(grades, graded)
        grades.grades_csv.write_text(grades_csv(key, graded), encoding="utf-8")
        grades.feedback_csv.write_text(feedback.feedback_csv(graded), encoding="utf-8")
        for vendor in VENDORS.values():
            if vendor.gradebook:
                vendor.gradebook_writer().write(key, graded, grades, options)
        feedback.write_pages(key, graded, grades)
        item_analysis.write_report(grades, item_analysis.analyse(key, graded))
    return graded


def _check_grades_folder(grades: Path) -> None:
    """Refuse, before any work, a ``RUN/grades`` that is a link or a file: grade writes
    there and nowhere else (it has no --out), so the fix is to clear the way."""
    if grades.is_symlink() or (grades.exists() and not grades.is_dir()):
        raise OutputError(
            f"{grades}: a link or a file, not a folder of this run; grade writes its results "
            "there and nowhere else, so remove the link or move the file away (copy the "
            "sheets a linked folder holds into a real folder there to keep them), then grade "
            "again."
        )


def _check_assumed(responses: list[Response], own_copy: bool, where: str) -> None:
    """Refuse responses whose variant the report left unsaid, unless each student took a
    quiz of their own copy: a quiz of random questions shows a student any copy's."""
    assumed = next((r for r in responses if r.assumed), None)
    if assumed and not own_copy:
        raise ResponsesError(
            f"{where}, line {assumed.line}: the report has no question text, so it cannot say "
            "which variant of each question a student was shown (a quiz of random questions "
            "shows any copy's). Download Moodle's Responses report again with 'Show the "
            "question text' ticked (its Display options); or, if each student took a quiz of "
            "their own copy's questions, grade with --own-copy."
        )


def grade(key: Key, responses: Iterable[Response], *, where: str) -> list[Graded]:
    """Every copy that has responses, each part scored by its kind."""
    responses = list(responses)
    copies = _copies(key) | _sittings(key, responses)
    labels_of = {v.variant: {p.label for _, p in v.parts} for v in copies.values()}
    given: dict[tuple[str, str], Response] = {}
    for response in responses:
        variant = copies.get(response.student)
        if variant is None:
            raise ResponsesError(
                f"{where}, line {response.line}: no copy of this exam belongs to "
                f"'{response.student}'; name students by their id, the code on their pages "
                "or v<copy>."
            )
        labels = labels_of[variant.variant]
        if response.label not in labels and not _seated(response, labels):
            raise ResponsesError(
                f"{where}, line {response.line}: '{response.label}' is not a part of "
                f"{response.student}'s copy; use the printed labels, like "
                f"{sorted(labels)[0]}."
            )
        slot = (variant.variant, response.label)
        if slot in given:
            raise ResponsesError(
                f"{where}, line {response.line}: a second response of {response.student} "
                f"to {response.label} (the first is on line {given[slot].line}); keep one."
            )
        given[slot] = response
    by_code = {v.variant: v for v in copies.values()}
    first: dict[str, Response] = {}  # each copy's first response, in the file's order
    for (code, _), response in given.items():
        first.setdefault(code, response)
    drawn = _drawn_parts(key)
    wholes = _wholes(drawn)
    seated = _whole_draws((code, r) for (code, _), r in given.items())
    with streams.keyed(msgspec.json.encode(key)):  # the points no student can predict
        graded = [_graded(by_code[code], given, drawn, wholes, seated.get(code, {}))
                  for code in first]  # fmt: skip
    for g in graded:  # the LMS's user columns of the copy's first response, for gradebooks
        g.identity = dict(first[g.variant].identity)
    return graded


def _copies(key: Key) -> dict[str, VariantInfo]:
    """Each copy under every name a responses file may give it."""
    names: dict[str, VariantInfo] = {}
    for variant in key.variants:
        names[variant.variant] = variant
        if variant.copy is not msgspec.UNSET:
            names[f"v{variant.copy}"] = variant
        if variant.student:
            names[variant.student.id] = variant
    return names


def _sittings(key: Key, responses: list[Response]) -> dict[str, VariantInfo]:
    """The questions each student of a class without a roster was shown, as a copy of
    their own: an LMS quiz drew each question whole from any copy (``Response.sitting``),
    under the number of its seat.  Its code is the student's id, hashed to a copy's form."""
    sitting = [r for r in responses if r.sitting]
    seated = _whole_draws((r.student, r) for r in sitting)
    names = {r.student: _name(dict(r.identity)) for r in reversed(sitting)}  # the first row's
    questions = {(q.source or v.variant, q.id): q for v in key.variants for q in v.questions}
    return {student: _sitting(student, names[student],
                              [_renumbered(questions[seats[n]], n) for n in sorted(seats, key=int)])
            for student, seats in seated.items()}  # fmt: skip


def _renumbered(question: QuestionInfo, number: str) -> QuestionInfo:
    """A question drawn into seat ``number``, its parts labelled under that number."""
    parts = [msgspec.structs.replace(p, label=f"{number}{p.label[p.label.index('(') :]}")
             for p in question.parts]  # fmt: skip
    return msgspec.structs.replace(question, number=int(number), parts=parts)


def _sitting(student: str, name: str, questions: list[QuestionInfo]) -> VariantInfo:
    code = hashlib.blake2b(student.encode(), digest_size=6).hexdigest()
    return VariantInfo(variant=code, student=StudentInfo(id=student, name=name, extra={}),
                       questions=questions)  # fmt: skip


def _name(identity: dict[str, str]) -> str:
    """``First Last`` from an LMS report's name columns, if it has them."""
    return " ".join(identity.get(c, "").strip() for c in ("First name", "Last name")).strip()


DrawnParts = dict[tuple[str, str, str], tuple[QuestionInfo, PartInfo]]


Draws = dict[str, dict[str, tuple[str, str]]]  # who -> number -> (copy drawn for, id)


def _whole_draws(responses: Iterable[tuple[str, Response]]) -> Draws:
    """Per student or copy, the questions an LMS drew whole, by number: (the copy drawn
    for, question id)."""
    seated: Draws = {}
    for who, response in responses:
        if response.question:
            drew = (response.source, response.question)
            seated.setdefault(who, {})[_number(response.label)] = drew
    return seated


def _number(label: str) -> str:
    """The question number of a part's label: 3 of 3(b)(ii)."""
    return label[: label.index("(")] if "(" in label else label


def _seated(response: Response, labels: set[str]) -> bool:
    """Whether a response to a question an LMS drew whole is under a number the copy
    prints (the drawn question may have other parts than the copy's at that number)."""
    return bool(response.question) and _number(response.label) in {_number(x) for x in labels}


def _drawn_parts(key: Key) -> DrawnParts:
    """Every variant of each part an LMS may have drawn, by (copy, question id, part): a
    pool's K keys (``--pool``, by pool copy, whichever student's entry holds them), else
    every copy's own (a quiz drawing one random question per part shows students each
    other's, which may print the question under another number)."""
    parts: DrawnParts = {}
    for variant in key.variants:
        for question, part in variant.parts:
            source = (question.source or "") if key.pooled else variant.variant
            parts.setdefault((source, question.id, part.part), (question, part))
    return parts


Wholes = dict[tuple[str, str], list[tuple[QuestionInfo, PartInfo]]]


def _wholes(drawn: DrawnParts) -> Wholes:
    """The drawn parts by (copy, question id): every part of a question an LMS drew whole."""
    out: Wholes = {}
    for (code, qid, _), found in drawn.items():
        out.setdefault((code, qid), []).append(found)
    return out


def _graded(variant: VariantInfo, given: dict[tuple[str, str], Response],
            drawn: DrawnParts, wholes: Wholes,
            whole: dict[str, tuple[str, str]]) -> Graded:  # fmt: skip
    student = variant.student or StudentInfo(id="", name="", extra={})
    graded = Graded(variant.variant, student.id, student.name, extra=dict(student.extra),
                    copy_name=variant.name)  # fmt: skip
    for label, question, part, response in _shown(variant, given, drawn, wholes, whole):
        text = response.text if response else ""
        # The part's rubric judges it (an empty select-all response can be right); a
        # response only a person can judge gets no score (None) and the reason, unless it
        # is empty: no answer earns nothing.
        judgement = _judge(part, text)
        share = 0.0 if judgement.share is None and not text.strip() else judgement.share
        graded.parts.append(GradedPart(
            label=label, question=question.id, kind=part.kind, points=part.points,
            bonus=part.bonus, response=text,
            score=None if share is None else round(share * part.points, 6),
            expected=answer_text(part),
            mistakes=list(judgement.mistakes),
            rubric=list(part.rubric),
            reason=judgement.reason if share is None else "",
            shown=response.source if response else "",
        ))  # fmt: skip
    return graded


Shown = tuple[str, QuestionInfo, PartInfo, "Response | None"]


def _shown(variant: VariantInfo, given: dict[tuple[str, str], Response], drawn: DrawnParts,
           wholes: Wholes, whole: dict[str, tuple[str, str]]) -> list[Shown]:  # fmt: skip
    """Each part the student was shown, under its label, with its response: the copy's
    own parts, a part the LMS drew from another variant in its place, and where the LMS
    drew a whole question (``Response.question``), that question's parts under the
    copy's number for it, whichever question the copy prints there."""
    out: list[Shown] = []
    for own_question in variant.questions:
        number = str(own_question.number)
        if number in whole:
            for question, part in wholes.get(whole[number], ()):
                label = f"{number}{part.label[part.label.index('(') :]}"
                out.append((label, question, part, given.get((variant.variant, label))))
            continue
        for own_part in own_question.parts:
            response = given.get((variant.variant, own_part.label))
            question, part = own_question, own_part
            if response and response.source:  # the LMS drew another variant than the copy's
                question, part = drawn[(response.source, own_question.id, own_part.part)]
            out.append((own_part.label, question, part, response))
    return out


# What a score depends on: the part's fields that grading reads (not its label).
SCORED_FIELDS = ("kind", "answer", "tolerance", "alternatives", "options", "formula", "code",
                 "names", "grid", "points", "scoring")  # fmt: skip
_SCORES: dict[bytes, Judgement] = {}
MAX_REMEMBERED = 200_000


def _judge(part: PartInfo, text: str) -> Judgement:
    """The kind's judgement, remembered: a formula or code part has the same answer in
    every copy, and a class gives the same responses to it again and again (2000 students'
    formulas are parsed and compared once per distinct response, not once per student)."""
    fields = [None if (value := getattr(part, name)) is msgspec.UNSET else value
              for name in SCORED_FIELDS]  # fmt: skip
    memo = msgspec.json.encode([fields, text]) + streams.current_key()
    if memo not in _SCORES:
        if len(_SCORES) > MAX_REMEMBERED:
            _SCORES.clear()
        _SCORES[memo] = KINDS[part.kind].judge(part, text)
    return _SCORES[memo]


def grades_csv(key: Key, graded: list[Graded]) -> str:
    """One row per student: each part's points, the total, and the parts left to people."""
    labels = list(dict.fromkeys(p.label for g in graded for p in g.parts))
    header = ["variant", "student_id", "student_name", *labels, "total", "out_of",
              "to_grade_by_hand"]  # fmt: skip
    rows = []
    for g in graded:
        scores = {p.label: "" if p.score is None else p.score for p in g.parts}
        rows.append([g.variant, g.student_id, g.student_name,
                     *(scores.get(label, "") for label in labels), round(g.total, 6),
                     key.exam.points, g.pending])  # fmt: skip
    return csv_text(rows, header)
