"""Loss functions, written the way the course writes them."""

from __future__ import annotations

import numpy as np


def binary_cross_entropy(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    """Per-example BCE, ``-(y log y_hat + (1 - y) log(1 - y_hat))``."""
    y, y_hat = np.asarray(y, dtype=float), np.asarray(y_hat, dtype=float)
    return -(y * np.log(y_hat) + (1 - y) * np.log1p(-y_hat))


def bce_cost(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Cost J: the BCE averaged over the examples."""
    return float(np.mean(binary_cross_entropy(y, y_hat)))


def squared_error(y: np.ndarray, y_hat: np.ndarray) -> np.ndarray:
    return (np.asarray(y, dtype=float) - np.asarray(y_hat, dtype=float)) ** 2
