"""dl-core: output shapes, parameter counts and a receptive field through a small CNN.

conv -> max pool -> conv -> flatten -> dense.  The shapes are those of a real forward pass
through the engine's layers, the counts the sizes of their allocated parameters, and the
receptive field the input span traced back from one unit of the second convolution; the
closed form uses the textbook formulas instead.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import conv, dense, pooling, receptive, sampling

KERNELS1 = (3, 5)
STRIDES1 = (1, 2)
FILTERS1 = (4, 6, 8)
KERNEL2 = 3
FILTERS2 = (8, 16)
UNITS = (10, 20)
CHANNELS = (1, 3)
OUTPUT_SIDES = range(3, 8)  # the second convolution's output side
POOL = 2  # window and stride of the max pooling layer


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Sizes are built back from the second convolution's output side, so every division is
    exact; redrawn when an answer (10 or more) is one of the printed numbers."""
    return sampling.until(lambda: _draw(rng), _not_printed)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    kernel1, stride1 = int(rng.choice(KERNELS1)), int(rng.choice(STRIDES1))
    padding1 = int(rng.choice([0, (kernel1 - 1) // 2]))
    padding2 = int(rng.integers(0, 2))
    out2 = int(rng.choice(OUTPUT_SIDES))
    pooled = out2 - 1 + KERNEL2 - 2 * padding2
    side = (POOL * pooled - 1) * stride1 + kernel1 - 2 * padding1  # at most 39
    return {
        "side": side,
        "channels": int(rng.choice(CHANNELS)),
        "kernel1": kernel1,
        "stride1": stride1,
        "padding1": padding1,
        "filters1": int(rng.choice(FILTERS1)),
        "kernel2": KERNEL2,
        "padding2": padding2,
        "filters2": int(rng.choice(FILTERS2)),
        "units": int(rng.choice(UNITS)),
    }


def _not_printed(p: dict[str, Any]) -> bool:
    answers = closed_form(p)
    printed = {v for v in p.values() if isinstance(v, int)} | {POOL}
    counts = {answers[part] for part in ("b", "c", "d")}
    return not {n for n in counts if n >= 10} & printed  # one digit tells nothing


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Run an input through the stack layer by layer; count what each layer allocates."""
    p = params
    conv1 = conv.Conv.zeros(
        (p["kernel1"],) * 2, p["channels"], p["filters1"], stride=p["stride1"],
        padding=p["padding1"],
    )  # fmt: skip
    conv2 = conv.Conv.zeros(
        (p["kernel2"],) * 2, p["filters1"], p["filters2"], padding=p["padding2"]
    )
    x = rng.standard_normal((p["side"], p["side"], p["channels"]))
    pooled = pooling.max_pool(conv1(x), POOL, POOL)
    flat = conv2(pooled).reshape(-1, 1)  # a column vector, as the dense layer takes it
    head = dense.Dense.zeros(flat.shape[0], p["units"])
    counts = [layer.weight_count + layer.bias_count for layer in (conv1, conv2, head)]
    field = receptive.receptive_field(
        [(p["kernel1"], p["stride1"]), (POOL, POOL), (p["kernel2"], 1)]
    )
    return {"a": list(pooled.shape), "b": flat.shape[0], "c": sum(counts), "d": field}


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """(n + 2p - f)/s + 1 per side; (f * f * c_in + 1) * c_out per conv layer, (n_in + 1) *
    units for the dense layer; receptive field 1 + sum of (f_l - 1) * (product of the
    strides before layer l)."""
    p = params
    conv1_side = (p["side"] + 2 * p["padding1"] - p["kernel1"]) // p["stride1"] + 1
    pooled = (conv1_side - POOL) // POOL + 1
    conv2_side = pooled + 2 * p["padding2"] - p["kernel2"] + 1
    flat = conv2_side**2 * p["filters2"]
    params_count = (
        (p["kernel1"] ** 2 * p["channels"] + 1) * p["filters1"]
        + (p["kernel2"] ** 2 * p["filters1"] + 1) * p["filters2"]
        + (flat + 1) * p["units"]
    )
    field = 1 + (p["kernel1"] - 1) + (POOL - 1) * p["stride1"]
    field += (p["kernel2"] - 1) * p["stride1"] * POOL
    return {"a": [pooled, pooled, p["filters1"]], "b": flat, "c": params_count, "d": field}
