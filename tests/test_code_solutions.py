"""Code parts in the solutions: the completed function, its answer lines at their blanks.

Question 3(g) and 4(b) print a skeleton with blanks.  The solutions print it once, filled
in, each answer line marked by a comment, in place of the blank skeleton (not the
skeleton and then the lines apart); the key's LaTeX and the LMS exports show the same
function.  Checked over 300 seeds on the rendered .tex (tests/test_page_count.py reads
the PDFs: straight quotes, one page).
"""

from __future__ import annotations

import html
import re

import numpy as np
import pytest

from generator.bank.blueprints import load_blueprint
from generator.kinds.answers import ANSWER_MARK, BLANK, Code
from generator.lms.html import to_html
from generator.render.latex import Document, render_tex
from generator.variants.assemble import build_exam
from generator.variants.seeding import Seeding

from .conftest import Q3, Q4, SEEDS, replica, variant, write_blueprint

CODE_PARTS = {Q3: ("g", "def optim_adam("), Q4: ("b", "def forward_batchnorm(")}
LISTING = re.compile(
    r"\\begin\{code\}\\begin\{verbatim\}\n(.*?)\n\\end\{verbatim\}\n?\\end\{code\}", re.S
)
SOLUTION = re.compile(r"\\begin\{solution\}\n(.*?)\\end\{solution\}", re.S)


def expected(skeleton: str, blanks: dict[str, str]) -> list[tuple[bool, str]]:
    """The skeleton's lines, each blank line replaced by its answer at the blank's indent:
    (whether it is an answer line, the line), worked out here rather than by Code."""
    lines = []
    for line in skeleton.split("\n"):
        blank = re.fullmatch(r"( *)@@(\w+)@@", line)
        lines.append((True, blank[1] + blanks[blank[2]]) if blank else (False, line))
    return lines


def check_completed(listing: str, skeleton: str, blanks: dict[str, str]) -> None:
    """``listing`` is the skeleton with every answer line at its blank, marked at one column."""
    got = listing.split("\n")
    want = expected(skeleton, blanks)
    assert len(got) == len(want), (len(got), len(want))
    columns = set()
    for line, (answer, text) in zip(got, want, strict=True):
        if answer:
            assert re.fullmatch(re.escape(text) + r"  +" + re.escape(ANSWER_MARK), line), line
            columns.add(line.index(ANSWER_MARK))
        else:
            assert line == text and ANSWER_MARK not in line, line
    assert len(columns) == 1, columns  # the marks line up
    compile(listing, "<completed>", "exec")  # still Python


@pytest.fixture(scope="module")
def documents(bank, tmp_path_factory):
    """The exam and solutions .tex of 300 seeds of Questions 3 and 4, with each code part's
    answer."""
    path = write_blueprint(tmp_path_factory.mktemp("code") / "code.toml", [Q3, Q4])
    blueprint = load_blueprint(str(path), bank)
    found = []
    for seed in SEEDS:
        exam = build_exam(blueprint, bank, Seeding(seed))
        answers = {qv.question.id: qv.answers for qv in exam.variants[0].questions}
        found.append(
            (
                seed,
                render_tex(exam, exam.variants, Document(versions=("exam",))),
                render_tex(exam, exam.variants, Document(versions=("solutions",))),
                {qid: answers[qid][part] for qid, (part, _) in CODE_PARTS.items()},
            )
        )
    return found


def test_the_solutions_print_the_completed_function_once(documents):
    for seed, exam, solutions, answers in documents:
        solved = [LISTING.findall(body) for body in SOLUTION.findall(solutions)]
        for qid, (_, head) in CODE_PARTS.items():
            answer = answers[qid]
            skeleton, blanks = answer.details["code"], answer.value
            printed = [code for codes in solved for code in codes if code.startswith(head)]
            assert len(printed) == 1, (seed, qid, len(printed))  # in its part's solution
            check_completed(printed[0], skeleton, blanks)
            everywhere = [code for code in LISTING.findall(solutions) if code.startswith(head)]
            assert everywhere == printed, (seed, qid)  # no blank skeleton besides it
            blank = Code(skeleton, blanks).blanked()
            assert exam.count(blank) == 1 and blank not in solutions, (seed, qid)
        assert BLANK not in solutions, seed
        assert ANSWER_MARK not in exam, seed  # the exam gives nothing away


