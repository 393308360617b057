"""build_exam(): blueprint -> variants -> answered parts.  Pure: no files, no printing.

Each question of each variant draws its parameters from its own keyed stream
(see :mod:`generator.variants.seeding`) and is solved by the numpy engine; the result is
the in-memory key from which the LaTeX, the JSON key and LMS files derive.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from generator.authoring.self_checks import recording, same_answer
from generator.bank.blueprints import Blueprint
from generator.bank.questions import Bank, Question, author_line, describe, printed_part
from generator.errors import AnswerError, BankError
from generator.kinds import KINDS, make_answer
from generator.kinds.answers import Answer, AnswerSpec
from generator.variants.draws import draw_questions
from generator.variants.roster import Assignment
from generator.variants.seeding import PUBLIC, Seeding

# Key of solve()'s result that holds figures (computed data drawn into the exam), not answers.
FIGURES = "figures"
# solve()'s entry naming, per part, what a student must do for the variant drawn: every
# variant of a part must need the same steps (``generate-exam check`` compares them).
STEPS = "steps"


@dataclass(frozen=True)
class QuestionVariant:
    """One question with its drawn parameters and the answer of every leaf part."""

    number: int
    question: Question
    params: dict[str, Any]
    answers: dict[str, Answer]
    figures: dict[str, Any] = field(default_factory=dict)
    checks: tuple[str, ...] = ()  # the solver's self-checks that held
    confirmed: frozenset[str] = frozenset()  # parts whose answer equals the closed form
    where: str = field(default="", compare=False)  # names the question, seed and copy
    # Rendered template blocks, filled on first use: the exam, the solutions and the key
    # all need them, and a variant never changes.
    rendered: dict[str, str] = field(default_factory=dict, compare=False, repr=False)


@dataclass(frozen=True)
class PoolPick:
    """Which of a variant pool's copies a student's question comes from (builds/pool.py):
    its index in the pool and its code, the key of the streams it was drawn from."""

    index: int
    variant: str


@dataclass(frozen=True)
class Variant:
    """One copy of the exam: whose it is, and its questions (with ``picks``, one per
    question, when they come from a variant pool)."""

    assignment: Assignment
    questions: tuple[QuestionVariant, ...]
    picks: tuple[PoolPick, ...] = ()

    @property
    def variant_id(self) -> str:
        return self.assignment.variant_id


@dataclass(frozen=True)
class Exam:
    blueprint: Blueprint
    seeding: Seeding
    replica: bool
    variants: tuple[Variant, ...]

    @property
    def seed(self) -> int:
        return self.seeding.seed

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(qv.question for qv in self.variants[0].questions)

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def bonus_points(self) -> float:
        return sum(q.bonus_points for q in self.questions)


def build_exam(
    blueprint: Blueprint,
    bank: Bank,
    seeding: Seeding,
    *,
    assignments: Sequence[Assignment] | None = None,
    replica: bool = False,
) -> Exam:
    """Draw and solve every question of ``blueprint`` for every assignment (copy); by
    default the one copy ``generate-exam --seed N`` builds (v0)."""
    if assignments is None:
        assignments = [Assignment(seeding.copy_code(0), 0)]
    return Exam(
        blueprint=blueprint,
        seeding=seeding,
        replica=replica,
        variants=tuple(
            build_variant(blueprint, bank, seeding, a, replica=replica) for a in assignments
        ),
    )


def build_variant(
    blueprint: Blueprint,
    bank: Bank,
    seeding: Seeding,
    assignment: Assignment,
    *,
    replica: bool = False,
) -> Variant:
    ids = draw_questions(blueprint, seeding, assignment.variant_id)
    questions = tuple(
        realise(bank[qid], number, seeding, assignment.variant_id, replica=replica)
        for number, qid in enumerate(ids, start=1)
    )
    return Variant(assignment, questions)


def first_copy(seed: int) -> tuple[Seeding, str]:
    """The public seeding of ``seed`` and its copy v0: what ``generate-exam --public --seed
    N`` prints, and what ``generate-exam check`` draws."""
    seeding = Seeding(seed, PUBLIC)
    return seeding, seeding.copy_code(0)


def realise(
    question: Question, number: int, seeding: Seeding, variant: str, *, replica: bool = False
) -> QuestionVariant:
    """Parameters and answers of one question in one variant, every answer checked twice."""
    where = _where(question, seeding, variant)
    params = draw_params(question, seeding, variant, replica=replica)
    with recording() as passed:
        raw = run_solver(question, params, seeding, variant)
        figures = raw.pop(FIGURES, {})
        take_steps(question, raw, where)
        answers = answer_parts(question, raw, where)
        confirmed = confirm_closed_forms(question, params, answers, where)
    return QuestionVariant(
        number, question, params, answers, figures, tuple(passed), frozenset(confirmed), where
    )


def _where(question: Question, seeding: Seeding, variant: str) -> str:
    return f"question '{question.id}' (seed {seeding.seed}, variant {variant})"


def draw_params(
    question: Question, seeding: Seeding, variant: str, *, replica: bool = False
) -> dict[str, Any]:
    """The variant's parameters (or the original exam's), as plain JSON values."""
    where = _where(question, seeding, variant)
    if replica:
        if question.replica is None:
            raise BankError(f"{question.folder}/solve.py: no REPLICA parameters; define them.")
        params = dict(question.replica)
    else:
        params = call_author(question, where, "sample", seeding.rng(question.id, variant))
        if question.arrange is not None:  # option orders: their own stream, see seeding.py
            rng = seeding.rng(question.id, variant, "choices")
            params = call_author(question, where, "arrange", params, rng)
    try:
        return jsonable(params)
    except TypeError as exc:
        raise BankError(
            f"{where}: sample() returned {exc}; use numbers, strings and lists."
        ) from exc


def run_solver(question: Question, params: dict[str, Any], seeding: Seeding, variant: str) -> dict:
    """solve()'s raw result; a failure names the question and the seed."""
    rng = seeding.rng(question.id, variant, "checks")
    return call_author(question, _where(question, seeding, variant), "solve", params, rng)


