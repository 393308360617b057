"""A small interpreter for the code of fill-in parts: the skeleton and a student's lines.

Nothing is handed to Python's ``exec`` or ``eval``.  The code is parsed with :mod:`ast` and
its nodes are interpreted one by one from an allow-list: assignments, arithmetic and
comparisons, names already in scope, string keys of the dicts passed in, ``.T`` and
``.shape``, calls of a short list of numpy functions (``np.mean``, ``np.average``,
``np.sqrt``, ``np.expand_dims``, ...) and of the same reductions as array methods
(``Z.mean(axis=0)``, ``.var``, ``.sum``, ``.std``, ``.max``, ``.min``) with literal
``axis``, ``keepdims`` and ``ddof``, ``.reshape(-1, 1)``, and indexing by slices, ``None``
and ``np.newaxis`` (``mu[:, None]``): the ways students write the same line.  There are
no imports, no attributes outside that list, no dunder names, no ``while`` and no
function but the skeleton's own; ``for`` runs only over a container already there.  A
student's line may hold only an assignment to a name or an expression.

It runs in the grading process with an operation budget rather than in a subprocess
with a timeout: every node costs a step and every array operation its number of
elements, arrays are capped in size before numpy allocates them, and integers are
bounded; nothing allocates from a size a student gives (no ``np.ones(n)``: reshapes,
slices and new axes are views of arrays already there, and a product of arrays takes two
of at most two axes), so a response can neither run long nor take memory, and grading
stays deterministic and needs no process per response.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

MAX_STEPS = 200_000
MAX_ELEMENTS = 100_000  # of one array (the inputs have at most a hundred)
MAX_WORK = 5_000_000  # array elements computed in one run
MAX_LINE = 400  # characters of a student's line
MAX_STRING = 256
MAX_INTEGER = 2**53
MAX_LOOP = 100
BLANK_MARK = "_blank_"

# The numpy functions a line may call, by what they take: one array; two arrays (sized
# before numpy makes the result); an array and an axis (literal, as a keyword or second);
# an array and a shape.  Array methods are the reductions and reshape, called as numpy's.
ONE = ("sqrt", "exp", "log", "square", "abs", "transpose")
TWO = ("maximum", "minimum", "power", "multiply", "divide", "add", "subtract", "dot", "matmul")
REDUCTIONS = ("sum", "mean", "var", "std", "max", "min", "average")
AXIS = (*REDUCTIONS, "expand_dims")
METHODS = ("sum", "mean", "var", "std", "max", "min", "reshape")
NUMPY: dict[str, Callable[..., Any]] = {
    name: getattr(np, name) for name in (*ONE, *TWO, *AXIS, "reshape")
}
MAX_AXES = 8  # of a shape given to reshape
KEYWORDS = {"axis", "keepdims", "ddof"}
BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.Pow: operator.pow, ast.MatMult: operator.matmul,
}  # fmt: skip
COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
    ast.Gt: operator.gt, ast.GtE: operator.ge,
}  # fmt: skip


class Rejected(ValueError):
    """The code does something the interpreter does not allow, or goes over its budget."""


class _Numpy:
    """What the name ``np`` stands for: only the allowed functions are reachable."""


NP = _Numpy()


@dataclass
class Budget:
    steps: int = 0
    work: int = 0

    def step(self, elements: int = 0) -> None:
        self.steps += 1
        self.work += elements
        if self.steps > MAX_STEPS or self.work > MAX_WORK:
            raise Rejected("the code goes over its operation budget")


class _Return(Exception):
    """A ``return`` of the skeleton's function: control flow, not an error."""

    def __init__(self, value: Any) -> None:
        self.value = value


