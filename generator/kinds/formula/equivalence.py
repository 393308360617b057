"""Is a student's formula the key's formula?  Read it safely, then compare.

A response is read without ever evaluating its text: :mod:`generator.kinds.formula.notation`
turns it into tokens, the names are resolved against the key's own symbols (``W1``,
``yhat``, the matrix ``w``, with the usual spellings of each), LaTeX's implicit products
are made explicit, and :mod:`ast` parses the result, whose nodes are turned into sympy
one by one from an allow-list (arithmetic, ``@``, ``.T`` and a few functions).  Every
name that reaches :func:`ast.parse` is a placeholder made here, so no Python keyword,
attribute or call of the student's can survive.  Sizes are bounded (characters, tokens,
nesting, exponents, the bits of a number, the degree of a polynomial), so that no
operation on a response, or on a key's formula, can run away (:func:`check_bounds`).

How two expressions are compared depends on what they are:

- **rational functions** of scalars (``(f - 1)/2``, a gradient step): exactly, by sympy's
  ``cancel`` of their difference: no point is involved, so no point can be aimed at;
- otherwise **at random points** (matrix symbols get random matrices of their shapes, with
  distinct sizes so a wrong transpose cannot fit), drawn for each comparison from a
  stream keyed by the run's key and both texts (:mod:`generator.kinds.streams`): nobody
  can predict them, so a wrong formula made to agree at the grader's points cannot be
  written.  Analytic functions (``log``, ``exp``, ``sigma``, polynomials) that agree at
  unpredictable points are the same function; ``abs`` and fractional powers are not
  analytic, so a response that brings them where the key has none, and agrees only
  numerically, goes to a person (:data:`UNDECIDED`);
- where the key's formula is defined at too few points, sympy's ``simplify`` of the
  difference decides.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp
from sympy.core.function import AppliedUndef
from sympy.matrices.expressions.applyfunc import ElementwiseApplyFunction

from generator.kinds import streams
from generator.kinds.formula.notation import UPDATE_ARROWS, Unreadable, normalise

POINTS = 8
MIN_POINTS = 3  # points where the key's formula is defined
MAX_EXPONENT = 16
MAX_INTEGER = 10**15
MAX_DEPTH = 200
MAX_BITS = 1024  # of a number's numerator and denominator, after any operation
MAX_DEGREE = 64  # of a polynomial, as written: expanding a higher one is slow
SYMBOLIC_OPS = 40  # sympy's simplify only on differences this small (it can be slow)
RTOL, ATOL = 1e-7, 1e-10
SIGMA = sp.Function("sigma")
TANH = sp.Function("tanh")  # undefined, as sigma: applied to a 1 x 1 matrix expression too
# The activations as numpy computes them, for the numeric comparison.
ACTIVATIONS: dict[str, Callable[[Any], Any]] = {
    "sigma": lambda x: 1 / (1 + np.exp(-np.asarray(x, dtype=float))),
    "tanh": lambda x: np.tanh(np.asarray(x, dtype=float)),
}


def _activation(function: Any) -> Callable[[Any], Any]:
    """The activation applied to a scalar, or entry by entry to a vector (``sigma(W1 x +
    b1)``, n x 1), as a student means it."""

    def applied(arg: Any) -> Any:
        if getattr(arg, "is_Matrix", False) and tuple(arg.shape) != (1, 1):
            t = sp.Symbol("_entry")  # not a Dummy: its srepr (a stream's seed) must not vary
            return ElementwiseApplyFunction(sp.Lambda(t, function(t)), arg)
        return function(arg)

    return applied


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "log": sp.log, "ln": sp.log, "exp": sp.exp, "sqrt": sp.sqrt, "abs": sp.Abs,
    "sigma": _activation(SIGMA), "sigmoid": _activation(SIGMA), "tanh": _activation(TANH),
    "dot": lambda a, b: a * b, "matmul": lambda a, b: a * b,
    "transpose": lambda a: _transposed(a),
}  # fmt: skip
CONSTANTS = {"pi": sp.pi, "e": sp.E}
# Spellings of the bank's symbols that no rule below derives (the key names them).
ALIASES = {"lambda": "lam", "lamda": "lam", "lmbda": "lam", "dW": "dJdW", "grad": "dJdW",
           "dJBCEdW": "dJdW", "gradW": "dJdW", "VdW": "V", "Vdw": "V", "vdW": "V",
           "vdw": "V"}  # fmt: skip

Scope = Mapping[str, sp.Basic]


# ------------------------------------------------------------------ reading


def symbols_of(expressions: list[sp.Basic]) -> dict[str, sp.Basic]:
    """The names a response may use: the key's scalar and matrix symbols (not the sizes
    of the matrices, which no formula of the bank asks for)."""
    scope: dict[str, sp.Basic] = {}
    sizes: set[sp.Basic] = set()
    for expr in expressions:
        for matrix in expr.atoms(sp.MatrixSymbol):
            scope[str(matrix.name)] = matrix
            sizes |= set().union(*(_size(d).free_symbols for d in matrix.shape))
    for expr in expressions:
        for symbol in expr.free_symbols - sizes:
            if isinstance(symbol, sp.Symbol):
                scope[symbol.name] = symbol
    return scope


def read_response(text: str, scope: Scope) -> sp.Basic:
    """The sympy expression a response's right-hand side stands for; Unreadable if none."""
    tokens = normalise(text)
    if not tokens:
        raise Unreadable("an empty formula")
    placeholders: dict[str, Any] = {}
    source = " ".join(_explicit(_resolved(tokens, scope, placeholders)))
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise Unreadable("not a formula") from None
    expr = _built(tree.body, placeholders, 0)
    if not isinstance(expr, sp.Basic):
        raise Unreadable("not a formula")
    check_bounds(expr)
    return expr


