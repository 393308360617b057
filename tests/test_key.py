"""key.json: validates against its schema and records what an audit needs."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pytest

from generator import __version__
from generator.key.schema import schema

from .conftest import SEED_EXAM, SEED_PARTS, SEED_POINTS


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    from click.testing import CliRunner

    from generator.cli import cli as main

    out = tmp_path_factory.mktemp("key")
    result = CliRunner().invoke(main, ["--seed", "42", "--no-pdf", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads((out / "cs230-midterm-winter-2020-seed42" / "key.json").read_text())


def test_key_validates_against_its_schema(key):
    jsonschema.validate(key, schema())


def test_schema_rejects_a_broken_key(key):
    broken = json.loads(json.dumps(key))
    broken["variants"][0]["questions"][0]["parts"][0]["answer"] = "three hundred"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema())


def test_key_records_versions_and_seed(key):
    assert key["generator"]["version"] == __version__
    assert key["generator"]["numpy"] == np.__version__
    assert key["exam"]["seed"] == 42
    assert key["exam"]["questions"] == list(SEED_EXAM)


def test_every_part_of_the_seed_exam_is_in_the_key_with_its_points(key):
    questions = key["variants"][0]["questions"]
    assert [q["id"] for q in questions] == list(SEED_EXAM)
    for number, question in enumerate(questions, start=1):
        parts = {p["part"]: p["points"] for p in question["parts"]}
        assert parts == SEED_PARTS[question["id"]]
        assert question["points"] == SEED_POINTS[question["id"]]
        for part in question["parts"]:
            path = "".join(f"({label})" for label in part["part"].split("."))
            assert part["label"] == f"{number}{path}"  # e.g. 1(b)(ii)


def test_every_part_has_kind_params_answer_and_tolerance(key):
    for question in key["variants"][0]["questions"]:
        assert question["params"]
        for part in question["parts"]:
            assert part["kind"] and part["answer"] not in (None, "", [], {})
            if part["kind"] in ("integer", "shape"):
                assert part["tolerance"] == {"abs": 0.0, "rel": 0.0}
            if part["kind"] in ("number", "vector"):
                assert part["tolerance"] is not None


def test_points_add_up_to_60_plus_2_extra_credit(key):
    parts = [p for q in key["variants"][0]["questions"] for p in q["parts"]]
    assert sum(p["points"] for p in parts if not p["bonus"]) == 60
    assert sum(p["points"] for p in parts if p["bonus"]) == 2
    assert key["exam"]["points"] == 60 and key["exam"]["bonus_points"] == 2


def test_key_answers_agree_with_params(key):
    q1 = key["variants"][0]["questions"][0]
    answers = {p["part"]: p["answer"] for p in q1["parts"]}
    n_x, n_h, k = q1["params"]["n_x"], q1["params"]["n_h"], q1["params"]["k"]
    assert answers["d"] == [n_x * n_h + n_h * k, n_h + k]
    text = {p["part"]: p for p in q1["parts"]}["e"]
    assert text["kind"] == "text" and text["rubric"]


def test_key_records_which_checks_passed(key):
    for question in key["variants"][0]["questions"]:
        for part in question["parts"]:
            if part["kind"] in ("integer", "number", "vector", "shape"):
                assert part["checks"] == ["closed form"], part["label"]
    by_id = {q["id"]: q for q in key["variants"][0]["questions"]}
    assert "network formula" in by_id["cs230-w2020/neural-network"]["self_checks"]
    assert "Adam code against the engine" in by_id["cs230-w2020/optimization"]["self_checks"]


@pytest.mark.parametrize("copies", [0, 1, 3])
def test_a_key_written_from_encoded_variants_is_the_one_json_would_write(tmp_path, copies):
    """Class builds stream key.json from variants encoded by the workers; the bytes must be
    those of the whole key encoded at once, and the standard json module must read them
    back unchanged (a second implementation)."""
    from generator.bank.blueprints import load_blueprint
    from generator.bank.questions import load_bank
    from generator.key import write as keys
    from generator.variants.assemble import build_exam
    from generator.variants.roster import numbered
    from generator.variants.seeding import Seeding

    bank = load_bank()
    seeding = Seeding(7)
    exam = build_exam(
        load_blueprint(None, bank), bank, seeding, assignments=numbered(seeding, copies)
    )
    header = keys.key_header(build_exam(load_blueprint(None, bank), bank, seeding))
    entries = [keys.variant_entry(v) for v in exam.variants]
    whole = {**header, "variants": entries}
    keys.write_key(tmp_path / "key.json", header, (keys.encode_variant(e) for e in entries))
    text = (tmp_path / "key.json").read_text(encoding="utf-8")
    assert text == keys.dumps(whole)
    assert json.loads(text) == json.loads(json.dumps(whole))


def _objects(node, path=""):
    """Every object of a JSON Schema with its properties, by a path of property names."""
    defs = schema()["$defs"]
    if not isinstance(node, dict):
        return  # `true`: any value (an answer's shape depends on its kind)
    if "$ref" in node:
        node = defs[node["$ref"].rsplit("/", 1)[1]]
    if node.get("type") == "array":
        yield from _objects(node["items"], path + "[]")
    if "properties" in node or node.get("type") == "object":
        yield path, node
        for name, child in node.get("properties", {}).items():
            yield from _objects(child, f"{path}.{name}")
    for choice in node.get("anyOf", []) + node.get("oneOf", []):
        yield from _objects(choice, path)


def _record_objects(info, path=""):
    """The same walk over the typed records (msgspec's own view of their fields)."""
    import msgspec

    if isinstance(info, msgspec.inspect.StructType):
        yield path, info
        for field in info.fields:
            yield from _record_objects(field.type, f"{path}.{field.encode_name}")
    elif isinstance(info, msgspec.inspect.ListType):
        yield from _record_objects(info.item_type, path + "[]")
    elif isinstance(info, msgspec.inspect.UnionType):
        for member in info.types:
            yield from _record_objects(member, path)
    elif isinstance(info, msgspec.inspect.DictType):
        yield path, None  # an open object: params, figures, a student's extra columns
    elif isinstance(info, msgspec.inspect.Metadata):  # a type with its description
        yield from _record_objects(info.type, path)


def test_the_schema_and_the_typed_records_name_the_same_fields():
    """key.json is written from typed records; the schema must say the same: every object
    with the same fields, the same required ones, and no other field allowed."""
    import msgspec

    from generator.key.records import Key

    in_schema = dict(_objects(schema()))
    in_records = dict(_record_objects(msgspec.inspect.type_info(Key)))
    assert sorted(in_schema) == sorted(in_records)
    for path, node in in_schema.items():
        info = in_records[path]
        if info is None:  # an open object: the schema must not list fields for it either
            assert "properties" not in node or node.get("additionalProperties") is not False
            continue
        fields = [f.encode_name for f in info.fields]
        assert sorted(node["properties"]) == sorted(fields), path
        assert sorted(node.get("required", [])) == sorted(
            f.encode_name for f in info.fields if f.required
        ), path
        assert node.get("additionalProperties") is False and info.forbid_unknown_fields, path


def test_a_key_reads_back_as_typed_records_and_refuses_a_wrong_field(key):
    import msgspec

    from generator.key.records import Key
    from generator.key.schema import check

    records = check(key)
    assert isinstance(records, Key)
    assert records.variants[0].questions[0].parts[0].label == "1(a)"
    assert msgspec.to_builtins(records) == key  # nothing lost, nothing added
    broken = json.loads(json.dumps(key))
    broken["variants"][0]["questions"][0]["parts"][0]["points"] = "one"
    with pytest.raises(msgspec.ValidationError, match=r"parts\[0\]\.points"):
        check(broken)
    broken = json.loads(json.dumps(key))
    broken["variants"][0]["questions"][0]["surprise"] = 1
    with pytest.raises(msgspec.ValidationError, match="surprise"):
        check(broken)


@pytest.mark.parametrize(
    "path",
    [
        ("exam", "code"),
        ("exam", "name"),
        ("variants", 0, "variant"),
        ("variants", 0, "questions", 0, "parts", 0, "label"),
    ],
)
def test_a_code_name_or_label_with_a_line_break_after_it_is_refused(key, path):
    """A pattern holds for the whole value: ``$`` alone lets a value end in a line break,
    which would then name a file (grade's feedback pages are named after the code)."""
    import msgspec

    from generator.key.schema import check

    broken = json.loads(json.dumps(key))
    node = broken
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] += "\n"
    with pytest.raises(msgspec.ValidationError, match="Expected `str` matching regex"):
        check(broken)
    with pytest.raises(jsonschema.ValidationError):  # a second implementation, the schema
        jsonschema.validate(broken, schema())


