"""Compile LaTeX to PDF with TeX Live's pdflatex: one pass, a cached format, -no-shell-escape.

The document's static preamble (everything before ``\\csname endofdump\\endcsname``)
is precompiled once into a format with mylatexformat and cached, uncompressed, per
preamble and TeX installation, which saves most of a run's start-up.  The format also
sets how hard pdfTeX compresses the PDF (COMPRESS_LEVEL: the same pages, faster).
Documents need a single pass: the points table comes from the key and page ranges are
written by the document itself.  Never latexmk; always -no-shell-escape.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from generator.errors import LatexError, TexNotFoundError
from generator.processes import dying_with_parent
from generator.resources import cache_dir

ENGINE = "pdflatex"
REQUIRED_FILES = ("exam.cls",)
DUMP_MARKER = r"\csname endofdump\endcsname"
TIMEOUT_SECONDS = 600


def tex_environment() -> dict[str, str]:
    """pdflatex's environment: paranoid file access, so that TeX reads and writes only
    in the document's folder and TeX Live's own trees.  A layout partial comes from an
    institution's folder, and ``\\input{/home/me/exam-secret.key}`` would print the
    secret on every copy; TeX Live's default (openin_any = a) reads any file."""
    return {**os.environ, "openin_any": "p", "openout_any": "p"}


STALE_DAYS = 30  # cached formats unused this long are deleted when a new one is built
# zlib's level for the PDF's streams: 3 instead of pdfTeX's 9 saves 2.4% of a class
# chunk's TeX work, for students' PDFs 2% larger (fonts are most of them; measured);
# set in the format, not the .tex.
COMPRESS_LEVEL = 3
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
    for name in REQUIRED_FILES:
        if not _kpsewhich(name):
            raise TexNotFoundError(
                f"the LaTeX file {name} is missing from your TeX installation; "
                f"install it ({INSTALL_HINT}) or pass --no-pdf."
            )
    return engine


def _kpsewhich(name: str) -> str:
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return name  # cannot tell; let pdflatex report it
    found = subprocess.run([kpsewhich, name], capture_output=True, text=True, check=False)
    return found.stdout.strip()


def precompiled_format(tex: Path, engine: str = ENGINE) -> Path | None:
    """The cached format for ``tex``'s static preamble, built on first use (None: no format)."""
    text = tex.read_text(encoding="utf-8")
    if DUMP_MARKER not in text:
        return None
    name = format_name(text, engine)
    fmt = cache_dir() / f"{name}.fmt"
    if _whole(fmt):
        with contextlib.suppress(OSError):  # a read-only cache still serves
            os.utime(fmt)  # last used now: see _prune
        return fmt
    discard_format(fmt)
    if not _kpsewhich("mylatexformat.ltx"):
        return None
    return _build_format(tex, engine, name, fmt)


def format_name(text: str, engine: str = ENGINE) -> str:
    """The cached format's name for a document: a hash of its static preamble (all of
    the text before the marker, an institution's extra preamble included) and of the TeX
    installation, so that no document is ever served a format of another preamble: the
    format replaces the document's preamble, which TeX then skips unread."""
    stamp = f"{engine}\n{os.stat(engine).st_mtime_ns}\nuncompressed\n{COMPRESS_LEVEL}"
    identity = f"{text.split(DUMP_MARKER)[0]}\n{stamp}"
    return "exam-" + hashlib.sha256(identity.encode()).hexdigest()[:16]


def made_for(fmt: Path, text: str, engine: str = ENGINE) -> bool:
    """Whether ``fmt`` is the format of ``text``'s preamble (see :func:`format_name`)."""
    return DUMP_MARKER in text and fmt.stem == format_name(text, engine)


def _build_format(tex: Path, engine: str, name: str, fmt: Path) -> Path | None:
    try:
        fmt.parent.mkdir(parents=True, exist_ok=True)
        _prune(fmt.parent)
        return _dump_format(tex, engine, name, fmt)
    except OSError:
        return None  # no writable cache: compile without a format, slower, same PDF


def _prune(folder: Path) -> None:
    """Formats are 18 MB and every preamble or TeX update makes a new one: drop those
    unused for STALE_DAYS (a run touches the format it uses)."""
    cutoff = time.time() - STALE_DAYS * 86400
    for old in folder.glob("exam-*.fmt"):
        if old.stat().st_mtime < cutoff:
            discard_format(old)


