"""Responses from LMS quiz reports: Canvas's "Student Analysis" CSV, Moodle's "Responses" CSV.

What the reports hold, read from the LMSs' own code (the public repositories):

- **Canvas** (instructure/canvas-lms,
  ``app/models/quizzes/quiz_statistics/student_analysis.rb``, ``to_csv``): the header is
  ``name, id, sis_id`` (left out of anonymous quizzes; ``sis_id`` only for those who may
  see SIS ids), ``root_account`` (trusted accounts only), ``section, section_id,
  section_sis_id, submitted``, ``attempt`` (when all attempts are asked for), then two
  columns per quiz question: ``"<question id>: <question text, tags stripped>"`` and its
  points possible (``1.0``), and last ``n correct, n incorrect, score``.  A question the
  student was not given (another item of the group) leaves both cells empty.  Every cell
  passes through ``html_to_text``.  Fill-in-multiple-blanks answers are the blanks'
  answers joined by ``,`` (a comma inside one written ``\\,``); multiple answers the chosen
  options' texts joined the same way; matching ``left=>right`` pairs joined by ``,``;
  multiple choice the option's text; numerical and essay the text given.  The report
  carries no question name: a column is mapped to our item by its question text.
- **Moodle** (moodle/moodle, ``mod/quiz/report/responses/report.php`` and
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
  ``subqresponse``), a multichoice one its options' texts joined by ``; ``, a matching
  one ``stem -> choice`` pairs joined by ``; ``.

So a Moodle slot N is the exam's N-th part (the quiz adds one random question per part's
category, in the exam's order, as ``slot-marks.csv`` lists them), checked against the
question text when the report has it; a Canvas column is the item whose text it is.  An
item title ``1(a) <variant code>`` (what our exports name each question) found in a
header or question cell names the part and the copy outright.  A student is the roster's
whose id (or roster column such as ``ID``, ``SIS Login ID``, ``Email``) the LMS's
``sis_id``/``id`` or identity fields give; for numbered copies, the one copy whose items
the student's questions are.  Texts are compared by their letters and digits only, so
that the LMSs' HTML-to-text conversions (line wrapping, entities, capitals) do not matter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from generator.grading.records import Response, ResponsesError
from generator.kinds import table
from generator.lms.canvas import qti12 as canvas
from generator.lms.html import to_html
from generator.lms.items import Item, blanks_html, slots
from generator.lms.moodle import xml as moodle

TITLE = re.compile(r"(\d+\([a-z]+\)(?:\([ivx]+\))?) ([0-9a-f]{12})\b")
TAG = re.compile(r"<[^>]*>")
IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
CANVAS_TAIL = ["n correct", "n incorrect", "score"]
CANVAS_QUESTION = re.compile(r"(\d+): (.*)", re.DOTALL)
CANVAS_IDENTITY = ("sis_id", "id", "name", "section")  # ids first: the order they name one
NAME_COLUMNS = {"name", "section", "last name", "first name", "institution", "department"}
MOODLE_SLOT = re.compile(r"(Question|Response|Right answer) (\S+)")
MOODLE_STATE = ("State", "Status")
MOODLE_NONE = "-"
CLOZE_PART = re.compile(r"(?:^|;\s*)part (\d+):\s?")
ID_COLUMNS = {"id", "sis user id", "sis login id", "sis_id", "student id", "student_id",
              "id number", "idnumber", "username", "login", "email", "email address"}  # fmt: skip
EMPTY_ENTRY = "_"  # a blank left empty keeps its place among the entries


def fingerprint(text: str) -> str:
    """The letters and digits of a text, tags dropped and entities read, in lower case:
    what survives every LMS's conversion of our HTML to text."""
    return "".join(ch for ch in html.unescape(TAG.sub(" ", text)).lower() if ch.isalnum())


def segments(markup: str) -> tuple[str, ...]:
    """An item's text as fingerprints of the pieces between its figures (an LMS may write
    an image's alternative text there, or nothing)."""
    return tuple(fp for fp in (fingerprint(p) for p in IMAGE.split(markup)) if fp)


