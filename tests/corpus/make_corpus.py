"""Write the response corpus: students' responses with the marks the rubric gives them.

    PYTHONPATH=. python tests/corpus/make_corpus.py        # writes tests/corpus/*.csv

Builds the two runs of ``runs.json`` (public mode, numbered copies, no PDFs) in a temporary
folder, reads every copy's entry of ``key.json`` (its numbers, shapes, options and
answers) and writes, for every auto-gradable part of every copy, one response as a
student would write it, with the points the rubric gives it:

- ``cs230.csv``: the CS230 midterm (Winter 2020), 40 copies, every part but the prose ones;
- ``dlcore.csv``: the dl-core quiz, 100 copies, every part of the questions they drew.

Columns: ``run`` (the build of runs.json), ``student`` (``v<copy>``, or the copy's code),
``question`` (its id), ``label`` (the printed part label), ``kind``, ``response``,
``expected`` (points, or ``person``), ``outcome`` (right / partial / wrong / person /
blank), ``why`` (the notation, or the named mistake) and ``key`` (the key's answer the
row was written against: the test refuses a corpus whose runs no longer build to it).

Each part has a catalogue of cases (a notation of the right answer, a named mistake, a
hedge, something only a person can read, a blank); the copies of a part take its cases in
turn.  Right answers are the key's own values written the way students write them; wrong
ones are computed here from the copy's printed numbers with the named mistake made.  The
expected marks follow from the rubric rules below, worked out by hand in this file; the
grader is never run to find them.

Rubric, in order of authority: (1) the official exam, solutions and grading notes
(``/work/shared/seed/cs230-midterm-winter-2020.md``); (2) each part's own grading notes
(key.json ``rubric``; question.toml ``rubric`` and ``scoring``).

General rules
- A number is right when what the student wrote (the value after the last ``=`` of their
  work, or the arithmetic they wrote out) is within the key's tolerance; counts are exact.
  Units, labels, thousands separators, a decimal comma, Moodle's ``'`` guard and a Unicode
  minus do not change what is written.  Of several candidates ("0.5 or 0.7") only the
  first counts.
- A vector of the ``entries`` rule earns an equal share per entry right; ``all`` parts earn
  their points only when everything is right (``steps``: the near-miss points named).
- A blank earns 0; on a select-all part a blank circles nothing, and each false statement
  is then left out correctly (0.5 each, the rubric's own words).
- What cannot be read ("see the back of the page", "[illegible]", an answer in words where
  a number is asked) goes to a person: expected ``person``.

CS230 (solutions and grading notes; every rule in the copy's drawn alternative)
- 1(a) [n_num + n_bin], 1(b)(i) [n_x k, or n_x x k or k x n_x], 1(b)(ii), 1(c)(i) [k, or
  k x 1 with column vectors, 1 x k with row vectors], 2(g)(i) [one entry per target: 2, 3
  or 4, or n x 1, 1 x n]: the number, or the shape the solutions list (the other layout's
  shape is not listed: 0).
- 1(c)(ii): sigma(w^T x + b), sigma(w x + b), sigma(x w + b) or sigma(x w^T + b) as the
  copy's vectors (columns or rows) and w (an output per column or per row) are printed;
  any equivalent form; another layout's product earns nothing.
- 1(d): 1 point for the weights n_x n_h + n_h k, 1 point for the biases n_h + k.
- 1(f)(i): sigma(c W2 (W1 x + b1) + b2), with row vectors sigma(c (x W1 + b1) W2 + b2) (c the
  hidden layer's linear activation g(z) = c z), equivalent forms.
- 1(f)(ii): 1 point for w' = c W2 W1 (rows: c W1 W2), or its transpose, 1 point for
  b' = c W2 b1 + b2 (rows: c b1 W2 + b2).
- 2(b): the binary cross-entropy with y_hat the probability of the label printed (1, or 0:
  then -(y log(1 - y_hat) + (1 - y) log y_hat)), equivalent forms.
- 2(c): full credit for the formula filled in with the numbers, or its value (the log of
  the probability the output gives the true label).
- 2(d): full credit for the formula filled in or its value; partial: 1 point for the
  averaging factor 1/m, 2 points for the right log term of every example.
- 2(e)(i): W - alpha (dJ/dW + d/dW of the copy's penalty: lambda W^2, lambda/2 W^2, either
  over m) in any form.
- 2(g)(ii): the key's formula (a squared error per measured target plus a cross-entropy
  term) earns the point; every other formula goes to a person (its scoring: person =
  "wrong").
- 3(d), 3(f)(i), 6(b), 7(c): the whole answer or nothing; 3(f)(i) is momentum's or
  RMSProp's rule in the printed letters (alpha and beta, or eta and gamma): the other
  notation's letters are not the printed ones (0).
- 3(g): 1 point for v and s, 1 for the two bias corrections, 1 for the update of w; any
  numpy that computes the same, in the names the copy's skeleton gives (a neighbour's
  names: 0).
- 4(a), 6(a): 0.5 points for each statement circled or left out correctly.
- 4(b): 1 point for each pair of consecutive lines (train statistics, test statistics,
  normalisation and scaling), in the names the copy's skeleton gives (a neighbour's names:
  0); features-first without keepdims: 0.5 off the train-statistics point, once for both
  lines.
- 4(e): 1 point for the dense weights without bias, 1 for one gamma and one beta per
  output (a partial credit only work written out can show).
- 5(c): the option of the group of experts (its letter or its text).
- 6(d): a person grades every response (the reason is required), whichever cost is asked.
- 7(b): the padding p = (f - 1 - s)/2 or the filter width f = 2p + 1 + s, for an output s
  smaller (s = 2, 0 or -2); 7(d)-(f): (F F D) K + K and its 1D and 3D forms.

dl-core (each part's notes)
- Vectors of the ``entries`` rule: an equal share per entry; ``all`` parts: all or nothing,
  conv2d 3(b): 1 point when at most 2 entries are wrong, none for the flipped kernel;
  pooling 4(c): 1 point when at most 1 entry is wrong, or when the gradients go to the right
  positions but overlapping windows are not added up; none for spreading the gradient.
- cnn-stack (c): full credit needs the biases of all three layers.
- rnn-parameters (b), (c): 0.5 points for four (three) gates of the size found in (a) when
  (a)'s size was wrong (shown in the work).
- attention (d): 0.5 points for the attention's 4(d^2 + d), 0.5 for the feed-forward
  network and the two layer norms (shown in the work).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import subprocess
import sys
import tempfile
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
RUNS = json.loads((HERE / "runs.json").read_text(encoding="utf-8"))
COLUMNS = [
    "run",
    "student",
    "question",
    "label",
    "kind",
    "response",
    "expected",
    "outcome",
    "why",
    "key",
]
FILES = {"cs230": "cs230.csv", "dlcore": "dlcore.csv"}

MINUS, TIMES, APPROX = "\u2212", "\u00d7", "\u2248"
SIGMA, ALPHA, BETA, LAMBDA, YHAT, PARTIAL = (
    "\u03c3",
    "\u03b1",
    "\u03b2",
    "\u03bb",
    "\u0177",
    "\u2202",
)
SUP_T = "\u1d40"


# ------------------------------------------------------------------ builds and keys


def build_args(name: str, out: Path) -> list[str]:
    """``generate-exam``'s arguments that build the run ``name`` of runs.json into ``out``."""
    spec = RUNS[name]
    return [
        "build",
        "--public",
        "--no-pdf",
        "--blueprint",
        spec["blueprint"],
        "--seed",
        str(spec["seed"]),
        "--variants",
        str(spec["variants"]),
        "--out",
        str(out / name),
    ]


def build(name: str, out: Path) -> Path:
    """The run ``name`` of runs.json built into ``out``; its folder."""
    args = [sys.executable, "-m", "generator", *build_args(name, out)]
    subprocess.run(args, check=True, cwd=ROOT, capture_output=True)
    (folder,) = (out / name).iterdir()
    return folder


def key_cell(part: dict) -> str:
    """A part's answer as one line of text (what the corpus was written against)."""
    kind, answer = part["kind"], part["answer"]
    if kind in ("vector", "shape", "multi"):
        return "; ".join(str(v) for v in answer)
    if kind == "matching":
        return "; ".join(f"{item}={option}" for item, option in answer.items())
    if kind == "expression":
        return "; ".join(f"{f['lhs']} = {f['text']}" for f in answer)
    if kind == "code":
        return " | ".join(answer.values())
    return str(answer)


def auto_gradable(part: dict) -> bool:
    return part["kind"] != "text"


# ------------------------------------------------------------------ cases


@dataclass(frozen=True)
class Case:
    response: str
    expected: float | None  # None: a person decides
    outcome: str
    why: str


@dataclass
class Ctx:
    """One copy's part: its key entry and its question's printed numbers."""

    run: str
    copy: int
    qid: str
    params: dict
    part: dict
    earlier: dict  # the cases this copy's student gave to the question's earlier parts
    question: dict

    @property
    def points(self) -> float:
        return self.part["points"]

    @property
    def answer(self):
        return self.part["answer"]

    def right(self, response: str, why: str) -> Case:
        return Case(response, self.points, "right", why)

    def wrong(self, response: str, why: str) -> Case:
        return Case(response, 0.0, "wrong", why)

    def scored(self, response: str, points: float, why: str) -> Case:
        """A response whose points the rubric rule gives: right, partial or wrong."""
        if points >= self.points - 1e-9:
            return Case(response, self.points, "right", why)
        return Case(response, points, "partial" if points > 1e-9 else "wrong", why)

    def person(self, response: str, why: str) -> Case:
        return Case(response, None, "person", why)


Catalogue = Callable[[Ctx], list]


# ------------------------------------------------------------------ numbers as written


def fixed(value: float, decimals: int) -> str:
    text = f"{value:.{decimals}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def short(value: float) -> str:
    """A number as a student writes it: no trailing zeros, at most 6 decimals."""
    if float(value).is_integer():
        return str(int(value))
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def significant(value: float, figures: int = 3) -> str:
    if value == 0:
        return "0"
    decimals = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    return fixed(value, decimals)


def written(part: dict, value: float) -> str:
    """A value at the precision the part asks for (its tolerance says which); a whole
    number as a whole number."""
    tol = part["tolerance"] or {"abs": 0, "rel": 0}
    if float(value).is_integer():
        return str(int(value))
    if tol["abs"]:
        return fixed(value, max(0, math.ceil(-math.log10(tol["abs"]) - 1e-9)))
    if tol["rel"]:
        return significant(value, 3)
    return short(value)


def inside(part: dict, given: float, key: float) -> bool:
    tol = part["tolerance"] or {"abs": 0, "rel": 0}
    margin = max(tol["abs"], tol["rel"] * abs(key))
    return abs(given - key) <= margin + 1e-12


def entries_right(part: dict, given: list[float]) -> int:
    return sum(inside(part, g, k) for g, k in zip(given, part["answer"], strict=True))


def unambiguous_comma(text: str) -> bool:
    """Whether ``text`` with a decimal comma still reads as one number: not ``1,250``,
    which could group thousands."""
    whole, decimals = text.lstrip("-").split(".")
    return whole == "0" or len(decimals) != 3


def minus(text: str) -> str:
    return text.replace("-", MINUS)


def moodle(text: str) -> str:
    """Moodle's CSV guard before a cell that starts with a sign."""
    return "'" + text if text[:1] in "-+=" else text


# ------------------------------------------------------------------ generic kinds


def number_right(c: Ctx, work: str = "", label: str = "", unit: str = "") -> list[Case]:
    """The key's number in the notations students use."""
    value = c.answer
    text = written(c.part, value)
    cases = [c.right(text, "the value")]
    if work:
        cases.append(c.right(f"{work} = {text}", "work before the result"))
    if label:
        cases.append(c.right(f"{label} = {text}", "lhs = rhs"))
    if unit:
        cases.append(c.right(f"{text} {unit}", "with its unit"))
    if c.part["kind"] == "integer" and abs(value) >= 1000:
        cases.append(c.right(f"{value:,}", "thousands separator"))
    if text.startswith("-"):
        cases.append(c.right(minus(text), "Unicode minus"))
        cases.append(c.right(moodle(text), "Moodle's ' guard"))
    if "." in text and not text.startswith("-") and unambiguous_comma(text):
        cases.append(c.right(text.replace(".", ","), "decimal comma"))
        cases.append(c.right(f"{APPROX} {text}", "approximately"))
    return cases


def number_wrong(
    c: Ctx, mistakes: dict[str, float], work: dict[str, str] | None = None
) -> list[Case]:
    """Each named mistake's value, written at the part's precision; a mistake whose value
    the key would accept anyway is no mistake here and is left out."""
    cases = []
    for why, value in mistakes.items():
        if value is None:
            continue
        text = written(c.part, value)
        if inside(c.part, float(text), c.answer):
            continue
        shown = f"{work[why]} = {text}" if work and why in work else text
        cases.append(c.wrong(shown, why))
    return cases


def hedges(c: Ctx, right: str, wrong: str, why: str) -> list[Case]:
    return [
        c.right(f"{right} or {wrong}", f"hedge, the first candidate right ({why})"),
        c.wrong(f"{wrong} or {right}", f"hedge, the first candidate wrong ({why})"),
    ]


