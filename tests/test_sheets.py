"""Grading sheets: the text parts of a class, filled in by a grader, read back by grade."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.grading.pipeline import grade_run
from generator.grading.records import ResponsesError


@pytest.fixture
def run(tmp_path: Path, run_cli) -> Path:
    result = run_cli("--public", "--seed", "4", "--variants", "5", "--no-pdf", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    (folder,) = tmp_path.iterdir()
    return folder


def text_parts(run: Path) -> list[tuple[str, int, dict]]:
    key = json.loads((run / "key.json").read_text(encoding="utf-8"))
    return [(v["variant"], v["copy"], p) for v in key["variants"] for q in v["questions"]
            for p in q["parts"] if p["kind"] == "text"]  # fmt: skip


def responses(run: Path, tmp_path: Path) -> Path:
    rows = [["student", "label", "response"]]
    rows += [[f"v{copy}", p["label"], f"my answer to {p['label']}"]
             for _, copy, p in text_parts(run)]  # fmt: skip
    path = tmp_path / "responses.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def rows_of(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def totals(run: Path) -> dict[str, float]:
    return {r["variant"]: float(r["total"]) for r in rows_of(run / "grades/grades.csv")}


def test_filled_in_scores_count_when_grade_runs_again(run, tmp_path):
    path = responses(run, tmp_path)
    grade_run(run, path)
    first_label = text_parts(run)[0][2]["label"]
    sheet = next((run / "grades/sheets").glob("*.csv"))
    rows = rows_of(sheet)
    assert rows and all(r["score"] == "" and r["model_answer"] and r["response"] for r in rows)
    assert {r["label"] for r in rows} == {rows[0]["label"]}
    before = totals(run)
    # the grader gives each student half the part's points, the first one full points
    for n, row in enumerate(rows):
        row["score"] = row["points"] if n == 0 else str(float(row["points"]) / 2)
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    grade_run(run, path)
    after = totals(run)
    for n, row in enumerate(rows):
        given = float(row["points"]) * (1 if n == 0 else 0.5)
        assert after[row["variant"]] == pytest.approx(before[row["variant"]] + given)
    kept = rows_of(sheet)
    assert [r["score"] for r in kept] == [r["score"] for r in rows], "the scores are kept"
    assert first_label


@pytest.mark.parametrize(("score", "phrase"), [("7", "is not a number from 0 to"),
                                               ("abc", "'abc' is not a number"),
                                               ("-1", "is not a number from 0")])  # fmt: skip
def test_a_wrong_score_is_one_sentence_naming_the_sheet_and_line(run, tmp_path, score, phrase):
    path = responses(run, tmp_path)
    grade_run(run, path)
    sheet = next((run / "grades/sheets").glob("*.csv"))
    rows = rows_of(sheet)
    rows[0]["score"] = score if score != "7" else str(float(rows[0]["points"]) + 1)
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    with pytest.raises(ResponsesError) as caught:
        grade_run(run, path)
    assert f"{sheet}, line 2: score" in str(caught.value) and phrase in str(caught.value)


def write_rows(sheet: Path, rows: list[dict]) -> None:
    with sheet.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_a_grader_decides_once_per_group_of_equal_responses(run_cli, tmp_path):
    """Three copies answer the same text part alike (spacing and case aside), one
    differently: two groups; one score on the group's first row decides its three rows,
    the decision holds for a fourth student who gives the same answer later, a corrected
    score reaches the whole group, and a changed response leaves its group's decision.
    The four copies are asked the same question (their model answers are the same): a
    part draws its question per copy, and answers to other questions never group."""
    result = run_cli("--public", "--seed", "4", "--variants", "24", "--no-pdf", "--out",
                     tmp_path / "class")  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = (tmp_path / "class").iterdir()
    asked = Counter((p["label"], p["answer"]) for _, _, p in text_parts(run))
    (label, answer), count = asked.most_common(1)[0]
    assert count >= 4
    copies = sorted(copy for _, copy, p in text_parts(run)
                    if (p["label"], p["answer"]) == (label, answer))[:4]  # fmt: skip
    texts = ["-Fewer parameters.", "-fewer   PARAMETERS.", "-Fewer parameters.", "It is deeper."]

    def write(students: list[int], changed: dict[int, str] | None = None) -> Path:
        path = tmp_path / "responses.csv"
        with path.open("w", encoding="utf-8", newline="") as f:
            rows = [[f"v{copies[n]}", label, (changed or {}).get(n, texts[n % 4])]
                    for n in students]  # fmt: skip
            csv.writer(f).writerows([["student", "label", "response"], *rows])
        return path

    def decided() -> dict[str, str]:  # each copy's score: its own, or its group's
        return {r["variant"]: r["score"] or r["group_score"] for r in rows_of(sheet)}

    grade_run(run, write([0, 1, 3]), force=True)
    sheet = run / "grades/sheets" / next(p.name for p in (run / "grades/sheets").iterdir())
    rows = rows_of(sheet)
    assert [(r["group"], r["in_group"]) for r in rows] == [("g1", "2"), ("g1", "2"), ("g2", "1")]
    points = rows[0]["points"]
    rows[0]["score"] = points  # one decision for the group (its response starts with -)
    write_rows(sheet, rows)
    grade_run(run, write([0, 1, 2, 3]), force=True)  # a student added: the same answer
    group = [r["variant"] for r in rows_of(sheet) if r["group"] == "g1"]
    assert len(group) == 3 and all(decided()[v] == points for v in group)
    assert [decided()[r["variant"]] for r in rows_of(sheet) if r["group"] == "g2"] == [""]
    pending = {r["variant"]: r["to_grade_by_hand"] for r in rows_of(run / "grades/grades.csv")}
    assert sorted(pending.values()) == ["0", "0", "0", "1"]
    corrected = rows_of(sheet)
    next(r for r in corrected if r["score"])["score"] = "0"  # the grader changes their mind
    write_rows(sheet, corrected)
    grade_run(run, write([0, 1, 2, 3]), force=True)
    assert all(decided()[v] == "0" for v in group)
    grade_run(run, write([0, 1, 2, 3], {1: "No idea."}), force=True)  # a response changed
    changed = next(r for r in rows_of(sheet) if r["response"] == "No idea.")
    assert changed["score"] == changed["group_score"] == ""


@pytest.mark.parametrize("where", ["sheet", "sheets folder", "grades folder"])
def test_a_link_in_the_grades_folder_is_not_read(run, tmp_path, where):
    """Issue 28: a link planted in grades/sheets/ (or as the folder) made grade read a file
    outside the run and print its content in the Error line."""
    path = responses(run, tmp_path)
    grade_run(run, path)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = outside / "zz.csv"
    secret.write_text("variant,label,score\nTOP SECRET,LINE,1\n", encoding="utf-8")
    sheets_dir = run / "grades/sheets"
    if where == "sheet":
        link = sheets_dir / "zz.csv"
        link.symlink_to(secret)
    elif where == "sheets folder":
        link = sheets_dir
        link.rename(outside / "sheets")
        (outside / "sheets" / "zz.csv").write_text(secret.read_text(), encoding="utf-8")
        link.symlink_to(outside / "sheets")
    else:
        link = run / "grades"
        link.rename(outside / "grades")
        (outside / "grades/sheets/zz.csv").write_text(secret.read_text(), encoding="utf-8")
        link.symlink_to(outside / "grades")
    # a linked grades folder is refused before anything is read or written (OutputError)
    with pytest.raises((ResponsesError, OutputError)) as caught:
        grade_run(run, path)
    said = str(caught.value)
    assert "TOP SECRET" not in said and str(link) in said, said
    assert any(
        phrase in said
        for phrase in (
            "a symbolic link",
            "a link, not a folder of this run",
            "a link or a file, not a folder of this run",
        )
    ), said
