"""Hostile input, through the real command line: every case runs ``python -m generator`` as a
subprocess, in a folder of its own that holds the case's inputs, any earlier output and the
files that links point to "outside".

A refused input must end with one line ``Error: ...`` on stderr (``Warning:`` lines and
progress lines may come before it), exit 2 for a bad option and 1 otherwise, print no
traceback, and leave every file of the case's folder as it was: nothing created, changed or
removed.  An accepted input must exit 0, change files only where the run writes, and give
the right result.  Expected values come from the rules in the README, never from a run.

Starting Python and the libraries costs most of a second and a half per run, so a module
fixture starts the subprocesses ahead, a few at a time, and each test waits for its own.
A case that fails is kept, marked ``xfail(strict=True)`` with what goes wrong (XFAIL below).
Set HOSTILE_LOG=<file> to have every run's command, exit code, stderr and changed files
written there as JSON lines.
"""

from __future__ import annotations

import csv
import hashlib
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
LMS_FILES = (
    "canvas-qti12.zip",
    "moodle.xml",
    "qti21.zip",
    "questions.gift",
    "blackboard",
    "answer-key.csv",
)
NOISE = re.compile(r"Warning: |Building copies: \d+ of \d+ done$|Checking$")
TIMEOUT = 150
HANG = 15  # seconds for a case that may block (a FIFO) before it counts as hung
MEMORY_KB = 1_500_000  # address-space cap for a case that may read without end (/dev/zero)
WORKERS = 3  # runs at a time: two cores, and a hung case waits without working
SCRIPT = "<script>alert(1)</script>"
IMAGE = "<img src=x onerror=alert(2)>"

XFAIL: dict[str, str] = {}


# --- the machinery: one folder, one subprocess, two snapshots per case ---------------------


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
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    timed_out = False
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        out, err = process.communicate()
        timed_out = True
    decode = lambda data: data.decode("utf-8", "replace")  # noqa: E731
    return process.returncode, decode(out), decode(err), timed_out


