"""Canvas's quiz "Student Analysis" report, read as responses to our parts.

The report, read from Canvas's own code (instructure/canvas-lms,
``app/models/quizzes/quiz_statistics/student_analysis.rb``, ``to_csv``): the header is
``name, id, sis_id`` (left out of anonymous quizzes; ``sis_id`` only for those who may
see SIS ids), ``root_account`` (trusted accounts only), ``section, section_id,
section_sis_id, submitted``, ``attempt`` (when all attempts are asked for), then two
columns per quiz question: ``"<question id>: <question text, tags stripped>"`` and its
points possible (``1.0``), and last ``n correct, n incorrect, score``.  A question the
student was not given (another item of the group) leaves both cells empty.  Every cell
passes through ``html_to_text``.  Fill-in-multiple-blanks answers are the blanks'
answers joined by ``,`` (a comma inside one written ``\\,``); multiple dropdowns the
chosen answers' texts joined the same way (a dropdown left alone left out); multiple
answers the chosen options' texts; matching ``left=>right`` pairs joined by ``,``;
multiple choice the option's text; numerical and essay the text given.  The report
carries no question name: a column is mapped to our item by its question text.
"""

from __future__ import annotations

import re

from generator.grading.records import Response, ResponsesError
from generator.key.records import Key, PartInfo
from generator.kinds import KINDS
from generator.lms import reports
from generator.lms.canvas.qti12 import blanks_text, seats
from generator.lms.items import Item
from generator.lms.reports import Entry, Exam

NAME = "Canvas Student Analysis"
TAIL = ["n correct", "n incorrect", "score"]
QUESTION = re.compile(r"(\d+): (.*)", re.DOTALL)
IDENTITY = ("sis_id", "id", "name", "section")  # ids first: the order they name one


def _unescaped(text: str, separator: str) -> list[str]:
    """Canvas's list cells: split at separators not written ``\\<separator>``."""
    pieces = re.split(rf"(?<!\\){re.escape(separator)}", text)
    return [piece.replace("\\" + separator, separator) for piece in pieces]


def _blanks(part: PartInfo, text: str) -> str:
    return reports.entries(_unescaped(text, ",")) if text.strip() else ""


def _matching(part: PartInfo, text: str) -> str:
    matched = [_unescaped(piece, "=>") for piece in _unescaped(text, ",") if piece.strip()]
    return reports.pairs(part, [(p[0], p[1] if len(p) > 1 else "") for p in matched])


def _statements(part: PartInfo, text: str) -> str:
    """Multiple dropdowns (``True,False,...``, a dropdown left alone left out) as the
    statements said true, where every statement is answered (else no place is certain:
    the text, which names no statement, goes to a person); the options' texts of a
    multiple-answers question (an earlier export) as theirs."""
    given = _unescaped(text, ",")
    words = {reports.fingerprint(KINDS[part.kind].verdict(v)) for v in (True, False)}
    if not all(reports.fingerprint(g) in words for g in given):
        return reports.picked(part, text)
    return reports.verdicts(part, given) if len(given) == len(part.options) else text


READERS = reports.readers(__name__, blanks=_blanks, matching=_matching, statements=_statements)


def _text(item: Item) -> str:
    """The question text Canvas keeps for an item: ours, with its ``[b1]`` blanks or its
    ``[s1]`` dropdowns (qti12.py)."""
    return item.html + blanks_text(item)


def recognise(header: list[str]) -> bool:
    return header[-3:] == TAIL and "submitted" in header and "section" in header


def read(rows: list[list[str]], key: Key, path: str) -> list[Response]:
    """A Student Analysis report's rows as responses to our parts."""
    header = rows[0]
    exam = Exam(key, _text)
    first = (
        header.index("submitted") + 1 + (header[header.index("submitted") + 1 :][:1] == ["attempt"])
    )
    columns = _columns(exam, header, first, path)
    people = [i for i, h in enumerate(header[:first]) if h in IDENTITY]
    people.sort(key=lambda i: IDENTITY.index(header[i]))
    seated = {d.question.id: seat.label for seat in seats(key) for d in seat.drawn}
    responses = []
    for line, row in reports.rows(rows, path):
        identity = tuple((header[i], row[i]) for i in people)
        seen = [(c, found) for c, found in columns if row[c].strip() or row[c + 1].strip()]
        copy, sitting = _copy(exam, identity, [found for _, found in seen], seated,
                              f"{path}, line {line}")  # fmt: skip
        for c, found in seen:
            where = f"{path}, line {line}, column '{reports.short(header[c])}'"
            entry = reports.entry_of(exam, copy, found, where, row[c], drawn=True)
            text = READERS[entry.part.kind](entry.part, row[c])
            number = seated.get(entry.question, "")
            if number.isdigit():  # a question drawn whole, graded under its seat's number
                label = f"{number}{entry.label[entry.label.index('(') :]}"
                responses.append(Response(copy, label, text, line, identity, entry.variant,
                                          question=entry.question, sitting=sitting))  # fmt: skip
            else:
                responses.append(Response(copy, entry.label, text, line, identity,
                                          exam.source(entry, copy)))  # fmt: skip
    return responses


def _copy(exam: Exam, identity: tuple[tuple[str, str], ...], found: list[list[Entry]],
          seated: dict[str, str], where: str) -> tuple[str, bool]:  # fmt: skip
    """Who a row is graded as: the roster's student, or the one copy its items are of;
    without a roster, where the quiz drew whole questions from several copies, the
    student under Canvas's id for them (a sitting: ``Response.sitting``)."""
    if exam.people or not any(e.question in seated for entries in found for e in entries):
        return reports.copy_of(exam, identity, found, where), False
    codes = {e.variant for entries in found for e in entries}
    if len(codes) == 1:
        return codes.pop(), False
    return reports.sitter(identity, ("sis_id", "id"), "an id or sis_id", where), True


def _columns(exam: Exam, header: list[str], first: int, path: str
             ) -> list[tuple[int, list[Entry]]]:  # fmt: skip
    """Each question column and the items whose text it shows (every copy's)."""
    columns = []
    for c in range(first, len(header) - len(TAIL), 2):
        question = QUESTION.fullmatch(header[c])
        where = f"{path}, line 1, column '{reports.short(header[c])}'"
        if question is None or c + 1 >= len(header) - len(TAIL):
            raise ResponsesError(f"{where}: not a '<question id>: <text>' column followed by its "
                                 "points; give the report as Canvas wrote it.")  # fmt: skip
        titled = exam.titled(question.group(2), where)
        found = [titled] if titled else exam.matching(question.group(2), exam.entries)
        if not found:
            raise ResponsesError(
                f"{where}: no item of this exam (exam {exam.key.exam.code}) has this "
                "question text; the report is from another quiz: grade it against its own run."
            )
        columns.append((c, found))
    return columns
