"""Inverted dropout: a kept unit is divided by the keep probability at training time.

The mask is handed in (the engine draws nothing), so an exam can print it and ask what
the layer outputs; at test time the layer is the identity.
"""

from __future__ import annotations

import numpy as np


def inverted_dropout(a: np.ndarray, mask: np.ndarray, keep_prob: float) -> np.ndarray:
    """Training-time output: zero the dropped units, divide the kept ones by ``keep_prob``
    so that every unit's expected output is its activation (test time needs no change)."""
    if not 0 < keep_prob <= 1:
        raise ValueError(f"keep_prob is a probability in (0, 1], not {keep_prob}")
    return np.where(np.asarray(mask, dtype=bool), np.asarray(a, dtype=float) / keep_prob, 0.0)


def dropout_test(a: np.ndarray) -> np.ndarray:
    """Test-time output of inverted dropout: the activations as they are (no mask, no scale)."""
    return np.asarray(a, dtype=float).copy()


def expected_output(a: np.ndarray, keep_prob: float) -> np.ndarray:
    """Mean training-time output over every mask: each mask weighted by its probability.

    Computed by summing over the two outcomes of each unit (kept with probability
    ``keep_prob``, dropped otherwise), which is what inverted dropout is built to make
    equal to ``a``.
    """
    a = np.asarray(a, dtype=float)
    kept = inverted_dropout(a, np.ones_like(a), keep_prob)
    dropped = inverted_dropout(a, np.zeros_like(a), keep_prob)
    return keep_prob * kept + (1 - keep_prob) * dropped
