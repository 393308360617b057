"""Content packages (zip files) with the same bytes for the same content, and the figures
they carry, read only from the run's own folder."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from lxml import etree

from generator.errors import ExamError
from generator.files import NotAFile, read_file
from generator.key.records import Key
from generator.run_folder import RunFolder

FIGURE = re.compile(r"figures/[A-Za-z0-9][A-Za-z0-9._-]*\.png")
MAX_FIGURE_BYTES = 64 * 2**20


class FigureError(ExamError):
    """A figure named by the key is not a file of the run."""


FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip timestamps would make every export differ


def write_zip(
    target: Path, files: Mapping[str, bytes], run_folder: Path, figures: Iterable[str]
) -> Path:
    """``files`` in name order, then the figure PNGs copied from the run's folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            _add(archive, name, files[name])
        for figure in figures:
            _add(archive, figure, read_figure(run_folder, figure))
    return target


PICTURE = "\\begin{picture}"  # how the bank draws a figure in LaTeX (figures.to_picture)


def check_figures(key: Key, run_folder: Path) -> None:
    """Every figure the key names is ``figures/<name>.png``, a file of the run itself, and
    every question that draws a figure has one (a class writes none unless asked)."""
    for variant in key.variants:
        for question in variant.questions:
            texts = [
                question.stem,
                *(p.context + p.prompt + (p.lms_prompt or "") for p in question.parts),
            ]
            if not question.figures and any(PICTURE in text for text in texts):
                raise FigureError(
                    f"{run_folder}: built without the PNG figures that question "
                    f"{question.number} needs in an LMS; build again with --figures "
                    "(or with --lms, which writes them)."
                )
            for figure in question.figures.values():
                read_figure(run_folder, figure, read=False)


def read_figure(run_folder: Path, figure: str, *, read: bool = True) -> bytes:
    """A figure's PNG, only from the run's own figures/ folder: a tampered key cannot make
    an export read (and ship) any other file, through ``..``, an absolute path or a link."""
    path = run_folder / figure
    if not FIGURE.fullmatch(figure) or path.parent.is_symlink():
        raise FigureError(
            f"{RunFolder(run_folder).key}: figure path {figure!r} is not figures/<name>.png; "
            "the key was changed by hand: rebuild the run."
        )
    try:
        data = read_file(path, limit=MAX_FIGURE_BYTES, follow_links=False, under=run_folder)
    except FileNotFoundError:
        raise FigureError(f"{path}: figure missing; rebuild the run with --figures.") from None
    except (NotAFile, OSError) as exc:
        why = exc if isinstance(exc, NotAFile) else exc.strerror
        raise FigureError(
            f"{path}: {why}, not a figure of the run; rebuild the run with --figures."
        ) from None
    return data if read else b""


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
