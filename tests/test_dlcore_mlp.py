"""The dl-core mlp group: engine.backprop and the questions built on it.

Every computed part is recomputed here from the variant's ``params`` alone, by explicit
loops over the printed numbers (never by the engine), over 300 seeds; every gradient the
engine returns is compared with central finite differences of its own forward pass.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from generator.engine import backprop
from generator.engine.dense import Dense
from tests.conftest import SEEDS, values, variant

FORWARD = "dl-core/mlp-forward"


def relu(v: float) -> float:
    return v if v > 0 else 0.0


def matvec(M: list[list[float]], v: list[float]) -> list[float]:
    return [sum(m * x for m, x in zip(row, v, strict=True)) for row in M]


def option_values(answer) -> dict[float, dict]:
    """The number each printed option states (``$\\hat{y} = -3$``), with its verdict."""
    return {float(re.search(r"= (-?[\d.]+)\$", o["text"])[1]): o for o in answer.details["options"]}


# ---------------------------------------------------------------- engine: forward pass


def test_forward_matches_loops() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        W1, b1 = rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
        W2, b2 = rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
        x = rng.standard_normal((2, 1))
        run = backprop.forward([Dense(W1, b1), Dense(W2, b2)], x, ["sigmoid", "tanh"])
        z1 = [sum(W1[i, j] * x[j, 0] for j in range(2)) + b1[i, 0] for i in range(3)]
        a1 = [1 / (1 + math.exp(-z)) for z in z1]
        z2 = [sum(W2[k, i] * a1[i] for i in range(3)) + b2[k, 0] for k in range(2)]
        assert run.pre_activations[0][:, 0] == pytest.approx(z1)
        assert run.activations[1][:, 0] == pytest.approx(a1)
        assert run.output[:, 0] == pytest.approx([math.tanh(z) for z in z2])


def test_forward_refuses_a_missing_activation() -> None:
    with pytest.raises(ValueError, match="2 layers need as many activations"):
        backprop.forward([Dense.zeros(2, 2), Dense.zeros(2, 1)], np.zeros((2, 1)), ["relu"])


# ---------------------------------------------------------------- dl-core/mlp-forward


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_forward_from_params(bank, seed: int) -> None:
    qv = variant(bank, FORWARD, seed)
    p, got = qv.params, values(qv)
    z1 = [z + b for z, b in zip(matvec(p["W1"], p["x"]), p["b1"], strict=True)]
    a1 = [relu(z) for z in z1]
    y_hat = sum(w * a for w, a in zip(p["W2"], a1, strict=True)) + p["b2"]
    assert got["a"] == pytest.approx(z1)
    assert got["b"] == pytest.approx(a1)
    assert got["d"] == (y_hat - p["y"]) ** 2
    options = option_values(qv.answers["c"])
    assert [v for v, o in options.items() if o["correct"]] == [y_hat]
    # one unit on, one off: the ReLU matters; the loss is not zero
    assert min(z1) < 0 < max(z1) and got["d"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_forward_distractors_are_their_mistakes(bank, seed: int) -> None:
    """Each wrong option is the output of the mistake it is named after."""
    qv = variant(bank, FORWARD, seed)
    p = qv.params
    W1T = [[p["W1"][j][i] for j in range(2)] for i in range(2)]
    out = lambda h, b: sum(w * v for w, v in zip(p["W2"], h, strict=True)) + b  # noqa: E731
    z1 = [z + b for z, b in zip(matvec(p["W1"], p["x"]), p["b1"], strict=True)]
    by_mistake = {
        "forgot the biases": out([relu(z) for z in matvec(p["W1"], p["x"])], 0),
        "wrong matrix orientation": out(
            [relu(z + b) for z, b in zip(matvec(W1T, p["x"]), p["b1"], strict=True)], p["b2"]
        ),
        "forgot the hidden ReLU": out(z1, p["b2"]),
        "applied the activation to the output layer too": relu(out([relu(z) for z in z1], p["b2"])),
    }
    options = option_values(qv.answers["c"])
    wrong = {v: o for v, o in options.items() if not o["correct"]}
    assert len(wrong) >= 3
    for value, option in wrong.items():
        assert by_mistake[option["mistake"]] == value
    assert list(options) == sorted(options)
