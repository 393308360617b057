"""PrairieLearn: the run's questions as a PrairieLearn course folder (``--lms prairielearn``).

``prairielearn/`` holds what a PrairieLearn course needs to run the exam with fresh
numbers for every student:

- ``infoCourse.json``, and ``courseInstances/exams/`` with an assessment per blueprint
  (``assessments/<exam>/infoAssessment.json``): a zone per table of the blueprint, a zone
  that picks M of its questions where the table picks M (``numberChoose``), each question
  worth its points (``autoPoints`` for what its elements grade, ``manualPoints`` for what a
  person grades);
- ``questions/<question id>/`` per bank question of the run: ``info.json``,
  ``question.html`` (the question's parts, an element each: elements.py), the question's
  own files (question.toml, solve.py, question.tex.j2) and a ``server.py`` that draws a
  variant from them for PrairieLearn's variant seed (live.py);
- ``serverFilesCourse/``: this package's code, which ``server.py`` imports, and
  ``requirements.txt``: what the code needs that PrairieLearn's image lacks, installed
  into the same folder by PrairieLearn's own recipe (docs/lms-delivery.md);
- ``scoring-notes.txt``: where PrairieLearn scores a part otherwise than its rubric.

The run's key decides which questions, parts and points the course has; the export draws
each question once for the bank's code and stops if the two differ (the bank changed since
the run).  Every file is written with sorted keys and ids derived from the question ids
(uuid5), so the same run and version export the same bytes.
"""

from __future__ import annotations

import json
import shutil
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Any

import generator
from generator.bank.questions import Question, load_bank, printed_part
from generator.errors import ExamError
from generator.key.records import Key, QuestionInfo
from generator.kinds import KINDS
from generator.kinds import scoring as rubric
from generator.lms import ExportError, scoring
from generator.lms.items import drawn_once, quiz_title
from generator.lms.prairielearn import live
from generator.lms.prairielearn.elements import auto, element_names, fit, letters, question_html

FOLDER = "prairielearn"
INSTANCE = "exams"
NOTES = "scoring-notes.txt"
SERVER_FILES = "serverFilesCourse"
NAMESPACE = uuid.UUID("5b0b7f0e-2a8e-5c57-9d55-3f7c2f1b9e29")  # this exporter's own
# Our dependencies that PrairieLearn's image has (its pyproject.toml at the commit the tests
# pin; fonttools comes with matplotlib), and those a draw imports that it lacks, with our
# own pyproject's bounds, for serverFilesCourse/requirements.txt.  A draw imports none of
# the others (click, pikepdf, typst, portalocker): tests/test_prairielearn_course.py.
IN_PRAIRIELEARN = ("numpy", "sympy", "jinja2", "lxml", "matplotlib", "fonttools")
REQUIREMENTS = ("msgspec>=0.18", "pylatex>=1.4", "pylatexenc>=2.10,<3", "platformdirs>=4.3")
PL_FILES = ("info.json", "question.html", "server.py")  # PrairieLearn's, in a question folder
MAX_QUESTION_FILE = 4 * 2**20


def make_uuid(*names: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(names)))


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ the course


def questions(key: Key) -> dict[str, list[tuple[str, QuestionInfo]]]:
    """Every bank question of the run with its variants (each once), in the blueprint's
    order."""
    found: dict[str, list[tuple[str, QuestionInfo]]] = {q: [] for q in key.exam.questions}
    for source, question in drawn_once(key):
        found[question.id].append((source, question))
    return {qid: variants for qid, variants in found.items() if variants}


def topic(qid: str) -> str:
    """A question's PrairieLearn topic: its bank folder (``dl-core``)."""
    return qid.split("/")[0] if "/" in qid else "questions"


def course_files(key: Key) -> dict[str, Any]:
    """The course's JSON files by path, as builtins."""
    found = questions(key)
    exam = key.exam
    course = exam.course or exam.title
    topics = sorted({topic(qid) for qid in found})
    files: dict[str, Any] = {
        "infoCourse.json": {
            "uuid": make_uuid("course", exam.name),
            "name": exam.name,
            "title": course,
            "topics": [{"name": t, "color": "blue1"} for t in topics],
        },
        f"courseInstances/{INSTANCE}/infoCourseInstance.json": {
            "uuid": make_uuid("instance", exam.name),
            "longName": f"{course}: exams",
        },
        f"courseInstances/{INSTANCE}/assessments/{exam.name}/infoAssessment.json": {
            "uuid": make_uuid("assessment", exam.name),
            "type": "Exam",
            "title": quiz_title(key),
            "set": "Exam",
            "number": "1",
            "shuffleQuestions": bool(exam.shuffled),
            "zones": zones(key, found),
            # bonus parts count in their questions' points: the total past the exam's
            # points is bonus, as on paper
            **(
                {"maxPoints": exam.points, "maxBonusPoints": exam.bonus_points}
                if exam.bonus_points
                else {}
            ),
        },
    }
    for qid, variants in found.items():
        first = variants[0][1]
        files[f"questions/{qid}/info.json"] = {
            "uuid": make_uuid("question", qid), "title": first.title, "topic": topic(qid),
            "type": "v3", "partialCredit": True,
            "tags": ["exam-variant-generator", exam.name]}  # fmt: skip
    return files


