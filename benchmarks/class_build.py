"""Benchmark: start-up, and class builds at several sizes, unique and from a variant pool.

    python benchmarks/class_build.py                      # everything (about 10 minutes)
    python benchmarks/class_build.py --sizes 50 500 --pool 50 --workers 2

In one run, on one machine state:

- ``generate-exam --seed 42`` (one exam, both PDFs) and ``generate-exam --help``, median
  of 5 each, and the Python start-up of the build (``python -X importtime``, top items);
- for each class size N, a roster of N students whose names cycle through every script
  the exams print (Latin, Cyrillic, Greek, Arabic, Hebrew, Devanagari, CJK, emoji), built
  as unique variants and with ``--pool K``: wall time, CPU time (every process), peak
  memory (the largest resident set of the main process or any worker or pdflatex), the
  pages of the students' PDFs, and the speed-up of the pool over the unique build;
- pdfTeX's own floor for those pages: its CPU per page on the same documents (a chunk of
  copies, exam and solutions, compiled with the cached format, best of 3), and each
  build's wall time against that floor spread over the workers (a unique build cannot go
  below 1.0x; a pool build typesets far fewer pages than it delivers).

Each build runs in a fresh process, so that none inherits another's caches.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NAMES = ("Zoë Ångström", "Nguyễn Thị Minh", "Алёна Щербакова", "Γιώργος Παπαδόπουλος",
         "سارة أحمد", "יעל כהן", "प्रिया पटेल", "王小明", "山田 花子", "김민준", "Sam 🦊 Lee",
         "Robert O'Brien")  # fmt: skip
REPEATS = 5


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500, 2000])
    parser.add_argument("--pool", type=int, default=50, help="K of the pool builds")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # internal: N, pool or 0
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_build(int(args.one[0]), int(args.one[1]) or None, args.workers)))
        return
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; workers: {args.workers}; "
          f"load before: {_load()}\n")  # fmt: skip
    _start_up()
    floor = _tex_floor()
    print(f"\npdfTeX's floor: {floor * 1000:.2f} ms of CPU per page (exam and solutions "
          f"pages, a chunk of 25 copies, cached format)\n")  # fmt: skip
    print("| students | build | wall time | CPU time | peak memory | pages | floor "
          "| wall / floor | speed-up |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        rows = {pool: _fresh(n, pool, args.workers) for pool in (0, args.pool)}
        for pool, row in rows.items():
            least = row["pages"] * floor / args.workers
            speed_up = rows[0]["seconds"] / row["seconds"]
            build = f"--pool {pool}" if pool else "unique"
            print(f"| {n} | {build} | {row['seconds']:.1f} s | {row['cpu']:.1f} s "
                  f"| {row['peak_mb']:.0f} MB | {row['pages']:,} | {least:.1f} s "
                  f"| {row['seconds'] / least:.2f}x | {speed_up:.1f}x |")  # fmt: skip
    print(f"\nload after: {_load()}")


def _fresh(n: int, pool: int, workers: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--one", str(n), str(pool), "--workers", str(workers)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])


def _build(n: int, pool: int | None, workers: int) -> dict[str, float]:
    """One class build of ``n`` named students in this process; its figures."""
    import pikepdf

    from generator.builds.pipeline import BuildSpec, build
    from generator.variants.roster import Student
    from generator.variants.seeding import PUBLIC

    students = [Student(f"s{i:05d}", f"{NAMES[i % len(NAMES)]} {i}") for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp:
        cpu = _cpu_seconds()
        started = time.perf_counter()
        spec = BuildSpec(seed=42, secret=PUBLIC, out=Path(tmp), workers=workers,
                         students=tuple(students), pool=pool)  # fmt: skip
        result = build(spec)
        seconds = time.perf_counter() - started
        cpu = _cpu_seconds() - cpu
        assert not result.failures
        pages = 0
        for path in (result.folder / "students").glob("*/*.pdf"):
            with pikepdf.open(path) as document:
                pages += len(document.pages)
    peak_kb = max(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))  # fmt: skip
    return {"seconds": seconds, "cpu": cpu, "peak_mb": peak_kb / 1024, "pages": pages}


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished children (workers, pdflatex)."""
    return sum(
        usage.ru_utime + usage.ru_stime
        for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    )


def _start_up() -> None:
    """``--seed 42`` and ``--help``, median of REPEATS, warm; the build's slowest imports."""
    with tempfile.TemporaryDirectory() as tmp:
        seed = [_timed("--seed", "42", "--out", tmp, "--force") for _ in range(REPEATS + 1)][1:]
        helps = [_timed("--help") for _ in range(REPEATS)]
        runs = ", ".join(f"{s:.2f}" for s in seed)
        print(f"generate-exam --seed 42 (exam + solutions PDFs): median "
              f"{statistics.median(seed):.2f} s (runs: {runs})")  # fmt: skip
        print(f"generate-exam --help: median {statistics.median(helps):.2f} s")
        print(f"generate-exam check (1000 variants x 7 questions): {_timed('check'):.1f} s")
        imports = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "generator", "--seed", "42", "--out", tmp,
             "--force"], capture_output=True, text=True, check=True,
        ).stderr  # fmt: skip
    print("slowest imports of --seed 42 (cumulative):")
    for micros, name in _top_imports(imports):
        print(f"  {micros / 1000:7.1f} ms  {name}")


def _timed(*args: str) -> float:
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True, check=True)
    return time.perf_counter() - started


def _top_imports(log: str, count: int = 10) -> list[tuple[int, str]]:
    """The top-level imports that cost most, from ``-X importtime``'s lines."""
    found = []
    for line in log.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = (cell.strip() for cell in line[len("import time:") :].split("|"))
        if not name.startswith(" ") and "." not in name.strip():
            found.append((int(cumulative), name.strip()))
    return sorted(found, reverse=True)[:count]


def _tex_floor() -> float:
    """pdfTeX's CPU per page: a chunk document of 25 copies, exam and solutions, with the
    cached format (best of 3)."""
    import pikepdf

    from generator.bank.blueprints import load_blueprint
    from generator.bank.questions import load_bank
    from generator.render import pdf
    from generator.render.latex import render_tex
    from generator.variants.assemble import build_exam
    from generator.variants.roster import numbered
    from generator.variants.seeding import Seeding

    bank = load_bank()
    seeding = Seeding(42)
    exam = build_exam(load_blueprint(None, bank), bank, seeding, assignments=numbered(seeding, 25))
    engine = pdf.check_tex()
    with tempfile.TemporaryDirectory() as tmp:
        tex = Path(tmp) / "chunk.tex"
        tex.write_text(render_tex(exam, exam.variants, versions=("exam", "solutions")), "utf-8")
        fmt = pdf.precompiled_format(tex, engine)
        runs = []
        for _ in range(3):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            pdf.compile_pdf(tex, engine, fmt)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            runs.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        with pikepdf.open(tex.with_suffix(".pdf")) as document:
            pages = len(document.pages)
    return min(runs) / pages


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


if __name__ == "__main__":
    main()
