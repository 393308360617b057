"""Reading TOML written by people: each mistake becomes one sentence naming file and field."""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator import files
from generator.errors import BankError, ExamError

MAX_TEXT_BYTES = 16 * 2**20  # a blueprint, a question.toml or a template


def read_toml(path: Path, error: type[ExamError]) -> dict[str, Any]:
    text = read_text(path, error)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise error(f"{path}: not valid TOML ({exc}); fix the syntax at that spot.") from None


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
                f"{where}: missing field '{name}'; add it (see the README's question format)."
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
