"""key.json: the machine-readable answer key every other output is derived from.

It records what an audit or a regrade needs without re-running anything:
versions, seed, blueprint, and for every variant and part the printed label,
points, kind, the question's parameters, the answer and its tolerance.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np

from . import __version__
from .assemble import Exam, QuestionVariant

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "key.schema.json"
FORMAT = "exam-variant-generator/key"
FORMAT_VERSION = 1


def build_key(exam: Exam) -> dict[str, Any]:
    """The key as a JSON-ready dict, checked against its schema."""
    blueprint = exam.blueprint
    key = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generator": {
            "name": "exam-variant-generator",
            "version": __version__,
            "numpy": np.__version__,
        },
        "exam": {
            "name": blueprint.name,
            "title": blueprint.title,
            "course": blueprint.course,
            "blueprint": blueprint.path.name,
            "seed": exam.seed,
            "replica": exam.replica,
            "points": exam.points,
            "bonus_points": exam.bonus_points,
            "questions": list(blueprint.question_ids),
        },
        "variants": [
            {"variant": v.variant_id, "questions": [_question(qv) for qv in v.questions]}
            for v in exam.variants
        ],
    }
    jsonschema.validate(key, schema())
    return key


def _question(qv: QuestionVariant) -> dict[str, Any]:
    question = qv.question
    return {
        "number": qv.number,
        "id": question.id,
        "title": question.title,
        "points": question.points,
        "bonus_points": question.bonus_points,
        "params": qv.params,
        "self_checks": list(qv.checks),
        "parts": [
            {
                "label": leaf.printed_label(qv.number),
                "part": leaf.key,
                "points": leaf.points,
                "bonus": leaf.bonus,
                "hint": leaf.hint,
                "answer_in_stem": leaf.answer_in_stem,
                **qv.answers[leaf.key].to_json(),
                "checks": ["closed form"] if leaf.key in qv.confirmed else [],
            }
            for leaf in question.leaves()
        ],
    }


def dumps(key: dict[str, Any]) -> str:
    """Stable text: fixed key order, two-space indent, UTF-8 kept readable."""
    return json.dumps(key, indent=2, ensure_ascii=False) + "\n"


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
