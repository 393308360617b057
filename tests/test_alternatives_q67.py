"""Issue 27 for Questions 6 and 7: the parts that had one answer in every copy draw one of
several alternatives, and the key answers the alternative each copy prints.

Every expected answer is written here by hand (the verdict on each claim, the formula
solved from the output-size formula, the cost that answers each question), never read
from the question's code.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
import sympy as sp

from generator.kinds.formula.grading import score
from generator.render.latex import render_blocks

from .conftest import Q6, Q7, SEEDS, part_info, replica, variant


def one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def q6(bank):
    return [variant(bank, Q6, seed) for seed in SEEDS]


@pytest.fixture(scope="module")
def q7(bank):
    return [variant(bank, Q7, seed) for seed in SEEDS]


def asked(qv, key: str, wordings: dict[str, object]) -> str:
    """The one wording of ``wordings`` that part ``key`` of the copy prints."""
    text = one_line(render_blocks(qv)[key])
    found = [w for w in wordings if w in text]
    assert len(found) == 1, (key, found, text)
    return found[0]


# ------------------------------------------------------------------ 6(c): agree or not

# A claim's wording, and whether it is true: FGSM on a logistic regression moves the
# sigmoid's input by epsilon ||w||_1, which grows linearly with the dimension of x.
CLAIMS = {
    r"needed to create the adversarial example increases with the dimension": False,
    r"needed to create an adversarial example can decrease as the dimension": True,
    "changes the output of a logistic regression less when the dimension": False,
    "can change the output of a logistic regression more when the dimension": True,
    r"by at most $\varepsilon$, whatever the dimension of $x$": False,
}


def test_6c_asks_every_claim_and_the_model_answer_decides_it(q6):
    seen = Counter()
    for qv in q6:
        claim = asked(qv, "c", CLAIMS)
        seen[claim] += 1
        answer = qv.answers["c"]
        verdict = "Agree." if CLAIMS[claim] else "Disagree."
        assert answer.value.startswith(verdict), (claim, answer.value)
        assert r"\varepsilon \lVert w \rVert_1" in answer.value  # the argument itself
        credit = "agreeing" if CLAIMS[claim] else "disagreeing"
        assert answer.rubric == (f"Credit for {credit} with a reason: the effect of a fixed "
                                 r"$\varepsilon$ grows linearly with the dimension.",)  # fmt: skip
    assert set(seen) == set(CLAIMS), seen
    assert min(seen.values()) >= 30  # each drawn often: about 1 copy in 5


# ------------------------------------------------------------------ 6(d): which cost

# The question's wording, and the cost that answers it: the non-saturating cost is the one
# to train with; with the saturating one the generator learns slowly at first (its gradient
# vanishes while D(G(z)) is close to 0).
COST_QUESTIONS = {
    "which cost function would you choose to train a GAN?": "Non-saturating cost",
    "with which cost function does the generator learn slowly at the beginning": "Saturating cost",
}


def test_6d_asks_both_questions_and_the_key_picks_the_cost_that_answers_each(q6):
    seen, letters = Counter(), Counter()
    for qv in q6:
        question = asked(qv, "d", COST_QUESTIONS)
        seen[question] += 1
        answer = qv.answers["d"]
        options = answer.details["options"]
        texts = [o["text"] for o in options]
        assert sorted(texts) == sorted(["Saturating cost", "Non-saturating cost",
                                        "No difference: the two costs give the generator the "
                                        "same gradients"])  # fmt: skip
        assert answer.value == "ABC"[texts.index(COST_QUESTIONS[question])]
        letters[answer.value] += 1
        assert [o["correct"] for o in options] == [o == answer.value for o in "ABC"]
    assert set(seen) == set(COST_QUESTIONS), seen
    assert set(letters) == {"A", "B", "C"} and min(letters.values()) >= 60, letters


# ------------------------------------------------------------------ 6(e): GAN losses

# The situation's wording, and what its model answer must say about it.
LOSS_QUESTIONS = {
    "approximately the same as they were at the end of the first epoch": "equal losses",
    "the generator's loss is higher than it was": "higher loss does not mean worse images",
    "the discriminator's loss is lower than it was": "discriminator may have improved faster",
    "You train two standard GANs": "measured against its own discriminator",
    "as soon as the generator's loss stops decreasing": "unlike a validation loss",
}


def test_6e_asks_every_situation_and_the_model_answer_explains_it(q6):
    seen = Counter()
    for qv in q6:
        situation = asked(qv, "e", LOSS_QUESTIONS)
        seen[situation] += 1
        answer = qv.answers["e"]
        assert LOSS_QUESTIONS[situation] in answer.value, (situation, answer.value)
        assert "measured against" in answer.value or "with respect to" in answer.value
        (rubric,) = answer.rubric
        assert "measured against the other network" in rubric
    assert set(seen) == set(LOSS_QUESTIONS), seen


def test_6_replica_asks_the_original_questions(bank):
    qv = replica(bank, Q6)
    blocks = {key: one_line(text) for key, text in render_blocks(qv).items()}
    assert blocks["c"].startswith(r"The magnitude of $\varepsilon$ needed to create the "
                                  r"adversarial example increases with the dimension of $x$. "
                                  "Do you agree with this statement?")  # fmt: skip
    assert qv.answers["c"].value.startswith("Disagree.")
    assert blocks["d"].startswith(
        "Given the two options of (A) saturating cost and (B) "
        "non-saturating cost, which cost function would you choose"
    )
    assert qv.answers["d"].value == "B"  # the official answer: the non-saturating cost
    assert (
        "At the end of epoch 100, the values of the loss functions are approximately"
        in (blocks["e"])
    )
    assert "with respect to a discriminator" in qv.answers["e"].value


# ------------------------------------------------------------------ 7(a): which layer

# The layer's wording, and what the model answer says it does to the output volume.
LAYERS = {
    r"use a $1 \times 1$ convolution": ("number of channels", "preserving the spatial"),
    r"use a $2 \times 2$ max-pooling layer with a stride of $2$": (
        "halves the height and width", "keeping its number of channels"),
    "use a global average pooling layer": (r"becomes $1 \times 1 \times n_C$",),
    "use a transposed convolution": ("larger height and width",),
}  # fmt: skip


def test_7a_asks_every_layer_and_the_model_answer_says_what_it_does(q7):
    seen = Counter()
    for qv in q7:
        layer = asked(qv, "a", LAYERS)
        seen[layer] += 1
        answer = qv.answers["a"]
        for phrase in LAYERS[layer]:
            assert phrase in answer.value, (layer, answer.value)
        assert len(answer.rubric) == 1 and answer.rubric[0].startswith("Credit for")
        assert "achieve in terms of the resulting output volume" in one_line(render_blocks(qv)["a"])
    assert set(seen) == set(LAYERS), seen


# ------------------------------------------------------------------ 7(b): solve for p or f

F = sp.Symbol("f")
P = sp.Symbol("p")
N = sp.Symbol("n")
UNKNOWNS = {
    "the padding of a 2D CONV layer to be (as a function of the filter width $f$)": P,
    "the filter width of a 2D CONV layer to be (as a function of the padding $p$)": F,
}
TARGETS = {"the output has the same dimension as the input": N,
           "height and width are each $2$ less than the input's": N - 2,
           "height and width are each $2$ more than the input's": N + 2}  # fmt: skip
# By hand: n + 2p - f + 1 = target, for each unknown and target, as a student writes it.
BY_HAND = {(P, N): "(f - 1)/2", (P, N - 2): "(f - 3)/2", (P, N + 2): "(f + 1)/2",
           (F, N): "2p + 1", (F, N - 2): "2p + 3", (F, N + 2): "2p - 1"}  # fmt: skip


def key_formula(qv) -> tuple[str, sp.Basic]:
    (formula,) = qv.answers["b"].value
    rhs = sp.sympify(formula["sympy"]).subs({s: sp.Symbol(s.name) for s in
                                            sp.sympify(formula["sympy"]).free_symbols})  # fmt: skip
    return formula["lhs"], rhs


def test_7b_asks_every_unknown_and_target_and_the_key_solves_the_output_size(q7):
    records = {}
    for qv in q7:
        unknown = UNKNOWNS[asked(qv, "b", UNKNOWNS)]
        target = TARGETS[asked(qv, "b", TARGETS)]
        (solved,) = sp.solve(sp.Eq(N + 2 * P - F + 1, target), unknown)
        lhs, rhs = key_formula(qv)
        assert lhs == unknown.name and sp.simplify(rhs - solved) == 0, (lhs, rhs, solved)
        by_hand = sp.sympify(BY_HAND[unknown, target].replace("2p", "2*p"))
        assert sp.simplify(by_hand - solved) == 0
        records.setdefault((unknown, target), qv)
    assert set(records) == set(BY_HAND)
    # A neighbour's formula for another alternative earns nothing (0, or a person's look
    # when it names a letter the copy's formula has not: then the person marks it wrong).
    for where, qv in records.items():
        answer = qv.answers["b"]
        record = part_info("expression", answer.value, alternatives=list(answer.alternatives))
        for other, text in BY_HAND.items():
            expected = {1.0} if other == where else {0.0, None}
            assert score(record, text) in expected, (where, text)


# ------------------------------------------------------------------ 7(c), 7(d): same steps


def test_7c_always_pads_and_strides_and_7d_always_multiplies_by_the_depth(q7):
    strides, paddings = Counter(), Counter()
    for qv in q7:
        p = qv.params
        assert p["stride"] >= 2 and p["padding"] >= 1 and p["channels"] >= 3
        assert p["padding"] <= (p["kernel"] - 1) // 2
        block = one_line(render_blocks(qv)["c"])
        assert f"zero padding of ${p['padding']}$, a stride of ${p['stride']}$" in block
        sides = [(n + 2 * p["padding"] - p["kernel"]) / p["stride"] + 1
                 for n in (p["height"], p["width"])]  # fmt: skip
        assert all(s == int(s) for s in sides)
        assert qv.answers["c"].value == [*map(int, sides), p["filters"]]
        weights = p["kernel"] * p["kernel"] * p["channels"] * p["filters"]
        assert qv.answers["d"].value == weights + p["filters"]
        strides[p["stride"]] += 1
        paddings[p["padding"]] += 1
    assert set(strides) == {2, 3} and set(paddings) == {1, 2, 3}


def test_7_replica_asks_the_original_questions(bank):
    qv = replica(bank, Q7)
    blocks = {key: one_line(text) for key, text in render_blocks(qv).items()}
    assert blocks["a"].startswith(r"Give a reason why one would use a $1 \times 1$ "
                                  r"convolution. Hint: what does performing a $1 \times 1$ "
                                  "convolution achieve")  # fmt: skip
    assert "reduces) the number of channels" in qv.answers["a"].value
    assert blocks["b"] == (
        "What would you set the padding of a 2D CONV layer to be (as a "
        "function of the filter width $f$) to ensure that the output has "
        "the same dimension as the input? Assume the stride is 1."
    )
    lhs, rhs = key_formula(qv)
    assert lhs == "p" and sp.simplify(rhs - (F - 1) / 2) == 0
    assert "no padding (padding $0$), a stride of $1$" in blocks["c"]


# ------------------------------------------------------------------ steps


@pytest.mark.parametrize(("qid", "keys"), [(Q6, {"a", "c", "d", "e"}),
                                           (Q7, {"a", "b", "c", "d"})])  # fmt: skip
def test_every_alternative_of_a_part_declares_the_same_steps(bank, qid, keys):
    declared = set()
    for seed in range(0, 300, 3):
        qv = variant(bank, qid, seed)
        steps = qv.question.solve(qv.params, np.random.default_rng(seed))["steps"]
        assert keys <= set(steps), (seed, sorted(steps))
        # 6(a)'s steps are its statement pool's (tiers), not this file's concern
        mine = {k: tuple(v) for k, v in steps.items() if k != "a" or qid == Q7}
        declared.add(tuple(sorted(mine.items())))
    assert len(declared) == 1, declared
