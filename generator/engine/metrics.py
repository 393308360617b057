"""Classification metrics computed from predictions, the way a confusion matrix is read."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Confusion:
    """Counts of a binary classifier: true/false positives and negatives."""

    tp: int
    fp: int
    fn: int
    tn: int

    @classmethod
    def of(cls, y_true: np.ndarray, y_pred: np.ndarray) -> Confusion:
        """Count the four cells from label and prediction arrays (1 = positive)."""
        t, p = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
        return cls(
            int(np.sum(t & p)), int(np.sum(~t & p)), int(np.sum(t & ~p)), int(np.sum(~t & ~p))
        )

    def examples(self) -> tuple[np.ndarray, np.ndarray]:
        """Label and prediction arrays with exactly these counts (TP, FP, FN, TN in order)."""
        y_true = np.repeat([1, 0, 1, 0], [self.tp, self.fp, self.fn, self.tn])
        y_pred = np.repeat([1, 1, 0, 0], [self.tp, self.fp, self.fn, self.tn])
        return y_true, y_pred

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn)

    @property
    def f1(self) -> float:
        """Harmonic mean of precision and recall."""
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r)

    @property
    def accuracy(self) -> float:
        return (self.tp + self.tn) / (self.tp + self.fp + self.fn + self.tn)


def predict(scores: np.ndarray, threshold: float) -> np.ndarray:
    """Positive (1) where the score reaches the threshold, ``score >= threshold``."""
    return (np.asarray(scores) >= threshold).astype(int)
