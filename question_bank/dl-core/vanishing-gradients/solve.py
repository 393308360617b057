"""The gradient through three sigmoid units in a chain, and why deep chains vanish.

The stem prints the forward pass's activations to two decimals, each computed from the
previous one as printed, and the key backpropagates through those printed values
(sigma'(z) = a (1 - a)).  The bound sigma' <= 1/4 gives (c) and (d); the engine finds
sigma''s maximum and the depth by trying, the closed form by formula.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.authoring import Choices, Option, backprop, dense, require, sampling

THRESHOLDS = (0.01, 0.001, 0.0001)
BOUNDS = ("right", "half", "once", "sum")


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Weights and input of one decimal, redrawn until no unit is saturated at print size."""
    return sampling.until(lambda: _draw(rng), lambda p: all(0 < a < 1 for a in p["a"]))


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    magnitudes = rng.integers(5, 31, size=3) / 10
    w = [float(m * s) for m, s in zip(magnitudes, rng.choice([-1, 1], size=3), strict=True)]
    x = float(rng.choice([-1, 1]) * rng.integers(5, 21) / 10)
    return {
        "w": w,
        "x": x,
        "a": _printed_forward(w, x),
        "depth_c": int(rng.integers(4, 10)),
        "max_weight": int(rng.choice([1, 2])),
        "threshold": float(rng.choice(THRESHOLDS)),
    }


def _printed_forward(w: list[float], x: float) -> list[float]:
    """a_l = sigma(w_l a_{l-1}) to two decimals, each from the previous one as printed."""
    activations, a = [], x
    for weight in w:
        a = round(float(dense.sigmoid(np.float64(weight * a))), 2)
        activations.append(a)
    return activations


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    return {**params, "bound_order": [BOUNDS[i] for i in rng.permutation(len(BOUNDS))]}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    return {
        "a": float(backprop.SLOPE_FROM_OUTPUT["sigmoid"](np.float64(p["a"][0]))),
        "b": backprop.chain_gradient_from_activations(p["w"], p["a"], "sigmoid"),
        "c": _bound_choices(p),
        "d": backprop.depth_below(p["max_weight"], p["threshold"], "sigmoid"),
    }


def _bound_choices(p: dict[str, Any]) -> Choices:
    depth = p["depth_c"]
    bound = backprop.chain_gradient_bound(1.0, depth, "sigmoid")
    texts = {
        "right": (f"$(1/4)^{{{depth}}}$", "",
                  f"Each of the {depth} layers contributes $|w_l|\\,\\sigma'(z_l) \\le 1/4$."),
        "half": (f"$(1/2)^{{{depth}}}$", "used sigma(0) = 1/2 as the largest slope",
                 "$1/2 = \\sigma(0)$ is the value of the sigmoid, not of its slope."),
        "once": ("$1/4$", "applied the bound once instead of per layer",
                 "Every layer multiplies the gradient by its own factor."),
        "sum": (f"${depth} \\cdot \\frac{{1}}{{4}}$",
                "added the layer factors instead of multiplying",
                "The chain rule multiplies the factors of the layers."),
    }  # fmt: skip
    options = []
    for name in p["bound_order"]:
        text, mistake, why = texts[name]
        options.append(Option(text, name == "right", why, mistake))
    require(bound == 0.25**depth, "the engine's bound is the right option's")
    return Choices(tuple(options))


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """a_1 (1 - a_1); prod_l w_l a_l (1 - a_l); the smallest L with (w_max / 4)^L < t."""
    a, w = params["a"], params["w"]
    depth = math.floor(math.log(1 / params["threshold"]) / math.log(4 / params["max_weight"])) + 1
    return {
        "a": a[0] * (1 - a[0]),
        "b": math.prod(wl * al * (1 - al) for wl, al in zip(w, a, strict=True)),
        "d": depth,
    }
