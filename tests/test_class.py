"""Class builds: a roster, one variant per student, per-student PDFs, print file, keys."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from generator.variants.roster import read_roster

from .conftest import all_gone, needs_tex, typesetting
from .test_check import broken_question

NAMES = ["O'Brien", "José Núñez", "50% Smith", "a_b & c", "Zoë #1 {x}", "Back\\slash ~me^2"]
FOLDER = "cs230-midterm-winter-2020-seed42-class"
SINGLE = "cs230-midterm-winter-2020-seed42"


def write_roster(path: Path, names: list[str], first: int = 0) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student ID", "Name", "Section"])
        for i, name in enumerate(names, start=first):
            writer.writerow([f"s{i:04d}", name, "A"])
    return path


def run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)],
                          capture_output=True, text=True)  # fmt: skip


def text(pdf: Path, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return subprocess.run(["pdftotext", "-layout", *pages, str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout  # fmt: skip


@pytest.fixture(scope="module")
def roster_build(tmp_path_factory):
    needs_tex()
    tmp = tmp_path_factory.mktemp("class")
    roster = write_roster(tmp / "roster.csv", NAMES)
    result = run("--seed", 42, "--roster", roster, "--out", tmp / "out", "--workers", 2)
    assert result.returncode == 0, result.stderr
    return tmp / "out" / FOLDER, roster


def test_every_student_gets_named_pdfs_and_a_different_exam(roster_build):
    folder, _ = roster_build
    key = json.loads((folder / "key.json").read_text())
    assert [v["student"]["name"] for v in key["variants"]] == NAMES
    params = {json.dumps(v["questions"][0]["params"]) for v in key["variants"]}
    assert len(params) == len(NAMES)  # every student a different Question 1
    for variant in key["variants"]:
        sid, name = variant["student"]["id"], variant["student"]["name"]
        (student,) = (folder / "students").glob(f"{sid}_*")
        assert student.name == f"{sid}_{variant['variant']}"
        exam = text(student / "exam.pdf").replace("\u2019", "'")
        assert f"Name: {name}" in " ".join(exam.split())
        pages = exam.split("\f")[:-1]
        assert all(variant["variant"] in page for page in pages)  # id on every page
        assert all(f"{name} ({sid})" in page for page in pages[1:])  # name in every footer
        assert "Solution" not in exam  # one document per chunk typesets both versions
        assert "Solutions" in text(student / "solutions.pdf", 1, 1)


def test_print_file_starts_every_exam_on_an_odd_page(roster_build):
    folder, _ = roster_build
    pages = text(folder / "print.pdf").split("\f")[:-1]
    covers = [i + 1 for i, page in enumerate(pages) if "Full Points" in page]
    assert len(covers) == len(NAMES)
    assert all(number % 2 == 1 for number in covers)
    assert not any("Solution" in page for page in pages)
    assert len(pages) % 2 == 0


def test_answer_key_csv_has_a_row_per_student_and_part(roster_build):
    folder, _ = roster_build
    key = json.loads((folder / "key.json").read_text())
    with (folder / "answer-key.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    parts = sum(len(q["parts"]) for q in key["variants"][0]["questions"])
    assert len(rows) == len(NAMES) * parts
    first = key["variants"][0]
    row = next(
        r for r in rows if r["student_id"] == first["student"]["id"] and r["label"] == "7(d)"
    )
    part = next(p for p in first["questions"][6]["parts"] if p["label"] == "7(d)")
    assert int(row["answer"]) == part["answer"] and row["student_name"] == NAMES[0]


def test_adding_a_student_changes_nobody_elses_exam(tmp_path):
    small = write_roster(tmp_path / "a.csv", NAMES[:3])
    large = write_roster(tmp_path / "b.csv", ["New Student", *NAMES[:3]], first=-1)
    keys = []
    for roster, out in ((small, tmp_path / "a"), (large, tmp_path / "b")):
        result = run("--seed", 42, "--roster", roster, "--out", out, "--no-pdf")
        assert result.returncode == 0, result.stderr
        key = json.loads((out / FOLDER / "key.json").read_text())
        keys.append({v["student"]["id"]: v for v in key["variants"]})
    for sid, variant in keys[0].items():
        assert keys[1][sid] == variant


def test_variant_id_rebuilds_exactly_one_students_exam(tmp_path):
    roster = write_roster(tmp_path / "r.csv", NAMES[:4])
    assert (
        run("--seed", 42, "--roster", roster, "--out", tmp_path / "c", "--no-pdf").returncode == 0
    )
    key = json.loads((tmp_path / "c" / FOLDER / "key.json").read_text())
    target = key["variants"][2]
    result = run("--seed", 42, "--variant-id", target["variant"], "--roster", roster,
                 "--out", tmp_path / "one", "--no-pdf")  # fmt: skip
    assert result.returncode == 0, result.stderr
    single = tmp_path / "one" / f"{SINGLE}-{target['variant']}"
    one = json.loads((single / "key.json").read_text())
    assert one["variants"] == [target]
    assert sorted(p.name for p in single.iterdir()) == [
        "answer-key.csv", "exam.tex", "key.json", "solutions.tex"
    ]  # fmt: skip
    assert NAMES[0] not in (single / "exam.tex").read_text()  # nobody else's copy


def test_numbered_variants_start_with_the_single_exam(tmp_path):
    assert run("--seed", 7, "--variants", 3, "--out", tmp_path / "c", "--no-pdf").returncode == 0
    assert run("--seed", 7, "--out", tmp_path / "s", "--no-pdf").returncode == 0
    assert run("--seed", 7, "--out", tmp_path / "f", "--no-pdf", "--figures").returncode == 0
    many = json.loads(
        (tmp_path / "c" / "cs230-midterm-winter-2020-seed7-class" / "key.json").read_text()
    )
    one = json.loads((tmp_path / "s" / "cs230-midterm-winter-2020-seed7" / "key.json").read_text())
    drawn = tmp_path / "f" / "cs230-midterm-winter-2020-seed7"
    with_figures = json.loads((drawn / "key.json").read_text())
    assert [v["copy"] for v in many["variants"]] == [0, 1, 2]
    assert many["variants"][0] == one["variants"][0]
    # No run writes PNG figures by default, and its key names none; --figures does both.
    for question in one["variants"][0]["questions"]:
        assert question.pop("figures") == {}
    assert not (tmp_path / "s" / "cs230-midterm-winter-2020-seed7" / "figures").exists()
    questions = with_figures["variants"][0]["questions"]
    named = [f for q in questions for f in q.pop("figures").values()]
    assert named and all((drawn / figure).is_file() for figure in named)
    assert with_figures["variants"][0] == one["variants"][0]


def test_class_files_are_deterministic(tmp_path):
    roster = write_roster(tmp_path / "r.csv", NAMES)
    outputs = []
    for name, workers in (("a", 1), ("b", 2)):
        assert run("--seed", 3, "--roster", roster, "--out", tmp_path / name, "--no-pdf",
                   "--workers", workers).returncode == 0  # fmt: skip
        folder = tmp_path / name / "cs230-midterm-winter-2020-seed3-class"
        outputs.append({p.relative_to(folder): p.read_bytes() for p in folder.rglob("*")
                        if p.is_file()})  # fmt: skip
    assert outputs[0] == outputs[1]
    assert any(p.suffix == ".tex" for p in outputs[0])


def test_a_failing_variant_is_named_and_the_others_are_kept(tmp_path):
    needs_tex()
    bank = broken_question(
        tmp_path / "bank", "fragile", sample="{'n': int(rng.integers(1, 6))}",
        solve="{'a': params['n']}", stem=r"\BLOCK{if n == 3}\nosuchmacro\BLOCK{endif} Say $n$.",
    )  # fmt: skip
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('name = "fragile"\ntitle = "F"\n[[questions]]\nid = "broken/fragile"\n')
    result = run("--public", "--seed", 1, "--variants", 12, "--bank", bank, "--blueprint",
                 blueprint, "--out", tmp_path / "out")  # fmt: skip
    assert result.returncode == 1
    key = json.loads((tmp_path / "out" / "fragile-seed1-class-public" / "key.json").read_text())
    bad = [v for v in key["variants"] if v["questions"][0]["params"]["n"] == 3]
    assert bad, "the seed should give at least one failing variant"
    for variant in bad:
        assert (
            f"FAILED v{variant['copy']} (variant {variant['variant']}), Question 1 of the exam"
            in (result.stdout)
        )
    bad = [v["variant"] for v in bad]
    assert "Undefined control sequence" in result.stdout and "nosuchmacro" in result.stdout
    students = tmp_path / "out" / "fragile-seed1-class-public" / "students"
    built = {p.name.split("_")[1] for p in students.iterdir() if (p / "exam.pdf").exists()}
    assert built == {v["variant"] for v in key["variants"]} - set(bad)
    pages = text(tmp_path / "out" / "fragile-seed1-class-public" / "print.pdf").split("\f")[:-1]
    starts = [i + 1 for i, page in enumerate(pages) if "Full Points" in page]
    assert len(starts) == len(built)  # every good exam is in the print file ...
    assert all(start % 2 == 1 for start in starts)  # ... on an odd page
    assert "copies failed to typeset" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("Name,Section\nAda,A\n", "no student id column"),
        ("Student ID,Name\ns1,Ada\ns1,Bob\n", "student id 's1' appears twice"),
        ("Student ID,Name\n,Ada\n", "empty 'Student ID'"),
        # never a silent switch to another id column (everyone's exam would change)
        ("Student ID,Name,Email\ns1,Ann,a@x.edu\n,Bob,b@x.edu\n", "line 3: empty 'Student ID'"),
    ],
)
def test_roster_mistakes_get_one_clear_sentence(tmp_path, content, message):
    roster = tmp_path / "r.csv"
    roster.write_text(content, encoding="utf-8")
    result = run("--seed", 1, "--roster", roster, "--out", tmp_path / "out", "--no-pdf")
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {roster}") and message in result.stderr
    assert not (tmp_path / "out").exists()


def test_roster_columns_are_found_or_named(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("login,Full Name,extra\nab1,Ada B,x\n", encoding="utf-8")
    (student,) = read_roster(roster)
    assert (student.id, student.name, student.extra) == ("ab1", "Ada B", {"extra": "x"})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        # Canvas gradebook export: "Student" is the name, the institution's id (SIS User
        # ID) comes before Canvas's own; a "Points Possible" row, no id
        ('Student,ID,SIS User ID,SIS Login ID,Section,Midterm (1)\n'
         '    Points Possible,,,,,60\n"Doe, Jane",1234,jd01,jdoe,CS230,\n',
         ("jd01", "Doe, Jane")),
        # ... and a course without SIS ids: Canvas's own id then
        ('Student,ID,SIS User ID,SIS Login ID,Section\n"Doe, Jane",1234,,,CS230\n',
         ("1234", "Doe, Jane")),
        # Moodle participants: first and last name in two columns
        ("First name,Last name,ID number,Email address\nJane,Doe,s77,j@x.edu\n",
         ("s77", "Jane Doe")),
        # Gradescope roster
        ("First Name,Last Name,SID,Email\nJosé,Núñez,123,j@x.edu\n", ("123", "José Núñez")),
        # a spreadsheet saved with semicolons, and a tab-separated one
        ("Student ID;Name;Section\ns1;Ann O'Brien;A\n", ("s1", "Ann O'Brien")),
        ("Student ID\tName\ns1\tAnn\n", ("s1", "Ann")),
    ],
)  # fmt: skip
def test_rosters_exported_by_lms_and_spreadsheets_are_read(tmp_path, content, expected):
    roster = tmp_path / "r.csv"
    roster.write_text(content, encoding="utf-8")
    (student,) = read_roster(roster)
    assert (student.id, student.name) == expected


def _die(job):
    """A worker killed mid-chunk (the OOM killer, a kill -9)."""
    import os

    os._exit(9)


def _run_main(argv, capsys):
    from generator.cli import main

    with pytest.raises(SystemExit) as exited:
        main([str(a) for a in argv])
    return exited.value.code, capsys.readouterr().err


def test_a_killed_worker_is_one_clear_error_and_no_output(tmp_path, monkeypatch, capsys):
    from generator.builds import unique as classbuild

    monkeypatch.setattr(classbuild, "build_chunk", _die)
    code, err = _run_main(["--seed", 1, "--variants", 8, "--no-pdf", "--workers", 2,
                           "--out", tmp_path], capsys)  # fmt: skip
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("Error: a build process stopped")
    assert not any(tmp_path.iterdir())


def test_a_full_disk_is_one_clear_error_and_no_output(tmp_path, monkeypatch, capsys):
    import errno

    from generator.key import write as keys

    def full(path, *args):
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(keys, "write_key", full)
    code, err = _run_main(["--seed", 1, "--variants", 3, "--no-pdf", "--out", tmp_path],
                          capsys)  # fmt: skip
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "key.json: No space left on device" in last
    assert "nothing was written" in last and "Traceback" not in err
    assert not any(tmp_path.iterdir())


def test_no_solutions_typesets_the_exams_only(tmp_path):
    """For printing now and publishing solutions later: exams, print file and keys, nothing
    of the solutions but what the key holds."""
    needs_tex()
    result = run("--seed", 3, "--variants", 4, "--no-solutions", "--out", tmp_path / "class")
    assert result.returncode == 0, result.stderr
    assert "students/<copy>/exam.pdf; print.pdf; key.json" in result.stdout
    folder = tmp_path / "class" / "cs230-midterm-winter-2020-seed3-class"
    students = sorted((folder / "students").iterdir())
    assert [sorted(p.name for p in s.iterdir()) for s in students] == [["exam.pdf"]] * 4
    assert "Solution" not in text(folder / "print.pdf")
    assert len(json.loads((folder / "key.json").read_text())["variants"]) == 4
    single = run("--seed", 3, "--no-solutions", "--out", tmp_path / "one")
    assert single.returncode == 0, single.stderr
    written = {p.name for p in (tmp_path / "one" / "cs230-midterm-winter-2020-seed3").iterdir()}
    assert {"exam.pdf", "exam.tex", "key.json"} <= written
    assert not {"solutions.pdf", "solutions.tex"} & written


def test_a_long_name_does_not_run_into_the_page_number(tmp_path):
    """The footer holds the name, "Page N" and the variant: a long name is shrunk to its
    share of the line (it was printed over the page number)."""
    import re

    needs_tex()
    name = "Maria Alexandra Konstantinopoulou-Papadopoulou von Hohenzollern y Fernández"
    roster = write_roster(tmp_path / "roster.csv", [name])
    result = run("--seed", 1, "--roster", roster, "--no-solutions", "--out", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    (exam,) = (tmp_path / "out").glob("*/students/*/exam.pdf")
    boxes = subprocess.run(["pdftotext", "-f", "2", "-l", "2", "-bbox", str(exam), "-"],
                           capture_output=True, text=True, check=True).stdout  # fmt: skip
    words = {
        w: (float(x0), float(x1))
        for x0, x1, w in re.findall(
            r'xMin="([\d.]+)" yMin="7[0-9.]+" xMax="([\d.]+)"[^>]*>([^<]+)<', boxes
        )
    }
    assert "(s0000)" in words and "Page" in words, words
    assert words["(s0000)"][1] < words["Page"][0]  # the name ends before the page number


def test_ctrl_c_stops_the_class_build_and_leaves_nothing(tmp_path):
    """Ctrl-C reaches every process of the build (the terminal signals the whole group):
    the run says Aborted, exits 130, leaves no folder and no process behind.  It is sent
    once the build reports its first finished chunk, so it lands in the typesetting."""
    import os
    import signal

    needs_tex()
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "--seed", "1", "--variants", "1000",
         "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    before = typesetting(build, 1000)  # the build's own word that it is typesetting
    os.killpg(build.pid, signal.SIGINT)
    output, _ = build.communicate(timeout=120)
    assert build.returncode == 130, "".join(before) + output
    assert output.rstrip().endswith("Aborted.")
    assert "Traceback" not in output
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
    assert all_gone(build.pid, 5), "processes of the interrupted build are still running"


def test_what_a_worker_sends_back_fits_in_one_atomic_pipe_write(tmp_path):
    """A chunk's result crosses the pool's pipe in one write of at most PIPE_BUF bytes,
    whatever the chunk's size: a worker stopped by Ctrl-C halfway through a longer one
    left the pool waiting forever for the rest (CI saw the build hang, not stop)."""
    import pickle
    import select

    from generator.builds import unique as classbuild
    from generator.builds.chunks import Typesetting
    from generator.variants.roster import numbered
    from generator.variants.seeding import Seeding

    seeding = Seeding(1)
    typesetting = Typesetting(tmp_path, None)
    typesetting.run.tex.mkdir()
    job = classbuild._Job(0, tuple(numbered(seeding, classbuild.MAX_CHUNK)), seeding, None, (),
                          typesetting)  # fmt: skip
    result = classbuild.build_chunk(job)
    assert result.copies == classbuild.MAX_CHUNK
    assert len(pickle.dumps(result)) + 4 <= select.PIPE_BUF  # 4: the connection's length header
    entries = json.loads(b"[" + result.key_file.read_bytes() + b"]")
    assert [e["variant"] for e in entries] == [a.variant_id for a in job.assignments]


def test_the_print_file_keeps_copy_order_whatever_order_chunks_finish(tmp_path):
    """Chunks finish in any order; the print file takes each one's exam pages (and not the
    pages after them, its solutions) in chunk order."""
    import pikepdf

    from generator.builds.chunks import ChunkResult, PrintFile
    from generator.builds.unique import PrintParts

    results = []
    for index in range(3):
        part = tmp_path / f"part{index}.pdf"
        with pikepdf.new() as pdf:
            for page in range(4):  # two exam pages, then two solutions pages
                pdf.add_blank_page(page_size=(100 + 10 * index + page, 100))
            pdf.save(part)
        result = ChunkResult(index, 1, tmp_path / "k", tmp_path / "c", pdf=part, exam_pages=2)
        results.append(result)
    printed = PrintFile(PrintParts())
    for index in (2, 0, 1):
        printed.add(results[index])
    printed.save(tmp_path / "print.pdf")
    with pikepdf.open(tmp_path / "print.pdf") as whole:
        widths = [float(page.mediabox[2]) for page in whole.pages]
    assert widths == [100, 101, 110, 111, 120, 121]
    assert not any(r.pdf.exists() for r in results)  # the parts are let go
