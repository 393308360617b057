"""PrairieLearn: the run's questions as a PrairieLearn course folder (``--lms prairielearn``).

``prairielearn/`` holds what a PrairieLearn course needs to run the exam:

- ``infoCourse.json``, and ``courseInstances/exams/`` with an assessment per blueprint
  (``assessments/<exam>/infoAssessment.json``): a zone per table of the blueprint, a zone
  that picks M of its questions where the table picks M (``numberChoose``), each question
  worth its points (``autoPoints`` for what its elements grade, ``manualPoints`` for what a
  person grades);
- ``questions/<question id>/`` per bank question of the run: ``info.json``,
  ``question.html`` (the question's parts, an element each), ``server.py`` and
  ``variants.json``: the run's variants of the question, each with its text and answers.

**Fixed variants.** ``server.py``'s ``generate(data)`` picks one of the run's variants by
PrairieLearn's variant seed (``variant_seed % len(variants)``) and fills ``params`` and
``correct_answers`` from it: every student sees a variant the key holds, so
``generate-exam grade`` and the paper agree with PrairieLearn on every answer, and the
course needs nothing of this package.  Drawing new variants inside PrairieLearn (the
question's ``sample`` on a generator seeded by the variant seed, our engine solving it)
is the next step; it needs the bank's code in ``serverFilesCourse/`` (docs/lms-delivery.md).

Each answer kind becomes the element that grades it closest to its rubric
(:data:`NATIVE`): a formula PrairieLearn can read a ``pl-symbolic-input``
(:func:`symbolic`), and ``server.py``'s ``grade(data)`` then applies what the elements
cannot (:func:`grading`): an all-or-nothing vector's rule over its entries, a named
mistake's credit on a number.  :func:`fit` says, as lms/scoring.py does for the other formats, where
PrairieLearn then scores otherwise than the rubric, and ``prairielearn/scoring-notes.txt``
lists those parts.  Every file is written with sorted keys and ids derived from the
question ids (uuid5), so the same run exports the same bytes.
"""

from __future__ import annotations

import base64
import json
import keyword
import math
import re
import shutil
import uuid
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import sympy as sp

from generator.key.records import Key, PartInfo, QuestionInfo
from generator.kinds import KINDS, bounds
from generator.kinds import scoring as rubric
from generator.kinds.formula.reader import read_formula
from generator.lms import scoring
from generator.lms.html import to_html
from generator.lms.items import (
    by_hand,
    drawn_once,
    entry_names,
    feedback_html,
    options_html,
    quiz_title,
    text_html,
)
from generator.lms.package import read_figure

FOLDER = "prairielearn"
INSTANCE = "exams"
NOTES = "scoring-notes.txt"
NAMESPACE = uuid.UUID("5b0b7f0e-2a8e-5c57-9d55-3f7c2f1b9e29")  # this exporter's own

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
    """Whether ``server.py``'s ``grade`` applies the part's rule over its entries: a vector
    or shape all or nothing (its steps too), whose inputs PrairieLearn grades one by one."""
    return (_entries(part) and part.scoring.rule == "all" and len(scoring.items(part)) > 1
            and native(part) == scoring.WEIGHTED)  # fmt: skip


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


def symbolic(part: PartInfo) -> dict[str, Any] | None:
    """What a ``pl-symbolic-input`` needs for an expression part it grades as the rubric
    does: its correct answer (the right-hand side, in PrairieLearn's notation), its
    variables and the left-hand side; None where a person grades (the rubric sends wrong
    answers to one, the answer is several equations, has alternatives, or holds what
    PrairieLearn cannot read: matrices, functions of ours, names it reserves)."""
    rule = part.scoring
    if (part.kind != "expression" or rule.person or rule.rule != "all" or rule.steps
            or rule.credit or part.alternatives or len(part.answer) != 1):  # fmt: skip
        return None
    formula = part.answer[0]
    try:
        expr = read_formula(formula.sympy)
    except (ValueError, TypeError, SyntaxError):  # pragma: no cover - the key's own
        return None
    if not isinstance(expr, sp.Expr) or not _readable(expr):
        return None
    names = sorted(str(s) for s in expr.free_symbols)
    if not names or any(not PL_NAME.fullmatch(n) or n in PL_RESERVED or keyword.iskeyword(n)
                        for n in names):  # fmt: skip
        return None
    plain = expr.xreplace({s: sp.Symbol(str(s)) for s in expr.free_symbols})
    return {"answer": sp.sstr(plain, order="none"), "variables": names, "lhs": formula.lhs,
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


def make_uuid(*names: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(names)))


