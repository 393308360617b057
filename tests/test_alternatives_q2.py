"""Question 2's alternatives (issue 27): over the seeds every alternative of every part is
drawn, the copy prints the alternative drawn, and the key answers that alternative.

The expected answers are written here by hand: the phrase a right model answer must
contain, and every formula and number recomputed from the printed parameters.
"""

from __future__ import annotations

import math
from collections import defaultdict

import pytest
import sympy as sp

from generator.render.latex import render_blocks
from generator.variants.assemble import draw_params, first_copy, run_solver

from .conftest import Q2, SEEDS, replica, variant

# (a): the loss proposed, as printed, and what the model answer must say against it.
LOSS_A = {
    "mse": ("the mean squared error (MSE) loss", "upper bound of 1"),
    "error_rate": ("the classification error", "gradient is zero"),
    "positive_only": (r"the loss $-y \log p$", "0 on every negative example"),
}
# (e)(iii): the method contrasted with L2, as printed, and what the model answer names.
CONTRASTS = {
    "l1": ("between L1 and L2 regularization", "sparsity"),
    "dropout": ("between L2 regularization and dropout", "randomly chosen units"),
    "early_stopping": ("between L2 regularization and early stopping", "dev-set error"),
    "augmentation": ("between L2 regularization and data augmentation", "enlarges the"),
}  # fmt: skip
# (f): the question asked about the reused weights, and the answer's gist.
TRANSFERS = {
    "advantage": ("What is one advantage to reusing the weights", "useful for the second task"),
    "output_layer": ("What must you change in its output layer", "linear (or ReLU) output"),
    "small_data": ("The new dataset is small", "only the last layer"),
    "large_data": ("The new dataset is large", "all of the weights"),
}
# (e)(ii): the quantity compared, as printed, and what L2 does to it (model A regularized).
COMPARED = {
    "weights": ("model A's weights to compare", "smaller", "larger"),
    "training cost": ("cost on the training set", "higher", "lower"),
    "gap": ("training-set and dev-set costs", "smaller", "larger"),
}
L2_MODEL = {
    "A": "one model with L2 regularization (model A) and one without",
    "B": "one model without L2 regularization (model A) and one with",
}
# (e)(i): the penalty printed, by (penalty_half, penalty_per_m), and its derivative in W.
W, ALPHA, LAM, GRAD, M = sp.symbols("W alpha lam dJdW m")
PENALTIES = {
    (False, False): (r"$\lambda W^2$", 2 * LAM * W),
    (True, False): (r"$\frac{\lambda}{2} W^2$", LAM * W),
    (True, True): (r"$\frac{\lambda}{2m} W^2$", LAM * W / M),
    (False, True): (r"$\frac{\lambda}{m} W^2$", 2 * LAM * W / M),
}
# (g): what the unified network measures besides the quality label and the weight.
MEASURED = ("its diameter in centimeters", "the number of days since it was picked")


@pytest.fixture(scope="module")
def copies(bank) -> list:
    return [variant(bank, Q2, seed) for seed in SEEDS]


def joined(text: str) -> str:
    """Printed text with its line breaks as spaces, as a reader reads it."""
    return " ".join(text.split())


def drawn(copies, *names: str) -> set:
    return {tuple(qv.params[n] for n in names) for qv in copies}


def test_every_alternative_of_every_part_is_drawn(copies):
    assert drawn(copies, "loss_a") == {(k,) for k in LOSS_A}
    assert drawn(copies, "yhat_label") == {(0,), (1,)}
    assert drawn(copies, "penalty_half", "penalty_per_m") == set(PENALTIES)
    assert drawn(copies, "l2_model", "compared") == {(m, c) for m in L2_MODEL for c in COMPARED}
    assert drawn(copies, "contrast") == {(k,) for k in CONTRASTS}
    assert drawn(copies, "transfer") == {(k,) for k in TRANSFERS}
    assert {len(qv.params["measurements"]) for qv in copies} == {0, 1, 2}


def test_no_part_has_one_answer_in_every_copy(copies):
    answers = defaultdict(set)
    for qv in copies:
        for key, answer in qv.answers.items():
            answers[key].add(repr(answer.value))
    assert {key for key, seen in answers.items() if len(seen) == 1} == set()
    for key in ("a", "e.i", "e.iii", "f", "g.ii"):  # the text parts: three answers or more
        assert len(answers[key]) >= 3, key
    assert len(answers["e.ii"]) == 6 and len(answers["g.i"]) == 3


def test_the_text_parts_answer_the_alternative_printed(copies):
    for qv in copies:
        p, a, blocks = qv.params, qv.answers, render_blocks(qv)
        asked, gist = LOSS_A[p["loss_a"]]
        assert asked in joined(blocks["a"]) and gist in a["a"].value, qv.where
        asked, gist = CONTRASTS[p["contrast"]]
        assert asked in joined(blocks["e_iii"]) and gist in a["e.iii"].value, qv.where
        asked, gist = TRANSFERS[p["transfer"]]
        assert asked in joined(blocks["f"]) and gist in a["f"].value, qv.where
        for key in ("a", "e.iii", "f"):  # each alternative is graded by its own notes
            assert a[key].rubric and a[key].rubric[0].startswith("Credit"), (qv.where, key)
        others = [CONTRASTS[k][1] for k in CONTRASTS if k != p["contrast"]]
        assert not any(gist in a["e.iii"].value for gist in others), qv.where