def vector_cases(
    c: Ctx,
    mistakes: dict[str, list[float]],
    *,
    grid: list[int] | None = None,
    names: list[str] | None = None,
) -> list[Case]:
    """A vector part (entries rule or all): notations of the right answer, and each named
    mistake with the points its right entries earn."""
    part = c.part
    values = [written(part, v) for v in c.answer]
    names = names if names is not None else part["names"]
    grid = grid if grid is not None else part.get("grid")
    cases = [
        c.right("; ".join(values), "entries separated by ;"),
        c.right("[" + ", ".join(values) + "]", "[a, b]"),
        c.right("(" + ", ".join(values) + ")", "(a, b)"),
    ]
    if any(v.startswith("-") for v in values):
        cases.append(c.right(minus("[" + ", ".join(values) + "]"), "Unicode minus"))
        if values[0].startswith("-"):
            cases.append(c.right(moodle(", ".join(values)), "Moodle's ' guard"))
    if grid and grid[0] > 1 and grid[1] > 1:
        rows = [values[r * grid[1] : (r + 1) * grid[1]] for r in range(grid[0])]
        body = r" \\ ".join(" & ".join(row) for row in rows)
        cases.append(c.right(rf"\begin{{bmatrix}} {body} \end{{bmatrix}}", "bmatrix, row by row"))
        cases.append(
            c.right(
                "[" + ", ".join("[" + ", ".join(r) + "]" for r in rows) + "]",
                "nested lists, row by row",
            )
        )
        cases.append(c.right("; ".join(" ".join(r) for r in rows), "rows split by ;"))
    elif grid and grid[1] == 1:
        cases.append(c.right("[" + ", ".join(values) + "]^T", "[a, b]^T"))
        body = r" \\ ".join(values)
        cases.append(c.right(rf"\begin{{bmatrix}} {body} \end{{bmatrix}}", "bmatrix column"))
    else:
        cases.append(c.right(" ".join(values), "space separated"))
    if names and len(names) == len(values):
        pairs = list(zip(names, values, strict=True))
        cases.append(c.right(", ".join(f"{n}: {v}" for n, v in pairs), "labelled"))
        cases.append(
            c.right(
                ", ".join(f"{n} = {v}" for n, v in reversed(pairs)), "labelled, in the other order"
            )
        )
    for why, wrong_values in mistakes.items():
        if wrong_values is None:
            continue
        texts = [written(part, v) for v in wrong_values]
        got = entries_right(part, [float(t) for t in texts])
        if got == len(values):
            continue
        cases.append(
            c.scored(
                "; ".join(texts)
                if not names
                else ", ".join(f"{n}: {t}" for n, t in zip(names, texts, strict=True)),
                vector_points(c, got, texts),
                why,
            )
        )
    return cases


def vector_points(c: Ctx, right_entries: int, texts: list[str]) -> float:
    scoring, n = c.part["scoring"], len(c.answer)
    if scoring["rule"] == "entries":
        return c.points * right_entries / n
    if right_entries == n:
        return c.points
    steps = [s["points"] for s in scoring.get("steps") or [] if n - right_entries <= s["wrong"]]
    return max(steps, default=0.0)


def option_text(text: str) -> str | None:
    """An option's text as a student types it, or None if it is LaTeX beyond plain math."""
    plain = text.replace("$", "").replace(r"\times", "x").replace(r"\hat{y}", "y_hat")
    return None if "\\" in plain else plain


def choice_cases(c: Ctx) -> list[Case]:
    options = c.part["options"]
    good = next(o for o in options if o["correct"])
    letter = good["label"]
    cases = [
        c.right(letter, "the letter"),
        c.right(f"({letter})", "(X)"),
        c.right(f"Option {letter}", "Option X"),
        c.right(letter.lower(), "lower case"),
        c.right(f"{letter} is correct", "a sentence"),
    ]
    text = option_text(good["text"])
    if text:
        cases.append(c.right(text, "the option's text"))
        cases.append(c.right(f"{letter}. {text}", "letter and text"))
    bad = [o for o in options if not o["correct"]]
    for o in bad:
        cases.append(c.wrong(o["label"], f"option {o['label']}: {o['mistake'] or 'wrong option'}"))
    cases += hedges(c, letter, bad[0]["label"], "two options")
    return cases


def multi_cases(c: Ctx) -> list[Case]:
    options = c.part["options"]
    true = [o["label"] for o in options if o["correct"]]
    false = [o["label"] for o in options if not o["correct"]]
    each = c.part["scoring"]["each"]

    def points(circled: list[str]) -> float:
        return each * sum((o["label"] in circled) == o["correct"] for o in options)

    cases = []
    if true:
        cases += [
            c.right("; ".join(true), "numerals separated by ;"),
            c.right(", ".join(f"({t})" for t in true), "(numeral), ..."),
            c.right(" ".join(true), "space separated"),
            c.right(", ".join(t.upper() for t in true), "upper-case numerals"),
            c.right(",".join(true), "no spaces"),
            c.right(" and ".join(f"({t})" for t in true), "joined with and"),
        ]
    else:
        cases.append(c.right("none", "none circled, in words"))
    for t in true:
        rest = [x for x in true if x != t]
        if rest:
            cases.append(c.scored(", ".join(rest), points(rest), f"true statement ({t}) missed"))
    for f in false:
        picked = sorted([*true, f], key=[o["label"] for o in options].index)
        cases.append(c.scored(", ".join(picked), points(picked), f"false statement ({f}) circled"))
    every = [o["label"] for o in options]
    cases.append(c.scored(", ".join(every), points(every), "circled every statement"))
    if false:
        cases.append(c.scored(", ".join(false), points(false), "circled the false ones"))
    return cases


def blank_points(c: Ctx) -> float:
    if c.part["kind"] == "multi":
        return c.part["scoring"]["each"] * sum(not o["correct"] for o in c.part["options"])
    return 0.0


def distinct(cases: list[Case | None]) -> list[Case]:
    """The cases with a response written once (the first why kept): two named mistakes
    that come to the same response for a copy's numbers are one case."""
    seen: set[str] = set()
    out = []
    for case in cases:
        if case is not None and case.response not in seen:
            seen.add(case.response)
            out.append(case)
    return out


PERSON = [
    ("see the back of the page", "points to work elsewhere"),
    ("[illegible]", "transcribed as illegible"),
]


# ------------------------------------------------------------------ CS230


def q1_a(c: Ctx) -> list:
    P = c.params
    n, h, k, num, binary = c.answer, P["n_h"], P["k"], P["n_num"], P["n_bin"]
    assert n == num + binary
    return [
        *number_right(c, work=f"{num} + {binary}", label="n_x", unit="features"),
        c.right(f"$n_x = {num} + {binary} = {n}$", "LaTeX, the two groups added"),
        c.wrong(f"{n + 1}", "counted a bias feature"),
        c.wrong("1", "gave the shape's other size"),
        c.wrong(str(h), "gave the hidden layer's size") if h != n else None,
        c.wrong(str(num), "counted only the numeric features"),
        c.wrong(str(binary), "counted only the binary features") if binary != num else None,
        c.wrong(f"{n * k}", "gave the number of weights (features times labels)"),
        *hedges(c, str(n), str(num), "both groups or the numeric ones"),
    ]


def q1_b_i(c: Ctx) -> list:
    """n_x k weights: one per feature and label; the solutions list the shapes n_x x k and
    k x n_x (w by columns or by rows)."""
    P = c.params
    n, h, k = P["n_x"], P["n_h"], P["k"]
    total = c.answer
    assert total == n * k
    return [
        *number_right(c, work=f"{n}*{k}", unit="weights"),
        c.right(f"({n} x {k})", "(n x k)"),
        c.right(f"{n}x{k}", "n x k without spaces"),
        c.right(f"{k} {TIMES} {n}", "k times-sign n (w's other layout)"),
        c.right(f"$({n} \\times {k})$", "LaTeX shape"),
        c.right(f"w: {total}", "labelled"),
        c.right(f"{total} or ({n} x {k})", "both forms, as the solutions"),
        c.wrong(str(n), "one weight per feature (a single label)"),
        c.wrong(f"{total + k}", "counted the biases among the weights"),
        c.wrong(str(k), "gave the dimension of b"),
        c.wrong(f"{n * h}", "gave the hidden layer's weights"),
        c.wrong(f"({n} x 1)", "the shape of a single label's weights"),
        *hedges(c, str(total), str(n), "n k or n"),
    ]


def q1_vector_size(c: Ctx) -> list:
    """1(b)(ii), 1(c)(i): k, one bias (one probability) per label; the solutions list the
    shape of the copy's vectors, k x 1 (columns) or 1 x k (rows)."""
    P = c.params
    n, k, column = P["n_x"], P["k"], P["layout"] == "column"
    assert c.answer == k
    shape, other = ((k, 1), (1, k)) if column else ((1, k), (k, 1))
    a, b = shape
    cases = [
        c.right(str(k), "the value"),
        c.right(f"({a} x {b})", "the shape of the copy's vectors"),
        c.right(f"{a}x{b}", "the shape without spaces"),
        c.right(f"{a} {TIMES} {b}", "the shape with a times-sign"),
        c.right(f"${a} \\times {b}$", "LaTeX shape"),
        c.right(f"{k} or ({a} x {b})", "both forms, as the solutions"),
        c.right(f"{k} (one per label)", "with a remark"),
        c.person("one per label", "in words only"),
        c.wrong("1", "a single output (one label)"),
        c.wrong(str(n), "gave the number of features"),
        c.wrong(f"({n} x 1)" if column else f"(1 x {n})", "gave the shape of x"),
        c.wrong(f"({other[0]} x {other[1]})", "the shape of the other layout (row for column)"),
        c.wrong("0", "no dimension"),
    ]
    if k != 2:
        cases.append(c.wrong("2", "one entry per class"))
    return cases


# 1(c)(ii): w^T x, w x, x w or x w^T, as the copy's vectors and w hold them: (LaTeX,
# typed, numpy, np.dot, a transposed equivalent); the official rubric: any equivalent form.
LOGISTIC_FORMS = {
    ("column", "columns"): (r"w^{T} x^{(i)}", "w^T x", "w.T @ x", "np.dot(w.T, x)", "(x^T w)^T"),
    ("column", "rows"): (r"w x^{(i)}", "w x", "w @ x", "np.dot(w, x)", "(x^T w^T)^T"),
    ("row", "columns"): (r"x^{(i)} w", "x w", "x @ w", "np.dot(x, w)", "(w^T x^T)^T"),
    ("row", "rows"): (r"x^{(i)} w^{T}", "x w^T", "x @ w.T", "np.dot(x, w.T)", "(w x^T)^T"),
}
LAYOUT_WORDS = {
    ("column", "columns"): "column vectors, w by columns",
    ("column", "rows"): "column vectors, w by rows",
    ("row", "columns"): "row vectors, w by columns",
    ("row", "rows"): "row vectors, w by rows",
}


def q1_c_ii(c: Ctx) -> list:
    drawn = (c.params["layout"], c.params["w_layout"])
    latex, typed, numpy, dot, transposed = LOGISTIC_FORMS[drawn]
    cases = [
        c.right(rf"\sigma({latex} + b)", "LaTeX"),
        c.right(f"sigma({numpy} + b)", "numpy"),
        c.right(f"{SIGMA}({typed.replace('^T', SUP_T)} + b)", "Unicode"),
        c.right(rf"\hat{{y}}^{{(i)}} = \sigma(b + {latex})", "lhs = rhs, reordered"),
        c.right(f"1/(1 + exp(-({typed} + b)))", "sigmoid written out"),
        c.right(f"sigmoid({dot} + b)", "np.dot"),
        c.right(f"{YHAT} = {SIGMA}({transposed} + b)", "the product transposed back"),
        c.wrong(f"{typed} + b", "forgot the sigmoid"),
        c.wrong(f"sigma({typed})", "forgot the bias"),
        c.wrong(f"sigma({typed} - b)", "sign of the bias flipped"),
        c.wrong(f"tanh({typed} + b)", "wrong activation"),
    ]
    for other, forms in LOGISTIC_FORMS.items():
        if other != drawn:
            why = f"the product of another layout ({LAYOUT_WORDS[other]})"
            cases.append(c.wrong(f"sigma({forms[1]} + b)", why))
    return cases


def q1_d(c: Ctx) -> list:
    weights, biases = c.answer
    n, h, k = c.params["n_x"], c.params["n_h"], c.params["k"]
    assert [weights, biases] == [n * h + h * k, h + k]
    cases = [
        c.right(f"weights: {weights}, biases: {biases}", "labelled"),
        c.right(f"biases: {biases}, weights: {weights}", "labels in the other order"),
        c.right(f"{weights} weights and {biases} biases", "numbers before labels"),
        c.right(
            f"Weight parameters: {n}*{h} + {h}*{k} = {weights}. "
            f"Bias parameters: {h} + {k} = {biases}.",
            "two sentences with work",
        ),
        c.right(f"{weights}; {biases}", "in order"),
        c.right(f"({weights}, {biases})", "pair"),
        c.right(f"W: {weights}, b: {biases}", "W and b as labels"),
        c.scored(f"weights: {n * h}, biases: {biases}", 1, "forgot the output layer's weights"),
        c.scored(f"weights: {weights}, biases: {h + 1}", 1, "a single output bias (one label)"),
        c.scored(f"weights: {n * h + h}, biases: {biases}", 1, "a single output unit's weights"),
        c.scored(f"weights: {n * h + h + k}, biases: {biases}", 1, "added h + k for h k"),
        c.scored(
            f"weights: {weights + biases}, biases: {biases}",
            1,
            "counted the biases among the weights",
        ),
        c.wrong(f"weights: {n * h + h}, biases: {h + 1}", "one output unit, as for one label"),
        c.wrong(f"weights: {n * h}, biases: {h}", "forgot the output layer"),
        c.wrong(f"weights: {n * k}, biases: {k}", "gave the logistic regression's counts"),
        c.wrong(f"{biases}; {weights}", "wrong ordering (biases first, unlabelled)"),
    ]
    if weights >= 1000:
        cases.append(c.right(f"weights = {weights:,}, biases = {biases}", "thousands separator"))
    return cases


