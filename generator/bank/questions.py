"""Discover and validate the question bank: one folder per question.

A folder holds ``question.toml`` (id, title, parts with points and answer
kinds), ``solve.py`` (``sample(rng) -> params`` and ``solve(params, rng) ->
answers``) and ``question.tex.j2`` (the stem and worked solution of each part,
as jinja blocks).  Everything is checked when the bank is loaded, so a broken
question fails before any output is written.
"""

from __future__ import annotations

import importlib.util
import inspect
import math
import re
import traceback
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import numpy as np

from generator.authoring import statements
from generator.authoring.templates import fragment
from generator.bank.tomlfile import check_fields, expect_type, read_text, read_toml
from generator.errors import BankError
from generator.kinds import KINDS, scoring
from generator.kinds.answers import AnswerSpec, Tolerance
from generator.resources import bank_dir

QUESTION_FILE = "question.toml"
SOLVER_FILE = "solve.py"
TEMPLATE_FILE = "question.tex.j2"

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._/-]*$")
LETTERS = "abcdefghijklmnopqrstuvwxyz"
ROMANS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
# Answer space left under a part that gives no ``space`` of its own.
DEFAULT_SPACE = "1.2in"
NO_SPACE = "none"  # the options (or the code lines) of the part are the answer space
# ``<part>_lms``: the part's text as LMS items ask it, where the paper's wording does not fit
# an item the LMS grades (the paper may say "fill in the formula", the LMS grades a number).
LMS_SUFFIX = "lms"

QUESTION_FIELDS = ("id", "title", "parts")
QUESTION_OPTIONAL = ("topic", "tags", "source", "checks")
PART_OPTIONAL = (
    "points",
    "kind",
    "hint",
    "space",
    "bonus",
    "answer_in_stem",
    "refers_to",
    "tolerance",
    "names",
    "answer",
    "rubric",
    "scoring",
    "parts",
)


def printed_part(key: str) -> str:
    """A part's key as the exam prints the part, without the question's number: ``b.ii``
    gives ``(b)(ii)`` (labels are letters and roman numerals, never a dot)."""
    return "".join(f"({label})" for label in key.split("."))


@dataclass(frozen=True)
class Part:
    """A part of a question; leaves carry an answer, inner parts group sub-parts."""

    path: tuple[str, ...]
    points: float
    bonus: bool
    hint: str
    space: str
    answer: AnswerSpec | None
    answer_in_stem: bool
    parts: tuple[Part, ...] = ()
    # Earlier parts (keys: "c", "b.ii") whose text this one builds on ("the layer of (c)"):
    # an LMS item, which shows the part alone, and its key entry carry their text too.  A
    # part with sub-parts refers for all of them.
    refers_to: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return self.path[-1]

    @cached_property
    def key(self) -> str:
        """Stable id of the part inside its question, e.g. ``b.ii``."""
        return ".".join(self.path)

    @cached_property
    def block(self) -> str:
        """Name of the jinja block holding this part's text, e.g. ``b_ii``."""
        return "_".join(self.path)

    def printed_label(self, number: int) -> str:
        """The label as the exam prints it, e.g. ``1(b)(ii)``."""
        return str(number) + printed_part(self.key)

    @property
    def box(self) -> str:
        """Height of the answer box under the part, or "" for none."""
        return "" if self.space == NO_SPACE else self.space

    @cached_property
    def first_box(self) -> str:
        """The box of the first answerable part, kept on the page with the part's text."""
        return next(self.leaves()).box or "0pt"

    def leaves(self) -> Iterator[Part]:
        if not self.parts:
            yield self
        for part in self.parts:
            yield from part.leaves()


@dataclass(frozen=True)
class Limits:
    """What ``generate-exam check`` enforces beyond the generic invariants.

    ``sizes``: parameters that must be positive integers.  ``ranges``: the span a
    parameter (``n_x``, ``f1.group``) or an answer (``answer.d``) must stay in to remain
    doable by hand; lists are checked entry by entry.
    """

    sizes: tuple[str, ...] = ()
    ranges: tuple[tuple[str, float, float], ...] = ()


