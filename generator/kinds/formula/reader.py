"""Read a key's formula (its ``sympy`` field, an ``srepr``) back into the same sympy expression.

``sympy.sympify`` is no reader for it: it runs the text through ``eval`` (a key is a file
from elsewhere, and may have been edited), its namespace lacks ``Str`` (the names of
``MatrixSymbol``), and it evaluates what was written unevaluated (``-log(0.9)`` becomes a
number).  :func:`read_formula` parses the text with :mod:`ast` instead, accepts only calls
of the sympy constructors that ``srepr`` writes for the bank's formulas, and builds every
node unevaluated, so that the key's formula comes back equal to the solver's, argument
order included (``srepr(read_formula(text), order="none") == text``).  Nothing in the text is
ever evaluated: strings reach sympy only as names (checked to be identifiers) or as
decimal numerals (checked by pattern), never through ``sympify``.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable
from typing import Any

import sympy as sp
from sympy.core.symbol import Str

MAX_CHARS = 20_000  # the bank's longest formula has about 450 characters
MAX_DEPTH = 100  # nesting of calls (the bank's deepest is 8): sympy's constructors recurse
MAX_PRECISION = 1024  # bits of a Float (srepr writes 53 for a double)
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
CONSTANTS: dict[str, sp.Basic] = {"pi": sp.pi, "E": sp.E, "I": sp.I, "oo": sp.oo}
# What a symbol may be declared (``Symbol('n_x', positive=True, integer=True)``).
ASSUMPTIONS = ("commutative", "complex", "even", "extended_real", "finite", "integer",
               "negative", "nonnegative", "nonpositive", "nonzero", "odd", "positive",
               "prime", "rational", "real", "zero")  # fmt: skip


class FormulaError(ValueError):
    """The text is not a formula as the key writes it (or it is something hostile)."""


def read_formula(text: str) -> sp.Basic:
    """The sympy expression whose ``srepr`` is ``text``, built without evaluating anything."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula is text, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise FormulaError(f"a formula of {len(text)} characters is longer than {MAX_CHARS}")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise FormulaError(f"not an srepr formula ({type(exc).__name__})") from None
    return _node(tree.body, 0)


def _node(node: ast.expr, depth: int) -> sp.Basic:
    """One expression node: a constructor call or a named constant, nothing else."""
    if depth > MAX_DEPTH:
        raise FormulaError(f"a formula nested more than {MAX_DEPTH} deep")
    if isinstance(node, ast.Name) and node.id in CONSTANTS:
        return CONSTANTS[node.id]
    if not isinstance(node, ast.Call):
        raise FormulaError(f"unexpected {_shown(node)}; a formula is sympy constructor calls")
    if isinstance(node.func, ast.Call):  # Function('sigma')(x): an applied function
        function = _function(node.func)
        return _built(function, [_node(arg, depth + 1) for arg in _args(node)], {})
    name = node.func.id if isinstance(node.func, ast.Name) else ""
    if name in _LEAVES:
        return _LEAVES[name](node)
    if name == "MatrixSymbol":
        return _matrix_symbol(node, depth)
    if name in _COMPOSITES:
        constructor, unevaluated = _COMPOSITES[name]
        args = [_node(arg, depth + 1) for arg in _args(node)]
        return _built(constructor, args, {"evaluate": False} if unevaluated else {})
    raise FormulaError(f"unexpected {_shown(node.func)}; not a constructor srepr writes")


def _args(node: ast.Call, keywords: tuple[str, ...] = ()) -> list[ast.expr]:
    """The positional arguments, refusing ``*args``, ``**kwargs`` and unknown keywords."""
    if any(isinstance(arg, ast.Starred) for arg in node.args):
        raise FormulaError("unexpected *arguments in a formula")
    for keyword in node.keywords:
        if keyword.arg is None or keyword.arg not in keywords:
            raise FormulaError(f"unexpected keyword {keyword.arg or '**'} in a formula")
    return list(node.args)


def _built(constructor: Callable[..., Any], args: list[Any], options: dict[str, Any]) -> sp.Basic:
    """Call a sympy constructor on already-built nodes; its complaints become FormulaError.

    Every exception counts: on nonsense such as ``exp`` of a matrix, sympy's constructors
    raise TypeError, ValueError, IndexError or NotImplementedError, and whatever they
    raise, the text is no formula.  The arguments are sympy objects built here, so no
    exception can come from anything but sympy's own code.
    """
    try:
        result = constructor(*args, **options)
    except Exception as exc:
        raise FormulaError(f"a formula's node cannot be built ({type(exc).__name__})") from None
    if not isinstance(result, sp.Basic):
        raise FormulaError("a formula's node is no sympy expression")
    return result


