"""Question 3's alternatives (issue 27): every part but (d) asks one of several questions
per copy.  Over 300 seeds every alternative of each part is drawn, the printed question
is the one drawn, and the key answers that question: model answers checked against what
the official solutions and the textbook say, by hand here; formulas and code against
the update rules written out in this file.
"""

from __future__ import annotations

import copy
import re

import msgspec
import numpy as np
import pytest
import sympy as sp

from generator.kinds import KINDS
from generator.render.latex import render_blocks

from .conftest import Q3, SEEDS, part_info, replica, variant


@pytest.fixture(scope="module")
def drawn(bank) -> dict:
    """Every seed's variant of question 3 and its printed blocks, spaces made single."""
    out = {}
    for seed in SEEDS:
        qv = variant(bank, Q3, seed)
        out[seed] = (qv, {k: " ".join(v.split()) for k, v in render_blocks(qv).items()})
    return out


def parsed(formula: dict) -> sp.Expr:
    return sp.sympify(formula["sympy"])


# (a): the optimizer named in the question, and the verdict the answer must give.  Data
# stored class by class: an update that sees the whole dataset does not care about its
# order; one that sees a slice of it in the stored order sees one class at a time.
SHUFFLES = {
    "batch": ("You use batch gradient descent (BGD) to optimize", "No.", "entire dataset"),
    "stochastic": ("You use stochastic gradient descent (SGD) (i.e.\\ batch size of 1) to",
                   "Yes.", "one class after another"),
    "mini-batch": ("You use mini-batch gradient descent (MBGD) with mini-batches of 64 "
                   "examples to", "Yes.", "one class (or two)"),
    "full-mini-batch": ("mini-batch size equal to the number of training examples to",
                        "No.", "entire dataset"),
}  # fmt: skip


def test_3a_asks_each_optimizer_and_answers_its_verdict(drawn):
    seen = set()
    for seed, (qv, blocks) in drawn.items():
        shuffle = qv.params["shuffle"]["id"]
        seen.add(shuffle)
        printed, verdict, reason = SHUFFLES[shuffle]
        assert printed in blocks["a"], seed
        assert "not shuffling the training data" in blocks["a"]
        answer = qv.answers["a"].value
        assert answer.startswith(verdict) and reason in answer, seed
        assert qv.answers["a"].rubric[0].startswith(f"Credit for {verdict[:-1].lower()}")
    assert seen == set(SHUFFLES)


# (b) and (c): a word the model answer must hold for each comparison (what the first
# method does better), as the official solutions and the lectures give it.
ADVANTAGES = {
    ("MBGD", "SGD"): "vectorization",
    ("SGD", "MBGD"): "single example",
    ("BGD", "SGD"): "exact gradient",
    ("MBGD", "BGD"): "GPU memory",
    ("BGD", "MBGD"): "exact gradient",
    ("SGD", "BGD"): "single example",
}
FULL = {
    "BGD": "batch gradient descent (BGD)",
    "MBGD": "mini-batch gradient descent (MBGD)",
    "SGD": "stochastic gradient descent (SGD) (i.e.\\ batch size of 1)",
}


def test_3b_and_3c_ask_two_different_comparisons_each_with_its_advantage(drawn):
    seen = {"b": set(), "c": set()}
    for seed, (qv, blocks) in drawn.items():
        pairs = {}
        for part in ("b", "c"):
            pair = (qv.params[f"compare_{part}"]["first"], qv.params[f"compare_{part}"]["second"])
            pairs[part] = pair
            seen[part].add(pair)
            assert ADVANTAGES[pair] in qv.answers[part].value, (seed, pair)
        first, second = pairs["b"]
        assert f"using {FULL[first]} or {FULL[second]}." in blocks["b"], seed
        assert f"Give one reason to choose {first} over {second}." in blocks["b"], seed
        # (c) names a method by its abbreviation once (a) or (b) has spelled it out
        spelled = {first, second} | {m for m in FULL if f"({m})" in blocks["a"]}
        named = [m if m in spelled else FULL[m] for m in pairs["c"]]
        assert f"Give one reason to use {named[0]} over {named[1]}." in blocks["c"], seed
        assert pairs["c"] not in (pairs["b"], pairs["b"][::-1]), seed
    assert seen["b"] == seen["c"] == set(ADVANTAGES)


# (e): the learning-rate setting asked and what its cost curve shows.
SIGNS = {
    "too large": "oscillates wildly",
    "too small": "decreases very slowly",
    "well chosen": "levels off smoothly",
    "good at the start of training but too large later on": "plateau",
}


def test_3e_asks_two_different_settings_each_with_its_sign(drawn):
    seen = {"e.i": set(), "e.ii": set()}
    for seed, (qv, blocks) in drawn.items():
        asked = []
        for part in ("e.i", "e.ii"):
            block = blocks[part.replace(".", "_")]
            found = [s for s in SIGNS if f"sign of a learning rate being {s}?" in block]
            assert len(found) == 1, (seed, part)
            assert SIGNS[found[0]] in qv.answers[part].value, (seed, part)
            seen[part].add(found[0])
            asked += found
        assert asked[0] != asked[1], seed
    assert seen["e.i"] == seen["e.ii"] == set(SIGNS)


