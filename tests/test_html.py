"""The bank's LaTeX as LMS HTML: hand-written fragments with hand-written HTML, and, over
many drawn exams, a part's math and code in the HTML exactly as in its LaTeX."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pylatexenc import latexwalker

from generator.cli import cli
from generator.key.read import read_key
from generator.key.records import Key
from generator.lms import html as converter
from generator.lms.html import leftover_commands, to_html
from generator.lms.items import feedback_html, slots

FIGURE = (
    "\\begin{center}\n\\setlength{\\unitlength}{1bp}\n\\begin{picture}(10,10)(0,0)\n"
    "\\put(0,0){\\makebox(0,0){\\textbf{A}}}\n\\end{picture}\n\\end{center}"
)
CODE = (
    "\\begin{code}\\begin{verbatim}\ndef f(x):\n    if x < 1 and x > 0:\n\n"
    "        return x & 1  # 5 % 3, $y$ {z}\n\\end{verbatim}\\end{code}"
)

CASES = {
    "inline math, < and & escaped, kept as written": (
        r"Is $a < b$ and $c > d \& e$?",
        r"<p>Is \(a &lt; b\) and \(c &gt; d \&amp; e\)?</p>",
    ),
    "inline math keeps its spaces and line breaks": ("$a  +\n b$", "<p>\\(a  +\n b\\)</p>"),
    "display math between paragraphs": (
        r"Recall:\[ \sum_{i<n} x_i \]then",
        r"<p>Recall:</p><p>\[\sum_{i&lt;n} x_i\]</p><p>then</p>",
    ),
    "gather* with its line breaks": (
        "Adam:\n\\begin{gather*}\nV = \\beta V \\\\\nS < 1\n\\end{gather*}\ndone",
        "<p>Adam:</p><p>\\[\\begin{gather*}\nV = \\beta V \\\\\nS &lt; 1\n\\end{gather*}\\]</p>"
        "<p>done</p>",
    ),
    "\\( \\) and $$ $$": (r"\(x+1\) and $$y$$", r"<p>\(x+1\) and</p><p>\[y\]</p>"),
    "math holding text holding math": (
        r"$a \text{ if $b$} c$ d",
        r"<p>\(a \text{ if $b$} c\) d</p>",
    ),
    "nested braces and commands in \\textbf": (
        r"\textbf{a {b} c} and \textbf{see \emph{this}}",
        "<p><strong>a b c</strong> and <strong>see <em>this</em></strong></p>",
    ),
    "an unbraced argument is one character": (r"\emph x yz", "<p><em>x</em> yz</p>"),
    "also after a long comment": (
        "\\textbf% a comment longer than a macro name\n x yz",
        "<p><strong>x</strong> yz</p>",
    ),
    "texttt": (r"\texttt{a\_b < c}", "<p><code>a_b &lt; c</code></p>"),
    "enumerate with [labels]": (
        "\\begin{enumerate}\n\\item[(a)] first \\emph{one}\n\\item[(b)] $x^2$\n\\end{enumerate}",
        r"<ol><li>(a) first <em>one</em></li><li>(b) \(x^2\)</li></ol>",
    ),
    "itemize": (
        "\\begin{itemize}\\item one\n\\item two\\end{itemize}",
        "<ul><li>one</li><li>two</li></ul>",
    ),
    "code with blank lines, indentation, < > & $ % {": (
        "Code:\n" + CODE,
        "<p>Code:</p><pre>def f(x):\n    if x &lt; 1 and x &gt; 0:\n\n"
        "        return x &amp; 1  # 5 % 3, $y$ {z}</pre>",
    ),
    "escaped symbols": (
        r"100\% \& 5\_a, \#1 costs \$3 \{x\}",
        "<p>100% &amp; 5_a, #1 costs $3 {x}</p>",
    ),
    "ties, dashes, quotes": (
        "pages 1--2, A~B, ``yes'' --- no",
        "<p>pages 1&ndash;2, A&nbsp;B, &ldquo;yes&rdquo; &mdash; no</p>",
    ),
    "paragraphs": (
        "one\ntwo  three\n\n\n  four\n \nfive",
        "<p>one two three</p><p>four</p><p>five</p>",
    ),
    "\\par": ("a\\par b", "<p>a</p><p>b</p>"),
    "control spaces, also at a line end": ("i.e.\\ x and i.e.\\\ny", "<p>i.e. x and i.e. y</p>"),
    "a line break": (r"one\\two", "<p>one<br>two</p>"),
    "a comment": ("a% note\nb", "<p>ab</p>"),
    "text is escaped": ('x < y & "z" > w', '<p>x &lt; y &amp; "z" &gt; w</p>'),
    "nothing": ("", ""),
}


@pytest.mark.parametrize("latex, expected", CASES.values(), ids=CASES.keys())
def test_fragment(latex: str, expected: str) -> None:
    assert to_html(latex) == expected


def test_figure_pictures_become_the_figures_in_order() -> None:
    latex = f"See:\n{FIGURE} Then\n{FIGURE}\nand {FIGURE}"
    expected = (
        '<p>See:</p><p><img src="figures/a.png" alt="figure"></p><p>Then</p>'
        '<p><img src="figures/b&amp;c.png" alt="figure"></p><p>and</p>'
        '<p><img src="" alt="figure"></p>'  # no third figure given
    )
    assert to_html(latex, ["figures/a.png", "figures/b&c.png"]) == expected


def test_unknown_macros_and_environments_are_left_for_the_tests_to_find() -> None:
    page = to_html(r"\foo{x} \begin{bar}y\end{bar} \! \item[z]")
    assert page == r"<p>\foo{x} \begin{bar}y\end{bar} \! \item[z]</p>"
    assert leftover_commands(page) == [r"\foo", r"\begin{bar}", r"\end{bar}", r"\!", r"\item"]


def test_commands_inside_math_and_code_are_no_leftovers() -> None:
    page = to_html(r"$\alpha$ \[\beta\] \begin{verbatim}\gamma\end{verbatim}")
    assert leftover_commands(page) == []


def test_a_text_is_converted_once() -> None:
    text = r"Once: $x \neq y$, \emph{cached}."
    first = to_html(text, ["f.png"])
    hits = converter._to_html.cache_info().hits
    assert to_html(text, ("f.png",)) is first
    assert converter._to_html.cache_info().hits == hits + 1


PLAIN = st.text(alphabet='abcXYZ019 .,;:!?()<>&"=+/*^_@|\n', max_size=60)
PIECES = st.sampled_from(
    ["\\emph", "\\textbf", "\\item", "\\setlength", "\\foo", "\\\\", "\\,", "\\'", "\\ ", "{", "}",
     "[", "]", "$", "$$", "\\(", "\\)", "\\[", "\\]", "%", "\n", "\n\n", " ", "a", "bc", "x y", "1",
     "'", "''", "`", "``", "-", "--", "~", "*", "<", "&", "\\begin{itemize}", "\\end{itemize}",
     "\\begin{verbatim}", "\\end{verbatim}", "\\begin{gather*}", "\\end{gather*}", "\\begin{foo}",
     "\\end{foo}", "\\begin{center}", "\\end{center}", "\\begin{picture}", "\\end{picture}", "é"]
)  # fmt: skip
LATEXISH = st.lists(PIECES, max_size=25).map("".join)


@settings(deadline=None)
@given(PLAIN)
def test_plain_text_is_escaped_text_in_paragraphs(text: str) -> None:
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    expected = "".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)
    assert to_html(text) == expected


class _OneCharacterWalker(converter._Walker):
    """pylatexenc's own tokens, one character each: what the runs must not change."""

    def get_token(self, pos: int, *args: Any, **kwargs: Any) -> latexwalker.LatexToken:
        return latexwalker.LatexWalker.get_token(self, pos, *args, **kwargs)


