"""generate-exam grade reads Canvas's Student Analysis and Moodle's Responses reports.

The reports are built the way the LMSs build them, from what they imported: the class's
own ``canvas-qti12.zip`` and ``moodle.xml`` (each item's text, its right answer as the LMS
stores it), in the column layouts of ``tests/data/`` (the headers Canvas's
``student_analysis.rb`` and Moodle's responses report write, see the readers,
``generator/lms/canvas/report.py`` and ``generator/lms/moodle/report.py``).  Each student
answers in a way whose points the test works out: every part right; numbers far off and
wrong options (0) with a vector's first entry wrong (the points its rubric gives); right,
with a cloze blank left out.  The gradebook files are then read back with the checks
Canvas's and Moodle's importers make.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import textwrap
import warnings
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from generator.grading.pipeline import ResponsesError, grade_run
from generator.kinds import KINDS

from .conftest import by_rubric, first_entry_wrong, one_choice_matching, part_info
from .test_grading import check

DATA = Path(__file__).parent / "data"
QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
MANUAL = {"essay_question", "essay"}
ROSTER = [
    ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Email address"],
    ["Ada Lovelace", "4417", "S001", "ada", "Section 1", "ada@example.edu"],
    ["Alan <Turing> & Co", "4418", "S002", "alan", "Section 1", "alan@example.edu"],
    ["Grace Hopper", "4419", "S003", "grace", "Section 2", "grace@example.edu"],
]
HOSTILE = "<script>alert(1)</script>"


def build(out: Path, *extra: str) -> Path:
    from click.testing import CliRunner

    from generator.cli import cli

    args = ["--public", "--no-pdf", "--lms", "canvas,moodle", "--out", str(out), *extra]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lms-class")
    roster = write_csv(out / "roster.csv", ROSTER)
    return build(out / "runs", "--seed", "6", "--roster", str(roster))


@pytest.fixture(scope="module")
def other_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lms-other")
    roster = write_csv(out / "roster.csv", ROSTER)
    return build(out / "runs", "--seed", "7", "--roster", str(roster))


@pytest.fixture(scope="module")
def numbered_run(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("lms-numbered"), "--seed", "6", "--variants", "2")


def key(run: Path) -> dict:
    return json.loads((run / "key.json").read_text(encoding="utf-8"))


def parts(run: Path) -> dict[tuple[str, str], dict]:
    """Every (code, label) of the key and its part."""
    return {(v["variant"], p["label"]): p for v in key(run)["variants"]
            for q in v["questions"] for p in q["parts"]}  # fmt: skip


def text_of(markup: str) -> str:
    """HTML as the LMSs' html-to-text leaves it: tags gone, entities read."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup or ""))


# ------------------------------------------------------------------ Canvas


def canvas_items(run: Path) -> list[dict]:
    """Each item of the Canvas zip: its title, type, question text and right answer in
    the Student Analysis report's own form."""
    with zipfile.ZipFile(run / "lms/canvas-qti12.zip") as z:
        (name,) = [n for n in z.namelist() if n.endswith(".xml") and "/" in n
                   and not n.endswith("assessment_meta.xml")]  # fmt: skip
        root = etree.fromstring(z.read(name))
    items = []
    for item in root.iter(f"{QTI}item"):
        kind = next(f.findtext(f"{QTI}fieldentry") for f in item.iter(f"{QTI}qtimetadatafield")
                    if f.findtext(f"{QTI}fieldlabel") == "question_type")  # fmt: skip
        text = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
        labels = {lab.get("ident"): text_of(lab.findtext(f".//{QTI}mattext"))
                  for lab in item.iter(f"{QTI}response_label")}  # fmt: skip
        items.append({"title": item.get("title"), "type": kind, "text": text_of(text),
                      "right": _canvas_right(item, kind, labels), "labels": labels})  # fmt: skip
    return items


