"""The exam document's jinja environment: the shipped wrapper, its partials taken from an
institution's layout first (``--templates``, see partials.py), in the bank's template
language (authoring/templates.py)."""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from generator.authoring.templates import bytecode_cache, make_environment
from generator.kinds import KINDS
from generator.render.partials import (
    FOLDER,
    PARTIALS,
    WRAPPER,
    LayoutLoader,
    check_templates_dir,
    counts_pages,
    layout_error,
)
from generator.render.sandbox import LayoutEnvironment
from generator.resources import templates_dir


def document_environment(templates: Path, overrides: Path | None = None) -> jinja2.Environment:
    """The exam document's environment: the wrapper from ``templates``, its partials from
    ``overrides`` first (``--templates``, see partials.py), in Jinja's sandbox, each
    partial seeing only the layout's names and bounded (sandbox.py)."""
    env = make_environment(
        LayoutLoader(templates, overrides),
        functools.partial(LayoutEnvironment, partials=[f"{FOLDER}/{name}" for name in PARTIALS]),
    )
    env.finish()
    env.globals["kinds"] = KINDS  # how each kind lists and labels its options
    env.globals["counts_pages"] = functools.partial(counts_pages, overrides)
    env.bytecode_cache = bytecode_cache(env)
    return env


def render_document(overrides: Path | None, **context: object) -> str:
    """The exam document, its partials taken from ``overrides`` first; an error in one of
    them is one sentence naming its file and line."""
    try:
        env = document_environment(templates_dir(), overrides)
        return env.get_template(WRAPPER).render(**context)
    except Exception as exc:
        _raise_layout_error(exc, overrides)
        raise


def check_layout(overrides: Path) -> Path:
    """``overrides`` checked (partials.check_templates_dir) and every partial in it
    compiled, so that a mistake stops the run before anything is drawn; made absolute,
    so that worker processes and error messages name the same files."""
    folder = check_templates_dir(overrides).absolute()
    env = document_environment(templates_dir(), folder)
    for name in PARTIALS:
        if (folder / name).exists():
            try:
                env.get_template(f"{FOLDER}/{name}")
            except Exception as exc:
                _raise_layout_error(exc, folder)
                raise
    return folder


def _raise_layout_error(exc: Exception, overrides: Path | None) -> None:
    """Raise ``exc`` as one sentence naming the partial, if it is an error in one of
    ``overrides``' partials; else return (the caller re-raises it as it is)."""
    error = layout_error(exc, overrides)
    if error is not None and error is not exc:
        raise error from exc
