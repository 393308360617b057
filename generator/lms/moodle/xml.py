"""Moodle XML: a category per exam part, one question per variant (Moodle's importer is the spec).

Numbers are ``numerical`` questions with an absolute tolerance, vectors and shapes
``cloze`` questions with one NUMERICAL blank per entry, select-all parts ``cloze``
questions with one True/False MULTICHOICE blank per statement (so that each statement
decided right earns its share, as the rubric says: lms/scoring.py), choices
``multichoice``, matching ``matching``, and free text, formulas, code and the parts whose
rubric has a person read every response ``essay`` questions whose model answer and rubric
sit in ``graderinfo`` (graders only).  Figures are embedded as base64 files.  A quiz draws
one question per category with "Add a random question"; such a slot's mark (1 until the
instructor sets it) gives the points, whatever the question's own mark: ``slot-marks.csv``
lists the marks to set.

Moodle ignores ``<defaultgrade>`` for a cloze question: its mark is the sum of its blanks'
weights ``{w:NUMERICAL:...}`` (qtype_multianswer_extract_question), and weights are whole
numbers.  See :func:`cloze_weights` for the rule.
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
    blanks_html,
    by_hand,
    category_path,
    feedback_html,
    numbers,
    statements_html,
    text_html,
    variant_html,
)
from generator.lms.package import read_figure
from generator.lms.scoring import credit_answers, moodle_fraction, weights
from generator.lms.seats import Drawn, Essay, Seat, seats, written
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
    the written parts asked with a pointer to their essay seats."""
    question = etree.Element("question", type="cloze")
    _text(_sub(question, "name"), drawn.title)
    figures = tuple(dict.fromkeys(f for p in drawn.parts for f in p.figures))
    html = _images(whole_html(drawn, whole_blanks(drawn)), figures)
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
    return question


def whole_html(drawn: Drawn, blanks: dict[str, list[str]]) -> str:
    """The drawn question's text: its stem, then each part under its letters with its
    points, its text and its blanks (or where it is written out), then its title (the
    report's question text then names the variant)."""
    question = drawn.question
    figures = tuple(question.figures.values())
    pieces = [to_html(question.stem, figures)] if question.stem else []
    for part in drawn.parts:
        letters = part.label[part.label.index("(") :]
        points = f"{plain(part.points)} point{'' if part.points == 1 else 's'}"
        pieces.append(f'<div class="part"><p><strong>{letters}</strong> ({points})</p>'
                      f"{part.html}{_answered_in(part, blanks)}</div>")  # fmt: skip
    return "".join(pieces) + variant_html(str(question.number), drawn.variant)


def _answered_in(part: Item, blanks: dict[str, list[str]]) -> str:
    if written(part):
        return (f"<p><em>Write your answer to {part.label[part.label.index('(') :]} in the "
                "essay box of its own that follows this question.</em></p>")  # fmt: skip
    given = blanks[part.part.part]
    if part.kind in ("integer", "number", "choice"):
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


def _blank_points(part: Item) -> list[Fraction]:
    if part.kind in ("integer", "number", "choice"):
        return [Fraction(str(part.points))]
    if part.kind == "matching":
        count = len(part.part.answer)
        return [Fraction(str(part.points)) / count] * count
    return weights(part.part)


def _answers(part: Item) -> list[str]:
    """The part's blanks' answers, without their weights: a number's (and the named
    mistakes' the rubric credits, at their shares), an option's, an entry's, a statement's
    verdict, a matched item's option."""
    info = part.part
    if part.kind in ("integer", "number"):
        answers = [f"={plain(info.answer)}:{plain(margin_of(info, info.answer))}"]
        answers += [f"%{plain(moodle_fraction(c.share))}%{plain(c.value)}:"
                    f"{plain(margin_of(info, c.value))}"
                    for c in credit_answers("moodle", info)]  # fmt: skip
        return ["NUMERICAL:" + "~".join(answers)]
    if part.kind == "choice":
        return ["MULTICHOICE_V:" + "~".join(("=" if o.correct else "") + _option(to_html(o.text))
                                            for o in info.options)]  # fmt: skip
    if part.kind == "matching":
        options = [o.text for o in info.options or ()] or sorted(set(info.answer.values()))
        return ["MULTICHOICE:" + "~".join(("=" if o == right else "") + _option(text_html(o))
                                         for o in options)
                for right in info.answer.values()]  # fmt: skip
    return [blank[blank.index(":", 1) + 1 : -1] for blank in _cloze_blanks(part)]


