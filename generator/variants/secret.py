"""The instructor's secret file: made on first use, kept private, never printed.

Without the secret nobody can rebuild a student's exam from what is printed on it;
with it, ``--variant-id`` rebuilds any copy byte for byte.  It lives beside the
blueprint (``exam-secret.key``, so a course folder carries its own) or, for the
shipped blueprints, in the user's config folder; ``--secret-file`` names another.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.errors import ExamError
from generator.files import NotAFile, read_file
from generator.resources import config_dir
from generator.variants.seeding import Secret

SECRET_FILE = "exam-secret.key"
SECRET_BYTES = 32  # 256 bits; at least 128 are required of a file written by hand
MIN_HEX_DIGITS = 32
MAX_SECRET_BYTES = 4096
HEADER = (
    "# exam-variant-generator secret. Keep it private and back it up: without it the exams\n"
    "# built with it cannot be rebuilt, and with it anyone can rebuild their solutions.\n"
)


class SecretError(ExamError):
    """The secret file cannot be read, made or used."""


@dataclass(frozen=True)
class LoadedSecret:
    secret: Secret
    path: Path
    created: bool  # made by this run: the user is told where it is
    exposed: bool  # readable by other users of the machine


@dataclass(frozen=True)
class SecretFile:
    """A secret the build reads from ``path`` when it first needs one, after the bank,
    blueprint and roster have passed their checks: a run that fails on bad input makes
    no secret.  ``create=False`` for rebuilds, which need the secret the exam was made with."""

    path: Path
    create: bool = True

    def load(self, report: Callable[[str], None] = lambda message: None) -> Secret:
        loaded = load_secret(self.path, create=self.create)
        if loaded.created:
            report(
                f"Created the exam secret {self.path}: keep it private and back it up; "
                "without it these exams cannot be rebuilt."
            )
        if loaded.exposed:
            report(f"Warning: other users can read {self.path}; chmod 600 it.")
        return loaded.secret


def resolve(
    secret: Secret | SecretFile, report: Callable[[str], None] = lambda message: None
) -> Secret:
    """The secret itself, read (or made) now if it is a file's."""
    return secret.load(report) if isinstance(secret, SecretFile) else secret


def default_secret_path(blueprint: Path, shipped: bool) -> Path:
    """Beside the instructor's own blueprint; in the config folder for a shipped one."""
    return config_dir() / SECRET_FILE if shipped else blueprint.parent / SECRET_FILE


def load_secret(path: Path, *, create: bool = True) -> LoadedSecret:
    """The secret in ``path``, made there (mode 600) if it does not exist yet."""
    created = False
    if not path.exists():
        if not create:
            raise SecretError(f"{path}: secret file not found; pass the file this exam used.")
        created = _create(path)
    try:
        text = read_file(path, limit=MAX_SECRET_BYTES).decode("ascii")
        mode = path.stat().st_mode
    except (OSError, UnicodeDecodeError, NotAFile) as exc:
        raise SecretError(
            f"{path}: cannot read the secret file ({_reason(exc)}); check the path, or pass "
            "another with --secret-file."
        ) from None
    return LoadedSecret(Secret(_parse(text, path)), path, created, bool(mode & 0o077))


def _parse(text: str, path: Path) -> bytes:
    lines = [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]
    if len(lines) != 1 or not re.fullmatch(rf"[0-9a-fA-F]{{{MIN_HEX_DIGITS},}}", lines[0]):
        raise SecretError(
            f"{path}: not an exam secret (one line of at least {MIN_HEX_DIGITS} hex digits); "
            "restore it from your backup, or delete it to make a new one (the exams built "
            "with the old one then cannot be rebuilt)."
        )
    digits = lines[0]
    return bytes.fromhex(digits if len(digits) % 2 == 0 else "0" + digits)


def _create(path: Path) -> bool:
    """Write a new secret atomically: a run racing this one reads the same file."""
    content = HEADER + secrets.token_hex(SECRET_BYTES) + "\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.new")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)  # fails if another run made it first: theirs stands
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
    except OSError as exc:
        raise SecretError(
            f"{path}: cannot create the secret file ({_reason(exc)}); choose a writable "
            "place with --secret-file."
        ) from None
    return True


def _reason(exc: BaseException) -> str:
    if isinstance(exc, NotAFile):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return "not text"
    return getattr(exc, "strerror", None) or type(exc).__name__


def is_inside(path: Path, folder: Path) -> bool:
    """Whether ``path`` is ``folder`` or lies below it (symbolic links resolved)."""
    with contextlib.suppress(OSError):
        path, folder = path.resolve(), folder.resolve()
    return path == folder or folder in path.parents