def q1_f_i(c: Ctx) -> list:
    """sigma(c W2 (W1 x + b1) + b2), with row vectors sigma(c (x W1 + b1) W2 + b2): the
    hidden layer's linear activation g(z) = c z is the factor c."""
    s = c.params["scale"]
    if c.params["layout"] == "column":
        return [
            c.right(rf"\sigma({s} W^{{[2]}}(W^{{[1]}}x^{{(i)}} + b^{{[1]}}) + b^{{[2]}})", "LaTeX"),
            c.right(f"sigma({s} W2 W1 x + {s} W2 b1 + b2)", "expanded"),
            c.right(f"{SIGMA}(b2 + W2 @ ({s}*(b1 + W1 @ x)))", "numpy @, reordered"),
            c.right(
                rf"\hat{{y}} = \sigma\left({s} W^{{[2]}} W^{{[1]}} x + {s} W^{{[2]}} b^{{[1]}}"
                rf" + b^{{[2]}}\right)",
                "lhs = rhs, expanded LaTeX",
            ),
            c.right(f"sigmoid(W2.dot({s} * (W1.dot(x) + b1)) + b2)", "nested dot"),
            c.right(f"sigma(W2 ({s} W1 x + {s} b1) + b2)", "the factor spread over the layer"),
            c.wrong(f"sigma({s} W1 (W2 x + b1) + b2)", "layers swapped"),
            c.wrong(f"sigma({s} W2 W1 x + b1 + b2)", "b1 not multiplied by W2"),
            c.wrong(f"{s} W2 (W1 x + b1) + b2", "forgot the sigmoid"),
            c.wrong("sigma(W2 sigma(W1 x + b1) + b2)", "a sigmoid for the linear activation"),
            c.wrong("sigma(W2 (W1 x + b1) + b2)", "forgot the activation's factor"),
            c.wrong(f"sigma({s} (W2 (W1 x + b1) + b2))", "the factor on b2 too"),
            c.wrong(f"sigma({s} (x W1 + b1) W2 + b2)", "the row-vector form for column vectors"),
            c.wrong(f"sigma({s} W2^T (W1 x + b1) + b2)", "transposed W2"),
        ]
    return [
        c.right(rf"\sigma({s}(x^{{(i)}} W^{{[1]}} + b^{{[1]}}) W^{{[2]}} + b^{{[2]}})", "LaTeX"),
        c.right(f"sigma({s} x W1 W2 + {s} b1 W2 + b2)", "expanded"),
        c.right(f"{SIGMA}(b2 + ({s}*(b1 + x @ W1)) @ W2)", "numpy @, reordered"),
        c.right(
            rf"\hat{{y}} = \sigma\left({s} x W^{{[1]}} W^{{[2]}} + {s} b^{{[1]}} W^{{[2]}}"
            rf" + b^{{[2]}}\right)",
            "lhs = rhs, expanded LaTeX",
        ),
        c.right(f"sigmoid(({s} * (x.dot(W1) + b1)).dot(W2) + b2)", "nested dot"),
        c.right(f"sigma(({s} x W1 + {s} b1) W2 + b2)", "the factor spread over the layer"),
        c.wrong(f"sigma({s} (x W2 + b1) W1 + b2)", "layers swapped"),
        c.wrong(f"sigma({s} x W1 W2 + b1 + b2)", "b1 not multiplied by W2"),
        c.wrong(f"{s} (x W1 + b1) W2 + b2", "forgot the sigmoid"),
        c.wrong("sigma(sigma(x W1 + b1) W2 + b2)", "a sigmoid for the linear activation"),
        c.wrong("sigma((x W1 + b1) W2 + b2)", "forgot the activation's factor"),
        c.wrong(f"sigma({s} ((x W1 + b1) W2 + b2))", "the factor on b2 too"),
        c.wrong(f"sigma({s} W2 (W1 x + b1) + b2)", "the column-vector form for row vectors"),
        c.wrong(f"sigma({s} (x W1 + b1) W2^T + b2)", "transposed W2"),
    ]


def q1_f_ii(c: Ctx) -> list:
    """w' = c W2 W1, b' = c W2 b1 + b2 (rows: c W1 W2, c b1 W2 + b2); 1 point each, w'
    or its transpose."""
    s = c.params["scale"]
    if c.params["layout"] == "column":
        w, b, w_t = f"{s} W2 W1", f"{s} W2 b1 + b2", f"{s} W1^T W2^T"
        w_latex, b_latex = f"{s}W^{{[2]}}W^{{[1]}}", f"{s}W^{{[2]}}b^{{[1]}} + b^{{[2]}}"
        numpy_b, numpy_w = f"b2 + {s} * W2 @ b1", f"{s} * W2 @ W1"
        swapped, b_alone, no_b1_product = f"{s} W1 W2", f"{s} W2 b1", f"{s} b1 + b2"
        w_plain, b_plain, b_outer = "W2 W1", "W2 b1 + b2", f"{s} (W2 b1 + b2)"
    else:
        w, b, w_t = f"{s} W1 W2", f"{s} b1 W2 + b2", f"{s} W2^T W1^T"
        w_latex, b_latex = f"{s}W^{{[1]}}W^{{[2]}}", f"{s}b^{{[1]}}W^{{[2]}} + b^{{[2]}}"
        numpy_b, numpy_w = f"b2 + {s} * b1 @ W2", f"{s} * W1 @ W2"
        swapped, b_alone, no_b1_product = f"{s} W2 W1", f"{s} b1 W2", f"{s} b1 + b2"
        w_plain, b_plain, b_outer = "W1 W2", "b1 W2 + b2", f"{s} (b1 W2 + b2)"
    return [
        c.right(f"w' = {w}; b' = {b}", "two equations"),
        c.right(f"w' = {w_latex}, b' = {b_latex}", "LaTeX"),
        c.right(f"b' = {numpy_b}\nw' = {numpy_w}", "b' first, on two lines"),
        c.right(rf"{w_latex} \quad {b_latex}", "right-hand sides alone"),
        c.right(f"w' = ({w})^T; b' = {b}", "transpose: w' holding an output per column or row"),
        c.right(f"w' = {w_t}; b' = {b}", "transpose expanded"),
        c.scored(f"w' = {w}; b' = b2", 1, "b': forgot the first bias"),
        c.scored(f"w' = {w}; b' = {no_b1_product}", 1, "b': b1 not multiplied by W2"),
        c.scored(f"w' = {swapped}; b' = {b}", 1, "w': wrong ordering of the product"),
        c.scored(f"w' = {w}; b' = {b_alone}", 1, "b': forgot b2"),
        c.scored(f"w' = {w_plain}; b' = {b}", 1, "w': forgot the activation's factor"),
        c.scored(f"w' = {w}; b' = {b_outer}", 1, "b': the factor on b2 too"),
        c.wrong(f"w' = {w_plain}; b' = {b_plain}", "forgot the activation's factor in both"),
        c.wrong(f"w' = {swapped}; b' = b1 + b2", "both wrong"),
        c.wrong("w' = W1; b' = b1", "kept the first layer only"),
    ]


def bce_terms(yhat_label: int, yhat: str = "yhat") -> tuple[str, str]:
    """The arguments of the two logs of the BCE: the probability the output gives label 1
    (multiplied by y) and label 0 (by 1 - y); yhat is the probability of label
    ``yhat_label``."""
    one, other = yhat, f"1 - {yhat}"
    return (one, other) if yhat_label == 1 else (other, one)


def q2_b(c: Ctx) -> list:
    label = c.params["yhat_label"]
    p1, p0 = bce_terms(label)
    l1, l0 = (r"\hat{y}", r"(1-\hat{y})") if label == 1 else (r"(1-\hat{y})", r"\hat{y}")
    u1, u0 = (x.replace("yhat", YHAT) for x in (p1, p0))
    q1, q0 = (x.replace("yhat", "y_hat") for x in (p1, p0))
    other = "ŷ read as the probability of label 1" if label == 0 else "classes swapped"
    return [
        c.right(rf"-(y \log {l1} + (1-y)\log {l0})", "LaTeX"),
        c.right(f"-y ln({p1}) - (1-y) ln({p0})", "ln, expanded"),
        c.right(f"-(1 - y) log({u0}) - y log({u1})", "reordered, Unicode hat"),
        c.right(rf"L(y, \hat{{y}}) = -y\ln{l1} - (1-y)\ln{l0}", "lhs = rhs"),
        c.right(f"-y*log({q1}) + (y - 1)*log({q0})", "sign moved into (y - 1)"),
        c.wrong(f"y log({p1}) + (1-y) log({p0})", "sign flipped"),
        c.wrong(f"-(y log({p1}) + (1+y) log({p0}))", "1 + y for 1 - y"),
        c.wrong(f"-(y log({p1}) + log({p0}))", "forgot the (1 - y) factor"),
        c.wrong("(y - yhat)^2", "gave the MSE"),
        c.wrong(f"-y log({p1})", "forgot the negative class"),
        c.wrong(f"-(y log({p0}) + (1 - y) log({p1}))", other),
    ]


def true_label_probability(label: int, prediction: float, yhat_label: int) -> float:
    """The probability the output gives the true label, as a student writes it."""
    return round(prediction if label == yhat_label else 1 - prediction, 6)


def q2_c(c: Ctx) -> list:
    y, pred, label = c.params["label_c"], c.params["prediction_c"], c.params["yhat_label"]
    q = true_label_probability(y, pred, label)
    other = round(1 - q, 6)
    value = c.answer
    assert abs(value + math.log(q)) < 1e-9, (value, q)
    filled = short(pred) if y == label else f"1 - {short(pred)}"
    p1, p0 = bce_terms(label, short(pred))
    cases = [
        c.right(f"-log({short(q)})", "formula filled in"),
        c.right(minus(f"-ln({short(q)})"), "ln, Unicode minus"),
        c.right(rf"-\log {short(q)}", "LaTeX, no parentheses"),
        c.right(f"L = -log({filled})", "the formula's term, unsimplified"),
        c.right(f"-({y}*log({p1}) + (1 - {y})*log({p0}))", "whole formula filled in"),
        c.right(f"{value:.3f}", "the value"),
        c.right(f"{APPROX} {value:.2f}", "≈ value"),
        c.right(f"{value:.2f}".replace(".", ","), "decimal comma"),
        c.right(f"-log({short(q)}) = {value:.3f}", "formula then value"),
        c.right(f"L {APPROX} {value:.4f}", "L ≈ value"),
        c.wrong(f"log({short(q)})", "sign flipped"),
        c.wrong(moodle(f"-{value:.3f}"), "sign flipped (value, Moodle guard)"),
        c.wrong(short(q), "gave the probability, not the loss"),
    ]
    if abs(q - other) > 1e-9:
        why = (
            "ŷ read as the probability of label 1"
            if label == 0
            else "used the other class's probability"
        )
        cases.append(c.wrong(f"-log({short(other)})", why))
        cases += hedges(c, f"-log({short(q)})", f"-log({short(other)})", "both classes")
    return cases


def q2_d(c: Ctx) -> list:
    ys, ps, label = c.params["labels_d"], c.params["predictions_d"], c.params["yhat_label"]
    m = len(ys)
    terms = [short(true_label_probability(y, p, label)) for y, p in zip(ys, ps, strict=True)]
    value = -sum(math.log(float(t)) for t in terms) / m
    assert abs(value - c.answer) < 1e-9, (value, c.answer)
    logs = " + ".join(f"log({t})" for t in terms)
    bare = " + ".join(f"log {t}" for t in terms)
    latex = " + ".join(rf"\log {t}" for t in terms)
    full = " + ".join(
        f"{y}*log({p1}) + (1 - {y})*log({p0})"
        for y, (p1, p0) in zip(ys, (bce_terms(label, short(p)) for p in ps), strict=True)
    )
    cases = [
        c.right(f"-(1/{m})({bare})", "formula filled in, as printed"),
        c.right(f"-(1/{m})*({logs})", "formula filled in"),
        c.right(rf"J = -\frac{{1}}{{{m}}}\left({latex}\right)", "LaTeX frac"),
        c.right(f"-({logs})/{m}", "divided at the end"),
        c.right(f"-1/{m}*({full})", "whole formula filled in"),
        c.right("(" + " ".join(f"- log({t})" for t in terms) + f")/{m}", "minus per term"),
        c.right(f"-(1/{m}) log(" + "*".join(terms) + ")", "log of the product"),
        c.right(f"{value:.3f}", "the value"),
        c.right(f"J {APPROX} {value:.2f}", "J ≈ value"),
        c.right(f"J = {value:.2f}".replace(".", ","), "decimal comma"),
        c.right(f"-(1/{m})({bare}) = {value:.3f}", "formula then value"),
        c.scored(f"-({logs})", 2, "averaging factor missing"),
        c.scored(rf"-\left({latex}\right)", 2, "averaging factor missing (LaTeX)"),
        c.scored(f"-(1/{m - 1})({bare})", 2, "averaging factor 1/(m - 1)"),
    ]
    raw = [short(p) for p in ps]
    if sorted(raw) != sorted(terms):  # else the sum is the right one, in another order
        raw_logs = " + ".join(f"log({t})" for t in raw)
        cases.append(c.scored(f"-(1/{m})({raw_logs})", 1, "the printed ŷ in every log term"))
        cases.append(c.wrong(f"-({raw_logs})", "no averaging factor, and the printed ŷ"))
    flipped = [short(round(1 - float(t), 6)) for t in terms]
    if sorted(flipped) != sorted(terms):
        fl = " + ".join(f"log({t})" for t in flipped)
        why = (
            "ŷ read as the probability of label 1 in every term"
            if label == 0
            else "labels swapped in every term"
        )
        cases.append(c.scored(f"-(1/{m})({fl})", 1, why))
    return cases


def q2_e_i(c: Ctx) -> list:
    """W - alpha (dJ/dW + d/dW of the penalty): lambda W^2 gives 2 lambda W, lambda/2 W^2
    gives lambda W, either divided by m when the penalty is."""
    half, per_m = c.params["penalty_half"], c.params["penalty_per_m"]
    k = "" if half else "2"
    kk = "" if half else "2*"
    other = "2" if half else ""
    m = "/m" if per_m else ""
    if per_m:
        pen = rf"\frac{{{k}\lambda}}{{m}} W"
        factor = rf"\frac{{{k}\alpha\lambda}}{{m}}"
    else:
        pen, factor = rf"{k}\lambda W", rf"{k}\alpha\lambda"
    cases = [
        c.right(
            rf"W - \alpha(\frac{{\partial J_{{BCE}}}}{{\partial W}} + {pen})",
            "LaTeX, gradient of the penalty",
        ),
        c.right(f"W - alpha*dJ/dW - {kk}alpha*lambda*W{m}", "typed, expanded"),
        c.right(f"W = (1 - {k}{ALPHA}{LAMBDA}{m})W - {ALPHA} dJ/dW", "Greek, factored"),
        c.right(
            rf"W := W(1 - {factor}) - \alpha \frac{{\partial J_{{BCE}}}}{{\partial W}}",
            "update arrow :=",
        ),
        c.right(f"W <- W - {ALPHA}({PARTIAL}J/{PARTIAL}W + {k}{LAMBDA}W{m})", "arrow <-"),
        c.wrong("W - alpha*dJ/dW", "forgot the regularization"),
        c.wrong(
            f"(1 - {other}{ALPHA}{LAMBDA}{m})W - {ALPHA} dJ/dW", "factor 2 wrong for this penalty"
        ),
        c.wrong(f"W - alpha*dJ/dW + {kk}alpha*lambda*W{m}", "sign of the penalty flipped"),
        c.wrong(f"W - alpha*(dJ/dW + lambda*W^2{m})", "the penalty, not its derivative"),
        c.wrong(f"(1 - {k}{ALPHA}{LAMBDA}{m})W + {ALPHA} dJ/dW", "gradient ascent"),
    ]
    if per_m:
        cases.append(c.wrong(f"W - alpha*dJ/dW - {kk}alpha*lambda*W", "dropped the penalty's 1/m"))
    else:
        cases.append(c.wrong(f"W - alpha*dJ/dW - {kk}alpha*lambda*W/m", "divided by an m"))
    return cases