def test_2e_ii_compares_the_quantity_printed_in_the_direction_l2_moves_it(copies):
    for qv in copies:
        p, text = qv.params, joined(render_blocks(qv)["e_ii"])
        asked, if_a_regularized, if_b_regularized = COMPARED[p["compared"]]
        assert L2_MODEL[p["l2_model"]] in text and asked in text, qv.where
        direction = if_a_regularized if p["l2_model"] == "A" else if_b_regularized
        opposite = if_b_regularized if p["l2_model"] == "A" else if_a_regularized
        answer = qv.answers["e.ii"].value
        assert direction in answer and opposite not in answer, qv.where
        assert direction in qv.answers["e.ii"].rubric[0], qv.where


def parsed(formula: dict) -> sp.Expr:
    return sp.sympify(formula["sympy"])


def bce(y: sp.Expr, p_label_1: sp.Expr) -> sp.Expr:
    return -(y * sp.log(p_label_1) + (1 - y) * sp.log(1 - p_label_1))


def loss(label: int, prediction: float, label_of_yhat: int) -> float:
    """-log of the probability given to the true label: the prediction for the label it
    estimates, 1 minus it for the other."""
    return -math.log(prediction if label == label_of_yhat else 1 - prediction)


def test_2b_to_2d_follow_the_label_whose_probability_the_output_is(copies):
    y, yhat = sp.symbols("y yhat")
    for qv in copies:
        p, a = qv.params, qv.answers
        stem = joined(render_blocks(qv)["stem"])
        named = "(label = 1)." if p["yhat_label"] == 1 else "(label = 0)."
        assert "whose output $\\hat{y}$ is the predicted probability that" in stem
        said = stem.split("predicted probability that")[-1]
        assert said.endswith(named) and ("is not " in said) == (p["yhat_label"] == 0), qv.where
        of_1 = yhat if p["yhat_label"] == 1 else 1 - yhat  # the probability of label 1
        (formula,) = a["b"].value
        assert sp.simplify(parsed(formula) - bce(y, of_1)) == 0, qv.where

        label_of_yhat = p["yhat_label"]
        c = loss(p["label_c"], p["prediction_c"], label_of_yhat)
        assert a["c"].value == pytest.approx(c, abs=1e-12), qv.where
        terms = [loss(y, x, label_of_yhat) for y, x in zip(p["labels_d"], p["predictions_d"],
                                                             strict=True)]  # fmt: skip
        by_hand = sum(terms) / len(terms)
        assert a["d"].value == pytest.approx(by_hand, abs=1e-12), qv.where


def test_2e_i_steps_down_the_gradient_of_the_penalty_printed(copies):
    for qv in copies:
        p = qv.params
        printed, derivative = PENALTIES[p["penalty_half"], p["penalty_per_m"]]
        assert printed in render_blocks(qv)["e_i"], qv.where
        (update,) = qv.answers["e.i"].value
        expected = W - ALPHA * (GRAD + derivative)
        assert sp.simplify(parsed(update) - expected) == 0, qv.where


def test_2g_counts_and_sums_a_term_per_target_printed(copies):
    for qv in copies:
        p, text = qv.params, joined(render_blocks(qv)["g"])
        measured = [m for m in MEASURED if m in text]
        assert measured == p["measurements"], qv.where
        size = 2 + len(measured)  # the quality label, the weight and the others
        assert qv.answers["g.i"].value == size
        assert qv.answers["g.i"].alternatives == (f"${size} \\times 1$", f"$1 \\times {size}$")
        ys, hs = sp.symbols(f"y1:{size + 1}"), sp.symbols(f"yhat1:{size + 1}")
        of_1 = hs[0] if p["yhat_label"] == 1 else 1 - hs[0]
        expected = bce(ys[0], of_1) + sum((y - h) ** 2 for y, h in zip(ys[1:], hs[1:], strict=True))
        (formula,) = qv.answers["g.ii"].value
        assert sp.simplify(parsed(formula) - expected) == 0, qv.where


def test_every_variant_declares_the_same_steps_for_every_part(bank):
    question = bank[Q2]
    seen = defaultdict(set)
    for seed in range(0, 300, 7):
        seeding, copy = first_copy(seed)
        raw = run_solver(question, draw_params(question, seeding, copy), seeding, copy)
        for key, names in raw["steps"].items():
            seen[key].add(tuple(names))
    assert set(seen) == {leaf.key for leaf in question.leaves()}
    assert all(len(names) == 1 for names in seen.values()), seen


def test_the_replica_asks_the_original_alternatives(bank):
    qv = replica(bank, Q2)
    p, a, blocks = qv.params, qv.answers, render_blocks(qv)
    assert (p["loss_a"], p["contrast"], p["transfer"]) == ("mse", "l1", "advantage")
    assert "upper bound of 1" in a["a"].value
    assert "smaller in magnitude" in a["e.ii"].value
    assert "Explain one difference between L1 and L2 regularization." in blocks["e_iii"]
    assert a["g.i"].value == 2
    (update,) = a["e.i"].value
    assert sp.simplify(parsed(update) - (W - ALPHA * (GRAD + 2 * LAM * W))) == 0  # lambda W^2
    y, yhat = sp.symbols("y yhat")
    (formula,) = a["b"].value
    assert sp.simplify(parsed(formula) - bce(y, yhat)) == 0
