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
import math
import re
import shutil
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from lxml import etree

from generator.lms import export, export_run
from tests.conftest import one_choice_matching
from tests.test_lms import build, margin, parsed_gift, parts

ROOT = Path(__file__).resolve().parent
VERBATIM = re.compile(r"\\begin\{verbatim\}\n?(.*?)\n?\\end\{verbatim\}", re.S)
BLANK = re.compile(r"\{(\d*):(?:NUMERICAL|MULTICHOICE|MULTICHOICE_V):")
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


WRITTEN = ("expression", "text", "code")  # a person reads the answer: an essay seat


def written(part: dict) -> bool:
    return part["kind"] in WRITTEN or part["scoring"].get("person") == "always"


def blank_points(part: dict) -> list[Fraction]:
    """The points the rubric gives each blank of a part, from its scoring as written: a
    number or option the part's points, each entry or statement an equal share, a group
    its points shared among its entries, each matched pair an equal share."""
    points = Fraction(str(part["points"]))
    kind, scoring = part["kind"], part["scoring"]
    if kind in ("integer", "number", "choice") or one_choice_matching(part):
        return [points]
    count = len(part["options"]) if kind == "multi" else len(part["answer"])
    if scoring["rule"] != "groups":
        return [points / count] * count
    names = part.get("names") or []
    shares = dict.fromkeys(names, Fraction(0))
    for group in scoring["groups"]:
        for name in group["of"]:
            shares[name] += Fraction(str(group["points"])) / len(group["of"])
    return [shares[name] for name in names]


