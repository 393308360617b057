"""Moodle's Responses report of a quiz that draws whole questions (moodle.xml: one seat
per question, lms/seats.py), read as responses to the variant each student was shown.

The quiz has a slot per seat, in the exam's order, each followed by the slots of its essay
seats (``slot-marks.csv`` lists them so).  A seat's cell ``Question N`` (ticked "question
text" in the report's display options) is the drawn question's text, which ends with its
title ``<number> <code>``: the variant.  Its ``Response N`` is the cloze's
``part 1: ...; part 2: ...``, one piece per blank in the order of the parts (what
moodle.xml's :func:`~generator.lms.moodle.xml.whole_blanks` wrote).  An essay seat's
response is the written answer to one part of the question drawn in the seat before it.

Without the question text a seat that draws from several variants cannot say which one a
student answered, and the download is refused, naming the option that carries it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from generator.grading.records import Response, ResponsesError
from generator.key.records import Key
from generator.lms import items, reports
from generator.lms.items import Item, assignment_text, assignments
from generator.lms.moodle.xml import whole_blanks
from generator.lms.seats import Drawn, Seat, answered_here, seats, written

NONE = "-"
STATE = ("State", "Status")
CLOZE_PART = re.compile(r"(?:^|;\s*)part (\d+):\s?")
# The drawn question's title ending its text: its number in its copy, and the copy's code.
TITLE = re.compile(r"(?<!\d)(\d+)\s+([0-9a-f]{12})\W*$")


@dataclass(frozen=True)
class Column:
    """One quiz slot: the seat it draws for, or one written part of it (``essay``)."""

    seat: Seat
    essay: str = ""  # the written part's letters, for an essay seat


def recognise(rows: list[list[str]], numbers: list[dict[str, int]], key: Key) -> bool:
    """Whether a report is of moodle.xml's quiz (questions drawn whole), not of the GIFT
    file's (a part per slot): its number of slots, and where the GIFT quiz has as many,
    a question text ending with a question's title or a cloze's response."""
    slots = columns(key)
    if len(numbers) != len(slots):
        return False
    if len(numbers) != len(items.slots(key)):
        return True
    seated = [cells for column, cells in zip(slots, numbers, strict=True) if not column.essay]
    for row in rows[1:]:
        for cells in seated:
            text = row[cells["Question"]].strip() if "Question" in cells else ""
            said = row[cells["Response"]].strip() if "Response" in cells else ""
            if TITLE.search(text) or CLOZE_PART.match(said):
                return True
    return False


def columns(key: Key) -> list[Column]:
    """The quiz's slots, in order: each seat, then its essay seats."""
    return [c for seat in seats(key)
            for c in (Column(seat), *(Column(seat, e.part) for e in seat.essays))]  # fmt: skip


def read(rows: list[list[str]], key: Key, numbers: list[dict[str, int]], path: str,
         readers: dict[str, reports.Reader]) -> list[Response]:  # fmt: skip
    """Every row's responses, each to the part of the variant its seat drew."""
    slots = columns(key)
    exam = reports.Exam(key, lambda item: item.html)
    if not exam.people:  # no student's own copy to fall back on
        _identifiable(slots, numbers, path)
    number = numbering(key, slots)
    responses = []
    for line, row, identity, where in reports.student_rows(rows, path, STATE):
        own = reports.copy_of(exam, identity, [], where) if exam.people else ""
        drawn = {c.seat.ident: _drawn(c.seat, cells, row, key, where, own)
                 for c, cells in zip(slots, numbers, strict=True) if not c.essay}  # fmt: skip
        copy, sitting = (own, False) if own else _copy(exam, identity, list(drawn.values()), where)
        for column, cells in zip(slots, numbers, strict=True):
            raw = row[cells["Response"]].strip() if "Response" in cells else ""
            shown = drawn[column.seat.ident]
            answers = _answers(column, shown, "" if raw == NONE else raw, readers,
                               number(column.seat, shown, copy))  # fmt: skip
            assumed = "Question" not in cells and len(column.seat.drawn) > 1
            responses += [Response(copy, label, text, line, identity, source=shown.variant,
                                   question=shown.question.id, sitting=sitting, assumed=assumed)
                          for label, text in answers]  # fmt: skip
    return responses


def _answers(column: Column, shown: Drawn, raw: str, readers: dict[str, reports.Reader],
             number: str) -> list[tuple[str, str]]:  # fmt: skip
    """The slot's response as (label, response) of the drawn question's parts: an essay
    seat's to its one part, a seat's cloze split among its parts' blanks."""
    if column.essay:
        part = next((p for p in shown.parts if p.part.part == column.essay), None)
        return [] if part is None else [(_label(number, part), raw)]
    if not _blank_counts(shown):  # an essay: its box answers the question's first part
        (part,) = answered_here(shown)
        return [(_label(number, part), raw)]
    pieces = _pieces(raw)
    at, out = 1, []
    for part, count in _blank_counts(shown):
        given = [pieces.get(i, "").strip() for i in range(at, at + count)]
        at += count
        out.append((_label(number, part), _part_text(part, given, readers)))
    return out


