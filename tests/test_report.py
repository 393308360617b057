"""generate-exam check --report: an honest variant count, part labels as the exam prints them."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import textwrap
from collections import Counter
from pathlib import Path

import pytest

from generator.check.report import (
    chao1,
    distinct_lower_bound,
    estimate,
    question_stats,
    render_report,
)
from generator.check.stress import check_bank
from tests.test_check import broken_question

GOLDEN_KEY = Path(__file__).parent / "golden" / "seed42" / "key.json"


def no_repeat_probability(k: int, n: int) -> float:
    """Exactly: n draws from k equally likely variants are all distinct."""
    return math.prod(1 - i / k for i in range(n))


@pytest.mark.parametrize("n", [10, 50, 200, 1000, 5000])
def test_lower_bound_is_the_birthday_bound(n):
    bound = distinct_lower_bound(n)
    assert bound == int(n * (n - 1) / (2 * math.log(20)))  # the closed form
    # what the bound claims: a bank of `bound` variants (or fewer) shows a repeat in n
    # draws 95 % of the time, so n distinct draws rule it out ...
    assert no_repeat_probability(bound, n) < 0.05
    # ... and from a few hundred draws on it is close to the best the data allow (2 % more
    # is not ruled out); for fewer, exp(-x) overstates the product and the bound is cautious
    if n >= 200:
        assert no_repeat_probability(math.ceil(1.02 * bound), n) > 0.05


def test_lower_bound_for_1000_draws():
    assert distinct_lower_bound(1000) == 166737  # 1000 * 999 / (2 ln 20) = 166737.6
    assert str(estimate(Counter(str(i) for i in range(1000)))) == (
        "more than 160,000 (no two of 1000 draws alike)"
    )


def test_lower_bound_is_never_below_what_was_seen():
    # 5 distinct draws: the birthday bound (3) is weaker than the 5 variants seen
    assert distinct_lower_bound(5) == 4  # "more than 4"
    assert str(estimate(Counter())) == "none (no draw without a fault)"


def test_unequal_chances_make_a_repeat_likelier():
    """Why the bound holds for any bank: uniform variants are the hardest to repeat."""
    uniform = no_repeat_probability(4, 3)  # 4 * 3 * 2 / 4**3
    p = [0.4, 0.3, 0.2, 0.1]
    uneven = sum(p[a] * p[b] * p[c] for a in range(4) for b in range(4) for c in range(4)
                 if len({a, b, c}) == 3)  # fmt: skip
    assert uneven < uniform == pytest.approx(0.375)


def test_chao1_by_hand():
    # seen once: a, b, c (f1 = 3); twice: d, e (f2 = 2); three times: f.  S_obs = 6.
    counts = Counter("abcddeefff")
    assert chao1(counts) == round(6 + 3 * 3 / (2 * 2))  # 8.25
    assert chao1(counts) == 8
    assert str(estimate(counts)) == "about 8 (Chao1)"
    # no variant seen twice but one seen three times: the bias-corrected form, 4 + 3 * 2 / 2
    assert chao1(Counter("abcddd")) == 7
    assert not estimate(Counter("abcddd")).lower_bound
    # every draw distinct: Chao1 is n + n(n-1)/2 whatever the bank, the estimate a bound
    assert chao1(Counter(str(i) for i in range(1000))) == 500500
    assert estimate(Counter(str(i) for i in range(1000))).lower_bound


def test_chao1_point_estimate_is_rounded_to_two_digits():
    counts = Counter({f"v{i}": 1 for i in range(94)} | {f"w{i}": 2 for i in range(3)})
    assert chao1(counts) == round(97 + 94 * 94 / (2 * 3)) == 1570  # 1569.67
    assert str(estimate(counts)) == "about 1,600 (Chao1)"


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_report_says_more_than_when_no_draw_repeats(tmp_path, suffix):
    wide = broken_question(tmp_path / "bank", "wide", sample="{'n': int(rng.integers(1, 10**9))}",
                           solve="{'a': 5}")  # fmt: skip
    broken_question(tmp_path / "bank", "narrow", sample="{'n': int(rng.integers(1, 6))}",
                    solve="{'a': 5}")  # fmt: skip
    results = check_bank([wide], ["broken/wide", "broken/narrow"], variants=300, workers=1)
    text = render_report(results, variants=300, class_size=40, path=tmp_path / f"r{suffix}")
    assert "more than 14,000 (no two of 300 draws alike)" in text  # 300 * 299 / (2 ln 20)
    assert "about 5 (Chao1)" in text  # 5 values, each drawn many times
    assert "45150" not in text and "45,150" not in text  # the degenerate Chao1, 300 * 301 / 2


def nested_question(root: Path) -> Path:
    """A question with parts (a)(i) and (a)(ii): the key of (a)(i) is wrong for n = 5,
    the answer of (a)(ii) is printed in the stem."""
    folder = root / "nested"
    folder.mkdir(parents=True)
    (folder / "question.toml").write_text(textwrap.dedent("""\
        id = "broken/nested"
        title = "Nested"
        [[parts]]
        label = "a"
          [[parts.parts]]
          label = "i"
          points = 1
          kind = "integer"
          [[parts.parts]]
          label = "ii"
          points = 1
          kind = "integer"
        """), encoding="utf-8")  # fmt: skip
    (folder / "solve.py").write_text(textwrap.dedent("""\
        def sample(rng):
            return {'n': int(rng.integers(1, 20)), 'm': int(rng.integers(10, 99))}

        def solve(params, rng):
            return {'a.i': params['n'] * params['n'], 'a.ii': params['m']}

        def closed_form(params):
            n = params['n']
            return {'a.i': n * n + (n == 5), 'a.ii': params['m']}
        """), encoding="utf-8")  # fmt: skip
    (folder / "question.tex.j2").write_text(
        "\\BLOCK{block a}Two things.\\BLOCK{endblock}\n"
        "\\BLOCK{block a_i}Square it.\\BLOCK{endblock}\n"
        "\\BLOCK{block a_ii}There are \\VAR{m} units. How many?\\BLOCK{endblock}\n",
        encoding="utf-8",
    )
    return root


def test_findings_and_report_print_labels_as_the_exam(tmp_path):
    bank = nested_question(tmp_path / "bank")
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--bank", str(bank), "--question",
         "broken/nested", "--variants", "60", "--workers", "1", "--report",
         str(tmp_path / "r.md")],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 1
    assert "part (a)(i): the engine gives 25 but the closed form gives 26" in result.stdout
    assert "part (a)(ii): its answer" in result.stdout
    assert "a.i" not in result.stdout and "a.ii" not in result.stdout
    report = (tmp_path / "r.md").read_text()
    assert "| (a)(i) | integer |" in report and "| (a)(ii) | integer |" in report
    assert "a.i" not in report


def _report_labels(text: str) -> dict[str, list[str]]:
    """Per question of a Markdown report, the part labels of its answer table."""
    out: dict[str, list[str]] = {}
    for section in text.split("\n## ")[1:]:
        question = section.splitlines()[0]
        table = section.split("| part | kind |")[1]
        out[question] = re.findall(r"^\| (\S+) \| [a-z]+ \|", table, flags=re.MULTILINE)
    return out


def test_shipped_report_labels_match_the_exam(tmp_path):
    """Every part label of the report is the label the exam prints (golden key, seed 42)."""
    report = tmp_path / "report.md"
    (variant,) = json.loads(GOLDEN_KEY.read_text())["variants"]
    questions = [arg for q in variant["questions"] for arg in ("--question", q["id"])]
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--variants", "100", *questions,
         "--report", str(report)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    text = report.read_text()
    printed = {
        q["id"]: [re.sub(r"^\d+", "", p["label"]) for p in q["parts"]] for q in variant["questions"]
    }
    assert _report_labels(text) == printed
    assert "(e)(i)" in text and "(e.i)" not in text
    # the figures the old report printed for draws that never repeat are gone
    assert "more than 1,600 (no two of 100 draws alike)" in text  # 100 * 99 / (2 ln 20)
    assert "about 5050" not in text and "about 5,050" not in text


def test_question_stats_positions_carry_printed_labels(tmp_path):
    bank = broken_question(
        tmp_path / "bank", "choice", kind="choice",
        sample="{'n': int(rng.integers(1, 20))}",
        solve="{'a': Choices((Option('ReLU', params['n'] > 9), Option('tanh', params['n'] <= 9)))}",
        closed_form="{}",
    )  # fmt: skip
    result = check_bank([bank], ["broken/choice"], variants=40, workers=1)["broken/choice"]
    stats = question_stats(result, class_size=40)
    assert [p.label for p in stats.positions] == ["(a)"]
    assert [r.label for r in stats.ranges] == ["(a)"]


@pytest.mark.parametrize("suffix", [".md", ".html"])
def test_both_formats_print_nested_labels(tmp_path, suffix):
    bank = nested_question(tmp_path / "bank")
    results = check_bank([bank], ["broken/nested"], variants=30, workers=1)
    text = render_report(results, variants=30, class_size=10, path=tmp_path / f"r{suffix}")
    cell = "<td>{}</td>" if suffix == ".html" else "| {} |"
    assert cell.format("(a)(i)") in text and cell.format("(a)(ii)") in text
    assert "a.i" not in text
