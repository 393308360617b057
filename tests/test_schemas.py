"""A schema's compiled validator, read from the cache, is the one fastjsonschema makes.

Checked against ``fastjsonschema.compile`` on a small schema written here (a pattern, a
bound, a required field): the same answers and the same messages, compiled or read back;
a damaged cache file or an unwritable cache falls back to compiling.
"""

from __future__ import annotations

import fastjsonschema
import pytest

from generator.key import schema as schemas

SCHEMA = {
    "type": "object",
    "required": ["count"],
    "additionalProperties": False,
    "properties": {
        "count": {"type": "integer", "minimum": 0},
        "code": {"type": "string", "pattern": "^[0-9a-f]{12}$"},
    },
}
GOOD = [{"count": 0}, {"count": 3, "code": "0123456789ab"}]
BAD = [{}, {"count": -1}, {"count": 1, "code": "XYZ"}, {"count": 1, "other": 2}, []]


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return tmp_path / "exam-variant-generator"


def assert_same_as_fastjsonschema(validate) -> None:
    reference = fastjsonschema.compile(SCHEMA)
    for data in GOOD:
        assert validate(data) == reference(data)
    for data in BAD:
        with pytest.raises(fastjsonschema.JsonSchemaValueException) as ours:
            validate(data)
        with pytest.raises(fastjsonschema.JsonSchemaValueException) as theirs:
            reference(data)
        assert ours.value.message == theirs.value.message


def test_the_validator_is_compiled_once_then_read_from_the_cache(cache, monkeypatch):
    assert_same_as_fastjsonschema(schemas.compiled(SCHEMA))
    (cached,) = cache.glob("schema-*.code")

    def no_codegen(*args, **kwargs):
        raise AssertionError("compiled again although the cache holds the code")

    monkeypatch.setattr(fastjsonschema, "compile_to_code", no_codegen)
    assert_same_as_fastjsonschema(schemas.compiled(SCHEMA))
    assert list(cache.glob("schema-*.code")) == [cached]


def test_another_schema_gets_its_own_file(cache):
    schemas.compiled(SCHEMA)
    schemas.compiled({**SCHEMA, "required": []})
    assert len(list(cache.glob("schema-*.code"))) == 2


@pytest.mark.parametrize("damage", [b"", b"not code", None])
def test_a_damaged_cache_file_is_compiled_anew(cache, damage):
    schemas.compiled(SCHEMA)
    (cached,) = cache.glob("schema-*.code")
    whole = cached.read_bytes()
    if damage is None:  # one byte of the code changed: the digest no longer matches
        damage = whole[:-1] + bytes([whole[-1] ^ 1])
    cached.write_bytes(damage)
    assert_same_as_fastjsonschema(schemas.compiled(SCHEMA))
    assert cached.read_bytes() == whole  # written anew


def test_without_a_writable_cache_each_run_compiles(tmp_path, monkeypatch):
    blocked = tmp_path / "a-file"
    blocked.write_text("the cache's parent is a file: no folder can be made in it")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert_same_as_fastjsonschema(schemas.compiled(SCHEMA))
    assert list(tmp_path.iterdir()) == [blocked]


@pytest.mark.parametrize("where", ["file", "folder"])
def test_cached_code_others_could_write_is_never_run(cache, where):
    """Code planted in a cache file or folder another account can write is not run: the
    validator is compiled anew from the schema."""
    import hashlib
    import marshal

    schemas.compiled(SCHEMA)
    (cached,) = cache.glob("schema-*.code")
    planted = marshal.dumps(compile("raise SystemExit('planted code ran')", "<x>", "exec"))
    cached.write_bytes(hashlib.sha256(planted).digest() + planted)
    (cached if where == "file" else cache).chmod(0o777 if where == "folder" else 0o666)
    assert_same_as_fastjsonschema(schemas.compiled(SCHEMA))
