"""Issue 27: the parts of Q4 and Q5 that every copy used to answer alike are drawn per copy
among alternatives that need the same steps, each with its own answer.

Over 300 seeds every alternative is drawn, and the key's answer is the one of the
alternative printed: the printed question carries the alternative's wording and the model
answer its own point, both written out here.  4(b) puts the features first in every
copy (so every copy needs keepdims=True, the rubric's near miss), its lines named as the
copy's code names them: a neighbour's lines earn nothing on another naming.  The replica
keeps the original exam's alternative of every part.
"""

from __future__ import annotations

import re
from collections import defaultdict

import msgspec
import numpy as np
import pytest

from generator.check.stress import check_variant, printed_text
from generator.kinds import KINDS

from .conftest import Q4, Q5, SEEDS, part_info, replica, variant

# What each alternative prints (a phrase of its question) and what its model answer says.
ROLES = {  # 4(c)
    "eps": (r"role of the $\epsilon$ hyperparameter", "division by 0"),
    "gamma-beta": (r"learnable parameters $\gamma$ and $\beta$", "scale and the mean"),
    "sqrt": ("role of the square root", "standard deviation"),
    "beta-avg": (r"averaging factor \texttt{beta\_avg}", "past value"),
}
PROBLEMS = {  # 4(d)
    "batch-one": ("with a batch size of 1?", r"always $\beta$"),
    "batch-two": ("with a batch size of 2?", r"$+1$ or $-1$"),
    "one-class": ("examples of one class only", "its own class"),
    "zero-padded": ("all-zero examples", "pulled toward 0"),
}
LEAKS = {  # 5(a)
    "duplicate": ("duplicate all of the positive examples", "copies of the same positive"),
    "augment": ("four altered versions of every positive example", "flipped and rotated"),
    "crops": ("four overlapping crops", "overlapping crops of the same positive image"),
    "patients": ("several images of each patient", "images of the same patient"),
}
CRITERIA = {  # 5(b): the score printed, and the trivial model that reaches it
    "recall": ("achieves 100\\% recall", "always predicts positive"),
    "precision": ("achieves 100\\% precision", "only for the one example it is surest of"),
    "accuracy": ("\\% accuracy on a test set", "always predicts negative"),
}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def drawn(bank) -> dict:
    return {(qid, seed): variant(bank, qid, seed) for qid in (Q4, Q5) for seed in SEEDS}


@pytest.mark.parametrize(
    ("qid", "param", "part", "table"),
    [(Q4, "role", "c", ROLES), (Q4, "problem", "d", PROBLEMS), (Q5, "leak", "a", LEAKS),
     (Q5, "criterion", "b", CRITERIA)],
)  # fmt: skip
def test_every_text_alternative_is_drawn_and_answered_as_printed(drawn, qid, param, part, table):
    seen = set()
    for seed in SEEDS:
        qv = drawn[qid, seed]
        choice = qv.params[param]
        seen.add(choice)
        asked, answered = table[choice]
        assert asked in flat(printed_text(qv)), (seed, choice)
        assert answered in flat(qv.answers[part].value), (seed, choice)
        assert qv.answers[part].rubric, (seed, choice)  # the alternative's own grading notes
        for other, (other_asked, other_answered) in table.items():
            if other != choice:  # the other alternatives are neither asked nor answered
                assert other_asked not in flat(printed_text(qv)), (seed, choice, other)
                assert other_answered not in flat(qv.answers[part].value), (seed, other)
    assert seen == set(table)


def test_5b_accuracy_is_what_always_predicting_negative_scores(drawn):
    for seed in SEEDS:
        qv = drawn[Q5, seed]
        p = qv.params
        assert (p["positives"] * 100) % p["examples"] == 0, seed  # a whole percentage
        negatives = 100 - p["positives"] * 100 // p["examples"]
        if p["criterion"] == "accuracy":
            text = flat(printed_text(qv))
            assert f"achieves {negatives}\\% accuracy" in text, seed
            assert f"also gets {negatives}\\% accuracy" in qv.answers["b"].value, seed


def test_5a_patients_are_fewer_than_images(drawn):
    for seed in SEEDS:
        p = drawn[Q5, seed].params
        assert 2 <= p["examples"] / p["patients"] < 6, seed  # several images per patient


# 4(b): the names of a copy's code, read off what the student sees.

BLANK_LINE = re.compile(r"^\s*(\w+) = _{8,}$", re.M)


def names_seen(qv) -> list[str]:
    """The targets of the blanks as printed, in order (mean, var, mean, var, norm, out)."""
    return BLANK_LINE.findall(printed_text(qv))


def test_4b_puts_the_features_first_with_keepdims_in_every_copy(drawn):
    namings = set()
    for seed in SEEDS:
        qv = drawn[Q4, seed]
        lines = qv.answers["b"].value
        code = qv.answers["b"].details["code"]
        assert "Z -- input, with shape (num_features, num_examples)" in code, seed
        mean, var, mean_again, var_again, norm, out = names_seen(qv)
        assert (mean, var) == (mean_again, var_again), seed
        assert lines["mu_train"] == f"{mean} = np.mean(Z, axis=1, keepdims=True)", seed
        assert lines["var_train"] == f"{var} = np.var(Z, axis=1, keepdims=True)", seed
        assert lines["mu_test"] == f"{mean} = cache_dict['mu']", seed
        assert lines["var_test"] == f"{var} = cache_dict['var']", seed
        assert lines["z_norm"] == f"{norm} = (Z - {mean}) / np.sqrt({var} + eps)", seed
        assert lines["out"] == f"{out} = gamma * {norm} + beta", seed
        assert code.rstrip().endswith(f"return {out}"), seed
        namings.add((mean, var, norm, out))
    assert len(namings) == 6
    # every name differs from one naming to the next: a neighbour's line fills no blank
    for position in range(4):
        assert len({naming[position] for naming in namings}) == 6


