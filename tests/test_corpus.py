"""The grader measured against a corpus of students' responses marked by the rubric.

``tests/corpus/*.csv`` hold realistic responses to every auto-gradable part of the CS230
midterm (40 copies) and of the dl-core quiz (100 copies), each with the points the rubric
gives it (or ``person``: only a person can decide), written by
``tests/corpus/make_corpus.py`` from the copies' own numbers and the rubric rules written
down there, never from the grader.  Here the runs are built again, the corpus is graded
through the public API (``read_responses`` and ``grade``, as ``generate-exam grade`` does),
and the grader must agree with the rubric:

- on at least 98 % of the responses (same points within 1e-6, or both leave it to a person);
- no wrong answer (0 by the rubric) earns marks;
- no response the rubric sends to a person gets a score (a silent 0 above all).

A failure prints the disagreements: part, response, expected, got, and why.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "corpus"
AGREEMENT = 0.98
MIN_RESPONSES = 1500


def _maker():
    name = "tests.corpus_maker"  # the writer of the corpus, a script beside its CSV files
    spec = importlib.util.spec_from_file_location(name, CORPUS / "make_corpus.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


MAKER = _maker()


@dataclass
class Result:
    row: dict[str, str]
    got: float | None  # the grader's points; None: left to a person
    reason: str

    @property
    def expected(self) -> float | None:
        return None if self.row["expected"] == "person" else float(self.row["expected"])

    @property
    def agrees(self) -> bool:
        if self.expected is None or self.got is None:
            return self.expected is None and self.got is None
        return abs(self.got - self.expected) <= 1e-6


def build(name: str, out: Path) -> Path:
    from click.testing import CliRunner

    from generator.cli import cli

    args = MAKER.build_args(name, out)
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (folder,) = (out / name).iterdir()
    return folder


def rows_of(name: str) -> list[dict[str, str]]:
    with (CORPUS / MAKER.FILES[name]).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def results(tmp_path_factory) -> list[Result]:
    return graded_corpus(tmp_path_factory.mktemp("corpus"))


def graded_corpus(out: Path) -> list[Result]:
    """Every corpus response with what the grader gave it (the runs built in ``out``)."""
    from generator.grading.pipeline import grade, read_responses
    from generator.key.read import read_key

    found = []
    for name, filename in MAKER.FILES.items():
        run = build(name, out)
        raw = json.loads((run / "key.json").read_text(encoding="utf-8"))
        copies, parts = {}, {}
        for variant in raw["variants"]:
            copies[f"v{variant['copy']}"] = copies[variant["variant"]] = variant["variant"]
            for question in variant["questions"]:
                for part in question["parts"]:
                    parts[variant["variant"], part["label"]] = part
        rows = rows_of(name)
        stale = [
            r for r in rows if MAKER.key_cell(parts[copies[r["student"]], r["label"]]) != r["key"]
        ]
        assert not stale, (
            f"{filename}: {len(stale)} rows were written against another key (first: "
            f"{stale[0]['student']} {stale[0]['label']}); the runs no longer build as they "
            "did: write the corpus again with tests/corpus/make_corpus.py and review it."
        )
        key = read_key(run / "key.json")
        graded = grade(key, read_responses(CORPUS / filename, key), where=filename)
        scores = {(g.variant, p.label): p for g in graded for p in g.parts}
        for row in rows:
            part = scores[copies[row["student"]], row["label"]]
            found.append(Result(row, part.score, part.reason))
    return found


def table(results: list[Result]) -> str:
    """The results as a readable table, grouped by part and why."""
    lines = [f"{'run':6} {'part':10} {'expected':>8} {'got':>8}  {'why':45} response"]
    for r in sorted(results, key=lambda r: (r.row["run"], r.row["label"], r.row["why"])):
        got = "person" if r.got is None else f"{r.got:g}"
        response = r.row["response"].replace("\n", "\\n")
        response = response if len(response) <= 90 else response[:87] + "..."
        lines.append(
            f"{r.row['run']:6} {r.row['label']:10} {r.row['expected']:>8} {got:>8}  "
            f"{r.row['why'][:45]:45} {response}"
        )
    return "\n".join(lines)


def report(title: str, failing: list[Result]) -> str:
    text = f"{title}\n{table(failing)}"
    print(text)
    return text


def test_the_corpus_covers_every_auto_gradable_part():
    """At least 1500 responses; every auto-gradable part of the CS230 midterm and of every
    dl-core question, each with right answers in several notations and named mistakes (a
    part whose every response goes to a person, 6(d), with several of those)."""
    total = 0
    for name in MAKER.FILES:
        rows = rows_of(name)
        total += len(rows)
        whys: dict[tuple[str, str], dict[str, set[str]]] = {}
        for row in rows:
            slot = (row["question"], row["label"].split("(", 1)[1])  # "a)(i)" of 1(a)(i)
            whys.setdefault(slot, {}).setdefault(row["outcome"], set()).add(row["why"])
        # CS230: 29 auto-gradable parts; dl-core: 15 questions of 4 parts, but pooling and
        # conv2d of 3.
        assert len(whys) == {"cs230": 29, "dlcore": 15 * 4 - 2}[name], sorted(whys)
        for slot, found in whys.items():
            if set(found) <= {"person", "blank"}:
                assert len(found["person"]) >= 3, (name, slot, found)
                continue
            assert len(found.get("right", ())) >= 3, (name, slot, found)
            others = (
                found.get("wrong", set()) | found.get("partial", set()) | found.get("person", set())
            )
            assert len(others) >= 2, (name, slot)
    assert total >= MIN_RESPONSES


def test_the_grader_agrees_with_the_rubric(results):
    disagreements = [r for r in results if not r.agrees]
    share = 1 - len(disagreements) / len(results)
    assert share >= AGREEMENT, report(
        f"The grader agrees with the rubric on {share:.2%} of {len(results)} responses "
        f"(at least {AGREEMENT:.0%} needed); the {len(disagreements)} disagreements:",
        disagreements,
    )


def test_no_wrong_answer_earns_marks(results):
    marked = [r for r in results if r.expected == 0 and r.got]
    assert not marked, report("Wrong answers (0 by the rubric) that earned marks:", marked)


def test_a_person_decides_what_the_rubric_leaves_to_a_person(results):
    """Never a silent zero: what only a person can decide gets no score, and a reason."""
    scored = [
        r for r in results if r.row["expected"] == "person" and (r.got is not None or not r.reason)
    ]
    silent = sum(r.got == 0 for r in scored)
    assert not scored, report(
        f"Responses the rubric leaves to a person that the grader scored ({silent} silent zeros):",
        scored,
    )