def parse_line(text: str) -> ast.stmt:
    """A student's line: one assignment to a name (``w -= ...`` too), or one expression."""
    if len(text) > MAX_LINE:
        raise Rejected(f"a line of more than {MAX_LINE} characters")
    try:
        tree = ast.parse(text.strip(), mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise Rejected("not a line of Python") from None
    if len(tree.body) != 1:
        raise Rejected("one statement per blank")
    (line,) = tree.body
    if isinstance(line, ast.AugAssign) and isinstance(line.target, ast.Name):
        name = ast.Name(id=line.target.id, ctx=ast.Load())  # w -= x reads as w = w - x
        line = ast.Assign(targets=[line.target], value=ast.BinOp(name, line.op, line.value))
        ast.fix_missing_locations(line)
    if (
        isinstance(line, ast.Assign)
        and len(line.targets) == 1
        and isinstance(line.targets[0], ast.Name)
    ):
        return line
    if isinstance(line, ast.Expr):
        return line
    raise Rejected("a blank holds an assignment to a name or an expression")


def parse_skeleton(skeleton: str, blanks: list[str]) -> ast.FunctionDef:
    """The skeleton's one function, each ``@@name@@`` line a marker statement."""
    source = skeleton
    for name in blanks:
        source = source.replace(f"@@{name}@@", f"{BLANK_MARK} = {name!r}")
    try:
        tree = ast.parse(source, mode="exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise Rejected("the skeleton is not Python") from None
    functions = [node for node in tree.body if isinstance(node, ast.FunctionDef)]
    if len(tree.body) != 1 or len(functions) != 1:
        raise Rejected("a skeleton defines one function and nothing else")
    return functions[0]


class Interpreter:
    """Runs a skeleton's function with each blank filled by a parsed line."""

    def __init__(self, function: ast.FunctionDef, lines: Mapping[str, ast.stmt]) -> None:
        self.function = function
        self.lines = lines
        self.budget = Budget()

    def call(self, arguments: Mapping[str, Any]) -> Any:
        scope = self._bound(arguments)
        try:
            with np.errstate(all="ignore"):
                self._block(self.function.body, scope)
        except _Return as returned:
            return returned.value
        except Rejected:
            raise
        except RecursionError:
            raise Rejected("the code nests too deep") from None
        except Exception as exc:  # a wrong line's error (a name it misspelt, shapes)
            raise Rejected(f"the code fails ({type(exc).__name__})") from None
        return None

    def _bound(self, arguments: Mapping[str, Any]) -> dict[str, Any]:
        spec = self.function.args
        if spec.vararg or spec.kwarg or spec.kwonlyargs or spec.posonlyargs:
            raise Rejected("a skeleton's function takes plain arguments")
        names = [a.arg for a in spec.args]
        defaults = dict(zip(names[len(names) - len(spec.defaults) :], spec.defaults, strict=True))
        scope: dict[str, Any] = {"np": NP}
        for name in names:
            if name in arguments:
                scope[name] = arguments[name]
            elif name in defaults:
                scope[name] = self._expr(defaults[name], {})
            else:
                raise Rejected(f"no value for the argument {name}")
        return scope

    # -------------------------------------------------------------- statements

    def _block(self, body: list[ast.stmt], scope: dict[str, Any]) -> None:
        for statement in body:
            self._statement(statement, scope)

    def _statement(self, node: ast.stmt, scope: dict[str, Any]) -> None:
        self.budget.step()
        if _is_blank(node):
            self._statement(self.lines[node.value.value], scope)
        elif isinstance(node, ast.Assign) and len(node.targets) == 1:
            self._assign(node.targets[0], self._expr(node.value, scope), scope)
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            pass  # a docstring
        elif isinstance(node, ast.Expr):
            self._expr(node.value, scope)
        elif isinstance(node, ast.If):
            branch = node.body if self._truth(self._expr(node.test, scope)) else node.orelse
            self._block(branch, scope)
        elif isinstance(node, ast.For) and not node.orelse:
            self._loop(node, scope)
        elif isinstance(node, ast.Return):
            raise _Return(None if node.value is None else self._expr(node.value, scope))
        elif not isinstance(node, ast.Pass):
            raise Rejected(f"{type(node).__name__} is not allowed")

    def _loop(self, node: ast.For, scope: dict[str, Any]) -> None:
        items = self._expr(node.iter, scope)
        if not isinstance(items, dict | list | tuple) or len(items) > MAX_LOOP:
            raise Rejected("a loop runs over a small container only")
        for item in list(items):
            self._assign(node.target, item, scope)
            self._block(node.body, scope)

    def _assign(self, target: ast.expr, value: Any, scope: dict[str, Any]) -> None:
        if isinstance(target, ast.Name):
            scope[_name(target.id)] = value
        elif isinstance(target, ast.Tuple) and isinstance(value, tuple):
            if len(target.elts) != len(value):
                raise Rejected("an unpacking of the wrong length")
            for element, item in zip(target.elts, value, strict=True):
                self._assign(element, item, scope)
        elif isinstance(target, ast.Subscript):
            container = self._expr(target.value, scope)
            key = self._expr(target.slice, scope)
            if not isinstance(container, dict) or not isinstance(key, str):
                raise Rejected("only a dict's string keys are assigned to")
            container[key] = value
        else:
            raise Rejected("an assignment to something other than a name or a dict entry")

    # -------------------------------------------------------------- expressions

    def _expr(self, node: ast.expr, scope: Mapping[str, Any]) -> Any:
        self.budget.step()
        if isinstance(node, ast.Constant):
            return _constant(node.value)
        if isinstance(node, ast.Name):
            if _name(node.id) not in scope:
                raise Rejected(f"the name {node.id[:40]!r} is not defined here")
            return scope[node.id]
        if isinstance(node, ast.Tuple):
            return tuple(self._expr(e, scope) for e in node.elts)
        if isinstance(node, ast.BinOp) and type(node.op) in BINARY:
            left, right = self._expr(node.left, scope), self._expr(node.right, scope)
            return self._arithmetic(BINARY[type(node.op)], left, right)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd | ast.Not):
            value = self._expr(node.operand, scope)
            if isinstance(node.op, ast.Not):
                return not self._truth(value)
            return self._checked(-_number(value) if isinstance(node.op, ast.USub) else value)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in COMPARE:
            left, right = self._expr(node.left, scope), self._expr(node.comparators[0], scope)
            return self._checked(COMPARE[type(node.ops[0])](left, right))
        if isinstance(node, ast.Subscript):
            return self._subscript(node, scope)
        if isinstance(node, ast.Attribute):
            return self._attribute(node, scope)
        if isinstance(node, ast.Call):
            return self._call(node, scope)
        raise Rejected(f"{type(node).__name__} is not allowed")

    def _arithmetic(self, op: Callable[[Any, Any], Any], left: Any, right: Any) -> Any:
        if isinstance(left, str) or isinstance(right, str):
            if op is not operator.add or not (isinstance(left, str) and isinstance(right, str)):
                raise Rejected("strings are only joined")
            if len(left) + len(right) > MAX_STRING:
                raise Rejected("a string too long")
            return left + right
        left, right = _number(left), _number(right)
        if op is operator.pow:  # in floats: 9 ** 9 ** 9 overflows to inf, it never grows
            left, right = np.float64(left) if _is_int(left) else left, right
            right = np.float64(right) if _is_int(right) else right
        if op is operator.matmul:
            _matmul_fits(left, right)
        else:
            _broadcast_fits(left, right)
        return self._checked(op(left, right))

    def _subscript(self, node: ast.Subscript, scope: Mapping[str, Any]) -> Any:
        container = self._expr(node.value, scope)
        if isinstance(container, np.ndarray | np.generic):
            return self._checked(container[self._index(node.slice, scope)])  # a view
        key = self._expr(node.slice, scope)
        if isinstance(container, dict) and isinstance(key, str):
            if key not in container:
                raise Rejected(f"no entry {key[:40]!r}")
            return container[key]
        if (
            isinstance(container, tuple)
            and _is_int(key)
            and -len(container) <= key < len(container)
        ):
            return container[key]  # Z.shape[0]
        raise Rejected("only a dict's string keys, a shape's entries and arrays are indexed")

    def _index(self, node: ast.expr, scope: Mapping[str, Any]) -> Any:
        """An array's index of basic parts only (``[:, None]``, ``[0]``, ``[1:3, ...]``),
        which numpy answers with a view: never an array as index, which would copy."""
        if isinstance(node, ast.Tuple):
            return tuple(self._index_part(part, scope) for part in node.elts)
        return self._index_part(node, scope)

    def _index_part(self, node: ast.expr, scope: Mapping[str, Any]) -> Any:
        if isinstance(node, ast.Constant) and node.value is Ellipsis:
            return Ellipsis
        if isinstance(node, ast.Slice):
            bounds = [None if b is None else self._expr(b, scope)
                      for b in (node.lower, node.upper, node.step)]  # fmt: skip
            if not all(b is None or _is_int(b) for b in bounds):
                raise Rejected("a slice's bounds are whole numbers")
            return slice(*bounds)
        value = self._expr(node, scope)
        if value is None or _is_int(value):
            return value
        raise Rejected("an array is indexed by numbers, slices and None only")

    def _attribute(self, node: ast.Attribute, scope: Mapping[str, Any]) -> Any:
        value = self._expr(node.value, scope)
        if value is NP and node.attr == "newaxis":
            return None
        if isinstance(value, np.ndarray) and node.attr == "T":
            return value.T
        if isinstance(value, np.ndarray) and node.attr == "shape":
            return value.shape
        raise Rejected(f"the attribute {node.attr[:40]!r} is not allowed")

    def _call(self, node: ast.Call, scope: Mapping[str, Any]) -> Any:
        """``np.f(x, ...)`` for an allowed ``f``, or ``x.f(...)`` for an allowed method."""
        function, rest = node.func, list(node.args)
        if not isinstance(function, ast.Attribute) or any(isinstance(a, ast.Starred) for a in rest):
            raise Rejected("only the allowed numpy functions and array methods are called")
        if isinstance(function.value, ast.Name) and scope.get(function.value.id) is NP:
            if function.attr not in NUMPY or not rest:
                raise Rejected("only the allowed numpy functions are called, on an array")
            subject = self._expr(rest.pop(0), scope)
        else:
            subject = self._expr(function.value, scope)
            if function.attr not in METHODS or not isinstance(subject, np.ndarray | np.generic):
                raise Rejected(f"the method {function.attr[:40]!r} is not allowed")
        return self._apply(function.attr, _number(subject), rest, node.keywords, scope)

    def _apply(self, name: str, subject: Any, rest: list[ast.expr],
               keywords: list[ast.keyword], scope: Mapping[str, Any]) -> Any:  # fmt: skip
        """numpy's ``name`` on ``subject`` and the call's other arguments, each checked for
        what the function takes."""
        options = {k.arg: _option(k) for k in keywords}
        if name in AXIS:
            if len(rest) > 1 or (rest and "axis" in options):
                raise Rejected(f"{name} takes an array and an axis")
            if rest:
                options["axis"] = _option(ast.keyword(arg="axis", value=rest[0]))
            args = [subject]
        elif name == "reshape":
            args = [subject, self._shape(rest, scope)]
        else:
            args = [subject, *(_number(self._expr(a, scope)) for a in rest)]
            if len(args) != (2 if name in TWO else 1):
                raise Rejected(f"{name} takes {'two arrays' if name in TWO else 'one array'}")
            if name in ("dot", "matmul"):
                _matmul_fits(*args)
            elif len(args) == 2:
                _broadcast_fits(*args)
        self.budget.step(sum(int(np.size(arg)) for arg in args))
        return self._checked(NUMPY[name](*args, **options))

    def _shape(self, nodes: list[ast.expr], scope: Mapping[str, Any]) -> tuple[int, ...]:
        """A shape to reshape to: whole numbers (``Z.shape[0]`` too) or one tuple of them.
        A reshape keeps its array's elements, so their size needs no bound of its own."""
        values = [self._expr(n, scope) for n in nodes]
        shape = values[0] if len(values) == 1 and isinstance(values[0], tuple) else values
        if not 0 < len(shape) <= MAX_AXES or not all(_is_int(v) for v in shape):
            raise Rejected("a shape is a few whole numbers")
        return tuple(int(v) for v in shape)

    def _checked(self, value: Any) -> Any:
        """A result within bounds: an array of at most MAX_ELEMENTS, a bounded integer."""
        size = int(np.size(value)) if isinstance(value, np.ndarray | np.generic) else 1
        self.budget.step(size)
        if size > MAX_ELEMENTS:
            raise Rejected("an array too large")
        if _is_int(value) and abs(value) > MAX_INTEGER:
            raise Rejected("an integer too large")
        return value

    def _truth(self, value: Any) -> bool:
        if isinstance(value, bool | np.bool_):
            return bool(value)
        raise Rejected("a condition that is not a single truth value")


def _is_blank(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id == BLANK_MARK
        and isinstance(node.value, ast.Constant)
    )


def _name(name: str) -> str:
    if name.startswith("__") or name == BLANK_MARK:
        raise Rejected(f"the name {name[:40]!r} is not allowed")
    return name


def _constant(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int) and abs(value) <= MAX_INTEGER:
        return value
    if isinstance(value, float):
        return value
    if isinstance(value, str) and len(value) <= MAX_STRING:
        return value
    raise Rejected("a literal that is not a number, a short string or a truth value")


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float | np.ndarray | np.generic):
        raise Rejected("arithmetic on something that is not a number or an array")
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _option(keyword: ast.keyword) -> Any:
    """``axis=1``, ``axis=(0, 1)``, ``keepdims=True``, ``ddof=1``: literals only."""
    if keyword.arg not in KEYWORDS:
        raise Rejected(f"the keyword {str(keyword.arg)[:40]!r} is not allowed")
    value = keyword.value
    try:
        literal = ast.literal_eval(value) if isinstance(value, ast.Constant | ast.Tuple
                                                        | ast.UnaryOp) else None  # fmt: skip
    except (ValueError, TypeError, SyntaxError, RecursionError):
        literal = None
    ok_int = _is_int(literal) and abs(literal) <= 8
    ok_tuple = isinstance(literal, tuple) and all(_is_int(v) and abs(v) <= 8 for v in literal)
    if keyword.arg == "keepdims" and isinstance(literal, bool):
        return literal
    if keyword.arg in ("axis", "ddof") and (ok_int or ok_tuple) and not isinstance(literal, bool):
        return literal
    raise Rejected(f"{keyword.arg} takes a small literal")


def _broadcast_fits(left: Any, right: Any) -> None:
    """Refuse, before numpy allocates it, an elementwise result above MAX_ELEMENTS (in
    plain Python: numpy's broadcast_shapes costs more than the small operation it guards)."""
    a, b = np.shape(left), np.shape(right)
    if len(a) < len(b):
        a, b = b, a
    pairs = list(zip(a, (1,) * (len(a) - len(b)) + b, strict=True))
    if any(x != y and 1 not in (x, y) for x, y in pairs):
        raise Rejected("shapes that do not broadcast")
    if math.prod(y if x == 1 else x for x, y in pairs) > MAX_ELEMENTS:
        raise Rejected("an array too large")


def _matmul_fits(left: Any, right: Any) -> None:
    """Refuse a product of arrays of more than two axes (its batch axes broadcast), and
    one whose result would be above MAX_ELEMENTS."""
    a, b = np.shape(left), np.shape(right)
    if len(a) > 2 or len(b) > 2:
        raise Rejected("a product of arrays of at most two axes")
    rows = a[0] if len(a) == 2 else 1
    columns = b[-1] if len(b) == 2 else 1
    if rows * columns > MAX_ELEMENTS:
        raise Rejected("an array too large")