def scored(qv) -> object:
    answer = qv.answers["b"]
    return part_info("code", dict(answer.value), code=answer.details["code"], points=3,
                     scoring=msgspec.to_builtins(answer.scoring))  # fmt: skip


def test_4b_a_neighbours_lines_earn_nothing_on_another_naming(drawn):
    by_naming = defaultdict(list)
    for seed in SEEDS[:80]:
        qv = drawn[Q4, seed]
        by_naming[qv.params["naming"]].append(scored(qv))
    assert len(by_naming) == 6
    kind = KINDS["code"]
    for naming, records in by_naming.items():
        own = records[0]
        for other, theirs in by_naming.items():
            share = kind.score(own, kind.cell(theirs[0]))
            assert share == (1.0 if other == naming else 0.0), (naming, other)


def test_4b_keepdims_left_out_costs_half_a_point_in_every_naming(drawn):
    """The rubric's near miss fits every copy: 2.5 of 3, the mistake named."""
    seen = set()
    for seed in SEEDS[:80]:
        qv = drawn[Q4, seed]
        if qv.params["naming"] in seen:
            continue
        seen.add(qv.params["naming"])
        record = scored(qv)
        lines = {k: v.replace(", keepdims=True", "") for k, v in record.answer.items()}
        judgement = KINDS["code"].judge(record, "\n".join(lines.values()))
        assert judgement.share * 3 == pytest.approx(2.5), seed
        assert list(judgement.mistakes) == ["keepdims missing"], seed
    assert len(seen) == 6


def test_4b_the_key_computes_batch_norm_by_hand(drawn):
    """Each naming's lines, run, standardize each feature over the examples (axis 1)."""
    done = set()
    rng = np.random.default_rng(7)
    for seed in SEEDS:
        qv = drawn[Q4, seed]
        if qv.params["naming"] in done:
            continue
        done.add(qv.params["naming"])
        answer = qv.answers["b"]
        source = answer.details["code"]
        for blank, line in answer.value.items():
            source = source.replace(f"@@{blank}@@", line)
        namespace = {"np": np}
        exec(compile(source, "<4b>", "exec"), namespace)
        Z = rng.standard_normal((4, 9)) * 2 + 1
        gamma, beta = rng.standard_normal((4, 1)), rng.standard_normal((4, 1))
        cache = {"mu": np.zeros((4, 1)), "var": np.ones((4, 1))}
        eps = float(qv.params["eps"])
        rows = [(z - z.mean()) / np.sqrt(z.var() + eps) for z in Z]
        got = namespace["forward_batchnorm"](Z, gamma, beta, cache, "train")
        assert np.allclose(got, gamma * np.array(rows) + beta), seed
    assert len(done) == 6


def test_every_alternative_of_a_part_declares_the_same_steps(bank):
    steps = defaultdict(set)
    for qid in (Q4, Q5):
        for seed in range(60):
            draw, findings = check_variant(bank[qid], seed)
            assert draw is not None and not findings, (qid, seed, findings)
            for part, names in draw.steps.items():
                steps[qid, part].add(tuple(names))
    assert set(steps) >= {(Q4, "b"), (Q4, "c"), (Q4, "d"), (Q5, "a"), (Q5, "b")}
    assert all(len(found) == 1 for found in steps.values()), steps
    (code_steps,) = steps[Q4, "b"]
    assert sum("keepdims" in step for step in code_steps) == 2  # the mean and the variance


def test_the_replica_keeps_the_original_exams_alternatives(bank):
    q4, q5 = replica(bank, Q4), replica(bank, Q5)
    assert (q4.params["role"], q4.params["problem"]) == ("eps", "batch-one")
    assert (q5.params["leak"], q5.params["criterion"]) == ("duplicate", "recall")
    # the official solutions, in the seed exam's words
    assert q4.answers["c"].value == "It prevents division by 0 for features whose variance is 0."
    assert r"always $\beta$" in q4.answers["d"].value
    assert "Duplicating before splitting leaks training data" in q5.answers["a"].value
    assert "always predicts positive also gets 100\\% recall" in q5.answers["b"].value
    assert q4.answers["b"].value == {
        "mu_train": "mu = np.mean(Z, axis=0)", "var_train": "var = np.var(Z, axis=0)",
        "mu_test": "mu = cache_dict['mu']", "var_test": "var = cache_dict['var']",
        "z_norm": "Z_norm = (Z - mu) / np.sqrt(var + eps)", "out": "out = gamma * Z_norm + beta",
    }  # fmt: skip
    text = flat(printed_text(q5))
    assert "500 examples in total, of which only 175 were examples of preterm births" in text
    assert "you decide to duplicate all of the positive examples, and then split" in text
    assert "should absolutely not miss preterm births, but false positives are okay" in text
    assert "What is the role of the $\\epsilon$ hyperparameter" in flat(printed_text(q4))
