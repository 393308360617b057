"""Exam blueprints: which questions, in which order, and the cover-page text.

A blueprint is a TOML file.  ``--blueprint`` takes either the name of a
shipped blueprint (``question_bank/blueprints/<name>.toml``) or a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .bank import Bank
from .errors import BlueprintError
from .resources import blueprints_dir
from .tomlfile import check_fields, expect_type, read_toml

DEFAULT_BLUEPRINT = "cs230-midterm-winter-2020"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

REQUIRED = ("name", "title", "questions")
TEXT_FIELDS = {"title": "", "course": "", "term": "", "institution": "", "duration": "",
               "id_label": "Student ID", "honor_code": ""}  # fmt: skip
OPTIONAL = ("course", "term", "institution", "duration", "instructions", "id_label", "honor_code")
QUESTION_FIELDS = ("id",)


@dataclass(frozen=True)
class Blueprint:
    """The exam as the instructor describes it; all text here is plain text, escaped for LaTeX."""

    name: str
    title: str
    course: str
    term: str
    institution: str
    duration: str
    instructions: tuple[str, ...]
    id_label: str
    honor_code: str
    question_ids: tuple[str, ...]
    path: Path


def available_blueprints() -> list[str]:
    return sorted(p.stem for p in blueprints_dir().glob("*.toml"))


def resolve_blueprint_path(ref: str | None) -> Path:
    """A shipped blueprint's name or a path to a TOML file."""
    ref = ref or DEFAULT_BLUEPRINT
    candidate = Path(ref)
    if candidate.suffix == ".toml" or candidate.exists():
        if not candidate.is_file():
            raise BlueprintError(f"{ref}: blueprint file not found; check the path.")
        return candidate
    shipped = blueprints_dir() / f"{ref}.toml"
    if not shipped.is_file():
        raise BlueprintError(
            f"unknown blueprint '{ref}'; use one of {', '.join(available_blueprints())} "
            "or the path of a .toml file."
        )
    return shipped


def load_blueprint(ref: str | None, bank: Bank) -> Blueprint:
    """Load and check a blueprint against the bank it draws from."""
    path = resolve_blueprint_path(ref)
    data = read_toml(path, BlueprintError)
    where = str(path)
    check_fields(data, where=where, required=REQUIRED, optional=OPTIONAL, error=BlueprintError)
    name = expect_type(
        data["name"],
        str,
        where=where,
        field="name",
        error=BlueprintError,
        example='name = "midterm-2026"',
    )
    if not NAME_PATTERN.match(name):
        raise BlueprintError(
            f"{where}: field 'name' names the output folder; use up to 100 letters, digits, "
            "'.', '_' or '-'."
        )
    ids = _question_ids(data["questions"], where, bank)
    instructions = data.get("instructions", [])
    if not isinstance(instructions, list) or not all(isinstance(i, str) for i in instructions):
        raise BlueprintError(f"{where}: field 'instructions' must be a list of strings.")
    text = {field: _text(data, field, default, where) for field, default in TEXT_FIELDS.items()}
    return Blueprint(
        name=name,
        **text,
        instructions=tuple(instructions),
        question_ids=ids,
        path=path,
    )


def _text(data: dict, field: str, default: str, where: str) -> str:
    example = f'{field} = "..."'
    value = data.get(field, default)
    return expect_type(value, str, where=where, field=field, error=BlueprintError, example=example)


def _question_ids(entries: object, where: str, bank: Bank) -> tuple[str, ...]:
    if not isinstance(entries, list) or not entries:
        raise BlueprintError(f"{where}: 'questions' must list at least one [[questions]] table.")
    ids = []
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or "id" not in entry:
            raise BlueprintError(f"{where}: question {n} has no 'id'; add id = \"...\".")
        check_fields(entry, where=f"{where}, question {n}", required=QUESTION_FIELDS,
                     error=BlueprintError)  # fmt: skip
        qid = entry["id"]
        if not isinstance(qid, str):
            raise BlueprintError(
                f'{where}: question {n} has an id that is not text; write it like id = "...".'
            )
        if qid not in bank:
            raise BlueprintError(
                f"{where}: question {n} has unknown id '{qid}'; "
                f"known ids: {', '.join(sorted(bank))}."
            )
        if qid in ids:
            raise BlueprintError(f"{where}: question id '{qid}' appears twice; list it once.")
        ids.append(qid)
    return tuple(ids)
