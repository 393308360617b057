"""The values a question's ``solve()`` returns, and a part's entry in the key.

A solver returns plain Python, numpy or sympy values, or these types for what a plain
value cannot say (a formula, options with their verdicts, code with blanks).  The kind
declared in ``question.toml`` decides how the value is checked and stored (see
:mod:`generator.kinds`), so that a solver returning a float where an integer is
promised fails loudly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sympy as sp

from generator.key.records import ScoringInfo
from generator.kinds.formula.reader import FormulaError, read_formula
from generator.kinds.scoring import ALL


@dataclass(frozen=True)
class Tolerance:
    """Accepted error: |given - key| <= max(abs, rel * |key|)."""

    abs: float = 0.0
    rel: float = 0.0


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
        """``sympy`` is srepr in the order written, which
        ``kinds.formula.reader.read_formula`` reads back as this very expression (checked
        here); ``text`` is for people."""
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
    the unsimplified formula it comes from (as an official solution would write it) and
    the values its named mistakes give (``{"the averaging factor is missing": 5.16}``),
    which the part's scoring may give points (question.toml ``scoring.credit``)."""

    value: Any
    alternatives: tuple[str, ...] = ()
    formula: Formula | None = None
    mistakes: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Model:
    """A text part's model answer drawn with the variant, with that alternative's rubric.

    A part that asks one of several alternative questions (shuffling with SGD or with
    batch gradient descent) has an answer per alternative, so ``solve()`` returns it;
    ``rubric``, when given, replaces the part's ``rubric`` of question.toml for this
    variant, since each alternative is graded on its own points.
    """

    answer: str
    rubric: tuple[str, ...] = ()


@dataclass(frozen=True)
class Option:
    """One option of a choice, select-all or matching part.

    ``mistake`` names the error a wrong option stands for (recorded in the key so wrong
    answers can be diagnosed); ``why`` explains the verdict in the solutions; ``also``
    lists other names students write for it (``stochastic`` for ``SGD``).
    """

    text: str
    correct: bool
    why: str = ""
    mistake: str = ""
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Choices:
    """Options in print order; for ``matching``, ``pairs`` maps each item to its option."""

    options: tuple[Option, ...]
    pairs: Mapping[str, str] = field(default_factory=dict)


BLANK = "_" * 32
ANSWER_MARK = "# <- answer"  # ends each answer line of a completed function (still Python)


def code_listing(source: str) -> str:
    """Code as the bank and the key write it: one verbatim block directly inside a ``code``
    environment, on lines of its own (the markup lms/html.py turns into ``<pre>``)."""
    return "\\begin{code}\\begin{verbatim}\n" + source + "\n\\end{verbatim}\\end{code}"


@dataclass(frozen=True)
class Code:
    """Source with blanks: each ``@@name@@`` line of ``skeleton`` is filled by ``blanks[name]``."""

    skeleton: str
    blanks: Mapping[str, str]

    def filled(self) -> str:
        return self._fill(lambda line: line)

    def completed(self) -> str:
        """The solutions' version: the whole function with every blank filled, each answer
        line marked by :data:`ANSWER_MARK` at one column (a comment: the code still runs)."""
        lines = self._fill(lambda line: line + "\0").split("\n")
        column = max((len(line) for line in lines if line.endswith("\0")), default=0) + 1
        return "\n".join(
            line[:-1].ljust(column) + ANSWER_MARK if line.endswith("\0") else line for line in lines
        )

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
    scoring: ScoringInfo = ALL
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AnswerSpec:
    """What ``question.toml`` declares about a part's answer."""

    kind: str
    tolerance: Tolerance = Tolerance()
    names: tuple[str, ...] = ()
    model_answer: str = ""
    rubric: tuple[str, ...] = ()
    scoring: ScoringInfo = ALL  # how its points are earned (kinds/scoring.py)


def format_number(x: float | int) -> str:
    """Shortest text that reads back as the same float (``repr``), integers without ``.0``."""
    if isinstance(x, int) or float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def display_number(x: float, digits: int = 4) -> str:
    """A number as a person reads it in the solutions: a few significant digits."""
    return format_number(x) if float(x).is_integer() else f"{float(x):.{digits}g}"
