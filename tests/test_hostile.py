"""Hostile input, through the real command line: every run is ``python -m generator`` as a
subprocess, in a folder of its own that holds the case's inputs, any earlier output and the
files that planted links point to "outside".

A refused input must end with one line ``Error: ...`` on stderr (``Warning:`` lines and
progress lines may come before it), exit 2 for a bad option and 1 otherwise, print no
traceback, and leave every file of the case's folder as it was: nothing created, changed or
removed.  An accepted input must exit 0, change files only where the run writes, and give
the right result.  Expected values come from the rules in the README, never from a run.

Starting Python and the libraries costs about a second and a half per run, so a module
fixture starts the runs ahead, a few at a time, and each test waits for its own.  Some runs
carry many inputs at once (a roster with one hostile name per student, a key with several
injections) and are checked by several cases each.  HOSTILE_LOG=<file> writes every run's
command, exit code, stderr and changed files there as JSON lines.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import os
import re
import shlex
import shutil
import signal
import stat
import subprocess
import sys
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from generator.resources import bank_dir

Q7_FOLDER = bank_dir() / "cs230-w2020" / "q7-cnns"
FULL = "cs230-midterm-winter-2020"
SEED = 8675309123  # the shared runs' seed: long and odd, so that finding it is never luck
OPTS = ("--public", "--no-pdf", "--out", "out")
BASE = ("--seed", "1", *OPTS)
MINI = 'name = "mini"\ntitle = "Mini"\n[[questions]]\nid = "cs230-w2020/cnns"\n'
ROSTER = "Student ID,Name\ns1,Ada Lovelace\ns2,Alan Turing\n"
PEOPLE = (("s1", "Ada Lovelace"), ("s2", "Alan Turing"))
LMS_FILES = ("canvas-qti12.zip", "moodle.xml", "qti21.zip", "questions.gift", "blackboard")
ALL_LMS = (*LMS_FILES, "answer-key.csv", "slot-marks.csv", "gift-slot-marks.csv",
           "scoring-notes.txt")  # fmt: skip
NOISE = re.compile(r"Warning: |(Building copies|Checking variants): \d+ of \d+ done$|Checking$")
PASSWD = Path("/etc/passwd")
TIMEOUT = 150
HANG = 15  # seconds for a case that may block (a FIFO) before it counts as hung
MEMORY_KB = 1_500_000  # address-space cap for a case that may read without end (/dev/zero)
WORKERS = 3  # runs at a time: two cores, and a hung case waits without working


# --- the machinery: one folder, one subprocess, two snapshots per run -----------------------


@dataclass
class Shared:
    """Runs made once, which the cases copy and tamper with."""

    root: Path
    mini_blueprint: Path  # a one-question blueprint (Question 7), fast to build
    single: Path  # one copy of the full exam, --lms all: figures, vectors, matching
    klass: Path  # two students, the full exam, --lms all
    mini: Path  # the one-question exam, seed 1, --no-pdf

    @property
    def code(self) -> str:
        """The printed code of copy v0 of seed SEED in public mode."""
        return json.loads((self.single / "key.json").read_text())["variants"][0]["variant"]


@dataclass
class Ctx:
    root: Path
    shared: Shared


@dataclass(frozen=True)
class Case:
    id: str
    prepare: Callable[[Ctx], Sequence[object]] | None  # makes the inputs, returns the args
    check: Callable[[Outcome], None]
    timeout: float = TIMEOUT
    memory: bool = False  # cap the address space (a case that may read without end)
    run: str | None = None  # check the run of that case instead of making one


@dataclass
class Outcome:
    case: Case
    command: str
    returncode: int | None
    stdout: str
    stderr: str
    root: Path
    before: dict[str, tuple]
    after: dict[str, tuple]
    timed_out: bool
    shared: Shared

    def changes(self) -> list[str]:
        """Paths below the case's folder created, changed or removed by the run."""
        paths = set(self.before) | set(self.after)
        return sorted(p for p in paths if self.before.get(p) != self.after.get(p))


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry below ``root`` (links and FIFOs as such, never opened): kind, mode, bytes."""
    state: dict[str, tuple] = {}
    for directory, folders, files in os.walk(root):
        for name in folders + files:
            path = Path(directory, name)
            info = os.lstat(path)
            relative = path.relative_to(root).as_posix()
            if stat.S_ISLNK(info.st_mode):
                state[relative] = ("link", os.readlink(path))
            elif stat.S_ISDIR(info.st_mode):
                state[relative] = ("dir",)
            elif stat.S_ISREG(info.st_mode):
                digest = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
                state[relative] = ("file", stat.S_IMODE(info.st_mode), digest)
            else:
                state[relative] = ("special", stat.S_IFMT(info.st_mode))
    return state


def run_cli(args: Sequence[object], cwd: Path, timeout: float, memory: bool = False):
    """``python -m generator ARGS`` in ``cwd``; killed (its process group) after ``timeout``."""
    command = [sys.executable, "-m", "generator", *map(str, args)]
    if memory:
        command = ["sh", "-c", f'ulimit -v {MEMORY_KB} && exec "$@"', "sh", *command]
    pipe = subprocess.PIPE
    for attempt in range(3):  # a busy machine may fail a fork (EAGAIN): not the CLI's doing
        try:
            process = subprocess.Popen(command, cwd=cwd, stdin=subprocess.DEVNULL, stdout=pipe,
                                       stderr=pipe, start_new_session=True)  # fmt: skip
            break
        except OSError:
            if attempt == 2:
                raise
            time.sleep(1)
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        timed_out = True
    return (
        process.returncode,
        out.decode("utf-8", "replace"),
        err.decode("utf-8", "replace"),
        timed_out,
    )


class Sweep:
    """Prepares every run and starts it in the background; ``outcome(id)`` waits for one."""

    def __init__(self, base: Path, shared: Shared, cases: Sequence[Case]) -> None:
        self.shared = shared
        self.pool = ThreadPoolExecutor(WORKERS)
        self.futures: dict[str, Future[Outcome]] = {}
        self.cases = {case.id: case for case in cases}
        assert len(self.cases) == len(cases), "case ids must be unique"
        for case in cases:
            if case.prepare is None:
                continue
            root = base / re.sub(r"[^A-Za-z0-9._-]+", "_", case.id)
            root.mkdir(parents=True)
            args = list(case.prepare(Ctx(root, shared)))
            self.futures[case.id] = self.pool.submit(self._run, case, root, args)

    def _run(self, case: Case, root: Path, args: list[object]) -> Outcome:
        before = snapshot(root)
        code, out, err, timed_out = run_cli(args, root, case.timeout, case.memory)
        after = snapshot(root)
        command = f"cd CASE && generate-exam {shlex.join(map(str, args))}"
        return Outcome(case, command, code, out, err, root, before, after, timed_out, self.shared)

    def outcome(self, case_id: str) -> Outcome:
        case = self.cases[case_id]
        return self.futures[case.run or case_id].result()

    def log(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as log:
            for case_id, future in self.futures.items():
                if future.exception() is not None:
                    log.write(json.dumps({"id": case_id, "error": repr(future.exception())}) + "\n")
                    continue
                o = future.result()
                entry = {
                    "id": case_id,
                    "command": o.command.replace(str(o.root), "CASE"),
                    "returncode": o.returncode,
                    "timed_out": o.timed_out,
                    "stderr": o.stderr[-1500:],
                    "stdout": o.stdout[-600:],
                    "changes": o.changes()[:20],
                }
                log.write(json.dumps(entry) + "\n")


def build_shared(root: Path) -> Shared:
    root.mkdir()
    blueprint = root / "mini.toml"
    blueprint.write_text(MINI, encoding="utf-8")
    (root / "roster.csv").write_text(ROSTER, encoding="utf-8")
    full = ("--seed", SEED, "--public", "--no-pdf", "--lms", "all")
    commands = {
        "single": [*full, "--out", "single"],
        "class": [*full, "--roster", "roster.csv", "--workers", "1", "--out", "class"],
        "mini": [*BASE[:-1], "mini", "--blueprint", blueprint],
    }
    with ThreadPoolExecutor(len(commands)) as pool:
        runs = {name: pool.submit(run_cli, args, root, TIMEOUT) for name, args in commands.items()}
    for name, future in runs.items():
        code, _, err, _ = future.result()
        assert code == 0, f"the shared {name} run failed: {err}"
    shared = Shared(
        root,
        blueprint,
        root / "single" / f"{FULL}-seed{SEED}-public",
        root / "class" / f"{FULL}-seed{SEED}-class-public",
        root / "mini" / "mini-seed1-public",
    )
    for folder in (shared.single, shared.klass, shared.mini):
        assert (folder / "key.json").is_file(), folder
    return shared


# --- what the cases expect ------------------------------------------------------------------


Check = Callable[[Outcome], None]


def message(o: Outcome) -> list[str]:
    """stderr without blank, Warning: and progress lines."""
    return [line for line in o.stderr.splitlines() if line.strip() and not NOISE.match(line)]


def assert_refused(o: Outcome, codes: set[int], phrases: Sequence[str]) -> None:
    assert not o.timed_out, f"hung: killed after {o.case.timeout} s; stderr: {o.stderr[-800:]}"
    assert "Traceback" not in o.stderr, o.stderr[-3000:]
    lines = message(o)
    assert len(lines) == 1 and lines[0].startswith("Error: "), (o.returncode, o.stderr[-3000:])
    assert o.returncode in codes, f"exit {o.returncode}, expected {sorted(codes)}: {lines[0]}"
    for phrase in phrases:
        assert phrase.lower() in lines[0].lower(), f"{phrase!r} is not in: {lines[0]}"
    assert not o.changes(), f"a refused run changed files: {o.changes()[:10]}"


def refused(code: int | tuple[int, ...], *phrases: str, then: Sequence[Check] = ()) -> Check:
    """One Error line (naming each phrase), exit ``code``, no traceback, no file changed."""
    codes = {code} if isinstance(code, int) else set(code)

    def check(o: Outcome) -> None:
        assert_refused(o, codes, phrases)
        for more in then:
            more(o)

    return check


def accepted(*checks: Check, within: Sequence[str] = ("out",)) -> Check:
    """Exit 0, no traceback or Error line, files changed only below ``within``; then checks."""

    def check(o: Outcome) -> None:
        assert not o.timed_out, f"hung: killed after {o.case.timeout} s"
        assert "Traceback" not in o.stderr, o.stderr[-3000:]
        assert o.returncode == 0, (o.returncode, o.stderr[-3000:])
        assert not [line for line in message(o) if line.startswith("Error")], o.stderr
        inside = lambda p: any(p == w or p.startswith(w + "/") for w in within)  # noqa: E731
        outside = [p for p in o.changes() if not inside(p)]
        assert not outside, f"changed outside {list(within)}: {outside[:10]}"
        for more in checks:
            more(o)

    return check


def either(success: Check, failure: Check) -> Check:
    """Where the rules allow both: the run works, or it is refused cleanly."""
    return lambda o: success(o) if o.returncode == 0 else failure(o)


def holds(test: Callable[[Outcome], bool], what: str) -> Check:
    def check(o: Outcome) -> None:
        assert test(o), what

    return check


def run_dir(o: Outcome, parent: str = "out") -> Path:
    folders = [p for p in (o.root / parent).iterdir() if p.is_dir() and p.name[0] != "."]
    assert len(folders) == 1, folders
    return folders[0]


def key_of(o: Outcome) -> dict[str, Any]:
    return json.loads((run_dir(o) / "key.json").read_text(encoding="utf-8"))


def students_are(*expected: tuple[str, str]) -> Check:
    def check(o: Outcome) -> None:
        got = [(v["student"]["id"], v["student"]["name"]) for v in key_of(o)["variants"]]
        assert got == list(expected)

    return check


def pdf_text(path: Path) -> str:
    command = ["pdftotext", str(path), "-"]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def student_pdfs(count: int) -> Check:
    def check(o: Outcome) -> None:
        folders = sorted((run_dir(o) / "students").iterdir())
        assert len(folders) == count, folders
        for folder in folders:
            assert (folder / "exam.pdf").stat().st_size > 1000, folder

    return check


# --- preparing inputs -----------------------------------------------------------------------

Prepare = Callable[[Ctx], list[object]]


def command(*args: object, mini: bool = True) -> Prepare:
    """Arguments only (no input file), with the one-question blueprint unless ``mini=False``."""
    return lambda ctx: [*args, *(("--blueprint", ctx.shared.mini_blueprint) if mini else ())]


def with_roster(*args: object) -> Prepare:
    def prepare(ctx: Ctx) -> list[object]:
        (ctx.root / "roster.csv").write_text(ROSTER, encoding="utf-8")
        return [*args, "--roster", "roster.csv", "--blueprint", ctx.shared.mini_blueprint]

    return prepare


def with_folder(name: str, *args: object) -> Prepare:
    """A folder where a file is expected."""

    def prepare(ctx: Ctx) -> list[object]:
        (ctx.root / name).mkdir()
        return list(args)

    return prepare


def with_file(name: str, *args: object) -> Prepare:
    """A file where a folder is expected (with the one-question blueprint)."""

    def prepare(ctx: Ctx) -> list[object]:
        (ctx.root / name).write_text("keep me")
        return [*args, "--blueprint", ctx.shared.mini_blueprint]

    return prepare


def fifo(name: str) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        os.mkfifo(root / name)
        return name

    return make


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def roster(content: str | bytes | Callable[[Path], str], pdf: bool = False) -> Prepare:
    """A class build of the one-question exam from ``roster.csv`` (bytes as they are; a
    callable makes a special file and returns the path to pass)."""

    def prepare(ctx: Ctx) -> list[object]:
        path: object = "roster.csv"
        if callable(content):
            path = content(ctx.root)
        else:
            data = content.encode("utf-8") if isinstance(content, str) else content
            (ctx.root / "roster.csv").write_bytes(data)
        return [
            "--seed",
            1,
            "--public",
            *(() if pdf else ("--no-pdf",)),
            "--out",
            "out",
            "--workers",
            1,
            "--blueprint",
            ctx.shared.mini_blueprint,
            "--roster",
            path,
        ]

    return prepare


def big_roster(root: Path) -> str:
    """A well-formed roster of 20 MB, over the size cap."""
    rows = "".join(f"s{i:08d},Student Number {i:08d}\n" for i in range(650_000))
    (root / "big.csv").write_text("Student ID,Name\n" + rows, encoding="utf-8")
    assert (root / "big.csv").stat().st_size > 20 * 2**20
    return "big.csv"


def blueprint(content: str | bytes) -> Prepare:
    def prepare(ctx: Ctx) -> list[object]:
        data = content.encode("utf-8") if isinstance(content, str) else content
        (ctx.root / "bp.toml").write_bytes(data)
        return [*BASE, "--blueprint", "bp.toml"]

    return prepare


Edit = Callable[[str], str | bytes]


def replacing(old: str, new: str) -> Edit:
    def edit(text: str) -> str:
        assert old in text, f"{old!r} is not in the file any more: update the test"
        return text.replace(old, new, 1)

    return edit


def appending(code: str) -> Edit:
    return lambda text: text + code


def bank(
    toml: Edit | None = None,
    solve: Edit | None = None,
    template: Edit | None = None,
    earlier: bool = False,
) -> Prepare:
    """A copy of Question 7 as ``mine/cnn`` in ``bank/``, edited; a blueprint asking for it.
    ``earlier``: the folder this run would write already holds an earlier run."""

    def prepare(ctx: Ctx) -> list[object]:
        folder = ctx.root / "bank" / "my-cnn"
        shutil.copytree(Q7_FOLDER, folder, ignore=shutil.ignore_patterns("__pycache__"))
        own_id = replacing('id = "cs230-w2020/cnns"', 'id = "mine/cnn"')
        edits = {
            "question.toml": [own_id, toml],
            "solve.py": [solve],
            "question.tex.j2": [template],
        }
        for name, changes in edits.items():
            for change in filter(None, changes):
                path = folder / name
                result = change(path.read_text(encoding="utf-8"))
                path.write_bytes(result if isinstance(result, bytes) else result.encode("utf-8"))
        text = 'name = "custom"\ntitle = "Custom"\n[[questions]]\nid = "mine/cnn"\n'
        (ctx.root / "bp.toml").write_text(text, encoding="utf-8")
        if earlier:
            shutil.copytree(ctx.shared.mini, ctx.root / "out" / "custom-seed1-public")
        return [*BASE, "--bank", "bank", "--blueprint", "bp.toml"]

    return prepare


Tamper = Callable[[Ctx, Path], None]


def export(tamper: Tamper | None, lms: str = "moodle") -> Prepare:
    """``generate-exam export run --lms LMS`` on a copy of the shared single run (which
    already holds lms/ with every format), tampered with first."""

    def prepare(ctx: Ctx) -> list[object]:
        run = ctx.root / "run"
        shutil.copytree(ctx.shared.single, run, symlinks=True)
        if tamper is not None:
            tamper(ctx, run)
        return ["export", "run", "--lms", lms]

    return prepare


def key_bytes(data: bytes | Callable[[bytes], bytes]) -> Tamper:
    def tamper(ctx: Ctx, run: Path) -> None:
        path = run / "key.json"
        path.write_bytes(data(path.read_bytes()) if callable(data) else data)

    return tamper


def key_edit(change: Callable[[dict[str, Any]], None]) -> Tamper:
    def tamper(ctx: Ctx, run: Path) -> None:
        path = run / "key.json"
        key = json.loads(path.read_text(encoding="utf-8"))
        change(key)
        path.write_text(json.dumps(key, indent=1), encoding="utf-8")  # NaN stays NaN

    return tamper


def parts(key: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for variant in key["variants"]:
        for question in variant["questions"]:
            yield from question["parts"]


def part(key: dict[str, Any], kind: str | None = None, label: str | None = None) -> dict:
    return next(p for p in parts(key) if p["kind"] == kind or p["label"] == label)


def set_figure(path: str) -> Tamper:
    def change(key: dict[str, Any]) -> None:
        question = next(q for v in key["variants"] for q in v["questions"] if q["figures"])
        question["figures"][next(iter(question["figures"]))] = path

    return key_edit(change)


def figure_path(run: Path) -> Path:
    (png,) = (run / "figures").glob("*.png")
    return png


def set_field(kind: str, name: str, value: Any) -> Tamper:
    def change(key: dict[str, Any]) -> None:
        part(key, kind)[name] = value

    return key_edit(change)


def output(setup: Callable[[Ctx, Path], None], *extra: object) -> Prepare:
    """The one-question exam into ``out/``, where ``setup`` left something first."""

    def prepare(ctx: Ctx) -> list[object]:
        out = ctx.root / "out"
        out.mkdir()
        setup(ctx, out)
        return [*BASE, "--blueprint", ctx.shared.mini_blueprint, *extra]

    return prepare


def secret_run(setup: Callable[[Path], Sequence[object]], *extra: object, mini: bool = True):
    """A run without --public; ``setup(root)`` writes what it needs, returns more args."""

    def prepare(ctx: Ctx) -> list[object]:
        more = list(setup(ctx.root))
        blueprint_args = ("--blueprint", ctx.shared.mini_blueprint) if mini else ()
        return ["--seed", 1, "--no-pdf", "--out", "out", *blueprint_args, *more, *extra]

    return prepare


def secret_file(content: str | bytes, mode: int = 0o600) -> Callable[[Path], list[object]]:
    def setup(root: Path) -> list[object]:
        path = root / "my.key"
        path.write_bytes(content.encode("ascii") if isinstance(content, str) else content)
        path.chmod(mode)
        return ["--secret-file", "my.key"]

    return setup


def course_blueprint(text: str) -> Callable[[Path], list[object]]:
    """The instructor's own blueprint in course/ (where its secret goes by default)."""

    def setup(root: Path) -> list[object]:
        (root / "course").mkdir()
        (root / "course" / "mini.toml").write_text(text, encoding="utf-8")
        return ["--blueprint", "course/mini.toml"]

    return setup


