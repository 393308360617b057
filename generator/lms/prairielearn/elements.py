"""How each part of a question becomes a PrairieLearn element, and how that element scores.

Each answer kind becomes the element that grades it closest to its rubric
(:data:`NATIVE`): a formula PrairieLearn can read a ``pl-symbolic-input``
(:func:`symbolic`), and the course's ``server.py`` then applies what the elements cannot
(live.py's ``grade``): an all-or-nothing vector's rule over its entries, a named
mistake's credit on a number.  :func:`fit` says, as lms/scoring.py does for the other
formats, where PrairieLearn then scores otherwise than the rubric.
"""

from __future__ import annotations

import keyword
import math
import re
from fractions import Fraction
from typing import Any

import sympy as sp

from generator.key.records import PartInfo, QuestionInfo
from generator.kinds import KINDS
from generator.kinds.formula.reader import read_formula
from generator.lms import scoring
from generator.lms.items import by_hand, text_html

# Each kind's element, as it scores (lms/scoring.py's vocabulary): an input per number
# or entry, each weighted by its share; a checkbox scoring each statement decided right
# ("each-answer"); a matching, each pair its share; a person for the rest.
NATIVE = {
    "integer": scoring.WHOLE,  # pl-integer-input
    "number": scoring.WHOLE,  # pl-number-input
    "choice": scoring.WHOLE,  # pl-multiple-choice
    "vector": scoring.WEIGHTED,  # a pl-number-input per entry, weighted
    "shape": scoring.WEIGHTED,  # a pl-integer-input per entry, weighted
    "multi": scoring.EQUAL,  # pl-checkbox partial-credit="each-answer"
    "matching": scoring.EQUAL,  # pl-matching, partial credit per pair
    "expression": scoring.ESSAY,  # pl-rich-text-editor, manual grading
    "text": scoring.ESSAY,
    "code": scoring.ESSAY,
}
# The element of a part graded whole (a kind with entries takes an input per entry).
ELEMENT = {"integer": "pl-integer-input", "number": "pl-number-input",
           "choice": "pl-multiple-choice", "multi": "pl-checkbox", "matching": "pl-matching",
           "expression": "pl-symbolic-input"}  # fmt: skip
missing = set(KINDS) - set(NATIVE)
if missing:
    raise RuntimeError(f"generator.lms.prairielearn has no element for {sorted(missing)}")

TOLERANCE_DOES = (
    "accepts |x - a| <= atol + rtol*|a| (pl-number-input's relabs), where the rubric "
    "accepts |x - a| <= max(abs, rel*|a|): a little more"
)
ALL_DOES = "each entry earns its share (PrairieLearn's inputs are graded one by one)"
CREDITED = "qti21"  # lms/scoring.py's format that gives every credit its share: the same values
GROUPS_DOES = (
    "each entry earns its share of its group's points, even with another of the group wrong"
)
SHARED_DOES = scoring.SHARED_DOES
PERSON_DOES = scoring.PERSON_DOES


# ------------------------------------------------------------------ how it scores


def native(part: PartInfo) -> str:
    """How PrairieLearn's element for the part turns its items' marks into a share."""
    if by_hand(part):
        return scoring.ESSAY
    if part.kind == "expression":
        return scoring.WHOLE if symbolic(part) else scoring.ESSAY
    if part.kind == "matching" and part.scoring.rule == "all" and not part.scoring.steps:
        return scoring.WHOLE  # pl-matching partial-credit="false"
    if len(scoring.items(part)) == 1 and NATIVE[part.kind] != scoring.ESSAY:
        return scoring.WHOLE
    return NATIVE[part.kind]


