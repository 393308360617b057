"""Inverted dropout on a printed mask: the scale, the training output, its expectation
and what the layer does at test time.

The mask is part of the printed question (drawn here, never inside the engine), so the
training output is a few divisions; the expectation is the engine's average over the
two outcomes of every unit, which closed_form() gives as the sum of the activations.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Choices, Option, dropout, sampling

KEEP_PROBS = (0.6, 0.7, 0.75, 0.8, 0.9)  # 1/p is never a whole or one-decimal number
SHAPE = (2, 3)  # examples x hidden units
TEST_OUTPUTS = ("right", "scaled", "times-p", "masked")
MISTAKES = {
    "scaled": "scaling at test time as well",
    "times-p": "scaling by p instead of 1/p",
    "masked": "dropout mask applied at test time",
}
WHY = {
    "right": "Inverted dropout already divided by $p$ during training, so at test time the "
    "layer passes its activations through unchanged.",
    "scaled": "Dividing by $p$ again at test time inflates every activation by $1/p$.",
    "times-p": "Multiplying by $p$ at test time is the rule of dropout without the training "
    "scale; with inverted dropout it shrinks the activations by $p$.",
    "masked": "No unit is dropped at test time: every unit is used.",
}


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Redrawn until each example keeps one unit and drops another, and neither 1/p nor the
    expected sum of (c) can be read in the stem: the sum is no printed activation and not a
    whole number (``2 x 3`` is printed), and 1/0.8 = 1.25 is not an option of (d)."""
    return sampling.until(lambda: _draw(rng), _usable)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    keep_prob = float(rng.choice(KEEP_PROBS))
    return {
        "keep_prob": keep_prob,
        "a": (rng.integers(1, 31, size=SHAPE) / 10).tolist(),
        "mask": [_mask_row(rng) for _ in range(SHAPE[0])],
    }


def _mask_row(rng: np.random.Generator) -> list[int]:
    """One or two of the three units kept, at random places: a mask that shows both cases
    (a Bernoulli(p) draw would keep every unit of a row most of the time at p = 0.9)."""
    kept = int(rng.integers(1, SHAPE[1]))
    return rng.permutation([1] * kept + [0] * (SHAPE[1] - kept)).tolist()


def _usable(p: dict[str, Any]) -> bool:
    rows_mixed = all(0 < sum(row) < len(row) for row in p["mask"])
    printed = {v for row in p["a"] for v in row} | {p["keep_prob"]}
    total = round(sum(p["a"][0]), 9)
    shows_scale = p["keep_prob"] == 0.8 and 1.0 in p["a"][0]
    return rows_mixed and total not in printed and not total.is_integer() and not shows_scale


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of (d)'s options, from a stream of its own."""
    return {**params, "order": [TEST_OUTPUTS[i] for i in rng.permutation(len(TEST_OUTPUTS))]}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    a, mask, keep = np.array(p["a"]), np.array(p["mask"]), p["keep_prob"]
    ones = np.ones_like(a)
    scale = dropout.inverted_dropout(ones, ones, keep)[0, 0]
    train = dropout.inverted_dropout(a, mask, keep)
    first = a[0]
    outputs = {
        "right": dropout.dropout_test(first),
        "scaled": dropout.inverted_dropout(first, np.ones_like(first), keep),
        "times-p": dropout.dropout_test(first) * keep,
        "masked": dropout.inverted_dropout(first, mask[0], keep),
    }
    return {
        "a": float(scale),
        "b": train,
        "c": float(dropout.expected_output(first, keep).sum()),
        "d": _choices(p["order"], outputs),
    }


def _choices(order: list[str], outputs: dict[str, np.ndarray]) -> Choices:
    def text(values: np.ndarray) -> str:
        return "$(" + ", ".join(f"{v:.2f}" for v in values) + ")$"

    return Choices(
        tuple(
            Option(text(outputs[name]), name == "right", WHY[name], MISTAKES.get(name, ""))
            for name in order
        )
    )


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """1/p; a * m / p entry by entry; E[sum] = sum of the activations (kept with
    probability p and then divided by p); (d) is wherever the unchanged row is printed."""
    p = params["keep_prob"]
    train = [
        [v / p if m else 0.0 for v, m in zip(row, mrow, strict=True)]
        for row, mrow in zip(params["a"], params["mask"], strict=True)
    ]
    return {
        "a": 1 / p,
        "b": [v for row in train for v in row],
        "c": sum(params["a"][0]),
        "d": "ABCD"[params["order"].index("right")],
    }
