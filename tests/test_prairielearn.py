"""The PrairieLearn export, checked by PrairieLearn's own code (issue 29).

Needs PrairieLearn's question code and a Python with what its elements import:
``PRAIRIELEARN_DIR`` (else tests/fetch_prairielearn.py's cache, filled from
``PRAIRIELEARN_MIRROR``, a git directory of PrairieLearn, when that is present) and
``PRAIRIELEARN_PYTHON`` (else the cache's venv).  Without them the tests are skipped,
saying what to run.  With them: PrairieLearn's JSON schemas on every info file, and every
exported question through its phases (tests/prairielearn_runner.py) for SEEDS variant
seeds: the correct answers score 100 %, wrong ones 0, a number at its tolerance's edge
inside scores and outside does not, as our key's comparison says, and unreadable input is
a format error, never a crash.
"""

from __future__ import annotations

import json
import os
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import cli as main
from generator.key.read import read_key
from generator.kinds import KINDS, bounds
from generator.kinds import scoring as rubric
from generator.lms import export
from generator.lms import prairielearn as pl

from . import fetch_prairielearn

ROOT = Path(__file__).resolve().parent.parent

SEEDS = range(int(os.environ.get("PRAIRIELEARN_SEEDS", "20")))
MIRROR = Path(os.environ.get("PRAIRIELEARN_MIRROR",
                             "/work/.mirror/PrairieLearn+PrairieLearn/repo"))  # fmt: skip
HOW = ("run `python tests/fetch_prairielearn.py --venv` (network), or set PRAIRIELEARN_DIR "
       "and PRAIRIELEARN_PYTHON")  # fmt: skip


def _prairielearn() -> tuple[Path, Path]:
    cache = fetch_prairielearn.CACHE
    python = Path(os.environ.get("PRAIRIELEARN_PYTHON", cache / "venv" / "bin" / "python"))
    if not python.exists():
        pytest.skip(f"no Python for PrairieLearn's elements ({python}): {HOW}")
    if "PRAIRIELEARN_DIR" in os.environ:
        return Path(os.environ["PRAIRIELEARN_DIR"]), python
    target = cache / fetch_prairielearn.COMMIT
    if not target.exists():
        if not (MIRROR / "HEAD").is_file():
            pytest.skip(f"PrairieLearn's code is not here ({target}): {HOW}")
        minor = int(subprocess.run([str(python), "-c", "import sys; print(sys.version_info[1])"],
                                   check=True, capture_output=True, text=True).stdout)  # fmt: skip
        fetch_prairielearn.fetch(str(MIRROR), fetch_prairielearn.COMMIT, cache, minor)
    return target, python


@pytest.fixture(scope="module")
def prairielearn() -> tuple[Path, Path]:
    return _prairielearn()


