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
    # one folder per environment: the document's (sandboxed) and the questions'
    folders = list((tmp_path / "cache" / "exam-variant-generator").glob("jinja-*"))
    assert len(folders) == 2
    assert sum(len(list(f.iterdir())) for f in folders) >= 8  # the document, seven questions
    assert outputs[0] == outputs[1] and "exam.tex" in outputs[0]


def errors_of(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("Warning:")]


def clean_failure(result, out: Path, *phrases: str, code: int = 1) -> str:
    """Like assert_clean_failure, for runs that may warn first (public mode)."""
    assert result.returncode == code, result.stderr
    (line,) = errors_of(result)
    assert line.startswith("Error: ") and "Traceback" not in result.stderr, result.stderr
    for phrase in phrases:
        assert phrase in line, line
    assert not out.exists() or not any(out.iterdir()), list(out.iterdir())
    return line


@pytest.mark.parametrize(
    ("lines", "phrases"),
    [
        ('[[questions]]\nid = ["a"]\n', ["question 1: field 'id' holds an id that is not text"]),
        ('[[questions]]\nid = "cs230-w2020/cnns"\npoints = 3\n',
         ["question 1: unknown field 'points'"]),
        ('course = 5\n[[questions]]\nid = "cs230-w2020/cnns"\n',
         ["field 'course' has the wrong type"]),
    ],
)  # fmt: skip
def test_blueprint_fields_have_their_types(tmp_path, lines, phrases):
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('name = "x"\ntitle = "X"\n' + lines, encoding="utf-8")
    out = tmp_path / "out"
    result = run("--public", "--seed", 1, "--blueprint", blueprint, "--out", out, "--no-pdf")
    clean_failure(result, out, str(blueprint), *phrases)


def test_a_blueprint_that_is_not_utf8(tmp_path):
    blueprint = tmp_path / "bp.toml"
    blueprint.write_bytes('name = "x"\ntitle = "Prüfung"\n'.encode("latin-1"))
    out = tmp_path / "out"
    result = run("--public", "--seed", 1, "--blueprint", blueprint, "--out", out, "--no-pdf")
    clean_failure(result, out, f"{blueprint}: not UTF-8 text", "save it as UTF-8")


@pytest.mark.parametrize(
    ("edit", "phrases"),
    [
        (lambda t: t.replace("points = 2\n", "points = inf\n", 1),
         ["field 'parts[2].points' is inf"]),
        (lambda t: t.replace("points = 2\n", "points = nan\n", 1),
         ["field 'parts[2].points' is nan"]),
        (lambda t: t.replace('kind = "shape"\n', 'kind = "shape"\ntolerance = {abs = "x"}\n', 1),
         ["field 'tolerance' must look like"]),
        (lambda t: t.replace('title = "CNNs"', 'title = "CNNs"\ntopic = "é"').encode("latin-1"),
         ["question.toml: not UTF-8 text"]),
    ],
)  # fmt: skip
def test_question_fields_are_checked(tmp_path, edit, phrases):
    folder = custom_question(tmp_path, lambda t: t)
    toml = folder / "my-cnn" / "question.toml"
    edited = edit(toml.read_text())
    toml.write_bytes(edited if isinstance(edited, bytes) else edited.encode())
    blueprint = write_blueprint(tmp_path / "bp.toml", ["mine/cnn"])
    out = tmp_path / "out"
    result = run("--public", "--seed", 1, "--bank", folder, "--blueprint", blueprint,
                 "--out", out, "--no-pdf")  # fmt: skip
    clean_failure(result, out, *phrases)


@pytest.mark.parametrize(
    ("function", "body", "phrases"),
    [
        ("sample", "raise ValueError('no luck')",
         ["sample() failed at solve.py line", "ValueError: no luck", "(seed 7, variant "]),
        ("solve", "import sys; sys.exit(0)", ["solve() failed at solve.py line",
                                              "it called sys.exit()"]),
        # (Q7's sample() calls closed_form() itself: the line is closed_form's either way)
        ("closed_form", "return 1 / 0", ["failed at solve.py line", "ZeroDivisionError"]),
    ],
)  # fmt: skip
def test_an_authors_failing_function_names_the_question_seed_and_line(
    tmp_path, function, body, phrases
):
    folder = custom_question(tmp_path, lambda t: t)
    solver = folder / "my-cnn" / "solve.py"
    lines = solver.read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"def {function}("))
    while not lines[start].rstrip().endswith(":"):  # a signature over several lines
        start += 1
    lines.insert(start + 1, f"    {body}")
    solver.write_text("\n".join(lines) + "\n")
    blueprint = write_blueprint(tmp_path / "bp.toml", ["mine/cnn"])
    out = tmp_path / "out"
    result = run("--public", "--seed", 7, "--bank", folder, "--blueprint", blueprint,
                 "--out", out, "--no-pdf")  # fmt: skip
    line = clean_failure(result, out, "question 'mine/cnn'", *phrases)
    assert f"line {start + 2} " in line  # the author's own line, counted from 1