def overlap(text: str, pieces: Sequence[str]) -> int:
    """How much of an item's text the report's text shows, in order from its start; 0 when
    it is not that item's."""
    if not pieces or not text.startswith(pieces[0]):
        return 0
    at = len(pieces[0])
    for piece in pieces[1:]:
        found = text.find(piece, at)
        if found < 0:
            return 0
        at = found + len(piece)
    return sum(map(len, pieces))


@dataclass(frozen=True)
class Entry:
    """One item of the export, as a report can name it."""

    variant: str
    label: str
    slot: int  # its place among the exam's parts (Moodle's slot number - 1)
    part: dict[str, Any]
    pieces: tuple[str, ...]


class Exam:
    """The key seen from a report: its items (by text and by title), its copies and who
    sits each."""

    def __init__(self, key: dict[str, Any], text: Callable[[Item], str]) -> None:
        self.key = key
        self.slots = slots(key)
        self.entries = [Entry(item.variant, item.label, n, item.part, segments(text(item)))
                        for n, slot in enumerate(self.slots) for item in slot.items]  # fmt: skip
        self.by_copy: dict[str, list[Entry]] = {}
        for entry in self.entries:
            self.by_copy.setdefault(entry.variant, []).append(entry)
        self.people = _people(key["variants"])
        # With --pool, items are the pool's variants: each copy's own pick of each part.
        self.pooled = "pool" in key["exam"]
        self.picks = {v["variant"]: {p["label"]: q["pool"]["variant"] for q in v["questions"]
                                     for p in q["parts"]}
                      for v in key["variants"]} if self.pooled else {}  # fmt: skip

    def own(self, copy: str, slot: int) -> list[Entry]:
        """The items of slot ``slot`` the copy ``copy`` printed (its own pick, with --pool)."""
        code = self.picks.get(copy, {}).get(self.slots[slot].label, copy)
        return [e for e in self.by_copy.get(code, []) if e.slot == slot]

    def source(self, entry: Entry) -> str:
        """The pool copy a response to ``entry`` is graded against ("": the copy's own)."""
        return entry.variant if self.pooled else ""

    def titled(self, text: str, where: str) -> Entry | None:
        """The item a title ``1(a) <code>`` in ``text`` names; refused if this exam has none."""
        found = TITLE.search(text)
        if not found:
            return None
        label, code = found.groups()
        for entry in self.by_copy.get(code, []):
            if entry.label == label:
                return entry
        raise ResponsesError(
            f"{where}: the item '{label} {code}' is not in this run's key (exam "
            f"{self.key['exam']['code']}); grade this report against the run it was exported from."
        )

    def matching(self, text: str, pool: Iterable[Entry]) -> list[Entry]:
        """The items of ``pool`` whose text ``text`` is, the closest first (ties kept)."""
        mark = fingerprint(text)
        scored = [(overlap(mark, entry.pieces), entry) for entry in pool]
        best = max((score for score, _ in scored), default=0)
        return [entry for score, entry in scored if best and score == best]

    def student(self, identity: Sequence[tuple[str, str]]) -> str | None:
        """The copy of the roster's student the LMS's id columns name (names never do)."""
        for column, value in identity:
            if column.lower() not in NAME_COLUMNS and value.strip() in self.people:
                return self.people[value.strip()]
        return None


def _people(variants: list[dict[str, Any]]) -> dict[str, str]:
    """Each roster student's copy under their id and the id-like roster columns kept in
    the key (a value two students share names neither)."""
    names: dict[str, set[str]] = {}
    for variant in variants:
        student = variant.get("student")
        if not student:
            continue
        values = [student["id"]] + [v for k, v in student["extra"].items()
                                    if k.strip().lower() in ID_COLUMNS]  # fmt: skip
        for value in values:
            if value.strip():
                names.setdefault(value.strip(), set()).add(variant["variant"])
    return {value: copies.pop() for value, copies in names.items() if len(copies) == 1}


# ------------------------------------------------------------------ turning LMS text into ours


def _unescaped(text: str, separator: str) -> list[str]:
    """Canvas's list cells: split at separators not written ``\\<separator>``."""
    pieces = re.split(rf"(?<!\\){re.escape(separator)}", text)
    return [piece.replace("\\" + separator, separator) for piece in pieces]


def _entries(values: list[str]) -> str:
    return "; ".join(value.strip() or EMPTY_ENTRY for value in values)


