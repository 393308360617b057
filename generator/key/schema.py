"""The key's JSON Schema, made from its records, and the checks of what depends on a kind.

The records (key/records.py) say every field of the key, its type, bounds and pattern;
msgspec checks them when a key is read and when an entry is written.  What a record
cannot say is what depends on a part's answer kind: the answer's type, the fields a kind
needs (a choice part's options, a code part's skeleton), a numeric part's tolerance.
Each kind declares those (generator.kinds.Kind), and :func:`check_parts` holds every
part to its kind's.  :func:`schema` writes both down as one JSON Schema (draft 2020-12)
for other programs and for the tests, which check keys with jsonschema, a second
implementation: it is made, never kept by hand, so it cannot drift from the records.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

import msgspec
from msgspec import UNSET

from generator.key.records import Key, PartInfo, VariantInfo
from generator.kinds import KINDS, Kind

DIALECT = "https://json-schema.org/draft/2020-12/schema"
REF = "#/$defs/{name}"


class KindMismatch(ValueError):
    """A part's answer or fields do not fit its kind; ``str()`` names the part and why."""


@cache
def schema() -> dict[str, Any]:
    """The key's JSON Schema: the records' own, with each kind's conditions on a part."""
    kinds = list(KINDS.values())
    (key, *answers), defs = msgspec.json.schema_components(
        [Key, *(kind.answer_type for kind in kinds)], ref_template=REF
    )
    part = defs["PartInfo"]
    part["properties"]["kind"] = {"enum": [kind.name for kind in kinds]}
    part["allOf"] = [_condition(kind, answer) for kind, answer in zip(kinds, answers, strict=True)]
    title = defs["Key"].pop("description", "").rstrip(".")
    return {"$schema": DIALECT, "title": title, **key, "$defs": defs}


def _condition(kind: Kind, answer: dict[str, Any]) -> dict[str, Any]:
    """``if kind is <name> then`` its answer's type, its required fields and tolerance."""
    then: dict[str, Any] = {"properties": {"answer": answer}}
    if kind.numeric:
        then["properties"]["tolerance"] = {"$ref": REF.format(name="ToleranceInfo")}
    if kind.requires:
        then["required"] = list(kind.requires)
    return {"if": {"properties": {"kind": {"const": kind.name}}}, "then": then}


def check(data: Any) -> Key:
    """A key's builtins as records, every rule of the format held: the records' fields,
    types, bounds and patterns (msgspec.ValidationError) and each part's kind
    (KindMismatch); both name the first field that is wrong."""
    key = msgspec.convert(data, Key, strict=True)
    check_parts(key.variants)
    return key


def check_parts(variants: Iterable[VariantInfo]) -> None:
    """Hold every part to its kind, and give each answer its kind's type (a formula part's
    formulas as records); KindMismatch names the first part that does not fit."""
    for n, variant in enumerate(variants):
        for q, question in enumerate(variant.questions):
            for p, part in enumerate(question.parts):
                where = f"$.variants[{n}].questions[{q}].parts[{p}]"
                part.answer = _typed_answer(part, where)


def _typed_answer(part: PartInfo, where: str) -> Any:
    kind = KINDS.get(part.kind)
    if kind is None:
        raise KindMismatch(f"unknown answer kind '{part.kind}' - at `{where}.kind`")
    missing = [name for name in kind.requires if getattr(part, name) is UNSET]
    if missing:
        raise KindMismatch(f"a part of kind {kind.name} needs `{missing[0]}` - at `{where}`")
    if kind.numeric and part.tolerance is None:
        raise KindMismatch(f"a part of kind {kind.name} needs a tolerance - at `{where}.tolerance`")
    try:
        return kind.stored(part.answer)
    except msgspec.ValidationError as exc:
        message, _, inside = str(exc).partition(" - at `$")
        raise KindMismatch(
            f"{message} (the answer of a part of kind {kind.name}) - at `{where}.answer{inside}"
            + ("" if inside else "`")
        ) from None
