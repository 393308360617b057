"""key.json: the machine-readable answer key every other output is derived from.

It records what an audit or a regrade needs without re-running anything:
versions, seed, secret (its fingerprint only), blueprint, and for every variant and
part the printed label,
points, kind, the question's parameters, the answer and its tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
from msgspec import UNSET, UnsetType

from generator import __version__
from generator.authoring.figures import figure_file
from generator.bank.blueprints import Blueprint
from generator.key import schema
from generator.key.records import (
    FORMAT,
    FORMAT_VERSION,
    ExamInfo,
    FormulaInfo,
    GeneratorInfo,
    Header,
    OptionInfo,
    PartInfo,
    PickInfo,
    PoolInfo,
    QuestionInfo,
    StudentInfo,
    ToleranceInfo,
    VariantInfo,
    json_ready,
)
from generator.kinds import KINDS
from generator.kinds.answers import Answer
from generator.render.latex import question_texts
from generator.variants.assemble import Exam, PoolPick, QuestionVariant, Variant


def build_key(exam: Exam, *, figures: bool = True) -> dict[str, Any]:
    """The key as a JSON-ready dict, checked against its format (``figures``: the run
    writes the PNG figures, which the key then names)."""
    key = {**key_header(exam), "variants": [variant_entry(v, figures=figures)
                                            for v in exam.variants]}  # fmt: skip
    check_key(key)
    return key


def key_header(exam: Exam, pool: int | None = None) -> dict[str, Any]:
    """Everything but the variants: versions, seed, blueprint, points, and the size of
    the variant pool the questions were drawn from (``--pool``)."""
    blueprint = exam.blueprint
    seeding = exam.seeding
    return json_ready(Header(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        generator=GeneratorInfo(name="exam-variant-generator", version=__version__,
                                numpy=np.__version__),
        exam=ExamInfo(
            name=blueprint.name, title=blueprint.title, course=blueprint.course,
            blueprint=blueprint.path.name, seed=exam.seed, code=seeding.exam_code,
            secret=seeding.secret.fingerprint, public=seeding.secret.public,
            replica=exam.replica, points=exam.points, bonus_points=exam.bonus_points,
            questions=list(blueprint.question_ids),
            pools=_draws(blueprint) or UNSET, shuffled=blueprint.shuffle or UNSET,
            pool=UNSET if pool is None else pool,
        ),
    ))  # fmt: skip


def _draws(blueprint: Blueprint) -> list[PoolInfo]:
    """The tables that draw: with each variant's question ids, who got which question."""
    return [PoolInfo(table=p.table, pick=p.pick, from_=list(p.candidates))
            for p in blueprint.pools if not p.fixed]  # fmt: skip


def variant_entry(variant: Variant, *, figures: bool = True) -> dict[str, Any]:
    """One copy of the exam: its id, its student (if any), every question and part."""
    return json_ready(variant_record(variant, figures=figures))


def variant_record(
    variant: Variant, *, figures: bool = True, questions: list[QuestionInfo] | None = None
) -> VariantInfo:
    """A copy's record; ``questions``, its questions' records if already made (a variant
    pool's students share them)."""
    student = variant.assignment.student
    copy = variant.assignment.copy
    if questions is None:
        picks = variant.picks or [None] * len(variant.questions)
        questions = [question_record(qv, variant.variant_id, figures, pick)
                     for qv, pick in zip(variant.questions, picks, strict=True)]  # fmt: skip
    return VariantInfo(
        variant=variant.variant_id,
        copy=UNSET if copy is None else copy,
        student=UNSET if student is None else StudentInfo(id=student.id, name=student.name,
                                                          extra=dict(student.extra)),
        questions=questions,
    )  # fmt: skip


def check_entry(header: dict[str, Any], entry: dict[str, Any]) -> dict[str, Any]:
    """``entry``, once held to every rule of the key's format with the run's header
    (key/schema.py): the records' fields, types, bounds and patterns, and each part's kind.
    A class build's workers check every entry they make this way (0.2 ms an entry).
    AssertionError: the entry would break the format, a generator bug, never a user's."""
    check_key({**header, "variants": [entry]})
    return entry


def check_key(key: dict[str, Any]) -> None:
    """Refuse to write a key that breaks its format (AssertionError, naming the field)."""
    try:
        schema.check(key)
    except (msgspec.ValidationError, schema.KindMismatch) as exc:
        raise AssertionError(f"key.json would break its schema: {exc}") from exc


