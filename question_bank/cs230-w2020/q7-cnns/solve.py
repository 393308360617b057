"""Question 7: output volume and parameter counts of 1D, 2D and 3D convolution layers.

The output volume is the shape of a real numpy forward pass over a random
input; parameter counts are the sizes of the allocated kernels and biases.

Each copy draws what (a) and (b) ask: (a) why one would use one of four layers, each
judged by what it does to the output volume; (b) the padding (or the filter width) that
gives an output of the same size as the input (or 2 smaller, or 2 larger).  (c) always
has a padding and a stride above 1, so every copy computes the same steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from generator.authoring import Formula, Model, conv, require, sampling

KERNELS = (3, 5, 7)
STRIDES = (2, 3)  # never 1: every copy of (c) divides by its stride
CHANNELS = (3, 4, 6)  # never 1: every copy of (d) multiplies by the depth
OUTPUT_SIDES = tuple(range(6, 33))
FILTERS = tuple(range(2, 17))
KERNELS_1D = (3, 5, 7, 9)
CHANNELS_1D = (2, 3, 4, 5, 6)
KERNELS_3D = (3, 5)
MAX_SIDE = 64
NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}

# (a): a layer, as the question names it twice ("why one would use ...", "what does ...
# achieve"), judged by what it does to the output volume's height, width and depth.
LAYERS = (
    {"id": "one-by-one", "use": r"a $1 \times 1$ convolution",
     "doing": r"performing a $1 \times 1$ convolution"},
    {"id": "max-pooling", "use": r"a $2 \times 2$ max-pooling layer with a stride of $2$",
     "doing": r"performing $2 \times 2$ max pooling with a stride of $2$"},
    {"id": "global-average-pooling", "use": "a global average pooling layer",
     "doing": "performing global average pooling"},
    {"id": "transposed", "use": "a transposed convolution",
     "doing": "performing a transposed convolution"},
)  # fmt: skip
LAYER_MODELS = {
    "one-by-one": Model(
        "A $1 \\times 1$ convolution changes (typically reduces) the number of channels while "
        "preserving the spatial dimensions of the volume.",
        (
            "Credit for reducing (or changing) the number of channels while keeping height and "
            "width.",
        ),
    ),
    "max-pooling": Model(
        "It halves the height and width of the volume while keeping its number of channels, "
        "with no parameters to learn: the following layers compute less, and the network "
        "becomes less sensitive to small shifts of the input.",
        (
            "Credit for halving (reducing) the height and width while keeping the number of "
            "channels.",
        ),
    ),
    "global-average-pooling": Model(
        "It reduces each channel to its average, so an $n_H \\times n_W \\times n_C$ volume "
        "becomes $1 \\times 1 \\times n_C$: one number per channel, with no parameters, in "
        "place of flattening into a large fully connected layer (and for any input size).",
        (
            "Credit for reducing the height and width to $1 \\times 1$ while keeping the number "
            "of channels.",
        ),
    ),
    "transposed": Model(
        "It upsamples: the output volume has a larger height and width than its input (e.g. "
        "to bring a segmentation network's volume back to the image's size, or in a GAN's "
        "generator), with learned filters.",
        ("Credit for increasing (upsampling) the height and width of the volume.",),
    ),
}
# (b): the unknown (the padding p as a function of f, or the filter width f as a function
# of p), and how much smaller than the input the output must be (0: the same size).
UNKNOWNS = ("padding", "filter")
SHRINKS = (0, 2, -2)
STEPS = {
    "a": ("how the layer changes the height and width of the volume",
          "how it changes the number of channels", "why that is useful"),
    "b": ("output size with stride 1: n + 2p - f + 1",
          "set it equal to the size asked for and solve for the unknown"),
    "c": ("add twice the padding", "subtract the kernel size", "divide by the stride",
          "add 1", "depth: the number of filters"),
    "d": ("weights per filter: kernel height times width times input channels",
          "times the number of filters", "plus one bias per filter"),
}  # fmt: skip

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
    "layer": LAYERS[0],
    "unknown": "padding",
    "shrink": 0,
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
    padding = int(rng.integers(1, (kernel - 1) // 2 + 1))  # never 0: every copy pads
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
        "layer": LAYERS[rng.integers(len(LAYERS))],
        "unknown": UNKNOWNS[rng.integers(len(UNKNOWNS))],
        "shrink": int(rng.choice(SHRINKS)),
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
        "a": LAYER_MODELS[p["layer"]["id"]],
        "b": _padding_or_width(p["unknown"], p["shrink"], rng),
        "c": output.shape,
        "d": layer.parameter_count,
        "e": conv_1d.parameter_count,
        "f": conv_3d.parameter_count,
        "steps": STEPS,
    }


def _padding_or_width(unknown: str, shrink: int, rng: np.random.Generator) -> Formula:
    """n + 2p - f + 1 = n - shrink solved for p, (f - 1 - shrink)/2, or for f, 2p + 1 + shrink
    (shrink 0: p = (f - 1)/2, same padding), checked by running stride-1 convolutions."""
    f = sp.Symbol("f", positive=True, integer=True)
    p = sp.Symbol("p", nonnegative=True, integer=True)
    if unknown == "padding":
        half = sp.Pow(2, -1, evaluate=False)
        formula = Formula("p", sp.Mul(sp.Add(f, -1 - shrink, evaluate=False), half,
                                      evaluate=False))  # fmt: skip
        layers = [(w, formula.rhs.subs(f, w)) for w in range(1, 12, 2)]
    else:
        formula = Formula("f", sp.Add(sp.Mul(2, p, evaluate=False), 1 + shrink, evaluate=False))
        layers = [(formula.rhs.subs(p, q), q) for q in range(6)]
    for width, padding in layers:
        if width < 1 or padding < 0:
            continue  # no such layer: the formula holds where one exists
        layer = conv.Conv.zeros((int(width), int(width)), 2, 1, padding=int(padding))
        volume = rng.standard_normal((11, 13, 2))
        require(layer(volume).shape[:2] == (11 - shrink, 13 - shrink),
                f"f = {width}, p = {padding}: output {shrink} smaller")  # fmt: skip
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
