"""The exam document's partials run in a sandbox: a layout folder (``--templates``) is
shared between institutions, so what it holds is treated as untrusted.

The document renders in Jinja's ImmutableSandboxedEnvironment (no ``_`` attributes, no
mutation of lists or dicts, no ``str.format``), and a partial (templates/exam/*.tex.j2,
shipped or replaced) sees only the names the layout contract documents (docs/layout.md, "Your
own layout"), as plain values: not the wrapper's objects, not its globals (``kinds``,
``counts_pages``), not Jinja's (``lipsum``, ``cycler``, ``namespace``); ``range`` is
capped.  Each partial is rewritten when it compiles so that one rendering of it is
bounded: at most ``MAX_STEPS`` loop iterations, macro and block calls and includes,
``MAX_CHARS`` characters of output, ``MAX_SECONDS`` of time; no value it builds (a string, a
list, a number) may exceed those bounds either, and only the filters in ``FILTERS`` exist.
A partial loads (include, import, extends) only other partials, and they spend its bounds.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.runtime import Undefined, missing, new_context
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_STEPS = 100_000  # loop iterations, macro and block calls, includes: one partial's
MAX_CHARS = 1 << 20  # characters one rendering prints; the length of any string it builds
MAX_ITEMS = 100_000  # the length of any list it builds (range() included)
MAX_BITS = 4096  # the size of any integer it builds
MAX_SECONDS = 10.0  # one rendering of one partial

RULES = "layout-sandbox-2"  # part of the compiled-template cache key: bump on any change

#: What a partial sees (docs/layout.md, "Your own layout"): the wrapper's values of these names.
NAMES = (
    "blueprint",
    "replica",
    "solutions",
    "copy",
    "points_table",
    "points",
    "bonus_points",
    "bonus_where",
)
BLUEPRINT_FIELDS = (
    "title",
    "course",
    "term",
    "institution",
    "duration",
    "id_label",
    "honor_code",
    "instructions",
)
COPY_FIELDS = ("variant_line", "variant_id", "names")
ROW_FIELDS = ("number", "title", "points")

#: Jinja's filters a partial may use besides the layout's own (esc, num, points).
BUILTIN_FILTERS = (
    "abs", "capitalize", "center", "count", "d", "default", "e", "escape", "first",
    "float", "indent", "int", "join", "last", "length", "list", "lower", "max", "min",
    "replace", "reverse", "round", "sort", "string", "sum", "title", "trim", "truncate",
    "unique", "upper", "wordcount",
)  # fmt: skip
LAYOUT_FILTERS = ("esc", "num", "points")
#: The filters that turn their value into text first (str() of a list could be any size).
TEXT_FILTERS = (
    "capitalize", "center", "e", "esc", "escape", "indent", "lower", "replace", "string",
    "title", "trim", "upper", "wordcount",
)  # fmt: skip

# Names a template cannot spell: the rewritten partials' hooks into the budget.
_BUDGET = "layout budget"
_STEP = "layout step"
_EACH = "layout each"
_PRINT = "layout print"
_CONCAT = "layout concat"
_ENTER = "layout enter"
_LOAD = "layout load"
_FILTER = "layout filter "  # + the filter's name

PRINTABLE = (str, int, float, bool, type(None), Undefined)


class View:
    """A plain record of the values a partial may read, and nothing else."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)

    def __repr__(self) -> str:
        return f"View({', '.join(f'{k}={v!r}' for k, v in self.__dict__.items())})"


class Budget:
    """What one rendering of a partial (and the partials it includes) may still spend."""

    def __init__(self) -> None:
        self.steps = MAX_STEPS
        self.chars = MAX_CHARS
        self.deadline = time.monotonic() + MAX_SECONDS

    def step(self) -> None:
        self.steps -= 1
        if self.steps < 0:
            raise SecurityError(
                f"more than {MAX_STEPS:,} loop iterations, macro or block calls or "
                "includes in one partial"
            )
        if not self.steps % 1024:
            self.check_time()

    def enter(self) -> None:
        """A block call or an include: a step, and the time checked (what it renders may
        print nothing and loop over nothing, yet call or include more)."""
        self.step()
        self.check_time()

    def check_time(self) -> None:
        if time.monotonic() > self.deadline:
            raise SecurityError(f"the partial took more than {MAX_SECONDS:g} s to render")

    def spend(self, chars: int) -> None:
        self.chars -= chars
        if self.chars < 0:
            raise SecurityError(f"the partial prints more than {MAX_CHARS:,} characters")
        self.check_time()


# ---------------------------------------------------------------- bounds on values


def _check_text(length: int) -> None:
    if length > MAX_CHARS:
        raise SecurityError(f"a string of more than {MAX_CHARS:,} characters in a partial")


