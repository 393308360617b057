"""The question bank's LaTeX, as HTML for learning-management systems.

The fragment is parsed by pylatexenc's LaTeX walker into nodes, then the nodes are
rendered: a parser knows where math, code and arguments begin and end (nested braces,
``$`` inside verbatim code, a list inside a list), which patterns over the source could
only guess.  Math becomes ``\\(...\\)`` / ``\\[...\\]`` for MathJax with its source
unchanged, so that a part's math reads the same in the PDF and in every LMS; verbatim
code becomes ``<pre>`` with its lines unchanged; the figure picture becomes ``<img>``;
text is HTML-escaped.  A macro or environment the converter does not know is written
out as LaTeX, where :func:`leftover_commands` finds it.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pylatexenc import latexwalker as lw
from pylatexenc import macrospec as ms

CODE = re.compile(r"<pre>(.*?)</pre>", re.S)  # code, whose lines a one-line format keeps
TEXT_TAGS = {"emph": "em", "textit": "em", "textbf": "strong", "texttt": "code"}
SYMBOLS = {
    "%": "%", "&": "&amp;", "_": "_", "#": "#", "{": "{", "}": "}", "$": "$",
    "textbackslash": "&#92;", "textasciitilde": "~", "textasciicircum": "^",
    " ": " ", "\t": " ", "\n": " ", "enspace": " ", "quad": " ", "qquad": " ", ",": "&thinsp;",
    "noindent": " ", "smallskip": " ", "medskip": " ", "bigskip": " ",
    "-": "", "/": "", "@": "", "\\": "<br>", "newline": "<br>",
}  # fmt: skip
SPECIALS = {"~": "&nbsp;", "---": "&mdash;", "--": "&ndash;", "``": "&ldquo;", "''": "&rdquo;"}
DISPLAY_MATH = ("equation", "equation*", "gather", "gather*", "align", "align*")
VERBATIM = ("verbatim", "picture")  # bodies read as they are: code, and a drawing not shown
LISTS = {"itemize": "ul", "enumerate": "ol"}
WRAPPERS = ("center", "code")  # a block of their content: the figure's, the code's
LAYOUT = {"setlength": 2}  # no text of its own: dropped, with its arguments in braces
PARAGRAPH = re.compile(r"\n\s*\n")
WHITESPACE = re.compile(r"\s+")
LEFTOVER = re.compile(r"\\(?:begin|end)\{[^}]*\}|\\[A-Za-z]+|\\[^A-Za-z\s]")
OUTSIDE_TEXT = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]|<pre>.*?</pre>", re.S)


def to_html(latex: str, figures: Sequence[str] = ()) -> str:
    """HTML for a LaTeX fragment; the n-th figure picture becomes ``<img src=figures[n]>``."""
    return _to_html(latex, tuple(figures))


@lru_cache(maxsize=8192)
def _to_html(latex: str, figures: tuple[str, ...]) -> str:
    """Converted once per text: a class export repeats most prompts, options and notes."""
    walker = _Walker(latex, latex_context=CONTEXT, tolerant_parsing=True)
    nodes, _, _ = walker.get_latex_nodes()
    return _paragraphs(_Renderer(iter(figures)).nodes(nodes))


def leftover_commands(html_text: str) -> list[str]:
    """LaTeX commands left outside math and code: each one is a gap of the converter
    (an unknown environment shows as ``\\begin{name}``)."""
    return LEFTOVER.findall(OUTSIDE_TEXT.sub("", html_text))


# --- parsing --------------------------------------------------------------------------------------


def _context() -> ms.LatexContextDb:
    """Only what the converter renders: any other macro is read without arguments (its
    braces stay text), so that nothing the bank writes is swallowed as an argument."""
    macros = [
        *(ms.std_macro(name, "{") for name in TEXT_TAGS),
        *(ms.MacroSpec(name, _Braced(count)) for name, count in LAYOUT.items()),
        ms.std_macro("item", "["),
    ]
    environments = [
        *(ms.EnvironmentSpec(name, _Body(name)) for name in (*DISPLAY_MATH, *VERBATIM)),
        *(ms.std_environment(name, "[") for name in LISTS),
        *(ms.std_environment(name, None) for name in WRAPPERS),
    ]
    db = ms.LatexContextDb()
    db.add_context_category("exam", macros, environments, [ms.std_specials(s) for s in SPECIALS])
    db.set_unknown_macro_spec(ms.std_macro("", None))
    db.set_unknown_environment_spec(ms.std_environment("", None))
    return db


# Characters read as runs: all but what starts a macro, a group, an argument, math, a
# comment or a special (~ -- `` '').
RUN = re.compile(r"(?:[^\\{}\[\]$%~'`-]|'(?!')|`(?!`)|-(?!-))+")
LETTERS = frozenset(string.ascii_letters)
CONTROL_WORD_END = re.compile(r"\\[A-Za-z]+$")
LOOK_BACK = 24


class _Walker(lw.LatexWalker):
    """pylatexenc's walker, reading a run of plain characters as one token, and math as
    the text it is.

    The walker reads one character per token (some 15 µs each: a 30-copy class export
    took seconds); a token of several characters is one it makes itself (a blank line).
    A run starts only where no macro's argument may begin (see :func:`_inside`), so
    ``\\emph xy`` still emphasises the ``x`` alone, as LaTeX does, and the nodes are the
    ones the walker would make character by character.
    """

    def get_token(self, pos: int, *args: Any, **kwargs: Any) -> lw.LatexToken:
        run = RUN.match(self.s, pos) if _inside(self.s, pos) else None
        if run is None:
            return super().get_token(pos, *args, **kwargs)
        return lw.LatexToken(tok="char", arg=run[0], pos=pos, len=len(run[0]), pre_space="")

    def get_latex_nodes(self, pos: int = 0, *args: Any, **kwargs: Any) -> Any:
        """Math is read as written, up to its closing delimiter, as verbatim is: it goes
        out unchanged, so its nodes are never needed (they were half the tokens)."""
        closing = kwargs.get("stop_upon_closing_mathmode")
        if closing is None or args:
            return super().get_latex_nodes(pos, *args, **kwargs)
        end, after = _math_end(self.s, pos, closing)
        body = self.make_node(
            lw.LatexCharsNode,
            parsing_state=kwargs.get("parsing_state"),
            chars=self.s[pos:end],
            pos=pos,
            len=end - pos,
        )
        return [body], pos, after - pos


def _inside(s: str, pos: int) -> bool:
    """Whether ``pos`` continues text where no argument can begin.  An argument begins
    right after a macro's name, spaces or a comment aside, or right after another
    argument's ``}`` or ``]``.  The look back is short, as the macros that take
    arguments have short names."""
    if pos >= len(s):
        return False
    if s[pos - 1 : pos] in LETTERS and s[pos] in LETTERS:
        return True  # inside a word: a macro's name would have taken this letter too
    end = pos
    while end and s[end - 1].isspace():
        end -= 1
    if end == 0:
        return True  # the start of the text
    if "%" in s[s.rfind("\n", 0, end) + 1 : end]:
        return False  # maybe a comment, which may stand between a macro and its argument
    before = s[max(0, end - LOOK_BACK) : end]
    if before[-1] in "}]\\" or before[-2:-1] == "\\":  # \, \$ \' \  are names too
        return False
    return before[-1] not in LETTERS or CONTROL_WORD_END.search(before) is None


def _math_end(s: str, pos: int, closing: str) -> tuple[int, int]:
    """Where math that starts at ``pos`` ends, and where its closing delimiter ends: at
    the first delimiter outside braces (``\\text{$x$}`` holds math of its own), an
    escaped character (``\\$``) or a comment.  Unclosed math runs to the end."""
    depth, i = 0, pos
    while i < len(s):
        char = s[i]
        if depth == 0 and s.startswith(closing, i):
            return i, i + len(closing)
        if char == "\\":
            i += 1
        elif char == "%":
            newline = s.find("\n", i)
            i = len(s) if newline == -1 else newline
        elif char in "{}":
            depth = max(0, depth + (1 if char == "{" else -1))
        i += 1
    return len(s), len(s)


class _Braced(ms.MacroStandardArgsParser):
    """Up to ``count`` arguments, each in braces: what is not braced is no argument and
    stays in the text, so that a dropped macro never takes text with it."""

    def __init__(self, count: int) -> None:
        super().__init__(argspec="{" * count)
        self.count = count

    def parse_args(
        self, w: lw.LatexWalker, pos: int, parsing_state: Any = None
    ) -> tuple[ms.ParsedMacroArgs, int, int]:
        groups, end = [], pos
        for _ in range(self.count):
            start = end
            while start < len(w.s) and w.s[start].isspace():
                start += 1
            if not w.s.startswith("{", start):
                break
            group, at, length = w.get_latex_braced_group(start, parsing_state=parsing_state)
            groups.append(group)
            end = at + length
        return ms.ParsedMacroArgs(argspec="{" * len(groups), argnlist=groups), pos, end - pos


class _Body(ms.MacroStandardArgsParser):
    """An environment's body read as text up to its ``\\end``, as LaTeX itself reads
    verbatim and amsmath's display math: the converter writes those bodies out unchanged
    (or, for a picture, not at all), so it never needs their nodes."""

    def __init__(self, environment: str) -> None:
        super().__init__(argspec="")
        self.end = f"\\end{{{environment}}}"

    def parse_args(
        self, w: lw.LatexWalker, pos: int, parsing_state: Any = None
    ) -> tuple[ms.ParsedMacroArgs, int, int]:
        end = w.s.find(self.end, pos)
        end = len(w.s) if end == -1 else end
        body = w.make_node(
            lw.LatexCharsNode,
            parsing_state=parsing_state,
            chars=w.s[pos:end],
            pos=pos,
            len=end - pos,
        )
        return ms.ParsedMacroArgs(argspec="{", argnlist=[body]), pos, end - pos


CONTEXT = _context()


# --- rendering ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Atom:
    """Inline HTML whose spaces and line breaks are its own (math): never collapsed."""

    html: str


@dataclass(frozen=True)
class _Block:
    """HTML that stands between paragraphs (display math, code, a list, a figure); inside
    a list item or a text command it is inline, as LaTeX sets it there."""

    html: str


class _Break:
    """A paragraph break: a blank line or ``\\par``."""


BREAK = _Break()
Piece = str | _Atom | _Block | _Break  # a str is HTML text whose whitespace collapses


class _Renderer:
    """Nodes to pieces, in document order: the n-th picture takes the n-th figure."""

    def __init__(self, images: Iterator[str]) -> None:
        self.images = images

    def nodes(self, nodes: Sequence[lw.LatexNode | None]) -> list[Piece]:
        pieces: list[Piece] = []
        unknown = False  # braces right after an unknown macro are its arguments: kept
        for node in nodes:
            if unknown and isinstance(node, lw.LatexGroupNode):
                pieces += self.written(node)
            elif node is not None:
                pieces += self.node(node)
                unknown = isinstance(node, lw.LatexMacroNode) and not _known(node.macroname)
        return pieces

    def node(self, node: lw.LatexNode) -> list[Piece]:
        if isinstance(node, lw.LatexCharsNode):
            return _chars(node.chars)
        if isinstance(node, lw.LatexGroupNode):
            return self.nodes(node.nodelist)  # braces group, they print nothing
        if isinstance(node, lw.LatexMathNode):
            return [_math(node)]
        if isinstance(node, lw.LatexSpecialsNode):
            return [SPECIALS[node.specials_chars]]
        if isinstance(node, lw.LatexMacroNode):
            return self.macro(node)
        if isinstance(node, lw.LatexEnvironmentNode):
            return self.environment(node)
        return []  # a comment: LaTeX drops it, and the line end after it

    def macro(self, node: lw.LatexMacroNode) -> list[Piece]:
        name = node.macroname
        if name in TEXT_TAGS:
            tag = TEXT_TAGS[name]
            return [f"<{tag}>", *_inline(self.nodes(_arguments(node))), f"</{tag}>"]
        if name in SYMBOLS:
            return [SYMBOLS[name]]
        if name == "par":
            return [BREAK]
        if name in LAYOUT:
            return []
        written = [p for arg in _arguments(node) if arg is not None for p in self.written(arg)]
        return [f"\\{_escape(name)}{node.macro_post_space}", *written]

    def written(self, group: lw.LatexNode) -> list[Piece]:
        """An argument of a macro the converter does not render, with its braces or
        brackets, so that the gap reads as the LaTeX it was."""
        if not isinstance(group, lw.LatexGroupNode):
            return self.node(group)
        opening, closing = group.delimiters
        return [_escape(opening), *self.nodes(group.nodelist), _escape(closing)]

    def environment(self, node: lw.LatexEnvironmentNode) -> list[Piece]:
        name = node.environmentname
        if name == "verbatim":
            return [_Block(_code(_body(node)))]
        if name == "picture":
            return [_Block(_image(next(self.images, "")))]
        if name in DISPLAY_MATH:
            return [_Block(_display(f"\\begin{{{name}}}{_body(node)}\\end{{{name}}}"))]
        if name in LISTS:
            return [_Block(self.listing(node))]
        if name in WRAPPERS:
            return [BREAK, *self.nodes(node.nodelist), BREAK]
        begin, end = f"\\begin{{{_escape(name)}}}", f"\\end{{{_escape(name)}}}"
        return [begin, *self.nodes(node.nodelist), end]

    def listing(self, node: lw.LatexEnvironmentNode) -> str:
        """``<ul>``/``<ol>``, one ``<li>`` per ``\\item``; ``\\item[label]`` starts with
        its label.  Text before the first item counts as an item, blank items are dropped."""
        items: list[tuple[lw.LatexGroupNode | None, list[lw.LatexNode]]] = [(None, [])]
        for child in node.nodelist:
            if isinstance(child, lw.LatexMacroNode) and child.macroname == "item":
                items.append((child.nodeargd.argnlist[0], []))
            else:
                items[-1][1].append(child)
        rendered = []
        for label, body in items:
            text = _flow(self.nodes(body))
            if label is not None:
                text = f"{_flow(self.nodes(label.nodelist))} {text}"
            if label is not None or text:
                rendered.append(f"<li>{text}</li>")
        tag = LISTS[node.environmentname]
        return f"<{tag}>{''.join(rendered)}</{tag}>"


def _body(node: lw.LatexEnvironmentNode) -> str:
    return node.nodeargd.argnlist[0].chars


def _known(macro: str) -> bool:
    return macro in TEXT_TAGS or macro in SYMBOLS or macro in LAYOUT or macro == "par"


def _arguments(node: lw.LatexMacroNode) -> list[lw.LatexNode | None]:
    return list(node.nodeargd.argnlist) if node.nodeargd else []


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _chars(text: str) -> list[Piece]:
    """Text, escaped, with a break at each blank line."""
    pieces: list[Piece] = []
    for i, paragraph in enumerate(PARAGRAPH.split(text)):
        pieces += [BREAK, _escape(paragraph)] if i else [_escape(paragraph)]
    return pieces


def _math(node: lw.LatexMathNode) -> _Atom | _Block:
    """The math as written (its delimiters replaced by MathJax's): nothing is converted."""
    body = "".join(n.chars for n in node.nodelist)  # one chars node, as _Walker reads math
    if node.displaytype == "display":
        return _Block(_display(body))
    return _Atom(f"\\({_escape(body.strip())}\\)")


def _display(body: str) -> str:
    return f"<p>\\[{_escape(body.strip())}\\]</p>"


def _code(text: str) -> str:
    """Verbatim lines as they are; the line ends after ``\\begin{verbatim}`` and before
    ``\\end{verbatim}`` are not part of the code (LaTeX does not print them either)."""
    text = text[1:] if text.startswith("\n") else text
    text = text[:-1] if text.endswith("\n") else text
    return f"<pre>{html.escape(text)}</pre>"


def _image(path: str) -> str:
    return f'<p><img src="{html.escape(path)}" alt="figure"></p>'


def _inline(pieces: list[Piece]) -> list[Piece]:
    """Pieces set within a line (a text command, a list item): blocks flow with the text,
    and a blank line is a space."""
    return [_Atom(p.html) if isinstance(p, _Block) else " " if p is BREAK else p for p in pieces]


def _flow(pieces: list[Piece]) -> str:
    """Inline pieces as one line of HTML: each run of whitespace in the text is one space,
    as LaTeX reads it; math keeps its own."""
    line: list[str] = []
    text: list[str] = []
    for piece in _inline(pieces):
        if isinstance(piece, str):
            text.append(piece)
        else:
            line += [WHITESPACE.sub(" ", "".join(text)), piece.html]
            text = []
    line.append(WHITESPACE.sub(" ", "".join(text)))
    return "".join(line).strip()  # math and code never start or end with a space


def _paragraphs(pieces: list[Piece]) -> str:
    """Runs of inline pieces become ``<p>`` paragraphs; blocks stand between them."""
    out: list[str] = []
    run: list[Piece] = []
    for piece in [*pieces, BREAK]:
        if isinstance(piece, _Block | _Break):
            text = _flow(run)
            out += [f"<p>{text}</p>"] if text else []
            out += [piece.html] if isinstance(piece, _Block) else []
            run = []
        else:
            run.append(piece)
    return "".join(out)


def fold(html: str, code_lines: Callable[[list[str]], str]) -> str:
    """``html`` on one line for a one-line-per-question format: runs of whitespace become
    one space, except inside ``<pre>`` (code, where spaces and line breaks are the
    content), whose lines ``code_lines`` joins in the format's own way (every line break
    Python knows counts, so that no reader of the file sees a line end inside)."""
    pieces = CODE.split(html)  # text, code, text, code, ..., text
    out = []
    for index, piece in enumerate(pieces):
        if index % 2:
            out.append(f"<pre>{code_lines(piece.splitlines())}</pre>")
        else:
            out.append(re.sub(r"\s+", " ", piece))
    return "".join(out).strip()
