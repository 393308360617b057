"""Formula parts graded by equivalence: every expression part of the CS230 bank.

The rewritings below are written by hand, per part, from the mathematics (reordered terms,
expanded or factored, ln for log, the Greek letters typed or in LaTeX, W.T for W^T,
fractions), never produced by the code under test; each must earn full marks, and each
named mistake (a sign, a missing factor, a wrong transpose, the layers swapped) none.
Hostile strings earn 0, raise nothing, run nothing, and are refused by the reader's
bounds (length, tokens, nesting, exponents) before sympy does any work on them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import msgspec
import pytest

from generator.key.records import PartInfo
from generator.kinds import KINDS
from generator.kinds.formula import equivalence
from generator.kinds.formula.grading import score
from generator.kinds.formula.notation import Unreadable
from generator.kinds.formula.reader import read_formula

from .conftest import Q1, Q2, Q3, Q7, part_info, replica, variant

SEEDS = range(0, 40, 3)
PARTS = [(Q1, "c.ii"), (Q1, "f.i"), (Q1, "f.ii"), (Q2, "b"), (Q2, "e.i"), (Q2, "g.ii"),
         (Q3, "f.i"), (Q7, "b")]  # fmt: skip

# Hand-written responses, per part: equivalent ones (full marks) and named mistakes (0).
RIGHT = {
    (Q2, "b"): [r"-(y \log \hat{y} + (1-y)\log(1-\hat{y}))", "-y ln(yhat) - (1-y) ln(1-yhat)",
                "-(1 - y) log(1 - ŷ) - y log(ŷ)",
                r"L(y, \hat{y}) = -y\ln\hat{y} - (1-y)\ln(1-\hat{y})",
                "-y*log(y_hat) + (y - 1)*log(1 - y_hat)"],
    (Q2, "g.ii"): [r"(y_2-\hat{y}_2)^2 - y_1\log\hat{y}_1 - (1-y_1)\log(1-\hat{y}_1)",
                   "-(y1 ln(yhat1) + (1 - y1) ln(1 - yhat1)) + (yhat2 - y2)^2",
                   "y2^2 - 2 y2 yhat2 + yhat2^2 - y1 log(yhat1) - (1-y1) log(1-yhat1)"],
    (Q3, "f.i"): [r"V = \beta V + (1-\beta)\frac{\partial J}{\partial W}; W = W - \alpha V",
                  "W = W - alpha V; V = beta V + (1 - beta) dW",
                  r"V_{dW} = βV_{dW} + (1-β)dW \quad W := W - αV_{dW}",
                  "V = beta*V + dJ/dW - beta*dJ/dW\nW = -alpha*V + W"],
    (Q7, "b"): ["(f-1)/2", r"\frac{f-1}{2}", "f/2 - 1/2", "0.5f - 0.5", "p = (f - 1) / 2",
                r"\frac{1}{2}(f - 1)"],
}  # fmt: skip
WRONG = {
    (Q2, "b"): ["y log(yhat) + (1-y) log(1-yhat)", "-(y log(yhat) + (1+y) log(1-yhat))",
                "-(y log(yhat) + log(1-yhat))", "(y - yhat)^2"],
    (Q2, "g.ii"): ["(y2 - yhat2)^2 + y1 log(yhat1) + (1-y1) log(1-yhat1)",
                   "(y2 - yhat2) - y1 log(yhat1) - (1-y1) log(1-yhat1)",
                   "-(y1 log(yhat1) + (1-y1) log(1-yhat1))"],
    (Q3, "f.i"): ["V = beta V + dW; W = W + alpha V", "V = beta V - (1 - beta) dW; W = W - V",
                  "V = (1-beta) V + beta dW; W = W + alpha V"],
    (Q7, "b"): ["(f+1)/2", "f - 1", "(f-1)/2 + 1", "f/2 - 1"],
}  # fmt: skip


# 3(f)(i) asks momentum's rule (RIGHT and WRONG above) or RMSProp's, in the course's
# notation (alpha, beta: as written above) or Ruder's (eta, gamma).
RMSPROP_RIGHT = [
    r"S = \beta S + (1-\beta)\left(\frac{\partial J}{\partial W}\right)^2; "
    r"W = W - \frac{\alpha}{\sqrt{S}} \frac{\partial J}{\partial W}",
    "W = W - alpha dW / sqrt(S); S = beta S + (1 - beta) dW^2",
    r"S = βS + (1-β)(dW)^2 \quad W := W - α dW/√(S)",
    "S = beta*S + dJ/dW**2 - beta*dJ/dW**2\nW = -alpha*dJ/dW*S**(-1/2) + W",
]
RMSPROP_WRONG = [
    "S = beta S + (1 - beta) dW; W = W - alpha dW / S",
    "S = (1-beta) S + beta dW^2; W = W + alpha dW / sqrt(S)",
    "S = beta S + dW^2; W = W - alpha S dW",
]
RUDER = {"alpha": "eta", "beta": "gamma", "α": "η", "β": "γ"}


def q3_updates(params: dict) -> tuple[list[str], list[str]]:
    """3(f)(i) by hand, in the optimizer and notation the copy drew."""
    right, wrong = RIGHT[Q3, "f.i"], WRONG[Q3, "f.i"]
    if params["optimizer"]["id"] == "rmsprop":
        right, wrong = RMSPROP_RIGHT, RMSPROP_WRONG
    if params["notation"]["id"] == "ruder":
        renamed = re.compile("|".join(RUDER))
        right, wrong = ([renamed.sub(lambda m: RUDER[m[0]], t) for t in texts]
                        for texts in (right, wrong))  # fmt: skip
    return right, wrong


def l2_updates(half: bool, per_m: bool = False) -> tuple[list[str], list[str]]:
    """2(e)(i): W - alpha (dJ/dW + d/dW of the penalty), the penalty lambda/2 W^2 (derivative
    lambda W) or lambda W^2 (derivative 2 lambda W), either divided by m (derivative divided
    by m), by hand."""
    if per_m:  # lambda/(2m) W^2: derivative lambda W / m; lambda/m W^2: 2 lambda W / m
        c = "" if half else "2"
        right = [rf"W - \alpha(\frac{{\partial J_{{BCE}}}}{{\partial W}}"
                 rf" + \frac{{{c}\lambda}}{{m}} W)",
                 f"W - alpha*dJ/dW - {c or 1}*alpha*lambda*W/m",
                 f"(1 - {c or 1} α λ / m) W - α dW", f"W := W(1 - {c}αλ/m) - α ∂J/∂W"]  # fmt: skip
        wrong = [f"W - alpha dW - {c or 1} alpha lambda W", f"(1 - {c or 1} α λ / m) W + α dW",
                 f"W - alpha dW - {3 if half else 1} alpha lambda W / m",
                 "W - alpha dW"]  # fmt: skip
        return right, wrong
    c = "" if half else "2"
    right = [rf"W - \alpha(\frac{{\partial J_{{BCE}}}}{{\partial W}} + {c}\lambda W)",
             f"W - alpha*dJ/dW - {c or 1}*alpha*lambda*W", f"(1 - {c or 1} α λ) W - α dW",
             f"W := W(1 - {c}αλ) - α ∂J/∂W"]  # fmt: skip
    wrong = [f"W - alpha dW + {c or 1} alpha lambda W", f"(1 - {c or 1} α λ) W + α dW",
             f"W - alpha dW - {3 if half else 1} alpha lambda W", "W - alpha dW"]  # fmt: skip
    return right, wrong


# Question 1's formulas by hand for the layout drawn (x a column or a row; w holding an
# output's weights per column or per row) and the hidden layer's linear activation c z.
LOGISTIC = {  # x^{(i)} and w as the layouts hold them: (right forms, the product)
    ("column", "columns"): ([r"\sigma(w^T x^{(i)} + b)", "sigma(w.T @ x + b)",
                             "σ((x^T w)^T + b)", r"\hat{y}^{(i)} = \sigma(b + w^{T}x^{(i)})",
                             "1/(1 + exp(-(w^T x + b)))", "sigmoid(np.dot(w.T, x) + b)"],
                            "w^T x"),
    ("column", "rows"): ([r"\sigma(w x^{(i)} + b)", "sigma(w @ x + b)", "σ((x^T w^T)^T + b)",
                          "1/(1 + exp(-(w x + b)))", "sigmoid(np.dot(w, x) + b)"], "w x"),
    ("row", "columns"): ([r"\sigma(x^{(i)} w + b)", "sigma(x @ w + b)", "σ((w^T x^T)^T + b)",
                          "1/(1 + exp(-(x w + b)))", "sigmoid(np.dot(x, w) + b)"], "x w"),
    ("row", "rows"): ([r"\sigma(x^{(i)} w^T + b)", "sigma(x @ w.T + b)", "σ((w x^T)^T + b)",
                       "1/(1 + exp(-(x w^T + b)))", "sigmoid(np.dot(x, w.T) + b)"], "x w^T"),
}  # fmt: skip


def question1(part: str, params: dict) -> tuple[list[str], list[str]]:
    c, column = params["scale"], params["layout"] == "column"
    if part == "c.ii":
        right, product = LOGISTIC[params["layout"], params["w_layout"]]
        others = [forms[0] for key, (forms, _) in LOGISTIC.items()
                  if key != (params["layout"], params["w_layout"])]  # fmt: skip
        return right, [*others, f"sigma({product} - b)", f"{product} + b", f"sigma({product})"]
    if part == "f.i" and column:
        return ([rf"\sigma({c} W^{{[2]}}(W^{{[1]}}x^{{(i)}} + b^{{[1]}}) + b^{{[2]}})",
                 f"sigma({c} W2 W1 x + {c} W2 b1 + b2)", f"σ(b2 + W2 @ ({c}*(b1 + W1 @ x)))",
                 rf"\sigma\left({c} W^{{[2]}} W^{{[1]}} x + {c} W^{{[2]}} b^{{[1]}}"
                 rf" + b^{{[2]}}\right)"],
                [f"sigma({c} W1 (W2 x + b1) + b2)", f"sigma({c} W2 W1 x + b1 + b2)",
                 f"sigma({c} W2^T (W1 x + b1) + b2)", "sigma(W2 (W1 x + b1) + b2)",
                 f"sigma({c + 1} W2 (W1 x + b1) + b2)"])  # fmt: skip
    if part == "f.i":
        return ([rf"\sigma({c}(x^{{(i)}} W^{{[1]}} + b^{{[1]}}) W^{{[2]}} + b^{{[2]}})",
                 f"sigma({c} x W1 W2 + {c} b1 W2 + b2)", f"σ(b2 + ({c}*(b1 + x @ W1)) @ W2)"],
                [f"sigma({c} W2 (W1 x + b1) + b2)", f"sigma({c} x W1 W2 + b1 + b2)",
                 "sigma((x W1 + b1) W2 + b2)", f"sigma({c + 1} (x W1 + b1) W2 + b2)"])  # fmt: skip
    if column:  # f.ii; the official rubric: the transpose too
        return ([f"w' = {c} W2 W1; b' = {c} W2 b1 + b2",
                 rf"w' = {c}W^{{[2]}}W^{{[1]}}, b' = {c}W^{{[2]}}b^{{[1]}} + b^{{[2]}}",
                 f"b' = b2 + {c} W2 @ b1\nw' = {c} W2 @ W1",
                 f"w' = ({c} W2 W1)^T; b' = {c} W2 b1 + b2", f"{c} W1^T W2^T; {c} W2 b1 + b2"],
                [f"w' = {c} W1 W2; b' = {c} W2 b1", f"{c} W1; {c} W2 b1",
                 "W2 W1; W2 b1 + b2"])  # fmt: skip
    return ([f"w' = {c} W1 W2; b' = {c} b1 W2 + b2", f"b' = b2 + {c} b1 @ W2\nw' = {c} W1 @ W2",
             f"w' = ({c} W1 W2)^T; b' = {c} b1 W2 + b2", f"{c} W2^T W1^T; {c} b1 W2 + b2"],
            [f"w' = {c} W2 W1; b' = {c} b1 W2", f"{c} W1; {c} b1 W2",
             "W1 W2; b1 W2 + b2"])  # fmt: skip


# 2(b) when the output yhat estimates the probability of label 0: the log terms swap.
BCE_OF_LABEL_0_RIGHT = [r"-(y \log(1-\hat{y}) + (1-y)\log\hat{y})",
                        "-y ln(1-yhat) - (1-y) ln(yhat)", "-(1 - y) log(ŷ) - y log(1 - ŷ)",
                        r"L(y, \hat{y}) = -y\ln(1-\hat{y}) - (1-y)\ln\hat{y}",
                        "-y*log(1-y_hat) + (y - 1)*log(y_hat)"]  # fmt: skip
BCE_OF_LABEL_0_WRONG = ["-(y log(yhat) + (1-y) log(1-yhat))",  # the usual one: yhat of label 1
                        "y log(1-yhat) + (1-y) log(yhat)", "-(y log(1-yhat) + log(yhat))",
                        "(y - yhat)^2"]  # fmt: skip


def multi_task(yhat_label: int, measured: int) -> tuple[list[str], list[str]]:
    """2(g)(ii): a cross-entropy term for y1 (yhat1 the probability of label yhat_label) and
    a squared error per measured target y2, y3, ..., written by hand."""
    p, q = ("yhat1", "1 - yhat1") if yhat_label == 1 else ("1 - yhat1", "yhat1")
    bce = f"-(y1 log({p}) + (1 - y1) log({q}))"
    squares = [f"(y{i} - yhat{i})^2" for i in range(2, measured + 2)]
    flipped = [f"(yhat{i} - y{i})^2" for i in range(2, measured + 2)]
    right = [" + ".join([bce, *squares]), " + ".join([*flipped, bce]),
             f"{' + '.join(squares)} - y1 ln({p}) - (1 - y1) ln({q})"]  # fmt: skip
    wrong = [" + ".join([bce.removeprefix("-"), *squares]),  # the sign of the cross-entropy
             " + ".join([bce, *squares[:-1], squares[-1].removesuffix("^2")]),
             " + ".join([f"-(y1 log({q}) + (1 - y1) log({p}))", *squares]),  # the other probability
             bce]  # fmt: skip
    if measured > 1:
        wrong.append(" + ".join([bce, *squares[:-1]]))  # a measured target left out
    return right, wrong


def key_part(qid: str, part: str, seed: int, bank) -> tuple[PartInfo, dict]:
    """The part as key.json records it (the fields an expression part is graded by), and
    its question's drawn parameters."""
    # 7(b) draws its question (the padding or the filter width, for an output of the same
    # size, 2 smaller or 2 larger); the responses below are written for the original's
    # p = (f - 1)/2 (tests/test_alternatives_q67.py grades every alternative)
    qv = replica(bank, qid) if (qid, part) == (Q7, "b") else variant(bank, qid, seed)
    answer = qv.answers[part]
    return part_info("expression", answer.value, alternatives=list(answer.alternatives)), qv.params


