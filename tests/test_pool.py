"""Variant pools (--pool K): K variants per question, each student's PDFs laid from them."""

from __future__ import annotations

import csv
import hashlib
import hmac
import json
from pathlib import Path

import pytest

from generator.bank.blueprints import load_blueprint
from generator.bank.questions import load_bank
from generator.builds.pool import draw_pool
from generator.grading.pipeline import grade
from generator.grading.records import Response
from generator.key.schema import check
from generator.lms.items import slots
from generator.render import names, pdf
from generator.render.latex import Document, render_tex
from generator.variants.roster import for_roster, read_roster
from generator.variants.seeding import PUBLIC, Seeding

from .conftest import needs_tex
from .test_class import run, text, write_roster

NAMES = ["Ada Lovelace", "Алан Тьюринг", "李小龙", "O'Brien & Co", "Zoë {x}", "Émile Borel"]
POOL = 3
SEED = 11
FOLDER = f"cs230-midterm-winter-2020-seed{SEED}-class-public"


@pytest.fixture(scope="module")
def pool_build(tmp_path_factory):
    needs_tex()
    tmp = tmp_path_factory.mktemp("pool")
    roster = write_roster(tmp / "roster.csv", NAMES)
    result = run("--seed", SEED, "--roster", roster, "--pool", POOL, "--public", "--lms",
                 "moodle,canvas", "--out", tmp / "out", "--workers", 2)  # fmt: skip
    assert result.returncode == 0, result.stderr
    folder = tmp / "out" / FOLDER
    return folder, roster, json.loads((folder / "key.json").read_text())


def weight(code: str, question: str) -> int:
    """The pool's draw, written from its definition (seeding.py): HMAC-SHA256 under the
    secret of "weight", the seed, the student's code, "pool" and the question id."""
    message = "\x1f".join(["weight", str(SEED), code, "pool", question]).encode()
    return int.from_bytes(hmac.new(PUBLIC.key, message, hashlib.sha256).digest()[:8], "big")


def test_each_student_draws_each_question_from_the_pool_by_their_code(pool_build):
    _, _, key = pool_build
    assert key["exam"]["pool"] == POOL
    for variant in key["variants"]:
        for question in variant["questions"]:
            assert question["pool"]["index"] == weight(variant["variant"], question["id"]) % POOL


def test_students_who_draw_the_same_variant_share_its_entry(pool_build):
    _, _, key = pool_build
    by_pick: dict[tuple[str, str], dict] = {}
    for variant in key["variants"]:
        for question in variant["questions"]:
            shared = by_pick.setdefault((question["id"], question["pool"]["variant"]), question)
            assert shared == question
    per_question = {qid for qid, _ in by_pick}
    assert len(by_pick) <= POOL * len(per_question)
    assert len(by_pick) > len(per_question)  # six students do not all draw one variant
    indices = {(qid, q["pool"]["index"]) for (qid, _), q in by_pick.items()}
    assert len(indices) == len(by_pick)  # one code per pool index


def test_a_students_pdfs_are_their_copy_typeset_the_usual_way(pool_build, tmp_path):
    """Laid from the pool's layers, a student's exam and solutions read page by page as
    the same copy typeset as one document by the unique build's layout."""
    folder, roster, _ = pool_build
    bank = load_bank()
    plan = load_blueprint(None, bank)
    seeding = Seeding(SEED, PUBLIC)
    students = read_roster(roster)
    pool = draw_pool(plan, bank, seeding, for_roster(seeding, students), POOL)
    for variant in [pool.students[1], pool.students[2]]:  # Cyrillic and CJK names
        student = variant.assignment.student
        names.write_pages(tmp_path, variant.variant_id, student.name, student.id)
        for version in ("exam", "solutions"):
            tex = tmp_path / f"{variant.variant_id}-{version}.tex"
            tex.write_text(render_tex(pool.exam, [variant], Document(versions=(version,))), "utf-8")
            expected = text(pdf.compile_pdf(tex)).split("\f")
            (laid,) = (folder / "students").glob(f"{student.id}_*")
            got = text(laid / f"{version}.pdf").split("\f")
            assert len(got) == len(expected)
            for number, (page, want) in enumerate(zip(got, expected, strict=True), start=1):
                assert page.split() == want.split(), f"{version} page {number}"


def test_every_page_shows_the_students_name_code_and_number(pool_build):
    folder, _, key = pool_build
    for variant in key["variants"]:
        sid, name, code = variant["student"]["id"], variant["student"]["name"], variant["variant"]
        (student,) = (folder / "students").glob(f"{sid}_{code}")
        pages = text(student / "exam.pdf").split("\f")[:-1]
        assert f"The exam contains {len(pages)} pages" in " ".join(pages[0].split())
        for number, page in enumerate(pages, start=1):
            assert code in page and f"Page {number}" in page
            assert f"{name} ({sid})" in page.replace("\u2019", "'")
        assert "Solution" not in "".join(pages)


def test_the_print_file_holds_every_exam_from_an_odd_page(pool_build):
    folder, _, key = pool_build
    pages = text(folder / "print.pdf").split("\f")[:-1]
    covers = [i + 1 for i, page in enumerate(pages) if "Full Points" in page]
    assert len(covers) == len(NAMES) and all(n % 2 == 1 for n in covers)
    assert not any("Solution" in page for page in pages)
    for variant, cover in zip(key["variants"], covers, strict=True):
        assert variant["variant"] in pages[cover - 1]


