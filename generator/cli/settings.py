"""A course's settings: ``exam.toml`` (or ``[tool.generate-exam]`` in ``pyproject.toml``),
the ``GENERATE_EXAM_*`` environment variables, and what applies when neither is set.

A course folder names its bank folders, layout, blueprint, LMS formats, secret and output
folder once, so that ``generate-exam --seed 5`` run anywhere inside it builds that course's
exam.  The file is looked for in the current folder, then in each parent up to the first
folder holding ``.git`` (a repository's top) or the filesystem's root; in each folder
``exam.toml`` is taken before a ``pyproject.toml`` with a ``[tool.generate-exam]`` table.
Relative paths in the file are read from the file's folder, so the course works from any
folder inside it; those of an environment variable from the current folder, as a flag's.

A value applies in this order: the command line's flag, the environment variable, the
file, the built-in default.  Each value here is what the command's option takes (the CLI
hands them to click as defaults, so a flag replaces them, ``--bank`` the whole list).
Imports only light modules, and a command reads only the settings it takes: ``export``
loads nothing of the bank for a blueprint it does not build.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import files
from generator.errors import ExamError

CONFIG_FILE = "exam.toml"
PYPROJECT = "pyproject.toml"
TABLE = "generate-exam"  # [tool.generate-exam] in pyproject.toml
REPOSITORY_MARK = ".git"  # the search for a file stops in the folder holding it
COMMAND_LINE = "command line"
MAX_BYTES = 2**20  # a pyproject.toml or exam.toml: a few hundred bytes
DEFAULT = "default"


class ConfigError(ExamError):
    """The course's configuration file or an environment variable holds a bad value."""


Value = tuple[str, ...] | str  # the bank's folders, or any other setting's one value


@dataclass(frozen=True)
class Setting:
    """One setting: its key in the file, the option (click parameter name and flag) it
    gives a default to, its environment variable, how a value is read, and what applies
    when nothing sets it (in words, for ``generate-exam config``)."""

    key: str
    parameter: str
    flag: str
    env: str
    read: Callable[[Any, Path, str], Value]
    default: str


@dataclass(frozen=True)
class Resolved:
    """A setting's value and where it came from: ``command line``, ``env:NAME``,
    ``file:PATH`` or ``default`` (then ``value`` is None)."""

    setting: Setting
    value: Value | None
    origin: str


def _text(value: Any, where: str, example: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where} must be a text, like {example}; write it so.")
    return value.strip()


def _path(text: str, base: Path) -> Path:
    """``text`` as a path: ``~`` is the home folder, a relative path is read from ``base``."""
    return base / Path(text).expanduser()


def _folders(value: Any, base: Path, where: str) -> tuple[str, ...]:
    """Bank folders: a list of folders (or one folder), each of which must exist."""
    items = value if isinstance(value, list) else [value]
    if not items:
        raise ConfigError(f"{where} is an empty list; name at least one folder, or remove it.")
    return tuple(_folder(item, base, where) for item in items)


def _folder(value: Any, base: Path, where: str) -> str:
    path = _path(_text(value, where, '"questions"'), base)
    if not path.is_dir():
        what = "not a folder" if os.path.lexists(path) else "no such folder"
        raise ConfigError(f"{where} names {path}: {what}; fix the path{_relative(base)}.")
    return str(path)


def _file_to_be(value: Any, base: Path, where: str) -> str:
    """A file the tool may make (the secret): its folder must exist, it must not be one."""
    path = _path(_text(value, where, '"exam-secret.key"'), base)
    if path.is_dir() or not path.parent.is_dir():
        what = "a folder" if path.is_dir() else f"its folder {path.parent} does not exist"
        raise ConfigError(f"{where} names {path}: {what}; fix the path{_relative(base)}.")
    return str(path)