def test_an_undefined_template_name_points_to_the_template_line(tmp_path):
    folder = custom_question(tmp_path, lambda t: t)
    template = folder / "my-cnn" / "question.tex.j2"
    lines = template.read_text().splitlines()
    number = next(i for i, line in enumerate(lines) if r"\VAR{" in line) + 1
    lines[number - 1] = lines[number - 1].replace(r"\VAR{", r"\VAR{no_such_name}\VAR{", 1)
    template.write_text("\n".join(lines) + "\n")
    blueprint = write_blueprint(tmp_path / "bp.toml", ["mine/cnn"])
    out = tmp_path / "out"
    result = run("--public", "--seed", 7, "--bank", folder, "--blueprint", blueprint,
                 "--out", out, "--no-pdf")  # fmt: skip
    clean_failure(result, out, f"{template}, line {number}:", "'no_such_name' is undefined",
                  "(seed 7, variant")  # fmt: skip


@pytest.mark.parametrize("library", ["click", "sympy"])
def test_ctrl_c_while_the_libraries_load_is_aborted_quietly(tmp_path, library):
    """The interrupt is made to land in the import of click, before the CLI exists, or of
    sympy, which the build command loads when it runs. Either way: "Aborted.", exit 130
    (click starts a line first, after the ^C a terminal shows)."""
    script = tmp_path / "interrupt.py"
    script.write_text(
        "import builtins, sys\n"
        "real = builtins.__import__\n"
        "def hook(name, *args, **kwargs):\n"
        f"    if name == {library!r}:\n"
        "        raise KeyboardInterrupt\n"
        "    return real(name, *args, **kwargs)\n"
        "builtins.__import__ = hook\n"
        "sys.argv = ['generate-exam', '--seed', '1']\n"
        "from generator.launch import main\n"
        "main()\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert result.returncode == 130
    assert result.stderr.lstrip("\n") == "Aborted.\n"


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--seed", str(2**64)], "'--seed'"),
        (["--seed", "1", "--workers", "300"], "'--workers'"),
        (["--seed", "1", "--variants", "1000000000"], "'--variants'"),
        (["check", "--variants", "1000000000"], "'--variants'"),
    ],
)
def test_absurd_counts_are_refused_at_once(tmp_path, args, phrase):
    out = tmp_path / "out"
    result = run(*args, "--out", out) if args[0] != "check" else run(*args)
    line = clean_failure(result, out, phrase, code=2)
    assert "--out" not in line.split(phrase)[0]  # blamed on the right option


def test_workers_are_never_more_than_the_chunks(tmp_path, monkeypatch):
    from generator.builds import chunks as classbuild

    sizes = []
    real = classbuild.ProcessPoolExecutor

    def recording(workers, **kwargs):
        sizes.append(workers)
        return real(workers, **kwargs)

    monkeypatch.setattr(classbuild, "ProcessPoolExecutor", recording)
    from generator.builds.pipeline import BuildSpec, build
    from generator.variants.seeding import PUBLIC

    build(BuildSpec(seed=1, secret=PUBLIC, copies=3, out=tmp_path, pdf=False, workers=60))
    assert sizes == [3]  # three copies: three chunks


def test_a_report_that_cannot_be_written_names_its_own_option(tmp_path):
    result = run("check", "--variants", "2", "--question", "cs230-w2020/cnns",
                 "--report", tmp_path / "no" / "such" / "report.md")  # fmt: skip
    assert result.returncode == 1
    line = result.stderr.strip().splitlines()[-1]
    assert line.startswith(f"Error: {tmp_path / 'no' / 'such' / 'report.md'}: cannot write it")
    assert "--report" in line and "--out" not in line


def test_an_os_error_names_the_file_not_a_python_object(tmp_path):
    from generator.errors import os_error

    with (tmp_path / "x.pdf").open("wb") as handle:
        message = os_error(OSError(28, "No space left on device", handle))
    assert message.startswith(f"{tmp_path / 'x.pdf'}: No space left on device; nothing")
    assert "<_io" not in message and "free some space" in message


