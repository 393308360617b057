"""Which blanks of a code part a response fills right; its points follow from the part's
scoring (kinds/scoring.py).

A response gives one line per blank, in the skeleton's order, separated by new lines or
`` | `` (the answer CSV's cell), each as the full line (``v = beta1 * v + ...``) or just
its expression.  Each blank is judged on its own: the skeleton runs on random inputs
(:mod:`generator.kinds.code.inputs`) with the key's lines in every other blank and the
student's line in this one, and must give the key's outputs (what it returns and what
it writes into the dicts it is given), ``np.allclose`` entry by entry and of the same
shapes.  So one wrong line costs its own item only.  Everything runs in the restricted
interpreter of :mod:`generator.kinds.code.interpreter`; a line it refuses is wrong.

The inputs are drawn for each response from the grader's stream (keyed by the run's key,
the skeleton and the response) and the key's outputs computed on them, so nobody can
know the inputs a response will be run on while writing it.

A scoring group's near misses (question.toml ``near``) name a repair: the group's wrong
lines are repaired and run again, and the marks say which the repair makes right
(:class:`generator.kinds.scoring.Marked`).  The repairs known here are :data:`REPAIRS`.
"""

from __future__ import annotations

import ast
import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from generator.key.records import PartInfo
from generator.kinds.code.inputs import RECIPES
from generator.kinds.code.interpreter import (
    REDUCTIONS,
    Interpreter,
    Rejected,
    parse_line,
    parse_skeleton,
)
from generator.kinds.scoring import Marked, ToPerson, share
from generator.kinds.streams import stream

RTOL, ATOL = 1e-7, 1e-10
LINE_BREAKS = re.compile(r"\n| \| ")
MAX_RESPONSE = 8_000


def score(part: PartInfo, response: str) -> float | None:
    """0 to 1 under the part's scoring; None when a person grades it (its skeleton cannot
    be run here, or the response is no code)."""
    found = marks(part, response)
    if found is None or isinstance(found, ToPerson):
        return None
    return share(part.scoring, part.points, found)


def marks(part: PartInfo, response: str) -> dict[str, bool] | ToPerson | None:
    """Each blank: whether the response's line for it does what the key's does, with the
    wrong lines the part's near misses' repairs make right; a person's when no line of it
    reads as code (``see the back of the page``); None when the part's skeleton cannot be
    run here."""
    blanks: Mapping[str, str] = part.answer or {}
    skeleton = part.code or ""
    try:
        function = parse_skeleton(skeleton, list(blanks))
        expected = {name: parse_line(line) for name, line in blanks.items()}
        recipe = RECIPES[function.name]
    except (Rejected, KeyError):
        return None
    if len(response) > MAX_RESPONSE:
        return ToPerson(f"unreadable: more than {MAX_RESPONSE} characters of code")
    given = _lines(response, len(blanks))
    students = {name: _student_line(text, _target(line))
                for (name, line), text in zip(blanks.items(), given, strict=True)}  # fmt: skip
    if response.strip() and not _any_code(response):
        return ToPerson("unreadable: no line of it is code")
    found = {name: _as_key(line, expected[name]) for name, line in students.items()}
    others = {name: line for name, line in students.items() if line and not found[name]}
    if not others:
        return found  # nothing to run: every line is the key's, or no line at all
    try:
        runs = Runs.drawn(function, expected, recipe(skeleton, stream(skeleton, response)))
    except Rejected:
        return None
    found |= {name: runs.right(name, line) for name, line in others.items()}
    wrong = {name: line for name, line in others.items() if not found[name]}
    return Marked(found, _repaired(part, runs, wrong))


NO_CODE = (ast.Module, ast.Expr, ast.Name, ast.List, ast.Load)  # [illegible], [see back]


def _any_code(response: str) -> bool:
    """Whether some line of the response is Python that does something (run, or refused by
    the interpreter: a wrong answer either way); ``see the back of the page`` is no Python,
    and ``[illegible]`` only names."""
    for text in LINE_BREAKS.split(response):
        try:
            tree = ast.parse(re.sub(r"\s+#.*$", "", text.strip()))
        except SyntaxError:
            continue
        except (ValueError, RecursionError, MemoryError):
            return True  # Python too deep to parse: the interpreter refuses it
        nodes = list(ast.walk(tree))
        if any(not isinstance(node, NO_CODE) for node in nodes) or not any(
            isinstance(node, ast.List) for node in nodes
        ):
            return True
    return False


