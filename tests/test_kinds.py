"""Answer kinds: one registry, per-kind tables checked at import, the response verdicts."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys
from fractions import Fraction

import pytest

from generator.key.schema import check
from generator.key.write import build_key
from generator.kinds import KINDS, Kind, MissingMapping, table
from generator.variants.assemble import build_exam
from generator.variants.roster import numbered
from generator.variants.seeding import Seeding

from .conftest import part_info

MADE_UP = """
import generator.kinds as kinds

@kinds.register
class MadeUp(kinds.Kind):
    name = "made-up"

import {module}
"""


# The modules that keep a per-kind table (an independent list: a new one must be added).
TABLE_OWNERS = ("check.stress", "lms.blackboard", "lms.canvas.qti12", "lms.canvas.report",
                "lms.moodle.gift", "lms.moodle.report", "lms.moodle.xml",
                "lms.qti21", "lms.scoring")  # fmt: skip


@pytest.mark.parametrize("module", [f"generator.{name}" for name in TABLE_OWNERS])
def test_a_kind_without_its_mappings_fails_at_import(module):
    """A new kind that a module's table does not know stops the program when that module is
    imported (an exporter before it writes anything), naming the table and the kind."""
    result = subprocess.run([sys.executable, "-c", MADE_UP.format(module=module)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("generator.kinds.MissingMapping: generator.")
    assert ", made-up)" in last and "add them to its table" in last


def test_every_per_kind_table_covers_every_kind():
    """The import check stops at the first table missing a kind; this names them all. The
    CLI imports each exporter only when it runs, so every module is imported here: a kind
    without a mapping fails this test before it can reach a user's run."""
    import generator
    from generator.kinds import TABLES

    for module in pkgutil.walk_packages(generator.__path__, "generator."):
        if module.name != "generator.__main__":  # that one runs the CLI
            importlib.import_module(module.name)
    assert sorted(TABLES) == sorted(f"generator.{name}" for name in TABLE_OWNERS)
    for owner, builders in TABLES.items():
        assert sorted(builders) == sorted(KINDS), owner


def test_the_key_schema_knows_the_registered_kinds():
    """A kind must also be one the key's schema accepts, or its first key write fails."""
    from generator.key.schema import schema

    assert sorted(schema()["$defs"]["PartInfo"]["properties"]["kind"]["enum"]) == sorted(KINDS)


def test_the_shipped_kinds_import_cleanly():
    source = MADE_UP.split("@kinds")[0] + "import generator.cli"
    result = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_a_table_names_every_missing_and_unknown_kind():
    builders = {name: None for name in KINDS if name not in ("vector", "code")}
    with pytest.raises(MissingMapping) as raised:
        table("some.exporter", {**builders, "vectr": None})
    message = str(raised.value)
    assert "(some.exporter, vector), (some.exporter, code)" in message
    assert "'vectr'" in message and "remove them" in message
    assert table("some.exporter", {name: 1 for name in KINDS}) == {name: 1 for name in KINDS}


def test_every_kind_says_what_it_is():
    assert set(KINDS) == {"integer", "number", "vector", "shape", "expression", "choice",
                          "multi", "matching", "text", "code"}  # fmt: skip
    assert {k for k, kind in KINDS.items() if kind.numeric} == {"integer", "number", "vector",
                                                                "shape"}  # fmt: skip
    assert {k for k, kind in KINDS.items() if kind.manual} == {"text"}
    for kind in KINDS.values():
        assert isinstance(kind, Kind)
        if kind.manual:  # people grade it: no verdict, whatever the response
            assert kind.score(part_info(kind.name, "x"), "x") is None


@pytest.fixture(scope="module")
def parts(bank, blueprint):
    """Every part of 30 copies of a few seeds, as the key stores them."""
    found = []
    for seed in (1, 2, 3):
        seeding = Seeding(seed)
        exam = build_exam(blueprint, bank, seeding, assignments=numbered(seeding, 10))
        for variant in check(build_key(exam)).variants:
            found += [p for _, p in variant.parts]
    return found


def test_the_key_written_as_text_scores_full_marks(parts):
    """What the answer CSV writes for a part is a response its kind gives full credit."""
    for part in parts:
        kind = KINDS[part.kind]
        verdict = kind.score(part, kind.cell(part))
        by_person = kind.manual or part.scoring.person == "always"  # 6(d): its reason
        assert verdict == (None if by_person else 1.0), (part.label, kind.cell(part))


def test_numbers_are_right_inside_the_tolerance_and_wrong_outside(parts):
    """The bounds, computed here with fractions: 0.99 of the margin in, 1.01 out."""
    for part in (p for p in parts if p.kind == "number"):
        answer = Fraction(str(part.answer))
        tol = part.tolerance
        margin = max(Fraction(str(tol.abs)), Fraction(str(tol.rel)) * abs(answer))
        kind = KINDS["number"]
        for factor, expected in ((Fraction(99, 100), 1.0), (Fraction(101, 100), 0.0)):
            for sign in (1, -1):
                given = answer + sign * factor * margin
                text = f"{float(given):.17g}"
                assert kind.score(part, text) == expected, (part.label, text)


