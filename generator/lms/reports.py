"""What the LMS report readers share: the key seen from a report, and LMS text as ours.

Each vendor's reader (canvas/report.py, moodle/report.py) finds, for every cell of its
report, the item of our export it answers and the copy of the student who answered it.
An item title ``1(a) <variant code>`` (what our exports name each question) found in a
header or question cell names the part and the copy outright; otherwise a text names the
item whose text it is.  A student is the roster's whose id (or roster column such as
``ID``, ``SIS Login ID``, ``Email``) the LMS's id or identity fields give; for numbered
copies, the one copy whose items the student's questions are.  Texts are compared by
their letters and digits only, so that the LMSs' HTML-to-text conversions (line
wrapping, entities, capitals) do not matter.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass

from msgspec import UNSET

from generator.grading.records import ResponsesError
from generator.key.records import Key, OptionInfo, PartInfo, VariantInfo
from generator.kinds import KINDS, table
from generator.lms.html import to_html
from generator.lms.items import Item, slots
from generator.tables import data_rows

# Both scan report text in linear time: a title starts only where a run of digits does, and
# a tag holds no "<" (``<[^>]*>`` rescans a run of "<" from each of them: quadratic).
TITLE = re.compile(r"(?<!\d)(\d+\([a-z]+\)(?:\([ivx]+\))?) ([0-9a-f]{12})\b")
TAG = re.compile(r"<[^<>]*>")
IMAGE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
NAME_COLUMNS = {"name", "section", "last name", "first name", "institution", "department"}
ID_COLUMNS = {"id", "sis user id", "sis login id", "sis_id", "student id", "student_id",
              "id number", "idnumber", "username", "login", "email", "email address"}  # fmt: skip
EMPTY_ENTRY = "_"  # a blank left empty keeps its place among the entries
AS_WRITTEN = "give the report as the LMS wrote it."

Reader = Callable[[PartInfo, str], str]  # a kind's response, as a report writes it, as ours


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
    part: PartInfo
    pieces: tuple[str, ...]
    question: str = ""  # its question's id


class Exam:
    """The key seen from a report: its items (by text and by title), its copies and who
    sits each."""

    def __init__(self, key: Key, text: Callable[[Item], str]) -> None:
        self.key = key
        self.slots = slots(key)
        self.entries = [Entry(item.variant, item.label, n, item.part, segments(text(item)),
                              item.question)
                        for n, slot in enumerate(self.slots) for item in slot.items]  # fmt: skip
        self.by_copy: dict[str, list[Entry]] = {}
        for entry in self.entries:
            self.by_copy.setdefault(entry.variant, []).append(entry)
        self.people = people(key.variants)
        # With --pool, items are the pool's variants: each copy's own pick of each part.
        self.pooled = key.pooled
        self.picks = {v.variant: {p.label: q.source or "" for q, p in v.parts}
                      for v in key.variants} if self.pooled else {}  # fmt: skip

    def own(self, copy: str, slot: int) -> list[Entry]:
        """The items of slot ``slot`` the copy ``copy`` printed (its own pick, with --pool)."""
        code = self.picks.get(copy, {}).get(self.slots[slot].label, copy)
        return [e for e in self.by_copy.get(code, []) if e.slot == slot]

    def source(self, entry: Entry, copy: str) -> str:
        """The copy whose variant a response to ``entry`` is graded against ("": the copy's
        own): a pool copy (``--pool``), or another student's copy, which an LMS drawing a
        random question per part may have shown this one."""
        return entry.variant if self.pooled or entry.variant != copy else ""

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
            f"{self.key.exam.code}); grade this report against the run it was exported from."
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
            if column.lower() not in NAME_COLUMNS and (found := person(self.people, value)):
                return found
        return None


def people(variants: list[VariantInfo]) -> dict[str, str]:
    """Each roster student's copy under their id and the id-like roster columns kept in
    the key (a value two students share names neither)."""
    names: dict[str, set[str]] = {}
    for variant in variants:
        student = variant.student
        if not student:
            continue
        values = [student.id] + [v for k, v in student.extra.items()
                                 if k.strip().lower() in ID_COLUMNS]  # fmt: skip
        for value in values:
            if value.strip():
                names.setdefault(_folded(value), set()).add(variant.variant)
    return {value: copies.pop() for value, copies in names.items() if len(copies) == 1}


def person(people: dict[str, str], value: str) -> str | None:
    """The copy :func:`people` files under an id or email as an LMS writes it: an email in
    any case (mail systems ignore it, and LMSs lower-case them), an id exactly."""
    return people.get(_folded(value)) if value.strip() else None


def _folded(value: str) -> str:
    value = value.strip()
    return value.casefold() if "@" in value else value


def entries(values: list[str]) -> str:
    """A blank answer's entries as ours: ``3; 4``, an empty one in its place."""
    return "; ".join(value.strip() or EMPTY_ENTRY for value in values)


def signed(text: str) -> str:
    """A fingerprint that keeps the signs and operators too: ``L = -ln 0.79`` and
    ``L = ln 0.79`` have the same letters and digits, and are not the same option."""
    text = html.unescape(TAG.sub(" ", text)).lower().replace("\u2212", "-")
    return "".join(ch for ch in text if ch.isalnum() or ch in "-+=<>/*^.")


def _option(part: PartInfo, text: str) -> str | None:
    """The option whose text the report gives: by its signed fingerprint, else by its
    letters and digits where only one option has them; None when no single option does."""
    for mark in (signed, fingerprint):
        found = [o.label for o in _options(part) if mark(to_html(o.text)) == mark(text)]
        if len(found) == 1:
            return found[0]
    return None


