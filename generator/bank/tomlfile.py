"""Reading TOML written by people: each mistake becomes one sentence naming file and field."""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator import files
from generator.errors import BankError, ExamError

MAX_TEXT_BYTES = 16 * 2**20  # a blueprint, a question.toml or a template
MAX_DEPTH = 16  # tables, arrays and inline tables inside one another: ours need 4
# Characters no text of ours prints (XML refuses them, a terminal obeys some): all C0 and
# C1 controls but tab, line feed and carriage return, which TOML's multi-line strings hold.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def read_toml(path: Path, error: type[ExamError]) -> dict[str, Any]:
    text = read_text(path, error)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc}); fix the syntax at that spot.") from None
    except RecursionError:  # the parser recurses once per level of nesting
        raise error(f"{path}: {_deepest(text)} nests arrays or inline tables hundreds deep; "
                    f"nest them at most {MAX_DEPTH} deep.") from None  # fmt: skip
    except ValueError as exc:  # an integer of more than 4300 digits: Python's own limit
        raise error(f"{path}: not valid TOML ({exc.args[0].split(':')[0]}); write a number of "
                    "a few digits.") from None  # fmt: skip
    _check_depth(data, path, error)
    return data


def _deepest(text: str) -> str:
    """Where the file nests deepest, as a person finds it: ``line 3 (field 'x')``."""
    lines = text.splitlines() or [""]
    number = max(range(len(lines)), key=lambda n: lines[n].count("[") + lines[n].count("{"))
    field = re.match(r"\s*([A-Za-z0-9_.\"' -]+?)\s*=", lines[number])
    return f"line {number + 1}" + (f" (field '{field.group(1)}')" if field else "")


def _check_depth(data: dict[str, Any], path: Path, error: type[ExamError]) -> None:
    """Refuse nesting deeper than MAX_DEPTH (walked without recursion), naming the field:
    whatever reads the value later may recurse once per level; and refuse nan and inf,
    which pass every comparison a check makes (``points = nan`` passed the total's)."""
    stack: list[tuple[Any, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise error(
                f"{path}: field '{where}' nests arrays or tables more than {MAX_DEPTH} deep; "
                "flatten it."
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise error(
                f"{path}: field '{where}' is {value}; write a finite number, like {where} = 10."
            )
        if isinstance(value, str) and CONTROL.search(value):
            raise error(
                f"{path}: field '{where}' holds a control character "
                f"(U+{ord(CONTROL.search(value).group()):04X}); take it out."
            )
        if isinstance(value, dict):
            stack += [(item, f"{where}.{key}" if where else key, depth + 1)
                      for key, item in value.items()]  # fmt: skip
        elif isinstance(value, list):
            stack += [(item, f"{where}[{n}]", depth + 1) for n, item in enumerate(value)]


def read_text(path: Path, error: type[ExamError] = BankError) -> str:
    """A blueprint, question.toml or template: UTF-8 text, or one sentence saying why not."""
    return files.read_text(path, error, limit=MAX_TEXT_BYTES)


def check_fields(
    table: Mapping[str, Any],
    *,
    where: str,
    required: Iterable[str],
    optional: Iterable[str] = (),
    error: type[ExamError],
) -> None:
    """Refuse missing and unknown fields, suggesting the closest known name for a typo."""
    required = tuple(required)
    known = required + tuple(optional)
    for name in required:
        if name not in table:
            raise error(
                f"{where}: missing field '{name}'; add it (see the authoring page: "
                "generate-exam docs authoring)."
            )
    for name in table:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(known)}."
            raise error(f"{where}: unknown field '{name}'; {hint}")


def expect_type(
    value: Any,
    kind: type | tuple[type, ...],
    *,
    where: str,
    field: str,
    error: type[ExamError],
    example: str,
) -> Any:
    """``value`` if it is of ``kind`` (booleans never pass for numbers), else a clear error."""
    if isinstance(value, bool) != (kind is bool) or not isinstance(value, kind):
        raise error(f"{where}: field '{field}' has the wrong type; write it like {example}.")
    return value
