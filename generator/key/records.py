"""What key.json holds, as typed records: the key is written from these, and read back
into them.

The records name every field and its type once; ``schema/key.schema.json`` adds what a
type cannot say (patterns, bounds, descriptions) and is tested against these records
(tests/test_key.py), so that neither can change without the other.  Field order is
the order of the fields in key.json.  Optional fields are ``UNSET`` and left out.
"""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, Struct, UnsetType


class Record(Struct, kw_only=True, forbid_unknown_fields=True):
    """A record of the key: unknown fields are refused when a key is read back."""


class GeneratorInfo(Record, kw_only=True):
    name: str
    version: str
    numpy: str


class PoolInfo(Record, kw_only=True):
    """A [[questions]] table that draws: each variant's questions say what it drew."""

    table: int
    pick: int
    from_: list[str] = msgspec.field(name="from")


class ExamInfo(Record, kw_only=True):
    name: str
    title: str
    course: str | UnsetType = UNSET
    blueprint: str
    seed: int
    code: str
    secret: str
    public: bool
    replica: bool
    points: float
    bonus_points: float
    questions: list[str]
    pools: list[PoolInfo] | UnsetType = UNSET
    shuffled: bool | UnsetType = UNSET
    pool: int | UnsetType = UNSET  # --pool K: every question drawn from K variants


class StudentInfo(Record, kw_only=True):
    id: str
    name: str
    extra: dict[str, str]


class ToleranceInfo(Record, kw_only=True):
    abs: float
    rel: float


class OptionInfo(Record, kw_only=True):
    label: str
    text: str
    correct: bool
    why: str
    mistake: str


class FormulaInfo(Record, kw_only=True):
    lhs: str
    text: str
    sympy: str
    latex: str


class PartInfo(Record, kw_only=True):
    """One part as graded: where it is printed, what it is worth, its answer."""

    label: str
    part: str
    points: float
    bonus: bool
    hint: str
    answer_in_stem: bool
    names: list[str]
    context: str
    prompt: str
    lms_prompt: str | UnsetType = UNSET  # the text LMS items ask, where it is not the prompt
    kind: str
    answer: Any
    answer_latex: str
    tolerance: ToleranceInfo | None
    alternatives: list[str]
    rubric: list[str]
    options: list[OptionInfo] | UnsetType = UNSET
    code: str | UnsetType = UNSET
    formula: FormulaInfo | UnsetType = UNSET
    grid: list[int] | UnsetType = UNSET  # a matrix answer's rows and columns
    checks: list[str]


class PickInfo(Record, kw_only=True):
    """A question drawn from a variant pool: which of its copies, and that copy's code
    (the key of the streams its parameters were drawn from)."""

    index: int
    variant: str


class QuestionInfo(Record, kw_only=True):
    number: int
    id: str
    title: str
    points: float
    bonus_points: float
    params: dict[str, Any]
    self_checks: list[str]
    stem: str
    figures: dict[str, str]
    parts: list[PartInfo]
    pool: PickInfo | UnsetType = UNSET


class VariantInfo(Record, kw_only=True):
    """One copy of the exam."""

    variant: str
    copy: int | UnsetType = UNSET
    student: StudentInfo | UnsetType = UNSET
    questions: list[QuestionInfo]


class Header(Record, kw_only=True):
    format: str
    format_version: int
    generator: GeneratorInfo
    exam: ExamInfo


class Key(Header, kw_only=True):
    variants: list[VariantInfo]


def plain(record: Record) -> dict[str, Any]:
    """A record as JSON-ready builtins (what the schema checks and the exporters read)."""
    return msgspec.to_builtins(record)


def typed(data: Any) -> Key:
    """A key's builtins as records; ValidationError names the first field that is wrong."""
    return msgspec.convert(data, Key, strict=True)