def by_hand(optimizer: str, w, a, g, lr: float, decay: float):
    """One step of momentum or RMSProp (no epsilon), written out from the lectures."""
    if optimizer == "momentum":
        a = decay * a + (1 - decay) * g
        return w - lr * a, a
    a = decay * a + (1 - decay) * g * g
    return w - lr * g / np.sqrt(a), a


def test_3f_i_gives_the_rule_of_the_optimizer_and_notation_printed(drawn):
    seen = set()
    rng = np.random.default_rng(3)
    for seed, (qv, blocks) in drawn.items():
        optimizer, notation = qv.params["optimizer"]["id"], qv.params["notation"]
        seen.add((optimizer, notation["id"]))
        lr, decay = (sp.Symbol(notation[k]) for k in ("lr", "decay"))
        average_name = "V" if optimizer == "momentum" else "S"
        intro = "gradient descent with momentum" if optimizer == "momentum" else "RMSProp"
        assert blocks["f"] == f"You now decide to use {intro}.", seed
        assert f"Use learning rate $\\{lr}$ and" in blocks["f_i"], seed
        assert "hyperparameter $\\" + str(decay) + "$" in blocks["f_i"], seed
        average, update = qv.answers["f.i"].value
        assert (average["lhs"], update["lhs"]) == (average_name, "W"), seed
        W, A, grad = sp.symbols(f"W {average_name} dJdW")
        values = {W: rng.standard_normal(4), A: rng.uniform(0.1, 1, 4),
                  grad: rng.standard_normal(4), lr: 0.03, decay: 0.8}  # fmt: skip
        new_w, new_a = by_hand(optimizer, values[W], values[A], values[grad], 0.03, 0.8)
        got_a = sp.lambdify(list(values), parsed(average))(*values.values())
        assert np.allclose(got_a, new_a), seed
        got_w = sp.lambdify(list(values), parsed(update))(*{**values, A: new_a}.values())
        assert np.allclose(got_w, new_w), seed
    assert seen == {(o, n) for o in ("momentum", "rmsprop") for n in ("course", "ruder")}


def test_3f_i_grades_the_printed_notation_and_not_the_other(drawn):
    """A neighbour's rule in the other notation, or for the other optimizer, is wrong."""
    graded = set()
    for seed, (qv, _) in list(drawn.items())[:40]:
        optimizer, notation = qv.params["optimizer"]["id"], qv.params["notation"]
        answer = qv.answers["f.i"]
        part = part_info("expression", list(answer.value),
                         scoring=msgspec.to_builtins(answer.scoring))  # fmt: skip
        lr, d = "\\" + notation["lr"], "\\" + notation["decay"]
        other_lr = "\\eta" if notation["lr"] == "alpha" else "\\alpha"
        momentum = f"V = {d} V + (1 - {d}) dW; W = W - {{lr}} V"
        rmsprop = f"S = {d} S + (1 - {d}) dW^2; W = W - {{lr}} dW / \\sqrt{{{{S}}}}"
        right, other = (momentum, rmsprop) if optimizer == "momentum" else (rmsprop, momentum)
        expression = KINDS["expression"]
        assert expression.score(part, right.format(lr=lr)) == 1, seed
        assert expression.score(part, right.format(lr=other_lr)) == 0, seed
        # the other optimizer's rule names a symbol this key has not: a person reads it
        assert expression.score(part, other.format(lr=lr)) in (0, None), seed
        graded.add(optimizer)
    assert graded == {"momentum", "rmsprop"}


EXPLAINED = {
    ("momentum", "speed"): "cancels out oscillations",
    ("rmsprop", "speed"): "squared gradients",
    ("momentum", "decay"): "more past gradients",
    ("rmsprop", "decay"): "more past steps",
}


def test_3f_ii_asks_about_the_optimizer_of_3f(drawn):
    seen = set()
    for seed, (qv, blocks) in drawn.items():
        optimizer, explain = qv.params["optimizer"], qv.params["explain"]
        seen.add((optimizer["id"], explain))
        if explain == "speed":
            asked = f"Explain how {optimizer['short']} speeds up learning compared to standard"
        else:
            decay = qv.params["notation"]["decay"]
            asked = f"updates of {optimizer['name']} when its hyperparameter $\\{decay}$ is"
        assert asked in blocks["f_ii"], seed
        assert EXPLAINED[optimizer["id"], explain] in qv.answers["f.ii"].value, seed
    assert seen == set(EXPLAINED)


# (g): each naming convention's constants line and the targets of its blanks, as printed.
CONVENTIONS = {
    "course": ("lr, beta1, beta2, eps =", ("v", "s", "v_corr", "s_corr", "w")),
    "hat": ("alpha, beta_1, beta_2, epsilon =", ("v", "s", "v_hat", "s_hat", "param")),
    "unbiased": ("rate, b1, b2, delta =", ("v", "s", "v_unb", "s_unb", "theta")),
    "short": ("eta, rho1, rho2, eps =", ("v", "s", "vc", "sc", "weight")),
}  # fmt: skip


