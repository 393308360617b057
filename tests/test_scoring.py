"""A part's rubric as data: each rule's points worked out by hand, the notes it writes, the
declarations the bank refuses, and the CS230 parts scored as their official rubric says."""

from __future__ import annotations

import textwrap

import msgspec
import pytest

from generator.errors import AnswerError, BankError
from generator.key.records import ScoringInfo
from generator.kinds import KINDS
from generator.kinds.scoring import Marked, check, judge, notes, parse, share

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


# A group's named near miss (4(b): "0.5 points off the train-statistics point, once for
# both lines" when only keepdims=True is missing).

KEEPDIMS = {"points": 0.5, "mistake": "keepdims missing", "repair": "keepdims"}
TRAIN = {"points": 1, "of": ["mu_train", "var_train"], "credit": "the train statistics",
         "near": [KEEPDIMS]}  # fmt: skip
BATCHNORM = rule(rule="groups", groups=[
    TRAIN,
    {"points": 1, "of": ["mu_test", "var_test"], "credit": "the test statistics"},
    {"points": 1, "of": ["z_norm", "out"], "credit": "the normalisation and scaling"},
])  # fmt: skip
LINES = ["mu_train", "var_train", "mu_test", "var_test", "z_norm", "out"]


def marked(wrong: list[str], repaired: list[str]) -> Marked:
    return Marked({i: i not in wrong for i in LINES}, {"keepdims": frozenset(repaired)})


@pytest.mark.parametrize(
    ("marks", "earned", "named"),
    [
        (marked([], []), 3, []),
        (marked(["mu_train", "var_train"], ["mu_train", "var_train"]), 2.5, ["keepdims missing"]),
        (marked(["mu_train"], ["mu_train"]), 2.5, ["keepdims missing"]),  # once for both lines
        (marked(["mu_train", "var_train"], ["mu_train"]), 2, []),  # var has another mistake
        (marked(["mu_train", "out"], ["mu_train"]), 1.5, ["keepdims missing"]),
        (marked(["mu_test"], ["mu_test"]), 2, []),  # the test statistics name no near miss
        ({i: i != "var_train" for i in LINES}, 2, []),  # marks that say of no repair
    ],
)  # fmt: skip
def test_a_near_miss_earns_its_points_once_for_its_group(marks, earned, named):
    assert share(BATCHNORM, 3, marks) * 3 == pytest.approx(earned)
    judgement = judge(BATCHNORM, 3, marks)
    assert judgement.share * 3 == pytest.approx(earned) and list(judgement.mistakes) == named


def test_the_grading_note_states_the_near_miss():
    assert notes(BATCHNORM, 3, LINES, "line") == [
        "1 point for the train statistics (0.5 points if the only mistake is keepdims "
        "missing), 1 point for the test statistics, 1 point for the normalisation and scaling."
    ]


def test_4b_declares_its_near_miss_and_its_solutions_print_it(bank):
    answer = variant(bank, "cs230-w2020/batch-normalization", 1).answers["b"]
    (train, *_) = answer.scoring.groups
    assert msgspec.to_builtins(train) == TRAIN
    assert answer.rubric[0].startswith(
        "1 point for the train statistics (0.5 points if the only mistake is keepdims missing)"
    )


@pytest.mark.parametrize(
    ("near", "phrase"),
    [
        ([], "lists its near misses"),
        ("keepdims", "lists its near misses"),
        ([{"points": 0.5, "mistake": "keepdims missing"}], "a near miss is"),
        ([{"points": 0.5, "mistake": "", "repair": "keepdims"}], "'mistake' is a name"),
        ([{"points": 0, "mistake": "m", "repair": "keepdims"}], "above 0"),
    ],
)
def test_a_near_miss_that_is_none_is_refused(near, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse({"rule": "groups", "groups": [{**TRAIN, "near": near}]})


@pytest.mark.parametrize(
    ("near", "repairs", "phrase"),
    [
        ({"points": 1, "mistake": "m", "repair": "keepdims"}, ("keepdims",), "its whole points"),
        ({"points": 0.5, "mistake": "m", "repair": "keepdims"}, (), "this kind knows none"),
        ({"points": 0.5, "mistake": "m", "repair": "axis"}, ("keepdims",),
         "names the repair 'axis'; this kind knows keepdims"),
    ],
)  # fmt: skip
def test_a_near_miss_must_fit_its_group_and_its_kind(near, repairs, phrase):
    scoring = rule(rule="groups", groups=[{**TRAIN, "near": [near]}])
    with pytest.raises(ValueError, match=phrase):
        check(scoring, 1, ["mu_train", "var_train"], repairs)
    check(rule(rule="groups", groups=[TRAIN]), 1, ["mu_train", "var_train"], ("keepdims",))


def test_a_part_whose_kind_knows_no_repair_stops_the_build(tmp_path):
    from generator.bank.blueprints import load_blueprint
    from generator.variants.assemble import build_exam
    from generator.variants.seeding import Seeding

    groups = ('[{ points = 1, of = ["weights"], credit = "w", near = [{ points = 0.5, '
              'mistake = "m", repair = "keepdims" }] }, { points = 1, of = ["biases"], '
              'credit = "b" }]')  # fmt: skip
    bank = bank_with(tmp_path, f'scoring = {{ rule = "groups", groups = {groups} }}')
    plan = load_blueprint(str(write_blueprint(tmp_path / "b.toml", ["made/scored"])), bank)
    with pytest.raises(AnswerError, match="this kind knows none"):
        build_exam(plan, bank, Seeding(1))


def test_the_near_field_is_optional_in_the_key_and_its_schema(bank):
    """A format-2 key written before near misses existed reads as it did; the schema made
    from the records holds the new field, optional."""
    from generator.key.records import FORMAT_VERSION, GroupInfo
    from generator.key.schema import schema

    old = {"points": 1, "of": ["v", "s"], "credit": "the moving averages"}
    assert msgspec.to_builtins(msgspec.convert(old, GroupInfo)) == old
    assert FORMAT_VERSION == 2
    group = schema()["$defs"]["GroupInfo"]
    assert "near" in group["properties"] and "near" not in group["required"]
    assert set(schema()["$defs"]["NearInfo"]["required"]) == {"points", "mistake", "repair"}


def test_a_number_whose_arithmetic_runs_away_goes_to_a_person_within_its_budget():
    """Found in review: exp(exp(exp(100))) is bounded as written but not as computed; the
    judgement (the named mistakes included, which read the number again) ends within the
    budget and sends it to a person."""
    part = part_info("number", 0.51, tolerance={"abs": 0.01, "rel": 0},
                     mistake_values={"the minus sign is missing": -0.51})  # fmt: skip
    judgement = KINDS["number"].judge(part, "exp(exp(exp(100)))")
    assert judgement.share is None and judgement.reason
    assert judgement.mistakes == ()
