"""The template language of the bank's ``question.tex.j2`` and of the exam's layout: jinja2
for LaTeX, with delimiters that do not clash with TeX and strict undefined.

``\\VAR{x}`` prints, ``\\BLOCK{...}`` and lines starting with ``%%`` are
statements, ``%#`` starts a template comment.  A typo in a variable name fails
loudly (StrictUndefined) instead of printing nothing into an exam.
"""

from __future__ import annotations

import functools
import hashlib
import os
from collections.abc import Callable, Sequence
from functools import cache

import jinja2
import numpy as np
from pylatex import Matrix
from pylatex.utils import escape_latex

from generator.authoring.figures import to_picture
from generator.kinds.answers import Code, format_number
from generator.resources import cache_dir


def escape(text: object) -> str:
    """Plain text made safe for LaTeX (pylatex), with ^ printed as a caret, not an accent."""
    return _escaped(str(text))


@functools.lru_cache(maxsize=4096)
def _escaped(text: str) -> str:
    """Cached: every copy's cover and headings escape the same blueprint texts again, and
    pylatex escapes a character at a time (a fifth of the time of rendering a class)."""
    return escape_latex(text).replace(r"\^{}", r"\textasciicircum{}")


def column_vector(values: Sequence[float]) -> str:
    """A column vector in LaTeX (pylatex's Matrix), numbers printed as the key stores them."""
    entries = np.array([[format_number(v)] for v in values], dtype=object)
    return Matrix(entries, mtype="b").dumps()


def matrix(rows: Sequence[Sequence[float]]) -> str:
    """A matrix in LaTeX (pylatex's Matrix, round brackets), numbers printed as the key
    stores them: ``\\VAR{W|matrix}`` prints a weight matrix the way a matrix answer prints."""
    entries = np.array([[format_number(v) for v in row] for row in rows], dtype=object)
    return Matrix(entries, mtype="p").dumps()


def format_points(points: float) -> str:
    """Points as printed: ``2``, ``0.5``."""
    return format_number(points)


def make_environment(
    loader: jinja2.BaseLoader | None = None,
    environment: Callable[..., jinja2.Environment] = jinja2.Environment,
) -> jinja2.Environment:
    """The template language's environment; ``environment`` makes it (the exam document's
    is a sandbox, render/sandbox.py)."""
    env = environment(
        loader=loader,
        block_start_string=r"\BLOCK{",
        block_end_string="}",
        variable_start_string=r"\VAR{",
        variable_end_string="}",
        comment_start_string=r"\#{",
        comment_end_string="}",
        line_statement_prefix="%%",
        line_comment_prefix="%#",
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["esc"] = escape
    env.filters["num"] = format_number
    env.filters["points"] = format_points
    env.filters["picture"] = to_picture
    env.filters["column"] = column_vector
    env.filters["matrix"] = matrix
    env.filters["signs"] = lambda values: [int(np.sign(v)) for v in values]
    env.filters["blanked"] = lambda answer: Code(answer.details["code"], answer.value).blanked()
    return env


_FRAGMENTS: dict[str, tuple[str, str | None]] = {}  # hash -> (source, its file)


@cache
def fragment(source: str, path: str | None = None) -> jinja2.Template:
    """A question template, compiled once per process (the bank checks its blocks, the
    renderer fills them) and its compiled code cached on disk across runs.  ``path``
    names its file in tracebacks, so an error points to the author's line."""
    name = hashlib.sha256(f"{path}\0{source}".encode()).hexdigest()
    _FRAGMENTS[name] = (source, path)
    return _fragment_environment().get_template(name)


def _load_fragment(name: str) -> tuple[str, str | None, Callable[[], bool]] | None:
    if name not in _FRAGMENTS:
        return None
    source, path = _FRAGMENTS[name]
    return source, path, lambda: True


@cache
def _fragment_environment() -> jinja2.Environment:
    env = make_environment(jinja2.FunctionLoader(_load_fragment))
    env.bytecode_cache = bytecode_cache(env)
    return env


def bytecode_cache(env: jinja2.Environment) -> jinja2.BytecodeCache | None:
    """Jinja's cache of compiled templates (0.1 s of every run's start), if it can be written.

    Jinja keys it on the template's name and source only, so the folder is named after
    the settings that shape the compiled code: a change of syntax never reads stale code.
    """
    settings = repr((jinja2.__version__, env.block_start_string, env.block_end_string,
                     env.variable_start_string, env.variable_end_string,
                     env.comment_start_string, env.comment_end_string,
                     env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
                     env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
                     sorted(env.extensions), env.optimized, type(env).__qualname__,
                     getattr(env, "rules", None)))  # fmt: skip
    folder = cache_dir() / f"jinja-{hashlib.sha256(settings.encode()).hexdigest()[:12]}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder)) if os.access(folder, os.W_OK) else None
