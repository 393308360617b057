"""`export` trusts nothing in key.json: a tampered or damaged key is refused before anything
is read or written, and text from it is escaped for the LMS that shows it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from generator.lms import FORMATS, parse_formats

FOLDER = "cs230-midterm-winter-2020-seed42-public"


def run(*args):
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)],
                          capture_output=True, text=True)  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("export")
    result = run("--public", "--seed", 42, "--out", out, "--no-pdf", "--figures")
    assert result.returncode == 0, result.stderr
    return out / FOLDER


@pytest.fixture
def copy(built, tmp_path) -> Path:
    """A copy of the run to tamper with, inside a folder that holds nothing else."""
    target = tmp_path / "runs" / FOLDER
    shutil.copytree(built, target)
    return target


def edit_key(folder: Path, change) -> None:
    key = json.loads((folder / "key.json").read_text())
    change(key)
    (folder / "key.json").write_text(json.dumps(key))


def q3(key):
    return key["variants"][0]["questions"][2]


def assert_refused(result, folder: Path, *phrases: str) -> None:
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in line, line
    assert not (folder / "lms").exists()
    assert sorted(p.name for p in folder.parent.iterdir()) == [FOLDER]  # nothing beside it


@pytest.mark.parametrize(
    "figure",
    ["/etc/passwd", "../../../../etc/passwd", "figures/../../x.png", "figures/.hidden.png",
     "key.json", "figures/a/b.png"],
)  # fmt: skip
def test_a_figure_path_outside_figures_is_refused(copy, figure):
    edit_key(copy, lambda key: q3(key)["figures"].update(curves=figure))
    result = run("export", copy, "--lms", "canvas,qti21,moodle")
    assert_refused(result, copy, "key.json: not an answer key", "figures")


def test_a_figure_that_is_a_link_is_not_followed(copy, tmp_path):
    secret = tmp_path / "private.png"
    secret.write_bytes(b"\x89PNG not for students")
    (figure,) = (copy / "figures").iterdir()
    figure.unlink()
    figure.symlink_to(secret)
    result = run("export", copy, "--lms", "canvas")
    assert_refused(result, copy, "a symbolic link, not a figure of the run")


def test_a_linked_figures_folder_is_not_followed(copy, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(copy / "figures", elsewhere)
    (copy / "figures").symlink_to(elsewhere)
    result = run("export", copy, "--lms", "qti21")
    assert_refused(result, copy, "figure path")


def test_a_linked_lms_folder_is_not_written_through(copy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (copy / "lms").symlink_to(outside)
    result = run("export", copy, "--lms", "moodle")
    assert result.returncode == 1 and "is not a folder of this run" in result.stderr
    assert list(outside.iterdir()) == []


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "not valid JSON"),
        (b"{not json", "not valid JSON (line 1"),
        (b"\xff\xfe{}", "not UTF-8 text"),
        (b"[]", "not an answer key"),
        (b'{"format": "exam-variant-generator/key"}', "not an answer key"),
    ],
)
def test_a_damaged_key_is_one_clear_error(copy, content, phrase):
    (copy / "key.json").write_bytes(content)
    result = run("export", copy, "--lms", "moodle")
    assert_refused(result, copy, f"{copy / 'key.json'}: {phrase}", "build the run again")


def test_a_key_that_breaks_its_schema_is_refused(copy):
    edit_key(copy, lambda key: q3(key)["parts"][0].update(points="many"))
    result = run("export", copy, "--lms", "gift")
    assert_refused(result, copy, "not an answer key", "points")


def test_markup_in_entry_names_and_labels_is_escaped_in_every_lms(copy):
    """Vector entry names and matching labels come from the key: in an LMS's HTML they are
    text, never markup (nor a Moodle cloze blank)."""
    attack = "<script>alert(1)</script>{1:SHORTANSWER:=x}"

    def change(key):
        for question in key["variants"][0]["questions"]:
            for part in question["parts"]:
                if part["kind"] == "vector":
                    names = [f"{attack}{n}" for n in range(len(part["answer"]))]
                    renamed = dict(zip(part["names"], names, strict=False))
                    for group in part["scoring"].get("groups", []):  # its rubric's groups too
                        group["of"] = [renamed[name] for name in group["of"]]
                    part["names"] = names
                if part["kind"] == "matching":
                    part["answer"] = {f"{attack}{k}": v for k, v in part["answer"].items()}

    edit_key(copy, change)
    result = run("export", copy, "--lms", "all")
    assert result.returncode == 0, result.stderr
    texts = []
    for path in (copy / "lms").rglob("*.*"):
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                texts += [archive.read(n).decode() for n in archive.namelist() if n.endswith("xml")]
        elif path.suffix != ".csv":
            texts.append(path.read_text(encoding="utf-8"))
    whole = "\n".join(texts)
    assert "&lt;script&gt;" in whole or "&amp;lt;script&amp;gt;" in whole
    assert "<script>" not in whole
    for moodle in ("moodle.xml", "questions.gift"):  # no cloze blank of the key's making
        assert "{1:SHORTANSWER" not in (copy / "lms" / moodle).read_text(encoding="utf-8")


def test_all_means_every_format():
    assert parse_formats("all") == list(FORMATS)
    assert parse_formats("moodle, ALL") == list(FORMATS)


def test_nothing_outside_the_run_is_touched(copy):
    """An export writes only into the run's own lms/ (and nothing else of the run)."""
    before = {p: p.read_bytes() for p in copy.parent.parent.rglob("*") if p.is_file()}
    result = run("export", copy, "--lms", "all")
    assert result.returncode == 0, result.stderr
    changed = {p for p in copy.parent.parent.rglob("*")
               if p.is_file() and before.get(p) != p.read_bytes()}  # fmt: skip
    assert changed and all(copy / "lms" in p.parents or p == copy / "lms" for p in changed)
    assert not os.path.islink(copy / "lms")


