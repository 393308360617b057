"""Fully connected layers, logistic regression and linear-network collapse."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """Logistic function, written to stay finite for large negative inputs."""
    return np.exp(-np.logaddexp(0.0, -z))


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(z, 0.0)


@dataclass(frozen=True)
class Dense:
    """An affine layer ``z = W x + b`` acting on column vectors (features x examples)."""

    W: np.ndarray
    b: np.ndarray | None

    @classmethod
    def zeros(cls, n_in: int, n_out: int, *, bias: bool = True) -> Dense:
        """The layer's parameter arrays, allocated so that they can be counted."""
        return cls(np.zeros((n_out, n_in)), np.zeros((n_out, 1)) if bias else None)

    @classmethod
    def random(cls, n_in: int, n_out: int, rng: np.random.Generator) -> Dense:
        return cls(rng.standard_normal((n_out, n_in)), rng.standard_normal((n_out, 1)))

    @property
    def n_in(self) -> int:
        return self.W.shape[1]

    @property
    def n_out(self) -> int:
        return self.W.shape[0]

    @property
    def weight_count(self) -> int:
        return int(self.W.size)

    @property
    def bias_count(self) -> int:
        return 0 if self.b is None else int(self.b.size)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.W @ x if self.b is None else self.W @ x + self.b


def logistic_regression(n_x: int) -> Dense:
    """Logistic regression is a dense layer with one output unit (the sigmoid is applied after)."""
    return Dense.zeros(n_x, 1)


def mlp(sizes: Sequence[int]) -> list[Dense]:
    """Dense layers for widths ``sizes`` (input first), e.g. ``[300, 80, 1]``."""
    return [Dense.zeros(n_in, n_out) for n_in, n_out in itertools.pairwise(sizes)]


def parameter_counts(layers: Sequence[Dense]) -> tuple[int, int]:
    """(weights, biases) of a network, counted from its arrays."""
    return sum(layer.weight_count for layer in layers), sum(layer.bias_count for layer in layers)


def forward_linear(layers: Sequence[Dense], x: np.ndarray) -> np.ndarray:
    """Pre-activation of the last layer when no activation is applied in between."""
    for layer in layers:
        x = layer(x)
    return x


def collapse_linear(layers: Sequence[Dense]) -> Dense:
    """The single affine layer equal to a stack of affine layers.

    Folding ``W2 (W1 x + b1) + b2`` gives ``W' = W2 W1`` and ``b' = W2 b1 + b2``;
    repeated for deeper stacks.
    """
    W, b = layers[0].W, layers[0].b
    for layer in layers[1:]:
        W, b = layer.W @ W, layer.W @ b + layer.b
    return Dense(W, b)
