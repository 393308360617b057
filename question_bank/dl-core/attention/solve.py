"""Scaled dot-product attention on 2 queries and 2-3 keys with d_k = 2, and the parameter
count of a transformer encoder block.

The engine computes scores, softmax weights and outputs; the wrong options of (b) are the
engine run with each named mistake.  (c) is computed from the weights as (b) prints them
(two decimals), so that a student's exact arithmetic on the page gives the key.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.authoring import Accept, Choices, Option, attention, sampling

QUERIES = 2
D_K = 2
MODELS = {4: (2,), 6: (2, 3), 8: (2, 4), 12: (2, 3, 4), 16: (2, 4)}  # d_model: head counts
FF_FACTORS = (2, 4)
MISTAKES = {
    "right": ("", "Each row (one query) is a softmax over the keys of $QK^T/\\sqrt{d_k}$: "
              "its weights sum to 1."),
    "unscaled": ("forgot the sqrt(d_k) scaling",
                 "This is the softmax of $QK^T$, without dividing by $\\sqrt{d_k}$."),
    "wrong-axis": ("softmax over the wrong axis",
                   "Its columns sum to 1: the softmax ran over the queries, not the keys."),
    "by-d_k": ("divided by d_k instead of sqrt(d_k)",
               "This is the softmax of $QK^T/d_k$: the scores were divided by $d_k$."),
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Drawn again until the tokens differ, every query's scores differ (no uniform row),
    each column of V varies (else the output is V's column whatever the weights), and the
    four options of (b) read differently at two decimals, none close to a rounding
    boundary, and none of them is the output asked for in (c)."""
    return sampling.until(lambda: _draw(rng), _readable)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    keys = int(rng.integers(2, 4))
    d_model = int(rng.choice(sorted(MODELS)))
    return {
        "Q": rng.integers(-2, 3, size=(QUERIES, D_K)).tolist(),
        "K": rng.integers(-2, 3, size=(keys, D_K)).tolist(),
        "V": rng.integers(0, 5, size=(keys, D_K)).tolist(),
        "keys": keys,
        "d_model": d_model,
        "heads": int(rng.choice(MODELS[d_model])),
        "d_ff": d_model * int(rng.choice(FF_FACTORS)),
    }


def _readable(p: dict[str, Any]) -> bool:
    raw = np.asarray(p["Q"]) @ np.asarray(p["K"]).T
    if len({tuple(q) for q in p["Q"]}) < QUERIES or len({tuple(k) for k in p["K"]}) < p["keys"]:
        return False  # a repeated token: equal rows, and the wrong axis reads 0.50
    columns = np.asarray(p["V"]).T.tolist()
    if any(len(set(row)) == 1 for row in raw.tolist() + columns):
        return False
    options = _candidates(p)
    printed = {_matrix(m) for m in options.values()}
    values = np.concatenate([m.ravel() for m in options.values()])
    near_boundary = bool(np.any(np.abs((values * 100) % 1 - 0.5) < 1e-6))
    output = np.round(printed_weights(options["right"]) @ np.asarray(p["V"]), 2)
    shown = any(m.shape == output.shape and np.allclose(printed_weights(m), output)
                for m in options.values())  # fmt: skip
    return len(printed) == len(options) and not near_boundary and not shown


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of (b)'s options, from a stream of its own."""
    names = list(MISTAKES)
    return {**params, "order": [names[i] for i in rng.permutation(len(names))]}


def _candidates(p: dict[str, Any]) -> dict[str, np.ndarray]:
    """The weight matrix and the matrices each named mistake gives."""
    Q, K = np.asarray(p["Q"], dtype=float), np.asarray(p["K"], dtype=float)
    weights, _ = attention.attention(Q, K, np.zeros_like(K))
    raw = attention.attention_scores(Q, K, scale=False)
    return {
        "right": weights,
        "unscaled": attention.softmax(raw, axis=-1),
        "wrong-axis": attention.softmax(attention.attention_scores(Q, K), axis=0),
        "by-d_k": attention.softmax(raw / D_K, axis=-1),
    }


def printed_weights(weights: np.ndarray) -> np.ndarray:
    """The weights as (b) prints them: two decimals."""
    return np.array([[float(f"{w:.2f}") for w in row] for row in weights.tolist()])


def _matrix(m: np.ndarray) -> str:
    rows = " \\\\ ".join(" & ".join(f"{v:.2f}" for v in row) for row in m.tolist())
    return f"$\\begin{{pmatrix}} {rows} \\end{{pmatrix}}$"


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    Q, K, V = (np.asarray(p[name], dtype=float) for name in ("Q", "K", "V"))
    options = _candidates(p)
    block = attention.EncoderBlock.zeros(p["d_model"], p["heads"], p["d_ff"])
    choices = tuple(
        Option(_matrix(options[name]), name == "right", MISTAKES[name][1], MISTAKES[name][0])
        for name in p["order"]
    )
    return {
        "a": attention.attention_scores(Q, K),
        "b": Choices(choices),
        "c": np.round(printed_weights(options["right"]) @ V, 2),
        "d": Accept(block.parameter_count, mistakes=_block_mistakes(p)),
    }


def _block_mistakes(p: dict[str, Any]) -> dict[str, int]:
    """(d)'s half points: the attention's 4 (d^2 + d) right and the rest wrong, or the
    feed-forward network and the layer norms right and the attention wrong."""
    d, ff, heads = p["d_model"], p["d_ff"], p["heads"]
    attention_, feed_forward, norms = 4 * (d * d + d), (d * ff + ff) + (ff * d + d), 2 * 2 * d
    per_head = (3 * heads + 1) * (d * d + d)  # Q, K, V of size d x d in every head, and W_O
    return {
        "the layer norms are forgotten": attention_ + feed_forward,
        "only one layer norm is counted": attention_ + feed_forward + 2 * d,
        "the feed-forward biases are forgotten": attention_ + 2 * d * ff + norms,
        "the attention's biases are forgotten": 4 * d * d + feed_forward + norms,
        "every head has full-size projections": per_head + feed_forward + norms,
    }


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """Dot products and softmax written out per entry; 4(d^2 + d) + 2 d d_ff + d_ff + d + 4 d."""
    p = params
    Q, K, V = p["Q"], p["K"], p["V"]
    scores = [[(q[0] * k[0] + q[1] * k[1]) / D_K**0.5 for k in K] for q in Q]
    weights = []
    for row in scores:
        exps = [math.exp(s - max(row)) for s in row]
        weights.append([float(f"{e / sum(exps):.2f}") for e in exps])
    output = [
        [round(sum(w[j] * V[j][col] for j in range(len(K))), 2) for col in range(D_K)]
        for w in weights
    ]
    d, ff = p["d_model"], p["d_ff"]
    return {
        "a": [s for row in scores for s in row],
        "c": [o for row in output for o in row],
        "d": 4 * (d * d + d) + (d * ff + ff) + (ff * d + d) + 2 * 2 * d,
    }