def test_vectors_earn_a_share_per_entry():
    part = part_info("vector", [1.01, 1.99, 3.01], tolerance={"abs": 0.005, "rel": 0})
    vector = KINDS["vector"]
    assert vector.score(part, "1.01, 1.99, 3.01") == 1
    assert vector.score(part, "(1.014; 2.5; 3.01)") == pytest.approx(2 / 3)
    assert vector.score(part, "1.01") == pytest.approx(1 / 3)
    assert vector.score(part, "") == 0
    assert KINDS["shape"].score(part_info("shape", [28, 28, 2]), "28x28x2") == 1


def test_select_all_scores_each_statement_as_its_rubric_says():
    """4(a) and 6(a): 0.5 points for each statement circled or left out correctly; without
    that rule a select-all part is all or nothing (no rubric names partial credit)."""
    options = [{"label": label, "text": "", "correct": label in ("i", "iii"), "why": "",
                "mistake": ""} for label in ("i", "ii", "iii", "iv")]  # fmt: skip
    statements = {"rule": "statements", "each": 0.5}
    part = part_info("multi", ["i", "iii"], options=options, points=2, scoring=statements)
    multi = KINDS["multi"]
    # the share of 2 points: 0.5 for each of the four statements decided right
    assert multi.score(part, "(i), (iii)") == 1
    assert multi.score(part, "i") == 0.75  # iii left out: 3 of 4 right
    assert multi.score(part, "i; ii") == 0.5  # ii circled, iii left out
    assert multi.score(part, "i; iii; iv") == 0.75
    assert multi.score(part, "ii; iv") == 0  # every statement decided wrong
    assert multi.score(part, "") == 0.5  # the two false ones left out
    # an LMS's True/False blank left unanswered (?ii, lms/reports.py): no decision, wrong
    assert multi.score(part, "i; iii; ?ii") == 0.75
    assert multi.score(part, "?i; ?ii; ?iii; ?iv") == 0
    whole = part_info("multi", ["i", "iii"], options=options, scoring={"rule": "all"})
    assert multi.score(whole, "i; iii") == 1
    assert multi.score(whole, "i") == 0
    none_right = [{**option, "correct": False} for option in options]
    assert multi.score(part_info("multi", [], options=none_right), "") == 1


def test_choice_and_matching():
    options = [{"label": label, "text": f"option {label}", "correct": label == "B", "why": "",
                "mistake": ""} for label in "ABC"]  # fmt: skip
    choice = part_info("choice", "B", options=options)
    assert KINDS["choice"].score(choice, " b. ") == 1
    assert KINDS["choice"].score(choice, "C") == 0
    assert KINDS["choice"].score(choice, "Option B") == 1  # as the solutions print it
    assert KINDS["choice"].score(choice, "option b") == 1  # the option's own text
    assert KINDS["choice"].score(choice, "??") is None  # names no option: a person looks
    methods = [{"label": m, "text": m, "correct": True, "why": "", "mistake": ""}
               for m in ("BGD", "MBGD", "SGD")]  # fmt: skip
    part = part_info("matching", {"A": "SGD", "B": "MBGD", "C": "BGD"}, options=methods,
                     scoring={"rule": "entries"})  # fmt: skip
    assert KINDS["matching"].score(part, "A=SGD; B=BGD; C=MBGD") == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("kind", "raw"),
    [("integer", 3.0), ("number", "0.5"), ("vector", []), ("shape", [2, 0]), ("text", "")],
)
def test_a_value_that_does_not_fit_its_kind_is_refused_where_it_is_made(kind, raw):
    """A class build checks the key's rules on each copy's values here, at the solver's
    answer (and key.write.check_entry the entry): each refused value is one the key's
    schema forbids."""
    from generator.kinds import make_answer
    from generator.kinds.answers import AnswerSpec

    with pytest.raises(ValueError):
        make_answer(AnswerSpec(kind), raw)


def test_a_drawn_text_part_takes_its_model_answer_and_rubric_from_solve():
    """A part asking one of several alternatives answers each its own way: the Model's
    answer and rubric replace question.toml's; without either the part is refused."""
    from generator.kinds import make_answer
    from generator.kinds.answers import AnswerSpec, Model

    spec = AnswerSpec(kind="text", model_answer="toml's", rubric=("toml's note",))
    drawn = make_answer(spec, Model("Yes: SGD's order changes.", ("Credit for 'yes'.",)))
    assert (drawn.value, drawn.rubric) == ("Yes: SGD's order changes.", ("Credit for 'yes'.",))
    assert make_answer(spec, Model("No.")).rubric == ("toml's note",)
    assert make_answer(spec, None).value == "toml's"
    with pytest.raises(ValueError, match="needs a model answer"):
        make_answer(AnswerSpec(kind="text"), None)
    with pytest.raises(ValueError, match="is not a Model"):
        make_answer(AnswerSpec(kind="integer"), Model("1"))