def _canvas_right(item, kind: str, labels: dict[str, str]) -> str:
    lids = list(item.iter(f"{QTI}response_lid"))
    if kind == "fill_in_multiple_blanks_question":  # the first spelling of each blank
        return ",".join(labels[lid.find(f".//{QTI}response_label").get("ident")] for lid in lids)
    full = [c for c in item.iter(f"{QTI}respcondition") if c.findtext(f"{QTI}setvar") == "100"]
    if kind == "multiple_choice_question":
        return labels[full[0].findtext(f".//{QTI}varequal")]
    if kind == "multiple_dropdowns_question":  # the right verdict of each statement
        return ",".join(labels[v.text] for v in item.iter(f"{QTI}varequal"))
    if kind == "matching_question":
        pairs = []
        for lid in lids:
            tests = [c.find(f".//{QTI}varequal") for c in item.iter(f"{QTI}respcondition")]
            chosen = next(t.text for t in tests
                          if t is not None and t.get("respident") == lid.get("ident"))  # fmt: skip
            pairs.append(f"{lid.findtext(f'{QTI}material/{QTI}mattext')}=>{labels[chosen]}")
        return ",".join(pairs)
    return ""  # numerical: the key's number; essays: whatever is written


def canvas_answer(item: dict, part: dict, style: str) -> tuple[str, float | None]:
    """A Canvas response of ``style`` and the points it earns (None: by hand)."""
    kind, points = item["type"], part["points"]
    if kind in MANUAL:  # an essay item: text, no formula, no code in it: by hand
        return HOSTILE, None
    if kind == "numerical_question":
        value = part["answer"]
        return (str(value * 2 + 1000), 0.0) if style == "wrong" else (str(value), points)
    if kind == "fill_in_multiple_blanks_question" and style == "wrong":
        blanks = item["right"].split(",")
        return ",".join(["999999", *blanks[1:]]), first_entry_wrong(part)
    if kind == "multiple_choice_question" and style == "wrong":
        return next(t for t in item["labels"].values() if t != item["right"]), 0.0
    return item["right"], points


def canvas_report(run: Path, styles: dict[str, str], *, sis: dict[str, str] | None = None
                  ) -> tuple[list[list[str]], dict]:  # fmt: skip
    """The Student Analysis CSV of ``run``'s roster: two columns per item (its id and text,
    its points), each student's cells under the items of their own copy."""
    template = list(csv.reader((DATA / "canvas_student_analysis.csv").open(encoding="utf-8")))
    fixed = template[0][: template[0].index("submitted") + 1]
    items = canvas_items(run)
    header = list(fixed)
    for n, item in enumerate(items):
        header += [f"{5000 + n}: {item['text']}", "1.0"]
    header += ["n correct", "n incorrect", "score"]
    known = parts(run)
    rows, expected = [header], {}
    for variant in key(run)["variants"]:
        student = variant["student"]
        extra = student["extra"]
        sis_id = (sis or {}).get(student["id"], student["id"])
        row = [student["name"], extra["ID"], sis_id, extra["Section"], "12", "SEC-1",
               "2026-03-12 10:41:07 UTC"]  # fmt: skip
        for item in items:
            code = item["title"].split()[1]
            if code != variant["variant"]:
                row += ["", ""]
                continue
            label = item["title"].split()[0]
            text, points = canvas_answer(item, known[code, label], styles[student["id"]])
            points = by_rubric(known[code, label], text, points)
            row += [text, "0.0"]
            expected[code, label] = points
        rows.append([*row, "0", "0", "0.0"])
    return rows, expected


# ------------------------------------------------------------------ Moodle


BLANK = re.compile(r"\{(\d+):(NUMERICAL|MULTICHOICE|MULTICHOICE_V):(.*?)(?<!&)\}", re.S)
WRITTEN = ("expression", "text", "code")  # a person reads the answer: an essay seat


def moodle_slots(run: Path) -> list[list[dict]]:
    """The questions of moodle.xml per category (= quiz slot), each with its question
    summary and, for a cloze, its blanks: (type, [(right, text)] for a multiple choice)."""
    root = etree.fromstring((run / "lms/moodle.xml").read_bytes())
    slots: list[list[dict]] = []
    for question in root.iter("question"):
        kind = question.get("type")
        if kind == "category":
            slots.append([])
            continue
        markup = question.findtext("questiontext/text")
        blanks = [
            (m[2], _choices(m[3]) if m[2] != "NUMERICAL" else []) for m in BLANK.finditer(markup)
        ]
        # as Moodle 5.0.6 summarises a cloze (qtype_multianswer get_question_summary): a
        # numeric blank as a line, a multiple-choice blank as its choices, {True; False}
        summary = text_of(BLANK.sub(_summary, markup))
        slots[-1].append({"name": question.findtext("name/text"), "type": kind,
                          "summary": textwrap.fill(summary, 75), "blanks": blanks})  # fmt: skip
    return slots


