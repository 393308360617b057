"""Moodle XML, GIFT and Blackboard: points, slot marks, code lines, figures and pools.

Every expected value comes from key.json (or a hand computation stated beside it); the
GIFT file is read back by gift-pegjs, the Blackboard files as tab-separated lines.
"""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from generator.lms import export, export_run
from tests.test_lms import build, margin, parsed_gift, parts

ROOT = Path(__file__).resolve().parent
VERBATIM = re.compile(r"\\begin\{verbatim\}\n?(.*?)\n?\\end\{verbatim\}", re.S)
BLANK = re.compile(r"\{(\d*):(?:NUMERICAL|MULTICHOICE):")
CLOZE = ("vector", "shape", "multi")  # a blank per entry, or a True/False blank per statement
DATA_URI = re.compile(r'src="data:image/png;base64,([^"]*)"')
FORMATS = ["moodle", "gift", "blackboard"]


@pytest.fixture(scope="module", params=["seed 42", "8-copy class"])
def run(request, tmp_path_factory):
    """The seed-42 exam and an 8-copy class (6(b) has 3 to 5 entries there)."""
    tmp = tmp_path_factory.mktemp("moodle-gift")
    extra = [] if request.param == "seed 42" else ["--public", "--variants", "8"]
    folder = build(tmp / "out", "--figures", *extra)
    export(folder, FORMATS)
    return folder, json.loads((folder / "key.json").read_text())


def first_variant_parts(key):
    return [part for variant, _, part in parts(key) if variant == key["variants"][0]["variant"]]


def code_blocks(latex: str) -> list[str]:
    """The verbatim code of a LaTeX text, as printed."""
    return VERBATIM.findall(latex)


def pre_bodies(text: str) -> list[str]:
    return [html.unescape(body) for body in re.findall(r"<pre>(.*?)</pre>", text, re.S)]


def cloze_questions(folder: Path) -> dict[str, str]:
    """Title -> question text of every cloze question in moodle.xml."""
    root = etree.parse(str(folder / "lms" / "moodle.xml")).getroot()
    return {q.findtext("name/text"): q.findtext("questiontext/text")
            for q in root if q.get("type") == "cloze"}  # fmt: skip


def expected_weights(points: float, entries: int) -> list[int]:
    """Equal whole weights summing to the points, else 1 per entry (README, Moodle XML)."""
    share = Decimal(str(points)) / entries
    return [int(share)] * entries if share >= 1 and share == int(share) else [1] * entries


def blanks(part: dict) -> int:
    return len(part["options"] if part["kind"] == "multi" else part["answer"])


def slot_marks(folder: Path) -> list[dict[str, str]]:
    text = (folder / "lms" / "slot-marks.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_cloze_weights_sum_to_the_points_where_whole_weights_can(run):
    folder, key = run
    questions = cloze_questions(folder)
    cloze = [(v, p) for v, _, p in parts(key) if p["kind"] in CLOZE]
    assert cloze
    for variant, part in cloze:
        weights = [int(w) for w in BLANK.findall(questions[f"{part['label']} {variant}"])]
        assert weights == expected_weights(part["points"], blanks(part))
        if part["label"] == "1(d)":  # 2 points over 2 entries: 1 + 1
            assert weights == [1, 1] and sum(weights) == part["points"] == 2
        if part["label"] == "7(c)":  # 2 points over 3 entries: no equal whole weights
            assert weights == [1, 1, 1]
        if part["label"] == "4(a)":  # 0.5 points for each of 4 statements
            assert weights == [1, 1, 1, 1]


def test_cloze_weights_follow_the_points_of_the_key(run, tmp_path):
    """1(d) at 4 points (2 for each of its groups) has 2 blanks of weight 2; 7(c) at 6
    points 3 blanks of weight 2."""
    folder, _ = run
    copy = tmp_path / "run"
    shutil.copytree(folder, copy)
    key = json.loads((copy / "key.json").read_text())
    for _, question, part in parts(key):
        if part["label"] in ("1(d)", "7(c)"):
            extra = {"1(d)": 2, "7(c)": 4}[part["label"]]
            part["points"] += extra
            question["points"] += extra
            for group in part["scoring"].get("groups", []):
                group["points"] = 2
    key["exam"]["points"] += 6
    (copy / "key.json").write_text(json.dumps(key))
    export_run(copy, ["moodle"])
    questions = cloze_questions(copy)
    for variant, _, part in parts(key):
        if part["label"] in ("1(d)", "7(c)"):
            text = questions[f"{part['label']} {variant}"]
            assert BLANK.findall(text) == ["2"] * len(part["answer"])
    marks = {row["label"]: row for row in slot_marks(copy)}
    assert marks["1(d)"]["moodle_xml_imports_as"] == "4" == marks["1(d)"]["slot_mark_to_set"]
    assert marks["7(c)"]["moodle_xml_imports_as"] == "6" == marks["7(c)"]["slot_mark_to_set"]
    assert marks["7(c)"]["note"] == ""


def test_slot_marks_table_matches_the_key(run):
    folder, key = run
    rows = slot_marks(folder)
    expected = first_variant_parts(key)
    assert [row["label"] for row in rows] == [part["label"] for part in expected]
    for row, part in zip(rows, expected, strict=True):
        points = Decimal(str(part["points"]))
        assert Decimal(row["points"]) == points == Decimal(row["slot_mark_to_set"])
        assert row["bonus"] == str(part["bonus"])
        assert row["gift_imports_as"] == "1"  # GIFT has no points syntax
        if part["kind"] not in CLOZE:
            assert Decimal(row["moodle_xml_imports_as"]) == points and row["note"] == ""
            continue
        sums = sorted({sum(expected_weights(p["points"], blanks(p)))
                       for _, _, p in parts(key) if p["label"] == part["label"]})  # fmt: skip
        span = str(sums[0]) if len(sums) == 1 else f"{sums[0]} to {sums[-1]}"
        assert row["moodle_xml_imports_as"] == span
        assert bool(row["note"]) == (sums != [points])
    by_label = {row["label"]: row for row in rows}
    assert by_label["7(c)"]["moodle_xml_imports_as"] == "3"  # 3 entries of weight 1
    assert by_label["1(d)"]["moodle_xml_imports_as"] == "2"
    assert by_label["4(a)"]["moodle_xml_imports_as"] == "4"  # 4 statements of weight 1


def test_slot_marks_come_with_either_moodle_file_and_are_listed_once(run, tmp_path):
    folder, _ = run
    for formats, listed in ((["gift"], 1), (["moodle", "gift"], 1), (["canvas"], 0)):
        copy = tmp_path / "-".join(formats)
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("lms"))
        written = export_run(copy, formats)
        assert [p.name for p in written].count("slot-marks.csv") == listed
        assert (copy / "lms" / "slot-marks.csv").is_file() == bool(listed)
        if listed:
            assert slot_marks(copy) == slot_marks(folder)


