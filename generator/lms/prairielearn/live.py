"""What an exported question's ``server.py`` runs inside PrairieLearn: the variant drawn
for PrairieLearn's variant seed, the rubric where the elements cannot apply it, and the
question's figures.

PrairieLearn calls ``generate(data)`` once for each variant it makes, with
``data["variant_seed"]``.  The variant is the one ``generate-exam preview ID --seeds S``
shows for S the variant seed: the question's own ``sample`` on seed S's public stream
(copy v0, as ``generate-exam --public --seed S`` draws it), its ``solve`` on our numpy
engine, and its text from question.tex.j2.  So every student gets fresh numbers, an
instructor can rebuild any student's variant from its seed, and the tests compare
PrairieLearn's draw with ours.

This module runs on PrairieLearn's Python.  It needs the package (copied to
``serverFilesCourse/generator/``), the question's own files beside ``server.py``, and
what ``serverFilesCourse/requirements.txt`` installs.  Everything else it imports comes
with PrairieLearn's image: numpy, sympy, jinja2, lxml and matplotlib.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from generator.authoring.figures import Panel, PanelRow, write_png
from generator.bank.questions import Question, load_question
from generator.errors import ExamError
from generator.key.records import PartInfo, QuestionInfo
from generator.key.write import question_record
from generator.kinds import KINDS, bounds
from generator.lms.html import to_html
from generator.lms.items import entry_names, feedback_html, options_html, text_html
from generator.lms.prairielearn.elements import (
    all_or_nothing,
    answer_name,
    auto,
    credited,
    element_names,
    inputs,
    symbolic,
    weights,
)
from generator.render.latex import page_texts
from generator.variants.assemble import first_copy, realise

NUMBER = 1  # a question's number in its own variant: the labels read 1(a), 1(b), ...
PICTURE = re.compile(r'<p><img src="figure:([A-Za-z0-9_-]+)" alt="figure"></p>')


@cache
def question(folder: Path) -> Question:
    """The question in ``folder`` (question.toml, solve.py, question.tex.j2), loaded and
    checked once per PrairieLearn worker."""
    return load_question(folder)


@dataclass(frozen=True)
class Drawn:
    """A variant as PrairieLearn shows it: the key's record of it, its figures' data, and
    each part's text on the question's one page (render/latex.py's ``page_texts``)."""

    info: QuestionInfo
    figures: dict[str, PanelRow]
    texts: dict[str, str]


def draw(folder: Path, seed: int) -> Drawn:
    """The question's variant for ``seed``: what ``preview ID --seeds SEED`` shows."""
    seeding, code = first_copy(seed)
    qv = realise(question(folder), NUMBER, seeding, code)
    return Drawn(question_record(qv, code, figures=False), dict(qv.figures), page_texts(qv))


# ------------------------------------------------------------------ the variant's data


def variant_data(drawn: Drawn) -> dict[str, Any]:
    """The variant's ``params`` (what question.html shows) and ``correct_answers`` (what
    its elements grade), by the parts' answers-names."""
    info, figures = drawn.info, drawn.figures
    names = tuple(figures)
    params: dict[str, Any] = {"stem": _html(info.stem, names)}
    if figures:
        params["figures"] = {name: _figure_params(row) for name, row in figures.items()}
    correct: dict[str, Any] = {}
    weight = weights(info)
    for part in info.parts:
        name, kind = answer_name(part), KINDS[part.kind]
        params[f"{name}_text"] = _html(drawn.texts[part.part], names)
        params[f"{name}_notes"] = feedback_html(part)
        if not auto(part):
            if kind.choices and not kind.pairs:
                params[f"{name}_text"] += options_html(part)
            continue
        if kind.entries:
            entries = []
            for n, (label, value, w) in enumerate(zip(entry_names(part), part.answer,
                                                      weight[name], strict=True)):  # fmt: skip
                entry = f"{name}_{n + 1}"
                entries.append({"label": text_html(label), "name": entry, "weight": w})
                correct[entry] = value
            params[f"{name}_entries"] = entries
            continue
        if part.kind == "expression":
            params[f"{name}_formulas"] = _formulas(part, weight[name], correct)
            params[f"{name}_text"] += _variables_html(part)
            continue
        params[f"{name}_weight"] = weight[name][0]
        if part.kind in ("integer", "number"):
            correct[name] = part.answer
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
    rules = grading(info, params)
    if rules:
        params["grading"] = rules
    return {"params": params, "correct_answers": correct}


def _formulas(part: PartInfo, weights: list[int], correct: dict[str, Any]) -> list[dict]:
    """A ``pl-symbolic-input`` per equation of a formula part (its right-hand side asked,
    under ``lhs =``), each correct answer put in ``correct``."""
    formulas = symbolic(part) or []
    # every input takes every variable of the part: one that took only its own equation's
    # would tell a student, by a format error that costs nothing, which ones it uses
    variables = ", ".join(sorted({n for formula in formulas for n in formula["variables"]}))
    found = []
    for formula, input_name, w in zip(formulas, inputs(part), weights, strict=True):
        correct[input_name] = formula["answer"]
        found.append({"name": input_name, "weight": w, "label": f"${formula['lhs']} =$",
                      "variables": variables})  # fmt: skip
    return found


def _variables_html(part: PartInfo) -> str:
    """What to type, under the part: the right-hand side of each equation, and how each
    variable reads in the text."""
    shown = {n: t for formula in symbolic(part) or () for n, t in formula["shown"].items()}
    listed = ", ".join(f"<code>{n}</code> for \\({shown[n]}\\)" for n in sorted(shown))
    each = "the right-hand side of each equation" if len(inputs(part)) > 1 else (
        "the right-hand side")  # fmt: skip
    return f"<p>Type {each}; its variables: {listed}.</p>"


def _html(text: str, figures: tuple[str, ...]) -> str:
    """LaTeX as HTML; each figure a ``pl-figure`` whose PNG ``file(data)`` draws."""
    html = to_html(text, tuple(f"figure:{name}" for name in figures))
    return PICTURE.sub(r'<pl-figure file-name="\1.png" type="dynamic"></pl-figure>', html)


def _figure_params(row: PanelRow) -> dict[str, Any]:
    return {"xlabel": row.xlabel, "ylabel": row.ylabel,
            "panels": [[p.label, list(p.values)] for p in row.panels]}  # fmt: skip


def grading(info: QuestionInfo, params: dict[str, Any]) -> dict[str, Any]:
    """What :func:`grade` applies by answers-name: an all-or-nothing part's entries and its
    steps (at most so many wrong: that share), a number's credited mistakes (a value within
    [low, high]: that share)."""
    rules: dict[str, Any] = {}
    for part in info.parts:
        name, points = answer_name(part), Fraction(str(part.points))
        if auto(part) and all_or_nothing(part):
            steps = [[s.wrong, float(Fraction(str(s.points)) / points)]
                     for s in part.scoring.steps or ()]  # fmt: skip
            rules[name] = {"entries": inputs(part), "steps": steps}
        elif auto(part) and credited(part):
            rules[name] = {"credits": [[*(float(b) for b in bounds(part, c.value)), float(c.share)]
                                       for c in credited(part)]}  # fmt: skip
    return rules


# ------------------------------------------------------------------ server.py's functions


class VariantError(ExamError):
    """A drawn variant does not fit the question.html the course was exported with."""


def generate(data: dict[str, Any], elements: Mapping[str, str]) -> None:
    """PrairieLearn's ``generate``: the variant for ``data["variant_seed"]``, whose parts
    must take the ``elements`` question.html was written with."""
    folder = Path(data["options"]["question_path"])
    seed = int(data["variant_seed"])
    drawn = draw(folder, seed)
    taken = element_names(drawn.info)
    if taken != dict(elements):
        raise VariantError(
            f"{drawn.info.id}, variant seed {seed}: its parts take {taken}, but question.html "
            f"has {dict(elements)}; export the course again with this version of generate-exam."
        )
    variant = variant_data(drawn)
    data["params"].update(variant["params"])
    data["correct_answers"].update(variant["correct_answers"])


def grade(data: dict[str, Any]) -> None:
    """PrairieLearn's ``grade``, after the elements': the rubric where they cannot apply it
    (``params["grading"]``).  An all-or-nothing part's entries earn its share together (1
    when every one is right, a step's when at most so many are wrong, else 0); a number
    part's value within a named mistake's margin earns that mistake's share.  Then the
    score, as PrairieLearn adds it."""
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


def file(data: dict[str, Any]) -> bytes:
    """PrairieLearn's ``file``: a figure's PNG (``pl-figure type="dynamic"``), drawn from the
    variant's numbers as the runs' own figures are."""
    name = Path(data["filename"]).stem
    figure = data["params"].get("figures", {}).get(name)
    if figure is None or data["filename"] != f"{name}.png":
        raise VariantError(f"{data['filename']}: this question has no such figure")
    row = PanelRow(name, tuple(Panel(label, tuple(values)) for label, values in figure["panels"]),
                   figure["xlabel"], figure["ylabel"])  # fmt: skip
    out = io.BytesIO()
    write_png(row, out)
    return out.getvalue()
