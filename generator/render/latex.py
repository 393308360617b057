"""Render an exam variant to LaTeX: question blocks first, then the document template."""

from __future__ import annotations

import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import jinja2

from generator.authoring.templates import fragment
from generator.bank.questions import LMS_SUFFIX, Part, describe, printed_part
from generator.errors import BankError
from generator.kinds.answers import Code, code_listing, format_number
from generator.render import names
from generator.render.templating import render_document
from generator.variants.assemble import Exam, QuestionVariant, Variant


@dataclass(frozen=True)
class QuestionView:
    """What the document template needs of one question: its rendered blocks and heading."""

    variant: QuestionVariant
    blocks: dict[str, str]
    points_text: str
    solution_blocks: dict[str, str]  # the blocks as the solutions print them


@dataclass(frozen=True)
class PointsRow:
    number: int
    title: str
    points: float


@dataclass(frozen=True)
class CopyView:
    """One student's copy in the document: header and footer lines, cover, questions."""

    variant_id: str
    variant_line: str
    names: str | None  # the PDF of the student's name lines (names.py), beside the .tex
    questions: list[QuestionView]
    points_table: list[PointsRow]  # the cover's rows: this copy's own questions (pools)
    bonus_where: str  # "Question 7": where this copy's extra credit is
    page_count: dict[str, int] | None = None  # a pool student's pages per version (cover)


@dataclass(frozen=True)
class Document:
    """What one ``.tex`` document is, besides the copies it holds.

    ``versions`` holds "exam" (the student version) and/or "solutions", in the order
    they are typeset; a class build asks for both, so one pdflatex run (and one
    start-up) serves both PDFs.  ``duplex`` pads the document to an even page count,
    so that documents concatenated for printing keep every copy starting on an odd page.
    ``templates`` is an institution's folder of partials (``--templates``, partials.py).
    ``compact`` prints the copies one after another under a heading each, without covers:
    the layout of ``generate-exam preview``, where a copy is one question.
    ``layer`` typesets one layer of a variant pool's PDFs (builds/pool.py): "body", the
    copies' question pages with neither head nor foot; "frame", the running foot's page
    numbers 2 to ``last_page``, then each copy's cover and one page of its running head
    and foot.
    """

    versions: Sequence[str] = ("exam",)
    duplex: bool = False
    templates: Path | None = None
    compact: bool = False
    layer: str | None = None
    last_page: int = 0


def render_tex(exam: Exam, variants: Sequence[Variant], document: Document = Document(),
               page_counts: Sequence[dict[str, int]] = ()) -> str:  # fmt: skip
    """The ``.tex`` source of one or more copies as ``document`` says; a pool's frames
    give each cover the ``page_counts`` of its copy."""
    views = [_copy(exam, variant) for variant in variants]
    if page_counts:
        views = [replace(view, page_count=count)
                 for view, count in zip(views, page_counts, strict=True)]  # fmt: skip
    tex = render_document(
        document.templates,
        blueprint=exam.blueprint,
        replica=exam.replica,
        versions=list(document.versions),
        duplex=document.duplex,
        compact=document.compact,
        copies=views,
        layer=document.layer,
        last_page=document.last_page,
        points=exam.points,
        bonus_points=exam.bonus_points,
    ).lstrip()
    return verbatim_ends_alone(tex)


VERBATIM_END = re.compile(r"^([^%\n]*\\end\{verbatim\})[ \t]*(\S[^\n]*)$", re.MULTILINE)


def verbatim_ends_alone(tex: str) -> str:
    """What follows ``\\end{verbatim}`` on its line, on a line of its own: the exam's
    verbatim.sty (exam.tex.j2: a code line with a blank is a handwriting line) drops it,
    and the bank writes ``\\end{verbatim}\\end{code}``."""
    return VERBATIM_END.sub(r"\1\n\2", tex)


def _copy(exam: Exam, variant: Variant) -> CopyView:
    student = variant.assignment.student
    variant_line = "Replica" if exam.replica else f"Variant {variant.variant_id}"
    pages = names.page_file(variant.variant_id) if student else None
    questions = variant.questions
    return CopyView(
        variant.variant_id, variant_line, pages, [_view(qv) for qv in questions],
        points_table=[PointsRow(qv.number, qv.question.title, qv.question.points)
                      for qv in questions],
        bonus_where=", ".join(f"Question {qv.number}" for qv in questions
                              if qv.question.bonus_points),
    )  # fmt: skip


def render_blocks(qv: QuestionVariant) -> dict[str, str]:
    """Every block of the question's template, filled with this variant's values; an
    error in the template (an undefined name, a filter given the wrong value) is one
    sentence naming its file and line, the question and the seed."""
    if not qv.rendered:
        path = qv.question.template_path
        template = fragment(qv.question.template, str(path))
        context = template.new_context(
            {**qv.params, "params": qv.params, "answers": qv.answers, "figures": qv.figures}
        )
        try:
            blocks = {name: "".join(render(context)).strip()
                      for name, render in template.blocks.items()}  # fmt: skip
        except Exception as exc:
            raise BankError(
                f"{path}{_template_line(template, exc)}: {describe(exc)}, filling it for "
                f"{qv.where or qv.question.id}; fix the template."
            ) from exc
        qv.rendered.update(blocks)
    return qv.rendered


