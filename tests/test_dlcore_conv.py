"""dl-core conv group: 2D convolution, pooling and a CNN stack, against second computations.

Every numeric answer is recomputed here from the key's ``params`` alone, by loops written
for the test (not the engine's sliding windows, not the question's closed form); the
engine's pooling gradients are compared with central finite differences, and its receptive
fields with the inputs a unit of a real forward pass actually depends on.
"""

from __future__ import annotations

import numpy as np
import pytest

from generator.engine import conv, pooling, receptive

from .conftest import SEEDS, values, variant

CONV2D = "dl-core/conv2d"
POOLING = "dl-core/pooling"
CNN_STACK = "dl-core/cnn-stack"
DL_CONV = (CONV2D, POOLING, CNN_STACK)


def _correlate(image: np.ndarray, kernel: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """Cross-correlation the slow way: pad, then one window at a time."""
    padded = np.pad(image, padding)
    f = kernel.shape[0]
    side = (padded.shape[0] - f) // stride + 1
    out = np.zeros((side, side), dtype=int)
    for i in range(side):
        for j in range(side):
            window = padded[i * stride : i * stride + f, j * stride : j * stride + f]
            out[i, j] = int((window * kernel).sum())
    return out


def _correct_option(qv, part: str) -> str:
    (text,) = [o["text"] for o in qv.answers[part].details["options"] if o["correct"]]
    return text


# ------------------------------------------------------------------ every question


@pytest.mark.parametrize("qid", DL_CONV)
def test_questions_are_worth_four_points_in_the_dl_core_bank(bank, qid):
    question = bank[qid]
    points = [leaf.points for leaf in question.leaves()]
    assert sum(points) == 4 and len(points) >= 3
    assert not any(leaf.bonus for leaf in question.leaves())
    assert question.topic == "convolution arithmetic"
    assert "dl-core" in question.tags


# ------------------------------------------------------------------ conv2d


@pytest.mark.parametrize("seed", SEEDS)
def test_conv2d_answers_follow_a_window_by_window_correlation(bank, seed):
    qv = variant(bank, CONV2D, seed)
    p, got = qv.params, values(qv)
    image, kernel = np.array(p["image"]), np.array(p["kernel"])
    assert image.shape == (p["side"], p["side"]) and kernel.shape == (p["kernel_side"],) * 2
    assert image.min() >= -2 and image.max() <= 3
    expected = _correlate(image, kernel, p["stride"], p["padding"])
    assert got["a"] == list(expected.shape)
    assert max(expected.shape) <= 3  # nine windows at most, by hand
    assert got["b"] == expected.ravel().tolist()
    # (c): floor((n + 2p - f) / s) + 1 windows along a side of the larger image.
    n, f, s, pad = p["big_side"], p["kernel_side"], p["big_stride"], p["big_padding"]
    side = len(range(0, n + 2 * pad - f + 1, s))  # the window's possible start positions
    assert _correct_option(qv, "c") == f"${side} \\times {side}$"


@pytest.mark.parametrize("seed", range(50))
def test_conv2d_distractors_are_the_named_mistakes(bank, seed):
    qv = variant(bank, CONV2D, seed)
    p = qv.params
    n, f, s, pad = p["big_side"], p["kernel_side"], p["big_stride"], p["big_padding"]
    wrong = {
        o["mistake"]: o["text"] for o in qv.answers["c"].details["options"] if not o["correct"]
    }
    sides = {
        "(n + 2p - f)/s without the +1": (n + 2 * pad - f) // s,
        "padding forgotten": (n - f) // s + 1,
        "stride ignored": n + 2 * pad - f + 1,
    }
    assert wrong == {mistake: f"${k} \\times {k}$" for mistake, k in sides.items()}


def test_conv2d_is_cross_correlation_not_convolution():
    """The engine does not flip the kernel: an asymmetric kernel tells the two apart."""
    image = np.arange(9.0).reshape(3, 3)
    kernel = np.array([[1.0, 0.0], [0.0, 0.0]])  # picks the window's top-left pixel
    out = conv.conv_forward(image[:, :, None], kernel[:, :, None, None], np.zeros(1), 1, 0)
    assert out[:, :, 0].tolist() == [[0.0, 1.0], [3.0, 4.0]]


# ------------------------------------------------------------------ pooling


def _pool_by_slices(image: np.ndarray, window: int, stride: int):
    """Max, mean and the max-pool routing of an all-ones gradient, one slice at a time."""
    side = (image.shape[0] - window) // stride + 1
    maxima, means = np.zeros((side, side)), np.zeros((side, side))
    argmax = {}
    for i in range(side):
        for j in range(side):
            patch = image[i * stride : i * stride + window, j * stride : j * stride + window]
            maxima[i, j], means[i, j] = patch.max(), patch.mean()
            r, c = np.unravel_index(np.argmax(patch), patch.shape)
            argmax[i, j] = (i * stride + int(r), j * stride + int(c))
    return maxima, means, argmax


def _central_difference(loss, x: np.ndarray, eps: float = 1e-4) -> np.ndarray:
    grad = np.zeros_like(x, dtype=float)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x, dtype=float)
        step[index] = eps
        grad[index] = (loss(x + step) - loss(x - step)) / (2 * eps)
    return grad