def q2_g_i(c: Ctx) -> list:
    """One label entry per target: the quality, the weight and each other measurement."""
    item, measured = c.params["scenario"]["quality"], c.params["measurements"]
    n = c.answer
    assert n == 2 + len(measured)
    cases = [
        c.right(str(n), "the value"),
        c.right(f"{n} x 1", "n x 1"),
        c.right(f"(1 x {n})", "(1 x n)"),
        c.right(f"{n}{TIMES}1", "n times-sign 1"),
        c.right(f"({n}, 1)", "numpy shape"),
        c.right(f"{n} or {n} x 1", "both forms"),
        c.right(f"{n} ({n} outputs)", "with a remark"),
        c.person(
            f"y = [{item}, weight{''.join(', ' + m for m in measured)}]",
            "the entries named, no size",
        ),
        c.wrong("1", "a single output"),
        c.wrong(str(n + 1), "counted a bias"),
        c.wrong(f"{n} x {n}", "a square matrix"),
    ]
    if n != 2:
        cases.append(c.wrong("2", "only the quality and the weight"))
    return cases


def q2_g_ii(c: Ctx) -> list:
    """The cross-entropy of y1 (yhat1 the probability of label ``yhat_label``) plus a squared
    error per measured target; any other formula goes to a person."""
    label, n = c.params["yhat_label"], 2 + len(c.params["measurements"])
    p1, p0 = bce_terms(label, "yhat1")
    l1, l0 = (r"\hat{y}_1", r"(1-\hat{y}_1)") if label == 1 else (r"(1-\hat{y}_1)", r"\hat{y}_1")
    targets = range(2, n + 1)
    squares = " + ".join(f"(y{i} - yhat{i})^2" for i in targets)
    flipped = " + ".join(f"(yhat{i} - y{i})^2" for i in targets)
    latex = " + ".join(rf"(y_{i}-\hat{{y}}_{i})^2" for i in targets)
    halves = " + ".join(rf"\frac{{1}}{{2}}(y_{i}-\hat{{y}}_{i})^2" for i in targets)
    bce = f"(y1 log({p1}) + (1-y1) log({p0}))"
    why = "a freely written formula: a person judges it"
    cases = [
        c.right(f"{squares} - {bce}", "the key's formula"),
        c.right(rf"{latex} - y_1\log{l1} - (1-y_1)\log{l0}", "LaTeX"),
        c.right(f"-(y1 ln({p1}) + (1 - y1) ln({p0})) + {flipped}", "reordered, ln"),
        c.person(rf"{halves} - y_1\log{l1} - (1-y_1)\log{l0}", f"MSE with 1/2 ({why})"),
        c.person(f"lambda ({squares}) - {bce}", f"weighted sum ({why})"),
        c.person(f"|y2 - yhat2| - {bce}", f"L1 term ({why})"),
        c.person(f"-{bce}", f"cross-entropy only ({why})"),
        c.person(" + ".join(f"(y{i} - yhat{i})^2" for i in range(1, n + 1)), f"MSE on all ({why})"),
        c.person("BCE(y1, yhat1) + MSE(y2, yhat2)", f"named losses ({why})"),
        c.person(
            f"{squares} - (y1 log({p0}) + (1-y1) log({p1}))",
            f"the other label's probability in the cross-entropy ({why})",
        ),
    ]
    if n > 2:
        cases.append(c.person(f"(y2 - yhat2)^2 - {bce}", f"measured targets left out ({why})"))
    return cases


WORDS = {"SGD": "stochastic", "MBGD": "mini-batch", "BGD": "batch"}
OFFICIAL = {"A": "BGD", "B": "MBGD", "C": "SGD"}


def q3_d(c: Ctx) -> list:
    pairs = c.answer
    items = sorted(pairs)
    by_method = {m: i for i, m in pairs.items()}
    cases = [
        c.right("; ".join(f"{i}={pairs[i]}" for i in items), "item=method; ..."),
        c.right(", ".join(f"{i}: {pairs[i]}" for i in items), "item: method, ..."),
        c.right(", ".join(pairs[i] for i in items), "methods in the order A, B, C"),
        c.right(
            f"Batch ({by_method['BGD']}), minibatch ({by_method['MBGD']}), "
            f"stochastic ({by_method['SGD']})",
            "as the solutions print it",
        ),
        c.right(", ".join(f"{i} - {WORDS[pairs[i]]}" for i in items), "names spelled out"),
        c.right(", ".join(f"{i} = {pairs[i]}" for i in reversed(items)), "labels reversed"),
        c.right("\n".join(f"{i}: {pairs[i]}" for i in items), "one per line"),
        c.right("; ".join(f"{i.lower()}={pairs[i].lower()}" for i in items), "lower case"),
    ]
    for a, b, why in (
        ("SGD", "MBGD", "SGD and MBGD swapped"),
        ("MBGD", "BGD", "MBGD and BGD swapped"),
        ("SGD", "BGD", "smoothest and noisiest swapped"),
    ):
        swapped = {i: (b if m == a else a if m == b else m) for i, m in pairs.items()}
        cases.append(c.wrong("; ".join(f"{i}={swapped[i]}" for i in items), why))
    if pairs != OFFICIAL:
        cases.append(c.wrong("A=BGD; B=MBGD; C=SGD", "copied the original exam's answer"))
    return cases


GREEK = {"alpha": ALPHA, "beta": BETA, "eta": "\u03b7", "gamma": "\u03b3"}
OTHER_NOTATION = {("alpha", "beta"): ("eta", "gamma"), ("eta", "gamma"): ("alpha", "beta")}


def q3_f_i(c: Ctx) -> list:
    """Momentum (V = d V + (1 - d) dJ/dW; W = W - l V) or RMSProp (S = d S + (1 - d)
    (dJ/dW)^2; W = W - l dJ/dW / sqrt(S)), in the printed letters l and d (alpha and beta,
    or eta and gamma); the whole answer or nothing."""
    notation = c.params["notation"]
    lr, d = notation["lr"], notation["decay"]
    lg, dg = GREEK[lr], GREEK[d]
    olr, od = OTHER_NOTATION[lr, d]
    dJ = r"\frac{\partial J}{\partial W}"
    if c.params["optimizer"]["id"] == "momentum":
        return [
            c.right(rf"V = \{d} V + (1-\{d}){dJ}; W = W - \{lr} V", "LaTeX"),
            c.right(f"W = W - {lr} V; V = {d} V + (1 - {d}) dW", "W first, named"),
            c.right(f"V_dW = {dg} V_dW + (1-{dg}) dW \\quad W := W - {lg} V_dW", "V_dW"),
            c.right(f"V = {d}*V + dJ/dW - {d}*dJ/dW\nW = -{lr}*V + W", "expanded, two lines"),
            c.right(f"V = {dg}V + (1 - {dg}){PARTIAL}J/{PARTIAL}W, W = W - {lg}V", "Unicode"),
            c.wrong(f"V = {d} V + (1 - {d}) dW; W = W + {lr} V", "sign flipped in the update"),
            c.wrong(f"V = (1-{d}) V + {d} dW; W = W - {lr} V", "decay and 1 - decay swapped"),
            c.wrong(f"V = {d} V + (1 - {d}) dW; W = W - {lr} dW", "update ignores V"),
            c.wrong(f"V = {d} V + (1 - {d}) dW", "forgot the update of W"),
            c.wrong(f"V = {d} V - (1 - {d}) dW; W = W - V", "signs and learning rate"),
            c.wrong(
                f"V = {od} V + (1 - {od}) dW; W = W - {olr} V",
                f"the other notation's letters ({olr}, {od})",
            ),
        ]
    return [
        c.right(
            rf"S = \{d} S + (1-\{d})\left({dJ}\right)^2; W = W - \frac{{\{lr}}}{{\sqrt{{S}}}} {dJ}",
            "LaTeX",
        ),
        c.right(f"W = W - {lr} dW / sqrt(S); S = {d} S + (1 - {d}) dW^2", "W first, named"),
        c.right(f"S = {dg}S + (1-{dg})(dW)^2 \\quad W := W - {lg} dW/√(S)", "Greek, √"),
        c.right(
            f"S = {d}*S + dJ/dW**2 - {d}*dJ/dW**2\nW = -{lr}*dJ/dW*S**(-1/2) + W",
            "expanded, two lines",
        ),
        c.right(
            f"S = {dg}S + (1 - {dg})({PARTIAL}J/{PARTIAL}W)^2, "
            f"W = W - {lg}({PARTIAL}J/{PARTIAL}W)/sqrt(S)",
            "Unicode",
        ),
        c.wrong(f"S = {d} S + (1 - {d}) dW; W = W - {lr} dW / sqrt(S)", "forgot the square"),
        c.wrong(f"S = {d} S + (1 - {d}) dW^2; W = W - {lr} dW / S", "forgot the square root"),
        c.wrong(f"S = {d} S + (1 - {d}) dW^2; W = W + {lr} dW / sqrt(S)", "sign flipped"),
        c.wrong(f"S = (1-{d}) S + {d} dW^2; W = W - {lr} dW / sqrt(S)", "decay swapped"),
        c.wrong(f"S = {d} S + dW^2; W = W - {lr} S dW", "no (1 - decay), multiplied by S"),
        c.wrong(f"S = {d} S + (1 - {d}) dW^2", "forgot the update of W"),
        c.wrong(
            f"S = {od} S + (1 - {od}) dW^2; W = W - {olr} dW / sqrt(S)",
            f"the other notation's letters ({olr}, {od})",
        ),
    ]


# 3(g)'s lines in the naming convention the copy's skeleton prints (solve.ADAM_NAMES, here
# by hand from the printed skeletons): the right lines in several notations, and the
# named mistakes, written with {beta1}, {grad}, ... filled in per copy.
ADAM_CONVENTIONS = {
    "course": {"lr": "lr", "beta1": "beta1", "beta2": "beta2", "eps": "eps", "grad": "grad",
               "w": "w", "v_corr": "v_corr", "s_corr": "s_corr"},
    "hat": {"lr": "alpha", "beta1": "beta_1", "beta2": "beta_2", "eps": "epsilon",
            "grad": "dw", "w": "param", "v_corr": "v_hat", "s_corr": "s_hat"},
    "unbiased": {"lr": "rate", "beta1": "b1", "beta2": "b2", "eps": "delta", "grad": "g",
                 "w": "theta", "v_corr": "v_unb", "s_corr": "s_unb"},
    "short": {"lr": "eta", "beta1": "rho1", "beta2": "rho2", "eps": "eps", "grad": "dW",
              "w": "weight", "v_corr": "vc", "s_corr": "sc"},
}  # fmt: skip
ADAM_RIGHT = {
    "v": [
        "v = {beta1} * v + (1 - {beta1}) * {grad}",
        "v = {beta1}*v + (1-{beta1})*{grad}",
        "{beta1} * v + (1 - {beta1}) * {grad}",
        "v = (1 - {beta1}) * {grad} + {beta1} * v",
    ],
    "s": [
        "s = {beta2} * s + (1 - {beta2}) * ({grad} ** 2)",
        "s = {beta2} * s + (1 - {beta2}) * {grad}**2",
        "s = {beta2} * s + (1 - {beta2}) * np.square({grad})",
        "s = {beta2}*s + (1-{beta2})*{grad}*{grad}",
        "s = {beta2} * s + (1 - {beta2}) * np.power({grad}, 2)",
    ],
    "v_corr": [
        "{v_corr} = v / (1 - ({beta1} ** step))",
        "{v_corr} = v / (1 - np.power({beta1}, step))",
        "v / (1. - {beta1}**step)",
    ],
    "s_corr": [
        "{s_corr} = s / (1 - ({beta2} ** step))",
        "{s_corr} = s / (1 - np.power({beta2}, step))",
        "s / (1. - {beta2}**step)",
    ],
    "w": [
        "{w} = {w} - {lr} * {v_corr} / np.sqrt({s_corr} + {eps})",
        "{w} = {w} - {lr} * {v_corr} / ({s_corr} + {eps}) ** 0.5",
        "{w} = {w} - ({lr} / np.sqrt({s_corr} + {eps})) * {v_corr}",
        "{w} -= {lr} * {v_corr} / np.sqrt({s_corr} + {eps})",
    ],
}
ADAM_MISTAKES = [  # (line, wrong line, why)
    ("s", "s = {beta2} * s + (1 - {beta2}) * {grad}", "forgot to square the gradient"),
    ("v", "v = {beta2} * v + (1 - {beta2}) * {grad}", "beta2 in v's average"),
    ("v_corr", "{v_corr} = v / (1 - {beta1})", "step ignored in the bias correction"),
    ("s_corr", "{s_corr} = s * (1 - {beta2} ** step)", "bias correction multiplies"),
    ("w", "{w} = {w} - {lr} * v / np.sqrt(s + {eps})", "update with the uncorrected averages"),
    ("w", "{w} = {w} + {lr} * {v_corr} / np.sqrt({s_corr} + {eps})", "sign flipped in the update"),
    ("w", "{w} = {w} - {lr} * {v_corr} / ({s_corr} + {eps})", "square root forgotten"),
]
ADAM_GROUPS = {"v": 0, "s": 0, "v_corr": 1, "s_corr": 1, "w": 2}


