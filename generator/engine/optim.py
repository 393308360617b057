"""Optimizers as the course writes them, and real training runs for loss curves."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.engine.dense import sigmoid
from generator.engine.losses import bce_cost


def l2_gradient_step(
    W: np.ndarray, data_grad: np.ndarray, lr: float, lam: float, penalty_scale: float
) -> np.ndarray:
    """Gradient descent on ``J_BCE + penalty_scale * lam * W**2`` (penalty gradient added)."""
    return W - lr * (data_grad + 2 * penalty_scale * lam * W)


def momentum_step(
    W: np.ndarray, V: np.ndarray, grad: np.ndarray, lr: float, beta: float
) -> tuple[np.ndarray, np.ndarray]:
    """One step of gradient descent with momentum (exponentially weighted gradients)."""
    V = beta * V + (1 - beta) * grad
    return W - lr * V, V


def rmsprop_step(
    W: np.ndarray, S: np.ndarray, grad: np.ndarray, lr: float, beta: float, eps: float
) -> tuple[np.ndarray, np.ndarray]:
    """One RMSProp step: divide by the root of the averaged squared gradients, epsilon inside
    the square root as in :func:`adam_step`."""
    S = beta * S + (1 - beta) * grad**2
    return W - lr * grad / np.sqrt(S + eps), S


@dataclass(frozen=True)
class AdamState:
    W: np.ndarray
    V: np.ndarray
    S: np.ndarray


def adam_step(
    state: AdamState,
    grad: np.ndarray,
    step: int,
    lr: float,
    beta1: float,
    beta2: float,
    eps: float,
) -> AdamState:
    """One Adam step with bias correction, epsilon inside the square root as in the course."""
    V = beta1 * state.V + (1 - beta1) * grad
    S = beta2 * state.S + (1 - beta2) * grad**2
    V_corr = V / (1 - beta1**step)
    S_corr = S / (1 - beta2**step)
    return AdamState(state.W - lr * V_corr / np.sqrt(S_corr + eps), V, S)


def logistic_loss_and_grad(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray
) -> tuple[float, np.ndarray, float]:
    """BCE cost of logistic regression on (X: examples x features, y) and its gradients."""
    y_hat = np.clip(sigmoid(X @ w + b), 1e-12, 1 - 1e-12)
    error = y_hat - y
    return bce_cost(y, y_hat), X.T @ error / len(y), float(np.mean(error))


def training_curve(
    X: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int,
    lr: float,
    steps: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """Train logistic regression by gradient descent; the loss of each step's batch.

    ``batch_size == len(y)`` is batch GD, 1 is stochastic GD, anything between is
    mini-batch GD; the examples are reshuffled every epoch.  The bias rides along as a
    column of ones and the BCE is computed from the logits (``log(1 + e^z) - y z``,
    exact where ``sigmoid`` would round to 0 or 1): a class build trains three curves
    per student, so each step is a handful of numpy calls.
    """
    Xb = np.hstack([X, np.ones((len(y), 1))])
    theta = np.zeros(Xb.shape[1])
    losses = np.empty(steps)
    order = rng.permutation(len(y))
    Xe, ye = Xb[order], y[order]  # this epoch's examples in order: batches are slices
    position = 0
    for step in range(steps):
        if position + batch_size > len(y):
            position = 0
            if batch_size < len(y):  # batch GD sees every example every step: no shuffle
                order = rng.permutation(len(y))
                Xe, ye = Xb[order], y[order]
        Xs, ys = Xe[position : position + batch_size], ye[position : position + batch_size]
        position += batch_size
        z = Xs @ theta
        losses[step] = (np.logaddexp(0.0, z) - ys * z).sum() / batch_size
        theta -= lr * (Xs.T @ (sigmoid(z) - ys)) / batch_size
    return losses
