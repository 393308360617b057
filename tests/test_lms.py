"""LMS exports: each file is parsed back (by us or a third party) and compared with key.json."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import subprocess
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from generator.lms import export
from generator.lms.html import leftover_commands, to_html

from .conftest import one_choice_matching

ROOT = Path(__file__).resolve().parent
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"


def build(tmp: Path, *args: str) -> Path:
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(cli, ["--seed", "42", "--no-pdf", "--out", str(tmp), *args])
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in tmp.iterdir() if p.is_dir()]
    return folder


@pytest.fixture(scope="module", params=["seed 42", "30-student roster"])
def run(request, tmp_path_factory):
    """The seed-42 exam and a 30-student class, with their figures, exported to every format."""
    tmp = tmp_path_factory.mktemp("lms")
    if request.param == "seed 42":
        folder = build(tmp / "out", "--figures")
    else:
        roster = tmp / "roster.csv"
        rows = ["Student ID,Name"] + [f"s{i:03d},Student {i} O'Brien & Co" for i in range(30)]
        roster.write_text("\n".join(rows) + "\n", encoding="utf-8")
        folder = build(tmp / "out", "--roster", str(roster), "--figures")
    export(folder, ["canvas", "moodle", "qti21", "gift", "blackboard", "csv"])
    return folder, json.loads((folder / "key.json").read_text())


def parts(key):
    for variant in key["variants"]:
        for question in variant["questions"]:
            for part in question["parts"]:
                yield variant["variant"], question, part


def by_person(part) -> bool:
    """Whether the part's rubric has a person read every response (an essay in every LMS)."""
    return part["scoring"].get("person") == "always"


def margin(part, value):
    tol = part["tolerance"]
    return max(Decimal(str(tol["abs"])), Decimal(str(tol["rel"])) * abs(Decimal(str(value))))


def test_question_text_has_no_latex_left_outside_math(run):
    _, key = run
    for _, question, part in parts(key):
        for text in (question["stem"], part["context"], part["prompt"], part["answer_latex"],
                     *part["rubric"], *(o["text"] for o in part.get("options", []))):  # fmt: skip
            assert leftover_commands(to_html(text, list(question["figures"].values()))) == []


WRITTEN = ("expression", "text", "code")  # a person reads the answer: an essay seat
NUMERICAL = re.compile(r"\{\d+:NUMERICAL:=([^:~}]+):([^~}]+)")
CHOICES = re.compile(r"\{\d+:MULTICHOICE(?:_V)?:(.*?)\}(?=\s*<|$)", re.S)