@pytest.fixture(scope="module")
def drawn(bank) -> dict:
    return {(qid, part, seed): key_part(qid, part, seed, bank)
            for qid, part in PARTS for seed in SEEDS}  # fmt: skip


def responses(qid: str, part: str, params: dict) -> tuple[list[str], list[str]]:
    if (qid, part) == (Q2, "e.i"):
        return l2_updates(params["penalty_half"], params["penalty_per_m"])
    if (qid, part) == (Q2, "b") and params["yhat_label"] == 0:
        return BCE_OF_LABEL_0_RIGHT, BCE_OF_LABEL_0_WRONG
    if (qid, part) == (Q2, "g.ii"):
        return multi_task(params["yhat_label"], 1 + len(params["measurements"]))
    if (qid, part) == (Q3, "f.i"):
        return q3_updates(params)
    if qid == Q1:
        return question1(part, params)
    return RIGHT[(qid, part)], WRONG[(qid, part)]


@pytest.mark.parametrize(("qid", "part"), PARTS)
def test_the_keys_own_answer_scores_1_in_every_form_it_records(parts, qid, part):
    for seed in SEEDS:
        record = parts[qid, part, seed]
        forms = [
            KINDS["expression"].cell(record),  # the answer CSV's cell: lhs = text; ...
            "; ".join(f.text for f in record.answer),
            "; ".join(f"{f.lhs} = {f.latex}" for f in record.answer),  # as printed
        ]
        for form in forms:
            assert score(record, form) == 1.0, (seed, form)