def test_the_answer_csv_names_each_rows_pool_variant(pool_build):
    folder, _, key = pool_build
    with (folder / "answer-key.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    expected = [(v["variant"], p["label"], q["pool"]["variant"])
                for v in key["variants"] for q in v["questions"] for p in q["parts"]]  # fmt: skip
    assert [(r["variant"], r["label"], r["pool_variant"]) for r in rows] == expected


def test_lms_slots_hold_the_pools_variants_once_each(pool_build):
    folder, _, key = pool_build
    for slot in slots(check(key)):
        codes = [item.variant for item in slot.items]
        assert len(codes) == len(set(codes)) <= POOL
    drawn = {(q["id"], q["pool"]["variant"]) for v in key["variants"] for q in v["questions"]}
    exported = {(i.question, i.variant) for s in slots(check(key)) for i in s.items}
    assert exported == drawn
    moodle = (folder / "lms" / "moodle.xml").read_text(encoding="utf-8")
    first = key["exam"]["questions"][0]
    assert all(f"<text>1 {code}</text>" in moodle for qid, code in drawn if qid == first)


def test_a_response_to_a_variant_the_lms_drew_is_graded_by_that_variants_key(pool_build):
    _, _, key = pool_build
    student = key["variants"][0]
    own = {p["label"]: p for q in student["questions"] for p in q["parts"]}
    other, part = next((q, p) for v in key["variants"] for q in v["questions"]
                       for p in q["parts"] if p["kind"] == "integer"
                       and p["answer"] != own[p["label"]]["answer"])  # fmt: skip
    response = Response(student["student"]["id"], part["label"], str(part["answer"]), 2,
                        source=other["pool"]["variant"])  # fmt: skip
    (graded,) = grade(check(key), [response], where="responses.csv")
    scored = next(p for p in graded.parts if p.label == part["label"])
    assert scored.score == part["points"]
    mine = Response(student["student"]["id"], part["label"], str(part["answer"]), 2)
    (graded,) = grade(check(key), [mine], where="responses.csv")
    assert next(p for p in graded.parts if p.label == part["label"]).score == 0


def test_variant_id_rebuilds_a_students_pdfs_byte_for_byte(pool_build, tmp_path):
    folder, roster, key = pool_build
    student = key["variants"][3]
    result = run("--seed", SEED, "--roster", roster, "--pool", POOL, "--public",
                 "--variant-id", student["variant"], "--out", tmp_path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    (rebuilt,) = tmp_path.iterdir()
    assert rebuilt.name == f"cs230-midterm-winter-2020-seed{SEED}-{student['variant']}-public"
    (own,) = (folder / "students").glob(f"{student['student']['id']}_*")
    for version in ("exam", "solutions"):
        assert (rebuilt / f"{version}.pdf").read_bytes() == (own / f"{version}.pdf").read_bytes()
    (entry,) = json.loads((rebuilt / "key.json").read_text())["variants"]
    for question in (*entry["questions"], *student["questions"]):
        question.pop("figures")  # the class build drew them for its --lms exports
    assert entry == student
    assert {p.name for p in rebuilt.iterdir()} == {
        "exam.pdf",
        "solutions.pdf",
        "exam.tex",
        "solutions.tex",
        "key.json",
        "answer-key.csv",
    }


def test_a_students_draws_stay_when_the_roster_changes(tmp_path):
    small = write_roster(tmp_path / "a.csv", NAMES[:2])
    large = write_roster(tmp_path / "b.csv", ["New Student", *NAMES[:2]], first=-1)
    picks = []
    for roster in (small, large):
        result = run("--seed", SEED, "--roster", roster, "--pool", POOL, "--public", "--no-pdf",
                     "--out", tmp_path / roster.stem, "--force")  # fmt: skip
        assert result.returncode == 0, result.stderr
        key = json.loads((tmp_path / roster.stem / FOLDER / "key.json").read_text())
        picks.append({v["student"]["id"]: v["questions"] for v in key["variants"]})
    assert all(picks[1][sid] == questions for sid, questions in picks[0].items())


def test_pool_files_are_deterministic(tmp_path):
    outputs = []
    for attempt in ("a", "b"):
        result = run("--seed", SEED, "--variants", 4, "--pool", POOL, "--public", "--no-pdf",
                     "--out", tmp_path / attempt)  # fmt: skip
        assert result.returncode == 0, result.stderr
        folder = tmp_path / attempt / FOLDER
        outputs.append({p.relative_to(folder): p.read_bytes() for p in folder.rglob("*")
                        if p.is_file()})  # fmt: skip
    assert outputs[0] == outputs[1]
    assert any(path.suffix == ".tex" for path in outputs[0])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pool", 3], "give a class (--roster or --variants N)"),
        (["--variants", 4, "--pool", 1], "is not in the range x>=2"),
        (["--variants", 4, "--pool", 5000], "give a pool of 2 to 1000 variants"),
        (["--variants", 4, "--pool", 3, "--blueprint", "dl-core-quiz"],
         "draws or shuffles its questions"),
        (["--variants", 4, "--pool", 3, "--templates", "LAYOUT"],
         "lays each page's number where the shipped footer prints it"),
    ],
)  # fmt: skip
def test_pool_mistakes_get_one_clear_sentence(tmp_path, args, message):
    layout = tmp_path.parent / f"{tmp_path.name}-layout"
    layout.mkdir()
    (layout / "footer.tex.j2").write_text("\\footer{}{\\thepage}{}\n", encoding="utf-8")
    args = [layout if arg == "LAYOUT" else arg for arg in args]
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path, *args)
    assert result.returncode != 0
    assert message in result.stderr
    assert not any(Path(tmp_path).iterdir())
