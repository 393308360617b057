"""Exports to learning-management systems, every one derived from key.json.

``export(run_folder, formats)`` reads the run's ``key.json`` (and its figure PNGs) and
writes ``lms/`` next to it.  Formats: see :data:`FORMATS` and docs in each module.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from ..answer_csv import answer_key_csv
from ..errors import ExamError
from . import blackboard, canvas, gift, moodle, qti21

FORMATS = ("canvas", "moodle", "qti21", "gift", "blackboard", "csv")
LMS_DIR = "lms"


class ExportError(ExamError):
    """An export cannot be made from the given folder or with the given formats."""


def parse_formats(text: str) -> list[str]:
    """``canvas,moodle`` -> the list, refusing unknown names."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in FORMATS]
    if unknown or not names:
        raise ExportError(
            f"unknown LMS format '{unknown[0] if unknown else text}'; use a comma-separated "
            f"list of {', '.join(FORMATS)}."
        )
    return list(dict.fromkeys(names))


def export(run_folder: Path, formats: Sequence[str]) -> list[Path]:
    """Write every requested format into ``run_folder/lms/``; return the files written."""
    key_file = run_folder / "key.json"
    if not key_file.is_file():
        raise ExportError(f"{run_folder}: no key.json here; pass the folder generate-exam wrote.")
    key = json.loads(key_file.read_text(encoding="utf-8"))
    figures = {f for v in key["variants"] for q in v["questions"] for f in q["figures"].values()}
    missing = sorted(f for f in figures if not (run_folder / f).is_file())
    if missing:
        raise ExportError(f"{run_folder / missing[0]}: figure missing; rebuild with --figures.")
    out = run_folder / LMS_DIR
    out.mkdir(exist_ok=True)
    written = []
    for name in formats:
        written += _write(name, key, run_folder, out)
    return written


def _write(name: str, key: dict, run_folder: Path, out: Path) -> list[Path]:
    if name == "canvas":
        return [canvas.export(key, run_folder, out / "canvas-qti12.zip")]
    if name == "qti21":
        return [qti21.export(key, run_folder, out / "qti21.zip")]
    if name == "moodle":
        path = out / "moodle.xml"
        path.write_bytes(moodle.export(key, run_folder))
        return [path]
    if name == "gift":
        path = out / "questions.gift"
        path.write_text(gift.export(key), encoding="utf-8")
        return [path]
    if name == "blackboard":
        paths = []
        (out / "blackboard").mkdir(exist_ok=True)
        for file_name, content in blackboard.export(key).items():
            path = out / "blackboard" / file_name
            path.write_text(content, encoding="utf-8")
            paths.append(path)
        return paths
    path = out / "answer-key.csv"
    path.write_text(answer_key_csv(key), encoding="utf-8")
    return [path]