def _render(walker: type[latexwalker.LatexWalker], latex: str) -> str:
    nodes, _, _ = walker(
        latex, latex_context=converter.CONTEXT, tolerant_parsing=True
    ).get_latex_nodes()
    return converter._paragraphs(converter._Renderer(iter(())).nodes(nodes))


@settings(max_examples=400, deadline=None)
@given(LATEXISH)
def test_reading_text_in_runs_changes_no_parse(latex: str) -> None:
    """Even for broken LaTeX, and it never raises."""
    assert _render(converter._Walker, latex) == _render(_OneCharacterWalker, latex)


# --- a part's math and code, the same in every format ------------------------------------------

SEEDS = (1, 2, 3)
VARIANTS = 30
VERBATIM = re.compile(r"\\begin\{verbatim\}\n?(.*?)\n?\\end\{verbatim\}", re.S)
PICTURE = re.compile(r"\\begin\{picture\}.*?\\end\{picture\}", re.S)
DISPLAY = re.compile(
    r"\\\[(.*?)\\\]|(\\begin\{(gather\*|align\*|equation\*)\}.*?\\end\{\3\})", re.S
)
INLINE = re.compile(r"\$(.+?)\$", re.S)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> list[Key]:
    """The keys of 30 copies of each of three seeds."""
    found = []
    for seed in SEEDS:
        out = tmp_path_factory.mktemp(f"seed{seed}")
        args = ["--seed", str(seed), "--variants", str(VARIANTS), "--no-pdf", "--no-solutions",
                "--public", "--out", str(out)]  # fmt: skip
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        found += [read_key(p) for p in Path(out).glob("*/key.json")]
    return found