def zones(key: Key, found: dict[str, list[tuple[str, QuestionInfo]]]) -> list[dict[str, Any]]:
    """A zone per question, in the blueprint's order; a zone per table that picks, holding
    its questions, with ``numberChoose`` its pick."""
    pools = {qid: pool for pool in key.exam.pools or () for qid in pool.from_}
    made, done = [], set()
    for qid in found:
        pool = pools.get(qid)
        if pool is None:
            made.append({"title": found[qid][0][1].title, "questions": [points(qid, found[qid])]})
        elif pool.table not in done:
            done.add(pool.table)
            listed = [points(q, found[q]) for q in pool.from_ if q in found]
            title = f"Table {pool.table}: {pool.pick} of {len(pool.from_)}"
            made.append({"title": title, "numberChoose": min(pool.pick, len(listed)),
                         "questions": listed})  # fmt: skip
    return made


def points(qid: str, variants: list[tuple[str, QuestionInfo]]) -> dict[str, Any]:
    """A zone's question: its id and its points, auto-graded and manual."""
    parts = variants[0][1].parts
    scored = sum(Fraction(str(p.points)) for p in parts if auto(p))  # bonus parts too: the
    manual = sum(Fraction(str(p.points)) for p in parts if not auto(p))  # weights count them
    entry: dict[str, Any] = {"id": qid, "autoPoints": _number(scored)}
    if manual:
        entry["manualPoints"] = _number(manual)
    return entry


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _check_same_parts(qid: str, variants: list[tuple[str, QuestionInfo]]) -> None:
    shapes = {_shape(q) for _, q in variants}
    if len(shapes) > 1:
        raise ExportError(f"{qid}: its variants have different parts; PrairieLearn's "
                          "question.html is one for all of them")  # fmt: skip


def _shape(info: QuestionInfo) -> tuple[Any, ...]:
    """What question.html depends on: each part's name, kind, points and element."""
    elements = element_names(info)
    return tuple((p.part, p.kind, p.points, element)
                 for p, element in zip(info.parts, elements.values(), strict=True))  # fmt: skip


def server_py(qid: str, elements: dict[str, str]) -> str:
    """A question's ``server.py``: PrairieLearn's functions, each live.py's."""
    listed = "".join(f"    {json.dumps(name)}: {json.dumps(element)},\n"
                     for name, element in elements.items())  # fmt: skip
    return f'''"""Written by generate-exam (--lms prairielearn) for {qid}.

Each variant is drawn for PrairieLearn's variant seed by the question's own sample() and
solve() (question.toml, solve.py and question.tex.j2 beside this file), with the
generator package in serverFilesCourse/: `generate-exam preview {qid} --seeds SEED`
shows the same variant.
"""

from generator.lms.prairielearn import live

# Each part's element in question.html; a variant whose parts take others is refused.
ELEMENTS = {{
{listed}}}


def generate(data):
    live.generate(data, ELEMENTS)


def grade(data):
    live.grade(data)


def file(data):
    return live.file(data)
'''


def question_files(question: Question) -> dict[str, bytes]:
    """The bank question's own files, its subfolders' too (a data file ``solve.py`` reads),
    by their path in the folder; not hidden files nor ``__pycache__``.  A link is refused:
    the course needs the file itself, and a link could ship any file of the machine."""
    files = {}
    for path in sorted(question.folder.rglob("*")):
        relative = path.relative_to(question.folder)
        if any(p.startswith(".") or p == "__pycache__" for p in relative.parts):
            continue
        if path.is_symlink():
            raise ExportError(f"{path}: a link; a PrairieLearn course needs the file itself: "
                              "put the file in the question's folder.")  # fmt: skip
        if not path.is_file():
            continue
        if relative.as_posix() in PL_FILES:
            raise ExportError(f"{path}: PrairieLearn's question folder has its own {path.name}; "
                              "rename this file of the question.")  # fmt: skip
        if path.stat().st_size > MAX_QUESTION_FILE:
            raise ExportError(f"{path}: more than {MAX_QUESTION_FILE >> 20} MiB; a question's "
                              "files travel with the course: make it smaller.")  # fmt: skip
        files[relative.as_posix()] = path.read_bytes()
    return files


def package_files() -> dict[str, bytes]:
    """This package's code, as ``serverFilesCourse/generator/`` holds it (not the shipped
    bank, templates and docs: each question carries its own files; nor hidden files, which
    an editor or a file manager leaves)."""
    root = Path(generator.__file__).parent
    files = {}
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if (path.is_file() and not path.is_symlink() and "__pycache__" not in parts
                and parts[0] != "_data" and path.suffix != ".pyc"
                and not any(p.startswith(".") for p in parts)):  # fmt: skip
            files[f"generator/{'/'.join(parts)}"] = path.read_bytes()
    return files


# Variant seeds the export draws each question for, from the files it ships: a variant
# whose parts take other elements than question.html's would fail in PrairieLearn.
CHECKED_SEEDS = range(20)


