"""The dl-core mlp group: engine.backprop and the questions built on it.

Every computed part is recomputed here from the variant's ``params`` alone, by explicit
loops over the printed numbers (never by the engine), over 300 seeds; every gradient the
engine returns is compared with central finite differences of its own forward pass.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from generator.engine import backprop
from generator.engine.dense import Dense
from tests.conftest import SEEDS, values, variant

FORWARD = "dl-core/mlp-forward"


def relu(v: float) -> float:
    return v if v > 0 else 0.0


def matvec(M: list[list[float]], v: list[float]) -> list[float]:
    return [sum(m * x for m, x in zip(row, v, strict=True)) for row in M]


def option_values(answer) -> dict[float, dict]:
    """The number each printed option states (``$\\hat{y} = -3$``), with its verdict."""
    return {float(re.search(r"= (-?[\d.]+)\$", o["text"])[1]): o for o in answer.details["options"]}


# ---------------------------------------------------------------- engine: forward pass


def test_forward_matches_loops() -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        W1, b1 = rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
        W2, b2 = rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
        x = rng.standard_normal((2, 1))
        run = backprop.forward([Dense(W1, b1), Dense(W2, b2)], x, ["sigmoid", "tanh"])
        z1 = [sum(W1[i, j] * x[j, 0] for j in range(2)) + b1[i, 0] for i in range(3)]
        a1 = [1 / (1 + math.exp(-z)) for z in z1]
        z2 = [sum(W2[k, i] * a1[i] for i in range(3)) + b2[k, 0] for k in range(2)]
        assert run.pre_activations[0][:, 0] == pytest.approx(z1)
        assert run.activations[1][:, 0] == pytest.approx(a1)
        assert run.output[:, 0] == pytest.approx([math.tanh(z) for z in z2])


def test_forward_refuses_a_missing_activation() -> None:
    with pytest.raises(ValueError, match="2 layers need as many activations"):
        backprop.forward([Dense.zeros(2, 2), Dense.zeros(2, 1)], np.zeros((2, 1)), ["relu"])


# ---------------------------------------------------------------- dl-core/mlp-forward


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_forward_from_params(bank, seed: int) -> None:
    qv = variant(bank, FORWARD, seed)
    p, got = qv.params, values(qv)
    z1 = [z + b for z, b in zip(matvec(p["W1"], p["x"]), p["b1"], strict=True)]
    a1 = [relu(z) for z in z1]
    y_hat = sum(w * a for w, a in zip(p["W2"], a1, strict=True)) + p["b2"]
    assert got["a"] == pytest.approx(z1)
    assert got["b"] == pytest.approx(a1)
    assert got["d"] == (y_hat - p["y"]) ** 2
    options = option_values(qv.answers["c"])
    assert [v for v, o in options.items() if o["correct"]] == [y_hat]
    # one unit on, one off: the ReLU matters; the loss is not zero
    assert min(z1) < 0 < max(z1) and got["d"] > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_mlp_forward_distractors_are_their_mistakes(bank, seed: int) -> None:
    """Each wrong option is the output of the mistake it is named after."""
    qv = variant(bank, FORWARD, seed)
    p = qv.params
    W1T = [[p["W1"][j][i] for j in range(2)] for i in range(2)]
    out = lambda h, b: sum(w * v for w, v in zip(p["W2"], h, strict=True)) + b  # noqa: E731
    z1 = [z + b for z, b in zip(matvec(p["W1"], p["x"]), p["b1"], strict=True)]
    by_mistake = {
        "forgot the biases": out([relu(z) for z in matvec(p["W1"], p["x"])], 0),
        "wrong matrix orientation": out(
            [relu(z + b) for z, b in zip(matvec(W1T, p["x"]), p["b1"], strict=True)], p["b2"]
        ),
        "forgot the hidden ReLU": out(z1, p["b2"]),
        "applied the activation to the output layer too": relu(out([relu(z) for z in z1], p["b2"])),
    }
    options = option_values(qv.answers["c"])
    wrong = {v: o for v, o in options.items() if not o["correct"]}
    assert len(wrong) == 3 and len(options) == 4
    for value, option in wrong.items():
        assert by_mistake[option["mistake"]] == value


# ---------------------------------------------------------------- engine: backward pass

BACKPROP = "dl-core/backprop"


def central_difference(f, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """dF/dtheta entry by entry, (F(theta + h) - F(theta - h)) / 2h."""
    grad = np.zeros_like(theta, dtype=float)
    for index in np.ndindex(theta.shape):
        up, down = theta.astype(float).copy(), theta.astype(float).copy()
        up[index] += h
        down[index] -= h
        grad[index] = (f(up) - f(down)) / (2 * h)
    return grad


@pytest.mark.parametrize("hidden", ["sigmoid", "tanh", "relu"])
def test_backward_matches_finite_differences(hidden: str) -> None:
    rng = np.random.default_rng(1)
    acts = [hidden, "linear"]
    for _ in range(20):
        W1, b1 = rng.standard_normal((3, 2)), rng.standard_normal((3, 1))
        W2, b2 = rng.standard_normal((2, 3)), rng.standard_normal((2, 1))
        x, y = rng.standard_normal((2, 1)), rng.standard_normal((2, 1))

        def loss(W1=W1, b1=b1, W2=W2, b2=b2, x=x, y=y) -> float:
            run = backprop.forward([Dense(W1, b1), Dense(W2, b2)], x, acts)
            return backprop.half_squared_error(run.output, y)

        layers = [Dense(W1, b1), Dense(W2, b2)]
        run = backprop.forward(layers, x, acts)
        g = backprop.backward(layers, run, acts, backprop.half_squared_error_grad(run.output, y))
        assert g.weights[0] == pytest.approx(central_difference(lambda t: loss(W1=t), W1), abs=1e-5)
        assert g.biases[0] == pytest.approx(central_difference(lambda t: loss(b1=t), b1), abs=1e-5)
        assert g.weights[1] == pytest.approx(central_difference(lambda t: loss(W2=t), W2), abs=1e-5)
        assert g.biases[1] == pytest.approx(central_difference(lambda t: loss(b2=t), b2), abs=1e-5)
        assert g.input == pytest.approx(central_difference(lambda t: loss(x=t), x), abs=1e-5)


# ---------------------------------------------------------------- dl-core/backprop


def bp_loss(p: dict, W1: np.ndarray, b1: np.ndarray, W2: np.ndarray, b2: float) -> float:
    """The stem's loss 1/2 (y_hat - y)^2, written out with loops (not the engine)."""
    hidden = [relu(sum(W1[i][j] * p["x"][j] for j in range(2)) + b1[i]) for i in range(2)]
    y_hat = sum(W2[i] * hidden[i] for i in range(2)) + b2
    return 0.5 * (y_hat - p["y"]) ** 2


