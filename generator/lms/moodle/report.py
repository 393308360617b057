"""Moodle's quiz "Responses" report, read as responses to our parts.

The report, read from Moodle's own code (moodle/moodle, ``mod/quiz/report/responses/report.php`` and
``last_responses_table.php``, ``mod/quiz/classes/local/reports/attempts_report.php``,
strings in ``mod/quiz/report/responses/lang/en/quiz_responses.php``): a download has
``Last name, First name``, the site's identity fields (``Email address``, ``ID number``,
``Username`` ...), ``State`` (``Status`` in 4.x), ``Started on, Completed, Duration``
(``Time taken`` before), ``Grade/<max>``, then per quiz slot ``Question N`` (its question
summary), ``Response N`` and ``Right answer N`` as chosen, N the slot's number.  An
empty cell is ``-``.  The question summary is ``html_to_text`` of the question text
(cloze blanks written ``_____``; a multichoice's options appended), never its name.  A
cloze (multianswer) response is ``part 1: 3; part 2: 4``
(``question/type/multianswer/question.php``, ``summarise_response``; string
``subqresponse``; a select-all part's True/False blanks alike), a multichoice one its
options' texts joined by ``; ``, a matching one ``stem -> choice`` pairs joined by ``; ``.

A quiz of moodle.xml's questions has a slot per question drawn whole and per written
part (``slot-marks.csv``): moodle/drawn_report.py reads it.  A quiz of the GIFT file's
has a slot per exam part (``gift-slot-marks.csv``), each read here, against the variant
its question text names.
"""

from __future__ import annotations

import re
import warnings

from generator.grading.records import GradingWarning, Response, ResponsesError
from generator.key.records import Key, PartInfo
from generator.lms import reports
from generator.lms.items import Item
from generator.lms.moodle import drawn_report
from generator.lms.reports import Entry, Exam
from generator.lms.scoring import items

NAME = "Moodle Responses"
SLOT = re.compile(r"(Question|Response|Right answer) (\S+)")
STATE = ("State", "Status")
NONE = "-"
CLOZE_PART = re.compile(r"(?:^|;\s*)part (\d+):\s?")


def _blanks(part: PartInfo, text: str) -> str:
    """``part 1: 3; part 2: 4`` as ``3; 4``; a blank it leaves out stays in its place."""
    found = list(CLOZE_PART.finditer(text))
    if not found:
        return text
    given = {int(m.group(1)): text[m.end() : nxt.start() if nxt else len(text)]
             for m, nxt in zip(found, [*found[1:], None], strict=True)}  # fmt: skip
    return reports.entries([given.get(i, "") for i in range(1, len(items(part)) + 1)])


def _matching(part: PartInfo, text: str) -> str:
    matched = [piece.rsplit(" -> ", 1) for piece in text.split("; ") if piece.strip()]
    return reports.pairs(part, [(p[0], p[1] if len(p) > 1 else "") for p in matched])


def _statements(part: PartInfo, text: str) -> str:
    """A cloze of True/False blanks (``part 1: True; part 2: False``) as the statements
    said true; the options' texts of a select-all multichoice (an earlier export) as theirs."""
    if not CLOZE_PART.search(text):
        return reports.picked(part, text)
    given = _blanks(part, text).split("; ")
    return reports.verdicts(part, ["" if g == reports.EMPTY_ENTRY else g for g in given])


READERS = reports.readers(__name__, blanks=_blanks, matching=_matching, statements=_statements)


def _text(item: Item) -> str:
    """The question text Moodle summarises, of a GIFT question (a part): ours, ending with
    its title, which names the variant."""
    return item.html


def recognise(header: list[str]) -> bool:
    has_slot = any(SLOT.fullmatch(h) and h.startswith("Response") for h in header)
    return has_slot and any(h in STATE or h.startswith("Grade/") for h in header)