def secret_not_shown(path: str) -> Check:
    """The secret's digits appear in no output file and nowhere on the terminal."""

    def check(o: Outcome) -> None:
        (digits,) = re.findall(r"^[0-9a-fA-F]{32,}$", (o.root / path).read_text(), re.M)
        assert digits not in o.stdout + o.stderr
        for file in (o.root / "out").rglob("*"):
            if file.is_file():
                assert digits.encode() not in file.read_bytes(), file

    return check


# --- reading LMS files back -----------------------------------------------------------------


def contents(path: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of a file, of every file below a folder, of every member of a zip."""
    for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
        if file.suffix == ".zip":
            with zipfile.ZipFile(file) as archive:
                for name in archive.namelist():
                    yield f"{file.name}:{name}", archive.read(name)
        elif file.is_file():
            yield file.name, file.read_bytes()


def html_fields(o: Outcome, fmt: str) -> list[str]:
    """The HTML an LMS renders from an export, as the LMS reads it out of the file: Moodle's
    format="html" texts, Canvas's text/html mattext, GIFT's lines after the ::title:: (its
    backslash escapes undone), every Blackboard field.  Plain-text fields (titles, category
    names) are left out."""
    lms = o.root / "run" / "lms"
    if fmt == "moodle":
        root = etree.fromstring((lms / "moodle.xml").read_bytes())
        return [t.text or "" for t in root.iter("text") if t.getparent().get("format") == "html"]
    if fmt == "canvas":
        fields = []
        for name, data in contents(lms / "canvas-qti12.zip"):
            if name.endswith(".xml") and "manifest" not in name:
                mattexts = etree.fromstring(data).iter("{*}mattext")
                fields += [m.text or "" for m in mattexts if m.get("texttype") == "text/html"]
        return fields
    if fmt == "gift":
        lines = (lms / "questions.gift").read_text(encoding="utf-8").splitlines()
        title = re.compile(r"^::(?:\\.|[^\\:])*::")
        texts = [title.sub("", line) for line in lines if not line.startswith("$CATEGORY:")]
        return [re.sub(r"\\(.)", r"\1", text) for text in texts]  # as GIFT reads them
    if fmt == "blackboard":
        lines = [x for p in (lms / "blackboard").glob("*.txt") for x in p.read_text().splitlines()]
        return [field for line in lines for field in line.split("\t")]
    raise ValueError(fmt)


def escaped_in(fmt: str, marker: str) -> Check:
    """Injected markup never reaches the LMS's HTML as markup; its escaped form does."""

    def check(o: Outcome) -> None:
        fields = html_fields(o, fmt)
        assert fields
        live = [f for f in fields if marker in f]
        assert not live, live[0][:300]
        # a Moodle cloze answer is written once more escaped: Moodle's importer decodes
        # its entities once (qtype_multianswer_extract_question), leaving the escaped text
        escaped = [html.escape(marker)]
        if fmt == "moodle":
            escaped.append(html.escape(html.escape(marker)))
        assert any(e in f for f in fields for e in escaped), "the text went missing"

    return check


def qti21_has_no_markup(o: Outcome) -> None:
    """No injected element or event attribute in any QTI 2.1 file."""
    for name, data in contents(o.root / "run" / "lms" / "qti21.zip"):
        if name.endswith(".xml"):
            for element in etree.fromstring(data).iter():
                if isinstance(element.tag, str):  # not a comment
                    assert etree.QName(element).localname != "script", name
                    assert "onerror" not in element.attrib, name


def safe_member(name: str) -> bool:
    return not (name.startswith("/") or "\\" in name or ".." in name.split("/") or ":" in name)


# --- options (build, check, export) ---------------------------------------------------------

FLAGS = [
    Case("seed-2**64", command("--seed", 2**64, *OPTS), refused(2, "--seed")),
    Case("seed-negative", command("--seed", "-5", *OPTS), refused(2, "--seed")),
    Case("seed-words", command("--seed", "forty-two", *OPTS), refused(2, "--seed")),
    Case(
        "seed-2**64-1-accepted",
        command("--seed", 2**64 - 1, *OPTS),
        accepted(
            holds(lambda o: key_of(o)["exam"]["seed"] == 2**64 - 1, "the seed"),
            holds(lambda o: run_dir(o).name == f"mini-seed{2**64 - 1}-public", "the folder"),
        ),
    ),
    Case("variants-0", command(*BASE, "--variants", 0), refused(2, "--variants")),
    Case("variants-20001", command(*BASE, "--variants", 20001), refused(2, "--variants")),
    Case("workers-0", command(*BASE, "--variants", 2, "--workers", 0), refused(2, "--workers")),
    Case("workers-300", command(*BASE, "--variants", 2, "--workers", 300), refused(2, "--workers")),
    Case("lms-bogus", command(*BASE, "--lms", "bogus"), refused(2, "bogus")),
    Case("lms-empty", command(*BASE, "--lms", ""), refused(2, "lms")),
    Case(
        "lms-all-accepted",
        command(*BASE, "--lms", "all"),
        accepted(
            holds(
                lambda o: {p.name for p in (run_dir(o) / "lms").iterdir()} == set(ALL_LMS),
                "every format written",
            )
        ),
    ),
    Case(
        "variant-id-a-path",
        command(*BASE, "--variant-id", "../../../etc/passwd"),
        refused(2, "--variant-id"),
    ),
    Case(
        "variant-id-upper-case-accepted",
        lambda ctx: [
            "--seed",
            SEED,
            *OPTS,
            "--blueprint",
            ctx.shared.mini_blueprint,
            "--variant-id",
            ctx.shared.code.upper(),
        ],
        accepted(
            holds(
                lambda o: [v["variant"] for v in key_of(o)["variants"]] == [o.shared.code],
                "the copy of that code",
            )
        ),
    ),
    Case(
        "variant-id-wrong-check-digits",
        lambda ctx: [
            "--seed",
            SEED,
            *OPTS,
            "--blueprint",
            ctx.shared.mini_blueprint,
            "--variant-id",
            ctx.shared.code[:10] + ("11" if ctx.shared.code[10:] == "00" else "00"),
        ],
        refused((1, 2), "--variant-id"),
    ),
    Case(
        "variant-id-of-no-student-on-the-roster",
        lambda ctx: [*with_roster("--seed", SEED, *OPTS)(ctx), "--variant-id", ctx.shared.code],
        refused((1, 2), "--variant-id"),
    ),
    Case("out-is-a-file", with_file("out", *BASE), refused(2, "--out")),
    Case("out-in-proc", command("--seed", 1, *OPTS[:-1], "/proc/hostile"), refused(1, "/proc")),
    Case(
        "out-on-read-only-sysfs",
        command("--seed", 1, *OPTS[:-1], "/sys/hostile"),
        refused(1, "/sys/hostile"),
    ),
    Case(
        "blueprint-a-directory",
        with_folder("exams", *BASE, "--blueprint", "exams"),
        refused(1, "exams"),
    ),
    Case(
        "blueprint-dev-zero",
        command(*BASE, "--blueprint", "/dev/zero", mini=False),
        refused(1, "/dev/zero"),
        timeout=HANG,
        memory=True,
    ),
    Case("blueprint-binary", blueprint(bytes(range(256)) * 8), refused(1, "bp.toml")),
    Case(
        "blueprint-a-fifo",
        lambda ctx: [*BASE, "--blueprint", fifo("bp.toml")(ctx.root)],
        refused(1, "bp.toml"),
        timeout=HANG,
    ),
    Case("roster-with-variants", with_roster(*BASE, "--variants", 3), refused(2, "--variants")),
    Case("replica-with-roster", with_roster("--replica", *OPTS), refused(2, "--replica")),
    Case(
        "roster-a-directory",
        with_folder("r.csv", *BASE, "--roster", "r.csv"),
        refused(2, "--roster"),
    ),
    Case("bank-missing", command(*BASE, "--bank", "no-such-bank"), refused(2, "--bank")),
    Case(
        "check-variants-0", command("check", "--variants", 0, mini=False), refused(2, "--variants")
    ),
    Case(
        "check-report-unwritable",
        command(
            "check",
            "--variants",
            1,
            "--question",
            "cs230-w2020/cnns",
            "--workers",
            1,
            "--report",
            "/proc/hostile.md",
            mini=False,
        ),
        refused(1, "/proc/hostile.md"),
    ),
    Case(
        "export-of-a-folder-without-key",
        with_folder("run", "export", "run", "--lms", "gift"),
        refused(1, "key.json"),
    ),
    Case("export-lms-bogus", export(None, lms="bogus"), refused(2, "bogus")),
]

# --- the secret file (no --public) ----------------------------------------------------------

SECRETS = [
    Case(
        "secret-a-directory",
        with_folder("d", "--seed", 1, *OPTS[1:], "--secret-file", "d"),
        refused(2, "--secret-file"),
    ),
    Case("secret-garbage", secret_run(secret_file("hello, world\n")), refused(1, "my.key")),
    Case("secret-too-short", secret_run(secret_file("0123456789abcdef\n")), refused(1, "my.key")),
    Case(
        "secret-not-ascii", secret_run(secret_file(b"\xff\xfe" + b"ab" * 32)), refused(1, "my.key")
    ),
    Case(
        "secret-dev-zero",
        secret_run(lambda root: ["--secret-file", "/dev/zero"]),
        refused(1, "/dev/zero"),
        timeout=HANG,
        memory=True,
    ),
    Case(
        "secret-a-fifo",
        secret_run(lambda root: ["--secret-file", fifo("s.key")(root)]),
        refused(1, "s.key"),
        timeout=HANG,
    ),
    Case(
        "secret-with-public", secret_run(secret_file("ab" * 32), "--public"), refused(2, "--public")
    ),
    Case(
        "secret-inside-out",
        secret_run(lambda root: ["--secret-file", "out/my.key"]),
        refused(2, "--secret-file"),
    ),
    Case(
        "secret-readable-by-others-warns",
        secret_run(secret_file("ab" * 32 + "\n", mode=0o644)),
        accepted(
            holds(lambda o: "Warning: other users can read" in o.stderr, "a warning"),
            secret_not_shown("my.key"),
        ),
    ),
    Case(
        "secret-made-beside-the-blueprint-private",
        secret_run(course_blueprint(MINI), mini=False),
        accepted(
            holds(
                lambda o: stat.S_IMODE((o.root / "course/exam-secret.key").stat().st_mode) == 0o600,
                "mode 600",
            ),
            secret_not_shown("course/exam-secret.key"),
            within=("out", "course/exam-secret.key"),
        ),
    ),
    Case(
        "secret-not-made-when-the-blueprint-is-bad",
        secret_run(course_blueprint(MINI.replace("cnns", "nope")), mini=False),
        refused(1, "course/mini.toml"),
    ),
    Case(
        "secret-rebuild-with-a-missing-secret",
        secret_run(lambda root: ["--secret-file", "lost.key", "--variant-id", "0123456789ab"]),
        refused((1, 2), "lost.key"),
    ),
]

# --- rosters --------------------------------------------------------------------------------

ROSTERS = [
    Case("empty-file", roster(""), refused(1, "roster.csv")),
    Case("header-only", roster("Student ID,Name\n"), refused(1, "roster.csv")),
    Case("utf-16", roster(ROSTER.encode("utf-16")), refused(1, "roster.csv")),
    Case(
        "latin-1",
        roster("Student ID,Name\ns1,Zo\u00eb\n".encode("latin-1")),
        refused(1, "roster.csv"),
    ),
    Case("nul-in-an-id", roster("Student ID,Name\ns\x001,Ada\n"), refused(1, "line 2")),
    Case(
        "dev-zero",
        roster(lambda root: "/dev/zero"),
        refused(1, "/dev/zero"),
        memory=True,
        timeout=HANG * 2,
    ),
    Case("twenty-megabytes", roster(big_roster), refused(1, "big.csv")),
    Case("a-fifo", roster(fifo("roster.csv")), refused(1, "roster.csv"), timeout=HANG),
    Case(
        "duplicate-ids",
        roster("Student ID,Name\ns1,Ada\ns2,Alan\n s1 ,Grace\n"),
        refused(1, "line 4", "s1"),
    ),
    Case("no-id-column", roster("Name,Section\nAda,A\n"), refused(1, "roster.csv")),
    Case("id-with-a-line-break", roster('Student ID,Name\n"s\n1",Ada\n'), refused(1, "line 2")),
    Case(
        "extra-cells", roster("Student ID,Name\ns1,Ada\ns2,Lovelace,Ada,x\n"), refused(1, "line 3")
    ),
    Case(
        "unterminated-quote",
        roster('Student ID,Name\ns1,"Ada\ns2,Alan\n'),
        refused(1, "roster.csv"),
    ),
    Case(
        "two-id-columns",
        roster("Student ID,Name,Student ID\ns1,Ada,t9\ns2,Alan,t8\n"),
        refused(1, "Student ID"),
    ),
    Case(
        "20001-students",
        roster("Student ID,Name\n" + "".join(f"s{i},N\n" for i in range(20001))),
        refused(1, "roster.csv"),
    ),
    Case("utf-8-bom", roster("\ufeff" + ROSTER), accepted(students_are(*PEOPLE))),
    Case("crlf-line-ends", roster(ROSTER.replace("\n", "\r\n")), accepted(students_are(*PEOPLE))),
    Case(
        "semicolons",
        roster("Student ID;Name\ns1;Lovelace, Ada\ns2;Alan Turing\n"),
        accepted(students_are(("s1", "Lovelace, Ada"), ("s2", "Alan Turing"))),
    ),
    Case("tabs", roster(ROSTER.replace(",", "\t")), accepted(students_are(*PEOPLE))),
    Case(
        "trailing-commas",
        roster("Student ID,Name,\ns1,Ada Lovelace,\ns2,Alan Turing,\n"),
        accepted(students_are(*PEOPLE)),
    ),
    Case(
        "canvas-gradebook-with-points-possible",
        roster(
            "Student,ID,SIS User ID,Section\n    Points Possible,,,\n"
            "Ada Lovelace,101,s1,A\nAlan Turing,102,s2,A\n"
        ),
        accepted(students_are(*PEOPLE)),
    ),
    Case(
        "typst-and-latex-markup-in-a-name-and-dot-dot-id-pdf",
        roster(
            csv_text(
                [
                    ["Student ID", "Name"],
                    ["s1", '#read("/etc/passwd") *bold* $x$ ] \\input{/etc/passwd}'],
                    ["../../../../../hostile-escape", "Alan Turing"],
                ]
            ),
            pdf=True,
        ),
        accepted(
            student_pdfs(2),
            holds(
                lambda o: '#read("/etc/passwd") *bold* $x$ ]' in pdf_text(run_dir(o) / "print.pdf"),
                "the name printed as text",
            ),
            holds(
                lambda o: "root:x:0:0" not in pdf_text(run_dir(o) / "print.pdf"),
                "/etc/passwd in the PDF",
            ),
            holds(
                lambda o: (
                    not any(
                        (run_dir(o) / "students").joinpath(*[".."] * k, "hostile-escape").exists()
                        for k in range(9)
                    )
                ),
                "a folder outside students/",
            ),
        ),
    ),
    Case(
        "a-300-character-id-pdf",
        roster(f"Student ID,Name\n{'x' * 300},Ada\ns2,Alan\n", pdf=True),
        either(accepted(student_pdfs(2)), refused(1, "roster.csv", "line 2")),
    ),
    Case(
        "a-10000-character-name-pdf",
        roster(f"Student ID,Name\ns1,{'Ab' * 5000}\ns2,Alan\n", pdf=True),
        either(accepted(student_pdfs(2)), refused(1, "roster.csv", "line 2")),
    ),
]

# One roster, one hostile name per student: (case, id, name as in the file, expectation).
# "exact": the key's name; "clean": no control or format character left (joiners aside) and
# these words still there in order; "csv": the (student_id, student_name) cells of
# answer-key.csv, where a cell a spreadsheet would run as a formula starts with "'".
SCRIPTS = {
    "right-to-left": "\u0645\u062d\u0645\u062f \u0639\u0644\u064a \u05d3\u05d5\u05d3",
    "indic-and-thai": "\u0905\u0928\u093f\u0932 \u0915\u0941\u092e\u093e\u0930 \u0e2a\u0e21\u0e0a",
    "cjk": "\u738b\u5c0f\u660e \u5c71\u7530\u3055\u304f\u3089 \uae40\ubbfc\uc900",
    "cyrillic-and-greek": "\u041f\u0451\u0442\u0440 \u0395\u03bb\u03ad\u03bd\u03b7",
    "emoji-sequences": "Zo\u00eb \U0001f469\U0001f3fd\u200d\U0001f4bb \U0001f1fa\U0001f1e6",
}
HYPERLINK = '=HYPERLINK("http://evil.example","click")'
NAME_ROWS = [
    ("quoted-separator", "n01", "Lovelace, Ada", ("exact", "Lovelace, Ada")),
    ("doubled-quotes", "n02", 'Alan "Prof" Turing', ("exact", 'Alan "Prof" Turing')),
    ("named-points-possible", "n03", "Points Possible", ("exact", "Points Possible")),
    ("control-characters", "n04", "Ada\x07\x1b[31m Love\x08lace", ("clean", "Ada", "Love", "lace")),
    ("nul", "n05", "Grace\x00Hopper", ("clean", "Grace", "Hopper")),
    (
        "bidi-overrides",
        "n06",
        "\u202eecalevoL adA\u202c \u2066x\u2069\u200f",
        ("clean", "ecalevoL adA", "x"),
    ),
    ("zero-width", "n07", "Al\u200ban\ufeff Tu\u200bring\u2060", ("exact", "Alan Turing")),
    ("decomposed", "n08", "Zoe\u0308 Ade\u0301", ("exact", "Zo\u00eb Ad\u00e9")),
    *[(f"script-{k}", f"n1{i}", v, ("exact", v)) for i, (k, v) in enumerate(SCRIPTS.items())],
    ("formula-hyperlink", "f1", HYPERLINK, ("csv", "f1", "'" + HYPERLINK)),
    ("formula-plus", "f2", "+1", ("csv", "f2", "'+1")),
    ("formula-minus", "f3", "-2+3", ("csv", "f3", "'-2+3")),
    ("formula-at", "f4", "@SUM(1)", ("csv", "f4", "'@SUM(1)")),
    ("formula-after-a-tab", "f5", "\t=1+2", ("csv", "f5", "'=1+2")),
    ("formula-in-the-id", "=1+1", "Eve", ("csv", "'=1+1", "Eve")),
]


def name_check(student_id: str, expectation: tuple[str, ...]) -> Check:
    def check(o: Outcome) -> None:
        key = key_of(o)
        (variant,) = [v for v in key["variants"] if v["student"]["id"] == student_id]
        name = variant["student"]["name"]
        kind, *expected = expectation
        if kind == "exact":
            assert name == expected[0], (name[:200], expected[0][:200])
        elif kind == "clean":
            joiners = "\u200c\u200d"
            bad = [c for c in name if unicodedata.category(c) in ("Cc", "Cf") and c not in joiners]
            assert not bad, (name, bad)
            assert re.search(".*".join(map(re.escape, expected)), name), name
        else:
            with (run_dir(o) / "answer-key.csv").open(encoding="utf-8", newline="") as handle:
                rows = [r for r in csv.DictReader(handle) if r["variant"] == variant["variant"]]
            assert rows and {(r["student_id"], r["student_name"]) for r in rows} == {
                tuple(expected)
            }

    return check


ROSTERS.append(
    Case(
        "hostile-names",
        roster(csv_text([["Student ID", "Name"], *[[sid, name] for _, sid, name, _ in NAME_ROWS]])),
        accepted(holds(lambda o: len(key_of(o)["variants"]) == len(NAME_ROWS), "every student")),
    )
)
ROSTERS += [
    Case(f"hostile-names/{label}", None, name_check(sid, expected), run="hostile-names")
    for label, sid, _, expected in NAME_ROWS
]

# --- blueprints -----------------------------------------------------------------------------

HEAD = 'name = "bp"\ntitle = "T"\n'
Q = '[[questions]]\nid = "cs230-w2020/cnns"\n'
LATEX = (
    'name = "bp"\ntitle = "\\\\input{/etc/passwd}"\ncourse = "\\\\write18{touch pwned}"\n'
    'id_label = "\\\\def\\\\x{y}"\ninstructions = ["\\\\include{x} $x^2$ % comment"]\n' + Q
)
RAW_LATEX = ("\\input{/etc/passwd}", "\\write18{", "\\def\\x{y}", "\\include{x}")


def latex_escaped(o: Outcome) -> bool:
    """None of the commands is left to run; each one is printed as text."""
    tex = (run_dir(o) / "exam.tex").read_text(encoding="utf-8")
    printed = ("input", "write18", "def", "include")
    return not [r for r in RAW_LATEX if r in tex] and all(
        f"\\textbackslash{{}}{word}" in tex for word in printed
    )


BLUEPRINTS = [
    Case("invalid-toml", blueprint('name = "bp"\ntitle = \n' + Q), refused(1, "bp.toml")),
    Case(
        "not-utf-8",
        blueprint((HEAD + 'course = "Caf\u00e9"\n' + Q).encode("latin-1")),
        refused(1, "bp.toml"),
    ),
    Case("id-a-list", blueprint(HEAD + '[[questions]]\nid = ["a"]\n'), refused(1, "bp.toml")),
    Case("course-a-number", blueprint(HEAD + "course = 5\n" + Q), refused(1, "course")),
    Case("title-a-number", blueprint('name = "bp"\ntitle = 1\n' + Q), refused(1, "title")),
    Case(
        "instructions-a-string",
        blueprint(HEAD + 'instructions = "x"\n' + Q),
        refused(1, "instructions"),
    ),
    Case("unknown-key-in-a-question", blueprint(HEAD + Q + "points = 3\n"), refused(1, "points")),
    Case("duplicate-question-ids", blueprint(HEAD + Q + Q), refused(1, "cs230-w2020/cnns")),
    Case(
        "unknown-question-id",
        blueprint(HEAD + '[[questions]]\nid = "no/such"\n'),
        refused(1, "no/such"),
    ),
    Case(
        "name-with-dot-dot",
        blueprint('name = "../../hostile-escape"\ntitle = "T"\n' + Q),
        refused(1, "name"),
    ),
    Case("name-with-a-slash", blueprint('name = "a/b"\ntitle = "T"\n' + Q), refused(1, "name")),
    Case(
        "name-300-characters",
        blueprint(f'name = "{"n" * 300}"\ntitle = "T"\n' + Q),
        refused(1, "bp.toml"),
    ),
    Case("missing-questions", blueprint(HEAD), refused(1, "questions")),
    Case(
        "latex-in-the-text-is-escaped",
        blueprint(LATEX),
        accepted(holds(latex_escaped, "the blueprint's LaTeX, escaped")),
    ),
]

# --- question banks (a copy of Question 7, edited) ------------------------------------------

PART_C = 'label = "c"\npoints = 2\n'
WRAP = "\n\n_solve = solve\n\n\ndef solve(params, rng):\n    a = _solve(params, rng)\n    {}\n    return a\n"  # noqa: E501
BANKS = [
    Case(
        "solve-raises",
        bank(solve=appending('\n\ndef solve(params, rng):\n    raise RuntimeError("bug")\n')),
        refused(1, "solve.py"),
    ),
    Case(
        "solve-calls-sys-exit-0",
        bank(solve=appending("\n\ndef solve(params, rng):\n    import sys\n    sys.exit(0)\n")),
        refused(1, "solve.py"),
    ),
    Case(
        "solve-import-fails",
        bank(solve=appending("\nimport no_such_module_here\n")),
        refused(1, "solve.py"),
    ),
    Case(
        "sample-returns-a-list",
        bank(solve=appending("\n\ndef sample(rng):\n    return [1, 2, 3]\n")),
        refused(1, "mine/cnn"),
    ),
    Case(
        "answer-infinite",
        bank(solve=appending(WRAP.format('a["d"] = float("inf")'))),
        refused(1, "mine/cnn"),
    ),
    Case(
        "answer-nan",
        bank(solve=appending(WRAP.format('a["d"] = float("nan")'))),
        refused(1, "mine/cnn"),
    ),
    Case(
        "tolerance-abs-text",
        bank(toml=replacing(PART_C, PART_C + 'tolerance = {abs = "x"}\n')),
        refused(1, "tolerance"),
    ),
    Case(
        "tolerance-negative",
        bank(toml=replacing(PART_C, PART_C + "tolerance = {abs = -1}\n")),
        refused(1, "tolerance"),
    ),
    Case(
        "points-inf",
        bank(toml=replacing(PART_C, 'label = "c"\npoints = inf\n')),
        refused(1, "points"),
    ),
    Case(
        "points-nan",
        bank(toml=replacing(PART_C, 'label = "c"\npoints = nan\n')),
        refused(1, "points"),
    ),
    Case(
        "points-negative",
        bank(toml=replacing(PART_C, 'label = "c"\npoints = -1\n')),
        refused(1, "points"),
    ),
    Case(
        "names-not-a-list",
        bank(toml=replacing(PART_C, PART_C + 'names = "hwc"\n')),
        refused(1, "names"),
    ),
    Case(
        "answer-in-stem-text",
        bank(toml=replacing(PART_C, PART_C + 'answer_in_stem = "no"\n')),
        refused(1, "answer_in_stem"),
    ),
    Case(
        "question-toml-not-utf-8",
        bank(
            toml=lambda t: t.replace('title = "CNNs"', 'title = "CNNs caf\u00e9"').encode("latin-1")
        ),
        refused(1, "question.toml"),
    ),
    Case(
        "template-not-utf-8",
        bank(template=lambda t: (t + "% caf\u00e9\n").encode("latin-1")),
        refused(1, "question.tex.j2"),
    ),
    Case(
        "template-syntax-error",
        bank(template=appending("\n\\BLOCK{if}\n")),
        refused(1, "question.tex.j2"),
    ),
    Case(
        "template-undefined-variable-keeps-earlier-output",
        bank(
            template=replacing("$\\VAR{filters}$ filters?", "$\\VAR{no_such_name}$ filters?"),
            earlier=True,
        ),
        refused(1, "question.tex.j2"),
    ),
]

# --- export of a tampered run ---------------------------------------------------------------


def link_figure_to_passwd(ctx: Ctx, run: Path) -> None:
    png = figure_path(run)
    png.unlink()
    png.symlink_to(PASSWD)


def figures_elsewhere(ctx: Ctx, run: Path) -> None:
    (run / "figures").rename(ctx.root / "elsewhere")
    (run / "figures").symlink_to("../elsewhere")


def figure_fifo(ctx: Ctx, run: Path) -> None:
    png = figure_path(run)
    png.unlink()
    os.mkfifo(png)


def figure_folder(ctx: Ctx, run: Path) -> None:
    png = figure_path(run)
    png.unlink()
    png.mkdir()


def key_elsewhere(ctx: Ctx, run: Path) -> None:
    (ctx.root / "elsewhere").mkdir()
    (run / "key.json").rename(ctx.root / "elsewhere" / "key.json")
    (run / "key.json").symlink_to("../elsewhere/key.json")


def key_to_passwd(ctx: Ctx, run: Path) -> None:
    (run / "key.json").unlink()
    (run / "key.json").symlink_to(PASSWD)


def lms_elsewhere(ctx: Ctx, run: Path) -> None:
    (ctx.root / "outside").mkdir()
    (ctx.root / "outside" / "keep.txt").write_text("outside the run")
    shutil.rmtree(run / "lms")
    (run / "lms").symlink_to("../outside")


def lms_a_file(ctx: Ctx, run: Path) -> None:
    shutil.rmtree(run / "lms")
    (run / "lms").write_text("not a folder")


def links_in_lms(ctx: Ctx, run: Path) -> None:
    (ctx.root / "outside").mkdir()
    (ctx.root / "outside" / "secret.txt").write_text("outside the run")
    (run / "lms" / "notes.txt").symlink_to("../../outside/secret.txt")
    (run / "lms" / "more").symlink_to("../../outside")


def without_gift(ctx: Ctx, run: Path) -> None:
    (run / "lms" / "questions.gift").unlink()


def no_regular_copy_of_outside(o: Outcome) -> None:
    for path in (o.root / "run" / "lms").rglob("*"):
        if path.is_file() and not path.is_symlink():
            assert b"outside the run" not in path.read_bytes(), path


NAMES_1D = ("<script>alert(1)</script>", "<img src=x onerror=alert(2)>")
NAMES_6B = ("w [b2]", "{1:SHORTANSWER:=x}", "a}b{c~=#:")
NAMES_7C = ("h\n\n::injected::Were you hacked? {=yes}\n\n", "w", "c")
LABEL_3D = "<script>alert(3)</script>"


def inject(key: dict[str, Any]) -> None:
    """Entry names and a matching label with markup, a prompt with a CDATA end."""
    for label, names in (("1(d)", NAMES_1D), ("6(b)", NAMES_6B), ("7(c)", NAMES_7C)):
        target = part(key, label=label)
        count = len(target["answer"])
        given = [*names, *[f"e{i}" for i in range(count)]][:count]
        renamed = dict(zip(target["names"], given, strict=False))  # no names: none to rename
        target["names"] = given
        for group in target["scoring"].get("groups", []):  # its rubric names them too
            group["of"] = [renamed[name] for name in group["of"]]
    matching = part(key, "matching")
    first, *others = matching["answer"].items()
    matching["answer"] = {LABEL_3D: first[1], **dict(others)}
    part(key, "text")["prompt"] += " Explain ]]> this."


def gift_braces_balanced(o: Outcome) -> None:
    """Every GIFT question of 6(b) keeps one answer block: the names' braces are escaped."""
    gift = (o.root / "run" / "lms" / "questions.gift").read_text(encoding="utf-8")
    lines = [line for line in gift.splitlines() if line.startswith("::6(b)")]
    assert lines
    for line in lines:
        bare = re.sub(r"\\.", "", line)
        assert bare.count("{") == 1 and bare.count("}") == 1, line[-300:]


def gift_no_injected_question(o: Outcome) -> None:
    gift = (o.root / "run" / "lms" / "questions.gift").read_text(encoding="utf-8")
    assert "::injected::" not in [line[:12] for line in gift.splitlines()]


def canvas_blanks_once(o: Outcome) -> None:
    """Canvas makes a blank of every [bN] in the text: a name must not add one."""
    fields = [f for f in html_fields(o, "canvas") if "[b3]" in f]
    assert fields
    for text in fields:
        assert text.count("[b2]") == 1, text[-300:]


def moodle_cloze_once(o: Outcome) -> None:
    """Moodle's cloze reads {1:...} as a blank: a name must not add one."""
    texts = [t for t in html_fields(o, "moodle") if "NUMERICAL" in t]
    assert texts and not [t for t in texts if "{1:SHORTANSWER" in t]


def zips_stay_inside(o: Outcome) -> None:
    for name in ("canvas-qti12.zip", "qti21.zip"):
        with zipfile.ZipFile(o.root / "run" / "lms" / name) as archive:
            assert all(safe_member(n) for n in archive.namelist())


IN_LMS = ("run/lms",)
EXPORTS = [
    Case("key-empty", export(key_bytes(b"")), refused(1, "key.json")),
    Case("key-invalid-json", export(key_bytes(b'{"format": ')), refused(1, "key.json")),
    Case(
        "key-not-utf-8",
        export(key_bytes(lambda d: d.replace(b'"Midterm Examination"', b'"Examen \xe9crit"'))),
        refused(1, "key.json"),
    ),
    Case("key-a-json-array", export(key_bytes(b"[]")), refused(1, "key.json")),
    Case(
        "key-points-a-string", export(set_field("integer", "points", "2")), refused(1, "key.json")
    ),
    Case(
        "key-nested-100000-deep",
        export(key_bytes(b"[" * 100_000 + b"]" * 100_000)),
        refused(1, "key.json"),
    ),
    Case(
        "key-answer-nan",
        export(set_field("number", "answer", float("nan"))),
        refused(1, "key.json"),
    ),
    Case(
        "key-points-infinity",
        export(set_field("integer", "points", float("inf"))),
        refused(1, "key.json"),
    ),
    Case("key-a-link-out-of-the-run", export(key_elsewhere), refused(1, "key.json")),
    Case(
        "key-a-link-to-etc-passwd",
        export(key_to_passwd),
        refused(1, "key.json", then=[holds(lambda o: "root:" not in o.stderr, "a leak")]),
    ),
    Case("figure-absolute", export(set_figure("/etc/passwd")), refused(1, "key.json")),
    Case("figure-dot-dot", export(set_figure("../../../../etc/passwd")), refused(1, "key.json")),
    Case(
        "figure-figures-dot-dot",
        export(set_figure("figures/../../../../etc/passwd")),
        refused(1, "key.json"),
    ),
    Case(
        "figure-a-link-to-etc-passwd",
        export(link_figure_to_passwd, lms="canvas"),
        refused(1, "figure"),
    ),
    Case("figures-folder-a-link-out", export(figures_elsewhere, lms="qti21"), refused(1, "figure")),
    Case("figure-a-fifo", export(figure_fifo, lms="canvas"), refused(1, "figure"), timeout=HANG),
    Case("figure-a-folder", export(figure_folder, lms="canvas"), refused(1, "figure")),
    Case("lms-a-link-out-of-the-run", export(lms_elsewhere), refused(1, "lms")),
    Case("lms-a-file", export(lms_a_file), refused(1, "lms")),
    Case(
        "links-inside-lms-not-followed",
        export(links_in_lms, lms="gift"),
        accepted(no_regular_copy_of_outside, within=IN_LMS),
    ),
    Case(
        "earlier-exports-kept",
        export(without_gift, lms="gift"),
        accepted(
            holds(lambda o: o.changes() == ["run/lms/questions.gift"], "only the new file"),
            within=IN_LMS,
        ),
    ),
    Case("inject", export(key_edit(inject), lms="all"), accepted(within=IN_LMS)),
]
INJECTED = {
    **{
        f"{fmt}-entry-name-script": escaped_in(fmt, "<script>alert(1)")
        for fmt in ("moodle", "canvas", "gift", "blackboard")
    },
    **{
        f"{fmt}-entry-name-img": escaped_in(fmt, "<img src=x")
        for fmt in ("moodle", "canvas", "gift", "blackboard")
    },
    # Canvas and QTI 2.1 matching labels are plain text (text/plain mattext, XML text)
    **{
        f"{fmt}-matching-label": escaped_in(fmt, "<script>alert(3)")
        for fmt in ("moodle", "gift", "blackboard")
    },
    "qti21-no-markup": qti21_has_no_markup,
    "canvas-blank-marker": canvas_blanks_once,
    "moodle-cloze-marker": moodle_cloze_once,
    "gift-braces": gift_braces_balanced,
    "gift-line-break": gift_no_injected_question,
    "moodle-cdata-end": holds(
        lambda o: any("]]&gt; this" in t for t in html_fields(o, "moodle")), "the prompt"
    ),
    "zip-members-inside": zips_stay_inside,
}
EXPORTS += [Case(f"inject/{name}", None, check, run="inject") for name, check in INJECTED.items()]

# --- the output folder ----------------------------------------------------------------------


def earlier_run(ctx: Ctx, out: Path) -> None:
    shutil.copytree(ctx.shared.mini, out / "mini-seed1-public")


def with_earlier_run(extra: Callable[[Ctx, Path], None]) -> Callable[[Ctx, Path], None]:
    def setup(ctx: Ctx, out: Path) -> None:
        earlier_run(ctx, out)
        extra(ctx, out)

    return setup


def user_file(ctx: Ctx, out: Path) -> None:
    (out / "mini-seed1-public" / "notes.txt").write_text("the instructor's own notes")


def outside_folder(ctx: Ctx) -> Path:
    (ctx.root / "outside").mkdir()
    (ctx.root / "outside" / "keep.txt").write_text("outside the output")
    return ctx.root / "outside"


def plant(name: str, target: Callable[[Ctx], Path]) -> Callable[[Ctx, Path], None]:
    """A link ``out/<name>`` to ``target`` (outside out/)."""
    return lambda ctx, out: (out / name).symlink_to(target(ctx))


def same_files(o: Outcome) -> None:
    """A rebuild writes the same files, byte for byte."""
    assert not [p for p in o.changes() if o.before.get(p, ("dir",))[0] != "dir"], o.changes()


RUN = "mini-seed1-public"
OUTPUTS = [
    Case("added-file-refused", output(with_earlier_run(user_file)), refused(1, "notes.txt")),
    Case(
        "added-file-with-force",
        output(with_earlier_run(user_file), "--force"),
        accepted(holds(lambda o: not (o.root / "out" / RUN / "notes.txt").exists(), "kept")),
    ),
    Case("rebuild-into-the-same-folder", output(earlier_run), accepted(same_files)),
    Case("run-folder-a-link-out", output(plant(RUN, outside_folder)), refused(1, RUN)),
    Case(
        "run-folder-a-file",
        output(lambda ctx, out: (out / RUN).write_text("a file")),
        refused(1, RUN),
    ),
    Case(
        "stale-partial-folder",
        output(lambda ctx, out: (out / f".{RUN}.partial").mkdir()),
        accepted(holds(lambda o: not (o.root / "out" / f".{RUN}.partial").exists(), "debris")),
    ),
    Case(
        "stale-partial-a-link-out",
        output(plant(f".{RUN}.partial", outside_folder)),
        either(accepted(), refused(1)),
    ),
    Case(
        "lock-a-link-out",
        output(plant(f".{RUN}.lock", lambda ctx: ctx.root / "made-by-lock")),
        either(accepted(), refused(1)),
    ),
    Case(
        "old-a-link-out-beside-an-earlier-run",
        output(with_earlier_run(plant(f".{RUN}.old", outside_folder))),
        either(accepted(), refused(1)),
    ),
]

ALL = FLAGS + SECRETS + ROSTERS + BLUEPRINTS + BANKS + EXPORTS + OUTPUTS


@pytest.fixture(scope="module")
def sweep(tmp_path_factory, private_config) -> Iterator[Sweep]:
    base = tmp_path_factory.mktemp("hostile")
    config = snapshot(private_config)
    sweeper = Sweep(base / "cases", build_shared(base / "shared"), ALL)
    sweeper.config = config  # type: ignore[attr-defined]
    yield sweeper
    if os.environ.get("HOSTILE_LOG"):
        sweeper.log(Path(os.environ["HOSTILE_LOG"]))
    sweeper.pool.shutdown(wait=True, cancel_futures=True)


# --- the tests, one per kind of input -------------------------------------------------------


GROUPS = {"options": FLAGS, "secret-file": SECRETS, "roster": ROSTERS,
          "blueprint": BLUEPRINTS, "question-bank": BANKS, "export": EXPORTS,
          "output-folder": OUTPUTS}  # fmt: skip


@pytest.mark.parametrize(
    "case",
    [pytest.param(case, id=f"{group}/{case.id}") for group, cases in GROUPS.items()
     for case in cases],
)  # fmt: skip
def test_hostile_input(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("run", ["single", "klass"])
@pytest.mark.parametrize("name", ALL_LMS)
def test_lms_files_do_not_carry_the_seed(sweep: Sweep, run: str, name: str) -> None:
    """LMS files reach students' browsers: the exam seed (in public mode it rebuilds every
    solution) must not be in them, not even in a quiz title or an id."""
    folder = getattr(sweep.shared, run)
    assert str(SEED).encode() in (folder / "key.json").read_bytes()  # findable where it is
    texts = list(contents(folder / "lms" / name))
    assert texts
    for member, data in texts:
        assert str(SEED).encode() not in data, member


@pytest.mark.parametrize("run", ["single", "klass"])
@pytest.mark.parametrize("name", ["canvas-qti12.zip", "qti21.zip"])
def test_exported_zips_have_no_path_out(sweep: Sweep, run: str, name: str) -> None:
    with zipfile.ZipFile(getattr(sweep.shared, run) / "lms" / name) as archive:
        names = archive.namelist()
    assert names and all(safe_member(n) for n in names), [n for n in names if not safe_member(n)]


def test_config_folder_untouched(sweep: Sweep, private_config: Path) -> None:
    """No run touched the user's config folder (here the tests' own): every case that needs
    a secret has its own file."""
    for case_id in sweep.futures:
        sweep.outcome(case_id)
    assert snapshot(private_config) == sweep.config  # type: ignore[attr-defined]
