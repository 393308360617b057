"""Question 7: output volume and parameter counts of 1D, 2D and 3D convolution layers.

The output volume is the shape of a real numpy forward pass over a random
input; parameter counts are the sizes of the allocated kernels and biases.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from generator.authoring import Formula, conv, require, sampling

KERNELS = (3, 5, 7)
STRIDES = (1, 2)
CHANNELS = (1, 3)  # grayscale or RGB images
OUTPUT_SIDES = tuple(range(6, 33))
FILTERS = tuple(range(2, 17))
KERNELS_1D = (3, 5, 7, 9)
CHANNELS_1D = (2, 3, 4, 5, 6)
KERNELS_3D = (3, 5)
MAX_SIDE = 64
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}

REPLICA = {
    "height": 32,
    "width": 32,
    "channels": 3,
    "kernel": 5,
    "padding": 0,
    "stride": 1,
    "filters": 2,
    "kernel_1d": 5,
    "channels_1d": 3,
    "channels_1d_words": "three",
    "kernel_3d": 5,
}


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Input sides are built from whole output sides, so the arithmetic always divides.

    A draw is drawn again when an answer would appear in the stem: an output volume equal
    to the input volume (same padding, as many filters as channels), or a parameter count
    equal to one of the printed sizes.
    """
    return sampling.until(lambda: _draw(rng), _answers_not_printed)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    kernel = int(rng.choice(KERNELS))
    stride = int(rng.choice(STRIDES))
    padding = int(rng.integers(0, (kernel - 1) // 2 + 1))
    height, width = (_side(rng, kernel, stride, padding) for _ in range(2))
    channels_1d = int(rng.choice(CHANNELS_1D))
    return {
        "height": height,
        "width": width,
        "channels": int(rng.choice(CHANNELS)),
        "kernel": kernel,
        "padding": padding,
        "stride": stride,
        "filters": int(rng.choice(FILTERS)),
        "kernel_1d": int(rng.choice(KERNELS_1D)),
        "channels_1d": channels_1d,
        "channels_1d_words": NUMBER_WORDS[channels_1d],
        "kernel_3d": int(rng.choice(KERNELS_3D)),
    }


def _answers_not_printed(p: dict[str, Any]) -> bool:
    answers = closed_form(p)
    printed = {v for v in p.values() if isinstance(v, int)}
    counts = {answers[part] for part in ("d", "e", "f")}
    return answers["c"] != [p["height"], p["width"], p["channels"]] and not counts & printed


def _side(rng: np.random.Generator, kernel: int, stride: int, padding: int) -> int:
    sides = [(o - 1) * stride + kernel - 2 * padding for o in OUTPUT_SIDES]
    return int(rng.choice([s for s in sides if s <= MAX_SIDE]))


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    layer = conv.Conv.zeros(
        (p["kernel"],) * 2, p["channels"], p["filters"], stride=p["stride"], padding=p["padding"]
    )
    output = layer(rng.standard_normal((p["height"], p["width"], p["channels"])))
    conv_1d = conv.Conv.zeros(
        (p["kernel_1d"],), p["channels_1d"], p["filters"], stride=p["stride"], padding=p["padding"]
    )
    conv_3d = conv.Conv.zeros(
        (p["kernel_3d"],) * 3, p["channels"], p["filters"], stride=p["stride"], padding=p["padding"]
    )
    return {
        "b": _same_padding(rng),
        "c": output.shape,
        "d": layer.parameter_count,
        "e": conv_1d.parameter_count,
        "f": conv_3d.parameter_count,
    }


def _same_padding(rng: np.random.Generator) -> Formula:
    """p = (f - 1)/2, checked by running stride-1 convolutions with that padding."""
    f = sp.Symbol("f", positive=True, integer=True)
    half = sp.Pow(2, -1, evaluate=False)
    formula = Formula("p", sp.Mul(sp.Add(f, -1, evaluate=False), half, evaluate=False))
    for width in (1, 3, 5, 7, 9):
        padding = formula.rhs.subs(f, width)
        layer = conv.Conv.zeros((width, width), 2, 1, padding=int(padding))
        volume = rng.standard_normal((11, 13, 2))
        require(layer(volume).shape[:2] == volume.shape[:2], f"same padding for f = {width}")
    return formula


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """(n + 2p - f) / s + 1 per side; (F * F * D) * K + K parameters and its 1D and 3D forms."""
    p = params
    side = [
        (n + 2 * p["padding"] - p["kernel"]) // p["stride"] + 1 for n in (p["height"], p["width"])
    ]
    k = p["filters"]
    return {
        "c": [*side, k],
        "d": p["kernel"] ** 2 * p["channels"] * k + k,
        "e": p["kernel_1d"] * p["channels_1d"] * k + k,
        "f": p["kernel_3d"] ** 3 * p["channels"] * k + k,
    }