def _template_line(template: jinja2.Template, exc: BaseException) -> str:
    """``, line 18``: where in the template file the error is (a block's code is called
    directly, so jinja does not rewrite the traceback: map its line back by hand)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename == template.filename and frame.lineno is not None:
            return f", line {template.get_corresponding_lineno(frame.lineno)}"
    return ""


def _view(qv: QuestionVariant) -> QuestionView:
    blocks = render_blocks(qv)
    heading = points_heading(qv.question.points, qv.question.bonus_points)
    return QuestionView(qv, blocks, heading, solution_blocks(qv, blocks))


def solution_blocks(qv: QuestionVariant, blocks: dict[str, str]) -> dict[str, str]:
    """The blocks as the solutions print them: a code part's blank skeleton is left out of
    the text, since its solution prints the completed function (kinds.CodeLines) in its
    place, so that a grader reads the function once, whole, with the answer lines at their
    blanks.  A skeleton written in other markup than :func:`code_listing` stays."""
    skeletons = [code_listing(Code(a.details["code"], a.value).blanked())
                 for a in qv.answers.values() if "code" in a.details]  # fmt: skip
    if not skeletons:
        return blocks
    shown = {}
    for name, text in blocks.items():
        for skeleton in skeletons:
            text = text.replace(skeleton, "")
        shown[name] = text.strip()
    return shown


def points_heading(points: float, bonus: float) -> str:
    """``12 points`` or ``6 points + 2 extra credit points``, as the seed exam writes it."""
    text = f"{format_number(points)} {'point' if points == 1 else 'points'}"
    if bonus:
        text += f" + {format_number(bonus)} extra credit {'point' if bonus == 1 else 'points'}"
    return text


@dataclass(frozen=True)
class PartText:
    """What a student reads before answering one part, as LaTeX (for LMS items and the key).

    ``context`` is the text printed between parts up to this one (it sets the scene for
    every later part); ``prompt`` the texts of the part and its parents, then the hint.
    ``lms_prompt`` is the same with the ``<part>_lms`` blocks in place of the printed ones,
    or None when the part and its parents have none (an LMS item then asks ``prompt``).  A
    part's own ``_lms`` block replaces its hint too: the hint sizes a paper answer ("1
    formula"), while the block says what to enter.
    """

    context: str
    prompt: str
    lms_prompt: str | None = None


def _referred(part: Part, refers: Sequence[str], printed: dict[str, list[str]]) -> list[str]:
    """The printed texts of the earlier parts ``refers`` (a part's own and its parents'),
    each under its label, without the parents' texts it shares with ``part`` (its own
    prompt gives them).  A part with sub-parts gives its own text, which sets them up."""
    found = []
    for ref in refers:
        common = _shared(ref.split("."), part.path[:-1])
        found.append(f"{printed_part(ref)} " + "\n\n".join(printed[ref][common:]))
    return found


def _shared(path: Sequence[str], other: Sequence[str]) -> int:
    """How many leading labels two part paths share."""
    count = 0
    for label, other_label in zip(path, other, strict=False):
        if label != other_label:
            break
        count += 1
    return count


def page_texts(qv: QuestionVariant) -> dict[str, str]:
    """Every leaf part's text for a page that shows all the parts of one question in order
    (PrairieLearn): each block once, where the paper prints it (an interlude before the
    part it precedes, a parent's text before its first sub-part), never an earlier part's
    text again (the page shows it above), in the ``_lms`` wording where a block has one."""
    blocks = render_blocks(qv)
    texts: dict[str, str] = {}
    pending: list[str] = []

    def walk(parts: Sequence[Part]) -> None:
        for part in parts:
            if f"before_{part.block}" in blocks:
                pending.append(blocks[f"before_{part.block}"])
            lms_block = blocks.get(f"{part.block}_{LMS_SUFFIX}")
            pending.append(blocks[part.block] if lms_block is None else lms_block)
            if part.parts:
                walk(part.parts)
                continue
            hint = f" \\emph{{({part.hint})}}" if part.hint and lms_block is None else ""
            texts[part.key] = "\n\n".join(t for t in pending if t) + hint
            pending.clear()

    walk(qv.question.parts)
    return texts


def question_texts(qv: QuestionVariant) -> tuple[str, dict[str, PartText]]:
    """The stem and every leaf part's text of one question variant."""
    blocks = render_blocks(qv)
    texts: dict[str, PartText] = {}
    interludes: list[str] = []
    printed: dict[str, list[str]] = {}  # every part's text with its parents', by key

    def walk(parts: Sequence[Part], parents: list[str], lms: list[str], swapped: bool,
             refers: tuple[str, ...] = ()) -> None:  # fmt: skip
        for part in parts:
            refers_here = (*refers, *(r for r in part.refers_to if r not in refers))
            if f"before_{part.block}" in blocks:
                interludes.append(blocks[f"before_{part.block}"])
            own = printed[part.key] = [*parents, blocks[part.block]]
            lms_block = blocks.get(f"{part.block}_{LMS_SUFFIX}")
            lms_own = [*lms, blocks[part.block] if lms_block is None else lms_block]
            swapped_here = swapped or lms_block is not None
            if part.parts:
                walk(part.parts, own, lms_own, swapped_here, refers_here)
                continue
            hint = f" \\emph{{({part.hint})}}" if part.hint else ""
            lms_hint = "" if lms_block is not None else hint
            lms_prompt = "\n\n".join(lms_own) + lms_hint if swapped_here else None
            context = "\n\n".join([*interludes, *_referred(part, refers_here, printed)])
            texts[part.key] = PartText(context, "\n\n".join(own) + hint, lms_prompt)

    walk(qv.question.parts, [], [], False)
    return blocks.get("stem", ""), texts
