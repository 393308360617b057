"""Every computed answer of Questions 1 and 7, against closed forms over hundreds of seeds."""

from __future__ import annotations

import pytest

from .conftest import Q1, Q7, SEEDS, variant


@pytest.mark.parametrize("seed", SEEDS)
def test_question1_answers_follow_the_closed_forms(bank, seed):
    qv = variant(bank, Q1, seed)
    p = qv.params
    n_x, n_h, k = p["n_num"] + p["n_bin"], p["n_h"], p["k"]  # the two feature groups
    answers = {key: a.value for key, a in qv.answers.items()}
    assert answers["a"] == n_x == p["n_x"]
    assert answers["b.i"] == n_x * k  # one weight per feature and label
    assert answers["b.ii"] == k  # one bias per output unit
    assert answers["c.i"] == k
    assert answers["d"] == [n_x * n_h + n_h * k, n_h + k]
    assert 10 <= n_x <= 600 and 1 <= n_h <= 128 and 2 <= k <= 6


@pytest.mark.parametrize("seed", SEEDS)
def test_question7_answers_follow_the_closed_forms(bank, seed):
    qv = variant(bank, Q7, seed)
    p = qv.params
    for dim in ("height", "width"):
        # Sizes stay whole: the kernel tiles the padded input exactly.
        assert (p[dim] + 2 * p["padding"] - p["kernel"]) % p["stride"] == 0
        assert 0 < p[dim] <= 64
    assert 0 <= p["padding"] <= (p["kernel"] - 1) // 2
    out_h = (p["height"] + 2 * p["padding"] - p["kernel"]) // p["stride"] + 1
    out_w = (p["width"] + 2 * p["padding"] - p["kernel"]) // p["stride"] + 1
    answers = {key: a.value for key, a in qv.answers.items()}
    assert answers["c"] == [out_h, out_w, p["filters"]]
    assert min(out_h, out_w) >= 1
    assert answers["d"] == p["kernel"] ** 2 * p["channels"] * p["filters"] + p["filters"]
    assert answers["e"] == p["kernel_1d"] * p["channels_1d"] * p["filters"] + p["filters"]
    assert answers["f"] == p["kernel_3d"] ** 3 * p["channels"] * p["filters"] + p["filters"]


def test_draws_vary_across_seeds(bank):
    """The pools are really used: many scenarios and sizes appear over the sweep."""
    q1 = [variant(bank, Q1, s).params for s in SEEDS]
    q7 = [variant(bank, Q7, s).params for s in SEEDS]
    assert len({p["scenario"]["id"] for p in q1}) >= 5
    assert len({(p["n_x"], p["n_h"]) for p in q1}) > 200
    assert {p["kernel"] for p in q7} == {3, 5, 7}
    # Every copy of 7(c) pads and divides by a stride (equal steps, issue 27).
    assert {p["stride"] for p in q7} == {2, 3}
    assert {p["padding"] for p in q7} == {1, 2, 3}
    assert len({(p["height"], p["width"], p["filters"]) for p in q7}) > 200
