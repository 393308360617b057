"""What macOS and Windows need that can be checked on Linux: no module of ours imports a
Unix-only module when it loads, and workers started by ``spawn`` (those systems' way)
build the very bytes that forked ones do."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Modules the Python documentation marks "Availability: Unix" (or that Windows builds lack).
UNIX_ONLY = ("fcntl", "resource", "termios", "tty", "pty", "pwd", "grp", "posix", "syslog",
             "crypt", "spwd", "nis", "_posixsubprocess", "readline", "curses")  # fmt: skip

# Run in a fresh interpreter: an import made by one of our modules (``generator.*``) of a
# module in argv[1] fails, as it would where that module does not exist; third-party
# packages keep theirs (they choose per platform, as portalocker does with fcntl).
PROBE = r"""
import builtins, importlib, pkgutil, sys

blocked = set(sys.argv[1].split(","))
real_import = builtins.__import__


def guarded(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {}).get("__name__") or ""
    if level == 0 and name.partition(".")[0] in blocked and importer.startswith("generator"):
        raise ImportError(f"{importer} imports {name}, which this platform lacks")
    return real_import(name, globals, locals, fromlist, level)


builtins.__import__ = guarded
try:  # the guard itself works: a module of ours that imports one is refused
    exec("import fcntl", {"__name__": "generator.probe"})
    raise SystemExit("the guard let fcntl through")
except ImportError:
    pass

import generator
from click.testing import CliRunner

failed = []
modules = [m.name for m in pkgutil.walk_packages(generator.__path__, "generator.")
           if not m.name.endswith("__main__")]  # __main__ runs the command line
for name in modules:
    try:
        importlib.import_module(name)
    except ImportError as exc:
        failed.append(f"{name}: {exc}")

from generator.cli import COMMANDS, cli

for args in (["--help"], *([command, "--help"] for command in sorted(COMMANDS))):
    result = CliRunner().invoke(cli, args)
    if result.exit_code != 0:
        failed.append(f"generate-exam {' '.join(args)}: {result.output} {result.exception!r}")
print("\n".join(failed) if failed else f"imported {len(modules)} modules")
"""


def test_no_module_of_ours_needs_a_unix_only_module_to_load():
    result = subprocess.run([sys.executable, "-c", PROBE, ",".join(UNIX_ONLY)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = result.stdout.strip()
    assert report.startswith("imported "), report
    assert int(report.split()[1]) > 100  # every module of the package, not a few


def build(out: Path, method: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GENERATE_EXAM_START_METHOD": method}
    return subprocess.run(
        [sys.executable, "-m", "generator", "--public", "--seed", "3", "--no-pdf",
         "--workers", "2", "--out", str(out), *args],
        capture_output=True, text=True, env=env,
    )  # fmt: skip


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("layout", [("--variants", "5"), ("--variants", "5", "--pool", "2")],
                         ids=["unique", "pool"])  # fmt: skip
def test_spawned_workers_write_the_bytes_forked_ones_do(tmp_path, layout):
    """A spawned worker starts with nothing of the run: it loads the bank again (unique
    copies) or draws the pool again (--pool); the forked run is the reference."""
    for method in ("fork", "spawn"):
        result = build(tmp_path / method, method, *layout)
        assert result.returncode == 0, result.stderr
    forked, spawned = files(tmp_path / "fork"), files(tmp_path / "spawn")
    assert any(name.endswith("key.json") for name in forked)
    assert any(name.endswith(".tex") for name in forked)
    assert spawned == forked


def test_a_start_method_the_platform_lacks_is_refused_in_one_line(tmp_path):
    result = build(tmp_path, "threads", "--variants", "5")
    assert result.returncode == 1
    lines = [line for line in result.stderr.splitlines() if not line.startswith("Warning:")]
    assert lines == [
        "Error: GENERATE_EXAM_START_METHOD=threads: not a way to start processes here; set "
        "it to one of fork, forkserver, spawn, or unset it."
    ]
    assert not any(tmp_path.iterdir())


def test_off_linux_the_system_font_lookup_finds_every_font_linux_is_given(monkeypatch):
    """On Linux the names' fonts come from Debian's folders; elsewhere Typst also asks the
    system (macOS's and Windows's font folders, here fontconfig's) and TeX's kpsewhich:
    run here, that lookup must find at least the fonts the Linux folders give."""
    from generator.render import names

    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux font folders are the reference")
    linux = names.fonts().fonts()
    if not linux:
        pytest.skip("no fonts installed for the names")
    gyre = {Path(font.path).parent for font in linux if font.family == "TeX Gyre Termes"}
    names.fonts.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        elsewhere = names.fonts().fonts()
        tex_dir = names._tex_font_dir(names.TEX_GYRE)
    finally:
        monkeypatch.undo()
        names.fonts.cache_clear()
    assert {f.family for f in linux} <= {f.family for f in elsewhere}
    if gyre and shutil.which("kpsewhich"):
        assert {tex_dir} == gyre  # TeX's own lookup names the folder the Linux scan found


def test_the_user_folders_on_linux_are_the_xdg_ones_they_always_were(monkeypatch, tmp_path):
    """platformdirs finds the user folders; on Linux they must stay the XDG Base Directory
    specification's, where earlier versions kept the secret, and an XDG variable is obeyed."""
    from generator.resources import cache_dir, config_dir

    if not sys.platform.startswith("linux"):
        pytest.skip("the XDG folders are Linux's")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert config_dir() == tmp_path / ".config" / "exam-variant-generator"
    assert cache_dir() == tmp_path / ".cache" / "exam-variant-generator"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert config_dir() == tmp_path / "conf" / "exam-variant-generator"
    assert cache_dir() == tmp_path / "cache" / "exam-variant-generator"
