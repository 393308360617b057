"""GIFT, Moodle's plain-text import: a $CATEGORY per exam part, one question per variant.

What GIFT cannot say, and what this file does instead (Moodle's importer,
question/format/gift/format.php, is the spec):

- No points: every question imports with mark 1, so the quiz slots' marks give the points
  (``gift-slot-marks.csv``).
- No cloze question, so no question holding all the parts of one: a quiz of random
  questions draws each part on its own, and may show a student parts of different
  variants (``grade`` grades each against the variant shown, from the report's question
  text).  moodle.xml draws questions whole.
- No numeric question with several blanks: a vector or shape is one essay per variant,
  asking for every entry, with the expected entries and their accepted ranges in the
  general feedback, graded by hand.  One numeric question per entry would need a category
  per entry, and a random pick per category would give a student entries of different
  variants.
- No cloze question: a select-all part stays a multichoice, whose ticked options' fractions
  add up (+1/k for a true statement, -1/m for a false one, never below 0), where its
  rubric gives each statement decided right its share (lms/scoring.py says so in
  ``scoring-notes.txt``).
- One line per question: line breaks in code (``<pre>``) are written as ``\\n``, which
  Moodle's reader turns back into a newline; elsewhere HTML ignores them and they are folded.
- No files: a figure is embedded in the question text as a ``data:image/png;base64`` URI.
  Moodle renders question text without cleaning it (question_definition::format_text), so
  the URI survives, unless the site turns on ``forceclean``: its HTML cleaner allows no
  ``data:`` URIs (purify_html's URI.AllowedSchemes).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path

from generator.key.records import Key, PartInfo
from generator.kinds import bounds, margin_of, table
from generator.lms.html import fold, to_html
from generator.lms.items import (
    Item,
    by_hand,
    category_path,
    entry_names,
    feedback_html,
    numbers,
    slots,
    text_html,
)
from generator.lms.package import read_figure
from generator.lms.scoring import credit_answers, moodle_fraction
from generator.tables import plain

SPECIAL = "\\~=#{}:"


def export(key: Key, run_folder: Path) -> str:
    """The GIFT file for every variant of the key: one category per exam part."""
    exam = key.exam.name
    blocks = []
    for slot in slots(key):
        blocks.append(f"$CATEGORY: {category_path(exam, slot.label)}")
        blocks += [_question(item, run_folder) for item in slot.items]
    return "\n\n".join(blocks) + "\n"


def _question(item: Item, run_folder: Path) -> str:
    build = _essay if by_hand(item.part) else ANSWERS[item.kind]  # a person reads each one
    asked, answer = build(item)
    text = _embed_figures(item, run_folder) + asked
    return f"::{escape(item.title)}::[html]{escape(text)}{answer}"


def _embed_figures(item: Item, run_folder: Path) -> str:
    """The question text with each figure as a data URI: a GIFT file carries no files, and
    a relative ``figures/`` path means nothing to an importer."""
    html = item.html
    for figure in item.figures:
        data = base64.b64encode(read_figure(run_folder, figure)).decode()
        html = html.replace(f'src="{figure}"', f'src="data:image/png;base64,{data}"')
    return html


def _feedback(item: Item) -> str:
    return f"####{escape(feedback_html(item.part))}"


# Each builder gives what the question text adds (HTML) and the GIFT answer block.
def _number(item: Item) -> tuple[str, str]:
    """The key's answer, and each named mistake the rubric credits at its share
    (``=%66.66667%value:margin``) where Moodle can say it (lms/scoring.py)."""
    part = item.part
    answers = [f"={plain(part.answer)}:{plain(margin_of(part))}"]
    answers += [f"=%{plain(moodle_fraction(c.share))}%{plain(c.value)}:"
                f"{plain(margin_of(part, c.value))}"
                for c in credit_answers("gift", part)]  # fmt: skip
    if len(answers) == 1:
        return "", f"{{#{answers[0][1:]}{_feedback(item)}}}"
    return "", f"{{#{' '.join(answers)}{_feedback(item)}}}"


def _entries(item: Item) -> tuple[str, str]:
    """An essay: GIFT has no numeric question with several blanks (see the docstring)."""
    part = item.part
    names = "; ".join(text_html(name) for name in entry_names(part))
    asked = f"<p>Give each entry on a line of its own, in this order: {names}.</p>"
    return asked, f"{{####{escape(_entries_html(part) + feedback_html(part))}}}"


def _choice(item: Item) -> tuple[str, str]:
    options = " ".join(("=" if o.correct else "~") + escape(to_html(o.text))
                       for o in item.part.options)  # fmt: skip
    return "", f"{{{options}{_feedback(item)}}}"


def _multi(item: Item) -> tuple[str, str]:
    right = sum(o.correct for o in item.part.options)
    wrong = len(item.part.options) - right
    options = " ".join(
        f"~%{_percent(100 / right if o.correct else -100 / wrong)}%" + escape(to_html(o.text))
        for o in item.part.options
    )
    return "", f"{{{options}{_feedback(item)}}}"


def _matching(item: Item) -> tuple[str, str]:
    pairs = " ".join(f"={escape(text_html(left))} -> {escape(right)}" for left, right in
                     item.part.answer.items())  # fmt: skip
    return "", f"{{{pairs}{_feedback(item)}}}"


def _essay(item: Item) -> tuple[str, str]:
    return "", f"{{{_feedback(item)}}}"


ANSWERS: dict[str, Callable[[Item], tuple[str, str]]] = table(__name__, {
    "integer": _number, "number": _number, "vector": _entries, "shape": _entries,
    "choice": _choice, "multi": _multi, "matching": _matching,
    "expression": _essay, "text": _essay, "code": _essay,
})  # fmt: skip


def _entries_html(part: PartInfo) -> str:
    """Each expected entry and the range the other formats accept, for the grader."""
    rows = []
    for name, value in zip(entry_names(part), numbers(part), strict=True):
        low, high = bounds(part, value)
        accepted = "exactly" if low == high else f"accept {plain(low)} to {plain(high)}"
        rows.append(f"<li>{text_html(name)}: {plain(value)} ({accepted})</li>")
    return f"<p><strong>Expected entries:</strong></p><ul>{''.join(rows)}</ul>"


def _percent(value: float) -> str:
    return plain(round(value, 5))


def escape(text: str) -> str:
    """GIFT's special characters backslash-escaped, and the text on one line: whitespace
    folded, except in code, whose line breaks become ``\\n``."""
    for character in SPECIAL:
        text = text.replace(character, "\\" + character)
    return fold(text, lambda lines: "\\n".join(lines))


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``gift`` format's writer (generator.lms): ``questions.gift`` in ``out``."""
    path = out / "questions.gift"
    path.write_text(export(key, run_folder), encoding="utf-8")
    return [path]
