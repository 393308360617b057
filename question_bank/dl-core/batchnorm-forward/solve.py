"""Batch normalisation of one feature over a mini-batch of four, as at training time.

The batch is drawn in tenths around a one-decimal mean, so the mean is a one-decimal
number and the variance has at most four decimals; eps is large (0.01) so that forgetting
it shows at the two decimals asked.  The engine's batchnorm_forward runs the training
step (with its moving averages) and then the test step; closed_form() redoes both with
sums written out.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np

from generator.authoring import Choices, Option, batchnorm, sampling

EXAMPLES = 4
EPS = 0.01
MOMENTA = (0.9, 0.8)
# The options of (b), one example's training output, and of (d), the test-time output:
# right, and with a named mistake each.
TRAIN_OUTPUTS = ("right", "ddof-1", "no-eps", "no-affine", "no-sqrt")
TEST_OUTPUTS = ("right", "batch-stats", "swapped", "stale")
MISTAKES = {
    "ddof-1": "variance with ddof=1",
    "no-eps": "forgot epsilon",
    "no-affine": "forgot gamma and beta",
    "no-sqrt": "divided by the variance, not its square root",
    "batch-stats": "batch statistics at test time",
    "swapped": "running average weights swapped",
    "stale": "running averages not updated by the training step",
}
WHY = {
    "ddof-1": "The layer divides by $m$ (ddof=0), not $m - 1$.",
    "no-eps": "$\\epsilon$ is added to the variance under the square root.",
    "no-affine": "That is $\\hat z$: the output is scaled by $\\gamma$ and shifted by $\\beta$.",
    "no-sqrt": "The normalisation divides by the standard deviation "
    "$\\sqrt{\\sigma^2 + \\epsilon}$.",
    "batch-stats": "The statistics of a training batch are not used at test time: a "
    "prediction must not depend on the batch it arrives with.",
    "swapped": "The momentum weighs the old running value, not the new batch statistic.",
    "stale": "The training step of (c) has already updated the running averages.",
}


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Redrawn until the batch has three distinct values and the options of (b) and (d)
    each differ by at least 0.02 (two would otherwise print alike)."""
    return sampling.until(lambda: _draw(rng), _usable)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    centre = int(rng.integers(-10, 11))
    offsets = [int(o) for o in rng.integers(-4, 5, size=EXAMPLES - 1)]
    fits = [o for o in range(-4, 5) if (sum(offsets) + o) % EXAMPLES == 0]
    offsets.append(int(rng.choice(fits)))  # the tenths sum to a multiple of 4: mu has 1 decimal
    return {
        "z": [(centre + o) / 10 for o in offsets],
        "example": int(rng.integers(1, EXAMPLES + 1)),
        "gamma": int(rng.integers(5, 21)) / 10,
        "beta": int(rng.integers(-10, 11)) / 10,
        "run_mean": int(rng.integers(-10, 11)) / 10,
        "run_var": int(rng.integers(1, 11)) / 10,
        "momentum": float(rng.choice(MOMENTA)),
        "eps": EPS,
        "x": int(rng.integers(-15, 16)) / 10,
    }


def _usable(p: dict[str, Any]) -> bool:
    if len(set(p["z"])) < 3 or p["z"][p["example"] - 1] == sum(p["z"]) / EXAMPLES:
        return False  # at least three distinct values; the example asked is not the mean
    for options in (_train_outputs_by_hand(p), _test_outputs_by_hand(p)):
        values = sorted(options.values())
        if any(b - a < 0.02 for a, b in itertools.pairwise(values)):
            return False
    return True


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The orders of (b)'s and (d)'s options, from a stream of their own."""
    train = [TRAIN_OUTPUTS[i] for i in rng.permutation(len(TRAIN_OUTPUTS))]
    test = [TEST_OUTPUTS[i] for i in rng.permutation(len(TEST_OUTPUTS))]
    return {**params, "train_order": train, "test_order": test}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    Z = np.array(p["z"]).reshape(EXAMPLES, 1)
    gamma, beta = np.array([p["gamma"]]), np.array([p["beta"]])
    mu, var = batchnorm.batch_statistics(Z)
    cache = {"mu": np.array([[p["run_mean"]]]), "var": np.array([[p["run_var"]]])}
    out = batchnorm.batchnorm_forward(Z, gamma, beta, p["eps"], cache, p["momentum"], "train")
    return {
        "a": [mu.item(), var.item()],
        "b": _choices(p["train_order"], _train_outputs(p, Z, out)),
        "c": [cache["mu"].item(), cache["var"].item()],
        "d": _choices(p["test_order"], _test_outputs(p, mu, var, cache)),
    }


def _train_outputs(p: dict[str, Any], Z: np.ndarray, out: np.ndarray) -> dict[str, float]:
    """The engine's training output of the example asked, right and with each mistake."""
    k, gamma, beta = p["example"] - 1, np.array([p["gamma"]]), np.array([p["beta"]])
    ones, zeros = np.ones(1), np.zeros(1)

    def forward(eps: float, g: np.ndarray = gamma, b: np.ndarray = beta) -> float:
        cache = {"mu": np.zeros((1, 1)), "var": np.ones((1, 1))}  # unused here
        return batchnorm.batchnorm_forward(Z, g, b, eps, cache, p["momentum"], "train")[k, 0]

    mu, var = batchnorm.batch_statistics(Z)
    unbiased = Z.var(axis=0, ddof=1)
    return {
        "right": float(out[k, 0]),
        "ddof-1": (gamma * (Z[k] - mu) / np.sqrt(unbiased + p["eps"]) + beta).item(),
        "no-eps": float(forward(0.0)),
        "no-affine": float(forward(p["eps"], ones, zeros)),
        "no-sqrt": (gamma * (Z[k] - mu) / (var + p["eps"]) + beta).item(),
    }


