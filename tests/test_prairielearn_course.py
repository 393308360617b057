"""The PrairieLearn course's own code, without PrairieLearn (issue 29): what runs in CI.

tests/test_prairielearn.py runs the course through PrairieLearn's phases where its code is
present.  Here: the course's ``server.py`` imports the package from the course's own
``serverFilesCourse/`` (not from this checkout) and draws, for a variant seed S, the
variant a public build of seed S holds; the export ships the bank's question files and
refuses a run its bank no longer matches; its requirements are the package's own.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.bank.questions import load_bank
from generator.cli import cli
from generator.key.read import read_key
from generator.lms import prairielearn as pl
from generator.lms.prairielearn import live

ROOT = Path(__file__).resolve().parent.parent
SEEDS = (0, 1, 2, 3)

# Runs ``server.py``'s generate as PrairieLearn's zygote.py does: the question's folder and
# serverFilesCourse first on the path, the question's folder the working directory.
GENERATE = """
import json, sys
course, qid, seeds, lacking = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]


class Lacking:  # what PrairieLearn's image does not have, and requirements.txt does not add
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in lacking.split(","):
            raise ImportError(f"{name}: not in PrairieLearn's image")


sys.meta_path.insert(0, Lacking())
qdir = f"{course}/questions/{qid}"
sys.path[:0] = [qdir, f"{course}/serverFilesCourse"]
server = {"__file__": f"{qdir}/server.py"}
exec(compile(open(f"{qdir}/server.py").read(), f"{qdir}/server.py", "exec"), server)
import generator
drawn = {}
for seed in seeds:
    data = {"params": {}, "correct_answers": {}, "variant_seed": seed,
            "options": {"question_path": qdir}}
    server["generate"](data)
    drawn[seed] = {"correct": data["correct_answers"], "params": data["params"]}
figures = data["params"].get("figures", {})
png = [server["file"]({"params": data["params"], "filename": f"{n}.png"})[:4].hex()
       for n in figures]
print(json.dumps({"package": generator.__file__, "drawn": drawn, "png": png}))
"""


def expected(info, seed: int) -> dict:
    """What PrairieLearn must hold for a build's record of a question at public seed S:
    its answers from the build's key, each part's text on the question's one page from
    our own draw (the key holds the texts as one LMS item per part asks them)."""
    texts = live.draw(load_bank(only=[info.id])[info.id].folder, seed).texts
    return live.variant_data(live.Drawn(info, {}, texts))


def build(out: Path, *args: str) -> Path:
    result = CliRunner().invoke(cli, ["build", "--public", "--no-pdf", "--no-solutions",
                                      "--out", str(out), *args])  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    run = build(tmp_path_factory.mktemp("course"), "--seed", "5", "--lms", "prairielearn")
    return run / "lms" / "prairielearn"


@pytest.fixture(scope="module")
def ours(tmp_path_factory) -> dict[int, dict]:
    """The default exam's copy v0 for each public seed, by question id."""
    found = {}
    for seed in SEEDS:
        run = build(tmp_path_factory.mktemp(f"seed{seed}"), "--seed", str(seed))
        found[seed] = {q.id: q for q in read_key(run / "key.json").variants[0].questions}
    return found


