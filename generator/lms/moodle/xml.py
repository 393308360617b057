"""Moodle XML: questions drawn whole (Moodle's importer is the spec; lms/seats.py the model).

A category per quiz seat holds one ``cloze`` question (Moodle's multianswer) per variant
of the question(s) it draws, named ``<number> <code>``: the question's stem, then every
part with its blanks (:data:`BLANKS`): a NUMERICAL blank per number or entry (tolerance
absolute, and the named mistakes the rubric credits at their shares), a vertical
MULTICHOICE of the options for a choice, a True/False MULTICHOICE per statement of a
select-all part, a dropdown per matched item.  Formulas, code, text and the parts whose
rubric has a person read every response have no blank: each is answered in an essay seat
of its own after the question, a category holding one essay, the same for every
variant.  Figures are embedded as base64 files; every part's model answer and grading
notes are in the question's general feedback.

Moodle marks a cloze by its blanks' weights ``{w:TYPE:...}``, whole numbers
(qtype_multianswer): :func:`whole_weights` makes them the rubric's proportions, and a quiz
slot's mark, which a random question takes from the quiz and not from the file, scales
them to the question's points: ``slot-marks.csv`` lists the marks to set.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

from lxml import etree

from generator.key.records import Key
from generator.kinds import KINDS, margin_of, table
from generator.lms.html import to_html
from generator.lms.items import (
    Item,
    assignment_text,
    assignments,
    blanks_html,
    category_path,
    feedback_html,
    matching_options,
    numbers,
    statements_html,
    text_html,
    variant_html,
)
from generator.lms.package import read_figure
from generator.lms.scoring import credit_answers, moodle_fraction, weights
from generator.lms.seats import Drawn, Essay, Seat, answered_here, seats, written
from generator.tables import plain


def export(key: Key, run_folder: Path) -> bytes:
    """The Moodle XML file: a category per quiz seat holding one cloze question per
    variant of the questions it draws, then a category per essay seat beside it."""
    quiz = etree.Element("quiz")
    exam = key.exam.name
    for seat in seats(key):
        _category(quiz, exam, f"{seat.label} {seat.title}")
        for drawn in seat.drawn:
            quiz.append(_whole(drawn, run_folder))
        for essay in seat.essays:
            _category(quiz, exam, f"{essay.label} {seat.title}")
            quiz.append(_written(essay, seat))
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _category(quiz: etree._Element, exam: str, name: str) -> None:
    category = _sub(quiz, "question", type="category")
    _text(_sub(category, "category"), category_path(exam, name))


def _whole(drawn: Drawn, run_folder: Path) -> etree._Element:
    """One variant of a question, every part inside: a cloze whose blanks are its
    auto-graded parts' answers, weighted in the rubric's proportions (:func:`whole_weights`),
    the written parts asked with a pointer to their essay seats.  A question without an
    auto-graded part is an essay instead (a cloze needs a blank), whose box answers its
    first written part."""
    blanks = whole_blanks(drawn)
    question = etree.Element("question", type="cloze" if blanks else "essay")
    _text(_sub(question, "name"), drawn.title)
    figures = tuple(dict.fromkeys(f for p in drawn.parts for f in p.figures))
    html = _images(whole_html(drawn, blanks), figures)
    text = _html(_sub(question, "questiontext", format="html"), html)
    for figure in figures:
        file = _sub(text.getparent(), "file", name=Path(figure).name, path="/",
                    encoding="base64")  # fmt: skip
        file.text = base64.b64encode(read_figure(run_folder, figure)).decode()
    feedback = "".join(f"<h4>{p.label}</h4>{feedback_html(p.part)}" for p in drawn.parts)
    _html(_sub(question, "generalfeedback", format="html"), feedback)
    _sub(question, "penalty").text = "0"
    _sub(question, "hidden").text = "0"
    _sub(question, "idnumber").text = drawn.ident
    if not blanks:
        (part,) = answered_here(drawn)
        _sub(question, "defaultgrade").text = plain(part.points)
        _essay_box(question, part.kind, feedback_html(part.part))
    return question


def whole_html(drawn: Drawn, blanks: dict[str, list[str]]) -> str:
    """The drawn question's text: its stem, then each part under its letters with its
    points, its text and its blanks (or where it is written out), then its title (the
    report's question text then names the variant)."""
    question = drawn.question
    figures = tuple(question.figures.values())
    pieces = [to_html(question.stem, figures)] if question.stem else []
    here = answered_here(drawn)
    for part in drawn.parts:
        letters = part.label[part.label.index("(") :]
        points = f"{plain(part.points)} point{'' if part.points == 1 else 's'}"
        pieces.append(f'<div class="part"><p><strong>{letters}</strong> ({points})</p>'
                      f"{part.html}{_answered_in(part, blanks, part in here)}</div>")  # fmt: skip
    return "".join(pieces) + variant_html(str(question.number), drawn.variant)


def _answered_in(part: Item, blanks: dict[str, list[str]], here: bool) -> str:
    """Where the part is answered: its blanks, the essay's own box, or an essay after."""
    if written(part) and here:  # the question is an essay: its box answers this part
        return (f"<p><em>Write your answer to {part.label[part.label.index('(') :]} in the "
                "box below; the other parts each have an essay box of their own after this "
                "question.</em></p>")  # fmt: skip
    if written(part):
        return (f"<p><em>Write your answer to {part.label[part.label.index('(') :]} in the "
                "essay box of its own that follows this question.</em></p>")  # fmt: skip
    given = blanks[part.part.part]
    if _one_blank(part):
        return f"<p>{given[0]}</p>"
    if part.kind == "matching":
        rows = "".join(f"<tr><td>{text_html(left)}</td><td>{blank}</td></tr>"
                       for left, blank in zip(part.part.answer, given, strict=True))  # fmt: skip
        return f'<table class="matching"><tbody>{rows}</tbody></table>'
    return cloze_html(part, given)


def whole_blanks(drawn: Drawn) -> dict[str, list[str]]:
    """Each auto-graded part's blanks ``{w:TYPE:answers}``, by the part's letters."""
    weights = whole_weights(drawn)
    out: dict[str, list[str]] = {}
    for part in drawn.parts:
        if written(part):
            continue
        answers = _answers(part)
        out[part.part.part] = [f"{{{weights.pop(0)}:{a}}}" for a in answers]
    return out


def whole_weights(drawn: Drawn) -> list[int]:
    """Every blank's weight, in the order of the parts and their blanks: whole numbers
    (Moodle reads no others) in the proportions of the points the rubric gives each
    blank (lms/scoring.py ``weights``: a part's points, an equal share per entry,
    statement or pair, a group's points to its blanks), so that the question's mark,
    whatever a quiz sets it to, is shared among its parts as the paper shares its points."""
    shares = [w for part in drawn.parts if not written(part) for w in _blank_points(part)]
    common = math.lcm(*(share.denominator for share in shares))
    scaled = [int(share * common) for share in shares]
    unit = math.gcd(*scaled)
    return [value // unit for value in scaled]


def _one_blank(part: Item) -> bool:
    """Whether the part is one blank worth its points: a number, an option, or a matching
    asked as one choice of its ways (items.assignments)."""
    return part.kind in ("integer", "number", "choice") or assignments(part.part) is not None


def _blank_points(part: Item) -> list[Fraction]:
    if _one_blank(part):
        return [Fraction(str(part.points))]
    if part.kind == "matching":
        count = len(part.part.answer)
        return [Fraction(str(part.points)) / count] * count
    return weights(part.part)


def _answers(part: Item) -> list[str]:
    """The part's blanks' answers, without their weights (its kind's, :data:`BLANKS`)."""
    return BLANKS[part.kind](part)


def _number(part: Item) -> list[str]:
    """The key's value, and each named mistake's the rubric credits, at its share (where
    Moodle allows that share and no two mistakes share the value: lms/scoring.py); the
    tolerance absolute, as Moodle reads it."""
    info = part.part
    answers = [f"={plain(info.answer)}:{plain(margin_of(info, info.answer))}"]
    answers += [f"%{plain(moodle_fraction(c.share))}%{plain(c.value)}:"
                f"{plain(margin_of(info, c.value))}"
                for c in credit_answers("moodle", info)]  # fmt: skip
    return ["NUMERICAL:" + "~".join(answers)]


def _entries(part: Item) -> list[str]:
    """A NUMERICAL blank per entry of a vector or shape."""
    info = part.part
    return [f"NUMERICAL:={plain(v)}:{plain(margin_of(info, v))}" for v in numbers(info)]


def _choice(part: Item) -> list[str]:
    """One blank of the options as radio buttons, in their printed order."""
    return ["MULTICHOICE_V:" + "~".join(("=" if o.correct else "") + _option(to_html(o.text))
                                        for o in part.part.options)]  # fmt: skip


def _statements(part: Item) -> list[str]:
    """A True/False blank per statement of a select-all part, its verdict right: each
    statement decided right earns its share, as the rubric says."""
    kind = part.answer_kind
    verdicts = [(True, kind.verdict(True)), (False, kind.verdict(False))]
    return ["MULTICHOICE:" + "~".join(("=" if true == o.correct else "") + word
                                     for true, word in verdicts)
            for o in part.part.options]  # fmt: skip


def _pairs(part: Item) -> list[str]:
    """A dropdown of the options per matched item, the key's option right; where the
    rubric gives all or nothing and the ways to answer are few (items.assignments), one
    choice among them instead, so that Moodle scores the part whole."""
    info = part.part
    ways = assignments(info)
    if ways is not None:
        key = tuple(info.answer.values())
        return ["MULTICHOICE_V:" + "~".join(
            ("=" if way == key else "") + _option(text_html(assignment_text(info, way)))
            for way in ways)]  # fmt: skip
    return ["MULTICHOICE:" + "~".join(("=" if o == right else "") + _option(text_html(o))
                                     for o in matching_options(info))
            for right in info.answer.values()]  # fmt: skip


def _none(part: Item) -> list[str]:
    """No blank: Moodle's cloze holds no formula, code or text; an essay seat does."""
    return []


# Each answer kind's blanks in a cloze question: their answers, without their weights.
BLANKS: dict[str, Callable[[Item], list[str]]] = table(__name__, {
    "integer": _number, "number": _number, "vector": _entries, "shape": _entries,
    "choice": _choice, "multi": _statements, "matching": _pairs,
    "expression": _none, "text": _none, "code": _none,
})  # fmt: skip


def _option(html: str) -> str:
    """An option's HTML as a cloze answer.  Moodle ends an answer at ``~``, ``#`` or
    ``}``, then decodes its entities once and turns ``\\}`` and ``\\#`` into ``}`` and ``#``
    (qtype_multianswer_extract_question): so every ``&`` is kept by encoding it, those
    three are written as entities, and a backslash before ``}`` or ``#`` (LaTeX's
    ``\\{1, 2\\}``) is doubled, for the undoing to leave one; a paragraph's tags dropped,
    the option stays on one line."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    html = html.replace("&", "&amp;").replace("\\}", "\\\\}").replace("\\#", "\\\\#")
    return html.replace("#", "&#35;").replace("~", "&#126;").replace("}", "&#125;")


def _written(essay: Essay, seat: Seat) -> etree._Element:
    """The essay seat of one written part: the same text for every variant, for the
    drawn question beside it says which variant it answers."""
    question = etree.Element("question", type="essay")
    _text(_sub(question, "name"), essay.label)
    _html(_sub(question, "questiontext", format="html"), essay_html(essay, seat))
    _html(_sub(question, "generalfeedback", format="html"), "")
    _sub(question, "defaultgrade").text = plain(essay.points)
    _sub(question, "penalty").text = "0"
    _sub(question, "hidden").text = "0"
    _sub(question, "idnumber").text = essay.ident
    _essay_box(question, essay.kind, GRADER_INFO)
    return question


def _essay_box(question: etree._Element, kind: str, grader_info: str) -> None:
    """An essay's answer box (monospaced for code) and what its graders read."""
    monospaced = KINDS[kind].monospaced
    _sub(question, "responseformat").text = "monospaced" if monospaced else "editor"
    _sub(question, "responserequired").text = "1"
    _sub(question, "responsefieldlines").text = "10" if monospaced else "5"
    _sub(question, "attachments").text = "0"
    _html(_sub(question, "graderinfo", format="html"), grader_info)
    _html(_sub(question, "responsetemplate", format="html"), "")


GRADER_INFO = (
    "<p>The model answer and grading notes of the variant each student was shown are in the "
    "run's key.json and in the grading sheets <code>generate-exam grade</code> writes from "
    "Moodle's Responses report.</p>"
)


def essay_html(essay: Essay, seat: Seat) -> str:
    """An essay seat's text, the same for every variant."""
    return (f"<p>Question {text_html(essay.label)}: write your answer here. The part is asked "
            f"in Question {text_html(seat.label)} above.</p>")  # fmt: skip


def cloze_html(item: Item, blanks: list[str]) -> str:
    """A vector's or shape's blanks, or a select-all part's statements each with its
    blank (a report reader passes empty blanks)."""
    if item.answer_kind.entries:
        return blanks_html(item.part, blanks)
    return statements_html(item.part, blanks)


def _images(html: str, figures: tuple[str, ...]) -> str:
    for figure in figures:
        html = html.replace(f'src="{figure}"', f'src="@@PLUGINFILE@@/{Path(figure).name}"')
    return html


def _sub(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, tag, **attributes)


def _text(parent: etree._Element, value: str) -> etree._Element:
    text = _sub(parent, "text")
    text.text = value
    return text


def _html(parent: etree._Element, value: str) -> etree._Element:
    text = _sub(parent, "text")
    text.text = etree.CDATA(value) if value else ""
    return text


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``moodle`` format's writer (generator.lms): ``moodle.xml`` in ``out``."""
    path = out / "moodle.xml"
    path.write_bytes(export(key, run_folder))
    return [path]
