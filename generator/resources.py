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


APP = "exam-variant-generator"


def cache_dir() -> Path:
    """The user's cache for this tool (TeX formats, compiled templates)."""
    return _user_dir("XDG_CACHE_HOME", "user_cache_path")


def config_dir() -> Path:
    """The user's config folder for this tool (the secret of the shipped blueprints)."""
    return _user_dir("XDG_CONFIG_HOME", "user_config_path")


def _user_dir(variable: str, kind: str) -> Path:
    """A user folder of this tool, by the system's conventions (platformdirs): the XDG
    folders on Linux (``~/.config``, ``~/.cache``), ``~/Library`` on macOS, ``%LOCALAPPDATA%``
    on Windows.  The XDG variable, when set, is obeyed on every system: the tests keep their
    own folders that way, as do users who keep XDG folders on a Mac."""
    if base := os.environ.get(variable):
        return Path(base) / APP
    import platformdirs

    found: Path = getattr(platformdirs, kind)(APP, appauthor=False)
    return found
