"""Scaled dot-product attention and the parameter counts of multi-head attention and of a
transformer encoder block, built from their weight matrices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.engine.dense import Dense, parameter_counts


def softmax(z: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, shifted by the maximum so that large scores stay finite."""
    shifted = np.exp(z - z.max(axis=axis, keepdims=True))
    return shifted / shifted.sum(axis=axis, keepdims=True)


def attention_scores(Q: np.ndarray, K: np.ndarray, scale: bool = True) -> np.ndarray:
    """``Q K^T / sqrt(d_k)``: one row per query, one column per key (unscaled if asked)."""
    scores = Q @ K.T
    return scores / np.sqrt(K.shape[-1]) if scale else scores


def attention(Q: np.ndarray, K: np.ndarray, V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Scaled dot-product attention: (weights, output), each query's weights summing to 1."""
    weights = softmax(attention_scores(Q, K), axis=-1)
    return weights, weights @ V


@dataclass(frozen=True)
class MultiHeadAttention:
    """Per head, projections W_Q, W_K, W_V of d_model -> d_model / heads (with biases); the
    concatenated heads go through W_O (d_model -> d_model)."""

    heads: tuple[tuple[Dense, Dense, Dense], ...]
    out: Dense

    @classmethod
    def zeros(cls, d_model: int, n_heads: int) -> MultiHeadAttention:
        if d_model % n_heads:
            raise ValueError(f"d_model {d_model} is not a multiple of {n_heads} heads")
        d_head = d_model // n_heads
        heads = tuple(
            (
                Dense.zeros(d_model, d_head),
                Dense.zeros(d_model, d_head),
                Dense.zeros(d_model, d_head),
            )
            for _ in range(n_heads)
        )
        return cls(heads, Dense.zeros(d_model, d_model))

    @property
    def layers(self) -> list[Dense]:
        return [layer for head in self.heads for layer in head] + [self.out]

    @property
    def parameter_count(self) -> int:
        return sum(parameter_counts(self.layers))


@dataclass(frozen=True)
class EncoderBlock:
    """Multi-head self-attention, a two-layer feed-forward network (d_model -> d_ff ->
    d_model) and two layer norms, each with a scale and a shift per feature."""

    attention: MultiHeadAttention
    feed_forward: tuple[Dense, Dense]
    norms: tuple[tuple[np.ndarray, np.ndarray], ...]

    @classmethod
    def zeros(cls, d_model: int, n_heads: int, d_ff: int) -> EncoderBlock:
        norms = tuple((np.ones(d_model), np.zeros(d_model)) for _ in range(2))
        ffn = (Dense.zeros(d_model, d_ff), Dense.zeros(d_ff, d_model))
        return cls(MultiHeadAttention.zeros(d_model, n_heads), ffn, norms)

    @property
    def feed_forward_count(self) -> int:
        return sum(parameter_counts(self.feed_forward))

    @property
    def norm_count(self) -> int:
        return sum(int(gamma.size + beta.size) for gamma, beta in self.norms)

    @property
    def parameter_count(self) -> int:
        return self.attention.parameter_count + self.feed_forward_count + self.norm_count