@pytest.mark.parametrize("seed", SEEDS)
def test_pooling_answers_follow_window_slices_and_finite_differences(bank, seed):
    qv = variant(bank, POOLING, seed)
    p, got = qv.params, values(qv)
    image, upstream = np.array(p["image"]), np.array(p["upstream"])
    w, s = p["window"], p["stride"]
    maxima, means, argmax = _pool_by_slices(image, w, s)
    # No tie decides a maximum: every window's largest entry is unique.
    for i, j in argmax:
        patch = image[i * s : i * s + w, j * s : j * s + w]
        assert (patch == patch.max()).sum() == 1
    assert upstream.shape == maxima.shape and 0 not in upstream
    assert got["a"] == maxima.ravel().tolist()
    assert got["b"] == pytest.approx(means.ravel().tolist(), abs=1e-12)
    routed = np.zeros(image.shape)
    for (i, j), (r, c) in argmax.items():
        routed[r, c] += upstream[i, j]
    assert got["c"] == routed.ravel().tolist()

    # dL/dX of L = sum(upstream * maxpool(X)) by central differences: the integers are at
    # least 1 apart, so a step of 1e-4 never changes which entry is a window's maximum.
    def loss(x: np.ndarray) -> float:
        return float((upstream * _pool_by_slices(x, w, s)[0]).sum())

    fd = _central_difference(loss, image.astype(float))
    assert np.allclose(np.array(got["c"]).reshape(image.shape), fd, atol=1e-6)


@pytest.mark.parametrize("seed", range(300))
def test_pooling_engine_backward_passes_match_finite_differences(seed):
    rng = np.random.default_rng(seed)
    stride = int(rng.choice([1, 2]))
    x = rng.permutation(50).reshape(5, 5, 2) * 0.1  # entries 0.1 apart: steps keep maxima
    out = pooling.output_side(5, 2, stride)
    upstream = rng.standard_normal((out, out, 2))

    def max_loss(z: np.ndarray) -> float:
        return float((upstream * pooling.max_pool(z, 2, stride)).sum())

    def avg_loss(z: np.ndarray) -> float:
        return float((upstream * pooling.avg_pool(z, 2, stride)).sum())

    assert np.allclose(
        pooling.max_pool_backward(x, upstream, 2, stride), _central_difference(max_loss, x)
    )
    assert np.allclose(
        pooling.avg_pool_backward(x, upstream, 2, stride), _central_difference(avg_loss, x)
    )
    # Forward passes per channel, against the slice-by-slice pooling of the test.
    for channel in range(2):
        maxima, means, _ = _pool_by_slices(x[:, :, channel], 2, stride)
        assert np.array_equal(pooling.max_pool(x, 2, stride)[:, :, channel], maxima)
        assert np.allclose(pooling.avg_pool(x, 2, stride)[:, :, channel], means)
    mask = pooling.max_pool_mask(x, 2, stride)
    assert set(np.unique(mask)) <= {0, 1} and mask.sum() >= 1


# ------------------------------------------------------------------ cnn-stack


def _side(n: int, kernel: int, stride: int, padding: int) -> int:
    """Window start positions along a padded side, counted one by one."""
    return len(range(0, n + 2 * padding - kernel + 1, stride))


def _depends_on(layers: list[tuple[int, int, int]], n: int, rng: np.random.Generator) -> int:
    """How many input positions move one output unit of a real 1D forward pass: the engine's
    convolution with positive random kernels (no cancellation), the 2 x 2 max pool standing
    in as a kernel-2 stride-2 layer (its receptive field is the same window)."""
    base = rng.uniform(1, 2, n)

    def unit(x: np.ndarray) -> float:
        for kernel, stride, padding in layers:
            weights = rng_fixed[kernel].reshape(kernel, 1, 1)
            x = conv.conv_forward(x[:, None], weights, np.zeros(1), stride, padding)[:, 0]
        return float(x[len(x) // 2])

    rng_fixed = {k: rng.uniform(0.5, 1.5, k) for k in {layer[0] for layer in layers}}
    reference = unit(base)
    moved = [i for i in range(n) if unit(base + np.eye(n)[i]) != reference]
    return max(moved) - min(moved) + 1


@pytest.mark.parametrize("seed", SEEDS)
def test_cnn_stack_answers_follow_layer_by_layer_counts(bank, seed):
    qv = variant(bank, CNN_STACK, seed)
    p, got = qv.params, values(qv)
    conv1 = _side(p["side"], p["kernel1"], p["stride1"], p["padding1"])
    pooled = _side(conv1, 2, 2, 0)
    conv2 = _side(pooled, p["kernel2"], 1, p["padding2"])
    assert conv1 % 2 == 0  # the pooling windows tile CONV1's output
    assert got["a"] == [pooled, pooled, p["filters1"]]
    flat = conv2 * conv2 * p["filters2"]
    assert got["b"] == flat
    weights = [
        p["kernel1"] * p["kernel1"] * p["channels"] * p["filters1"],
        p["kernel2"] * p["kernel2"] * p["filters1"] * p["filters2"],
        flat * p["units"],
    ]
    biases = [p["filters1"], p["filters2"], p["units"]]
    assert got["c"] == sum(weights) + sum(biases)
    # The receptive field, as the number of input pixels a real forward pass depends on.
    layers = [(p["kernel1"], p["stride1"], 0), (2, 2, 0), (p["kernel2"], 1, 0)]
    assert got["d"] == _depends_on(layers, 80, np.random.default_rng(seed))


@pytest.mark.parametrize("seed", range(300))
def test_receptive_field_engine_matches_a_forward_pass(seed):
    rng = np.random.default_rng(seed)
    layers = [
        (int(rng.integers(1, 6)), int(rng.integers(1, 4)), 0)
        for _ in range(int(rng.integers(1, 4)))
    ]
    field = receptive.receptive_field([(k, s) for k, s, _ in layers])
    assert field == _depends_on(layers, 120, rng)