@dataclass(frozen=True)
class Question:
    """A loaded, validated question folder."""

    id: str
    title: str
    topic: str
    source: str
    folder: Path
    parts: tuple[Part, ...]
    template: str
    template_path: Path
    sample: Callable[[np.random.Generator], dict[str, Any]]
    solve: Callable[[dict[str, Any], np.random.Generator], dict[str, Any]]
    replica: dict[str, Any] | None
    arrange: Callable[[dict[str, Any], np.random.Generator], dict[str, Any]] | None = None
    closed_form: Callable[[dict[str, Any]], dict[str, Any]] | None = None
    limits: Limits = Limits()
    tags: tuple[str, ...] = ()  # what blueprints can draw it by, besides its topic

    def leaves(self) -> Iterator[Part]:
        for part in self.parts:
            yield from part.leaves()

    @property
    def points(self) -> float:
        return sum(leaf.points for leaf in self.leaves() if not leaf.bonus)

    @property
    def bonus_points(self) -> float:
        return sum(leaf.points for leaf in self.leaves() if leaf.bonus)


Bank = dict[str, Question]


def load_bank(extra_dirs: Iterable[Path] = (), *, only: Collection[str] | None = None) -> Bank:
    """Every question under the shipped bank and ``extra_dirs``, keyed by id.

    ``only`` loads just those questions, the others read no further than their id: an
    author's unfinished question must not stop the preview or check of another one.
    """
    bank: Bank = {}
    for toml_path in _question_files(extra_dirs):
        if only is not None and _peek_id(toml_path) not in (*only, None):
            continue
        question = load_question(toml_path.parent)
        if question.id in bank:
            other = bank[question.id].folder
            raise BankError(
                f"{toml_path}: id '{question.id}' is already used by {other}; "
                "give one of them a new id."
            )
        bank[question.id] = question
    return bank


def question_ids(extra_dirs: Iterable[Path] = ()) -> list[str]:
    """The ids of every question the bank holds, read from question.toml alone (for
    messages that name the known ids without loading every question)."""
    return sorted({qid for path in _question_files(extra_dirs) if (qid := _peek_id(path))})


def _question_files(extra_dirs: Iterable[Path]) -> Iterator[Path]:
    for root in (bank_dir(), *extra_dirs):
        if not Path(root).is_dir():
            raise BankError(f"{root}: question bank folder not found; pass an existing folder.")
        yield from sorted(Path(root).rglob(QUESTION_FILE))


def _peek_id(toml_path: Path) -> str | None:
    """The id a question.toml declares; None when it cannot be read (then the question is
    loaded anyway, and says why: it may be the one asked for)."""
    try:
        qid = read_toml(toml_path, BankError).get("id")
    except BankError:
        return None
    return qid if isinstance(qid, str) else None


def load_question(folder: Path) -> Question:
    """Read and check one question folder."""
    toml_path = folder / QUESTION_FILE
    data = read_toml(toml_path, BankError)
    where = str(toml_path)
    check_fields(
        data, where=where, required=QUESTION_FIELDS, optional=QUESTION_OPTIONAL, error=BankError
    )
    qid = expect_type(
        data["id"],
        str,
        where=where,
        field="id",
        error=BankError,
        example='id = "cs230/neural-network"',
    )
    if not ID_PATTERN.fullmatch(qid):
        raise BankError(f"{where}: field 'id' must use lower-case letters, digits and . _ / -.")
    title = expect_type(
        data["title"],
        str,
        where=where,
        field="title",
        error=BankError,
        example='title = "Neural Network"',
    )
    parts = _parse_parts(data["parts"], (), where)
    _check_references(parts, where)
    module = _load_solver(folder / SOLVER_FILE, qid)
    _check_solver(module, parts, folder / SOLVER_FILE)
    _check_statement_pools(module, parts, folder / SOLVER_FILE)
    template_path = folder / TEMPLATE_FILE
    if not template_path.is_file():
        raise BankError(
            f"{template_path}: file not found; every question needs its LaTeX template."
        )
    template = read_text(template_path)
    _check_template(template, parts, template_path)
    return Question(
        id=qid,
        title=title,
        topic=_topic(data, where),
        tags=_tags(data, where),
        source=str(data.get("source", "")),
        folder=folder,
        parts=parts,
        template=template,
        template_path=template_path,
        sample=module.sample,
        solve=module.solve,
        replica=getattr(module, "REPLICA", None),
        arrange=getattr(module, "arrange", None),
        closed_form=getattr(module, "closed_form", None),
        limits=_limits(data.get("checks", {}), where),
    )


