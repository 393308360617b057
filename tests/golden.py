"""Golden files: the text of two reference runs, kept in ``tests/golden/`` for review.

A change of layout, wording or key format then shows up in a pull request as a diff of
these files, not only as a test that passes or fails.  ``make golden`` (``python -m
tests.golden``) rewrites them; ``tests/test_golden.py`` builds the same runs and fails
with the diff when they differ.

The runs are in public mode (anyone can rebuild them) and without PDFs (TeX's output
depends on the TeX Live release).  What depends on the machine rather than on this
project is masked: the versions in the key, and the PNG bytes of the figures (matplotlib
and FreeType versions).  Zip files are stored unpacked, one file per member, so that a
diff shows which item changed.
"""

from __future__ import annotations

import io
import re
import shutil
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
# name -> generate-exam arguments (the output folder is added)
RUNS = {
    "seed42": ("--seed", "42", "--public", "--no-pdf", "--lms", "all"),
    "class3": ("--seed", "42", "--public", "--no-pdf", "--variants", "3", "--lms", "csv"),
}
MASKS = (
    (re.compile(r'("version": )"[^"]*"'), r'\1"(masked)"'),
    (re.compile(r'("numpy": )"[^"]*"'), r'\1"(masked)"'),
    (re.compile(r"(<file [^>]*>)[A-Za-z0-9+/=\s]+(</file>)"), r"\1(PNG)\2"),
    (re.compile(r"(data:image/png;base64,)[A-Za-z0-9+/=]+"), r"\1(PNG)"),
)
SKIPPED = (".png", ".pdf")


def build(name: str, out: Path) -> Path:
    """Run generate-exam for one golden run into ``out``; return the run's folder."""
    from generator.cli import cli

    out.mkdir(parents=True, exist_ok=True)
    cli.main(args=[*RUNS[name], "--out", str(out)], prog_name="generate-exam",
             standalone_mode=False)  # fmt: skip
    (folder,) = [p for p in out.iterdir() if p.is_dir()]
    return folder


def texts(folder: Path) -> dict[str, str]:
    """Every file of a run as comparable text, by path relative to the run."""
    found: dict[str, str] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if path.suffix == ".zip":
            found.update(_members(relative.removesuffix(".zip"), path.read_bytes()))
        elif path.suffix not in SKIPPED:
            found[relative] = masked(path.read_text(encoding="utf-8"))
    return found


def _members(prefix: str, data: bytes) -> Iterator[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in sorted(archive.namelist()):
            if not member.endswith(SKIPPED) and not member.endswith("/"):
                yield f"{prefix}/{member}", masked(archive.read(member).decode("utf-8"))


def masked(text: str) -> str:
    for pattern, replacement in MASKS:
        text = pattern.sub(replacement, text)
    return text


def stored(name: str) -> dict[str, str]:
    """The golden texts of one run as committed."""
    root = GOLDEN / name
    return {
        p.relative_to(root).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def update(scratch: Path) -> None:
    """Rebuild every golden run and replace its stored files."""
    for name in RUNS:
        found = texts(build(name, scratch / name))
        target = GOLDEN / name
        shutil.rmtree(target, ignore_errors=True)
        for relative, text in found.items():
            path = target / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        print(f"{target}: {len(found)} files")


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        update(Path(scratch))
    sys.exit(0)
