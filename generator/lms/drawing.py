"""How each format's quiz draws the questions, set against the paper: the notes that say it.

A paper copy prints whole questions, one variant each, and a blueprint table that picks M
questions prints M different ones.  An LMS quiz draws at random from pools, and what a
pool holds decides what a student can be shown:

- moodle.xml draws whole questions (lms/seats.py): a seat per question, each variant one
  cloze with all its parts.  A table that picks M questions is M seats, each drawing from
  its own share of the table, so that no student gets one question twice: the pairs the
  shares split never meet.
- GIFT, Canvas QTI 1.2, QTI 2.1 and Blackboard have no question that holds several
  numeric answers with tolerances beside choices, so their pools hold a part each: a
  quiz draws each part on its own, and a student may see the parts of one question from
  different variants (``grade`` grades each against the variant shown, where the
  report's text names it).  A table that picks cannot be drawn part by part: their
  pools hold every question the table may pick, and the quiz asks them all.

:func:`drawing` says this per format for a key, for ``scoring-notes.txt`` (its last
section, and the parts named as each quiz names them) and for the lines ``export`` prints.
"""

from __future__ import annotations

from collections.abc import Sequence

from generator.key.records import Key
from generator.lms.scoring import Drawing
from generator.lms.seats import Seat, seats

WHOLE = ("moodle",)


def drawing(key: Key, formats: Sequence[str], names: dict[str, str]) -> Drawing:
    """What scoring-notes.txt says of the formats' quizzes (lms/scoring.py ``Drawing``)."""
    return Drawing(notes(key, formats, names), warnings(key, formats, names),
                   {fmt: seat_labels(key) for fmt in formats if fmt in WHOLE})  # fmt: skip


def seat_labels(key: Key) -> dict[tuple[str, str], str]:
    """Each part as moodle.xml's quiz names it: its seat's number and its letters, with
    its question's title where the seat draws several questions."""
    labels = {}
    for seat in seats(key):
        several = len({d.question.id for d in seat.drawn}) > 1
        for drawn in seat.drawn:
            for item in drawn.parts:
                letters = item.label[item.label.index("(") :]
                title = f" ({drawn.question.title})" if several else ""
                labels[drawn.question.id, item.part.part] = f"{seat.label}{letters}{title}"
    return labels


def notes(key: Key, formats: Sequence[str], names: dict[str, str]) -> list[str]:
    """One paragraph per format: what its quiz draws, and where that is not the paper."""
    return [f"{names[fmt]}:\n" + "\n".join(f"  {line}" for line in _lines(key, fmt))
            for fmt in formats]  # fmt: skip


def warnings(key: Key, formats: Sequence[str], names: dict[str, str]) -> list[str]:
    """What an instructor must know before building the quiz, one sentence per format."""
    found = []
    for fmt in formats:
        shared = [s.label for s in _seats(key, fmt) if s.note]
        if shared:
            found.append(f"{names[fmt]}: questions {', '.join(shared)} each draw from a "
                         "share of their table, so that no student gets one twice")  # fmt: skip
        picks = _picks(key, fmt)
        if picks:
            found.append(f"{names[fmt]}: its quiz draws parts, not questions, and asks every "
                         f"question of a table that picks ({picks}); use moodle.xml, or "
                         "remove the extra questions' pools")  # fmt: skip
    return found


def _lines(key: Key, fmt: str) -> list[str]:
    if fmt in WHOLE:
        lines = ["Whole questions: a category per question (a seat), each variant one "
                 "cloze question with all its parts; a written part in an essay seat after "
                 "it."]  # fmt: skip
    else:
        lines = ["A part at a time: a pool per part, so a quiz may show a student the parts "
                 "of one question from different variants (grade grades each against the "
                 "variant shown)."]  # fmt: skip
    seated = _seats(key, fmt)
    if seated and fmt not in WHOLE:
        lines.append("A table of one-part questions that picks: a group per pick, each "
                     "drawing one question whole.")  # fmt: skip
    lines += [f"Question {s.label}: {s.note}." for s in seated if s.note]
    picks = _picks(key, fmt)
    if picks:
        lines.append(f"Its pools hold every question of a table that picks ({picks}): a "
                     "quiz of them asks them all, where each paper copy prints the picks "
                     "only.")  # fmt: skip
    return lines


def _seats(key: Key, fmt: str) -> list[Seat]:
    """The seats a format's quiz draws whole questions from."""
    if fmt in WHOLE:
        return seats(key)
    if fmt == "canvas":
        from generator.lms.canvas import qti12  # its groups: only for Canvas's notes

        return qti12.seats(key)
    return []


def _picks(key: Key, fmt: str) -> str:
    """The tables that pick whose questions the format cannot draw whole, said briefly:
    ``2 of 4, 1 of 3``."""
    seated = {d.question.id for s in _seats(key, fmt) for d in s.drawn}
    return ", ".join(f"{p.pick} of {len(p.from_)}" for p in key.exam.pools or ()
                     if not seated.intersection(p.from_))  # fmt: skip