def _summary(blank: re.Match) -> str:
    if blank[2] == "NUMERICAL":
        return "_____"
    return "{" + "; ".join(text for _, text in _choices(blank[3])) + "}"


def _choices(body: str) -> list[tuple[bool, str]]:
    """A multiple-choice blank's choices as Moodle stores them (entities read once, as
    its importer does) and its report shows them (html_to_text)."""
    return [(c.startswith("="), text_of(html.unescape(c.lstrip("=")))) for c in body.split("~")]


def moodle_blanks(part: dict, blanks: list, style: str) -> tuple[list[str], float | None]:
    """A part's blanks of ``style`` (right; wrong: numbers far off, a wrong option, a
    vector's first entry wrong, a statement's verdict turned; blank: a vector's or
    statements' first blank left out) and the points the rubric gives them."""
    kind, points = part["kind"], part["points"]
    right = [next(t for ok, t in choices if ok) if choices else "" for _, choices in blanks]
    if kind in ("integer", "number"):
        value = part["answer"]
        return ([str(value * 2 + 1000)], 0.0) if style == "wrong" else ([str(value)], points)
    if kind in ("vector", "shape"):
        values = [str(v) for v in part["answer"]]
        if style == "right":
            return values, points
        return ["" if style == "blank" else "999999", *values[1:]], first_entry_wrong(part)
    if kind == "choice" and style == "wrong":
        return [next(t for ok, t in blanks[0][1] if not ok)], 0.0
    if kind == "multi" and style != "right":
        turned = "" if style == "blank" else ("False" if right[0] == "True" else "True")
        return [turned, *right[1:]], part["scoring"]["each"] * (len(right) - 1)
    return right, points


def moodle_report(run: Path, styles: dict[str, str], *, question_text: bool = True
                  ) -> tuple[list[list[str]], dict]:  # fmt: skip
    """Moodle's Responses download of the quiz slot-marks.csv describes: each student drew
    their own copy's variant of every question (other draws: see the tests below)."""
    template = list(csv.reader((DATA / "moodle_responses.csv").open(encoding="utf-8")))
    fixed = template[0][: template[0].index("Question 1")]
    slots = moodle_slots(run)
    header = list(fixed)
    for n in range(1, len(slots) + 1):
        header += ([f"Question {n}"] if question_text else []) + [f"Response {n}",
                                                                   f"Right answer {n}"]  # fmt: skip
    rows, expected = [header], {}
    for variant in key(run)["variants"]:
        student = variant["student"]
        last, first = student["name"].split(" ", 1)[::-1] if " " in student["name"] else ("", "")
        times = ["12 March 2026  10:00 AM", "12 March 2026  10:41 AM", "41 mins 7 secs"]
        row = [last, first, student["extra"]["Email address"], "Finished", *times, "1.00"]
        for questions in slots:
            q = _drawn(questions, variant["variant"])
            cells, points = moodle_cells(q, variant, styles[student["id"]])
            row += ([q["summary"]] if question_text else []) + cells
            expected.update({(variant["variant"], label): p for label, p in points.items()})
        rows.append(row)
    return rows, expected


def _drawn(questions: list[dict], code: str) -> dict:
    """The copy's own variant in a seat's category (an essay seat has one for all)."""
    return next((q for q in questions if q["name"].endswith(f" {code}")), questions[0])