def _topic(data: dict[str, Any], where: str) -> str:
    example = 'topic = "convolutional networks"'
    value = data.get("topic", "")
    return expect_type(value, str, where=where, field="topic", error=BankError, example=example)


def _tags(data: dict[str, Any], where: str) -> tuple[str, ...]:
    """Labels a blueprint can draw the question by (``tag = "backprop"``)."""
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise BankError(
            f"{where}: field 'tags' must be a list of words; write it like tags = [\"backprop\"]."
        )
    return tuple(tags)


def _parse_parts(tables: Any, parent: tuple[str, ...], where: str) -> tuple[Part, ...]:
    if not isinstance(tables, list) or not tables:
        raise BankError(f"{where}: 'parts' must be a non-empty list of [[parts]] tables.")
    labels = ROMANS if parent else LETTERS
    if len(tables) > len(labels):
        raise BankError(f"{where}: more than {len(labels)} parts at one level; split the question.")
    return tuple(
        _parse_part(table, parent, label, where)
        for table, label in zip(tables, labels, strict=False)
    )


def _parse_part(table: Any, parent: tuple[str, ...], expected: str, where: str) -> Part:
    if not isinstance(table, dict):
        raise BankError(f"{where}: every entry of 'parts' must be a table.")
    label = table.get("label")
    here = f"{where}, part ({')('.join((*parent, str(label)))})"
    check_fields(table, where=here, required=("label",), optional=PART_OPTIONAL, error=BankError)
    if label != expected:
        raise BankError(f'{here}: this part prints as ({expected}); set label = "{expected}".')
    path = (*parent, label)
    bonus = _flag(table, "bonus", here)
    hint = _text_field(table, "hint", "", here)
    space = _text_field(table, "space", DEFAULT_SPACE, here)
    if "parts" in table:
        for forbidden in ("kind", "points", "answer", "rubric", "scoring", "tolerance", "names"):
            if forbidden in table:
                raise BankError(
                    f"{here}: a part with sub-parts takes no '{forbidden}'; "
                    "move it to the sub-parts."
                )
        children = _parse_parts(table["parts"], path, where)
        if len({child.bonus for child in children}) > 1:
            raise BankError(f"{here}: mix of bonus and regular sub-parts; split the part.")
        return Part(
            path=path,
            points=sum(c.points for c in children),
            bonus=children[0].bonus,
            hint=hint,
            space=space,
            answer=None,
            answer_in_stem=False,
            parts=children,
            refers_to=_references(table, here),
        )
    for name in ("kind", "points"):
        if name not in table:
            raise BankError(f"{here}: missing field '{name}'; every answerable part needs it.")
    points = expect_type(
        table["points"],
        (int, float),
        where=here,
        field="points",
        error=BankError,
        example="points = 2",
    )
    if not math.isfinite(points) or points < 0:
        raise BankError(f"{here}: field 'points' is {points}; use a number of 0 or more.")
    kind = table["kind"]
    if kind not in KINDS:
        raise BankError(f"{here}: unknown kind '{kind}'; use one of {', '.join(KINDS)}.")
    return Part(
        path=path,
        points=points,
        bonus=bonus,
        hint=hint,
        space=space,
        answer=_answer_spec(table, kind, here),
        answer_in_stem=_flag(table, "answer_in_stem", here),
        refers_to=_references(table, here),
    )


def _references(table: dict[str, Any], here: str) -> tuple[str, ...]:
    refers = table.get("refers_to", [])
    if not isinstance(refers, list) or not all(isinstance(r, str) for r in refers):
        raise BankError(
            f"{here}: field 'refers_to' must be a list of part keys, like refers_to = [\"c\"]."
        )
    if len(set(refers)) < len(refers):
        twice = next(r for r in refers if refers.count(r) > 1)
        raise BankError(f"{here}: field 'refers_to' lists '{twice}' twice; list it once.")
    return tuple(refers)


