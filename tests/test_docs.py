"""The documentation site builds with ``mkdocs build --strict`` (mkdocs.yml): every page
in the navigation, every link and anchor found, the CLI and Python API references made
from the code, the key's JSON Schema from its records."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_site_builds_strictly(tmp_path):
    site = tmp_path / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(site)],
                          cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    cli = (site / "cli" / "index.html").read_text()
    for command in ("build", "check", "export", "grade", "new", "preview", "diff-keys"):
        assert f"generate-exam {command}" in cli
    assert "generator.api.build" in (site / "python-api" / "index.html").read_text()
    assert "&quot;format_version&quot;" in (site / "key-format" / "index.html").read_text()


def test_the_readme_points_to_the_docs_and_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines[1] == "```sh" and lines[2].startswith("make demo") and lines[3].startswith(
        "make test")  # fmt: skip
    for page in ("docs/index.md", "docs/install.md", "docs/python-api.md"):
        assert f"]({page})" in text


def test_docs_names_a_pages_path_and_refuses_an_unknown_one():
    from click.testing import CliRunner

    from generator.cli import cli

    result = CliRunner().invoke(cli, ["docs", "grading"])
    assert result.exit_code == 0 and Path(result.output.strip()) == ROOT / "docs" / "grading.md"
    result = CliRunner().invoke(cli, ["docs", "gradng"])
    assert result.exit_code == 1
    assert "no page 'gradng' in the documentation; the pages: architecture," in str(
        result.exception)  # fmt: skip