class Sweep:
    """Prepares every case and runs it in the background; ``outcome(id)`` waits for one."""

    def __init__(self, base: Path, shared: Shared, cases: Sequence[Case]) -> None:
        self.shared = shared
        self.pool = ThreadPoolExecutor(WORKERS)
        self.futures: dict[str, Future[Outcome]] = {}
        self.cases = {case.id: case for case in cases}
        assert len(self.cases) == len(cases), "case ids must be unique"
        for case in cases:
            if case.run is not None:
                continue
            root = base / re.sub(r"[^A-Za-z0-9._-]+", "_", case.id)
            root.mkdir(parents=True)
            args = list(case.prepare(Ctx(root, shared)))
            self.futures[case.id] = self.pool.submit(self._run, case, root, args)

    def _run(self, case: Case, root: Path, args: list[object]) -> Outcome:
        before = snapshot(root)
        code, out, err, timed_out = run_cli(args, root, case.timeout, case.memory)
        command = f"cd CASE && generate-exam {shlex.join(map(str, args))}"
        after = snapshot(root)
        return Outcome(case, command, code, out, err, root, before, after, timed_out, self.shared)

    def outcome(self, case_id: str) -> Outcome:
        case = self.cases[case_id]
        return self.futures[case.run or case_id].result()

    def log(self, path: Path) -> None:
        with path.open("w", encoding="utf-8") as log:
            for case_id, future in self.futures.items():
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
    commands = {
        "single": ["--seed", SEED, "--public", "--no-pdf", "--lms", "all", "--out", "single"],
        "class": [
            "--seed",
            SEED,
            "--public",
            "--no-pdf",
            "--lms",
            "all",
            "--roster",
            "roster.csv",
            "--workers",
            "1",
            "--out",
            "class",
        ],
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
        outside = [
            p for p in o.changes() if not any(p == w or p.startswith(w + "/") for w in within)
        ]
        assert not outside, f"changed outside {list(within)}: {outside[:10]}"
        for more in checks:
            more(o)

    return check


def either(success: Check, failure: Check) -> Check:
    """Where the rules allow both: the run works, or it is refused cleanly."""
    return lambda o: success(o) if o.returncode == 0 else failure(o)


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


def csv_students_are(*expected: tuple[str, str]) -> Check:
    """The (student_id, student_name) cells of answer-key.csv, as a spreadsheet reads them."""

    def check(o: Outcome) -> None:
        with (run_dir(o) / "answer-key.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert rows
        assert list(dict.fromkeys((r["student_id"], r["student_name"]) for r in rows)) == list(
            expected
        )

    return check


def names_are_clean(*words: str) -> Check:
    """No control or format character left in any name (joiners aside), words kept in order."""

    def check(o: Outcome) -> None:
        for variant in key_of(o)["variants"]:
            name = variant["student"]["name"]
            bad = [
                c
                for c in name
                if unicodedata.category(c) in ("Cc", "Cf") and c not in "\u200c\u200d"
            ]
            assert not bad, (name, bad)
        names = " | ".join(v["student"]["name"] for v in key_of(o)["variants"])
        assert re.search(".*".join(map(re.escape, words)), names), names

    return check


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def student_pdfs(count: int) -> Check:
    def check(o: Outcome) -> None:
        folders = sorted((run_dir(o) / "students").iterdir())
        assert len(folders) == count, folders
        for folder in folders:
            assert (folder / "exam.pdf").stat().st_size > 1000, folder

    return check


def unchanged_except(*paths: str) -> Check:
    """Only these paths changed (every other file of the case is as it was)."""

    def check(o: Outcome) -> None:
        assert set(o.changes()) <= set(paths), o.changes()

    return check


# --- preparing inputs -----------------------------------------------------------------------


def command(*args: object, mini: bool = True) -> Callable[[Ctx], list[object]]:
    """Arguments only (no input file), with the one-question blueprint unless ``mini=False``."""

    def prepare(ctx: Ctx) -> list[object]:
        return [*args, *(("--blueprint", ctx.shared.mini_blueprint) if mini else ())]

    return prepare


def with_roster(*args: object, roster: str = ROSTER) -> Callable[[Ctx], list[object]]:
    def prepare(ctx: Ctx) -> list[object]:
        (ctx.root / "roster.csv").write_text(roster, encoding="utf-8")
        return [*args, "--blueprint", ctx.shared.mini_blueprint]

    return prepare


def csv_text(rows: Sequence[Sequence[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


def roster(content: str | bytes | Callable[[Path], str], *extra: object, pdf: bool = False):
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
            *extra,
        ]

    return prepare


def with_folder(name: str, *args: object) -> Callable[[Ctx], list[object]]:
    """A folder where a file is expected."""

    def prepare(ctx: Ctx) -> list[object]:
        (ctx.root / name).mkdir()
        return list(args)

    return prepare


def with_file(name: str, *args: object) -> Callable[[Ctx], list[object]]:
    """A file where a folder is expected (the one-question blueprint)."""

    def prepare(ctx: Ctx) -> list[object]:
        (ctx.root / name).write_text("keep me")
        return [*args, "--blueprint", ctx.shared.mini_blueprint]

    return prepare


def big_roster(root: Path) -> str:
    """A well-formed roster of 20 MB, over the size cap."""
    rows = "".join(f"s{i:08d},Student Number {i:08d}\n" for i in range(650_000))
    (root / "big.csv").write_text("Student ID,Name\n" + rows, encoding="utf-8")
    assert (root / "big.csv").stat().st_size > 20 * 2**20
    return "big.csv"


def course_blueprint(text: str) -> Callable[[Path], list[object]]:
    """The instructor's own blueprint in course/ (where its secret goes by default)."""

    def setup(root: Path) -> list[object]:
        (root / "course").mkdir()
        (root / "course" / "mini.toml").write_text(text, encoding="utf-8")
        return ["--blueprint", "course/mini.toml"]

    return setup


def fifo(name: str) -> Callable[[Path], str]:
    def make(root: Path) -> str:
        os.mkfifo(root / name)
        return name

    return make


def blueprint(content: str | bytes) -> Callable[[Ctx], list[object]]:
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
) -> Callable[[Ctx], list[object]]:
    """A copy of Question 7 as ``mine/cnn`` in ``bank/``, edited; a blueprint asking for it.
    ``earlier``: the folder this run would write already holds an earlier run."""

    def prepare(ctx: Ctx) -> list[object]:
        folder = ctx.root / "bank" / "my-cnn"
        shutil.copytree(Q7_FOLDER, folder, ignore=shutil.ignore_patterns("__pycache__"))
        edits = {
            "question.toml": [replacing('id = "cs230-w2020/cnns"', 'id = "mine/cnn"'), toml],
            "solve.py": [solve],
            "question.tex.j2": [template],
        }
        for name, changes in edits.items():
            for change in filter(None, changes):
                path = folder / name
                result = change(path.read_text(encoding="utf-8"))
                data = result if isinstance(result, bytes) else result.encode("utf-8")
                path.write_bytes(data)
        (ctx.root / "bp.toml").write_text(
            'name = "custom"\ntitle = "Custom"\n[[questions]]\nid = "mine/cnn"\n', encoding="utf-8"
        )
        if earlier:
            shutil.copytree(ctx.shared.mini, ctx.root / "out" / "custom-seed1-public")
        return [*BASE, "--bank", "bank", "--blueprint", "bp.toml"]

    return prepare


Tamper = Callable[[Ctx, Path], None]


def export(tamper: Tamper | None, lms: str = "moodle") -> Callable[[Ctx], list[object]]:
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


def first_part(key: dict[str, Any], kind: str, named: bool = False) -> dict[str, Any]:
    return next(p for p in parts(key) if p["kind"] == kind and (p["names"] or not named))


def set_figure(path: str) -> Tamper:
    def change(key: dict[str, Any]) -> None:
        question = next(q for v in key["variants"] for q in v["questions"] if q["figures"])
        name = next(iter(question["figures"]))
        question["figures"][name] = path

    return key_edit(change)


def figure_path(run: Path) -> Path:
    (png,) = (run / "figures").glob("*.png")
    return png


def set_answer(kind: str, value: Any, field_name: str = "answer") -> Tamper:
    def change(key: dict[str, Any]) -> None:
        first_part(key, kind)[field_name] = value

    return key_edit(change)


def set_names(*names: str) -> Tamper:
    def change(key: dict[str, Any]) -> None:
        part = first_part(key, "vector", named=True)
        assert len(part["names"]) == len(names)
        part["names"] = list(names)

    return key_edit(change)


def set_matching_label(label: str) -> Tamper:
    def change(key: dict[str, Any]) -> None:
        part = first_part(key, "matching")
        items = list(part["answer"].items())
        part["answer"] = {label: items[0][1], **dict(items[1:])}

    return key_edit(change)


def output(setup: Callable[[Ctx, Path], None], *extra: object) -> Callable[[Ctx], list[object]]:
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


def secret_file(content: str | bytes | None, mode: int = 0o600, name: str = "my.key"):
    def setup(root: Path) -> list[object]:
        if content is not None:
            path = root / name
            path.write_bytes(content.encode("ascii") if isinstance(content, str) else content)
            path.chmod(mode)
        return ["--secret-file", name]

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


def lms_texts(folder: Path) -> Iterator[tuple[str, bytes]]:
    """(name, bytes) of every file of an LMS export: zip members one by one."""
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                for name in archive.namelist():
                    yield f"{path.name}:{name}", archive.read(name)
        else:
            yield str(path.relative_to(folder)), path.read_bytes()


def html_fields(o: Outcome, fmt: str) -> list[str]:
    """The HTML an LMS renders from an export, as the LMS reads it out of the file: Moodle's
    format="html" texts, Canvas's text/html mattext, GIFT's text after the ::title::, each
    Blackboard line's fields.  Plain-text fields (titles, names) are left out."""
    lms = o.root / "run" / "lms"
    if fmt == "moodle":
        root = etree.fromstring((lms / "moodle.xml").read_bytes())
        return [t.text or "" for t in root.iter("text") if t.getparent().get("format") == "html"]
    if fmt == "canvas":
        fields = []
        with zipfile.ZipFile(lms / "canvas-qti12.zip") as archive:
            for name in archive.namelist():
                if name.endswith(".xml") and "manifest" not in name:
                    root = etree.fromstring(archive.read(name))
                    fields += [
                        m.text or ""
                        for m in root.iter("{*}mattext")
                        if m.get("texttype") == "text/html"
                    ]
        return fields
    if fmt == "gift":
        text = (lms / "questions.gift").read_text(encoding="utf-8")
        return [
            re.sub(r"^::(?:\\.|[^\\:])*::", "", line)
            for line in text.splitlines()
            if not line.startswith("$CATEGORY:")
        ]
    if fmt == "blackboard":
        return [
            f
            for p in (lms / "blackboard").glob("*.txt")
            for line in p.read_text(encoding="utf-8").splitlines()
            for f in line.split("\t")
        ]
    raise ValueError(fmt)


def escaped_in(fmt: str, raw: str, marker: str) -> Check:
    """``raw`` (markup) never reaches the LMS's HTML as markup; its escaped form does."""

    def check(o: Outcome) -> None:
        fields = html_fields(o, fmt)
        assert fields
        live = [f for f in fields if marker in f]
        assert not live, live[0][:300]
        assert any(marker.replace("<", "&lt;") in f for f in fields), "the text went missing"

    return check


def qti21_has_no_markup(attribute: str) -> Check:
    """No element or attribute of the injected markup in any QTI 2.1 file; zip names safe."""

    def check(o: Outcome) -> None:
        with zipfile.ZipFile(o.root / "run" / "lms" / "qti21.zip") as archive:
            for name in archive.namelist():
                if name.endswith(".xml"):
                    root = etree.fromstring(archive.read(name))
                    for element in root.iter():
                        if not isinstance(element.tag, str):
                            continue  # a comment
                        assert etree.QName(element).localname not in ("script", "img"), name
                        assert attribute not in element.attrib, name

    return check


def safe_member(name: str) -> bool:
    return not (name.startswith("/") or "\\" in name or ".." in name.split("/") or ":" in name)


# --- the cases ------------------------------------------------------------------------------

FLAGS = [
    Case("seed-2**64", command("--seed", 2**64, *OPTS), refused(2, "--seed")),
    Case("seed-negative", command("--seed", "-5", *OPTS), refused(2, "--seed")),
    Case("seed-words", command("--seed", "forty-two", *OPTS), refused(2, "--seed")),
    Case("seed-hex", command("--seed", "0x2a", *OPTS), refused(2, "--seed")),
    Case("seed-missing", command(*OPTS), refused(2, "--seed")),
    Case(
        "seed-2**64-1-accepted",
        command("--seed", 2**64 - 1, *OPTS),
        accepted(
            lambda o: key_of(o)["exam"]["seed"] == 2**64 - 1 or pytest.fail("seed"),
            lambda o: run_dir(o).name == f"mini-seed{2**64 - 1}-public" or pytest.fail("name"),
        ),
    ),
    Case("variants-0", command("--seed", 1, "--variants", 0, *OPTS), refused(2, "--variants")),
    Case(
        "variants-20001", command("--seed", 1, "--variants", 20001, *OPTS), refused(2, "--variants")
    ),
    Case(
        "variants-10**30",
        command("--seed", 1, "--variants", 10**30, *OPTS),
        refused(2, "--variants"),
    ),
    Case(
        "workers-0",
        command("--seed", 1, "--variants", 2, "--workers", 0, *OPTS),
        refused(2, "--workers"),
    ),
    Case(
        "workers-300",
        command("--seed", 1, "--variants", 2, "--workers", 300, *OPTS),
        refused(2, "--workers"),
    ),
    Case("lms-bogus", command(*BASE, "--lms", "bogus"), refused(2, "bogus")),
    Case("lms-empty", command(*BASE, "--lms", ""), refused(2, "lms")),
    Case("lms-only-commas", command(*BASE, "--lms", ",,"), refused(2, "lms")),
    Case("lms-one-bogus-of-two", command(*BASE, "--lms", "canvas,bogus"), refused(2, "bogus")),
    Case(
        "lms-all-accepted",
        command(*BASE, "--lms", "all"),
        accepted(
            lambda o: (
                sorted(p.name for p in (run_dir(o) / "lms").iterdir()) == sorted(LMS_FILES)
                or pytest.fail("not every format")
            )
        ),
    ),
    Case("variant-id-garbage", command(*BASE, "--variant-id", "zzz"), refused(2, "--variant-id")),
    Case(
        "variant-id-a-path",
        command(*BASE, "--variant-id", "../../../etc/passwd"),
        refused(2, "--variant-id"),
    ),
    Case(
        "variant-id-uppercase-accepted",
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
            lambda o: (
                [v["variant"] for v in key_of(o)["variants"]] == [o.shared.code]
                or pytest.fail("another copy")
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
            ctx.shared.code[:10] + ("00" if ctx.shared.code[10:] != "00" else "11"),
        ],
        refused((1, 2), "--variant-id"),
    ),
    Case(
        "variant-id-numbered-copy-with-roster",
        with_roster(*BASE, "--roster", "roster.csv", "--variant-id", "v3"),
        refused((1, 2), "--variant-id"),
    ),
    Case(
        "variant-id-of-no-student-on-the-roster",
        lambda ctx: [
            *with_roster("--seed", SEED, *OPTS, "--roster", "roster.csv")(ctx),
            "--variant-id",
            ctx.shared.code,
        ],
        refused(1, "--variant-id"),
    ),
    Case("out-is-a-file", with_file("out", *BASE), refused(2, "--out")),
    Case(
        "out-in-proc",
        command("--seed", 1, "--public", "--no-pdf", "--out", "/proc/hostile"),
        refused(1, "/proc/hostile"),
    ),
    Case(
        "out-on-read-only-sysfs",
        command("--seed", 1, "--public", "--no-pdf", "--out", "/sys/hostile"),
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
    Case(
        "roster-with-variants",
        with_roster(*BASE, "--roster", "roster.csv", "--variants", 3),
        refused(2, "--variants"),
    ),
    Case(
        "replica-with-roster",
        with_roster("--replica", *OPTS, "--roster", "roster.csv"),
        refused(2, "--replica"),
    ),
    Case(
        "replica-with-variant-id",
        command("--replica", *OPTS, "--variant-id", "v1"),
        refused(2, "--replica"),
    ),
    Case(
        "roster-a-directory",
        with_folder("r.csv", *BASE, "--roster", "r.csv"),
        refused(2, "--roster"),
    ),
    Case("roster-missing", command(*BASE, "--roster", "nobody.csv"), refused(1, "nobody.csv")),
    Case("bank-missing", command(*BASE, "--bank", "no-such-bank"), refused(2, "--bank")),
    Case("unknown-option", command(*BASE, "--frobnicate"), refused(2, "--frobnicate")),
    Case(
        "check-variants-0", command("check", "--variants", 0, mini=False), refused(2, "--variants")
    ),
    Case(
        "check-first-seed-negative",
        command("check", "--first-seed", -1, mini=False),
        refused(2, "--first-seed"),
    ),
    Case(
        "check-unknown-question",
        command("check", "--variants", 1, "--question", "no/such", mini=False),
        refused(2, "--question"),
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
        "export-of-no-folder",
        command("export", "nowhere", "--lms", "moodle", mini=False),
        refused(2, "nowhere"),
    ),
    Case(
        "export-of-a-folder-without-key",
        with_folder("run", "export", "run", "--lms", "moodle"),
        refused(1, "key.json"),
    ),
    Case("export-without-lms", lambda ctx: export(None)(ctx)[:2], refused(2, "--lms")),
    Case("export-lms-bogus", export(None, lms="bogus"), refused(2, "bogus")),
]

SECRETS = [
    Case(
        "secret-a-directory",
        with_folder("d", "--seed", 1, "--no-pdf", "--out", "out", "--secret-file", "d"),
        refused(2, "--secret-file"),
    ),
    Case("secret-garbage", secret_run(secret_file("hello, world\n")), refused(1, "my.key")),
    Case("secret-too-short", secret_run(secret_file("0123456789abcdef\n")), refused(1, "my.key")),
    Case(
        "secret-not-ascii", secret_run(secret_file(b"\xff\xfe" + b"ab" * 32)), refused(1, "my.key")
    ),
    Case(
        "secret-two-lines",
        secret_run(secret_file("ab" * 32 + "\n" + "cd" * 32 + "\n")),
        refused(1, "my.key"),
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
            lambda o: (
                any(
                    line.startswith("Warning: other users can read")
                    for line in o.stderr.splitlines()
                )
                or pytest.fail(o.stderr)
            ),
            secret_not_shown("my.key"),
        ),
    ),
    Case(
        "secret-made-beside-the-blueprint-private",
        secret_run(course_blueprint(MINI), mini=False),
        accepted(
            lambda o: (
                stat.S_IMODE((o.root / "course" / "exam-secret.key").stat().st_mode) == 0o600
                or pytest.fail("secret readable by others")
            ),
            secret_not_shown("course/exam-secret.key"),
            within=("out", "course/exam-secret.key"),
        ),
    ),
    Case(
        "secret-not-made-when-the-input-is-bad",
        secret_run(course_blueprint(MINI.replace("cnns", "nope")), mini=False),
        refused(1, "course/mini.toml"),
    ),
    Case(
        "secret-rebuild-with-a-missing-secret",
        lambda ctx: [
            "--seed",
            1,
            "--no-pdf",
            "--out",
            "out",
            "--blueprint",
            ctx.shared.mini_blueprint,
            "--secret-file",
            "lost.key",
            "--variant-id",
            ctx.shared.code,
        ],
        refused(1, "lost.key"),
    ),
]

PEOPLE = [("s1", "Ada Lovelace"), ("s2", "Alan Turing")]
WORLD = [  # NFC already; every script, and emoji sequences (ZWJ, skin tone, flag)
    "\u0645\u062d\u0645\u062f \u0639\u0644\u064a",  # Arabic
    "\u05d3\u05d5\u05d3 \u05db\u05d4\u05df",  # Hebrew
    "\u0905\u0928\u093f\u0932 \u0915\u0941\u092e\u093e\u0930",  # Devanagari
    "\u738b\u5c0f\u660e",  # Han
    "\u5c71\u7530 \u3055\u304f\u3089",  # Japanese
    "\uae40\ubbfc\uc900",  # Hangul
    "\u041f\u0451\u0442\u0440 \u0418\u0432\u0430\u043d\u043e\u0432",  # Cyrillic
    "\u0395\u03bb\u03ad\u03bd\u03b7",  # Greek
    "\u0e2a\u0e21\u0e0a\u0e32\u0e22",  # Thai
    "Zo\u00eb \U0001f469\U0001f3fd\u200d\U0001f4bb \U0001f1fa\U0001f1e6",  # emoji
]


def many(count: int) -> str:
    return "Student ID,Name\n" + "".join(f"s{i},Student {i}\n" for i in range(count))


ROSTERS = [
    Case("empty-file", roster(""), refused(1, "roster.csv")),
    Case("header-only", roster("Student ID,Name\n"), refused(1, "roster.csv")),
    Case("blank-lines-only", roster("\n\n \n"), refused(1, "roster.csv")),
    Case("utf-16", roster(ROSTER.encode("utf-16")), refused(1, "roster.csv")),
    Case(
        "latin-1",
        roster("Student ID,Name\ns1,Zo\u00eb\n".encode("latin-1")),
        refused(1, "roster.csv"),
    ),
    Case("nul-in-an-id", roster("Student ID,Name\ns\x001,Ada\n"), refused(1, "roster.csv")),
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
        roster("Student ID,Name\ns1,Ada\ns2,Alan\ns1,Grace\n"),
        refused(1, "line 4", "s1"),
    ),
    Case(
        "duplicate-ids-but-for-spaces",
        roster("Student ID,Name\ns1,Ada\n s1 ,Grace\n"),
        refused(1, "line 3"),
    ),
    Case("no-id-column", roster("Name,Section\nAda,A\n"), refused(1, "roster.csv")),
    Case("an-empty-id", roster("Student ID,Name\ns1,Ada\n,Grace\n"), refused(1, "line 3")),
    Case("id-with-a-line-break", roster('Student ID,Name\n"s\n1",Ada\n'), refused(1, "roster.csv")),
    Case(
        "id-with-a-zero-width-space",
        roster("Student ID,Name\ns\u200b1,Ada\n"),
        refused(1, "line 2"),
    ),
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
    Case("no-name-column", roster("Student ID,Section\ns1,A\n"), refused(1, "roster.csv")),
    Case("20001-students", roster(many(20_001)), refused(1, "roster.csv")),
    Case("utf-8-bom", roster("\ufeff" + ROSTER), accepted(students_are(*PEOPLE))),
    Case("crlf-line-ends", roster(ROSTER.replace("\n", "\r\n")), accepted(students_are(*PEOPLE))),
    Case(
        "semicolons-and-a-comma-in-a-name",
        roster("Student ID;Name\ns1;Lovelace, Ada\ns2;Alan Turing\n"),
        accepted(students_are(("s1", "Lovelace, Ada"), ("s2", "Alan Turing"))),
    ),
    Case("tabs", roster(ROSTER.replace(",", "\t")), accepted(students_are(*PEOPLE))),
    Case(
        "quoted-separators-and-doubled-quotes",
        roster('Student ID,Name\ns1,"Lovelace, Ada"\ns2,"Alan ""Prof"" Turing"\n'),
        accepted(students_are(("s1", "Lovelace, Ada"), ("s2", 'Alan "Prof" Turing'))),
    ),
    Case(
        "trailing-commas",
        roster("Student ID,Name,\ns1,Ada Lovelace,\ns2,Alan Turing,\n"),
        accepted(students_are(*PEOPLE)),
    ),
    Case(
        "canvas-points-possible-row",
        roster(
            "Student,ID,SIS User ID,Section\n    Points Possible,,,\n"
            "Ada Lovelace,101,s1,A\nAlan Turing,102,s2,A\n"
        ),
        accepted(students_are(*PEOPLE)),
    ),
    Case(
        "a-student-named-points-possible",
        roster("Student ID,Name\ns1,Points Possible\ns2,Alan Turing\n"),
        accepted(students_are(("s1", "Points Possible"), ("s2", "Alan Turing"))),
    ),
    Case(
        "control-characters-and-nul-in-names",
        roster("Student ID,Name\ns1,Ada\x07\x1b[31m Love\x00lace\ns2,\x08Alan\x7f Turing\n"),
        accepted(names_are_clean("Ada", "Love", "lace", "Alan", "Turing")),
    ),
    Case(
        "bidi-overrides-and-zero-width-in-names",
        roster(
            "Student ID,Name\ns1,\u202eecalevoL adA\u202c\ns2,Al\u200ban\ufeff "
            "\u2066Turing\u2069\u200e\n"
        ),
        accepted(names_are_clean("ecalevoL adA", "Alan Turing")),
    ),
    Case(
        "every-script-and-emoji",
        roster(csv_text([["Student ID", "Name"], *[[f"s{i}", n] for i, n in enumerate(WORLD)]])),
        accepted(students_are(*[(f"s{i}", n) for i, n in enumerate(WORLD)])),
    ),
    Case(
        "decomposed-name-is-composed",
        roster("Student ID,Name\ns1,Zoe\u0308 Ade\u0301\n"),
        accepted(students_are(("s1", "Zo\u00eb Ad\u00e9"))),
    ),
    Case(
        "formula-injection-names-and-id",
        roster(
            csv_text(
                [
                    ["Student ID", "Name"],
                    ["s1", '=HYPERLINK("http://evil","x")'],
                    ["s2", "-2+3"],
                    ["s3", "@SUM(1)"],
                    ["=1+1", "Eve"],
                ]
            )
        ),
        accepted(
            students_are(
                ("s1", '=HYPERLINK("http://evil","x")'),
                ("s2", "-2+3"),
                ("s3", "@SUM(1)"),
                ("=1+1", "Eve"),
            ),
            csv_students_are(
                ("s1", '\'=HYPERLINK("http://evil","x")'),
                ("s2", "'-2+3"),
                ("s3", "'@SUM(1)"),
                ("'=1+1", "Eve"),
            ),
        ),
    ),
    Case(
        "formula-injection-plus-one",
        roster("Student ID,Name\ns1,+1\n"),
        accepted(students_are(("s1", "+1")), csv_students_are(("s1", "'+1"))),
    ),
    Case(
        "typst-and-latex-markup-in-a-name-pdf",
        roster(
            csv_text(
                [
                    ["Student ID", "Name"],
                    ["s1", '#read("/etc/passwd") *bold* $x$ ] \\input{/etc/passwd}'],
                ]
            ),
            pdf=True,
        ),
        accepted(
            student_pdfs(1),
            lambda o: (
                '#read("/etc/passwd") *bold* $x$ ]'
                in pdf_text(next((run_dir(o) / "students").iterdir()) / "exam.pdf")
                or pytest.fail("name")
            ),
            lambda o: (
                "root:x:0:0" not in pdf_text(run_dir(o) / "print.pdf")
                or pytest.fail("/etc/passwd in the PDF")
            ),
        ),
    ),
    Case(
        "id-with-dot-dot-slashes-pdf",
        roster("Student ID,Name\n../../../../../hostile-escape,Ada\ns2,Alan\n", pdf=True),
        accepted(
            student_pdfs(2),
            lambda o: (
                not any(
                    (run_dir(o) / "students").joinpath(*[".."] * k, "hostile-escape").exists()
                    for k in range(9)
                )
                or pytest.fail("escaped")
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

HEAD = 'name = "bp"\ntitle = "T"\n'
Q = '[[questions]]\nid = "cs230-w2020/cnns"\n'
BLUEPRINTS = [
    Case("invalid-toml", blueprint('name = "bp"\ntitle = \n' + Q), refused(1, "bp.toml")),
    Case(
        "not-utf-8",
        blueprint((HEAD + 'course = "Caf\u00e9"\n' + Q).encode("latin-1")),
        refused(1, "bp.toml"),
    ),
    Case("nul-byte", blueprint(HEAD + 'course = "a\x00b"\n' + Q), refused(1, "bp.toml")),
    Case("id-a-list", blueprint(HEAD + '[[questions]]\nid = ["a"]\n'), refused(1, "bp.toml")),
    Case("course-a-number", blueprint(HEAD + "course = 5\n" + Q), refused(1, "course")),
    Case("title-a-number", blueprint('name = "bp"\ntitle = 1\n' + Q), refused(1, "title")),
    Case(
        "instructions-a-string",
        blueprint(HEAD + 'instructions = "x"\n' + Q),
        refused(1, "instructions"),
    ),
    Case("honor-code-a-list", blueprint(HEAD + "honor_code = []\n" + Q), refused(1, "honor_code")),
    Case("unknown-key-in-a-question", blueprint(HEAD + Q + "points = 3\n"), refused(1, "points")),
    Case("unknown-top-level-key", blueprint(HEAD + 'titel = "x"\n' + Q), refused(1, "titel")),
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
    Case("name-empty", blueprint('name = ""\ntitle = "T"\n' + Q), refused(1, "name")),
    Case("name-300-characters", blueprint(f'name = "{"n" * 300}"\ntitle = "T"\n' + Q), refused(1)),
    Case("missing-questions", blueprint(HEAD), refused(1, "questions")),
    Case("questions-empty", blueprint(HEAD + "questions = []\n"), refused(1, "questions")),
    Case(
        "latex-in-the-text-is-escaped",
        blueprint(
            'name = "bp"\ntitle = "\\\\input{/etc/passwd}"\n'
            'course = "\\\\write18{touch pwned}"\nid_label = "\\\\def\\\\x{y}"\n'
            'instructions = ["\\\\include{x} $x^2$ % comment"]\n' + Q
        ),
        accepted(
            lambda o: (
                [
                    raw
                    for raw in ("\\input{/etc/passwd}", "\\write18{", "\\def\\x{y}", "\\include{x}")
                    if raw in (run_dir(o) / "exam.tex").read_text()
                ]
                == []
                or pytest.fail("raw LaTeX from the blueprint")
            )
        ),
    ),
]

PART_C = 'label = "c"\npoints = 2\n'
SOLVE_WITH = "\n\n_solve = solve\n\n\ndef solve(params, rng):\n    a = _solve(params, rng)\n    {}\n    return a\n"  # noqa: E501
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
        "sample-raises",
        bank(solve=appending('\n\ndef sample(rng):\n    raise ValueError("no")\n')),
        refused(1, "solve.py"),
    ),
    Case(
        "solve-import-fails",
        bank(solve=appending("\nimport no_such_module_here\n")),
        refused(1, "solve.py"),
    ),
    Case("solve-syntax-error", bank(solve=appending("\ndef broken(:\n")), refused(1, "solve.py")),
    Case(
        "sample-returns-a-list",
        bank(solve=appending("\n\ndef sample(rng):\n    return [1, 2, 3]\n")),
        refused(1, "mine/cnn"),
    ),
    Case(
        "answer-infinite",
        bank(solve=appending(SOLVE_WITH.format('a["d"] = float("inf")'))),
        refused(1, "mine/cnn"),
    ),
    Case(
        "answer-nan",
        bank(solve=appending(SOLVE_WITH.format('a["d"] = float("nan")'))),
        refused(1, "mine/cnn"),
    ),
    Case(
        "answer-missing",
        bank(solve=appending(SOLVE_WITH.format('del a["d"]'))),
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
        "tolerance-rel-nan",
        bank(toml=replacing(PART_C, PART_C + "tolerance = {rel = nan}\n")),
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
        "points-text",
        bank(toml=replacing(PART_C, 'label = "c"\npoints = "2"\n')),
        refused(1, "points"),
    ),
    Case(
        "kind-unknown",
        bank(toml=replacing('kind = "shape"', 'kind = "tensor"')),
        refused(1, "tensor"),
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
        "question-id-upper-case",
        bank(toml=replacing('id = "mine/cnn"', 'id = "Mine/CNN"')),
        refused(1, "question.toml"),
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

PASSWD = Path("/etc/passwd")


def link_figure_to(target: str) -> Tamper:
    def tamper(ctx: Ctx, run: Path) -> None:
        png = figure_path(run)
        png.unlink()
        png.symlink_to(target)

    return tamper


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


def prompt_with(text: str) -> Tamper:
    def change(key: dict[str, Any]) -> None:
        part = first_part(key, "text")
        part["prompt"] += text

    return key_edit(change)


def gift_braces_balanced(o: Outcome) -> None:
    """Each GIFT question of 1(d) keeps one answer block: the names' braces are escaped."""
    lines = [
        line
        for line in (o.root / "run" / "lms" / "questions.gift").read_text().splitlines()
        if line.startswith("::1(d)")
    ]
    assert lines
    for line in lines:
        bare = re.sub(r"\\.", "", line)
        assert bare.count("{") == 1 and bare.count("}") == 1, line[:300]


def canvas_blanks_once(o: Outcome) -> None:
    """Canvas makes a blank of every [bN] in the text: a name must not add one."""
    fields = [f for f in html_fields(o, "canvas") if "[b1]" in f]
    assert fields
    for text in fields:
        assert text.count("[b2]") == 1, text[-300:]


def moodle_cloze_once(o: Outcome) -> None:
    """Moodle's cloze reads {1:...} as a blank: a name must not add one."""
    texts = [t for t in html_fields(o, "moodle") if "NUMERICAL" in t]
    assert texts
    assert not [t for t in texts if "{1:SHORTANSWER" in t], "a name became a cloze blank"


def moodle_parses_with(text: str) -> Check:
    return lambda o: any(text in t for t in html_fields(o, "moodle")) or pytest.fail("lost")


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
        "key-points-a-string", export(set_answer("integer", "2", "points")), refused(1, "key.json")
    ),
    Case(
        "key-nested-100000-deep",
        export(key_bytes(b"[" * 100_000 + b"]" * 100_000)),
        refused(1, "key.json"),
    ),
    Case("key-answer-nan", export(set_answer("integer", float("nan"))), refused(1, "key.json")),
    Case(
        "key-points-infinity",
        export(set_answer("integer", float("inf"), "points")),
        refused(1, "key.json"),
    ),
    Case("key-a-link-out-of-the-run", export(key_elsewhere), refused(1, "key.json")),
    Case(
        "key-a-link-to-etc-passwd",
        export(key_to_passwd),
        refused(1, "key.json", then=[lambda o: "root:" not in o.stderr or pytest.fail("leak")]),
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
        export(link_figure_to(str(PASSWD)), lms="canvas"),
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
        accepted(unchanged_except("run/lms/questions.gift"), within=IN_LMS),
    ),
    Case(
        "html-in-vector-names", export(set_names(SCRIPT, IMAGE), lms="all"), accepted(within=IN_LMS)
    ),
    Case(
        "html-in-a-matching-label",
        export(set_matching_label(SCRIPT), lms="all"),
        accepted(within=IN_LMS),
    ),
    Case(
        "canvas-blank-marker-in-a-name",
        export(set_names("w [b2]", "b"), lms="canvas"),
        accepted(canvas_blanks_once, within=IN_LMS),
    ),
    Case(
        "moodle-cloze-in-a-name",
        export(set_names("{1:SHORTANSWER:=x}", "b"), lms="moodle"),
        accepted(moodle_cloze_once, within=IN_LMS),
    ),
    Case(
        "gift-specials-in-names",
        export(set_names("a}b{c", "d=e~f#g:h"), lms="gift"),
        accepted(gift_braces_balanced, within=IN_LMS),
    ),
    Case(
        "cdata-end-in-a-prompt",
        export(prompt_with(" Explain ]]> this."), lms="moodle"),
        accepted(moodle_parses_with("]]&gt; this"), within=IN_LMS),
    ),
]
for fmt in ("moodle", "canvas", "gift", "blackboard"):
    EXPORTS.append(
        Case(
            f"html-in-vector-names/{fmt}",
            None,
            escaped_in(fmt, SCRIPT, "<script"),
            run="html-in-vector-names",
        )
    )
    EXPORTS.append(
        Case(
            f"html-in-vector-names/{fmt}/img",
            None,
            escaped_in(fmt, IMAGE, "<img"),
            run="html-in-vector-names",
        )
    )
    if fmt != "canvas":  # Canvas's matching labels are text/plain, never read as HTML
        EXPORTS.append(
            Case(
                f"html-in-a-matching-label/{fmt}",
                None,
                escaped_in(fmt, SCRIPT, "<script"),
                run="html-in-a-matching-label",
            )
        )
EXPORTS += [
    Case(
        "html-in-vector-names/qti21",
        None,
        qti21_has_no_markup("onerror"),
        run="html-in-vector-names",
    ),
    Case(
        "html-in-a-matching-label/qti21",
        None,
        qti21_has_no_markup("onerror"),
        run="html-in-a-matching-label",
    ),
]


def earlier_run(ctx: Ctx, out: Path) -> None:
    shutil.copytree(ctx.shared.mini, out / "mini-seed1-public")


def earlier_run_and(extra: Callable[[Ctx, Path], None]) -> Callable[[Ctx, Path], None]:
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


def same_run(o: Outcome) -> None:
    """A rebuild writes the same files, byte for byte."""
    assert not [p for p in o.changes() if o.before.get(p, ("dir",))[0] != "dir"], o.changes()


RUN = "out/mini-seed1-public"
OUTPUTS = [
    Case("added-file-refused", output(earlier_run_and(user_file)), refused(1, "notes.txt")),
    Case(
        "added-file-with-force",
        output(earlier_run_and(user_file), "--force"),
        accepted(lambda o: not (o.root / RUN / "notes.txt").exists() or pytest.fail("kept")),
    ),
    Case("rebuild-into-the-same-folder", output(earlier_run), accepted(same_run)),
    Case(
        "run-folder-a-link-out",
        output(lambda ctx, out: (out / "mini-seed1-public").symlink_to(outside_folder(ctx))),
        refused(1, "mini-seed1-public"),
    ),
    Case(
        "run-folder-a-file",
        output(lambda ctx, out: (out / "mini-seed1-public").write_text("a file")),
        refused(1, "mini-seed1-public"),
    ),
    Case(
        "stale-partial-folder",
        output(lambda ctx, out: (out / ".mini-seed1-public.partial").mkdir()),
        accepted(
            lambda o: (
                not (o.root / "out" / ".mini-seed1-public.partial").exists()
                or pytest.fail("debris kept")
            )
        ),
    ),
    Case(
        "stale-partial-a-link-out",
        output(
            lambda ctx, out: (out / ".mini-seed1-public.partial").symlink_to(outside_folder(ctx))
        ),
        either(accepted(), refused(1)),
    ),
    Case(
        "lock-a-link-out",
        output(
            lambda ctx, out: (out / ".mini-seed1-public.lock").symlink_to(
                ctx.root / "made-by-the-lock"
            )
        ),
        either(accepted(), refused(1)),
    ),
    Case(
        "old-a-link-out-beside-an-earlier-run",
        output(
            earlier_run_and(
                lambda ctx, out: (out / ".mini-seed1-public.old").symlink_to(outside_folder(ctx))
            )
        ),
        either(accepted(), refused(1)),
    ),
]

ALL = FLAGS + SECRETS + ROSTERS + BLUEPRINTS + BANKS + EXPORTS + OUTPUTS


def params(cases: Sequence[Case]) -> list[Any]:
    return [
        pytest.param(
            case,
            id=case.id,
            marks=[pytest.mark.xfail(strict=True, reason=XFAIL[case.id])]
            if case.id in XFAIL
            else [],
        )
        for case in cases
    ]


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


@pytest.mark.parametrize("case", params(FLAGS))
def test_options(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("case", params(SECRETS))
def test_secret_file(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("case", params(ROSTERS))
def test_roster(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("case", params(BLUEPRINTS))
def test_blueprint(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("case", params(BANKS))
def test_question_bank(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("case", params(EXPORTS))
def test_export_of_a_tampered_run(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("case", params(OUTPUTS))
def test_output_folder(sweep: Sweep, case: Case) -> None:
    case.check(sweep.outcome(case.id))


@pytest.mark.parametrize("run", ["single", "klass"])
@pytest.mark.parametrize("name", LMS_FILES)
def test_lms_files_do_not_carry_the_seed(sweep: Sweep, run: str, name: str) -> None:
    """The LMS files reach students' browsers: the exam seed (which, in public mode, rebuilds
    every solution) must not be in them, not even in a quiz title or an id."""
    folder = getattr(sweep.shared, run) / "lms"
    path = folder / name
    assert path.exists()
    texts = list(lms_texts(path)) if path.is_dir() else list(lms_texts(folder))
    texts = [(n, d) for n, d in texts if path.is_dir() or n.split(":")[0] == name]
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
    """No case touched the user's config folder (the tests' own): every secret a case used
    was its own file."""
    for case_id in sweep.futures:
        sweep.outcome(case_id)
    assert snapshot(private_config) == sweep.config  # type: ignore[attr-defined]