def split_equation(text: str) -> tuple[str, str]:
    """``lhs = rhs`` (or ``lhs := rhs``, ``lhs \\leftarrow rhs``) into its sides, the lhs
    empty when only a right-hand side is given; a chain ``a = b = c`` keeps its last side."""
    text = UPDATE_ARROWS.sub("=", text)
    cut = text.rfind("=")
    if cut < 0:
        return "", text
    return text[:cut].strip(), text[cut + 1 :]


def _resolved(tokens: list[str], scope: Scope, placeholders: dict[str, Any]) -> list[str]:
    """Every name replaced by a placeholder of its symbol, function or constant (a run of
    known names written together, ``W2W1``, by their product)."""
    out: list[str] = []
    for token in tokens:
        if not re.match(r"[A-Za-z_]", token):
            out.append(token)
            continue
        if token in FUNCTIONS:
            out.append(_placeholder(placeholders, f"f_{token}", FUNCTIONS[token]))
            continue
        names = _lookup(token, scope)
        pieces = [_placeholder(placeholders, f"s_{n}", _value_of(n, scope)) for n in names]
        out.extend(["(", *" * ".join(pieces).split(), ")"] if len(pieces) > 1 else pieces)
    return out


def _value_of(name: str, scope: Scope) -> sp.Basic:
    return scope[name] if name in scope else CONSTANTS[name]


def _placeholder(placeholders: dict[str, Any], name: str, value: Any) -> str:
    key = "_" + re.sub(r"\W", "_", name)
    placeholders[key] = value
    return key


def _lookup(name: str, scope: Scope) -> list[str]:
    """The key's names a student's name stands for, one or several multiplied."""
    for candidate in (name, ALIASES.get(name, "")):
        if candidate in scope:
            return [candidate]
    folded = [known for known in scope if known.casefold() == name.casefold()]
    if len(folded) == 1:
        return folded
    if name in CONSTANTS:
        return [name]
    split = _split(name, scope)
    if split:
        return split
    raise Unreadable(f"the name {name[:40]!r} is not one of the question's symbols")


def _split(name: str, scope: Scope) -> list[str] | None:
    """``alphaV`` as ``alpha``, ``V``: a way, if any, to write it with known names (or
    their aliases), longest names first."""
    known = {n: n for n in scope} | {a: t for a, t in ALIASES.items() if t in scope}
    ways: list[list[str] | None] = [[]] + [None] * len(name)
    for end in range(1, len(name) + 1):
        for spelled in sorted(known, key=len, reverse=True):
            start = end - len(spelled)
            if start >= 0 and ways[start] is not None and name[start:end] == spelled:
                ways[end] = [*ways[start], known[spelled]]
                break
    return ways[-1] if ways[-1] and len(ways[-1]) > 1 else None


def _explicit(tokens: list[str]) -> list[str]:
    """LaTeX's implicit products made explicit: ``2 _s_x`` -> ``2 * _s_x``, ``) (`` ->
    ``) * (``; a function written without parentheses, ``log x``, gets them."""
    out: list[str] = []
    pending_close = 0
    for i, token in enumerate(tokens):
        before = out[-1] if out else ""
        if _ends_operand(before) and _starts_operand(token):
            out.append("*")
        out.append(token)
        followed_by_transpose = i + 1 < len(tokens) and tokens[i + 1] == ".T"
        if pending_close and _is_atom(token) and not followed_by_transpose:
            out.extend([")"] * pending_close)
            pending_close = 0
        if token.startswith("_f_") and i + 1 < len(tokens) and tokens[i + 1] != "(":
            out.append("(")
            pending_close += 1
    if pending_close:
        raise Unreadable("a function without its argument")
    return out


