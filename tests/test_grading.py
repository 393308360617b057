"""generate-exam grade: synthetic responses made from the key, scores worked out here.

For a class of 40 of the CS230 midterm, every student answers every part in a way whose
score the rules say in advance: the key's answer (full points), a number a little inside
its tolerance (full), one far outside it (0), a vector with its first entry wrong (all but
one entry's share), a wrong option (0), nothing (0), garbage (0), a hand-written equivalent
form of each formula (full), or an attempt to run code (0, and nothing runs).  Formulas
(by equivalence) and code (run in a restricted interpreter) give the key's answer cell
full points and a text that is neither 0.  Text parts are left to people.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator.grading.pipeline import ResponsesError, grade_run

from .conftest import by_rubric, first_entry_wrong

HOSTILE = "__import__('os').system('touch /tmp/graded-hostile')"
MANUAL = {"text"}
STYLES = ("right", "inside", "outside", "first-wrong", "wrong-option", "empty", "hostile",
          "equivalent", "garbage")  # fmt: skip
STUDENTS = 40


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    from click.testing import CliRunner

    from generator.cli import cli

    out = tmp_path_factory.mktemp("grading")
    result = CliRunner().invoke(cli, ["--public", "--seed", "6", "--variants", str(STUDENTS),
                                      "--no-pdf", "--out", str(out)])  # fmt: skip
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


def key(run: Path) -> dict:
    return json.loads((run / "key.json").read_text(encoding="utf-8"))


def margin(part: dict, value: float) -> Decimal:
    tol = part["tolerance"] or {"abs": 0, "rel": 0}
    return Decimal(str(tol["abs"])) + Decimal(str(tol["rel"])) * abs(Decimal(str(value)))


def equivalent(qid: str, part: dict, params: dict) -> str | None:
    """A hand-written rewriting of the part's formula (tests/test_formula_grading.py's
    table), or None where the table has none."""
    from .test_formula_grading import responses

    if (qid, part["part"]) == ("cs230-w2020/cnns", "b"):
        return None  # its rewritings are the original's alternative, p = (f - 1)/2, only
    try:
        return responses(qid, part["part"], params)[0][1]  # by the alternative drawn
    except KeyError:
        return None


def written(part: dict, style: str, qid: str = "", params: dict | None = None
            ) -> tuple[str, float | None]:  # fmt: skip
    """A response of ``style`` to ``part`` and the points it must earn (None: by hand)."""
    kind, answer, points = part["kind"], part["answer"], part["points"]
    if style == "garbage":  # no answer of the kind can be read in it: a person looks
        return "?? zzz ]] ##", None
    if style == "equivalent":
        text = equivalent(qid, part, params or {}) if kind == "expression" else None
        if text is not None:
            return text, points
        style = "right"
    if style == "empty":
        return "", none_circled(part)
    if kind in MANUAL:
        return ("see my sheet", None) if style != "hostile" else (HOSTILE, None)
    if kind == "expression":
        if style in ("right", "inside"):  # the answer CSV's cell: "lhs = rhs; ..."
            return "; ".join(f"{f['lhs']} = {f['text']}" for f in answer), points
        return ("see my sheet", None) if style != "hostile" else (HOSTILE, None)  # no formula
    if kind == "code":
        if style in ("right", "inside"):  # the answer CSV's cell: "line | line | ..."
            return " | ".join(answer.values()), points
        # no code in it: a person looks; code the interpreter refuses is wrong
        return ("see my sheet", None) if style != "hostile" else (HOSTILE, 0.0)
    if style == "hostile":  # no number, option or pair in it: a person looks
        return HOSTILE, None
    if kind in ("number", "integer"):
        if style == "inside":
            return str(Decimal(str(answer)) + margin(part, answer) * Decimal("0.5")), points
        if style == "outside":
            return str(Decimal(str(answer)) + margin(part, answer) * 2 + 1), 0.0
        return str(answer), points
    if kind in ("vector", "shape"):
        entries = [str(v) for v in answer]
        if style in ("first-wrong", "outside"):
            entries[0] = str(Decimal(entries[0]) + margin(part, answer[0]) * 2 + 1)
            return "; ".join(entries), first_entry_wrong(part)
        return "; ".join(entries), points
    if kind == "choice":
        wrong = next(o["label"] for o in part["options"] if not o["correct"])
        return (wrong, 0.0) if style in ("wrong-option", "outside") else (answer, points)
    if kind == "multi":
        return "; ".join(answer), points  # none true: the empty response is right
    if kind == "matching":
        return "; ".join(f"{k}={v}" for k, v in answer.items()), points
    raise AssertionError(f"no response style for kind {kind}")


def none_circled(part: dict) -> float:
    """The points of a response that gives nothing (circles nothing), by the rubric: a
    select-all part's false statements are left out correctly."""
    if part["kind"] != "multi":
        return 0.0
    false = sum(not o["correct"] for o in part["options"])
    if part["scoring"]["rule"] == "statements":
        return part["scoring"]["each"] * false
    return part["points"] if false == len(part["options"]) else 0.0