def read(rows: list[list[str]], key: Key, path: str) -> list[Response]:
    """A Responses report's rows as responses to our parts."""
    header = rows[0]
    numbers: dict[str, dict[str, int]] = {}
    for c, name in enumerate(header):
        if found := SLOT.fullmatch(name):
            numbers.setdefault(found.group(2), {})[found.group(1)] = c
    _check_total(header, key, path)
    if drawn_report.recognise(rows, list(numbers.values()), key):  # moodle.xml: whole
        return drawn_report.read(rows, key, list(numbers.values()), path, READERS)
    exam = Exam(key, _text)
    if len(numbers) != len(exam.slots):
        raise ResponsesError(
            f"{path}, line 1: {len(numbers)} quiz slots where a quiz of this exam has "
            f"{len(drawn_report.columns(key))} (moodle.xml: a slot per question and per "
            f"written part, as slot-marks.csv lists them) or {len(exam.slots)} (GIFT: a slot "
            "per part); the report is from another quiz, or its quiz was not built as "
            "slot-marks.csv says."
        )
    _identifiable(exam, numbers, path)
    responses = []
    for line, row, identity, where in reports.student_rows(rows, path, STATE):
        slots = [(n, cols, _found(exam, n, cols, row, where))
                 for n, cols in enumerate(numbers.values())]  # fmt: skip
        copy = reports.copy_of(exam, identity, [f for _, _, f in slots if f is not None], where)
        for n, cols, found in slots:
            raw = row[cols["Response"]].strip() if "Response" in cols else ""
            items = found if found is not None else exam.own(copy, n)
            entry = reports.entry_of(exam, copy, items, where, raw, drawn=found is not None)
            text = "" if raw == NONE else READERS[entry.part.kind](entry.part, raw)
            responses.append(Response(copy, entry.label, text, line, identity,
                                      exam.source(entry, copy)))  # fmt: skip
    return responses


TOTAL = re.compile(r"Grade/(\d+(?:\.\d+)?)")


def _check_total(header: list[str], key: Key, path: str) -> None:
    """Warn when the quiz's maximum grade is neither the exam's points nor its points with
    the bonus: its slot marks differ from the paper's (set them from slot-marks.csv), or
    Moodle scales the total."""
    found = next((m for h in header if (m := TOTAL.fullmatch(h.strip()))), None)
    if found is None:
        return
    total = float(found.group(1))
    paper = (key.exam.points, key.exam.points + key.exam.bonus_points)
    if all(abs(total - points) > 1e-6 for points in paper):
        warnings.warn(GradingWarning(
            f"{path}: the quiz's maximum grade is {total:g}, the exam's {paper[0]:g} points "
            f"({paper[1]:g} with its bonus); the responses are graded by the exam's points: "
            "set the quiz's slot marks from slot-marks.csv and its maximum grade to their sum."
        ), stacklevel=2)  # fmt: skip


def _identifiable(exam: Exam, numbers: dict[str, dict[str, int]], path: str) -> None:
    """Refuse a download that cannot say which variant each student was shown: where a
    part's category holds several variants, a quiz drawing one at random shows students
    any of them, and only the question text in the report tells which."""
    for (n, columns), slot in zip(enumerate(numbers.values()), exam.slots, strict=True):
        if "Question" not in columns and len(slot.items) > 1:
            raise ResponsesError(
                f"{path}, line 1: no question text for slot {n + 1} ({slot.label}), whose "
                f"category holds {len(slot.items)} variants: the report cannot say which one "
                "each student answered. Download the Responses report again with 'Show the "
                "question text' ticked (its Display options), as well as the response."
            )


def _found(exam: Exam, slot: int, columns: dict[str, int], row: list[str],
           where: str) -> list[Entry] | None:  # fmt: skip
    """The items of slot ``slot`` whose text the row's question summary is (None: no
    summary, the slot's place decides)."""
    if "Question" not in columns or row[columns["Question"]].strip() in ("", NONE):
        return None
    text = row[columns["Question"]]
    titled = exam.titled(text, where)
    if titled:
        return [titled]
    found = exam.matching(text, (e for e in exam.entries if e.slot == slot))
    if not found:
        raise ResponsesError(
            f"{where}: the question of slot {slot + 1} is no variant of this exam's part "
            f"{exam.slots[slot].label}; the report is from another quiz: grade it against "
            "its own run."
        )
    return found