def lacking() -> list[str]:
    """The import names of our dependencies a course on PrairieLearn does not have: neither
    in its image nor in the course's requirements.txt."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    names = {re.split(r"[<>=!~ \[]", d)[0].lower() for d in project}
    given = set(pl.IN_PRAIRIELEARN) | {re.split(r"[<>=!~ ]", r)[0] for r in pl.REQUIREMENTS}
    return sorted(IMPORTED.get(n, n) for n in names - given)


IMPORTED = {"fonttools": "fontTools"}  # a distribution's import name, where they differ


def test_what_a_course_lacks_is_what_the_draw_must_not_import():
    assert lacking() == ["click", "pikepdf", "portalocker", "typst"]


@pytest.mark.parametrize("qid", ["cs230-w2020/optimization", "cs230-w2020/cnns"])
def test_server_py_draws_from_the_course_copy_what_a_build_of_the_seed_holds(course, ours, qid):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [sys.executable, "-c", GENERATE, str(course), qid, json.dumps(SEEDS),
               ",".join(lacking())]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, cwd=course, env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    out = json.loads(done.stdout)
    assert Path(out["package"]).is_relative_to(course / pl.SERVER_FILES)  # not this checkout
    for seed in SEEDS:
        mine = expected(ours[seed][qid], seed)
        drawn = out["drawn"][str(seed)]
        assert drawn["correct"] == mine["correct_answers"], seed
        texts = [n for n in mine["params"] if n.endswith("_text") and "figure" not in
                 mine["params"][n]]  # fmt: skip
        assert texts
        assert {n: drawn["params"][n] for n in texts} == {n: mine["params"][n] for n in texts}
    texts = {json.dumps(out["drawn"][str(s)]["params"], sort_keys=True) for s in SEEDS}
    assert len(texts) == len(SEEDS)  # fresh numbers for every seed
    if qid == "cs230-w2020/optimization":  # its training curves: pl-figure type="dynamic"
        assert out["png"] == ["89504e47"]


def test_each_question_carries_its_bank_files_and_its_elements(course):
    folder = course / "questions" / "cs230-w2020" / "cnns"
    bank = ROOT / "question_bank" / "cs230-w2020" / "q7-cnns"
    for name in ("question.toml", "solve.py", "question.tex.j2"):
        assert (folder / name).read_bytes() == (bank / name).read_bytes()
    server = (folder / "server.py").read_text()
    assert '"p_b": "pl-symbolic-input"' in server  # 7(b), a one-line formula
    assert '"p_a": "manual"' in server  # 7(a), read by a person
    assert (course / pl.SERVER_FILES / "generator" / "lms" / "prairielearn" / "live.py").is_file()
    assert not list((course / pl.SERVER_FILES).rglob("__pycache__"))


def test_the_requirements_are_the_packages_own_bounds():
    """What the course installs is what pyproject.toml asks for those packages."""
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in pl.REQUIREMENTS:
        assert requirement in declared


def export(run: Path, *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "generator", "export", str(run), "--lms", "prairielearn"]
    return subprocess.run([*command, *args], capture_output=True, text=True)


def refused(result: subprocess.CompletedProcess, run: Path, phrase: str) -> None:
    assert result.returncode == 1, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and phrase in line, line
    assert not (run / "lms").exists()


@pytest.fixture
def mine(tmp_path) -> tuple[Path, Path]:
    """A run of one question from the instructor's own bank: (its bank folder, the run)."""
    bank = tmp_path / "mine"
    result = CliRunner().invoke(cli, ["new", "my-course/neuron", "--into", str(bank)])
    assert result.exit_code == 0, result.output
    blueprint = tmp_path / "quiz.toml"
    blueprint.write_text('name = "quiz"\ntitle = "Quiz"\npoints = 2\n'
                         '[[questions]]\nfrom = ["my-course/neuron"]\n')  # fmt: skip
    return bank, build(tmp_path / "out", "--seed", "3", "--bank", str(bank),
                       "--blueprint", str(blueprint))  # fmt: skip


def test_an_export_without_the_runs_bank_says_to_pass_it(mine):
    bank, run = mine
    refused(export(run), run, "my-course/neuron: not in the bank; pass the run's question "
            "folders with --bank")  # fmt: skip
    result = export(run, "--bank", str(bank))
    assert result.returncode == 0, result.stderr
    assert (run / "lms/prairielearn/questions/my-course/neuron/solve.py").is_file()