def fit(part: PartInfo) -> scoring.Fit:
    """How PrairieLearn scores the part against its rubric (lms/scoring.py's ``fit``)."""
    how = native(part)
    if how == scoring.ESSAY:
        return scoring.Fit(scoring.BY_HAND)
    if not scoring.agrees(how, part) and not all_or_nothing(part):
        if how == scoring.WEIGHTED and part.scoring.rule == "groups":
            return scoring.Fit(scoring.FORCED, GROUPS_DOES)
        return scoring.Fit(scoring.FORCED, ALL_DOES)
    if part.scoring.person == "wrong":
        return scoring.Fit(scoring.FORCED, PERSON_DOES)
    if part.scoring.credit and len(credited(part)) < len(scoring.credits(part)):
        return scoring.Fit(scoring.FORCED, SHARED_DOES)
    tolerance = part.tolerance
    if KINDS[part.kind].numeric and tolerance and tolerance.abs and tolerance.rel:
        return scoring.Fit(scoring.FORCED, TOLERANCE_DOES)
    return scoring.Fit(scoring.EXACT)


def auto(part: PartInfo) -> bool:
    """Whether an element grades the part (else a person does, by the grading notes)."""
    return fit(part).how != scoring.BY_HAND


def all_or_nothing(part: PartInfo) -> bool:
    """Whether ``server.py``'s ``grade`` applies the part's rule over its inputs, which
    PrairieLearn grades one by one: a vector or shape all or nothing (its steps too), or
    a formula of several equations."""
    if part.kind == "expression":
        return len(symbolic(part) or ()) > 1
    return (_entries(part) and part.scoring.rule == "all" and len(scoring.items(part)) > 1
            and native(part) == scoring.WEIGHTED)  # fmt: skip


def inputs(part: PartInfo) -> list[str]:
    """The answers-names of an auto-graded part's inputs: one, or one per entry or
    equation (``p_c_1``, ``p_c_2``, ...)."""
    name = answer_name(part)
    count = (len(part.answer) if _entries(part)
             else len(symbolic(part) or ()) if part.kind == "expression" else 1)  # fmt: skip
    return (
        [name] if count == 1 and not _entries(part) else [f"{name}_{n + 1}" for n in range(count)]
    )


def credited(part: PartInfo) -> list[scoring.Credit]:
    """The named mistakes ``server.py``'s ``grade`` gives their share on a number or
    integer part: each credited one whose value no other mistake that earns otherwise
    shares, nor the answer (lms/scoring.py's ``credit_answers``; grade sends those to a person)."""
    if part.kind not in ("integer", "number") or not part.scoring.credit:
        return []
    return scoring.credit_answers(CREDITED, part)


# ------------------------------------------------------------------ formulas

# What pl-symbolic-input reads: names, numbers, + - * / ** and these functions.
PL_FUNCTIONS = {sp.log: "log", sp.exp: "exp"}
PL_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# PrairieLearn's own constants and functions (prairielearn/sympy_utils.py), and the
# names its parser reads otherwise (lambda: sympy's Lambda): never a variable.
PL_RESERVED = {"e", "E", "pi", "i", "j", "infty", "oo", "I", "lambda", "Lambda", "log", "ln",
               "exp", "sqrt", "abs", "Abs", "factorial", "sin", "cos", "tan", "arcsin",
               "arccos", "arctan", "sinh", "cosh", "tanh", "sec", "csc", "cot", "min", "max",
               "sign", "sgn", "nan", "zoo"}  # fmt: skip
# How a variable reads in the text, where sympy's LaTeX of its name does not say it.
SHOWN = {"lam": r"\lambda", "dJdW": r"\frac{\partial J}{\partial W}"}


def symbolic(part: PartInfo) -> list[dict[str, Any]] | None:
    """What a ``pl-symbolic-input`` per equation needs for an expression part they grade as
    the rubric does: each one's correct answer (the right-hand side, in PrairieLearn's
    notation), variables and left-hand side; None where a person grades (the rubric sends
    wrong answers to one, gives steps or credits, has alternatives, or an equation holds
    what PrairieLearn cannot read: matrices, functions of ours, names it reserves).  The
    equations of one part are all or nothing: live.py's ``grade`` scores them together."""
    rule = part.scoring
    if (part.kind != "expression" or rule.person or rule.rule != "all" or rule.steps
            or rule.credit or part.alternatives or not part.answer):  # fmt: skip
        return None
    found = [_equation(formula.sympy, formula.lhs) for formula in part.answer]
    return None if None in found else found  # type: ignore[return-value]