def _is_atom(token: str) -> bool:
    return token.startswith("_s_") or token[:1].isdigit() or (token[:1] == "." and token != ".T")


def _ends_operand(token: str) -> bool:
    return token in (")", ".T") or _is_atom(token)


def _starts_operand(token: str) -> bool:
    return token == "(" or token.startswith("_f_") or _is_atom(token)


# ------------------------------------------------------------------ building sympy


BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.MatMult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def _built(node: ast.expr, placeholders: Mapping[str, Any], depth: int) -> Any:
    """One node of the parsed response as sympy; anything off the allow-list is refused."""
    if depth > MAX_DEPTH:
        raise Unreadable(f"a formula nested more than {MAX_DEPTH} deep")
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        return _number(node.value)
    if isinstance(node, ast.Name) and node.id in placeholders and node.id.startswith("_s_"):
        return placeholders[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        operand = _built(node.operand, placeholders, depth + 1)
        return _sympy(lambda: -operand if isinstance(node.op, ast.USub) else operand)
    if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
        left = _built(node.left, placeholders, depth + 1)
        right = _built(node.right, placeholders, depth + 1)
        if isinstance(node.op, ast.Pow):
            _check_exponent(right)
        return _sympy(lambda: BINARY[type(node.op)](left, right))
    if isinstance(node, ast.Attribute) and node.attr == "T":
        inner = _built(node.value, placeholders, depth + 1)
        return _sympy(lambda: _transposed(inner))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        function = placeholders.get(node.func.id) if node.func.id.startswith("_f_") else None
        if function is not None and not any(isinstance(a, ast.Starred) for a in node.args):
            args = [_built(arg, placeholders, depth + 1) for arg in node.args]
            return _sympy(lambda: function(*args))
    raise Unreadable(f"{type(node).__name__} is not allowed in a formula")


def _number(value: int | float) -> sp.Basic:
    if isinstance(value, int):
        if abs(value) > MAX_INTEGER:
            raise Unreadable("a number too large for a formula")
        return sp.Integer(value)
    if not np.isfinite(value) or abs(value) > MAX_INTEGER:
        raise Unreadable("a number too large for a formula")
    return sp.Rational(repr(value))  # 0.5 is 1/2: exact, for the symbolic comparison


def _sympy(make: Callable[[], Any]) -> Any:
    """sympy's verdict on one operation (a shape mismatch, a function of a matrix) as
    Unreadable: the operands are sympy objects built here, so only sympy's code runs."""
    try:
        result = make()
    except Unreadable:
        raise
    except Exception:
        raise Unreadable("the formula's operations do not fit (shapes, arguments)") from None
    _check_number(result)
    return result


def _check_number(value: Any) -> None:
    """A number of more than MAX_BITS (``(10**15)**16**16``) is refused as soon as it is
    made, before the next power multiplies its size by 16."""
    if isinstance(value, sp.Rational) and max(value.p.bit_length(),
                                              value.q.bit_length()) > MAX_BITS:  # fmt: skip
        raise Unreadable("a number too large for a formula")


def _transposed(expr: Any) -> Any:
    return sp.Transpose(expr) if getattr(expr, "is_Matrix", False) else expr


def _check_exponent(exponent: Any) -> None:
    if isinstance(exponent, sp.Number) and abs(exponent) > MAX_EXPONENT:
        raise Unreadable(f"an exponent above {MAX_EXPONENT}")


def check_bounds(expr: sp.Basic) -> None:
    """Unreadable unless every power, number and the polynomial degree of ``expr`` are in
    bounds: sympy folds ``(x**16)**16`` into ``x**256``, and ``((f+2)**16+1)**16`` stays
    folded until it is expanded (to degree 256); a key's formula is held to the same."""
    for power in expr.atoms(sp.Pow, sp.MatPow):
        _check_exponent(power.exp)
    for number in expr.atoms(sp.Rational):
        _check_number(number)
    if _degree(expr) > MAX_DEGREE:
        raise Unreadable(f"a formula of degree above {MAX_DEGREE}")


def _degree(expr: sp.Basic) -> int:
    """An upper bound of the degree ``expand`` would meet: sums take their largest term,
    products add, integer powers multiply (a function's argument counts inside it)."""
    if not expr.args:
        return 1 if expr.free_symbols else 0
    inner = [_degree(arg) for arg in expr.args]
    if isinstance(expr, sp.Mul | sp.MatMul):
        return sum(inner)
    if isinstance(expr, sp.Pow | sp.MatPow) and expr.exp.is_Integer:
        return inner[0] * abs(int(expr.exp))
    return max(inner)


# ------------------------------------------------------------------ comparing


@dataclass(frozen=True)
class Undecided:
    """Equal at the grader's points but not shown equal: a person decides, for ``reason``."""

    reason: str


def equivalent(given: sp.Basic, expected: sp.Basic) -> bool | Undecided:
    """Whether two expressions of the same symbols are the same function of them (see the
    module docstring for how); Undecided when only a person can say."""
    try:
        if _rational(given) and _rational(expected):
            return sp.cancel(sp.together(given - expected)) == 0
        if _expands_to_zero(given, expected):
            return True
        verdict = _agree_numerically(given, expected)
        if verdict is None:
            return _simplifies_to_zero(given, expected)
        brought = _non_analytic(given) - _non_analytic(expected)
        if verdict and brought and not _simplifies_to_zero(given, expected):
            return Undecided(f"it agrees with the key at the grader's points, but uses "
                             f"{' and '.join(sorted(brought))}, which the key does not: a "
                             "person checks it")  # fmt: skip
        return verdict
    except Unreadable:
        return False


def _rational(expr: sp.Basic) -> bool:
    """A rational function of scalar symbols with exact numbers: sympy decides its
    equalities exactly (``cancel``), with no point to aim at."""
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Pow):
            if not node.exp.is_Integer:
                return False
        elif not isinstance(node, sp.Add | sp.Mul | sp.Symbol | sp.Rational):
            return False
    return True