@pytest.mark.parametrize("seed", SEEDS)
def test_backprop_gradients_are_finite_differences(bank, seed: int) -> None:
    """Every gradient of the key against central differences of the loss rebuilt from
    ``params`` alone (no pre-activation sits at ReLU's kink, so h = 1e-4 is exact enough)."""
    qv = variant(bank, BACKPROP, seed)
    p, got = qv.params, values(qv)
    W1, b1 = np.array(p["W1"], dtype=float), np.array(p["b1"], dtype=float)
    W2, b2 = np.array(p["W2"], dtype=float), np.array([p["b2"]], dtype=float)
    h = 1e-4
    fd = {
        "a": central_difference(lambda t: bp_loss(p, W1, b1, W2, t[0]), b2, h),
        "b": central_difference(lambda t: bp_loss(p, W1, b1, t, b2[0]), W2, h),
        "c": central_difference(lambda t: bp_loss(p, W1, t, W2, b2[0]), b1, h),
        "d": central_difference(lambda t: bp_loss(p, t, b1, W2, b2[0]), W1, h),
    }
    assert got["a"] == pytest.approx(fd["a"][0], abs=1e-6)
    for part in "bcd":
        assert got[part] == pytest.approx(fd[part].ravel().tolist(), abs=1e-6)  # row-major


