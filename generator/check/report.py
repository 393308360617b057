"""Variant statistics for ``generate-exam check --report``: one section per question.

How many distinct variants the bank produces, how often a draw is rejected, where
the correct option lands (position bias), the range of every answer, and how
alike the two most similar variants of a class are.
"""

from __future__ import annotations

import itertools
import json
import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.bank.questions import printed_part
from generator.check.copies import CopyStats
from generator.check.stress import Draw, QuestionResult
from generator.kinds import KINDS
from generator.kinds.answers import display_number
from generator.pages import page_environment

# Chi-square critical values at p = 0.001 by degrees of freedom: a position count this
# far from uniform happens by chance once in a thousand checks.
CHI2_CRITICAL = {1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47, 5: 20.52, 6: 22.46, 7: 24.32}

# Draws all distinct: a bank of K variants or fewer would show two alike with
# probability above 1 - NO_COLLISION_LEVEL (see distinct_lower_bound).
NO_COLLISION_LEVEL = 0.05


@dataclass(frozen=True)
class Positions:
    part: str  # key, e.g. ``e.i``
    counts: dict[str, int]
    chi2: float
    biased: bool

    @property
    def label(self) -> str:
        """As the exam prints the part, e.g. ``(e)(i)``."""
        return printed_part(self.part)


@dataclass(frozen=True)
class AnswerRange:
    part: str  # key, e.g. ``e.i``
    kind: str
    low: str
    high: str
    distinct: int

    @property
    def label(self) -> str:
        """As the exam prints the part, e.g. ``(e)(i)``."""
        return printed_part(self.part)


@dataclass(frozen=True)
class Estimate:
    """How many distinct variants the bank can produce, as far as the draws tell.

    ``lower_bound``: no two draws were alike, and ``value`` is the bound of
    :func:`distinct_lower_bound` ("more than"); otherwise ``value`` is the Chao1 point
    estimate ("about").
    """

    value: int
    lower_bound: bool
    draws: int

    def __str__(self) -> str:
        if not self.draws:
            return "none (no draw without a fault)"
        if self.lower_bound:
            return f"more than {_round_down(self.value):,} (no two of {self.draws} draws alike)"
        return f"about {_round_near(self.value):,} (Chao1)"


@dataclass(frozen=True)
class Closest:
    """The most alike pair of a class: answers and parameters they have in common."""

    class_size: int
    shared: int
    of: int
    seeds: tuple[int, int]
    shared_params: int
    of_params: int


@dataclass(frozen=True)
class StepProfile:
    """What a part's variants need, as solve() declares it (equal difficulty)."""

    part: str  # key, e.g. ``b``
    steps: tuple[str, ...]  # the first draw's
    profiles: int  # how many different lists of steps the draws declare: 1 is equal

    @property
    def label(self) -> str:
        """As the exam prints the part, e.g. ``(e)(i)``."""
        return printed_part(self.part)


@dataclass(frozen=True)
class QuestionStats:
    question: str
    draws: int
    findings: int
    distinct: int
    estimated: Estimate
    rejection_rate: float
    positions: list[Positions]
    ranges: list[AnswerRange]
    closest: Closest | None
    steps: list[StepProfile]


def question_stats(result: QuestionResult, class_size: int) -> QuestionStats:
    draws = result.draws
    attempts = [a for d in draws for a in d.attempts]
    tried = sum(attempts)
    return QuestionStats(
        question=result.question,
        draws=len(draws),
        findings=len(result.findings),
        distinct=len({d.params for d in draws}),
        estimated=estimate(Counter(d.params for d in draws)),
        rejection_rate=(tried - len(attempts)) / tried if tried else 0.0,
        positions=_positions(draws),
        ranges=_ranges(draws),
        closest=_closest(draws[:class_size]) if len(draws) >= 2 else None,
        steps=_step_profiles(draws),
    )


def _step_profiles(draws: list[Draw]) -> list[StepProfile]:
    """Each part with declared steps: the first draw's, and how many different lists."""
    parts = sorted({key for d in draws for key in d.steps})
    return [
        StepProfile(
            key,
            tuple(draws[0].steps.get(key, ())),
            len({tuple(d.steps.get(key, ())) for d in draws}),
        )
        for key in parts
    ]


def estimate(counts: Counter[str]) -> Estimate:
    """Chao1 when some variant was drawn twice or more; a lower bound when none was."""
    draws = sum(counts.values())
    if all(c == 1 for c in counts.values()):
        return Estimate(distinct_lower_bound(draws), lower_bound=True, draws=draws)
    return Estimate(chao1(counts), lower_bound=False, draws=draws)


