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


WRAPPER_IN_A_PARTIAL = {
    "include": '%% include "exam.tex.j2"\n',
    "include in a set": '%% set page_text\n%% include "exam.tex.j2"\n%% endset\n',
    "import": '%% import "exam.tex.j2" as wrapper with context\n',
    "extends": '%% extends "exam.tex.j2"\n',
    "include a list": '%% include ["exam.tex.j2", "exam/end.tex.j2"] ignore missing\n',
}


@pytest.mark.parametrize("load", WRAPPER_IN_A_PARTIAL.values(), ids=WRAPPER_IN_A_PARTIAL.keys())
def test_a_partial_cannot_load_the_wrapper(tmp_path, load):
    """The re-sweep's H1: a cover that set the wrapper's names (``copies`` a list of
    100,000) and included ``exam.tex.j2`` drove the wrapper's unbounded loops: 20 MB of
    text with N=1, a MemoryError at 2.7 GB with N=200.  Loading anything but a partial
    from a partial is now refused before the build, with the file and line."""
    text = '%% set copies = [{"variant_line": "A", "questions": []}] * 100000\n' + load
    folder = layout(tmp_path / "layout", cover=text)
    with pytest.raises(LayoutError, match=r"cover.tex.j2, line [23]: a partial can include, "
                       r"import or extend only the layout's partials .*'exam.tex.j2'"):  # fmt: skip
        check_layout(folder)


def test_a_partial_cannot_load_the_wrapper_by_a_computed_name(tmp_path, context):
    text = '%% set page_text\n%% include "exam" ~ ".tex.j2"\n%% endset\n\\VAR{page_text|length}\n'
    with pytest.raises(jinja2.sandbox.SecurityError, match="only the layout's partials"):
        _render(tmp_path, context, text)


def test_a_partial_still_includes_partials(tmp_path, context):
    folder = layout(tmp_path / "layout", cover='[\n%% include "exam/end.tex.j2"\n]\n',
                    end="\\VAR{copy.variant_id}\n")  # fmt: skip
    env = document_environment(templates_dir(), folder)
    assert env.get_template("exam/cover.tex.j2").render(**context) == "[\n0123456789ab\n]\n"


TEXT_OF_A_LIST = ("lower", "upper", "string", "e", "escape", "esc", "title", "capitalize",
                  "trim", "wordcount", "replace('a', 'b')", "center(10)", "indent(2)")  # fmt: skip


@pytest.mark.parametrize("text_filter", TEXT_OF_A_LIST)
def test_a_text_filter_is_refused_on_a_list(tmp_path, context, text_filter):
    """The re-sweep's H2: ``[x] * 100000|lower`` with a 1 MB ``x`` built the list's text
    (100 GB) before its size was checked; a text filter now refuses a list."""
    text = f"%% set x = 'a' * 1000000\n\\VAR{{ ([x] * 30)|{text_filter}|length }}\n"
    with pytest.raises(jinja2.sandbox.SecurityError, match=r"applies \|\w+ to a list"):
        _render(tmp_path, context, text)
    assert _render(tmp_path, context, f"\\VAR{{ 'A b'|{text_filter} }}\n").strip()


def test_sum_adds_numbers_only(tmp_path, context):
    """The re-sweep's H2: ``|sum(start=[])`` of 300 lists of 100,000 items copied the
    growing list at every item (25 s, 560 MB) before its size was checked."""
    for start in ("start=[]", "none, ()"):
        text = f"\\VAR{{ ([[1] * 1000] * 300)|sum({start})|length }}\n"
        with pytest.raises(jinja2.sandbox.SecurityError, match="sums numbers only"):
            _render(tmp_path, context, text)
    assert _render(tmp_path, context, "\\VAR{ [1, 2.5]|sum }\\VAR{ [1]|sum(start=2) }\n") == (
        "3.53\n"
    )


def test_block_calls_spend_the_budget(tmp_path, context):
    """The re-sweep's H3: blocks that each called the next one twice printed nothing and
    looped over nothing, so no bound was spent (2^L calls: L=22 ran past 120 s).  Each
    block call now spends a step; 2^18 calls are refused after 100,000."""
    levels = 18
    text = (
        "".join(
            f"%% block b{i}\n%% set x = self.b{i + 1}()\n%% set x = self.b{i + 1}()\n%% endblock\n"
            for i in range(levels)
        )
        + f"%% block b{levels}\n%% endblock\n"
    )
    with pytest.raises(jinja2.sandbox.SecurityError, match="block calls"):
        _render(tmp_path, context, text)


def test_includes_spend_the_budget(tmp_path, context):
    """The re-sweep's H3: a cover including the honor code 100 times, which included the
    end 100 times, which included the header 100 times, ran 10^6 includes unbounded (22 s);
    each include now spends a step of the cover's budget, also without context."""
    fan = 50
    folder = layout(tmp_path / "layout", header="",
                    cover='%% include "exam/honor_code.tex.j2"\n' * fan,
                    honor_code='%% include "exam/end.tex.j2"\n' * fan,
                    end='%% include "exam/header.tex.j2" without context\n' * fan)  # fmt: skip
    env = document_environment(templates_dir(), folder)
    with pytest.raises(jinja2.sandbox.SecurityError, match="includes in one partial"):
        env.get_template("exam/cover.tex.j2").render(**context)
