"""preview.html: one card per variant of a question, in a grid (generate-exam preview).

Each card shows what an author checks by eye: the seed, the drawn parameters, the
statement as printed (the question's own blocks, converted to HTML by the LMS
converter, math left as its LaTeX source), the answers as the key gives them (the
answer-key CSV's cell of each part), the solution, and the rejected draws.  Every string
from the question reaches the page escaped: jinja's autoescape for plain text, and the
converter, which escapes the text around the markup it makes, for LaTeX.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from markupsafe import Markup

from generator.bank.questions import Part, Question, printed_part
from generator.key.answer_csv import answer_text
from generator.key.records import PartInfo, ToleranceInfo
from generator.key.write import variant_record
from generator.kinds import KINDS
from generator.lms.html import to_html
from generator.pages import page_environment
from generator.render.latex import render_blocks
from generator.variants.assemble import QuestionVariant

if TYPE_CHECKING:
    from generator.preview.spec import Drawn

TEMPLATE = "preview.html.j2"


@dataclass(frozen=True)
class OptionView:
    label: str
    text: Markup
    correct: bool
    verdict: str  # what the solutions say of it: Correct, Wrong (True, False for some kinds)
    why: Markup


@dataclass(frozen=True)
class PartView:
    """One part as printed: its label and text, and for a leaf its key entry."""

    key: str
    label: str
    depth: int
    before: Markup  # text printed between the previous part and this one
    text: Markup
    hint: str
    points: str
    leaf: bool
    kind: str = ""
    answer: str = ""  # as the key gives it (the answer-key CSV's cell)
    tolerance: str = ""
    options: tuple[OptionView, ...] = ()
    solution: Markup = field(default_factory=Markup)


@dataclass(frozen=True)
class CardView:
    seed: int
    code: str
    params: str  # the parameters as JSON, indented
    stem: Markup
    parts: tuple[PartView, ...]
    draws: int
    rejected: int
    rejection_rate: float


def render_html(
    question: Question, drawn: Sequence[Drawn], *, seeds: str, figures: bool = False
) -> str:
    """The page: a summary of the draws (``seeds``: how to name them, ``0-11``), then one
    card per variant, in the order of the seeds given."""
    cards = [card(d, figures=figures) for d in drawn]
    draws = sum(c.draws for c in cards)
    rejected = sum(c.rejected for c in cards)
    distinct = len({c.params for c in cards})
    return (
        page_environment()
        .get_template(TEMPLATE)
        .render(
            question=question,
            cards=cards,
            seeds=seeds,
            draws=draws,
            rejected=rejected,
            rejection_rate=rejected / draws if draws else 0.0,
            distinct=distinct,
        )
    )


def card(drawn: Drawn, *, figures: bool = False) -> CardView:
    """One variant's card: its key entry (what key.json would say) and its blocks."""
    qv = drawn.variant.questions[0]
    entry = variant_record(drawn.variant, figures=figures).questions[0]
    images = tuple(entry.figures.values())
    by_key = {part.part: part for part in entry.parts}
    blocks = render_blocks(qv)
    return CardView(
        seed=drawn.seed,
        code=drawn.variant.variant_id,
        params=json.dumps(qv.params, indent=1, ensure_ascii=False),
        stem=_html(blocks.get("stem", ""), images),
        parts=tuple(_parts(qv, qv.question.parts, 0, blocks, by_key, images)),
        draws=drawn.draws,
        rejected=drawn.rejected,
        rejection_rate=drawn.rejection_rate,
    )


def _parts(
    qv: QuestionVariant,
    parts: Sequence[Part],
    depth: int,
    blocks: Mapping[str, str],
    by_key: Mapping[str, PartInfo],
    images: tuple[str, ...],
) -> list[PartView]:
    """The parts in print order, sub-parts after their parent, each with its depth."""
    views = []
    for part in parts:
        common = {
            "key": part.key, "label": printed_part(part.key), "depth": depth,
            "before": _html(blocks.get(f"before_{part.block}", ""), images),
            "text": _html(blocks[part.block], images), "hint": part.hint,
            "points": _points(part.points, part.bonus),
        }  # fmt: skip
        if part.parts:
            views.append(PartView(leaf=False, **common))
            views += _parts(qv, part.parts, depth + 1, blocks, by_key, images)
            continue
        entry = by_key[part.key]
        views.append(PartView(leaf=True, **common, kind=entry.kind, answer=answer_text(entry),
                              tolerance=_tolerance(entry.tolerance),
                              options=_options(entry, images),
                              solution=_solution(part, blocks, entry, images)))  # fmt: skip
    return views


def _options(entry: PartInfo, images: tuple[str, ...]) -> tuple[OptionView, ...]:
    kind = KINDS[entry.kind]
    return tuple(
        OptionView(
            label=kind.option_label(o.label),
            text=_html(o.text, images),
            correct=o.correct,
            verdict=kind.verdict(o.correct),
            why=_html(o.why, images),
        )
        for o in entry.options or ()
    )


def _solution(part: Part, blocks: Mapping[str, str], entry: PartInfo,
              images: tuple[str, ...]) -> Markup:  # fmt: skip
    """The worked solution the solutions print (the part's ``_solution`` block), or else the
    key's answer as the solutions print it; then the grading notes."""
    text = blocks.get(f"{part.block}_solution") or entry.answer_latex
    notes = "".join(f"<li>{_html(note, images)}</li>" for note in entry.rubric)
    rubric = f"<p><em>Grading notes:</em></p><ul>{notes}</ul>" if notes else ""
    return _html(text, images) + Markup(rubric)


def _html(latex: str, images: tuple[str, ...]) -> Markup:
    """A LaTeX fragment as HTML; the converter escapes every character of text it keeps."""
    return Markup(to_html(latex, images)) if latex.strip() else Markup()


def _points(points: float, bonus: bool) -> str:
    text = f"{points:g} {'point' if points == 1 else 'points'}"
    return f"{text}, extra credit" if bonus else text


def _tolerance(tolerance: ToleranceInfo | None) -> str:
    if not tolerance or not (tolerance.abs or tolerance.rel):
        return ""
    said = [f"±{tolerance.abs:g}"] if tolerance.abs else []
    said += [f"±{100 * tolerance.rel:g}%"] if tolerance.rel else []
    return " or ".join(said) + (", the larger" if len(said) > 1 else "")
