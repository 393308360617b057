"""Students' names in any script: cleaned, checked against the fonts, typeset by Typst.

pdfTeX has no shaping engine: it cannot join Arabic letters, order Hebrew, form
Devanagari conjuncts or draw emoji, and fails on most of Unicode.  So each copy's name
lines (the footer's "Name (id)", the cover's name and id) are typeset by Typst, which
shapes with HarfBuzz's algorithms, orders right-to-left text, falls back across fonts
and draws colour emoji, into a small PDF of one page per line; pdfTeX then places
those pages like pictures.  The exam body stays with pdfTeX, so a class build pays
only Typst's few milliseconds per student.

Names are NFC-normalised, their spaces folded and their invisible characters dropped
(controls, zero-width spaces, bidi overrides), except for the joiners that spell
Persian, Indic and emoji sequences.  A name with a character that no font on the
machine has is reported, with its roster line, before anything is built.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from generator.errors import ExamError
from generator.resources import cache_dir, templates_dir
from generator.variants.roster import JOINERS, TAGS, clean

TEMPLATE = "names.typ"
NAMES_DIR = "names"  # beside the .tex that includes them
FONT_DIRS = (  # where Debian and users keep fonts; TeX Gyre Termes (Times) is TeX's
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/usr/share/texmf/fonts/opentype/public/tex-gyre",
)
FONT_PACKAGES = "fonts-texgyre fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji"
BASELINE_BP = 4  # the name pages' bottom margin: where their baseline sits (templates/names.typ)
# Invisible by nature, never missing from a font (variation selectors pick emoji forms).
IGNORABLE = (range(0xFE00, 0xFE10), range(0xE0100, 0xE01F0), TAGS, range(0x1F3FB, 0x1F400))
INDEX_VERSION = 1


class UnprintableName(ExamError):
    """A student's name cannot be printed on this machine."""


@dataclass(frozen=True)
class Line:
    """One line of text to typeset, and the language whose letter forms it takes."""

    text: str
    lang: str = "en"


def lines_for(name: str, student_id: str) -> list[Line]:
    """A copy's name lines, in the page order the exam template includes them: the footer's
    "Name (id)", the cover's name, the cover's id."""
    lang = language(name)
    footer = f"{name} ({student_id})" if name else student_id
    return [Line(footer, lang), Line(name or " ", lang), Line(student_id, language(student_id))]


def language(text: str) -> str:
    """A language for the Han characters of a name, by the other letters in it: Chinese,
    Japanese and Korean share Han characters but print some of them differently."""
    for char in text:
        name = unicodedata.name(char, "")
        if name.startswith(("HIRAGANA", "KATAKANA")):
            return "ja"
        if name.startswith("HANGUL"):
            return "ko"
    return "zh" if any(unicodedata.name(c, "").startswith("CJK") for c in text) else "en"


TEX_GYRE = "texgyretermes-regular.otf"  # TeX's copy of Times, wherever the TeX is


def system_lookup() -> bool:
    """Whether Typst also searches the system's own font folders, as each system keeps them
    (macOS's Library/Fonts, Windows's Fonts folders): everywhere but on Linux, where
    Debian's folders are the system's, listed in FONT_DIRS so that the fonts (and a name's
    PDF bytes) do not depend on what else fontconfig is told about."""
    return not sys.platform.startswith("linux")


def font_dirs() -> list[str]:
    """The font folders there are, that Typst searches for every name: Debian's (elsewhere
    a fallback, for fonts installed there by hand), and off Linux, the folder where this
    machine's TeX keeps TeX Gyre (MacTeX, MiKTeX), found by TeX's own kpsewhich."""
    found = [Path(folder).expanduser() for folder in FONT_DIRS]
    if system_lookup() and (gyre := _tex_font_dir(TEX_GYRE)) is not None:
        found.append(gyre)
    return [str(folder) for folder in found if folder.is_dir()]


