"""The instructor's secret: made on first use and kept private; without it no page tells
the seed or lets anyone rebuild a copy, with it ``--variant-id`` rebuilds it byte for byte."""

from __future__ import annotations

import csv
import json
import os
import re
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from .conftest import needs_tex, write_blueprint

SEED = 987_654_321  # a number no exam prints by chance


def run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)],
                          capture_output=True, text=True, env=env)  # fmt: skip


def errors(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if not line.startswith("Warning:")]


def write_roster(path: Path, count: int = 5) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Student ID", "Name"])
        writer.writerows([f"s{i}", f"Student {i}"] for i in range(count))
    return path


def test_the_first_run_makes_a_private_secret_beside_the_blueprint(tmp_path):
    blueprint = write_blueprint(tmp_path / "course" / "midterm.toml", ["cs230-w2020/cnns"])
    first = run("--seed", 1, "--blueprint", blueprint, "--out", tmp_path / "a", "--no-pdf")
    assert first.returncode == 0, first.stderr
    secret = tmp_path / "course" / "exam-secret.key"
    assert f"Created the exam secret {secret}" in first.stderr
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    (digits,) = [line for line in secret.read_text().splitlines() if not line.startswith("#")]
    assert re.fullmatch(r"[0-9a-f]{64}", digits)  # 256 random bits
    second = run("--seed", 1, "--blueprint", blueprint, "--out", tmp_path / "b", "--no-pdf")
    assert second.returncode == 0 and "Created" not in second.stderr
    for output in (first, second):
        assert digits not in output.stdout + output.stderr  # never printed
    a, b = (tmp_path / x / "custom-seed1" for x in "ab")
    assert (a / "exam.tex").read_bytes() == (b / "exam.tex").read_bytes()
    assert digits not in (a / "key.json").read_text()  # the key holds a fingerprint only


def test_two_secrets_give_two_exams_for_one_seed(tmp_path):
    outputs = []
    for name in ("one", "two"):
        result = run("--seed", 3, "--secret-file", tmp_path / f"{name}.key", "--out",
                     tmp_path / name, "--no-pdf")  # fmt: skip
        assert result.returncode == 0, result.stderr
        key = json.loads(
            (tmp_path / name / "cs230-midterm-winter-2020-seed3" / "key.json").read_text()
        )
        outputs.append([q["params"] for q in key["variants"][0]["questions"]])
    assert outputs[0] != outputs[1]


def test_a_failed_run_makes_no_secret(tmp_path):
    blueprint = write_blueprint(tmp_path / "course" / "bad.toml", ["no/such-question"])
    result = run("--seed", 1, "--blueprint", blueprint, "--out", tmp_path / "out", "--no-pdf")
    assert result.returncode == 1
    assert not (tmp_path / "course" / "exam-secret.key").exists()


def test_public_mode_is_the_same_on_every_machine_and_says_so(tmp_path):
    outputs = []
    for name in ("a", "b"):  # two users: two config folders, two secrets if any were made
        env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / f"config-{name}")}
        result = run("--public", "--seed", 42, "--out", tmp_path / name, "--no-pdf", env=env)
        assert result.returncode == 0, result.stderr
        assert result.stderr.startswith("Warning: public mode: anyone")
        folder = tmp_path / name / "cs230-midterm-winter-2020-seed42-public"
        outputs.append({p.name: p.read_bytes() for p in folder.glob("*.*")})
        assert not (tmp_path / f"config-{name}" / "exam-variant-generator").exists()
    assert outputs[0] == outputs[1] and "key.json" in outputs[0]


def test_a_code_needs_the_secret_it_was_made_with(tmp_path):
    roster = write_roster(tmp_path / "roster.csv")
    secret = tmp_path / "mine.key"
    # A fixed secret, not one made afresh: a code's 2 check digits pass under another
    # secret 1 time in 256, and this test must not depend on that luck.
    secret.write_text("cd" * 32 + "\n")
    secret.chmod(0o600)
    result = run("--seed", SEED, "--roster", roster, "--secret-file", secret, "--out",
                 tmp_path / "class", "--no-pdf")  # fmt: skip
    assert result.returncode == 0, result.stderr
    (folder,) = (tmp_path / "class").iterdir()
    code = json.loads((folder / "key.json").read_text())["variants"][3]["variant"]
    attempts = {
        "public": ["--public"],
        "another secret": ["--secret-file", tmp_path / "theirs.key"],
    }
    (tmp_path / "theirs.key").write_text("ab" * 32 + "\n")
    for name, flags in attempts.items():
        rebuild = run("--seed", SEED, "--variant-id", code, "--roster", roster, *flags,
                      "--out", tmp_path / name, "--no-pdf")  # fmt: skip
        assert rebuild.returncode == 1, (name, rebuild.stderr)
        (line,) = errors(rebuild)
        assert line.startswith(f"Error: --variant-id '{code}' is not a copy code of this secret")
        assert not (tmp_path / name).exists()
    missing = run("--seed", SEED, "--variant-id", code, "--secret-file", tmp_path / "none.key",
                  "--out", tmp_path / "none", "--no-pdf")  # fmt: skip
    assert missing.returncode == 1 and "secret file not found" in missing.stderr
    assert not (tmp_path / "none.key").exists()  # a rebuild never makes a secret