@pytest.mark.parametrize("copies, name", [
    ((), FOLDER),
    (("--variants", 2), "cs230-midterm-winter-2020-seed42-class-public"),
])  # fmt: skip
def test_a_run_built_without_figures_names_none_and_its_export_says_how_to_fix(tmp_path, copies,
                                                                                name):  # fmt: skip
    """No run writes PNG figures by default, one exam or a class: its key names none (no
    link to a missing file), and an export asks for a build with --figures instead of
    shipping broken images."""
    result = run("--public", "--seed", 42, *copies, "--no-pdf", "--out", tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / name
    key = json.loads((folder / "key.json").read_text())
    assert all(not q["figures"] for v in key["variants"] for q in v["questions"])
    assert not (folder / "figures").exists()
    result = run("export", folder, "--lms", "moodle")
    assert result.returncode == 1
    assert "built without the PNG figures that question 3 needs" in result.stderr
    assert "--figures" in result.stderr
    assert not (folder / "lms").exists()
    assert run("export", folder, "--lms", "csv").returncode == 0  # it shows no questions
    shutil.rmtree(folder / "lms")
    result = run("--public", "--seed", 42, *copies, "--no-pdf", "--figures",
                 "--out", tmp_path, "--force")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert run("export", folder, "--lms", "moodle").returncode == 0


def test_a_key_whose_scoring_does_not_fit_its_part_is_refused(copy):
    """A group naming no entry of its part (a key edited by hand) can be scored by no LMS
    file, nor by grade: the export names the part and writes nothing."""

    def change(key):
        for question in key["variants"][0]["questions"]:
            for part in question["parts"]:
                if part["label"] == "1(d)":
                    part["scoring"]["groups"][0]["of"] = ["kernels"]

    edit_key(copy, change)
    shutil.rmtree(copy / "lms", ignore_errors=True)
    result = run("export", copy, "--lms", "all")
    assert_refused(result, copy, "part 1(d) of copy", "'kernels'", "build the run again")
