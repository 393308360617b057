"""A two-layer network's forward pass by hand: pre-activations, ReLU, output, loss.

The network (2 inputs, 2 ReLU units, 1 linear output) is run by the engine; the
closed form redoes every sum with explicit loops.  Small integer weights keep the
arithmetic doable in a minute, and (c)'s wrong options are the outputs of named
mistakes, so a wrong circle says which step went wrong.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from generator.authoring import Choices, Option, backprop, dense, require, sampling

# What each wrong option of (c) computes, and how the solutions explain it.
MISTAKES = {
    "no-bias": ("forgot the biases", "It leaves out $b^{[1]}$ and $b^{[2]}$."),
    "transposed": ("wrong matrix orientation",
                   "It multiplies by $W^{[1]\\top}$: the rows of $W^{[1]}$ are the hidden units."),
    "no-relu": ("forgot the hidden ReLU", "It feeds $z^{[1]}$ instead of $a^{[1]}$ to the output."),
    "output-relu": ("applied the activation to the output layer too",
                    "The output unit is linear; this value is $\\mathrm{ReLU}(\\hat{y})$."),
}  # fmt: skip


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Small integers, redrawn until every step matters and no answer is printed."""
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
    """One hidden unit on and one off (no z exactly 0), four distinct options, a loss from 1
    to 100,
    and neither vector answer printed in the stem (as consecutive numbers of a matrix)."""
    z1 = _pre_activations(p)
    values = _candidates(p)
    right = values["right"]
    wrong = {v for k, v in values.items() if k != "right" and v != right}
    printed = [[w for row in p["W1"] for w in row], p["b1"], p["x"], p["W2"]]
    a1 = [max(z, 0) for z in z1]
    return (
        min(z1) < 0 < max(z1)
        and len(wrong) >= 3
        and 0 < abs(right - p["y"]) <= 10
        and (right - p["y"]) ** 2 not in {abs(v) for v in values.values()}  # (c) prints them
        and not any(_inside(v, seq) for v in (z1, a1) for seq in printed)
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
    """z1 by loops: sum_j W1[i][j] x[j] + b1[i] (the closed form's own arithmetic)."""
    return [sum(w * x for w, x in zip(row, p["x"], strict=True)) + b
            for row, b in zip(p["W1"], p["b1"], strict=True)]  # fmt: skip


def _candidates(p: dict[str, Any]) -> dict[str, int]:
    """The output, and the output each named mistake produces, by hand-style sums."""
    x, W1, b1, W2, b2 = p["x"], p["W1"], p["b1"], p["W2"], p["b2"]

    def out(hidden: list[int], bias: int) -> int:
        return sum(w * h for w, h in zip(W2, hidden, strict=True)) + bias

    z1 = _pre_activations(p)
    relu = [max(z, 0) for z in z1]
    no_bias = [max(sum(w * v for w, v in zip(row, x, strict=True)), 0) for row in W1]
    transposed = [max(W1[0][i] * x[0] + W1[1][i] * x[1] + b1[i], 0) for i in range(2)]
    right = out(relu, b2)
    return {
        "right": right,
        "no-bias": out(no_bias, 0),
        "transposed": out(transposed, b2),
        "no-relu": out(z1, b2),
        "output-relu": max(right, 0),
    }


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """Which mistakes (c) shows and where the right value is, from a stream of their own."""
    keys = sorted(MISTAKES)
    return {
        **params,
        "mistake_order": [keys[i] for i in rng.permutation(len(keys))],
        "positions": [int(i) for i in rng.permutation(4)],
    }


def _network(p: dict[str, Any]) -> list[dense.Dense]:
    return [
        dense.Dense(np.array(p["W1"], dtype=float), np.array(p["b1"], dtype=float)[:, None]),
        dense.Dense(np.array([p["W2"]], dtype=float), np.array([[p["b2"]]], dtype=float)),
    ]


ACTIVATIONS = ("relu", "linear")


def _output(layers: list[dense.Dense], x: np.ndarray, activations: tuple[str, str]) -> int:
    value = float(backprop.forward(layers, x, activations).output[0, 0])
    require(value.is_integer(), "integer weights give an integer output")
    return int(value)


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    layers = _network(params)
    x = np.array(params["x"], dtype=float)[:, None]
    run = backprop.forward(layers, x, ACTIVATIONS)
    right = _output(layers, x, ACTIVATIONS)
    W1, b1 = layers[0].W, layers[0].b
    W2, b2 = layers[1].W, layers[1].b
    wrong = {
        "no-bias": _output([dense.Dense(W1, None), dense.Dense(W2, None)], x, ACTIVATIONS),
        "transposed": _output([dense.Dense(W1.T, b1), layers[1]], x, ACTIVATIONS),
        "no-relu": _output(layers, x, ("linear", "linear")),
        "output-relu": _output(layers, x, ("relu", "relu")),
    }
    require(float(b2[0, 0]) == params["b2"], "output bias as printed")
    loss = (right - params["y"]) ** 2
    return {
        "a": run.pre_activations[0],
        "b": run.activations[1],
        "c": _choices(right, wrong, params),
        "d": loss,
    }


def _choices(right: int, wrong: dict[str, int], params: dict[str, Any]) -> Choices:
    """The right output and three mistaken ones of distinct values (the first in the drawn
    order of mistakes), printed in the drawn order of positions."""
    options = [Option(f"$\\hat{{y}} = {right}$", True, "ReLU on the hidden layer only.")]
    seen = {right}
    for key in params["mistake_order"]:
        if wrong[key] not in seen and len(options) < 4:
            mistake, why = MISTAKES[key]
            options.append(Option(f"$\\hat{{y}} = {wrong[key]}$", False, why, mistake))
            seen.add(wrong[key])
    require(len(options) == 4, "three mistakes give three distinct wrong outputs")
    return Choices(tuple(options[i] for i in params["positions"]))


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """Each sum written out: z_i = sum_j W1_ij x_j + b1_i, a_i = max(z_i, 0), (y_hat - y)^2."""
    z1 = _pre_activations(params)
    right = _candidates(params)["right"]
    return {"a": z1, "b": [max(z, 0) for z in z1], "d": (right - params["y"]) ** 2}
