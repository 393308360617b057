"""Compile LaTeX to PDF with TeX Live's pdflatex: never with shell-escape, never with latexmk.

The exam class needs a second pass for its points table and page count, so a
document is re-run while its ``.aux`` file keeps changing (at most three runs).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from .errors import LatexError, TexNotFoundError

ENGINE = "pdflatex"
REQUIRED_CLASSES = ("exam.cls",)
MAX_RUNS = 3
TIMEOUT_SECONDS = 120
INSTALL_HINT = (
    "apt-get install texlive-latex-base texlive-latex-recommended texlive-latex-extra "
    "texlive-fonts-recommended"
)


def check_tex() -> str:
    """The pdflatex executable, or a clear error saying how to install TeX Live."""
    engine = shutil.which(ENGINE)
    if engine is None:
        raise TexNotFoundError(
            f"{ENGINE} was not found on PATH; install TeX Live ({INSTALL_HINT}) "
            "or pass --no-pdf to write only the .tex and key files."
        )
    kpsewhich = shutil.which("kpsewhich")
    for name in REQUIRED_CLASSES if kpsewhich else ():
        found = subprocess.run([kpsewhich, name], capture_output=True, text=True, check=False)
        if not found.stdout.strip():
            raise TexNotFoundError(
                f"the LaTeX file {name} is missing from your TeX installation; "
                f"install it ({INSTALL_HINT}) or pass --no-pdf."
            )
    return engine


def compile_pdf(tex: Path, engine: str = ENGINE) -> Path:
    """Compile ``tex`` in its own folder; return the PDF path."""
    aux = tex.with_suffix(".aux")
    previous = None
    for _ in range(MAX_RUNS):
        _run(engine, tex)
        current = aux.read_bytes() if aux.exists() else b""
        if current == previous:
            break
        previous = current
    return tex.with_suffix(".pdf")


def compile_all(texs: Iterable[Path], engine: str = ENGINE, workers: int = 2) -> list[Path]:
    """Compile several documents in parallel (one pdflatex process each)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda tex: compile_pdf(tex, engine), texs))


def _run(engine: str, tex: Path) -> None:
    command = [
        engine,
        "-no-shell-escape",
        "-interaction=nonstopmode",
        "-halt-on-error",
        "-file-line-error",
        tex.name,
    ]
    try:
        result = subprocess.run(
            command,
            cwd=tex.parent,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LatexError(
            f"{tex.name}: pdflatex took over {TIMEOUT_SECONDS} s; "
            "look for a runaway macro in the question templates."
        ) from None
    if result.returncode != 0:
        raise LatexError(f"{tex.name}: LaTeX failed: {tex_error(result.stdout)}")


def tex_error(log: str) -> str:
    """The first error of a pdflatex log with the line that caused it, on one line."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("!") or re.match(r"^[^:\s]+:\d+: ", line):
            context = [line.strip()] + [ln.strip() for ln in lines[i + 1 : i + 4] if ln.strip()]
            return " | ".join(context)
    return "no error message in the log; run pdflatex by hand on the .tex file."
