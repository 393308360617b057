"""Questions 2 to 6 against closed forms and second implementations, over hundreds of seeds."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest
import sympy as sp

from .conftest import Q1, Q2, Q3, Q4, Q5, Q6, Q7, SEEDS, replica, values, variant


def parsed(formula: dict) -> sp.Expr:
    """A key formula read back from its sympy text, as an auditor would."""
    return sp.sympify(formula["sympy"])


@pytest.mark.parametrize("seed", SEEDS)
def test_question2_losses_follow_the_closed_forms(bank, seed):
    qv = variant(bank, Q2, seed)
    p, a = qv.params, qv.answers

    def log_term(y, yhat):  # the probability given to the true label, by hand: yhat
        # estimates the probability of label p["yhat_label"] (1 as in the original, or 0)
        return math.log(yhat) if y == p["yhat_label"] else math.log(1 - yhat)

    assert a["c"].value == pytest.approx(-log_term(p["label_c"], p["prediction_c"]), abs=1e-12)
    m = len(p["labels_d"])
    assert 3 <= m <= 5
    expected = -sum(map(log_term, p["labels_d"], p["predictions_d"])) / m
    assert a["d"].value == pytest.approx(expected, abs=1e-12)
    for part in ("c", "d"):  # the printed formula is the value, read back from the key
        formula = a[part].details["formula"]
        assert float(parsed(formula).doit()) == pytest.approx(a[part].value, abs=1e-9)
        assert r"\log" in formula["latex"]
    for prediction in [p["prediction_c"], *p["predictions_d"]]:
        assert Decimal(str(prediction)) * 10 % 1 == 0 and 0 < prediction < 1  # whole tenths
    W, alpha, lam, grad, m = (sp.Symbol(n) for n in ("W", "alpha", "lam", "dJdW", "m"))
    scale = sp.Rational(1, 2) if p["penalty_half"] else 1  # the penalty: scale lambda W^2
    scale = scale / m if p["penalty_per_m"] else scale  # or scale lambda W^2 / m
    (update,) = a["e.i"].value
    assert sp.simplify(parsed(update) - (W - alpha * (grad + 2 * scale * lam * W))) == 0
    assert a["g.i"].value == 2 + len(p["measurements"])  # the quality label, the weight, ...


@pytest.mark.parametrize("seed", SEEDS)
def test_question3_curve_labels_and_momentum(bank, seed):
    qv = variant(bank, Q3, seed)
    p, a = qv.params, qv.answers
    assert sorted(p["curve_order"]) == ["BGD", "MBGD", "SGD"]
    assert a["d"].value == dict(zip("ABC", p["curve_order"], strict=True))
    panels = qv.figures["curves"].panels
    assert [panel.label for panel in panels] == ["A", "B", "C"]
    rough = {m: np.mean(np.abs(np.diff(panel.values))) / np.mean(panel.values)
             for m, panel in zip(p["curve_order"], panels, strict=True)}  # fmt: skip
    assert rough["BGD"] < rough["MBGD"] < rough["SGD"]  # the figure really shows the answer
    # 3(f)(i): momentum or RMSProp, learning rate and decay named alpha and beta (the
    # course) or eta and gamma (Ruder's overview), as the question says
    W, V, S, grad = sp.symbols("W V S dJdW")
    alpha, beta = (sp.Symbol(p["notation"][k]) for k in ("lr", "decay"))
    assert {str(alpha), str(beta)} in ({"alpha", "beta"}, {"eta", "gamma"})
    average, update = a["f.i"].value
    if p["optimizer"]["id"] == "momentum":
        assert (average["lhs"], update["lhs"]) == ("V", "W")
        assert sp.simplify(parsed(average) - (beta * V + (1 - beta) * grad)) == 0
        assert sp.simplify(parsed(update) - (W - alpha * V)) == 0
    else:
        assert (average["lhs"], update["lhs"]) == ("S", "W")
        assert sp.simplify(parsed(average) - (beta * S + (1 - beta) * grad**2)) == 0
        assert sp.simplify(parsed(update) - (W - alpha * grad / sp.sqrt(S))) == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_question4_parameter_count_and_statements(bank, seed):
    qv = variant(bank, Q4, seed)
    p, a = qv.params, values(qv)
    assert a["e"] == p["n_in"] * p["n_out"] + 2 * p["n_out"]
    assert 10 <= p["n_in"] <= 100 and 10 <= p["n_out"] <= 100
    options = qv.answers["a"].details["options"]
    assert len(options) == 4 and len({o["text"] for o in options}) == 4
    assert a["a"] == [o["label"] for o in options if o["correct"]]
    assert 1 <= len(a["a"]) <= 3  # never all true, never all false
    assert all(o["mistake"] for o in options if not o["correct"])


@pytest.mark.parametrize("seed", SEEDS)
def test_question5_best_estimate_is_the_group_of_experts(bank, seed):
    qv = variant(bank, Q5, seed)
    p = qv.params
    f1 = p["f1"]
    assert f1["student"] < f1["single"] < f1["group"] < 1
    options = qv.answers["c"].details["options"]
    correct = "ABC"[p["option_order"].index("group")]
    assert qv.answers["c"].value == correct
    assert [o["label"] for o in options if o["correct"]] == [correct]
    assert {o["mistake"] for o in options if not o["correct"]} == {
        "non-expert-performance", "typical-expert-not-best"
    }  # fmt: skip
    assert 0 < p["positives"] < p["examples"] / 2


@pytest.mark.parametrize("seed", SEEDS)
def test_question6_fgsm_matches_exact_decimal_arithmetic(bank, seed):
    qv = variant(bank, Q6, seed)
    p, a = qv.params, values(qv)
    assert 3 <= len(p["x"]) <= 5 and all(g != 0 for g in p["grad"])
    eps = Decimal(str(p["epsilon"]))
    expected = [
        Decimal(x) + (eps if g > 0 else -eps) for x, g in zip(p["x"], p["grad"], strict=True)
    ]
    assert [Decimal(str(v)) for v in a["b"]] == expected
    # The cost to choose is the non-saturating one; the generator learns slowly with the
    # saturating one (its gradient vanishes while D(G(z)) is close to 0).
    right = {"choose": "non-saturating", "slow": "saturating"}[p["cost_question"]["id"]]
    assert len(p["cost_order"]) == 3
    assert a["d"] == "ABC"[p["cost_order"].index(right)]
    assert 1 <= len(a["a"]) <= 3


@pytest.mark.parametrize("seed", range(50))
def test_every_key_formula_parses_back(bank, blueprint, seed):
    for qid in blueprint.question_ids:
        for answer in variant(bank, qid, seed).answers.values():
            formulas = answer.value if answer.kind == "expression" else []
            formulas += [answer.details["formula"]] if "formula" in answer.details else []
            for formula in formulas:
                assert isinstance(parsed(formula), sp.Basic), formula


def test_two_seeds_differ_in_numbers_statements_orders_and_figures(bank):
    first, second = ({q: variant(bank, q, seed) for q in (Q2, Q3, Q4, Q5, Q6)} for seed in (42, 43))
    for q in (Q2, Q3, Q4, Q5, Q6):
        assert first[q].params != second[q].params
    curves = [v[Q3].figures["curves"].panels[0].values for v in (first, second)]
    assert curves[0] != curves[1]
    assert first[Q4].params["statements"] != second[Q4].params["statements"]


def test_option_orders_use_every_position(bank):
    """Across seeds the correct option of 5(c) and 6(d) lands in every position (6(d) lists
    three options in every copy, the original's two in the replica)."""
    positions_5c = {variant(bank, Q5, s).answers["c"].value for s in range(60)}
    positions_6d = {variant(bank, Q6, s).answers["d"].value for s in range(60)}
    assert positions_5c == {"A", "B", "C"}
    assert positions_6d == {"A", "B", "C"}


@pytest.mark.parametrize("qid", [Q1, Q2, Q3, Q4, Q5, Q6, Q7])
def test_rendered_text_never_glues_a_word_to_the_text_before(bank, qid):
    """Jinja's trim_blocks eats the newline after a block tag: ``($y = 0$)\\BLOCK{endif}``
    at the end of a line glued the next word on ("($y = 0$)example")."""
    import re

    from generator.render.latex import render_blocks

    for seed in range(40):
        for name, text in render_blocks(variant(bank, qid, seed)).items():
            glued = re.search(r"[)}.,;:?][A-Za-z]{2,}", text)
            assert glued is None, f"{qid} block {name}, seed {seed}: {glued.group()!r}"


def test_6d_names_its_options_in_the_order_it_lists_them(bank):
    """The replica's 6(d) asks "(A) ... cost and (B) ... cost" and lists A. then B.: the cost
    the text puts after (A) is option A's (seeds 43, 7, 1000, 123456 once read "(B)
    saturating cost and (A) non-saturating cost" above A. Non-saturating).  The copies list
    three options, which their text names by no letter, so it cannot name them out of order."""
    import re

    from generator.render.latex import render_blocks

    seeds = [*range(300), 43, 7, 1000, 123456]
    for seed, qv in [(None, replica(bank, Q6)), *((s, variant(bank, Q6, s)) for s in seeds)]:
        text = " ".join(render_blocks(qv)["d"].split())
        named = re.findall(r"\(([A-C])\) ((?:non-)?saturating) cost", text)
        options = [o["text"].lower() for o in qv.answers["d"].details["options"]]
        if seed is None:
            assert [letter for letter, _ in named] == ["A", "B"], text
            assert [f"{cost} cost" for _, cost in named] == options
        else:
            assert not named and len(options) == 3, (seed, text)
