"""An institution's own layout: ``--templates DIR`` replaces partials of the exam document.

The document is a fixed wrapper (``templates/exam.tex.j2``: the document class, the
shipped preamble, the questions, and what the class build, the page-count check and the
names overlay rely on: the page ranges of each copy, the name boxes, the page count) that
includes the partials of ``templates/exam/``.  A folder given with ``--templates`` is
searched first for the partials only: the wrapper cannot be replaced, so those contracts
hold whatever the folder holds.  A file in it that is not a partial is refused (a typo
would otherwise be ignored silently), and so is anything that leaves it: a symlink
pointing outside, a FIFO or a device.
"""

from __future__ import annotations

import os
import stat
import traceback
from collections.abc import Callable
from pathlib import Path

import jinja2

from generator.errors import ExamError

WRAPPER = "exam.tex.j2"
FOLDER = "exam"  # the shipped partials: templates/exam/<name>
PARTIALS = (
    "preamble_extra.tex.j2",  # packages and macros, compiled into the cached format
    "footer.tex.j2",  # the running foot, once per document
    "header.tex.j2",  # the running head, once per version
    "cover.tex.j2",  # each copy's cover page
    "honor_code.tex.j2",  # the honor code and signature, on the cover
    "end.tex.j2",  # after each copy's last question (END OF PAPER)
)
PAGE_COUNT = r"\exampagecount"
MAX_BYTES = 1 << 20  # a partial is a page of LaTeX, not a megabyte


class LayoutError(ExamError):
    """A --templates folder or one of its partials is unusable."""


def allowed_names() -> str:
    return ", ".join(sorted(PARTIALS))


def check_templates_dir(folder: Path) -> Path:
    """``folder`` if every entry is a partial that stays inside it; else one sentence
    naming the entry, the allowed names and the fix."""
    if not folder.is_dir():
        what = "not a folder" if os.path.lexists(folder) else "no such folder"
        raise LayoutError(
            f"{folder}: {what}; pass --templates a folder holding your own partials "
            f"({allowed_names()})."
        )
    for entry in sorted(folder.iterdir()):
        if entry.name not in PARTIALS:
            raise LayoutError(
                f"{entry}: not a partial of the exam's layout; name it one of "
                f"{allowed_names()}, or move it out of {folder}."
            )
        _checked_file(entry, folder)
    return folder


def _checked_file(path: Path, folder: Path) -> os.stat_result:
    """The stat of ``path``, a regular file inside ``folder`` once links are followed."""
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(os.path.realpath(folder)):
        raise LayoutError(
            f"{path}: a link to {real}, outside {folder}; copy the file into the folder instead."
        )
    try:
        info = os.stat(real)
    except OSError as exc:
        raise LayoutError(f"{path}: cannot read it ({exc.strerror}); fix or remove it.") from None
    if not stat.S_ISREG(info.st_mode):
        raise LayoutError(f"{path}: not a regular file; replace it with a template file.")
    if info.st_size > MAX_BYTES:
        raise LayoutError(
            f"{path}: {info.st_size:,} bytes, more than the {MAX_BYTES:,} a partial may have; "
            "shorten it."
        )
    return info


class LayoutLoader(jinja2.BaseLoader):
    """The wrapper from the shipped templates; each partial from ``overrides`` when it
    holds one, else the shipped one.  No other name loads, so a partial cannot reach other
    files (``../``, absolute paths) through ``include``."""

    def __init__(self, shipped: Path, overrides: Path | None = None) -> None:
        self.shipped = jinja2.FileSystemLoader(str(shipped))
        self.overrides = overrides

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        if template == WRAPPER:
            return self.shipped.get_source(environment, template)
        folder, _, name = template.partition("/")
        if folder != FOLDER or name not in PARTIALS:
            raise jinja2.TemplateNotFound(template)
        override = self.overrides / name if self.overrides is not None else None
        if override is not None and os.path.lexists(override):
            return _read_override(override, self.overrides)
        source, filename, unchanged = self.shipped.get_source(environment, template)

        def uptodate() -> bool:  # stale once the folder gains an override of it
            return unchanged() and not (override is not None and os.path.lexists(override))

        return source, filename, uptodate


def _read_override(path: Path, folder: Path) -> tuple[str, str, Callable[[], bool]]:
    info = _checked_file(path, folder)
    try:
        source = Path(os.path.realpath(path)).read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LayoutError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8.") from None

    def uptodate() -> bool:
        try:
            return os.stat(path).st_mtime_ns == info.st_mtime_ns
        except OSError:
            return False

    return source, str(path), uptodate


def counts_pages(overrides: Path | None, texts: dict[str, str]) -> bool:
    """Whether a copy's cover page (``texts``: each partial's output by name) prints its
    page count, which the wrapper then fills in at the copy's end; a second one would stay
    empty, so it is refused."""
    counts = {name: text.count(PAGE_COUNT) for name, text in texts.items()}
    if sum(counts.values()) > 1:
        where = " and ".join(
            f"{_shown(overrides, name)} {count} time{'s' * (count > 1)}"
            for name, count in counts.items()
            if count
        )
        raise LayoutError(
            f"the cover page prints {PAGE_COUNT} more than once ({where}); keep one, in "
            "cover.tex.j2 or honor_code.tex.j2."
        )
    return sum(counts.values()) == 1


def _shown(overrides: Path | None, name: str) -> str:
    """A partial as the user knows it: their file, or the shipped one."""
    if overrides is not None and os.path.lexists(overrides / name):
        return str(overrides / name)
    return f"the shipped {name}"


def layout_error(exc: BaseException, overrides: Path | None) -> LayoutError | None:
    """An error in one of ``overrides``' partials as one sentence naming its file and
    line; None when the error is not in them (a bug of the shipped templates)."""
    if isinstance(exc, LayoutError):
        return exc
    if overrides is None:
        return None
    mine = str(overrides)
    if isinstance(exc, jinja2.TemplateSyntaxError) and (exc.filename or "").startswith(
        mine + os.sep
    ):
        said = (exc.message or "a syntax error").rstrip(".")
        return LayoutError(f"{exc.filename}, line {exc.lineno}: {said}; fix the template.")
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.startswith(mine + os.sep):
            return LayoutError(
                f"{frame.filename}, line {frame.lineno}: {type(exc).__name__}: "
                f"{str(exc).rstrip('.')}; "
                "fix the template."
            )
    return None
