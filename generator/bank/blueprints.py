"""Exam blueprints: which questions, in which order, and the cover-page text.

A blueprint is a TOML file.  ``--blueprint`` takes either the name of a
shipped blueprint (``question_bank/blueprints/<name>.toml``) or a path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from generator.bank.tomlfile import check_fields, expect_type, read_toml
from generator.errors import BlueprintError
from generator.resources import blueprints_dir

if TYPE_CHECKING:  # the bank (numpy, sympy, jinja) is the caller's: the CLI reads names here
    from generator.bank.questions import Bank

DEFAULT_BLUEPRINT = "cs230-midterm-winter-2020"
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")

REQUIRED = ("name", "title", "questions")
TEXT_FIELDS = {"title": "", "course": "", "term": "", "institution": "", "duration": "",
               "id_label": "Student ID", "honor_code": ""}  # fmt: skip
OPTIONAL = ("course", "term", "institution", "duration", "instructions", "id_label", "honor_code",
            "points", "shuffle")  # fmt: skip
SOURCES = ("id", "topic", "tag", "from")  # where a [[questions]] table takes its questions
QUESTION_FIELDS = (*SOURCES, "pick")
MAX_PICK = 100


@dataclass(frozen=True)
class Pool:
    """One ``[[questions]]`` table: the questions it may print, and how many of them.

    ``id = "..."`` is a pool of one that every copy prints; ``pick = 2, topic = "..."``
    draws two of the bank's questions on that topic, per copy (see generator.variants.draws).
    """

    table: int  # its place among the [[questions]] tables, from 1
    candidates: tuple[str, ...]
    pick: int
    where: str  # "blueprint.toml, question 3": names the table in messages

    @property
    def fixed(self) -> bool:
        return self.pick == len(self.candidates)


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
    pools: tuple[Pool, ...]
    path: Path
    shuffle: bool = False  # each copy prints its questions in its own order
    points: float | None = None  # the total the instructor stated, checked at load

    @property
    def question_ids(self) -> tuple[str, ...]:
        """Every question a copy may print, in the blueprint's order."""
        return tuple(qid for pool in self.pools for qid in pool.candidates)

    @property
    def draws(self) -> bool:
        """Whether copies may differ in which questions they print, or in their order."""
        return self.shuffle or not all(pool.fixed for pool in self.pools)


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
    if not NAME_PATTERN.fullmatch(name):
        raise BlueprintError(
            f"{where}: field 'name' names the output folder; use up to 100 letters, digits, "
            "'.', '_' or '-'."
        )
    pools = _pools(data["questions"], where, bank)
    shuffle = expect_type(data.get("shuffle", False), bool, where=where, field="shuffle",
                          error=BlueprintError, example="shuffle = true")  # fmt: skip
    instructions = data.get("instructions", [])
    if not isinstance(instructions, list) or not all(isinstance(i, str) for i in instructions):
        raise BlueprintError(f"{where}: field 'instructions' must be a list of strings.")
    text = {field: _text(data, field, default, where) for field, default in TEXT_FIELDS.items()}
    return Blueprint(
        name=name,
        **text,
        instructions=tuple(instructions),
        pools=pools,
        path=path,
        shuffle=shuffle,
        points=_points(data, where, pools, bank),
    )


def _text(data: dict, field: str, default: str, where: str) -> str:
    example = f'{field} = "..."'
    value = data.get(field, default)
    return expect_type(value, str, where=where, field=field, error=BlueprintError, example=example)


def _pools(entries: object, where: str, bank: Bank) -> tuple[Pool, ...]:
    """The ``[[questions]]`` tables, each checked alone, then against each other."""
    if not isinstance(entries, list) or not entries:
        raise BlueprintError(f"{where}: 'questions' must list at least one [[questions]] table.")
    tables = []
    for n, entry in enumerate(entries, start=1):
        here = f"{where}, question {n}"
        if not isinstance(entry, dict):
            raise BlueprintError(f"{here}: write it as a [[questions]] table.")
        check_fields(entry, where=here, required=(), optional=QUESTION_FIELDS,
                     error=BlueprintError)  # fmt: skip
        tables.append((here, entry))
    fixed = _fixed_ids(tables, bank)
    pools = tuple(_pool(n, here, entry, bank, fixed)
                  for n, (here, entry) in enumerate(tables, start=1))  # fmt: skip
    _check_disjoint(pools)
    return pools


