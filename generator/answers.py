"""Answer kinds: how each answer is normalised, stored in the key and shown in the solutions.

A question's ``solve()`` returns plain Python, numpy or sympy values; the kind
declared in ``question.toml`` decides how the value is checked and stored, so
that a solver returning a float where an integer is promised fails loudly.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp


@dataclass(frozen=True)
class Tolerance:
    """Accepted error: |given - key| <= max(abs, rel * |key|)."""

    abs: float = 0.0
    rel: float = 0.0

    def to_json(self) -> dict[str, float]:
        return {"abs": self.abs, "rel": self.rel}


@dataclass(frozen=True)
class Formula:
    """One equation ``lhs = rhs`` whose right-hand side is a sympy expression.

    ``names`` maps plain sympy symbols (``W1``) to how they print (``W^{[1]}``),
    so the same expression can be both evaluated numerically and typeset.
    """

    lhs: str
    rhs: sp.Basic
    names: Mapping[sp.Basic, str] = field(default_factory=dict)

    @property
    def rhs_latex(self) -> str:
        return sp.latex(self.rhs, symbol_names=dict(self.names), order="none")

    @property
    def latex(self) -> str:
        return f"{self.lhs} = {self.rhs_latex}"

    def to_json(self) -> dict[str, str]:
        return {"lhs": self.lhs, "sympy": str(self.rhs), "latex": self.rhs_latex}


@dataclass(frozen=True)
class Accept:
    """A solver's value together with other forms graders should accept, as LaTeX."""

    value: Any
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """One part's key entry, ready for the JSON key, the solutions PDF and LMS exports."""

    kind: str
    value: Any
    latex: str
    tolerance: Tolerance | None = None
    alternatives: tuple[str, ...] = ()
    rubric: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "answer": self.value,
            "answer_latex": self.latex,
            "tolerance": self.tolerance.to_json() if self.tolerance else None,
            "alternatives": list(self.alternatives),
            "rubric": list(self.rubric),
        }


@dataclass(frozen=True)
class AnswerSpec:
    """What ``question.toml`` declares about a part's answer."""

    kind: str
    tolerance: Tolerance = Tolerance()
    names: tuple[str, ...] = ()
    model_answer: str = ""
    rubric: tuple[str, ...] = ()


def make_answer(spec: AnswerSpec, raw: Any) -> Answer:
    """Normalise a solver's value for ``spec.kind``; raise ValueError when it does not fit."""
    alternatives: tuple[str, ...] = ()
    if isinstance(raw, Accept):
        raw, alternatives = raw.value, raw.alternatives
    value, latex = _NORMALISERS[spec.kind](raw, spec)
    exact = spec.kind in ("integer", "shape")
    tolerance = Tolerance() if exact else spec.tolerance
    numeric = spec.kind in ("integer", "number", "vector", "shape")
    return Answer(
        kind=spec.kind,
        value=value,
        latex=latex,
        tolerance=tolerance if numeric else None,
        alternatives=alternatives,
        rubric=spec.rubric,
    )


def _as_int(x: Any) -> int:
    if isinstance(x, bool) or not isinstance(x, numbers.Integral | np.integer):
        raise ValueError(f"expected an integer, got {x!r}")
    return int(x)


def _as_float(x: Any) -> float:
    if isinstance(x, bool) or not isinstance(x, numbers.Real | np.floating | np.integer):
        raise ValueError(f"expected a number, got {x!r}")
    value = float(x)
    if not math.isfinite(value):
        raise ValueError(f"expected a finite number, got {value}")
    return value


def format_number(x: float | int) -> str:
    """Shortest text that reads back as the same float (``repr``), integers without ``.0``."""
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def _integer(raw: Any, spec: AnswerSpec) -> tuple[int, str]:
    value = _as_int(raw)
    return value, f"${value}$"


def _number(raw: Any, spec: AnswerSpec) -> tuple[float, str]:
    value = _as_float(raw)
    return value, f"${format_number(value)}$"


def _vector(raw: Any, spec: AnswerSpec) -> tuple[list[float | int], str]:
    items = list(np.asarray(raw).ravel().tolist()) if isinstance(raw, np.ndarray) else list(raw)
    values = [v if isinstance(v, int) else _as_float(v) for v in (_int_or_float(x) for x in items)]
    if spec.names:
        if len(spec.names) != len(values):
            raise ValueError(f"expected {len(spec.names)} entries ({', '.join(spec.names)})")
        shown = ", ".join(
            f"{name} ${format_number(v)}$" for name, v in zip(spec.names, values, strict=True)
        )
        return values, shown
    return values, "$(" + ", ".join(format_number(v) for v in values) + ")$"


def _int_or_float(x: Any) -> int | float:
    if isinstance(x, numbers.Integral | np.integer) and not isinstance(x, bool):
        return int(x)
    return _as_float(x)


def _shape(raw: Any, spec: AnswerSpec) -> tuple[list[int], str]:
    dims = [_as_int(d) for d in raw]
    if not dims or any(d <= 0 for d in dims):
        raise ValueError(f"a shape has positive integer sizes, got {dims}")
    return dims, "$" + r" \times ".join(str(d) for d in dims) + "$"


def _expression(raw: Any, spec: AnswerSpec) -> tuple[list[dict[str, str]], str]:
    formulas = [raw] if isinstance(raw, Formula) else list(raw)
    if not formulas or not all(isinstance(f, Formula) for f in formulas):
        raise ValueError("an expression answer is a Formula or a list of Formulas")
    shown = ", \\quad ".join(f.latex for f in formulas)
    return [f.to_json() for f in formulas], f"${shown}$"


def _text(raw: Any, spec: AnswerSpec) -> tuple[str, str]:
    model = spec.model_answer if raw is None else str(raw)
    if not model:
        raise ValueError("a text answer needs a model answer ('answer' in question.toml)")
    return model, model


def _choice(raw: Any, spec: AnswerSpec) -> tuple[str, str]:
    return str(raw), str(raw)


def _multi(raw: Any, spec: AnswerSpec) -> tuple[list[str], str]:
    labels = sorted(str(x) for x in raw)
    return labels, ", ".join(labels)


def _code(raw: Any, spec: AnswerSpec) -> tuple[dict[str, str], str]:
    if not isinstance(raw, Mapping):
        raise ValueError("a code answer maps each blank to its expected line")
    lines = {str(k): str(v) for k, v in raw.items()}
    return lines, "\n".join(lines.values())


_NORMALISERS = {
    "integer": _integer,
    "number": _number,
    "vector": _vector,
    "shape": _shape,
    "expression": _expression,
    "choice": _choice,
    "multi": _multi,
    "text": _text,
    "code": _code,
}


KINDS = tuple(_NORMALISERS)
