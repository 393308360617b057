"""JSON schemas compiled to Python by fastjsonschema, the compiled code kept across runs.

fastjsonschema writes a schema out as Python source and compiles that: for the key's
schema, 200 kB of source and about 0.1 s, a tenth of ``generate-exam --seed 42``.  The
compiled code is cached in the user's cache (beside the TeX formats and jinja's compiled
templates), in a file named after all that shapes it: the schema, fastjsonschema's
release and Python's bytecode format, so that no run reads code made for another.  The
file starts with a digest of the rest: a damaged one is compiled anew, and without a
writable cache each run compiles in memory.  Either way the validator is the one
``fastjsonschema.compile`` makes, from the same generated code.

What is run is code generated from the package's own schemas, never from a key, a
response file or anything else a user hands in.  Cached code is run only from a file and
folder the user owns and nobody else can write (the rule ssh keeps for its keys), so that
no other account can plant code in it; the account itself can run code as the user
anyway, as with jinja's compiled templates beside it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import marshal
import os
import stat
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

import fastjsonschema
from fastjsonschema.ref_resolver import RefResolver

from generator.resources import cache_dir

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "schema" / "key.schema.json"

DIGEST_BYTES = hashlib.sha256().digest_size


def compiled(schema: dict[str, Any]) -> Callable[[Any], Any]:
    """The validator of ``schema`` (fastjsonschema's, defaults), its code from the cache."""
    namespace: dict[str, Any] = {}
    exec(_code(schema), namespace)  # the generated module: its imports, then the functions
    return namespace[RefResolver.from_schema(schema, store={}).get_scope_name()]


def _code(schema: dict[str, Any]) -> CodeType:
    identity = json.dumps([schema, fastjsonschema.VERSION, importlib.util.MAGIC_NUMBER.hex()],
                          sort_keys=True)  # fmt: skip
    path = cache_dir() / f"schema-{hashlib.sha256(identity.encode()).hexdigest()[:16]}.code"
    code = _read(path)
    if code is None:
        code = compile(fastjsonschema.compile_to_code(schema), "<json schema>", "exec")
        _write(path, code)
    return code


def _read(path: Path) -> CodeType | None:
    """The cached code, or None if it is missing, damaged, not code, or in a file or folder
    another account could have written."""
    try:
        if not all(map(_private, (path.parent, path))):
            return None
        data = path.read_bytes()
    except OSError:
        return None
    body = data[DIGEST_BYTES:]
    if data[:DIGEST_BYTES] != hashlib.sha256(body).digest():
        return None
    try:
        code = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def _private(path: Path) -> bool:
    """Whether ``path`` is the user's and writable by them alone."""
    info = path.stat()
    return info.st_uid == os.getuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _write(path: Path, code: CodeType) -> None:
    """Cache ``code`` atomically (a concurrent run reads the old file or the new one);
    a cache that cannot be written is skipped, the next run compiles again."""
    body = marshal.dumps(code)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".schema-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(hashlib.sha256(body).digest() + body)
            os.replace(temporary, path)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)


def validate(key: dict[str, Any]) -> None:
    """Refuse to write a key that breaks its schema (a generator bug, never a user error).

    fastjsonschema compiles the schema to Python (a thousand times faster than
    interpreting it); the tests check keys with jsonschema, a second implementation.
    """
    try:
        validator()(key)
    except fastjsonschema.JsonSchemaException as exc:
        raise AssertionError(f"key.json would break its schema: {exc.message}") from exc


@cache
def validator() -> Callable[[Any], Any]:
    return compiled(schema())  # fastjsonschema's, its code cached across runs


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
