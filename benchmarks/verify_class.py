"""Check every student's PDFs of a built class against its key.json, as text (pdftotext).

    python benchmarks/verify_class.py output/<exam>-class

The benchmark's large classes are too many to read by eye; this reads each student's
exam and solutions back from the PDFs (poppler's pdftotext, an independent reader) and
checks them against the key the build wrote:

- every page shows the student's id and the copy's code, and pages 2 on their "Page n";
- the cover's page count is the PDF's own page count;
- every question's title is printed, in the key's order;
- the solutions show every integer answer of the key;
- the student's name, where pdftotext can extract it: it reorders right-to-left
  scripts and drops emoji, so for those names each page is checked by the id alone;
- print.pdf holds every student's exam in the key's order, each starting on an odd page
  (an exam of an odd page count is followed by a blank page).

It prints one line per failing PDF and a summary, and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import unicodedata
from multiprocessing import Pool
from pathlib import Path
from typing import Any

VERSIONS = ("exam", "solutions")  # those the class was built with are checked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", type=Path, help="a class build's folder (holds key.json)")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    key = json.loads((args.folder / "key.json").read_text(encoding="utf-8"))
    versions = tuple(v for v in VERSIONS if any((args.folder / "students").glob(f"*/{v}.pdf")))
    jobs = [(args.folder, variant, versions) for variant in key["variants"]]
    with Pool(args.workers) as pool:
        problems = [p for found in pool.imap(_check_copy, jobs, chunksize=8) for p in found]
    if "exam" in versions:
        problems += _check_print(args.folder / "print.pdf", key["variants"])
    for problem in problems:
        print(problem)
    checked = len(jobs)
    failed = {p.split(":")[0] for p in problems} - {"print.pdf"}
    printed = "fails" if any(p.startswith("print.pdf") for p in problems) else "passes"
    print(f"{checked - len(failed)} of {checked} students pass ({checked * len(versions)} "
          f"PDFs read); print.pdf {printed}")  # fmt: skip
    sys.exit(1 if problems else 0)


def _check_copy(job: tuple[Path, dict[str, Any], tuple[str, ...]]) -> list[str]:
    folder, variant, versions = job
    code = variant["variant"]
    found = sorted((folder / "students").glob(f"*_{code}"))
    if len(found) != 1:
        return [f"{code}: {len(found)} student folders end in _{code}"]
    problems = []
    for version in versions:
        path = found[0] / f"{version}.pdf"
        if not path.exists():
            problems.append(f"{code}: no {version}.pdf")
            continue
        problems += [f"{code}: {version}.pdf: {p}" for p in _check_pdf(path, variant, version)]
    return problems


def _check_pdf(path: Path, variant: dict[str, Any], version: str) -> list[str]:
    pages = _pages(path)
    text = "\f".join(pages)
    student = variant.get("student") or {}
    problems = []
    count = re.search(r"contain\w* (\d+) pages", pages[0])
    if count is None or int(count.group(1)) != len(pages):
        problems.append(f"the cover's page count is not the PDF's {len(pages)} pages")
    for n, page in enumerate(pages, start=1):
        wanted = [variant["variant"], *([student["id"]] if student else [])]
        if n > 1:
            wanted.append(f"Page {n}")
        if student and _extractable(student["name"]):
            wanted.append(student["name"])
        problems += [f"page {n} lacks {w!r}" for w in wanted if w not in page]
    flat = " ".join(text.split())
    at = 0
    for question in variant["questions"]:
        at = flat.find(" ".join(question["title"].split()), at)
        if at < 0:
            problems.append(f"question {question['number']}'s title is missing or out of order")
            break
    if version == "solutions":
        answers = [p["answer"] for q in variant["questions"] for p in q["parts"]
                   if p["kind"] == "integer"]  # fmt: skip
        problems += [f"integer answer {a} is not shown" for a in answers
                     if not re.search(rf"(?<!\d)(?<!\d\.){a}(?!\d|\.\d)", flat)]  # fmt: skip
    return problems


def _check_print(path: Path, variants: list[dict[str, Any]]) -> list[str]:
    if not path.exists():
        return ["print.pdf: missing"]
    pages = _pages(path)
    at = 0
    for variant in variants:
        code = variant["variant"]
        count = re.search(r"contain\w* (\d+) pages", pages[at]) if at < len(pages) else None
        if count is None or code not in pages[at]:
            return [f"print.pdf: page {at + 1} is not the cover of {code}'s exam"]
        length = int(count.group(1))
        if any(code not in page for page in pages[at : at + length]):
            return [f"print.pdf: {code}'s exam (from page {at + 1}) has pages of another copy"]
        at += length
        if length % 2:
            if at >= len(pages) or pages[at].strip():
                return [f"print.pdf: no blank page after {code}'s exam of {length} pages"]
            at += 1
    return [] if at == len(pages) else [f"print.pdf: {len(pages) - at} pages after the last exam"]


def _pages(path: Path) -> list[str]:
    """A PDF's text, page by page."""
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return text.split("\f")[:-1]


def _extractable(name: str) -> bool:
    """Whether pdftotext gives the name back as written: not for right-to-left scripts,
    which it reorders, nor for emoji and other symbols, which it drops."""
    return not any(unicodedata.bidirectional(c) in ("R", "AL") or unicodedata.category(c) == "So"
                   for c in name)  # fmt: skip


if __name__ == "__main__":
    main()
