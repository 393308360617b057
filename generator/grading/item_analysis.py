"""Item analysis of a graded class: how hard each part was, how well it told strong
students from weak ones, what was answered, and which named mistakes were made.

Classical test theory, per part, over the students who sat it:

- difficulty ``p``: the mean share of the part's points earned (1 is easy);
- discrimination: the point-biserial (Pearson) correlation of the part's share with the
  student's total *without that part* (the corrected item-total correlation: with the
  part inside, the total correlates with it by construction), and the upper-lower index
  ``D``: ``p`` of the top 27 % of totals minus ``p`` of the bottom 27 % (Kelley's 27 %);
- the most frequent responses;
- for choice and select-all parts, how many students picked each wrong option, by the
  mistake the key names for it ("23 forgot the bias").

Parts people grade have no scores until graded and are left out of the statistics.
``report.html`` (with plots) and ``report.md`` are written beside ``grades.csv``.
"""

from __future__ import annotations

import base64
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.grading.records import MARKS_ONLY, Graded, GradedPart
from generator.key.records import Key
from generator.pages import page_environment
from generator.run_folder import GradesFolder

UPPER_LOWER = 0.27
TOP_RESPONSES = 5


@dataclass
class PartStats:
    label: str
    kind: str
    points: float
    students: int
    difficulty: float | None
    item_total: float | None  # corrected point-biserial
    upper_lower: float | None
    responses: list[tuple[str, int]]
    mistakes: list[tuple[str, int]]


@dataclass
class Analysis:
    title: str
    students: int
    out_of: float
    mean: float
    sd: float
    totals: list[float]
    parts: list[PartStats]
    misconceptions: dict[str, list[str]] = field(default_factory=dict)  # student -> mistakes


def analyse(key: Key, graded: list[Graded]) -> Analysis:
    """The statistics of every part that has scores, in the exam's order of labels."""
    totals = {g.variant: g.total for g in graded}
    by_label: dict[str, list[tuple[Graded, GradedPart]]] = {}
    for g in graded:
        for part in g.parts:
            by_label.setdefault(part.label, []).append((g, part))
    values = list(totals.values())
    mean = sum(values) / len(values) if values else 0.0
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values)) if values else 0.0
    misconceptions = {
        g.student_id or g.variant: [m for p in g.parts for m in p.mistakes] for g in graded
    }
    return Analysis(
        title=key.exam.title, students=len(graded), out_of=key.exam.points,
        mean=mean, sd=sd, totals=values,
        parts=[_part(label, rows, totals) for label, rows in by_label.items()],
        misconceptions={s: m for s, m in misconceptions.items() if m},
    )  # fmt: skip


def _part(label: str, rows: list[tuple[Graded, GradedPart]],
          totals: dict[str, float]) -> PartStats:  # fmt: skip
    first = rows[0][1]
    scored = [(g, p, p.score) for g, p in rows if p.score is not None]
    shares = [score / p.points if p.points else 0.0 for _, p, score in scored]
    rest = [totals[g.variant] - score for g, _, score in scored]
    listed = [p for _, p in rows if first.kind != MARKS_ONLY]  # marks alone: no responses
    responses = Counter(" ".join(p.response.split()) or "(empty)" for p in listed)
    mistakes = Counter(m for _, p in rows for m in p.mistakes)
    return PartStats(
        label=label, kind=first.kind, points=first.points, students=len(rows),
        difficulty=sum(shares) / len(shares) if shares else None,
        item_total=pearson(shares, rest),
        upper_lower=upper_lower([totals[g.variant] for g, _, _ in scored], shares),
        responses=responses.most_common(TOP_RESPONSES),
        mistakes=mistakes.most_common(),
    )  # fmt: skip


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """The correlation of two lists; None when either does not vary (no information)."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(sxx * syy)


def upper_lower(totals: list[float], shares: list[float]) -> float | None:
    """``p`` of the top 27 % by total minus ``p`` of the bottom 27 % (at least one each)."""
    n = len(totals)
    k = max(1, round(UPPER_LOWER * n))
    if n < 2 * k:
        return None
    ranked = [s for _, s in sorted(zip(totals, shares, strict=True), key=lambda ts: ts[0])]
    return sum(ranked[-k:]) / k - sum(ranked[:k]) / k


def write_report(grades: GradesFolder, analysis: Analysis) -> list[Path]:
    """``report.html`` (plots inline, so the file opens anywhere) and ``report.md``."""
    env = page_environment()
    env.filters["fmt"] = _fmt
    plots = {"totals": _png(_totals_plot, analysis), "parts": _png(_parts_plot, analysis)}
    written = []
    for suffix in (".html", ".md"):
        text = env.get_template(f"analysis{suffix}.j2").render(a=analysis, plots=plots)
        grades.report(suffix).write_text(text, encoding="utf-8")
        written.append(grades.report(suffix))
    return written


def _fmt(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _png(draw: Any, analysis: Analysis) -> str:
    """A plot as a data: URI; the PNG without a creation time, so reruns give equal bytes."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(6, 3), dpi=100)
    draw(axes, analysis)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def _totals_plot(axes: Any, analysis: Analysis) -> None:
    axes.hist(analysis.totals, bins=min(20, max(5, len(analysis.totals) // 2)), color="#4a7")
    axes.set_xlabel(f"total points (of {analysis.out_of:g})")
    axes.set_ylabel("students")
    axes.set_title("Distribution of totals")


def _parts_plot(axes: Any, analysis: Analysis) -> None:
    shown = [p for p in analysis.parts if p.difficulty is not None]
    axes.scatter([p.difficulty for p in shown], [p.item_total or 0 for p in shown], color="#47a")
    for p in shown:
        axes.annotate(p.label, (p.difficulty, p.item_total or 0), fontsize=7)
    axes.axhline(0.2, color="#a44", linewidth=0.8, linestyle="--")
    axes.set_xlabel("difficulty p (share of points earned)")
    axes.set_ylabel("item-rest correlation")
    axes.set_xlim(-0.05, 1.05)
    axes.set_title("Parts: difficulty and discrimination")
