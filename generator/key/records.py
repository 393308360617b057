"""What key.json holds, as typed records: the key is written from these and read back into
them, and its JSON Schema is made from them (key/schema.py).

The records are the one statement of the key's format: every field, its type, its bounds
and patterns (msgspec checks them whenever a key is read or an entry written), and what
it means.  What depends on a part's answer kind (the answer's type, the fields a kind
needs) is said by the kind (generator.kinds.Kind.answer_type).  Field order is the order
of the fields in key.json; optional fields are ``UNSET`` and left out.

The records import nothing of the package: every stage that reads a key (the answer
kinds, the LMS exports, grading) can use them.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

FORMAT = "exam-variant-generator/key"
FORMAT_VERSION = 2  # 2: every part says how it is scored (PartInfo.scoring)
MAX_SEED = 2**64 - 1


def whole(pattern: str) -> str:
    """A pattern the whole value must match: ``$`` alone would let a value end in a line
    break (in Python's and in JSON Schema's regular expressions), so none may follow."""
    return rf"^(?:{pattern})(?!\n)$"


CODE = whole("[0-9a-f]{12}")  # a copy's or an exam's code: an HMAC under the secret

Code = Annotated[str, Meta(pattern=CODE)]
Count = Annotated[int, Meta(ge=0)]
# Points and tolerances: JSON numbers, kept as the key wrote them (2 stays 2, not 2.0).
Amount = Annotated[int, Meta(ge=0)] | Annotated[float, Meta(ge=0)]


def described(kind: Any, description: str, **bounds: Any) -> Any:
    """``kind`` with what it means (and its bounds), for the schema and its readers."""
    return Annotated[kind, Meta(description=description, **bounds)]


class Record(Struct, kw_only=True, forbid_unknown_fields=True):
    """A record of the key: unknown fields are refused when a key is read back."""


class GeneratorInfo(Record, kw_only=True):
    """The versions that wrote the key."""

    name: str
    version: str
    numpy: str


class PoolInfo(Record, kw_only=True):
    """A [[questions]] table that draws: each variant's questions say what it drew."""

    table: described(int, "the table's place among the [[questions]] tables", ge=1)
    pick: Annotated[int, Meta(ge=1, le=100)]
    from_: described(list[str], "the ids it draws from", min_length=2) = msgspec.field(name="from")


class ExamInfo(Record, kw_only=True):
    """The exam the run built: its blueprint, seed, secret and points."""

    name: Annotated[str, Meta(pattern=whole("[A-Za-z0-9][A-Za-z0-9._-]*"))]
    title: str
    course: str | UnsetType = UNSET
    blueprint: str
    seed: Annotated[int, Meta(ge=0, extra_json_schema={"maximum": MAX_SEED})]
    code: described(
        str,
        "names the exam in LMS files without giving the seed away (an HMAC under the secret)",
        pattern=CODE,
    )
    secret: described(
        str,
        "fingerprint of the secret the streams were keyed with (never the secret itself)",
        pattern=whole("[0-9a-f]{16}"),
    )
    public: described(bool, "built in public mode: anyone can rebuild these copies from the seed")
    replica: bool
    points: Amount
    bonus_points: Amount
    questions: described(
        list[str],
        "every question a copy may print, in the blueprint's order; each variant lists the "
        "ones it drew",
        min_length=1,
    )
    pools: (
        described(
            list[PoolInfo],
            "the blueprint's [[questions]] tables that draw (pick fewer than they list); "
            "absent when every copy prints the same questions",
            min_length=1,
        )
        | UnsetType
    ) = UNSET
    shuffled: (
        described(bool, "each copy prints its questions in its own order; absent when false")
        | UnsetType
    ) = UNSET
    pool: (
        described(
            int,
            "--pool K: each question drawn, per student, from K variants typeset once (each "
            "question's entry says which)",
            ge=2,
        )
        | UnsetType
    ) = UNSET

    def __post_init__(self) -> None:
        if self.seed > MAX_SEED:  # msgspec bounds an int to 64 signed bits only
            raise ValueError(f"the seed {self.seed} is more than {MAX_SEED}")


class StudentInfo(Record, kw_only=True):
    """The roster row a copy belongs to."""

    id: Annotated[str, Meta(min_length=1)]
    name: str
    extra: dict[str, str]