def _fixed_ids(tables: list[tuple[str, dict]], bank: Bank) -> set[str]:
    """The ids listed with ``id = ...``: printed in every copy, so never drawn by a pool."""
    fixed: set[str] = set()
    for here, entry in tables:
        if "id" in entry:
            qid = _known_id(entry["id"], here, "id", bank)
            if qid in fixed:
                raise BlueprintError(f"{here}: question id '{qid}' appears twice; list it once.")
            fixed.add(qid)
    return fixed


def _pool(n: int, here: str, entry: dict, bank: Bank, fixed: set[str]) -> Pool:
    ways = [field for field in SOURCES if field in entry]
    if len(ways) != 1:
        raise BlueprintError(
            f"{here}: give exactly one of {', '.join(SOURCES)} "
            f'(id = "..." for one question, or pick = 2 with topic, tag or from).'
        )
    way = ways[0]
    if way == "id":
        if "pick" in entry:
            raise BlueprintError(f"{here}: 'pick' needs topic, tag or from; with id, drop it.")
        return Pool(n, (entry["id"],), 1, here)
    pick = entry.get("pick", 1)
    if isinstance(pick, bool) or not isinstance(pick, int) or not 1 <= pick <= MAX_PICK:
        raise BlueprintError(f"{here}: field 'pick' must be a whole number from 1 to {MAX_PICK}.")
    candidates = _candidates(way, entry[way], here, bank, fixed)
    if len(candidates) < pick:
        raise BlueprintError(
            f"{here}: pick = {pick} but only {len(candidates)} question(s) can be drawn "
            f"({', '.join(candidates) or 'none'}); lower pick or add questions."
        )
    pool = Pool(n, candidates, pick, here)
    _check_alike(pool, bank)
    return pool


def _candidates(way: str, value: object, here: str, bank: Bank, fixed: set[str]) -> tuple[str, ...]:
    """The questions a pool may draw: listed (``from``), or matched in the bank, by id, less
    those the blueprint prints anyway."""
    if way == "from":
        if not isinstance(value, list) or not value:
            raise BlueprintError(f'{here}: field \'from\' must list ids, like from = ["a", "b"].')
        ids = [_known_id(qid, here, "from", bank) for qid in value]
        if len(set(ids)) != len(ids) or fixed & set(ids):
            raise BlueprintError(
                f"{here}: field 'from' lists a question twice or one the blueprint already "
                "prints with id; list each question once."
            )
        return tuple(ids)
    if not isinstance(value, str) or not value.strip():
        raise BlueprintError(f"{here}: field '{way}' must be text, like {way} = \"...\".")
    matches = (
        q for q in bank.values() if (q.topic == value if way == "topic" else value in q.tags)
    )
    return tuple(sorted(q.id for q in matches if q.id not in fixed))


def _known_id(qid: object, here: str, field: str, bank: Bank) -> str:
    if not isinstance(qid, str):
        raise BlueprintError(
            f"{here}: field '{field}' holds an id that is not text; write it like id = \"...\"."
        )
    if qid not in bank:
        raise BlueprintError(f"{here}: unknown id '{qid}'; known ids: {', '.join(sorted(bank))}.")
    return qid


def _check_alike(pool: Pool, bank: Bank) -> None:
    """Every question a pool may draw is worth the same: the cover's total and each
    student's grade must not depend on the draw."""
    worth = {qid: (bank[qid].points, bank[qid].bonus_points) for qid in pool.candidates}
    if len(set(worth.values())) > 1:
        listed = "; ".join(f"{qid}: {p:g} + {b:g} extra" for qid, (p, b) in worth.items())
        raise BlueprintError(
            f"{pool.where}: the questions it draws from are worth different points ({listed}); "
            "draw only questions of equal points."
        )


def _check_disjoint(pools: tuple[Pool, ...]) -> None:
    """No question in two pools: a copy would print it twice."""
    seen: dict[str, Pool] = {}
    for pool in pools:
        for qid in pool.candidates:
            if qid in seen:
                raise BlueprintError(
                    f"{pool.where}: it can draw '{qid}', which question {seen[qid].table} can "
                    "draw as well; give each question to one table."
                )
            seen[qid] = pool


def _points(data: dict, where: str, pools: tuple[Pool, ...], bank: Bank) -> float | None:
    """The stated total, if any, checked against what the tables add up to."""
    if "points" not in data:
        return None
    stated = data["points"]
    if isinstance(stated, bool) or not isinstance(stated, int | float):
        raise BlueprintError(f"{where}: field 'points' must be a number, like points = 60.")
    total = sum(bank[p.candidates[0]].points * p.pick for p in pools)
    if abs(total - stated) > 1e-9:
        raise BlueprintError(
            f"{where}: field 'points' says {stated:g} but the questions add up to {total:g} "
            "(extra credit not counted); fix the total or the questions."
        )
    return float(stated)