def test_code_is_typed_with_straight_quotes(documents):
    """The PDF prints a typed ' straight (upquote); the source must hold ASCII quotes."""
    for seed, exam, solutions, _ in documents:
        for document in (exam, solutions):
            assert "\\usepackage{upquote}" in document.split("\\csname endofdump")[0]
            for code in LISTING.findall(document):
                assert not re.search("[\u2018\u2019\u201c\u201d`]", code), (seed, code[:80])
                assert code.isascii(), seed


def test_the_key_and_the_lms_show_the_same_completed_function(bank):
    """The key's answer LaTeX (what every LMS export converts) is the solutions' listing,
    and its HTML is the function line for line."""
    for seed in SEEDS[:20]:
        for qid, (part, head) in CODE_PARTS.items():
            answer = variant(bank, qid, seed).answers[part]
            (listing,) = LISTING.findall(answer.latex)
            assert listing.startswith(head)
            check_completed(listing, answer.details["code"], answer.value)
            pre = re.findall(r"<pre>(.*?)</pre>", to_html(answer.latex), re.S)
            assert [html.unescape(code) for code in pre] == [listing], (seed, qid)


def test_the_check_fails_on_the_lines_given_apart(bank):
    """The old solutions (the answer lines alone) and a mark on a skeleton line fail."""
    answer = variant(bank, Q3, 0).answers["g"]
    skeleton, blanks = answer.details["code"], answer.value
    with pytest.raises(AssertionError):
        check_completed("\n".join(blanks.values()), skeleton, blanks)
    completed = Code(skeleton, blanks).completed().split("\n")
    completed[0] += "  " + ANSWER_MARK
    with pytest.raises(AssertionError):
        check_completed("\n".join(completed), skeleton, blanks)


def test_the_batchnorm_docstring_gives_the_shapes_the_function_is_called_with(bank):
    """gamma, beta and the moving averages: one row of features (examples first) or one
    column (features first), as the self-check and tests/test_code_fill_ins.py call it."""
    for seed in SEEDS:
        qv = variant(bank, Q4, seed)
        shape = "(1, num_features)" if qv.params["layout"] == "examples-first" else (
            "(num_features, 1)")  # fmt: skip
        skeleton = qv.answers["b"].details["code"]
        for name in ("gamma", "beta"):
            assert f"    {name} -- BN layer parameter, with shape {shape}\n" in skeleton, seed
        assert f"'mu' and 'var', with shape {shape}\n" in skeleton, seed
        assert "vector" not in skeleton, seed


def test_the_keepdims_note_says_what_numpy_does(bank):
    """The grading note of 4(b) for features first: without keepdims=True, Z - mu fails
    (or, with as many examples as features, subtracts the wrong means) and the moving
    averages become square matrices; with examples first the line is right without it."""
    by_layout = {"examples-first": replica(bank, Q4)}  # the original exam's, the replica's only
    for seed in SEEDS:
        qv = variant(bank, Q4, seed)
        by_layout.setdefault(qv.params["layout"], qv)
    assert set(by_layout) == {"examples-first", "features-first"}
    note = next(n for n in by_layout["features-first"].answers["b"].rubric if "keepdims=True" in n)
    assert "0.5 points" in note and "broadcasting error" in note
    rng = np.random.default_rng(0)
    for layout, qv in by_layout.items():
        code = qv.answers["b"]
        lines = {k: v.replace(", keepdims=True", "") for k, v in code.value.items()}
        namespace = {"np": np}
        exec(Code(code.details["code"], lines).filled(), namespace)
        forward = namespace["forward_batchnorm"]
        features_first = layout == "features-first"
        stat = (5, 1) if features_first else (1, 5)
        for examples in (8, 5):
            shape = (5, examples) if features_first else (examples, 5)
            cache = {"mu": np.zeros(stat), "var": np.ones(stat)}
            Z = rng.standard_normal(shape) + 2
            axis = 1 if features_first else 0
            right = (Z - Z.mean(axis=axis, keepdims=True)) / np.sqrt(
                Z.var(axis=axis, keepdims=True) + float(qv.params["eps"])
            )
            if not features_first:
                assert np.allclose(forward(Z, np.ones(stat), np.zeros(stat), cache, "train"),
                                   right)  # fmt: skip
            elif examples != 5:
                with pytest.raises(ValueError, match="broadcast"):
                    forward(Z, np.ones(stat), np.zeros(stat), cache, "train")
            else:
                out = forward(Z, np.ones(stat), np.zeros(stat), cache, "train")
                assert not np.allclose(out, right)
                assert cache["mu"].shape == (5, 5)
