"""A part's rubric as data: each rule's points worked out by hand, the notes it writes, the
declarations the bank refuses, and the CS230 parts scored as their official rubric says."""

from __future__ import annotations

import textwrap

import msgspec
import pytest

from generator.errors import AnswerError, BankError
from generator.key.records import ScoringInfo
from generator.kinds import KINDS
from generator.kinds.scoring import notes, parse, share

from .conftest import part_info, variant, write_blueprint


def rule(**fields) -> ScoringInfo:
    return msgspec.convert(fields, ScoringInfo)


MARKS = {"v": True, "s": True, "v_corr": False, "s_corr": True, "w": True}


@pytest.mark.parametrize(
    ("scoring", "points", "earned"),
    [
        (rule(rule="all"), 3, 0),  # one item wrong: nothing
        (rule(rule="entries"), 3, 3 * 4 / 5),
        (rule(rule="groups", groups=[
            {"points": 1, "of": ["v", "s"], "credit": "a"},
            {"points": 1, "of": ["v_corr", "s_corr"], "credit": "b"},
            {"points": 1, "of": ["w"], "credit": "c"}]), 3, 2),  # the corrections' point lost
        (rule(rule="all", steps=[{"wrong": 1, "points": 2}]), 3, 2),
        (rule(rule="all", steps=[{"wrong": 2, "points": 1}, {"wrong": 1, "points": 2}]), 3, 2),
    ],
)  # fmt: skip
def test_each_rule_earns_what_its_rubric_says(scoring, points, earned):
    assert share(scoring, points, MARKS) * points == pytest.approx(earned)


def test_statements_earn_their_points_each():
    marks = {"i": True, "ii": False, "iii": True, "iv": True}
    assert share(rule(rule="statements", each=0.5), 2, marks) == pytest.approx(1.5 / 2)
    assert share(rule(rule="statements", each=0.5), 2, dict.fromkeys(marks, True)) == 1


def test_a_whole_answer_earns_every_point_and_nothing_earns_none():
    for scoring in (rule(rule="all"), rule(rule="entries"), rule(rule="statements", each=1)):
        assert share(scoring, 2, {"a": True, "b": True}) == 1
        assert share(scoring, 2, {"a": False, "b": False}) == 0


@pytest.mark.parametrize(
    ("scoring", "points", "items", "item", "said"),
    [
        (rule(rule="all"), 1, ["answer"], "answer", []),
        (rule(rule="all"), 2, ["1", "2", "3"], "entry",
         ["2 points for the whole answer, no partial credit."]),
        (rule(rule="entries"), 1, ["1", "2", "3", "4"], "entry",
         ["0.25 points for each entry right."]),
        (rule(rule="statements", each=0.5), 2, ["i", "ii", "iii", "iv"], "statement",
         ["0.5 points for each statement circled or left out correctly."]),
        (rule(rule="groups", groups=[{"points": 1, "of": ["weights"], "credit": "the weights"},
                                     {"points": 1, "of": ["biases"], "credit": "the biases"}]),
         2, ["weights", "biases"], "entry",
         ["1 point for the weights, 1 point for the biases."]),
        (rule(rule="all", steps=[{"wrong": 2, "points": 1}]), 2, ["1", "2", "3", "4"], "entry",
         ["2 points for the whole answer; 1 point when at most 2 entries are wrong."]),
    ],
)  # fmt: skip
def test_each_rule_writes_its_grading_note(scoring, points, items, item, said):
    assert notes(scoring, points, items, item) == said