def slot_marks(folder: Path, name: str = "slot-marks.csv") -> list[dict[str, str]]:
    text = (folder / "lms" / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_a_question_is_one_cloze_weighted_as_the_rubric_shares_its_points(run):
    """Every variant of every question is one cloze named ``<number> <code>``, its blanks
    the auto-graded parts' in order, weighted in the proportions of the points the rubric
    gives each blank, in the smallest whole numbers."""
    folder, key = run
    questions = cloze_questions(folder)
    for variant in key["variants"]:
        for question in variant["questions"]:
            text = questions[f"{question['number']} {variant['variant']}"]
            weights = [int(w) for w in BLANK.findall(text)]
            points = [p for part in question["parts"] if not written(part)
                      for p in blank_points(part)]  # fmt: skip
            assert len(weights) == len(points)
            assert [Fraction(w, sum(weights)) for w in weights] == [p / sum(points) for p in points]
            assert math.gcd(*weights) == 1
    seed42 = key["variants"][0]["variant"]
    # Q1: (a), (b)(i), (b)(ii), (c)(i) 1 point each, (d) 2 points over 2 entries.
    assert BLANK.findall(questions[f"1 {seed42}"]) == ["1"] * 6
    if len(key["variants"]) == 1:  # 7(c): 2 points over 3 entries; 7(d) 2, 7(e) 1, 7(f) 1
        assert BLANK.findall(questions[f"7 {seed42}"]) == ["2", "2", "2", "6", "3", "3"]


def test_cloze_weights_follow_the_points_of_the_key(run, tmp_path):
    """7(c) at 6 points: its 3 blanks weigh 2 each beside 7(d)'s 2, 7(e)'s and 7(f)'s 1."""
    folder, _ = run
    copy = tmp_path / "run"
    shutil.copytree(folder, copy)
    key = json.loads((copy / "key.json").read_text())
    for _, question, part in parts(key):
        if part["label"] == "7(c)":
            part["points"] += 4
            question["points"] += 4
    key["exam"]["points"] += 4
    (copy / "key.json").write_text(json.dumps(key))
    export_run(copy, ["moodle"])
    questions = cloze_questions(copy)
    for variant in key["variants"]:
        text = questions[f"7 {variant['variant']}"]
        assert BLANK.findall(text)[:4] == ["2"] * 3 + ["2"]
    marks = {row["label"]: row for row in slot_marks(copy)}
    assert marks["7"]["slot_mark_to_set"] == "10" == marks["7"]["points"]


def test_slot_marks_list_the_quiz_seat_by_seat_and_sum_to_the_paper(run):
    """slot-marks.csv: each question worth its auto-graded parts, then an essay seat per
    written part; gift-slot-marks.csv: one slot per part, every GIFT question worth 1."""
    folder, key = run
    rows = slot_marks(folder)
    expected = []
    for question in key["variants"][0]["questions"]:
        auto = [p for p in question["parts"] if not written(p)]
        expected.append(
            (
                str(question["number"]),
                sum(Fraction(str(p["points"])) for p in auto),
                sum(Fraction(str(p["points"])) for p in auto if p["bonus"]),
            )
        )
        expected += [(p["label"], Fraction(str(p["points"])),
                      Fraction(str(p["points"])) if p["bonus"] else 0)
                     for p in question["parts"] if written(p)]  # fmt: skip
    assert [(row["label"], Fraction(row["slot_mark_to_set"]), Fraction(row["bonus"]))
            for row in rows] == expected  # fmt: skip
    paper = key["exam"]["points"] + key["exam"]["bonus_points"]  # the bonus parts included
    assert sum(Fraction(row["slot_mark_to_set"]) for row in rows) == paper
    by_label = {row["label"]: row for row in rows}
    assert by_label["1"]["slot_mark_to_set"] == "6"  # 1(a)-(c)(i) 1 each, 1(d) 2
    assert by_label["7"]["bonus"] == "2"  # 7(e) and 7(f), the paper's two bonus points
    assert by_label["3"]["slot_mark_to_set"] == "1"  # 3(d) alone: the rest is written
    assert by_label["3(g)"]["slot_mark_to_set"] == "3"
    gift = slot_marks(folder, "gift-slot-marks.csv")
    first = first_variant_parts(key)
    assert [row["label"] for row in gift] == [part["label"] for part in first]
    for row, part in zip(gift, first, strict=True):
        assert Fraction(row["slot_mark_to_set"]) == Fraction(str(part["points"]))
        assert row["imports_as"] == "1"  # GIFT has no points syntax


def test_slot_marks_come_with_their_moodle_file_and_are_listed_once(run, tmp_path):
    folder, _ = run
    for formats in (["gift"], ["moodle"], ["moodle", "gift"], ["canvas"]):
        copy = tmp_path / "-".join(formats)
        shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("lms"))
        names = [p.name for p in export_run(copy, formats)]
        for table, owner in (("slot-marks.csv", "moodle"), ("gift-slot-marks.csv", "gift")):
            assert names.count(table) == (owner in formats)
            assert (copy / "lms" / table).is_file() == (owner in formats)
            if owner in formats:
                assert slot_marks(copy, table) == slot_marks(folder, table)


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


def moodle_cloze_answer(raw: str) -> str:
    """A cloze answer as Moodle 5.0.6 stores it (question/type/multianswer/questiontype.php,
    qtype_multianswer_extract_question): its entities decoded once, then ``\\}`` and ``\\#``
    read as ``}`` and ``#``."""
    return html.unescape(raw).replace("\\}", "}").replace("\\#", "#")


@pytest.mark.parametrize(
    "option",
    [
        r"\(\{1, 2\}\) and \(x^{2}\)",  # LaTeX's escaped braces, and plain ones
        r"\(\#\) of samples ~ 3 & <code>a[0]</code>",
        "a &lt; b &amp;&amp; c",
    ],
)
def test_a_cloze_option_reaches_moodle_as_written(option):
    """An option's text ends no cloze answer early (no bare ``}``, ``#`` or ``~``), and
    Moodle's decoding gives it back unchanged."""
    from generator.lms.moodle.xml import _option

    raw = _option(f"<p>{option}</p>")
    assert not re.search(r"(?<!\\)(?<!&)[}#~]", raw)
    assert moodle_cloze_answer(raw) == option
