"""``generate-exam new ID``: a question folder that works as written, to edit from.

Each example is one small question about a single neuron, in the kind of answer the
author asked for.  It builds, passes ``generate-exam check`` and previews as written,
and its comments point to the section of docs/authoring.md that explains each field
(shipped with the package: ``generate-exam docs authoring`` prints where).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.bank.tomlfile import CONTROL
from generator.errors import ExamError

GUIDE = "docs/authoring.md"


class ScaffoldError(ExamError):
    """The new question's folder cannot be written."""


@dataclass(frozen=True)
class Example:
    """What differs between kinds: the part's fields, the solver's body, the part's text."""

    part: str  # the [[parts]] fields after label and kind
    imports: str  # names imported from generator.authoring
    solve: str  # body of solve(), returning {"a": ...}
    closed_form: str  # body of closed_form(), or "" when the kind is not numeric
    text: str  # the part's block
    arrange: str = ""  # an arrange() function, for kinds whose options are shuffled


_NEURON = """    z = np.asarray(params["w"]) @ np.asarray(params["x"]) + params["b"]"""
_BY_HAND = """    pairs = zip(params["w"], params["x"], strict=True)
    z = sum(w * x for w, x in pairs) + params["b"]"""

EXAMPLES = {
    "number": Example(
        part='points = 2\nhint = "1 number"\nspace = "0.8in"\n'
        "tolerance = { abs = 0.01 }   # accepted: within 0.01 (#tolerance)",
        imports="dense, require",
        solve=f"""{_NEURON}
    output = float(dense.sigmoid(z))
    require(0 < output < 1, "a sigmoid's output lies in (0, 1)")  # a self-check (#require)
    return {{"a": output}}""",
        closed_form=f"""{_BY_HAND}
    return {{"a": 1 / (1 + math.exp(-z))}}""",
        text=r"What is its output $\sigma(w^T x + b)$? Give two decimals.",
    ),
    "integer": Example(
        part='points = 1\nhint = "1 number"\nspace = "0.6in"',
        imports="dense",
        solve="""    layer = dense.Dense.zeros(len(params["x"]), params["units"])
    return {"a": layer.weight_count + layer.bias_count}""",
        closed_form="""    return {"a": len(params["x"]) * params["units"] + params["units"]}""",
        text=r"The neuron is one of \VAR{units} units of a dense layer that all receive $x$. "
        "How many trainable parameters does the layer have?",
    ),
    "vector": Example(
        part='points = 2\nnames = ["z", "a"]   # one entry each (#names)\n'
        'hint = "2 numbers"\nspace = "0.8in"\ntolerance = { abs = 0.01 }',
        imports="dense",
        solve=f"""{_NEURON}
    return {{"a": [float(z), float(dense.relu(z))]}}""",
        closed_form=f"""{_BY_HAND}
    return {{"a": [z, max(z, 0.0)]}}""",
        text=r"Give its pre-activation $z = w^T x + b$ and its ReLU activation $a$.",
    ),
    "choice": Example(
        part='points = 1\nhint = "circle one"\nspace = "none"   # the options are the answer space',
        imports="Choices, Option",
        solve=f"""{_NEURON}
    z = round(float(z), 9)  # 0.1 * 0.2 is not exactly 0.02: compare the exact sum
    options = {{
        "positive": Option("$z > 0$", z > 0, "The weighted sum plus the bias is positive."),
        "zero": Option("$z = 0$", z == 0, "Only for an exact cancellation."),
        "negative": Option("$z < 0$", z < 0, "The weighted sum plus the bias is negative."),
    }}
    return {{"a": Choices(tuple(options[name] for name in params["order"]))}}""",
        closed_form="",
        arrange='''

def arrange(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The order of the options, drawn per copy from a stream of its own (#arrange)."""
    names = ["positive", "zero", "negative"]
    return {**params, "order": [names[i] for i in rng.permutation(len(names))]}''',
        text=r"What is the sign of its pre-activation $z = w^T x + b$?",
    ),
    "text": Example(
        part='points = 1\nhint = "1 sentence"\nspace = "1in"\n'
        'answer = "The sigmoid saturates: for large |z| its gradient is close to 0."\n'
        'rubric = ["1 point for saturation or a vanishing gradient."]   # (#rubric)',
        imports="",
        solve="""    return {}  # a text part is graded by people from its model answer""",
        closed_form="",
        text=r"Why can a sigmoid neuron learn slowly when $|w^T x + b|$ is large?",
    ),
}
KINDS = tuple(EXAMPLES)


