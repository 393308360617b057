"""Learning rates at given steps: step decay, cosine annealing, linear warm-up + cosine.

The engine steps each schedule as a training loop would and the answer is read at the
printed step; closed_form() uses the textbook formulas (the cosine through the half-angle
identity), so the two agree only if the schedules are what the question says.  The
cosine steps fall at fractions of the period whose cosines are known by heart.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from generator.authoring import sampling, schedules

LR0 = (0.1, 0.2, 0.4, 0.5, 0.8)
DROPS = (0.5, 0.2, 0.1)
EVERY = (5, 10, 20, 30)
LR_MAX = (0.1, 0.2, 0.3, 0.4, 0.5)
LR_MIN = (0.0, 0.01, 0.02)
PERIOD_UNITS = (5, 10, 20, 25, 50)  # the period is 12 units: every fraction below is whole
FRACTIONS = ((1, 6), (1, 4), (1, 3), (1, 2), (2, 3), (3, 4), (5, 6))
PEAKS = (0.001, 0.002, 0.003, 0.005)
WARMUPS = (100, 200, 500, 1000)
DECAY_UNITS = (50, 100, 200, 250)


def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Redrawn until no answer, at the three significant digits asked, is a printed number
    and the two step-decay rates differ (one of the two steps sits on a drop)."""
    return sampling.until(lambda: _draw(rng), _not_printed)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    every = int(rng.choice(EVERY))
    drops_inside, drops_boundary = (int(k) for k in rng.choice([1, 2, 3], size=2, replace=False))
    inside = drops_inside * every + int(rng.integers(1, every))  # strictly between drops
    boundary = drops_boundary * every  # on a drop: the off-by-one a student must get right
    period = 12 * int(rng.choice(PERIOD_UNITS))
    num, den = FRACTIONS[int(rng.integers(len(FRACTIONS)))]
    warmup = int(rng.choice(WARMUPS))
    decay = 12 * int(rng.choice(DECAY_UNITS))
    dnum, dden = FRACTIONS[int(rng.integers(len(FRACTIONS)))]
    return {
        "lr0": float(rng.choice(LR0)),
        "drop": float(rng.choice(DROPS)),
        "every": every,
        "decay_steps": sorted([inside, boundary]),
        "lr_max": float(rng.choice(LR_MAX)),
        "lr_min": float(rng.choice(LR_MIN)),
        "period": period,
        "cosine_step": period * num // den,
        "peak": float(rng.choice(PEAKS)),
        "warmup": warmup,
        "total": warmup + decay,
        "warmup_step": warmup * int(rng.integers(1, 10)) // 10,
        "decay_step": warmup + decay * dnum // dden,
    }


def _not_printed(p: dict[str, Any]) -> bool:
    answers = closed_form(p)
    got = [*answers["a"], answers["b"], answers["c"], answers["d"]]
    printed = {v for v in p.values() if isinstance(v, float)}
    printed |= {float(v) for v in p.values() if isinstance(v, int)}
    return answers["a"][0] != answers["a"][1] and not {float(f"{v:.3g}") for v in got} & printed


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    p = params
    t1, t2 = p["decay_steps"]
    steps = schedules.step_decay(p["lr0"], p["drop"], p["every"], t2 + 1)
    cosine = schedules.cosine_annealing(p["lr_max"], p["lr_min"], p["period"], p["period"] + 1)
    warm = schedules.warmup_cosine(p["peak"], p["warmup"], p["total"], p["total"] + 1)
    return {
        "a": [float(steps[t1]), float(steps[t2])],
        "b": float(cosine[p["cosine_step"]]),
        "c": float(warm[p["warmup_step"]]),
        "d": float(warm[p["decay_step"]]),
    }


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """lr0 * drop^floor(t / k); eta_min + (eta_max - eta_min) cos^2(pi t / 2T) (the
    half-angle form of 1/2 (1 + cos)); peak * t / W; peak * cos^2(pi (t - W) / 2(T - W))."""
    p = params
    phase = math.pi * p["cosine_step"] / (2 * p["period"])
    tail = math.pi * (p["decay_step"] - p["warmup"]) / (2 * (p["total"] - p["warmup"]))
    return {
        "a": [p["lr0"] * p["drop"] ** (t // p["every"]) for t in p["decay_steps"]],
        "b": p["lr_min"] + (p["lr_max"] - p["lr_min"]) * math.cos(phase) ** 2,
        "c": p["peak"] * p["warmup_step"] / p["warmup"],
        "d": p["peak"] * math.cos(tail) ** 2,
    }