def test_an_export_from_a_bank_that_changed_says_to_build_again(mine):
    bank, run = mine
    toml = next(bank.rglob("question.toml"))
    text = toml.read_text()
    assert "points = 2" in text
    toml.write_text(text.replace("points = 2", "points = 3"))
    refused(export(run, "--bank", str(bank)), run,
            "the question's parts differ from the run's my-course/neuron")  # fmt: skip


def test_a_question_file_prairielearn_owns_is_refused(mine):
    bank, run = mine
    folder = next(bank.rglob("question.toml")).parent
    (folder / "server.py").write_text("print('mine')\n")
    refused(export(run, "--bank", str(bank)), run,
            "PrairieLearn's question folder has its own server.py")  # fmt: skip


def test_a_linked_question_file_is_refused_not_left_out(mine, tmp_path):
    """A template kept elsewhere and linked in: the course would lack it and fail on every
    variant, so the export stops; a link to /etc/passwd would ship that file."""
    bank, run = mine
    folder = next(bank.rglob("question.toml")).parent
    elsewhere = tmp_path / "kept" / "question.tex.j2"
    elsewhere.parent.mkdir()
    (folder / "question.tex.j2").rename(elsewhere)
    (folder / "question.tex.j2").symlink_to(elsewhere)
    refused(export(run, "--bank", str(bank)), run,
            "question.tex.j2: a link; a PrairieLearn course needs the file itself")  # fmt: skip


def test_a_data_file_in_a_subfolder_travels_with_the_question(mine):
    """A file in a subfolder (data a solve.py may read) travels with the question, and the
    export draws from what it ships; an editor's hidden file stays behind."""
    bank, run = mine
    folder = next(bank.rglob("question.toml")).parent
    (folder / "data").mkdir()
    (folder / "data" / "weights.csv").write_text("w\n0.5\n")
    (folder / ".notes.swp").write_text("an editor's")
    result = export(run, "--bank", str(bank))
    assert result.returncode == 0, result.stderr
    shipped = run / "lms/prairielearn/questions/my-course/neuron"
    assert (shipped / "data" / "weights.csv").read_text() == "w\n0.5\n"
    assert not (shipped / ".notes.swp").exists()


LINE_SOLVE = """
from generator.authoring import Formula
import sympy as sp


def sample(rng):
    return {"half": bool(rng.integers(0, 2))}


def solve(params, rng):  # y = 3x in some variants, y = 0.5x in others
    slope = sp.Float(0.5) if params["half"] else sp.Integer(3)
    return {"a": Formula("y", sp.Mul(slope, sp.Symbol("x"), evaluate=False))}
"""


def test_a_formula_prairielearn_reads_in_some_variants_only_is_refused(tmp_path):
    """y = 3x takes a pl-symbolic-input; y = 0.5x (a decimal) is graded by hand: one
    question.html cannot serve both, and PrairieLearn would fail on the second kind."""
    folder = tmp_path / "bank" / "line"
    folder.mkdir(parents=True)
    (folder / "question.toml").write_text('id = "my-course/line"\ntitle = "Line"\n'
                                          '[[parts]]\nlabel = "a"\nkind = "expression"\n'
                                          "points = 2\n")  # fmt: skip
    (folder / "solve.py").write_text(LINE_SOLVE)
    template = "\\BLOCK{block stem}\nA line.\n\\BLOCK{endblock}\n"
    (folder / "question.tex.j2").write_text(template + "\\BLOCK{block a}\nGive $y$.\n"
                                            "\\BLOCK{endblock}\n")  # fmt: skip
    blueprint = tmp_path / "line.toml"
    blueprint.write_text('name = "line"\ntitle = "Line"\npoints = 2\n'
                         '[[questions]]\nfrom = ["my-course/line"]\n')  # fmt: skip
    run = build(tmp_path / "out", "--seed", "1", "--bank", str(tmp_path / "bank"),
                "--blueprint", str(blueprint))  # fmt: skip
    refused(export(run, "--bank", str(tmp_path / "bank")), run,
            "takes other elements than the run's variants ((a) ")  # fmt: skip