def _dump_format(tex: Path, engine: str, name: str, fmt: Path) -> Path | None:
    with tempfile.TemporaryDirectory(dir=fmt.parent) as tmp:
        command = [engine, "-ini", "-no-shell-escape", "-interaction=batchmode",
                   f"-jobname={name}", f"-output-directory={tmp}", "&pdflatex",
                   rf"\pdfcompresslevel={COMPRESS_LEVEL} \input mylatexformat.ltx",
                   tex.name]  # fmt: skip
        result = subprocess.run(command, cwd=tex.parent, capture_output=True, check=False,
                                stdin=subprocess.DEVNULL, timeout=TIMEOUT_SECONDS,
                                env=tex_environment())  # fmt: skip
        built = Path(tmp) / f"{name}.fmt"
        if result.returncode != 0 or not built.exists():
            return None  # compile without a format: slower, same PDF
        _uncompress(built)
        size = built.stat().st_size
        os.replace(built, fmt)  # atomic: concurrent builds never see half a format
        _size_file(fmt).write_text(str(size), encoding="ascii")
    return fmt


def _size_file(fmt: Path) -> Path:
    return fmt.with_suffix(".size")


def _whole(fmt: Path) -> bool:
    """Whether the cached format is there and as long as when it was made (a full disk or
    a killed copy truncates it, and TeX then fails on every document)."""
    try:
        return fmt.stat().st_size == int(_size_file(fmt).read_text(encoding="ascii"))
    except (OSError, ValueError):
        return False


def discard_format(fmt: Path) -> None:
    with contextlib.suppress(OSError):
        fmt.unlink()
        _size_file(fmt).unlink()


def _uncompress(fmt: Path) -> None:
    """Store the format uncompressed: TeX writes it gzipped and spends two thirds of its
    start-up (60 of 90 ms here) inflating it, while zlib reads a plain file as is."""
    data = fmt.read_bytes()
    if data[:2] == b"\x1f\x8b":
        fmt.write_bytes(gzip.decompress(data))


def compile_pdf(tex: Path, engine: str = ENGINE, fmt: Path | None = None) -> Path:
    """Compile ``tex`` in its own folder, one pass; return the PDF path."""
    command = [engine, "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
               "-file-line-error"]  # fmt: skip
    if fmt is not None:
        command.append(f"-fmt={fmt.with_suffix('')}")
    try:
        result = subprocess.run([*dying_with_parent(), *command, tex.name], cwd=tex.parent,
                                capture_output=True, stdin=subprocess.DEVNULL,
                                text=True, errors="replace", timeout=TIMEOUT_SECONDS,
                                check=False, env=tex_environment())  # fmt: skip
    except subprocess.TimeoutExpired:
        raise LatexError(
            f"{tex.name}: pdflatex took over {TIMEOUT_SECONDS} s; "
            "look for a runaway macro in the question templates."
        ) from None
    if result.returncode != 0:
        if fmt is not None and _broken_format(result):
            discard_format(fmt)  # the next run builds it anew
            return compile_pdf(tex, engine, None)
        line, message = tex_error(result.stdout)
        raise LatexError(message, line=line, source=tex)
    return tex.with_suffix(".pdf")


def _broken_format(result: subprocess.CompletedProcess[str]) -> bool:
    """Whether TeX could not load the format (truncated or damaged on disk)."""
    said = result.stdout + result.stderr
    return any(sign in said for sign in ("undump", "format file", "Fatal format", "stymied"))


def keep_sources(folder: Path) -> Path:
    """A failed run's LaTeX sources and TeX's logs, copied out of its staging folder (which
    goes) into a folder of their own, for the user to read."""
    kept = Path(tempfile.mkdtemp(prefix="generate-exam-latex-"))
    for path in folder.rglob("*"):
        if path.is_file() and (path.suffix in (".tex", ".log") or path.parent.name == "names"):
            target = kept / path.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    return kept


def compile_all(texs: Sequence[Path], engine: str = ENGINE, workers: int = 2) -> list[Path]:
    """Compile documents sharing one preamble in parallel (one pdflatex process each)."""
    fmt = precompiled_format(texs[0], engine) if texs else None
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda tex: compile_pdf(tex, engine, fmt), texs))


def page_ranges(tex: Path) -> list[tuple[int, int]]:
    """First and last page (1-based, inclusive) of each copy, as the document recorded them."""
    starts: dict[int, int] = {}
    ranges: dict[int, tuple[int, int]] = {}
    for line in tex.with_suffix(".ranges").read_text().split("\n"):
        if not line.strip():
            continue
        copy, page = (int(x) for x in line.split())
        if copy in starts:
            ranges[copy] = (starts[copy], page)
        else:
            starts[copy] = page
    return [ranges[i] for i in sorted(ranges)]


def tex_error(log: str) -> tuple[int | None, str]:
    """The first error of a pdflatex log: its line in the .tex and the message, on one line."""
    lines = log.splitlines()
    for i, line in enumerate(lines):
        match = re.match(r"^[^:\s]+:(\d+): ", line)
        if line.startswith("!") or match:
            context = [line.strip()] + [ln.strip() for ln in lines[i + 1 : i + 4] if ln.strip()]
            return (int(match[1]) if match else None), " | ".join(context)
    return None, "no error message in the log; run pdflatex by hand on the .tex file."
