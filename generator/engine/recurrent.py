"""Recurrent layers (vanilla RNN, LSTM, GRU) built gate by gate, and their forward passes.

Every gate is its own affine map of the concatenated ``[h_prev; x]`` with one bias vector,
the course's convention (PyTorch keeps a second bias per gate, ``b_hh``; see
:func:`gate_count`).  Parameter counts are the sizes of the allocated arrays, so that an
exam's count is what the layer really holds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from generator.engine.dense import sigmoid

# The gates of each cell, in the order the course writes them.
GATES: dict[str, tuple[str, ...]] = {
    "rnn": ("h",),
    "lstm": ("forget", "input", "candidate", "output"),
    "gru": ("update", "reset", "candidate"),
}


@dataclass(frozen=True)
class Gate:
    """One affine map ``W [h_prev; x] + b``: W of shape (hidden, hidden + input)."""

    W: np.ndarray
    b: np.ndarray

    def __call__(self, h_prev: np.ndarray, x: np.ndarray) -> np.ndarray:
        """Rows are examples: ``h_prev`` (batch, hidden), ``x`` (batch, input)."""
        return np.concatenate([h_prev, x], axis=-1) @ self.W.T + self.b


@dataclass(frozen=True)
class Recurrent:
    """A recurrent layer of ``kind`` ("rnn", "lstm", "gru"): one :class:`Gate` per gate."""

    kind: str
    gates: dict[str, Gate]

    @classmethod
    def zeros(cls, kind: str, input_size: int, hidden_size: int) -> Recurrent:
        """The layer's arrays, allocated so that they can be counted."""
        width = hidden_size + input_size
        gates = {
            name: Gate(np.zeros((hidden_size, width)), np.zeros(hidden_size))
            for name in GATES[kind]
        }
        return cls(kind, gates)

    @classmethod
    def random(
        cls, kind: str, input_size: int, hidden_size: int, rng: np.random.Generator
    ) -> Recurrent:
        width = hidden_size + input_size
        gates = {
            name: Gate(rng.standard_normal((hidden_size, width)), rng.standard_normal(hidden_size))
            for name in GATES[kind]
        }
        return cls(kind, gates)

    @property
    def hidden_size(self) -> int:
        return next(iter(self.gates.values())).W.shape[0]

    @property
    def parameter_count(self) -> int:
        return sum(int(g.W.size + g.b.size) for g in self.gates.values())

    def step(
        self, x: np.ndarray, h: np.ndarray, c: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """One time step: the new hidden state (and cell state for an LSTM)."""
        g = self.gates
        if self.kind == "rnn":
            return np.tanh(g["h"](h, x)), None
        if self.kind == "lstm":
            f, i, o = (sigmoid(g[name](h, x)) for name in ("forget", "input", "output"))
            c = f * c + i * np.tanh(g["candidate"](h, x))
            return o * np.tanh(c), c
        z, r = sigmoid(g["update"](h, x)), sigmoid(g["reset"](h, x))
        candidate = np.tanh(g["candidate"](r * h, x))
        return (1 - z) * h + z * candidate, None

    def __call__(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Run over a batch-first sequence (batch, time, input) from zero states.

        Returns every hidden state, (batch, time, hidden), and the last cell state (LSTM).
        """
        batch = xs.shape[0]
        h = np.zeros((batch, self.hidden_size))
        c = np.zeros((batch, self.hidden_size)) if self.kind == "lstm" else None
        states = []
        for t in range(xs.shape[1]):
            h, c = self.step(xs[:, t], h, c)
            states.append(h)
        return np.stack(states, axis=1), c


def gate_count(kind: str) -> int:
    """How many gates (affine maps) a cell has: 1, 4 or 3."""
    return len(GATES[kind])