@pytest.mark.parametrize(("qid", "part"), PARTS)
def test_equivalent_rewritings_score_1_and_named_mistakes_0(parts, params, qid, part):
    for seed in SEEDS:
        record = parts[qid, part, seed]
        right, wrong = responses(qid, part, params[qid, part, seed])
        for text in right:
            assert score(record, text) == 1.0, (seed, text)
        for text in wrong:
            assert score(record, text) == 0.0, (seed, text)


def test_each_formula_of_a_part_is_an_equal_share(parts, params):
    seed = next(s for s in SEEDS if params[Q3, "f.i", s]["optimizer"]["id"] == "momentum"
                and params[Q3, "f.i", s]["notation"]["id"] == "course")  # fmt: skip
    momentum = parts[Q3, "f.i", seed]
    assert score(momentum, "V = beta V + (1 - beta) dW; W = W + alpha V") == 0.5  # only V
    assert score(momentum, "V = beta V + (1 - beta) dW; W = W - alpha V") == 1.0
    assert score(momentum, "V = beta V + (1 - beta) dW") == 0.5
    assert score(momentum, "V = beta V + dW; W = W - alpha V") == 0.5  # only W right
    collapse, c = parts[Q1, "f.ii", 0], params[Q1, "f.ii", 0]["scale"]
    w, b = (f"{c} W2 W1", f"{c} W2 b1 + b2") if params[Q1, "f.ii", 0]["layout"] == "column" else (
        f"{c} W1 W2", f"{c} b1 W2 + b2")  # fmt: skip
    assert score(collapse, f"w' = {w}; b' = b1 + b2") == 0.5
    assert score(collapse, f"w' = {c + 1} W1; b' = {b}") == 0.5
    assert score(collapse, f"b' = {b}; w' = {w}") == 1.0  # matched by their lhs


