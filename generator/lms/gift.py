"""GIFT, Moodle's plain-text import: a $CATEGORY per exam part, one question per variant.

Vectors and shapes have no multi-blank numeric form in GIFT, so each entry is its own
numeric question (in its own category, e.g. "1(d) weights").  Text, formulas and code
are essays (``{}``) with the model answer as general feedback (``####``).
"""

from __future__ import annotations

from typing import Any

from .html import to_html
from .items import (
    Item,
    entry_names,
    feedback_html,
    numbers,
    plain,
    slots,
    text_html,
    tolerance,
)

SPECIAL = "\\~=#{}:"


def export(key: dict[str, Any]) -> str:
    exam = key["exam"]["name"]
    blocks = []
    for slot in slots(key):
        for suffix, items in _groups(slot.items):
            blocks.append(f"$CATEGORY: $course$/top/{exam}/{slot.label}{suffix}")
            blocks += [_question(item, entry) for item, entry in items]
    return "\n\n".join(blocks) + "\n"


def _groups(items: tuple[Item, ...]) -> list[tuple[str, list[tuple[Item, int | None]]]]:
    """One category per part, or per entry for vectors and shapes (GIFT has no numeric
    question with several blanks); a variant with fewer entries has no item in the last."""
    if items[0].kind not in ("vector", "shape"):
        return [("", [(item, None) for item in items])]
    longest = max(items, key=lambda item: len(item.part["answer"]))
    return [
        (f" {text_html(name)}", [(item, i) for item in items if i < len(item.part["answer"])])
        for i, name in enumerate(entry_names(longest.part))
    ]


def _question(item: Item, entry: int | None) -> str:
    name = "" if entry is None else text_html(entry_names(item.part)[entry])
    title = escape(f"{item.title} {name}".strip())
    text = item.html
    if entry is not None:
        text += f"<p>{name}:</p>"
    return f"::{title}::[html]{escape(text)}{_answer(item, entry)}"


def _answer(item: Item, entry: int | None) -> str:
    part = item.part
    feedback = f"####{escape(feedback_html(part))}"
    if item.kind in ("integer", "number"):
        return f"{{#{plain(part['answer'])}:{plain(tolerance(part))}{feedback}}}"
    if entry is not None:
        value = list(numbers(part))[entry]
        return f"{{#{plain(value)}:{plain(tolerance(part, value))}{feedback}}}"
    if item.kind == "choice":
        options = " ".join(("=" if o["correct"] else "~") + escape(to_html(o["text"]))
                           for o in part["options"])  # fmt: skip
        return f"{{{options}{feedback}}}"
    if item.kind == "multi":
        right = sum(o["correct"] for o in part["options"])
        wrong = len(part["options"]) - right
        options = " ".join(
            f"~%{_percent(100 / right if o['correct'] else -100 / wrong)}%"
            + escape(to_html(o["text"]))
            for o in part["options"]
        )
        return f"{{{options}{feedback}}}"
    if item.kind == "matching":
        pairs = " ".join(f"={escape(text_html(left))} -> {escape(right)}" for left, right in
                         part["answer"].items())  # fmt: skip
        return f"{{{pairs}{feedback}}}"
    return f"{{{feedback}}}"


def _percent(value: float) -> str:
    return plain(round(value, 5))


def escape(text: str) -> str:
    """GIFT's special characters, backslash-escaped; line breaks folded (one line each)."""
    for character in SPECIAL:
        text = text.replace(character, "\\" + character)
    return " ".join(text.split())
