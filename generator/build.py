"""generate(): the whole run, read top to bottom.

load the bank -> load the blueprint -> build the exam (pure) -> key ->
LaTeX -> PDF, all written into a staging folder that replaces the output
folder only when everything succeeded, so a failed run leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import keys, pdf
from .assemble import Exam, build_exam
from .bank import load_bank
from .blueprint import load_blueprint
from .errors import OutputError
from .figures import figure_file, write_png
from .latex import render_tex
from .roster import Assignment

Report = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    exam: Exam
    folder: Path
    files: tuple[Path, ...]


def generate(
    *,
    seed: int,
    blueprint: str | None = None,
    out: Path = Path("output"),
    pdf_output: bool = True,
    banks: Sequence[Path] = (),
    replica: bool = False,
    assignment: Assignment | None = None,
    figures: bool = True,
    solutions: bool = True,
    report: Report = lambda message: None,
) -> BuildResult:
    """Build one exam and write its files into ``out/<exam-name>-seed<seed>/``.

    ``assignment`` picks another copy than v0 (``--variant-id``); its id joins the
    folder name.  ``solutions=False`` leaves out solutions.tex and its PDF.
    """
    bank = load_bank(banks)
    plan = load_blueprint(blueprint, bank)
    engine = pdf.check_tex() if pdf_output else None
    assignments = [assignment] if assignment else [Assignment(0, "v0")]
    exam = build_exam(plan, bank, seed, assignments=assignments, replica=replica)
    key = keys.build_key(exam)
    name = "replica" if replica else f"seed{seed}"
    if assignment is not None:
        name += f"-{assignment.variant_id}"
    folder = Path(out) / f"{plan.name}-{name}"
    with staging(folder) as tmp:
        texs = [
            _write(tmp / f"{name}.tex", render_tex(exam, exam.variants[:1], versions=[name]))
            for name in ("exam", "solutions")[: 2 if solutions else 1]
        ]
        _write(tmp / "key.json", keys.dumps(key))
        if figures:
            write_figures(exam, tmp)
        if engine:
            report(f"Compiling {', '.join(t.with_suffix('.pdf').name for t in texs)} ...")
            pdf.compile_all(texs, engine)
            _remove_byproducts(tmp)
    files = tuple(sorted(folder.iterdir()))
    return BuildResult(exam, folder, files)


def write_figures(exam: Exam, folder: Path) -> None:
    """PNG copies of the figures (the PDFs draw them as PDF paths), for LMS exports."""
    for variant in exam.variants:
        for qv in variant.questions:
            for name, figure in qv.figures.items():
                path = folder / figure_file(variant.variant_id, qv.number, name)
                path.parent.mkdir(exist_ok=True)
                write_png(figure, path)


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _remove_byproducts(folder: Path) -> None:
    """Keep what a user opens (.tex, .pdf, .json); drop TeX's .aux and .log."""
    for path in folder.iterdir():
        if path.suffix in (".aux", ".log", ".out", ".ranges"):
            path.unlink()


@contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A temporary sibling of ``folder`` that replaces it on success and vanishes on failure."""
    parent = folder.parent
    created_parent = not parent.exists()
    try:
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=parent))
    except OSError as exc:
        raise OutputError(
            f"{parent}: cannot create the output folder ({exc.strerror}); "
            "choose another with --out."
        ) from None
    try:
        yield tmp
        _replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if created_parent and not any(parent.iterdir()):
            parent.rmdir()
        raise


def _replace(new: Path, folder: Path) -> None:
    """Swap ``new`` in for ``folder`` with renames, so the folder is never half-written."""
    os.chmod(new, 0o755)
    old = None
    if folder.exists():
        old = folder.with_name(f".{folder.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        folder.rename(old)
    new.rename(folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