def _canvas_blanks(part: dict[str, Any], text: str) -> str:
    return _entries(_unescaped(text, ",")) if text.strip() else ""


def _moodle_blanks(part: dict[str, Any], text: str) -> str:
    """``part 1: 3; part 2: 4`` as ``3; 4``; a blank it leaves out stays in its place."""
    found = list(CLOZE_PART.finditer(text))
    if not found:
        return text
    given = {int(m.group(1)): text[m.end() : nxt.start() if nxt else len(text)]
             for m, nxt in zip(found, [*found[1:], None], strict=True)}  # fmt: skip
    return _entries([given.get(i, "") for i in range(1, len(part["answer"]) + 1)])


def _option(part: dict[str, Any], text: str) -> str | None:
    mark = fingerprint(text)
    return next((o["label"] for o in part["options"]
                 if fingerprint(to_html(o["text"])) == mark), None)  # fmt: skip


def _choice(part: dict[str, Any], text: str) -> str:
    """An option's text as its label (``B``); a label given as such stays."""
    return _option(part, text) or text


def _picked(part: dict[str, Any], text: str) -> str:
    """The chosen options' texts, run together in the options' order, as their labels:
    found by the options' fingerprints, so no separator inside an option misleads it."""
    marks = [(o["label"], fingerprint(to_html(o["text"]))) for o in part["options"]]

    def labels(rest: str, start: int) -> list[str] | None:
        if not rest:
            return []
        for n in range(start, len(marks)):
            label, mark = marks[n]
            if (
                mark
                and rest.startswith(mark)
                and (tail := labels(rest[len(mark) :], n + 1)) is not None
            ):
                return [label, *tail]
        return None

    found = labels(fingerprint(text), 0)
    return text if found is None else "; ".join(found)


def _pairs(part: dict[str, Any], pairs: list[tuple[str, str]]) -> str:
    """Matched pairs as ``item=option`` in the key's own spelling of both."""
    items = {fingerprint(to_html(k)): k for k in part["answer"]}
    options = {fingerprint(to_html(o["text"])): o["text"] for o in part["options"]}
    written = []
    for left, right in pairs:
        item = items.get(fingerprint(left), left.strip())
        written.append(f"{item}={options.get(fingerprint(right), right.strip())}")
    return "; ".join(written)


def _canvas_matching(part: dict[str, Any], text: str) -> str:
    pairs = [_unescaped(piece, "=>") for piece in _unescaped(text, ",") if piece.strip()]
    return _pairs(part, [(p[0], p[1] if len(p) > 1 else "") for p in pairs])


def _moodle_matching(part: dict[str, Any], text: str) -> str:
    pairs = [piece.rsplit(" -> ", 1) for piece in text.split("; ") if piece.strip()]
    return _pairs(part, [(p[0], p[1] if len(p) > 1 else "") for p in pairs])


def _as_is(part: dict[str, Any], text: str) -> str:
    return text.strip()


Reader = Callable[[dict[str, Any], str], str]
# Each answer kind's response, as Canvas's and as Moodle's report write it, turned into ours.
READERS: dict[str, tuple[Reader, Reader]] = table(__name__, {
    "integer": (_as_is, _as_is), "number": (_as_is, _as_is),
    "vector": (_canvas_blanks, _moodle_blanks), "shape": (_canvas_blanks, _moodle_blanks),
    "choice": (_choice, _choice), "multi": (_picked, _picked),
    "matching": (_canvas_matching, _moodle_matching),
    "expression": (_as_is, _as_is), "text": (_as_is, _as_is), "code": (_as_is, _as_is),
})  # fmt: skip
CANVAS, MOODLE = 0, 1


# ------------------------------------------------------------------ one row's copy