# A seed whose 2(b) has the usual BCE: its output yhat estimates the probability of label 1.
BCE_SEED = 3


def test_the_verdict_is_the_same_on_every_run(parts, params):
    assert params[Q2, "b", BCE_SEED]["yhat_label"] == 1
    record = parts[Q2, "b", BCE_SEED]
    verdicts = {score(record, "-(y ln(yhat) + (1-y) ln(1-yhat))") for _ in range(5)}
    assert verdicts == {1.0}


HOSTILE = [
    "__import__('os').system('touch /tmp/formula-graded-hostile')",
    "().__class__.__bases__",
    "lambda: 0",
    "(lambda f: f)(1)",
    "9**9**9",
    "f**(9**9)",
    "((f**16)**16)**16",
    "(" * 5000 + "f" + ")" * 5000,
    "f" + "+f" * 400,
    "f" * (1 << 20),
    "open('/etc/passwd').read()",
    "exec('import os')",
    "f.__class__",
    "[f for f in range(10**9)]",
    "{'a': 1}",
    "f if f else f",
    "\\input{/etc/passwd}",
    "f\x00 - 1",
    "f" + " " * (1 << 20),
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_formulas_earn_nothing_and_are_refused_by_the_readers_bounds(parts, text):
    """No formula can be read in them: no credit, and a person is shown them (never a
    silent zero)."""
    record = parts[Q7, "b", 0]
    assert score(record, text) is None
    scope = equivalence.symbols_of([read_formula(record.answer[0].sympy)])
    for piece in text.split(";")[:3]:
        if piece.strip():
            with pytest.raises(Unreadable):
                equivalence.read_response(piece, scope)
    assert not Path("/tmp/formula-graded-hostile").exists()


def test_hostile_formulas_run_nothing_in_a_process_of_their_own(parts, tmp_path):
    """The grading of every hostile string, in a child process: it exits 0 having given
    none of them a score (each goes to a person), and the file the first string would
    create does not exist."""
    marker = tmp_path / "touched"
    texts = [t.replace("/tmp/formula-graded-hostile", str(marker)) for t in HOSTILE]
    record = msgspec.to_builtins(msgspec.structs.replace(parts[Q7, "b", 0], alternatives=[]))
    program = (
        "import json, sys\nimport msgspec\nfrom generator.key.records import PartInfo\n"
        "from generator.kinds import KINDS\nfrom generator.kinds.formula.grading import score\n"
        "record, texts = json.load(sys.stdin)\nrecord = msgspec.convert(record, PartInfo)\n"
        "record.answer = KINDS['expression'].stored(record.answer)\n"
        "print(list({score(record, t) for t in texts}))\n"
    )
    import json

    done = subprocess.run([sys.executable, "-c", program], input=json.dumps([record, texts]),
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[None]"
    assert not marker.exists()


# ------------------------------------------------------------------ no way to game it


def test_a_wrong_formula_made_to_vanish_at_fixed_points_earns_nothing(parts):
    """Issue 25's crafted answer: 7(b)'s key (f-1)/2 plus a product that is 0 at the eight
    points a fixed seed would draw.  The formula is rational, so it is decided exactly,
    with no point at all; the roots below are any a student could aim at."""
    record = parts[Q7, "b", 0]
    roots = [0.3, 0.7, 1.5, 2.5, 3.1, 4.2, 0.05, 0.95]
    product = "*".join(f"(f - {r})" for r in roots)
    assert score(record, f"(f-1)/2 + {product}") == 0.0
    assert score(record, "(f-1)/2 + f/10**12") == 0.0  # within any float tolerance
    assert score(record, "(f-1)/2 + 0*f") == 1.0  # a zero term is the same function


def test_a_response_that_agrees_only_where_the_points_fall_goes_to_a_person(parts):
    """abs is no analytic function: abs(f-100) + f - 100 is 0 below 100 only.  A formula
    that brings it where the key has none, and agrees at the points, is not proven equal:
    a person decides, told why."""
    bce = "-(y log(yhat) + (1-y) log(1-yhat))"
    for qid, part, text in [(Q7, "b", "(f-1)/2 + abs(f-100) + f - 100"),
                            (Q2, "b", f"{bce} + abs(y-9) + y - 9")]:  # fmt: skip
        record = parts[qid, part, BCE_SEED if qid == Q2 else 0]
        judgement = KINDS["expression"].judge(record, text)
        assert judgement.share is None
        assert "abs" in judgement.reason and "person" in judgement.reason
    # the key's own abs is no reason: |x| written as sqrt(x^2) is shown equal by sympy
    assert equivalence.equivalent(equivalence.sp.sqrt(X**2), equivalence.sp.Abs(X)) is True


X = equivalence.sp.Symbol("x", real=True)


def test_points_are_drawn_per_run_key_and_response():
    """The same run key and texts draw the same points (a re-grade gives the same verdict);
    another run's key, or another response, draws others."""
    from generator.kinds import streams

    def draw(key: bytes, *texts: str) -> list[float]:
        with streams.keyed(key):
            return list(streams.stream(*texts).random(4))

    assert draw(b"run 1", "f", "(f-1)/2") == draw(b"run 1", "f", "(f-1)/2")
    assert draw(b"run 1", "f", "(f-1)/2") != draw(b"run 2", "f", "(f-1)/2")
    assert draw(b"run 1", "f", "(f-1)/2") != draw(b"run 1", "f", "(f-1)/2 ")
    assert draw(b"run 1", "ab", "c") != draw(b"run 1", "a", "bc")  # texts are delimited


@pytest.mark.parametrize(
    "text",
    ["((f+2)**16+1)**16", "(((f+2)**16+1)**16+1)**16", "(((((10**15)**16)**16)**16)**16)**16",
     "((f**16)**16)**16"],
)  # fmt: skip
def test_a_tower_of_powers_is_refused_before_any_work(parts, text):
    """Each exponent is in bounds, the tower is not: the polynomial's degree (256 and more)
    or the number's size (beyond 1024 bits) is refused as the formula is read, so a
    person gets it with the reason."""
    with pytest.raises(Unreadable):
        equivalence.read_response(text, equivalence.symbols_of([equivalence.sp.Symbol("f")]))
    judgement = KINDS["expression"].judge(parts[Q7, "b", 0], text)
    assert judgement.share is None and judgement.reason


def test_a_key_formula_beyond_the_bounds_sends_its_responses_to_a_person(parts):
    """A key is a file from elsewhere: (f+2)**100000 would hang an expansion."""
    record = parts[Q7, "b", 0]
    f = equivalence.sp.Symbol("f", positive=True, integer=True)
    hostile = equivalence.sp.srepr(equivalence.sp.Pow(f + 2, 100000, evaluate=False))
    answer = [msgspec.structs.replace(record.answer[0], sympy=hostile)]
    judgement = KINDS["expression"].judge(msgspec.structs.replace(record, answer=answer),
                                          "(f-1)/2")  # fmt: skip
    assert judgement.share is None
    assert "key's formula" in judgement.reason


def test_an_activation_applied_entry_by_entry_draws_the_same_points_in_every_process(parts, params):
    """Found in review: the entry-wise sigma's bound symbol was a sympy Dummy, whose
    number varies between processes and went into the stream's seed; the verdict must be
    the same on every run (a subprocess each, sympy imported afresh)."""
    record = msgspec.to_builtins(parts[Q1, "f.i", 0])
    c = params[Q1, "f.i", 0]["scale"]
    if params[Q1, "f.i", 0]["layout"] == "column":
        text = f"sigma({c}*W2*(W1*x+b1)+b2 + 1e-7*W2*sigma(W1*x+b1))"
    else:
        text = f"sigma({c}*(x*W1+b1)*W2+b2 + 1e-7*sigma(x*W1+b1)*W2)"
    program = (
        "import json, sys\nimport msgspec\n"
        "from generator.key.records import FormulaInfo, PartInfo\n"
        "from generator.kinds import KINDS, streams\n"
        "record, text = json.load(sys.stdin)\n"
        "part = msgspec.convert(record, PartInfo)\n"
        "answer = msgspec.convert(part.answer, list[FormulaInfo])\n"
        "part = msgspec.structs.replace(part, answer=answer)\n"
        "with streams.keyed(b'run'):\n"
        "    print(KINDS['expression'].judge(part, text).share)\n"
    )
    verdicts = {subprocess.run([sys.executable, "-c", program], input=json.dumps([record, text]),
                               capture_output=True, text=True, check=True).stdout
                for _ in range(4)}  # fmt: skip
    assert len(verdicts) == 1, verdicts


def test_a_formula_in_symbols_the_question_has_not_goes_to_a_person_who_is_told_which(parts):
    """7(b) of the original asks p in terms of f; a formula in a letter the question never
    prints ("2q + 1") is no formula of this question.  A person reads it, told which name
    is not one of the question's symbols (before: only "no formula in it")."""
    judgement = KINDS["expression"].judge(parts[Q7, "b", 0], "2q + 1")
    assert judgement.share is None
    assert "the name 'q' is not one of the question's symbols" in judgement.reason