def moodle_cells(q: dict, variant: dict, style: str, *, drawn: dict | None = None
                 ) -> tuple[list[str], dict[str, float | None]]:  # fmt: skip
    """A slot's Response and Right answer cells for ``variant``'s student, and the points
    of each part they answer; ``drawn``: the question the seat drew (default: the copy's)."""
    if q["type"] == "essay":  # "see my sheet": no formula, no code, no text: by hand
        return ["see my sheet", "-"], {q["name"]: None}
    number = q["name"].split()[0]
    question = drawn or next(x for x in variant["questions"] if str(x["number"]) == number)
    blanks, given, right, points = iter(q["blanks"]), [], [], {}
    for part in question["parts"]:
        if part["kind"] in WRITTEN or part["scoring"].get("person") == "always":
            continue
        one = part["kind"] in ("integer", "number", "choice") or one_choice_matching(part)
        count = 1 if one else len(part["options"] if part["kind"] == "multi" else part["answer"])
        mine = [next(blanks) for _ in range(count)]
        answered, earned = moodle_blanks(part, mine, style)
        key_answer, _ = moodle_blanks(part, mine, "right")
        given += answered
        right += key_answer
        text = "; ".join(answered)
        points[f"{number}{part['label'][part['label'].index('(') :]}"] = by_rubric(
            part, text, earned
        )
    cloze = lambda values: "; ".join(f"part {i}: {v}" for i, v in enumerate(values, start=1))  # noqa: E731
    return [cloze(given), cloze(right)], points


# ------------------------------------------------------------------ checks


STYLES = {"S001": "right", "S002": "wrong", "S003": "blank"}


def totals(expected: dict) -> dict[str, float]:
    sums: dict[str, float] = {}
    for (code, _), points in expected.items():
        sums[code] = sums.get(code, 0.0) + (points or 0.0)
    return sums


def test_canvas_student_analysis_is_graded_to_the_worked_out_scores(run, tmp_path):
    rows, expected = canvas_report(run, STYLES)
    whole = {slot: part["points"] for slot, part in parts(run).items()}
    assert any(p is not None and 0 < p < whole[slot] for slot, p in expected.items())  # partial
    grade_run(run, write_csv(tmp_path / "canvas.csv", rows), force=True)
    check(run, expected)


def test_moodle_responses_is_graded_with_question_text_and_refused_without(run, tmp_path):
    """A class's categories hold a variant per copy, so a quiz of random questions may
    show a student any: only the question text says which, and a download without it is
    refused with the option that adds it (never graded against an assumed copy)."""
    rows, expected = moodle_report(run, STYLES, question_text=True)
    grade_run(run, write_csv(tmp_path / "moodle.csv", rows), force=True)
    check(run, expected)
    rows, _ = moodle_report(run, STYLES, question_text=False)
    with pytest.raises(ResponsesError, match=r"Show the question text.*--own-copy"):
        grade_run(run, write_csv(tmp_path / "moodle.csv", rows), force=True)
    # a quiz per copy: the instructor says so, and each student's own copy is graded
    grade_run(run, write_csv(tmp_path / "moodle.csv", rows), force=True, own_copy=True)
    check(run, expected)


def test_canvas_student_without_sis_id_is_found_by_canvas_id(run, tmp_path):
    rows, expected = canvas_report(run, STYLES, sis={"S002": ""})
    grade_run(run, write_csv(tmp_path / "canvas.csv", rows), force=True)
    check(run, expected)


def test_numbered_copies_are_told_by_their_items(numbered_run, tmp_path):
    template = list(csv.reader((DATA / "canvas_student_analysis.csv").open(encoding="utf-8")))
    fixed = template[0][: template[0].index("submitted") + 1]
    items = canvas_items(numbered_run)
    header = fixed + [c for n, it in enumerate(items) for c in (f"{n}: {it['text']}", "1.0")]
    header += ["n correct", "n incorrect", "score"]
    known = parts(numbered_run)
    rows, expected = [header], {}
    for n, variant in enumerate(key(numbered_run)["variants"]):
        row = [f"Student {n}", str(100 + n), "", "", "", "", "2026-03-12"]
        for item in items:
            label, code = item["title"].split()
            if code != variant["variant"]:
                row += ["", ""]
                continue
            text, points = canvas_answer(item, known[code, label], "right")
            points = by_rubric(known[code, label], text, points)
            row += [text, "0.0"]
            expected[code, label] = points
        rows.append([*row, "0", "0", "0"])
    grade_run(numbered_run, write_csv(tmp_path / "canvas.csv", rows), force=True)
    check(numbered_run, expected)


