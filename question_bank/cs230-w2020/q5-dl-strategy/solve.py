"""Question 5: data leakage, recall, and human-level performance as a proxy for Bayes error."""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Choices, Model, Option, require

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

# 5(a): a way of building the sets that lets examples of one set into another (the
# template words each by its id); 2 points for the leak, 1 for a less direct problem.
LEAKS = {
    "duplicate": ("Duplicating before splitting leaks training data into the validation and "
                  "test sets (copies of the same positive example land in several sets), which "
                  "leads to overestimates of the model's performance.",
                  "train data leaks into the validation/test sets because the split happens "
                  "after duplication"),
    "augment": ("Augmenting before splitting leaks training data into the validation and test "
                "sets (flipped and rotated versions of the same positive example land in "
                "several sets), which leads to overestimates of the model's performance.",
                "train data leaks into the validation/test sets because the split happens "
                "after augmentation"),
    "crops": ("Cropping before splitting leaks training data into the validation and test sets "
              "(overlapping crops of the same positive image land in several sets), which "
              "leads to overestimates of the model's performance.",
              "train data leaks into the validation/test sets because the split happens after "
              "cropping"),
    "patients": ("Splitting the images rather than the patients leaks training data into the "
                 "validation and test sets (images of the same patient land in several sets, "
                 "and the model can recognize the patient), which leads to overestimates of the "
                 "model's performance; split by patient.",
                 "train data leaks into the validation/test sets because images of one patient "
                 "are split apart"),
}  # fmt: skip
# 5(b): a score the experts' criterion asks for, that a trivial model reaches too.
CRITERIA = ("recall", "precision", "accuracy")
STEPS = {
    "a": ("find how examples of one set reach another",
          "say what it does to the validation and test estimates"),
    "b": ("find a trivial model that reaches the same score",
          "say what that model gets wrong"),
}  # fmt: skip

REPLICA = {
    "scenario": SCENARIOS[0], "examples": 500, "positives": 175, "patients": 125,
    "leak": "duplicate", "criterion": "recall",
    "f1": {"student": 0.20, "group": 0.88, "single": 0.80},
    "option_order": ["student", "group", "single"],
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """F1 scores in whole hundredths with a clear order: student < one expert < group."""
    examples = int(rng.integers(8, 41)) * 50
    single = int(rng.integers(60, 88))
    # A whole percentage of positives (5(b)'s accuracy): examples * share / 100 whole.
    share = int(rng.integers(10, 40))
    if examples % 100:
        share = int(rng.integers(5, 20)) * 2
    return {
        "scenario": SCENARIOS[rng.integers(len(SCENARIOS))],
        "examples": examples,
        "positives": examples * share // 100,
        "patients": examples // int(rng.integers(2, 6)),
        "leak": str(rng.choice(sorted(LEAKS))),
        "criterion": str(rng.choice(CRITERIA)),
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
        "a": _leak(params["leak"]),
        "b": _criterion(params),
        "c": Choices(tuple(_option(params, name, name == best) for name in params["option_order"])),
        "steps": STEPS,
    }


def _leak(leak: str) -> Model:
    answer, full = LEAKS[leak]
    if leak == "patients":
        return Model(answer, rubric=(
            f"2 points: {full}.",
            "1 point for other valid but less direct problems, such as the class imbalance left "
            "as it is, or a mismatch between the test set and the true data distribution.",
            "0 points for other answers.",
        ))  # fmt: skip
    return Model(answer, rubric=(
        f"2 points: {full}.",
        "1 point for other valid but less direct problems, such as potential overfitting of "
        "positive examples, or a mismatch between the test set and the true data distribution.",
        "0 points for other answers or incorrect statements such as \"there is no benefit of "
        "having the same data appear more than once\" (there is: it balances the loss between "
        "positive and negative examples, and training on the same data many times is common).",
    ))  # fmt: skip


def _criterion(params: dict[str, Any]) -> Model:
    """Necessary, not sufficient: a trivial model meets the criterion too."""
    miss = params["scenario"]["miss"]
    criterion = params["criterion"]
    if criterion == "recall":
        answer = (
            "Not necessarily. 100\\% recall is necessary to meet the experts' criterion "
            "but not sufficient to judge the model: a trivial model that always predicts "
            "positive also gets 100\\% recall."
        )
    elif criterion == "precision":
        answer = (
            "Not necessarily. 100\\% precision is necessary to meet the experts' "
            "criterion but not sufficient to judge the model: a model that predicts "
            "positive only for the one example it is surest of also gets 100\\% "
            f"precision, and misses almost all {miss}."
        )
    else:
        answer = (
            f"Not necessarily. Only {_positive_share(params)}\\% of the examples are "
            f"positive, so a trivial model that always predicts negative also gets "
            f"{_accuracy(params)}\\% accuracy, and misses every one of the {miss}."
        )
    return Model(
        answer,
        rubric=(
            f"1 point: no, with a trivial model that reaches the same {criterion} "
            f"({TRIVIAL[criterion]}) and what it gets wrong.",
        ),
    )


TRIVIAL = {
    "recall": "always predicting positive",
    "precision": "predicting positive only for the example it is surest of",
    "accuracy": "always predicting negative",
}


def _positive_share(params: dict[str, Any]) -> int:
    require(params["positives"] * 100 % params["examples"] == 0,
            "the positives are a whole percentage of the examples")  # fmt: skip
    return params["positives"] * 100 // params["examples"]


def _accuracy(params: dict[str, Any]) -> int:
    """What always predicting negative scores: the whole percentage of negatives."""
    return 100 - _positive_share(params)


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
