"""Code fill-ins graded by running them: the Adam step of 3(g), the batch norm of 4(b).

For many seeds (so every naming of the batch-norm code, with the replica's layout
besides theirs, and every eps and learning rate the bank draws), the key's own lines
earn full marks, as do lines rewritten by hand from the textbook formulas (another order
of terms, np.square for ** 2, a sum over the count for a mean, ``w -= ...``); each named
mistake costs exactly its own blank's share. Hostile lines earn 0, raise nothing, create
no file, and are stopped within a small number of the interpreter's steps (an operation
budget, not a clock). Lines crafted to agree with the key on the inputs the grader once
drew from a fixed seed (steps 1, 2 and 7, 8 examples) lose their group's point: the
inputs are drawn per response now.
"""

from __future__ import annotations

import ast
import contextlib
import json
import re
import subprocess
import sys
from pathlib import Path

import msgspec
import numpy as np
import pytest

from generator.key.records import PartInfo
from generator.kinds import KINDS, streams
from generator.kinds.code import inputs
from generator.kinds.code import interpreter as code_eval
from generator.kinds.code.grading import MAX_RESPONSE, REPAIRS, marks, score
from generator.kinds.code.interpreter import Interpreter, Rejected, parse_line, parse_skeleton

from .conftest import Q3, Q4, part_info, replica, variant

SEEDS = range(0, 60, 4)
# 4(b)'s seeds all put the features first; the original exam's layout, examples first, is
# the replica's, graded here as the seeds' records are.
REPLICA = -1

ADAM_RIGHT = {
    "v": ["v = (1 - beta1) * grad + beta1 * v", "beta1*v + (1-beta1)*grad",
          "v = v * beta1 + grad - beta1 * grad"],
    "s": ["s = beta2 * s + (1 - beta2) * np.square(grad)", "beta2*s + (1-beta2)*grad*grad",
          "s = np.multiply(beta2, s) + (1 - beta2) * np.power(grad, 2)"],
    "v_corr": ["v_corr = v / (1 - np.power(beta1, step))", "v * (1 / (1 - beta1 ** step))"],
    "s_corr": ["s_corr = s / (1 - beta2**step)", "np.divide(s, 1 - beta2 ** step)"],
    "w": ["w = w - lr * v_corr / (s_corr + eps) ** 0.5", "w -= lr * v_corr / np.sqrt(s_corr + eps)",
          "w - (lr / np.sqrt(s_corr + eps)) * v_corr"],
}  # fmt: skip
ADAM_WRONG = {
    "v": ["v = beta1 * v + (1 - beta1) * grad ** 2", "v = beta1 * v + grad"],
    "s": ["s = beta2 * s + (1 - beta2) * grad", "s = beta1 * s + (1 - beta1) * grad ** 2"],
    "v_corr": ["v_corr = v / (1 - beta1)", "v_corr = v"],
    "s_corr": ["s_corr = s / (1 - beta1 ** step)", "s_corr = s / (1 + beta2 ** step)"],
    "w": ["w = w + lr * v_corr / np.sqrt(s_corr + eps)", "w = w - lr * v / np.sqrt(s + eps)",
          "w = w - lr * v_corr / np.sqrt(s_corr)", "w = w - lr * v_corr / (s_corr + eps)"],
}  # fmt: skip


# The names ADAM_RIGHT and ADAM_WRONG are written in (the course's, the original exam's);
# each copy's skeleton uses the naming convention it drew (solve.py's ADAM_NAMES).
COURSE_NAMES = re.compile(r"\b(lr|beta1|beta2|eps|grad|w|v_corr|s_corr)\b")


def in_names(line: str, params: dict) -> str:
    """``line`` with the course's names replaced by the copy's own, in one pass."""
    names = params["adam_names"]
    return COURSE_NAMES.sub(lambda m: names[m[1]], line)


def adam_lines(params: dict) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """ADAM_RIGHT and ADAM_WRONG in the copy's names."""
    right, wrong = (
        {blank: [in_names(line, params) for line in lines] for blank, lines in table.items()}
        for table in (ADAM_RIGHT, ADAM_WRONG)
    )
    return right, wrong


