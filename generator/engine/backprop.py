"""Forward and backward passes of small fully connected networks, layer by layer.

Vectors are columns (features x 1), as in :mod:`generator.engine.dense`.  The backward
pass is written the way the course derives it: ``dZ = dA * g'(Z)``, ``dW = dZ A_prev^T``,
``db = dZ``, ``dA_prev = W^T dZ``; nothing here is differentiated numerically.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from generator.engine.dense import Dense, relu, sigmoid


def relu_grad(z: np.ndarray) -> np.ndarray:
    """ReLU'(z): 1 where the unit is active, 0 elsewhere (0 at z = 0, as numpy code does)."""
    return (np.asarray(z) > 0).astype(float)


def sigmoid_grad(z: np.ndarray) -> np.ndarray:
    """sigma'(z) = sigma(z) (1 - sigma(z)), at most 1/4 (at z = 0)."""
    s = sigmoid(np.asarray(z, dtype=float))
    return s * (1 - s)


def tanh_grad(z: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 - tanh(z)^2, at most 1 (at z = 0)."""
    return 1 - np.tanh(np.asarray(z, dtype=float)) ** 2


def identity(z: np.ndarray) -> np.ndarray:
    return np.asarray(z, dtype=float)


def identity_grad(z: np.ndarray) -> np.ndarray:
    return np.ones_like(np.asarray(z, dtype=float))


Activation = tuple[Callable[[np.ndarray], np.ndarray], Callable[[np.ndarray], np.ndarray]]

# Each activation by the name a question prints: (g, g').
ACTIVATIONS: dict[str, Activation] = {
    "relu": (relu, relu_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (np.tanh, tanh_grad),
    "linear": (identity, identity_grad),
}


@dataclass(frozen=True)
class ForwardPass:
    """What the backward pass needs: each layer's pre-activation Z and activation A.

    ``activations[0]`` is the input; ``activations[l]`` and ``pre_activations[l - 1]``
    belong to layer l.
    """

    pre_activations: tuple[np.ndarray, ...]
    activations: tuple[np.ndarray, ...]

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1]


@dataclass(frozen=True)
class Gradients:
    """dL/dW and dL/db of every layer (first layer first), and dL/dx of the input."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    pre_activations: tuple[np.ndarray, ...]
    input: np.ndarray


def forward(layers: Sequence[Dense], x: np.ndarray, activations: Sequence[str]) -> ForwardPass:
    """Run the layers on a column ``x``, applying ``activations[l]`` after layer l."""
    if len(layers) != len(activations):
        raise ValueError(f"{len(layers)} layers need as many activations, not {len(activations)}")
    a = np.asarray(x, dtype=float)
    zs, acts = [], [a]
    for layer, name in zip(layers, activations, strict=True):
        z = layer(a)
        a = ACTIVATIONS[name][0](z)
        zs.append(z)
        acts.append(a)
    return ForwardPass(tuple(zs), tuple(acts))


def backward(
    layers: Sequence[Dense], cache: ForwardPass, activations: Sequence[str], d_output: np.ndarray
) -> Gradients:
    """Backpropagate dL/d(output) through every layer, last layer first."""
    d_a = np.asarray(d_output, dtype=float)
    d_ws, d_bs, d_zs = [], [], []
    for index in reversed(range(len(layers))):
        d_z = d_a * ACTIVATIONS[activations[index]][1](cache.pre_activations[index])
        d_ws.append(d_z @ cache.activations[index].T)
        d_bs.append(d_z.sum(axis=1, keepdims=True))
        d_zs.append(d_z)
        d_a = layers[index].W.T @ d_z
    return Gradients(tuple(d_ws[::-1]), tuple(d_bs[::-1]), tuple(d_zs[::-1]), d_a)


def half_squared_error(y_hat: np.ndarray, y: np.ndarray) -> float:
    """L = 1/2 sum (y_hat - y)^2: the 1/2 makes dL/dy_hat = y_hat - y."""
    return float(0.5 * np.sum((np.asarray(y_hat, dtype=float) - y) ** 2))


def half_squared_error_grad(y_hat: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.asarray(y_hat, dtype=float) - y


def softmax(z: np.ndarray, axis: int = 0) -> np.ndarray:
    """exp(z) normalised along the class axis (classes are rows by default), max subtracted."""
    z = np.asarray(z, dtype=float)
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def one_hot(label: int, classes: int) -> np.ndarray:
    y = np.zeros(classes)
    y[label] = 1.0
    return y


def cross_entropy(p: np.ndarray, label: int) -> float:
    """-log of the probability given to the true class."""
    return float(-np.log(np.asarray(p, dtype=float)[label]))


def softmax_cross_entropy_grad(z: np.ndarray, label: int) -> np.ndarray:
    """dL/dz of cross-entropy after softmax, for a vector of logits: softmax(z) - one-hot."""
    z = np.asarray(z, dtype=float)
    return softmax(z) - one_hot(label, z.size)


def chain_forward(weights: Sequence[float], x: float, activation: str) -> ForwardPass:
    """A chain of one-unit layers ``a_l = g(w_l a_{l-1})`` (no biases): a deep, thin network."""
    layers = [Dense(np.array([[float(w)]]), None) for w in weights]
    return forward(layers, np.array([[float(x)]]), [activation] * len(layers))


def chain_gradient(weights: Sequence[float], x: float, activation: str) -> float:
    """d a_L / d x through the chain, by the backward pass: the product of w_l g'(z_l)."""
    layers = [Dense(np.array([[float(w)]]), None) for w in weights]
    names = [activation] * len(layers)
    cache = forward(layers, np.array([[float(x)]]), names)
    grads = backward(layers, cache, names, np.ones((1, 1)))
    return float(grads.input[0, 0])


def chain_gradient_bound(max_weight: float, depth: int, activation: str) -> float:
    """The largest |d a_L / d x| can be with |w_l| <= max_weight: (max_weight * max g')^depth.

    max g' is found on a grid (g' of sigmoid and tanh peak at z = 0), not assumed.
    """
    grid = np.linspace(-10.0, 10.0, 20001)
    peak = float(ACTIVATIONS[activation][1](grid).max())
    return float((max_weight * peak) ** depth)


# g'(z) written with the layer's output a = g(z), as cached activations are used.
SLOPE_FROM_OUTPUT: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sigmoid": lambda a: a * (1 - a),
    "tanh": lambda a: 1 - a**2,
}


def chain_gradient_from_activations(
    weights: Sequence[float], activations: Sequence[float], activation: str
) -> float:
    """d a_L / d x of a chain whose outputs a_1 ... a_L are given (as a forward pass cached
    them, or as an exam prints them): the backward pass multiplies w_l g'(z_l), last first."""
    slope = SLOPE_FROM_OUTPUT[activation]
    grad = 1.0
    for w, a in zip(reversed(weights), reversed(activations), strict=True):
        grad = grad * float(slope(np.float64(a))) * float(w)
    return grad


def depth_below(max_weight: float, threshold: float, activation: str) -> int:
    """The smallest depth whose gradient bound falls below ``threshold`` (found by trying
    depths one after another; the bound must shrink with depth)."""
    if chain_gradient_bound(max_weight, 1, activation) >= 1:
        raise ValueError(f"with |w| <= {max_weight} the {activation} bound does not shrink")
    depth = 1
    while chain_gradient_bound(max_weight, depth, activation) >= threshold:
        depth += 1
    return depth
