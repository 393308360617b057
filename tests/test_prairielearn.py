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


def _job(run: Path) -> tuple[dict, dict]:
    """What the runner submits per question and seed, and the tolerance edges' verdicts."""
    key = read_key(run / "key.json")
    job, edges = {}, {}
    for qid, variants in pl.questions(key).items():
        cases = [{"name": "correct"}, {"name": "wrong"}, {"name": "garbage"}]
        job[qid] = {"seeds": list(SEEDS), "by_seed": {}, "cases": cases}
        for seed in SEEDS:
            question = variants[seed % len(variants)][1]  # as server.py picks it
            found: dict[str, list] = {}
            for part in question.parts:
                kind, name = KINDS[part.kind], pl.answer_name(part)
                if not pl.auto(part) or not kind.numeric or kind.exact:
                    continue
                if kind.entries:
                    for n, value in enumerate(part.answer):
                        found |= _edges(part, name, value, f"{name}_{n + 1}")
                else:
                    found |= _edges(part, name, part.answer)
            if found:
                edges[qid, seed] = found
                job[qid]["by_seed"][str(seed)] = [
                    {"name": "edges", "side": side, "values": {k: v[i] for k, v in found.items()}}
                    for side, i in (("in", 0), ("out", 1))]  # fmt: skip
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
    counts = dict.fromkeys(("correct", "wrong", "garbage", "edges"), 0)
    checked = 0
    for entry in results:
        where = (entry["question"], entry["seed"], entry["case"], entry["side"])
        assert "error" not in entry, (where, entry.get("error"))
        case = entry["case"]
        counts[case] += 1
        if case == "correct":
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
        else:  # each edge's partial score as our key's comparison says
            index = 2 if entry["side"] == "in" else 3
            assert entry["gradable"], (where, entry["format_errors"])
            for name, values in edges[entry["question"], entry["seed"]].items():
                assert entry["partial_scores"][name] == values[index], (where, name, values)
                checked += 1
    print(f"\n{run.name}: {len(job)} questions x {len(SEEDS)} seeds: {counts}, "
          f"{checked} tolerance edges")  # fmt: skip
    assert counts["correct"] == len(job) * len(SEEDS)