def _part_text(part: Item, given: list[str], readers: dict[str, reports.Reader]) -> str:
    """One part's blanks' responses as ours: a statement's blank left empty is no decision
    (wrong, as Moodle scores it), a matching blank left empty no pair."""
    info = part.part
    if part.kind == "multi":
        return reports.verdicts(info, given)
    if not any(given):
        return ""
    ways = assignments(info)
    if ways is not None:  # one choice of the ways to answer: the pairs of the one chosen
        chosen = reports.fingerprint(given[0])
        way = next((w for w in ways if reports.fingerprint(assignment_text(info, w)) == chosen),
                   None)  # fmt: skip
        return given[0] if way is None else reports.pairs(info, list(zip(info.answer, way,
                                                                        strict=True)))  # fmt: skip
    if part.kind == "matching":
        return reports.pairs(info, [(left, right) for left, right
                                    in zip(info.answer, given, strict=True) if right])  # fmt: skip
    if len(given) == 1:
        return readers[part.kind](info, given[0])
    return reports.entries(given)


def _label(number: str, part: Item) -> str:
    """The part's label under the number its question is graded under."""
    return f"{number}{part.label[part.label.index('(') :]}"


def numbering(key: Key, slots: list[Column]) -> Callable[[Seat, Drawn, str], str]:
    """The number a seat's question is graded under, for a row of copy ``copy``: the
    seat's, which every copy prints (or a pool's picks print); else (copies print it under
    different numbers: a shuffled class) the copy's own number for the drawn question,
    and for a student who sat no copy, the seat's place in the quiz."""
    places = {c.seat.ident: str(n) for n, c in
              enumerate((c for c in slots if not c.essay), start=1)}  # fmt: skip
    printed = {v.variant: {q.id: str(q.number) for q in v.questions} for v in key.variants}

    def number(seat: Seat, drawn: Drawn, copy: str) -> str:
        if seat.label.isdigit():
            return seat.label
        return printed.get(copy, {}).get(drawn.question.id) or places[seat.ident]

    return number


def _blank_counts(drawn: Drawn) -> list[tuple[Item, int]]:
    """The drawn question's auto-graded parts, each with its number of blanks."""
    blanks = whole_blanks(drawn)
    return [(p, len(blanks[p.part.part])) for p in drawn.parts if not written(p)]


def _pieces(text: str) -> dict[int, str]:
    """``part 1: 3; part 2: 4`` as {1: "3", 2: "4"} ({} for a cell without them: an
    attempt not answered)."""
    found = list(CLOZE_PART.finditer(text))
    if not found:
        return {}
    return {int(m.group(1)): text[m.end() : nxt.start() if nxt else len(text)]
            for m, nxt in zip(found, [*found[1:], None], strict=True)}  # fmt: skip


def _drawn(seat: Seat, cells: dict[str, int], row: list[str], key: Key, where: str,
           own: str) -> Drawn:  # fmt: skip
    """The variant a seat drew for this row: the one its question text's title names, or
    the seat's only one; without the question text, the roster student's own copy's
    (``Response.assumed``: ``grade`` takes it only when told each student took a quiz of
    their own copy)."""
    if len(seat.drawn) == 1:
        return seat.drawn[0]
    if "Question" not in cells:
        return _own(seat, key, own)
    found = TITLE.search(row[cells["Question"]].strip())
    title = f"{found.group(1)} {found.group(2)}" if found else ""
    for drawn in seat.drawn:
        if drawn.title == title:
            return drawn
    if found and found.group(2) not in {v.variant for v in key.variants}:
        raise ResponsesError(
            f"{where}: the question '{title}' is not in this run's key (exam "
            f"{key.exam.code}); grade this report against the run it was exported from."
        )
    raise ResponsesError(
        f"{where}: the question of slot Question {seat.label} is no variant its category "
        f"'{seat.label} {reports.short(seat.title)}' holds; the report is from another quiz: "
        "grade it against the run whose moodle.xml the quiz imported."
    )


def _own(seat: Seat, key: Key, copy: str) -> Drawn:
    """The variant of the seat's questions the copy prints (its pool's pick, with --pool)."""
    variant = next(v for v in key.variants if v.variant == copy)
    printed = {(q.source or copy, q.id) for q in variant.questions}
    return next((d for d in seat.drawn if (d.variant, d.question.id) in printed), seat.drawn[0])


def _copy(exam: reports.Exam, identity: tuple[tuple[str, str], ...], drawn: list[Drawn],
          where: str) -> tuple[str, bool]:  # fmt: skip
    """Who the row is graded as: its roster student's copy; without a roster, the one copy
    every drawn question is of (a quiz per copy), else the LMS's student, who sat the
    questions drawn (a sitting: ``Response.sitting``)."""
    if exam.people:
        return reports.copy_of(exam, identity, [], where), False
    common = {d.variant for d in drawn}
    if len(common) == 1 and not exam.pooled:
        return common.pop(), False
    named = "user id (Email address, ID number or Username)"
    return reports.sitter(identity, reports.ID_COLUMNS, named, where), True


def _identifiable(slots: list[Column], numbers: list[dict[str, int]], path: str) -> None:
    """Refuse a download whose rows cannot say which variant a seat drew: a seat of
    several variants without its question text."""
    for n, (column, cells) in enumerate(zip(slots, numbers, strict=True)):
        seat = column.seat
        if not column.essay and len(seat.drawn) > 1 and "Question" not in cells:
            raise ResponsesError(
                f"{path}, line 1: no question text for slot {n + 1} (Question {seat.label}), "
                f"which draws one of {len(seat.drawn)} variants: the report cannot say which "
                "one each student answered. Download the Responses report again with 'Show "
                "the question text' ticked (its Display options), as well as the response."
            )