def test_gradebook_files_parse_as_the_importers_require(run, tmp_path):
    rows, expected = canvas_report(run, STYLES)
    grade_run(run, write_csv(tmp_path / "canvas.csv", rows), force=True, canvas_assignment="987")
    sums = totals(expected)
    copies = {v["student"]["id"]: v["variant"] for v in key(run)["variants"]}
    canvas_rows = list(csv.reader((run / "grades/canvas-gradebook.csv").open(encoding="utf-8")))
    head = canvas_rows[0]
    # gradebook_importer.rb: row_has_student_headers?, update_column_count, header?
    assert head[0] == "Student" and head[1] == "ID" and head[2:4] == ["SIS User ID", "SIS Login ID"]
    assert head[4] == "Section" and len(head) == 6
    title = re.fullmatch(r"(.*)\s\((\d+)\)", head[5])  # Assignment.title_and_id
    assert title and title.group(2) == "987"
    meta = zipfile.ZipFile(run / "lms/canvas-qti12.zip").read(
        next(n for n in zipfile.ZipFile(run / "lms/canvas-qti12.zip").namelist()
             if n.endswith("assessment_meta.xml")))  # fmt: skip
    assert f"<title>{html.escape(title.group(1))}</title>".encode() in meta
    assert canvas_rows[1][0] == "Points Possible" and float(canvas_rows[1][5]) == 60
    by_sis = {r[2]: r for r in canvas_rows[2:]}
    for student in ROSTER[1:]:
        row = by_sis[student[2]]
        assert row[1] == student[1] and row[3] == student[3] and row[4] == student[4]
        assert float(row[5]) == pytest.approx(sums[copies[student[2]]])
    moodle_rows = list(csv.DictReader((run / "grades/moodle-grades.csv").open(encoding="utf-8")))
    assert list(moodle_rows[0])[:3] == ["ID number", "Email address", "Username"]
    item = list(moodle_rows[0])[3]
    for row, student in zip(moodle_rows, ROSTER[1:], strict=True):
        assert row["ID number"] == student[2] and row["Email address"] == student[5]
        assert float(row[item]) == pytest.approx(sums[copies[student[2]]])


def test_feedback_pages_escape_what_students_wrote(run, tmp_path):
    rows, _ = canvas_report(run, STYLES)
    grade_run(run, write_csv(tmp_path / "canvas.csv", rows), force=True)
    pages = sorted((run / "grades/feedback").iterdir())
    assert len(pages) == 3 and all(p.name.startswith("S00") for p in pages)
    alan = next(p for p in pages if p.name.startswith("S002")).read_text(encoding="utf-8")
    assert HOSTILE not in alan and html.escape(HOSTILE) in alan
    assert "Alan &lt;Turing&gt; &amp; Co" in alan and "wrong" in alan and "expected answer" in alan


def _errors(run: Path, rows: list[list[str]], tmp_path: Path) -> str:
    before = sorted(p.name for p in run.iterdir())
    grades = run / "grades"
    old = sorted(p.name for p in grades.iterdir()) if grades.exists() else None
    with pytest.raises(ResponsesError) as caught:
        grade_run(run, write_csv(tmp_path / "r.csv", rows), force=True)
    assert sorted(p.name for p in run.iterdir()) == before
    if old is not None:
        assert sorted(p.name for p in grades.iterdir()) == old
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_another_exams_reports_are_refused(run, other_run, tmp_path):
    """Each item's text ends with its title (``1(a) <code>``): another run's report names
    items this key has not, and is refused naming one."""
    rows, _ = canvas_report(other_run, STYLES)
    assert "is not in this run's key" in _errors(run, rows, tmp_path)
    rows, _ = moodle_report(other_run, STYLES)
    assert "is not in this run's key" in _errors(run, rows, tmp_path)
    rows, _ = moodle_report(run, STYLES)
    rows[1][rows[0].index("Question 1")] = "... 1 0123456789ab"
    assert "the question '1 0123456789ab' is not in this run's key" in _errors(run, rows, tmp_path)


