"""Writing a question: the scaffold of ``generate-exam new``, the checks a question meets
when it is loaded, and one ``Error:`` line (traceback only with --debug) for an author's
mistake."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from generator.bank import scaffold
from generator.bank.questions import load_bank, load_question
from generator.check.stress import check_bank
from generator.errors import BankError
from tests.conftest import first_copy, realise

SHIPPED = Path(__file__).parent.parent / "question_bank"


def generate_exam(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip


# The ids the bank keys the seeds with: a scaffold must pass check whatever its id (my/q,
# c/a and c/b once drew w.x + b = 0, so its output 0.5 was a printed number, or a z near
# -7, an output of 0.001 asked to two decimals).
IDS = ["my-course/ex", "my/q", "c/a", "c/b", "quiz/neuron", "x/y", "a/b", "cs101/q1"]


@pytest.mark.parametrize("kind", scaffold.KINDS)
@pytest.mark.parametrize("qid", IDS)
def test_a_new_question_of_each_kind_passes_check_over_300_seeds(tmp_path, kind, qid):
    folder = scaffold.new_question(f"{qid}-{kind}", tmp_path, kind=kind)
    question = load_question(folder)
    assert [leaf.answer.kind for leaf in question.leaves()] == [kind]
    assert question.topic == qid.split("/")[0]
    (result,) = check_bank([tmp_path], [question.id], variants=300, first_seed=0).values()
    assert result.findings == []
    for seed in range(300):  # the output asked to two decimals reads clearly
        answer = realise(question, 1, *first_copy(seed)).answers["a"]
        if kind == "number":
            assert 0.05 < answer.value < 0.95, (seed, answer.value)


def test_new_writes_the_three_files_and_says_what_to_do_next(tmp_path):
    result = generate_exam("new", "my-course/softmax", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "my-course" / "softmax"
    assert sorted(p.name for p in folder.iterdir()) == ["question.tex.j2", "question.toml",
                                                        "solve.py"]  # fmt: skip
    assert "generate-exam check --bank my-course --question my-course/softmax" in result.stdout
    assert "my-course/softmax" in load_bank([tmp_path / "my-course"])
    # The comments point to sections of the guide that exist.
    guide = (SHIPPED.parent / "docs" / "authoring.md").read_text(encoding="utf-8")
    anchors = {_slug(line.lstrip("#")) for line in guide.splitlines() if line.startswith("#")}
    for path in folder.iterdir():
        for cited in set(_anchors(path.read_text(encoding="utf-8"))):
            assert cited in anchors, f"{path.name} cites #{cited}, which the guide lacks"


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub and mkdocs make it (question.toml -> questiontoml)."""
    import re

    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(text: str) -> list[str]:
    import re

    return re.findall(r"#([a-z_]+)\)", text) + re.findall(r"authoring\.md#([a-z_]+)", text)


