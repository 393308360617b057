"""The Python API (generator/api.py): every example of docs/python-api.md runs, in order,
in one session, and does what the page says; a build never assumes public mode."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

from generator import api
from generator.builds.pipeline import BuildSpec, BuildSpecError
from generator.key.read import read_key

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "python-api.md"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


@pytest.fixture(scope="module")
def session(tmp_path_factory) -> dict:
    """The page's examples run one after the other in a fresh folder, as a reader would."""
    folder = tmp_path_factory.mktemp("api")
    namespace: dict = {"__name__": "__main__"}  # as a script run by python is
    printed = io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(printed):
        for code in examples():
            exec(compile(code, str(PAGE), "exec"), namespace)
    namespace["_printed"] = printed.getvalue()
    namespace["_folder"] = folder
    return namespace


def test_the_page_has_the_three_examples_the_issue_asks_for_and_a_run_folder():
    assert len(examples()) == 4


def test_the_run_folder_holds_the_key_the_api_built(session):
    """The same seed, secret and copies: the run's key.json is the API's key, copy for copy."""
    folder = session["_folder"] / session["result"].folder  # written where the script ran
    built = read_key(folder / "key.json")
    assert session["result"].folder.name == "cs230-midterm-winter-2020-seed42-class"
    assert [v.questions for v in built.variants] == [v.questions for v in session["key"].variants]


def test_a_five_copy_class_with_the_courses_secret(session, tmp_path):
    key = session["key"]
    assert len(key.variants) == 5 and not key.exam.public
    assert (session["_folder"] / "course.secret").is_file()  # made on first use
    # the same copies as the command line builds with that secret
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(cli, ["build", "--seed", "42", "--variants", "5", "--no-pdf",
                                      "--no-solutions", "--secret-file",
                                      str(session["_folder"] / "course.secret"),
                                      "--out", str(tmp_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = [p for p in tmp_path.iterdir() if p.is_dir()]
    built = read_key(run / "key.json")
    assert [v.variant for v in built.variants] == [v.variant for v in key.variants]
    assert built.variants[3].questions == key.variants[3].questions


def test_the_key_as_a_table_has_a_row_per_copy_and_part(session):
    key, table = session["key"], session["table"]
    parts = sum(len(q.parts) for v in key.variants for q in v.questions)
    assert len(table) == parts
    row = table.iloc[0]
    part = key.variants[0].questions[0].parts[0]
    assert (row.variant, row.label, row.value) == (key.variants[0].variant, part.label,
                                                   part.answer)  # fmt: skip


def test_grading_the_table_scores_each_number_and_names_the_wrong_one(session):
    key, marks, table = session["key"], session["marks"], session["table"]
    numbers = table[table.kind.isin(["integer", "number"])]
    answered = marks[marks.response != ""]
    assert len(answered) == len(numbers)
    wrong = answered[answered.score < answered.points]
    # the one changed response, and only it: the first number part of the first copy
    assert list(zip(wrong.variant, wrong.label, strict=True)) == [
        (numbers.iloc[0].variant, numbers.iloc[0].label)]  # fmt: skip
    assert wrong.iloc[0].score == 0 and wrong.iloc[0].verdict == "wrong"
    # each copy earns the points of its number parts, less the one wrong
    per_copy = answered.groupby("variant").score.sum()
    expected = numbers.groupby("variant").points.sum()
    expected[numbers.iloc[0].variant] -= numbers.iloc[0].points
    assert per_copy.to_dict() == pytest.approx(expected.to_dict())
    assert len(marks) == len(table)  # every part of every copy, the unanswered too
    assert key.variants[0].variant in session["_printed"]


def test_a_build_asks_for_a_secret_and_public_mode_by_name(tmp_path):
    with pytest.raises(TypeError):
        api.build(seed=1)  # no secret: refused, never public by default
    with pytest.raises(api.APIError, match="secret= must be a Secret"):
        api.build(seed=1, secret="course.secret")
    assert api.build(seed=1, secret=api.PUBLIC).exam.public
    with pytest.raises(BuildSpecError, match="BuildSpec needs secret="):
        BuildSpec(seed=1, out=tmp_path)


def test_a_responses_table_without_its_columns_says_which(session):
    import pandas as pd

    from generator.grading.records import ResponsesError

    with pytest.raises(ResponsesError, match="no column label, response"):
        api.grade_frame(session["key"], pd.DataFrame({"student": ["v0"]}))


def test_empty_cells_of_any_kind_are_unanswered_not_unreadable(session):
    """pandas writes a blank cell as NaN, or as NA with ``dtype="string"``: both are an
    empty response (0 points), never the text "<NA>" sent to a person."""
    import pandas as pd

    key, table = session["key"], session["table"]
    first = table[table.kind == "integer"].iloc[0]
    for blank in (None, float("nan"), pd.NA):
        responses = pd.DataFrame({"student": [first.variant], "label": [first.label],
                                  "response": pd.Series([blank], dtype=object)})  # fmt: skip
        marks = api.grade_frame(key, responses.astype({"response": "string"})
                                if blank is pd.NA else responses)  # fmt: skip
        row = marks[marks.label == first.label].iloc[0]
        assert (row.score, row.response) == (0, ""), blank


def test_an_empty_responses_table_gives_an_empty_marks_table_with_its_columns(session):
    import pandas as pd

    marks = api.grade_frame(session["key"], pd.DataFrame(columns=["student", "label",
                                                                  "response"]))  # fmt: skip
    assert marks.empty and list(marks.columns) == list(api.MARKS_COLUMNS)
    assert marks.groupby("student").score.sum().empty


def test_the_marks_say_which_points_are_extra_credit(session):
    """The default exam is 60 points + 2 extra credit (the seed exam's cover)."""
    marks = session["marks"]
    one = marks[marks.variant == marks.variant.iloc[0]]
    assert one.points.sum() == 62 and one[~one.bonus].points.sum() == 60


def test_a_class_of_students_is_checked_as_a_roster_is(tmp_path):
    with pytest.raises(api.APIError, match="0 copies: build from 1 to 20,000"):
        api.build(seed=1, secret=api.PUBLIC, students=[])
    twice = [api.Student("s1", "Ada"), api.Student("s1", "Bob")]
    with pytest.raises(api.APIError, match="students= lists the id 's1' twice"):
        api.build(seed=1, secret=api.PUBLIC, students=twice)
    roster = tmp_path / "roster.csv"
    roster.write_text("id,name\ns1,Ada Lovelace\ns2,Émile Durand\n", encoding="utf-8")
    key = api.build(seed=1, secret=api.PUBLIC, students=api.read_roster(roster))
    assert [(v.student.id, v.student.name) for v in key.variants] == [
        ("s1", "Ada Lovelace"), ("s2", "Émile Durand")]  # fmt: skip
