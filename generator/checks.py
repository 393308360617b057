"""Self-checks a solver runs while computing a key: a failed one stops generation."""

from __future__ import annotations


class EngineCheckError(ArithmeticError):
    """Two computations of the same answer disagree: a bug in the bank or the engine."""


def require(condition: bool, what: str) -> None:
    """Stop generation with ``what`` when a self-check fails."""
    if not condition:
        raise EngineCheckError(f"engine check failed: {what}")