def q3_g(c: Ctx) -> list:
    rng = random.Random(f"adam:{c.copy}")
    convention = c.params["adam_names"]["id"]
    names = ADAM_CONVENTIONS[convention]
    assert {k: v for k, v in c.params["adam_names"].items() if k != "id"} == names
    blanks = list(c.answer)

    def lines(changes: dict[str, str], given: dict[str, str] = names) -> list[str]:
        return [changes.get(n, rng.choice(ADAM_RIGHT[n])).format(**given) for n in blanks]

    cases = [
        c.right("\n".join(lines({})), "one line per blank"),
        c.right(" | ".join(c.answer.values()), "the key's lines, | between"),
        c.right("\n".join(lines({})), "equivalent numpy"),
        c.right("\n".join(f"# TODO\n{x}" for x in lines({})), "with the TODO comments"),
    ]
    for line, bad, why in ADAM_MISTAKES:
        cases.append(c.scored("\n".join(lines({line: bad})), 2, why))
    two = lines({"s": ADAM_MISTAKES[0][1], "v_corr": ADAM_MISTAKES[2][1]})
    cases.append(c.scored("\n".join(two), 1, "no square, and no step in the correction"))
    sgd = ["v = {grad}", "s = {grad} ** 2", "{v_corr} = v", "{s_corr} = s",
           "{w} = {w} - {lr} * {grad}"]  # fmt: skip
    cases.append(c.wrong("\n".join(x.format(**names) for x in sgd), "plain gradient step, no Adam"))
    neighbour = "hat" if convention == "course" else "course"
    cases.append(
        c.wrong(
            "\n".join(lines({}, ADAM_CONVENTIONS[neighbour])),
            f"a neighbour's lines, in the {neighbour} names",
        )
    )
    return cases


# 4(b)'s names for the mean, the variance, the normalized input and the output, as the
# copy's skeleton prints them (one of six conventions); cache_dict's keys stay 'mu', 'var'.
BN_NAMINGS = {
    "cs230": ("mu", "var", "Z_norm", "out"),
    "paper": ("mu_B", "sigma2_B", "Z_hat", "Z_tilde"),
    "library": ("mean", "variance", "Z_normalized", "outputs"),
    "batch": ("batch_mean", "batch_var", "Z_standardized", "Z_out"),
    "estimate": ("mu_hat", "var_hat", "Z_n", "Z_scaled"),
    "per-feature": ("mean_Z", "var_Z", "Z_unit", "Z_bn"),
}
BN_NAME = re.compile(r"(?<![.'\"\w])(mu|var|Z_norm|out)(?![\w'\"])")


def bn_named(code: str, naming: str) -> str:
    """Lines written with the cs230 names (mu, var, Z_norm, out) in a naming's names."""
    names = dict(zip(BN_NAMINGS["cs230"], BN_NAMINGS[naming], strict=True))
    return BN_NAME.sub(lambda m: names[m[1]], code)


def q4_b(c: Ctx) -> list:
    first = c.params["layout"] == "features-first"
    ax = 1 if first else 0
    rng = random.Random(f"bn:{c.copy}")
    naming = c.params["naming"]
    key = c.answer
    assert (
        tuple(key[k].split(" = ")[0] for k in ("mu_train", "var_train", "z_norm", "out"))
        == (BN_NAMINGS[naming])
    )
    if first:
        mus = [
            "mu = np.mean(Z, axis=1, keepdims=True)",
            "mu = Z.mean(axis=1, keepdims=True)",
            "mu = np.mean(Z, axis=1).reshape(-1, 1)",
            "mu = np.average(Z, axis=1).reshape(-1, 1)",
        ]
        vars_ = [
            "var = np.var(Z, axis=1, keepdims=True)",
            "var = Z.var(axis=1, keepdims=True)",
            "var = ((Z - mu)**2).mean(axis=1, keepdims=True)",
            "var = np.mean((Z - mu) ** 2, axis=1).reshape(-1, 1)",
        ]
    else:
        mus = [
            "mu = np.mean(Z, axis=0)",
            "mu = Z.mean(axis=0)",
            "mu = np.average(Z, axis=0)",
            "mu = np.mean(Z, axis=0, keepdims=True)",
        ]
        vars_ = [
            "var = np.var(Z, axis=0)",
            "var = Z.var(axis=0)",
            "var = ((Z-mu)**2).mean(axis=0)",
            "var = np.var(Z, axis=0, keepdims=True)",
        ]
    tests = [
        ["mu = cache_dict['mu']", "var = cache_dict['var']"],
        ['mu = cache_dict["mu"]', 'var = cache_dict["var"]'],
    ]
    norms = [
        "Z_norm = (Z - mu) / np.sqrt(var + eps)",
        "Z_norm = (Z - mu) / (var + eps) ** 0.5",
        "Z_norm = (Z - mu) * (var + eps) ** -0.5",
    ]
    outs = ["out = gamma * Z_norm + beta", "out = Z_norm * gamma + beta"]

    def code(mu=None, var=None, test=None, norm=None, out=None, names=naming) -> str:
        t = test or rng.choice(tests)
        lines = [
            mu or rng.choice(mus),
            var or rng.choice(vars_),
            *t,
            norm or rng.choice(norms),
            out or rng.choice(outs),
        ]
        return bn_named("\n".join(lines), names)

    cases = [c.right(" | ".join(c.answer.values()), "the key's lines, | between")]
    cases += [
        c.right(code(mu=m, var=v), f"{m.split(' = ')[1]} / {v.split(' = ')[1]}")
        for m, v in zip(mus, vars_, strict=True)
    ]
    cases.append(c.right(code(norm="Z_norm = (Z - mu) / np.sqrt(var + eps)"), "np.sqrt"))
    neighbour = "paper" if naming == "cs230" else "cs230"
    cases.append(c.wrong(code(names=neighbour), f"a neighbour's lines, in the {neighbour} names"))
    other = 0 if first else 1
    cases.append(
        c.scored(
            code(mu=f"mu = np.mean(Z, axis={other})", var=f"var = np.var(Z, axis={other})"),
            2,
            "statistics over the wrong axis",
        )
    )
    cases.append(
        c.scored(
            code(var=f"var = np.std(Z, axis={ax}" + (", keepdims=True)" if first else ")")),
            2,
            "standard deviation for the variance",
        )
    )
    cases.append(
        c.scored(
            code(
                test=[
                    f"mu = np.mean(Z, axis={ax}" + (", keepdims=True)" if first else ")"),
                    f"var = np.var(Z, axis={ax}" + (", keepdims=True)" if first else ")"),
                ]
            ),
            2,
            "batch statistics at test time",
        )
    )
    cases.append(
        c.scored(
            code(test=["mu = cache_dict['var']", "var = cache_dict['mu']"]),
            2,
            "moving averages swapped",
        )
    )
    cases.append(c.scored(code(norm="Z_norm = (Z - mu) / (var + eps)"), 2, "square root forgotten"))
    cases.append(c.scored(code(out="out = gamma * Z + beta"), 2, "scaled Z, not Z_norm"))
    if first:
        cases.append(
            c.scored(
                code(mu="mu = np.mean(Z, axis=1)", var="var = np.var(Z, axis=1)"),
                2.5,
                "features first without keepdims",
            )
        )
        cases.append(
            c.scored(
                code(mu="mu = Z.mean(axis=1)", var="var = Z.var(axis=1)"),
                2.5,
                "features first without keepdims (methods)",
            )
        )
    cases.append(
        c.scored(
            code(norm="Z_norm = (Z - mu) / (var + eps)", out="out = gamma * Z + beta"),
            2,
            "two mistakes in one pair: no square root, Z for Z_norm",
        )
    )
    cases.append(
        c.scored(
            code(
                mu=f"mu = np.mean(Z, axis={other})",
                var=f"var = np.var(Z, axis={other})",
                out="out = gamma * Z + beta",
            ),
            1,
            "statistics over the wrong axis, and Z for Z_norm",
        )
    )
    return cases


def q4_e(c: Ctx) -> list:
    n, o = c.params["n_in"], c.params["n_out"]
    total = c.answer
    assert total == n * o + 2 * o
    cases = [
        *number_right(c, work=f"{n}*{o} + 2*{o}", unit="parameters"),
        c.right(
            f"{n} x {o} = {n * o} weights, {o} gammas and {o} betas: {total}",
            "sentences, the total last",
        ),
        c.scored(f"{n}*{o} + {o} + 2*{o} = {total + o}", 1, "counted the dense bias"),
        c.scored(f"{n}*{o} + {o} = {n * o + o}", 1, "one batch-norm parameter per output"),
        c.scored(f"{n}*{o} = {n * o}", 1, "forgot the batch-norm parameters"),
        c.scored(f"{n}*{o} + 2*{n} = {n * o + 2 * n}", 1, "batch norm over the inputs")
        if n != o
        else None,
        c.wrong(f"({n} + 1)*{o} = {(n + 1) * o}", "dense bias, no batch norm"),
        c.wrong(f"{n * o + 2}", "gamma and beta as two scalars"),
    ]
    return cases


def q5_c(c: Ctx) -> list:
    cases = choice_cases(c)
    good = next(o for o in c.part["options"] if o["correct"])
    group = good["text"].split(" (")[0]
    cases.append(c.right(group, "the option's text without its score"))
    cases.append(c.right(group.lower(), "the option's text, lower case"))
    return cases


def q6_b(c: Ctx) -> list:
    x, g, eps = c.params["x"], c.params["grad"], c.params["epsilon"]

    def sign(v: float) -> int:
        return (v > 0) - (v < 0)

    mine = [xi + eps * sign(gi) for xi, gi in zip(x, g, strict=True)]
    assert all(abs(a - b) < 1e-9 for a, b in zip(mine, c.answer, strict=True))
    vals = [short(round(v, 6)) for v in c.answer]
    vec = "[" + ", ".join(vals) + "]"
    body = r" \\ ".join(vals)
    signs = "[" + ", ".join(str(sign(gi)) for gi in g) + "]"
    cases = [
        c.right("; ".join(vals), "entries separated by ;"),
        c.right(vec, "[a, b]"),
        c.right(vec + "^T", "[a, b]^T"),
        c.right(f"x* = {vec}^T", "x* = [..]^T"),
        c.right(rf"\begin{{bmatrix}} {body} \end{{bmatrix}}", "bmatrix"),
        c.right(minus("(" + "; ".join(vals) + ")"), "Unicode minus, (a; b)"),
        c.right(
            f"x* = x + {short(eps)} * sign(dJ/dx) = x + {short(eps)}*{signs} = {vec}",
            "work before the result",
        ),
        c.right(" ".join(vals), "space separated"),
    ]
    if vals[0].startswith("-"):
        cases.append(c.right(moodle(", ".join(vals)), "Moodle's ' guard"))
    mistakes = {
        "used the gradient, not its sign": [xi + eps * gi for xi, gi in zip(x, g, strict=True)],
        "sign flipped": [xi - eps * sign(gi) for xi, gi in zip(x, g, strict=True)],
        "epsilon ignored": [xi + sign(gi) for xi, gi in zip(x, g, strict=True)],
        "no perturbation": [float(xi) for xi in x],
        "forgot to add x": [eps * sign(gi) for gi in g],
        "one entry's sign misread": [mine[0] - 2 * eps * sign(g[0]), *mine[1:]],
    }
    for why, values in mistakes.items():
        texts = [short(round(v, 6)) for v in values]
        if all(inside(c.part, float(t), k) for t, k in zip(texts, c.answer, strict=True)):
            continue
        cases.append(c.wrong("[" + ", ".join(texts) + "]", why))
    return cases


def q6_d(c: Ctx) -> list:
    """The cost to choose (non-saturating) or the one with which the generator learns slowly
    (saturating), with its reason: a person grades every response."""
    options = c.part["options"]
    good = next(o for o in options if o["correct"])
    bad = next(o for o in options if not o["correct"])
    slow = c.params["cost_question"]["id"] == "slow"
    assert good["text"] == ("Saturating cost" if slow else "Non-saturating cost")
    why = "the reason is required: a person grades it"
    reason = (
        "its gradient vanishes early in training, when D easily rejects the generated samples"
        if slow
        else "it has larger gradients early in training, when D easily rejects the generated "
        "samples"
    )
    return [
        c.person(good["label"], f"letter alone ({why})"),
        c.person(
            f"{good['label']}. The {good['text'].lower()}: {reason}.", f"letter and reason ({why})"
        ),
        c.person(
            f"({good['label']}) "
            + ("small gradient at the start" if slow else "bigger gradient at the start"),
            f"short reason ({why})",
        ),
        c.person(f"{bad['label']}, {bad['text'].lower()}", f"wrong option ({why})"),
        c.person(good["text"], f"the option's text ({why})"),
    ]


def q7_b(c: Ctx) -> list:
    """n + 2p - f + 1 = n - shrink, for stride 1, solved for the padding p = (f - 1 -
    shrink)/2 or for the filter width f = 2p + 1 + shrink."""
    shrink = c.params["shrink"]
    a = 1 + shrink
    if c.params["unknown"] == "padding":

        def minus_a(x: str, k: int) -> str:
            return f"{x} - {k}" if k >= 0 else f"{x} + {-k}"

        half = short(a / 2)
        cases = [
            c.right(f"({minus_a('f', a)})/2", "typed"),
            c.right(rf"\frac{{{minus_a('f', a)}}}{{2}}", "LaTeX"),
            c.right(f"f/2 - {a}/2" if a > 0 else f"f/2 + {-a}/2", "split"),
            c.right(f"0.5f - {half}" if a > 0 else f"0.5f + {short(-a / 2)}", "decimals"),
            c.right(f"p = ({minus_a('f', a)}) / 2", "p = rhs"),
            c.right(rf"\frac{{1}}{{2}}({minus_a('f', a)})", "factor first"),
            c.wrong(f"({minus_a('f', -a)})/2", "sign flipped"),
            c.wrong(minus_a("f", a), "forgot the half"),
            c.wrong("f/2", "forgot the constant"),
            c.wrong(f"({minus_a('f', a)})/2 + 1", "added the +1 of the output size"),
        ]
        if shrink:
            cases.append(c.wrong("(f - 1)/2", "the same padding, size change ignored"))
            cases.append(
                c.wrong(f"({minus_a('f', 1 - shrink)})/2", "size change with the wrong sign")
            )
        return distinct(cases)

    def plus_a(x: str, k: int) -> str:
        return f"{x} + {k}" if k >= 0 else f"{x} - {-k}"

    cases = [
        c.right(plus_a("2p", a), "typed"),
        c.right(plus_a("2*p", a), "with *"),
        c.right(f"f = {plus_a('2p', a)}", "f = rhs"),
        c.right(f"{a} + 2p", "constant first"),
        c.right(f"2(p + {short(a / 2)})" if a > 0 else f"2(p - {short(-a / 2)})", "factored"),
        c.right(plus_a("p + p", a), "p + p"),
        c.wrong(plus_a("2p", -a), "sign flipped"),
        c.wrong(plus_a("p", a), "forgot the 2"),
        c.wrong("2p", "forgot the constant"),
        c.wrong(plus_a("2p", a + 1), "added the +1 of the output size"),
    ]
    if shrink:
        cases.append(c.wrong("2p + 1", "the same padding's width, size change ignored"))
        cases.append(c.wrong(plus_a("2p", 1 - shrink), "size change with the wrong sign"))
    return distinct(cases)


