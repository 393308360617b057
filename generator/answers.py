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
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from .formula_reader import FormulaError, read_formula


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
        return _printed(self.rhs, tuple(self.names.items()))[0]

    @property
    def latex(self) -> str:
        return f"{self.lhs} = {self.rhs_latex}"

    def to_json(self) -> dict[str, str]:
        """``sympy`` is srepr in the order written, which ``formula_reader.read_formula`` reads
        back as this very expression (checked here); ``text`` is for people."""
        latex, text, srepr = _printed(self.rhs, tuple(self.names.items()))
        return {"lhs": self.lhs, "text": text, "sympy": srepr, "latex": latex}


@cache
def _printed(rhs: sp.Basic, names: tuple[tuple[sp.Basic, str], ...]) -> tuple[str, str, str]:
    """LaTeX, text and srepr of an expression: sympy's printers are slow, formulas recur.

    The srepr keeps the arguments in the order written (``order="none"``, as the LaTeX
    does): sorted, they would read back as an expression that prints the same but is not
    equal.  A formula the key's reader would not give back stops generation here.
    """
    latex = sp.latex(rhs, symbol_names=dict(names), order="none")
    srepr = sp.srepr(rhs, order="none")
    try:
        same = read_formula(srepr) == rhs
    except FormulaError as exc:
        raise ValueError(f"the formula {rhs} cannot be written to the key ({exc})") from None
    if not same:
        raise ValueError(f"the formula {rhs} does not read back from the key as written")
    return latex, str(rhs), srepr


@dataclass(frozen=True)
class Accept:
    """A solver's value with the forms graders should also accept (LaTeX), and for a number
    the unsimplified formula it comes from (as an official solution would write it)."""

    value: Any
    alternatives: tuple[str, ...] = ()
    formula: Formula | None = None


@dataclass(frozen=True)
class Option:
    """One option of a choice, select-all or matching part.

    ``mistake`` names the error a wrong option stands for (recorded in the key so wrong
    answers can be diagnosed); ``why`` explains the verdict in the solutions.
    """

    text: str
    correct: bool
    why: str = ""
    mistake: str = ""


@dataclass(frozen=True)
class Choices:
    """Options in print order; for ``matching``, ``pairs`` maps each item to its option."""

    options: tuple[Option, ...]
    pairs: Mapping[str, str] = field(default_factory=dict)


BLANK = "_" * 32


@dataclass(frozen=True)
class Code:
    """Source with blanks: each ``@@name@@`` line of ``skeleton`` is filled by ``blanks[name]``."""

    skeleton: str
    blanks: Mapping[str, str]

    def filled(self) -> str:
        return self._fill(lambda line: line)

    def blanked(self) -> str:
        """The student's version: the assignment target stays, the expression is left out."""
        return self._fill(
            lambda line: line.split(" = ")[0] + " = " + BLANK if " = " in line else BLANK
        )

    def _fill(self, show: Any) -> str:
        text = self.skeleton
        for name, line in self.blanks.items():
            text = text.replace(f"@@{name}@@", show(line))
        return text


@dataclass(frozen=True)
class Answer:
    """One part's key entry, ready for the JSON key, the solutions PDF and LMS exports.

    ``details`` holds what only some kinds have: the options of choice parts, the code
    skeleton of code parts, the unsimplified formula of a number.
    """

    kind: str
    value: Any
    latex: str
    tolerance: Tolerance | None = None
    alternatives: tuple[str, ...] = ()
    rubric: tuple[str, ...] = ()
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "answer": self.value,
            "answer_latex": self.latex,
            "tolerance": self.tolerance.to_json() if self.tolerance else None,
            "alternatives": list(self.alternatives),
            "rubric": list(self.rubric),
            **self.details,
        }


@dataclass(frozen=True)
class AnswerSpec:
    """What ``question.toml`` declares about a part's answer."""

    kind: str
    tolerance: Tolerance = Tolerance()
    names: tuple[str, ...] = ()
    model_answer: str = ""
    rubric: tuple[str, ...] = ()


NUMERIC_KINDS = ("integer", "number", "vector", "shape")