def with_keepdims(line: ast.stmt) -> ast.stmt:
    """The line with ``keepdims=True`` in each of its reductions (``np.mean(Z, axis=1)``,
    ``Z.var(1)``, ``np.sum(...)``): 4(b)'s near miss, statistics that lost their axis."""
    line = copy.deepcopy(line)
    for node in ast.walk(line):
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Attribute) and called.attr in REDUCTIONS:
            node.keywords = [k for k in node.keywords if k.arg != "keepdims"]
            node.keywords.append(ast.keyword(arg="keepdims", value=ast.Constant(True)))
    return line


REPAIRS: dict[str, Callable[[ast.stmt], ast.stmt]] = {"keepdims": with_keepdims}


def _repaired(
    part: PartInfo, runs: Runs, wrong: Mapping[str, ast.stmt]
) -> dict[str, frozenset[str]]:
    """For each repair the part's near misses name, the wrong lines of their groups it
    makes right (a line it leaves as it was stays wrong)."""
    repaired: dict[str, frozenset[str]] = {}
    for group in part.scoring.groups or ():
        for near in group.near or ():
            repair = REPAIRS.get(near.repair)
            if repair is None:
                continue
            fixed = {name for name in group.of if name in wrong
                     and _right_once(runs, name, wrong[name], repair)}  # fmt: skip
            repaired[near.repair] = repaired.get(near.repair, frozenset()) | fixed
    return repaired


def _right_once(runs: Runs, name: str, line: ast.stmt,
                repair: Callable[[ast.stmt], ast.stmt]) -> bool:  # fmt: skip
    repaired = repair(line)
    return ast.dump(repaired) != ast.dump(line) and runs.right(name, repaired)


def _as_key(line: ast.stmt | None, key: ast.stmt) -> bool:
    """The key's own line, as Python reads it (spaces, brackets and ``w -= x`` aside): it
    does what the key does on every input, so it is not run."""
    return line is not None and ast.dump(line) == ast.dump(key)


@dataclass(frozen=True)
class Runs:
    """The inputs a response is run on, and the key's outputs on each."""

    function: ast.FunctionDef
    expected: Mapping[str, ast.stmt]
    cases: list[dict[str, Any]]
    reference: list[Any]

    @classmethod
    def drawn(cls, function: ast.FunctionDef, expected: Mapping[str, ast.stmt],
              cases: list[dict[str, Any]]) -> Runs:  # fmt: skip
        """Rejected if the key's own lines fail on the cases (people grade the part)."""
        return cls(function, expected, cases, [_outputs(function, expected, c) for c in cases])

    def right(self, name: str, student: ast.stmt) -> bool:
        """Whether ``student`` at blank ``name``, the key's lines at the others, gives the
        key's outputs on every case."""
        lines = {**self.expected, name: student}
        for case, want in zip(self.cases, self.reference, strict=True):
            try:
                got = _outputs(self.function, lines, case)
            except Rejected:
                return False
            if not _close(got, want):
                return False
        return True


def _lines(response: str, count: int) -> list[str]:
    lines = [line.strip() for line in LINE_BREAKS.split(response)]
    lines = [line for line in lines if line and not line.startswith("#")]
    return (lines + [""] * count)[:count]


def _target(line: str) -> str:
    return line.split("=", 1)[0].strip()


def _student_line(text: str, target: str) -> ast.stmt | None:
    """The student's line as an assignment to the blank's target (a bare expression is
    assigned to it); None when it is no such line."""
    text = re.sub(r"\s+#.*$", "", text)
    try:
        line = parse_line(text)
    except Rejected:
        return None
    if isinstance(line, ast.Expr):
        line = ast.Assign(targets=[ast.Name(id=target, ctx=ast.Store())], value=line.value)
        ast.fix_missing_locations(line)
    if line.targets[0].id != target:
        return None
    return line


def _outputs(function: ast.FunctionDef, lines: Mapping[str, ast.stmt], case: dict) -> Any:
    """What the function returns and what it leaves in its arguments, on a copy of them."""
    arguments = copy.deepcopy(case)
    returned = Interpreter(function, lines).call(arguments)
    return returned, arguments


def _close(got: Any, want: Any) -> bool:
    if isinstance(want, dict):
        return (
            isinstance(got, dict)
            and got.keys() == want.keys()
            and all(_close(got[k], want[k]) for k in want)
        )
    if isinstance(want, tuple | list):
        return (isinstance(got, tuple | list) and len(got) == len(want)
                and all(_close(g, w) for g, w in zip(got, want, strict=True)))  # fmt: skip
    if isinstance(want, str) or want is None:
        return got == want
    try:
        g, w = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    except (TypeError, ValueError):
        return False
    # np.allclose's test (|g - w| <= atol + rtol |w|), without its cost per call
    return (g.shape == w.shape and bool(np.all(np.isfinite(g)))
            and bool(np.all(np.abs(g - w) <= ATOL + RTOL * np.abs(w))))  # fmt: skip