def test_a_truncated_tex_format_is_rebuilt_and_costs_no_output(tmp_path):
    """A full disk or a kill can leave the cached format cut short: TeX then fails on every
    document. The run notices, builds it again, and the exams come out."""
    needs_tex()
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    out = tmp_path / "out"
    first = run("--public", "--seed", 3, "--variants", 2, "--out", out, env=env)
    assert first.returncode == 0, first.stderr
    (fmt,) = (tmp_path / "cache" / "exam-variant-generator").glob("exam-*.fmt")
    size = fmt.stat().st_size
    fmt.write_bytes(fmt.read_bytes()[: size // 3])
    again = run("--public", "--seed", 3, "--variants", 2, "--out", out, "--force", env=env)
    assert again.returncode == 0, again.stderr
    assert fmt.stat().st_size == size
    assert len(list(out.glob("*/students/*/exam.pdf"))) == 2


def test_a_damaged_format_in_use_falls_back_to_plain_typesetting(tmp_path):
    """Even if the check of the format's size is fooled, TeX's complaint about the format is
    caught: the document is typeset without it and the bad format is dropped."""
    needs_tex()
    from generator.render import pdf

    tex = tmp_path / "doc.tex"
    tex.write_text("\\documentclass{article}\\begin{document}Hello\\end{document}\n")
    bad = tmp_path / "bad.fmt"
    bad.write_bytes(b"W2TX" + bytes(1000))
    assert pdf.compile_pdf(tex, pdf.check_tex(), bad).stat().st_size > 1000
    assert not bad.exists()


def test_single_exam_pdfs_are_the_same_bytes_every_run(tmp_path):
    needs_tex()
    outputs = []
    for name in ("a", "b"):
        result = run("--public", "--seed", 4, "--out", tmp_path / name)
        assert result.returncode == 0, result.stderr
        (folder,) = (tmp_path / name).iterdir()
        outputs.append({p: (folder / p).read_bytes() for p in ("exam.pdf", "solutions.pdf")})
    assert outputs[0] == outputs[1]
    assert b"/CreationDate" not in outputs[0]["exam.pdf"]


def test_a_build_spec_that_no_run_can_be_is_refused(tmp_path):
    """The library checks what the command line checks: build() is an entry point too."""
    from generator.builds.pipeline import BuildSpec, BuildSpecError
    from generator.variants.roster import Student
    from generator.variants.seeding import PUBLIC

    with pytest.raises(BuildSpecError, match="replica"):
        BuildSpec(secret=PUBLIC, replica=True, copies=2, out=tmp_path)
    with pytest.raises(BuildSpecError, match="not both"):
        BuildSpec(secret=PUBLIC, students=(Student("s1", "A"),), copies=2, out=tmp_path)


def test_rebuilding_a_copy_outside_the_class_says_so(tmp_path):
    result = run("--public", "--seed", 3, "--variants", 5, "--variant-id", "v7", "--no-pdf",
                 "--out", tmp_path)  # fmt: skip
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("Error: --variant-id v7 is not a copy of this class of 5")
    assert "v0 to v4" in result.stderr and "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


MINI_BLUEPRINT = 'name = "mini"\ntitle = "Mini"\n[[questions]]\nid = "cs230-w2020/cnns"\n'


@pytest.mark.parametrize(
    ("extra", "phrases"),
    [
        ("x = " + "[" * 2000 + "]" * 2000 + "\n", ("line 1 (field 'x')", "at most 16 deep")),
        ("x = " + "{a = " * 2000 + "1" + "}" * 2000 + "\n", ("field 'x'", "at most 16 deep")),
        ("x = " + "[" * 40 + "]" * 40 + "\n", ("field 'x", "more than 16 deep", "flatten")),
    ],
    ids=["arrays 2000 deep", "inline tables 2000 deep", "arrays 40 deep"],
)
def test_deeply_nested_toml_is_one_error_line(tmp_path, extra, phrases):
    """Issue 28: a blueprint nesting arrays or inline tables 2,000 deep: RecursionError."""
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text(extra + MINI_BLUEPRINT)
    out = tmp_path / "out"
    result = run("--seed", 1, "--blueprint", blueprint, "--out", out, "--no-pdf")
    assert_clean_failure(result, out, str(blueprint), *phrases)


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "+nan"])
def test_a_non_finite_total_is_refused(tmp_path, value):
    """Issue 28: ``points = nan`` passed the total check (nan compares unequal to nothing)."""
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text(f"points = {value}\n" + MINI_BLUEPRINT)
    out = tmp_path / "out"
    result = run("--seed", 1, "--blueprint", blueprint, "--out", out, "--no-pdf")
    assert_clean_failure(result, out, str(blueprint), "field 'points'", "finite number")


@pytest.mark.parametrize(
    ("extra", "args", "phrases"),
    [("points = " + "9" * 5000 + "\n", (), ["not valid TOML", "4300 digits"]),
     ('course = "CS\\u0001230"\n', ("--lms", "canvas"),
      ["field 'course' holds a control character (U+0001)"])],
    ids=["a 5000-digit integer", "a control character in a title"],
)  # fmt: skip
def test_a_blueprint_value_no_part_of_the_tool_can_take_is_one_error_line(
    tmp_path, extra, args, phrases
):
    """The sweep again: a 5,000-digit integer ended in Python's ValueError, and a control
    character in a title in lxml's (Canvas and every XML export), both as tracebacks."""
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text(extra + MINI_BLUEPRINT)
    out = tmp_path / "out"
    result = run("--seed", 1, "--blueprint", blueprint, "--out", out, "--no-pdf", *args)
    assert_clean_failure(result, out, str(blueprint), *phrases)