@pytest.mark.parametrize(
    ("table", "phrase"),
    [
        ({"rule": "half"}, "unknown scoring rule 'half'"),
        ({"rule": "groups"}, "needs them"),
        ({"rule": "statements"}, "needs it"),
        ({"rule": "entries", "steps": [{"wrong": 1, "points": 1}]}, "steps go with"),
        ({"rule": "groups", "groups": [{"points": 1, "of": ["v"]}]}, "a scoring group is"),
        ({"rule": "statements", "each": 0}, "above 0"),
        ({"rule": "all", "steps": [{"wrong": 0, "points": 1}]}, "whole number of 1 or more"),
        ({"rules": "all"}, "unknown scoring field 'rules'"),
    ],
)  # fmt: skip
def test_a_declaration_that_is_no_rule_is_refused(table, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse(table)


QUESTION = textwrap.dedent("""\
    id = "made/scored"
    title = "Scored"
    [[parts]]
    label = "a"
    points = 2
    kind = "vector"
    names = ["weights", "biases"]
    {scoring}
    """)
SOLVE = (
    "def sample(rng):\n    return {}\n\ndef solve(params, rng):\n    return {'a': [3, 4]}\n"
    "\ndef closed_form(params):\n    return {'a': [3, 4]}\n"
)


def bank_with(tmp_path, scoring: str):
    from generator.bank.questions import load_bank

    folder = tmp_path / "bank" / "scored"
    folder.mkdir(parents=True)
    (folder / "question.toml").write_text(QUESTION.format(scoring=scoring), encoding="utf-8")
    (folder / "solve.py").write_text(SOLVE, encoding="utf-8")
    (folder / "question.tex.j2").write_text("\\BLOCK{block a}A?\\BLOCK{endblock}\n", "utf-8")
    return load_bank([tmp_path / "bank"])


def test_the_bank_names_the_part_of_a_wrong_declaration(tmp_path):
    with pytest.raises(BankError, match=r"part \(a\): unknown scoring rule 'most'"):
        bank_with(tmp_path, 'scoring = { rule = "most" }')


@pytest.mark.parametrize(
    ("groups", "phrase"),
    [
        ('[{ points = 1, of = ["weights"], credit = "w" }, '
         '{ points = 1, of = ["bias"], credit = "b" }]', "'bias' is none of"),
        ('[{ points = 1, of = ["weights"], credit = "w" }]', "give 1 points, the part 2"),
    ],
)  # fmt: skip
def test_groups_that_do_not_fit_the_answer_stop_the_build(tmp_path, groups, phrase):
    from generator.bank.blueprints import load_blueprint
    from generator.variants.assemble import build_exam
    from generator.variants.seeding import Seeding

    bank = bank_with(tmp_path, f'scoring = {{ rule = "groups", groups = {groups} }}')
    plan = load_blueprint(str(write_blueprint(tmp_path / "b.toml", ["made/scored"])), bank)
    with pytest.raises(AnswerError, match=phrase):
        build_exam(plan, bank, Seeding(1))


# The CS230 parts whose official rubric names partial credit, scored as it says.


def test_1d_gives_a_point_for_the_weights_and_one_for_the_biases(bank):
    qv = variant(bank, "cs230-w2020/neural-network", 3)
    weights, biases = qv.answers["d"].value
    part = part_info("vector", [weights, biases], points=2, names=["weights", "biases"],
                     scoring=msgspec.to_builtins(qv.answers["d"].scoring))  # fmt: skip
    vector = KINDS["vector"]
    assert vector.score(part, f"{weights}; {biases}") == 1
    assert vector.score(part, f"{weights}; {biases + 1}") == 0.5  # 1 of 2 points
    assert vector.score(part, f"{weights + 1}; {biases + 1}") == 0


def test_4a_gives_half_a_point_per_statement(bank):
    qv = variant(bank, "cs230-w2020/batch-normalization", 5)
    answer = qv.answers["a"]
    options = answer.details["options"]
    part = part_info("multi", list(answer.value), points=2, options=options,
                     scoring=msgspec.to_builtins(answer.scoring))  # fmt: skip
    right = [o["label"] for o in options if o["correct"]]
    wrong = [o["label"] for o in options if not o["correct"]]
    multi = KINDS["multi"]
    assert multi.score(part, "; ".join(right)) == 1
    # one true statement missed and one false one circled: 2 of 4 statements right
    assert multi.score(part, "; ".join([*right[1:], wrong[0]])) * 2 == pytest.approx(1)


def test_3d_gives_no_point_for_a_wrong_ordering(bank):
    """The A/B/C labelling of the loss curves: one point, no partial credit."""
    qv = variant(bank, "cs230-w2020/optimization", 2)
    pairs = qv.answers["d"].value
    part = part_info("matching", dict(pairs), scoring={"rule": "all"},
                     options=qv.answers["d"].details["options"])  # fmt: skip
    options = list(pairs.values())
    swapped = dict(zip(pairs, [*options[1:], options[0]], strict=True))  # every pair wrong
    matching = KINDS["matching"]
    assert matching.score(part, "; ".join(f"{k}={v}" for k, v in pairs.items())) == 1
    assert matching.score(part, "; ".join(f"{k}={v}" for k, v in swapped.items())) == 0


# ------------------------------------------------------------------ the CPU budget


def test_the_budget_interrupts_work_that_runs_past_it():
    """The interval timer's signal ends the block (an event, not a measured time)."""
    from generator.kinds import budget

    with pytest.raises(budget.OverBudget), budget.cpu(0.05):
        while True:
            pass
    with budget.cpu(0.05):  # and a block within its budget runs to its end
        total = sum(range(1000))
    assert total == 499500


def test_a_response_over_its_budget_goes_to_a_person_with_the_reason(monkeypatch):
    """Whatever a reader's bounds let through, the judgement ends: never a hang, never a
    silent zero."""
    from generator.kinds import budget

    def forever(self, part, response):
        while True:
            pass

    monkeypatch.setattr(budget, "SECONDS", 0.05)
    monkeypatch.setattr(type(KINDS["number"]), "marks", forever)
    judgement = KINDS["number"].judge(part_info("number", 1.0), "1")
    assert judgement.share is None
    assert "budget" in judgement.reason


# ------------------------------------------------------------------ named mistakes' credit


def test_2d_credits_the_averaging_factor_by_the_rubric(bank):
    """2(d)'s rubric: 1 point for the averaging factor, 2 for the right log term of every
    example.  The log terms right and the factor missing (the sum, m times the cost) is
    the named mistake worth 2; a wrong formula written out goes to a person (only a person
    can find which parts of it are right); a wrong bare value earns nothing."""
    qv = variant(bank, "cs230-w2020/loss-functions", 4)
    labels, predictions = qv.params["labels_d"], qv.params["predictions_d"]
    probabilities = [p if y == 1 else round(1 - p, 10) for y, p in zip(labels, predictions,
                                                                       strict=True)]  # fmt: skip
    logs = " + ".join(f"log({p})" for p in probabilities)
    m = len(labels)
    key = KINDS["number"]
    part = _key_part(qv, "d", points=3)
    assert key.score(part, f"-(1/{m})({logs})") == 1
    assert key.score(part, f"-({logs})") == pytest.approx(2 / 3)
    assert "the averaging factor is missing" in key.mistakes(part, f"-({logs})")
    wrong_logs = logs.replace(f"log({probabilities[0]})", f"log({round(1 - probabilities[0], 10)})")
    judged = key.judge(part, f"-(1/{m})({wrong_logs})")
    assert judged.share is None and "averaging factor" in judged.reason
    assert key.score(part, "123.5") == 0


def _key_part(qv, name: str, points: float):
    """The part's key record as a class build writes it (its scoring and mistake values)."""
    answer = qv.answers[name]
    return part_info(answer.kind, answer.value, tolerance=answer.tolerance.__dict__,
                     scoring=msgspec.to_builtins(answer.scoring), points=points,
                     mistake_values=dict(answer.details.get("mistakes", {})))  # fmt: skip