@pytest.fixture(scope="module")
def class_entries():
    """The header and the entries of four numbered copies, as a class build's worker makes
    them, and of a copy of the dl-core quiz (other questions)."""
    from generator.bank.blueprints import load_blueprint
    from generator.bank.questions import load_bank
    from generator.key import write as keys
    from generator.variants.assemble import build_exam
    from generator.variants.roster import numbered
    from generator.variants.seeding import Seeding

    bank = load_bank()
    seeding = Seeding(11)
    exam = build_exam(load_blueprint(None, bank), bank, seeding,
                      assignments=numbered(seeding, 4))  # fmt: skip
    quiz = build_exam(load_blueprint("dl-core-quiz", bank), bank, seeding)
    entries = [keys.variant_entry(v) for v in (*exam.variants, *quiz.variants)]
    return keys.key_header(exam), entries


def _broken(entry, path, value):
    """A deep copy of ``entry`` with the value at ``path`` (keys and indexes) replaced."""
    entry = json.loads(json.dumps(entry))
    node = entry
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return entry


def _breaks_the_schema(header, entry):
    """Whether jsonschema, a second implementation, refuses the key holding ``entry``."""
    try:
        jsonschema.validate({**header, "variants": [entry]}, schema())
    except jsonschema.ValidationError:
        return True
    return False


