"""generate-exam preview: N variants of one question side by side, to check them by eye.

An author who edits a question wants to see twenty instances of it at once, without a
blueprint: their numbers, the statement as printed, the key's answers, the solution,
and how often ``sample()`` had to draw again.  Seed N here is the variant that
``generate-exam check`` names as seed N (public mode, copy v0), so a finding of
``check`` can be looked at in the preview, and ``generate-exam --public --seed N`` prints it.

The run writes ``<out>/preview-<slug>/``: ``preview.html`` (cards in a grid),
``preview.tex`` and ``preview.pdf`` (the exam's own solutions layout, one copy per seed),
through a staging folder, so the folder is written whole or not at all.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.authoring import sampling
from generator.authoring.figures import write_figures
from generator.bank.blueprints import Blueprint, Pool
from generator.bank.questions import QUESTION_FILE, Question, load_bank, question_ids
from generator.errors import LatexError
from generator.preview.html import render_html
from generator.preview.spec import Drawn, PreviewError, PreviewSpec, describe_seeds, folder_name
from generator.render import pdf
from generator.render.latex import Document, render_tex
from generator.staging import staging
from generator.variants.assemble import Exam, Variant, first_copy, realise
from generator.variants.roster import Assignment

HTML_FILE, TEX_FILE, PDF_FILE = "preview.html", "preview.tex", "preview.pdf"
FIGURES_DIR = "figures"
# What a preview folder holds: a rebuild may replace these without asking (a --no-pdf run
# after a PDF run drops the PDF); anything else in the folder is the user's, and kept.
OWN_FILES = (HTML_FILE, TEX_FILE, PDF_FILE, FIGURES_DIR)
BYPRODUCTS = (".aux", ".log", ".out", ".ranges")

Progress = Callable[[int], None]
Report = Callable[[str], None]


class UnknownQuestion(PreviewError):
    """The id names no question of the bank: a mistake on the command line."""

    exit_code = 2


@dataclass(frozen=True)
class PreviewResult:
    folder: Path
    question: Question
    drawn: tuple[Drawn, ...]
    files: tuple[str, ...]  # the names written in the folder


def find_question(question_id: str, banks: Sequence[Path]) -> Question:
    """The question ``question_id``, loaded alone (another question of the bank may be
    half written), or one sentence naming the ids there are."""
    bank = load_bank(banks, only={question_id})
    if question_id in bank:
        return bank[question_id]
    ids = question_ids(banks)
    near = [qid for qid in ids if question_id in qid or qid.endswith(question_id)]
    known = near or ids
    raise UnknownQuestion(
        f"unknown question '{question_id}'; {'did you mean' if near else 'known ids:'} "
        f"{', '.join(known)}{'?' if near else '.'} (pass --bank DIR for your own questions)"
    )


def draw(question: Question, seed: int) -> Drawn:
    """The variant ``generate-exam check`` draws for ``seed``, its rejected draws counted."""
    seeding, code = first_copy(seed)
    with sampling.counting() as attempts:
        qv = realise(question, 1, seeding, code)
    return Drawn(seed, Variant(Assignment(code, 0), (qv,)), tuple(attempts))


def draw_all(question: Question, seeds: Sequence[int], progress: Progress) -> tuple[Drawn, ...]:
    drawn = []
    for seed in seeds:
        drawn.append(draw(question, seed))
        progress(1)
    return tuple(drawn)


def preview(
    spec: PreviewSpec,
    *,
    progress: Progress = lambda done: None,
    report: Report = lambda message: None,
) -> PreviewResult:
    """Draw the variants, then write the folder (see the module docstring). Every variant
    is drawn and rendered before the folder is touched: a broken question writes nothing."""
    if not spec.seeds:
        raise PreviewError("no seeds to preview; pass --variants N or --seeds 0-11.")
    question = find_question(spec.question, spec.banks)
    engine = pdf.check_tex() if spec.pdf else None
    drawn = draw_all(question, spec.seeds, progress)
    figures = any(d.variant.questions[0].figures for d in drawn)
    html = render_html(question, drawn, seeds=describe_seeds(spec.seeds), figures=figures)
    tex = preview_tex(question, drawn)
    folder = spec.folder
    with staging(folder, force=_only_own_files(folder)) as tmp:
        (tmp / HTML_FILE).write_text(html, encoding="utf-8")
        (tmp / TEX_FILE).write_text(tex, encoding="utf-8")
        if figures:
            write_figures([d.variant for d in drawn], tmp)
        if engine:
            report(f"Compiling {PDF_FILE} ...")
            _compile(tmp / TEX_FILE, engine)
        files = tuple(sorted(p.name for p in tmp.iterdir()))
    return PreviewResult(folder, question, drawn, files)


def preview_tex(question: Question, drawn: Sequence[Drawn]) -> str:
    """The exam's own LaTeX (templates/exam.tex.j2, solutions version): one copy per
    seed, its cover and footer naming the seed, so that the PDF shows each variant
    exactly as the solutions of an exam print it."""
    plan = preview_blueprint(question, [d.seed for d in drawn])
    shown = [Variant(Assignment(f"{d.variant.variant_id}, seed {d.seed}", 0),
                     d.variant.questions) for d in drawn]  # fmt: skip
    exam = Exam(blueprint=plan, seeding=first_copy(drawn[0].seed)[0], replica=False,
                variants=tuple(shown))  # fmt: skip
    return render_tex(exam, exam.variants, Document(versions=("solutions",), compact=True))


def preview_blueprint(question: Question, seeds: Sequence[int]) -> Blueprint:
    """A blueprint of the one question, made in memory: the preview needs none on disk."""
    return Blueprint(
        name=folder_name(question.id),
        title=f"Preview: {question.title}",
        course=question.id,
        term="",
        institution="",
        duration="",
        instructions=(
            f"{len(seeds)} variants: seeds {describe_seeds(seeds)}, drawn in public mode, "
            "as generate-exam check draws them.",
            "Each copy is the question as the solutions print it; generate-exam --public "
            "--seed N prints seed N.",
        ),
        id_label="Student ID",
        honor_code="",
        pools=(Pool(1, (question.id,), 1, f"preview of {question.id}"),),
        path=question.folder / QUESTION_FILE,
    )


def _compile(tex: Path, engine: str) -> None:
    """pdflatex on the staged .tex; on a LaTeX error, its sources are kept for reading
    (the staging folder goes) and the message names them."""
    try:
        pdf.compile_all([tex], engine)
    except LatexError as exc:
        if exc.source is not None:
            exc.source = pdf.keep_sources(tex.parent) / exc.source.relative_to(tex.parent)
        raise
    for path in tex.parent.iterdir():
        if path.suffix in BYPRODUCTS:
            path.unlink()


def _only_own_files(folder: Path) -> bool:
    """Whether the folder holds only what previews write (then a rebuild replaces it
    whole); a file the user put there makes staging refuse, naming it."""
    if not folder.is_dir() or folder.is_symlink():
        return False
    return all(entry.name in OWN_FILES for entry in folder.iterdir())
