"""Variant statistics for ``generate-exam check --report``: one section per question.

How many distinct variants the bank produces, how often a draw is rejected, where
the correct option lands (position bias), the range of every answer, and how
alike the two most similar variants of a class are.
"""

from __future__ import annotations

import itertools
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .answers import display_number
from .check import Draw, QuestionResult
from .kinds import KINDS
from .resources import templates_dir

# Chi-square critical values at p = 0.001 by degrees of freedom: a position count this
# far from uniform happens by chance once in a thousand checks.
CHI2_CRITICAL = {1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47, 5: 20.52, 6: 22.46, 7: 24.32}


@dataclass(frozen=True)
class Positions:
    part: str
    counts: dict[str, int]
    chi2: float
    biased: bool


@dataclass(frozen=True)
class AnswerRange:
    part: str
    kind: str
    low: str
    high: str
    distinct: int


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
class QuestionStats:
    question: str
    draws: int
    findings: int
    distinct: int
    estimated: int
    rejection_rate: float
    positions: list[Positions]
    ranges: list[AnswerRange]
    closest: Closest | None


def question_stats(result: QuestionResult, class_size: int) -> QuestionStats:
    draws = result.draws
    attempts = [a for d in draws for a in d.attempts]
    tried = sum(attempts)
    return QuestionStats(
        question=result.question,
        draws=len(draws),
        findings=len(result.findings),
        distinct=len({d.params for d in draws}),
        estimated=chao1(Counter(d.params for d in draws)),
        rejection_rate=(tried - len(attempts)) / tried if tried else 0.0,
        positions=_positions(draws),
        ranges=_ranges(draws),
        closest=_closest(draws[:class_size]) if len(draws) >= 2 else None,
    )


def chao1(counts: Counter[str]) -> int:
    """Estimated number of distinct variants, from how many were seen once and twice."""
    observed = len(counts)
    once = sum(1 for c in counts.values() if c == 1)
    twice = sum(1 for c in counts.values() if c == 2)
    if twice:
        return round(observed + once * once / (2 * twice))
    return round(observed + once * (once - 1) / 2)


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
    results: dict[str, QuestionResult], *, variants: int, class_size: int, path: Path
) -> str:
    """Markdown, or HTML when ``path`` ends in .html."""
    stats = [question_stats(r, class_size) for r in results.values()]
    html = path.suffix.lower() in (".html", ".htm")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    template = env.get_template("report.html.j2" if html else "report.md.j2")
    return template.render(stats=stats, variants=variants, class_size=class_size)
