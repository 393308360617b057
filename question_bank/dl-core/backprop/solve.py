"""Backpropagation through a 2-2-1 network for one example, layer by layer.

The engine runs the forward pass and the backward pass (dZ = dA * g'(Z), dW = dZ A^T,
db = dZ, dA_prev = W^T dZ); the closed form writes each derivative out as the chain
rule gives it, entry by entry.  Integer weights keep every number whole.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import backprop, dense, require, sampling

ACTIVATIONS = ("relu", "linear")


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Small integers, redrawn until the gradients are neither zero nor printed."""
    return sampling.until(lambda: _draw(rng), _usable)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    nonzero = [-2, -1, 1, 2]
    return {
        "x": [int(v) for v in rng.choice([-3, -2, -1, 1, 2, 3], size=2)],
        "W1": [[int(v) for v in rng.integers(-2, 3, size=2)] for _ in range(2)],
        "b1": [int(v) for v in rng.integers(-2, 3, size=2)],
        "W2": [int(v) for v in rng.choice(nonzero, size=2)],
        "b2": int(rng.choice(nonzero)),
        "y": int(rng.integers(-3, 4)),
    }


def _usable(p: dict[str, Any]) -> bool:
    """No pre-activation exactly 0 (ReLU' is undefined there), at least one unit on, an
    error from 1 to 6 in size, and no gradient printed in the stem."""
    g = closed_form(p)
    z1 = _pre_activations(p)
    printed = [[w for row in p["W1"] for w in row], p["b1"], p["x"], p["W2"]]
    return (
        0 not in z1
        and max(z1) > 0
        and 0 < abs(g["a"]) <= 6
        and not any(_inside(g[k], seq) for k in "bcd" for seq in printed)
    )


def _inside(vector: list[int], sequence: list[int]) -> bool:
    """Whether ``vector`` is printed as consecutive entries; a first entry of 3 is also
    read inside a printed -3, as `check` reads it."""
    n = len(vector)
    for i in range(len(sequence) - n + 1):
        window = sequence[i : i + n]
        first = abs(window[0]) if vector[0] >= 0 else window[0]
        if first == vector[0] and window[1:] == vector[1:]:
            return True
    return False


def _pre_activations(p: dict[str, Any]) -> list[int]:
    return [sum(w * x for w, x in zip(row, p["x"], strict=True)) + b
            for row, b in zip(p["W1"], p["b1"], strict=True)]  # fmt: skip


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    layers = [
        dense.Dense(np.array(p["W1"], dtype=float), np.array(p["b1"], dtype=float)[:, None]),
        dense.Dense(np.array([p["W2"]], dtype=float), np.array([[p["b2"]]], dtype=float)),
    ]
    x = np.array(p["x"], dtype=float)[:, None]
    cache = backprop.forward(layers, x, ACTIVATIONS)
    d_output = backprop.half_squared_error_grad(cache.output, np.array([[p["y"]]]))
    grads = backprop.backward(layers, cache, ACTIVATIONS, d_output)
    d_b2 = float(grads.biases[1][0, 0])
    require(d_b2.is_integer(), "integer weights give an integer output error")
    return {
        "a": int(d_b2),
        "b": grads.weights[1],
        "c": grads.biases[0],
        "d": grads.weights[0],
    }


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The chain rule entry by entry: delta2 = y_hat - y; dW2_i = delta2 a_i;
    delta1_i = W2_i delta2 [z_i > 0]; dW1_ij = delta1_i x_j."""
    p = params
    z1 = _pre_activations(p)
    a1 = [max(z, 0) for z in z1]
    y_hat = sum(w * a for w, a in zip(p["W2"], a1, strict=True)) + p["b2"]
    delta2 = y_hat - p["y"]
    delta1 = [w * delta2 * (1 if z > 0 else 0) for w, z in zip(p["W2"], z1, strict=True)]
    return {
        "a": delta2,
        "b": [delta2 * a for a in a1],
        "c": delta1,
        "d": [d * x for d in delta1 for x in p["x"]],
    }