def check_draws(qid: str, folder: Path, info: QuestionInfo) -> None:
    """Draw the shipped question for :data:`CHECKED_SEEDS`: each draw's parts must be those
    the run's key holds, and take the elements question.html has."""
    theirs = _shape(info)
    for seed in CHECKED_SEEDS:
        try:
            mine = _shape(live.draw(folder, seed).info)
        except ExamError as exc:
            raise ExportError(f"{qid}: the course's copy of the question cannot draw variant "
                              f"seed {seed} ({exc})") from exc  # fmt: skip
        if [p[:3] for p in mine] != [p[:3] for p in theirs]:  # part, kind, points
            raise ExportError(f"{folder}: the question's parts differ from the run's {qid} "
                              "(the bank changed since the run); build it again.")  # fmt: skip
        changed = [f"{printed_part(a[0])} {b[3]} there, {a[3]} in the run's"
                   for a, b in zip(theirs, mine, strict=True) if a != b]  # fmt: skip
        if changed:
            raise ExportError(
                f"{qid}: variant seed {seed} takes other elements than the run's variants "
                f"({'; '.join(changed)}): PrairieLearn reads its formula in some variants and "
                "not in others (a decimal, a matrix); make the question's formulas alike in "
                "every variant, or export it for another LMS."
            )


def write(key: Key, run_folder: Path, out: Path, banks: tuple[Path, ...] = ()) -> list[Path]:
    """The ``prairielearn`` format's writer (generator.lms): the course folder.  ``banks``:
    the extra bank folders the run was built with, where its questions' code is."""
    root = out / FOLDER
    if root.is_dir() and not root.is_symlink():
        shutil.rmtree(root)  # out is the export's own folder (a staging copy)
    written: dict[Path, bytes] = {}
    for path, content in course_files(key).items():
        written[root / path] = dumps(content).encode()
    found = questions(key)
    try:
        bank = load_bank(banks, only=list(found))
    except ExamError as exc:
        raise ExportError(f"{exc} (PrairieLearn draws from the bank's code)") from exc
    for qid, variants in found.items():
        if qid not in bank:
            raise ExportError(f"{qid}: not in the bank; pass the run's question folders with "
                              "--bank (PrairieLearn draws from the bank's code).")  # fmt: skip
        _check_same_parts(qid, variants)
        first = variants[0][1]
        folder = root / "questions" / qid
        written[folder / "question.html"] = question_html(first).encode()
        written[folder / "server.py"] = server_py(qid, element_names(first)).encode()
        for name, content in question_files(bank[qid]).items():
            written[folder / name] = content
    for name, content in package_files().items():
        written[root / SERVER_FILES / name] = content
    written[root / SERVER_FILES / "requirements.txt"] = "\n".join(REQUIREMENTS).encode() + b"\n"
    written[root / NOTES] = notes_text(key).encode()
    for path, content in sorted(written.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for qid, variants in found.items():  # what ships draws, as PrairieLearn will draw it
        check_draws(qid, root / "questions" / qid, variants[0][1])
    return sorted(written)


# ------------------------------------------------------------------ the notes


def notes_text(key: Key) -> str:
    """``prairielearn/scoring-notes.txt``: each part PrairieLearn scores otherwise than its
    rubric, under what it does instead; the parts a person grades; how the course draws."""
    forced: dict[str, list[str]] = {}
    manual: list[str] = []
    for qid, variants in questions(key).items():
        for part in variants[0][1].parts:
            label = f"{qid} {letters(part)}"
            said = rubric.notes(part.scoring, part.points, scoring.items(part),
                                KINDS[part.kind].item)  # fmt: skip
            line = f"    {label}  rubric: {' '.join(said) if said else 'all or nothing.'}"
            for _, question in variants:
                how = fit(next(p for p in question.parts if p.part == part.part))
                if how.how == scoring.FORCED and line not in forced.get(how.does, []):
                    forced.setdefault(how.does, []).append(line)
            if not auto(part):
                manual.append(f"    {label}  ({part.kind}, {part.points:g} of the points)")
    count = len({line for lines in forced.values() for line in lines})
    body = [f"  {does[0].upper()}{does[1:]}:\n" + "\n".join(lines)
            for does, lines in forced.items()]  # fmt: skip
    return "\n".join([
        f"Parts PrairieLearn scores otherwise than their rubric: {count}.", "",
        "PrairieLearn:", *(body or [scoring.EVERY]), "",
        "Graded by a person (manualPoints; the model answer and grading notes in",
        "<pl-manual-grading-only>):", *(manual or ["    none"]), "",
        "Applied by server.py's grade(data), after the elements: an all-or-nothing vector",
        "or shape part's rule over its entries, a formula's equations all or nothing, and",
        "a number part's credited named mistakes (a value within the mistake's margin",
        "earns its share).", "",
        "How the course draws: each question's server.py draws a variant for",
        "PrairieLearn's variant seed S with the question's own code, the variant",
        "`generate-exam preview ID --seeds S` shows; a table that picks M questions is",
        "a zone with numberChoose M, so a student never gets one question twice.",
    ]) + "\n"  # fmt: skip
