"""Faults of the key found in issue 11, each checked against an independent source.

1. A key's formula (its ``sympy`` field) reads back as the very expression the solver
   built, matrix formulas included, and the reader refuses anything but sympy's
   constructors.
2. The params of 3(d) record the plotted curves and their training, enough to decide A/B/C
   without the PDF.
3. LMS items of the numeric parts 2(c) and 2(d) ask for the number the LMS grades.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest
import sympy as sp

from generator.bank.questions import Bank
from generator.key.schema import check, schema
from generator.kinds import KINDS
from generator.kinds.answers import Accept, Formula
from generator.kinds.formula.reader import FormulaError, read_formula
from generator.lms import items
from generator.render.latex import question_texts
from generator.variants.assemble import answer_parts, draw_params, first_copy, run_solver

from .conftest import Q1, Q2, Q3, SEED_EXAM, part_info, variant

MANY = range(200)
NUMERIC = tuple(k for k, kind in KINDS.items() if kind.numeric)  # graded as numbers


# --------------------------------------------------------------- 1. formulas read back


def solved(bank: Bank, qid: str, seed: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The solver's raw values (the sympy objects) and the key entries made from them."""
    question = bank[qid]
    seeding, copy = first_copy(seed)
    params = draw_params(question, seeding, copy)
    raw = run_solver(question, params, seeding, copy)
    raw.pop("figures", None)
    raw.pop("steps", None)  # what a student must do: no answer
    answers = answer_parts(question, raw, qid)
    return raw, {key: answer.value if answer.kind == "expression" else answer.details
                 for key, answer in answers.items()}  # fmt: skip


def originals(raw: Any) -> list[Formula]:
    """The Formula objects behind one part's raw value, in the key's order."""
    if isinstance(raw, Accept):
        return originals(raw.value) + ([raw.formula] if raw.formula is not None else [])
    if isinstance(raw, Formula):
        return [raw]
    if isinstance(raw, list) and raw and all(isinstance(f, Formula) for f in raw):
        return list(raw)
    return []


def key_fields(entry: Any) -> list[dict[str, str]]:
    """The formula records of one part's key entry (an expression's list, a number's one)."""
    if isinstance(entry, list) and entry and all(isinstance(f, dict) for f in entry):
        return entry
    if isinstance(entry, dict) and "formula" in entry:
        return [entry["formula"]]
    return []


@pytest.mark.parametrize("qid", SEED_EXAM)
def test_every_formula_of_every_part_reads_back_as_the_solvers_expression(bank, qid):
    checked: set[str] = set()
    for seed in MANY:
        raw, entries = solved(bank, qid, seed)
        for key, value in raw.items():
            formulas, fields = originals(value), key_fields(json.loads(json.dumps(entries[key])))
            assert len(formulas) == len(fields), (qid, key)
            for formula, field in zip(formulas, fields, strict=True):
                back = read_formula(field["sympy"])
                assert sp.srepr(back) == sp.srepr(formula.rhs), (qid, seed, key)
                assert back == formula.rhs and back.args == formula.rhs.args, (qid, seed, key)
                checked.add(key)
    expected = {Q1: {"c.ii", "f.i", "f.ii"}, Q2: {"b", "c", "d", "e.i", "g.ii"}, Q3: {"f.i"}}
    assert expected.get(qid, set()) <= checked


def test_the_matrix_formulas_of_question_1_read_back_with_their_shapes(bank):
    """w' = c W2 W1 and b' = c W2 b1 + b2 (with row vectors c W1 W2 and c b1 W2 + b2) come
    back as products of the same matrix symbols, so their shapes (k x n_x and k x 1, or
    n_x x k and 1 x k) can be read off the key alone."""
    layouts = {_read_back_with_shapes(bank, seed) for seed in range(42, 50)}
    assert layouts == {"column", "row"}


