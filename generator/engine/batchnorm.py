"""Batch normalization: the forward pass and the layer's trainable parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def batchnorm_forward(
    Z: np.ndarray,
    gamma: np.ndarray,
    beta: np.ndarray,
    eps: float,
    cache: dict[str, np.ndarray],
    beta_avg: float,
    mode: str,
    axis: int = 0,
) -> np.ndarray:
    """Normalise over the examples axis; keep moving averages for test time."""
    if mode == "train":
        mu = Z.mean(axis=axis, keepdims=True)
        var = Z.var(axis=axis, keepdims=True)
        cache["mu"] = beta_avg * cache["mu"] + (1 - beta_avg) * mu
        cache["var"] = beta_avg * cache["var"] + (1 - beta_avg) * var
    elif mode == "test":
        mu, var = cache["mu"], cache["var"]
    else:
        raise ValueError(f"mode is 'train' or 'test', not {mode!r}")
    Z_norm = (Z - mu) / np.sqrt(var + eps)
    return gamma * Z_norm + beta


def batch_statistics(Z: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Mean and biased variance (ddof=0) over the examples axis: what the forward pass of
    :func:`batchnorm_forward` normalises with at training time."""
    return Z.mean(axis=axis), Z.var(axis=axis)


def running_average(old: np.ndarray, batch: np.ndarray, beta_avg: float) -> np.ndarray:
    """The moving average kept for test time: ``beta_avg`` weighs the old value."""
    return beta_avg * old + (1 - beta_avg) * batch


@dataclass(frozen=True)
class BatchNorm:
    """Trainable scale and shift, one of each per feature (the moving averages are not trained)."""

    gamma: np.ndarray
    beta: np.ndarray

    @classmethod
    def zeros(cls, features: int) -> BatchNorm:
        return cls(np.ones(features), np.zeros(features))

    @property
    def parameter_count(self) -> int:
        return int(self.gamma.size + self.beta.size)