class ToleranceInfo(Record, kw_only=True):
    """Accepted error: |given - key| <= max(abs, rel * |key|)."""

    abs: Amount
    rel: Amount


class OptionInfo(Record, kw_only=True):
    """One printed option of a choice, select-all or matching part."""

    label: str
    text: str
    correct: bool
    why: str
    mistake: described(str, "the named error a wrong option stands for")
    also: (
        described(list[str], "other names a response may give the option (stochastic for SGD)")
        | UnsetType
    ) = UNSET


class FormulaInfo(Record, kw_only=True):
    """One formula ``lhs = rhs``: as it prints, and as sympy reads it back exactly."""

    lhs: str
    text: described(str, "the right-hand side as sympy prints it")
    sympy: described(
        str,
        "sympy.srepr of the right-hand side, arguments in the order written: "
        "generator.kinds.formula.reader.read_formula reads it back exactly, without eval "
        "(sympy.sympify does not: it evaluates, and lacks Str)",
    )
    latex: str


class NearInfo(Record, kw_only=True):
    """A group's near miss the rubric names: fewer points when the group's wrong items are
    all right once the kind's named repair is made ("keepdims": keepdims=True added to a
    code line's reductions)."""

    points: Amount
    mistake: described(
        str, "the named mistake, as the grading notes and the item analysis say it", min_length=1
    )
    repair: described(str, "the repair the part's kind makes to re-test the items", min_length=1)


class GroupInfo(Record, kw_only=True):
    """Points earned when every item it names is right (a group of lines or blanks)."""

    points: Amount
    of: described(list[str], "the items it is made of: entries, blanks, formulas", min_length=1)
    credit: described(str, "what the points are for, as the grading notes say it")
    near: (
        described(
            list[NearInfo],
            "near misses the rubric gives fewer points for; absent where it names none",
            min_length=1,
        )
        | UnsetType
    ) = UNSET


class StepInfo(Record, kw_only=True):
    """Points earned when no more than ``wrong`` of the items are wrong."""

    wrong: Annotated[int, Meta(ge=1)]
    points: Amount


class CreditInfo(Record, kw_only=True):
    """Points a rubric gives a response with a named mistake (its value is in the part's
    ``mistake_values``)."""

    mistake: str
    points: Amount


class ScoringInfo(Record, kw_only=True):
    """How a part's points are earned, as its rubric says: ``all`` (all or nothing),
    ``entries`` (an equal share per item), ``groups`` (each group's points when its items
    are right), ``statements`` (``each`` point per statement decided right); ``steps``
    give all-or-nothing parts partial points for a few wrong items."""

    rule: Literal["all", "entries", "groups", "statements"]
    groups: list[GroupInfo] | UnsetType = UNSET
    each: Amount | UnsetType = UNSET
    steps: list[StepInfo] | UnsetType = UNSET
    credit: list[CreditInfo] | UnsetType = UNSET
    person: (
        described(
            Literal["always", "wrong", "work"],
            "a person grades every response (always), every one that is not the key's "
            "(wrong): what the rubric accepts is more than the key can say, or every wrong "
            "one that shows its work (work): the rubric credits parts of a formula",
        )
        | UnsetType
    ) = UNSET
    why: described(str, "what the person judges, as the grading sheet says") | UnsetType = UNSET


