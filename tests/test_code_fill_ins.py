"""Code fill-ins: the key's lines, put in the blanks and executed, compute what the engine does."""

from __future__ import annotations

import numpy as np
import pytest

from generator.engine import optim
from generator.engine.batchnorm import batchnorm_forward

from .conftest import Q3, Q4, replica, variant


def load(answer, name: str):
    """Fill every blank of the key's skeleton with the key's line and execute the result."""
    source = answer.details["code"]
    for blank, line in answer.value.items():
        assert f"@@{blank}@@" in source
        source = source.replace(f"@@{blank}@@", line)
    assert "@@" not in source
    namespace = {"np": np}
    exec(compile(source, f"<{name}>", "exec"), namespace)
    return namespace[name]


def textbook_adam(w, v, s, g, t, lr, b1, b2, eps):
    """The update equations of the exam's statement, written out once more."""
    v = b1 * v + (1 - b1) * g
    s = b2 * s + (1 - b2) * g * g
    return w - lr / np.sqrt(s / (1 - b2**t) + eps) * (v / (1 - b1**t)), v, s


@pytest.mark.parametrize("seed", range(40))
def test_adam_fill_in_matches_engine_and_textbook(bank, seed):
    qv = variant(bank, Q3, seed)
    adam = load(qv.answers["g"], "optim_adam")
    h = {k: float(qv.params[k]) for k in ("lr", "beta1", "beta2", "eps")}
    rng = np.random.default_rng(seed)
    weights = {"W": rng.standard_normal((4, 3)), "b": rng.standard_normal(3)}
    cache = {f"{m}{k}": np.zeros_like(w) for k, w in weights.items() for m in "vs"}
    engine = {k: optim.AdamState(w.copy(), np.zeros_like(w), np.zeros_like(w))
              for k, w in weights.items()}  # fmt: skip
    book = {k: (w.copy(), np.zeros_like(w), np.zeros_like(w)) for k, w in weights.items()}
    for step in range(1, 6):
        grads = {k: rng.standard_normal(w.shape) for k, w in weights.items()}
        adam(weights, grads, cache, step)
        for k, g in grads.items():
            engine[k] = optim.adam_step(engine[k], g, step, h["lr"], h["beta1"], h["beta2"],
                                        h["eps"])  # fmt: skip
            book[k] = textbook_adam(*book[k], g, step, h["lr"], h["beta1"], h["beta2"], h["eps"])
    for k in weights:
        assert np.allclose(weights[k], engine[k].W)
        assert np.allclose(weights[k], book[k][0])


@pytest.mark.parametrize("seed", range(40))
def test_batchnorm_fill_in_matches_engine_and_textbook(bank, seed):
    qv = variant(bank, Q4, seed)
    forward = load(qv.answers["b"], "forward_batchnorm")
    axis = 0 if qv.params["layout"] == "examples-first" else 1
    eps, beta_avg = float(qv.params["eps"]), float(qv.params["beta_avg"])
    rng = np.random.default_rng(seed)
    features, examples = 6, 10
    shape = (examples, features) if axis == 0 else (features, examples)
    stat = (1, features) if axis == 0 else (features, 1)
    gamma, beta = rng.standard_normal(stat), rng.standard_normal(stat)
    ours = {"mu": np.zeros(stat), "var": np.ones(stat)}
    engine = {"mu": np.zeros(stat), "var": np.ones(stat)}
    for mode in ("train", "train", "test"):
        Z = rng.standard_normal(shape) * 2 + 3
        got = forward(Z, gamma, beta, ours, mode)  # eps and beta_avg: the variant's defaults
        want = batchnorm_forward(Z, gamma, beta, eps, engine, beta_avg, mode, axis)
        assert np.allclose(got, want)
        if mode == "train":  # textbook: standardise each feature over the examples
            mu, sd = Z.mean(axis=axis, keepdims=True), Z.std(axis=axis, keepdims=True)
            assert np.allclose(got, gamma * (Z - mu) / np.sqrt(sd**2 + eps) + beta)


def test_every_copy_puts_the_features_first_the_replica_the_examples(bank):
    """Every copy needs keepdims=True (equal steps); the original exam's layout is the
    replica's, and its fill-in computes what the engine does too."""
    assert {variant(bank, Q4, s).params["layout"] for s in range(40)} == {"features-first"}
    qv = replica(bank, Q4)
    assert qv.params["layout"] == "examples-first"
    forward = load(qv.answers["b"], "forward_batchnorm")
    rng = np.random.default_rng(0)
    Z, gamma, beta = rng.standard_normal((10, 6)) + 3, rng.standard_normal((1, 6)), np.zeros((1, 6))
    cache = {"mu": np.zeros((1, 6)), "var": np.ones((1, 6))}
    mu, var = Z.mean(axis=0, keepdims=True), Z.var(axis=0, keepdims=True)
    got = forward(Z, gamma, beta, cache, "train")
    assert np.allclose(got, gamma * (Z - mu) / np.sqrt(var + 1e-5) + beta)  # eps 1e-5
    assert np.allclose(cache["mu"], 0.1 * mu) and np.allclose(cache["var"], 0.9 + 0.1 * var)