def batchnorm_lines(layout: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """4(b) by hand: the statistics are over the examples, axis 0 when examples come first
    (rows), axis 1 when features do, kept as a column or row that broadcasts against Z."""
    ax, other = (0, 1) if layout == "examples-first" else (1, 0)
    keep = f"axis={ax}, keepdims=True"
    right = {
        "mu_train": [f"mu = np.sum(Z, {keep}) / Z.shape[{ax}]", f"np.mean(Z, {keep})"],
        "var_train": [f"var = np.mean((Z - mu) ** 2, {keep})",
                      f"np.mean(np.square(Z - np.mean(Z, {keep})), {keep})",
                      f"np.std(Z, {keep}) ** 2"],
        "mu_test": ["mu = cache_dict['mu']", "cache_dict['mu']"],
        "var_test": ["var = cache_dict['var']"],
        "z_norm": ["Z_norm = (Z - mu) * (var + eps) ** -0.5", "(Z - mu) / np.sqrt(eps + var)"],
        "out": ["out = beta + Z_norm * gamma", "np.multiply(gamma, Z_norm) + beta"],
    }  # fmt: skip
    wrong = {
        "mu_train": [f"mu = np.mean(Z, axis={other}, keepdims=True)", "mu = np.mean(Z)"],
        "var_train": [f"var = np.var(Z, {keep}, ddof=1)", f"var = np.std(Z, {keep})"],
        "mu_test": [f"mu = np.mean(Z, {keep})", "mu = cache_dict['var']"],
        "var_test": [f"var = np.var(Z, {keep})"],
        "z_norm": ["Z_norm = (Z - mu) / np.sqrt(var)", "Z_norm = (Z - mu) / (var + eps)",
                   "Z_norm = Z / np.sqrt(var + eps)"],
        "out": ["out = gamma * Z + beta", "out = gamma * Z_norm", "out = Z_norm + beta"],
    }  # fmt: skip
    if layout == "features-first":  # without keepdims the statistics are rows, not columns
        wrong["mu_train"].append("mu = np.mean(Z, axis=1)")
    return right, wrong


def key_part(bank, qid: str, part: str, seed: int) -> tuple[PartInfo, dict]:
    """The part as key.json records it, and its question's drawn parameters."""
    qv = variant(bank, qid, seed)
    answer = qv.answers[part]
    return part_info("code", dict(answer.value), code=answer.details["code"]), qv.params


def replica_part(bank) -> tuple[PartInfo, dict]:
    qv = replica(bank, Q4)
    answer = qv.answers["b"]
    return part_info("code", dict(answer.value), code=answer.details["code"]), qv.params


@pytest.fixture(scope="module")
def drawn(bank) -> dict:
    found = {(qid, part, seed): key_part(bank, qid, part, seed)
             for qid, part in ((Q3, "g"), (Q4, "b")) for seed in SEEDS}  # fmt: skip
    return found | {(Q4, "b", REPLICA): replica_part(bank)}


# 4(b)'s code names its statistics, normalized input and output as the copy draws them
# (mu, var, Z_norm and out in the original exam): the lines below are written with the
# original names, and put in a copy's own, read off the targets of its key's lines.
NAMED = re.compile(r"(?<![.'\w])(mu|var|Z_norm|out)(?![\w'])")
TARGETS = {"mu": "mu_train", "var": "var_train", "Z_norm": "z_norm", "out": "out"}


def renamed(record: PartInfo, line: str) -> str:
    if "mu_train" not in record.answer:
        return line  # Adam
    names = {name: record.answer[blank].split(" = ")[0] for name, blank in TARGETS.items()}
    return NAMED.sub(lambda found: names[found[1]], line)


def test_lines_are_renamed_as_the_copy_names_them():
    record = part_info("code", {"mu_train": "mean = 1", "var_train": "variance = 2",
                                "z_norm": "Z_hat = 3", "out": "outputs = 4"}, code="")  # fmt: skip
    assert renamed(record, "out = gamma * Z_norm + np.var(Z) + cache_dict['mu'] + mu") == (
        "outputs = gamma * Z_hat + np.var(Z) + cache_dict['mu'] + mean"
    )


def lines_for(qid: str, params: dict) -> tuple[dict, dict]:
    if qid == Q3:
        return adam_lines(params)
    return batchnorm_lines(params["layout"])


def with_line(record: PartInfo, blank: str, line: str) -> str:
    """The key's lines with ``line`` at ``blank``, one per line."""
    return "\n".join(line if name == blank else key for name, key in record.answer.items())


def test_both_layouts_and_several_constants_are_graded(params):
    assert {params[Q4, "b", s]["layout"] for s in SEEDS} == {"features-first"}
    assert params[Q4, "b", REPLICA]["layout"] == "examples-first"
    assert len({params[Q4, "b", s]["naming"] for s in SEEDS}) > 1
    assert len({params[Q3, "g", s]["eps"] for s in SEEDS}) > 1


@pytest.mark.parametrize(("qid", "part"), [(Q3, "g"), (Q4, "b")])
def test_the_keys_own_lines_score_1(parts, qid, part):
    for seed in SEEDS:
        record = parts[qid, part, seed]
        assert score(record, KINDS["code"].cell(record)) == 1.0, seed  # "a | b | ..."
        bare = "\n".join(line.split("=", 1)[1] for line in record.answer.values())
        assert score(record, bare) == 1.0, seed


@pytest.mark.parametrize(("qid", "part"), [(Q3, "g"), (Q4, "b")])
def test_rewritten_lines_score_1_and_each_mistake_costs_its_blank(parts, params, qid, part):
    for seed in SEEDS:
        record = parts[qid, part, seed]
        right, wrong = lines_for(qid, params[qid, part, seed])
        share = 1 / len(record.answer)
        for blank, lines in right.items():
            for line in lines:
                line = renamed(record, line)
                assert score(record, with_line(record, blank, line)) == 1.0, (seed, blank, line)
        for blank, lines in wrong.items():
            for line in lines:
                got = score(record, with_line(record, blank, renamed(record, line)))
                assert got == pytest.approx(1 - share), (seed, blank, line)


def test_every_line_wrong_or_missing_scores_0(parts, params):
    record = parts[Q3, "g", 0]
    assert score(record, "") == 0.0
    _, adam_wrong = adam_lines(params[Q3, "g", 0])
    wrong = "\n".join(lines[0] for lines in adam_wrong.values())
    assert score(record, wrong) == 0.0
    first_two = "\n".join(list(record.answer.values())[:2])
    assert score(record, first_two) == pytest.approx(2 / 5)


HOSTILE = [
    "__import__('os').system('touch /tmp/code-graded-hostile')",
    "open('/etc/passwd').read()",
    "while True: pass",
    "for i in range(10**9): pass",
    "np.ones(10**10)",
    "np.zeros((10**5, 10**5))",
    "().__class__.__bases__",
    "grad.__class__",
    "np.sum.__globals__",
    "lambda: 1",
    "[0] * 10**10",
    "'x' * 10**9",
    "grad ** 9**9**9",
    "10 ** 10 ** 10",
    "import os",
    "exec('1')",
    "eval('1')",
    "np.load('/etc/passwd')",
    "np.sum(grad, out=grad)",
    "cache_dict.clear()",
    "v = (yield)",
    "(" * 200 + "grad" + ")" * 200,
    "v = grad; import os",
    "globals()",
    "grad.tofile('/tmp/code-graded-hostile')",
    "grad.reshape(10**9, 10**9)",
    "grad[grad > 0]",
    "np.expand_dims(grad, 99)[None] @ grad",
    "x" * (1 << 20),
]


@pytest.mark.parametrize("line", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_lines_score_0_within_a_small_budget(parts, line):
    """Refused code is wrong; a response too long to read at all is a person's, with the
    reason (never a silent zero)."""
    record = parts[Q3, "g", 0]
    if len(line) >= MAX_RESPONSE:
        judged = KINDS["code"].judge(record, line)
        assert judged.share is None and "characters" in judged.reason
        return
    assert score(record, line) == 0.0
    share = 1 / len(record.answer)
    for blank in record.answer:  # the other blanks keep their shares, this one has none
        assert score(record, with_line(record, blank, line)) == pytest.approx(1 - share)
    function = parse_skeleton(record.code, list(record.answer))
    try:
        student = parse_line(line)
    except Rejected:
        return  # refused before anything runs
    lines = {name: parse_line(text) for name, text in record.answer.items()} | {"v": student}
    interpreter = Interpreter(function, lines)
    ones, zeros = np.ones((2, 2)), np.zeros((2, 2))
    case = {"weights_dict": {"W1": ones}, "gradients_dict": {"W1": ones},
            "cache_dict": {"vW1": zeros, "sW1": zeros}, "step": 1}  # fmt: skip
    # Refused, or (9 ** 9 ** 9 in floats) an overflow to inf, which no key's output equals.
    with contextlib.suppress(Rejected):
        interpreter.call(case)
    assert interpreter.budget.steps < 200  # stopped at once, far below MAX_STEPS
    assert not Path("/tmp/code-graded-hostile").exists()


def test_the_budget_stops_a_long_computation_by_counting_steps():
    """Loops run only over a container already there, but nested ones multiply: the
    interpreter stops at its step budget, whatever the clock says."""
    source = "\n".join(["def f(xs):", "    total = 0", "    for a in xs:", "        for b in xs:",
                        "            for c in xs:", "                total = total + 1",
                        "    return total"])  # fmt: skip
    interpreter = Interpreter(parse_skeleton(source, []), {})
    with pytest.raises(Rejected, match="budget"):
        interpreter.call({"xs": list(range(100))})
    assert interpreter.budget.steps == code_eval.MAX_STEPS + 1
    small = Interpreter(parse_skeleton(source, []), {})
    assert small.call({"xs": [1, 2, 3]}) == 27  # the same code, within budget


def test_hostile_lines_run_nothing_in_a_process_of_their_own(parts, tmp_path):
    marker = tmp_path / "touched"
    lines = [h.replace("/tmp/code-graded-hostile", str(marker)) for h in HOSTILE]
    record = msgspec.to_builtins(parts[Q4, "b", 0])
    program = (
        "import json, sys\nimport msgspec\nfrom generator.key.records import PartInfo\n"
        "from generator.kinds.code.grading import MAX_RESPONSE, score\n"
        "record, lines = json.load(sys.stdin)\nrecord = msgspec.convert(record, PartInfo)\n"
        "print(sorted({score(record, l) for l in lines if len(l) < MAX_RESPONSE}))\n"
    )
    done = subprocess.run([sys.executable, "-c", program], input=json.dumps([record, lines]),
                          capture_output=True, text=True, timeout=300, check=False)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[0.0]"
    assert not marker.exists()


def test_a_skeleton_the_grader_cannot_run_is_left_to_people(parts):
    record = parts[Q3, "g", 0]
    record = msgspec.structs.replace(
        record, code=record.code.replace("def optim_adam(", "def optim_other(")
    )
    assert score(record, KINDS["code"].cell(record)) is None
    record = msgspec.structs.replace(record, code="import os\n" + parts[Q3, "g", 0].code)
    assert score(record, KINDS["code"].cell(record)) is None


# Inputs no one can aim at: drawn per response from the grader's stream, not a fixed seed.


def as_scored(bank, qid: str, part: str, seed: int) -> PartInfo:
    """The part with its rubric's scoring (question.toml), as key.json records it."""
    answer = variant(bank, qid, seed).answers[part]
    return part_info("code", dict(answer.value), code=answer.details["code"], points=3,
                     scoring=msgspec.to_builtins(answer.scoring))  # fmt: skip


def cubic(step: int) -> int:
    """Equal to ``step`` at 1, 2 and 7 (the steps the grader used to try), by hand:
    (t-1)(t-2)(t-7) + t expanded."""
    return step**3 - 10 * step**2 + 24 * step - 14


# Crafted to agree with the key on the old fixed inputs only: each should lose its group's
# point (1 of 3), and nothing else.
CRAFTED = {
    (Q3, "v_corr"): "v_corr = v / (1 - beta1 ** (step + (step-1)*(step-2)*(step-7)))",
    (Q3, "s_corr"): "s_corr = s / (1 - beta2 ** (step**3 - 10*step**2 + 24*step - 14))",
}


def test_the_cubic_agrees_with_the_step_where_the_grader_used_to_try_it():
    assert [cubic(t) for t in (1, 2, 7)] == [1, 2, 7]  # 1-10+24-14, 8-40+48-14, 343-490+168-14
    assert cubic(3) == -5  # 27 - 90 + 72 - 14


@pytest.mark.parametrize("seed", range(0, 40, 8))
@pytest.mark.parametrize(("qid", "blank"), list(CRAFTED))
def test_a_step_polynomial_right_at_steps_1_2_and_7_loses_its_group(bank, seed, qid, blank):
    record = as_scored(bank, qid, "g", seed)
    crafted = in_names(CRAFTED[qid, blank], variant(bank, qid, seed).params)
    assert score(record, with_line(record, blank, crafted)) == pytest.approx(2 / 3)


@pytest.mark.parametrize("seed", range(0, 40, 4))
def test_a_count_replaced_by_the_one_size_tried_loses_the_train_statistics(bank, seed):
    """4(b) used to run on 8 examples only: dividing a sum by 8 passed for the mean."""
    record = as_scored(bank, Q4, "b", seed)
    axis = 0 if "(num_examples, num_features)" in record.code else 1
    for line in (f"mu = np.sum(Z, axis={axis}, keepdims=True) / 8",
                 f"var = np.sum((Z - mu) ** 2, axis={axis}, keepdims=True) / 8"):  # fmt: skip
        blank = line.split(" ", 1)[0] + "_train"
        line = renamed(record, line)
        assert score(record, with_line(record, blank, line)) == pytest.approx(2 / 3), line
    right = renamed(record, f"mu = np.sum(Z, axis={axis}, keepdims=True) / Z.shape[{axis}]")
    assert score(record, with_line(record, "mu_train", right)) == 1


def test_the_inputs_depend_on_the_response_and_the_runs_key(parts):
    record = parts[Q3, "g", 0]
    drawn = {}
    for run, response in ((b"run 1", "a"), (b"run 1", "b"), (b"run 2", "a")):
        with streams.keyed(run):
            first = inputs.adam(record.code, streams.stream(record.code, response))
            again = inputs.adam(record.code, streams.stream(record.code, response))
        assert [c["step"] for c in first] == [c["step"] for c in again]  # the same verdict
        drawn[run, response] = [(c["step"], c["weights_dict"]["W1"].shape) for c in first]
    assert len(set(map(tuple, drawn.values()))) == 3


def test_adam_runs_over_many_steps_and_two_weights_of_different_shapes(parts):
    code = parts[Q3, "g", 0].code
    steps, shapes = [], set()
    for response in map(str, range(30)):
        cases = inputs.adam(code, streams.stream(code, response))
        steps.append([c["step"] for c in cases])
        for case in cases:
            w, b = (case["weights_dict"][k].shape for k in ("W1", "b1"))
            assert w != b and w[0] == b[0] and case["cache_dict"]["vW1"].shape == w
            shapes.add(w)
    assert all(s[:2] == [1, 2] for s in steps)
    assert all(3 <= s[2] <= 20 and 3 <= s[3] <= 20 and 21 <= s[4] <= 60 for s in steps)
    assert all(61 <= s[5] <= 1000 < s[6] <= 10_000 for s in steps)
    assert len({s[6] for s in steps}) > 20 and len(shapes) > 10


@pytest.mark.parametrize("layout", ["examples-first", "features-first"])
def test_batch_norm_counts_are_drawn_distinct_in_the_docstrings_layout(bank, drawn, layout):
    code = next(record.code for (qid, _, _), (record, params) in drawn.items()
                if qid == Q4 and params["layout"] == layout)  # fmt: skip
    counts = set()
    for response in map(str, range(30)):
        for case in inputs.batchnorm(code, streams.stream(code, response)):
            rows, columns = case["Z"].shape
            examples, features = (rows, columns) if layout == "examples-first" else (columns, rows)
            assert examples != features
            stats = (1, features) if layout == "examples-first" else (features, 1)
            assert case["gamma"].shape == case["cache_dict"]["var"].shape == stats
            counts.add((examples, features))
    assert len(counts) > 20


@pytest.mark.parametrize(
    ("left", "right", "fits"),
    [((3, 1), (1, 4), True), ((5,), (2, 5), True), ((), (7, 7), True), ((2, 3), (3, 2), False),
     ((400, 1), (1, 400), False), ((300, 1, 1), (1, 300, 2), False), ((0, 1), (1, 9), True)],
)  # fmt: skip
def test_an_elementwise_result_is_sized_before_numpy_makes_it(left, right, fits):
    """By hand: shapes broadcast where each pair of sizes is equal or has a 1; (400, 1)
    with (1, 400) would make 160 000 elements, (300, 1, 1) with (1, 300, 2) 180 000."""
    a, b = np.zeros(left), np.zeros(right)
    if fits:
        code_eval._broadcast_fits(a, b)
    else:
        with pytest.raises(Rejected):
            code_eval._broadcast_fits(a, b)


# Equivalent numpy: the ways students write the same line are run, not refused.  Each
# form is right as written and wrong with its axis or shape wrong (the statistics are over
# the examples; a 1-D statistic must be made a row, examples first, or a column).


def layout_words(layout: str) -> dict[str, str]:
    """{ax}: the examples' axis of Z; {feat}: the features'; {new}/{cross}: the index that
    makes a statistic of shape (num_features,) broadcast against Z, and the wrong one;
    {keep}/{flip}: the same as a reshape, {sized}/{missized} with the counts from Z.shape."""
    first = layout == "examples-first"
    return {"ax": "0" if first else "1", "feat": "1" if first else "0",
            "new": "[None, :]" if first else "[:, None]",
            "cross": "[:, None]" if first else "[None, :]",
            "newaxis": "[np.newaxis, :]" if first else "[:, np.newaxis]",
            "crossaxis": "[:, np.newaxis]" if first else "[np.newaxis, :]",
            "keep": "(1, -1)" if first else "(-1, 1)", "flip": "(-1, 1)" if first else "(1, -1)",
            "sized": "(1, Z.shape[1])" if first else "(Z.shape[0], 1)",
            "missized": "(Z.shape[1], 1)" if first else "(1, Z.shape[0])"}  # fmt: skip


BATCHNORM_FORMS = [  # (blank, right, wrong)
    ("mu_train", "Z.mean(axis={ax}, keepdims=True)", "Z.mean(axis={feat}, keepdims=True)"),
    ("var_train", "Z.var(axis={ax}, keepdims=True)", "Z.var(axis={feat}, keepdims=True)"),
    ("mu_train", "np.average(Z, axis={ax}, keepdims=True)", "np.average(Z, {feat}, keepdims=True)"),
    ("var_train", "((Z - mu) ** 2).mean(axis={ax}, keepdims=True)",
     "((Z - mu) ** 2).mean(axis={feat}, keepdims=True)"),
    ("var_train", "np.average((Z - mu) ** 2, {ax}, keepdims=True)",
     "np.average((Z - mu) ** 2, {ax})[None, None]"),
    ("mu_train", "Z.sum(axis={ax}, keepdims=True) / Z.shape[{ax}]",
     "Z.sum(axis={ax}, keepdims=True) / Z.shape[{feat}]"),
    ("mu_train", "np.sum(Z, {ax}, keepdims=True) / Z.shape[{ax}]",
     "np.sum(Z, {feat}, keepdims=True) / Z.shape[{ax}]"),
    ("var_train", "Z.std({ax}, keepdims=True) ** 2", "Z.std({feat}, keepdims=True) ** 2"),
    ("var_train", "np.square(np.std(Z, axis={ax}, keepdims=True))",
     "np.square(np.std(Z, axis={ax}, keepdims=True).T)"),
    ("var_train", "np.mean(np.power(Z - mu, 2), axis={ax}, keepdims=True)",
     "np.power(Z - mu, 2).mean(axis={feat}, keepdims=True)"),
    ("var_train", "np.var(Z, {ax}, keepdims=True)", "np.var(Z, {ax}, keepdims=True).T"),
    ("mu_train", "np.mean(Z.T, axis={feat}, keepdims=True).T",
     "np.mean(Z.T, axis={ax}, keepdims=True).T"),  # Z.T has the examples on the other axis
    ("mu_train", "np.mean(Z, axis={ax}){new}", "np.mean(Z, axis={ax}){cross}"),
    ("mu_train", "Z.mean(axis={ax}){newaxis}", "Z.mean(axis={ax}){crossaxis}"),
    ("var_train", "Z.var(axis={ax}).reshape{keep}", "Z.var(axis={ax}).reshape{flip}"),
    ("var_train", "np.reshape(np.var(Z, axis={ax}), {keep})",
     "np.reshape(np.var(Z, axis={ax}), {flip})"),
    ("mu_train", "np.expand_dims(Z.mean(axis={ax}), {ax})",
     "np.expand_dims(Z.mean(axis={ax}), axis={feat})"),
    ("mu_train", "Z.mean(axis={ax}).reshape{sized}", "Z.mean(axis={ax}).reshape{missized}"),
    ("z_norm", "np.divide(np.subtract(Z, mu), np.sqrt(var + eps))",
     "np.divide(np.subtract(Z, mu.T), np.sqrt(var + eps))"),
    ("z_norm", "(Z - mu) / (var + eps) ** 0.5", "(Z - mu) / (var.T + eps) ** 0.5"),
    ("out", "np.add(np.multiply(gamma, Z_norm), beta)",
     "np.add(np.multiply(gamma.T, Z_norm), beta)"),
    ("out", "np.multiply(Z_norm, gamma) + beta", "np.multiply(Z_norm, gamma) + beta.T"),
]  # fmt: skip
# The mean as a product with a vector of ones cut from Z (Z[:1] ** 0): the shapes must fit.
PRODUCTS = {
    "examples-first": ("mu_train", "(Z[:, :1] ** 0).T @ Z / Z.shape[0]",
                       "Z @ (Z[:1] ** 0).T / Z.shape[0]"),
    "features-first": ("mu_train", "np.dot(Z, (Z[:1] ** 0).T) / Z.shape[1]",
                       "np.dot((Z[:, :1] ** 0).T, Z) / Z.shape[1]"),
}  # fmt: skip
ADAM_FORMS = [
    ("v", "np.add(np.multiply(beta1, v), np.multiply(1 - beta1, grad))",
     "np.add(np.multiply(beta1, v), np.multiply(1 - beta1, grad.T))"),
    ("v", "np.dot(beta1, v) + np.dot(1 - beta1, grad)",
     "np.dot(beta1, v) + np.dot(grad.T, 1 - beta1)"),
    ("s", "beta2 * s + (1 - beta2) * np.square(grad)",
     "beta2 * s + (1 - beta2) * np.square(grad).T"),
    ("s", "beta2 * s + (1 - beta2) * np.power(grad, 2)",
     "beta2 * s + (1 - beta2) * np.power(grad.T, 2)"),
    ("s", "np.add(beta2 * s, (1 - beta2) * grad * grad)",
     "np.add(beta2 * s, (1 - beta2) * (grad @ grad.T))"),
    ("v_corr", "np.divide(v, np.subtract(1, np.power(beta1, step)))",
     "np.divide(v, np.subtract(1, np.power(beta1, step))).reshape(-1)"),
    ("s_corr", "s / (1 - beta2 ** step)", "s / (1 - beta2 ** step)[None, None, None]"),
    ("w", "np.subtract(w, lr * v_corr / np.sqrt(s_corr + eps))",
     "np.subtract(w, lr * v_corr / np.sqrt(s_corr + eps)).T"),
    ("w", "w - lr * v_corr / (s_corr + eps) ** 0.5", "w - lr * v_corr / (s_corr + eps).T ** 0.5"),
    ("w", "w - lr * v_corr / np.sqrt(s_corr + eps)",
     "w - lr * v_corr.sum(axis=0) / np.sqrt(s_corr + eps)"),
]  # fmt: skip


def judged(record: PartInfo, blank: str, line: str) -> bool:
    found = marks(record, with_line(record, blank, renamed(record, line)))
    assert found is not None
    return found[blank]


def seeds_of(params: dict, layout: str) -> list[int]:
    return [s for s in (*SEEDS, REPLICA) if params[Q4, "b", s]["layout"] == layout][:3]


@pytest.mark.parametrize("layout", ["examples-first", "features-first"])
@pytest.mark.parametrize(("blank", "right", "wrong"), BATCHNORM_FORMS)
def test_equivalent_numpy_is_right_and_wrong_with_a_wrong_axis(parts, params, layout, blank,
                                                                right, wrong):  # fmt: skip
    words = layout_words(layout)
    for seed in seeds_of(params, layout):
        record = parts[Q4, "b", seed]
        assert judged(record, blank, right.format(**words)), (seed, right)
        assert not judged(record, blank, wrong.format(**words)), (seed, wrong)


@pytest.mark.parametrize("layout", ["examples-first", "features-first"])
def test_a_product_is_right_where_its_shapes_fit(parts, params, layout):
    blank, right, wrong = PRODUCTS[layout]
    for seed in seeds_of(params, layout):
        record = parts[Q4, "b", seed]
        assert judged(record, blank, right) and not judged(record, blank, wrong), seed


def test_examples_first_needs_no_keepdims_features_first_does(parts, params):
    """A statistic of shape (num_features,) lines up with Z's last axis: the features when
    they come last, the examples when they come first."""
    for layout, right in (("examples-first", True), ("features-first", False)):
        words = layout_words(layout)
        for seed in seeds_of(params, layout):
            record = parts[Q4, "b", seed]
            for line in ("Z.mean(axis={ax})", "np.average(Z, axis={ax})", "Z.sum({ax}) / len_"):
                line = line.replace(" / len_", " / Z.shape[{ax}]").format(**words)
                assert judged(record, "mu_train", line) is right, (layout, line)
            assert judged(record, "var_train", "Z.var(axis={ax})".format(**words)) is right


@pytest.mark.parametrize(("blank", "right", "wrong"), ADAM_FORMS)
def test_equivalent_numpy_in_adam_is_right_and_wrong_with_a_wrong_shape(parts, params, blank,
                                                                        right, wrong):  # fmt: skip
    for seed in SEEDS[:3]:
        record, names = parts[Q3, "g", seed], params[Q3, "g", seed]
        assert judged(record, blank, in_names(right, names)), (seed, right)
        assert not judged(record, blank, in_names(wrong, names)), (seed, wrong)


def evaluated(expression: str, x: np.ndarray):
    """``expression`` of ``x`` as the interpreter computes it."""
    function = parse_skeleton("def f(x):\n    @@r@@\n    return r", ["r"])
    return Interpreter(function, {"r": parse_line(f"r = {expression}")}).call({"x": x})


X = np.array([[1.0, 2.0], [3.0, 6.0]])
# By hand, of X = [[1, 2], [3, 6]]: columns (1, 3) and (2, 6), rows (1, 2) and (3, 6).
BY_HAND = {
    "x.mean(axis=0)": [2, 4], "x.mean(1)": [1.5, 4.5], "np.average(x, axis=1)": [1.5, 4.5],
    "x.var(axis=0)": [1, 4], "x.std(axis=0)": [1, 2], "x.var(axis=0, ddof=1)": [2, 8],
    "x.sum(axis=1)": [3, 9], "x.sum()": 12, "x.max(axis=0)": [3, 6], "x.max(axis=1)": [2, 6],
    "x.min(axis=0)": [1, 2], "x.min()": 1, "np.max(x, 1)": [2, 6], "np.min(x, axis=1)": [1, 3],
    "x.reshape(-1, 1)": [[1], [2], [3], [6]], "x.reshape(4)": [1, 2, 3, 6],
    "x.reshape((1, 4))": [[1, 2, 3, 6]], "x.sum(axis=0)[:, None]": [[4], [8]],
    "x.sum(axis=0)[None, :]": [[4, 8]], "x.sum(axis=1)[:, np.newaxis]": [[3], [9]],
    "np.expand_dims(x.sum(axis=1), 0)": [[3, 9]], "x[:, :1]": [[1], [3]], "x[1]": [3, 6],
    "x[..., 0]": [1, 3], "x.T @ x[:, :1]": [[10], [20]], "np.dot(x[:1], x.T)": [[5, 15]],
    "x.shape[0] * x.shape[1]": 4,
}  # fmt: skip


@pytest.mark.parametrize("expression", list(BY_HAND))
def test_array_methods_and_indexing_compute_what_numpy_means(expression):
    got = evaluated(expression, X)
    assert np.shape(got) == np.shape(BY_HAND[expression]) and np.allclose(got, BY_HAND[expression])


REDUCTIONS = ["np.sum(x, {})", "np.mean(x, {})", "np.var(x, {})", "np.std(x, {})",
              "np.max(x, {})", "np.min(x, {})", "np.average(x, {})", "x.sum({})", "x.mean({})",
              "x.var({})", "x.std({})", "x.max({})", "x.min({})"]  # fmt: skip


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_every_reduction_keeps_its_axis_when_asked(reduction):
    for axis, shape in (("axis=0", (1, 2)), ("axis=1", (2, 1)), ("0", (1, 2))):
        assert evaluated(reduction.format(f"{axis}, keepdims=True"), X).shape == shape
        assert evaluated(reduction.format(axis), X).shape == (2,)


@pytest.mark.parametrize("line", [
    "x.reshape(10**9, 10**9)", "x.reshape(x.shape[0] * 10**6, -1)", "x.reshape()",
    "x.reshape(1, 1, 1, 1, 1, 1, 1, 10, 10)", "np.expand_dims(x, 99)", "x[None] @ x[None]",
    "np.matmul(x[None], x)", "x[x > 0]", "x[x]", "x[0.5]", "x['a']", "x.fill(0)", "x.tofile('f')",
    "x.mean(axis=x.shape[0])", "np.mean(x, 0, 1)", "np.mean(x, 0, axis=1)", "np.add(x, x, x)",
    "x.mean(out=x)", "np.sqrt(x, x)", "x.reshape(-1, 1) * x.reshape(1, -1) * x.reshape(-1, 1, 1)",
    "x.reshape(-1, 1) @ x.reshape(1, -1) @ x", "np.newaxis.x", "np.ones(3)", "x.__class__",
    "x.astype(int)", "x.reshape(-1, 1).base",
])  # fmt: skip
def test_what_is_not_allowed_is_refused_before_numpy_allocates(line):
    """On an array of a hundred elements, as large as the grader's inputs: a product of
    three (a million elements) is refused before it is made."""
    with pytest.raises(Rejected):
        evaluated(line, np.ones((10, 10)))


# 4(b)'s named partial credit, as its rubric says: "Features-first layout ... the
# statistics need keepdims=True ... 0.5 points off the train-statistics point, once for
# both lines."  So 2.5 of 3 when only keepdims is missing, with the mistake named.


def by_layout(bank, layout: str) -> list[PartInfo]:
    seeds = [s for s in range(40) if variant(bank, Q4, s).params["layout"] == layout]
    found = [as_scored(bank, Q4, "b", s) for s in seeds[:4]]
    if layout == "examples-first":  # the replica's only
        answer = replica(bank, Q4).answers["b"]
        found.append(part_info("code", dict(answer.value), code=answer.details["code"],
                               points=3, scoring=msgspec.to_builtins(answer.scoring)))  # fmt: skip
    return found


def train_lines(record: PartInfo, mu: str, var: str) -> str:
    mu, var = renamed(record, mu), renamed(record, var)
    return with_line(record, "mu_train", mu).replace(record.answer["var_train"], var)


KEEPDIMS_MISSING = [  # features first: Z is (num_features, num_examples), axis 1
    ("mu = np.mean(Z, axis=1)", "var = np.var(Z, axis=1)", 2.5),
    ("mu = np.mean(Z, axis=1)", "var = np.var(Z, axis=1, keepdims=True)", 2.5),  # once
    ("mu = Z.mean(1)", "var = ((Z - mu) ** 2).mean(axis=1)", 2.5),
    ("mu = np.sum(Z, axis=1) / Z.shape[1]",
     "var = np.mean((Z - np.mean(Z, axis=1)) ** 2, axis=1)", 2.5),
    ("mu = np.mean(Z, axis=1, keepdims=False)", "var = np.var(Z, axis=1, keepdims=True)", 2.5),
    ("mu = np.mean(Z, axis=1, keepdims=True)", "var = np.var(Z, axis=1, keepdims=True)", 3),
    ("mu = np.mean(Z, axis=0)", "var = np.var(Z, axis=1)", 2),  # an axis wrong too
    ("mu = np.mean(Z, axis=1)", "var = np.var(Z, axis=1, ddof=1)", 2),  # another mistake
    ("mu = np.mean(Z)", "var = np.var(Z)", 2),  # whole-batch statistics are not a near miss
    ("mu = np.mean(Z, axis=1)[:, None]", "var = np.var(Z, axis=1)[None, :]", 2),
]  # fmt: skip


@pytest.mark.parametrize(("mu", "var", "points"), KEEPDIMS_MISSING)
def test_features_first_train_statistics_without_keepdims_lose_half_a_point(bank, mu, var,
                                                                            points):  # fmt: skip
    for record in by_layout(bank, "features-first"):
        judgement = KINDS["code"].judge(record, train_lines(record, mu, var))
        assert judgement.share * 3 == pytest.approx(points), (mu, var)
        named = ["keepdims missing"] if points == 2.5 else []
        assert list(judgement.mistakes) == named


def test_examples_first_statistics_need_no_keepdims(bank):
    """With examples first, axis=0 without keepdims is right (the rubric's last sentence)."""
    for record in by_layout(bank, "examples-first"):
        judgement = KINDS["code"].judge(
            record, train_lines(record, "mu = np.mean(Z, axis=0)", "var = np.var(Z, axis=0)")
        )
        assert judgement.share == 1 and judgement.mistakes == ()


def test_the_near_miss_costs_the_train_point_only(bank):
    """keepdims missing and the scaling wrong: 0.5 + 1 of 3 (test statistics right)."""
    for record in by_layout(bank, "features-first"):
        text = train_lines(record, "mu = np.mean(Z, axis=1)", "var = np.var(Z, axis=1)")
        text = text.replace(record.answer["out"], renamed(record, "out = gamma * Z_norm"))
        assert KINDS["code"].score(record, text) * 3 == pytest.approx(1.5)


def test_the_code_kind_knows_the_repairs_its_parts_may_name():
    assert KINDS["code"].repairs == tuple(REPAIRS)
    line = parse_line("v = np.mean(Z, axis=1) - Z.var(1, keepdims=False) + np.maximum(Z, 0)")
    assert ast.unparse(REPAIRS["keepdims"](line)) == (
        "v = np.mean(Z, axis=1, keepdims=True) - Z.var(1, keepdims=True) + np.maximum(Z, 0)"
    )