def _constant(node: ast.expr, kind: type) -> Any:
    """A literal of exactly ``kind`` (an integer may carry a minus sign)."""
    if (
        kind is int
        and isinstance(node, ast.UnaryOp)
        and isinstance(node.op, ast.USub)
        and isinstance(node.operand, ast.Constant)
        and type(node.operand.value) is int
    ):
        return -node.operand.value
    if isinstance(node, ast.Constant) and type(node.value) is kind:
        return node.value
    raise FormulaError(f"expected a {kind.__name__} literal, got {_shown(node)}")


def _constants(node: ast.Call, kinds: tuple[type, ...], keywords: tuple[str, ...] = ()) -> list:
    args = _args(node, keywords)
    if len(args) != len(kinds):
        raise FormulaError(f"{_shown(node.func)} takes {len(kinds)} literal argument(s)")
    return [_constant(arg, kind) for arg, kind in zip(args, kinds, strict=True)]


def _name(text: str) -> str:
    """Symbol and function names are identifiers: no text that sympy could parse as code."""
    if not NAME.match(text):
        raise FormulaError(f"{text[:40]!r} is not a symbol name (letters, digits, _)")
    return text


def _assumptions(node: ast.Call) -> dict[str, bool]:
    """``positive=True, integer=True``: known assumption names, boolean values only."""
    return {
        keyword.arg: _constant(keyword.value, bool)
        for keyword in node.keywords
        if keyword.arg is not None
    }


def _symbol(node: ast.Call) -> sp.Basic:
    (name,) = _constants(node, (str,), ASSUMPTIONS)
    return sp.Symbol(_name(name), **_assumptions(node))


def _integer(node: ast.Call) -> sp.Basic:
    (value,) = _constants(node, (int,))
    return sp.Integer(value)


def _rational(node: ast.Call) -> sp.Basic:
    numerator, denominator = _constants(node, (int, int))
    if denominator == 0:
        raise FormulaError("a rational with denominator 0")
    return sp.Rational(numerator, denominator)


def _float(node: ast.Call) -> sp.Basic:
    (digits,) = _constants(node, (str,), ("precision",))
    if not DECIMAL.match(digits):
        raise FormulaError(f"{digits[:40]!r} is not a decimal number")
    precision = 53
    for keyword in node.keywords:
        precision = _constant(keyword.value, int)
    if not 1 <= precision <= MAX_PRECISION:
        raise FormulaError(f"a Float's precision is 1 to {MAX_PRECISION} bits, not {precision}")
    return sp.Float(digits, precision=precision)


def _function(node: ast.Call) -> Callable[..., Any]:
    """``Function('sigma')``: an undefined function, to be applied to the outer call's args."""
    if not (isinstance(node.func, ast.Name) and node.func.id == "Function"):
        raise FormulaError(f"unexpected {_shown(node.func)} called on arguments")
    (name,) = _constants(node, (str,))
    function = sp.Function(_name(name))
    return lambda *args: function(*args, evaluate=False)


def _matrix_symbol(node: ast.Call, depth: int) -> sp.Basic:
    """``MatrixSymbol(Str('W1'), rows, columns)``: ``Str`` is a matrix symbol's name, and
    nothing else (sympy's arithmetic takes no ``Str``)."""
    args = _args(node)
    if len(args) != 3:
        raise FormulaError("a MatrixSymbol takes a name, rows and columns")
    name, rows, columns = args
    if not (isinstance(name, ast.Call) and isinstance(name.func, ast.Name)
            and name.func.id == "Str"):  # fmt: skip
        raise FormulaError("a MatrixSymbol is named by Str('...')")
    (text,) = _constants(name, (str,))
    shape = [_node(rows, depth + 1), _node(columns, depth + 1)]
    return _built(sp.MatrixSymbol, [Str(_name(text)), *shape], {})


def _shown(node: ast.AST) -> str:
    """A node as the error message names it (never the whole hostile text)."""
    if isinstance(node, ast.Name):
        return f"name {node.id[:40]!r}"
    return type(node).__name__


# Constructors whose arguments are literals (names, digits): built from the text directly.
_LEAVES: dict[str, Callable[[ast.Call], sp.Basic]] = {
    "Symbol": _symbol,
    "Integer": _integer,
    "Rational": _rational,
    "Float": _float,
}
# Constructors whose arguments are nodes built before, and whether they take evaluate=False
# (which keeps a formula as written: sympy would otherwise fold -log(0.9) to a number).
_COMPOSITES: dict[str, tuple[Callable[..., Any], bool]] = {
    "Add": (sp.Add, True),
    "Mul": (sp.Mul, True),
    "Pow": (sp.Pow, True),
    "log": (sp.log, True),
    "exp": (sp.exp, True),
    "Abs": (sp.Abs, True),
    "UnevaluatedExpr": (sp.UnevaluatedExpr, False),
    "MatAdd": (sp.MatAdd, True),
    "MatMul": (sp.MatMul, True),
    "MatPow": (sp.MatPow, True),
    "Transpose": (sp.Transpose, False),
}
