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
import re
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.bank.questions import load_bank
from generator.cli import cli as main
from generator.key.read import read_key
from generator.kinds import KINDS, bounds
from generator.kinds import scoring as rubric
from generator.lms import export
from generator.lms import prairielearn as pl
from generator.lms.prairielearn import elements

from . import fetch_prairielearn
from .test_prairielearn_course import expected

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


def _build(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(main, ["build", "--public", "--no-pdf", "--no-solutions",
                                       "--out", str(out), *args],
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run


@pytest.fixture(scope="module", params=["cs230-midterm-winter-2020", "dl-core-quiz"])
def course(request, tmp_path_factory):
    run = _build(tmp_path_factory.mktemp("pl"), "--seed", "7", "--variants", "8",
                 "--blueprint", request.param, "--lms", "prairielearn")  # fmt: skip
    return run, run / "lms" / "prairielearn"


@pytest.fixture(scope="module")
def installed(prairielearn, course, tmp_path_factory):
    """A copy of the course with its serverFilesCourse/requirements.txt installed, as a
    course author does (tests/fetch_prairielearn.py)."""
    _, python = prairielearn
    _, folder = course
    copy = tmp_path_factory.mktemp("installed") / "course"
    shutil.copytree(folder, copy)
    try:
        fetch_prairielearn.install_server_files(python, copy)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"could not install the course's requirements.txt (network?): {exc.stderr}")
    return copy


@pytest.fixture(scope="module")
def ours(tmp_path_factory) -> dict[int, dict]:
    """Our own variant of every bank question for each of SEEDS, by id: copy v0 of a public
    build of a blueprint that prints them all, which is what ``preview ID --seeds S``
    shows and what PrairieLearn must draw for variant seed S."""
    folder = tmp_path_factory.mktemp("ours")
    bank = load_bank()
    blueprint = folder / "every-question.toml"
    blueprint.write_text(f'name = "every-question"\ntitle = "Every question"\n'
                         f"points = {sum(q.points for q in bank.values()):g}\n"
                         + "".join(f"[[questions]]\nfrom = [{json.dumps(qid)}]\n"
                                   for qid in sorted(bank)))  # fmt: skip
    found = {}
    for seed in SEEDS:
        run = _build(folder / str(seed), "--seed", str(seed), "--blueprint", str(blueprint),
                     "--figures")  # fmt: skip
        found[seed] = {q.id: q for q in read_key(run / "key.json").variants[0].questions}
    return found


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
        items = elements.scoring.items(part)
        marks = {item: bool(found[e][index]) if e in found else True
                 for item, e in zip(items, entries, strict=True)}  # fmt: skip
        share = rubric.share(part.scoring, part.points, marks)
        for e in entries:
            if e in found:
                found[e][index] = share


def _mistakes(question) -> list[dict]:
    """A case per named mistake's value of a number part (the others correct), with what
    our grader gives it; none where a person decides (a value two mistakes share)."""
    cases = []
    for part in question.parts:
        if part.kind not in ("integer", "number") or not elements.auto(part):
            continue
        for mistake, found in (part.mistake_values or {}).items():
            value = int(found) if part.kind == "integer" else found
            share = KINDS[part.kind].score(part, repr(value))
            if share is not None:
                name = elements.answer_name(part)
                cases.append({"name": "mistakes", "side": f"{name}: {mistake}",
                              "values": {name: value}, "expect": {name: share}})  # fmt: skip
    return cases


def _one_wrong(question) -> list[dict]:
    """A case per all-or-nothing part with its first entry wrong: every entry earns the
    rubric's share (0, or a step's)."""
    cases = []
    for part in question.parts:
        if not (elements.auto(part) and elements.all_or_nothing(part)):
            continue
        name, inputs = elements.answer_name(part), elements.inputs(part)
        if part.kind == "expression":  # an equation's right-hand side, off by 1000
            wrong = f"({elements.symbolic(part)[0]['answer']}) + 1000"
        else:
            value = part.answer[0]
            wrong = value * 3 + 1000 if isinstance(value, int) else value * 3 + 1000.5
        marks = dict.fromkeys(elements.scoring.items(part), True)
        marks[next(iter(marks))] = False
        share = rubric.share(part.scoring, part.points, marks)
        cases.append({"name": "entry", "side": name, "values": {inputs[0]: wrong},
                      "expect": dict.fromkeys(inputs, share)})  # fmt: skip
    return cases


def _job(run: Path, ours: dict[int, dict]) -> tuple[dict, dict]:
    """What the runner submits per question and seed, and the tolerance edges' verdicts,
    from our own variant of each question for each seed."""
    key = read_key(run / "key.json")
    job, edges = {}, {}
    for qid, variants in pl.questions(key).items():
        cases = [{"name": "correct"}, {"name": "wrong"}, {"name": "garbage"}]
        if any(elements.symbolic(p) for p in variants[0][1].parts):
            cases.append({"name": "equivalent"})
        job[qid] = {"seeds": list(SEEDS), "by_seed": {}, "cases": cases}
        for seed in SEEDS:
            question = ours[seed][qid]  # what PrairieLearn must draw for this variant seed
            found: dict[str, list] = {}
            for part in question.parts:
                kind, name = KINDS[part.kind], elements.answer_name(part)
                if not elements.auto(part) or not kind.numeric or kind.exact:
                    continue
                if kind.entries:
                    mine: dict[str, list] = {}
                    for n, value in enumerate(part.answer):
                        mine |= _edges(part, name, value, f"{name}_{n + 1}")
                    if mine and elements.all_or_nothing(part):
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


@pytest.fixture(scope="module")
def phases(prairielearn, course, installed, ours, tmp_path_factory):
    """Every question of the course through PrairieLearn's phases for every seed and case
    (tests/prairielearn_runner.py, on PrairieLearn's Python): the job, the edges' verdicts
    and the results."""
    pl_dir, python = prairielearn
    run, _ = course
    job, edges = _job(run, ours)
    folder = tmp_path_factory.mktemp("phases")
    (folder / "job.json").write_text(json.dumps(job))
    subprocess.run([str(python), str(ROOT / "tests" / "prairielearn_runner.py"), str(pl_dir),
                    str(installed), str(folder / "job.json"), str(folder / "out.json")],
                   check=True, timeout=1800)  # fmt: skip
    return job, edges, json.loads((folder / "out.json").read_text())


def test_every_question_through_prairielearns_own_phases(course, phases):
    run, _ = course
    job, edges, results = phases
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


CHOOSE = ("pl-multiple-choice", "pl-checkbox", "pl-matching")
# A figure as PrairieLearn shows it, and as variant_data writes one it was not given
FIGURE = re.compile(r'<pl-figure file-name="[^"]*" type="dynamic"></pl-figure>'
                    r'|<p><img src="" alt="figure"></p>')  # fmt: skip


def test_prairielearns_draw_is_ours_for_the_same_seed(phases, ours):
    """For each question and variant seed S, PrairieLearn (its Python, numpy and sympy,
    the package as the course carries it) draws the variant our build of public seed S
    holds: the same correct answers to the last digit, the same grading rules, the same
    text, and a PNG for each of its figures."""
    _, _, results = phases
    compared = 0
    for entry in results:
        if entry["case"] != "correct":
            continue
        info = ours[entry["seed"]][entry["question"]]
        mine = expected(info, entry["seed"])
        where = (entry["question"], entry["seed"])
        correct = entry["correct_answers"]  # after prepare: the choice elements add theirs
        assert {k: correct.get(k) for k in mine["correct_answers"]} == mine["correct_answers"]
        added = set(correct) - set(mine["correct_answers"])
        chosen = {n for n, e in elements.element_names(info).items() if e in CHOOSE}
        assert added <= chosen, where
        theirs = entry["params"]
        assert theirs.get("grading") == mine["params"].get("grading"), where
        assert sorted(entry["figures"]) == sorted(info.figures), where
        assert all(entry["figures"].values()), where  # each figure a PNG
        for name, text in mine["params"].items():
            if name == "stem" or name.endswith("_text"):
                assert FIGURE.sub("", theirs[name]) == FIGURE.sub("", text), (where, name)
        compared += 1
    assert compared == len({(e["question"], e["seed"]) for e in results})
