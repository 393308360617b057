"""generate-exam check: passes on the shipped bank, catches each kind of broken question."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from generator.check.stress import check_bank


def broken_question(
    root: Path, name: str, *, kind: str = "integer", sample: str, solve: str,
    closed_form: str = "{'a': answers(params)['a']}", stem: str = r"Compute it.",
    checks: str = "", extra: str = "",
) -> Path:  # fmt: skip
    """A one-part question whose sample/solve bodies are the given expressions."""
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "question.toml").write_text(textwrap.dedent(f"""\
        id = "broken/{name}"
        title = "Broken {name}"
        {checks}
        [[parts]]
        label = "a"
        points = 1
        kind = "{kind}"
        """), encoding="utf-8")  # fmt: skip
    (folder / "solve.py").write_text(textwrap.dedent(f"""\
        import math
        from generator.authoring import Choices, Option
        {extra}
        def sample(rng):
            return {sample}

        def answers(params):
            return {solve}

        def solve(params, rng):
            return answers(params)

        def closed_form(params):
            return {closed_form}
        """), encoding="utf-8")  # fmt: skip
    (folder / "question.tex.j2").write_text(
        "\\BLOCK{block a}" + stem + "\\BLOCK{endblock}\n", encoding="utf-8"
    )
    return root


BROKEN = {
    "raises": dict(
        sample="{'n': int(rng.integers(1, 20))}",
        solve="{'a': params['n'] // (params['n'] - 7)}",
    ),
    "value is not finite": dict(
        kind="number",
        sample="{'n': int(rng.integers(1, 20))}",
        solve="{'a': math.inf if params['n'] == 3 else 1.5}",
        closed_form="{'a': 1.5}",
    ),
    "size is not a positive integer": dict(
        sample="{'n': int(rng.integers(-2, 20))}",
        solve="{'a': 5}",
        checks='[checks]\nsizes = ["n"]',
    ),
    "options read the same": dict(
        kind="choice",
        sample="{'n': int(rng.integers(1, 20))}",
        solve="{'a': Choices((Option('ReLU', True), Option('relu ', params['n'] > 10), "
        "Option('tanh', False)))}",
        closed_form="{}",
    ),
    "answer printed in the stem": dict(
        sample="{'n': int(rng.integers(10, 99))}",
        solve="{'a': params['n']}",
        stem=r"A layer has \VAR{n} units. How many?",
    ),
    "key differs from the closed form": dict(
        sample="{'n': int(rng.integers(1, 20))}",
        solve="{'a': params['n'] * params['n']}",
        closed_form="{'a': params['n'] * params['n'] + (params['n'] == 5)}",
    ),
    "number rounded in print": dict(
        kind="number",
        sample="{'x': float(rng.integers(1000, 9999)) / 10000}",
        solve="{'a': 2 * params['x']}",
        closed_form="{'a': 2 * params['x']}",
        stem=r"Double $x = \VAR{'%.2f' | format(x)}$.",
    ),
    "value outside the declared range": dict(
        sample="{'n': int(rng.integers(1, 20))}",
        solve="{'a': 3}",
        checks="[checks]\nranges = { n = [1, 12] }",
    ),
}


@pytest.mark.parametrize("invariant", sorted(BROKEN))
def test_each_broken_question_is_caught(tmp_path, invariant):
    bank = broken_question(tmp_path / "bank", "q", **BROKEN[invariant])
    results = check_bank([bank], ["broken/q"], variants=60, workers=1)
    findings = results["broken/q"].findings
    assert findings, f"no finding for {invariant}"
    assert {f.invariant for f in findings} == {invariant}
    first = findings[0]
    assert first.question == "broken/q" and 0 <= first.seed < 60
    assert invariant in str(first) and f"seed {first.seed}" in str(first)


def test_the_cli_fails_naming_question_seed_and_invariant(tmp_path):
    bank = broken_question(tmp_path / "bank", "q", **BROKEN["key differs from the closed form"])
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--bank", str(bank), "--question",
         "broken/q", "--variants", "100", "--workers", "1"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert "FAIL broken/q" in result.stdout
    assert "broken/q (seed" in result.stdout and "key differs from the closed form" in result.stdout
    assert "the engine gives 25 but the closed form gives 26" in result.stdout
    assert result.stderr.strip().splitlines()[-1].startswith("Error: ")


def test_shipped_bank_passes_and_reports(tmp_path):
    report = tmp_path / "report.md"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--variants", "200", "--report",
         str(report)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("ok   cs230-w2020/") == 7
    text = report.read_text()
    for figure in ("Distinct variants", "Rejected draws", "position bias", "Closest pair",
                   "smallest", "largest"):  # fmt: skip
        assert figure in text
    assert text.count("## cs230-w2020/") == 7
    assert "**yes**" not in text  # no position bias in the shipped bank
    assert "## Copies of cs230-midterm-winter-2020" in text  # the default exam's class
    assert "Points with one answer in every copy: **" in text and "Copy gain:" in text
    assert "different lists**" not in text  # every part's variants need the same steps


def test_html_report(tmp_path):
    report = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--variants", "60", "--question",
         "cs230-w2020/dl-strategy", "--report", str(report)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    html = report.read_text()
    assert html.startswith("<!DOCTYPE html>") and "cs230-w2020/dl-strategy" in html


def test_report_flags_a_position_bias(tmp_path):
    from generator.check.report import question_stats

    bank = broken_question(
        tmp_path / "bank", "biased", kind="choice",
        sample="{'n': int(rng.integers(1, 20))}",
        solve="{'a': Choices((Option('ReLU', True), Option('tanh', False), "
        "Option('sigmoid', False)))}",
        closed_form="{}",
    )  # fmt: skip
    result = check_bank([bank], ["broken/biased"], variants=100, workers=1)["broken/biased"]
    (positions,) = question_stats(result, class_size=40).positions
    assert positions.counts == {"A": 100, "B": 0, "C": 0}
    assert positions.biased


def test_generation_stops_when_engine_and_closed_form_disagree(tmp_path):
    bank = broken_question(tmp_path / "bank", "q", **BROKEN["key differs from the closed form"])
    blueprint = tmp_path / "bp.toml"
    blueprint.write_text('name = "b"\ntitle = "B"\n[[questions]]\nid = "broken/q"\n')
    out = tmp_path / "out"
    seed = next(s for s in range(200) if _n(s) == 5)  # the variant whose closed form differs
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--public", "--seed", str(seed), "--bank", str(bank),
         "--blueprint", str(blueprint), "--out", str(out), "--no-pdf"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert "part (a): the engine gives 25 but the closed form gives 26" in result.stderr
    assert not out.exists() or not any(out.iterdir())


def _n(seed: int) -> int:
    from generator.variants.assemble import first_copy

    seeding, copy = first_copy(seed)
    return int(seeding.rng("broken/q", copy).integers(1, 20))


TIERED_POOL = """
from generator.authoring import Statement, statements
POOL = tuple(
    Statement(f"s{i}", f"Statement number {i}.", i % 2 == 0, "Why.", tier=1 + (i >= 4))
    for i in range(8)
)
"""


@pytest.mark.parametrize("tiers", ["", ", tiers=(1, 1, 2, 2)"])
def test_a_statement_pool_drawn_with_another_mix_of_tiers_fails_the_check(tmp_path, tiers):
    """Every copy must be as hard: four of eight statements drawn at random give some copies
    three easy ones and others one (unequal steps: a finding); drawn two of each tier, the
    copies all need the same (no finding)."""
    bank = broken_question(
        tmp_path / "bank", "pool", kind="multi",
        extra=textwrap.indent(TIERED_POOL.strip(), " " * 8).lstrip(),
        sample=f"{{'ids': statements.draw(POOL, 4, rng, printed=(){tiers})}}",
        solve="{'a': statements.as_choices(POOL, params['ids']), "
        "'steps': {'a': statements.steps(POOL, params['ids'])}}",
        closed_form="{}",
    )  # fmt: skip
    findings = check_bank([bank], ["broken/pool"], variants=60, workers=1)["broken/pool"].findings
    if tiers:
        assert findings == []
    else:
        assert [f.invariant for f in findings] == ["variants differ in steps"]
        assert "part (a): seed 0 needs (tier " in findings[0].detail