def new_question(question_id: str, into: Path, *, kind: str = "number", topic: str = "") -> Path:
    """Write the folder ``into/<id>`` with a working example of ``kind``; its path."""
    # The bank's loader (numpy, sympy, jinja) only for its file names: the CLI reads KINDS.
    from generator.bank.questions import ID_PATTERN, QUESTION_FILE, SOLVER_FILE, TEMPLATE_FILE

    if not ID_PATTERN.fullmatch(question_id) or ".." in question_id.split("/"):
        raise ScaffoldError(
            f"'{question_id}' cannot be a question id; use lower-case letters, digits and "
            "- _ . /, like my-course/softmax."
        )
    if kind not in EXAMPLES:
        raise ScaffoldError(f"no example of kind '{kind}'; use one of {', '.join(KINDS)}.")
    folder = into / question_id
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists; choose another id or remove it.")
    example = EXAMPLES[kind]
    title = question_id.rsplit("/", 1)[-1].replace("-", " ").replace("_", " ").capitalize()
    topic = topic or (question_id.split("/")[0] if "/" in question_id else "my questions")
    files = {
        QUESTION_FILE: _question_toml(question_id, title, topic, kind, example),
        SOLVER_FILE: _solve_py(title, example),
        TEMPLATE_FILE: _template(example),
    }
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def toml_string(text: str) -> str:
    """``text`` as a TOML basic string: quotes, backslashes and control characters escaped,
    so that no text (a topic with a quote or a newline) breaks the file or adds a field."""
    if any("\ud800" <= char <= "\udfff" for char in text):
        raise ScaffoldError(f"{text!r} is not valid text (a lone surrogate); retype it.")
    control = CONTROL.search(text)
    if control:  # the bank refuses them when it loads the file: refuse them here
        raise ScaffoldError(
            f"{text!r} holds a control character (U+{ord(control.group()):04X}); take it out."
        )
    escaped = re.sub(
        r'["\\\x00-\x1f\x7f]',
        lambda m: {'"': '\\"', "\\": "\\\\"}.get(m.group(), f"\\u{ord(m.group()):04x}"),
        text,
    )
    return f'"{escaped}"'


def _question_toml(question_id: str, title: str, topic: str, kind: str, ex: Example) -> str:
    topic = toml_string(topic)
    return f"""# A question: its parts, their points and kinds.  Every field: {GUIDE}#questiontoml
# (the documentation comes with the command: `generate-exam docs authoring` prints its path)
# The id is the seed key of the question's variants: keep it once exams are built from it.
id = {toml_string(question_id)}
title = {toml_string(title)}
topic = {topic}   # blueprints pick questions by topic: pick = 2, topic = {topic} (#pools)

# What `generate-exam check` enforces for every draw, besides the generic checks (#checks).
[checks]
ranges = {{ b = [-2, 2] }}

# The parts in print order, labelled a, b, c ...; sub-parts [[parts.parts]] i, ii ... (#parts)
[[parts]]
label = "a"
kind = "{kind}"   # (#kinds)
{ex.part}
"""


def _solve_py(title: str, ex: Example) -> str:
    names = ", ".join(sorted({"sampling", *filter(None, ex.imports.split(", "))}))
    imports = f"\nfrom generator.authoring import {names}\n"
    closed = (
        f'''


def closed_form(params: dict[str, Any]) -> dict[str, Any]:
    """Every numeric answer a second way, by formula; generation stops if they differ
    (#closed_form)."""
{ex.closed_form}'''
        if ex.closed_form
        else ""
    )
    math_import = "import math\n" if "math." in ex.closed_form else ""
    return f'''"""{title}: a single neuron (a working example: edit it; see {GUIDE}#solvepy).

sample() draws the parameters from the generator it is given (the only randomness
allowed), solve() computes the answers with the numpy engine, closed_form() computes
every numeric answer a second way.
"""

from __future__ import annotations

{math_import}from typing import Any

import numpy as np
{imports}

def sample(rng: np.random.Generator) -> dict[str, Any]:
    """Numbers a student can work by hand: one decimal each (#sample), redrawn with
    sampling.until until w.x + b is neither 0 nor past 2.5 either way: the output then
    reads clearly to two decimals (0.08 to 0.92), never a number the question prints."""
    return sampling.until(lambda: _draw(rng), _readable)


def _draw(rng: np.random.Generator) -> dict[str, Any]:
    return {{
        "w": (rng.integers(-20, 21, size=2) / 10).tolist(),
        "x": (rng.integers(-20, 21, size=2) / 10).tolist(),
        "b": int(rng.integers(-20, 21)) / 10,
        "units": int(rng.integers(2, 9)),
    }}


def _readable(params: dict[str, Any]) -> bool:
    z = sum(w * x for w, x in zip(params["w"], params["x"], strict=True)) + params["b"]
    return 0 < abs(round(z, 9)) <= 2.5{ex.arrange}


def solve(params: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    """The answer of every part, keyed by label (#solve)."""
{ex.solve}{closed}
'''


def _template(ex: Example) -> str:
    return f"""%# The question's text: one block per part, filled with the parameters of sample()
%# (#questiontexj2).  \\VAR{{name}} prints a value, \\BLOCK{{...}} is a jinja statement.

\\BLOCK{{block stem}}
A neuron has weights $w = (\\VAR{{w[0]}}, \\VAR{{w[1]}})$ and bias $b = \\VAR{{b}}$. It
receives the input $x = (\\VAR{{x[0]}}, \\VAR{{x[1]}})$.
\\BLOCK{{endblock}}

\\BLOCK{{block a}}
{ex.text}
\\BLOCK{{endblock}}
"""