def textbook_adam(w, v, s, g, t, lr, b1, b2, eps):
    """The update equations printed with the question."""
    v = b1 * v + (1 - b1) * g
    s = b2 * s + (1 - b2) * g * g
    return w - lr / np.sqrt(s / (1 - b2**t) + eps) * (v / (1 - b1**t)), v, s


def run_key(answer, weights, grads, cache, step):
    source = answer.details["code"]
    for blank, line in answer.value.items():
        source = source.replace(f"@@{blank}@@", line)
    namespace = {"np": np}
    exec(compile(source, "<adam>", "exec"), namespace)
    namespace["optim_adam"](weights, grads, cache, step)


def test_3g_prints_the_drawn_names_and_its_lines_take_adam_steps(drawn):
    seen = set()
    for seed, (qv, blocks) in drawn.items():
        names = qv.params["adam_names"]["id"]
        seen.add(names)
        constants, targets = CONVENTIONS[names]
        assert constants in blocks["g"], seed
        assert [line.split(" = ")[0] for line in qv.answers["g"].value.values()] == list(targets)
        for target in targets:
            assert f"{target} = ____" in blocks["g"], (seed, target)
        h = [float(qv.params[k]) for k in ("lr", "beta1", "beta2", "eps")]
        rng = np.random.default_rng(seed)
        w = rng.standard_normal((3, 2))
        weights, cache = {"W": w.copy()}, {"vW": np.zeros((3, 2)), "sW": np.zeros((3, 2))}
        book = (w, np.zeros((3, 2)), np.zeros((3, 2)))
        for step in (1, 2, 3):
            g = rng.standard_normal((3, 2))
            run_key(qv.answers["g"], weights, {"W": g}, cache, step)
            book = textbook_adam(*book, g, step, *h)
        assert np.allclose(weights["W"], book[0]), seed
    assert seen == set(CONVENTIONS)


def test_3g_a_neighbours_lines_in_other_names_earn_nothing(drawn):
    by_names = {}
    for qv, _ in drawn.values():
        by_names.setdefault(qv.params["adam_names"]["id"], qv.answers["g"])
    code = KINDS["code"]
    for own_names, own in by_names.items():
        part = part_info("code", dict(own.value), code=own.details["code"], points=3,
                         scoring=msgspec.to_builtins(own.scoring))  # fmt: skip
        assert code.score(part, "\n".join(own.value.values())) == 1, own_names
        for names, theirs in by_names.items():
            if names != own_names:
                assert code.score(part, "\n".join(theirs.value.values())) == 0, (own_names, names)


def test_every_variant_declares_the_same_steps_for_each_part(bank, drawn):
    """Equal difficulty by construction: solve() names the same steps whatever it drew."""
    question = bank[Q3]
    declared = set()
    for qv, _ in list(drawn.values())[:60]:
        raw = question.solve(copy.deepcopy(qv.params), np.random.default_rng(0))
        declared.add(repr(sorted(raw["steps"].items())))
        assert set(raw["steps"]) == {"a", "b", "c", "e.i", "e.ii", "f.i", "f.ii", "g"}
    assert len(declared) == 1


def test_the_replica_asks_the_original_questions_with_the_official_answers(bank):
    qv = replica(bank, Q3)
    blocks = {k: " ".join(v.split()) for k, v in render_blocks(qv).items()}
    answers = {k: a.value for k, a in qv.answers.items()}
    assert "You use batch gradient descent (BGD) to optimize" in blocks["a"]
    assert answers["a"].startswith("No.") and "entire dataset" in answers["a"]
    assert "Give one reason to choose MBGD over SGD." in blocks["b"]
    assert "vectorization" in answers["b"] and "less noisy" in answers["b"]
    assert blocks["c"] == "Give one reason to use MBGD over BGD."
    assert "GPU memory" in answers["c"] and "saddle points" in answers["c"]
    assert blocks["e_i"] == "What is one typical sign of a learning rate being too large?"
    assert blocks["e_ii"] == "What is one typical sign of a learning rate being too small?"
    assert "diverge" in answers["e.i"] and "very slowly" in answers["e.ii"]
    assert blocks["f"] == "You now decide to use gradient descent with momentum."
    W, V, alpha, beta, grad = sp.symbols("W V alpha beta dJdW")
    average, update = answers["f.i"]
    assert sp.simplify(parsed(average) - (beta * V + (1 - beta) * grad)) == 0
    assert sp.simplify(parsed(update) - (W - alpha * V)) == 0
    assert re.search(r"Explain how momentum speeds up learning", blocks["f_ii"])
    assert "oscillations" in answers["f.ii"]
    assert answers["g"] == {
        "v": "v = beta1 * v + (1 - beta1) * grad",
        "s": "s = beta2 * s + (1 - beta2) * (grad ** 2)",
        "v_corr": "v_corr = v / (1 - (beta1 ** step))",
        "s_corr": "s_corr = s / (1 - (beta2 ** step))",
        "w": "w = w - lr * v_corr / np.sqrt(s_corr + eps)",
    }