@pytest.mark.parametrize("seed", SEEDS)
def test_backprop_variants_are_not_degenerate(bank, seed: int) -> None:
    qv = variant(bank, BACKPROP, seed)
    p, got = qv.params, values(qv)
    z1 = [sum(w * x for w, x in zip(row, p["x"], strict=True)) + b
          for row, b in zip(p["W1"], p["b1"], strict=True)]  # fmt: skip
    assert 0 not in z1 and got["a"] != 0
    assert any(got["c"]) and any(got["d"])  # a gradient reaches the first layer


# ---------------------------------------------------------------- engine: softmax, CE

SOFTMAX = "dl-core/softmax-cross-entropy"
E_TO_THE = {k: math.exp(k) for k in range(4)}


def test_softmax_cross_entropy_grad_is_finite_differences() -> None:
    rng = np.random.default_rng(2)
    for _ in range(50):
        z, label = rng.standard_normal(4) * 3, int(rng.integers(0, 4))
        loss = lambda t, c=label: backprop.cross_entropy(backprop.softmax(t), c)  # noqa: E731
        got = backprop.softmax_cross_entropy_grad(z, label)
        assert got == pytest.approx(central_difference(loss, z), abs=1e-6)
        p = [math.exp(v) / sum(math.exp(u) for u in z) for v in z]
        assert backprop.softmax(z) == pytest.approx(p)
        assert backprop.cross_entropy(backprop.softmax(z), label) == pytest.approx(
            -math.log(p[label])
        )


def test_softmax_normalises_along_the_axis_asked() -> None:
    Z = np.array([[1.0, 2.0, 0.0], [3.0, 0.0, 1.0]])
    assert backprop.softmax(Z, axis=0).sum(axis=0) == pytest.approx([1, 1, 1])
    assert backprop.softmax(Z, axis=1).sum(axis=1) == pytest.approx([1, 1])


# ---------------------------------------------------------------- dl-core/softmax-cross-entropy


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_question_from_params(bank, seed: int) -> None:
    """p from the printed e^k (each within 0.05 of the true e^k), the gradient p - y."""
    qv = variant(bank, SOFTMAX, seed)
    p, got = qv.params, values(qv)
    printed = dict(zip(p["exp_of"], p["exp"], strict=True))
    assert all(abs(printed[k] - E_TO_THE[k]) <= 0.05 for k in printed)
    assert p["exps"] == [printed[z] for z in p["logits"]]
    total = sum(printed[z] for z in p["logits"])
    probs = [printed[z] / total for z in p["logits"]]
    assert got["a"] == pytest.approx(probs, abs=1e-12)
    grad = [q - (1.0 if i == p["label"] else 0.0) for i, q in enumerate(probs)]
    assert got["c"] == pytest.approx(grad, abs=1e-12)
    # the rounding of the printed table stays inside the part's tolerance of 0.01
    exact = [math.exp(z) / sum(math.exp(u) for u in p["logits"]) for z in p["logits"]]
    assert max(abs(a - b) for a, b in zip(probs, exact, strict=True)) < 0.005


@pytest.mark.parametrize("seed", SEEDS)
def test_softmax_loss_options(bank, seed: int) -> None:
    """The right option is -ln of the true class's probability (two decimals)."""
    qv = variant(bank, SOFTMAX, seed)
    p = qv.params
    total = sum(p["exps"])
    shown = [f"{v / total:.2f}" for v in p["exps"]]
    options = qv.answers["b"].details["options"]
    right = [o["text"] for o in options if o["correct"]]
    assert right == [f"$L = -\\ln {shown[p['label']]}$"]
    mistakes = {o["mistake"] for o in options if not o["correct"]}
    predicted = max(range(len(p["logits"])), key=lambda i: p["logits"][i])
    wrong_class = (
        "used the predicted class instead of the true class"
        if predicted != p["label"]
        else "used the binary cross-entropy of label 0"
    )
    assert mistakes == {"sign error", "summed the log-probabilities of every class", wrong_class}


