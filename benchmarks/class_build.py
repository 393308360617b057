"""Benchmark: build a class (exam and solutions per student, print file) at several sizes.

    python benchmarks/class_build.py                 # N = 50, 500, 2000, and 500 named
    python benchmarks/class_build.py --sizes 50 500 --named 500 --workers 2

For each N it reports wall time, PDFs per second (2 N per-student PDFs), CPU time per
student (every process) and the peak memory of the build (the largest resident set of
the main process or any worker or pdflatex process), each size run in a fresh process.
"Named" classes are rosters whose names cycle through every script the exams print
(Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, CJK, emoji): their name lines are
typeset by Typst, which numbered copies do without.
Next to it, the naive way: one pdflatex process per PDF with no precompiled preamble,
one document after the other, timed on a sample of students in the same run and
extrapolated to N (TeX time only, so the naive figure is a lower bound).  It also
measures pdfTeX's own CPU per student and per run, and times `generate-exam --seed 42`
(one exam with both PDFs) and `generate-exam check` (1000 variants per question).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAIVE_SAMPLE = 6  # students whose exam and solutions are typeset the naive way


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--named", type=int, nargs="*", default=[500])
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: one size
    parser.add_argument("--with-names", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_build(args.one, args.workers, named=args.with_names)))
        return
    naive = _naive_seconds_per_pdf()
    print(f"machine: {os.cpu_count()} cores; workers: {args.workers}\n")
    print(
        "| students | PDFs | wall time | PDFs/s | peak memory | CPU per student "
        "| naive (extrapolated) | speed-up |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for n, named in [*((n, False) for n in args.sizes), *((n, True) for n in args.named)]:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(n), "--workers", str(args.workers),
             *(["--with-names"] if named else [])],
            capture_output=True,
            text=True,
            check=True,
        )  # fmt: skip
        row = json.loads(out.stdout.strip().splitlines()[-1])
        naive_total = naive * 2 * n
        print(
            f"| {n}{' named' if named else ''} | {2 * n} + print.pdf | {row['seconds']:.1f} s | "
            f"{2 * n / row['seconds']:.0f} | {row['peak_mb']:.0f} MB | {row['cpu_ms']:.0f} ms | "
            f"{naive_total:.0f} s | {naive_total / row['seconds']:.1f}x |"
        )
    print(
        f"\nnaive: {naive * 1000:.0f} ms per PDF (one pdflatex run, no format, "
        f"mean of {2 * NAIVE_SAMPLE} PDFs)"
    )
    per_student, per_run = _tex_cost()
    print(
        f"pdfTeX alone: {per_student * 1000:.0f} ms of CPU per student (exam + solutions), "
        f"{per_run * 1000:.0f} ms per run"
    )
    print(f"generate-exam --seed 42 (exam + solutions PDFs): {_single():.2f} s")
    print(f"generate-exam check (1000 variants x 7 questions): {_check():.1f} s")


NAMES = ("Zoë Ångström", "Nguyễn Thị Minh", "Алёна Щербакова", "Γιώργος Παπαδόπουλος",
         "سارة أحمد", "יעל כהן", "प्रिया पटेल", "王小明", "山田 花子", "김민준", "Sam 🦊 Lee",
         "Robert O'Brien")  # fmt: skip


def _build(n: int, workers: int, *, named: bool = False) -> dict[str, float]:
    from generator.build import BuildSpec, build
    from generator.roster import Student

    students = [Student(f"s{i:05d}", f"{NAMES[i % len(NAMES)]} {i}") for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        cpu = _cpu_seconds()
        started = time.perf_counter()
        spec = BuildSpec(seed=42, copies=None if named else n, out=Path(tmp), workers=workers,
                         students=tuple(students) if named else None)  # fmt: skip
        result = build(spec)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
        assert not result.failures
    peak_kb = max(
        resource.getrusage(who).ru_maxrss
        for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return {"seconds": seconds, "peak_mb": peak_kb / 1024, "cpu_ms": 1000 * cpu / n}


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers, pdflatex)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _tex_cost() -> tuple[float, float]:
    """pdfTeX's CPU per student (exam and solutions in one run, as a class build typesets
    them) and per run, from documents of 5 and 25 copies compiled with the cached format."""
    from generator import pdf
    from generator.assemble import build_exam
    from generator.bank import load_bank
    from generator.blueprint import load_blueprint
    from generator.latex import render_tex
    from generator.roster import numbered
    from generator.seeding import Seeding

    bank = load_bank()
    seeding = Seeding(42)
    exam = build_exam(load_blueprint(None, bank), bank, seeding, assignments=numbered(seeding, 25))
    engine, cost = pdf.check_tex(), {}
    with tempfile.TemporaryDirectory() as tmp:
        for copies in (5, 25):
            tex = Path(tmp) / f"c{copies}.tex"
            source = render_tex(exam, exam.variants[:copies], versions=("exam", "solutions"))
            tex.write_text(source, encoding="utf-8")
            fmt = pdf.precompiled_format(tex, engine)
            runs = []
            for _ in range(3):
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                pdf.compile_pdf(tex, engine, fmt)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                runs.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            cost[copies] = min(runs)
    per_student = (cost[25] - cost[5]) / 20
    return per_student, cost[5] - 5 * per_student


def _naive_seconds_per_pdf() -> float:
    """One pdflatex process per single-student document, no precompiled format."""
    from generator.assemble import build_exam
    from generator.bank import load_bank
    from generator.blueprint import load_blueprint
    from generator.latex import render_tex
    from generator.roster import numbered
    from generator.seeding import Seeding

    bank = load_bank()
    seeding = Seeding(42)
    exam = build_exam(
        load_blueprint(None, bank), bank, seeding, assignments=numbered(seeding, NAIVE_SAMPLE)
    )
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for variant in exam.variants:
            for version in ("exam", "solutions"):
                tex = Path(tmp) / f"{variant.variant_id}-{version}.tex"
                tex.write_text(render_tex(exam, [variant], versions=[version]))
                started = time.perf_counter()
                subprocess.run(
                    ["pdflatex", "-no-shell-escape", "-interaction=batchmode", tex.name],
                    cwd=tmp,
                    capture_output=True,
                    check=True,
                )
                times.append(time.perf_counter() - started)
    return statistics.mean(times)


def _single() -> float:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "generator", "--seed", "42", "--out", tmp],
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - started


def _check() -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", "check"], capture_output=True, check=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