def test_new_refuses_an_existing_folder_and_a_bad_id(tmp_path):
    assert generate_exam("new", "a/b", cwd=tmp_path).returncode == 0
    again = generate_exam("new", "a/b", cwd=tmp_path)
    assert again.returncode == 1
    assert again.stderr.startswith("Error: ") and "already exists" in again.stderr
    for bad in ("../escape", "Upper/Case", "a/../../b"):
        refused = generate_exam("new", bad, cwd=tmp_path)
        assert refused.returncode == 1 and "cannot be a question id" in refused.stderr, bad
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_new_refuses_an_id_with_a_trailing_newline(tmp_path):
    """Issue 28: the id check's ``$`` matched before a final newline: exit 0, a folder
    ``abc\n`` and a question.toml that was not TOML."""
    for bad in ("qq/abc\n", "qq/abc\r\n", "qq/\nabc"):
        refused = generate_exam("new", bad, cwd=tmp_path)
        assert refused.returncode == 1, bad
        assert refused.stderr.startswith("Error: ") and "cannot be a question id" in refused.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "topic",
    ['say "hi"', "back\\slash", 'line"\nid = "injected', "tab\tand\r\nbreaks", "ünïcode"],
    ids=["quotes", "backslash", "injection", "tab and line breaks", "unicode"],
)
def test_new_writes_any_topic_as_a_toml_string(tmp_path, topic):
    """Issue 28: a topic with a quote, backslash or newline wrote broken or injected TOML."""
    result = generate_exam("new", "course/q", "--topic", topic, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    question = load_question(tmp_path / "course" / "q")
    assert question.id == "course/q" and question.topic == topic


def test_new_refuses_a_topic_with_a_control_character(tmp_path):
    """A bell or a DEL would be written escaped, and the bank refuses the file it loads
    (no text of ours prints one): refused at once, nothing written."""
    result = generate_exam("new", "course/q", "--topic", "bell\x07del\x7f", cwd=tmp_path)
    assert result.returncode == 1 and "control character (U+0007)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_shipped_questions_import_only_the_authoring_module():
    for solver in sorted(SHIPPED.rglob("solve.py")):
        tree = ast.parse(solver.read_text(encoding="utf-8"))
        modules = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
        modules |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        ours = {m for m in modules if m and m.split(".")[0] == "generator"}
        assert ours <= {"generator.authoring"}, f"{solver}: {ours}"


def _mutate(folder: Path, old: str, new: str, name: str = "solve.py") -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_missing_closed_form_is_refused_when_the_question_loads(tmp_path):
    folder = scaffold.new_question("my/q", tmp_path)
    _mutate(folder, "def closed_form(", "def unused_closed_form(")
    with pytest.raises(BankError, match=r"no function closed_form\(params\), but parts \(a\)"):
        load_question(folder)


def test_a_solver_function_with_the_wrong_arguments_is_refused_at_load(tmp_path):
    folder = scaffold.new_question("my/q", tmp_path)
    _mutate(folder, "def solve(params: dict[str, Any], rng: np.random.Generator)",
            "def solve(params: dict[str, Any])")  # fmt: skip
    with pytest.raises(BankError, match=r"solve\(\) must take \(params, rng\)"):
        load_question(folder)


@pytest.mark.parametrize(
    ("file", "old", "new", "said"),
    [
        (
            "solve.py",
            '    return {\n        "w"',
            '    1 / 0\n    return {\n        "w"',
            r"sample\(\) failed at solve.py line \d+ \(ZeroDivisionError",
        ),
        ("question.tex.j2", r"\VAR{b}", r"\VAR{bias}", r"question.tex.j2, line \d+: .*bias"),
        ("solve.py", "def closed_form(", "def other(", r"no function closed_form"),
    ],
    ids=["raising-sample", "undefined-template-variable", "missing-closed-form"],
)
def test_a_broken_question_is_one_error_line_and_debug_adds_the_traceback(
    tmp_path, file, old, new, said
):
    import re

    folder = scaffold.new_question("my/broken", tmp_path / "bank")
    _mutate(folder, old, new, file)
    blueprint = tmp_path / "blueprint.toml"  # exam.toml in the cwd would be a course config
    blueprint.write_text('name = "t"\ntitle = "T"\n[[questions]]\nid = "my/broken"\n')
    args = ("--seed", 7, "--blueprint", blueprint, "--bank", tmp_path / "bank", "--no-pdf",
            "--public", "--out", tmp_path / "out")  # fmt: skip
    result = generate_exam(*args, cwd=tmp_path)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Warning")]
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert re.search(said, lines[0]), lines[0]
    if "closed_form" not in said:  # drawn for a seed: the line names it
        assert "seed 7" in lines[0]
    debug = generate_exam(*args, "--debug", cwd=tmp_path)
    assert debug.returncode == result.returncode
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1] == lines[0]
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("kind", "old", "new"),
    [
        ("vector", 'return {"a": [float(z), float(dense.relu(z))]}', 'return {"a": 3.5}'),
        ("vector", 'return {"a": [float(z), float(dense.relu(z))]}', 'return {"a": {"z": 1}}'),
        ("number", 'return {"a": output}', 'return {"a": [output]}'),
    ],
)
def test_an_answer_of_another_kinds_type_is_one_error_line(tmp_path, kind, old, new):
    folder = scaffold.new_question("my/q", tmp_path / "bank", kind=kind)
    _mutate(folder, old, new)
    result = generate_exam("preview", "my/q", "--bank", tmp_path / "bank", "--variants", "2",
                           "--no-pdf", "--out", tmp_path / "out", cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("Error")]
    assert len(lines) == 1, result.stderr
    assert "part (a)" in lines[0] and f"its kind is {kind}" in lines[0], lines[0]