def _option(html: str) -> str:
    """An option's HTML as a cloze answer: Moodle ends an answer at ``~``, ``#`` or ``}``
    and decodes entities once (qtype_multianswer_extract_question), so every ``&`` is
    kept by encoding it and those three are written as entities; a paragraph's tags
    dropped, the option stays on one line."""
    html = html.strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    html = html.replace("&", "&amp;")
    return html.replace("~", "&#126;").replace("#", "&#35;").replace("}", "&#125;")


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
    monospaced = KINDS[essay.kind].monospaced
    _sub(question, "responseformat").text = "monospaced" if monospaced else "editor"
    _sub(question, "responserequired").text = "1"
    _sub(question, "responsefieldlines").text = "10" if monospaced else "5"
    _sub(question, "attachments").text = "0"
    _html(_sub(question, "graderinfo", format="html"), GRADER_INFO)
    _html(_sub(question, "responsetemplate", format="html"), "")
    return question


GRADER_INFO = (
    "<p>The model answer and grading notes of the variant each student was shown are in the "
    "run's key.json and in the grading sheets <code>generate-exam grade</code> writes from "
    "Moodle's Responses report.</p>"
)


def essay_html(essay: Essay, seat: Seat) -> str:
    """An essay seat's text, the same for every variant."""
    return (f"<p>Question {text_html(essay.label)}: write your answer here. The part is asked "
            f"in Question {text_html(seat.label)} above.</p>")  # fmt: skip


def question_type(item: Item) -> tuple[str, Callable[[etree._Element, Item], None]]:
    """Moodle's question type of the item, and what fills it in: its kind's, or an essay
    where its rubric has a person read every response."""
    return ("essay", _essay) if by_hand(item.part) else QUESTIONS[item.kind]


def _question(item: Item, run_folder: Path) -> etree._Element:
    moodle_type, build = question_type(item)
    question = etree.Element("question", type=moodle_type)
    _text(_sub(question, "name"), item.title)
    html = _images(item.html, item.figures)
    if moodle_type == "cloze":
        html += cloze_html(item, _cloze_blanks(item))
    text = _html(_sub(question, "questiontext", format="html"), html)
    for figure in item.figures:
        file = _sub(text.getparent(), "file", name=Path(figure).name, path="/",
                    encoding="base64")  # fmt: skip
        file.text = base64.b64encode(read_figure(run_folder, figure)).decode()
    _html(_sub(question, "generalfeedback", format="html"), feedback_html(item.part))
    _sub(question, "defaultgrade").text = plain(item.points)
    _sub(question, "penalty").text = "0"
    _sub(question, "hidden").text = "0"
    _sub(question, "idnumber").text = item.ident
    build(question, item)
    return question


def _numerical(question: etree._Element, item: Item) -> None:
    """The key's answer, and each named mistake the rubric credits, at its share (where
    Moodle allows that share and no two mistakes share the value: lms/scoring.py)."""
    answers = [(100.0, item.part.answer, "")]
    answers += [(moodle_fraction(c.share), c.value, c.mistake)
                for c in credit_answers("moodle", item.part)]  # fmt: skip
    for fraction, value, mistake in answers:
        answer = _sub(question, "answer", fraction=plain(fraction), format="moodle_auto_format")
        _text(answer, plain(value))
        _sub(answer, "tolerance").text = plain(margin_of(item.part, value))
        _html(_sub(answer, "feedback", format="html"), to_html(_sentence(mistake)))


def _sentence(mistake: str) -> str:
    """A named mistake as feedback: "The averaging factor is missing." ("" for none)."""
    return f"{mistake[:1].upper()}{mistake[1:]}." if mistake else ""


def cloze_html(item: Item, blanks: list[str]) -> str:
    """What a cloze question adds to the item's text: the blanks of its entries, or its
    statements each with its blank (a report reader passes empty blanks)."""
    if item.answer_kind.entries:
        return blanks_html(item.part, blanks)
    return statements_html(item.part, blanks)