def _options(part: PartInfo) -> list[OptionInfo]:
    return part.options or []


def choice(part: PartInfo, text: str) -> str:
    """An option's text as its label (``B``); a label given as such stays."""
    return _option(part, text) or text


def picked(part: PartInfo, text: str) -> str:
    """The chosen options' texts, run together in the options' order, as their labels:
    found by the options' fingerprints, so no separator inside an option misleads it."""
    marks = [(o.label, fingerprint(to_html(o.text))) for o in _options(part)]

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


def pairs(part: PartInfo, matched: list[tuple[str, str]]) -> str:
    """Matched pairs as ``item=option`` in the key's own spelling of both."""
    items = {fingerprint(to_html(k)): k for k in part.answer}
    options = {fingerprint(to_html(o.text)): o.text for o in _options(part)}
    written = []
    for left, right in matched:
        item = items.get(fingerprint(left), left.strip())
        written.append(f"{item}={options.get(fingerprint(right), right.strip())}")
    return "; ".join(written)


def as_is(part: PartInfo, text: str) -> str:
    return text.strip()


def verdicts(part: PartInfo, given: list[str]) -> str:
    """A select-all part answered statement by statement (``True``, ``False``, in the
    statements' order, as a cloze or dropdowns ask it) as ours: the statements said true,
    and ``?label`` for each left unanswered (no decision: wrong, as the LMS scores it)."""
    true = fingerprint(KINDS[part.kind].verdict(True))
    options = _options(part)
    given = [*given, *[""] * (len(options) - len(given))]
    said = [o.label if fingerprint(text) == true else f"?{o.label}" if not text.strip() else ""
            for o, text in zip(options, given, strict=False)]  # fmt: skip
    return "; ".join(label for label in said if label)


def readers(owner: str, *, blanks: Reader, matching: Reader, statements: Reader
            ) -> dict[str, Reader]:  # fmt: skip
    """A vendor's table of each answer kind's response, as its report writes it, turned
    into ours: the vendors differ in how they write blanks, matched pairs and statements."""
    return table(owner, {
        "integer": as_is, "number": as_is, "vector": blanks, "shape": blanks,
        "choice": choice, "multi": statements, "matching": matching,
        "expression": as_is, "text": as_is, "code": as_is,
    })  # fmt: skip


def copy_of(exam: Exam, identity: Sequence[tuple[str, str]], candidates: list[list[Entry]],
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


def sitter(identity: Sequence[tuple[str, str]], columns: Collection[str], named: str,
           where: str) -> str:  # fmt: skip
    """The LMS's id of a student who sat no copy of ours (a class without a roster, whose
    quiz drew questions whole from several copies): the first of ``columns`` the row
    fills; refused, naming them, where it fills none."""
    ids = [v.strip() for k, v in identity if k.lower() in columns and v.strip()]
    if not ids:
        raise ResponsesError(
            f"{where}: the quiz drew this student's questions from several copies, and the "
            f"row has no {named} to grade them under: download the report with one, or "
            "build the class with --roster from the LMS's user list."
        )
    return ids[0]


def entry_of(exam: Exam, copy: str, found: list[Entry], where: str, response: str = "",
             *, drawn: bool = False) -> Entry:  # fmt: skip
    """The item of ``found`` the copy ``copy`` answered: with --pool, the variant the LMS
    drew, told by the response where the variants' questions read the same; where the
    report names the item (``drawn``: by its question text), the one it names, the copy's
    own among equals, else another copy's that the LMS drew for this student."""
    if exam.pooled:  # the LMS drew the item from the part's pool: any of its variants
        found = _answered(response, found) or found
        mine = exam.picks.get(copy, {})
        return next((e for e in found if mine.get(e.label) == e.variant), found[0])
    own = [entry for entry in found if entry.variant == copy]
    if own:
        return own[0]
    if drawn and found:
        return (_answered(response, found) or found)[0]
    raise ResponsesError(
        f"{where}: this question is no part of the copy of {exam_name(exam, copy)}; the "
        "report is from another exam or quiz: grade it against the run it was exported from."
    )


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
    return [option.text for option in _options(entry.part)]


def exam_name(exam: Exam, copy: str) -> str:
    variant = next(v for v in exam.key.variants if v.variant == copy)
    if variant.student:
        return variant.student.id
    return f"v{copy if variant.copy is UNSET else variant.copy}"


Identity = tuple[tuple[str, str], ...]  # an LMS report's user columns of a row: (header, value)


def student_rows(report: list[list[str]], path: str, states: Sequence[str]
                 ) -> Iterator[tuple[int, list[str], Identity, str]]:  # fmt: skip
    """A Moodle report's rows with their line numbers, their user columns (all before the
    first column named in ``states``, the attempt's state) and where they are, for
    messages."""
    header = report[0]
    state = next((c for c, h in enumerate(header) if h in states), None)
    people = range(state if state is not None else 0)
    for line, row in rows(report, path):
        yield line, row, tuple((header[i], row[i]) for i in people), f"{path}, line {line}"


def rows(report: list[list[str]], path: str) -> Iterable[tuple[int, list[str]]]:
    """A report's rows after its header, with their line numbers (tables.data_rows)."""
    return data_rows(report, path, AS_WRITTEN, ResponsesError)


def short(text: str) -> str:
    """A header for a message: on one line, at most 40 characters."""
    flat = " ".join(text.split())
    return flat if len(flat) <= 40 else flat[:37] + "..."
