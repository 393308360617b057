"""Learning-management systems: what the tool writes for them and reads back, one home per
vendor, every export derived from key.json.

======================  ==========================  =======================  ===================
vendor                  exports (``--lms``)          reports (``grade``)      gradebook (``grade``)
======================  ==========================  =======================  ===================
``canvas/``             canvas: QTI 1.2 zip          Student Analysis CSV     gradebook import
``moodle/``             moodle: Moodle XML (with     Responses CSV            grade import
                        slot-marks.csv), gift:
                        GIFT (with gift-slot-
                        marks.csv)
``qti21.py``            qti21: QTI 2.1 package
``blackboard.py``       blackboard: Upload files
``prairielearn.py``     prairielearn: a course
                        folder (questions,
                        assessment)
``gradescope/``         gradescope: a class's        Download Grades CSV
                        roster and grader's key      (points per question)
(key/answer_csv.py)     csv: the answer-key CSV
======================  ==========================  =======================  ===================

Every module here is found by name in :data:`FORMATS_BY_NAME` and :data:`VENDORS`,
imported when it is used: importing this package, as the CLI does for its ``--lms``
option, loads no exporter (lxml, the LaTeX reader, the answer kinds).  A new format is a
module with ``write(key, run_folder, out) -> files`` and a line in
:data:`FORMATS_BY_NAME`; a new report reader or gradebook a module and its vendor's line
in :data:`VENDORS` (see their docstrings for what each module provides).  Shared by all:
the key seen as items, a part each (``items``) or a question drawn whole (``seats``), how
each format scores a part against its rubric and the ``scoring-notes.txt`` that says where
it cannot (``scoring``), how each format's quiz draws the questions (``drawing``), the
bank's LaTeX as HTML (``html``), zip packages and figures (``package``), and what report
readers share (``reports``).

May import: the foundation modules, ``kinds`` and ``key`` (its records and reader); a
vendor's report reader and gradebook writer also the records of grading
(grading/records.py, which imports nothing of the package), whose pipeline finds them
here by vendor name.

``export(run_folder, formats)`` writes ``lms/`` inside a folder being built (the run's
staging folder); ``export_run(run_folder, formats)`` adds formats to a finished run: it
reads and validates the run's key, writes a new ``lms/`` beside the old one (with the old
one's other formats) and swaps it in, so a failed export changes nothing.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from generator.errors import ExamError
from generator.run_folder import RunFolder

if TYPE_CHECKING:
    from generator.key.records import Key

ALL = "all"


@dataclass(frozen=True)
class Format:
    """One ``--lms`` format: the module whose ``write(key, run_folder, out)`` writes it
    into ``out`` and returns the files written."""

    module: str
    file: str  # what it writes in lms/ (a folder for Blackboard's files)
    # it ships the run's figures/ PNGs (a format that shows no question, or that draws its
    # figures itself, as a PrairieLearn course does, needs none)
    run_figures: bool = True
    quiz: str = ""  # the table of the Moodle quiz to build from it (moodle/slot_marks.py)
    in_all: bool = True  # ``--lms all`` writes it (a whole course folder is asked by name)
    code: bool = False  # it ships the questions' code: its write takes the bank's folders

    def write(self, key: Key, run_folder: Path, out: Path,
              banks: Sequence[Path] = ()) -> list[Path]:  # fmt: skip
        module = importlib.import_module(self.module)
        extra = (tuple(banks),) if self.code else ()
        written: list[Path] = module.write(key, run_folder, out, *extra)
        if self.quiz:  # a random question takes its mark from the quiz, not the file
            from generator.lms.moodle import slot_marks

            written += slot_marks.write(key, out, self.quiz)
        return written


@dataclass(frozen=True)
class Vendor:
    """What an LMS hands back after the exam, and takes in: the module that reads its quiz
    report (``NAME``, ``recognise(header)``, ``read(rows, key, where)``; lms/reports.py
    holds what they share) and the module that writes its gradebook import
    (``write(key, graded, grades, options)``; "": it takes none from us).  A report of
    ``marks`` gives the points the vendor's graders gave each question, not responses:
    its ``read`` returns the copies as graded (grading/records.py's ``Graded``)."""

    report: str
    gradebook: str = ""
    marks: bool = False

    def report_reader(self) -> ModuleType:
        return importlib.import_module(self.report)

    def gradebook_writer(self) -> ModuleType:
        return importlib.import_module(self.gradebook)


FORMATS_BY_NAME = {
    "canvas": Format("generator.lms.canvas.qti12", "canvas-qti12.zip"),
    "moodle": Format("generator.lms.moodle.xml", "moodle.xml", quiz="slot-marks.csv"),
    "qti21": Format("generator.lms.qti21", "qti21.zip"),
    "gift": Format("generator.lms.moodle.gift", "questions.gift", quiz="gift-slot-marks.csv"),
    "blackboard": Format("generator.lms.blackboard", "blackboard"),
    "prairielearn": Format(
        "generator.lms.prairielearn", "prairielearn", in_all=False, code=True, run_figures=False
    ),
    "gradescope": Format(
        "generator.lms.gradescope.export", "gradescope", run_figures=False, in_all=False
    ),
    "csv": Format("generator.key.answer_csv", "answer-key.csv", run_figures=False),
}
FORMATS = tuple(name for name, f in FORMATS_BY_NAME.items() if f.in_all)  # what "all" means
BY_NAME_ONLY = tuple(name for name in FORMATS_BY_NAME if name not in FORMATS)
BY_NAME_NOTES = {"prairielearn": "a PrairieLearn course",
                 "gradescope": "a class's roster and grader's key for Gradescope"}  # fmt: skip
HELP = f"{','.join(FORMATS)}, or all; also " + ", ".join(
    f"{name} ({BY_NAME_NOTES[name]})" for name in BY_NAME_ONLY
)
WITHOUT_FIGURES = {name for name, f in FORMATS_BY_NAME.items() if not f.run_figures}
VENDORS = {
    "canvas": Vendor("generator.lms.canvas.report", "generator.lms.canvas.gradebook"),
    "moodle": Vendor("generator.lms.moodle.report", "generator.lms.moodle.gradebook"),
    "gradescope": Vendor("generator.lms.gradescope.report", marks=True),
}


class ExportError(ExamError):
    """An export cannot be made from the given folder or with the given formats."""


def parse_formats(text: str) -> list[str]:
    """``canvas,moodle`` (or ``all``) -> the list, refusing unknown names."""
    names = [name.strip().lower() for name in text.split(",") if name.strip()]
    if ALL in names:
        return list(FORMATS)
    unknown = [name for name in names if name not in FORMATS_BY_NAME]
    if unknown or not names:
        raise ExportError(
            f"unknown LMS format '{unknown[0] if unknown else text}'; use a comma-separated "
            f"list of {', '.join(FORMATS)}, or {ALL}; or {', '.join(BY_NAME_ONLY)}."
        )
    return list(dict.fromkeys(names))


def export(run_folder: Path, formats: Sequence[str], banks: Sequence[Path] = ()) -> list[Path]:
    """Write every requested format into ``run_folder/lms/``; return the files written.
    ``banks``: the extra bank folders the run was built with (a format that ships the
    questions' code reads them)."""
    key = _checked_key(run_folder, formats)
    out = RunFolder(run_folder).lms
    out.mkdir(exist_ok=True)
    return _write(key, run_folder, out, formats, banks)


def export_run(run_folder: Path, formats: Sequence[str], banks: Sequence[Path] = ()) -> list[Path]:
    """Add ``formats`` to a finished run's ``lms/``, all at once or not at all."""
    run = RunFolder(run_folder)
    if not run.key.is_file():
        raise ExportError(f"{run_folder}: no key.json here; pass the folder generate-exam wrote.")
    target = run.lms
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        raise ExportError(
            f"{target}: is not a folder of this run (a link or a file); remove it and export again."
        )
    from generator.staging import staging  # its lock is portalocker's, which a PrairieLearn
    # course's server.py, importing this package to draw, neither needs nor has

    with staging(target, force=True, other="") as tmp:  # export has no --out
        _copy_files(target, tmp)
        written = _write(_checked_key(run_folder, formats), run_folder, tmp, formats, banks)
    return [target / path.relative_to(tmp) for path in written]


def _write(
    key: Key, run_folder: Path, out: Path, formats: Sequence[str], banks: Sequence[Path] = ()
) -> list[Path]:
    written = []
    for name in formats:
        written += FORMATS_BY_NAME[name].write(key, run_folder, out, banks)
    return written + _scoring_notes(key, out)


def _scoring_notes(key: Key, out: Path) -> list[Path]:
    """``scoring-notes.txt`` for every LMS file in ``out`` (this export's and an earlier
    one's): where each scores a part otherwise than its rubric (lms/scoring.py), and how
    its quiz draws the questions (lms/drawing.py)."""
    from generator.lms import drawing, scoring  # the answer kinds: only when exporting

    present = [name for name in scoring.FORMATS if (out / FORMATS_BY_NAME[name].file).exists()]
    if not present:
        return []
    return scoring.write_notes(key, out, present, drawing.drawing(key, present, scoring.NAMES))


def _checked_key(run_folder: Path, formats: Sequence[str]) -> Key:
    """The run's key, validated, each part's scoring fitting its items, and its figures
    there if a format shows questions."""
    from generator.key.read import read_key  # the key's records: only when exporting
    from generator.lms.package import check_figures
    from generator.lms.scoring import misfit

    key = read_key(RunFolder(run_folder).key)
    problem = misfit(key)
    if problem:
        raise ExportError(f"{RunFolder(run_folder).key}: {problem}")
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
