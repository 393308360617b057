"""A student's formula, as typed or as LaTeX, rewritten into one Python-like notation.

Students write ``σ(w^T x + b)``, ``\\sigma(w^{T} x^{(i)} + b)``, ``sigmoid(w.T @ x + b)``,
``(1-\\beta)\\frac{\\partial J}{\\partial W}`` or ``ln(1 - y_hat)``.  :func:`normalise`
turns every such spelling into plain tokens (names, numbers, ``+ - * / ** @ ( ) ,`` and
``.T``), inserting the multiplications that LaTeX leaves implicit; nothing here evaluates
anything, and a character outside the notation makes the text unreadable.  The parser
(:mod:`generator.kinds.formula.equivalence`) then reads the tokens with an allow-list.
"""

from __future__ import annotations

import re

MAX_CHARS = 600  # the bank's longest formula, typed, is about 80 characters
MAX_TOKENS = 300
MAX_NESTING = 30

GREEK = {"σ": "sigma", "α": "alpha", "β": "beta", "λ": "lambda", "ε": "epsilon", "ϵ": "epsilon",
         "η": "eta", "μ": "mu", "γ": "gamma", "θ": "theta", "δ": "delta", "π": "pi",
         "ŷ": "yhat", "∂": "d", "−": "-", "·": "*", "×": "*", "⋅": "*", "ᵀ": "^{T} ", "⊤": "^{T} ",
         "√": "sqrt"}  # fmt: skip
UPDATE_ARROWS = re.compile(r"\\leftarrow|\\gets|:=|<-|←")
DERIVATIVE = re.compile(
    r"\\[dt]?frac\s*\{\s*(?:\\partial|d)\s*J(?:_\{?\s*\w+\s*\}?)?\s*\}\s*\{\s*(?:\\partial|d)\s*"
    r"W\s*\}|(?:\\partial|d)\s*J(?:_\{?\s*\w+\s*\}?)?\s*/\s*(?:\\partial|d)\s*W|\\nabla_\{?W\}?\s*J"
)
HAT = re.compile(r"\\(?:hat|widehat)\s*\{?\s*([A-Za-z])\s*\}?")
LAYER = re.compile(r"\^\s*\{?\s*\[\s*(\d+)\s*\]\s*\}?")  # W^{[1]} -> W1
EXAMPLE = re.compile(r"\^\s*\{?\s*\(\s*[a-z]\s*\)\s*\}?")  # x^{(i)} -> x
TRANSPOSE = re.compile(r"\^\s*(?:\{\s*(?:T|\\top|\\intercal)\s*\}|T\b|\\top|\\intercal)")
SUBSCRIPT = re.compile(r"([A-Za-z][A-Za-z0-9]*)\s*_\s*(?:\{\s*([A-Za-z0-9]+)\s*\}|([A-Za-z0-9]+))")
COMMAND = re.compile(r"\\([A-Za-z]+)")
SPACING = re.compile(r"\\[,;:!> ]|\\(?:left|right|big|Big|bigg|Bigg|displaystyle)\b|[$]")
METHOD_DOT = re.compile(r"\b([A-Za-z_]\w*)\s*\.\s*dot\s*\(")  # W.dot(x) -> dot(W, x)
PREFIX = re.compile(r"\b(?:np|numpy|math|torch|sp|sympy)\s*\.\s*(?=[A-Za-z])")
TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>\*\*|\.T\b|[-+*/@(),=]))"
)
TIMES = {"cdot", "times", "ast"}
SPELLED = {"frac", "dfrac", "tfrac", "sqrt", "operatorname", "mathrm", "text", "mathit"}


class Unreadable(ValueError):
    """The text is no formula in any notation this reader knows (or is too big to read)."""


def normalise(text: str) -> list[str]:
    """The formula's tokens in the parser's notation."""
    if len(text) > MAX_CHARS:
        raise Unreadable(f"a formula of more than {MAX_CHARS} characters")
    for old, new in GREEK.items():
        text = text.replace(old, new)
    text = text.replace("\u0302", "hat")  # y + combining circumflex
    text = UPDATE_ARROWS.sub("=", text)
    text = DERIVATIVE.sub(" dJdW ", text)
    text = HAT.sub(r" \1hat", text)
    text = LAYER.sub(r"\1", text)
    text = EXAMPLE.sub("", text)
    text = TRANSPOSE.sub(".T ", text)
    text = SPACING.sub(" ", text)
    text = _latex_groups(text)
    text = SUBSCRIPT.sub(lambda m: m[1] + (m[2] or m[3]), text)
    text = COMMAND.sub(lambda m: " * " if m[1] in TIMES else f" {m[1]} ", text)
    text = text.replace("{", "(").replace("}", ")").replace("[", "(").replace("]", ")")
    text = text.replace("^", "**")
    text = PREFIX.sub("", text)
    text = METHOD_DOT.sub(r"dot(\1, ", text)
    return tokens(text)


def _latex_groups(text: str) -> str:
    """``\\frac{a}{b}`` -> ``((a)/(b))``, ``\\sqrt{a}`` -> ``sqrt(a)``, ``\\operatorname{ln}``
    -> ``ln``: the commands whose braces are arguments, not grouping."""
    out = []
    i = 0
    while i < len(text):
        match = re.match(r"\\([A-Za-z]+)\s*", text[i:])
        if not match or match[1] not in SPELLED:
            out.append(text[i])
            i += 1
            continue
        command, i = match[1], i + match.end()
        count = 2 if command.endswith("frac") else 1
        groups = []
        for _ in range(count):
            group, i = _braced(text, i)
            groups.append(_latex_groups(group))
        if command.endswith("frac"):
            out.append(f" (({groups[0]})/({groups[1]})) ")
        elif command == "sqrt":
            out.append(f" sqrt({groups[0]}) ")
        else:
            out.append(f" {groups[0]} ")
    return "".join(out)


def _braced(text: str, start: int) -> tuple[str, int]:
    """The ``{...}`` group at ``start`` (or the one character there) and the index after it."""
    while start < len(text) and text[start] == " ":
        start += 1
    if start >= len(text):
        raise Unreadable("a LaTeX command without its argument")
    if text[start] != "{":
        return text[start], start + 1
    depth = 0
    for i in range(start, len(text)):
        depth += {"{": 1, "}": -1}.get(text[i], 0)
        if depth == 0:
            return text[start + 1 : i], i + 1
    raise Unreadable("an unclosed brace")


def tokens(text: str) -> list[str]:
    """The text cut into tokens; anything that is not one makes it unreadable."""
    found, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match:
            raise Unreadable(f"the character {text[position]!r} is not part of a formula")
        found.append(match[match.lastgroup])
        position = match.end()
        if len(found) > MAX_TOKENS:
            raise Unreadable(f"a formula of more than {MAX_TOKENS} tokens")
    depth = 0
    for token in found:
        depth += {"(": 1, ")": -1}.get(token, 0)
        if depth > MAX_NESTING:
            raise Unreadable(f"parentheses nested more than {MAX_NESTING} deep")
    return found
