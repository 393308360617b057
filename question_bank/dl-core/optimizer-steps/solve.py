"""Two steps of SGD with momentum, RMSProp and Adam on one parameter, given gradients.

The gradients are printed (mini-batch gradients, the same for every optimizer), so each
update is a few multiplications and one square root: the engine's optimizer steps run
them, and closed_form() redoes them with plain floats as a student would by hand.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.authoring import Choices, Option, optim, sampling

LEARNING_RATES = (0.1, 0.2, 0.3)
MOMENTA = (0.9, 0.8, 0.5)
RMS_DECAYS = (0.9, 0.8, 0.5)
ADAM_BETA1 = (0.9, 0.8)
ADAM_BETA2 = (0.99, 0.999)
EPS_EXPONENT = -8  # eps = 10^-8, printed as a power: far below the three decimals asked
STEPS = 2
# The options of (a): Adam's update at step 2, right and with a named mistake each.
UPDATES = ("right", "no-correction", "no-sqrt", "eps-outside", "step-one")


# The stem: "keep six decimals in intermediate results".  Four destroyed Adam's second
# moment: with beta2 = 0.999, s_1 = 0.00049 kept to four decimals is 0.0005, and w_2 lands
# 0.005 off (exact -1.200, by four decimals -1.195); six keep every draw within 0.001.
HAND_DECIMALS = 6
TOLERANCE = 0.001  # question.toml's, for every w_t


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """One-decimal start and gradients (no zero gradient), redrawn until the three
    optimizers end at three different values, none of them a printed number, and a
    student who does as the stem says (:data:`HAND_DECIMALS` kept, three given) lands
    within the tolerance of every exact w_t."""
    return sampling.until(lambda: _draw(rng), lambda p: _distinct(p) and _fair(p))


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    magnitudes = rng.integers(2, 21, size=STEPS) * rng.choice([-1, 1], size=STEPS)
    return {
        "w0": int(rng.integers(-15, 16)) / 10,
        "grads": (magnitudes / 10).tolist(),
        "lr": float(rng.choice(LEARNING_RATES)),
        "beta": float(rng.choice(MOMENTA)),
        "rho": float(rng.choice(RMS_DECAYS)),
        "beta1": float(rng.choice(ADAM_BETA1)),
        "beta2": float(rng.choice(ADAM_BETA2)),
        "eps_exponent": EPS_EXPONENT,
    }


def _distinct(p: dict[str, Any]) -> bool:
    answers = _by_hand(p)
    finals = {round(answers[k][-1], 3) for k in ("b", "c", "d")}
    printed = {p["w0"], *p["grads"], p["lr"], p["beta"], p["rho"], p["beta1"], p["beta2"]}
    every = {round(v, 3) for k in ("b", "c", "d") for v in answers[k]}
    return len(finals) == 3 and not every & printed


def _fair(p: dict[str, Any]) -> bool:
    """Whether the four-decimal route, given to three decimals, is within the tolerance."""
    exact, rounded = _by_hand(p), _by_hand(p, HAND_DECIMALS)
    pairs = [(r, e) for k in ("b", "c", "d") for r, e in zip(rounded[k], exact[k], strict=True)]
    return all(abs(round(r, 3) - e) <= TOLERANCE - 1e-9 for r, e in pairs)


def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of (a)'s options, from a stream of its own."""
    return {**params, "order": [UPDATES[i] for i in rng.permutation(len(UPDATES))]}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    w0, eps = np.array([p["w0"]]), 10.0 ** p["eps_exponent"]
    grads = [np.array([g]) for g in p["grads"]]
    momentum, rms, adam = [], [], []
    w, v = w0, np.zeros(1)
    for g in grads:
        w, v = optim.momentum_step(w, v, g, p["lr"], p["beta"])
        momentum.append(float(w[0]))
    w, s = w0, np.zeros(1)
    for g in grads:
        w, s = optim.rmsprop_step(w, s, g, p["lr"], p["rho"], eps)
        rms.append(float(w[0]))
    state = optim.AdamState(w0, np.zeros(1), np.zeros(1))
    for step, g in enumerate(grads, start=1):
        state = optim.adam_step(state, g, step, p["lr"], p["beta1"], p["beta2"], eps)
        adam.append(float(state.W[0]))
    return {"a": _update_choices(p), "b": momentum, "c": rms, "d": adam}


