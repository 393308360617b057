"""The numpy engine against closed forms and a second, loop-based implementation."""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.engine import dense
from generator.engine.conv import Conv, conv_forward

sizes = st.integers(min_value=1, max_value=600)


@given(n_in=sizes, n_out=sizes)
def test_dense_layer_counts_are_n_in_times_n_out_plus_n_out(n_in, n_out):
    layer = dense.Dense.zeros(n_in, n_out)
    assert (layer.weight_count, layer.bias_count) == (n_in * n_out, n_out)


@given(widths=st.lists(st.integers(1, 300), min_size=2, max_size=5))
def test_mlp_counts_sum_over_consecutive_layers(widths):
    weights, biases = dense.parameter_counts(dense.mlp(widths))
    assert weights == sum(a * b for a, b in itertools.pairwise(widths))
    assert biases == sum(widths[1:])


@settings(max_examples=60)
@given(
    widths=st.lists(st.integers(1, 12), min_size=2, max_size=4),
    seed=st.integers(0, 2**32 - 1),
)
def test_collapsed_linear_stack_gives_the_same_outputs(widths, seed):
    rng = np.random.default_rng(seed)
    layers = [dense.Dense.random(a, b, rng) for a, b in itertools.pairwise(widths)]
    x = rng.standard_normal((widths[0], 5))
    collapsed = dense.collapse_linear(layers)
    assert np.allclose(collapsed(x), dense.forward_linear(layers, x))


def naive_conv2d(x, kernels, bias, stride, padding):
    """Textbook loops: the second implementation the vectorised engine is checked against."""
    f = kernels.shape[0]
    xp = np.pad(x, ((padding, padding), (padding, padding), (0, 0)))
    out_h = (xp.shape[0] - f) // stride + 1
    out_w = (xp.shape[1] - f) // stride + 1
    out = np.zeros((out_h, out_w, kernels.shape[-1]))
    for i in range(out_h):
        for j in range(out_w):
            for k in range(kernels.shape[-1]):
                window = xp[i * stride : i * stride + f, j * stride : j * stride + f, :]
                out[i, j, k] = np.sum(window * kernels[..., k]) + bias[k]
    return out


@settings(max_examples=80, deadline=None)
@given(
    f=st.sampled_from([1, 2, 3, 5]),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    h=st.integers(5, 12),
    w=st.integers(5, 12),
    c=st.integers(1, 3),
    k=st.integers(1, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_conv2d_forward_matches_loops(f, stride, padding, h, w, c, k, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((h, w, c))
    kernels, bias = rng.standard_normal((f, f, c, k)), rng.standard_normal(k)
    got = conv_forward(x, kernels, bias, stride, padding)
    assert np.allclose(got, naive_conv2d(x, kernels, bias, stride, padding))


@settings(max_examples=100, deadline=None)
@given(
    dims=st.integers(1, 3),
    f=st.integers(1, 4),
    stride=st.integers(1, 3),
    padding=st.integers(0, 2),
    side=st.integers(4, 9),
    c=st.integers(1, 4),
    k=st.integers(1, 5),
)
def test_conv_output_shape_and_parameters_follow_the_closed_forms(
    dims, f, stride, padding, side, c, k
):
    layer = Conv.zeros((f,) * dims, c, k, stride=stride, padding=padding)
    out = layer(np.ones((side,) * dims + (c,)))
    expected_side = (side + 2 * padding - f) // stride + 1
    assert out.shape == (expected_side,) * dims + (k,)
    assert layer.parameter_count == f**dims * c * k + k


def test_sigmoid_stays_finite_and_matches_the_textbook_form():
    z = np.linspace(-30, 30, 61)
    assert np.allclose(dense.sigmoid(z), 1 / (1 + np.exp(-z)))
    assert np.all(np.isfinite(dense.sigmoid(np.array([-1000.0, 1000.0]))))


def _textbook_curve(X, y, batch_size, lr, steps, rng):
    """Logistic regression by gradient descent in plain Python floats: a second implementation
    (same shuffling stream), with the BCE written as -(y log p + (1 - y) log(1 - p))."""
    import math

    n, d = X.shape
    w, b, losses = [0.0] * d, 0.0, []
    order, position = list(rng.permutation(n)), 0
    for _ in range(steps):
        if position + batch_size > n:
            position = 0
            if batch_size < n:
                order = list(rng.permutation(n))
        batch = order[position : position + batch_size]
        position += batch_size
        gw, gb, loss = [0.0] * d, 0.0, 0.0
        for i in batch:
            z = sum(w[j] * X[i, j] for j in range(d)) + b
            p = 1 / (1 + math.exp(-z))
            loss -= y[i] * math.log(p) + (1 - y[i]) * math.log(1 - p)
            gw = [gw[j] + (p - y[i]) * X[i, j] for j in range(d)]
            gb += p - y[i]
        losses.append(loss / len(batch))
        w = [w[j] - lr * gw[j] / len(batch) for j in range(d)]
        b -= lr * gb / len(batch)
    return losses


@settings(max_examples=30, deadline=None)
@given(
    n=st.sampled_from([16, 48, 64]),
    d=st.integers(1, 6),
    batch_size=st.sampled_from([1, 5, 16, 64]),
    lr=st.sampled_from([0.2, 0.5, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_training_curve_matches_a_textbook_loop(n, d, batch_size, lr, seed):
    from generator.engine.optim import training_curve

    data = np.random.default_rng(seed)
    X = data.standard_normal((n, d))
    y = (data.uniform(size=n) < 0.5).astype(float)
    batch_size = min(batch_size, n)
    engine = training_curve(X, y, batch_size=batch_size, lr=lr, steps=25,
                            rng=np.random.default_rng(seed + 1))  # fmt: skip
    textbook = _textbook_curve(X, y, batch_size, lr, 25, np.random.default_rng(seed + 1))
    np.testing.assert_allclose(engine, textbook, rtol=1e-9, atol=1e-12)
