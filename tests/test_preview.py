"""generate-exam preview: N variants of one question side by side, in HTML and PDF.

The cards' answers are checked against a single-question build of each seed (the key
``generate-exam --public --seed N`` writes) and against the question's formulas worked
by hand from the card's own parameters; rejected draws against a sampler whose redraws
are known; the watch loop through a hook that edits the folder between its rounds.
"""

from __future__ import annotations

import html
import json
import math
import os
import queue
import re
import signal
import subprocess
import sys
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.bank import scaffold
from generator.cli import preview as cli_module
from generator.preview.pipeline import preview
from generator.preview.spec import (
    MAX_VARIANTS,
    PreviewError,
    PreviewSpec,
    describe_seeds,
    folder_name,
    parse_seeds,
)
from generator.preview.watch import snapshot, watch
from generator.variants.seeding import MAX_SEED

from .conftest import Q7, needs_tex, write_blueprint


class Cards(HTMLParser):
    """The cards of preview.html: per seed, its parameters, its answer cells by part, its
    line of rejected draws, and the whole card's text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.cards: dict[int, dict] = {}
        self.seed: int | None = None
        self.part: str | None = None
        self.into: str | None = None  # "params", "answer", "draws": where text goes
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "article" and "card" in classes:
            self.seed = int(attrs["id"].removeprefix("seed-"))
            self.cards[self.seed] = {"params": "", "answers": {}, "draws": "", "text": ""}
        elif tag == "section" and "part" in classes:
            self.part = attrs["data-part"]
        elif tag == "pre" and "params" in classes:
            self.into = "params"
        elif tag == "td" and "answer" in classes:
            self.into = "answer"
            self.cards[self.seed]["answers"][self.part] = ""
        elif tag == "span" and "draws" in classes:
            self.into = "draws"

    def handle_endtag(self, tag: str) -> None:
        if tag in ("pre", "td", "span"):
            self.into = None

    def handle_data(self, data: str) -> None:
        if self.seed is None:
            return
        card = self.cards[self.seed]
        card["text"] += data
        if self.into == "answer":
            card["answers"][self.part] += data
        elif self.into in ("params", "draws"):
            card[self.into] += data


def read_cards(folder: Path) -> dict[int, dict]:
    return Cards((folder / "preview.html").read_text(encoding="utf-8")).cards


def generate_exam(*args: object, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "generator", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=False)  # fmt: skip


def single_question_key(run_cli, tmp_path: Path, qid: str, seed: int) -> dict:
    """The question's entry in the key of ``generate-exam --public --seed SEED`` with a
    blueprint of that question alone: the build path, not the preview's."""
    plan = write_blueprint(tmp_path / "one.toml", [qid], name="one")
    result = run_cli("--seed", seed, "--public", "--blueprint", plan, "--no-pdf",
                     "--out", tmp_path / "builds")  # fmt: skip
    assert result.exit_code == 0, result.output
    key = json.loads((tmp_path / "builds" / f"one-seed{seed}-public" / "key.json").read_text())
    return key["variants"][0]["questions"][0]


def cnn_answers_by_hand(p: dict) -> dict:
    """Question 7's numbers from the textbook formulas: (n + 2p - f) / s + 1 per side,
    (f * f * d) * k + k parameters, and its 1D and 3D forms."""
    k = p["filters"]
    sides = [(n + 2 * p["padding"] - p["kernel"]) // p["stride"] + 1
             for n in (p["height"], p["width"])]  # fmt: skip
    return {
        "c": [*sides, k],
        "d": p["kernel"] * p["kernel"] * p["channels"] * k + k,
        "e": p["kernel_1d"] * p["channels_1d"] * k + k,
        "f": p["kernel_3d"] ** 3 * p["channels"] * k + k,
    }


