"""Benchmark: grade a class's responses (generate-exam grade) at several sizes.

    python benchmarks/grading.py                  # N = 40, 500, 2000
    python benchmarks/grading.py --sizes 2000

For each N it builds the class's key (no PDFs, public mode), writes one long response
CSV with a response to every part of every copy (the key's answer for half the parts, a
wrong one for the rest), then times ``grade_run``: reading the key and the responses,
scoring, and writing grades.csv, feedback.csv and the item analysis.  It prints the wall
time of each step and the grading throughput in responses per second.

A code part's response is the key's lines (every other student's first line wrong), each
student's with a comment of its own: as in a real class, every code response is a new one,
so it is run, not found in the memo of verdicts, and the time shows what running costs.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.builds.pipeline import BuildSpec, build  # noqa: E402
from generator.grading.pipeline import grade_run  # noqa: E402
from generator.variants.seeding import PUBLIC  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[40, 500, 2000])
    args = parser.parse_args()
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            measure(size, Path(tmp))


def measure(size: int, tmp: Path) -> None:
    start = time.perf_counter()
    result = build(
        BuildSpec(seed=1, secret=PUBLIC, out=tmp / "out", pdf=False, copies=size, workers=2)
    )
    built = time.perf_counter() - start
    key = json.loads((result.folder / "key.json").read_text(encoding="utf-8"))
    responses = tmp / "responses.csv"
    count = write_responses(key, responses)
    start = time.perf_counter()
    grade_run(result.folder, responses)
    graded = time.perf_counter() - start
    rate = f"{count / graded:,.0f} responses/s, {graded / size * 1000:.1f} ms a student"
    print(f"N = {size}: key built in {built:.1f} s; {count} responses graded in "
          f"{graded:.2f} s ({rate})")  # fmt: skip


def write_responses(key: dict, path: Path) -> int:
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["student", "label", "response"])
        for variant in key["variants"]:
            for question in variant["questions"]:
                for n, part in enumerate(question["parts"]):
                    answer = part["answer"]
                    text = json.dumps(answer) if n % 2 else "0"
                    if isinstance(answer, list):
                        text = "; ".join(str(a) for a in answer) if n % 2 else "0"
                    if part["kind"] == "code":
                        text = code_response(answer, variant["copy"])
                    writer.writerow([f"v{variant['copy']}", part["label"], text])
                    rows += 1
    return rows


def code_response(lines: dict[str, str], copy: int) -> str:
    """The key's lines, the first one wrong for every other copy, and a comment naming the
    copy: a response no other student gives."""
    given = list(lines.values())
    if copy % 2:
        given[0] = given[0].split("=", 1)[0] + "= 0"
    return "\n".join([*given[:-1], f"{given[-1]}  # copy {copy}"])


if __name__ == "__main__":
    main()
