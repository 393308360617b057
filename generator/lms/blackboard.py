"""Blackboard "Upload Questions" files: tab-separated, one question per line, one file per part.

Blackboard has no pool marker in the file and no points, so each exam part gets its own
file, uploaded into its own pool.  Vectors and shapes are FIB_PLUS (one blank per entry,
matched as text); text, formulas and code are ESS with the model answer.

A question is one row and a field holds no tab or line break, and the question text is
HTML: code keeps its lines as ``<br>`` inside its ``<pre>``, and its indentation as
``&nbsp;``, so that it survives where ``<pre>`` does not (Ultra's BbML has ``br`` but no
``pre``).  Other line breaks mean nothing in HTML and are folded.
"""

from __future__ import annotations

import re
from typing import Any

from .gift import fold
from .html import to_html
from .items import Item, entry_names, numbers, plain, slots, text_html, tolerance


def export(key: dict[str, Any]) -> dict[str, str]:
    """File name -> content, one file per exam part."""
    files = {}
    for slot in slots(key):
        name = re.sub(r"[^0-9a-z]+", "-", slot.label.lower()).strip("-")
        files[f"{name}.txt"] = "".join(_line(item) + "\n" for item in slot.items)
    return files


def _line(item: Item) -> str:
    part = item.part
    text = item.html
    if item.kind in ("integer", "number"):
        fields = ["NUM", text, plain(part["answer"]), plain(tolerance(part))]
    elif item.kind in ("vector", "shape"):
        names = [re.sub(r"\W+", "_", n) for n in entry_names(part)]
        blanks = [f"{text_html(n)}: [{v}]" for n, v in zip(entry_names(part), names, strict=True)]
        text += "<p>" + "<br>".join(blanks) + "</p>"
        fields = ["FIB_PLUS", text]
        for variable, value in zip(names, numbers(part), strict=True):
            fields += [variable, plain(value), ""]
    elif item.kind in ("choice", "multi"):
        fields = ["MC" if item.kind == "choice" else "MA", text]
        for option in part["options"]:
            fields += [to_html(option["text"]), "correct" if option["correct"] else "incorrect"]
    elif item.kind == "matching":
        fields = ["MAT", text]
        for left, right in part["answer"].items():
            fields += [text_html(left), text_html(right)]
    else:
        fields = ["ESS", text, to_html(part["answer_latex"])]
    return "\t".join(_clean(field) for field in fields)


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
