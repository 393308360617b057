"""The key, seen as LMS items: one pool (slot) per exam part, one item per variant.

A slot is one part of one question: where copies drew different questions from a
blueprint's pool, or print them in their own order, each question still has its own
slots, so that one grader grades one question's part across the class.  A slot is named
by the part's printed label, 3(b)(ii), where every copy prints it under that label and
no other slot's part is printed so, and by the question's id otherwise: ``mine/softmax
(b)(ii)``.

Every exporter walks the same slots and items, so that all formats agree on ids,
titles, points, question text and answers.  Tolerances become absolute bounds in
``decimal`` where the kinds define them (generator.kinds.bounds), so that an export
accepts exactly what the kind's own comparison of a response accepts.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import permutations

from generator.key.records import Key, PartInfo, QuestionInfo
from generator.kinds import KINDS, Kind
from generator.lms.html import to_html


@dataclass(frozen=True)
class Item:
    """One variant of one part, ready for any LMS format."""

    label: str  # the part's printed label in this copy, e.g. 1(b)(ii)
    question: str  # the question's id
    variant: str
    ident: str  # stable and unique across the export
    title: str
    points: float
    kind: str
    html: str  # question text: the question's stem, the context, the part's LMS prompt
    part: PartInfo
    figures: tuple[str, ...]

    @property
    def answer_kind(self) -> Kind:
        """The part's answer kind, to ask what the item's question and response are like."""
        return KINDS[self.kind]


@dataclass(frozen=True)
class Slot:
    label: str
    ident: str
    title: str
    points: float
    items: tuple[Item, ...]


def slots(key: Key) -> list[Slot]:
    """One slot per part of each question, holding that part's item of every variant that
    printed it; in the blueprint's order of questions.  Where the questions come from a
    variant pool (``--pool K``), a slot holds the pool's K variants of the part, once
    each, whoever drew them: the LMS then draws from the very variants the paper copies
    print."""
    exam = key.exam.name
    grouped: dict[tuple[str, str], list[Item]] = {}
    titles: dict[str, str] = {}
    for source, question in drawn_once(key):
        figures = tuple(question.figures.values())
        titles[question.id] = question.title
        for part in question.parts:
            made = item(exam, source, question, part, figures)
            grouped.setdefault((question.id, part.part), []).append(made)
    order = {qid: n for n, qid in enumerate(key.exam.questions)}
    ordered = sorted(grouped.items(), key=lambda kv: order[kv[0][0]])
    printed = [_printed(items) for _, items in ordered]
    return [
        _slot(exam, qid, titles[qid], items, label if printed.count(label) == 1 else None)
        for ((qid, _), items), label in zip(ordered, printed, strict=True)
    ]


def drawn_once(key: Key) -> Iterator[tuple[str, QuestionInfo]]:
    """Every variant of each question the key holds, once, with the code of the copy it
    was drawn for: a pool's K (``--pool``, whichever students' copies print them), else
    every copy's own."""
    seen: set[tuple[str, str]] = set()
    for variant in key.variants:
        for question in variant.questions:
            source = question.source or variant.variant
            if (question.id, source) not in seen:
                seen.add((question.id, source))
                yield source, question


def _printed(items: list[Item]) -> str | None:
    """The label every copy prints the part under, if they agree."""
    labels = {item.label for item in items}
    return labels.pop() if len(labels) == 1 else None


def _slot(exam: str, qid: str, title: str, items: list[Item], label: str | None) -> Slot:
    """``label``: the printed label, where no other slot's is the same (two questions of a
    pool both printed as 6(a) are two slots, named by their ids)."""
    first = items[0].label
    label = label or f"{qid} {first[first.index('(') :]}"
    return Slot(label, ident(exam, label), title, items[0].points, tuple(items))


def item(exam: str, variant: str, question: QuestionInfo, part: PartInfo,
         figures: tuple[str, ...], *, alone: bool = True,
         context: bool = True) -> Item:  # fmt: skip
    """``variant``: the code of the copy the part was drawn for (a pool's copy, with
    --pool).  ``alone``: an item of its own, its text opening with the question's stem and
    ending with its title; else a part inside its whole question (lms/seats.py), which
    has them once, as it has once the ``context`` that parts in a row share."""
    shared = part.context if context else ""
    text = "\n\n".join(t for t in (question.stem if alone else "", shared, part.asked) if t)
    html = to_html(text, figures)
    if by_hand(part) and KINDS[part.kind].choices and not KINDS[part.kind].pairs:
        html += options_html(part)
    if alone:
        html += variant_html(part.label, variant)
    return Item(
        label=part.label,
        question=question.id,
        variant=variant,
        ident=ident(exam, variant, part.label),
        title=f"{part.label} {variant}",
        points=part.points,
        kind=part.kind,
        html=html,
        part=part,
        figures=tuple(f for f in figures if f'src="{f}"' in html),
    )


def variant_html(label: str, variant: str) -> str:
    """The item's title at the end of its text, ``3(d) c83f9b077fd7``: an LMS report that
    shows the question text then names the variant a student was shown, where variants
    read alike but for a figure (3(d)'s loss curves); the code is the copy's, printed on
    every page of the paper copies too."""
    return f'<p class="variant"><small>{html.escape(label)} {html.escape(variant)}</small></p>'


def by_hand(part: PartInfo) -> bool:
    """Whether every format makes the part an essay: its rubric has a person read every
    response (6(d): the reason earns the point, not the letter), so an auto-graded item
    would score the letter alone and leave the student no room for the reason."""
    return part.scoring.person == "always"