def test_gift_code_keeps_its_lines(run):
    folder, key = run
    questions = {q["title"]: q for q in parsed_gift(folder) if q["type"] != "Category"}
    checked = 0
    for variant, question, part in parts(key):
        code = code_blocks("\n\n".join((question["stem"], part["context"], part["prompt"])))
        if not code:
            continue
        parsed = questions[f"{part['label']} {variant}"]
        assert pre_bodies(parsed["stem"]["text"]) == code
        assert pre_bodies(parsed["globalFeedback"]["text"]) == code_blocks(part["answer_latex"])
        assert all("\n" in block for block in code)
        checked += 1
    assert checked == 2 * len(key["variants"])  # 3(g) and 4(b)
    lines = (folder / "lms" / "questions.gift").read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("::") for line in lines) == len(questions)  # one line each


def test_blackboard_code_keeps_its_lines(run):
    folder, key = run
    for label, name in (("3(g)", "3-g"), ("4(b)", "4-b")):
        rows = (folder / "lms" / "blackboard" / f"{name}.txt").read_text().splitlines()
        items = [(q, p) for _, q, p in parts(key) if p["label"] == label]
        assert len(rows) == len(items)
        for row, (question, part) in zip(rows, items, strict=True):
            kind, text, sample = row.split("\t")
            as_shown = [b.replace("<br>", "\n") for b in re.findall(r"<pre>(.*?)</pre>", text)]
            code = [html.unescape(b).replace("\xa0", " ") for b in as_shown]
            assert kind == "ESS"
            assert code == code_blocks(question["stem"] + part["context"] + part["prompt"])
            answer = html.unescape(re.search(r"<pre>(.*?)</pre>", sample)[1].replace("<br>", "\n"))
            # the completed function, indented like the question's code
            assert [answer.replace("\xa0", " ")] == code_blocks(part["answer_latex"])


def test_gift_figures_are_embedded_as_data_uris(run):
    """A part whose printed text draws the figure (a LaTeX picture) shows the run's PNG."""
    folder, key = run
    questions = {q["title"]: q for q in parsed_gift(folder) if q["type"] != "Category"}
    shown = 0
    for variant, question, part in parts(key):
        text = questions[f"{part['label']} {variant}"]["stem"]["text"]
        embedded = [base64.b64decode(data) for data in DATA_URI.findall(text)]
        drawn = "\\begin{picture}" in question["stem"] + part["context"] + part["prompt"]
        figures = list(question["figures"].values()) if drawn else []
        assert embedded == [(folder / figure).read_bytes() for figure in figures]
        shown += bool(embedded)
    assert shown == len(key["variants"])  # 3(d) shows the loss curves
    assert 'src="figures/' not in (folder / "lms" / "questions.gift").read_text(encoding="utf-8")


def test_gift_has_one_category_per_part_with_one_question_per_variant(run):
    folder, key = run
    groups: dict[str, list[dict]] = {}
    for question in parsed_gift(folder):
        if question["type"] == "Category":
            groups[question["title"]] = current = []
        else:
            current.append(question)
    exam = key["exam"]["name"]
    labels = [part["label"] for part in first_variant_parts(key)]
    assert list(groups) == [f"$course$/top/{exam}/{label}" for label in labels]
    variants = [variant["variant"] for variant in key["variants"]]
    for label, questions in zip(labels, groups.values(), strict=True):
        assert [q["title"] for q in questions] == [f"{label} {v}" for v in variants]


def test_gift_vectors_are_one_essay_per_variant_with_the_entries_for_the_grader(run):
    folder, key = run
    questions = {q["title"]: q for q in parsed_gift(folder) if q["type"] != "Category"}
    for variant, _, part in parts(key):
        if part["kind"] not in ("vector", "shape"):
            continue
        question = questions[f"{part['label']} {variant}"]
        assert question["type"] == "Essay"
        feedback = html.unescape(question["globalFeedback"]["text"])
        names = part["names"] or [f"entry {i + 1}" for i in range(len(part["answer"]))]
        for name, value in zip(names, part["answer"], strict=True):
            value, tol = Decimal(str(value)), margin(part, value)
            if tol:
                low, high = (value - tol).normalize(), (value + tol).normalize()
                assert f"{name}: {value.normalize():f} (accept {low:f} to {high:f})" in feedback
            else:
                assert f"{name}: {value.normalize():f} (exactly)" in feedback
        assert "; ".join(names) in html.unescape(question["stem"]["text"])