def question_record(qv: QuestionVariant, variant_id: str, figures: bool,
                    pick: PoolPick | None = None) -> QuestionInfo:  # fmt: skip
    """A question's entry; its figures are named only when the run writes them (an export
    from a run without them says so, instead of shipping links to missing files).  A
    question drawn from a variant pool (``pick``) names the pool copy it comes from, whose
    code keys its streams and names its figures: every student who drew it shares them."""
    question = qv.question
    stem, texts = question_texts(qv)
    if pick is not None:
        variant_id = pick.variant
    return QuestionInfo(
        number=qv.number, id=question.id, title=question.title, points=question.points,
        bonus_points=question.bonus_points, params=qv.params, self_checks=list(qv.checks),
        stem=stem,
        figures={name: figure_file(variant_id, qv.number, name)
                 for name in qv.figures if figures},
        parts=[
            PartInfo(
                label=leaf.printed_label(qv.number), part=leaf.key, points=leaf.points,
                bonus=leaf.bonus, hint=leaf.hint, answer_in_stem=leaf.answer_in_stem,
                names=list(leaf.answer.names), context=texts[leaf.key].context,
                prompt=texts[leaf.key].prompt,
                lms_prompt=_or_unset(texts[leaf.key].lms_prompt),
                checks=["closed form"] if leaf.key in qv.confirmed else [],
                **_answer_fields(qv.answers[leaf.key]),
            )
            for leaf in question.leaves()
        ],
        pool=UNSET if pick is None else PickInfo(index=pick.index, variant=pick.variant),
    )  # fmt: skip


def _or_unset(value: str | None) -> str | UnsetType:
    return UNSET if value is None else value


def _answer_fields(answer: Answer) -> dict[str, Any]:
    """The answer's fields of a part: the value, how it prints, and what only some kinds
    have (the options of choice parts, the code skeleton, the formula of a number)."""
    details = answer.details
    tolerance = answer.tolerance
    fields: dict[str, Any] = {
        "kind": answer.kind, "answer": KINDS[answer.kind].stored(answer.value),
        "answer_latex": answer.latex,
        "tolerance": ToleranceInfo(abs=tolerance.abs, rel=tolerance.rel) if tolerance else None,
        "alternatives": list(answer.alternatives), "rubric": list(answer.rubric),
        "scoring": answer.scoring,
    }  # fmt: skip
    if "options" in details:
        fields["options"] = [OptionInfo(**option) for option in details["options"]]
    if "code" in details:
        fields["code"] = details["code"]
    if "formula" in details:
        fields["formula"] = FormulaInfo(**details["formula"])
    if "grid" in details:
        fields["grid"] = details["grid"]
    if "mistakes" in details:
        fields["mistake_values"] = details["mistakes"]
    return fields


def dumps(key: dict[str, Any]) -> str:
    """Stable text: fixed key order, two-space indent, UTF-8 kept readable.

    msgspec writes it in C: a class key holds about 60 kB per student, which the
    standard library's indenting encoder (pure Python) takes seconds to write.
    """
    return _pretty(key).decode() + "\n"


def encode_variant(entry: dict[str, Any]) -> bytes:
    """One variant entry exactly as it sits in key.json's list, indented: class-build
    workers encode their students in parallel and the key is written without ever being
    whole in memory (see write_key)."""
    return b"    " + _pretty(entry).replace(b"\n", b"\n    ")


def join_entries(variants: Iterable[bytes]) -> bytes:
    """Variants already encoded, joined as key.json's list joins them (a run of them can
    be written by one worker and spliced into the key by :func:`write_key`)."""
    return b",\n".join(variants)


def write_key(path: Path, header: dict[str, Any], variants: Iterable[bytes]) -> None:
    """Write ``dumps({**header, "variants": [...]})`` from variants already encoded, one by
    one or in runs made by :func:`join_entries`."""
    head = _pretty({**header, "variants": []})
    assert head.endswith(b"[]\n}"), "the variants come last in a key"
    written = False
    with path.open("wb") as out:
        out.write(head[:-3])  # up to and with the opening bracket
        for variant in variants:
            out.write((b",\n" if written else b"\n") + variant)
            written = True
        out.write(b"\n  ]\n}\n" if written else b"]\n}\n")


def _pretty(value: Any) -> bytes:
    return msgspec.json.format(msgspec.json.encode(value), indent=2)