class PartInfo(Record, kw_only=True):
    """One part as graded: where it is printed, what it is worth, its answer.  The type of
    ``answer``, and which of the optional fields it needs, depend on ``kind``."""

    label: Annotated[str, Meta(pattern=whole(r"[0-9]+(\([a-z]+\))+"))]
    part: str
    points: Amount
    bonus: bool
    hint: str
    answer_in_stem: bool
    names: described(list[str], "names of a vector answer's entries (e.g. weights, biases)")
    context: described(
        str,
        "text printed between earlier parts that this part relies on, then the text of each "
        "earlier part it refers to (question.toml refers_to), under its label (LaTeX)",
    )
    prompt: described(str, "the part's text with its parents' and its hint (LaTeX as printed)")
    lms_prompt: (
        described(
            str,
            "the part's text as LMS items ask it, where the printed prompt does not fit what "
            "the LMS grades (the question's <part>_lms blocks in place of the printed ones); "
            "absent where LMS items ask the prompt",
        )
        | UnsetType
    ) = UNSET
    kind: str
    answer: Any
    answer_latex: str
    tolerance: ToleranceInfo | None
    alternatives: list[str]
    rubric: list[str]
    scoring: ScoringInfo
    options: Annotated[list[OptionInfo], Meta(min_length=2)] | UnsetType = UNSET
    code: described(str, "source with @@name@@ lines where the blanks go") | UnsetType = UNSET
    formula: FormulaInfo | UnsetType = UNSET  # the unsimplified formula a number comes from
    mistake_values: (
        described(
            dict[str, float],
            "the value each named mistake gives (the part's "
            "scoring may credit it): the averaging factor missing, the sum",
        )
        | UnsetType
    ) = UNSET
    grid: (
        described(
            list[Annotated[int, Meta(ge=1)]],
            "a matrix answer's rows and columns: answer holds its entries row by row",
            min_length=2,
            max_length=2,
        )
        | UnsetType
    ) = UNSET
    checks: described(
        list[Literal["closed form"]], "independent computations the answer was confirmed by"
    )

    @property
    def asked(self) -> str:
        """The part's text as an LMS item asks it: its ``lms_prompt`` where the printed
        wording does not fit what the LMS grades (2(c) prints "fill in the formula", the
        LMS grades the number), else the printed ``prompt``."""
        return self.lms_prompt or self.prompt


class PickInfo(Record, kw_only=True):
    """A question drawn from a variant pool: which of its copies, and that copy's code
    (the key of the streams its parameters were drawn from)."""

    index: Count
    variant: Code


class QuestionInfo(Record, kw_only=True):
    """One question of one copy: its drawn parameters, its text and its parts."""

    number: Annotated[int, Meta(ge=1)]
    id: str
    title: str
    points: Amount
    bonus_points: Amount
    params: dict[str, Any]
    self_checks: described(
        list[str], "self-checks of the solver that held (formula against engine, code executed)"
    )
    stem: described(str, "the question's opening text, LaTeX as printed")
    figures: described(
        dict[
            Annotated[str, Meta(pattern=whole("[a-z][a-z0-9_]*"))],
            Annotated[str, Meta(pattern=whole(r"figures/[A-Za-z0-9][A-Za-z0-9._-]*\.png"))],
        ],
        "PNG of each figure, relative to the run's folder (always figures/<name>.png)",
    )
    parts: Annotated[list[PartInfo], Meta(min_length=1)]
    pool: PickInfo | UnsetType = UNSET

    @property
    def source(self) -> str | None:
        """The pool copy this question was drawn from (``--pool``), or None."""
        return None if self.pool is UNSET else self.pool.variant


class VariantInfo(Record, kw_only=True):
    """One copy of the exam."""

    variant: described(
        str,
        "the copy's code as printed on every page: an HMAC of the seed and the copy number "
        "or student id under the secret",
        pattern=CODE,
    )
    copy: (
        described(int, "number of a numbered copy (v0, v1, ...; --variant-id v<number>)", ge=0)
        | UnsetType
    ) = UNSET
    student: StudentInfo | UnsetType = UNSET
    questions: Annotated[list[QuestionInfo], Meta(min_length=1)]

    @property
    def parts(self) -> list[tuple[QuestionInfo, PartInfo]]:
        """Every part of the copy with its question, in the order printed."""
        return [(question, part) for question in self.questions for part in question.parts]

    @property
    def name(self) -> str:
        """How a class without a roster names the copy: ``v<number>``, else its code."""
        return f"v{self.copy}" if self.copy is not UNSET else self.variant


class Header(Record, kw_only=True):
    """Everything of a key but its copies."""

    format: Literal["exam-variant-generator/key"]
    format_version: Literal[2]
    generator: GeneratorInfo
    exam: ExamInfo


class Key(Header, kw_only=True):
    """Answer key written by generate-exam: every variant and part of one exam run."""

    variants: Annotated[list[VariantInfo], Meta(min_length=1)]

    @property
    def pooled(self) -> bool:
        """Whether the questions were drawn from a variant pool (``--pool``)."""
        return self.exam.pool is not UNSET


def json_ready(record: Record) -> dict[str, Any]:
    """A record as JSON-ready builtins (what key.json holds)."""
    return msgspec.to_builtins(record)