def test_unknown_students_and_duplicate_rows_name_their_line(run, tmp_path):
    rows, _ = canvas_report(run, STYLES, sis={"S003": "S999"})
    rows[3][1] = "5555"
    message = _errors(run, rows, tmp_path)
    assert "line 4: no student of this class's roster is sis_id 'S999', id '5555'" in message
    rows, _ = moodle_report(run, STYLES)
    rows.append(list(rows[1]))
    assert "line 5: a second response of" in _errors(run, rows, tmp_path)


# ------------------------------------------------------------------ variant pools


@pytest.fixture(scope="module")
def pool_run(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("lms-pool")
    roster = write_csv(out / "roster.csv", ROSTER)
    return build(out / "runs", "--seed", "6", "--roster", str(roster), "--pool", "3")


def test_a_pool_quiz_is_graded_by_the_variants_the_lms_drew(pool_run, tmp_path):
    """Canvas draws each student's item of a part from the pool's variants, whichever the
    paper copy printed: each response is scored against the key of the item it answers."""
    template = list(csv.reader((DATA / "canvas_student_analysis.csv").open(encoding="utf-8")))
    fixed = template[0][: template[0].index("submitted") + 1]
    items = canvas_items(pool_run)
    header = [*fixed, *(cell for n, item in enumerate(items)
                        for cell in (f"{6000 + n}: {item['text']}", "1.0"))]  # fmt: skip
    variants = {(q["pool"]["variant"], p["label"]): p for v in key(pool_run)["variants"]
                for q in v["questions"] for p in q["parts"]}  # fmt: skip
    labels = sorted({item["title"].split()[0] for item in items})
    rows, expected, elsewhere = [[*header, "n correct", "n incorrect", "score"]], {}, 0
    for s, variant in enumerate(key(pool_run)["variants"]):
        student = variant["student"]
        own = {p["label"]: q["pool"]["variant"] for q in variant["questions"] for p in q["parts"]}
        drawn = {}
        for label in labels:
            choices = [item for item in items if item["title"].split()[0] == label]
            told = len({(c["text"], *c["labels"].values()) for c in choices}) == len(choices)
            if told:  # the LMS's draw, not the paper's
                drawn[label] = choices[(s + 1) % len(choices)]
            else:  # the report cannot tell variants that read the same: the paper's own
                drawn[label] = next(c for c in choices if c["title"].split()[1] == own[label])
        row = [student["name"], student["extra"]["ID"], student["id"], "Section 1", "12",
               "SEC-1", "2026-03-12 10:41:07 UTC"]  # fmt: skip
        for item in items:
            label, code = item["title"].split()[:2]
            if drawn[label] is not item:
                row += ["", ""]
                continue
            part = variants[code, label]
            text, points = canvas_answer(item, part, "right")
            points = by_rubric(part, text, points)
            row += [text, "0.0"]
            expected[variant["variant"], label] = points
            mine = variants[own[label], label]
            elsewhere += code != own[label] and part["answer"] != mine["answer"]
        rows.append([*row, "0", "0", "0.0"])
    assert elsewhere  # some responses answer a variant whose key differs from the paper's
    grade_run(pool_run, write_csv(tmp_path / "canvas.csv", rows), force=True)
    check(pool_run, expected)


def test_options_with_the_same_letters_and_digits_are_told_apart_by_their_signs():
    """dl-core softmax-cross-entropy (b), in a real Moodle's report: L = -ln p is right,
    L = ln p wrong; their letters and digits are the same, so the sign decides, and a
    report cell no single option matches is left for the kind to read."""
    from generator.lms import reports

    texts = [r"$L = \ln 0.79$", r"$L = -\ln 0.79$", r"$L = -\ln 0.21$"]
    options = [{"label": label, "text": text, "correct": label == "B", "why": "",
                "mistake": ""} for label, text in zip("ABC", texts, strict=True)]  # fmt: skip
    part = part_info("choice", "B", options=options)
    assert reports.choice(part, r"\(L = -\ln 0.79\)") == "B"
    assert reports.choice(part, r"\(L = \ln 0.79\)") == "A"
    assert reports.choice(part, "L = \u2212ln 0.21") == "C"  # a Unicode minus
    assert KINDS["choice"].score(part, reports.choice(part, r"\(L = \ln 0.79\)")) == 0


def test_a_question_the_lms_drew_from_another_copy_is_graded_against_that_variant(run, tmp_path):
    """A quiz of one random question per seat shows a student other copies' variants; with
    the question text in the download, each part, its essays too, is graded against the
    variant the student was shown (its key's answer earns the points), never the own."""
    rows, expected = moodle_report(run, STYLES, question_text=True)
    header, first = rows[0], rows[1]  # the first student answers every part rightly
    variants = key(run)["variants"]
    own, other = variants[0], variants[1]
    drawn_labels = []
    for n, questions in enumerate(moodle_slots(run), start=1):
        theirs = _drawn(questions, other["variant"])
        if theirs["type"] != "cloze":
            continue
        at = header.index(f"Question {n}")
        number = theirs["name"].split()[0]
        question = next(q for q in other["questions"] if str(q["number"]) == number)
        cells, points = moodle_cells(theirs, own, "right", drawn=question)
        first[at : at + 3] = [theirs["summary"], *cells]
        expected.update({(own["variant"], label): p for label, p in points.items()})
        drawn_labels += [label for label, p in points.items() if p]
    differ = [p["label"] for q in own["questions"] for p in q["parts"]
              if p["label"] in drawn_labels
              and p["answer"] != parts(run)[other["variant"], p["label"]]["answer"]]  # fmt: skip
    assert differ, "no auto-graded part whose answer differs between the first two copies"
    grade_run(run, write_csv(tmp_path / "moodle.csv", rows), force=True)
    check(run, expected)  # the drawn variant's answers: right, as Moodle marked them
    graded = {r["variant"]: r for r in csv.DictReader(
        io.StringIO((run / "grades/grades.csv").read_text("utf-8")))}  # fmt: skip
    for label in differ:
        assert float(graded[own["variant"]][label]) > 0, label


def test_a_quiz_whose_total_is_not_the_exams_is_graded_with_a_warning(run, tmp_path):
    """The quiz's maximum grade (Moodle's Grade/<max> column) is neither the exam's points
    nor its points with the bonus: its slot marks differ from the paper's; the responses
    are graded all the same, by the exam's points, and the instructor is told."""
    from generator.grading.records import GradingWarning

    rows, expected = moodle_report(run, STYLES, question_text=True)
    at = next(n for n, h in enumerate(rows[0]) if h.startswith("Grade/"))
    rows[0][at] = "Grade/45.00"
    with pytest.warns(GradingWarning, match="maximum grade is 45"):
        grade_run(run, write_csv(tmp_path / "moodle.csv", rows), force=True)
    check(run, expected)
    rows[0][at] = "Grade/60.00"  # the exam's points: no warning
    with warnings.catch_warnings():
        warnings.simplefilter("error", GradingWarning)
        grade_run(run, write_csv(tmp_path / "moodle.csv", rows), force=True)


def test_a_class_without_a_roster_is_graded_by_the_questions_each_student_drew(
    numbered_run, tmp_path
):
    """Numbered copies (--variants, as the tutorial builds them) and a quiz drawing each
    question from any copy: a student sat no copy of ours, so each is graded under the
    LMS's id for them, against the variant of every question the quiz drew them."""
    template = list(csv.reader((DATA / "moodle_responses.csv").open(encoding="utf-8")))
    fixed = template[0][: template[0].index("Question 1")]
    slots = moodle_slots(numbered_run)
    cells = ("Question {n}", "Response {n}", "Right answer {n}")
    header = [*fixed, *(c.format(n=n) for n in range(1, len(slots) + 1) for c in cells)]
    copies = key(numbered_run)["variants"]
    rows, expected = [header], {}
    for s, (last, first, email) in enumerate([("Lee", "Ann", "ann@example.edu"),
                                              ("Ode", "Bob", "bob@example.edu")]):  # fmt: skip
        times = ["12 March 2026  10:00 AM", "12 March 2026  10:41 AM", "41 mins 7 secs"]
        row = [last, first, email, "Finished", *times, "1.00"]
        seat = 0
        for questions in slots:
            if questions[0]["type"] == "cloze":  # the quiz draws each seat from any copy
                variant = copies[(s + seat) % len(copies)]
                seat += 1
            q = _drawn(questions, variant["variant"])
            answered, points = moodle_cells(q, variant, "right" if s == 0 else "wrong")
            row += [q["summary"], *answered]
            expected.update({(email, label): p for label, p in points.items()})
        rows.append(row)
    grade_run(numbered_run, write_csv(tmp_path / "moodle.csv", rows), force=True)
    graded = list(csv.DictReader(io.StringIO(
        (numbered_run / "grades/grades.csv").read_text("utf-8"))))  # fmt: skip
    assert sorted(r["student_id"] for r in graded) == ["ann@example.edu", "bob@example.edu"]
    got = {(r["student_id"], label): value for r in graded for label, value in r.items()}
    for slot, points in expected.items():
        if points is None:
            assert got[slot] == "", slot
        else:
            assert float(got[slot]) == pytest.approx(points, abs=1e-6), slot
    assert any(points for (who, _), points in expected.items() if who == "ann@example.edu")
    moodle = list(
        csv.DictReader((numbered_run / "grades/moodle-grades.csv").open(encoding="utf-8"))
    )
    assert sorted(r["Email address"] for r in moodle) == ["ann@example.edu", "bob@example.edu"]


def test_blanks_left_empty_in_a_cloze_earn_nothing_and_need_no_person(run, tmp_path):
    """Moodle's summary of a cloze names every blank, answered or not: a select-all
    part's empty True/False blanks are no decision (wrong, as Moodle scores them, never
    "no statement true"), a matching left unanswered nothing, and a question left whole
    unanswered (``-``, an attempt not submitted) nothing at all."""
    rows, expected = moodle_report(run, STYLES, question_text=True)
    header, first = rows[0], rows[1]
    code = key(run)["variants"][0]["variant"]
    by_seat = {q["name"].split()[0]: n for n, qs in enumerate(moodle_slots(run), start=1)
               for q in qs if q["type"] == "cloze"}  # fmt: skip
    first[header.index(f"Response {by_seat['3']}")] = "part 1: "  # 3(d)'s one choice
    four = first[header.index(f"Response {by_seat['4']}")].split("; ")
    blank = [f"part {n}: " for n in range(1, len(four))]
    first[header.index(f"Response {by_seat['4']}")] = "; ".join([*blank, four[-1]])
    first[header.index(f"Response {by_seat['7']}")] = "-"
    grade_run(run, write_csv(tmp_path / "moodle.csv", rows), force=True)
    got = {(r["variant"], label): value
           for r in csv.DictReader(io.StringIO((run / "grades/grades.csv").read_text("utf-8")))
           for label, value in r.items()}  # fmt: skip
    assert got[code, "3(d)"] == "0.0"  # no way chosen: 0, not a person's
    assert got[code, "4(a)"] == "0.0"  # four statements undecided
    assert float(got[code, "4(e)"]) == expected[code, "4(e)"] > 0
    assert all(got[code, label] == "0.0" for label in ("7(c)", "7(d)", "7(e)", "7(f)"))


def test_a_matching_of_many_ways_is_a_dropdown_per_item_and_an_empty_one_no_pair():
    """Four items matched to four options (24 ways, too many for one choice): a dropdown
    per item, each pair its share; a dropdown left empty is no pair (not a pair with
    nothing, which no kind can read), so the part is scored, not sent to a person.  Three
    items all or nothing: one choice among the 6 ways, read back as its pairs."""
    from generator.lms.items import Item
    from generator.lms.moodle.drawn_report import _part_text
    from generator.lms.moodle.report import READERS

    def item(part):
        return Item(part.label, "q", "v0", "i0", "1(a) v0", part.points, part.kind, "", part, ())

    four = part_info("matching", {"A": "w", "B": "x", "C": "y", "D": "z"},
                     scoring={"rule": "all"})  # fmt: skip
    assert _part_text(item(four), ["w", "x", "", ""], READERS) == "A=w; B=x"
    three = part_info("matching", {"A": "x", "B": "y", "C": "z"}, scoring={"rule": "all"})
    assert _part_text(item(three), ["A \u2192 y; B \u2192 x; C \u2192 z"], READERS) == (
        "A=y; B=x; C=z"
    )
