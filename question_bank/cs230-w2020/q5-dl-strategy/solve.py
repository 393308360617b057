"""Question 5: data leakage, recall, and human-level performance as a proxy for Bayes error."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Choices, Option

SCENARIOS = (
    {"id": "preterm", "task": "estimating the risk of premature birth for pregnant women "
     "using ultrasound images", "positives": "preterm births", "miss": "preterm births",
     "expert": "doctor", "experts": "doctors"},
    {"id": "retinopathy", "task": "detecting diabetic retinopathy from photographs of the "
     "retina", "positives": "patients with retinopathy", "miss": "cases of retinopathy",
     "expert": "ophthalmologist", "experts": "ophthalmologists"},
    {"id": "pneumonia", "task": "detecting pneumonia from chest X-rays",
     "positives": "patients with pneumonia", "miss": "cases of pneumonia",
     "expert": "radiologist", "experts": "radiologists"},
    {"id": "melanoma", "task": "detecting melanoma from photographs of skin lesions",
     "positives": "melanomas", "miss": "melanomas",
     "expert": "dermatologist", "experts": "dermatologists"},
    {"id": "fracture", "task": "detecting fractures from wrist X-rays",
     "positives": "fractures", "miss": "fractures",
     "expert": "radiologist", "experts": "radiologists"},
)  # fmt: skip
EXPERIMENTS = ("student", "group", "single")

REPLICA = {
    "scenario": SCENARIOS[0], "examples": 500, "positives": 175,
    "f1": {"student": 0.20, "group": 0.88, "single": 0.80},
    "option_order": ["student", "group", "single"],
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """F1 scores in whole hundredths with a clear order: student < one expert < group."""
    examples = int(rng.integers(8, 41)) * 50
    single = int(rng.integers(60, 88))
    return {
        "scenario": SCENARIOS[rng.integers(len(SCENARIOS))],
        "examples": examples,
        "positives": int(rng.integers(examples // 10, examples * 4 // 10) // 5 * 5),
        "f1": {
            "student": int(rng.integers(10, 46)) / 100,
            "group": int(rng.integers(single + 3, 98)) / 100,
            "single": single / 100,
        },
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    return {**params, "option_order": [EXPERIMENTS[i] for i in rng.permutation(3)]}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    best = max(params["f1"], key=params["f1"].get)
    return {
        "c": Choices(tuple(_option(params, name, name == best) for name in params["option_order"]))
    }


def _option(params: dict[str, Any], name: str, correct: bool) -> Option:
    s = params["scenario"]
    text = {
        "student": "Single student",
        "group": f"Group of {s['experts']}",
        "single": f"Single {s['expert']}",
    }[name]
    why = {
        "student": "A non-expert's error is far above the best achievable error.",
        "group": f"Bayes error is the lowest achievable error; a group of {s['experts']} gives "
        "the best human performance, the closest estimate of it.",
        "single": f"One {s['expert']} does worse than a group of {s['experts']}, so it "
        "overestimates the lowest achievable error.",
    }[name]
    mistake = {"student": "non-expert-performance", "single": "typical-expert-not-best"}
    return Option(
        f"{text} (F1 score {params['f1'][name]:.2f})",
        correct,
        why,
        "" if correct else mistake[name],
    )


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The group of experts, wherever it is printed."""
    return {"c": "ABC"[params["option_order"].index("group")]}
