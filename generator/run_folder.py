"""Where each file of a run goes: one record of a run folder's layout, for every stage.

A build writes ``output/<exam>-seed42/`` (in a staging folder renamed into place at the
end), ``export`` adds ``lms/`` to it and ``grade`` adds ``grades/``.  Every stage asks these
records where its files are, as mkdocs' ``File.dest_path`` says where a page goes, instead
of spelling the names itself; a record is made for the finished folder or for the staging
folder it is written in, whose layout is the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FIGURES = "figures"  # the PNG figures, also named relative to the run in key.json
SCORING_NOTES = "scoring-notes.txt"  # in lms/: where an LMS scores a part otherwise than its rubric


def file_stem(owner: str, code: str) -> str:
    """``<student id>_<code>`` or ``v<number>_<code>``: a copy's name in any file system."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", owner).strip("._")
    return f"{safe}_{code}"


class In:
    """A file or folder of a run's folder, by its name: ``key = In("key.json")`` makes
    ``RunFolder(root).key`` the path ``root / "key.json"``."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, folder: Any, owner: type | None = None) -> Any:
        return self if folder is None else folder.root / self.name


@dataclass(frozen=True)
class RunFolder:
    """A run's folder: the key, a single exam's documents, a class's students and print
    file, the figures, and the folders later commands add (``lms/``, ``grades/``)."""

    root: Path
    key = In("key.json")
    answer_csv = In("answer-key.csv")  # a class's (a single exam's is an export: lms/)
    print_pdf = In("print.pdf")  # a class's exams in one file, each on an odd page
    tex = In("tex")  # a class's LaTeX sources, one document per chunk of copies
    figures = In(FIGURES)
    students = In("students")
    lms = In("lms")

    @property
    def grades(self) -> GradesFolder:
        return GradesFolder(self.root / "grades")

    def document(self, version: str, suffix: str = ".tex") -> Path:
        """A single exam's (or rebuilt copy's) ``exam.tex``, ``solutions.pdf``, ..."""
        return self.root / f"{version}{suffix}"

    def student(self, owner: str, code: str) -> Path:
        """A class copy's folder of PDFs: ``students/<student id or v<n>>_<code>``."""
        return self.students / file_stem(owner, code)

    def listing(self) -> list[str]:
        """What a class run holds besides its students' folders, as a summary lists it."""
        paths = (self.print_pdf, self.key, self.answer_csv, self.tex, self.figures, self.lms)
        return [path.name + "/" * path.is_dir() for path in paths if path.exists()]


@dataclass(frozen=True)
class GradesFolder:
    """``grades/``: what ``grade`` writes, all at once or not at all."""

    root: Path
    grades_csv = In("grades.csv")
    feedback_csv = In("feedback.csv")
    feedback = In("feedback")  # each student's feedback page
    sheets = In("sheets")  # the parts people grade, one CSV each, read back by the next grade

    def feedback_page(self, owner: str, code: str) -> Path:
        return self.feedback / f"{file_stem(owner, code)}.html"

    def sheet(self, label: str) -> Path:
        """``2(b)(ii)`` -> ``sheets/2-b-ii.csv``: a file name in any file system."""
        return self.sheets / (re.sub(r"[^0-9A-Za-z]+", "-", label).strip("-") + ".csv")

    def report(self, suffix: str) -> Path:
        """The item analysis: ``report.html`` or ``report.md``."""
        return self.root / f"report{suffix}"
