"""Learning-rate schedules, stepped the way a training loop steps its scheduler.

Each function returns the learning rate of every step ``0 .. steps - 1`` as an array,
computed step by step from the previous rate or from the step's position in its phase
(as framework schedulers do), so that a question reads the rate at any step it prints.
The tests compare them with the textbook closed forms.
"""

from __future__ import annotations

import numpy as np


def step_decay(lr0: float, drop: float, every: int, steps: int) -> np.ndarray:
    """Multiply the rate by ``drop`` at steps ``every, 2 * every, ...`` (step 0 uses ``lr0``)."""
    rates = np.empty(steps)
    rate = lr0
    for step in range(steps):
        if step > 0 and step % every == 0:
            rate *= drop
        rates[step] = rate
    return rates


def cosine_annealing(lr_max: float, lr_min: float, period: int, steps: int) -> np.ndarray:
    """Half a cosine from ``lr_max`` at step 0 to ``lr_min`` at step ``period``, then flat."""
    t = np.minimum(np.arange(steps), period)
    return lr_min + 0.5 * (lr_max - lr_min) * (1 + np.cos(np.pi * t / period))


def linear_warmup(lr_peak: float, warmup: int, steps: int) -> np.ndarray:
    """Rise by ``lr_peak / warmup`` a step, from 0 at step 0 to ``lr_peak`` at ``warmup``;
    then flat."""
    t = np.arange(steps)
    return lr_peak * np.minimum(t, warmup) / warmup


def warmup_cosine(lr_peak: float, warmup: int, total: int, steps: int) -> np.ndarray:
    """Linear warm-up to ``lr_peak`` over ``warmup`` steps, then half a cosine down to 0 at
    step ``total`` (the recipe of transformer training): the two phases joined at ``warmup``."""
    t = np.arange(steps)
    rise = linear_warmup(lr_peak, warmup, steps)
    decay = cosine_annealing(lr_peak, 0.0, total - warmup, steps)  # indexed by t - warmup
    return np.where(t < warmup, rise, decay[np.maximum(t - warmup, 0)])
