"""Figures drawn from data the engine computed: TikZ for the PDFs, PNG for LMS exports.

The PDF gets TikZ code typeset with the exam (vector, no files, nothing to keep in
sync); the PNG is drawn by matplotlib from the same numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PANEL_WIDTH_CM = 4.4
PANEL_HEIGHT_CM = 3.0


@dataclass(frozen=True)
class Panel:
    """One small plot: a curve over iterations, with the label printed under it."""

    label: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class PanelRow:
    """Panels side by side on a common y range, e.g. three training-loss curves A, B, C."""

    name: str
    panels: tuple[Panel, ...]
    xlabel: str = "iteration"
    ylabel: str = "training loss"

    @property
    def y_max(self) -> float:
        return max(max(p.values) for p in self.panels) * 1.05


def to_tikz(row: PanelRow) -> str:
    """TikZ pictures, one per panel, in a centred row."""
    pictures = [_panel_tikz(panel, row) for panel in row.panels]
    return "\\begin{center}\n" + "\n\\hfill\n".join(pictures) + "\n\\end{center}"


def _panel_tikz(panel: Panel, row: PanelRow) -> str:
    points = _scaled(panel.values, row.y_max)
    coordinates = " ".join(f"({x:.2f},{y:.2f})" for x, y in points)
    w, h = PANEL_WIDTH_CM, PANEL_HEIGHT_CM
    return "\n".join([
        "\\begin{tikzpicture}",
        f"\\draw[->] (0,0) -- ({w + 0.2:.2f},0) node[below left, font=\\scriptsize] "
        f"{{{row.xlabel}}};",
        f"\\draw[->] (0,0) -- (0,{h + 0.2:.2f}) node[above right, font=\\scriptsize] "
        f"{{{row.ylabel}}};",
        f"\\draw[thin] plot coordinates {{{coordinates}}};",
        f"\\node[below, font=\\bfseries] at ({w / 2:.2f},-0.2) {{{panel.label}}};",
        "\\end{tikzpicture}",
    ])  # fmt: skip


def _scaled(values: Sequence[float], y_max: float) -> list[tuple[float, float]]:
    step = PANEL_WIDTH_CM / max(len(values) - 1, 1)
    return [(i * step, PANEL_HEIGHT_CM * v / y_max) for i, v in enumerate(values)]


def write_png(row: PanelRow, path: Path) -> Path:
    """The same panels as a PNG (for LMS exports), deterministic bytes for the same data."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, axes = plt.subplots(1, len(row.panels), figsize=(3 * len(row.panels), 2.4), sharey=True)
    for ax, panel in zip(axes, row.panels, strict=True):
        ax.plot(range(len(panel.values)), panel.values, linewidth=0.9, color="black")
        ax.set_ylim(0, row.y_max)
        ax.set_xlabel(f"{row.xlabel}\n{panel.label}", fontsize=9)
        ax.set_xticks([])
        ax.set_yticks([])
    axes[0].set_ylabel(row.ylabel, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)
    return path
