"""The first word of a command line: a command's name, mistyped or completed by the shell.

The expected lines are the issue's wording; the completions follow click's documented
``bash_complete`` protocol (one ``type,value`` line per candidate), read from a fresh
process as bash would run it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

COMMANDS = "build, check, config, diff-keys, docs, export, grade, new, preview"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})})  # fmt: skip


@pytest.mark.parametrize(
    "typed, hint",
    [
        ("chek", "did you mean 'check'?"),
        ("diffkeys", "did you mean 'diff-keys'?"),
        ("prevew", "did you mean 'preview'?"),
        ("xyzzy", f"the commands are {COMMANDS}."),
    ],
)
def test_a_mistyped_command_is_named_with_the_nearest_one(typed, hint):
    result = run(typed)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr == f"Error: no command '{typed}'; {hint}\n"


def test_a_word_after_the_default_commands_options_is_still_an_extra_argument():
    result = run("--seed", "1", "chek")
    assert result.returncode == 2
    assert "unexpected extra argument (chek)" in result.stderr


def complete(line: str) -> list[str]:
    """What bash's completion asks for ``line`` (its last word being completed)."""
    words = line.split(" ")
    env = {"_GENERATE_EXAM_COMPLETE": "bash_complete", "COMP_WORDS": line,
           "COMP_CWORD": str(len(words) - 1)}  # fmt: skip
    result = run(env=env)
    assert result.returncode == 0, result.stderr
    kinds, values = zip(*(row.split(",", 1) for row in result.stdout.splitlines()), strict=True)
    assert set(kinds) == {"plain"}
    return list(values)


def test_the_shell_completes_command_names():
    assert complete("generate-exam ch") == ["check"]
    assert complete("generate-exam d") == ["diff-keys", "docs"]
    assert complete("generate-exam co") == ["config"]
    assert complete("generate-exam ") == COMMANDS.split(", ")


def test_the_shell_completes_the_options_of_the_default_command_and_of_a_named_one():
    assert set(complete("generate-exam --se")) == {"--seed", "--secret-file"}
    assert complete("generate-exam --seed 4 --pu") == ["--public"]
    assert "--variants" in complete("generate-exam check --")
    assert complete("generate-exam --").count("--help") == 1


def test_the_shell_gets_its_completion_script():
    result = run(env={"_GENERATE_EXAM_COMPLETE": "bash_source"})
    assert result.returncode == 0
    assert "_GENERATE_EXAM_COMPLETE=bash_complete" in result.stdout


def _shell(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"no {name} here (make test installs it from Debian's packages)")
    return found


def _on_path(tmp_path) -> dict[str, str]:
    """An environment whose PATH holds a ``generate-exam`` that runs this checkout."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "generate-exam"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m generator "$@"\n')
    script.chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}


def test_fish_completes_commands_and_options_with_the_documented_line(tmp_path):
    """fish's own ``complete -C`` runs the completion the docs' line installs."""
    fish = _shell("fish")
    script = ("_GENERATE_EXAM_COMPLETE=fish_source generate-exam | source; "
              'complete -C"generate-exam ch"; complete -C"generate-exam --se"')  # fmt: skip
    done = subprocess.run([fish, "--no-config", "-c", script], capture_output=True, text=True,
                          env=_on_path(tmp_path), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stderr
    offered = {line.split("\t")[0] for line in done.stdout.splitlines()}
    assert offered == {"check", "--seed", "--secret-file"}


def test_zsh_loads_the_documented_line_and_registers_the_completion(tmp_path):
    """The docs' zsh line, after compinit, defines the completion and registers it for the
    command (zsh completes only in an interactive line editor; the protocol it then calls
    is the one checked here with zsh's name)."""
    zsh = _shell("zsh")
    script = ('autoload -U compinit; compinit -u -d "$PWD/.zcompdump"; '
              'eval "$(_GENERATE_EXAM_COMPLETE=zsh_source generate-exam)"; '
              'print -r -- "${_comps[generate-exam]}"')  # fmt: skip
    done = subprocess.run([zsh, "-f", "-c", script], capture_output=True, text=True,
                          env=_on_path(tmp_path), cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert done.stdout.strip() == "_generate_exam_completion"
    env = {"_GENERATE_EXAM_COMPLETE": "zsh_complete", "COMP_WORDS": "generate-exam ch",
           "COMP_CWORD": "1"}  # fmt: skip
    result = run(env=env)
    assert result.stdout.splitlines()[:2] == ["plain", "check"]
