"""The share of an expression part a response earns: one point share per expected formula.

A response gives the part's formulas in the key's order, separated by ``;``, new lines,
``\\quad`` or top-level commas, each as ``lhs = rhs`` or just its right-hand side.  When
every formula names a left-hand side and together they name the key's, they are matched
by name (``W = ...; V = ...`` for momentum's ``V``, ``W``); otherwise by position.

The key's alternatives are accepted: an alternative's formula (its first ``$...$``), and
the reading it names, ``with $w$ a row vector`` (the student's ``w`` is then the key's
``w`` transposed).  Nothing the student wrote is evaluated (see
:mod:`generator.kinds.formula.equivalence`).  A formula that cannot be read is wrong; a
response in which none can be read, one equal to the key only where the grader's points
fall, or one to a key whose formula is beyond the bounds goes to a person, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import sympy as sp

from generator.key.records import PartInfo
from generator.kinds.formula.equivalence import (
    ALIASES,
    Undecided,
    check_bounds,
    equivalent,
    read_response,
    split_equation,
    symbols_of,
)
from generator.kinds.formula.notation import MAX_CHARS, Unreadable, normalise
from generator.kinds.formula.reader import FormulaError, read_formula
from generator.kinds.scoring import ToPerson, judge

SEPARATORS = re.compile(r";|\n|\\q?quad|\\\\")
MATH = re.compile(r"\$([^$]+)\$")
READING = re.compile(r"with \$?\s*([A-Za-z]\w*)\s*\$? an? (row|column) vector")
MAX_RESPONSE = 4 * MAX_CHARS

Reading = tuple[Mapping[str, sp.Basic], list[sp.Basic] | None]  # names, alternative formulas


def score(part: PartInfo, response: str) -> float | None:
    """0 to 1: the share of the part's points the right formulas earn under its scoring;
    None when a person must look (see the module docstring)."""
    return judge(part.scoring, part.points, marks(part, response)).share


def marks(part: PartInfo, response: str) -> dict[str, bool] | ToPerson:
    """Each expected formula (by its left-hand side): whether the response has it right;
    a person's, when no piece of the response reads as a formula at all."""
    try:
        expected = [read_formula(f.sympy) for f in part.answer]
        for formula in expected:
            check_bounds(formula)
    except (FormulaError, Unreadable, KeyError, TypeError) as exc:
        return ToPerson(f"the key's formula cannot be compared ({exc}): a person grades it")
    if len(response) > MAX_RESPONSE:
        return ToPerson(f"unreadable: a response of more than {MAX_RESPONSE} characters")
    given = _matched(part, pieces(response))
    scope = symbols_of(expected)
    readings = [(scope, None), *_alternatives(part, scope, len(expected))]
    found = {f.lhs: _right(text, i, expected, readings)
             for i, (f, text) in enumerate(zip(part.answer, given, strict=False))}  # fmt: skip
    undecided = [v for v in found.values() if isinstance(v, Undecided)]
    if undecided:
        return ToPerson(undecided[0].reason)
    if response.strip() and not any(found.values()):
        unread = _unreadable(given, scope)
        if unread is not None:
            return ToPerson(f"unreadable: no formula in it ({unread})")
    return {lhs: bool(v) for lhs, v in found.items()}


def _unreadable(given: list[str], scope: Mapping[str, sp.Basic]) -> str | None:
    """Why no piece of a response reads as a formula in the question's symbols (the
    first piece's reason: "the name 'f' is not one of the question's symbols"), or None
    when one does (then a wrong one is wrong)."""
    reasons = []
    for text in given:
        try:
            read_response(text, scope)
        except Exception as exc:  # Unreadable, or sympy's own failure on a strange input
            reasons.append(str(exc) if isinstance(exc, Unreadable) else "it does not parse")
            continue
        return None
    return reasons[0] if reasons else "it is empty"


def pieces(response: str) -> list[str]:
    """The response cut into its formulas (commas split only outside parentheses)."""
    out = []
    for chunk in SEPARATORS.split(response):
        out.extend(_top_level_commas(chunk))
    return [p.strip() for p in out if p.strip()]


def _top_level_commas(text: str) -> list[str]:
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        depth += 1 if char in "([{" else -1 if char in ")]}" else 0
        if char == "," and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    return [*parts, text[start:]]


def _matched(part: PartInfo, given: list[str]) -> list[str]:
    """The right-hand sides in the key's order (by their left-hand sides when they name
    exactly the key's), an empty one for each formula not given."""
    sides = [_sides(text) for text in given]
    wanted = [_lhs_key(f.lhs) for f in part.answer]
    named = [_lhs_key(lhs) for lhs, _ in sides]
    if len(wanted) > 1 and sorted(named) == sorted(wanted) and len(set(named)) == len(named):
        by_name = {name: rhs for name, (_, rhs) in zip(named, sides, strict=True)}
        return [by_name[name] for name in wanted]
    rhs = [rhs for _, rhs in sides]
    return rhs + [""] * (len(wanted) - len(rhs))


def _sides(text: str) -> tuple[str, str]:
    return split_equation(text)


def _lhs_key(lhs: str) -> str:
    """A left-hand side as compared: its names through the aliases, case folded."""
    try:
        spelled = "".join(normalise(lhs))
    except Unreadable:
        spelled = re.sub(r"[^\w']", "", lhs)
    return ALIASES.get(spelled, spelled).casefold()


def _right(text: str, index: int, expected: list[sp.Basic],
           readings: list[Reading]) -> bool | Undecided:  # fmt: skip
    """Whether one right-hand side is the key's formula (or an alternative's) under one of
    the readings; Undecided when only a person can say.  Nothing escapes: an unreadable or
    hostile text is simply not right."""
    if not text.strip():
        return False
    undecided: Undecided | None = None
    for scope, alternative in readings:
        try:
            given = read_response(text, scope)
        except Unreadable:
            continue
        except Exception:  # sympy's own failure on a strange but allowed input
            continue
        for formula in (expected[index], alternative[index] if alternative else None):
            verdict = False if formula is None else equivalent(given, formula)
            if verdict is True:
                return True
            undecided = undecided or (verdict or None)
    return undecided or False


def _alternatives(part: PartInfo, scope: Mapping[str, sp.Basic], n: int) -> list[Reading]:
    """Each alternative of the key as a reading: its names (a vector read the other way)
    and its formulas, when they can be read."""
    readings: list[Reading] = []
    for text in part.alternatives:
        names = dict(scope)
        for name, orientation in READING.findall(text):
            symbol = scope.get(name)
            if isinstance(symbol, sp.MatrixSymbol) and _flipped(symbol, orientation):
                names[name] = sp.Transpose(symbol)
        readings.append((names, _alternative_formulas(text, names, n)))
    return readings


def _flipped(symbol: sp.MatrixSymbol, orientation: str) -> bool:
    rows, columns = symbol.shape
    return (orientation == "row" and columns == 1 and rows != 1) or (
        orientation == "column" and rows == 1 and columns != 1
    )


def _alternative_formulas(text: str, names: Mapping[str, sp.Basic], n: int) -> list | None:
    math = MATH.search(text)
    if not math:
        return None
    formulas = pieces(math[1])
    if len(formulas) != n:
        return None
    try:
        return [read_response(split_equation(f)[1], names) for f in formulas]
    except Exception:
        return None