def test_a_mistyped_code_with_a_roster_is_refused(tmp_path):
    roster = write_roster(tmp_path / "roster.csv")
    secret = tmp_path / "mine.key"
    assert run("--seed", 1, "--roster", roster, "--secret-file", secret, "--out", tmp_path / "c",
               "--no-pdf").returncode == 0  # fmt: skip
    (folder,) = (tmp_path / "c").iterdir()
    code = json.loads((folder / "key.json").read_text())["variants"][0]["variant"]
    typo = code[:4] + ("0" if code[4] != "0" else "1") + code[5:]
    for wrong in (typo, "v3"):
        result = run("--seed", 1, "--variant-id", wrong, "--roster", roster, "--secret-file",
                     secret, "--out", tmp_path / "one", "--no-pdf")  # fmt: skip
        assert result.returncode == 1, result.stderr
        assert errors(result)[0].startswith("Error: --variant-id")
    other_seed = run("--seed", 2, "--variant-id", code, "--roster", roster, "--secret-file",
                     secret, "--out", tmp_path / "one", "--no-pdf")  # fmt: skip
    assert other_seed.returncode == 1
    assert "no student of the roster has this code with seed 2" in other_seed.stderr
    assert not (tmp_path / "one").exists()


def test_a_rebuilt_copy_is_the_very_same_bytes(tmp_path):
    """A class copy rebuilt with --variant-id and the roster: the same PDFs and key entry;
    the single exam rebuilt from the code on its pages: the same files."""
    needs_tex()
    roster = write_roster(tmp_path / "roster.csv", 6)
    secret = tmp_path / "mine.key"
    common = ["--seed", SEED, "--secret-file", secret]
    assert run(*common, "--roster", roster, "--out", tmp_path / "class").returncode == 0
    (folder,) = (tmp_path / "class").iterdir()
    target = json.loads((folder / "key.json").read_text())["variants"][4]
    rebuild = run(*common, "--variant-id", target["variant"], "--roster", roster, "--out",
                  tmp_path / "again")  # fmt: skip
    assert rebuild.returncode == 0, rebuild.stderr
    (again,) = (tmp_path / "again").iterdir()
    (original,) = (folder / "students").glob(f"{target['student']['id']}_*")
    for pdf in ("exam.pdf", "solutions.pdf"):
        assert (again / pdf).read_bytes() == (original / pdf).read_bytes()
    assert json.loads((again / "key.json").read_text())["variants"] == [target]

    assert run(*common, "--out", tmp_path / "single").returncode == 0
    (single,) = (tmp_path / "single").iterdir()
    code = json.loads((single / "key.json").read_text())["variants"][0]["variant"]
    assert run(*common, "--variant-id", code, "--out", tmp_path / "single2").returncode == 0
    (single2,) = (tmp_path / "single2").iterdir()
    for name in ("exam.pdf", "solutions.pdf", "exam.tex", "key.json"):
        assert (single2 / name).read_bytes() == (single / name).read_bytes(), name


def test_nothing_handed_out_shows_the_seed(tmp_path):
    """The PDFs' text and bytes and every LMS file: the HMAC codes, never the seed."""
    needs_tex()
    result = run("--seed", SEED, "--out", tmp_path, "--lms", "all")
    assert result.returncode == 0, result.stderr
    (folder,) = tmp_path.iterdir()
    key = json.loads((folder / "key.json").read_text())
    assert key["exam"]["seed"] == SEED  # the key is the instructor's: it may say
    text = subprocess.run(["pdftotext", str(folder / "exam.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert f"Variant {key['variants'][0]['variant']}" in text
    handed_out = [folder / "exam.pdf", folder / "solutions.pdf", *(folder / "lms").rglob("*.*")]
    for path in handed_out:
        blobs = [path.read_bytes()]
        if path.suffix == ".zip":
            with zipfile.ZipFile(path) as archive:
                blobs = [archive.read(name) for name in archive.namelist()]
        for blob in blobs:
            assert str(SEED).encode() not in blob and b"seed" not in blob.lower(), path
            if path.suffix != ".pdf":  # item titles name the copy by its code, not as v0
                assert not re.search(rb"\) v\d+\b", blob), path


def test_the_secret_stays_out_of_the_output_folder(tmp_path):
    result = run("--seed", 1, "--secret-file", tmp_path / "out" / "s.key", "--out",
                 tmp_path / "out", "--no-pdf")  # fmt: skip
    assert result.returncode == 2
    assert "inside the output folder" in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", ["not a secret\n", "abcd\n", "", "ab" * 32 + "\n" + "cd" * 32])
def test_a_damaged_secret_file_is_one_clear_error(tmp_path, content):
    secret = tmp_path / "s.key"
    secret.write_text(content)
    result = run("--seed", 1, "--secret-file", secret, "--out", tmp_path / "out", "--no-pdf")
    assert result.returncode == 1
    (line,) = errors(result)
    assert line.startswith(f"Error: {secret}: not an exam secret") and "backup" in line
    assert secret.read_text() == content  # never overwritten
