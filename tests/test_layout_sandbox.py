"""A layout folder (``--templates``) is untrusted: its partials render in Jinja's sandbox,
see only the names the layout contract documents (README, "Your own layout"), and one
rendering of a partial is bounded in loop steps, output and the size of what it builds
(generator/render/sandbox.py).

Each attack is the issue's (#28) or a neighbour of it; before the sandbox, the first ones
ran a command, read a file into exam.tex or grew memory without limit.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
import pytest

from generator.render.partials import LayoutError
from generator.render.sandbox import MAX_CHARS
from generator.render.templating import check_layout, document_environment
from generator.resources import templates_dir

from .conftest import needs_tex
from .test_templates_dir import error_line, layout, run

SECRET = "not for partials"
ATTACKS = {
    "cycler globals": '%% set _ = cycler.__init__.__globals__.os.system("touch PWNED")\n',
    "lipsum builtins": "\\VAR{ lipsum.__globals__['__builtins__']['open']('SECRET').read() }\n",
    "kinds reach os": "\\VAR{ kinds.number.option_label.__globals__.os }\n",
    "counts_pages reach os": "\\VAR{ counts_pages.func.__globals__.os }\n",
    "counts_pages callable": "\\VAR{ counts_pages }\n",
    "class of a string": "\\VAR{ ''.__class__.__mro__[1].__subclasses__() }\n",
    "blueprint path": "\\VAR{ blueprint.path.read_text() }\n",
    "copy questions": "\\VAR{ copy.questions }\n",
    "namespace": "%% set ns = namespace(x='a')\n",
    "str.format": "\\VAR{ '{0.__class__}'.format(blueprint) }\n",
    "huge range": "\\BLOCK{for i in range(10**10)}x\\BLOCK{endfor}\n",
    "nested loops": "%% for i in range(10000)\n%% for j in range(10000)\n%% endfor\n%% endfor\n",
    "long output": "%% for i in range(50000)\n\\VAR{'x' * 1000}\n%% endfor\n",
    "string product": "\\VAR{ ('x' * 100000) * 100000 }\n",
    "power": "\\VAR{ 10 ** 10000000 }\n",
    "doubling": "%% set x = 'x' * 1000\n" + "%% set x = x ~ x\n" * 40,
    "padding": "\\VAR{ 'x'.center(10 ** 10) }\n",
    "padding filter": "\\VAR{ 'x'|center(10 ** 10) }\n",
    "percent format": "\\VAR{ '%0999999999d' % 1 }\n",
    "replace": "%% set x = 'x' * 100000\n\\VAR{ x.replace('', x) }\n",
    "recursive macro": "%% macro f(n)\n\\VAR{f(n)}\\VAR{f(n)}\n%% endmacro\n\\VAR{f(1)}\n",
    "unknown filter": "\\VAR{ 'x'|wordwrap(10 ** 9) }\n",
    "recursive loop": "%% for i in [1] recursive\n\\VAR{loop([1])}\n%% endfor\n",
}


@pytest.fixture(scope="module")
def context():
    """The cover's names with the values a build gives them, and the wrapper's objects
    besides, as the wrapper's include passes them all."""
    return {
        "blueprint": _Blueprint(),
        "replica": False,
        "solutions": False,
        "copy": _Copy(),
        "points_table": [_Row()],
        "points": 100,
        "bonus_points": 0,
        "bonus_where": "",
        "copies": [_Copy()],
    }


class _Blueprint:
    title = "Midterm"
    course = "CS"
    term = institution = duration = honor_code = ""
    id_label = "ID"
    instructions = ("Closed book.",)
    path = Path(__file__)


class _Copy:
    variant_line = "Variant 0123456789ab"
    variant_id = "0123456789ab"
    names = None
    questions = ("the wrapper's objects",)


class _Row:
    number = 1
    title = "Q"
    points = 100


def _render(tmp_path: Path, context: dict, text: str) -> str:
    folder = layout(tmp_path / "layout", cover=text)
    env = document_environment(templates_dir(), folder)
    return env.get_template("exam/cover.tex.j2").render(**context)


