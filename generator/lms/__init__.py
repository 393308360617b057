"""Exports to learning-management systems, every one derived from key.json.

``export(run_folder, formats)`` writes ``lms/`` inside a folder being built (the run's
staging folder); ``export_run(run_folder, formats)`` adds formats to a finished run:
it reads and validates the run's key, writes a new ``lms/`` beside the old one (with
the old one's other formats) and swaps it in, so a failed export changes nothing.
Each format is one writer in :data:`WRITERS`, all with the same signature.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from generator.errors import ExamError
from generator.staging import staging

LMS_DIR = "lms"
ALL = "all"

Writer = Callable[[dict[str, Any], Path, Path], list[Path]]


class ExportError(ExamError):
    """An export cannot be made from the given folder or with the given formats."""


def _imported(module: str) -> Writer:
    """The ``write`` of ``module`` (relative to this package), imported on its first call:
    importing this package, as the CLI does for its --lms option, loads no exporter (lxml,
    the LaTeX reader, the answer kinds)."""

    def write(key: dict[str, Any], run_folder: Path, out: Path) -> list[Path]:
        writer: Writer = importlib.import_module(module, __name__).write
        return writer(key, run_folder, out)

    return write


def _with_slot_marks(writer: Writer) -> Writer:
    """A Moodle format's writer that also writes the quiz slots' marks (slot-marks.csv):
    a random question takes its mark from the quiz, never from the file."""

    def write(key: dict[str, Any], run_folder: Path, out: Path) -> list[Path]:
        from generator.lms.moodle import slot_marks

        return [*writer(key, run_folder, out), *slot_marks.write_beside(key, out)]

    return write


# One writer per format, each a module's ``write(key, run_folder, out) -> files written``:
# a new format is a module and a line here.
WRITERS: dict[str, Writer] = {
    "canvas": _imported(".canvas.qti12"),
    "moodle": _with_slot_marks(_imported(".moodle.xml")),
    "qti21": _imported(".qti21"),
    "gift": _with_slot_marks(_imported(".moodle.gift")),
    "blackboard": _imported(".blackboard"),
    "csv": _imported("..key.answer_csv"),
}
FORMATS = tuple(WRITERS)
WITHOUT_FIGURES = {"csv"}  # the formats that show no question text


def parse_formats(text: str) -> list[str]:
    """``canvas,moodle`` (or ``all``) -> the list, refusing unknown names."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if ALL in names:
        return list(FORMATS)
    unknown = [name for name in names if name not in WRITERS]
    if unknown or not names:
        raise ExportError(
            f"unknown LMS format '{unknown[0] if unknown else text}'; use a comma-separated "
            f"list of {', '.join(FORMATS)}, or {ALL}."
        )
    return list(dict.fromkeys(names))


def export(run_folder: Path, formats: Sequence[str]) -> list[Path]:
    """Write every requested format into ``run_folder/lms/``; return the files written."""
    key = _checked_key(run_folder, formats)
    out = run_folder / LMS_DIR
    out.mkdir(exist_ok=True)
    written = []
    for name in formats:
        written += WRITERS[name](key, run_folder, out)
    return written


def export_run(run_folder: Path, formats: Sequence[str]) -> list[Path]:
    """Add ``formats`` to a finished run's ``lms/``, all at once or not at all."""
    if not (run_folder / "key.json").is_file():
        raise ExportError(f"{run_folder}: no key.json here; pass the folder generate-exam wrote.")
    target = run_folder / LMS_DIR
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ExportError(
            f"{target}: is not a folder of this run (a link or a file); remove it and export again."
        )
    with staging(target, force=True) as tmp:
        _copy_files(target, tmp)
        key = _checked_key(run_folder, formats)
        written = []
        for name in formats:
            written += WRITERS[name](key, run_folder, tmp)
    return [target / path.relative_to(tmp) for path in written]


def _checked_key(run_folder: Path, formats: Sequence[str]) -> dict[str, Any]:
    """The run's key, validated, and its figures there if a format shows questions."""
    from generator.key.read import read_key  # the key's schema and records: only when exporting
    from generator.lms.package import check_figures

    key = read_key(run_folder / "key.json")
    if set(formats) - WITHOUT_FIGURES:
        check_figures(key, run_folder)
    return key


def _copy_files(source: Path, target: Path) -> None:
    """The regular files below ``source`` (the earlier exports), never what a link points to."""
    for directory, _, files in os.walk(source):
        here = target / Path(directory).relative_to(source)
        here.mkdir(exist_ok=True)
        for name in files:
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                shutil.copy2(path, here / name)
