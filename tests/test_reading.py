"""Responses read as students write them: work, units, labels, the marks of the tools they
pass through, and the three outcomes (right, wrong, or a person, never a silent zero).

Every expected value is the answer written in the response, worked out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from generator.kinds import KINDS, reading
from generator.kinds.reading import Unreadable, entries, number

from .conftest import part_info


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("224", 224),
        ("3*3*3*8 + 8 = 224", 224),  # the work before the result
        ("228 parameters", 228),  # a unit
        ("n_x = 500", 500),  # a label
        ("so 1540 in total", 1540),  # a total in a sentence
        ("total = 3*3*8 + 8 = 80", 80),  # the word total before the work
        ("60 x 35 = 2100 weights, 35 gammas and 35 betas: 2170", 2170),  # the result last
        ("7, since (1/2)^7 = 0.0078 < 0.01", 7),  # the answer before its reason
        ("1 (a scalar)", 1),  # a remark in parentheses
        ("'-5", -5),  # Moodle's CSV guard before a cell starting with -
        ("\u22125", -5),  # a Unicode minus
        ("1,008", 1008),  # thousands, in a count
        ("2 170", 2170),  # thousands grouped by a space (was read as 2 x 170)
        ("0,69", Decimal("0.69")),  # a decimal comma
        ("J \u2248 0.611", Decimal("0.611")),
        ("about 0.61", Decimal("0.61")),
        ("3 or 4", 3),  # a hedge earns no more than its first candidate
        ("$24161$", 24161),
        ("3*3*3*8 + 8", 224),  # the work alone, computed
    ],
)
def test_a_number_is_read_as_students_write_it(text, value):
    assert number(text, whole=True) == value


def test_arithmetic_written_out_is_computed():
    """2(c): "fill in the formula with the numbers, without calculating it"."""
    assert float(number("-log(0.8)", whole=False)) == pytest.approx(0.2231435513142098)
    filled = "-(1/4)(log 0.6 + log 0.6 + log 0.7 + log 0.4)"  # 2(d), four examples
    expected = -(2 * -0.5108256237659907 + -0.35667494393873245 + -0.916290731874155) / 4
    assert float(number(filled, whole=False)) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1,008", "reads as 1008 or 1.008"),  # a decimal asked for: either could be meant
        ("no idea", "no number in it"),
        ("x + y", "no number"),
    ],
)
def test_what_cannot_be_read_says_why(text, reason):
    with pytest.raises(Unreadable, match=reason):
        number(text, whole=False)


@pytest.mark.parametrize(
    ("text", "names", "sizes", "found"),
    [
        ("weights: 4008, biases: 9", ["weights", "biases"], False, ["4008", "9"]),
        ("biases: 33, weights: 8352", ["weights", "biases"], False, ["8352", "33"]),
        ("weight = 4008 and bias = 9", ["weights", "biases"], False, ["4008", "9"]),
        ("[1.01, 1.99, 3.01]^T", [], False, ["1.01", "1.99", "3.01"]),
        ("x* = [1.01; -1.99; 3.01]", [], False, ["1.01", "-1.99", "3.01"]),
        ("\\begin{bmatrix} 1 \\\\ 2 \\end{bmatrix}", [], False, ["1", "2"]),
        ("28x28x2", [], True, ["28", "28", "2"]),
        ("(28, 28, 2)", [], True, ["28", "28", "2"]),
        ("28 \u00d7 28 \u00d7 2", [], True, ["28", "28", "2"]),
    ],
)
def test_entries_are_read_by_name_or_in_order(text, names, sizes, found):
    assert entries(text, names, sizes=sizes) == found


def test_1d_reads_labelled_counts_in_any_order():
    part = part_info("vector", [24080, 81], points=2, names=["weights", "biases"])
    vector = KINDS["vector"]
    assert vector.score(part, "weights: 24080, biases: 81") == 1
    assert vector.score(part, "biases: 81, weights: 24080") == 1
    assert vector.score(part, "24080 weights and 81 biases") == 1


def test_a_count_accepts_the_keys_own_alternatives():
    """1(a): n_x is 500; the key also accepts "(500 x 1)", the shape of x."""
    part = part_info("integer", 500, alternatives=["(500 x 1)"],
                     tolerance={"abs": 0, "rel": 0})  # fmt: skip
    integer = KINDS["integer"]
    for text in ("500", "(500 x 1)", "500x1", "n_x = 500"):
        assert integer.score(part, text) == 1, text


def test_three_outcomes_and_never_a_silent_zero():
    part = part_info("number", 0.6113, tolerance={"abs": 0.001, "rel": 0})
    number_kind = KINDS["number"]
    assert number_kind.judge(part, "0.611").share == 1  # right
    assert number_kind.judge(part, "0.7").share == 0  # wrong
    assert number_kind.judge(part, "").share == 0  # no answer
    unread = number_kind.judge(part, "ask the TA")
    assert unread.share is None and unread.reason.startswith("unreadable")  # a person


def test_options_whose_letters_agree_are_told_apart_by_their_signs():
    """dl-core softmax-cross-entropy (b): L = -ln p is right, L = ln p is wrong."""
    options = [{"label": "A", "text": "$L = -\\ln p$", "correct": True, "why": "",
                "mistake": ""},
               {"label": "B", "text": "$L = \\ln p$", "correct": False, "why": "",
                "mistake": "the sign"}]  # fmt: skip
    part = part_info("choice", "A", options=options)
    choice = KINDS["choice"]
    assert choice.score(part, "L = -\\ln p") == 1
    assert choice.score(part, "L = \\ln p") == 0


# ------------------------------------------------------------------ orderings (3(d))

METHOD_NAMES = {"SGD": ["SGD", "stochastic"], "BGD": ["BGD", "batch"],
                "MBGD": ["MBGD", "minibatch", "mini-batch"]}  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["A=SGD; B=BGD; C=MBGD",  # the answer CSV's cell
     "A: SGD, B: BGD, C: MBGD",  # as the solutions print it
     "Batch (B), minibatch (C), stochastic (A)",  # the official solutions' style
     "SGD, BGD, MBGD",  # the options alone, in the panels' order
     "A - stochastic\nB - batch\nC - mini-batch",
     "C = MBGD and A = SGD and B = BGD"],
)  # fmt: skip
def test_an_ordering_is_read_in_the_forms_the_exam_prints(text):
    assert reading.pairs(text, ["A", "B", "C"], METHOD_NAMES) == {"A": "SGD", "B": "BGD",
                                                                  "C": "MBGD"}  # fmt: skip


def test_an_item_paired_twice_keeps_its_first_pair_and_an_unknown_option_is_unreadable():
    assert reading.pairs("A: SGD, A: BGD, C: MBGD", ["A", "B", "C"], METHOD_NAMES) == {
        "A": "SGD", "C": "MBGD"}  # fmt: skip
    with pytest.raises(reading.Unreadable):
        reading.pairs("A: Adam, B: BGD, C: MBGD", ["A", "B", "C"], METHOD_NAMES)
    with pytest.raises(reading.Unreadable):
        reading.pairs("SGD, BGD", ["A", "B", "C"], METHOD_NAMES)  # too few to be an order


@pytest.mark.parametrize(
    ("text", "work"),
    [("0.8", False), ("-0.8", False), ("J = 0.8", False), ("'-5", False), ("1,008", False),
     ("228 parameters", False), ("-(1/5)(log 0.3 + log 0.4)", True), (r"-\log 0.6", True),
     ("3*3*3*8 + 8", True)],
)  # fmt: skip
def test_work_is_told_from_a_bare_number(text, work):
    assert reading.shows_work(text) is work


@pytest.mark.parametrize(
    ("text", "value"),
    [("3 or x: 230", 3), ("3 or 230 in total", 3), ("either 3 or a total of 230", 3),
     ("230 in total: 200 weights + 30 biases", 230),
     ("888 in total: 864 weights and 24 biases", 888)],
)  # fmt: skip
def test_a_hedge_earns_its_first_candidate_and_a_total_is_the_total(text, value):
    """Found in review: the hedge was cut after the work's = or :, and 'in total' before
    a breakdown read the breakdown's first number."""
    assert number(text, whole=True) == value


@pytest.mark.parametrize(
    "text",
    [
        "3, hence maybe 230",
        "3 => 230",
        "3 → 230",
        "ratio 1:230",
        "600 weights and 6 biases",
        "0.5 0.25",
    ],
)
def test_two_numbers_without_work_between_them_are_unreadable(text):
    """A conclusion counts after work (``... = 13, so 13``); after a bare number it is a
    second answer, and a ratio is no number: a person reads them.  Found by the corpus:
    7(d)'s "600 weights and 6 biases" lost its words and read as the product 600 x 6 =
    3600, a right breakdown marked wrong."""
    with pytest.raises(Unreadable):
        number(text, whole=True)


def test_a_vector_hedge_earns_its_first_candidate_and_an_initial_is_a_whole_word():
    assert entries("x = [0, 0, 0] or x* = [1.8, 2.2, 2.8]", []) == ["0", "0", "0"]
    found = entries("26 biases since b1 is 26x1, and W1 has 5775 weights", ["weights", "biases"])
    assert found == ["5775", "26"]  # the W of W1 labels nothing
    assert not reading.is_size("2, 1") and reading.is_size("(2, 1)")
