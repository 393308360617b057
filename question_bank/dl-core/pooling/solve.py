"""dl-core: max and average pooling of a small matrix, and max pooling's backward pass.

The outputs and the gradient are the engine's pooling layer run on the printed numbers;
the closed form recomputes them with explicit loops over the windows.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import pooling, sampling

SIDE = 4
WINDOW = 2
STRIDES = (1, 2)
IMAGE_VALUES = (-3, 9)  # inclusive
UPSTREAM_VALUES = (-3, -2, -1, 1, 2, 3, 4)  # never 0: every window routes something


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Redrawn while a window's maximum is tied (the routed gradient would depend on a
    convention), or an answer reads as a run of the printed numbers."""
    return sampling.until(lambda: _draw(rng), _fair)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    stride = int(rng.choice(STRIDES))
    out = pooling.output_side(SIDE, WINDOW, stride)
    low, high = IMAGE_VALUES
    return {
        "side": SIDE,
        "window": WINDOW,
        "stride": stride,
        "image": rng.integers(low, high + 1, (SIDE, SIDE)).tolist(),
        "upstream": rng.choice(UPSTREAM_VALUES, (out, out)).tolist(),
    }


def _fair(p: dict[str, Any]) -> bool:
    windows = pooling.windows(np.asarray(p["image"]), p["window"], p["stride"])
    flat = windows.reshape(*windows.shape[:2], -1)
    tied = (flat == flat.max(axis=-1, keepdims=True)).sum(axis=-1) > 1
    printed = [_flat(p["image"]), _flat(p["upstream"])]
    answers = closed_form(p)
    return not tied.any() and not any(
        _is_run(answer, numbers) for answer in answers.values() for numbers in printed
    )


def _flat(rows: list[list[int]]) -> list[int]:
    return [v for row in rows for v in row]


def _is_run(entries: list[float], numbers: list[int]) -> bool:
    """Whether ``entries`` appear one after another among ``numbers`` (read row by row)."""
    n = len(entries)
    return any(numbers[i : i + n] == entries for i in range(len(numbers) - n + 1))


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    image = np.asarray(p["image"])
    window, stride = p["window"], p["stride"]
    upstream = np.asarray(p["upstream"])
    return {
        "a": pooling.max_pool(image, window, stride),
        "b": pooling.avg_pool(image, window, stride),
        "c": np.rint(pooling.max_pool_backward(image, upstream, window, stride)).astype(int),
    }


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """Window (i, j) covers rows s*i .. s*i + w - 1 and the same columns: its largest entry,
    its sum over w*w, and its upstream gradient added at the position of its largest entry."""
    p = params
    w, s, image = p["window"], p["stride"], p["image"]
    out = (p["side"] - w) // s + 1
    maxima, means = [], []
    grad = [[0] * p["side"] for _ in range(p["side"])]
    for i in range(out):
        for j in range(out):
            cells = [(s * i + u, s * j + v) for u in range(w) for v in range(w)]
            entries = [image[r][c] for r, c in cells]
            maxima.append(max(entries))
            means.append(sum(entries) / (w * w))
            r, c = cells[entries.index(max(entries))]
            grad[r][c] += p["upstream"][i][j]
    return {"a": maxima, "b": means, "c": _flat(grad)}
