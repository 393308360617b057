"""Bad input: one clear sentence, a non-zero exit, and no half-written output."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generator.resources import bank_dir

from .conftest import needs_tex, write_blueprint

Q7_FOLDER = bank_dir() / "cs230-w2020" / "q7-cnns"


def run(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "generator", *map(str, args)],
        capture_output=True, text=True, env=env, cwd=cwd,
    )  # fmt: skip


def assert_clean_failure(result, out: Path, *phrases: str, code: int = 1) -> None:
    assert result.returncode == code
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message, message
    for phrase in phrases:
        assert phrase in message
    assert "Traceback" not in result.stderr
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())


def custom_question(tmp_path: Path, edit) -> Path:
    """A copy of Question 7 under a new id, changed by ``edit(toml_text) -> toml_text``."""
    folder = tmp_path / "bank" / "my-cnn"
    shutil.copytree(Q7_FOLDER, folder)
    toml = folder / "question.toml"
    text = toml.read_text().replace('id = "cs230-w2020/cnns"', 'id = "mine/cnn"')
    toml.write_text(edit(text))
    return tmp_path / "bank"


def test_unknown_blueprint(tmp_path):
    out = tmp_path / "out"
    result = run("--seed", 1, "--blueprint", "no-such-exam", "--out", out)
    assert_clean_failure(result, out, "unknown blueprint 'no-such-exam'", "cs230-midterm")


@pytest.mark.parametrize("seed", ["abc", "4.2", "-1"])
def test_bad_seed(tmp_path, seed):
    out = tmp_path / "out"
    result = run("--seed", seed, "--out", out, "--no-pdf")
    assert_clean_failure(result, out, "--seed", code=2)


def test_question_folder_with_a_missing_field(tmp_path):
    bank = custom_question(tmp_path, lambda t: t.replace('title = "CNNs"\n', ""))
    blueprint = write_blueprint(tmp_path / "bp.toml", ["mine/cnn"])
    out = tmp_path / "out"
    result = run("--seed", 1, "--bank", bank, "--blueprint", blueprint, "--out", out, "--no-pdf")
    assert_clean_failure(result, out, "my-cnn/question.toml", "missing field 'title'")


def test_misspelt_field_gets_a_suggestion(tmp_path):
    bank = custom_question(tmp_path, lambda t: t.replace("points = 2\n", "pionts = 2\n", 1))
    blueprint = write_blueprint(tmp_path / "bp.toml", ["mine/cnn"])
    out = tmp_path / "out"
    result = run("--seed", 1, "--bank", bank, "--blueprint", blueprint, "--out", out, "--no-pdf")
    assert_clean_failure(result, out, "part (c)", "unknown field 'pionts'", "did you mean 'points'")


def test_blueprint_naming_an_unknown_question(tmp_path):
    blueprint = write_blueprint(tmp_path / "bp.toml", ["cs230-w2020/no-such-question"])
    out = tmp_path / "out"
    result = run("--seed", 1, "--blueprint", blueprint, "--out", out, "--no-pdf")
    assert_clean_failure(result, out, "bp.toml", "unknown id 'cs230-w2020/no-such-question'")


def test_no_tex_engine_on_path(tmp_path):
    out = tmp_path / "out"
    env = {**os.environ, "PATH": str(tmp_path / "empty-bin")}
    result = run("--seed", 1, "--out", out, env=env)
    assert_clean_failure(result, out, "pdflatex was not found on PATH", "--no-pdf")


def test_latex_error_names_the_error_and_keeps_the_previous_output(tmp_path):
    needs_tex()
    bank = custom_question(tmp_path, lambda t: t)
    template = bank / "my-cnn" / "question.tex.j2"
    template.write_text(template.read_text().replace("Give a reason", r"\nosuchmacro Give"))
    blueprint = write_blueprint(tmp_path / "bp.toml", ["mine/cnn"])
    out = tmp_path / "out"
    good = run("--seed", 1, "--bank", bank, "--blueprint", blueprint, "--out", out, "--no-pdf")
    assert good.returncode == 0, good.stderr
    before = {p.name: p.read_bytes() for p in (out / "custom-seed1").iterdir()}
    result = run("--seed", 1, "--bank", bank, "--blueprint", blueprint, "--out", out)
    assert result.returncode == 1
    assert "Undefined control sequence" in result.stderr and "nosuchmacro" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["custom-seed1"]  # no staging left over
    assert {p.name: p.read_bytes() for p in (out / "custom-seed1").iterdir()} == before


def test_blueprint_text_is_escaped_for_latex(tmp_path):
    needs_tex()
    blueprint = write_blueprint(
        tmp_path / "bp.toml", ["cs230-w2020/cnns"],
        course="Stats & ML_101: 50% #1 {cool} ~me^2 \\end",
    )  # fmt: skip
    out = tmp_path / "out"
    result = run("--seed", 3, "--blueprint", blueprint, "--out", out)
    assert result.returncode == 0, result.stderr
    text = subprocess.run(
        ["pdftotext", str(out / "custom-seed3" / "exam.pdf"), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert "Stats & ML_101: 50% #1 {cool} ~me^2 \\end" in text


def test_an_unwritable_format_cache_only_costs_speed(tmp_path):
    needs_tex()
    out = tmp_path / "out"
    env = {**os.environ, "XDG_CACHE_HOME": "/proc/no-such-cache"}
    result = run("--seed", 5, "--out", out, env=env)
    assert result.returncode == 0, result.stderr
    assert (out / "cs230-midterm-winter-2020-seed5" / "exam.pdf").stat().st_size > 10_000


def test_compiled_templates_are_cached_and_change_nothing(tmp_path):
    """Jinja's compiled templates are kept in the user's cache (a tenth of a second of every
    start): a second run reads them back and writes the very same files."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    outputs = []
    for name in ("first", "second"):
        result = run("--seed", 9, "--no-pdf", "--out", tmp_path / name, env=env)
        assert result.returncode == 0, result.stderr
        folder = tmp_path / name / "cs230-midterm-winter-2020-seed9"
        outputs.append({p.name: p.read_bytes() for p in folder.glob("*.*")})
    (jinja,) = (tmp_path / "cache" / "exam-variant-generator").glob("jinja-*")
    assert len(list(jinja.iterdir())) >= 8  # the document and the seven questions
    assert outputs[0] == outputs[1] and "exam.tex" in outputs[0]