def _check_items(length: int) -> None:
    if length > MAX_ITEMS:
        raise SecurityError(f"a list of more than {MAX_ITEMS:,} items in a partial")


def _check_int(value: int) -> None:
    if value.bit_length() > MAX_BITS:
        raise SecurityError(f"a number of more than {MAX_BITS} bits in a partial")


def _check_value(value: Any) -> Any:
    """``value``, if it is within the bounds on what a partial may build."""
    if isinstance(value, str | bytes):
        _check_text(len(value))
    elif isinstance(value, list | tuple | dict | set | frozenset):
        _check_items(len(value))
    elif isinstance(value, int) and not isinstance(value, bool):
        _check_int(value)
    return value


def _text(value: Any) -> str:
    """``value`` as printed: a string, a number, a yes/no; a list or a table is refused
    (its text could be far larger than it looks)."""
    if not isinstance(value, (*PRINTABLE, View)):
        raise SecurityError(
            f"a partial prints a {type(value).__name__}; print its items one by one"
        )
    return str(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _multiply(left: Any, right: Any) -> Any:
    for seq, times in ((left, right), (right, left)):
        if _is_int(times) and isinstance(seq, str | bytes | list | tuple):
            length = len(seq) * max(times, 0)
            (_check_text if isinstance(seq, str | bytes) else _check_items)(length)
    if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_BITS:
        raise SecurityError(f"a number of more than {MAX_BITS} bits in a partial")
    return _check_value(left * right)


def _power(left: Any, right: Any) -> Any:
    big = _is_int(left) and _is_int(right) and abs(left) > 1
    if big and left.bit_length() * right > MAX_BITS:
        raise SecurityError(f"a number of more than {MAX_BITS} bits in a partial")
    return _check_value(left**right)


def _add(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes) and isinstance(right, str | bytes):
        _check_text(len(left) + len(right))
    elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
        _check_items(len(left) + len(right))
    return _check_value(left + right)


def _modulo(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes):
        raise SecurityError("a partial cannot format strings with %; join them with ~")
    return _check_value(left % right)


def _join(items: Iterable[Any], separator: str = "") -> str:
    texts = [_text(item) for item in items]
    _check_items(len(texts))
    _check_text(sum(map(len, texts)) + len(separator) * max(len(texts) - 1, 0))
    return separator.join(texts)


def _replace_size(text: str | bytes, old: Any, new: Any, count: Any = -1) -> int:
    if not isinstance(old, str | bytes) or not isinstance(new, str | bytes):
        return len(text)
    hits = text.count(old) if old else len(text) + 1
    if _is_int(count) and count >= 0:
        hits = min(hits, count)
    return len(text) + hits * max(len(new) - len(old), 0)


def _check_call(obj: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any]) -> None:
    """Refuse, before it runs, a call that would build a value beyond the bounds."""
    for value in (*args, *kwargs.values()):
        if _is_int(value) and value > MAX_CHARS:
            raise SecurityError(f"a partial passes {value:,}, more than {MAX_CHARS:,}")
    owner = getattr(obj, "__self__", None)
    name = getattr(obj, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "join" and args:
            _join(args[0], owner if isinstance(owner, str) else "")
        elif name == "replace" and len(args) >= 2:
            _check_text(_replace_size(owner, *args[:3]))
        elif name == "expandtabs":
            size = (args or (kwargs.get("tabsize", 8),))[0]
            _check_text(len(owner) * max(size if _is_int(size) else 8, 1))


# ---------------------------------------------------------------- the environment


class LayoutTemplate(jinja2.Template):
    """A template of the document; a partial's context holds only the layout's names."""

    def new_context(
        self,
        vars: dict[str, Any] | None = None,
        shared: bool = False,
        locals: Mapping[str, Any] | None = None,
    ) -> jinja2.runtime.Context:
        if self.name not in self.environment.partials:  # type: ignore[attr-defined]
            return super().new_context(vars, shared, locals)
        given = dict(vars or {})
        given.update({k: v for k, v in (locals or {}).items() if v is not missing})
        seen = {name: _view(name, given[name]) for name in NAMES if name in given}
        seen["range"] = _range
        seen[_BUDGET] = given.get(_BUDGET) or Budget()  # an include spends its includer's
        return new_context(self.environment, self.name, self.blocks, seen, True, None, None)


class LayoutEnvironment(ImmutableSandboxedEnvironment):
    """The exam document's environment: Jinja's sandbox, its partials confined."""

    template_class = LayoutTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    rules = RULES

    def __init__(self, *args: Any, partials: Iterable[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.partials = frozenset(partials)
        self._safe: dict[tuple[type, str], bool] = {}
        self.binop_table.update({"*": _multiply, "**": _power, "+": _add, "%": _modulo})

    def finish(self) -> LayoutEnvironment:
        """Add the partials' own filters: call it once the layout's filters are set."""
        for name in (*BUILTIN_FILTERS, *LAYOUT_FILTERS):
            if name in self.filters:
                self.filters[_FILTER + name] = _guarded(self.filters[name], name)
        self.filters[_STEP] = _step
        self.filters[_EACH] = _each
        self.filters[_PRINT] = _print
        self.filters[_CONCAT] = _concat
        self.filters[_ENTER] = _enter
        self.filters[_LOAD] = _load
        return self

    def join_path(self, template: str, parent: str) -> str:
        """What a template loads: from a partial, only a partial (the wrapper is not
        bounded, and would run the partial's values through its loops)."""
        if parent in self.partials and template not in self.partials:
            raise SecurityError(_not_a_partial(template, self.partials))
        return template

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if name in self.partials:
            _confine(tree, name, filename, self.partials)
        return tree

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        """Jinja's rules, which depend on the type of ``obj`` and ``attr`` alone: cached,
        since the wrapper reads thousands of attributes per class."""
        key = (type(obj), attr)
        safe = self._safe.get(key)
        if safe is None:
            safe = self._safe[key] = super().is_safe_attribute(obj, attr, value)
        return safe

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Jinja's sandboxed getattr, with the cheap test first (the wrapper is hot)."""
        try:
            value = getattr(obj, attribute)
        except AttributeError:
            try:
                return obj[attribute]
            except (TypeError, LookupError):
                return self.undefined(obj=obj, name=attribute)
        safe = self._safe.get((type(obj), attribute))
        if not (safe or (safe is None and self.is_safe_attribute(obj, attribute, value))):
            return self.unsafe_undefined(obj, attribute)
        if attribute in ("format", "format_map"):
            return self.wrap_str_format(value) or value
        return value

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        """``str.format`` and ``format_map`` refused: a format spec builds any size."""
        if getattr(value, "__name__", None) not in ("format", "format_map") or not isinstance(
            getattr(value, "__self__", None), str
        ):
            return None

        def refused(*args: Any, **kwargs: Any) -> str:
            raise SecurityError("a partial cannot call str.format; join strings with ~")

        return refused

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _check_call(__obj, args, kwargs)
        return _check_value(super().call(__context, __obj, *args, **kwargs))


def _view(name: str, value: Any) -> Any:
    """What a partial sees of one of the layout's names: plain values only."""
    if isinstance(value, View | Undefined):
        return value
    if name == "blueprint":
        return View(**{f: _plain(getattr(value, f, "")) for f in BLUEPRINT_FIELDS})
    if name == "copy":
        return View(**{f: _plain(getattr(value, f, None)) for f in COPY_FIELDS})
    if name == "points_table":
        return tuple(_row(row) for row in value)
    return _plain(value)


def _row(row: Any) -> View:
    if isinstance(row, View):
        return row
    return View(**{field: _plain(getattr(row, field)) for field in ROW_FIELDS})


def _plain(value: Any) -> Any:
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if isinstance(value, list | tuple):
        return tuple(_plain(item) for item in value)
    return str(value)


def _range(*args: int) -> range:
    numbers = range(*args)
    _check_items(len(numbers))
    return numbers


def _budget(context: Any) -> Budget:
    return context.parent[_BUDGET]


@jinja2.pass_context
def _step(context: Any, value: Any) -> str:
    _budget(context).step()
    return ""


@jinja2.pass_context
def _enter(context: Any, value: Any) -> str:
    _budget(context).enter()
    return ""


def _not_a_partial(name: Any, partials: Iterable[str]) -> str:
    return (
        f"a partial can include, import or extend only the layout's partials "
        f"({', '.join(sorted(partials))}), not {name!r}"
    )


@jinja2.pass_context
def _load(context: Any, names: Any) -> Any:
    """The name (or the list of names) a partial includes, imports or extends, if they
    are partials; loading spends a step of the budget (an include may print nothing)."""
    partials = context.environment.partials
    if isinstance(names, Undefined):
        names._fail_with_undefined_error()
    for name in names if isinstance(names, list | tuple) else (names,):
        if not isinstance(name, str) or name not in partials:
            raise SecurityError(_not_a_partial(name, partials))
    _budget(context).enter()
    return names


@jinja2.pass_context
def _each(context: Any, items: Any) -> Iterator[Any]:
    budget = _budget(context)
    if isinstance(items, Undefined):
        items = iter(items)  # StrictUndefined: the error a loop over it gives
    for item in items:
        budget.step()
        yield item


@jinja2.pass_context
def _print(context: Any, value: Any) -> str:
    text = _text(value)
    _budget(context).spend(len(text))
    return text


@jinja2.pass_context
def _concat(context: Any, values: list[Any]) -> str:
    return _join(values)


def _guarded(function: Callable[..., Any], name: str) -> Callable[..., Any]:
    """A filter that refuses arguments and results beyond the bounds."""
    pass_arg = jinja2.utils._PassArg.from_obj(function)
    skip = 0 if pass_arg is None else 1  # the context Jinja passes first

    def guarded(*args: Any, **kwargs: Any) -> Any:
        value, rest = (args[skip], args[skip + 1 :]) if len(args) > skip else (None, ())
        _check_call(function, rest, kwargs)
        if name in TEXT_FILTERS and not isinstance(value, (*PRINTABLE, View)):
            raise SecurityError(
                f"a partial applies |{name} to a {type(value).__name__}; "
                "apply it to the items one by one"
            )
        if name == "sum":
            start = kwargs.get("start", rest[1] if len(rest) > 1 else 0)
            if not isinstance(start, int | float):
                raise SecurityError("a partial sums numbers only; join lists with +")
        if name == "join" and not isinstance(value, Undefined):
            if "attribute" in kwargs or len(rest) > 1:
                raise SecurityError("a partial cannot join by attribute; join the values")
            value = list(value)
            separator = rest[0] if rest else kwargs.get("d", "")
            _join(value, separator if isinstance(separator, str) else "")
            args = (*args[:skip], value, *rest)
        elif name == "replace" and isinstance(value, str) and len(rest) >= 2:
            _check_text(_replace_size(value, *rest[:3]))
        elif name in ("center", "indent") and isinstance(value, str):
            width = (rest[:1] or (kwargs.get("width", 80),))[0]
            if _is_int(width):
                lines = value.count("\n") + 1 if name == "indent" else 1
                _check_text(len(value) + lines * max(width, 0))
        return _check_value(function(*args, **kwargs))

    if pass_arg is not None:
        guarded.jinja_pass_arg = pass_arg  # type: ignore[attr-defined]
    return guarded


# ---------------------------------------------------------------- rewriting a partial


def _confine(
    tree: nodes.Template, name: str, filename: str | None, partials: frozenset[str]
) -> None:
    """Rewrite a partial so that what it spends is counted (see Budget): every loop's
    items, every macro and block call, every include, every printed value and every
    ``~``; a filter that is not in FILTERS, a recursive loop, or loading a template that
    is not a partial, is a syntax error.  A partial loads partials with its context, so
    that they spend its budget (without, they would render with a budget of their own,
    and an include's output would be cached and repeated uncounted)."""

    def refuse(message: str, node: nodes.Node) -> None:
        raise jinja2.TemplateSyntaxError(message, node.lineno, name, filename)

    def hook(hook_name: str, node: nodes.Expr) -> nodes.Filter:
        return nodes.Filter(node, hook_name, [], [], None, None, lineno=node.lineno)

    for node in list(tree.find_all(nodes.Filter)):
        if not node.name.startswith("layout "):
            if node.name not in (*BUILTIN_FILTERS, *LAYOUT_FILTERS):
                allowed = ", ".join(sorted((*BUILTIN_FILTERS, *LAYOUT_FILTERS)))
                refuse(f"no filter named {node.name!r} in a partial (it may use {allowed})", node)
            node.name = _FILTER + node.name
    for node in list(tree.find_all(nodes.For)):
        if node.recursive:
            refuse("a partial cannot use recursive loops", node)
        node.iter = hook(_EACH, node.iter)
    for node in list(tree.find_all((nodes.Macro, nodes.CallBlock))):
        node.body.insert(0, nodes.ExprStmt(hook(_STEP, nodes.Const(None)), lineno=node.lineno))
    for node in list(tree.find_all(nodes.Block)):
        node.body.insert(0, nodes.ExprStmt(hook(_ENTER, nodes.Const(None)), lineno=node.lineno))
    for node in list(tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends))):
        for constant in _constants(node.template):
            if not isinstance(constant, str) or constant not in partials:
                refuse(_not_a_partial(constant, partials), node)
        node.template = hook(_LOAD, node.template)
        if not isinstance(node, nodes.Extends):
            node.with_context = True
    for node in list(tree.find_all(nodes.Concat)):
        items = nodes.List(node.nodes, lineno=node.lineno)
        node.nodes = [hook(_CONCAT, items)]
    for node in list(tree.find_all(nodes.Output)):
        node.nodes = [hook(_PRINT, child) for child in node.nodes]


def _constants(node: nodes.Expr) -> list[Any]:
    """The names a load's expression spells out: a constant, or a list of them."""
    if isinstance(node, nodes.Const):
        value = node.value
        return list(value) if isinstance(value, list | tuple) else [value]
    if isinstance(node, nodes.List | nodes.Tuple):
        return [item.value for item in node.items if isinstance(item, nodes.Const)]
    return []