def conv_side(n: int, k: int, p: int, s: int) -> int:
    return (n + 2 * p - k) // s + 1


def q7_c(c: Ctx) -> list:
    P = c.params
    H, W, k, p, s, K, ch = (
        P["height"],
        P["width"],
        P["kernel"],
        P["padding"],
        P["stride"],
        P["filters"],
        P["channels"],
    )
    h, w, kk = c.answer
    assert [conv_side(H, k, p, s), conv_side(W, k, p, s), K] == c.answer
    cases = [
        c.right(f"{h}x{w}x{kk}", "HxWxC"),
        c.right(f"({h}, {w}, {kk})", "(H, W, C)"),
        c.right(f"{h} {TIMES} {w} {TIMES} {kk}", "H times-sign W times-sign C"),
        c.right(f"{h} x {w} x {kk}", "H x W x C"),
        c.right(f"[{h}, {w}, {kk}]", "[H, W, C]"),
        c.right(f"$({h} \\times {w} \\times {kk})$", "LaTeX"),
        c.right(
            f"({H} + 2*{p} - {k})/{s} + 1 = {h}, ({W} + 2*{p} - {k})/{s} + 1 = {w}, "
            f"so {h} x {w} x {kk}",
            "work, then the volume",
        ),
    ]
    mistakes = {
        "stride ignored": [H + 2 * p - k + 1, W + 2 * p - k + 1, K],
        "padding ignored": [conv_side(H, k, 0, s), conv_side(W, k, 0, s), K],
        "padding added once": [conv_side(H + p, k, 0, s), conv_side(W + p, k, 0, s), K],
        "forgot the + 1": [(H + 2 * p - k) // s, (W + 2 * p - k) // s, K],
        "kept the input depth": [h, w, ch],
        "transposed shape (height and width swapped)": [w, h, kk],
        "number of filters times the input depth": [h, w, K * ch],
    }
    seen = {(h, w, kk)}
    for why, dims in mistakes.items():
        if tuple(dims) in seen:
            continue
        seen.add(tuple(dims))
        cases.append(c.wrong("x".join(str(d) for d in dims), why))
    return cases


def q7_counts(c: Ctx) -> list:
    P, label = c.params, c.part["label"]
    k, ch, K = P["kernel"], P["channels"], P["filters"]
    if label == "7(d)":
        size, depth, work = k * k, ch, f"{k}*{k}*{ch}*{K} + {K}"
        mistakes = {
            "forgot the biases": k * k * ch * K,
            "forgot the input channels": k * k * K + K,
            "one bias for the layer": k * k * ch * K + 1,
            "1D formula": k * ch * K + K,
        }
    elif label == "7(e)":
        k1, c1 = P["kernel_1d"], P["channels_1d"]
        size, depth, work = k1, c1, f"({k1}*{c1})*{K} + {K}"
        mistakes = {
            "forgot the biases": k1 * c1 * K,
            "2D kernel": k1 * k1 * c1 * K + K,
            "channels of (c)": k1 * ch * K + K,
            "forgot the input channels": k1 * K + K,
        }
    else:
        k3 = P["kernel_3d"]
        size, depth, work = k3**3, ch, f"{k3}*{k3}*{k3}*{ch}*{K} + {K}"
        mistakes = {
            "forgot the biases": k3**3 * ch * K,
            "2D kernel (time ignored)": k3 * k3 * ch * K + K,
            "forgot the input channels": k3**3 * K + K,
            "one bias for the layer": k3**3 * ch * K + 1,
        }
    total = c.answer
    assert total == size * depth * K + K
    cases = [
        *number_right(c, work=work, unit="parameters"),
        c.right(f"({'*'.join([str(size), str(depth)])} + 1)*{K} = {total}", "(F F D + 1) K"),
        c.right(f"{size * depth * K} weights + {K} biases = {total}", "weights + biases = total"),
        c.right(f"Number of parameters = {work} = {total}", "as the solutions print it"),
    ]
    if label == "7(d)":
        cases.append(
            c.right(
                f"{size * depth * K} weights and {K} biases", "weights and biases given separately"
            )
        )
    cases += [c.wrong(str(v), why) for why, v in mistakes.items() if v != total]
    return cases


CS230: dict[str, Catalogue] = {
    "1(a)": q1_a,
    "1(b)(i)": q1_b_i,
    "1(b)(ii)": q1_vector_size,
    "1(c)(i)": q1_vector_size,
    "1(c)(ii)": q1_c_ii,
    "1(d)": q1_d,
    "1(f)(i)": q1_f_i,
    "1(f)(ii)": q1_f_ii,
    "2(b)": q2_b,
    "2(c)": q2_c,
    "2(d)": q2_d,
    "2(e)(i)": q2_e_i,
    "2(g)(i)": q2_g_i,
    "2(g)(ii)": q2_g_ii,
    "3(d)": q3_d,
    "3(f)(i)": q3_f_i,
    "3(g)": q3_g,
    "4(a)": multi_cases,
    "4(b)": q4_b,
    "4(e)": q4_e,
    "5(c)": q5_c,
    "6(a)": multi_cases,
    "6(b)": q6_b,
    "6(d)": q6_d,
    "7(b)": q7_b,
    "7(c)": q7_c,
    "7(d)": q7_counts,
    "7(e)": q7_counts,
    "7(f)": q7_counts,
}


# ------------------------------------------------------------------ dl-core


def matvec(W: list[list[float]], x: list[float]) -> list[float]:
    return [sum(w * v for w, v in zip(row, x, strict=True)) for row in W]


def transpose(W: list[list[float]]) -> list[list[float]]:
    return [list(col) for col in zip(*W, strict=True)]


def relu(z: list[float]) -> list[float]:
    return [max(v, 0) for v in z]


def forward(P: dict) -> tuple[list[float], list[float], float]:
    z1 = [v + b for v, b in zip(matvec(P["W1"], P["x"]), P["b1"], strict=True)]
    a1 = relu(z1)
    return z1, a1, sum(w * a for w, a in zip(P["W2"], a1, strict=True)) + P["b2"]


def flat(rows: list[list[float]]) -> list[float]:
    return [v for row in rows for v in row]


def check(mine, key, tol: float = 1e-6) -> None:
    """This file's reading of a question agrees with the key's answer."""
    mine = mine if isinstance(mine, list) else [mine]
    key = key if isinstance(key, list) else [key]
    assert len(mine) == len(key) and all(
        abs(a - b) <= tol for a, b in zip(mine, key, strict=True)
    ), (mine, key)


def backprop(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    z1, a1, yhat = forward(P)
    d2 = yhat - P["y"]
    d1 = [w * d2 * (1 if z > 0 else 0) for w, z in zip(P["W2"], z1, strict=True)]
    if part == "a":
        check(d2, c.answer)
        return [
            *number_right(c, work=f"y_hat - y = {short(yhat)} - {short(P['y'])}", label="dL/db2"),
            c.right(
                f"y_hat = {short(yhat)}, so dL/db2 = {short(d2)}", "forward pass, then the result"
            ),
            *number_wrong(
                c,
                {
                    "kept the factor 2 of the square": 2 * d2,
                    "sign flipped": -d2,
                    "gave y_hat": yhat,
                    "gave the loss": d2 * d2 / 2,
                },
            ),
        ]
    if part == "b":
        check([d2 * a for a in a1], c.answer)
        return vector_cases(
            c,
            {
                "used z for a": [d2 * z for z in z1],
                "sign flipped": [-d2 * a for a in a1],
                "forgot delta": a1,
                "used x for a": [d2 * v for v in P["x"]],
            },
        )
    if part == "c":
        check(d1, c.answer)
        return vector_cases(
            c,
            {
                "ReLU derivative ignored": [w * d2 for w in P["W2"]],
                "sign flipped": [-v for v in d1],
                "times a instead of the ReLU derivative": [
                    w * d2 * a for w, a in zip(P["W2"], a1, strict=True)
                ],
            },
        )
    check([d * x for d in d1 for x in P["x"]], c.answer)
    return vector_cases(
        c,
        {
            "transposed (x delta^T)": [d1[j] * P["x"][i] for i in range(2) for j in range(2)],
            "sign flipped": [-d * x for d in d1 for x in P["x"]],
            "ReLU derivative ignored": [w * d2 * x for w in P["W2"] for x in P["x"]],
        },
    )


def softmax_ce(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    if part in ("b", "d"):
        return choice_cases(c)
    table = dict(zip(P["exp_of"], P["exp"], strict=True))
    e = [table[z] for z in P["logits"]]
    p = [v / sum(e) for v in e]
    label = P["label"]
    if part == "a":
        check(p, c.answer)
        mistakes = {
            "exponentials not normalised": e,
            "divided by the largest exponential": [v / max(e) for v in e],
        }
        if sum(P["logits"]):
            mistakes["normalised the logits, not their exponentials"] = [
                z / sum(P["logits"]) for z in P["logits"]
            ]
        return vector_cases(c, mistakes)
    grad = [v - (i == label) for i, v in enumerate(p)]
    check(grad, c.answer)
    top = p.index(max(p))
    return vector_cases(
        c,
        {
            "forgot to subtract the one-hot": p,
            "y - p (sign flipped)": [-g for g in grad],
            "one-hot at the predicted class": [v - (i == top) for i, v in enumerate(p)],
            "subtracted 1 from every entry": [v - 1 for v in p],
        },
    )


def shape_cases(c: Ctx, mistakes: dict[str, list[int]]) -> list:
    dims = [str(d) for d in c.answer]
    cases = [
        c.right("x".join(dims), "AxB"),
        c.right("(" + ", ".join(dims) + ")", "(A, B)"),
        c.right(f" {TIMES} ".join(dims), "A times-sign B"),
        c.right(" x ".join(dims), "A x B"),
        c.right("[" + ", ".join(dims) + "]", "[A, B]"),
    ]
    for why, wrong in mistakes.items():
        if wrong is not None and list(wrong) != list(c.answer):
            cases.append(c.wrong(" x ".join(str(d) for d in wrong), why))
    return cases


def cnn_stack(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    k1, s1, p1, f1, c0 = P["kernel1"], P["stride1"], P["padding1"], P["filters1"], P["channels"]
    k2, p2, f2, units = P["kernel2"], P["padding2"], P["filters2"], P["units"]
    conv1 = conv_side(P["side"], k1, p1, s1)
    pooled = (conv1 - 2) // 2 + 1
    conv2 = pooled + 2 * p2 - k2 + 1
    flat_n = conv2 * conv2 * f2
    layers = [(k1 * k1 * c0 + 1) * f1, (k2 * k2 * f1 + 1) * f2, (flat_n + 1) * units]
    total = sum(layers)
    if part == "a":
        check([pooled, pooled, f1], c.answer)
        unstrided = (P["side"] + 2 * p1 - k1 + 1 - 2) // 2 + 1
        return shape_cases(
            c,
            {
                "pooling ignored (CONV1's output)": [conv1, conv1, f1],
                "stride of CONV1 ignored": [unstrided, unstrided, f1],
                "kept the input channels": [pooled, pooled, c0],
                "gave CONV2's output": [conv2, conv2, f2],
            },
        )
    if part == "b":
        check(flat_n, c.answer)
        return [
            *number_right(c, work=f"{conv2}*{conv2}*{f2}", unit="entries"),
            *number_wrong(
                c,
                {
                    "flattened the pooling output": pooled * pooled * f1,
                    "forgot the channels": conv2 * conv2,
                    "side not squared": conv2 * f2,
                },
            ),
        ]
    if part == "c":
        check(total, c.answer)
        work = f"({k1}*{k1}*{c0} + 1)*{f1} + ({k2}*{k2}*{f1} + 1)*{f2} + ({flat_n} + 1)*{units}"
        nobias = k1 * k1 * c0 * f1 + k2 * k2 * f1 * f2 + flat_n * units
        return [
            *number_right(c, work=work, unit="parameters"),
            c.right(
                f"{layers[0]} + {layers[1]} + {layers[2]} = {total}", "per layer, then the sum"
            ),
            *number_wrong(
                c,
                {
                    "forgot every bias": nobias,
                    "forgot the dense layer's bias": total - units,
                    "counted the pooling window as 4 parameters": total + 4,
                    "CONV2 reads the input's channels": total - layers[1] + (k2 * k2 * c0 + 1) * f2,
                },
                {
                    "forgot every bias": f"{k1}*{k1}*{c0}*{f1} + {k2}*{k2}*{f1}*{f2} + "
                    f"{flat_n}*{units}"
                },
            ),
        ]
    field = 1 + (k1 - 1) + (2 - 1) * s1 + (k2 - 1) * s1 * 2
    check(field, c.answer)
    return [
        *number_right(c, work=f"1 + ({k1} - 1) + (2 - 1)*{s1} + ({k2} - 1)*{s1}*2", unit="pixels"),
        *number_wrong(
            c,
            {
                "strides ignored": 1 + (k1 - 1) + 1 + (k2 - 1),
                "sum of the window sides": k1 + 2 + k2,
                "pooling ignored": 1 + (k1 - 1) + (k2 - 1) * s1,
            },
        ),
    ]


def windows(image, w: int, s: int) -> list[list[tuple[int, int]]]:
    out = (len(image) - w) // s + 1
    return [
        [(s * i + u, s * j + v) for u in range(w) for v in range(w)]
        for i in range(out)
        for j in range(out)
    ]


def pooling(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    X, s, w = P["image"], P["stride"], P["window"]
    wins = windows(X, w, s)
    vals = [[X[r][q] for r, q in win] for win in wins]
    maxima, means = [max(v) for v in vals], [sum(v) / len(v) for v in vals]
    out = (len(X) - w) // s + 1
    grid = [out, out]
    if part == "a":
        check(maxima, c.answer)
        tr = [maxima[j * out + i] for i in range(out) for j in range(out)]
        return vector_cases(
            c,
            {
                "min pooling": [min(v) for v in vals],
                "average for max": means,
                "transposed output": tr,
            },
            grid=grid,
        )
    if part == "b":
        check(means, c.answer)
        return vector_cases(
            c,
            {
                "sum, not mean": [sum(v) for v in vals],
                "divided by 2": [sum(v) / 2 for v in vals],
                "rounded to whole numbers": [float(round(m)) for m in means],
                "max for average": maxima,
            },
            grid=grid,
        )
    up = flat(P["upstream"])
    side = len(X)

    def routed(place, add: bool = True) -> list[float]:
        g = [[0.0] * side for _ in range(side)]
        for k, win in enumerate(wins):
            for r, q in place(k, win):
                g[r][q] = g[r][q] + up[k] if add else up[k]
        return flat(g)

    def at_max(k, win):
        return [win[vals[k].index(maxima[k])]]

    right = routed(at_max)
    check(right, c.answer)
    cases = vector_cases(c, {}, grid=[side, side])
    spread = [[0.0] * side for _ in range(side)]
    for k, win in enumerate(wins):
        for r, q in win:
            spread[r][q] += up[k] / len(win)
    cases.append(
        c.wrong(
            "; ".join(short(v) for v in flat(spread)),
            "spread the gradient over the window (average pooling's backward)",
        )
    )
    every = routed(lambda k, win: win)
    cases.append(
        Case(
            "; ".join(short(v) for v in every),
            vector_points(c, sum(a == b for a, b in zip(every, right, strict=True)), []),
            "",
            "copied the gradient to every position of its window",
        )
    )
    overwritten = routed(at_max, add=False)
    if s == 1 and overwritten != right:
        cases.append(
            c.scored(
                "; ".join(short(v) for v in overwritten),
                1,
                "overlapping windows not added up (stride 1)",
            )
        )
    one = list(right)
    first = next(i for i, v in enumerate(one) if v)
    one[first] = -one[first]
    cases.append(c.scored("; ".join(short(v) for v in one), 1, "one gradient's sign flipped"))
    mins = routed(lambda k, win: [win[vals[k].index(min(vals[k]))]])
    cases.append(
        c.scored(
            "; ".join(short(v) for v in mins),
            vector_points(c, sum(a == b for a, b in zip(mins, right, strict=True)), []),
            "routed to the minimum",
        )
    )
    return [
        x if x.outcome else Case(x.response, x.expected, outcome_of(c, x.expected), x.why)
        for x in cases
    ]


def outcome_of(c: Ctx, points: float) -> str:
    return "right" if points >= c.points - 1e-9 else "partial" if points > 1e-9 else "wrong"


MU, SIGMA2 = "\u03bc", "\u03c3\u00b2"


def batchnorm(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    if part in ("b", "d"):
        return choice_cases(c)
    z, m, rho = P["z"], len(P["z"]), P["momentum"]
    mean = sum(z) / m
    var = sum((v - mean) ** 2 for v in z) / m
    unbiased = sum((v - mean) ** 2 for v in z) / (m - 1)
    if part == "a":
        check([mean, var], c.answer)
        vals = [written(c.part, v) for v in c.answer]
        return [
            *vector_cases(
                c,
                {
                    "variance with ddof = 1": [mean, unbiased],
                    "standard deviation for the variance": [mean, math.sqrt(var)],
                    "mean and variance swapped": [var, mean],
                },
            ),
            c.right(f"{MU} = {vals[0]}, {SIGMA2} = {vals[1]}", "Greek labels"),
        ]
    run = [rho * P["run_mean"] + (1 - rho) * mean, rho * P["run_var"] + (1 - rho) * var]
    check(run, c.answer)
    return vector_cases(
        c,
        {
            "momentum weights swapped": [
                (1 - rho) * P["run_mean"] + rho * mean,
                (1 - rho) * P["run_var"] + rho * var,
            ],
            "running variance updated with the standard deviation": [
                run[0],
                rho * P["run_var"] + (1 - rho) * math.sqrt(var),
            ],
            "only the mean updated": [run[0], P["run_var"]],
        },
    )


def dropout(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    p, A, M = P["keep_prob"], P["a"], P["mask"]
    if part == "d":
        return choice_cases(c)
    if part == "a":
        check(1 / p, c.answer)
        return [
            *number_right(c, work=f"1/{short(p)}"),
            *number_wrong(c, {"p instead of 1/p": p, "1 - p": 1 - p, "1/(1 - p)": 1 / (1 - p)}),
        ]
    train = [v / p if k else 0.0 for v, k in zip(flat(A), flat(M), strict=True)]
    if part == "b":
        check(train, c.answer)
        return vector_cases(
            c,
            {
                "forgot to scale": [v * k for v, k in zip(flat(A), flat(M), strict=True)],
                "multiplied by p": [v * k * p for v, k in zip(flat(A), flat(M), strict=True)],
                "mask not applied": [v / p for v in flat(A)],
                "mask inverted": [
                    v / p if not k else 0.0 for v, k in zip(flat(A), flat(M), strict=True)
                ],
            },
        )
    check(sum(A[0]), c.answer)
    first = train[: len(A[0])]
    return [
        *number_right(c, work=" + ".join(short(v) for v in A[0])),
        *number_wrong(
            c,
            {
                "sum of this draw's outputs": sum(first),
                "multiplied by p": p * sum(A[0]),
                "divided by p": sum(A[0]) / p,
            },
        ),
    ]


def initialisation(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    n, o = P["n_in"], P["n_out"]
    if part == "d":
        return choice_cases(c)
    text = written(c.part, c.answer)
    mantissa, exponent = f"{c.answer:.2e}".split("e")
    sci = [
        c.right(f"{mantissa}e{int(exponent)}", "scientific e notation"),
        c.right(f"{mantissa} \\times 10^{{{int(exponent)}}}", "LaTeX power of ten"),
    ]
    if part == "a":
        check(2 / (n + o), c.answer)
        return [
            *number_right(c, work=f"2/({n} + {o})", label="Var(W)"),
            *sci,
            *number_wrong(
                c,
                {
                    "LeCun's 1/n_in": 1 / n,
                    "He's 2/n_in": 2 / n,
                    "1/(n_in + n_out)": 1 / (n + o),
                    "standard deviation for the variance": math.sqrt(2 / (n + o)),
                },
            ),
        ]
    if part == "b":
        check(math.sqrt(6 / (n + o)), c.answer)
        return [
            *number_right(c, work=f"sqrt(6/({n} + {o}))", label="a"),
            *sci,
            c.right(
                f"sqrt(3 * {written(c.part, 2 / (n + o))}) = {text}", "from the variance of (a)"
            ),
            *number_wrong(
                c,
                {
                    "a = the standard deviation": math.sqrt(2 / (n + o)),
                    "a = 3 x the variance": 6 / (n + o),
                    "fan-in only": math.sqrt(6 / n),
                    "sqrt(3/(n_in + n_out))": math.sqrt(3 / (n + o)),
                },
            ),
        ]
    check(math.sqrt(2 / n), c.answer)
    return [
        *number_right(c, work=f"sqrt(2/{n})", label="std"),
        *sci,
        *number_wrong(
            c,
            {
                "variance, not the standard deviation": 2 / n,
                "fan-out": math.sqrt(2 / o),
                "Xavier's sqrt(1/n_in)": math.sqrt(1 / n),
            },
        ),
    ]


def lr_schedules(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    if part == "a":
        steps = P["decay_steps"]
        check([P["lr0"] * P["drop"] ** (t // P["every"]) for t in steps], c.answer)
        return vector_cases(
            c,
            {
                "drops counted from the first epoch (ceil)": [
                    P["lr0"] * P["drop"] ** math.ceil(t / P["every"]) for t in steps
                ],
                "one drop too many": [P["lr0"] * P["drop"] ** (t // P["every"] + 1) for t in steps],
                "dropped once only": [P["lr0"] * P["drop"]] * len(steps),
            },
        )
    if part == "b":
        lo, hi, t, T = P["lr_min"], P["lr_max"], P["cosine_step"], P["period"]
        cos = math.cos(math.pi * t / T)
        check(lo + 0.5 * (hi - lo) * (1 + cos), c.answer)
        return [
            *number_right(
                c, work=f"{short(lo)} + 0.5*({short(hi)} - {short(lo)})*(1 + cos(pi*{t}/{T}))"
            ),
            *number_wrong(
                c,
                {
                    "forgot the 1/2": lo + (hi - lo) * (1 + cos),
                    "cos without the 1 +": lo + 0.5 * (hi - lo) * cos,
                    "eta_min left out": 0.5 * (hi - lo) * (1 + cos),
                    "cosine in degrees": lo
                    + 0.5 * (hi - lo) * (1 + math.cos(math.radians(180 * t / T) / math.pi)),
                },
            ),
        ]
    peak, W, total = P["peak"], P["warmup"], P["total"]
    if part == "c":
        t = P["warmup_step"]
        check(peak * t / W, c.answer)
        return [
            *number_right(c, work=f"{short(peak)}*{t}/{W}"),
            *number_wrong(
                c,
                {
                    "divided by the whole run": peak * t / total,
                    "warm-up counted from step 1": peak * (t + 1) / W,
                    "gave the peak": peak,
                },
            ),
        ]
    t = P["decay_step"]
    check(peak * 0.5 * (1 + math.cos(math.pi * (t - W) / (total - W))), c.answer)
    return [
        *number_right(c, work=f"0.5*{short(peak)}*(1 + cos(pi*({t} - {W})/({total} - {W})))"),
        *number_wrong(
            c,
            {
                "cosine over the whole run": peak * 0.5 * (1 + math.cos(math.pi * t / total)),
                "warm-up subtracted below only": peak
                * 0.5
                * (1 + math.cos(math.pi * t / (total - W))),
                "linear decay": peak * (total - t) / (total - W),
            },
        ),
    ]


def option_value(text: str) -> float | None:
    found = [float(v) for v in __import__("re").findall(r"-?\d+(?:\.\d+)?", text)]
    return found[-1] if len(found) == 1 else None


def mlp_forward(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    z1, a1, yhat = forward(P)
    Wx = matvec(P["W1"], P["x"])
    if part == "c":
        return choice_cases(c)
    if part == "a":
        check(z1, c.answer)
        return vector_cases(
            c,
            {
                "forgot the bias": Wx,
                "transposed W1": [
                    v + b for v, b in zip(matvec(transpose(P["W1"]), P["x"]), P["b1"], strict=True)
                ],
                "bias subtracted": [v - b for v, b in zip(Wx, P["b1"], strict=True)],
            },
        )
    if part == "b":
        check(a1, c.answer)
        return vector_cases(
            c,
            {
                "ReLU not applied": z1,
                "ReLU of W x, bias forgotten": relu(Wx),
                "absolute value for ReLU": [abs(v) for v in z1],
            },
        )
    y = P["y"]
    check((yhat - y) ** 2, c.answer)
    mistakes = {
        "forgot to square": yhat - y,
        "halved the square": (yhat - y) ** 2 / 2,
        "y_hat - y without the square, sign flipped": y - yhat,
    }
    work = {}
    for o in next(p["options"] for p in c.question["parts"] if p["part"] == "c"):
        value = option_value(o["text"])
        if not o["correct"] and value is not None:
            why = f"carried option {o['label']}'s y_hat ({o['mistake']})"
            mistakes[why] = (value - y) ** 2
            work[why] = f"({short(value)} - {short(y)})^2"
    return [
        *number_right(c, work=f"({short(yhat)} - {short(y)})^2", label="L"),
        *number_wrong(c, mistakes, work),
    ]


def convolve(X, K, s: int, p: int) -> list[float]:
    n, k = len(X), len(K)
    padded = (
        [[0] * (n + 2 * p) for _ in range(p)]
        + [[0] * p + list(r) + [0] * p for r in X]
        + [[0] * (n + 2 * p) for _ in range(p)]
    )
    out = (n + 2 * p - k) // s + 1
    return [
        sum(K[u][v] * padded[s * i + u][s * j + v] for u in range(k) for v in range(k))
        for i in range(out)
        for j in range(out)
    ]


def conv2d(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    X, K, s, p = P["image"], P["kernel"], P["stride"], P["padding"]
    n, k = len(X), len(K)
    if part == "c":
        return choice_cases(c)
    if part == "a":
        o = conv_side(n, k, p, s)
        check([o, o], c.answer)
        return shape_cases(
            c,
            {
                "padding ignored": [conv_side(n, k, 0, s)] * 2,
                "stride ignored": [n + 2 * p - k + 1] * 2,
                "forgot the + 1": [(n + 2 * p - k) // s] * 2,
                "full convolution size": [n + k - 1] * 2,
            },
        )
    right = convolve(X, K, s, p)
    check(right, c.answer)
    o = conv_side(n, k, p, s)
    cases = vector_cases(c, {}, grid=[o, o])
    flipped = convolve(X, [row[::-1] for row in K[::-1]], s, p)
    if flipped != right:
        cases.append(
            c.wrong(
                "; ".join(short(v) for v in flipped),
                "kernel flipped (convolution, not cross-correlation)",
            )
        )
    for slips, why in ((1, "one arithmetic slip"), (2, "two arithmetic slips"), (3, "three slips")):
        slipped = [v + 1 if i < slips else v for i, v in enumerate(right)]
        cases.append(c.scored("; ".join(short(v) for v in slipped), 1 if slips <= 2 else 0, why))
    tr = [right[j * o + i] for i in range(o) for j in range(o)]
    wrong = sum(a != b for a, b in zip(tr, right, strict=True))
    if wrong:
        cases.append(
            c.scored("; ".join(short(v) for v in tr), 1 if wrong <= 2 else 0, "transposed output")
        )
    return cases


def optimizer_steps(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    if part == "a":
        return choice_cases(c)
    eps, lr, gs = 10.0 ** P["eps_exponent"], P["lr"], P["grads"]

    def run(step) -> list[float]:
        w, state, out = P["w0"], {"v": 0.0, "s": 0.0}, []
        for t, g in enumerate(gs, start=1):
            w = step(w, g, t, state)
            out.append(w)
        return out

    def momentum(w, g, t, st, one_minus=True, sign=1):
        st["v"] = P["beta"] * st["v"] + ((1 - P["beta"]) if one_minus else 1) * g
        return w - sign * lr * st["v"]

    def rms(w, g, t, st, root=True, one_minus=True):
        st["s"] = P["rho"] * st["s"] + ((1 - P["rho"]) if one_minus else 1) * g * g
        return w - lr * g / (math.sqrt(st["s"] + eps) if root else st["s"] + eps)

    def adam(w, g, t, st, correct=True, root=True, first_step=False):
        st["v"] = P["beta1"] * st["v"] + (1 - P["beta1"]) * g
        st["s"] = P["beta2"] * st["s"] + (1 - P["beta2"]) * g * g
        tt = 1 if first_step else t
        v = st["v"] / (1 - P["beta1"] ** tt) if correct else st["v"]
        s = st["s"] / (1 - P["beta2"] ** tt) if correct else st["s"]
        return w - lr * v / (math.sqrt(s + eps) if root else s + eps)

    sgd = run(lambda w, g, t, st: w - lr * g)
    if part == "b":
        check(run(momentum), c.answer)
        mistakes = {
            "no (1 - beta) factor": run(lambda *a: momentum(*a, one_minus=False)),
            "sign flipped": run(lambda *a: momentum(*a, sign=-1)),
            "plain SGD": sgd,
        }
    elif part == "c":
        check(run(rms), c.answer)
        mistakes = {
            "square root forgotten": run(lambda *a: rms(*a, root=False)),
            "no (1 - rho) factor": run(lambda *a: rms(*a, one_minus=False)),
            "plain SGD": sgd,
        }
    else:
        check(run(adam), c.answer)
        mistakes = {
            "no bias correction": run(lambda *a: adam(*a, correct=False)),
            "bias correction of step 1 at step 2": run(lambda *a: adam(*a, first_step=True)),
            "square root forgotten": run(lambda *a: adam(*a, root=False)),
        }
    vals = [written(c.part, v) for v in c.answer]
    return [
        *vector_cases(c, mistakes),
        c.right(f"w_1 = {vals[0]}, w_2 = {vals[1]}", "w_1 = .., w_2 = .."),
    ]


def rnn(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    x, h = P["input_size"], P["hidden_size"]
    gate = h * (h + x) + h
    sizes = {
        "forgot the bias": h * (h + x),
        "input weights only": h * x + h,
        "recurrent weights only": h * h + h,
    }
    if part == "a":
        check(gate, c.answer)
        return [
            *number_right(c, work=f"{h}*({h} + {x}) + {h}", unit="parameters"),
            c.right(f"({h} + {x} + 1)*{h} = {gate}", "(n_a + n_x + 1) n_a"),
            *number_wrong(c, sizes, {w: f"size {w}" for w in ()}),
            c.wrong(str(h * (h + x) + 2 * h), "two biases (as some libraries)"),
        ]
    if part == "d":
        b, t = P["batch"], P["steps"]
        check([b, t, h], c.answer)
        return shape_cases(
            c,
            {
                "time-major": [t, b, h],
                "last state only": [b, h],
                "input features": [b, t, x],
                "four gates stacked": [b, t, 4 * h],
            },
        )
    gates = 4 if part == "b" else 3
    check(gates * gate, c.answer)
    before = c.earlier.get("a")
    if before is not None and before.why in sizes:
        size = sizes[before.why]
        return [
            c.scored(
                f"{gates} * {size} = {gates * size}",
                0.5,
                f"{gates} gates of the size found in (a) ({before.why} there)",
            )
        ]
    other = 3 if gates == 4 else 4
    return [
        *number_right(c, work=f"{gates}*({h}*({h} + {x}) + {h})", unit="parameters"),
        c.right(f"{gates} x {gate} = {gates * gate}", f"{gates} x (a)"),
        *number_wrong(
            c,
            {
                f"{other} gates": other * gate,
                "two biases per gate": gates * (gate + h),
                "one gate only": gate,
                f"{gates} gates of the wrong size (forgot the bias) while (a) was right": gates
                * h
                * (h + x),
            },
        ),
    ]


def vanishing(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    a, w = P["a"], P["w"]
    if part == "c":
        return choice_cases(c)
    if part == "a":
        check(a[0] * (1 - a[0]), c.answer)
        z = w[0] * P["x"]
        s = 1 / (1 + math.exp(-z))
        return [
            *number_right(c, work=f"{short(a[0])}*(1 - {short(a[0])})", label="sigma'(z_1)"),
            *number_wrong(
                c,
                {
                    "gave a_1": a[0],
                    "a(1 + a)": a[0] * (1 + a[0]),
                    "1 - a_1": 1 - a[0],
                    "recomputed a_1 instead of the printed value": s * (1 - s),
                },
            ),
        ]
    if part == "b":
        prod = math.prod(wl * al * (1 - al) for wl, al in zip(w, a, strict=True))
        check(prod, c.answer)
        work = " * ".join(
            f"{short(wl)}*{short(al)}*(1 - {short(al)})" for wl, al in zip(w, a, strict=True)
        )
        mistakes = {
            "forgot the weights": math.prod(al * (1 - al) for al in a),
            "added instead of multiplying": sum(
                wl * al * (1 - al) for wl, al in zip(w, a, strict=True)
            ),
            "last layer only": w[-1] * a[-1] * (1 - a[-1]),
        }
        if prod < 0:
            mistakes["sign dropped"] = -prod
        return [*number_right(c, work=work), *number_wrong(c, mistakes)]
    m, t = P["max_weight"], P["threshold"]
    L = c.answer
    quarter = next(n for n in range(1, 100) if 0.25**n < t)
    return [
        *number_right(c, label="L"),
        c.right(
            f"{L}, since ({short(m)}/4)^{L} = {(m / 4) ** L:.2g} < {short(t)}", "the check after it"
        ),
        *number_wrong(
            c,
            {
                "one layer short": L - 1,
                "weights ignored (1/4 per layer)": quarter,
                "one layer too many": L + 1,
            },
        ),
    ]


def metrics(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    tp, fp, fn, tn = P["tp"], P["fp"], P["fn"], P["tn"]
    if part == "c":
        return choice_cases(c)

    def after(threshold: float) -> list[float] | None:
        pos = [s > threshold for s in P["scores"]]
        ntp = sum(q and y == 1 for q, y in zip(pos, P["labels"], strict=True))
        nfp = sum(q and y == 0 for q, y in zip(pos, P["labels"], strict=True))
        nfn = sum(not q and y == 1 for q, y in zip(pos, P["labels"], strict=True))
        return None if not ntp + nfp or not ntp + nfn else [ntp / (ntp + nfp), ntp / (ntp + nfn)]

    if part == "a":
        check([tp / (tp + fp), tp / (tp + fn)], c.answer)
        vals = [written(c.part, v) for v in c.answer]
        return [
            *vector_cases(
                c,
                {
                    "precision and recall swapped": [tp / (tp + fn), tp / (tp + fp)],
                    "recall as tp/(tp + tn)": [tp / (tp + fp), tp / (tp + tn)],
                    "precision as tp/N": [tp / (tp + fp + fn + tn), tp / (tp + fn)],
                },
            ),
            c.right(
                f"precision = {tp}/{tp + fp} = {vals[0]}, recall = {tp}/{tp + fn} = {vals[1]}",
                "labelled, with the fractions",
            ),
            c.right(f"P = {vals[0]}, R = {vals[1]}", "P and R as labels"),
        ]
    if part == "b":
        prec, rec = tp / (tp + fp), tp / (tp + fn)
        f1, acc = 2 * tp / (2 * tp + fp + fn), (tp + tn) / (tp + fp + fn + tn)
        check([f1, acc], c.answer)
        return vector_cases(
            c,
            {
                "F1 as the arithmetic mean": [(prec + rec) / 2, acc],
                "accuracy as tp/N": [f1, tp / (tp + fp + fn + tn)],
                "F1 and accuracy swapped": [acc, f1],
            },
        )
    check(after(P["threshold"]), c.answer)
    right = after(P["threshold"])
    return vector_cases(
        c, {"kept the threshold 0.5": after(0.5), "precision and recall swapped": right[::-1]}
    )


def pmatrix(text: str) -> list[list[float]]:
    body = text.split(r"\begin{pmatrix}")[1].split(r"\end{pmatrix}")[0]
    return [[float(v) for v in row.split("&")] for row in body.split(r"\\")]


def attention(c: Ctx) -> list:
    P, part = c.params, c.part["part"]
    Q, K, V = P["Q"], P["K"], P["V"]
    if part == "b":
        return choice_cases(c)
    dots = [[sum(a * b for a, b in zip(q, k, strict=True)) for k in K] for q in Q]
    if part == "a":
        check(flat([[d / math.sqrt(2) for d in row] for row in dots]), c.answer)
        return vector_cases(
            c,
            {
                "forgot the sqrt(d_k)": flat(dots),
                "divided by d_k": flat([[d / 2 for d in row] for row in dots]),
            },
            grid=[len(Q), len(K)],
        )
    if part == "c":

        def av(weights: list[list[float]]) -> list[float]:
            return flat(
                [
                    [round(sum(wr[j] * V[j][col] for j in range(len(K))), 2) for col in range(2)]
                    for wr in weights
                ]
            )

        options = next(p["options"] for p in c.question["parts"] if p["part"] == "b")
        good = next(o for o in options if o["correct"])
        check(av(pmatrix(good["text"])), c.answer)
        mistakes = {
            f"used option {o['label']}'s weights ({o['mistake']})": av(pmatrix(o["text"]))
            for o in options
            if not o["correct"]
        }
        return vector_cases(c, mistakes, grid=[len(Q), 2])
    d, ff, h = P["d_model"], P["d_ff"], P["heads"]
    att, ffn, ln = 4 * (d * d + d), d * ff + ff + ff * d + d, 4 * d
    check(att + ffn + ln, c.answer)
    tot = att + ffn + ln
    A, F, N = f"4*({d}^2 + {d})", f"({d}*{ff} + {ff}) + ({ff}*{d} + {d})", f"2*2*{d}"
    return [
        *number_right(c, work=f"{A} + {F} + {N}", unit="parameters"),
        c.right(f"attention {att} + feed-forward {ffn} + layer norms {ln} = {tot}", "parts named"),
        c.scored(f"{A} + {F} = {att + ffn}", 0.5, "forgot the layer norms"),
        c.scored(f"{A} + {F} + 2*{d} = {att + ffn + 2 * d}", 0.5, "one layer norm only"),
        c.scored(f"4*{d}^2 + {F} + {N} = {4 * d * d + ffn + ln}", 0.5, "attention without biases"),
        c.scored(
            f"{h}*3*({d}^2 + {d}) + ({d}^2 + {d}) + {F} + {N} = "
            f"{(3 * h + 1) * (d * d + d) + ffn + ln}",
            0.5,
            "full-size projections per head",
        ),
        c.scored(
            f"{A} + {d}*{ff} + {ff}*{d} + {N} = {att + 2 * d * ff + ln}",
            0.5,
            "feed-forward biases forgotten",
        ),
        c.wrong(f"4*{d}^2 + 2*{d}*{ff} = {4 * d * d + 2 * d * ff}", "no biases and no layer norms"),
        c.wrong(str(att), "attention only"),
    ]


DLCORE: dict[str, Catalogue] = {
    "dl-core/backprop": backprop,
    "dl-core/softmax-cross-entropy": softmax_ce,
    "dl-core/cnn-stack": cnn_stack,
    "dl-core/pooling": pooling,
    "dl-core/batchnorm-forward": batchnorm,
    "dl-core/dropout": dropout,
    "dl-core/initialisation": initialisation,
    "dl-core/lr-schedules": lr_schedules,
    "dl-core/mlp-forward": mlp_forward,
    "dl-core/conv2d": conv2d,
    "dl-core/optimizer-steps": optimizer_steps,
    "dl-core/rnn-parameters": rnn,
    "dl-core/vanishing-gradients": vanishing,
    "dl-core/classification-metrics": metrics,
    "dl-core/attention": attention,
}


# ------------------------------------------------------------------ the corpus


def expected_text(points: float | None) -> str:
    return "person" if points is None else f"{points:.6f}".rstrip("0").rstrip(".")


def corpus(name: str, key: dict) -> list[dict[str, str]]:
    """One response per copy and auto-gradable part, the copies taking each part's cases in
    turn."""
    rows, turn = [], Counter()
    used: dict[str, set[str]] = defaultdict(set)
    offered: dict[str, set[str]] = defaultdict(set)
    for variant in key["variants"]:
        copy = variant["copy"]
        student = variant["variant"] if copy % 7 == 3 else f"v{copy}"  # some by the copy's code
        for question in variant["questions"]:
            earlier: dict[str, Case] = {}
            for part in question["parts"]:
                if not auto_gradable(part):
                    continue
                ctx = Ctx(name, copy, question["id"], question["params"], part, earlier, question)
                if name == "cs230":
                    catalogue, slot = CS230[part["label"]], part["label"]
                else:
                    catalogue, slot = DLCORE[question["id"]], f"{question['id']} ({part['part']})"
                cases = [x for x in catalogue(ctx) if x is not None]
                if len(cases) > 1:  # a forced case (carried from an earlier part) stands alone
                    # blanks and unreadable responses half as often as a case
                    blank = Case("", blank_points(ctx), "blank", "left blank")
                    unread = ctx.person(*PERSON[turn[slot] // (2 * len(cases) + 2) % len(PERSON)])
                    cases = [*cases, blank, *cases, unread]
                case = cases[(turn[slot] + zlib.crc32(slot.encode())) % len(cases)]
                turn[slot] += 1
                earlier[part["part"]] = case
                used[slot].add(case.why)
                offered[slot] |= {x.why for x in cases}
                for x in cases:
                    assert x.outcome != "right" or x.expected == part["points"], (slot, x)
                rows.append(
                    {
                        "run": name,
                        "student": student,
                        "question": question["id"],
                        "label": part["label"],
                        "kind": part["kind"],
                        "response": case.response,
                        "expected": expected_text(case.expected),
                        "outcome": case.outcome,
                        "why": case.why,
                        "key": key_cell(part),
                    }
                )
    for slot in offered:
        missing = offered[slot] - used[slot]
        if missing:
            print(f"  {slot}: {len(missing)} cases never drawn: {sorted(missing)[:4]}")
    return rows


def write(rows: list[dict[str, str]], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=HERE, help="folder for the CSV files")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for name, filename in FILES.items():
            folder = build(name, Path(tmp))
            key = json.loads((folder / "key.json").read_text(encoding="utf-8"))
            rows = corpus(name, key)
            write(rows, args.out / filename)
            outcomes = Counter(r["outcome"] for r in rows)
            kinds = Counter(r["kind"] for r in rows)
            print(
                f"{filename}: {len(rows)} responses; {dict(sorted(outcomes.items()))}; "
                f"{dict(sorted(kinds.items()))}"
            )


if __name__ == "__main__":
    main()