@pytest.fixture(scope="module", params=["cs230-midterm-winter-2020", "dl-core-quiz"])
def course(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("pl")
    result = CliRunner().invoke(main, [
                  "build", "--seed", "7", "--variants", "4", "--public", "--no-pdf",
                  "--no-solutions", "--blueprint", request.param, "--out", str(out),
                  "--lms", "prairielearn"], catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run, run / "lms" / "prairielearn"


def _schema(pl_dir: Path, name: str) -> dict:
    return json.loads((pl_dir / "apps/prairielearn/src/schemas/schemas" / name).read_text())


def test_every_info_file_passes_prairielearns_schemas(prairielearn, course):
    jsonschema = pytest.importorskip("jsonschema")
    pl_dir, _ = prairielearn
    _, folder = course
    checked = 0
    for path in sorted(folder.rglob("info*.json")):
        name = {"info.json": "infoQuestion.json"}.get(path.name, path.name)
        jsonschema.validate(json.loads(path.read_text()), _schema(pl_dir, name))
        checked += 1
    assert checked >= 4


def test_the_export_is_the_same_bytes_again(course):
    run, folder = course
    before = {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    export(run, ["prairielearn"])
    assert {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()} == before


def _edges(part, name: str, value: float, entry: str | None = None) -> dict[str, list]:
    """A value just inside the part's tolerance and one just outside, with what our key's
    comparison says of each (1 or 0), by answers-name."""
    low, high = bounds(part, value)
    margin = high - Decimal(str(value))
    if margin == 0:
        return {}
    inside, outside = float(high - margin / 100), float(high + margin / 100)
    said = [int(low <= Decimal(repr(v)) <= high) for v in (inside, outside)]
    return {entry or name: [inside, outside, *said]}


def _all_or_nothing(part, name: str, found: dict[str, list]) -> None:
    """An all-or-nothing part's edges: every entry earns the rule's share of the marks."""
    entries = [f"{name}_{n + 1}" for n in range(len(part.answer))]
    for index in (2, 3):
        marks = {item: bool(found[e][index]) if e in found else True
                 for item, e in zip(pl.scoring.items(part), entries, strict=True)}  # fmt: skip
        share = rubric.share(part.scoring, part.points, marks)
        for e in entries:
            if e in found:
                found[e][index] = share


def _mistakes(question) -> list[dict]:
    """A case per named mistake's value of a number part (the others correct), with what
    our grader gives it; none where a person decides (a value two mistakes share)."""
    cases = []
    for part in question.parts:
        if part.kind not in ("integer", "number") or not pl.auto(part):
            continue
        for mistake, found in (part.mistake_values or {}).items():
            value = int(found) if part.kind == "integer" else found
            share = KINDS[part.kind].score(part, repr(value))
            if share is not None:
                name = pl.answer_name(part)
                cases.append({"name": "mistakes", "side": f"{name}: {mistake}",
                              "values": {name: value}, "expect": {name: share}})  # fmt: skip
    return cases


def _one_wrong(question) -> list[dict]:
    """A case per all-or-nothing part with its first entry wrong: every entry earns the
    rubric's share (0, or a step's)."""
    cases = []
    for part in question.parts:
        if not (pl.auto(part) and pl.all_or_nothing(part)):
            continue
        name, value = pl.answer_name(part), part.answer[0]
        wrong = value * 3 + 1000 if isinstance(value, int) else value * 3 + 1000.5
        marks = dict.fromkeys(pl.scoring.items(part), True)
        marks[next(iter(marks))] = False
        share = rubric.share(part.scoring, part.points, marks)
        cases.append(
            {
                "name": "entry",
                "side": name,
                "values": {f"{name}_1": wrong},
                "expect": {f"{name}_{n + 1}": share for n in range(len(part.answer))},
            }
        )
    return cases


def _job(run: Path) -> tuple[dict, dict]:
    """What the runner submits per question and seed, and the tolerance edges' verdicts."""
    key = read_key(run / "key.json")
    job, edges = {}, {}
    for qid, variants in pl.questions(key).items():
        cases = [{"name": "correct"}, {"name": "wrong"}, {"name": "garbage"}]
        if any(pl.symbolic(p) for p in variants[0][1].parts):
            cases.append({"name": "equivalent"})
        job[qid] = {"seeds": list(SEEDS), "by_seed": {}, "cases": cases}
        for seed in SEEDS:
            question = variants[seed % len(variants)][1]  # as server.py picks it
            found: dict[str, list] = {}
            for part in question.parts:
                kind, name = KINDS[part.kind], pl.answer_name(part)
                if not pl.auto(part) or not kind.numeric or kind.exact:
                    continue
                if kind.entries:
                    mine: dict[str, list] = {}
                    for n, value in enumerate(part.answer):
                        mine |= _edges(part, name, value, f"{name}_{n + 1}")
                    if mine and pl.all_or_nothing(part):
                        _all_or_nothing(part, name, mine)
                    found |= mine
                else:
                    found |= _edges(part, name, part.answer)
            extra = _mistakes(question) + _one_wrong(question)
            if found:
                edges[qid, seed] = found
                extra += [
                    {"name": "edges", "side": side, "values": {k: v[i] for k, v in found.items()}}
                    for side, i in (("in", 0), ("out", 1))]  # fmt: skip
            if extra:
                job[qid]["by_seed"][str(seed)] = extra
    return job, edges


def test_every_question_through_prairielearns_own_phases(prairielearn, course, tmp_path):
    pl_dir, python = prairielearn
    run, folder = course
    job, edges = _job(run)
    (tmp_path / "job.json").write_text(json.dumps(job))
    subprocess.run([str(python), str(ROOT / "tests" / "prairielearn_runner.py"), str(pl_dir),
                    str(folder), str(tmp_path / "job.json"), str(tmp_path / "out.json")],
                   check=True, timeout=900)  # fmt: skip
    results = json.loads((tmp_path / "out.json").read_text())
    counts = dict.fromkeys(("correct", "equivalent", "wrong", "garbage", "edges", "mistakes",
                            "entry"), 0)  # fmt: skip
    expected = {(qid, int(seed), c["name"], c["side"]): c["expect"]
                for qid, spec in job.items() for seed, cases in spec["by_seed"].items()
                for c in cases if "expect" in c}  # fmt: skip
    checked = 0
    for entry in results:
        where = (entry["question"], entry["seed"], entry["case"], entry["side"])
        assert "error" not in entry, (where, entry.get("error"))
        case = entry["case"]
        counts[case] += 1
        if case in ("correct", "equivalent"):
            assert entry["gradable"] and entry["score"] == pytest.approx(1.0), (where, entry)
        elif case == "wrong":
            assert entry["gradable"], (where, entry["format_errors"])
            assert entry["score"] == pytest.approx(0.0), (where, entry)
        elif case == "garbage":
            numeric = [n for n, v in entry["correct_answers"].items()
                       if isinstance(v, (int, float)) and not isinstance(v, bool)]  # fmt: skip
            if numeric:
                assert set(numeric) <= set(entry["format_errors"]), (where, entry)
                assert not entry["gradable"]
        elif case in ("mistakes", "entry"):  # what our rubric gives the value(s)
            assert entry["gradable"], (where, entry["format_errors"])
            for name, share in expected[where].items():
                assert entry["partial_scores"][name] == pytest.approx(share), (where, entry)
                checked += 1
        else:  # each edge's partial score as our key's comparison says
            index = 2 if entry["side"] == "in" else 3
            assert entry["gradable"], (where, entry["format_errors"])
            for name, values in edges[entry["question"], entry["seed"]].items():
                assert entry["partial_scores"][name] == pytest.approx(values[index]), (
                    where, name, values)  # fmt: skip
                checked += 1
    print(f"\n{run.name}: {len(job)} questions x {len(SEEDS)} seeds: {counts}, "
          f"{checked} scores checked against the rubric")  # fmt: skip
    assert counts["correct"] == len(job) * len(SEEDS)