def _folder_to_be(value: Any, base: Path, where: str) -> str:
    """A folder the tool may make (the output): if there, a folder; else its parent is."""
    path = _path(_text(value, where, '"output"'), base)
    if (os.path.lexists(path) and not path.is_dir()) or not path.parent.is_dir():
        what = "not a folder" if os.path.lexists(path) else f"{path.parent} does not exist"
        raise ConfigError(f"{where} names {path}: {what}; fix the path{_relative(base)}.")
    return str(path)


def _blueprint(value: Any, base: Path, where: str) -> str:
    """A shipped blueprint's name, or the path of a .toml file (which must exist)."""
    from generator.bank.blueprints import available_blueprints
    from generator.resources import blueprints_dir

    text = _text(value, where, '"midterm.toml"')
    path = _path(text, base)
    if text.endswith(".toml") or os.sep in text or "/" in text or os.path.lexists(path):
        if not path.is_file():
            raise ConfigError(f"{where} names {path}: no such file; fix the path{_relative(base)}.")
        return str(path)
    if not (blueprints_dir() / f"{text}.toml").is_file():
        raise ConfigError(
            f"{where} is '{text}', neither a file nor a shipped blueprint; name a .toml "
            f"file or one of {', '.join(available_blueprints())}."
        )
    return text


def _formats(value: Any, base: Path, where: str) -> str:
    """LMS formats: a list of names or one comma-separated text, checked by the exporter's
    own parser; kept as the comma-separated text ``--lms`` takes."""
    from generator.lms import parse_formats

    items = value if isinstance(value, list) else [value]
    names = [_text(item, where, '["canvas", "moodle"]') for item in items]
    try:
        return ",".join(parse_formats(",".join(names)))
    except ExamError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _relative(base: Path) -> str:
    return f" (a relative path is read from {base})"


