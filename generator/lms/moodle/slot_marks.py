"""The quiz to build in Moodle, slot by slot: ``slot-marks.csv`` beside moodle.xml,
``gift-slot-marks.csv`` beside the GIFT file.

A quiz built with "Add a random question" (one slot per category) gives every slot a mark
of 1, whatever the questions' own marks (mod/quiz structure.php, add_random_questions),
and grades a question by its fraction times that mark.  So each slot's mark must be set
by hand, and these tables, one row per slot in the quiz's order, say to what; the quiz's
maximum grade is then their sum, the paper's points.

- moodle.xml draws whole questions (lms/seats.py): a row per seat, worth its question's
  auto-graded parts, then a row per essay seat beside it, worth its part.  ``bonus`` is
  the bonus points among a slot's points (Moodle has no bonus marks: they count in the
  quiz's total, which is the paper's points with its bonus).  A cloze
  question imports worth its blanks' weights' sum, which the slot's mark replaces.
- GIFT has no cloze, so its quiz draws a part at a time: a row per exam part.  GIFT has
  no points: every question imports worth 1.

CSV, like answer-key.csv beside them: they open in any spreadsheet, and a script (the
instructor's, or one that builds the quiz through Moodle's web services) can read them.
"""

from __future__ import annotations

from pathlib import Path

from generator.key.records import Key
from generator.lms.items import slots
from generator.lms.moodle.xml import whole_weights
from generator.lms.seats import seats
from generator.tables import csv_text, plain

COLUMNS = ("label", "question", "points", "bonus", "imports_as", "slot_mark_to_set", "note")
GIFT_MARK = 1


def seat_table(key: Key) -> str:
    """moodle.xml's quiz: each seat, then its essay seats."""
    rows: list[list[object]] = []
    for seat in seats(key):
        rows.append([seat.label, seat.title, plain(seat.points), plain(seat.bonus),
                     _span([sum(whole_weights(d)) or seat.points for d in seat.drawn]),
                     plain(seat.points), seat.note])  # fmt: skip
        rows += [[essay.label, seat.title, plain(essay.points),
                  plain(essay.points if essay.bonus else 0),
                  plain(essay.points), plain(essay.points), essay.note]
                 for essay in seat.essays]  # fmt: skip
    return csv_text(rows, COLUMNS)


def gift_table(key: Key) -> str:
    """The GIFT file's quiz: one slot per exam part."""
    rows = [[slot.label, slot.title, plain(slot.points),
             plain(slot.points if slot.items[0].part.bonus else 0), GIFT_MARK,
             plain(slot.points), ""] for slot in slots(key)]  # fmt: skip
    return csv_text(rows, COLUMNS)


def _span(marks: list[int]) -> str:
    """One mark, or the lowest and highest where the variants differ."""
    low, high = min(marks), max(marks)
    return plain(low) if low == high else f"{plain(low)} to {plain(high)}"


def write(key: Key, out: Path, name: str) -> list[Path]:
    """The table ``name`` beside its Moodle file: listed only when written anew."""
    content = TABLES[name](key)
    path = out / name
    if path.is_file() and not path.is_symlink() and path.read_text(encoding="utf-8") == content:
        return []
    path.write_text(content, encoding="utf-8")
    return [path]


TABLES = {"slot-marks.csv": seat_table, "gift-slot-marks.csv": gift_table}
