"""Answer kinds: the one place that says what each kind of answer is.

A part declares its kind in ``question.toml`` (``kind = "vector"``).  The kind decides
how a solver's value is validated and stored in the key (:meth:`Kind.normalise`), how it
is shown in the solutions (the LaTeX it returns), as one cell of text (:meth:`Kind.cell`),
and how a student's response is judged (:meth:`Kind.judge`): the kind reads it as
students write it (``reading``) and marks each item right or wrong within the key's
tolerance (:meth:`Kind.marks`), and the part's rubric (``scoring``) turns the marks into
points, or sends the response to a person with the reason, within a CPU budget
(``budget``), at points no student can predict (``streams``).

Every module that does something per kind (each LMS exporter) keeps a table
``{kind: builder}`` made with :func:`table`, which refuses, when the module is imported,
a table that misses a registered kind: a new kind cannot reach a user's run with an
export that does not know it (the CLI imports an exporter only to run it, and
tests/test_kinds.py imports every module).

Owns: the registry and the kinds (here), the values a solver returns (``answers``),
formula answers (``formula/``) and code answers (``code/``).  May import: the foundation
modules and the key's records (key/records.py, which import nothing of the package).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Annotated, Any, ClassVar, TypeVar

import msgspec
import numpy as np
from msgspec import Meta

from generator.key.records import FormulaInfo, PartInfo, ToleranceInfo
from generator.kinds import budget, reading, scoring
from generator.kinds.answers import (
    Accept,
    Answer,
    AnswerSpec,
    Choices,
    Code,
    Formula,
    Model,
    Tolerance,
    code_listing,
    display_number,
)

Normalised = tuple[Any, str, dict[str, Any]]  # the value, its LaTeX, extra key fields
LETTER_LABELS = tuple("ABCDEFGH")
ROMAN_LABELS = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii")
SEPARATORS = re.compile(r"\s*[;,]\s*|\s+")


class Kind:
    """One kind of answer; subclasses are registered with :func:`register`."""

    name: ClassVar[str]
    numeric: ClassVar[bool] = False  # numbers a solver computes (a closed form confirms them)
    exact: ClassVar[bool] = False  # numeric, but with no tolerance (counts, sizes)
    choices: ClassVar[bool] = False  # a response picks among printed options or pairs
    options: ClassVar[tuple[str, ...]] = ()  # the labels of the options listed under it
    manual: ClassVar[bool] = False  # graded by people: score() gives no verdict
    single: ClassVar[bool] = False  # exactly one of its options is right
    entries: ClassVar[bool] = False  # several numbers, a blank (and a share) each
    pairs: ClassVar[bool] = False  # items matched to options
    monospaced: ClassVar[bool] = False  # answered in code: a fixed-width box of some lines
    model_answer: ClassVar[bool] = False  # its answer is question.toml's, not solve()'s
    # How the key stores the answer (a type msgspec checks and converts to), and the part's
    # fields the kind needs besides it: key/schema.py holds every part of a key to them.
    answer_type: ClassVar[Any] = Any
    requires: ClassVar[tuple[str, ...]] = ()
    item: ClassVar[str] = "answer"  # what one scored item is called in grading notes
    repairs: ClassVar[tuple[str, ...]] = ()  # what a scoring group's near misses may name

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        """The solver's value checked and made JSON-ready, with its LaTeX; ValueError if
        it does not fit the kind."""
        raise NotImplementedError

    def stored(self, value: Any) -> Any:
        """A normalised answer as the key's records hold it (ValidationError: it is not of
        :attr:`answer_type`): records where the type asks for them (a formula part's), else
        the value as it was given (a 2 where a number is asked stays 2, as key.json has it)."""
        typed = msgspec.convert(value, self.answer_type, strict=True)
        return value if typed == value else typed

    def cell(self, part: PartInfo) -> str:
        """The key's answer as one cell of text (the answer CSV); :meth:`score` reads a
        response written the same way."""
        return str(part.answer)

    def items(self, value: Any, details: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
        """The names of the items a normalised answer is scored by (its entries, formulas,
        blanks, statements or pairs; ``details``: its options; ``names``: a vector's entry
        names), as :meth:`marks` names them: a part's scoring groups name these."""
        return ["answer"]

    def marks(self, part: PartInfo, response: str) -> dict[str, bool] | scoring.ToPerson:
        """Each item of the part: whether the response has it right; or why a person must
        grade the response (people grade every response of this kind)."""
        return scoring.ToPerson(f"a {self.name} answer: a person grades it")

    def judge(self, part: PartInfo, response: str) -> scoring.Judgement:
        """What a response earns under the part's scoring (kinds/scoring.py): a share of
        its points, or a person's decision and why, with the named mistakes behind it; a
        person's too when reading it takes more than its CPU budget (kinds/budget.py)."""
        try:
            with budget.cpu():
                marks = self.marks(part, response)
                named = (list(marks.mistakes) if isinstance(marks, scoring.Wrong)
                         else self.mistakes(part, response))  # fmt: skip
        except budget.OverBudget:
            marks = scoring.ToPerson(f"over its budget: more than {budget.SECONDS:g} s of "
                                     "CPU to read and compare")  # fmt: skip
            named = []
        judgement = scoring.judge(part.scoring, part.points, marks)
        return replace(judgement, mistakes=tuple(dict.fromkeys([*judgement.mistakes, *named])))

    def score(self, part: PartInfo, response: str) -> float | None:
        """The share of the part's points a response earns, 0 to 1; None when a person
        grades it."""
        return self.judge(part, response).share

    def mistakes(self, part: PartInfo, response: str) -> list[str]:
        """The named mistakes behind the wrong options a response picked (item analysis:
        "23 forgot the bias"); none for kinds without options."""
        return []

    def option_label(self, label: str) -> str:
        """How an option's label is printed before it (``A.``, ``(ii)``)."""
        return f"{label}."

    def verdict(self, correct: bool) -> str:
        """What the solutions say of an option."""
        return "Correct" if correct else "Wrong"


KINDS: dict[str, Kind] = {}
K = TypeVar("K", bound=type[Kind])


def register(cls: K) -> K:
    """Make a kind known to the bank, the key and every per-kind table."""
    KINDS[cls.name] = cls()
    return cls


class MissingMapping(ImportError):
    """A per-kind table does not cover every registered kind."""


V = TypeVar("V")
TABLES: dict[str, Mapping[str, Any]] = {}  # owner -> its per-kind table, as checked


def table(owner: str, builders: Mapping[str, V]) -> dict[str, V]:
    """A ``{kind: builder}`` table of ``owner``, checked against the registry now (at the
    import of its module), so that a kind without a mapping fails before the table is used."""
    missing = [name for name in KINDS if name not in builders]
    unknown = [name for name in builders if name not in KINDS]
    problems = []
    if missing:
        pairs = ", ".join(f"({owner}, {name})" for name in missing)
        problems.append(f"has no builder for the answer kinds {pairs}; add them to its table")
    if unknown:
        problems.append(f"maps kinds that are not registered, {unknown}; remove them")
    if problems:
        raise MissingMapping(f"{owner} " + ", and ".join(problems) + ".")
    TABLES[owner] = dict(builders)
    return TABLES[owner]


def make_answer(spec: AnswerSpec, raw: Any, points: float = 1) -> Answer:
    """A part's key entry from its solver's value; ValueError when the value does not fit
    the kind, or the part's scoring does not fit the value (a group naming no item of it)."""
    kind = KINDS[spec.kind]
    alternatives: tuple[str, ...] = ()
    formula: Formula | None = None
    mistakes: Mapping[str, float] = {}
    if isinstance(raw, Accept):
        raw, alternatives, formula, mistakes = (raw.value, raw.alternatives, raw.formula,
                                                raw.mistakes)  # fmt: skip
    rubric = spec.rubric
    if isinstance(raw, Model):
        if not kind.model_answer:
            raise ValueError(f"a {kind.name} answer is not a Model; a text part's is")
        raw, rubric = raw.answer, raw.rubric or spec.rubric
    value, latex, details = kind.normalise(raw, spec)
    if mistakes:
        details["mistakes"] = _mistake_values(kind, mistakes)
    scoring.check_credit(spec.scoring, details.get("mistakes", {}))
    if formula is not None:
        details["formula"] = formula.to_json()
        latex = f"$\\displaystyle {formula.latex} \\approx {latex.strip('$')}$"
    tolerance = None
    if kind.numeric:
        tolerance = Tolerance() if kind.exact else spec.tolerance
    items = kind.items(value, details, spec.names)
    scoring.check(spec.scoring, points, items, kind.repairs)
    notes = scoring.notes(spec.scoring, points, items, kind.item)
    return Answer(kind=spec.kind, value=value, latex=latex, tolerance=tolerance,
                  alternatives=alternatives, rubric=(*notes, *rubric),
                  scoring=spec.scoring, details=details)  # fmt: skip


def _mistake_values(kind: Kind, mistakes: Mapping[str, float]) -> dict[str, float]:
    """A number's named mistakes and their values, as the key stores them."""
    if not (kind.numeric and not kind.entries):
        raise ValueError(f"a {kind.name} answer has no mistake values; a number's has")
    values = {str(name): _as_float(value) for name, value in mistakes.items()}
    if not all(math.isfinite(v) for v in values.values()):
        raise ValueError("a mistake's value must be a finite number")
    return values


# ------------------------------------------------------------------ comparing numbers


def bounds(part: PartInfo, value: float | int | None = None) -> tuple[Decimal, Decimal]:
    """The accepted interval of a numeric answer (or of one of its entries), in decimal:
    float arithmetic would print 0.30000000000000004 and reject an answer at the bound."""
    answer = Decimal(str(part.answer if value is None else value))
    margin = margin_of(part, value)
    return answer - margin, answer + margin


def margin_of(part: PartInfo, value: float | int | None = None) -> Decimal:
    """The absolute tolerance of a numeric part (a relative one resolved on the answer)."""
    tol = part.tolerance or ToleranceInfo(abs=0, rel=0)
    answer = Decimal(str(part.answer if value is None else value))
    return max(Decimal(str(tol.abs)), Decimal(str(tol.rel)) * abs(answer)).normalize()


def _inside(part: PartInfo, value: float | int, given: Decimal) -> bool:
    """Whether ``given`` is within the part's tolerance of the key's ``value``."""
    low, high = bounds(part, value)
    return low <= given <= high


PICKED = re.compile(r"(?:(?:option|answer|choice)\s*:?\s*)?\(?([A-Za-z])\)?(?=$|[\s.:,;)])",
                    re.IGNORECASE)  # fmt: skip


HATS = re.compile(r"\\(?:hat|widehat)\s*\{?\s*(\w)\s*\}?|(\w)_hat\b|(\w)\u0302")


def _spelled(text: str) -> str:
    """An option's text as a response gives it: its characters in lower case, without
    spaces, LaTeX's dollars, braces and backslashes, a hat written any way (``\\hat{y}``,
    ``y_hat``, ``ŷ``); signs count (``L = -ln p`` is not ``L = ln p``)."""
    text = HATS.sub(lambda m: (m[1] or m[2] or m[3]) + "hat", reading.cleaned(text))
    text = text.replace("ŷ", "yhat").replace("\\times", "x").replace("\u00d7", "x")
    return re.sub(r"[\s{}\\]", "", text.lower())


def _by_text(part: PartInfo, text: str) -> str | None:
    """The option whose text a response gives, whole or without its remark in parentheses
    (``Group of radiologists`` for ``Group of radiologists (F1 score 0.97)``); None unless
    exactly one option reads so."""
    for spell in (_spelled, lambda t: _spelled(reading.without_remarks(t))):
        given = spell(text)
        found = [o.label for o in part.options or () if given and spell(o.text) == given]
        if len(found) == 1:
            return found[0]
    return None


def _entries(response: str) -> list[str]:
    return [piece for piece in SEPARATORS.split(response.strip().strip("()[]")) if piece]


# ------------------------------------------------------------------ the kinds


@register
class Number(Kind):
    name = "number"
    numeric = True
    answer_type = float

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        value = _as_float(raw)
        return value, f"${display_number(value)}$", {}

    def marks(self, part: PartInfo, response: str) -> scoring.Marks | scoring.Outcome:
        """The number the response gives (after its work, without its units, written out
        as arithmetic if so: kinds/reading.py), or one of the key's alternative spellings;
        a wrong one may be a named mistake's value (kinds/scoring.py NearMiss)."""
        if not response.strip():
            return {"answer": False}
        spelled = {reading.spelled(a) for a in part.alternatives}
        if reading.spelled(response) in spelled:
            return {"answer": True}
        if reading.is_size(response) and any(reading.is_size(a) for a in spelled):
            return {"answer": False}  # a size where the key's sizes are others
        try:
            value = reading.number(response, whole=self.exact)
        except reading.Unreadable as exc:
            return scoring.ToPerson(f"unreadable: {exc}")
        if _inside(part, part.answer, value):
            return {"answer": True}
        return scoring.Wrong(tuple(self._named(part, value)), work=reading.shows_work(response))

    def mistakes(self, part: PartInfo, response: str) -> list[str]:
        """The named mistakes whose value the response gives, as :meth:`marks` finds them."""
        marks = self.marks(part, response)
        return list(marks.mistakes) if isinstance(marks, scoring.Wrong) else []

    @staticmethod
    def _named(part: PartInfo, value: Decimal) -> list[str]:
        values = part.mistake_values or {}
        return [name for name, wrong in values.items() if _inside(part, wrong, value)]


@register
class Integer(Number):
    """A count or a size: exact (its tolerance is zero)."""

    name = "integer"
    exact = True
    answer_type = int

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        value = _as_int(raw)
        return value, f"${value}$", {}


@register
class Vector(Kind):
    """Several numbers, each graded on its own (partial credit per entry).  A 2-D array
    from solve() is a matrix: the key keeps its entries row by row and its ``grid``
    (rows, columns), the exam prints it as a matrix and LMS files lay its blanks out in
    a grid."""

    name = "vector"
    numeric = True
    entries = True
    item = "entry"
    answer_type = Annotated[list[int | float], Meta(min_length=1)]

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        _sequence(raw, self.name)
        grid = np.shape(raw) if isinstance(raw, np.ndarray) and np.ndim(raw) == 2 else None
        items = np.asarray(raw).ravel().tolist() if isinstance(raw, np.ndarray) else list(raw)
        values = [_int_or_float(x) for x in items]
        if not values:
            raise ValueError("a vector answer has at least one entry")
        if grid and not spec.names:  # a matrix: printed as one, its entries row by row
            rows = [values[r * grid[1] : (r + 1) * grid[1]] for r in range(grid[0])]
            body = r" \\ ".join(" & ".join(display_number(v) for v in row) for row in rows)
            return values, rf"$\begin{{pmatrix}} {body} \end{{pmatrix}}$", {"grid": list(grid)}
        if spec.names:
            if len(spec.names) != len(values):
                raise ValueError(f"expected {len(spec.names)} entries ({', '.join(spec.names)})")
            shown = ", ".join(f"{name} ${display_number(v)}$"
                              for name, v in zip(spec.names, values, strict=True))  # fmt: skip
            return values, shown, {}
        return values, "$(" + ", ".join(display_number(v) for v in values) + ")$", {}

    def items(self, value: Any, details: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
        return list(names) if len(names) == len(value) else [str(i + 1) for i in range(len(value))]

    def cell(self, part: PartInfo) -> str:
        """The entries in brackets, ``[-3.9; 9.1]``: a cell that starts with a bracket is
        no formula, so a spreadsheet shows it as text with no guard ``'`` before it, and a
        script splits it at ";" once the brackets are off."""
        return "[" + "; ".join(str(v) for v in part.answer) + "]"

    def marks(self, part: PartInfo, response: str) -> dict[str, bool] | scoring.ToPerson:
        """Each entry the response gives, by name where it labels them, else in order
        (kinds/reading.py); a missing entry is wrong, an unreadable one a person's."""
        names = self.items(part.answer, {}, tuple(part.names))
        try:
            given = reading.entries(response, list(part.names), sizes=self.exact)
            wholes = [self.exact or isinstance(a, int) for a in part.answer]  # counts: 1,008
            values = [None if reading.blank(text) else reading.number(text, whole=whole)
                      for text, whole in zip(given[: len(names)], wholes,
                                             strict=False)]  # fmt: skip
        except reading.Unreadable as exc:
            return scoring.ToPerson(f"unreadable: {exc}")
        values += [None] * (len(names) - len(values))
        pairs = zip(names, part.answer, values, strict=True)
        return {name: given is not None and _inside(part, answer, given)
                for name, answer, given in pairs}  # fmt: skip


@register
class Shape(Vector):
    """Positive integer sizes, each exact."""

    name = "shape"
    exact = True

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        dims = [_as_int(d) for d in _sequence(raw, self.name)]
        if not dims or any(d <= 0 for d in dims):
            raise ValueError(f"a shape has positive integer sizes, got {dims}")
        return dims, "$" + r" \times ".join(str(d) for d in dims) + "$", {}


@register
class Expression(Kind):
    """Formulas (sympy), graded by mathematical equivalence, each formula of a part an
    equal share (:mod:`generator.kinds.formula.grading`; nothing a student wrote is run)."""

    name = "expression"
    item = "formula"
    answer_type = Annotated[list[FormulaInfo], Meta(min_length=1)]

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        formulas = [raw] if isinstance(raw, Formula) else list(raw)
        if not formulas or not all(isinstance(f, Formula) for f in formulas):
            raise ValueError("an expression answer is a Formula or a list of Formulas")
        shown = ", \\quad ".join(f.latex for f in formulas)
        return [f.to_json() for f in formulas], f"$\\displaystyle {shown}$", {}

    def items(self, value: Any, details: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
        return [formula["lhs"] for formula in value]

    def cell(self, part: PartInfo) -> str:
        return "; ".join(f"{f.lhs} = {f.text}" for f in part.answer)

    def marks(self, part: PartInfo, response: str) -> dict[str, bool]:
        from generator.kinds.formula import (
            grading as formula_grading,  # grading only: a build never reads a response
        )

        return formula_grading.marks(part, response)


@register
class Text(Kind):
    name = "text"
    manual = True
    model_answer = True
    answer_type = Annotated[str, Meta(min_length=1)]

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        model = spec.model_answer if raw is None else str(raw)
        if not model:
            raise ValueError(
                "a text answer needs a model answer: 'answer' in question.toml, or a "
                "Model from solve() when the part's question is drawn"
            )
        return model, model, {}


@register
class Choice(Kind):
    """One correct option among lettered ones."""

    name = "choice"
    choices = True
    single = True
    options = LETTER_LABELS
    answer_type = str
    requires = ("options",)

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        options = _options(raw, self.options)
        correct = [o["label"] for o in options if o["correct"]]
        if len(correct) != 1:
            raise ValueError(f"a choice part has exactly one correct option, got {len(correct)}")
        return correct[0], f"Option {correct[0]}", {"options": options}

    def marks(self, part: PartInfo, response: str) -> dict[str, bool] | scoring.ToPerson:
        picked = self._picked(part, response)
        labels = [o.label for o in part.options or ()]
        if response.strip() and picked not in labels:
            return scoring.ToPerson(f"unreadable: it names none of the options {', '.join(labels)}")
        return {"answer": picked == part.answer}

    def mistakes(self, part: PartInfo, response: str) -> list[str]:
        picked = self._picked(part, response)
        return [o.mistake for o in part.options
                if o.label == picked and not o.correct and o.mistake]  # fmt: skip

    @staticmethod
    def _picked(part: PartInfo, response: str) -> str:
        """The option a response picks: its letter however it is written (``B``, ``(b)``,
        ``Option B``, ``B. its text``), else the option whose text it gives; of several,
        the first."""
        text = reading.cleaned(response)
        labels = [o.label for o in part.options or ()]
        found = PICKED.match(text)
        if found and found.group(1).upper() in labels:
            return found.group(1).upper()
        return _by_text(part, text) or text.strip("().").upper()


@register
class Multi(Kind):
    """Select all that apply: a response lists the statements it circles (``iii; iv``);
    each statement is an item, right when circled if true or left out if false, and the
    part's scoring (question.toml: 0.5 per statement in 4(a) and 6(a)) turns those into
    points.  An LMS that asks each statement True or False reports one left unanswered as
    ``?ii`` (lms/reports.py): no decision, so that statement is wrong, as the LMS scores it."""

    name = "multi"
    choices = True
    options = ROMAN_LABELS
    item = "statement"
    answer_type = list[str]
    requires = ("options",)

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        options = _options(raw, self.options)
        correct = [o["label"] for o in options if o["correct"]]
        shown = ", ".join(f"({label})" for label in correct) if correct else "none of them"
        return correct, shown, {"options": options}

    def cell(self, part: PartInfo) -> str:
        return "; ".join(part.answer)

    def mistakes(self, part: PartInfo, response: str) -> list[str]:
        picked = self._picked(response)
        return [o.mistake for o in part.options
                if o.label in picked and not o.correct and o.mistake]  # fmt: skip

    @staticmethod
    def _picked(response: str) -> set[str]:
        return {p.strip("()").lower() for p in _entries(response)}

    def items(self, value: Any, details: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
        return [option["label"] for option in details["options"]]

    def marks(self, part: PartInfo, response: str) -> dict[str, bool] | scoring.ToPerson:
        """Each statement: circled if true, left out if false (nothing circled is an
        answer; one an LMS reports undecided, ``?ii``, is wrong; a response that names no
        statement is unreadable)."""
        picked = self._picked(response)
        undecided = {p[1:] for p in picked if p.startswith("?")}
        labels = [o.label for o in part.options or ()]
        if response.strip() and not (picked | undecided) & set(labels):
            return scoring.ToPerson(f"unreadable: it names none of the statements "
                                    f"{', '.join(labels)}")  # fmt: skip
        return {label: label not in undecided and (label in picked) == o.correct
                for label, o in zip(labels, part.options or (), strict=True)}  # fmt: skip

    def option_label(self, label: str) -> str:
        return f"({label})"

    def verdict(self, correct: bool) -> str:
        return "True" if correct else "False"


@register
class Matching(Kind):
    """Items matched to options; each right pair earns an equal share."""

    name = "matching"
    choices = True  # its options are listed by the question's own template
    pairs = True
    item = "pair"
    answer_type = dict[str, str]
    requires = ("options",)

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        if not isinstance(raw, Choices) or not raw.pairs:
            raise ValueError("a matching part maps items to option texts (Choices.pairs)")
        texts = {o.text for o in raw.options}
        if not set(raw.pairs.values()) <= texts:
            raise ValueError("every matched option must be one of the options")
        pairs = {str(k): str(v) for k, v in raw.pairs.items()}
        shown = ", ".join(f"{item}: {text}" for item, text in pairs.items())
        options = [{"label": o.text, "text": o.text, "correct": True, "why": o.why,
                    "mistake": "", **({"also": list(o.also)} if o.also else {})}
                   for o in raw.options]  # fmt: skip
        return pairs, shown, {"options": options}

    def cell(self, part: PartInfo) -> str:
        return "; ".join(f"{k}={v}" for k, v in part.answer.items())

    def items(self, value: Any, details: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
        return list(value)

    def marks(self, part: PartInfo, response: str) -> dict[str, bool] | scoring.ToPerson:
        """Each item's pair, written as the key's cell (``A=SGD; B=BGD``), as the solutions
        print it (``A: SGD, B: BGD``), option first (``Batch (B), stochastic (A)``) or the
        options alone in the items' order (``SGD, BGD, MBGD``); an option by its text or one
        of its other names."""
        names = {o.text: [o.text, *(o.also or ())] for o in part.options or ()}
        try:
            given = reading.pairs(response, list(part.answer), names)
        except reading.Unreadable as exc:
            return scoring.ToPerson(f"unreadable: {exc}")
        return {item: given.get(item) == option for item, option in part.answer.items()}


@register
class CodeLines(Kind):
    """Lines of code filling the blanks of a skeleton, each blank an equal share, run
    in a restricted interpreter against the key's lines (:mod:`generator.kinds.code.grading`)."""

    name = "code"
    item = "line"
    monospaced = True
    repairs = ("keepdims",)  # code.grading.REPAIRS: keepdims=True added to a line's reductions
    answer_type = dict[str, str]
    requires = ("code",)

    def normalise(self, raw: Any, spec: AnswerSpec) -> Normalised:
        if not isinstance(raw, Code):
            raise ValueError("a code answer is a Code(skeleton, blanks)")
        missing = [name for name in raw.blanks if f"@@{name}@@" not in raw.skeleton]
        if missing:
            raise ValueError(f"blanks {missing} do not appear in the skeleton")
        # The completed function, its answer lines marked, as the official solutions of
        # Q4(b) show it: a grader reads each line at its blank (the PDF solutions leave the
        # blank skeleton out of the part's text, see latex.solution_blocks).
        return dict(raw.blanks), code_listing(raw.completed()), {"code": raw.skeleton}

    def items(self, value: Any, details: Mapping[str, Any], names: tuple[str, ...]) -> list[str]:
        return list(value)

    def cell(self, part: PartInfo) -> str:
        return " | ".join(part.answer.values())

    def marks(self, part: PartInfo, response: str) -> dict[str, bool] | scoring.ToPerson:
        from generator.kinds.code import (
            grading as code_grading,  # grading only: a build never reads a response
        )

        found = code_grading.marks(part, response)
        return scoring.ToPerson("its skeleton cannot be run here") if found is None else found


# ------------------------------------------------------------------ value checks


def _sequence(raw: Any, kind: str) -> Any:
    if not isinstance(raw, np.ndarray | list | tuple):
        raise ValueError(f"a {kind} answer is a list or array of numbers, got {type(raw).__name__}")
    return raw


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


def _int_or_float(x: Any) -> int | float:
    if isinstance(x, numbers.Integral | np.integer) and not isinstance(x, bool):
        return int(x)
    return _as_float(x)


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
