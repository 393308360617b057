"""dl-core: a 2D convolution layer worked by hand (cross-correlation, as frameworks do).

The output is a real forward pass of the engine's convolution layer over the printed image
and kernel; the closed form recomputes every entry with explicit loops over the window.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Choices, Option, conv, sampling

# (image side, kernel side, stride, padding) whose windows tile the padded image exactly,
# with a 2 x 2 or 3 x 3 output: at most nine windows to work by hand.
LAYOUTS = (
    (4, 2, 1, 0),
    (4, 2, 2, 0),
    (4, 2, 2, 1),
    (4, 3, 1, 0),
    (5, 3, 1, 0),
    (5, 3, 2, 0),
    (5, 3, 2, 1),
)
IMAGE_VALUES = (-2, 3)  # inclusive
KERNEL_VALUES = {2: (-1, 2), 3: (-1, 1)}  # 3 x 3 kernels of -1, 0, 1 keep nine products quick
BIG_STRIDES = (2, 3)
BIG_PADDINGS = (2, 3)  # with 1, the no-padding and no-plus-one sides can agree
BIG_SIDES = range(20, 65)
OPTIONS = ("right", "no-plus-one", "no-padding", "no-stride")


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Redrawn when the output is constant (nothing to check entry by entry), the kernel is
    zero, the output matrix reads as a run of printed numbers, or two options of (c) agree."""
    return sampling.until(lambda: _draw(rng), _fair)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    side, kernel_side, stride, padding = LAYOUTS[int(rng.integers(len(LAYOUTS)))]
    low, high = KERNEL_VALUES[kernel_side]
    big_stride = int(rng.choice(BIG_STRIDES))
    big_padding = int(rng.choice(BIG_PADDINGS))
    fitting = [n for n in BIG_SIDES if (n + 2 * big_padding - kernel_side) % big_stride == 0]
    return {
        "side": side,
        "kernel_side": kernel_side,
        "stride": stride,
        "padding": padding,
        "image": rng.integers(IMAGE_VALUES[0], IMAGE_VALUES[1] + 1, (side, side)).tolist(),
        "kernel": rng.integers(low, high + 1, (kernel_side, kernel_side)).tolist(),
        "big_side": int(rng.choice(fitting)),
        "big_stride": big_stride,
        "big_padding": big_padding,
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of (c)'s options, from a stream of its own: shuffling never changes numbers."""
    return {**params, "order": [OPTIONS[i] for i in rng.permutation(len(OPTIONS))]}


def _fair(p: dict[str, Any]) -> bool:
    output = _output(p)
    sides = _big_sides(p)
    printed = [_flat(p["image"]), _flat(p["kernel"])]
    return (
        np.any(p["kernel"])
        and np.ptp(output) > 0
        and not any(_is_run(output.ravel().tolist(), numbers) for numbers in printed)
        and len(set(sides.values())) == len(sides)
        and min(sides.values()) > 0
    )


def _flat(rows: list[list[int]]) -> list[int]:
    return [v for row in rows for v in row]


def _is_run(entries: list[int], numbers: list[int]) -> bool:
    """Whether ``entries`` appear one after another among ``numbers`` (read row by row)."""
    n = len(entries)
    return any(numbers[i : i + n] == entries for i in range(len(numbers) - n + 1))


def _output(p: dict[str, Any]) -> np.ndarray:
    """The engine's convolution layer: one input channel, one filter, no bias."""
    kernels = np.asarray(p["kernel"], dtype=float)[:, :, None, None]
    layer = conv.Conv(kernels, np.zeros(1), stride=p["stride"], padding=p["padding"])
    image = np.asarray(p["image"], dtype=float)[:, :, None]
    return np.rint(layer(image)[:, :, 0]).astype(int)  # integer inputs: exact integer sums


def _big_sides(p: dict[str, Any]) -> dict[str, int]:
    """The output side of (c) and of each named mistake, in floor arithmetic as frameworks."""
    n, f, s, pad = p["big_side"], p["kernel_side"], p["big_stride"], p["big_padding"]
    return {
        "right": (n + 2 * pad - f) // s + 1,
        "no-plus-one": (n + 2 * pad - f) // s,
        "no-padding": (n - f) // s + 1,
        "no-stride": n + 2 * pad - f + 1,
    }


WHY = {
    "right": ("", "$(n + 2p - f)/s + 1$ windows fit along each side."),
    "no-plus-one": (
        "(n + 2p - f)/s without the +1",
        "The $+1$ counts the first window; $(n + 2p - f)/s$ counts only the steps after it.",
    ),
    "no-padding": (
        "padding forgotten",
        "The zero padding adds $p$ positions on each side: $n + 2p$, not $n$.",
    ),
    "no-stride": (
        "stride ignored",
        "With stride $s$ the window moves $s$ positions at a time: divide by $s$.",
    ),
}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    output = _output(params)
    sides = _big_sides(params)
    options = tuple(
        Option(f"${sides[name]} \\times {sides[name]}$", name == "right", WHY[name][1],
               WHY[name][0])
        for name in params["order"]
    )  # fmt: skip
    return {"a": list(output.shape), "b": output, "c": Choices(options)}


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """Output side (n + 2p - f)/s + 1; each entry the sum over the window of image * kernel,
    reading zeros outside the image."""
    p = params
    n, f, s, pad = p["side"], p["kernel_side"], p["stride"], p["padding"]
    out = (n + 2 * pad - f) // s + 1

    def pixel(r: int, c: int) -> int:
        return p["image"][r][c] if 0 <= r < n and 0 <= c < n else 0

    entries = [
        [
            sum(
                pixel(i * s - pad + u, j * s - pad + v) * p["kernel"][u][v]
                for u in range(f)
                for v in range(f)
            )
            for j in range(out)
        ]
        for i in range(out)
    ]
    return {"a": [out, out], "b": [v for row in entries for v in row]}
