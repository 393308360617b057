"""key.json: validates against its schema and records what an audit needs."""

from __future__ import annotations

import json

import jsonschema
import numpy as np
import pytest

from generator import __version__
from generator.keys import schema

from .conftest import Q1, Q7


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
    assert key["exam"]["questions"] == [Q1, Q7]


def test_every_part_has_label_points_kind_params_answer_and_tolerance(key):
    questions = key["variants"][0]["questions"]
    labels = [part["label"] for q in questions for part in q["parts"]]
    assert labels == [
        "1(a)", "1(b)(i)", "1(b)(ii)", "1(c)(i)", "1(c)(ii)", "1(d)", "1(e)", "1(f)(i)",
        "1(f)(ii)", "1(g)", "2(a)", "2(b)", "2(c)", "2(d)", "2(e)", "2(f)",
    ]  # fmt: skip
    for question in questions:
        assert question["params"]
        for part in question["parts"]:
            assert part["kind"] and "answer" in part
            if part["kind"] in ("integer", "shape", "vector"):
                assert part["tolerance"] == {"abs": 0.0, "rel": 0.0}


def test_points_match_the_seed_exam(key):
    q1, q7 = key["variants"][0]["questions"]
    assert sum(p["points"] for p in q1["parts"]) == q1["points"] == 12
    assert sum(p["points"] for p in q7["parts"] if not p["bonus"]) == q7["points"] == 6
    assert sum(p["points"] for p in q7["parts"] if p["bonus"]) == q7["bonus_points"] == 2
    assert key["exam"]["points"] == 18 and key["exam"]["bonus_points"] == 2


def test_key_answers_agree_with_params(key):
    q1 = key["variants"][0]["questions"][0]
    answers = {p["part"]: p["answer"] for p in q1["parts"]}
    n_x, n_h = q1["params"]["n_x"], q1["params"]["n_h"]
    assert answers["d"] == [n_x * n_h + n_h, n_h + 1]
    text = {p["part"]: p for p in q1["parts"]}["e"]
    assert text["kind"] == "text" and text["rubric"]
