"""Xavier/Glorot and He initialisation: variances, a uniform bound, a standard deviation,
and which scale in numpy code gives He initialisation to a convolution layer.

Fans are read off the shapes of the engine's allocated weight arrays; a self-check draws
He-initialised weights and confirms that a ReLU layer keeps the signal's variance near 1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.authoring import Choices, Option, conv, dense, init, require, sampling

WIDTHS = (64, 100, 128, 150, 200, 250, 256, 300, 400, 500, 512)
KERNELS = (3, 5)
CHANNELS = (8, 16, 32, 64)

# Each option: the scale it writes, and the mistake it stands for with its explanation.
OPTIONS = {
    "right": ("", "He: variance $2/\\text{fan}_{\\text{in}}$, so the scale is its square root; "
              "the fan-in of a kernel is $k \\cdot k \\cdot C$."),
    "fan-out": ("fan_in and fan_out swapped",
                "It divides by the fan-out $k \\cdot k \\cdot K$; He uses the fan-in."),
    "no-two": ("forgot factor 2 for He",
               "Variance $1/\\text{fan}_{\\text{in}}$ (LeCun) ignores that ReLU zeroes half of "
               "its inputs: the signal's variance halves at every layer."),
    "variance": ("std vs variance",
                 "It multiplies by the variance $2/\\text{fan}_{\\text{in}}$; randn has standard "
                 "deviation 1, so the factor must be the standard deviation."),
    "no-area": ("fan-in without the kernel area",
                "Each output sums over $k \\cdot k \\cdot C$ inputs, not $C$."),
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Drawn again when C = K (the swapped fan would read the same as the right one)."""
    return sampling.until(lambda: _draw(rng), lambda p: p["channels"] != p["filters"])


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    return {
        "n_in": int(rng.choice(WIDTHS)),
        "n_out": int(rng.choice(WIDTHS)),
        "kernel": int(rng.choice(KERNELS)),
        "channels": int(rng.choice(CHANNELS)),
        "filters": int(rng.choice(CHANNELS)),
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    names = list(OPTIONS)
    return {**params, "order": [names[i] for i in rng.permutation(len(names))]}


def _scale_text(p: dict[str, Any], name: str) -> str:
    k, c, f = p["kernel"], p["channels"], p["filters"]
    area = f"{k} \\cdot {k} \\cdot "
    return {
        "right": f"\\sqrt{{2 / ({area}{c})}}",
        "fan-out": f"\\sqrt{{2 / ({area}{f})}}",
        "no-two": f"\\sqrt{{1 / ({area}{c})}}",
        "variance": f"2 / ({area}{c})",
        "no-area": f"\\sqrt{{2 / {c}}}",
    }[name]


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    fan_in, fan_out = init.fans(dense.Dense.zeros(p["n_in"], p["n_out"]).W.shape)
    xavier = init.xavier_variance(fan_in, fan_out)
    he = init.he_variance(fan_in)
    _check_he_keeps_scale(fan_in, fan_out, he, rng)
    kernel = conv.Conv.zeros((p["kernel"],) * 2, p["channels"], p["filters"]).kernels
    conv_in, _ = init.fans(kernel.shape)
    require(conv_in == p["kernel"] ** 2 * p["channels"], "a kernel's fan-in is k * k * C")
    options = tuple(
        Option(
            f"\\texttt{{scale}} $= {_scale_text(p, name)}$", name == "right", *OPTIONS[name][::-1]
        )
        for name in p["order"]
    )
    return {
        "a": xavier,
        "b": init.uniform_bound(xavier),
        "c": math.sqrt(he),
        "d": Choices(options),
    }


def _check_he_keeps_scale(fan_in: int, fan_out: int, he: float, rng: np.random.Generator) -> None:
    """With He weights, W relu(x) has about the variance of x (1) for standard normal x."""
    weights = rng.standard_normal((fan_out, fan_in)) * math.sqrt(he)
    variance = init.forward_variance(weights, rng.standard_normal((fan_in, 64)), relu=True)
    require(abs(variance - 1) < 0.2, "He initialisation keeps a ReLU layer's variance near 1")


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """2 / (n_in + n_out); its U(-a, a) with a = sqrt(6 / (n_in + n_out)); sqrt(2 / n_in)."""
    total = params["n_in"] + params["n_out"]
    return {
        "a": 2 / total,
        "b": (6 / total) ** 0.5,
        "c": (2 / params["n_in"]) ** 0.5,
        "d": "ABCDE"[params["order"].index("right")],
    }