def _test_outputs(
    p: dict[str, Any], mu: np.ndarray, var: np.ndarray, cache: dict[str, np.ndarray]
) -> dict[str, float]:
    """The engine's test-time output for x under the right and each mistaken statistic."""
    x, gamma, beta = np.array([[p["x"]]]), np.array([p["gamma"]]), np.array([p["beta"]])
    old_mu, old_var = np.array([[p["run_mean"]]]), np.array([[p["run_var"]]])
    swapped = 1 - p["momentum"]
    stats = {
        "right": cache,
        "batch-stats": {"mu": mu, "var": var},
        "swapped": {
            "mu": batchnorm.running_average(old_mu, mu, swapped),
            "var": batchnorm.running_average(old_var, var, swapped),
        },
        "stale": {"mu": old_mu, "var": old_var},
    }
    return {
        name: batchnorm.batchnorm_forward(
            x, gamma, beta, p["eps"], dict(c), p["momentum"], "test"
        ).item()
        for name, c in stats.items()
    }


def _choices(order: list[str], outputs: dict[str, float]) -> Choices:
    why = {"right": "The layer's own computation, step by step as in the solution.", **WHY}
    return Choices(
        tuple(
            Option(f"${outputs[name]:.2f}$", name == "right", why[name], MISTAKES.get(name, ""))
            for name in order
        )
    )


def _by_hand(p: dict[str, Any]) -> dict[str, Any]:
    """Mean, variance and running averages as sums written out."""
    z, m = p["z"], len(p["z"])
    mean = sum(z) / m
    var = sum((v - mean) ** 2 for v in z) / m
    rho = p["momentum"]
    return {
        "a": [mean, var],
        "c": [rho * p["run_mean"] + (1 - rho) * mean, rho * p["run_var"] + (1 - rho) * var],
    }


def _train_outputs_by_hand(p: dict[str, Any]) -> dict[str, float]:
    z, m, eps, g, b = p["z"], len(p["z"]), p["eps"], p["gamma"], p["beta"]
    mean, var = _by_hand(p)["a"]
    unbiased = sum((v - mean) ** 2 for v in z) / (m - 1)
    dev = z[p["example"] - 1] - mean
    return {
        "right": g * dev / math.sqrt(var + eps) + b,
        "ddof-1": g * dev / math.sqrt(unbiased + eps) + b,
        "no-eps": g * dev / math.sqrt(var) + b,
        "no-affine": dev / math.sqrt(var + eps),
        "no-sqrt": g * dev / (var + eps) + b,
    }


def _test_outputs_by_hand(p: dict[str, Any]) -> dict[str, float]:
    rho, eps = p["momentum"], p["eps"]
    mean, var = _by_hand(p)["a"]

    def out(mu: float, sigma2: float) -> float:
        return p["gamma"] * (p["x"] - mu) / math.sqrt(sigma2 + eps) + p["beta"]

    run_mu, run_var = _by_hand(p)["c"]
    return {
        "right": out(run_mu, run_var),
        "batch-stats": out(mean, var),
        "swapped": out(
            (1 - rho) * p["run_mean"] + rho * mean, (1 - rho) * p["run_var"] + rho * var
        ),
        "stale": out(p["run_mean"], p["run_var"]),
    }


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The sums by hand; (d) is wherever the right output is printed."""
    right = {
        "b": "ABCDE"[params["train_order"].index("right")],
        "d": "ABCD"[params["test_order"].index("right")],
    }
    hand = _by_hand(params)
    return {"a": hand["a"], "c": hand["c"], **right}
