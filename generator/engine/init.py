"""Weight initialisation: fan-in and fan-out of a layer's weights, and the variances and
uniform bounds of Xavier/Glorot and He initialisation."""

from __future__ import annotations

import math

import numpy as np


def fans(shape: tuple[int, ...]) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight array: dense ``(n_out, n_in)`` or a conv kernel
    ``(*kernel, in_channels, filters)`` (channels-last, as :mod:`conv` stores it)."""
    if len(shape) == 2:
        return shape[1], shape[0]
    receptive = math.prod(shape[:-2])
    return receptive * shape[-2], receptive * shape[-1]


def xavier_variance(fan_in: int, fan_out: int) -> float:
    """Glorot: ``2 / (fan_in + fan_out)`` keeps the variance of activations and gradients."""
    return 2 / (fan_in + fan_out)


def he_variance(fan_in: int) -> float:
    """He: ``2 / fan_in``, the factor 2 making up for ReLU zeroing half its inputs."""
    return 2 / fan_in


def uniform_bound(variance: float) -> float:
    """The ``a`` of U(-a, a) with this variance: ``a^2 / 3 = variance``."""
    return math.sqrt(3 * variance)


def forward_variance(weights: np.ndarray, inputs: np.ndarray, relu: bool) -> float:
    """Variance of ``W x`` over a batch of inputs (columns), after a ReLU if asked: how
    initialisation keeps signals at scale (the solver's self-check)."""
    x = np.maximum(inputs, 0.0) if relu else inputs
    return float(np.var(weights @ x))
