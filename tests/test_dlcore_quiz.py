"""The shipped dl-core-quiz blueprint: 8 questions of 4 points drawn per copy from the
dl-core bank's topic pools, and the bank's rules every pool relies on."""

from __future__ import annotations

import json
from collections import Counter

from generator.bank.blueprints import load_blueprint
from generator.bank.questions import load_bank

from .conftest import needs_tex

PICKS = {  # topic -> how many the quiz draws (the blueprint's own numbers, restated)
    "forward and backward passes": 2,
    "convolution arithmetic": 2,
    "training recipes": 1,
    "optimizers and schedules": 1,
    "sequence models and attention": 1,
    "evaluation metrics": 1,
}


def test_the_dl_core_bank_has_15_questions_of_4_points_in_its_topics():
    bank = load_bank()
    core = {qid: q for qid, q in bank.items() if qid.startswith("dl-core/")}
    assert len(core) >= 15
    for qid, question in core.items():
        assert question.points == 4 and question.bonus_points == 0, qid
        assert "dl-core" in question.tags and question.topic in PICKS, qid
    topics = Counter(q.topic for q in core.values())
    assert all(topics[topic] >= pick for topic, pick in PICKS.items()), topics
    assert not {q.topic for qid, q in bank.items() if not qid.startswith("dl-core/")} & set(
        PICKS
    ), "no CS230 question shares a dl-core topic (its points differ: the pool would refuse it)"


def test_the_quiz_draws_eight_questions_per_copy_from_the_topic_pools(run_cli, tmp_path):
    bank = load_bank()
    blueprint = load_blueprint("dl-core-quiz", bank)
    assert blueprint.points == 32 == sum(PICKS.values()) * 4
    result = run_cli("--public", "--seed", "3", "--variants", "12", "--blueprint", "dl-core-quiz",
                     "--no-pdf", "--out", tmp_path)  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = tmp_path.iterdir()
    key = json.loads((run / "key.json").read_text(encoding="utf-8"))
    drawn = []
    for variant in key["variants"]:
        ids = [q["id"] for q in variant["questions"]]
        assert Counter(bank[qid].topic for qid in ids) == Counter(PICKS)
        assert sum(q["points"] for q in variant["questions"]) == 32
        # backprop runs mlp-forward's 2-2-1 network forward again: never both in a copy
        assert not {"dl-core/mlp-forward", "dl-core/backprop"} <= set(ids), ids
        drawn.append(tuple(ids))
    assert len(set(drawn)) > 6, "12 copies: neighbours draw different questions"


def test_the_quiz_builds_to_pdf(run_cli, tmp_path):
    needs_tex()
    result = run_cli("--public", "--seed", "42", "--blueprint", "dl-core-quiz", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    (run,) = tmp_path.iterdir()
    assert (run / "exam.pdf").stat().st_size > 0 and (run / "solutions.pdf").stat().st_size > 0


def test_no_copy_of_300_asks_the_two_layer_networks_forward_pass_twice():
    """mlp-forward and backprop run the same 2-2-1 ReLU network: the blueprint draws one
    of them per copy (16 of 100 copies had both before)."""
    from generator.variants.draws import draw_questions
    from generator.variants.seeding import PUBLIC, Seeding

    bank = load_bank()
    blueprint = load_blueprint("dl-core-quiz", bank)
    seeding = Seeding(31, PUBLIC)
    drawn = [set(draw_questions(blueprint, seeding, seeding.copy_code(n))) for n in range(300)]
    both = {"dl-core/mlp-forward", "dl-core/backprop"}
    assert not [ids for ids in drawn if both <= ids]
    assert sum("dl-core/mlp-forward" in ids for ids in drawn) > 100  # each is drawn
    assert sum("dl-core/backprop" in ids for ids in drawn) > 100