def test_moodle_xml_draws_each_question_whole_and_matches_the_key(run):
    """A category per question holding a cloze per variant (its auto-graded parts' blanks
    in order, with the key's answers), then a category per written part holding one essay
    whose text is the same for every variant."""
    folder, key = run
    root = etree.parse(str(folder / "lms" / "moodle.xml")).getroot()
    questions = [q for q in root if q.get("type") != "category"]
    categories = [q.findtext("category/text") for q in root if q.get("type") == "category"]
    first = key["variants"][0]["questions"]
    written = [p for q in first for p in q["parts"] if p["kind"] in WRITTEN or by_person(p)]
    assert len(categories) == len(set(categories)) == len(first) + len(written)
    assert len(questions) == len(key["variants"]) * len(first) + len(written)
    assert all(q.findtext("name/text") for q in questions)  # import fails without a name
    assert len({q.findtext("idnumber") for q in questions}) == len(questions)
    by_title = {q.findtext("name/text"): q for q in questions}
    for part in written:  # one essay, whichever variant the cloze beside it drew
        essay = by_title[part["label"]]
        assert essay.get("type") == "essay" and essay.findtext("graderinfo/text")
        assert Decimal(essay.findtext("defaultgrade")) == Decimal(str(part["points"]))
    for variant in key["variants"]:
        for question in variant["questions"]:
            cloze = by_title[f"{question['number']} {variant['variant']}"]
            assert cloze.get("type") == "cloze"
            text = cloze.findtext("questiontext/text")
            assert text.rstrip().endswith(f"{question['number']} {variant['variant']}</small></p>")
            numbers = [(Decimal(v), Decimal(t)) for v, t in NUMERICAL.findall(text)]
            choices = CHOICES.findall(text)
            expected_numbers, expected_choices = [], []
            for part in question["parts"]:
                kind = part["kind"]
                if kind in WRITTEN or by_person(part):
                    assert f"Write your answer to {part['label'][1:]}" in text
                elif kind in ("integer", "number", "vector", "shape"):
                    values = (
                        part["answer"] if isinstance(part["answer"], list) else [part["answer"]]
                    )
                    expected_numbers += [(Decimal(str(v)), margin(part, v)) for v in values]
                elif kind == "choice":
                    right = [n for n, o in enumerate(part["options"]) if o["correct"]]
                    expected_choices.append(("choice", right[0], len(part["options"])))
                elif kind == "multi":
                    expected_choices += [("statement", o["correct"]) for o in part["options"]]
                elif one_choice_matching(part):  # one choice of the ways to match
                    way = "; ".join(f"{k} \u2192 {v}" for k, v in part["answer"].items())
                    expected_choices.append(("way", way))
                elif kind == "matching":
                    expected_choices += [("pair", right) for right in part["answer"].values()]
            assert numbers == expected_numbers
            assert len(choices) == len(expected_choices)
            for found, expected in zip(choices, expected_choices, strict=True):
                answers = found.split("~")
                marked = [n for n, a in enumerate(answers) if a.startswith("=")]
                assert len(marked) == 1
                if expected[0] == "choice":
                    assert marked[0] == expected[1] and len(answers) == expected[2]
                elif expected[0] == "statement":
                    assert answers == (["=True", "False"] if expected[1] else ["True", "=False"])
                elif expected[0] == "way":
                    assert len(answers) == 6  # 3 curves, 3 optimizers: 3! ways
                    assert html.unescape(answers[marked[0]][1:]) == expected[1]
                else:
                    assert html.unescape(answers[marked[0]][1:]) == expected[1]
    assert b"@@PLUGINFILE@@/" in (folder / "lms" / "moodle.xml").read_bytes()