def _read_back_with_shapes(bank: Bank, seed: int) -> str:
    _, entries = solved(bank, Q1, seed)
    p = variant(bank, Q1, seed).params
    c = sp.Integer(p["scale"])
    w_prime, b_prime = (read_formula(f["sympy"]) for f in entries["f.ii"])
    n_x, n_h, k = sp.symbols("n_x n_h n_y", positive=True, integer=True)
    if p["layout"] == "column":
        W1, W2 = sp.MatrixSymbol("W1", n_h, n_x), sp.MatrixSymbol("W2", k, n_h)
        b1, b2 = sp.MatrixSymbol("b1", n_h, 1), sp.MatrixSymbol("b2", k, 1)
        assert w_prime == sp.MatMul(c, W2, W1) and w_prime.shape == (k, n_x)
        assert b_prime == sp.MatAdd(sp.MatMul(c, W2, b1), b2) and b_prime.shape == (k, 1)
    else:
        W1, W2 = sp.MatrixSymbol("W1", n_x, n_h), sp.MatrixSymbol("W2", n_h, k)
        b1, b2 = sp.MatrixSymbol("b1", 1, n_h), sp.MatrixSymbol("b2", 1, k)
        assert w_prime == sp.MatMul(c, W1, W2) and w_prime.shape == (n_x, k)
        assert b_prime == sp.MatAdd(sp.MatMul(c, b1, W2), b2) and b_prime.shape == (1, k)
    return p["layout"]


def test_a_read_formula_evaluates_like_the_printed_one(bank):
    """2(d): -(1/m) times the sum of the printed log terms, recomputed with math.log."""
    for seed in range(20):
        qv = variant(bank, Q2, seed)
        back = read_formula(qv.answers["d"].details["formula"]["sympy"])
        labels, predictions = qv.params["labels_d"], qv.params["predictions_d"]
        by_hand = -sum(
            math.log(p if y == 1 else 1 - p) for y, p in zip(labels, predictions, strict=True)
        ) / len(labels)
        assert float(back.doit()) == pytest.approx(by_hand, abs=1e-12)


