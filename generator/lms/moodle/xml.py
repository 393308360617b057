"""Moodle XML: a category per exam part, one question per variant (Moodle's importer is the spec).

Numbers are ``numerical`` questions with an absolute tolerance, vectors and shapes
``cloze`` questions with one NUMERICAL blank per entry, choices ``multichoice`` with
fractions from Moodle's allowed list, matching ``matching``, and free text, formulas and
code ``essay`` questions whose model answer and rubric sit in ``graderinfo`` (graders
only).  Figures are embedded as base64 files.  A quiz draws one question per category with
"Add a random question"; such a slot's mark (1 until the instructor sets it) gives the
points, whatever the question's own mark: ``slot-marks.csv`` lists the marks to set.

Moodle ignores ``<defaultgrade>`` for a cloze question: its mark is the sum of its blanks'
weights ``{w:NUMERICAL:...}`` (qtype_multianswer_extract_question), and weights are whole
numbers.  See :func:`cloze_weights` for the rule.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from lxml import etree

from generator.key.records import Key
from generator.kinds import margin_of, table
from generator.lms.html import to_html
from generator.lms.items import (
    Item,
    blanks_html,
    category_path,
    feedback_html,
    numbers,
    slots,
    text_html,
)
from generator.lms.package import read_figure
from generator.tables import plain

# Moodle's grade options (question/format/xml and lib/questionlib.php), checked to 1e-5.
FRACTIONS = (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
             16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)  # fmt: skip


def export(key: Key, run_folder: Path) -> bytes:
    """The Moodle XML file for every variant of the key."""
    quiz = etree.Element("quiz")
    exam = key.exam.name
    for slot in slots(key):
        category = _sub(quiz, "question", type="category")
        _text(_sub(category, "category"), category_path(exam, f"{slot.label} {slot.title}"))
        for item in slot.items:
            quiz.append(_question(item, run_folder))
    return etree.tostring(quiz, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _question(item: Item, run_folder: Path) -> etree._Element:
    moodle_type, build = QUESTIONS[item.kind]
    question = etree.Element("question", type=moodle_type)
    _text(_sub(question, "name"), item.title)
    html = _images(item.html, item.figures)
    if moodle_type == "cloze":
        html += _cloze_blanks(item)
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
    answer = _sub(question, "answer", fraction="100", format="moodle_auto_format")
    _text(answer, plain(item.part.answer))
    _sub(answer, "tolerance").text = plain(margin_of(item.part))
    _html(_sub(answer, "feedback", format="html"), "")


def _cloze_blanks(item: Item) -> str:
    """``{w:NUMERICAL:=value:tolerance}`` per entry (tolerance absolute, as Moodle reads it)."""
    blanks = [
        f"{{{weight}:NUMERICAL:={plain(value)}:{plain(margin_of(item.part, value))}}}"
        for value, weight in zip(numbers(item.part), cloze_weights(item), strict=True)
    ]
    return blanks_html(item.part, blanks)


def cloze_weights(item: Item) -> list[int]:
    """The blanks' weights: equal, and summing to the part's points when points / entries
    is a whole number; otherwise 1 each, and the quiz slot's mark must give the points.

    Equal weights because the key gives a part its points and no entry counts more than
    another (one wrong entry of n costs 1/n).  Unequal whole weights (2, 1, 1, 1 for 5
    points) would reach more sums but value one entry above the others for no reason,
    and a weight of 0 would make an entry count for nothing; with n blanks no weights
    reach fewer than n points."""
    count = len(item.part.answer)
    share = Decimal(str(item.points)) / count
    whole = share >= 1 and share == share.to_integral_value()
    return [int(share) if whole else 1] * count


def cloze_mark(item: Item) -> int:
    """The mark Moodle gives the imported cloze question: its weights' sum."""
    return sum(cloze_weights(item))


def _multichoice(question: etree._Element, item: Item) -> None:
    options = item.part.options
    single = item.answer_kind.single
    _sub(question, "single").text = "true" if single else "false"
    _sub(question, "shuffleanswers").text = "false"  # the printed order is part of the variant
    _sub(question, "answernumbering").text = "ABCD" if single else "iii"
    right = sum(o.correct for o in options)
    wrong = len(options) - right
    for option in options:
        if single:
            fraction = 100 if option.correct else 0
        else:
            fraction = 100 / right if option.correct else -100 / wrong
        answer = _sub(question, "answer", fraction=_fraction(fraction), format="html")
        _html(answer, to_html(option.text))
        _html(_sub(answer, "feedback", format="html"), to_html(option.why))


def _fraction(value: float) -> str:
    """The allowed grade option equal to ``value`` (Moodle refuses any other)."""
    for allowed in FRACTIONS:
        if abs(abs(value) - allowed) < 1e-4:
            return plain(allowed if value >= 0 else -allowed)
    raise ValueError(f"{value} is not one of Moodle's grade fractions")


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
        "choice": ("multichoice", _multichoice), "multi": ("multichoice", _multichoice),
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