def _copy_of(exam: Exam, identity: Sequence[tuple[str, str]], candidates: list[list[Entry]],
             where: str) -> str:  # fmt: skip
    """The copy a row answers: its roster student's, or the one copy all its items are of."""
    if exam.people:
        copy = exam.student(identity)
        if copy is None:
            shown = ", ".join(f"{k} '{v}'" for k, v in identity if v.strip()) or "no user columns"
            raise ResponsesError(
                f"{where}: no student of this class's roster is {shown}; grade the report "
                "against the run built with its roster, or add the student's id to the roster."
            )
        return copy
    if exam.pooled:
        raise ResponsesError(
            f"{where}: the LMS drew each item from a variant pool (--pool), so the items tell "
            "no copy; grade a pool run's LMS report against a class built with --roster."
        )
    common = (
        set.intersection(*({e.variant for e in c} for c in candidates)) if candidates else set()
    )
    if len(common) != 1:
        raise ResponsesError(
            f"{where}: its questions are not all items of one copy of this exam "
            f"({len(common)} fit); grade it against the run whose export the quiz imported."
        )
    return common.pop()


def _entry_of(exam: Exam, copy: str, found: list[Entry], where: str, response: str = "") -> Entry:
    if exam.pooled:  # the LMS drew the item from the part's pool: any of its variants
        found = _answered(response, found) or found
        mine = exam.picks.get(copy, {})
        return next((e for e in found if mine.get(e.label) == e.variant), found[0])
    own = [entry for entry in found if entry.variant == copy]
    if not own:
        raise ResponsesError(
            f"{where}: this question is no part of the copy of {exam_name(exam, copy)}; the "
            "report is from another exam or quiz: grade it against the run it was exported from."
        )
    return own[0]


def _answered(response: str, found: list[Entry]) -> list[Entry]:
    """Of a pool's variants whose question reads the same, those whose options the response
    is made of (most of it): a report shows a question's text without its options, and
    the variants differ in the statements they offer."""
    mark = fingerprint(response)
    if len(found) < 2 or not mark:
        return found
    cover = [sum(len(o) for o in map(fingerprint, map(to_html, _texts(e))) if o and o in mark)
             for e in found]  # fmt: skip
    best = max(cover)
    return [e for e, c in zip(found, cover, strict=True) if best and c == best]


def _texts(entry: Entry) -> list[str]:
    return [option["text"] for option in entry.part.get("options", [])]


def exam_name(exam: Exam, copy: str) -> str:
    variant = next(v for v in exam.key["variants"] if v["variant"] == copy)
    student = variant.get("student")
    return student["id"] if student else f"v{variant.get('copy', copy)}"


# ------------------------------------------------------------------ Canvas


def _canvas_text(item: Item) -> str:
    """The question text Canvas keeps for an item: ours, with its ``[b1]`` blanks."""
    if canvas.QUESTIONS[item.kind][0] == "fill_in_multiple_blanks_question":
        return item.html + blanks_html(
            item.part, [f"[b{i + 1}]" for i in range(len(item.part["answer"]))]
        )
    return item.html


def is_canvas(header: list[str]) -> bool:
    return header[-3:] == CANVAS_TAIL and "submitted" in header and "section" in header


def read_canvas(rows: list[list[str]], key: dict[str, Any], path: str) -> list[Response]:
    """A Student Analysis report's rows as responses to our parts."""
    header = rows[0]
    exam = Exam(key, _canvas_text)
    first = (
        header.index("submitted") + 1 + (header[header.index("submitted") + 1 :][:1] == ["attempt"])
    )
    columns = _canvas_columns(exam, header, first, path)
    people = [i for i, h in enumerate(header[:first]) if h in CANVAS_IDENTITY]
    people.sort(key=lambda i: CANVAS_IDENTITY.index(header[i]))
    responses = []
    for line, row in _rows(rows, path):
        identity = tuple((header[i], row[i]) for i in people)
        seen = [(c, found) for c, found in columns if row[c].strip() or row[c + 1].strip()]
        copy = _copy_of(exam, identity, [found for _, found in seen], f"{path}, line {line}")
        for c, found in seen:
            where = f"{path}, line {line}, column '{_short(header[c])}'"
            entry = _entry_of(exam, copy, found, where, row[c])
            text = READERS[entry.part["kind"]][CANVAS](entry.part, row[c])
            responses.append(Response(copy, entry.label, text, line, identity,
                                      exam.source(entry)))  # fmt: skip
    return responses


