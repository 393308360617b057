"""Shared fixtures: the shipped bank, blueprints and a CLI runner."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import msgspec
import pytest
from click.testing import CliRunner

from generator.bank.blueprints import Blueprint, load_blueprint
from generator.bank.questions import Bank, load_bank
from generator.cli import cli as main
from generator.key.records import PartInfo
from generator.kinds import KINDS
from generator.variants.assemble import QuestionVariant, first_copy, realise

Q1 = "cs230-w2020/neural-network"
Q2 = "cs230-w2020/loss-functions"
Q3 = "cs230-w2020/optimization"
Q4 = "cs230-w2020/batch-normalization"
Q5 = "cs230-w2020/dl-strategy"
Q6 = "cs230-w2020/adversarial-gans"
Q7 = "cs230-w2020/cnns"
SEED_EXAM = (Q1, Q2, Q3, Q4, Q5, Q6, Q7)
# Every part and sub-part of the seed exam, with its points (Q7 (e) and (f) are extra credit).
SEED_PARTS = {
    Q1: {"a": 1, "b.i": 1, "b.ii": 1, "c.i": 1, "c.ii": 1, "d": 2, "e": 1, "f.i": 1, "f.ii": 2,
         "g": 1},
    Q2: {"a": 1, "b": 1, "c": 1, "d": 3, "e.i": 1, "e.ii": 1, "e.iii": 1, "f": 1, "g.i": 1,
         "g.ii": 1},
    Q3: {"a": 1, "b": 1, "c": 1, "d": 1, "e.i": 1, "e.ii": 1, "f.i": 1, "f.ii": 1, "g": 3},
    Q4: {"a": 2, "b": 3, "c": 1, "d": 1, "e": 2},
    Q5: {"a": 2, "b": 1, "c": 1},
    Q6: {"a": 2, "b": 1, "c": 1, "d": 1, "e": 1},
    Q7: {"a": 1, "b": 1, "c": 2, "d": 2, "e": 1, "f": 1},
}  # fmt: skip
SEED_POINTS = {Q1: 12, Q2: 12, Q3: 11, Q4: 9, Q5: 4, Q6: 6, Q7: 6}
SEEDS = range(300)


@pytest.fixture(scope="session", autouse=True)
def private_config(tmp_path_factory) -> Path:
    """The tests keep their exam secret in a folder of their own, never the user's
    ~/.config (subprocesses inherit the variable); a fixed one, so that every run of the
    tests draws the same exams."""
    folder = tmp_path_factory.mktemp("config")
    secret = folder / "exam-variant-generator" / "exam-secret.key"
    secret.parent.mkdir()
    secret.write_text("# the tests' own secret: the same exams on every run\n" + "5e" * 32 + "\n")
    secret.chmod(0o600)
    previous = os.environ.get("XDG_CONFIG_HOME")
    os.environ["XDG_CONFIG_HOME"] = str(folder)
    yield folder
    if previous is None:
        os.environ.pop("XDG_CONFIG_HOME", None)
    else:
        os.environ["XDG_CONFIG_HOME"] = previous


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture(scope="session")
def blueprint(bank: Bank) -> Blueprint:
    return load_blueprint(None, bank)


@pytest.fixture
def run_cli():
    """Invoke generate-exam in-process; returns click's Result (exit_code, stdout, stderr)."""

    def run(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return run


def variant(bank: Bank, qid: str, seed: int, *, number: int = 1) -> QuestionVariant:
    """Question ``qid`` as ``generate-exam --public --seed SEED`` prints it."""
    return realise(bank[qid], number, *first_copy(seed))


def values(qv: QuestionVariant) -> dict:
    """Answer values by part key."""
    return {key: answer.value for key, answer in qv.answers.items()}


# The fields of a part that no test of a kind's grading looks at, neutral: part 1(a), worth
# a point, nothing printed around it, no tolerance, alternatives or rubric; each of its
# items an equal share, so that a test of how a kind reads responses sees each item's mark.
NEUTRAL_PART: dict[str, Any] = {
    "label": "1(a)", "part": "a", "points": 1, "bonus": False, "hint": "",
    "answer_in_stem": False, "names": [], "context": "", "prompt": "", "answer_latex": "",
    "tolerance": None, "alternatives": [], "rubric": [], "checks": [],
    "scoring": {"rule": "entries"},
}  # fmt: skip


def part_info(kind: str, answer: Any, **fields: Any) -> PartInfo:
    """A part as a key read back holds it, from the fields a test gives (options,
    tolerance, code, ...; the others :data:`NEUTRAL_PART`'s): its answer stored as its kind
    stores it (an expression's formulas as FormulaInfo records, a number as a float)."""
    part = msgspec.convert({**NEUTRAL_PART, **fields, "kind": kind, "answer": answer}, PartInfo)
    part.answer = KINDS[kind].stored(answer)
    return part


def replica(bank: Bank, qid: str) -> QuestionVariant:
    return realise(bank[qid], 1, *first_copy(0), replica=True)


def needs_tex() -> None:
    """TeX Live is part of the test set-up (make test installs it); fail loudly without it."""
    for tool in ("pdflatex", "pdftotext"):
        if shutil.which(tool) is None:
            pytest.fail(f"{tool} is not installed; run `make test`, which installs TeX Live.")


def write_blueprint(path: Path, ids: list[str], name: str = "custom", **fields: str) -> Path:
    lines = [f'name = "{name}"', 'title = "Custom"']
    lines += [f"{key} = {json.dumps(value)}" for key, value in fields.items()]
    for qid in ids:
        lines += ["[[questions]]", f'id = "{qid}"']
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def typesetting(build: subprocess.Popen, copies: int) -> list[str]:
    """Read a class build's output until it reports its first finished chunk (the event a
    test waits for before interrupting it); the lines read so far."""
    lines = []
    for line in build.stdout:
        lines.append(line)
        if line.strip().endswith(f"of {copies} done"):
            return lines
    pytest.fail("the build ended without reporting progress: " + "".join(lines))


def all_gone(group: int, seconds: float) -> bool:
    """Whether every process of a process group has ended within ``seconds`` (polled: the
    kernel tells no one when the last one goes)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


def modules_after(*args: str) -> set[str]:
    """Every module a fresh ``generate-exam ARGS`` has imported when it ends."""
    script = (
        "import sys\n"
        "from generator.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('\\n' + ' '.join(sorted(sys.modules)))\n"
    )
    result = subprocess.run([sys.executable, "-c", script, *args], capture_output=True,
                            text=True, check=True)  # fmt: skip
    return set(result.stdout.splitlines()[-1].split())


# The parts of a module that draws key parts: its ``drawn`` fixture maps (question id, part,
# seed) to the part's record and its question's parameters.
@pytest.fixture(scope="module")
def parts(drawn) -> dict[tuple[str, str, int], PartInfo]:
    return {where: record for where, (record, _) in drawn.items()}


@pytest.fixture(scope="module")
def params(drawn) -> dict[tuple[str, str, int], dict]:
    return {where: drawn_params for where, (_, drawn_params) in drawn.items()}


def first_entry_wrong(part: dict) -> float:
    """The points the part's rubric, as key.json declares it (``scoring``), gives a vector
    whose first entry is wrong and the others right: worked out here from the rule."""
    scoring, points, count = part["scoring"], part["points"], len(part["answer"])
    names = part["names"] if len(part["names"]) == count else [str(i + 1) for i in range(count)]
    if scoring["rule"] == "entries":
        return points * (count - 1) / count
    if scoring["rule"] == "groups":
        return sum(g["points"] for g in scoring["groups"] if names[0] not in g["of"])
    return max((s["points"] for s in scoring.get("steps", [])), default=0.0)  # all or nothing


def by_rubric(part: dict, text: str, points: float | None) -> float | None:
    """The points a response earns once its part's rubric (key.json's ``scoring``) says
    where a person decides: every given response (6(d): the reason is graded), or every
    one not the key's (2(g)(ii): any MSE term plus a cross-entropy term)."""
    person = part["scoring"].get("person")
    if not text.strip() or points is None:
        return points
    if person == "always" or (person == "wrong" and points != part["points"]):
        return None
    return points


def one_choice_matching(part) -> bool:
    """Whether moodle.xml asks a matching part as one choice among every way to answer it
    (docs/lms-scoring.md): its rubric all or nothing, no near-miss steps, and at most 6
    ways (items matched to distinct options).  ``part``: key.json's dict or a PartInfo."""
    get = (lambda obj, name: obj.get(name)) if isinstance(part, dict) else getattr
    scoring = get(part, "scoring")
    if get(part, "kind") != "matching" or get(scoring, "rule") != "all" or get(scoring, "steps"):
        return False
    options = get(part, "options") or []
    count = len(options) if options else len(set(get(part, "answer").values()))
    return math.perm(count, len(get(part, "answer"))) <= 6