def responses(run: Path) -> tuple[list[list[str]], dict[tuple[str, str], float | None]]:
    """Long rows (student, label, response) and the points each must earn."""
    rows, expected = [], {}
    for n, variant in enumerate(key(run)["variants"]):
        style = STYLES[n % len(STYLES)]
        for question in variant["questions"]:
            for part in question["parts"]:
                text, points = written(part, style, question["id"], question["params"])
                points = by_rubric(part, text, points)
                rows.append([f"v{variant['copy']}", part["label"], text])
                expected[variant["variant"], part["label"]] = points
    return rows, expected


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def read_grades(run: Path) -> dict[tuple[str, str], str]:
    table = list(csv.DictReader(io.StringIO((run / "grades/grades.csv").read_text("utf-8"))))
    skip = {"variant", "student_id", "student_name", "total", "out_of", "to_grade_by_hand"}
    return {(row["variant"], label): value for row in table for label, value in row.items()
            if label not in skip}  # fmt: skip


def check(run: Path, expected: dict) -> None:
    got = read_grades(run)
    assert set(got) == set(expected)
    for slot, points in expected.items():
        if points is None:
            assert got[slot] == "", slot
        else:
            assert float(got[slot]) == pytest.approx(points, abs=1e-6), (slot, got[slot])


def test_long_responses_get_the_scores_the_rules_give(run, tmp_path):
    rows, expected = responses(run)
    path = write_csv(tmp_path / "long.csv", [["student", "label", "response"], *rows])
    graded = grade_run(run, path)
    assert len(graded) == STUDENTS
    check(run, expected)
    assert not Path("/tmp/graded-hostile").exists(), "a response is never run"
    totals = {g.variant: g.total for g in graded}
    for code, total in totals.items():
        assert total == pytest.approx(sum(p or 0 for (v, _), p in expected.items() if v == code))


def test_wide_responses_give_the_same_grades(run, tmp_path):
    rows, expected = responses(run)
    by_student: dict[str, dict[str, str]] = {}
    for student, label, text in rows:
        by_student.setdefault(student, {})[label] = text
    labels = list(dict.fromkeys(label for _, label, _ in rows))
    table = [["student", *labels]] + [[s, *(r.get(label, "") for label in labels)]
                                      for s, r in by_student.items()]  # fmt: skip
    grade_run(run, write_csv(tmp_path / "wide.csv", table))
    check(run, expected)


@pytest.mark.parametrize(
    ("rows", "phrase"),
    [
        ([["student", "label", "response"], ["v99", "1(a)", "3"]],
         "line 2: no copy of this exam belongs to 'v99'"),
        ([["student", "label", "response"], ["v0", "9(z)", "3"]],
         "line 2: '9(z)' is not a part of v0's copy"),
        ([["student", "label", "response"], ["v0", "1(a)", "3"], ["v0", "1(a)", "4"]],
         "line 3: a second response of v0 to 1(a) (the first is on line 2)"),
        ([["name", "label", "response"], ["v0", "1(a)", "3"]], "no student column"),
        ([["student", "label", "response"], ["v0", "1(a)"]],
         "line 2: 2 cells where the header has 3"),
    ],
)  # fmt: skip
def test_a_wrong_responses_file_is_one_sentence_and_writes_nothing(run, tmp_path, rows, phrase):
    before = sorted(p.name for p in run.iterdir())
    with pytest.raises(ResponsesError) as caught:
        grade_run(run, write_csv(tmp_path / "r.csv", rows))
    assert phrase in str(caught.value) and "\n" not in str(caught.value)
    assert sorted(p.name for p in run.iterdir()) == before


def test_a_named_near_miss_is_scored_and_counted(run, tmp_path):
    """4(b) with keepdims=True left out of both train statistics: 2.5 of 3 points where
    the features come first (the rubric's half point off, once: every copy a seed draws),
    3 where the examples do (right as it is: the replica's layout only); the mistake is
    named where it cost the half point."""
    rows, expected = [["student", "label", "response"]], {}
    for variant in key(run)["variants"]:
        for question in variant["questions"]:
            for part in question["parts"]:
                if question["id"] == "cs230-w2020/batch-normalization" and part["part"] == "b":
                    lines = dict(part["answer"])
                    for blank in ("mu_train", "var_train"):
                        lines[blank] = lines[blank].replace(", keepdims=True", "")
                    rows.append([f"v{variant['copy']}", part["label"], "\n".join(lines.values())])
                    first = question["params"]["layout"] == "examples-first"
                    expected[variant["variant"]] = 3 if first else 2.5
    copy = shutil.copytree(run, tmp_path / "run", ignore=shutil.ignore_patterns("grades"))
    graded = grade_run(copy, write_csv(tmp_path / "near.csv", rows))
    assert set(expected.values()) == {2.5}  # every copy puts the features first
    for student in graded:
        (part,) = [p for p in student.parts if p.response]
        assert part.score == expected[student.variant]
        assert part.mistakes == ([] if part.score == 3 else ["keepdims missing"])
    named = sum(points == 2.5 for points in expected.values())
    assert f"| {named} keepdims missing |" in (copy / "grades" / "report.md").read_text("utf-8")