def _non_analytic(expr: sp.Basic) -> set[str]:
    """What ``expr`` uses that is no analytic function: two such functions may agree on a
    region and differ outside it (``abs(f - 100) + f - 100`` is 0 below 100)."""
    found = set()
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Abs):
            found.add("abs")
        elif isinstance(node, sp.Pow) and not node.exp.is_Integer:
            found.add("a fractional power")
    return found


def _simplifies_to_zero(given: sp.Basic, expected: sp.Basic) -> bool:
    return _scalar(given, expected) and sp.simplify(given - expected) == 0


def _scalar(given: sp.Basic, expected: sp.Basic) -> bool:
    """Small formulas without matrices: sympy's algebra on those is quick."""
    if given.atoms(sp.MatrixSymbol) or expected.atoms(sp.MatrixSymbol):
        return False
    return sp.count_ops(given) + sp.count_ops(expected) <= SYMBOLIC_OPS


def _expands_to_zero(given: sp.Basic, expected: sp.Basic) -> bool:
    return _scalar(given, expected) and sp.expand(given - expected) == 0


def _agree_numerically(given: sp.Basic, expected: sp.Basic) -> bool | None:
    """True or False from the points where the key's formula is defined; None when it is
    defined at fewer than MIN_POINTS of them."""
    rng = streams.stream(sp.srepr(expected), sp.srepr(given))
    defined = 0
    for point in range(POINTS):
        values = _random_values([expected, given], rng, wide=point >= POINTS // 2)
        with np.errstate(all="ignore"):
            want = np.asarray(_evaluated(expected, values), dtype=float)
            got = np.asarray(_evaluated(given, values), dtype=float)
        if not np.all(np.isfinite(want)):
            continue
        defined += 1
        if want.shape != got.shape and not want.size == got.size == 1:
            return False
        if not np.all(np.isfinite(got)):
            return False
        if not np.allclose(got.reshape(want.shape), want, rtol=RTOL, atol=ATOL):
            return False
    return True if defined >= MIN_POINTS else None


def _random_values(
    expressions: list[sp.Basic], rng: np.random.Generator, *, wide: bool
) -> dict[sp.Basic, Any]:
    """One random point: matrices of their shapes (each size a different number), scalars
    in (0.05, 0.95), where logs of probabilities are defined, or in (-2, 2) when ``wide``
    (positive symbols stay positive)."""
    matrices = sorted({m for e in expressions for m in e.atoms(sp.MatrixSymbol)}, key=str)
    sizes = sorted({s for m in matrices for d in m.shape for s in _size(d).free_symbols},
                   key=str)  # fmt: skip
    concrete = {size: 3 + k for k, size in enumerate(sizes)}
    values: dict[sp.Basic, Any] = {}
    for matrix in matrices:
        shape = tuple(int(_size(d).subs(concrete)) for d in matrix.shape)
        values[matrix] = rng.standard_normal(shape)
    scalars = sorted({s for e in expressions for s in e.free_symbols} - set(matrices)
                     - set(sizes), key=str)  # fmt: skip
    for symbol in scalars:
        if symbol.is_positive:
            values[symbol] = rng.uniform(0.5, 5.0)
        else:
            values[symbol] = rng.uniform(-2, 2) if wide else rng.uniform(0.05, 0.95)
    values.update({size: float(n) for size, n in concrete.items()})
    return values


def _evaluated(expr: sp.Basic, values: Mapping[sp.Basic, Any]) -> Any:
    """The expression computed with numpy, node by node (no code is generated)."""
    if expr in values:
        return values[expr]
    if expr.is_Number or isinstance(expr, sp.NumberSymbol):
        return float(expr)
    if isinstance(expr, ElementwiseApplyFunction):  # its Lambda is no value: only its matrix
        return _activation_of(expr.function.expr)(_evaluated(expr.expr, values))
    leaf = isinstance(expr, sp.ZeroMatrix | sp.Identity)  # its args are its sizes
    args = [] if leaf else [_evaluated(arg, values) for arg in expr.args]
    for kinds, compute in _RULES:
        if isinstance(expr, kinds):
            try:
                return compute(expr, args, values)
            except Unreadable:
                raise
            except Exception:  # numpy's verdict on shapes that do not fit
                raise Unreadable("the formula's shapes do not fit") from None
    raise Unreadable(f"{type(expr).__name__} cannot be computed")


def _matmul(args: list[Any]) -> Any:
    result = args[0]
    for arg in args[1:]:
        both = np.ndim(result) == 2 and np.ndim(arg) == 2
        result = result @ arg if both else result * arg
    return result


def _size(dimension: Any) -> sp.Basic:
    """A matrix dimension, which MatrixSymbol keeps as a sympy object (its constructor
    refuses text): taken as it is, never through sympify, which would parse a string."""
    if isinstance(dimension, int):
        return sp.Integer(dimension)
    if not isinstance(dimension, sp.Basic):
        raise TypeError(f"a matrix dimension is a sympy object, not {type(dimension).__name__}")
    return dimension


def _shape(expr: sp.Basic, values: Mapping[sp.Basic, Any]) -> tuple[int, ...]:
    return tuple(int(_size(d).subs(dict(values))) for d in expr.shape)


def _applied(expr: sp.Basic, args: list[Any], values: Any) -> Any:
    if len(args) != 1:
        raise Unreadable(f"the function {expr.func} takes one argument")
    return _activation_of(expr)(args[0])


def _activation_of(expr: sp.Basic) -> Callable[[Any], Any]:
    if not isinstance(expr, AppliedUndef) or str(expr.func) not in ACTIVATIONS:
        raise Unreadable(f"the function {getattr(expr, 'func', expr)} cannot be computed")
    return ACTIVATIONS[str(expr.func)]


def _matrix_power(args: list[Any]) -> Any:
    base, exponent = args
    if float(exponent) != int(exponent):
        raise Unreadable("a matrix to a fractional power")
    return np.linalg.matrix_power(np.asarray(base), int(exponent))


_RULES: list[tuple[Any, Callable[[sp.Basic, list[Any], Any], Any]]] = [
    # MatMul is a Mul and MatPow a Pow to sympy: the matrix rules come first.
    (sp.MatMul, lambda e, a, v: _matmul(a)),
    (sp.MatPow, lambda e, a, v: _matrix_power(a)),
    ((sp.Add, sp.MatAdd), lambda e, a, v: sum(a[1:], a[0])),
    (sp.Mul, lambda e, a, v: np.prod(np.broadcast_arrays(*a), axis=0) if len(a) > 1 else a[0]),
    (sp.Pow, lambda e, a, v: np.power(np.asarray(a[0], dtype=float), a[1])),
    (sp.Transpose, lambda e, a, v: np.transpose(a[0])),
    (sp.log, lambda e, a, v: np.log(a[0])),
    (sp.exp, lambda e, a, v: np.exp(a[0])),
    (sp.Abs, lambda e, a, v: np.abs(a[0])),
    (sp.UnevaluatedExpr, lambda e, a, v: a[0]),
    (sp.ZeroMatrix, lambda e, a, v: np.zeros(_shape(e, v))),
    (sp.Identity, lambda e, a, v: np.eye(_shape(e, v)[0])),
    (AppliedUndef, _applied),
]
