"""Reading a run's key.json back: checked against the key's schema and records first.

Every command that works on a finished run (``export``, ``grade``, ``diff-keys``) starts
here, and imports nothing of the build or typesetting stack: the key holds all they need.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from generator.errors import ExamError
from generator.files import NotAFile, read_file
from generator.key import schema
from generator.key.records import FORMAT, FORMAT_VERSION, Key

REBUILD = "restore it, or build the run again with generate-exam."
MAX_KEY_BYTES = 4 * 2**30  # 20,000 students at 60 kB are 1.2 GB


class KeyFileError(ExamError):
    """A key.json that cannot be read back: not JSON, or not a key of this format."""


def read_key(path: Path) -> Key:
    """A run's key.json as its records, every rule of the format held before anything uses
    it (an export trusts no field of a file that may have been edited or damaged)."""
    try:
        text = read_file(path, limit=MAX_KEY_BYTES, follow_links=False).decode("utf-8")
        key = _decode(text)
    except FileNotFoundError:
        raise KeyFileError(f"{path}: not found; pass the folder generate-exam wrote.") from None
    except NotAFile as exc:
        raise KeyFileError(f"{path}: {exc}, not the run's own key; {REBUILD}") from None
    except UnicodeDecodeError:
        raise KeyFileError(f"{path}: not UTF-8 text; {REBUILD}") from None
    except json.JSONDecodeError as exc:
        raise KeyFileError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); {REBUILD}"
        ) from None
    except (ValueError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise KeyFileError(f"{path}: not valid JSON ({reason}); {REBUILD}") from None
    _check_version(key, path)
    try:
        return schema.check(key)
    except (msgspec.ValidationError, schema.KindMismatch) as exc:
        raise KeyFileError(f"{path}: not an answer key ({exc}); {REBUILD}") from None


def _check_version(key: Any, path: Path) -> None:
    """A key of this format but another version: say so, before its fields are checked."""
    if not isinstance(key, dict) or key.get("format") != FORMAT:
        return
    version = key.get("format_version")
    if version != FORMAT_VERSION and isinstance(version, int) and not isinstance(version, bool):
        raise KeyFileError(
            f"{path}: written by {'an earlier' if version < FORMAT_VERSION else 'a later'} "
            f"version of generate-exam (key format {version}, this one reads "
            f"{FORMAT_VERSION}); build the run again with this version: the same blueprint, "
            "seed, secret and roster give the same copies."
        )


def _decode(text: str) -> Any:
    """The key's JSON: msgspec's parser (twice as fast as json's on a class's 180 MB key),
    and on a fault json's, whose message says the line and column (or raises ValueError
    for what msgspec refuses and json reads, such as a number out of range)."""
    try:
        return msgspec.json.decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError) as exc:
        json.loads(text, parse_constant=_not_json)
        raise ValueError(str(exc)) from None


def _not_json(constant: str) -> None:
    """NaN and Infinity: Python writes them, but they are no JSON, and no key holds them."""
    raise ValueError(f"{constant} is no JSON number")