def _equation(source: str, lhs: str) -> dict[str, Any] | None:
    try:
        expr = read_formula(source)
    except (ValueError, TypeError, SyntaxError):  # pragma: no cover - the key's own
        return None
    if not isinstance(expr, sp.Expr) or not _readable(expr):
        return None
    names = sorted(str(s) for s in expr.free_symbols)
    if not names or any(not PL_NAME.fullmatch(n) or n in PL_RESERVED or keyword.iskeyword(n)
                        for n in names):  # fmt: skip
        return None
    plain = expr.xreplace({s: sp.Symbol(str(s)) for s in expr.free_symbols})
    return {"answer": sp.sstr(plain, order="none"), "variables": names, "lhs": lhs,
            "shown": {n: SHOWN.get(n, sp.latex(sp.Symbol(n))) for n in names}}  # fmt: skip


def _readable(expr: sp.Basic) -> bool:
    if isinstance(expr, (sp.Symbol, sp.Integer, sp.Rational)):
        return not isinstance(expr, sp.Dummy)
    if isinstance(expr, (sp.Add, sp.Mul, sp.Pow)) or expr.func in PL_FUNCTIONS:
        return all(_readable(a) for a in expr.args)
    return False


# ------------------------------------------------------------------ names and ids


def answer_name(part: PartInfo) -> str:
    """The part's ``answers-name``: ``p_b_ii`` for (b)(ii)."""
    return "p_" + re.sub(r"[^A-Za-z0-9]+", "_", part.part).strip("_")


def letters(part: PartInfo) -> str:
    """The part's label without its question's number: ``(b)(ii)``."""
    return part.label[part.label.index("(") :]


# ------------------------------------------------------------------ question.html


def weights(question: QuestionInfo) -> dict[str, list[int]]:
    """Each auto-graded part's element weights (one per entry), whole numbers in the
    proportions of the parts' points (PrairieLearn's weights are integers)."""
    shares = {}
    for part in question.parts:
        if auto(part):
            each = Fraction(str(part.points)) / len(inputs(part))  # an equation's share
            shares[answer_name(part)] = (scoring.weights(part) if _entries(part)
                                         else [each] * len(inputs(part)))  # fmt: skip
    scale = math.lcm(*(w.denominator for ws in shares.values() for w in ws)) if shares else 1
    return {name: [int(w * scale) for w in ws] for name, ws in shares.items()}


def _entries(part: PartInfo) -> bool:
    return KINDS[part.kind].entries


def question_html(question: QuestionInfo) -> str:
    """The question's ``question.html``: its text from the variant's params, an element
    per part (its attributes the same for every variant)."""
    lines = ["<pl-question-panel>", "{{{params.stem}}}", "</pl-question-panel>"]
    for part in question.parts:
        name = answer_name(part)
        points = f"{part.points:g} point{'s' if part.points != 1 else ''}"
        lines += [f'<div class="part mb-4" id="part-{name}">', "<pl-question-panel>",
                  f"<p><strong>{text_html(letters(part))}</strong> ({points})</p>",
                  f"{{{{{{params.{name}_text}}}}}}", "</pl-question-panel>"]  # fmt: skip
        lines += _element(part, name)
        lines.append("</div>")
    return "\n".join(lines) + "\n"


