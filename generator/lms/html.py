"""The question bank's LaTeX, as HTML for learning-management systems.

The bank writes a small, known subset of LaTeX (inline and display math, emphasis,
lists, verbatim code, the figure picture), so a focused converter is more
predictable than a general one: math becomes ``\\(...\\)`` / ``\\[...\\]`` for
MathJax, code becomes ``<pre>``, figures become ``<img>``, text is HTML-escaped.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Sequence
from functools import lru_cache

FIGURE = re.compile(
    r"\\begin\{center\}\s*\\setlength\{\\unitlength\}.*?\\end\{picture\}\s*\\end\{center\}", re.S
)
CODE = re.compile(
    r"\\begin\{code\}\\begin\{verbatim\}\n?(.*?)\n?\\end\{verbatim\}\\end\{code\}", re.S
)
LIST = re.compile(r"\\begin\{(itemize|enumerate)\}(?:\[[^\]]*\])?(.*?)\\end\{\1\}", re.S)
DISPLAY = re.compile(
    r"\\\[(.*?)\\\]|\\begin\{(gather\*|align\*|equation\*)\}(.*?)\\end\{\2\}", re.S
)
INLINE = re.compile(r"(?<!\\)\$(.+?)(?<!\\)\$", re.S)
TEXT_COMMANDS = {"emph": "em", "textit": "em", "textbf": "strong", "texttt": "code"}
SYMBOLS = {
    r"\%": "%", r"\&": "&amp;", r"\_": "_", r"\#": "#", r"\{": "{", r"\}": "}", r"\$": "$",
    r"\textbackslash{}": "\\", r"\textasciitilde{}": "~", r"\textasciicircum{}": "^",
    r"\enspace": " ", r"\qquad": " ", r"\quad": " ", r"\ ": " ", "~": "&nbsp;",
    "---": "&mdash;", "--": "&ndash;", "``": "&ldquo;", "''": "&rdquo;", r"\\": "<br>",
}  # fmt: skip
BLOCK = "\x00B{}\x00"
INLINE_PIECE = "\x00I{}\x00"


def to_html(latex: str, figures: Sequence[str] = ()) -> str:
    """HTML for a LaTeX fragment; the n-th figure picture becomes ``<img src=figures[n]>``."""
    return _to_html(latex, tuple(figures))


@lru_cache(maxsize=8192)
def _to_html(latex: str, figures: tuple[str, ...]) -> str:
    """Converted once per text: a class export repeats most prompts, options and notes."""
    return _convert(latex, iter(figures), paragraphs=True)


def leftover_commands(html_text: str) -> list[str]:
    """LaTeX commands left outside math and code: each one is a gap of the converter."""
    outside = re.sub(r"\\\(.*?\\\)|\\\[.*?\\\]|<pre>.*?</pre>", "", html_text, flags=re.S)
    return re.findall(r"\\[A-Za-z]+", outside)


def _convert(latex: str, images: Iterator[str], *, paragraphs: bool) -> str:
    pieces: list[str] = []

    def keep(fragment: str, marker: str) -> str:
        pieces.append(fragment)
        return marker.format(len(pieces) - 1)

    def block(fragment: str) -> str:
        return "\n\n" + keep(fragment, BLOCK) + "\n\n" if paragraphs else keep(fragment, BLOCK)

    text = FIGURE.sub(lambda m: block(_image(next(images, ""))), latex)
    text = CODE.sub(lambda m: block(f"<pre>{html.escape(m[1])}</pre>"), text)
    text = LIST.sub(lambda m: block(_list(m[1], m[2], images)), text)
    text = DISPLAY.sub(lambda m: block(_display(m)), text)
    text = INLINE.sub(
        lambda m: keep(f"\\({html.escape(m[1].strip(), quote=False)}\\)", INLINE_PIECE), text
    )
    text = _text(text)
    if paragraphs:
        text = "".join(_paragraph(p) for p in re.split(r"\n\s*\n", text) if p.strip())
    else:
        text = " ".join(text.split())
    return re.sub(r"\x00[BI](\d+)\x00", lambda m: pieces[int(m[1])], text)


def _text(text: str) -> str:
    text = html.escape(text, quote=False)
    for command, tag in TEXT_COMMANDS.items():
        text = _replace_command(text, command, f"<{tag}>", f"</{tag}>")
    for source, target in SYMBOLS.items():
        text = text.replace(source, target)
    return re.sub(r"\\(?:par|noindent|medskip|smallskip|bigskip)\b\s*", " ", text)


def _paragraph(text: str) -> str:
    text = " ".join(text.split())
    if re.fullmatch(r"\x00B\d+\x00", text):
        return text  # a block (list, code, display math, figure) is not wrapped in <p>
    return f"<p>{text}</p>"


def _image(path: str) -> str:
    return f'<p><img src="{html.escape(path)}" alt="figure"></p>'


def _display(match: re.Match[str]) -> str:
    if match[1] is not None:
        body = match[1]
    else:
        body = f"\\begin{{{match[2]}}}{match[3]}\\end{{{match[2]}}}"
    return f"<p>\\[{html.escape(body.strip(), quote=False)}\\]</p>"


def _list(kind: str, body: str, images: Iterator[str]) -> str:
    tag = "ul" if kind == "itemize" else "ol"
    items = [i for i in re.split(r"\\item\b", body) if i.strip()]
    rendered = []
    for item in items:
        label = ""
        if match := re.match(r"\s*\[([^\]]*)\]", item):
            label, item = _convert(match[1], images, paragraphs=False) + " ", item[match.end() :]
        rendered.append(f"<li>{label}{_convert(item, images, paragraphs=False)}</li>")
    return f"<{tag}>{''.join(rendered)}</{tag}>"


def _replace_command(text: str, command: str, open_tag: str, close_tag: str) -> str:
    """``\\command{...}`` with balanced braces, innermost first."""
    pattern = re.compile(rf"\\{command}\{{([^{{}}]*)\}}")
    while True:
        new = pattern.sub(lambda m: f"{open_tag}{m[1]}{close_tag}", text)
        if new == text:
            return new
        text = new