HOSTILE = [
    "__import__('os').system('x')",
    "Symbol('x').__class__.__mro__",
    "eval('1')",
    "Add(Symbol('x'), \"__import__('os').system('x')\")",  # sympy would sympify (eval) the str
    "Pow(Symbol('x'), Integer(2), evaluate=True)",
    "Symbol(*['x'])",
    "Symbol(**{'real': True})",
    "Symbol('x', real=__import__('os'))",
    "Symbol('x; import os')",
    "Symbol('__class__')",
    "Float('1e5; x')",
    "Float('1', precision=100000000)",
    "Function('f')",
    "Matrix([[1]])",
    "lambda: 0",
    "[Symbol('x')]",
    "Integer(1) + Integer(2)",
    "Integer(1.5)",
    "Rational(1, 0)",
    "MatrixSymbol('W', Integer(1), Integer(1))",
    "MatrixSymbol(Symbol('W'), Integer(1), Integer(1))",
    "Add(Str('x'), Integer(1))",  # Str names a matrix symbol, nothing else
    "Add(" * 500 + "Symbol('x')" + ")" * 500,  # deeper than Python's parser goes
    "Add(" * 150 + "Symbol('x')" + ")" * 150,  # deeper than the reader goes
    "Symbol('x')" + " " * 30_000,
    "",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_the_reader_refuses_what_is_no_srepr_formula(text):
    with pytest.raises(FormulaError):
        read_formula(text)


def test_the_reader_runs_nothing_it_reads(tmp_path: Path):
    """Texts that would create a file if any part of them were evaluated."""
    target = tmp_path / "pwned"
    touch = f"__import__('pathlib').Path({str(target)!r}).touch()"
    for text in (touch, f"Symbol({touch!r})", f"Add(Symbol('x'), {touch!r})",
                 f"Function({touch!r})(Symbol('x'))", f"Float({touch!r})"):  # fmt: skip
        with pytest.raises(FormulaError):
            read_formula(text)
    assert not target.exists()
    with pytest.raises(FormulaError):
        read_formula(b"Symbol('x')")  # type: ignore[arg-type]


def test_a_formula_the_key_could_not_give_back_is_never_written():
    """The writer checks the reader: an unsupported constructor or a name that is no
    identifier is the author's error when the key is made (a ValueError, which generation
    reports naming the part), not a key nobody can read."""
    x = sp.Symbol("x")
    for rhs in (sp.sin(x), sp.Symbol("x y") + 1):
        with pytest.raises(ValueError, match="formula"):
            Formula("y", rhs).to_json()


# --------------------------------------------------------------- 2. the curves of 3(d)


def recorded(bank: Bank, seed: int) -> tuple[dict[str, Any], dict[str, str]]:
    """Q3's params as the key writes them (through JSON), and the key's A/B/C answer."""
    qv = variant(bank, Q3, seed, number=3)
    params = json.loads(json.dumps(qv.params))
    return params, qv.answers["d"].value


def decide(loss: dict[str, list[str]]) -> dict[str, str]:
    """An auditor's reading of the curves: total variation grows with the gradient noise
    (batch < mini-batch < stochastic), and batch GD on this convex loss never goes up."""
    curves = {panel: np.array([float(v) for v in values]) for panel, values in loss.items()}
    by_variation = sorted(curves, key=lambda p: float(np.abs(np.diff(curves[p])).sum()))
    batch = curves[by_variation[0]]
    assert np.all(np.diff(batch) <= 0), "the smoothest curve is batch GD: monotone"
    return dict(zip(by_variation, ("BGD", "MBGD", "SGD"), strict=True))


def test_the_recorded_curves_decide_abc_as_the_key_does(bank):
    for seed in MANY:
        params, answer = recorded(bank, seed)
        assert decide(params["curves"]["loss"]) == answer, seed


def test_the_record_says_what_was_trained_and_which_steps(bank):
    for seed in range(40):
        params, _ = recorded(bank, seed)
        curves = params["curves"]
        sizes = curves["batch_sizes"]
        assert sizes == {"BGD": params["examples"], "MBGD": params["batch_size"], "SGD": 1}
        steps = curves["recorded_steps"]
        assert steps == sorted(set(steps)) and steps[0] >= 0 and steps[-1] < curves["steps"]
        assert 10 <= len(steps) <= 36  # a few dozen points a curve, not every step
        assert set(curves["loss"]) == {"A", "B", "C"}
        assert all(len(values) == len(steps) for values in curves["loss"].values())
        for word in ("logistic regression", "curve_lr", "binary cross-entropy", "step"):
            assert word in curves["problem"]
        assert len(json.dumps(curves)) < 3000  # it goes into every student's key entry


def test_every_curve_starts_at_log_2(bank):
    """At step 0 every weight is 0, so every example's predicted probability is 1/2 and
    each batch's loss is log 2, whatever the data."""
    for seed in range(40):
        params, _ = recorded(bank, seed)
        assert params["curves"]["recorded_steps"][0] == 0
        for values in params["curves"]["loss"].values():
            assert values[0] == f"{math.log(2):.4f}"


def test_the_record_is_what_the_figure_plots(bank):
    for seed in range(40):
        qv = variant(bank, Q3, seed, number=3)
        curves = qv.params["curves"]
        for panel in qv.figures["curves"].panels:
            plotted = [panel.values[step] for step in curves["recorded_steps"]]
            assert [float(v) for v in curves["loss"][panel.label]] == plotted
            assert all(re.fullmatch(r"\d+\.\d{4}", v) for v in curves["loss"][panel.label])


# --------------------------------------------------------------- 3. LMS prompts

NOT_CALCULATING = re.compile(
    r"without (needing to |having to )?(calculat|comput|simplif|evaluat)"
    r"|fill(ing)? in the formula|no need to (calculat|comput)"
    r"|(need|have) not (to )?(calculat|comput)|do(es)? not need to (calculat|comput)",
    re.IGNORECASE,
)


def lms_text(stem: str, texts: Any, key: str) -> str:
    """An LMS item's question text, as items.py puts it together."""
    part = {"prompt": texts[key].prompt, "context": texts[key].context}
    if texts[key].lms_prompt is not None:
        part["lms_prompt"] = texts[key].lms_prompt
    record = part_info("number", 0.0, **part)
    return "\n\n".join(t for t in (stem, record.context, record.asked) if t)


def test_lms_items_of_2c_and_2d_ask_for_the_number(bank):
    tolerances = {leaf.key: leaf.answer.tolerance.abs for leaf in bank[Q2].leaves()}
    for seed in MANY:
        qv = variant(bank, Q2, seed, number=2)
        stem, texts = question_texts(qv)
        data = {"c": rf"\hat{{y}} = {qv.params['prediction_c']}",
                "d": "$Y^T = (" + ", ".join(map(str, qv.params["labels_d"])) + ")$"}  # fmt: skip
        for key in ("c", "d"):
            asked = " ".join(lms_text(stem, texts, key).split())  # lines joined
            assert not NOT_CALCULATING.search(asked), (seed, key)
            assert "as a number" in asked and "natural logarithm" in asked
            assert f"to within {tolerances[key]}" in asked
            assert data[key] in asked and data[key] in texts[key].prompt  # the same numbers
            assert NOT_CALCULATING.search(texts[key].prompt)  # the paper keeps its wording


def test_no_numeric_lms_item_of_the_bank_says_not_to_calculate(bank):
    for qid in SEED_EXAM:
        numeric = [leaf.key for leaf in bank[qid].leaves() if leaf.answer.kind in NUMERIC]
        for seed in range(60):
            stem, texts = question_texts(variant(bank, qid, seed))
            for key in numeric:
                assert not NOT_CALCULATING.search(lms_text(stem, texts, key)), (qid, seed, key)


def public_key(tmp_path: Path, run_cli, *args: str) -> dict[str, Any]:
    out = tmp_path / "out"
    result = run_cli("--seed", 42, "--public", "--no-pdf", "--out", out, *args)
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return json.loads((folder / "key.json").read_text())


def question_2_parts(key: dict[str, Any]) -> dict[str, dict[str, Any]]:
    (question,) = [q for q in key["variants"][0]["questions"] if q["id"] == Q2]
    return {part["part"]: part for part in question["parts"]}


def test_items_ask_the_lms_prompt_a_key_records(bank, tmp_path, run_cli):
    """With the field written as key/write.py is to write it (question_texts' lms_prompt, only
    where there is one), the key keeps to its schema and the items ask it."""
    key = public_key(tmp_path, run_cli)
    before = {item.ident: item.html for slot in items.slots(check(key)) for item in slot.items}
    _, texts = question_texts(variant(bank, Q2, 42, number=2))
    parts = question_2_parts(key)
    for name, text in texts.items():
        assert parts[name]["prompt"] == text.prompt  # the same copy as the CLI built
        if text.lms_prompt is not None:
            parts[name]["lms_prompt"] = text.lms_prompt
    assert sorted(p for p in parts if "lms_prompt" in parts[p]) == ["c", "d"]
    jsonschema.validate(key, schema())
    for slot in items.slots(check(key)):
        (item,) = slot.items
        if slot.label in ("2(c)", "2(d)"):
            assert "natural logarithm" in item.html and not NOT_CALCULATING.search(item.html)
        else:
            assert item.html == before[item.ident]


def test_lms_exports_of_2c_and_2d_ask_for_the_number(tmp_path, run_cli):
    key = public_key(tmp_path, run_cli, "--variants", 30)
    asked = [item.html for slot in items.slots(check(key)) if slot.label in ("2(c)", "2(d)")
             for item in slot.items]  # fmt: skip
    assert len(asked) == 60
    for html in asked:
        assert "as a number" in html and not NOT_CALCULATING.search(html)
