"""Blackboard "Upload Questions" files: tab-separated, one question per line, one file per part.

Blackboard has no pool marker in the file and no points, so each exam part gets its own
file, uploaded into its own pool.  Vectors and shapes are FIB_PLUS (one blank per entry,
matched as text); text, formulas, code and the parts whose rubric has a person read every
response are ESS with the model answer and the grading notes.  The file carries no scoring
either: partial credit is each question's setting in Blackboard (lms/scoring.py).

A question is one row and a field holds no tab or line break, and the question text is
HTML: code keeps its lines as ``<br>`` inside its ``<pre>``, and its indentation as
``&nbsp;``, so that it survives where ``<pre>`` does not (Ultra's BbML has ``br`` but no
``pre``).  Other line breaks mean nothing in HTML and are folded.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from generator.key.records import Key, PartInfo
from generator.kinds import margin_of, table
from generator.lms.html import fold, to_html
from generator.lms.items import (
    Item,
    blanks_html,
    by_hand,
    entry_names,
    feedback_html,
    numbers,
    slots,
    text_html,
)
from generator.tables import plain


def export(key: Key) -> dict[str, str]:
    """File name -> content, one file per exam part."""
    files = {}
    for slot in slots(key):
        name = re.sub(r"[^0-9a-z]+", "-", slot.label.lower()).strip("-")
        files[f"{name}.txt"] = "".join(_line(item) + "\n" for item in slot.items)
    return files


def _line(item: Item) -> str:
    build = _essay if by_hand(item.part) else FIELDS[item.kind]  # a person reads each one
    fields = build(item.part, item.html)
    return "\t".join(_clean(field) for field in fields)


# Each builder gives a question's fields: its type, its text, its answers.
def _number(part: PartInfo, text: str) -> list[str]:
    return ["NUM", text, plain(part.answer), plain(margin_of(part))]


def _blanks(part: PartInfo, text: str) -> list[str]:
    names = [re.sub(r"\W+", "_", n) for n in entry_names(part)]
    fields = ["FIB_PLUS", text + blanks_html(part, [f"[{v}]" for v in names])]
    for variable, value in zip(names, numbers(part), strict=True):
        fields += [variable, plain(value), ""]
    return fields


def _options(question_type: str) -> Callable[[PartInfo, str], list[str]]:
    def fields(part: PartInfo, text: str) -> list[str]:
        listed = [question_type, text]
        for option in part.options:
            listed += [to_html(option.text), "correct" if option.correct else "incorrect"]
        return listed

    return fields


def _matching(part: PartInfo, text: str) -> list[str]:
    fields = ["MAT", text]
    for left, right in part.answer.items():
        fields += [text_html(left), text_html(right)]
    return fields


def _essay(part: PartInfo, text: str) -> list[str]:
    """The model answer as the sample answer, with the grading notes (the file has no
    other place for them)."""
    return ["ESS", text, feedback_html(part)]


FIELDS: dict[str, Callable[[PartInfo, str], list[str]]] = table(
    __name__, {
        "integer": _number, "number": _number, "vector": _blanks, "shape": _blanks,
        "choice": _options("MC"), "multi": _options("MA"), "matching": _matching,
        "expression": _essay, "text": _essay, "code": _essay,
    },
)  # fmt: skip


def _clean(field: str) -> str:
    """The field on one line, without tabs (they separate fields), its code lines kept."""
    return fold(field, _code_lines)


def _code_lines(lines: list[str]) -> str:
    """Code lines joined with ``<br>``, tabs expanded and each line's indentation as
    ``&nbsp;`` (spaces between words stay spaces)."""
    joined = []
    for line in lines:
        line = line.expandtabs(8)
        body = line.lstrip(" ")
        joined.append("&nbsp;" * (len(line) - len(body)) + body)
    return "<br>".join(joined)


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``blackboard`` format's writer (generator.lms): ``blackboard/<part>.txt``, one
    file per part."""
    (out / "blackboard").mkdir(exist_ok=True)
    paths = []
    for file_name, content in export(key).items():
        path = out / "blackboard" / file_name
        path.write_text(content, encoding="utf-8")
        paths.append(path)
    return paths