def _element(part: PartInfo, name: str) -> list[str]:
    """The part's element(s); weights from the variant's params (whole numbers in the
    proportions of its question's points, which may differ between variants)."""
    weight = f"{{{{params.{name}_weight}}}}"
    kind = KINDS[part.kind]
    if not auto(part):
        editor = f'<pl-rich-text-editor file-name="{name}.html" allow-blank="true">'
        return [f"{editor}</pl-rich-text-editor>",
                "<pl-manual-grading-only>", f"{{{{{{params.{name}_notes}}}}}}",
                "</pl-manual-grading-only>", "<pl-answer-panel>",
                f"{{{{{{params.{name}_notes}}}}}}", "</pl-answer-panel>"]  # fmt: skip
    if kind.entries:
        element = "pl-integer-input" if kind.exact else "pl-number-input"
        attributes = "" if kind.exact else _tolerance(part)
        return [f"{{{{#params.{name}_entries}}}}",
                f"<p>{{{{{{label}}}}}}: <{element} answers-name=\"{{{{name}}}}\" "
                f'weight="{{{{weight}}}}"{attributes}></{element}></p>',
                f"{{{{/params.{name}_entries}}}}"]  # fmt: skip
    if part.kind == "integer":
        return [f'<pl-integer-input answers-name="{name}" weight="{weight}"></pl-integer-input>']
    if part.kind == "number":
        return [f'<pl-number-input answers-name="{name}" weight="{weight}"'
                f"{_tolerance(part)}></pl-number-input>"]  # fmt: skip
    if part.kind in ("choice", "multi"):
        element, credit = (("pl-multiple-choice", "") if part.kind == "choice"
                           else ("pl-checkbox", ' partial-credit="each-answer"'))  # fmt: skip
        return [f'<{element} answers-name="{name}" order="fixed" hide-letter-keys="true" '
                f'weight="{weight}"{credit}>', f"{{{{#params.{name}_options}}}}",
                '<pl-answer correct="{{correct}}">{{{html}}}</pl-answer>',
                f"{{{{/params.{name}_options}}}}", f"</{element}>"]  # fmt: skip
    if part.kind == "matching":
        partial = "false" if native(part) == scoring.WHOLE else "true"
        return [f'<pl-matching answers-name="{name}" fixed-order="true" '
                f'fixed-options-order="true" partial-credit="{partial}" weight="{weight}">',
                f"{{{{#params.{name}_statements}}}}",
                '<pl-statement match="{{match}}">{{{html}}}</pl-statement>',
                f"{{{{/params.{name}_statements}}}}", f"{{{{#params.{name}_options}}}}",
                '<pl-option name="{{name}}">{{{html}}}</pl-option>',
                f"{{{{/params.{name}_options}}}}", "</pl-matching>"]  # fmt: skip
    if part.kind == "expression":  # an input per equation
        return [f"{{{{#params.{name}_formulas}}}}",
                '<p><pl-symbolic-input answers-name="{{name}}" weight="{{weight}}" '
                'variables="{{variables}}" label="{{label}}"></pl-symbolic-input></p>',
                f"{{{{/params.{name}_formulas}}}}"]  # fmt: skip
    raise AssertionError(f"no element for an auto-graded {part.kind} part")  # pragma: no cover


def element_names(question: QuestionInfo) -> dict[str, str]:
    """Each part's element by answers-name (``manual`` where a person grades): what
    question.html is written for, and what every variant's parts must take."""
    found = {}
    for part in question.parts:
        kind = KINDS[part.kind]
        if not auto(part):
            found[answer_name(part)] = "manual"
        elif kind.entries:
            found[answer_name(part)] = ELEMENT["integer" if kind.exact else "number"]
        else:
            found[answer_name(part)] = ELEMENT[part.kind]
    return found


def _tolerance(part: PartInfo) -> str:
    """pl-number-input's comparison: |x - a| <= atol + rtol*|a| (its relabs)."""
    tolerance = part.tolerance
    atol, rtol = (tolerance.abs, tolerance.rel) if tolerance else (0, 0)
    return f' comparison="relabs" atol="{atol!r}" rtol="{rtol!r}"'