def test_three_cards_whose_answers_are_the_single_question_builds_keys(run_cli, tmp_path):
    result = run_cli("preview", Q7, "--variants", 3, "--no-pdf", "--out", tmp_path / "out")
    assert result.exit_code == 0, result.output
    folder = tmp_path / "out" / "preview-cs230-w2020-cnns"
    assert sorted(p.name for p in folder.iterdir()) == ["preview.html", "preview.tex"]
    cards = read_cards(folder)
    assert sorted(cards) == [0, 1, 2]
    for seed, card in cards.items():
        built = single_question_key(run_cli, tmp_path, Q7, seed)
        params = json.loads(card["params"])
        assert params == built["params"]
        key = {part["part"]: part["answer"] for part in built["parts"]}
        answers = card["answers"]
        assert sorted(answers) == sorted(key) == ["a", "b", "c", "d", "e", "f"]
        assert html.unescape(answers["a"]) == key["a"]  # text: the model answer
        (formula,) = key["b"]
        # 7(b) solves n + 2p - f + 1 = n - shrink for p or for f (by hand, as sympy prints it)
        by_hand = {("padding", 0): "p = (f - 1)/2", ("padding", 2): "p = (f - 3)/2",
                   ("padding", -2): "p = (f + 1)/2", ("filter", 0): "f = 2*p + 1",
                   ("filter", 2): "f = 2*p + 3", ("filter", -2): "f = 2*p - 1"}  # fmt: skip
        expected = by_hand[params["unknown"], params["shrink"]]
        assert answers["b"] == f"{formula['lhs']} = {formula['text']}" == expected
        assert [int(x) for x in answers["c"].strip("[]").split(";")] == key["c"]
        for part in "def":
            assert int(answers[part]) == key[part]
        hand = cnn_answers_by_hand(params)
        assert [int(x) for x in answers["c"].strip("[]").split(";")] == hand["c"]
        assert [int(answers[part]) for part in "def"] == [hand[part] for part in "def"]
        assert f"Seed {seed}" in card["text"]


def test_the_statement_is_printed_with_the_cards_numbers(run_cli, tmp_path):
    folder = scaffold.new_question("my/neuron", tmp_path / "bank")
    result = run_cli("preview", "my/neuron", "--bank", tmp_path / "bank", "--seeds", "4,9",
                     "--no-pdf", "--out", tmp_path / "out")  # fmt: skip
    assert result.exit_code == 0, result.output
    cards = read_cards(tmp_path / "out" / "preview-my-neuron")
    assert list(cards) == [4, 9]
    for card in cards.values():
        p = json.loads(card["params"])
        assert f"bias \\(b = {p['b']}\\)" in card["text"].replace("\n", " ")
        z = p["w"][0] * p["x"][0] + p["w"][1] * p["x"][1] + p["b"]
        assert float(card["answers"]["a"]) == pytest.approx(1 / (1 + math.exp(-z)), abs=1e-12)
    assert folder.is_dir()


@pytest.mark.parametrize(
    ("text", "seeds"),
    [
        ("3,7,9-12", (3, 7, 9, 10, 11, 12)),
        (" 5 , 1 - 2 ", (5, 1, 2)),
        ("1,1-3,2", (1, 2, 3)),
        ("0", (0,)),
        (str(MAX_SEED), (MAX_SEED,)),
    ],
)
def test_seed_lists(text, seeds):
    assert parse_seeds(text) == seeds


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("", "'' is not a seed"),
        ("a", "'a' is not a seed"),
        ("1,,2", "'' is not a seed"),
        ("-1", "'-1' is not a seed"),
        ("1.5", "'1.5' is not a seed"),
        ("9-3", "runs backwards; write it 3-9"),
        (str(MAX_SEED + 1), "too large"),
        (f"0-{MAX_VARIANTS}", f"more than {MAX_VARIANTS} seeds"),
        (f"0-{MAX_VARIANTS - 2},{MAX_VARIANTS + 5}-{MAX_VARIANTS + 6}", "more than"),
    ],
)
def test_bad_seed_lists_are_one_sentence(text, said):
    with pytest.raises(PreviewError, match=re.escape(said)):
        parse_seeds(text)