def _canvas_columns(exam: Exam, header: list[str], first: int, path: str
                    ) -> list[tuple[int, list[Entry]]]:  # fmt: skip
    """Each question column and the items whose text it shows (every copy's)."""
    columns = []
    for c in range(first, len(header) - len(CANVAS_TAIL), 2):
        question = CANVAS_QUESTION.fullmatch(header[c])
        where = f"{path}, line 1, column '{_short(header[c])}'"
        if question is None or c + 1 >= len(header) - len(CANVAS_TAIL):
            raise ResponsesError(f"{where}: not a '<question id>: <text>' column followed by its "
                                 "points; give the report as Canvas wrote it.")  # fmt: skip
        titled = exam.titled(question.group(2), where)
        found = [titled] if titled else exam.matching(question.group(2), exam.entries)
        if not found:
            raise ResponsesError(
                f"{where}: no item of this exam (exam {exam.key['exam']['code']}) has this "
                "question text; the report is from another quiz: grade it against its own run."
            )
        columns.append((c, found))
    return columns


# ------------------------------------------------------------------ Moodle


def _moodle_text(item: Item) -> str:
    """The question text Moodle summarises: ours, its cloze blanks written as nothing."""
    if moodle.QUESTIONS[item.kind][0] == "cloze":
        return item.html + blanks_html(item.part, [""] * len(item.part["answer"]))
    return item.html


def is_moodle(header: list[str]) -> bool:
    has_slot = any(MOODLE_SLOT.fullmatch(h) and h.startswith("Response") for h in header)
    return has_slot and any(h in MOODLE_STATE or h.startswith("Grade/") for h in header)


def read_moodle(rows: list[list[str]], key: dict[str, Any], path: str) -> list[Response]:
    """A Responses report's rows as responses to our parts."""
    header = rows[0]
    exam = Exam(key, _moodle_text)
    numbers: dict[str, dict[str, int]] = {}
    for c, name in enumerate(header):
        if found := MOODLE_SLOT.fullmatch(name):
            numbers.setdefault(found.group(2), {})[found.group(1)] = c
    if len(numbers) != len(exam.slots):
        raise ResponsesError(
            f"{path}, line 1: {len(numbers)} quiz slots where this exam has "
            f"{len(exam.slots)} parts; the report is from another quiz, or its quiz does not "
            "add one random question per part's category."
        )
    state = next((c for c, h in enumerate(header) if h in MOODLE_STATE), None)
    people = range(state if state is not None else 0)
    responses = []
    for line, row in _rows(rows, path):
        identity = tuple((header[i], row[i]) for i in people)
        where = f"{path}, line {line}"
        slots = [(n, cols, _moodle_found(exam, n, cols, row, where))
                 for n, cols in enumerate(numbers.values())]  # fmt: skip
        copy = _copy_of(exam, identity, [f for _, _, f in slots if f is not None], where)
        for n, cols, found in slots:
            raw = row[cols["Response"]].strip() if "Response" in cols else ""
            entry = _entry_of(exam, copy, found if found is not None else exam.own(copy, n),
                              where, raw)  # fmt: skip
            text = (
                "" if raw == MOODLE_NONE else READERS[entry.part["kind"]][MOODLE](entry.part, raw)
            )
            responses.append(Response(copy, entry.label, text, line, identity,
                                      exam.source(entry)))  # fmt: skip
    return responses


def _moodle_found(exam: Exam, slot: int, columns: dict[str, int], row: list[str],
                  where: str) -> list[Entry] | None:  # fmt: skip
    """The items of slot ``slot`` whose text the row's question summary is (None: no
    summary, the slot's place decides)."""
    if "Question" not in columns or row[columns["Question"]].strip() in ("", MOODLE_NONE):
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


# ------------------------------------------------------------------ shared


def _rows(rows: list[list[str]], path: str) -> Iterable[tuple[int, list[str]]]:
    width = len(rows[0])
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != width:
            raise ResponsesError(f"{path}, line {line}: {len(row)} cells where the header has "
                                 f"{width}; give the report as the LMS wrote it.")  # fmt: skip
        yield line, row


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:37] + "..."


@dataclass(frozen=True)
class Report:
    """A responses file an LMS writes: how its header is told, how its rows are read."""

    name: str
    recognise: Callable[[list[str]], bool]
    read: Callable[[list[list[str]], dict[str, Any], str], list[Response]]


REPORTS = (
    Report("Canvas Student Analysis", is_canvas, read_canvas),
    Report("Moodle Responses", is_moodle, read_moodle),
)
