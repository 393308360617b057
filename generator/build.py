"""generate(): one exam, read top to bottom.

load the bank -> load the blueprint -> the secret -> build the exam (pure) -> key ->
LaTeX -> PDF -> LMS exports, all written into a staging folder that replaces the
output folder only when everything succeeded, so a failed run leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import keys, pdf
from .assemble import Exam, Variant, build_exam
from .bank import load_bank
from .blueprint import load_blueprint
from .errors import LatexError
from .figures import figure_file, write_png
from .latex import render_tex
from .lms import export as export_lms
from .roster import find_copy
from .secret import SecretFile, resolve
from .seeding import PUBLIC, Secret, Seeding
from .staging import staging

Report = Callable[[str], None]


@dataclass(frozen=True)
class BuildResult:
    exam: Exam
    folder: Path
    files: tuple[Path, ...]
    exports: tuple[Path, ...] = ()


def generate(
    *,
    seed: int,
    secret: Secret | SecretFile = PUBLIC,
    blueprint: str | None = None,
    out: Path = Path("output"),
    pdf_output: bool = True,
    banks: Sequence[Path] = (),
    replica: bool = False,
    variant_id: str | None = None,
    figures: bool = True,
    solutions: bool = True,
    lms: Sequence[str] = (),
    force: bool = False,
    report: Report = lambda message: None,
) -> BuildResult:
    """Build one exam and write its files into ``out/<exam-name>-seed<seed>/``.

    ``variant_id`` rebuilds another copy than v0 (the code printed on its pages); its
    code joins the folder name.  ``solutions=False`` leaves out solutions.tex and its
    PDF; ``lms`` names export formats, written into ``lms/`` before the folder is
    renamed into place.  ``force`` replaces a folder holding files this run does not write.
    """
    bank = load_bank(banks)
    plan = load_blueprint(blueprint, bank)
    engine = pdf.check_tex() if pdf_output else None
    seeding = Seeding(seed, resolve(secret, report))
    copy = find_copy(seeding, variant_id) if variant_id is not None else None
    exam = build_exam(plan, bank, seeding, assignments=[copy] if copy else None, replica=replica)
    key = keys.build_key(exam)
    name = run_name(plan.name, seeding, replica=replica, copy=copy and copy.variant_id)
    folder = Path(out) / name
    with staging(folder, force=force) as tmp:
        texs = [
            _write(tmp / f"{version}.tex", render_tex(exam, exam.variants[:1], versions=[version]))
            for version in ("exam", "solutions")[: 2 if solutions else 1]
        ]
        _write(tmp / "key.json", keys.dumps(key))
        if figures:
            write_figures(exam.variants, tmp)
        if engine:
            report(f"Compiling {', '.join(t.with_suffix('.pdf').name for t in texs)} ...")
            try:
                pdf.compile_all(texs, engine)
            except LatexError as exc:
                if exc.source is not None:  # the staging folder goes: point to a copy
                    exc.source = pdf.keep_sources(tmp) / exc.source.relative_to(tmp)
                raise
            _remove_byproducts(tmp)
        exports = export_lms(tmp, lms) if lms else []
    files = tuple(sorted(folder.iterdir()))
    return BuildResult(exam, folder, files, tuple(folder / p.relative_to(tmp) for p in exports))


def run_name(
    exam: str,
    seeding: Seeding,
    *,
    replica: bool = False,
    copy: str | None = None,
    whole_class: bool = False,
) -> str:
    """The run's folder name: one per kind of run, so that no run replaces another's."""
    if replica:
        return f"{exam}-replica"
    parts = [exam, f"seed{seeding.seed}", copy, "class" if whole_class else None,
             "public" if seeding.secret.public else None]  # fmt: skip
    return "-".join(part for part in parts if part)


def write_figures(variants: Sequence[Variant], folder: Path) -> None:
    """PNG copies of the figures (the PDFs draw them as PDF paths), for LMS exports."""
    for variant in variants:
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