def test_seed_lists_are_named_by_their_runs():
    assert describe_seeds([0, 1, 2, 3]) == "0-3"
    assert describe_seeds([3, 7, 9, 10, 11, 12, 5]) == "3, 7, 9-12, 5"


def test_bad_options_exit_2_with_one_error_line(tmp_path):
    for args, said in [
        (("--seeds", "4-x"), "'4-x' is not a seed"),
        (("--seeds", "1", "--variants", "2"), "either --variants or --seeds"),
        (("--variants", MAX_VARIANTS + 1), "--variants"),
    ]:
        result = generate_exam("preview", Q7, "--no-pdf", *args, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        (line,) = result.stderr.splitlines()
        assert line.startswith("Error: ") and said in line, line
    unknown = generate_exam("preview", "cnns", "--no-pdf", cwd=tmp_path)
    assert unknown.returncode == 2
    (line,) = unknown.stderr.splitlines()
    assert line.startswith("Error: unknown question 'cnns'; did you mean cs230-w2020/cnns?")
    assert not (tmp_path / "output").exists()


HOSTILE = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'


def hostile_question(bank: Path) -> Path:
    """A question whose every author string is markup, and whose sampler redraws exactly
    twice per variant (it accepts the third of the values 0, 1, 2)."""
    folder = bank / "evil" / "q"
    folder.mkdir(parents=True)
    (folder / "question.toml").write_text(
        f'id = "evil/q"\ntitle = {json.dumps(HOSTILE)}\n'
        f'[[parts]]\nlabel = "a"\nkind = "text"\npoints = 1\nhint = {json.dumps(HOSTILE)}\n'
        f"answer = {json.dumps(HOSTILE)}\nrubric = [{json.dumps(HOSTILE)}]\n",
        encoding="utf-8",
    )
    (folder / "solve.py").write_text(
        "from generator.authoring import sampling\n\n"
        "def sample(rng):\n"
        "    tries = iter(range(3))\n"
        "    third = sampling.until(lambda: next(tries), lambda value: value == 2)\n"
        f"    return {{'note': {HOSTILE!r} + '</pre>', 'third': third,\n"
        "            'n': int(rng.integers(0, 9))}\n\n"
        "def solve(params, rng):\n"
        "    return {}\n",
        encoding="utf-8",
    )
    (folder / "question.tex.j2").write_text(
        "\\BLOCK{block stem}" + HOSTILE + " \\VAR{note} $a < b$\\BLOCK{endblock}\n"
        "\\BLOCK{block a}" + HOSTILE + "\\BLOCK{endblock}\n",
        encoding="utf-8",
    )
    return folder


def test_author_strings_are_escaped_and_redraws_counted(tmp_path):
    hostile_question(tmp_path / "bank")
    spec = PreviewSpec("evil/q", (0, 1, 2), (tmp_path / "bank",), tmp_path / "out", pdf=False)
    result = preview(spec)
    page = (result.folder / "preview.html").read_text(encoding="utf-8")
    assert "<script" not in page and "<img" not in page and "onerror=alert(1)>" not in page
    assert "</pre><" not in page.replace("</pre>\n", "")  # the parameter's </pre> is text
    escaped = html.escape(HOSTILE, quote=False)
    assert page.count("&lt;script&gt;") >= 6  # title, stem, part, hint, answer, rubric, params
    assert escaped.split("&amp;")[0] in page
    assert "\\(a &lt; b\\)" in page
    cards = read_cards(result.folder)
    for card in cards.values():
        assert card["draws"].strip() == "rejected 2 of 3 draws (66.7%)"
        assert json.loads(card["params"])["third"] == 2
    assert [d.rejected for d in result.drawn] == [2, 2, 2]
    assert all(d.rejection_rate == pytest.approx(2 / 3) for d in result.drawn)
    assert "Rejected draws: 6 of 9 (66.7%)" in page


BROKEN = [
    ("solve.py", '    return {\n        "w"', '    1 / 0\n    return {\n        "w"',
     r"'my/broken' \(seed 0, variant \w+\): sample\(\) failed at solve.py line \d+ \(ZeroDiv"),
    ("question.tex.j2", r"\VAR{b}", r"\VAR{bias}", r"question.tex.j2, line \d+: .*bias"),
]  # fmt: skip


@pytest.mark.parametrize(("file", "old", "new", "said"), BROKEN, ids=["sample", "template"])
def test_a_broken_question_is_one_error_line_and_no_folder(tmp_path, file, old, new, said):
    folder = scaffold.new_question("my/broken", tmp_path / "bank")
    path = folder / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    args = ("preview", "my/broken", "--bank", tmp_path / "bank", "--variants", 3,
            "--out", tmp_path / "out")  # fmt: skip
    result = generate_exam(*args, cwd=tmp_path)
    assert result.returncode == 1
    (line,) = result.stderr.splitlines()[-1:]
    assert [ln for ln in result.stderr.splitlines() if ln.startswith("Error")] == [line]
    assert line.startswith("Error: ") and re.search(said, line), line
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
    debug = generate_exam(*args, "--debug", cwd=tmp_path)
    assert debug.returncode == 1
    assert "Traceback (most recent call last)" in debug.stderr
    assert debug.stderr.rstrip().splitlines()[-1] == line


@pytest.mark.tex
def test_the_pdf_has_one_copy_per_seed_with_its_numbers(run_cli, tmp_path):
    needs_tex()
    result = run_cli("preview", Q7, "--seeds", "5,2,8", "--out", tmp_path)
    assert result.exit_code == 0, result.output
    folder = tmp_path / folder_name(Q7)
    assert sorted(p.name for p in folder.iterdir()) == ["preview.html", "preview.pdf",
                                                        "preview.tex"]  # fmt: skip
    text = subprocess.run(["pdftotext", folder / "preview.pdf", "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    assert text.count("Question 1 (CNNs") == 3
    # The compact layout: no covers, no END OF PAPER, the copies one after another.
    assert "END OF PAPER" not in text and "Your Score" not in text
    assert text.count("\f") < 3 * 2, "three CNN questions need fewer than two pages each"
    cards = read_cards(folder)
    order = [text.index(f"seed {seed}\n") for seed in (5, 2, 8)]
    assert order == sorted(order), "the copies print in the order of --seeds"
    flat = " ".join(text.split())
    for seed in (5, 2, 8):
        hand = cnn_answers_by_hand(json.loads(cards[seed]["params"]))
        assert f"= {hand['d']}." in flat  # (d)'s worked solution ends in the count
        times = " \N{MULTIPLICATION SIGN} "
        assert times.join(str(side) for side in hand["c"]) in flat


def test_the_same_seeds_give_the_same_bytes_and_a_rebuild_replaces_its_own_files(tmp_path):
    spec = PreviewSpec(Q7, (0, 1), out=tmp_path / "a", pdf=False)
    other = PreviewSpec(Q7, (0, 1), out=tmp_path / "b", pdf=False)
    first, second = preview(spec), preview(other)
    for name in ("preview.html", "preview.tex"):
        assert (first.folder / name).read_bytes() == (second.folder / name).read_bytes()
    (first.folder / "preview.pdf").write_bytes(b"%PDF- an earlier run's")
    preview(spec)  # its own files only: replaced without --force
    assert not (first.folder / "preview.pdf").exists()
    (first.folder / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(Exception, match=r"notes\.txt.*--force"):
        preview(spec)
    assert (first.folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_new_question_previews_as_its_next_line_says(tmp_path):
    made = generate_exam("new", "my-course/softmax", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    (line,) = [ln for ln in made.stdout.splitlines() if ln.startswith("Next: ")]
    command = line.removeprefix("Next: ").split("   (")[0].split()
    assert command[:3] == ["generate-exam", "preview", "my-course/softmax"]
    result = generate_exam(*command[1:], "--no-pdf", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    cards = read_cards(tmp_path / "output" / "preview-my-course-softmax")
    assert sorted(cards) == list(range(12))
    assert "Drawing variants: 12 of 12 done" in result.stderr


@pytest.mark.parametrize("kind", scaffold.KINDS)
def test_every_scaffold_kind_previews(tmp_path, kind):
    scaffold.new_question(f"my/ex-{kind}", tmp_path / "bank", kind=kind)
    spec = PreviewSpec(f"my/ex-{kind}", (0, 1, 2), (tmp_path / "bank",), tmp_path, pdf=False)
    result = preview(spec)
    assert sorted(read_cards(result.folder)) == [0, 1, 2]


# ---------------------------------------------------------------- --watch


def test_watch_rebuilds_once_per_round_in_which_the_folder_changed(tmp_path):
    folder = scaffold.new_question("my/watched", tmp_path / "bank")
    out = folder / "output"  # even an output folder inside the question is not watched
    template = folder / "question.tex.j2"
    spec = PreviewSpec("my/watched", (0,), (tmp_path / "bank",), out, pdf=False)
    preview(spec)
    page = out / "preview-my-watched" / "preview.html"

    def edit() -> None:
        template.write_text(template.read_text().replace("A neuron", "A WATCHED neuron"))
        _later(template)

    def noise() -> None:  # what a run and an editor write: never a reason to rebuild
        (folder / "__pycache__").mkdir(exist_ok=True)
        (folder / "__pycache__" / "solve.cpython.pyc").write_bytes(b"x")
        (folder / ".question.tex.j2.swp").write_bytes(b"x")
        (folder / "solve.py~").write_bytes(b"x")
        preview(spec)  # writes into the ignored output folder

    rounds = [edit, noise, lambda: None, lambda: _later(folder / "solve.py")]
    rebuilt = []

    def wait() -> bool:
        if not rounds:
            return False
        rounds.pop(0)()
        return True

    def rebuild() -> None:
        rebuilt.append(page.read_text() if page.exists() else "")
        preview(spec)

    said = []
    assert watch(folder, rebuild, wait=wait, ignore=[out], started=lambda: said.append(1)) == 2
    assert len(rebuilt) == 2 and said == [1]
    assert "A WATCHED neuron" in page.read_text()


def _later(path: Path) -> None:
    """Move a file's modification time on by a second: a change the snapshot must see even
    where the clock's step is coarse."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))


def test_snapshot_sees_sizes_and_times_and_new_and_removed_files(tmp_path):
    (tmp_path / "a").write_text("1")
    before = snapshot(tmp_path)
    assert [entry[0] for entry in before] == ["a"]
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b").write_text("2")
    assert [entry[0] for entry in snapshot(tmp_path)] == ["a", os.path.join("sub", "b")]
    (tmp_path / "sub" / "b").unlink()
    (tmp_path / "a").write_text("12")
    after = snapshot(tmp_path)
    assert after != before and after[0][2] == 2


def test_the_watch_command_reports_a_broken_edit_and_stops_on_ctrl_c(run_cli, tmp_path,
                                                                     monkeypatch):  # fmt: skip
    """The CLI's loop, with the poll replaced by two rounds: a broken edit (one Error: line,
    the watch goes on), a fixed one (rebuilt), then Ctrl-C (a clean stop, exit 0)."""
    folder = scaffold.new_question("my/live", tmp_path / "bank")
    solve = folder / "solve.py"
    good = solve.read_text()

    def rounds(watched, rebuild, *, wait, ignore, started):
        assert watched == folder
        started()
        solve.write_text(good.replace("def sample(", "def sample_typo("))
        rebuild()
        solve.write_text(good.replace("A neuron", "A neuron"))
        rebuild()
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_module, "watch", rounds)
    monkeypatch.setattr(sys, "dont_write_bytecode", sys.dont_write_bytecode)
    result = run_cli("preview", "my/live", "--bank", tmp_path / "bank", "--variants", 2,
                     "--no-pdf", "--out", tmp_path / "out", "--watch")  # fmt: skip
    assert result.exit_code == 0, result.output
    errors = [ln for ln in result.stderr.splitlines() if ln.startswith("Error: ")]
    assert len(errors) == 1 and "no function sample()" in errors[0], result.stderr
    assert result.stdout.count("Wrote ") == 2  # the first build and the fixed edit
    assert result.stderr.rstrip().endswith("Stopped watching.")


def test_watch_end_to_end_rebuilds_on_save_and_ctrl_c_exits_0(tmp_path):
    """The real command: it says it watches, a save makes it rebuild, SIGINT ends it with
    exit 0. Each step waits for the line that announces it (a generous deadline only
    guards against a hang)."""
    folder = scaffold.new_question("my/saved", tmp_path / "bank")
    command = [sys.executable, "-m", "generator", "preview", "my/saved", "--bank",
               tmp_path / "bank", "--variants", "2", "--no-pdf", "--watch"]  # fmt: skip
    watcher = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True,
                               preexec_fn=_ctrl_c_default)  # fmt: skip
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(ln) for ln in watcher.stdout])
    reader.start()
    try:
        _wait_for(lines, "Watching ")
        template = folder / "question.tex.j2"
        template.write_text(template.read_text().replace("A neuron", "A SAVED neuron"))
        _later(template)
        _wait_for(lines, "changed: rebuilding")
        _wait_for(lines, "Wrote ")
        watcher.send_signal(signal.SIGINT)
        assert watcher.wait(timeout=60) == 0
    finally:
        if watcher.poll() is None:
            watcher.kill()
            watcher.wait()
        reader.join()
    rest = []
    while not lines.empty():
        rest.append(lines.get())
    assert rest[-1:] == ["Stopped watching.\n"], rest
    page = tmp_path / "output" / "preview-my-saved" / "preview.html"
    assert "A SAVED neuron" in page.read_text(encoding="utf-8")


def _ctrl_c_default() -> None:
    """In the child: SIGINT as a terminal delivers it, even when the tests run as a
    background job, whose children inherit an ignored SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for(lines: queue.Queue[str], text: str, seconds: float = 60) -> str:
    """The next line holding ``text``; fail if the watcher stops printing first."""
    while True:
        try:
            line = lines.get(timeout=seconds)
        except queue.Empty:
            pytest.fail(f"the watcher never printed {text!r}")
        if text in line:
            return line


def test_a_half_written_question_does_not_stop_another_ones_preview_or_check(run_cli, tmp_path):
    """Authors keep unfinished questions beside finished ones: preview and check of one
    question load that question alone; the broken one still says what is wrong when it
    is the one asked for, and a whole-bank check still refuses it."""
    bank = tmp_path / "bank"
    scaffold.new_question("my/done", bank)
    broken = scaffold.new_question("my/unfinished", bank)
    solve = broken / "solve.py"
    text = solve.read_text(encoding="utf-8")
    solve.write_text(text[: text.index("\n\n\ndef closed_form")] + "\n", encoding="utf-8")
    ok = run_cli("preview", "my/done", "--bank", bank, "--variants", "2", "--no-pdf",
                 "--out", tmp_path / "out")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert run_cli("check", "--bank", bank, "--question", "my/done", "--variants", "5",
                   "--workers", "1").exit_code == 0  # fmt: skip
    for args in (["preview", "my/unfinished", "--bank", bank, "--no-pdf", "--out", tmp_path],
                 ["check", "--bank", bank, "--variants", "5", "--workers", "1"]):  # fmt: skip
        result = subprocess.run([sys.executable, "-m", "generator", *map(str, args)],
                                capture_output=True, text=True)  # fmt: skip
        assert result.returncode == 1
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1 and "no function closed_form(params)" in errors[0], errors