def options_html(part: PartInfo) -> str:
    """The options of a choice part made an essay (:func:`by_hand`), for the student to
    name one and give the reason."""
    kind = KINDS[part.kind]
    listed = "".join(f"<li>{text_html(kind.option_label(o.label))} {to_html(o.text)}</li>"
                     for o in part.options or ())  # fmt: skip
    return f"<ul>{listed}</ul><p>Name your choice and give your reason.</p>"


def statements_html(part: PartInfo, blanks: list[str]) -> str:
    """The statements of a select-all part, each with its blank (a True/False blank of a
    Moodle cloze, a Canvas dropdown): each is decided on its own, as the rubric scores it."""
    kind = KINDS[part.kind]
    rows = "".join(f"<tr><td>{text_html(kind.option_label(o.label))}</td>"
                   f"<td>{to_html(o.text)}</td><td>{blank}</td></tr>"
                   for o, blank in zip(part.options or (), blanks, strict=True))  # fmt: skip
    asked = f"<p>Each statement: {kind.verdict(True)} or {kind.verdict(False)}?</p>"
    return f'{asked}<table class="statements"><tbody>{rows}</tbody></table>'


def quiz_title(key: Key) -> str:
    """The exam as the LMS files title their quiz (and a gradebook its column)."""
    return f"{key.exam.title} (exam {key.exam.code})"


def category_path(exam: str, name: str) -> str:
    """The Moodle question-bank category of one slot, for Moodle XML and GIFT.  Moodle
    splits a category path at each single ``/`` and reads ``//`` as a slash in a name
    (question/format.php, split_category_path), so a slash in a name is doubled: a slot
    named by a question id such as ``mine/softmax (a)`` stays one category."""
    return "/".join(("$course$", "top", exam, name.replace("/", "//")))


def ident(*parts: str) -> str:
    """A short id derived from content: the same export gives the same ids."""
    return "i" + hashlib.blake2b("/".join(parts).encode(), digest_size=8).hexdigest()


def numbers(part: PartInfo) -> Iterator[float | int]:
    """The numeric entries of an integer, number, vector or shape answer."""
    answer = part.answer
    yield from answer if isinstance(answer, list) else [answer]


def feedback_html(part: PartInfo) -> str:
    """Model answer, accepted alternatives and rubric: shown to graders (and after grading)."""
    pieces = [f"<p><strong>Answer:</strong></p>{to_html(part.answer_latex)}"]
    if part.alternatives:
        pieces.append(f"<p><strong>Also accepted:</strong> "
                      f"{to_html('; '.join(part.alternatives))}</p>")  # fmt: skip
    if part.rubric:
        notes = "".join(f"<li>{to_html(note)}</li>" for note in part.rubric)
        pieces.append(f"<p><strong>Grading notes:</strong></p><ul>{notes}</ul>")
    return "".join(pieces)


MAX_ASSIGNMENTS = 6  # a matching part of 3 items and 3 options: 3! ways to answer it


def assignments(part: PartInfo) -> list[tuple[str, ...]] | None:
    """Every way to answer a matching part (each item's option, in the items' order),
    where its rubric gives all or nothing and they are few enough to list as the options
    of one choice (3(d): 6): an LMS then scores the part whole, as the rubric does, where
    a dropdown per item earns each pair its share.  None for any other part."""
    rule = part.scoring
    if part.kind != "matching" or rule.rule != "all" or rule.steps:
        return None
    options = matching_options(part)
    count = math.perm(len(options), len(part.answer))
    return list(permutations(options, len(part.answer))) if count <= MAX_ASSIGNMENTS else None


def matching_options(part: PartInfo) -> list[str]:
    """A matching part's options, as printed (else its answers' values, sorted)."""
    return [o.text for o in part.options or ()] or sorted(set(part.answer.values()))


def assignment_text(part: PartInfo, assignment: tuple[str, ...]) -> str:
    """One way to answer a matching part, as an option reads: ``A → SGD; B → BGD``."""
    return "; ".join(f"{left} \u2192 {right}" for left, right in zip(part.answer, assignment,
                                                                     strict=True))  # fmt: skip


def text_html(text: str) -> str:
    """Plain text (an entry's name, a matching label) for HTML, on one line: escaped, and
    its braces and brackets as character references, so that no LMS reads them as markup
    (Moodle's cloze blanks ``{1:...}``, Canvas's blanks ``[b1]``)."""
    text = html.escape(" ".join(text.split()))
    return text.translate(
        {ord("{"): "&#123;", ord("}"): "&#125;", ord("["): "&#91;", ord("]"): "&#93;"}
    )


def entry_names(part: PartInfo) -> list[str]:
    """Names of the entries of a vector or shape answer (for one blank each)."""
    count = len(part.answer)
    names = part.names
    if len(names) == count:
        return list(names)
    if part.grid:
        rows, columns = part.grid
        return [f"row {r + 1}, column {c + 1}" for r in range(rows) for c in range(columns)]
    return [f"entry {i + 1}" for i in range(count)]


def blanks_html(part: PartInfo, blanks: list[str]) -> str:
    """The blanks of a vector, shape or matrix answer in the question's HTML: a matrix as
    a grid of blanks (a table, row by row), other answers one named blank a line."""
    if not part.grid:
        named = [f"{text_html(name)}: {blank}" for name, blank in zip(entry_names(part), blanks,
                                                                     strict=True)]  # fmt: skip
        return "<p>" + "<br>".join(named) + "</p>"
    columns = part.grid[1]
    rows = [blanks[r : r + columns] for r in range(0, len(blanks), columns)]
    cells = "".join("<tr>" + "".join(f"<td>{blank}</td>" for blank in row) + "</tr>"
                    for row in rows)  # fmt: skip
    return f'<table class="matrix"><tbody>{cells}</tbody></table>'