def call_author(question: Question, where: str, function: str, *args: Any) -> Any:
    """Run one of the question's own functions (``sample``, ``solve``, ...): whatever goes
    wrong in it, an exception or even ``sys.exit()``, becomes one sentence that names the
    question, the seed, and the author's line."""
    try:
        return dict(getattr(question, function)(*args))
    except (Exception, SystemExit) as exc:
        raise BankError(
            f"{where}: {function}() failed{author_line(question.folder, exc)} ({describe(exc)}); "
            "fix the question."
        ) from exc


def confirm_closed_forms(
    question: Question, params: dict[str, Any], answers: dict[str, Answer], where: str
) -> list[str]:
    """Compare every numeric answer with the question's closed form (a second computation)."""
    expected = call_author(question, where, "closed_form", params) if question.closed_form else {}
    for key, answer in answers.items():
        if KINDS[answer.kind].numeric and key not in expected:
            raise BankError(
                f"{where}: part {printed_part(key)} is numeric but closed_form() does not give it."
            )
    for key, value in expected.items():
        if key not in answers:
            raise BankError(
                f"{where}: closed_form() gives part {printed_part(key)}, which does not exist."
            )
        value = _as_answered(answers[key], value)
        if not same_answer(answers[key].value, jsonable(value)):
            raise BankError(
                f"{where}, part {printed_part(key)}: the engine gives {answers[key].value} but the "
                f"closed form gives {jsonable(value)}."
            )
    return sorted(expected)


def _as_answered(answer: Answer, value: Any) -> Any:
    """A closed form's matrix, row by row as the key holds it (its shape must match)."""
    grid = answer.details.get("grid")
    if grid is None:
        return value
    matrix = np.asarray(value)
    return matrix.ravel().tolist() if list(matrix.shape) == grid else value


def answer_parts(question: Question, raw: Mapping[str, Any], where: str) -> dict[str, Answer]:
    leaves = {leaf.key: leaf for leaf in question.leaves()}
    extra = set(raw) - set(leaves)
    missing = [key for key, leaf in leaves.items()
               if key not in raw and not _answered_in_toml(leaf.answer)]  # fmt: skip
    if missing or extra:
        raise AnswerError(
            f"{where}: solve() must answer parts {sorted(missing)} and not {sorted(extra)}."
        )
    answers = {}
    for key, leaf in leaves.items():
        try:
            answers[key] = make_answer(leaf.answer, raw.get(key), leaf.points)
        except (ValueError, TypeError) as exc:  # TypeError: a value of another kind's type
            raise AnswerError(
                f"{where}, part {printed_part(key)}: {exc} (its kind is {leaf.answer.kind})."
            ) from exc
    return answers


def take_steps(question: Question, raw: dict[str, Any], where: str) -> dict[str, tuple[str, ...]]:
    """solve()'s ``steps`` entry, taken out of its answers: per part key, the names of what
    a student must do for the variant drawn (equal difficulty: see check/stress.py)."""
    steps = raw.pop(STEPS, {})
    leaves = {leaf.key for leaf in question.leaves()}
    if not isinstance(steps, Mapping) or not all(
        key in leaves and isinstance(names, list | tuple) and names
        and all(isinstance(n, str) and n for n in names)
        for key, names in steps.items()
    ):  # fmt: skip
        raise AnswerError(
            f"{where}: solve()'s 'steps' must map part keys ({', '.join(sorted(leaves))}) to "
            "tuples of step names, like {'b': ('output size', 'padding')}."
        )
    return {key: tuple(names) for key, names in steps.items()}


def _answered_in_toml(spec: AnswerSpec) -> bool:
    """A text part's model answer may be written in question.toml; when the part's question
    is drawn (alternatives), solve() gives it instead."""
    return KINDS[spec.kind].model_answer and bool(spec.model_answer)


def jsonable(value: Any) -> Any:
    """Plain JSON types for parameters, so the key and the templates see the same values."""
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return jsonable(value.tolist())
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"parameter value {value!r} is not JSON-compatible")
