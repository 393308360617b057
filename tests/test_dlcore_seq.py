"""dl-core sequence-group questions: recurrent layers, attention, classification metrics and
initialisation.  Every computed answer is recomputed here from the key's parameters alone,
by formula or explicit loops written independently of the engine."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy

from generator.engine import init, recurrent

from .conftest import SEEDS, values, variant

RNN = "dl-core/rnn-parameters"
ATTENTION = "dl-core/attention"
METRICS = "dl-core/classification-metrics"
INIT = "dl-core/initialisation"
QUESTIONS = (RNN, ATTENTION, METRICS, INIT)


@pytest.mark.parametrize("qid", QUESTIONS)
def test_four_points_no_bonus(bank, qid):
    leaves = bank[qid].leaves()
    assert sum(leaf.points for leaf in leaves) == 4
    assert not any(leaf.bonus for leaf in leaves)
    assert bank[qid].topic and "dl-core" in bank[qid].tags


# ------------------------------------------------------------------ recurrent layers


def _sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


def _affine(W: np.ndarray, b: np.ndarray, h: list[float], x: list[float]) -> list[float]:
    """W [h; x] + b, one scalar at a time."""
    stacked = list(h) + list(x)
    return [b[i] + sum(W[i, j] * stacked[j] for j in range(len(stacked))) for i in range(len(b))]


def _lstm_step_by_hand(gates, x, h, c):
    pre = {name: _affine(g.W, g.b, h, x) for name, g in gates.items()}
    c_new = [
        _sigmoid(f) * ci + _sigmoid(i) * math.tanh(cand)
        for f, i, cand, ci in zip(pre["forget"], pre["input"], pre["candidate"], c, strict=True)
    ]
    h_new = [_sigmoid(o) * math.tanh(ci) for o, ci in zip(pre["output"], c_new, strict=True)]
    return h_new, c_new


def _gru_step_by_hand(gates, x, h):
    z = [_sigmoid(v) for v in _affine(gates["update"].W, gates["update"].b, h, x)]
    r = [_sigmoid(v) for v in _affine(gates["reset"].W, gates["reset"].b, h, x)]
    gated = [ri * hi for ri, hi in zip(r, h, strict=True)]
    cand = [math.tanh(v) for v in _affine(gates["candidate"].W, gates["candidate"].b, gated, x)]
    return [(1 - zi) * hi + zi * ci for zi, hi, ci in zip(z, h, cand, strict=True)]


@pytest.mark.parametrize("seed", range(20))
def test_recurrent_steps_match_scalar_loops(seed):
    rng = np.random.default_rng(seed)
    n_x, n_a = int(rng.integers(1, 5)), int(rng.integers(1, 5))
    x, h, c = rng.standard_normal(n_x), rng.standard_normal(n_a), rng.standard_normal(n_a)
    lstm = recurrent.Recurrent.random("lstm", n_x, n_a, rng)
    got_h, got_c = lstm.step(x[None], h[None], c[None])
    want_h, want_c = _lstm_step_by_hand(lstm.gates, x, h, c)
    np.testing.assert_allclose(got_h[0], want_h, rtol=1e-12)
    np.testing.assert_allclose(got_c[0], want_c, rtol=1e-12)
    gru = recurrent.Recurrent.random("gru", n_x, n_a, rng)
    np.testing.assert_allclose(gru.step(x[None], h[None])[0][0], _gru_step_by_hand(gru.gates, x, h))
    rnn = recurrent.Recurrent.random("rnn", n_x, n_a, rng)
    g = rnn.gates["h"]
    want = [math.tanh(v) for v in _affine(g.W, g.b, h, x)]
    np.testing.assert_allclose(rnn.step(x[None], h[None])[0][0], want, rtol=1e-12)


def test_recurrent_sequence_runs_step_by_step():
    rng = np.random.default_rng(7)
    lstm = recurrent.Recurrent.random("lstm", 3, 2, rng)
    xs = rng.standard_normal((1, 4, 3))
    states, cell = lstm(xs)
    h, c = [0.0, 0.0], [0.0, 0.0]
    for t in range(4):
        h, c = _lstm_step_by_hand(lstm.gates, xs[0, t], h, c)
        np.testing.assert_allclose(states[0, t], h, rtol=1e-12)
    np.testing.assert_allclose(cell[0], c, rtol=1e-12)


def _count_entries(rows: int, columns: int) -> int:
    """Entries of a rows x columns matrix, counted one by one."""
    return sum(1 for _ in range(rows) for _ in range(columns))


@pytest.mark.parametrize("seed", SEEDS)
def test_rnn_parameters_from_params(bank, seed):
    qv = variant(bank, RNN, seed)
    got, p = values(qv), qv.params
    n_x, n_a = p["input_size"], p["hidden_size"]
    gate = _count_entries(n_a, n_a + n_x) + _count_entries(n_a, 1)
    assert got["a"] == gate
    assert got["b"] == sum(gate for _ in ("forget", "update", "output", "candidate"))
    assert got["c"] == sum(gate for _ in ("update", "relevance", "candidate"))
    assert got["d"] == [p["batch"], p["steps"], n_a]
    assert n_x != n_a  # else the input shape printed in (d) would be its answer


# ------------------------------------------------------------------ attention


def _softmax_by_hand(row: list[float]) -> list[float]:
    exps = [math.exp(v) for v in row]
    return [e / sum(exps) for e in exps]


def _matrix_text(rows: list[list[float]]) -> str:
    body = " \\\\ ".join(" & ".join(f"{v:.2f}" for v in row) for row in rows)
    return f"$\\begin{{pmatrix}} {body} \\end{{pmatrix}}$"


def _softmax_columns(scores: list[list[float]]) -> list[list[float]]:
    """Softmax down each column (over the queries), written with loops."""
    rows, cols = len(scores), len(scores[0])
    out = [[0.0] * cols for _ in range(rows)]
    for c in range(cols):
        column = _softmax_by_hand([scores[r][c] for r in range(rows)])
        for r in range(rows):
            out[r][c] = column[r]
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_from_params(bank, seed):
    qv = variant(bank, ATTENTION, seed)
    got, p = values(qv), qv.params
    Q, K, V = p["Q"], p["K"], p["V"]
    dots = [[sum(qi * ki for qi, ki in zip(q, k, strict=True)) for k in K] for q in Q]
    scores = [[d / math.sqrt(2) for d in row] for row in dots]
    assert got["a"] == pytest.approx([s for row in scores for s in row], abs=1e-12)
    weights = [_softmax_by_hand(row) for row in scores]
    printed = [[round(w + 1e-12, 2) for w in row] for row in weights]
    output = [
        [sum(printed[i][j] * V[j][c] for j in range(len(K))) for c in range(2)] for i in (0, 1)
    ]
    assert got["c"] == pytest.approx([o for row in output for o in row], abs=1e-9)
    by_mistake = {
        "": weights,
        "forgot the sqrt(d_k) scaling": [_softmax_by_hand(row) for row in dots],
        "divided by d_k instead of sqrt(d_k)": [_softmax_by_hand([d / 2 for d in r]) for r in dots],
        "softmax over the wrong axis": _softmax_columns(scores),
    }
    options = qv.answers["b"].details["options"]
    assert sorted(o["mistake"] for o in options) == sorted(by_mistake)
    for option in options:
        assert option["text"] == _matrix_text(by_mistake[option["mistake"]])
        assert option["correct"] == (option["mistake"] == "")
    d, ff = p["d_model"], p["d_ff"]
    heads = p["heads"]
    per_head = 3 * (d * (d // heads) + d // heads)
    assert got["d"] == heads * per_head + (d * d + d) + (d * ff + ff) + (ff * d + d) + 4 * d


# ------------------------------------------------------------------ initialisation


def _uniform_variance(a: float) -> float:
    """Variance of U(-a, a), integrated symbolically: the integral of x^2 / (2a)."""
    x = sympy.Symbol("x")
    return float(sympy.integrate(x**2 / (2 * sympy.Float(a)), (x, -a, a)))


@pytest.mark.parametrize("seed", SEEDS)
def test_initialisation_from_params(bank, seed):
    qv = variant(bank, INIT, seed)
    got, p = values(qv), qv.params
    xavier = Fraction(2, p["n_in"] + p["n_out"])
    assert got["a"] == pytest.approx(float(xavier), rel=1e-12)
    assert got["c"] ** 2 == pytest.approx(float(Fraction(2, p["n_in"])), rel=1e-12)
    k, c, f = p["kernel"], p["channels"], p["filters"]
    fan_in = sum(1 for _ in range(k) for _ in range(k) for _ in range(c))
    texts = {
        "": f"\\sqrt{{2 / ({k} \\cdot {k} \\cdot {fan_in // (k * k)})}}",
        "fan_in and fan_out swapped": f"\\sqrt{{2 / ({k} \\cdot {k} \\cdot {f})}}",
        "forgot factor 2 for He": f"\\sqrt{{1 / ({k} \\cdot {k} \\cdot {c})}}",
        "std vs variance": f"2 / ({k} \\cdot {k} \\cdot {c})",
        "fan-in without the kernel area": f"\\sqrt{{2 / {c}}}",
    }
    options = qv.answers["d"].details["options"]
    assert {o["mistake"]: o["text"] for o in options} == {
        m: f"\\texttt{{scale}} $= {t}$" for m, t in texts.items()
    }
    assert [o["correct"] for o in options] == [o["mistake"] == "" for o in options]


@pytest.mark.parametrize("seed", range(0, 300, 10))
def test_xavier_uniform_bound_has_the_variance(bank, seed):
    got = values(variant(bank, INIT, seed))
    assert _uniform_variance(got["b"]) == pytest.approx(got["a"], rel=1e-9)


def test_fans_of_conv_kernels_count_inputs_and_outputs():
    kernels = np.zeros((3, 5, 4, 7))  # (kh, kw, in_channels, filters)
    assert init.fans(kernels.shape) == (3 * 5 * 4, 3 * 5 * 7)
    assert init.fans(np.zeros((6, 9)).shape) == (9, 6)  # dense (n_out, n_in)


# ------------------------------------------------------------------ classification metrics


@pytest.mark.parametrize("seed", SEEDS)
def test_classification_metrics_from_params(bank, seed):
    qv = variant(bank, METRICS, seed)
    got, p = values(qv), qv.params
    tp, fp, fn, tn = p["tp"], p["fp"], p["fn"], p["tn"]
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert got["a"] == pytest.approx([precision, recall], rel=1e-12)
    f1 = 2 / (1 / precision + 1 / recall)  # the harmonic mean, another way
    assert got["b"] == pytest.approx([f1, (tp + tn) / (tp + fp + fn + tn)], rel=1e-12)
    t = p["threshold"]
    rows = list(zip(p["scores"], p["labels"], strict=True))
    flips = [i + 1 for i, (s, _) in enumerate(rows) if (s >= 0.5) != (s >= t)]
    options = qv.answers["c"].details["options"]
    (right,) = [o for o in options if o["correct"]]
    assert [int(n) for n in right["text"].replace(" and ", ",").split(" ", 1)[1]
            .replace(" only", "").split(",")] == flips  # fmt: skip
    new_tp = sum(1 for s, y in rows if s >= t and y)
    predicted = sum(1 for s, _ in rows if s >= t)
    positives = sum(y for _, y in rows)
    assert got["d"] == pytest.approx([new_tp / predicted, new_tp / positives], rel=1e-12)
    assert {o["mistake"] for o in options if not o["correct"]} == {
        "took the predictions beyond the new threshold",
        "counted only the flips that fix an error",
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_attention_tokens_differ(bank, seed):
    p = variant(bank, ATTENTION, seed).params
    assert p["Q"][0] != p["Q"][1]
    assert len({tuple(k) for k in p["K"]}) == len(p["K"])