def test_the_entry_check_passes_a_class_that_keeps_to_the_schema(class_entries):
    from generator.key.write import check_entry

    header, entries = class_entries
    assert [check_entry(header, e) for e in entries] == entries
    assert not any(_breaks_the_schema(header, e) for e in entries)


@pytest.mark.parametrize(
    ("first", "path", "value"),
    [
        (True, ("questions", 0, "parts", 0, "answer"), "three hundred"),  # an integer part
        (False, ("questions", 1, "parts", 2, "points"), "one"),  # not a number
        (False, ("questions", 2, "stem"), None),  # a missing text
        (False, ("questions", 0, "parts", 0, "surprise"), 1),  # a field the key has not
        (False, ("student",), {"id": "s1"}),  # a student without a name
    ],
)
def test_the_entry_check_refuses_an_entry_that_breaks_the_schema(class_entries, first, path,
                                                                  value):  # fmt: skip
    """Every entry of a worker's copies is checked against the whole format, the first as
    the next ones (after one whose questions were checked): a broken entry is refused
    either way."""
    from generator.key.write import check_entry

    header, entries = class_entries
    if not first:
        check_entry(header, entries[0])  # its questions are checked before the next copy's
    broken = _broken(entries[0 if first else 1], path, value)
    assert _breaks_the_schema(header, broken)
    with pytest.raises(AssertionError, match="would break its schema"):
        check_entry(header, broken)


def test_the_entry_check_checks_a_question_it_has_not_seen_against_the_whole_schema(
    class_entries,
):
    """A copy drawing a question that no earlier copy of the worker held is checked against
    the whole schema: a rule no type says (a label's pattern) is kept for it too."""
    from generator.key.write import check_entry

    header, entries = class_entries
    check_entry(header, entries[0])
    broken = _broken(entries[-1], ("questions", 0, "parts", 0, "label"), "first part")
    assert _breaks_the_schema(header, broken)
    with pytest.raises(AssertionError, match="would break its schema"):
        check_entry(header, broken)


def test_a_key_of_an_earlier_format_says_to_build_the_run_again(tmp_path):
    """Format 2 added each part's scoring; a format-1 key cannot be graded by its rubric."""
    from generator.key.read import KeyFileError, read_key

    path = tmp_path / "key.json"
    path.write_text(json.dumps({"format": "exam-variant-generator/key", "format_version": 1,
                                "variants": []}), encoding="utf-8")  # fmt: skip
    with pytest.raises(KeyFileError, match=r"an earlier version of generate-exam \(key format 1"):
        read_key(path)