SETTINGS = (
    Setting("bank", "banks", "--bank", "GENERATE_EXAM_BANK", _folders,
            "(none: the shipped bank only)"),
    Setting("templates", "templates", "--templates", "GENERATE_EXAM_TEMPLATES", _folder,
            "(none: the shipped layout)"),
    Setting("blueprint", "blueprint", "--blueprint", "GENERATE_EXAM_BLUEPRINT", _blueprint,
            "(the shipped default)"),
    Setting("lms", "lms_formats", "--lms", "GENERATE_EXAM_LMS", _formats, "(none)"),
    Setting("secret-file", "secret_file", "--secret-file", "GENERATE_EXAM_SECRET_FILE",
            _file_to_be, "(exam-secret.key beside the blueprint)"),
    Setting("out", "out", "--out", "GENERATE_EXAM_OUT", _folder_to_be, "output"),
)  # fmt: skip
BY_KEY = {s.key: s for s in SETTINGS}
PARAMETERS = frozenset(s.parameter for s in SETTINGS)


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in ``start``: the nearest ``exam.toml``, or
    ``pyproject.toml`` holding ``[tool.generate-exam]``, in ``start`` or a parent, not
    above the first folder holding ``.git``."""
    for folder in (start, *start.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder / CONFIG_FILE
        if (folder / PYPROJECT).is_file() and _has_table(folder / PYPROJECT):
            return folder / PYPROJECT
        if (folder / REPOSITORY_MARK).exists():
            return None
    return None


def _has_table(pyproject: Path) -> bool:
    """Whether a project's pyproject.toml holds our table: read with the standard parser,
    as most hold none (the bank's hardened reader says what is wrong with one that fails)."""
    text = files.read_text(pyproject, ConfigError, limit=MAX_BYTES)
    try:
        tool = tomllib.loads(text).get("tool")
    except (tomllib.TOMLDecodeError, RecursionError, ValueError):
        _read_toml(pyproject)  # raises the sentence that says where and why
        raise
    return isinstance(tool, dict) and TABLE in tool


def _read_toml(path: Path) -> dict[str, Any]:
    from generator.bank.tomlfile import read_toml

    return read_toml(path, ConfigError)


def read_config(path: Path, parameters: Collection[str] = PARAMETERS) -> list[Resolved]:
    """The settings ``path`` gives, each checked (types, missing paths): those of the
    click ``parameters`` a command takes; unknown keys are refused whatever it takes."""
    data = _read_toml(path)
    where = str(path)
    if path.name == PYPROJECT:
        tool = data.get("tool", {})
        data = tool.get(TABLE) if isinstance(tool, dict) else None
        where = f"{path} [tool.{TABLE}]"
        if not isinstance(data, dict):
            raise ConfigError(f"{where}: not a table; write it as a [tool.{TABLE}] section.")
    if path.name == CONFIG_FILE and {"name", "questions"} & set(data):
        raise ConfigError(
            f"{where}: a blueprint, but {CONFIG_FILE} is the course configuration file (keys "
            f"{', '.join(BY_KEY)}); rename the blueprint (e.g. midterm.toml) and write "
            'blueprint = "midterm.toml" here if it is the course\'s exam.'
        )
    for key in data:
        if key not in BY_KEY:
            close = difflib.get_close_matches(key, BY_KEY, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(
                f"{where}: unknown key '{key}'; {hint}Known keys: {', '.join(BY_KEY)}."
            )
    base = path.parent.absolute()
    origin = f"file:{path}"
    return [Resolved(s, s.read(data[s.key], base, f"{where}: '{s.key}'"), origin)
            for s in SETTINGS if s.key in data and s.parameter in parameters]  # fmt: skip


def from_environment(
    environ: Mapping[str, str], cwd: Path, parameters: Collection[str] = PARAMETERS
) -> list[Resolved]:
    """The settings the ``GENERATE_EXAM_*`` variables give (an empty one sets nothing);
    ``GENERATE_EXAM_BANK`` holds folders separated by ``os.pathsep``, like ``PATH``."""
    found = []
    for s in SETTINGS:
        text = environ.get(s.env, "").strip()
        if not text or s.parameter not in parameters:
            continue
        value: Any = [t for t in text.split(os.pathsep) if t.strip()] if s.key == "bank" else text
        found.append(Resolved(s, s.read(value, cwd, f"environment variable {s.env}"),
                              f"env:{s.env}"))  # fmt: skip
    return found


def from_flags(flags: Mapping[str, Any], cwd: Path) -> list[Resolved]:
    """The settings given on the command line (by click parameter name), checked as the
    file's are: for ``generate-exam config``, which shows what a command would use."""
    return [Resolved(s, s.read(list(value) if s.key == "bank" else value, cwd,
                               f"option {s.flag}"), COMMAND_LINE)
            for s in SETTINGS if (value := flags.get(s.parameter)) not in (None, ())]  # fmt: skip


def resolve(*layers: Sequence[Resolved]) -> list[Resolved]:
    """Each setting's value from the first layer that sets it (flags, environment, file),
    else its default: in the order of :data:`SETTINGS`."""
    chosen: dict[str, Resolved] = {}
    for layer in layers:
        for found in layer:
            chosen.setdefault(found.setting.key, found)
    return [chosen.get(s.key, Resolved(s, None, DEFAULT)) for s in SETTINGS]


def course_settings(
    cwd: Path, environ: Mapping[str, str], parameters: Collection[str] = PARAMETERS
) -> list[Resolved]:
    """What applies in ``cwd`` before the command line, environment over file: the
    settings of the click ``parameters`` a command takes."""
    path = find_config(cwd)
    return resolve(from_environment(environ, cwd, parameters),
                   read_config(path, parameters) if path else [])  # fmt: skip


def option_defaults(settings: Sequence[Resolved]) -> dict[str, Value]:
    """The values set by the environment or the file, by click parameter name: a
    command's ``default_map``."""
    return {r.setting.parameter: r.value for r in settings if r.value is not None}