def _tex_font_dir(name: str) -> Path | None:
    kpsewhich = shutil.which("kpsewhich")
    if kpsewhich is None:
        return None
    try:
        found = subprocess.run([kpsewhich, name], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    path = found.stdout.strip()
    return Path(path).parent if found.returncode == 0 and path else None


@cache
def fonts():  # -> typst.Fonts
    """Every font in :func:`font_dirs` (and the system's, :func:`system_lookup`), scanned
    once per process (0.3 s here)."""
    import typst

    return typst.Fonts(include_system_fonts=system_lookup(), include_embedded_fonts=False,
                       font_paths=font_dirs())  # fmt: skip


def check_printable(entries: Iterable[tuple[str, str]]) -> None:
    """Refuse, before anything is built, texts (with where they come from) that the fonts
    on this machine cannot print; all of them at once, so one fix-up does."""
    entries = list(entries)
    if not fonts().fonts():
        where = "this system's font folders" if system_lookup() else ", ".join(FONT_DIRS)
        raise UnprintableName(
            f"no fonts for the students' names in {where}; install {FONT_PACKAGES} (Debian's "
            "packages; elsewhere, TeX Gyre and Noto fonts), or build with --no-pdf."
        )
    if all(text.isascii() and text.isprintable() for _, text in entries):
        return  # every font has ASCII: no need for the index of all of them
    bad = [(where, text, chars) for where, text in entries if (chars := missing_characters(text))]
    if bad:
        where, text, chars = bad[0]
        shown = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in chars)
        others = len(bad) - 1
        more = f" (and {others} more like it)" if others else ""
        raise UnprintableName(
            f"{where}: {text!r} has characters that no font on this machine can print "
            f"({shown}){more}; install {FONT_PACKAGES} (Debian's packages), or correct the "
            "name in the roster."
        )


def missing_characters(text: str) -> list[str]:
    """The characters of ``text`` that no font has (or that are no letters of any script)."""
    covered = _coverage()
    return sorted({c for c in text if not _printable(c, covered)})


def _printable(char: str, covered: frozenset[int]) -> bool:
    code = ord(char)
    if unicodedata.category(char) == "Co":  # private use: no script, whatever a font draws
        return False
    return (
        char.isspace()
        or char in JOINERS
        or code in covered
        or any(code in ignorable for ignorable in IGNORABLE)
    )


@cache
def _coverage() -> frozenset[int]:
    """Every character some font has, from the fonts' cmaps: read once per machine (several
    seconds for all of Noto) and kept in the cache folder, keyed by the font files."""
    files = sorted({(info.path, info.index) for info in fonts().fonts() if info.path})
    stamp = [(path, index, *_size_and_time(path)) for path, index in files]
    digest = hashlib.sha256(json.dumps([INDEX_VERSION, stamp]).encode()).hexdigest()[:16]
    index = cache_dir() / f"font-coverage-{digest}.json"
    try:
        return frozenset(_expand(json.loads(index.read_text(encoding="utf-8"))))
    except (OSError, ValueError):
        pass
    covered = _read_cmaps(files)
    try:
        index.parent.mkdir(parents=True, exist_ok=True)
        temporary = index.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(json.dumps(_ranges(covered)), encoding="utf-8")
        os.replace(temporary, index)
    except OSError:
        pass  # no writable cache: index again next time
    return frozenset(covered)


def _size_and_time(path: str) -> tuple[int, int]:
    status = os.stat(path)
    return status.st_size, status.st_mtime_ns


def _read_cmaps(files: Sequence[tuple[str, int]]) -> set[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for path, index in files:
        try:
            font = TTFont(path, fontNumber=index, lazy=True)
            covered.update(font.getBestCmap() or {})
            font.close()
        except Exception:  # a broken font file on the machine covers nothing
            continue
    return covered


def _ranges(codes: set[int]) -> list[list[int]]:
    ranges: list[list[int]] = []
    for code in sorted(codes):
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return ranges


def _expand(ranges: list[list[int]]) -> Iterable[int]:
    for first, last in ranges:
        yield from range(first, last + 1)


@cache
def _compiler():  # -> typst.Compiler
    import typst

    return typst.Compiler(templates_dir() / TEMPLATE, font_paths=fonts(), ignore_system_fonts=True)


def render(lines: Sequence[Line], target: Path) -> Path:
    """Typeset ``lines`` into ``target``, one page each (see templates/names.typ)."""
    data = json.dumps([{"text": line.text, "lang": line.lang} for line in lines])
    pdf = _compiler().compile(sys_inputs={"lines": data}, pdf_standards="1.5", pdf_tags=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(pdf)
    return target


def page_file(code: str) -> str:
    """The name pages of the copy coded ``code``, relative to the .tex including them."""
    return f"{NAMES_DIR}/{code}.pdf"


def write_pages(folder: Path, code: str, name: str, student_id: str) -> Path:
    """Typeset a copy's name lines into ``folder/names/<code>.pdf``."""
    return render(lines_for(clean(name), clean(student_id)), folder / page_file(code))
