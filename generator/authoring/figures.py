"""Figures drawn from data the engine computed: PDF paths for the exams, PNG for LMS exports.

In the exam the curves are raw PDF path operators (``\\pdfliteral``) inside a
LaTeX ``picture``: typesetting them costs almost nothing, unlike TikZ, which
matters when thousands of exams are built.  The PNG is drawn by matplotlib
from the same numbers.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

from generator.resources import cache_dir
from generator.run_folder import FIGURES

PANEL_WIDTH_BP = 125.0
PANEL_HEIGHT_BP = 85.0
PANEL_GAP_BP = 24.0  # three panels fit a part's line width (431 bp overflowed it)
Y_HEADROOM = 1.05  # a panel's y-axis ends 5 % above its curve's highest point


@dataclass(frozen=True)
class Panel:
    """One small plot: a curve over iterations, with the label printed under it."""

    label: str
    values: tuple[float, ...]

    @property
    def y_max(self) -> float:
        """The top of this panel's y-axis, which starts at 0: each panel is scaled to its own
        curve, so a smooth curve's descent fills its panel instead of lying flat under a
        noisier neighbour's spikes."""
        return max(self.values) * Y_HEADROOM


@dataclass(frozen=True)
class PanelRow:
    """Panels side by side, each on its own y range from 0, e.g. three training-loss curves."""

    name: str
    panels: tuple[Panel, ...]
    xlabel: str = "iteration"
    ylabel: str = "training loss"


def figure_file(variant_id: str, number: int, name: str) -> str:
    """Where a figure's PNG goes, relative to the run's folder (recorded in key.json)."""
    return f"{FIGURES}/{variant_id}-q{number}-{name}.png"


def to_picture(row: PanelRow) -> str:
    """A centred LaTeX ``picture`` (unit 1bp) with one axes-and-curve drawing per panel."""
    width = len(row.panels) * PANEL_WIDTH_BP + (len(row.panels) - 1) * PANEL_GAP_BP
    lines = [
        "\\begin{center}",
        "\\setlength{\\unitlength}{1bp}",
        f"\\begin{{picture}}({width:.0f},{PANEL_HEIGHT_BP + 30:.0f})(0,-22)",
    ]
    for i, panel in enumerate(row.panels):
        x0 = i * (PANEL_WIDTH_BP + PANEL_GAP_BP)
        middle, right, top = x0 + PANEL_WIDTH_BP / 2, x0 + PANEL_WIDTH_BP, PANEL_HEIGHT_BP + 2
        lines += [
            _put(x0, 0, f"\\pdfliteral{{{_path(panel)}}}"),
            _put(middle, -18, f"\\makebox(0,0){{\\textbf{{{panel.label}}}}}"),
            _put(right, -7, f"\\makebox(0,0)[r]{{\\scriptsize {row.xlabel}}}"),
            _put(x0 + 3, top, f"\\makebox(0,0)[bl]{{\\scriptsize {row.ylabel}}}"),
        ]
    lines += ["\\end{picture}", "\\end{center}"]
    return "\n".join(lines)


def _put(x: float, y: float, content: str) -> str:
    return f"\\put({x:.1f},{y:.1f}){{{content}}}"


def _path(panel: Panel) -> str:
    """PDF operators: the two axes, then the curve as one polyline."""
    points = _scaled(panel.values, panel.y_max)
    w, h = PANEL_WIDTH_BP, PANEL_HEIGHT_BP
    axes = f"0.6 w 0 {h:.1f} m 0 0 l {w:.1f} 0 l S"
    curve = " ".join(f"{x:.2f} {y:.2f} {'m' if i == 0 else 'l'}" for i, (x, y) in
                     enumerate(points))  # fmt: skip
    return f"q {axes} 0.5 w {curve} S Q"


def _scaled(values: Sequence[float], y_max: float) -> list[tuple[float, float]]:
    step = PANEL_WIDTH_BP / max(len(values) - 1, 1)
    return [(i * step, PANEL_HEIGHT_BP * v / y_max) for i, v in enumerate(values)]


def write_png(row: PanelRow, path: Path | BinaryIO) -> Path | BinaryIO:
    """The same panels as a PNG (for LMS exports, and PrairieLearn's figures drawn in
    memory), deterministic bytes for the same data.

    One figure per panel layout is drawn once and its curves swapped for each variant
    (building the axes is most of matplotlib's 40 ms a figure); the output depends only
    on the data drawn, never on what was drawn before.
    """
    labels = tuple(panel.label for panel in row.panels)
    fig, lines = _figure(row.xlabel, row.ylabel, labels)
    for line, panel in zip(lines, row.panels, strict=True):
        line.set_data(range(len(panel.values)), panel.values)
        line.axes.set_xlim(0, max(len(panel.values) - 1, 1))
        line.axes.set_ylim(0, panel.y_max)
    fig.savefig(path, format="png", dpi=120, metadata={"Software": None})
    return path


@cache
def _figure(xlabel: str, ylabel: str, labels: tuple[str, ...]) -> tuple[Any, list[Any]]:
    """A figure with one axes per panel label and a curve in each, to be filled in."""
    os.environ.setdefault("MPLCONFIGDIR", str(cache_dir() / "matplotlib"))  # not ~/.config
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3 * len(labels), 2.4))
    axes = fig.subplots(1, len(labels), squeeze=False)[0]  # a y range per panel
    lines = []
    for ax, label in zip(axes, labels, strict=True):
        (line,) = ax.plot([0, 1], [0, 1], linewidth=0.9, color="black")
        ax.set_xlabel(f"{xlabel}\n{label}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
        lines.append(line)
    axes[0].set_ylabel(ylabel, fontsize=9)
    fig.tight_layout()
    return fig, lines


def write_figures(variants: Sequence[Any], folder: Path) -> None:
    """PNG copies of the figures (the PDFs draw them as PDF paths), for LMS exports."""
    for variant in variants:
        for qv in variant.questions:
            for name, figure in qv.figures.items():
                path = folder / figure_file(variant.variant_id, qv.number, name)
                path.parent.mkdir(exist_ok=True)
                write_png(figure, path)
