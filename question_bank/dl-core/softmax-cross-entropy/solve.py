"""Softmax of a few integer logits, the cross-entropy of the true class, dL/dz.

The stem prints e^k to one decimal for the logits it uses, and the key computes with
those printed values (softmax of ln(e^k as printed)), so a student with no calculator
reaches the key.  The engine computes softmax and its gradient; the closed form divides
the printed values by their sum.  (b) and (d) are choices whose wrong options are the
results of named mistakes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Choices, Option, backprop, require, sampling

# e^k rounded to one decimal, as printed in the stem.
EXP = {0: 1.0, 1: 2.7, 2: 7.4, 3: 20.1}
CODE_OPTIONS = ("right", "wrong-axis", "sign", "no-one-hot")
LAYOUTS = {"classes-first": 0, "examples-first": 1}


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Logits 0 to 3 with one largest, redrawn until they are not all alike."""
    return sampling.until(lambda: _draw(rng), _usable)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    classes = int(rng.choice([3, 4]))
    logits = [int(v) for v in rng.integers(0, 4, size=classes)]
    return {
        "logits": logits,
        "label": int(rng.integers(0, classes)),
        "exp": [EXP[k] for k in sorted(set(logits))],
        "exp_of": sorted(set(logits)),
        "exps": [EXP[k] for k in logits],  # e^{z_i} as printed, for the worked solution
        "layout": str(rng.choice(sorted(LAYOUTS))),
    }


def _usable(p: dict[str, Any]) -> bool:
    """One largest logit: the predicted class of (b) is defined."""
    z = p["logits"]
    return z.count(max(z)) == 1


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of (b)'s and (d)'s options, from a stream of their own."""
    return {
        **params,
        "loss_order": [int(i) for i in rng.permutation(4)],
        "code_order": [CODE_OPTIONS[i] for i in rng.permutation(len(CODE_OPTIONS))],
    }


def _printed_logits(p: dict[str, Any]) -> np.ndarray:
    """ln of e^z as printed: the logits whose softmax is exactly what the stem lets one compute."""
    table = dict(zip(p["exp_of"], p["exp"], strict=True))
    return np.log(np.array([table[z] for z in p["logits"]]))


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    z = _printed_logits(params)
    probabilities = backprop.softmax(z)
    grad = backprop.softmax_cross_entropy_grad(z, params["label"])
    return {
        "a": probabilities,
        "b": _loss_choices(params, probabilities),
        "c": grad,
        "d": _code_choices(params, rng),
    }


def _loss_choices(p: dict[str, Any], probabilities: np.ndarray) -> Choices:
    """-ln p_c, and the losses of three mistakes, each written with p to two decimals."""
    c = p["label"]
    shown = [f"{v:.2f}" for v in probabilities]
    predicted = int(np.argmax(probabilities))
    other = (
        Option(f"$L = -\\ln {shown[predicted]}$", False,
               "That is the probability of the predicted class, not of the true one.",
               "used the predicted class instead of the true class")
        if predicted != c else
        Option(f"$L = -\\ln(1 - {shown[c]})$", False,
               "That is the binary cross-entropy of a negative example.",
               "used the binary cross-entropy of label 0")
    )  # fmt: skip
    options = [
        Option(f"$L = -\\ln {shown[c]}$", True,
               f"The one-hot target keeps only the true class {c + 1}."),
        Option(f"$L = \\ln {shown[c]}$", False, "A loss is never negative: the minus is missing.",
               "sign error"),
        Option("$L = -(" + " + ".join(f"\\ln {s}" for s in shown) + ")$", False,
               "The one-hot target zeroes every term but the true class's.",
               "summed the log-probabilities of every class"),
        other,
    ]  # fmt: skip
    return Choices(tuple(options[i] for i in p["loss_order"]))


CODE = {
    "right": "(softmax(Z, axis={a}) - Y) / m",
    "wrong-axis": "(softmax(Z, axis={b}) - Y) / m",
    "sign": "(Y - softmax(Z, axis={a})) / m",
    "no-one-hot": "softmax(Z, axis={a}) / m",
}
WHY = {
    "right": ("", "Softmax over the classes, minus the one-hot labels, averaged over m."),
    "wrong-axis": ("wrong softmax axis", "It normalises each class over the examples."),
    "sign": ("sign error in the gradient",
             "It is the negative gradient, $-\\partial J / \\partial Z$."),
    "no-one-hot": ("forgot to subtract the one-hot",
                   "That is the gradient only of the log-sum-exp term."),
}  # fmt: skip


def code_line(p: dict[str, Any], name: str) -> str:
    axis = LAYOUTS[p["layout"]]
    return CODE[name].format(a=axis, b=1 - axis)


def _code_choices(p: dict[str, Any], rng: np.random.Generator) -> Choices:
    """Each line run on a random batch; only the right one matches the engine's gradient."""
    axis = LAYOUTS[p["layout"]]
    classes, m = 3, 5
    logits = rng.standard_normal((classes, m))
    labels = rng.integers(0, classes, size=m)
    want = (
        np.stack(
            [backprop.softmax_cross_entropy_grad(logits[:, i], int(labels[i])) for i in range(m)],
            axis=1,
        )
        / m
    )
    Z = logits if axis == 0 else logits.T
    Y = np.eye(classes)[labels].T if axis == 0 else np.eye(classes)[labels]
    options = []
    for name in p["code_order"]:
        line = code_line(p, name)
        got = eval(line, {"softmax": backprop.softmax, "Z": Z, "Y": Y, "m": m})  # our own lines
        got = got if axis == 0 else got.T
        require(np.allclose(got, want) == (name == "right"), f"(d) option {name}")
        mistake, why = WHY[name]
        options.append(Option(f"\\texttt{{dZ = {line}}}", name == "right", why, mistake))
    return Choices(tuple(options))


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """p_i = e^{z_i} / sum_k e^{z_k} with the printed e^k; dL/dz_i = p_i - [i = label]."""
    table = dict(zip(params["exp_of"], params["exp"], strict=True))
    e = [table[z] for z in params["logits"]]
    total = sum(e)
    p = [v / total for v in e]
    return {
        "a": p,
        "c": [v - (1 if i == params["label"] else 0) for i, v in enumerate(p)],
    }
