"""Run folders: never half-written, never lost, never written by two runs at once; a killed
run leaves no process behind, and the next run clears its debris."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import portalocker
import pytest

from generator.staging import staging

from .conftest import all_gone, needs_tex, typesetting

SINGLE = "cs230-midterm-winter-2020-seed42-public"


def run(*args):
    return subprocess.run([sys.executable, "-m", "generator", "--public", *map(str, args)],
                          capture_output=True, text=True)  # fmt: skip


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("Warning:")]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_class_does_not_replace_the_single_exam_of_its_seed(tmp_path):
    assert run("--seed", 42, "--out", tmp_path, "--no-pdf").returncode == 0
    before = snapshot(tmp_path / SINGLE)
    assert run("--seed", 42, "--variants", 5, "--out", tmp_path, "--no-pdf").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{SINGLE[:-7]}-class-public", SINGLE]
    assert snapshot(tmp_path / SINGLE) == before


def test_a_rebuild_keeps_what_the_user_added_unless_forced(tmp_path):
    assert run("--seed", 42, "--out", tmp_path, "--no-pdf", "--lms", "csv").returncode == 0
    folder = tmp_path / SINGLE
    (folder / "grades.csv").write_text("s1,10\n")
    again = run("--seed", 42, "--out", tmp_path, "--no-pdf")  # no --lms: lms/ would go too
    assert again.returncode == 1
    (line,) = errors(again)
    assert line.startswith(f"Error: {folder}: holds grades.csv, lms/answer-key.csv")
    assert "--force" in line
    assert (folder / "grades.csv").read_text() == "s1,10\n" and (folder / "lms").is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == [SINGLE]  # no staging left
    forced = run("--seed", 42, "--out", tmp_path, "--no-pdf", "--force")
    assert forced.returncode == 0, forced.stderr
    assert not (folder / "grades.csv").exists() and not (folder / "lms").exists()


def test_the_same_run_again_replaces_its_own_files(tmp_path):
    assert run("--seed", 42, "--out", tmp_path, "--no-pdf").returncode == 0
    before = snapshot(tmp_path / SINGLE)
    again = run("--seed", 42, "--out", tmp_path, "--no-pdf")
    assert again.returncode == 0, again.stderr
    assert snapshot(tmp_path / SINGLE) == before


def test_a_second_run_into_a_folder_being_written_stops_at_once(tmp_path):
    lock = os.open(tmp_path / f".{SINGLE}.lock", os.O_RDWR | os.O_CREAT)
    portalocker.lock(lock, portalocker.LockFlags.EXCLUSIVE)  # a live run holds it
    try:
        result = run("--seed", 42, "--out", tmp_path, "--no-pdf")
    finally:
        os.close(lock)
    assert result.returncode == 1
    (line,) = errors(result)
    assert line == (
        f"Error: {tmp_path / SINGLE}: another generate-exam run is writing this folder right "
        "now; wait for it to finish, or choose another --out."
    )
    assert not (tmp_path / SINGLE).exists()


def test_the_debris_of_a_killed_run_is_cleared_and_a_half_swap_undone(tmp_path):
    (tmp_path / ".other-seed1.partial" / "students").mkdir(parents=True)  # killed mid-build
    (tmp_path / f".{SINGLE}.old").mkdir()  # killed between the renames of its swap
    (tmp_path / f".{SINGLE}.old" / "key.json").write_text("{}")
    live = tmp_path / ".live-seed2.partial"
    live.mkdir()
    lock = os.open(tmp_path / ".live-seed2.lock", os.O_RDWR | os.O_CREAT)
    portalocker.lock(lock, portalocker.LockFlags.EXCLUSIVE)  # its run is still working
    try:
        with staging(tmp_path / "third-seed3") as tmp:
            (tmp / "key.json").write_text("{}")
    finally:
        os.close(lock)
    assert not (tmp_path / ".other-seed1.partial").exists()
    assert (tmp_path / SINGLE / "key.json").read_text() == "{}"  # the earlier output is back
    assert live.is_dir()  # a live run's folder is left alone
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [".live-seed2.lock", ".live-seed2.partial", SINGLE, "third-seed3"]


def test_a_failed_run_leaves_no_trace(tmp_path):
    with pytest.raises(RuntimeError), staging(tmp_path / "exam-seed1") as tmp:
        (tmp / "half.tex").write_text("...")
        raise RuntimeError("typesetting failed")
    assert list(tmp_path.iterdir()) == []


def test_a_killed_class_build_takes_its_workers_along_and_is_cleared_by_the_next(tmp_path):
    """SIGKILL reaches only the main process: the workers (and their pdflatex) must die with
    it, and the next run into the same --out removes the killed run's staging folder."""
    needs_tex()
    build = subprocess.Popen(
        [sys.executable, "-m", "generator", "--public", "--seed", "1", "--variants", "400",
         "--out", str(tmp_path), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    typesetting(build, 400)
    build.kill()  # the main process only
    build.wait()
    assert all_gone(build.pid, 10), "workers of the killed build are still running"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
    after = run("--seed", 2, "--out", tmp_path, "--no-pdf")
    assert after.returncode == 0, after.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cs230-midterm-winter-2020-seed2-public"]


def test_an_export_that_fails_changes_nothing(tmp_path, monkeypatch):
    """A second export of a finished run writes a new lms/ beside the old one: a failure in
    its last format leaves the earlier files as they were, and no half-written one."""
    from generator import lms
    from generator.lms import qti21

    assert run("--seed", 42, "--out", tmp_path, "--no-pdf", "--lms", "moodle").returncode == 0
    folder = tmp_path / SINGLE
    before = snapshot(folder)

    def full_disk(key, run_folder, out):
        (out / "qti21.zip").write_bytes(b"PK half")
        raise OSError(28, "No space left on device", str(out / "qti21.zip"))

    monkeypatch.setattr(qti21, "write", full_disk)
    with pytest.raises(OSError):
        lms.export_run(folder, ["gift", "qti21"])
    assert snapshot(folder) == before
    assert sorted(p.name for p in folder.iterdir() if p.name.startswith(".")) == []
    monkeypatch.undo()
    written = lms.export_run(folder, ["gift"])  # and a good one adds to what was there
    assert [p.name for p in written] == ["questions.gift", "gift-slot-marks.csv",
                                         "scoring-notes.txt"]  # fmt: skip
    assert sorted(p.name for p in (folder / "lms").iterdir()) == [
        "gift-slot-marks.csv",
        "moodle.xml",
        "questions.gift",
        "scoring-notes.txt",
        "slot-marks.csv",
    ]
    assert json.loads((folder / "key.json").read_text())["variants"]


def test_an_export_that_fails_in_a_build_leaves_no_folder(tmp_path, monkeypatch):
    """--lms runs in the build's staging folder: its failure fails the build, atomically."""
    from generator.builds.pipeline import BuildSpec, build
    from generator.lms.moodle import xml as moodle_xml
    from generator.variants.seeding import PUBLIC

    def broken(key, run_folder, out):
        raise OSError(28, "No space left on device", str(out / "moodle.xml"))

    monkeypatch.setattr(moodle_xml, "write", broken)
    with pytest.raises(OSError):
        build(BuildSpec(seed=42, secret=PUBLIC, out=tmp_path, pdf=False, lms=("csv", "moodle")))
    assert list(tmp_path.iterdir()) == []
