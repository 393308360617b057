"""Where the shipped question bank and templates are.

In a wheel they sit inside the package (``generator/_data``, see
``pyproject.toml``); in a source checkout or an editable install they are the
top-level folders of the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """The shipped folder ``name`` ("templates", "question_bank" or "docs")."""
    installed = _PACKAGE / "_data" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def templates_dir() -> Path:
    return data_dir("templates")


def bank_dir() -> Path:
    return data_dir("question_bank")


def docs_dir() -> Path:
    """The documentation's Markdown pages (the site's source), shipped for offline reading."""
    return data_dir("docs")


def blueprints_dir() -> Path:
    return bank_dir() / "blueprints"


def cache_dir() -> Path:
    """The user's cache for this tool (TeX formats, compiled templates): XDG_CACHE_HOME."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "exam-variant-generator"