def dumps(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# ------------------------------------------------------------------ question.html


def weights(question: QuestionInfo) -> dict[str, list[int]]:
    """Each auto-graded part's element weights (one per entry), whole numbers in the
    proportions of the parts' points (PrairieLearn's weights are integers)."""
    shares = {}
    for part in question.parts:
        if auto(part):
            shares[answer_name(part)] = (scoring.weights(part) if _entries(part)
                                         else [Fraction(str(part.points))])  # fmt: skip
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
        lines += [f'<div class="part" id="part-{name}">', "<pl-question-panel>",
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
    if part.kind == "expression":
        return [f'<pl-symbolic-input answers-name="{name}" weight="{weight}" '
                f'variables="{{{{params.{name}_variables}}}}" '
                f'label="{{{{params.{name}_label}}}}"></pl-symbolic-input>']  # fmt: skip
    raise AssertionError(f"no element for an auto-graded {part.kind} part")  # pragma: no cover


def _tolerance(part: PartInfo) -> str:
    """pl-number-input's comparison: |x - a| <= atol + rtol*|a| (its relabs)."""
    tolerance = part.tolerance
    atol, rtol = (tolerance.abs, tolerance.rel) if tolerance else (0, 0)
    return f' comparison="relabs" atol="{atol!r}" rtol="{rtol!r}"'


# ------------------------------------------------------------------ a variant's data


FIGURE = re.compile(r'<img src="(figures/[A-Za-z0-9][A-Za-z0-9._-]*\.png)"')


def _html(text: str, figures: Sequence[str], run_folder: Path) -> str:
    """LaTeX as HTML, each figure's PNG inline (a data URI: the variant carries its own
    figures, and the course folder holds no file but text)."""

    def inline(match: re.Match[str]) -> str:
        data = base64.b64encode(read_figure(run_folder, match.group(1))).decode()
        return f'<img src="data:image/png;base64,{data}"'

    return FIGURE.sub(inline, to_html(text, figures))


def variant_data(variant: str, question: QuestionInfo, run_folder: Path) -> dict[str, Any]:
    """One variant: the params question.html shows and the answers its elements grade."""
    figures = tuple(question.figures.values())
    params: dict[str, Any] = {"variant": variant,
                              "stem": _html(question.stem, figures, run_folder)}  # fmt: skip
    correct: dict[str, Any] = {}
    weight = weights(question)
    for part in question.parts:
        name = answer_name(part)
        text = "\n\n".join(t for t in (part.context, part.asked) if t)
        params[f"{name}_text"] = _html(text, figures, run_folder)
        params[f"{name}_notes"] = feedback_html(part)
        if not auto(part):
            if KINDS[part.kind].choices and not KINDS[part.kind].pairs:
                params[f"{name}_text"] += options_html(part)
            continue
        kind = KINDS[part.kind]
        if not kind.entries:
            params[f"{name}_weight"] = weight[name][0]
        if kind.entries:
            entries = []
            for n, (label, value, w) in enumerate(zip(entry_names(part), part.answer,
                                                      weight[name], strict=True)):  # fmt: skip
                entry = f"{name}_{n + 1}"
                entries.append({"label": text_html(label), "name": entry, "weight": w})
                correct[entry] = value
            params[f"{name}_entries"] = entries
        elif part.kind in ("integer", "number"):
            correct[name] = part.answer
        elif part.kind == "expression":
            formula = symbolic(part) or {}
            correct[name] = formula["answer"]
            params[f"{name}_variables"] = ", ".join(formula["variables"])
            params[f"{name}_label"] = f"${formula['lhs']} =$"
            shown = ", ".join(f"<code>{n}</code> for \\({t}\\)"
                              for n, t in formula["shown"].items())  # fmt: skip
            params[f"{name}_text"] += f"<p>Type the right-hand side; its variables: {shown}.</p>"
        elif part.kind in ("choice", "multi"):
            params[f"{name}_options"] = [
                {"correct": "true" if o.correct else "false",
                 "html": f"{text_html(kind.option_label(o.label))} {to_html(o.text)}"}
                for o in part.options or ()]  # fmt: skip
        elif part.kind == "matching":
            options = [o.text for o in part.options or ()] or sorted(set(part.answer.values()))
            params[f"{name}_statements"] = [{"match": right, "html": text_html(left)}
                                            for left, right in part.answer.items()]  # fmt: skip
            params[f"{name}_options"] = [{"name": o, "html": text_html(o)} for o in options]
    rules = grading(question, params)
    if rules:
        params["grading"] = rules
    return {"variant": variant, "params": params, "correct_answers": correct}


def grading(question: QuestionInfo, params: dict[str, Any]) -> dict[str, Any]:
    """What ``server.py``'s ``grade`` applies by answers-name: an all-or-nothing part's
    entries and its steps (at most so many wrong: that share), a number's credited
    mistakes (a value within [low, high]: that share)."""
    rules: dict[str, Any] = {}
    for part in question.parts:
        name, points = answer_name(part), Fraction(str(part.points))
        if auto(part) and all_or_nothing(part):
            steps = [[s.wrong, float(Fraction(str(s.points)) / points)]
                     for s in part.scoring.steps or ()]  # fmt: skip
            rules[name] = {"entries": [e["name"] for e in params[f"{name}_entries"]],
                           "steps": steps}  # fmt: skip
        elif auto(part) and credited(part):
            rules[name] = {"credits": [[*(float(b) for b in bounds(part, c.value)), float(c.share)]
                                       for c in credited(part)]}  # fmt: skip
    return rules


SERVER = '''"""Written by generate-exam (--lms prairielearn): one of the run's variants of this
question, picked by PrairieLearn's variant seed, with its text and answers."""

import json
import pathlib

VARIANTS = json.loads((pathlib.Path(__file__).parent / "variants.json").read_text("utf-8"))


def generate(data):
    variant = VARIANTS[data["variant_seed"] % len(VARIANTS)]
    data["params"].update(variant["params"])
    data["correct_answers"].update(variant["correct_answers"])


def grade(data):
    """The rubric where the elements cannot apply it (params["grading"]): an
    all-or-nothing part's entries earn its share together (1 when every one is right, a
    step's when at most so many are wrong, else 0); a number part's value within a named
    mistake's margin earns that mistake's share.  Then the score, as PrairieLearn adds it."""
    scores = data["partial_scores"]
    for name, rule in data["params"].get("grading", {}).items():
        entries = [e for e in rule.get("entries", ()) if e in scores]
        if entries:
            wrong = sum((scores[e].get("score") or 0) < 1 for e in entries)
            near = [share for most, share in rule["steps"] if wrong <= most]
            share = 1.0 if not wrong else max(near, default=0.0)
            for entry in entries:
                scores[entry]["score"] = share
        given = data["submitted_answers"].get(name)
        if name in scores and isinstance(given, (int, float)) and not isinstance(given, bool):
            for low, high, share in rule.get("credits", ()):
                if low <= given <= high and (scores[name].get("score") or 0) < share:
                    scores[name]["score"] = share
    total = sum(s.get("weight", 1) for s in scores.values())
    earned = sum(s.get("weight", 1) * (s.get("score") or 0) for s in scores.values())
    data["score"] = earned / (total or 1)
'''


# ------------------------------------------------------------------ the course


def questions(key: Key) -> dict[str, list[tuple[str, QuestionInfo]]]:
    """Every bank question of the run with its variants (each once), in the blueprint's
    order."""
    found: dict[str, list[tuple[str, QuestionInfo]]] = {q: [] for q in key.exam.questions}
    for source, question in drawn_once(key):
        found[question.id].append((source, question))
    return {qid: variants for qid, variants in found.items() if variants}


def topic(qid: str) -> str:
    """A question's PrairieLearn topic: its bank folder (``dl-core``)."""
    return qid.split("/")[0] if "/" in qid else "questions"


def course_files(key: Key) -> dict[str, Any]:
    """The course's JSON files by path, as builtins."""
    found = questions(key)
    exam = key.exam
    course = exam.course or exam.title
    topics = sorted({topic(qid) for qid in found})
    files: dict[str, Any] = {
        "infoCourse.json": {
            "uuid": make_uuid("course", exam.name),
            "name": exam.name,
            "title": course,
            "topics": [{"name": t, "color": "blue1"} for t in topics],
        },
        f"courseInstances/{INSTANCE}/infoCourseInstance.json": {
            "uuid": make_uuid("instance", exam.name),
            "longName": f"{course}: exams",
        },
        f"courseInstances/{INSTANCE}/assessments/{exam.name}/infoAssessment.json": {
            "uuid": make_uuid("assessment", exam.name),
            "type": "Exam",
            "title": quiz_title(key),
            "set": "Exam",
            "number": "1",
            "shuffleQuestions": bool(exam.shuffled),
            "zones": zones(key, found),
            # bonus parts count in their questions' points: the total past the exam's
            # points is bonus, as on paper
            **(
                {"maxPoints": exam.points, "maxBonusPoints": exam.bonus_points}
                if exam.bonus_points
                else {}
            ),
        },
    }
    for qid, variants in found.items():
        first = variants[0][1]
        files[f"questions/{qid}/info.json"] = {
            "uuid": make_uuid("question", qid), "title": first.title, "topic": topic(qid),
            "type": "v3", "partialCredit": True,
            "tags": ["exam-variant-generator", exam.name]}  # fmt: skip
    return files


def zones(key: Key, found: dict[str, list[tuple[str, QuestionInfo]]]) -> list[dict[str, Any]]:
    """A zone per question, in the blueprint's order; a zone per table that picks, holding
    its questions, with ``numberChoose`` its pick."""
    pools = {qid: pool for pool in key.exam.pools or () for qid in pool.from_}
    made, done = [], set()
    for qid in found:
        pool = pools.get(qid)
        if pool is None:
            made.append({"title": found[qid][0][1].title, "questions": [points(qid, found[qid])]})
        elif pool.table not in done:
            done.add(pool.table)
            listed = [points(q, found[q]) for q in pool.from_ if q in found]
            title = f"Table {pool.table}: {pool.pick} of {len(pool.from_)}"
            made.append({"title": title, "numberChoose": min(pool.pick, len(listed)),
                         "questions": listed})  # fmt: skip
    return made


def points(qid: str, variants: list[tuple[str, QuestionInfo]]) -> dict[str, Any]:
    """A zone's question: its id and its points, auto-graded and manual."""
    parts = variants[0][1].parts
    scored = sum(Fraction(str(p.points)) for p in parts if auto(p))  # bonus parts too: the
    manual = sum(Fraction(str(p.points)) for p in parts if not auto(p))  # weights count them
    entry: dict[str, Any] = {"id": qid, "autoPoints": _number(scored)}
    if manual:
        entry["manualPoints"] = _number(manual)
    return entry


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _check_same_parts(qid: str, variants: list[tuple[str, QuestionInfo]]) -> None:
    shapes = {tuple((p.part, p.kind, p.points, auto(p)) for p in q.parts)
              for _, q in variants}  # fmt: skip
    if len(shapes) > 1:
        from generator.lms import ExportError

        raise ExportError(f"{qid}: its variants have different parts; PrairieLearn's "
                          "question.html is one for all of them")  # fmt: skip


def write(key: Key, run_folder: Path, out: Path) -> list[Path]:
    """The ``prairielearn`` format's writer (generator.lms): the course folder."""
    root = out / FOLDER
    if root.is_dir() and not root.is_symlink():
        shutil.rmtree(root)  # out is the export's own folder (a staging copy)
    written: dict[Path, bytes] = {}
    for path, content in course_files(key).items():
        written[root / path] = dumps(content).encode()
    for qid, variants in questions(key).items():
        _check_same_parts(qid, variants)
        folder = root / "questions" / qid
        first = variants[0][1]
        written[folder / "question.html"] = question_html(first).encode()
        written[folder / "server.py"] = SERVER.encode()
        data = [variant_data(source, question, run_folder) for source, question in variants]
        written[folder / "variants.json"] = dumps(data).encode()
    written[root / NOTES] = notes_text(key).encode()
    for path, content in sorted(written.items()):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return sorted(written)


# ------------------------------------------------------------------ the notes


def notes_text(key: Key) -> str:
    """``prairielearn/scoring-notes.txt``: each part PrairieLearn scores otherwise than its
    rubric, under what it does instead; the parts a person grades; how the course draws."""
    forced: dict[str, list[str]] = {}
    manual: list[str] = []
    for qid, variants in questions(key).items():
        for part in variants[0][1].parts:
            label = f"{qid} {letters(part)}"
            said = rubric.notes(part.scoring, part.points, scoring.items(part),
                                KINDS[part.kind].item)  # fmt: skip
            line = f"    {label}  rubric: {' '.join(said) if said else 'all or nothing.'}"
            for _, question in variants:
                how = fit(next(p for p in question.parts if p.part == part.part))
                if how.how == scoring.FORCED and line not in forced.get(how.does, []):
                    forced.setdefault(how.does, []).append(line)
            if not auto(part):
                manual.append(f"    {label}  ({part.kind}, {part.points:g} of the points)")
    count = len({line for lines in forced.values() for line in lines})
    body = [f"  {does[0].upper()}{does[1:]}:\n" + "\n".join(lines)
            for does, lines in forced.items()]  # fmt: skip
    return "\n".join([
        f"Parts PrairieLearn scores otherwise than their rubric: {count}.", "",
        "PrairieLearn:", *(body or [scoring.EVERY]), "",
        "Graded by a person (manualPoints; the model answer and grading notes in",
        "<pl-manual-grading-only>):", *(manual or ["    none"]), "",
        "Applied by server.py's grade(data), after the elements: an all-or-nothing vector",
        "or shape part's rule over its entries, and a number part's credited named",
        "mistakes (a value within the mistake's margin earns its share).", "",
        "How the course draws: each question's server.py picks one of the run's variants",
        "by PrairieLearn's variant seed (fixed variants, the key's own); a table that",
        "picks M questions is a zone with numberChoose M, so a student never gets one",
        "question twice.",
    ]) + "\n"  # fmt: skip