def _cloze_blanks(item: Item) -> list[str]:
    """Each item's blank: ``{w:NUMERICAL:=value:tolerance}`` per entry (tolerance absolute,
    as Moodle reads it), ``{w:MULTICHOICE:=True~False}`` per statement (its verdict)."""
    part, kind = item.part, item.answer_kind
    if kind.entries:
        answers = [f"NUMERICAL:={plain(v)}:{plain(margin_of(part, v))}" for v in numbers(part)]
    else:
        verdicts = [(True, kind.verdict(True)), (False, kind.verdict(False))]
        answers = ["MULTICHOICE:" + "~".join(("=" if true == o.correct else "") + word
                                            for true, word in verdicts)
                   for o in part.options]  # fmt: skip
    return [f"{{{w}:{a}}}" for w, a in zip(cloze_weights(item), answers, strict=True)]


def cloze_weights(item: Item) -> list[int]:
    """The blanks' weights: whole numbers (Moodle reads no others) in the proportions the
    rubric gives the items (lms/scoring.py ``weights``: an equal share per entry or
    statement, a group's points to a group of one blank).  Those shares themselves where
    they are whole numbers, so that the weights sum to the part's points (1(d): 1 and 1);
    else the smallest whole numbers in their proportions (1 each for equal shares), and
    the quiz slot's mark must give the points.

    Rounded proportions would reach more sums (2, 1, 1, 1 for 5 points over 4 entries)
    but value one entry above the others for no reason; with n equal blanks no weights
    reach fewer than n points."""
    shares = weights(item.part)
    if all(share.denominator == 1 for share in shares):
        return [int(share) for share in shares]
    common = math.lcm(*(share.denominator for share in shares))
    scaled = [int(share * common) for share in shares]
    unit = math.gcd(*scaled)
    return [value // unit for value in scaled]


def cloze_mark(item: Item) -> int:
    """The mark Moodle gives the imported cloze question: its weights' sum."""
    return sum(cloze_weights(item))


def _multichoice(question: etree._Element, item: Item) -> None:
    """One option right (a select-all part is a cloze of statements, see cloze_html)."""
    _sub(question, "single").text = "true"
    _sub(question, "shuffleanswers").text = "false"  # the printed order is part of the variant
    _sub(question, "answernumbering").text = "ABCD"
    for option in item.part.options:
        answer = _sub(question, "answer", fraction="100" if option.correct else "0",
                      format="html")  # fmt: skip
        _html(answer, to_html(option.text))
        _html(_sub(answer, "feedback", format="html"), to_html(option.why))


def _matching(question: etree._Element, item: Item) -> None:
    _sub(question, "shuffleanswers").text = "false"
    for left, right in item.part.answer.items():
        sub = _sub(question, "subquestion", format="html")
        _html(sub, f"<p>{text_html(left)}</p>")
        _text(_sub(sub, "answer"), right)


def _essay(question: etree._Element, item: Item) -> None:
    _sub(question, "responseformat").text = (
        "monospaced" if item.answer_kind.monospaced else "editor"
    )
    _sub(question, "responserequired").text = "1"
    _sub(question, "responsefieldlines").text = "10" if item.answer_kind.monospaced else "5"
    _sub(question, "attachments").text = "0"
    _html(_sub(question, "graderinfo", format="html"), feedback_html(item.part))
    _html(_sub(question, "responsetemplate", format="html"), "")


def _cloze(question: etree._Element, item: Item) -> None:
    """Nothing more: a cloze question's blanks are in its text (see _cloze_blanks)."""


# Moodle's question type of each answer kind, and what fills in the question.
QUESTIONS: dict[str, tuple[str, Callable[[etree._Element, Item], None]]] = table(
    __name__, {
        "integer": ("numerical", _numerical), "number": ("numerical", _numerical),
        "vector": ("cloze", _cloze), "shape": ("cloze", _cloze),
        "choice": ("multichoice", _multichoice), "multi": ("cloze", _cloze),
        "matching": ("matching", _matching),
        "expression": ("essay", _essay), "text": ("essay", _essay), "code": ("essay", _essay),
    },
)  # fmt: skip


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
