"""generator/files.py: reading a file that may have been tampered with, bounded."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator import files
from generator.files import NotAFile, read_file

GB = 2**30


def test_a_small_file_under_a_huge_limit_needs_no_huge_buffer(tmp_path):
    """Issue 28: a 0.9 MB key read under the key's 4 GiB limit ended in MemoryError on a
    machine with less memory: the buffer was the limit's size."""
    key = tmp_path / "key.json"
    key.write_bytes(b"x" * 900_000)
    code = textwrap.dedent(f"""
        import resource
        from pathlib import Path
        from generator.files import read_file
        resource.setrlimit(resource.RLIMIT_AS, ({GB}, {GB}))
        data = read_file(Path({str(key)!r}), limit=4 * {GB}, follow_links=False)
        print(len(data))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "900000"


def test_a_file_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * (3 * 2**20 + 1))
    with pytest.raises(NotAFile, match="larger than 3 MB"):
        read_file(path, limit=3 * 2**20)
    assert read_file(path, limit=3 * 2**20 + 1) == b"x" * (3 * 2**20 + 1)


@pytest.fixture(params=["native", "windows"])
def opening(request, monkeypatch):
    """Files opened as here (O_NOFOLLOW, openat), or as on Windows, which has neither: the
    links must be refused either way."""
    if request.param == "windows":
        monkeypatch.setattr(files, "NOFOLLOW", 0)
        monkeypatch.setattr(os, "supports_dir_fd", set())
    return request.param


def test_a_link_is_refused_when_links_are_not_followed(tmp_path, opening):
    (tmp_path / "real.csv").write_text("real")
    (tmp_path / "link.csv").symlink_to(tmp_path / "real.csv")
    assert read_file(tmp_path / "link.csv", limit=100) == b"real"
    with pytest.raises(NotAFile, match="a symbolic link"):
        read_file(tmp_path / "link.csv", limit=100, follow_links=False)
    with pytest.raises(FileNotFoundError):
        read_file(tmp_path / "none.csv", limit=100, follow_links=False)


def test_under_a_folder_no_link_on_the_way_is_followed(tmp_path, opening):
    run, outside = tmp_path / "run", tmp_path / "outside"
    (run / "grades").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.csv").write_text("secret")
    (run / "grades" / "a.csv").write_text("mine")
    assert read_file(run / "grades" / "a.csv", limit=100, under=run) == b"mine"
    (run / "grades" / "b.csv").symlink_to(outside / "secret.csv")
    (run / "linked").symlink_to(outside)
    for path in (run / "grades" / "b.csv", run / "linked" / "secret.csv"):
        with pytest.raises(NotAFile):
            read_file(path, limit=100, under=run)
    with pytest.raises(NotAFile):
        read_file(Path("/etc/passwd"), limit=10_000, under=run)
    with pytest.raises(FileNotFoundError):
        read_file(run / "missing" / "a.csv", limit=100, under=run)