def make_answer(spec: AnswerSpec, raw: Any) -> Answer:
    """Normalise a solver's value for ``spec.kind``; raise ValueError when it does not fit."""
    alternatives: tuple[str, ...] = ()
    formula: Formula | None = None
    if isinstance(raw, Accept):
        raw, alternatives, formula = raw.value, raw.alternatives, raw.formula
    value, latex, details = _NORMALISERS[spec.kind](raw, spec)
    if formula is not None:
        details["formula"] = formula.to_json()
        latex = f"$\\displaystyle {formula.latex} \\approx {latex.strip('$')}$"
    tolerance = None
    if spec.kind in NUMERIC_KINDS:
        tolerance = Tolerance() if spec.kind in ("integer", "shape") else spec.tolerance
    return Answer(
        kind=spec.kind,
        value=value,
        latex=latex,
        tolerance=tolerance,
        alternatives=alternatives,
        rubric=spec.rubric,
        details=details,
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


def display_number(x: float, digits: int = 4) -> str:
    """A number as a person reads it in the solutions: a few significant digits."""
    return format_number(x) if float(x).is_integer() else f"{float(x):.{digits}g}"


Normalised = tuple[Any, str, dict[str, Any]]


def _integer(raw: Any, spec: AnswerSpec) -> Normalised:
    value = _as_int(raw)
    return value, f"${value}$", {}


def _number(raw: Any, spec: AnswerSpec) -> Normalised:
    value = _as_float(raw)
    return value, f"${display_number(value)}$", {}


def _vector(raw: Any, spec: AnswerSpec) -> Normalised:
    items = np.asarray(raw).ravel().tolist() if isinstance(raw, np.ndarray) else list(raw)
    values = [_int_or_float(x) for x in items]
    if spec.names:
        if len(spec.names) != len(values):
            raise ValueError(f"expected {len(spec.names)} entries ({', '.join(spec.names)})")
        shown = ", ".join(
            f"{name} ${display_number(v)}$" for name, v in zip(spec.names, values, strict=True)
        )
        return values, shown, {}
    return values, "$(" + ", ".join(display_number(v) for v in values) + ")$", {}


def _int_or_float(x: Any) -> int | float:
    if isinstance(x, numbers.Integral | np.integer) and not isinstance(x, bool):
        return int(x)
    return _as_float(x)


def _shape(raw: Any, spec: AnswerSpec) -> Normalised:
    dims = [_as_int(d) for d in raw]
    if not dims or any(d <= 0 for d in dims):
        raise ValueError(f"a shape has positive integer sizes, got {dims}")
    return dims, "$" + r" \times ".join(str(d) for d in dims) + "$", {}


def _expression(raw: Any, spec: AnswerSpec) -> Normalised:
    formulas = [raw] if isinstance(raw, Formula) else list(raw)
    if not formulas or not all(isinstance(f, Formula) for f in formulas):
        raise ValueError("an expression answer is a Formula or a list of Formulas")
    shown = ", \\quad ".join(f.latex for f in formulas)
    return [f.to_json() for f in formulas], f"$\\displaystyle {shown}$", {}


def _text(raw: Any, spec: AnswerSpec) -> Normalised:
    model = spec.model_answer if raw is None else str(raw)
    if not model:
        raise ValueError("a text answer needs a model answer ('answer' in question.toml)")
    return model, model, {}


LETTER_LABELS = tuple("ABCDEFGH")
ROMAN_LABELS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii")


def _options(raw: Any, labels: tuple[str, ...]) -> list[dict[str, Any]]:
    if not isinstance(raw, Choices) or not 2 <= len(raw.options) <= len(labels):
        raise ValueError(f"expected Choices with 2 to {len(labels)} options")
    texts = [option.text for option in raw.options]
    if len(set(texts)) != len(texts):
        raise ValueError("two options read the same")
    return [
        {"label": label, "text": o.text, "correct": o.correct, "why": o.why, "mistake": o.mistake}
        for label, o in zip(labels, raw.options, strict=False)
    ]


def _choice(raw: Any, spec: AnswerSpec) -> Normalised:
    options = _options(raw, LETTER_LABELS)
    correct = [o["label"] for o in options if o["correct"]]
    if len(correct) != 1:
        raise ValueError(f"a choice part has exactly one correct option, got {len(correct)}")
    return correct[0], f"Option {correct[0]}", {"options": options}


def _multi(raw: Any, spec: AnswerSpec) -> Normalised:
    options = _options(raw, ROMAN_LABELS)
    correct = [o["label"] for o in options if o["correct"]]
    shown = ", ".join(f"({label})" for label in correct) if correct else "none of them"
    return correct, shown, {"options": options}


def _matching(raw: Any, spec: AnswerSpec) -> Normalised:
    if not isinstance(raw, Choices) or not raw.pairs:
        raise ValueError("a matching part maps items to option texts (Choices.pairs)")
    texts = {o.text for o in raw.options}
    if not set(raw.pairs.values()) <= texts:
        raise ValueError("every matched option must be one of the options")
    pairs = {str(k): str(v) for k, v in raw.pairs.items()}
    shown = ", ".join(f"{item}: {text}" for item, text in pairs.items())
    options = [
        {"label": o.text, "text": o.text, "correct": True, "why": o.why, "mistake": ""}
        for o in raw.options
    ]
    return pairs, shown, {"options": options}


def _code(raw: Any, spec: AnswerSpec) -> Normalised:
    if not isinstance(raw, Code):
        raise ValueError("a code answer is a Code(skeleton, blanks)")
    missing = [name for name in raw.blanks if f"@@{name}@@" not in raw.skeleton]
    if missing:
        raise ValueError(f"blanks {missing} do not appear in the skeleton")
    # The expected lines, as the official solutions show them (the skeleton is in the stem).
    latex = "\\begin{code}\\begin{verbatim}\n" + "\n".join(raw.blanks.values())
    latex += "\n\\end{verbatim}\\end{code}"
    return dict(raw.blanks), latex, {"code": raw.skeleton}


_NORMALISERS = {
    "integer": _integer,
    "number": _number,
    "vector": _vector,
    "shape": _shape,
    "expression": _expression,
    "choice": _choice,
    "multi": _multi,
    "matching": _matching,
    "text": _text,
    "code": _code,
}


KINDS = tuple(_NORMALISERS)