def _check_references(parts: tuple[Part, ...], where: str) -> None:
    """Every part a part refers to is printed before it, and is not one of its parents."""
    seen: list[str] = []

    def walk(level: tuple[Part, ...]) -> None:
        for part in level:
            for ref in part.refers_to:
                if part.key.startswith(f"{ref}."):
                    raise BankError(
                        f"{where}, part {printed_part(part.key)}: refers_to names '{ref}', "
                        "the part it belongs to, whose text its own already holds; drop it."
                    )
                if ref not in seen:
                    raise BankError(
                        f"{where}, part {printed_part(part.key)}: refers_to names '{ref}', "
                        "which is not a part printed before this one; use the key of an "
                        'earlier part, like "c" or "b.ii".'
                    )
            seen.append(part.key)
            walk(part.parts)

    walk(parts)


def _answer_spec(table: dict[str, Any], kind: str, here: str) -> AnswerSpec:
    tol = table.get("tolerance", {})
    if (
        not isinstance(tol, dict)
        or set(tol) - {"abs", "rel"}
        or not all(_non_negative_number(v) for v in tol.values())
    ):
        raise BankError(
            f"{here}: field 'tolerance' must look like tolerance = {{abs = 0.01}} or "
            "{rel = 0.001}, with numbers of 0 or more."
        )
    rubric = table.get("rubric", [])
    if not isinstance(rubric, list) or not all(isinstance(r, str) for r in rubric):
        raise BankError(f"{here}: field 'rubric' must be a list of strings.")
    names = table.get("names", [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise BankError(
            f'{here}: field \'names\' must be a list of strings, like names = ["w", "b"].'
        )
    try:
        rule = scoring.parse(table["scoring"]) if "scoring" in table else scoring.ALL
    except ValueError as exc:
        raise BankError(f"{here}: {exc}; see docs/authoring.md on scoring.") from None
    return AnswerSpec(
        kind=kind,
        tolerance=Tolerance(float(tol.get("abs", 0.0)), float(tol.get("rel", 0.0))),
        names=tuple(names),
        model_answer=str(table.get("answer", "")),
        rubric=tuple(rubric),
        scoring=rule,
    )


def _flag(table: dict[str, Any], name: str, here: str) -> bool:
    example = f"{name} = true"
    value = table.get(name, False)
    return expect_type(value, bool, where=here, field=name, error=BankError, example=example)


def _text_field(table: dict[str, Any], name: str, default: str, here: str) -> str:
    value = table.get(name, default)
    if not isinstance(value, str):
        raise BankError(f"{here}: field '{name}' must be text; write it like {name} = \"...\".")
    return value


def _non_negative_number(value: Any) -> bool:
    return (
        isinstance(value, int | float)
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _limits(table: Any, where: str) -> Limits:
    here = f"{where}, [checks]"
    if not isinstance(table, dict):
        raise BankError(f"{here}: must be a table with 'sizes' and 'ranges'.")
    check_fields(table, where=here, required=(), optional=("sizes", "ranges"), error=BankError)
    sizes = table.get("sizes", [])
    if not isinstance(sizes, list) or not all(isinstance(n, str) for n in sizes):
        raise BankError(f"{here}: 'sizes' must list parameter names, e.g. sizes = [\"n_x\"].")
    ranges = []
    for name, span in table.get("ranges", {}).items():
        if (
            not isinstance(span, list)
            or len(span) != 2
            or not all(isinstance(v, int | float) for v in span)
            or span[0] > span[1]
        ):
            raise BankError(f"{here}: range '{name}' must be [low, high], e.g. {name} = [1, 100].")
        ranges.append((name, float(span[0]), float(span[1])))
    return Limits(tuple(sizes), tuple(ranges))


def _check_template(source: str, parts: tuple[Part, ...], path: Path) -> None:
    """Every part has a block with its text; every block belongs to a part (catches typos)."""
    try:
        blocks = set(fragment(source, str(path)).blocks)
    except jinja2.TemplateSyntaxError as exc:
        raise BankError(f"{path}, line {exc.lineno}: {exc.message}; fix the template.") from None
    needed = {part.block for part in _walk(parts)}
    allowed = {"stem"} | needed
    allowed |= {f"{b}_{suffix}" for b in needed for suffix in ("solution", LMS_SUFFIX)}
    allowed |= {f"before_{b}" for b in needed}
    if missing := sorted(needed - blocks):
        raise BankError(
            f"{path}: no block for part {missing[0]}; add \\BLOCK{{block {missing[0]}}}."
        )
    if unknown := sorted(blocks - allowed):
        raise BankError(
            f"{path}: block '{unknown[0]}' matches no part; name blocks after parts "
            "(b_ii, b_ii_solution, b_ii_lms, before_b) or 'stem'."
        )


def _check_statement_pools(module: ModuleType, parts: tuple[Part, ...], path: Path) -> None:
    """Every pool of true/false statements in ``solve.py`` names parts of this question and
    statements of its own pool (see :mod:`generator.authoring.statements`)."""
    keys = {part.key for part in _walk(parts)}
    pools = {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, tuple | list)
        and value
        and all(isinstance(s, statements.Statement) for s in value)
    }
    for name, pool in pools.items():
        if found := statements.problems(pool, keys):
            raise BankError(f"{path}: {name}: {found[0]}.")


# The functions a solver may define, with the arguments each is called with.
SOLVER_FUNCTIONS = {
    "sample": ("rng",),
    "solve": ("params", "rng"),
    "closed_form": ("params",),
    "arrange": ("params", "rng"),
}


def _check_solver(module: ModuleType, parts: tuple[Part, ...], path: Path) -> None:
    """What generation would find out only on its first draw, found at load: every numeric
    part has a second computation (``closed_form``), and each function takes the
    arguments it is called with."""
    numeric = [p for p in _walk(parts) if p.answer is not None and KINDS[p.answer.kind].numeric]
    if numeric and not callable(getattr(module, "closed_form", None)):
        labels = ", ".join("(" + ")(".join(p.path) + ")" for p in numeric)
        raise BankError(
            f"{path}: no function closed_form(params), but parts {labels} are numeric; define "
            "it to compute their answers a second way (see docs/authoring.md#closed_form)."
        )
    for name, arguments in SOLVER_FUNCTIONS.items():
        function = getattr(module, name, None)
        if function is None:
            continue
        if not callable(function):
            raise BankError(f"{path}: {name} is not a function; define def {name}(...).")
        try:
            inspect.signature(function).bind(*arguments)
        except TypeError:
            raise BankError(
                f"{path}: {name}() must take ({', '.join(arguments)}); "
                f"define it as def {name}({', '.join(arguments)})."
            ) from None
        except ValueError:  # a builtin without a signature: let the call tell
            continue


def _walk(parts: tuple[Part, ...]) -> Iterator[Part]:
    for part in parts:
        yield part
        yield from _walk(part.parts)


def author_line(folder: Path, exc: BaseException) -> str:
    """`` at solve.py line 12``: the last line of the question's own files the error went
    through (so an author sees their line, not the generator's)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        path = Path(frame.filename).resolve()
        if path.parent == folder.resolve():
            return f" at {path.name} line {frame.lineno}"
    return ""


def describe(exc: BaseException) -> str:
    """An author's error in a few words."""
    if isinstance(exc, SystemExit):
        return "it called sys.exit()"
    return f"{type(exc).__name__}: {exc}"


def _load_solver(path: Path, qid: str) -> ModuleType:
    """Import ``solve.py`` by path, so that instructors' own banks need no packaging."""
    if not path.is_file():
        raise BankError(f"{path}: file not found; every question needs sample() and solve().")
    name = "question_bank_" + re.sub(r"\W", "_", qid)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:
        raise BankError(
            f"{path}: importing it failed{author_line(path.parent, exc)} ({describe(exc)}); "
            "fix the solver."
        ) from exc
    for function in ("sample", "solve"):
        if not callable(getattr(module, function, None)):
            raise BankError(f"{path}: no function {function}(); define it.")
    return module
