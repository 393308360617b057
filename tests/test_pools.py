"""Blueprints that draw: pick = N from a topic, a tag or a list, shuffled orders, totals.

The bank here is the authors' own: questions written by ``generate-exam new`` (each one
worth 2 points), beside the shipped CS230 midterm.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from generator.bank.blueprints import load_blueprint
from generator.bank.questions import load_bank
from generator.bank.scaffold import new_question
from generator.builds.pipeline import BuildSpec, BuildSpecError, build
from generator.errors import BlueprintError
from generator.key.schema import check
from generator.lms.items import slots
from generator.lms.seats import seats
from generator.variants.draws import draw_questions
from generator.variants.seeding import PUBLIC, Seeding

from .conftest import needs_tex

MINE = [f"mine/neuron-{n}" for n in range(1, 5)]


def write_bank(root: Path, ids: list[str] = MINE, *, tags: dict[str, list[str]] = {}) -> Path:  # noqa: B006
    """Questions of topic "neurons", each titled after its id (so a page says which)."""
    for qid in ids:
        folder = root / qid
        if folder.exists():
            continue
        new_question(qid, root, topic="neurons")
        toml = folder / "question.toml"
        text = toml.read_text(encoding="utf-8")
        if qid in tags:
            text = text.replace(
                'topic = "neurons"', f'topic = "neurons"\ntags = {json.dumps(tags[qid])}', 1
            )
        toml.write_text(text, encoding="utf-8")
    return root


def write(path: Path, text: str) -> Path:
    path.write_text('name = "pooled"\ntitle = "Pooled"\n' + text, encoding="utf-8")
    return path


def load(path: Path, bank_root: Path):
    bank = load_bank([bank_root])
    return load_blueprint(str(path), bank), bank


def test_a_topic_pool_draws_pick_questions_per_copy(tmp_path):
    root = write_bank(tmp_path / "bank")
    blueprint, _ = load(write(tmp_path / "bp.toml", '[[questions]]\npick = 2\ntopic = "neurons"\n'),
                        root)  # fmt: skip
    seeding = Seeding(7)
    draws = [draw_questions(blueprint, seeding, seeding.copy_code(n)) for n in range(1200)]
    assert all(len(d) == 2 and set(d) <= set(MINE) for d in draws)
    assert all(list(d) == sorted(d) for d in draws), "a topic pool prints in id order"
    # Every question is drawn by half of the copies (2 of 4): 600 each, sd sqrt(1200/4) ~ 17.
    counts = Counter(qid for d in draws for qid in d)
    assert all(abs(counts[qid] - 600) < 5 * math.sqrt(300) for qid in MINE), counts
    # All 6 pairs occur, each about 200 times.
    pairs = Counter(draws)
    assert len(pairs) == math.comb(4, 2)
    assert all(abs(n - 200) < 5 * math.sqrt(200 * 5 / 6) for n in pairs.values()), pairs


def test_a_draw_stays_when_the_bank_grows(tmp_path):
    """Adding a question changes a copy's draw only where the new one is drawn, and then
    it replaces one question: rendezvous hashing moves about pick / (n + 1) of the draws."""
    root = write_bank(tmp_path / "bank")
    path = write(tmp_path / "bp.toml", '[[questions]]\npick = 2\ntopic = "neurons"\n')
    before, _ = load(path, root)
    write_bank(root, [*MINE, "mine/neuron-5"])
    after, _ = load(path, root)
    seeding = Seeding(11)
    moved = 0
    for n in range(1000):
        code = seeding.copy_code(n)
        old, new = draw_questions(before, seeding, code), draw_questions(after, seeding, code)
        if old != new:
            moved += 1
            assert "mine/neuron-5" in new and len(set(old) & set(new)) == 1, (old, new)
    # Expected 2/5 of 1000 copies move; sd sqrt(1000 * 0.4 * 0.6) ~ 15.5.
    assert abs(moved - 400) < 5 * 15.5, moved


def test_a_draw_stays_when_a_table_is_added_before_it(tmp_path):
    root = write_bank(tmp_path / "bank")
    pool = '[[questions]]\npick = 2\ntopic = "neurons"\n'
    alone, _ = load(write(tmp_path / "a.toml", pool), root)
    first = '[[questions]]\nid = "cs230-w2020/cnns"\n'
    behind, _ = load(write(tmp_path / "b.toml", first + pool), root)
    seeding = Seeding(3)
    for n in range(200):
        code = seeding.copy_code(n)
        assert draw_questions(behind, seeding, code) == (
            "cs230-w2020/cnns",
            *draw_questions(alone, seeding, code),
        )


def test_from_and_tag_pools(tmp_path):
    root = write_bank(tmp_path / "bank", tags={"mine/neuron-1": ["sigmoid"],
                                               "mine/neuron-3": ["sigmoid", "bias"]})  # fmt: skip
    listed = '[[questions]]\npick = 1\nfrom = ["mine/neuron-4", "mine/neuron-2"]\n'
    tagged = '[[questions]]\npick = 1\ntag = "sigmoid"\n'
    blueprint, _ = load(write(tmp_path / "bp.toml", listed + tagged), root)
    seeding = Seeding(5)
    draws = {draw_questions(blueprint, seeding, seeding.copy_code(n)) for n in range(200)}
    assert draws == {(a, b) for a in ("mine/neuron-4", "mine/neuron-2")
                     for b in ("mine/neuron-1", "mine/neuron-3")}  # fmt: skip


def test_a_topic_pool_leaves_out_the_questions_printed_by_id(tmp_path):
    root = write_bank(tmp_path / "bank")
    text = '[[questions]]\nid = "mine/neuron-2"\n[[questions]]\npick = 3\ntopic = "neurons"\n'
    blueprint, _ = load(write(tmp_path / "bp.toml", text), root)
    assert blueprint.pools[1].candidates == ("mine/neuron-1", "mine/neuron-3", "mine/neuron-4")
    assert blueprint.pools[1].fixed and blueprint.pools[0].fixed and not blueprint.draws


def test_shuffle_gives_each_copy_its_own_order(tmp_path):
    root = write_bank(tmp_path / "bank")
    ids = "".join(f'[[questions]]\nid = "{qid}"\n' for qid in MINE[:3])
    blueprint, _ = load(write(tmp_path / "bp.toml", "shuffle = true\n" + ids), root)
    seeding = Seeding(9)
    orders = Counter(draw_questions(blueprint, seeding, seeding.copy_code(n)) for n in range(600))
    assert {tuple(sorted(o)) for o in orders} == {tuple(MINE[:3])}
    assert len(orders) == 6 and all(abs(n - 100) < 5 * math.sqrt(100 * 5 / 6)
                                    for n in orders.values()), orders  # fmt: skip


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ('[[questions]]\npick = 5\ntopic = "neurons"\n',
         ["question 1: pick = 5 but only 4 question(s) can be drawn", "lower pick"]),
        ('[[questions]]\npick = 1\ntopic = "no such topic"\n',
         ["question 1: pick = 1 but only 0 question(s)"]),
        ('[[questions]]\npick = 0\ntopic = "neurons"\n',
         ["question 1: field 'pick' must be a whole number from 1 to 100"]),
        ('[[questions]]\npick = 1\nfrom = ["mine/neuron-1", "cs230-w2020/cnns"]\n',
         ["question 1: the questions it draws from are worth different points",
          "mine/neuron-1: 2 + 0 extra", "draw only questions of equal points"]),
        ('[[questions]]\nid = "mine/neuron-1"\ntopic = "neurons"\n',
         ["question 1: give exactly one of id, topic, tag, from"]),
        ('[[questions]]\nid = "mine/neuron-1"\npick = 2\n', ["question 1: 'pick' needs topic"]),
        ('[[questions]]\nid = "mine/neuron-1"\n[[questions]]\nid = "mine/neuron-1"\n',
         ["question 2: question id 'mine/neuron-1' appears twice"]),
        ('[[questions]]\npick = 1\nfrom = ["mine/neuron-1", "mine/neuron-2"]\n'
         '[[questions]]\npick = 1\ntopic = "neurons"\n',
         ["question 2: it can draw 'mine/neuron-1', which question 1 can draw as well"]),
        ('points = 5\n[[questions]]\npick = 2\ntopic = "neurons"\n',
         ["field 'points' says 5 but the questions add up to 4"]),
        ('[[questions]]\npick = 1\nfrom = "mine/neuron-1"\n', ["field 'from' must list ids"]),
        ('[[questions]]\npick = 1\nfrom = ["mine/nope", "mine/neuron-1"]\n',
         ["question 1: unknown id 'mine/nope'"]),
        ('shuffle = "yes"\n[[questions]]\nid = "mine/neuron-1"\n',
         ["field 'shuffle' has the wrong type", "shuffle = true"]),
        ('[[questions]]\npick = 1\n', ["question 1: give exactly one of id, topic, tag, from"]),
    ],
)  # fmt: skip
def test_a_wrong_pool_is_one_sentence(tmp_path, text, phrases):
    root = write_bank(tmp_path / "bank")
    path = write(tmp_path / "bp.toml", text)
    with pytest.raises(BlueprintError) as caught:
        load(path, root)
    message = str(caught.value)
    assert "\n" not in message and message.endswith(".")
    for phrase in [str(path), *phrases]:
        assert phrase in message, message


def test_the_cli_says_it_in_one_line_and_writes_nothing(tmp_path):
    root = write_bank(tmp_path / "bank")
    path = write(tmp_path / "bp.toml", '[[questions]]\npick = 5\ntopic = "neurons"\n')
    out = tmp_path / "out"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--public", "--seed", "1", "--bank", str(root),
         "--blueprint", str(path), "--out", str(out), "--no-pdf"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {path}, question 1: pick = 5")
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir())


def test_points_stated_and_right_are_accepted(tmp_path):
    root = write_bank(tmp_path / "bank")
    text = 'points = 4\n[[questions]]\npick = 2\ntopic = "neurons"\n'
    blueprint, _ = load(write(tmp_path / "bp.toml", text), root)
    assert blueprint.points == 4


def test_replica_refuses_a_blueprint_that_draws(tmp_path):
    root = write_bank(tmp_path / "bank")
    path = write(tmp_path / "bp.toml", '[[questions]]\npick = 2\ntopic = "neurons"\n')
    spec = BuildSpec(out=tmp_path / "out", secret=PUBLIC, blueprint=str(path), banks=(root,),
                     replica=True, pdf=False)  # fmt: skip
    with pytest.raises(BuildSpecError, match="--replica prints the original exam, but this "
                       "blueprint draws or shuffles"):  # fmt: skip
        build(spec)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def class_key(tmp_path: Path, run_cli, text: str, *extra: str) -> tuple[dict, Path]:
    root = write_bank(tmp_path / "bank")
    path = write(tmp_path / "bp.toml", text)
    out = tmp_path / "out"
    result = run_cli("--public", "--seed", "4", "--variants", "12", "--bank", str(root),
                     "--blueprint", str(path), "--out", str(out), *extra)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (folder,) = out.iterdir()
    return json.loads((folder / "key.json").read_text(encoding="utf-8")), folder


POOLED = '[[questions]]\nid = "cs230-w2020/cnns"\n[[questions]]\npick = 2\ntopic = "neurons"\n'


def test_a_class_whose_students_drew_different_questions(tmp_path, run_cli):
    key, _ = class_key(tmp_path, run_cli, POOLED, "--no-pdf", "--lms", "moodle,canvas")
    assert key["exam"]["questions"] == ["cs230-w2020/cnns", *MINE]
    assert key["exam"]["pools"] == [{"table": 2, "pick": 2, "from": MINE}]
    drawn = [tuple(q["id"] for q in v["questions"]) for v in key["variants"]]
    assert all(d[0] == "cs230-w2020/cnns" and set(d[1:]) <= set(MINE) and len(d) == 3
               for d in drawn)  # fmt: skip
    assert len(set(drawn)) > 1, "12 copies, 6 possible pairs: they differ"
    for variant in key["variants"]:
        assert [q["number"] for q in variant["questions"]] == [1, 2, 3]
        labels = [p["label"] for q in variant["questions"][1:] for p in q["parts"]]
        assert labels == ["2(a)", "3(a)"]
    assert sum(q["points"] for q in key["variants"][0]["questions"]) == key["exam"]["points"]


def test_each_question_has_its_own_grading_slots(tmp_path, run_cli):
    """One slot per question and part, whatever number each copy printed it under."""
    key, folder = class_key(tmp_path, run_cli, POOLED, "--no-pdf", "--lms", "moodle,canvas")
    printed = {
        (v["variant"], q["id"]): q["number"] for v in key["variants"] for q in v["questions"]
    }
    by_slot = {slot.label: slot for slot in slots(check(key))}
    for slot in by_slot.values():
        (qid,) = {item.question for item in slot.items}
        drew = {v for v, q in printed if q == qid}
        assert {item.variant for item in slot.items} == drew
        numbers = {printed[v, qid] for v in drew}
        # Named as printed where every copy prints it under one number, else by its id.
        assert slot.label.startswith(f"{numbers.pop()}(" if len(numbers) == 1 else f"{qid} (")
    assert sorted({item.question for s in by_slot.values() for item in s.items}) == sorted(
        {q for _, q in printed}
    )
    cnn_parts = [s for s in by_slot if s.startswith("1(")]
    assert cnn_parts and all(len(by_slot[s].items) == 12 for s in cnn_parts)
    moodle = (folder / "lms/moodle.xml").read_text(encoding="utf-8")
    categories = re.findall(r"\$course\$/top/[^/<]+/([^<]+)</text>", moodle)
    assert len(set(categories)) == len(categories)
    # moodle.xml draws whole questions: a seat per question printed, the table's two
    # picks two seats, each drawing from its share of the table (dealt in turn), so that
    # no student gets one question twice.
    quiz = seats(check(key))
    assert [seat.label for seat in quiz] == ["1", "2", "3"]
    assert [sorted({d.question.id for d in seat.drawn}) for seat in quiz[1:]] == [
        [MINE[0], MINE[2]],
        [MINE[1], MINE[3]],
    ]
    assert quiz[1].note and quiz[2].note and not quiz[0].note
    assert categories == [
        name
        for seat in quiz
        for name in (
            f"{seat.label} {seat.title}",
            *(f"{e.label} {seat.title}" for e in seat.essays),
        )
    ]
    assert quiz[1].title == "Neuron 1 or Neuron 3"
    assert (folder / "lms/canvas-qti12.zip").exists()


def test_a_shuffled_class_numbers_each_copy_in_its_order(tmp_path, run_cli):
    ids = "".join(f'[[questions]]\nid = "{qid}"\n' for qid in MINE)
    key, _ = class_key(tmp_path, run_cli, "shuffle = true\n" + ids, "--no-pdf")
    assert key["exam"]["shuffled"] is True and "pools" not in key["exam"]
    orders = {tuple(q["id"] for q in v["questions"]) for v in key["variants"]}
    assert len(orders) > 1 and all(sorted(o) == MINE for o in orders)
    for variant in key["variants"]:
        for n, question in enumerate(variant["questions"], start=1):
            assert question["number"] == n and question["parts"][0]["label"] == f"{n}(a)"
    assert len(slots(check(key))) == 4, "one slot per question, not one per printed number"


def test_copies_of_different_lengths_in_one_class_build(tmp_path, run_cli):
    """A pool whose questions differ in length: each copy's PDF has its own page count,
    and the print file holds every copy from an odd page."""
    needs_tex()
    root = write_bank(tmp_path / "bank")
    template = root / "mine/neuron-1/question.tex.j2"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace(r"\BLOCK{endblock}", "\\newpage\\mbox{}\\newpage\n"
                                     r"\BLOCK{endblock}", 1), encoding="utf-8")  # fmt: skip
    key, folder = class_key(tmp_path, run_cli, '[[questions]]\npick = 1\ntopic = "neurons"\n')
    import pikepdf

    pages = {}
    for variant in key["variants"]:
        (pdf,) = folder.glob(f"students/*{variant['variant']}*/exam.pdf")
        pages[variant["variant"]] = len(pikepdf.open(pdf).pages)
    long = {v["variant"] for v in key["variants"] if v["questions"][0]["id"] == "mine/neuron-1"}
    assert long and len(long) < 12, "seed 4 gives both lengths"
    assert min(pages[v] for v in long) > max(p for v, p in pages.items() if v not in long)
    printed = len(pikepdf.open(folder / "print.pdf").pages)
    assert printed == sum(p + p % 2 for p in pages.values())
    for variant in key["variants"]:  # each cover's points table: the copy's own question
        (pdf,) = folder.glob(f"students/*{variant['variant']}*/exam.pdf")
        cover = subprocess.run(["pdftotext", "-l", "1", "-layout", str(pdf), "-"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
        titles = {qid: "Neuron " + qid.rsplit("-", 1)[1] for qid in MINE}
        (drawn,) = [q["id"] for q in variant["questions"]]
        assert re.search(rf"1\s+{titles[drawn]}\s+2\b", cover), cover
        assert not any(title in cover for qid, title in titles.items() if qid != drawn)
        assert f"contains {pages[variant['variant']]} pages" in " ".join(cover.split())
