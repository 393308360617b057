"""The package's shape: no module imports itself through others, and the commands that work
on a finished run load nothing of the build or typesetting stack.

Read from the code's own import statements (every one: at the top, inside functions, and
under ``TYPE_CHECKING``), and from the modules a fresh interpreter holds after a command.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import modules_after

PACKAGE = Path(__file__).resolve().parents[1] / "generator"
# What reading, exporting or grading a key must never load: assembling and drawing copies,
# typesetting them, their layout and templates, students' names, and the class builds.
BUILD_STACK = ("generator.variants.assemble", "generator.render", "generator.authoring",
               "generator.bank", "generator.builds")  # fmt: skip
FOLDER = "cs230-midterm-winter-2020-seed42-public"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> set[str]:
    """The package's modules that ``path`` imports, by any import statement in it.

    ``from package import module`` imports the module; the package's ``__init__`` only as
    any import of one of its modules does (which is no arrow, see below), unless a name
    imported with it is not a module: then it is read from the ``__init__``."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    modules = {module_name(p) for p in PACKAGE.rglob("*.py")}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")[: len(package.split(".")) - node.level + 1]
            module = ".".join([*base, node.module] if node.level else [node.module or ""])
            submodules = {f"{module}.{alias.name}" for alias in node.names} & modules
            if len(submodules) < len(node.names):
                found.add(module)
            found |= submodules
    return {m for m in found if m in modules and m != name}


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports(p) for p in PACKAGE.rglob("*.py")}


def test_no_module_imports_itself_through_others():
    """No import cycle, type-only imports included: the modules can be read bottom up."""
    edges = graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = [*path[path.index(module) :], module]
            raise AssertionError(f"import cycle: {' -> '.join(cycle)}")
        if module in done:
            return
        for target in edges.get(module, ()):
            # A package's __init__ is imported by its modules' import; only its own
            # imports count as its arrows.
            visit(target, [*path, module])
        done.add(module)

    for module in edges:
        visit(module, [])


def test_at_most_twelve_modules_stand_directly_in_the_package():
    assert len(list(PACKAGE.glob("*.py"))) <= 12


def loaded_after(*args: str) -> set[str]:
    """The package's modules a fresh ``generate-exam ARGS`` has imported when it ends."""
    return {name for name in modules_after(*args) if name.startswith("generator")}


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("layers")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--public", "--seed", "42", "--no-pdf", "--figures",
         "--out", str(out)], capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return out / FOLDER


def build_stack(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if m.startswith(BUILD_STACK))


def test_grading_loads_nothing_of_the_build(run, tmp_path):
    responses = tmp_path / "responses.csv"
    responses.write_text("student,label,response\nv0,1(a),3\n", encoding="utf-8")
    loaded = loaded_after("grade", str(run), "--responses", str(responses), "--force")
    assert "generator.grading.pipeline" in loaded  # it did grade
    assert build_stack(loaded) == []


def test_exporting_and_diffing_keys_load_nothing_of_the_build(run):
    loaded = loaded_after("export", str(run), "--lms", "all")
    assert {"generator.key.answer_csv", "generator.lms.moodle.xml"} <= loaded
    assert build_stack(loaded) == []
    loaded = loaded_after("diff-keys", str(run), str(run))
    assert "generator.key.diff" in loaded
    assert build_stack(loaded) == []