def _update_choices(p: dict[str, Any]) -> Choices:
    """Adam's update at step 2 written out with this variant's hyper-parameters."""
    lr, b1, b2, eps = p["lr"], p["beta1"], p["beta2"], f"10^{{{p['eps_exponent']}}}"
    v_hat, s_hat = f"\\dfrac{{v_2}}{{1 - {b1}^2}}", f"\\dfrac{{s_2}}{{1 - {b2}^2}}"
    texts = {
        "right": f"$w_1 - {lr} \\cdot {v_hat} \\Big/ \\sqrt{{{s_hat} + {eps}}}$",
        "no-correction": f"$w_1 - {lr} \\cdot v_2 \\Big/ \\sqrt{{s_2 + {eps}}}$",
        "no-sqrt": f"$w_1 - {lr} \\cdot {v_hat} \\Big/ \\left({s_hat} + {eps}\\right)$",
        "eps-outside": f"$w_1 - {lr} \\cdot \\left({v_hat} \\Big/ \\sqrt{{{s_hat}}} "
        f"+ {eps}\\right)$",
        "step-one": f"$w_1 - {lr} \\cdot \\dfrac{{v_2}}{{1 - {b1}}} \\Big/ "
        f"\\sqrt{{\\dfrac{{s_2}}{{1 - {b2}}} + {eps}}}$",
    }
    why = {
        "right": "Both moving averages are divided by $1 - \\beta^t$ with $t = 2$, and the "
        "step divides by the square root of the corrected second moment.",
        "no-correction": "Without bias correction the averages, which start at 0, are too "
        "small in the first steps.",
        "no-sqrt": "Dividing by $\\hat s$ itself divides by a squared gradient: the step "
        "would scale like $1/g$ instead of being about $\\alpha$.",
        "eps-outside": "$\\epsilon$ belongs in the denominator, where it prevents a division "
        "by zero; added to the ratio it protects nothing.",
        "step-one": "At step 2 the correction is $1 - \\beta^2$; $1 - \\beta$ is step 1's.",
    }
    mistakes = {
        "no-correction": "bias correction forgotten",
        "no-sqrt": "square root of s forgotten",
        "eps-outside": "epsilon misplaced (added to the ratio)",
        "step-one": "bias correction of step 1 used at step 2",
    }
    return Choices(
        tuple(
            Option(texts[name], name == "right", why[name], mistakes.get(name, ""))
            for name in p["order"]
        )
    )


def _by_hand(p: dict[str, Any], decimals: int | None = None) -> dict[str, list[float]]:
    """The updates as written on paper, in plain floats, one line per formula; with
    ``decimals``, every intermediate result kept to that many, as the stem asks."""

    def r(x: float) -> float:
        return x if decimals is None else round(x, decimals)

    eps = 10.0 ** p["eps_exponent"]
    momentum, rms, adam = [], [], []
    w, v = p["w0"], 0.0
    for g in p["grads"]:
        v = r(p["beta"] * v + (1 - p["beta"]) * g)
        w = r(w - p["lr"] * v)
        momentum.append(w)
    w, s = p["w0"], 0.0
    for g in p["grads"]:
        s = r(p["rho"] * s + (1 - p["rho"]) * g * g)
        w = r(w - p["lr"] * g / r(math.sqrt(s + eps)))
        rms.append(w)
    w, v, s = p["w0"], 0.0, 0.0
    for t, g in enumerate(p["grads"], start=1):
        v = r(p["beta1"] * v + (1 - p["beta1"]) * g)
        s = r(p["beta2"] * s + (1 - p["beta2"]) * g * g)
        v_hat, s_hat = r(v / (1 - p["beta1"] ** t)), r(s / (1 - p["beta2"] ** t))
        w = r(w - p["lr"] * v_hat / r(math.sqrt(s_hat + eps)))
        adam.append(w)
    return {"b": momentum, "c": rms, "d": adam}


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """The three optimizers by hand; (a) is wherever the right update is printed."""
    return {**_by_hand(params), "a": "ABCDE"[params["order"].index("right")]}
