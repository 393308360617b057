"""``slot-marks.csv``: the mark to set in each random-question slot of a Moodle quiz.

A quiz built with "Add a random question" (one slot per category, that is per exam part)
gives every slot a mark of 1, whatever the questions' own marks (mod/quiz structure.php,
add_random_questions), and grades a question by its fraction times that mark.  So each
slot's mark must be set to the part's points by hand, and this table, one row per part in
the exam's order, says to what.  It also says what each Moodle file imports the part as,
for a quiz that adds the questions themselves: moodle.xml a question's ``defaultgrade``,
or for a cloze question its blanks' weights' sum (:func:`moodle.cloze_weights`); GIFT has
no points, so 1.  A CSV, like answer-key.csv beside it: it opens in any spreadsheet,
sorts and filters, and a script can read it.
"""

from __future__ import annotations

from pathlib import Path

from generator.key.records import Key
from generator.lms.items import Item, Slot, slots
from generator.lms.moodle.xml import cloze_mark, question_type
from generator.tables import csv_text, plain

COLUMNS = ("label", "question", "points", "bonus", "moodle_xml_imports_as", "gift_imports_as",
           "slot_mark_to_set", "note")  # fmt: skip
GIFT_MARK = 1


def export(key: Key) -> str:
    """The table as CSV text, one row per exam part."""
    return csv_text([_row(slot) for slot in slots(key)], COLUMNS)


def _row(slot: Slot) -> list[object]:
    first = slot.items[0]
    return [
        slot.label,
        slot.title,
        plain(slot.points),
        first.part.bonus,
        _span([_moodle_xml_mark(item) for item in slot.items]),
        GIFT_MARK,
        plain(slot.points),
        _note(slot),
    ]


def _moodle_xml_mark(item: Item) -> float | int:
    return cloze_mark(item) if _cloze(item) else item.points


def _cloze(item: Item) -> bool:
    """Moodle's type for the item's kind is cloze (marked by its blanks' weights)."""
    return question_type(item)[0] == "cloze"


def _span(marks: list[float | int]) -> str:
    """One mark, or the lowest and highest when the variants differ (a cloze question's
    mark follows its number of entries)."""
    low, high = min(marks), max(marks)
    return plain(low) if low == high else f"{plain(low)} to {plain(high)}"


def _note(slot: Slot) -> str:
    if _cloze(slot.items[0]) and any(cloze_mark(i) != i.points for i in slot.items):
        return (
            "moodle.xml: cloze, marked by the sum of its blank weights (Moodle ignores "
            "defaultgrade), whole numbers in the rubric's proportions that cannot sum to "
            "the points"
        )
    return ""


def write_beside(key: Key, out: Path) -> list[Path]:
    """``slot-marks.csv`` beside either Moodle file (both need it): listed only when
    written anew, so that exporting moodle and gift together names it once."""
    path = out / "slot-marks.csv"
    content = export(key).encode()
    if path.is_file() and not path.is_symlink() and path.read_bytes() == content:
        return []
    path.write_bytes(content)
    return [path]
