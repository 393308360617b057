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
