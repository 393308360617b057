"""Responses as students write them, read into what a kind compares.

A response typed into an LMS, or transcribed from paper, carries more than the answer:

- the work before it: ``3*3*3*8 + 8 = 224``, ``J ≈ 0.611`` (the result after the last
  ``=``; work without one, ``-log(0.8)``, is computed: the stem of 2(c) asks for the
  formula filled in, not its value);
- units and labels: ``228 parameters``, ``n_x = 500``, ``about 0.61``;
- marks of the tools it passed through: Moodle's CSV puts ``'`` before a cell starting
  with ``-``; a Unicode minus; LaTeX's ``$``;
- thousands separators and a decimal comma where unambiguous: ``1,008`` is 1008 for a
  count, ``0,69`` is 0.69; ``1,008`` where a decimal is asked could be either, and goes
  to a person.

Several candidates (``3 or 4``) earn no more than the first.  Whatever cannot be read
raises :class:`Unreadable` with the reason, and the part goes to a person: an unread
response is never a silent zero.  Nothing here runs what a student wrote: arithmetic is
read by the formula reader's allow-list (generator.kinds.formula).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation

TOOL_MARK = re.compile(r"^'(?=[-+=@])")  # a spreadsheet's guard before a formula-like cell
SIGNS = {"\u2212": "-", "\u2013": "-", "\u2012": "-", "\u2014": "-", "\u2009": " ",
         "\u00a0": " ", "\u2248": "=", "\u2245": "=", "≃": "=", "\u00d7": "*",
         "\u22c5": "*", "\u00b7": "*"}  # fmt: skip
LATEX = re.compile(r"\$|\\[()\[\]]|\\approx|\\simeq|\\,|\\;|\\!")
ALTERNATIVE = re.compile(r"\s+or\s+|\s*;\s*")
THOUSANDS = re.compile(r"[-+]?[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?")  # no group starts 0,
DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")
WORDS = re.compile(r"[A-Za-z][A-Za-z_'.]*")
FUNCTIONS = {"log", "ln", "exp", "sqrt", "abs", "e", "pi"}  # what arithmetic may name
MAX_CHARS = 400


class Unreadable(ValueError):
    """The response cannot be read as what the part asks; ``str()`` says why."""


def cleaned(text: str) -> str:
    """The response without the marks tools add (a spreadsheet's ``'``, LaTeX's ``$``),
    its minus signs and approximate-equals as ASCII, on one line."""
    text = TOOL_MARK.sub("", text.strip())
    for sign, ascii_sign in SIGNS.items():
        text = text.replace(sign, ascii_sign)
    return " ".join(LATEX.sub(" ", text).split())


def number(text: str, *, whole: bool) -> Decimal:
    """The number a response gives (``whole``: a count, where a comma groups thousands).
    Unreadable when it gives none, or one that could be two."""
    if len(text) > MAX_CHARS:
        raise Unreadable(f"a response of more than {MAX_CHARS} characters where a number is asked")
    text = ALTERNATIVE.split(cleaned(text))[0]  # a hedge earns its first candidate only
    text = _total(_conclusion(text))
    text = RESULT.split(text)[-1]  # the result after the work: "... = 224", "...: 2170"
    text = _side_by_side(_without_words(text))
    if not text:
        raise Unreadable("no number in it")
    text = _separators(text, whole=whole)
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = _computed(text)
    if not value.is_finite():
        raise Unreadable(f"'{text}' is no finite number")
    return value


WORK = re.compile(r"[-+*/()^]|\\frac|\b(?:log|ln|exp|sqrt)\b")
RESULT = re.compile(r"=|(?<=[A-Za-z_)])\s*:|:(?=\s)")  # "= 224", "weights: 4008", not 1:230


def shows_work(text: str) -> bool:
    """Whether a response writes arithmetic or a formula, not only a number (with its
    sign, units or label): a person can find in it what a rubric credits in part."""
    return bool(WORK.search(cleaned(text).lstrip("+- ")))


REMARK = re.compile(r"\(([^()]*)\)")


def without_remarks(text: str) -> str:
    """A remark in parentheses after the number (``1 (a scalar)``) taken out; arithmetic's
    parentheses (``log(0.8)``, ``(1/3)``) hold no words but its functions'."""

    def remark(found: re.Match[str]) -> str:
        content = re.sub(r"\\[A-Za-z]+", " ", found[1])  # LaTeX's commands are no words
        words = [w.lower().rstrip(".") for w in WORDS.findall(content)]
        return " " if any(len(w) > 1 and w not in FUNCTIONS for w in words) else found[0]

    return REMARK.sub(remark, text)


REASON = re.compile(r"\b(?:since|because)\b", re.IGNORECASE)
CONCLUSION = re.compile(r"\b(?:so|thus|hence|therefore|giving)\b|=>|⇒|→", re.IGNORECASE)


def _conclusion(text: str) -> str:
    """The answer of a response that argues for it: before its reason (``7, since
    (1/2)^7 < 0.01``), after the conclusion of its work (``(15 + 2 - 5)/1 + 1 = 13, ...,
    so 13 x 30``); a conclusion after no work (``3, hence 230``) is two answers, left whole."""
    text = REASON.split(text, maxsplit=1)[0]
    pieces = CONCLUSION.split(text)
    if len(pieces) > 1 and "=" in "".join(pieces[:-1]):
        return pieces[-1].strip(" ,;")
    return text


TOTAL = re.compile(r"\b(in\s+total|altogether|in all)\b|\btotal\b", re.IGNORECASE)


def _total(text: str) -> str:
    """In sentences that count several things, the total: the number the word ``total``
    is next to (``so 1540 in total``, ``a total of 1540``, ``total = 1540``)."""
    found = TOTAL.search(text)
    if found is None or len(re.findall(NUMBER, text)) < 2:
        return text
    if found.group(1):  # "1540 in total", "230 altogether": the number before the words
        before = re.findall(NUMBER, text[: found.start()])
        return before[-1] if before else text
    after = re.match(rf"\s*(?:of|is|=|:)?\s*{NUMBER}", text[found.end() :])
    if after:  # "total = 3*3*8 + 8 = 224": work after the word, its result read as usual
        rest = text[found.end() + after.end() :]
        return text if re.match(r"\s*[-+*/^(x\u00d7]", rest) else after.group(1)
    before = re.findall(NUMBER, text[: found.start()])
    return before[-1] if before else text


SIDE_BY_SIDE = re.compile(r"[-+]?[\d.,]*\d(?:\s+[-+]?[\d.,]*\d)+")
SPACED_THOUSANDS = re.compile(r"[-+]?\d{1,3}(?: \d{3})+")


def _side_by_side(text: str) -> str:
    """Numbers left side by side: thousands grouped by spaces ("2 170"), or several
    numbers ("600 weights and 6 biases" without its words), which arithmetic would read
    as a product (600 x 6) and which are no one answer: Unreadable."""
    if not SIDE_BY_SIDE.fullmatch(text):
        return text
    if SPACED_THOUSANDS.fullmatch(text):
        return text.replace(" ", "")
    raise Unreadable(f"it gives several numbers ({', '.join(text.split())}), not one answer")


def _without_words(text: str) -> str:
    """The number without the words around it (units, labels, "about"), keeping the
    names arithmetic may use (``log``, ``e``)."""
    text = without_remarks(text)

    def kept(found: re.Match[str]) -> str:
        latex = found.start() > 0 and text[found.start() - 1] == "\\"  # \frac, \log, \left
        word = found.group(0)
        return word if latex or word.lower().rstrip(".") in FUNCTIONS else " "

    stripped = WORDS.sub(kept, text)
    return " ".join(stripped.split()).strip(" :,")


def _separators(text: str, *, whole: bool) -> str:
    """Commas read as thousands separators or as a decimal comma, where that is sure."""
    if "," not in text:
        return text
    if THOUSANDS.fullmatch(text) and (whole or "." in text):
        return text.replace(",", "")
    if THOUSANDS.fullmatch(text):
        raise Unreadable(f"'{text}' reads as {text.replace(',', '')} or {text.replace(',', '.')}")
    if DECIMAL_COMMA.fullmatch(text):
        return text.replace(",", ".")
    raise Unreadable(f"'{text}' is no single number")


def _computed(text: str) -> Decimal:
    """The value of arithmetic written out (``-log(0.8)``, ``3*3*3*8 + 8``), read by the
    formula reader's allow-list; Unreadable when it is no arithmetic of numbers."""
    import sympy as sp

    from generator.kinds.formula.equivalence import read_response

    try:
        expr = read_response(text, {})
    except Exception:  # not arithmetic, or sympy's own failure on a strange input
        raise Unreadable(f"'{text}' is no number") from None
    if expr.free_symbols or not isinstance(expr, sp.Expr):
        raise Unreadable(f"'{text}' is a formula of names, where a number is asked")
    if expr.is_Integer:
        return Decimal(int(expr))
    try:
        value = complex(expr.evalf(30))
    except (TypeError, ValueError, OverflowError):
        raise Unreadable(f"'{text}' has no value") from None
    if value.imag:
        raise Unreadable(f"'{text}' is no real number")
    return Decimal(repr(value.real))


BLANKS = {"", "_", "-", "?", "..."}  # an entry left empty, as reports and students write it


def blank(text: str) -> bool:
    """Whether an entry was left empty (a report's placeholder, a question mark)."""
    return text.strip() in BLANKS


def spelled(text: str) -> str:
    """A response as compared with the key's alternative spellings: lower case, without
    spaces, brackets or the multiplication sign's variants (``(500 x 1)`` is ``500x1``)."""
    text = cleaned(text).lower().replace("×", "x").replace("*", "x").replace("\\times", "x")
    if re.fullmatch(r"\(\s*\d+\s*(?:,\s*\d+\s*)+\)", text):
        text = text.replace(",", "x")  # numpy's (2, 1) for 2 x 1
    return re.sub(r"[\s()\[\]{}]", "", text)


SIZE = re.compile(r"\(?\s*\d+\s*(?:x|\u00d7|\*|\\times)\s*\d+\s*\)?|\(\s*\d+\s*,\s*\d+\s*\)",
                  re.IGNORECASE)  # fmt: skip


def is_size(text: str) -> bool:
    """Whether a response is written as a size, ``340 x 1`` or ``(2, 1)``."""
    return SIZE.fullmatch(cleaned(text)) is not None


BRACKETED = re.compile(r"^[^\[(=]*=\s*")  # "x* = [...]": the vector after its name
TRANSPOSED = re.compile(r"(?<=[\])])\s*(?:\^\s*\{?\s*T\s*\}?|\.T|'|ᵀ)")
MATRIX = re.compile(r"\\(?:begin|end)\{[bpvBV]?matrix\}")
ENTRY_LABEL = re.compile(r"(?<![\w.])[A-Za-z][\w'{}^]*\s*[=:]\s*")
ENTRY_SEPARATORS = re.compile(r"\s*(?:[;,&]|\\\\)\s*|\s+")
SIZE_SEPARATORS = re.compile(r"\s*(?:[;,&x*]|\\times|\\\\)\s*|\s+", re.IGNORECASE)


def entries(text: str, names: list[str], *, sizes: bool = False) -> list[str]:
    """The entries a vector or shape response gives, in the key's order: by their names
    where it labels them (``biases: 33, weights: 8352``), else in the order written, in
    any of the notations a vector is written in (``[1, 2]^T``, ``x* = (1; 2)``, a
    bmatrix, ``28 × 28 × 2``)."""
    if len(text) > MAX_CHARS:
        raise Unreadable(f"a response of more than {MAX_CHARS} characters")
    text = cleaned(text)
    labelled = _labelled(text, names)
    if labelled is not None:
        return labelled
    text = _conclusion(re.split(r"\s+or\s+", text)[0])  # a hedge: its first candidate
    last = text.rsplit("=", 1)[-1].strip()
    if text.count("=") > 1 and last[:1] in "[(":  # x* = x + 0.01 sign(..) = [0.99, ...]
        text = last
    text = TRANSPOSED.sub("", MATRIX.sub(" ", BRACKETED.sub("", text)))
    text = ENTRY_LABEL.sub(" ", text)  # w_1 = -0.100, w_2 = -0.123
    text = text.strip().strip("()[]{}").strip()
    pieces = (SIZE_SEPARATORS if sizes else ENTRY_SEPARATORS).split(text)
    return [piece.strip("()[]{}") for piece in pieces if piece.strip("()[]{}")]


NUMBER = r"([-+]?[\d.,]*\d)"


def _labelled(text: str, names: list[str]) -> list[str] | None:
    """The entries by name, when the response labels every one: by its name, singular or
    plural, its initial or its usual symbol (``W: 3280, b: 81``, ``μ = 0.2``), before its
    number (``biases: 33``, after any work: ``Bias parameters: 8 + 1 = 9``) or after it
    (``33 biases``)."""
    if len(names) < 2:
        return None
    spots = []
    for index, name in enumerate(names):
        spelled = "|".join(re.escape(n) for n in _forms(name, names))
        found = re.search(rf"(?<!\w)(?:{spelled})(?!\w)", text, re.I)
        if found is None:
            return None
        spots.append((found.start(), found.end(), index))
    spots.sort()
    numbers_first = re.match(rf"\s*{NUMBER}", text[: spots[0][0]]) is not None
    entries: list[str] = [""] * len(names)
    for k, (start, end, index) in enumerate(spots):
        if numbers_first:
            numbers = re.findall(NUMBER, text[spots[k - 1][1] if k else 0 : start])
            value = numbers[-1] if numbers else None
        else:
            segment = text[end : spots[k + 1][0] if k + 1 < len(spots) else len(text)]
            value = segment.rsplit("=", 1)[-1].strip(" ,;:.")
            value = re.sub(r"(?:\s+(?:and|&))+$", "", value) or None
        if value is None:
            return None
        entries[index] = value.rstrip(".,")
    return entries


# The symbols entries are usually labelled with, besides their names and initials.
SYMBOLS = {"mean": ("mu", "μ"), "variance": ("var", "σ²", "σ^2", "sigma^2", "sigma2"),
           "accuracy": ("acc",)}  # fmt: skip


def _forms(name: str, names: list[str]) -> list[str]:
    """A name as a response may label its entry: singular or plural (weights, weight;
    biases, bias), its usual symbol, and its initial where no other name shares it."""
    forms = {name, name + "s", *SYMBOLS.get(name, ())}
    if name.endswith("es"):
        forms.add(name[:-2])
    if name.endswith("s"):
        forms.add(name[:-1])
    initials = [n[:1].casefold() for n in names]
    if initials.count(name[:1].casefold()) == 1:
        forms.add(name[:1])
    return sorted(forms, key=len, reverse=True)


PAIR_SEPARATORS = re.compile(r"\s*(?:[;,\n]|\band\b)\s*")
ITEM_FIRST = re.compile(r"^\(?(\w{1,3})\)?\s*(?:=|:|->|→|-|is\b)?\s*(.+)$")
OPTION_FIRST = re.compile(r"^(.+?)\s*(?:\((\w{1,3})\)|(?:=|:|->|→|-|for)\s*\(?(\w{1,3})\)?)$")


def pairs(text: str, items: list[str], names: Mapping[str, list[str]]) -> dict[str, str]:
    """Which option a response pairs with each item: ``A=SGD; B=BGD``, ``A: SGD, B: BGD``,
    option first (``Batch (B)``), or the options alone in the items' order.  ``names``
    gives each option's names (its text first); an item paired twice keeps its first pair
    (a hedge earns no more than its first candidate).  Unreadable when a piece pairs no
    item with an option."""
    text = "\n".join(cleaned(line) for line in text.splitlines()).strip()
    if not text:
        return {}
    if len(text) > MAX_CHARS:
        raise Unreadable(f"more than {MAX_CHARS} characters")
    option_of = {_name_key(n): option for option, spelled in names.items() for n in spelled}
    items = {item.casefold(): item for item in items}
    pieces = [p.strip(" .") for p in PAIR_SEPARATORS.split(text) if p.strip(" .")]
    found: dict[str, str] = {}
    for piece in pieces:
        item, option = _pair(piece, items, option_of)
        if item is None:
            break
        found.setdefault(item, option)
    else:
        return found
    options = [option_of.get(_name_key(p)) for p in pieces]
    if len(pieces) == len(items) and all(options):
        return dict(zip(items.values(), options, strict=True))  # type: ignore[arg-type]
    unknown = next((p for p, o in zip(pieces, options, strict=True) if not o), pieces[0])
    raise Unreadable(f"{unknown[:40]!r} pairs no item with one of the options")


def _pair(piece: str, items: Mapping[str, str],
          option_of: Mapping[str, str]) -> tuple[str | None, str]:  # fmt: skip
    """One piece as (item, option), item first or option first, the item in any case
    (``items``: by its case-folded label); (None, "") if neither."""
    first = ITEM_FIRST.match(piece)
    if first and first[1].casefold() in items and _name_key(first[2]) in option_of:
        return items[first[1].casefold()], option_of[_name_key(first[2])]
    last = OPTION_FIRST.match(piece)
    item = ((last and (last[2] or last[3])) or "").casefold()
    if last and item in items and _name_key(last[1]) in option_of:
        return items[item], option_of[_name_key(last[1])]
    return None, ""


def _name_key(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", name.casefold())
