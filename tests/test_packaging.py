"""The wheel carries the question bank and templates: an installed copy works from any folder."""

from __future__ import annotations

import email.parser
import importlib
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(out), str(ROOT)],
        check=True, capture_output=True,
    )  # fmt: skip
    (path,) = out.glob("*.whl")
    return path


def test_wheel_contains_bank_templates_docs_and_schema(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [
        p.relative_to(ROOT).as_posix()
        for folder in ("question_bank", "templates", "docs")
        for p in (ROOT / folder).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    ]
    assert shipped
    for path in shipped:
        assert f"generator/_data/{path}" in names
    assert not any("__pycache__" in n for n in names)


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The wheel installed (without its dependencies, which this venv has) in a folder."""
    target = tmp_path_factory.mktemp("site")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    return target


def test_installed_copy_generates_from_another_folder(installed, tmp_path):
    target = installed
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = "import generator, sys; print(generator.__file__); sys.argv[1:] = ['--seed', '42', '--no-pdf']; from generator.cli import main; main()"  # noqa: E501
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].startswith(str(target))  # the installed copy ran
    folder = elsewhere / "output" / "cs230-midterm-winter-2020-seed42"
    assert sorted(p.name for p in folder.iterdir()) == [
        "exam.tex",
        "key.json",
        "solutions.tex",
    ]  # and no figures/: the PDFs draw their own, --figures writes PNG copies
    # The key's JSON Schema is made by the installed copy from its records (no file to ship),
    # and the key it wrote keeps to it (jsonschema: a second implementation).
    check = ("import json, sys, jsonschema; from generator.key.schema import schema; "
             "jsonschema.validate(json.load(open(sys.argv[1])), schema())")  # fmt: skip
    result = subprocess.run([sys.executable, "-c", check, str(folder / "key.json")],
                            cwd=elsewhere, env=env, capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr


def test_the_installed_docs_command_points_into_the_installed_copy(installed, tmp_path):
    target = installed
    env = {**os.environ, "PYTHONPATH": str(target)}
    code = (
        "import sys; sys.argv[1:] = ['docs', 'authoring']; from generator.cli import main; main()"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env,
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = Path(result.stdout.strip())
    assert page.is_relative_to(target) and page.read_text().startswith("# Writing questions")


def test_wheel_metadata_names_its_licence_and_keeps_test_tools_out_of_the_install(wheel):
    """The core metadata (packaging.python.org's specification): the MIT licence by its
    SPDX expression, with its text; the classifiers an index shows; jsonschema, which only
    the tests use, required by the ``test`` extra alone."""
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    headers = email.parser.HeaderParser().parsestr(archive.read(metadata).decode())
    assert headers["License-Expression"] == "MIT"
    assert headers.get_all("License-File") == ["LICENSE"]
    licence = next(n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE"))
    assert archive.read(licence).decode().startswith("MIT License\n")
    classifiers = headers.get_all("Classifier")
    assert {"Topic :: Education", "Intended Audience :: Education",
            "Programming Language :: Python :: 3.11"} <= set(classifiers)  # fmt: skip
    assert not any(c.startswith("License ::") for c in classifiers)  # PEP 639: deprecated
    requires = headers.get_all("Requires-Dist")
    jsonschema = [r for r in requires if r.startswith("jsonschema")]
    assert jsonschema and all("extra == 'test'" in r.replace('"', "'") for r in jsonschema)
    assert any(r.startswith("click") and "extra" not in r for r in requires)


def test_the_package_docstring_names_only_what_exists():
    """``help(generator)`` is where a programmer starts: every function and class its
    docstring names can be imported (it once named ``generator.build.generate``, which
    never existed)."""
    import generator

    named = re.findall(r":(?:func|class):`([\w.]+)`", generator.__doc__ or "")
    assert len(named) >= 4
    for path in named:
        module, name = path.rsplit(".", 1)
        assert hasattr(importlib.import_module(module), name), path


def test_make_setup_says_what_it_installs_before_pip_runs(tmp_path):
    """``make demo`` once printed nothing for the two minutes pip ran (``--quiet``): each
    step now announces itself, and pip lists the packages it collects.  Read from make's
    dry run (``-n``), which prints the commands and runs none."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    result = subprocess.run(["make", "-n", "-B", f"VENV={tmp_path / 'venv'}", "setup"],
                            cwd=ROOT, capture_output=True, text=True, check=True)  # fmt: skip
    lines = result.stdout.splitlines()
    (install,) = [i for i, line in enumerate(lines) if "pip install" in line and "-e" in line]
    assert lines[install - 1].startswith('echo "Installing Python packages')
    assert "--quiet" not in lines[install] and " -q" not in lines[install]