def source_pieces(latex: str) -> tuple[list[str], list[str], list[str]]:
    """Code blocks, display math and inline math of the bank's LaTeX, in order (the bank
    writes math as $...$, \\[...\\] and gather*-like environments, code as verbatim)."""
    codes = VERBATIM.findall(latex)
    rest = PICTURE.sub(" ", VERBATIM.sub(" ", latex))
    displays = [m[1].strip() if m[1] is not None else m[2] for m in DISPLAY.finditer(rest)]
    inlines = [body.strip() for body in INLINE.findall(DISPLAY.sub(" ", rest))]
    return codes, displays, inlines


def html_pieces(page: str) -> tuple[list[str], list[str], list[str]]:
    """Code blocks, display and inline math of the converter's HTML, unescaped, in order."""
    codes = [html.unescape(code) for code in re.findall(r"<pre>(.*?)</pre>", page, re.S)]
    rest = html.unescape(re.sub(r"<pre>.*?</pre>", " ", page, flags=re.S))
    displays = re.findall(r"\\\[(.*?)\\\]", rest, re.S)
    inlines = re.findall(r"\\\((.*?)\\\)", rest, re.S)
    return codes, displays, inlines


def check_same(latex: str, page: str) -> None:
    codes, displays, inlines = source_pieces(latex)
    got_codes, got_displays, got_inlines = html_pieces(page)
    assert [c.split("\n") for c in got_codes] == [c.split("\n") for c in codes], latex[:200]
    assert got_displays == displays, latex[:200]
    assert got_inlines == inlines, latex[:200]


def test_a_parts_math_and_code_come_out_the_same_in_every_format(keys: list[Key]) -> None:
    """Every LMS format embeds these HTML texts: the item's question text, the options
    and their feedback, the model answer with its notes."""
    checked = {"math": 0, "code": 0}
    for key in keys:
        for slot in slots(key):
            for item in slot.items:
                stem = next(q.stem for v in key.variants if v.variant == item.variant
                            for q in v.questions if item.part in q.parts)  # fmt: skip
                part = item.part
                asked = part.asked  # the LMS wording where the paper's does not fit
                question = "\n\n".join(t for t in (stem, part.context, asked) if t)
                check_same(question, item.html)
                answer = part.answer_latex
                check_same(answer, to_html(answer))
                assert to_html(answer) in feedback_html(part)
                for text in (
                    *part.rubric,
                    *(getattr(o, k) for o in part.options or [] for k in ("text", "why")),
                ):
                    check_same(text, to_html(text))
                codes, displays, inlines = source_pieces(question + answer)
                checked["code"] += len(codes)
                checked["math"] += len(displays) + len(inlines)
    assert checked["code"] > 100 and checked["math"] > 1000, checked  # the test saw both
