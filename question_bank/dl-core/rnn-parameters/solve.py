"""Parameter counts of a vanilla RNN, an LSTM and a GRU layer, and the shape of its outputs.

The engine allocates every gate's weight matrix and bias and counts them; the output shape
is that of a real forward pass of the LSTM over a random batch of sequences.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Accept, recurrent, require, sampling

SIZES = tuple(range(2, 21))
BATCHES = (4, 8, 16, 32, 64)
STEPS = tuple(range(5, 31))


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Drawn again while an answer would be printed in the stem: the output shape equals
    the input shape when the hidden size is the input size, and a count could equal a size."""
    return sampling.until(lambda: _draw(rng), _nothing_given_away)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "input_size": int(rng.choice(SIZES)),
        "hidden_size": int(rng.choice(SIZES)),
        "batch": int(rng.choice(BATCHES)),
        "steps": int(rng.choice(STEPS)),
    }


def _nothing_given_away(p: dict[str, Any]) -> bool:
    counts = {v for k, v in closed_form(p).items() if k != "d"}
    printed = {p["input_size"], p["hidden_size"], p["batch"], p["steps"]}
    return p["input_size"] != p["hidden_size"] and not counts & printed


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    x, h = p["input_size"], p["hidden_size"]
    layers = {kind: recurrent.Recurrent.zeros(kind, x, h) for kind in ("rnn", "lstm", "gru")}
    lstm = recurrent.Recurrent.random("lstm", x, h, rng)
    states, cell = lstm(rng.standard_normal((p["batch"], p["steps"], x)))
    require(cell is not None and cell.shape == (p["batch"], h), "the LSTM cell state is (batch, h)")
    return {
        "a": layers["rnn"].parameter_count,
        "b": Accept(layers["lstm"].parameter_count, mistakes=_gate_mistakes(4, x, h)),
        "c": Accept(layers["gru"].parameter_count, mistakes=_gate_mistakes(3, x, h)),
        "d": states.shape,
    }


def _gate_mistakes(gates: int, x: int, h: int) -> dict[str, int]:
    """Gates of the size (a) gives when it misses a term: named for the item analysis; the
    rubric's half point for them depends on the student's own (a), which a person reads."""
    return {
        "the gates lack their biases": gates * h * (h + x),
        "the gates lack the recurrent weights": gates * (h * x + h),
        "the gates lack the input weights": gates * (h * h + h),
    }


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """g (h (h + x) + h) for g = 1, 4, 3 gates; the outputs are (batch, steps, h)."""
    x, h = params["input_size"], params["hidden_size"]
    gate = h * (h + x) + h
    return {
        "a": gate,
        "b": 4 * gate,
        "c": 3 * gate,
        "d": [params["batch"], params["steps"], h],
    }
