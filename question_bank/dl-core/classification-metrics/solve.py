"""Precision, recall, F1 and accuracy of a drawn confusion matrix, and the predictions that
flip when a classifier's threshold moves from 0.5.

The engine builds label and prediction arrays with the drawn counts and counts the cells
back; the threshold parts run the engine's predict() on the printed scores.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np

from generator.authoring import Choices, Option, metrics, sampling

DENOMINATORS = (10, 20, 25, 40, 50)  # predicted and actual positives: fractions that end
TOTALS = (100, 200)
EXAMPLES = 8
SCORES = tuple(round(0.05 + 0.1 * i, 2) for i in range(10))  # 0.05 ... 0.95: never a threshold
THRESHOLDS = (0.3, 0.4, 0.6, 0.7)
BASE = 0.5
MISTAKES = {
    "right": ("", "Exactly the scores between the two thresholds change side."),
    "kept": ("took the predictions beyond the new threshold",
             "These examples are on the same side of both thresholds: they keep their "
             "prediction."),
    "fixed": ("counted only the flips that fix an error",
              "Every prediction between the thresholds flips, right or wrong."),
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Drawn again until the threshold flips some predictions, both precision and recall
    are defined after it, and the three options of (c) name different, non-empty sets."""
    return sampling.until(lambda: _draw(rng), _usable)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    predicted, actual = (int(rng.choice(DENOMINATORS)) for _ in range(2))
    total = int(rng.choice(TOTALS))
    tp = int(rng.integers(1, min(predicted, actual)))
    return {
        "tp": tp,
        "fp": predicted - tp,
        "fn": actual - tp,
        "tn": total - predicted - actual + tp,
        "scores": [float(s) for s in rng.choice(SCORES, size=EXAMPLES, replace=False)],
        "labels": rng.integers(0, 2, size=EXAMPLES).tolist(),
        "threshold": float(rng.choice(THRESHOLDS)),
    }


def _usable(p: dict[str, Any]) -> bool:
    sets = _flip_sets(p)
    new = metrics.predict(np.asarray(p["scores"]), p["threshold"])
    labels = np.asarray(p["labels"])
    defined = new.sum() > 0 and labels.sum() > 0
    distinct = len({tuple(s) for s in sets.values()}) == len(sets)
    return defined and distinct and all(sets.values())


def _flip_sets(p: dict[str, Any]) -> dict[str, list[int]]:
    """Example numbers (from 1) of the right answer and of each mistake."""
    scores, labels = np.asarray(p["scores"]), np.asarray(p["labels"])
    before = metrics.predict(scores, BASE)
    after = metrics.predict(scores, p["threshold"])
    flipped = before != after
    beyond = (scores >= p["threshold"]) if p["threshold"] > BASE else (scores < p["threshold"])
    number = np.arange(1, len(scores) + 1)
    return {
        "right": number[flipped].tolist(),
        "kept": number[beyond].tolist(),
        "fixed": number[flipped & (after == labels)].tolist(),
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    names = list(MISTAKES)
    return {**params, "order": [names[i] for i in rng.permutation(len(names))]}


def _examples_text(numbers: list[int]) -> str:
    if len(numbers) == 1:
        return f"Example {numbers[0]} only"
    return "Examples " + ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    drawn = metrics.Confusion(p["tp"], p["fp"], p["fn"], p["tn"])
    counted = metrics.Confusion.of(*drawn.examples())
    after = metrics.Confusion.of(
        np.asarray(p["labels"]), metrics.predict(np.asarray(p["scores"]), p["threshold"])
    )
    sets = _flip_sets(p)
    options = tuple(
        Option(_examples_text(sets[name]), name == "right", MISTAKES[name][1], MISTAKES[name][0])
        for name in p["order"]
    )
    return {
        "a": [counted.precision, counted.recall],
        "b": [counted.f1, counted.accuracy],
        "c": Choices(options),
        "d": [after.precision, after.recall],
    }


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """TP/(TP+FP), TP/(TP+FN), 2 TP/(2 TP + FP + FN), (TP+TN)/N; after the threshold, the
    cells counted example by example."""
    p = params
    tp, fp, fn, tn = p["tp"], p["fp"], p["fn"], p["tn"]
    new_tp = new_fp = new_fn = 0
    for score, label in zip(p["scores"], p["labels"], strict=True):
        positive = score > p["threshold"]
        new_tp += positive and label == 1
        new_fp += positive and label == 0
        new_fn += (not positive) and label == 1
    return {
        "a": [float(Fraction(tp, tp + fp)), float(Fraction(tp, tp + fn))],
        "b": [
            float(Fraction(2 * tp, 2 * tp + fp + fn)),
            float(Fraction(tp + tn, tp + fp + fn + tn)),
        ],
        "c": "ABC"[p["order"].index("right")],
        "d": [float(Fraction(new_tp, new_tp + new_fp)), float(Fraction(new_tp, new_tp + new_fn))],
    }