@pytest.mark.parametrize("seed", range(40))
def test_softmax_code_option_runs_right(bank, seed: int) -> None:
    """Each printed line of (d), run on a batch, against a per-example loop of p - y."""
    from generator.engine.backprop import softmax

    qv = variant(bank, SOFTMAX, seed)
    classes_first = qv.params["layout"] == "classes-first"
    rng = np.random.default_rng(seed)
    logits, labels = rng.integers(-2, 3, size=(4, 3)).astype(float), rng.integers(0, 3, size=4)
    want = []
    for z, c in zip(logits, labels, strict=True):
        e = [math.exp(v) for v in z]
        want.append([v / sum(e) - (1.0 if i == c else 0.0) for i, v in enumerate(e)])
    want = np.array(want) / 4  # (m, classes)
    Z = logits.T if classes_first else logits
    Y = np.eye(3)[labels].T if classes_first else np.eye(3)[labels]
    for option in qv.answers["d"].details["options"]:
        line = re.fullmatch(r"\\texttt\{dZ = (.*)\}", option["text"])[1]
        got = eval(line, {"softmax": softmax, "Z": Z, "Y": Y, "m": 4})
        got = got.T if classes_first else got
        assert np.allclose(got, want) == option["correct"], option["text"]


# ---------------------------------------------------------------- engine: chains

VANISHING = "dl-core/vanishing-gradients"


def sigmoid(v: float) -> float:
    return 1 / (1 + math.exp(-v))


@pytest.mark.parametrize("activation", ["sigmoid", "tanh"])
def test_chain_gradient_is_finite_differences(activation: str) -> None:
    rng = np.random.default_rng(3)
    g = sigmoid if activation == "sigmoid" else math.tanh
    for _ in range(30):
        weights, x = rng.uniform(-3, 3, size=4).tolist(), float(rng.uniform(-2, 2))

        def through(v: float, weights=weights) -> float:
            for w in weights:
                v = g(w * v)
            return v

        fd = (through(x + 1e-6) - through(x - 1e-6)) / 2e-6
        assert backprop.chain_gradient(weights, x, activation) == pytest.approx(fd, rel=1e-5)
        outs = backprop.chain_forward(weights, x, activation).activations[1:]
        cached = [float(a[0, 0]) for a in outs]
        from_outputs = backprop.chain_gradient_from_activations(weights, cached, activation)
        assert from_outputs == pytest.approx(fd, rel=1e-5)


def test_chain_bound_and_depth() -> None:
    assert backprop.chain_gradient_bound(1.0, 5, "sigmoid") == pytest.approx(4.0**-5)
    assert backprop.chain_gradient_bound(0.5, 3, "tanh") == pytest.approx(0.125)
    assert backprop.depth_below(1.0, 0.001, "sigmoid") == 5  # 4^4 = 256 < 1000 < 4^5
    assert backprop.depth_below(2.0, 0.01, "sigmoid") == 7  # 2^6 = 64 < 100 < 2^7
    with pytest.raises(ValueError, match="does not shrink"):
        backprop.depth_below(1.0, 0.01, "tanh")


# ---------------------------------------------------------------- dl-core/vanishing-gradients


@pytest.mark.parametrize("seed", SEEDS)
def test_vanishing_from_params(bank, seed: int) -> None:
    qv = variant(bank, VANISHING, seed)
    p, got = qv.params, values(qv)
    # the printed forward pass: each activation from the previous one as printed
    previous = p["x"]
    for w, a in zip(p["w"], p["a"], strict=True):
        assert a == round(sigmoid(w * previous), 2) and 0 < a < 1
        previous = a
    assert got["a"] == pytest.approx(p["a"][0] * (1 - p["a"][0]), abs=1e-12)
    product = 1.0
    for w, a in zip(p["w"], p["a"], strict=True):
        product *= w * a * (1 - a)
    assert got["b"] == pytest.approx(product, rel=1e-12)
    # smallest L with (w_max / 4)^L below the threshold, by counting powers of 4 / w_max
    depth, power = 0, 1
    while 1 / power >= p["threshold"]:
        depth, power = depth + 1, power * (4 // p["max_weight"])
    assert got["d"] == depth


@pytest.mark.parametrize("seed", SEEDS)
def test_vanishing_bound_options(bank, seed: int) -> None:
    qv = variant(bank, VANISHING, seed)
    depth = qv.params["depth_c"]
    options = qv.answers["c"].details["options"]
    assert [o["text"] for o in options if o["correct"]] == [f"$(1/4)^{{{depth}}}$"]
    assert all(o["mistake"] for o in options if not o["correct"])
    assert len({o["text"] for o in options}) == 4
