"""generate-exam check: draw many variants of every question and catch the broken ones.

Crashes are the easy part.  A variant is also broken when a value is not finite,
a size is not a positive integer, two options read the same, the answer is
printed in the stem, the key disagrees with the closed form of the printed
numbers, a printed number was rounded, or a value leaves the range the question
declares doable by hand.  Each finding names the question, the seed that
reproduces it (``generate-exam --public --seed N``) and the invariant.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from generator.authoring import sampling
from generator.bank.questions import Bank, Question, load_bank, printed_part
from generator.errors import ExamError
from generator.kinds import KINDS, table
from generator.kinds.answers import Accept, Answer, Choices, format_number
from generator.processes import start_context, worker_init
from generator.render.latex import render_blocks
from generator.variants.assemble import (
    FIGURES,
    QuestionVariant,
    answer_parts,
    confirm_closed_forms,
    draw_params,
    first_copy,
    run_solver,
    take_steps,
)

CHUNK = 50  # seeds per task sent to a worker process


@dataclass(frozen=True)
class Finding:
    """One broken variant: which question, which seed, which invariant, what exactly."""

    question: str
    seed: int
    invariant: str
    detail: str

    def __str__(self) -> str:
        return f"{self.question} (seed {self.seed}): {self.invariant}: {self.detail}"


@dataclass(frozen=True)
class Draw:
    """What the report needs of one variant (plain data, so it crosses processes)."""

    seed: int
    params: str  # canonical JSON: equal strings mean equal variants
    answers: dict[str, Any]
    kinds: dict[str, str]
    correct: dict[str, list[str]]  # choice-like parts: labels of the correct options
    labels: dict[str, list[str]]  # choice-like parts: every label, in print order
    attempts: list[int]
    steps: dict[str, list[str]] = field(default_factory=dict)  # solve()'s "steps", per part


@dataclass
class QuestionResult:
    question: str
    draws: list[Draw] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)


def check_bank(
    bank_dirs: Sequence[Path],
    question_ids: Sequence[str],
    *,
    variants: int,
    first_seed: int = 0,
    workers: int = 1,
    progress: Callable[[int], None] = lambda done: None,
) -> dict[str, QuestionResult]:
    """Check ``variants`` draws (seeds first_seed, first_seed + 1, ...) of each question."""
    tasks = [
        (qid, start, min(start + CHUNK, first_seed + variants))
        for qid in question_ids
        for start in range(first_seed, first_seed + variants, CHUNK)
    ]
    results = {qid: QuestionResult(qid) for qid in question_ids}
    for qid, draws, findings in _run(tasks, (tuple(bank_dirs), tuple(question_ids)), workers):
        results[qid].draws.extend(draws)
        results[qid].findings.extend(findings)
        progress(len(draws))
    for result in results.values():
        result.draws.sort(key=lambda d: d.seed)
        result.findings.extend(unequal_steps(result.question, result.draws))
        result.findings.sort(key=lambda f: (f.seed, f.invariant))
    return results


def unequal_steps(question: str, draws: Sequence[Draw]) -> list[Finding]:
    """Equal difficulty by construction: every variant of a part needs the same steps.

    A part whose draws declare two different lists of steps (an alternative with one more
    operation, a statement pool drawn with another mix of tiers) is a finding at the first
    seed that differs from the first draw; a part some draws declare and others do not,
    too.
    """
    found = []
    parts = sorted({key for d in draws for key in d.steps})
    for key in parts:
        first = draws[0]
        expected = first.steps.get(key)
        other = next((d for d in draws if d.steps.get(key) != expected), None)
        if other is not None:
            found.append(Finding(
                question, other.seed, "variants differ in steps",
                f"part {printed_part(key)}: seed {first.seed} needs {_steps(expected)}, "
                f"seed {other.seed} needs {_steps(other.steps.get(key))}",
            ))  # fmt: skip
    return found


def _steps(names: list[str] | None) -> str:
    return "no declared steps" if names is None else "(" + ", ".join(names) + ")"


def _run(
    tasks: list[tuple[str, int, int]], bank: BankSpec, workers: int
) -> Iterator[tuple[str, list[Draw], list[Finding]]]:
    if workers <= 1:
        _init(bank)
        yield from map(_check_range, tasks)
        return
    with ProcessPoolExecutor(
        workers, mp_context=start_context(), initializer=_worker, initargs=(bank,)
    ) as pool:
        yield from pool.map(_check_range, tasks)


_BANK: Bank = {}


BankSpec = tuple[tuple[Path, ...], tuple[str, ...]]  # the bank's folders, the ids checked


def _init(bank: BankSpec) -> None:
    """Each worker loads the questions itself (their modules are loaded by path, not
    pickled), only those it checks: a half-written one elsewhere does not stop it."""
    bank_dirs, ids = bank
    _BANK.clear()
    _BANK.update(load_bank(bank_dirs, only=set(ids)))


def _worker(bank: BankSpec) -> None:
    worker_init()
    _init(bank)


def _check_range(task: tuple[str, int, int]) -> tuple[str, list[Draw], list[Finding]]:
    qid, start, stop = task
    draws, findings = [], []
    for seed in range(start, stop):
        draw, found = check_variant(_BANK[qid], seed)
        findings.extend(found)
        if draw is not None:
            draws.append(draw)
    return qid, draws, findings


def check_variant(question: Question, seed: int) -> tuple[Draw | None, list[Finding]]:
    """Every invariant for the variant that ``generate-exam --public --seed {seed}`` prints."""
    found: list[Finding] = []

    def report(invariant: str, detail: str) -> None:
        found.append(Finding(question.id, seed, invariant, detail))

    seeding, copy = first_copy(seed)
    where = f"question '{question.id}' (seed {seed}, variant {copy})"
    try:
        with sampling.counting() as attempts:  # solve() may redraw too (Q3's curves)
            params = draw_params(question, seeding, copy)
            raw = run_solver(question, params, seeding, copy)
    except Exception as exc:  # a crash is a finding, not the end of the check
        report("raises", _reason(exc))
        return None, found
    figures = raw.pop(FIGURES, {})
    try:
        steps = take_steps(question, raw, where)
    except ExamError as exc:
        report("steps not declared right", _reason(exc))
        return None, found
    for path, value in _non_finite(params):
        report("value is not finite", f"parameter {path} = {value}")
    for key, answer in raw.items():
        for path, value in _non_finite(answer, printed_part(key)):
            report("value is not finite", f"answer of part {path} = {value}")
    for problem in _size_problems(question, params):
        report("size is not a positive integer", problem)
    for problem in _duplicate_options(raw):
        report("options read the same", problem)
    if found:
        return None, found
    try:
        answers = answer_parts(question, raw, where)
        confirm_closed_forms(question, params, answers, where)
    except ExamError as exc:
        report("key differs from the closed form", _reason(exc))
        return None, found
    try:
        text = printed_text(QuestionVariant(1, question, params, answers, figures))
    except Exception as exc:
        report("raises", f"rendering the template failed ({type(exc).__name__}: {exc})")
        return None, found
    for problem in _answers_in_stem(question, answers, text):
        report("answer printed in the stem", problem)
    for problem in _rounded_in_print(params, text):
        report("number rounded in print", problem)
    for problem in _out_of_range(question, params, answers):
        report("value outside the declared range", problem)
    return _draw(seed, params, answers, attempts, steps), found


def _reason(exc: BaseException) -> str:
    text = str(exc)
    cause = exc.__cause__
    if cause is not None and str(cause) not in text:
        text += f" ({type(cause).__name__}: {cause})"
    return text


def _draw(
    seed: int,
    params: dict,
    answers: dict[str, Answer],
    attempts: list[int],
    steps: dict[str, tuple[str, ...]],
) -> Draw:
    choice_like = {k: a for k, a in answers.items() if KINDS[a.kind].choices}
    return Draw(
        seed=seed,
        params=json.dumps(params, sort_keys=True),
        answers={key: a.value for key, a in answers.items()},
        kinds={key: a.kind for key, a in answers.items()},
        correct={key: _correct_labels(a) for key, a in choice_like.items()},
        labels={key: _all_labels(a) for key, a in choice_like.items()},
        attempts=list(attempts),
        steps={key: list(names) for key, names in steps.items()},
    )


def _correct_labels(answer: Answer) -> list[str]:
    """Where the correct options are printed; for matching, where the first option is."""
    if KINDS[answer.kind].pairs:
        first = answer.details["options"][0]["text"]
        return [item for item, option in answer.value.items() if option == first]
    return [o["label"] for o in answer.details["options"] if o["correct"]]


def _all_labels(answer: Answer) -> list[str]:
    if KINDS[answer.kind].pairs:
        return list(answer.value)
    return [o["label"] for o in answer.details["options"]]


def printed_text(qv: QuestionVariant) -> str:
    """What a student reads of the question: stem and parts, options, no solutions."""
    blocks = render_blocks(qv)
    parts = [text for name, text in blocks.items() if not name.endswith("_solution")]
    for answer in qv.answers.values():
        parts += [o["text"] for o in answer.details.get("options", [])]
    return "\n".join(parts)


# ------------------------------------------------------------------ invariants


def _numbers(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every number inside a parameter or a raw answer, with where it sits."""
    if isinstance(value, Accept):
        yield from _numbers(value.value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            yield from _numbers(item, f"{path}[{i}]")
    elif isinstance(value, np.ndarray) and value.dtype.kind in "fc":
        for i, item in enumerate(value.ravel().tolist()):
            yield f"{path}[{i}]", item
    elif isinstance(value, float | np.floating):
        yield path, float(value)


def _non_finite(value: Any, path: str = "") -> Iterator[tuple[str, float]]:
    return ((where, v) for where, v in _numbers(value, path) if not math.isfinite(v))


def _lookup(params: dict, path: str) -> Any:
    value: Any = params
    for key in path.split("."):
        if not isinstance(value, dict) or key not in value:
            raise KeyError(path)
        value = value[key]
    return value


def _flat(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [v for item in value.values() for v in _flat(item)]
    if isinstance(value, list | tuple):
        return [v for item in value for v in _flat(item)]
    return [value]


def _size_problems(question: Question, params: dict) -> Iterator[str]:
    for path in question.limits.sizes:
        try:
            values = _flat(_lookup(params, path))
        except KeyError:
            yield f"[checks] sizes names '{path}', which is not a parameter"
            continue
        for v in values:
            if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
                yield f"parameter {path} = {v!r}"


def _printed_option(text: str) -> str:
    """Options compare as printed: case, spacing and LaTeX spacing commands do not count."""
    text = re.sub(r"\\[,;!: ]|~", " ", text)
    return re.sub(r"\s+", " ", text).strip().lower()


def _duplicate_options(raw: dict[str, Any]) -> Iterator[str]:
    for key, value in raw.items():
        if not isinstance(value, Choices):
            continue
        seen: dict[str, int] = {}
        for i, option in enumerate(value.options):
            printed = _printed_option(option.text)
            if printed in seen:
                first = value.options[seen[printed]]
                kind = (
                    "a distractor equals the answer"
                    if first.correct != option.correct
                    else ("two options are the same")
                )
                yield f"part {printed_part(key)}: {kind}: '{option.text}'"
            seen.setdefault(printed, i)


def _shape_forms(values: list[int]) -> list[str]:
    return [r"\s*\\times\s*".join(str(v) for v in values)]


def _vector_forms(values: list[float]) -> list[str]:
    return [r"\s*(?:,|&|\\\\)\s*".join(re.escape(format_number(v)) for v in values)]


def _integer_forms(value: int) -> list[str]:
    if abs(value) < 10:
        return []  # one-digit numbers appear in every stem; they say nothing
    return [re.escape(format_number(value))]


def _no_forms(value: Any) -> list[str]:
    return []  # not a number: the stem check does not look for it


# Regular expressions matching the ways an answer could be printed in LaTeX.
PRINTED_FORMS: dict[str, Callable[[Any], list[str]]] = table(__name__, {
    "integer": _integer_forms, "number": lambda value: [re.escape(format_number(value))],
    "vector": _vector_forms, "shape": _shape_forms, "expression": _no_forms,
    "choice": _no_forms, "multi": _no_forms, "matching": _no_forms, "text": _no_forms,
    "code": _no_forms,
})  # fmt: skip


def _answers_in_stem(question: Question, answers: dict[str, Answer], text: str) -> Iterator[str]:
    for leaf in question.leaves():
        answer = answers[leaf.key]
        if leaf.answer_in_stem or not KINDS[answer.kind].numeric:
            continue
        for form in PRINTED_FORMS[answer.kind](answer.value):
            match = re.search(rf"(?<![\d.]){form}(?![\d]|\.\d)", text)
            if match:
                yield (
                    f"part {printed_part(leaf.key)}: its answer {answer.value} is printed as "
                    f"'{match[0]}'"
                )


def _rounded_in_print(params: dict, text: str) -> Iterator[str]:
    """A float parameter printed with fewer decimals than the key used."""
    for path, value in _numbers(params):
        if float(value).is_integer() or _appears(format_number(value), text):
            continue
        for digits in range(1, 5):
            shown = f"{value:.{digits}f}"
            if float(shown) != value and _appears(shown, text):
                yield f"parameter {path} = {format_number(value)} is printed as {shown}"
                break


def _appears(number: str, text: str) -> bool:
    """``number`` printed in ``text`` as a whole number (0.9 also as 0.90)."""
    zeros = "0*" if "." in number else ""
    return re.search(rf"(?<![\d.]){re.escape(number)}{zeros}(?![\d]|\.\d)", text) is not None


def _out_of_range(question: Question, params: dict, answers: dict[str, Answer]) -> Iterator[str]:
    for path, low, high in question.limits.ranges:
        try:
            if path.startswith("answer."):
                value = answers[path.removeprefix("answer.")].value
            else:
                value = _lookup(params, path)
        except KeyError:
            yield f"[checks] ranges names '{path}', which is neither a parameter nor answer.<part>"
            continue
        for v in _flat(value):
            if not low <= v <= high:
                yield f"{path} = {v} is outside [{format_number(low)}, {format_number(high)}]"


def all_findings(results: Iterable[QuestionResult]) -> list[Finding]:
    return [f for result in results for f in result.findings]
