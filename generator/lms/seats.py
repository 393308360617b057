"""The key seen as a quiz that draws whole questions: one seat per question a copy prints,
one item per variant of a question, every part of it inside.

A quiz that draws one random question per *part* (lms/items.py's slots) shows a student
part (a) of one variant and part (b) of another: the numbers of (b) no longer follow
from (a)'s, and the student sees a question no copy prints.  A seat draws a question
whole: one LMS question per variant holding all its parts (a Moodle cloze), so that a
student answers the variant the paper copies print, every part of it.

Seats follow the blueprint.  A question every copy prints is one seat, named by the
number copies print it under.  A ``[[questions]]`` table that picks M of its questions
(key.json ``exam.pools``) is M seats, each drawing from its own share of the table's
questions (dealt in turn): an LMS draws each seat on its own, and two seats drawing
from the whole table would show a student one question twice, in two variants.  Such a
seat's :attr:`Seat.note` says so.

The parts a person grades from a written answer (items.by_hand, and the kinds whose
Moodle question is an essay) are asked inside the drawn question and answered in an
essay seat of their own beside it, one per part, whose text is the same for every
variant: the LMS's report then gives the essay's response on the same row as the drawn
question that says which variant it answers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from generator.key.records import Key, PartInfo, QuestionInfo
from generator.lms.items import Item, by_hand, drawn_once, ident, item
from generator.lms.scoring import ESSAY, NATIVE

SHARED = (
    "its table picks {pick} of {count} questions, and an LMS draws each seat on its own: "
    "this seat draws only from {names}, so that no student gets one question twice"
)


@dataclass(frozen=True)
class Drawn:
    """One variant of one question, as a seat draws it: all its parts."""

    question: QuestionInfo
    variant: str  # the code of the copy it was drawn for (a pool's copy, with --pool)
    ident: str
    title: str  # ``<number> <code>``: its number in that copy, and the copy's code
    parts: tuple[Item, ...]


@dataclass(frozen=True)
class Essay:
    """The seat beside a drawn question where one part it asks is written out."""

    label: str  # the seat's number and the part's letters: 2(c)
    part: str  # the part's own letters, as the drawn questions name it
    ident: str
    points: float
    bonus: bool
    kind: str
    note: str = ""


@dataclass(frozen=True)
class Seat:
    """One quiz slot that draws a whole question: the variants it may draw, and the essay
    seats that follow it."""

    label: str  # the number copies print the question under (its id where they differ)
    ident: str
    title: str
    drawn: tuple[Drawn, ...]
    essays: tuple[Essay, ...]
    note: str = ""

    @property
    def points(self) -> float:
        """What the parts answered in the drawn question are worth (its essays apart)."""
        return sum(p.points for p in answered_here(self.drawn[0]))

    @property
    def bonus(self) -> float:
        """The bonus points among those (the quiz's total counts them: Moodle has no
        bonus marks)."""
        return sum(p.points for p in answered_here(self.drawn[0]) if p.part.bonus)


def written(item: Item) -> bool:
    """Whether the part is answered in writing: Moodle makes it an essay (a person reads
    every answer), which a cloze question cannot hold."""
    return by_hand(item.part) or NATIVE[item.kind]["moodle"] == ESSAY


def answered_here(drawn: Drawn) -> list[Item]:
    """The parts answered in the drawn question itself: its auto-graded parts (a cloze's
    blanks); where it has none, its first written part (the question is then an essay,
    whose box answers that part)."""
    auto = [p for p in drawn.parts if not written(p)]
    return auto or drawn.parts[:1]


def essay_parts(drawn: Drawn) -> list[Item]:
    """The written parts answered in essay seats after the drawn question."""
    here = answered_here(drawn)
    return [p for p in drawn.parts if written(p) and p not in here]


def seats(key: Key) -> list[Seat]:
    """The quiz's seats in the exam's order: a question every copy prints as one seat, a
    table that picks M questions as M."""
    exam = key.exam.name
    drawn = _drawn(key)
    numbers = _numbers(key)
    tables = {qid: pool for pool in key.exam.pools or () for qid in pool.from_}
    out: list[Seat] = []
    done: set[int] = set()
    for qid in key.exam.questions:
        pool = tables.get(qid)
        if pool is None:
            label = _one(numbers.get(qid, set())) or qid
            out.append(_seat(exam, label, drawn[qid][0].question.title, drawn[qid]))
            continue
        if pool.table in done:
            continue
        done.add(pool.table)
        out += _table_seats(exam, pool.pick, pool.from_, drawn, numbers)
    return out


def _table_seats(exam: str, pick: int, ids: list[str], drawn: dict[str, list[Drawn]],
                 numbers: dict[str, set[int]]) -> list[Seat]:  # fmt: skip
    """A table's M seats, each with its share of the table's questions (dealt in turn)."""
    printed = sorted(set().union(*(numbers.get(qid, set()) for qid in ids)))
    labels = [str(n) for n in printed] if len(printed) == pick else []
    result = []
    for j in range(pick):
        share = [qid for qid in ids[j::pick] if qid in drawn]
        if not share:
            continue
        variants = [d for qid in share for d in drawn[qid]]
        titles = [drawn[qid][0].question.title for qid in share]
        note = SHARED.format(pick=pick, count=len(ids), names=", ".join(titles)) if pick > 1 else ""
        label = labels[j] if labels else f"{ids[0]} pick {j + 1}"
        result.append(_seat(exam, label, " or ".join(titles), variants, note))
    return result


def _seat(exam: str, label: str, title: str, drawn: list[Drawn], note: str = "") -> Seat:
    return Seat(label, ident(exam, "seat", label), title, tuple(drawn),
                _essays(exam, label, drawn), note)  # fmt: skip


def _essays(exam: str, label: str, drawn: list[Drawn]) -> tuple[Essay, ...]:
    """One essay seat per written part of the seat's questions, by the part's letters;
    noted where the questions a seat draws do not all have the part at the same points."""
    found: dict[str, list[Item]] = {}
    for d in drawn:
        for part in essay_parts(d):
            found.setdefault(part.part.part, []).append(part)
    essays = []
    for letters, parts in found.items():
        first = parts[0].part
        same = len(parts) == len(drawn) and all(p.points == first.points for p in parts)
        note = "" if same else (
            f"not every question this seat draws has a written part {letters} of "
            f"{first.points:g} points: mark it out of the drawn question's points by hand"
        )  # fmt: skip
        essays.append(Essay(f"{label}{_letters(first)}", letters, ident(exam, "essay", label,
                            letters), first.points, first.bonus, first.kind, note))  # fmt: skip
    return tuple(essays)


def _letters(part: PartInfo) -> str:
    """``(b)(ii)`` of the label ``3(b)(ii)``."""
    return part.label[part.label.index("(") :]


def _drawn(key: Key) -> dict[str, list[Drawn]]:
    """Every variant of each question the key holds (items.drawn_once), by question id."""
    exam = key.exam.name
    out: dict[str, list[Drawn]] = {}
    for source, question in drawn_once(key):
        parts = _parts(exam, source, question)
        title = f"{question.number} {source}"
        code = ident(exam, source, str(question.number), question.id)
        out.setdefault(question.id, []).append(Drawn(question, source, code, title, parts))
    return out


def _parts(exam: str, source: str, question: QuestionInfo) -> tuple[Item, ...]:
    """The question's parts inside it: a context that parts in a row share, once."""
    figures = tuple(question.figures.values())
    before = ["", *(p.context for p in question.parts)]
    return tuple(item(exam, source, question, part, figures, alone=False,
                      context=part.context != previous)
                 for part, previous in zip(question.parts, before, strict=False))  # fmt: skip


def _numbers(key: Key) -> dict[str, set[int]]:
    """The numbers each question is printed under, over all copies."""
    found: dict[str, set[int]] = {}
    for variant in key.variants:
        for question in variant.questions:
            found.setdefault(question.id, set()).add(question.number)
    return found


def _one(values: Iterable[int]) -> str | None:
    values = set(values)
    return str(values.pop()) if len(values) == 1 else None