def parsed_gift(folder: Path) -> list[dict]:
    """A run's questions.gift as the npm package gift-pegjs parses it (a third party)."""
    node = shutil.which("node")
    parser = ROOT / "js" / "node_modules" / "gift-pegjs"
    if node is None or not parser.exists():
        pytest.fail("node and gift-pegjs are needed: `make test` installs them (npm ci).")
    out = subprocess.run([node, str(ROOT / "js" / "parse-gift.mjs"),
                          str(folder / "lms" / "questions.gift")],
                         capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(out.stdout)


def test_gift_parses_with_gift_pegjs_and_matches_the_key(run):
    folder, key = run
    everything = parsed_gift(folder)
    parsed = [q for q in everything if q["type"] != "Category"]
    by_title = {q["title"]: q for q in parsed}
    labels = {p["label"] for _, _, p in parts(key)}
    assert sum(q["type"] == "Category" for q in everything) == len(labels)  # one pool per part
    assert len(parsed) == len(by_title) == sum(1 for _ in parts(key))  # one question per variant
    for variant, _, part in parts(key):
        title = f"{part['label']} {variant}"
        if part["kind"] in ("integer", "number"):
            choices = by_title[title]["choices"]  # with named mistakes' credit: a list
            choice = (
                choices
                if isinstance(choices, dict)
                else next(c["text"] for c in choices if c["weight"] is None)
            )
            assert choice["type"] == "range"
            assert Decimal(str(choice["number"])) == Decimal(str(part["answer"]))
            assert Decimal(str(choice["range"])) == margin(part, part["answer"])
        elif by_person(part):
            assert by_title[title]["type"] == "Essay"
        elif part["kind"] in ("choice", "multi"):
            question = by_title[title]
            assert [c["isCorrect"] or (c["weight"] or 0) > 0 for c in question["choices"]] == [
                o["correct"] for o in part["options"]
            ]
        elif part["kind"] in ("text", "expression", "code", "vector", "shape"):
            assert by_title[title]["type"] == "Essay"  # GIFT has no multi-blank numeric question


def test_canvas_zip_has_one_group_per_part_and_the_key_answers(run):
    folder, key = run
    archive = zipfile.ZipFile(folder / "lms" / "canvas-qti12.zip")
    names = archive.namelist()
    assert "imsmanifest.xml" in names
    assert all(info.date_time == (1980, 1, 1, 0, 0, 0) for info in archive.infolist())
    (quiz_file,) = [n for n in names if n.endswith(".xml") and "/" in n and "meta" not in n]
    quiz = etree.fromstring(archive.read(quiz_file))
    groups = quiz.findall(f".//{QTI}section[@ident='root_section']/{QTI}section")
    for group in groups:
        assert group.findtext(f".//{QTI}selection_number") == "1"
        items = group.findall(f"{QTI}item")
        assert len(items) == len(key["variants"])
    items = {i.get("title"): i for i in quiz.iter(f"{QTI}item")}
    for variant, _, part in parts(key):
        title = f"{part['label']} {variant}"
        item = items[title]
        assert Decimal(_meta(item, "points_possible")) == Decimal(str(part["points"]))
        group = item.getparent()
        assert Decimal(group.findtext(f".//{QTI}points_per_item")) == Decimal(str(part["points"]))
        if part["kind"] in ("integer", "number"):
            kind = _meta(item, "question_type")
            assert kind == "numerical_question"
            assert Decimal(_meta(item, "points_possible")) == Decimal(str(part["points"]))
            value = Decimal(str(part["answer"]))
            assert Decimal(item.findtext(f".//{QTI}varequal")) == value
            assert Decimal(item.findtext(f".//{QTI}vargte")) == value - margin(part, value)
            assert Decimal(item.findtext(f".//{QTI}varlte")) == value + margin(part, value)
        elif by_person(part):
            assert _meta(item, "question_type") == "essay_question"
        elif part["kind"] == "choice":
            assert _meta(item, "question_type") == "multiple_choice_question"
            labels = item.findall(f".//{QTI}response_label")
            correct = {v.text for v in item.iter(f"{QTI}varequal")}
            assert [label.get("ident") in correct for label in labels] == [
                o["correct"] for o in part["options"]
            ]
        elif part["kind"] == "multi":  # a True/False dropdown [s1] per statement
            assert _meta(item, "question_type") == "multiple_dropdowns_question"
            text = item.findtext(f"{QTI}presentation/{QTI}material/{QTI}mattext")
            dropdowns = item.findall(f".//{QTI}response_lid")
            assert len(dropdowns) == len(part["options"])
            correct = {v.text for v in item.iter(f"{QTI}varequal")}
            for n, (dropdown, option) in enumerate(zip(dropdowns, part["options"], strict=True)):
                assert f"[s{n + 1}]" in text and dropdown.get("ident") == f"response_s{n + 1}"
                right = [lab for lab in dropdown.iter(f"{QTI}response_label")
                         if lab.get("ident") in correct]  # fmt: skip
                assert [lab.findtext(f".//{QTI}mattext") for lab in right] == [
                    "True" if option["correct"] else "False"
                ]
        elif part["kind"] in ("vector", "shape"):
            item = items[title]
            assert _meta(item, "question_type") == "fill_in_multiple_blanks_question"
            blanks = item.findall(f".//{QTI}response_lid")
            assert len(blanks) == len(part["answer"])
            for blank, value in zip(blanks, part["answer"], strict=True):
                accepted = {m.text for m in blank.iter(f"{QTI}mattext")}
                assert f"{Decimal(str(value)).normalize():f}" in accepted
        elif part["kind"] in ("text", "expression", "code"):
            assert _meta(items[title], "question_type") == "essay_question"
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    hrefs = {f.get("href") for f in manifest.iter("{*}file")}
    assert {n for n in names if n.startswith("figures/")} <= hrefs


def _meta(item, label):
    for field in item.iter(f"{QTI}qtimetadatafield"):
        if field.findtext(f"{QTI}fieldlabel") == label:
            return field.findtext(f"{QTI}fieldentry")
    return None


QTI2 = "{http://www.imsglobal.org/xsd/imsqti_v2p1}"


def test_qti21_package_selects_one_item_per_part_and_matches_the_key(run):
    folder, key = run
    archive = zipfile.ZipFile(folder / "lms" / "qti21.zip")
    test = etree.fromstring(archive.read("test.xml"))
    sections = test.findall(f".//{QTI2}assessmentSection")
    assert len(sections) == len({p["label"] for _, _, p in parts(key)})
    for section in sections:
        assert section.find(f"{QTI2}selection").get("select") == "1"
        assert len(section.findall(f"{QTI2}assessmentItemRef")) == len(key["variants"])
    manifest = etree.fromstring(archive.read("imsmanifest.xml"))
    types = {r.get("href"): r.get("type") for r in manifest.iter("{*}resource")}
    assert types["test.xml"] == "imsqti_test_xmlv2p1"
    items = {}
    for name in archive.namelist():
        if name.startswith("items/"):
            assert types[name] == "imsqti_item_xmlv2p1"
            item = etree.fromstring(archive.read(name))
            items[item.get("title")] = item
    for variant, _, part in parts(key):
        item = items[f"{part['label']} {variant}"]
        maximum = item.find(f"{QTI2}outcomeDeclaration[@identifier='MAXSCORE']")
        assert Decimal(maximum.findtext(f".//{QTI2}value")) == Decimal(str(part["points"]))
        if part["kind"] in ("integer", "number"):
            assert Decimal(item.findtext(f".//{QTI2}correctResponse/{QTI2}value")) == Decimal(
                str(part["answer"])
            )
            equal = item.find(f".//{QTI2}equal")
            assert equal.get("toleranceMode") == "absolute"
            assert Decimal(equal.get("tolerance").split()[0]) == margin(part, part["answer"])
        elif by_person(part):
            assert item.find(f".//{QTI2}extendedTextInteraction") is not None
        elif part["kind"] in ("choice", "multi"):
            choices = item.findall(f".//{QTI2}simpleChoice")
            correct = {v.text for v in item.iterfind(f".//{QTI2}correctResponse/{QTI2}value")}
            assert [c.get("identifier") in correct for c in choices] == [
                o["correct"] for o in part["options"]
            ]
        elif part["kind"] in ("text", "expression", "code"):
            assert item.find(f".//{QTI2}extendedTextInteraction") is not None
            assert item.find(f".//{QTI2}rubricBlock").get("view") == "scorer"


def test_blackboard_files_are_tab_separated_and_match_the_key(run):
    folder, key = run
    lines = {}
    for path in (folder / "lms" / "blackboard").iterdir():
        rows = path.read_text(encoding="utf-8").splitlines()
        assert all(row and "\n" not in row for row in rows)
        lines[path.stem] = rows
    for variant_index, (_, _, part) in enumerate(
        p for p in parts(key) if p[0] == key["variants"][0]["variant"]
    ):
        name = "-".join(x for x in part["label"].replace("(", "-").replace(")", "").split("-"))
        row = lines[name][0].split("\t")
        if part["kind"] in ("integer", "number"):
            assert row[0] == "NUM" and Decimal(row[2]) == Decimal(str(part["answer"]))
        elif by_person(part):
            assert row[0] == "ESS"
        elif part["kind"] == "choice":
            assert row[0] == "MC"
        elif part["kind"] in ("text", "expression", "code"):
            assert row[0] == "ESS"
        assert variant_index >= 0


def test_answer_key_csv_matches_the_key(run):
    folder, key = run
    rows = list(csv.DictReader(io.StringIO((folder / "lms" / "answer-key.csv").read_text())))
    assert len(rows) == sum(1 for _ in parts(key))
    for row, (variant, _, part) in zip(rows, parts(key), strict=True):
        assert (row["variant"], row["label"], row["kind"]) == (variant, part["label"], part["kind"])
        assert float(row["points"]) == part["points"]


def test_exports_are_byte_identical_across_runs(tmp_path):
    outputs = []
    for name in ("a", "b"):
        folder = build(tmp_path / name, "--lms", "canvas,moodle,qti21,gift,blackboard,csv")
        outputs.append({p.relative_to(folder): p.read_bytes()
                        for p in (folder / "lms").rglob("*") if p.is_file()})  # fmt: skip
    assert outputs[0] == outputs[1]
