"""Adversarial examples."""

from __future__ import annotations

import numpy as np


def fgsm(x: np.ndarray, grad: np.ndarray, epsilon: float) -> np.ndarray:
    """Fast Gradient Sign Method: one step of size epsilon along the sign of dJ/dx."""
    return x + epsilon * np.sign(grad)