@pytest.mark.parametrize("text", ATTACKS.values(), ids=ATTACKS.keys())
def test_an_attack_in_a_partial_is_refused(tmp_path, monkeypatch, context, text):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "SECRET").write_text(SECRET)
    text = text.replace("SECRET", str(tmp_path / "SECRET"))
    with pytest.raises((jinja2.TemplateError, RecursionError)) as caught:
        _render(tmp_path, context, text)
    assert not (tmp_path / "PWNED").exists()
    assert SECRET not in str(caught.value)


def test_output_is_bounded(tmp_path, context):
    with pytest.raises(jinja2.sandbox.SecurityError, match="prints more than"):
        _render(tmp_path, context, "%% for i in range(5000)\n\\VAR{'x' * 1000}\n%% endfor\n")
    assert len(_render(tmp_path, context, "\\VAR{'x' * 1000}\n")) == 1001 < MAX_CHARS


def test_the_documented_names_still_render(tmp_path, context):
    text = (
        "\\VAR{blueprint.title|esc} \\VAR{blueprint.instructions|join(', ')} "
        "\\VAR{copy.variant_line} \\VAR{points|points} \\VAR{solutions} \\VAR{replica}\n"
        "%% for row in points_table\n\\VAR{row.number}:\\VAR{row.title|upper}\n%% endfor\n"
        "%% macro twice(x)\n\\VAR{x ~ x}\n%% endmacro\n\\VAR{twice('ab')}"
        "\\VAR{range(3)|join}\n"
    )
    assert _render(tmp_path, context, text) == (
        "Midterm Closed book. Variant 0123456789ab 100 False False\n1:Q\nabab\n012\n"
    )


def test_a_forbidden_filter_is_refused_before_the_build(tmp_path):
    folder = layout(tmp_path / "layout", cover="\\VAR{'x'|wordwrap(10)}\n")
    with pytest.raises(LayoutError, match=r"cover.tex.j2, line 1: no filter named 'wordwrap'"):
        check_layout(folder)


def test_the_issues_partial_is_one_error_line_and_runs_nothing(tmp_path):
    folder = layout(
        tmp_path / "layout",
        cover='%% set _ = cycler.__init__.__globals__.os.system("touch PWNED")\n',
        end="\\VAR{ lipsum.__globals__['__builtins__']['open']('/etc/passwd').read() }\n",
    )
    result = run("--seed", 1, "--public", "--no-pdf", "--out", tmp_path / "out",
                 "--templates", folder)  # fmt: skip
    assert result.returncode == 1
    line = error_line(result)
    assert line.startswith(f"Error: {folder.absolute() / 'cover.tex.j2'}, line 1: "), line
    assert line.endswith("unsafe; fix the template."), line
    assert "root:" not in result.stderr + result.stdout
    assert not (tmp_path / "PWNED").exists() and not Path("PWNED").exists()
    assert not (tmp_path / "out").exists()


def test_tex_in_a_partial_reads_no_file_outside_the_document(tmp_path):
    """The sweep's critical finding: the sandbox guards Jinja, not TeX.  A partial's
    ``\\input{/abs/path}`` made pdflatex (openin_any = a) print any readable file, the
    instructor's secret key among them, on every copy's cover.  pdflatex now runs with
    paranoid file access: the build stops with one Error line and no PDF holds the text."""
    needs_tex()
    secret = tmp_path / "keys" / "exam-secret.key"
    secret.parent.mkdir()
    secret.write_text("TOPSECRET-2f9c41\n", encoding="utf-8")
    folder = layout(tmp_path / "layout",
                    cover=f"LEAK:{{\\catcode`\\#=12 \\input{{{secret}}}}}\n")  # fmt: skip
    result = run("--seed", 1, "--public", "--out", tmp_path / "out", "--templates", folder)
    assert result.returncode == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("Error: ")]
    assert "LaTeX failed" in error and "exam-secret.key' not found" in error, error
    assert not list((tmp_path / "out").rglob("*.pdf"))
    assert "TOPSECRET" not in result.stdout + result.stderr
