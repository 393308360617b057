"""Bring PrairieLearn's question code into a cache folder, for tests/test_prairielearn.py.

    python tests/fetch_prairielearn.py [--source URL-OR-GIT-DIR] [--commit SHA]
                                         [--cache DIR] [--venv]

Takes, at one pinned commit, the parts of PrairieLearn that run a question headless: its
``apps/prairielearn/python`` (the question phases and the ``prairielearn`` library),
``apps/prairielearn/elements`` and its JSON schemas (``apps/prairielearn/src/schemas``),
into ``DIR/<commit>/``.  ``--venv`` also makes ``DIR/venv`` with what those elements import
(from PyPI).  The test finds the folder by ``PRAIRIELEARN_DIR``, else this cache, and the
Python by ``PRAIRIELEARN_PYTHON``, else ``DIR/venv``.

PrairieLearn's code asks Python 3.13; three lines use syntax newer than 3.11 (a ``type``
statement and two generic functions).  Where the venv's Python is older, those lines are
rewritten to their 3.11 spelling (``COMPAT``), each checked to be there: nothing else of
PrairieLearn's code is changed.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

SOURCE = "https://github.com/PrairieLearn/PrairieLearn.git"
COMMIT = "88fb8556a7a1768e2082736be9095241b11238d7"  # pinned: the version checked
PATHS = ("apps/prairielearn/python", "apps/prairielearn/elements",
         "apps/prairielearn/src/schemas/schemas")  # fmt: skip
DEFAULT_CACHE = Path.home() / ".cache" / "exam-variant-generator" / "prairielearn"
CACHE = Path(os.environ.get("PRAIRIELEARN_CACHE", DEFAULT_CACHE))
REQUIREMENTS = ("numpy", "sympy", "lxml", "chevron", "jsonschema", "networkx", "pandas",
                "pint", "coloraide", "rich", "text-unidecode", "typing_extensions",
                "python-dateutil",
                # in PrairieLearn's image (its pyproject.toml), imported by an exported
                # question's server.py: our package's templates and figures
                "jinja2", "matplotlib")  # fmt: skip
# (file, PEP 695 spelling, Python 3.11 spelling)
COMPAT = (
    ("apps/prairielearn/python/prairielearn/sympy_utils.py",
     "type SympyParseResult = SympyParseSuccess | SympyParseFailure",
     "SympyParseResult = SympyParseSuccess | SympyParseFailure"),
    ("apps/prairielearn/python/prairielearn/html_utils.py",
     "def get_enum_attrib[EnumT: Enum](",
     "import typing as _typing\nEnumT = _typing.TypeVar('EnumT', bound=Enum)\n\n\n"
     "def get_enum_attrib("),
    ("apps/prairielearn/python/prairielearn/misc_utils.py",
     "def partition[ListItem](",
     "import typing as _typing\nListItem = _typing.TypeVar('ListItem')\n\n\ndef partition("),
)  # fmt: skip


def git(*args: str, cwd: Path | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True).stdout


def fetch(source: str, commit: str, cache: Path, python_minor: int = sys.version_info[1]) -> Path:
    """``cache/<commit>/`` with PrairieLearn's question code, made once."""
    target = cache / commit
    if (target / "apps/prairielearn/python/prairielearn/internal/question_phases.py").is_file():
        return target
    repo = Path(source)
    if not (repo / "HEAD").is_file() and not (repo / ".git").exists():
        repo = cache / "repo.git"
        if not repo.exists():
            git("clone", "--bare", "--filter=blob:none", source, str(repo))
        git("fetch", "origin", commit, cwd=repo)
    tar = git("archive", commit, *PATHS, cwd=repo)
    partial = cache / f"{commit}.partial"
    partial.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(tar)) as archive:
        archive.extractall(partial, filter="data")
    if python_minor < 12:
        for name, new, old in COMPAT:
            path = partial / name
            text = path.read_text(encoding="utf-8")
            if new not in text:
                raise SystemExit(f"{name}: no longer has {new!r}; update COMPAT")
            path.write_text(text.replace(new, old, 1), encoding="utf-8")
    partial.rename(target)
    return target


def make_venv(cache: Path) -> Path:
    venv = cache / "venv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *REQUIREMENTS], check=True)
    return venv / "bin" / "python"


def install_server_files(python: Path, course: Path, cache: Path = CACHE) -> None:
    """An exported course's ``serverFilesCourse/requirements.txt`` installed into its
    ``serverFilesCourse/``, as PrairieLearn's docs say (``pip install --target``), with
    PrairieLearn's Python: installed once per requirements into the cache, then copied.
    Raises CalledProcessError where pip cannot (no network)."""
    folder = course / "serverFilesCourse"
    requirements = folder / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()[:16]
    target = cache / f"serverFilesCourse-{digest}"
    if not target.is_dir():
        partial = target.with_name(target.name + ".partial")
        shutil.rmtree(partial, ignore_errors=True)
        command = [str(python), "-m", "pip", "install", "-q", "--target", str(partial),
                   "-r", str(requirements)]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, text=True)
        partial.rename(target)
    shutil.copytree(target, folder, dirs_exist_ok=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", default=SOURCE, help="a git URL, or a git directory")
    parser.add_argument("--commit", default=COMMIT)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--venv", action="store_true", help="also make CACHE/venv")
    args = parser.parse_args()
    python = make_venv(args.cache) if args.venv else Path(sys.executable)
    minor = int(subprocess.run([str(python), "-c", "import sys; print(sys.version_info[1])"],
                               check=True, capture_output=True, text=True).stdout)  # fmt: skip
    print(fetch(args.source, args.commit, args.cache, minor))
    print(python)


if __name__ == "__main__":
    main()