def chao1(counts: Counter[str]) -> int:
    """Chao1 estimate of the number of distinct variants, from the variants seen once (f1)
    and twice (f2): S_obs + f1^2 / (2 f2), or S_obs + f1 (f1 - 1) / 2 when f2 = 0.

    When no variant was seen twice or more (f1 = S_obs = draws n) this is
    n + n (n - 1) / 2, a number that says nothing about the bank (500500 for 1000
    draws): :func:`estimate` reports :func:`distinct_lower_bound` instead.
    """
    observed = len(counts)
    once = sum(1 for c in counts.values() if c == 1)
    twice = sum(1 for c in counts.values() if c == 2)
    if twice:
        return round(observed + once * once / (2 * twice))
    return round(observed + once * (once - 1) / 2)


def distinct_lower_bound(draws: int) -> int:
    """The most variants a bank can have and still be ruled out by ``draws`` distinct draws.

    The birthday argument: with K equally likely variants, n draws are all distinct with
    probability prod_{i<n} (1 - i/K) < exp(-n (n - 1) / (2 K)).  Below
    N = n (n - 1) / (2 ln(1 / NO_COLLISION_LEVEL)) that is under 5 %, so every K <= N is
    rejected at the 95 % level and the report says "more than N" (exp overstates the
    product, so N errs low: by 0.2 % for 1000 draws).  Unequal chances only
    make a repeat likelier (the probability of n distinct draws is largest for the uniform
    distribution), so the bound holds for any bank of K variants, however unevenly the
    samplers pick them.  It is never below n - 1: n distinct variants were seen.  (For
    1000 draws N = 166,737, where the degenerate Chao1 gives 500,500.)
    """
    if draws < 1:
        return 0
    bound = math.floor(draws * (draws - 1) / (2 * math.log(1 / NO_COLLISION_LEVEL)))
    return max(bound, draws - 1)


def _round_down(value: int) -> int:
    """Two significant digits, rounded down: a lower bound stays a lower bound."""
    step = 10 ** max(len(str(value)) - 2, 0)
    return value // step * step


def _round_near(value: int) -> int:
    """Two significant digits: a point estimate this rough has no more."""
    step = 10 ** max(len(str(value)) - 2, 0)
    return round(value / step) * step


def _positions(draws: list[Draw]) -> list[Positions]:
    """Where the correct options land, with a chi-square test against uniform positions."""
    if not draws:
        return []
    out = []
    for part in sorted(draws[0].correct):
        counts = Counter(label for d in draws for label in d.correct.get(part, []))
        labels = list(dict.fromkeys(lab for d in draws for lab in d.labels.get(part, [])))
        total = sum(counts.values())
        expected = total / len(labels) if labels else 0
        chi2 = sum((counts[lab] - expected) ** 2 / expected for lab in labels) if expected else 0
        critical = CHI2_CRITICAL.get(len(labels) - 1, float("inf"))
        out.append(Positions(part, {lab: counts[lab] for lab in labels}, chi2, chi2 > critical))
    return out


def _ranges(draws: list[Draw]) -> list[AnswerRange]:
    if not draws:
        return []
    out = []
    for part, kind in draws[0].kinds.items():
        values = [d.answers[part] for d in draws]
        distinct = len({json.dumps(v, sort_keys=True) for v in values})
        if KINDS[kind].numeric:
            flat = [x for v in values for x in (v if isinstance(v, list) else [v])]
            low, high = display_number(min(flat)), display_number(max(flat))
        else:
            low = high = ""
        out.append(AnswerRange(part, kind, low, high, distinct))
    return out


def _closest(draws: list[Draw]) -> Closest:
    """The pair of a class with the most identical answers (free-text parts left out)."""
    parts = [p for p, k in draws[0].kinds.items() if k != "text"]

    def shared(pair: tuple[Draw, Draw]) -> tuple[int, int]:
        a, b = pair
        same_params = sum(x == y for x, y in zip(_leaves(a), _leaves(b), strict=True))
        return sum(a.answers[p] == b.answers[p] for p in parts), same_params

    best = max(itertools.combinations(draws, 2), key=shared)
    answers, params = shared(best)
    return Closest(
        len(draws), answers, len(parts), (best[0].seed, best[1].seed), params, len(_leaves(best[0]))
    )


def _leaves(draw: Draw) -> list[Any]:
    """The variant's parameters as a flat list of values (same order for every draw)."""

    def walk(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [v for key in sorted(value) for v in walk(value[key])]
        return [json.dumps(value)]

    return walk(json.loads(draw.params))


def render_report(
    results: dict[str, QuestionResult],
    *,
    variants: int,
    class_size: int,
    path: Path,
    copies: ExamCopies | None = None,
) -> str:
    """Markdown, or HTML when ``path`` ends in .html; ``copies``: how alike the copies of
    a blueprint's class are, reported first."""
    stats = [question_stats(r, class_size) for r in results.values()]
    html = path.suffix.lower() in (".html", ".htm")
    template = page_environment().get_template("report.html.j2" if html else "report.md.j2")
    return template.render(stats=stats, variants=variants, class_size=class_size, copies=copies)


@dataclass(frozen=True)
class ExamCopies:
    """The copy figures of one blueprint's class (check/copies.py)."""

    blueprint: str
    seed: int
    stats: CopyStats
