"""2D max and average pooling, forward and backward, over the first two axes.

Inputs are (height, width) or channels-last (height, width, channels); each channel is
pooled on its own.  The backward passes route an upstream gradient back to the input the
way autograd does: to each window's maximum (max pooling), or spread evenly over the
window (average pooling); windows that overlap (stride < window) add up.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def output_side(n: int, window: int, stride: int) -> int:
    """Windows that fit along a side of ``n`` (no padding): floor((n - window) / stride) + 1."""
    return (n - window) // stride + 1


def windows(x: np.ndarray, window: int, stride: int) -> np.ndarray:
    """The pooling windows: shape (out_h, out_w, *channels, window, window)."""
    view = sliding_window_view(x, (window, window), axis=(0, 1))
    return view[::stride, ::stride]


def max_pool(x: np.ndarray, window: int, stride: int) -> np.ndarray:
    """The largest entry of each window."""
    return windows(np.asarray(x), window, stride).max(axis=(-2, -1))


def avg_pool(x: np.ndarray, window: int, stride: int) -> np.ndarray:
    """The mean of each window."""
    return windows(np.asarray(x, dtype=float), window, stride).mean(axis=(-2, -1))


def max_pool_backward(x: np.ndarray, upstream: np.ndarray, window: int, stride: int) -> np.ndarray:
    """dL/dx: each window's upstream gradient goes to the position of its maximum.

    A tie would make the choice arbitrary (frameworks take the first maximum, as here);
    questions avoid ties so that the answer does not depend on that convention.
    """
    x = np.asarray(x)
    grad = np.zeros(x.shape, dtype=np.result_type(x, upstream, float))
    view = windows(x, window, stride)
    flat = view.reshape(*view.shape[:-2], window * window)
    first = flat.argmax(axis=-1)  # (out_h, out_w, *channels)
    for index in np.ndindex(first.shape):
        row, col = divmod(int(first[index]), window)
        i, j, *channel = index
        grad[(i * stride + row, j * stride + col, *channel)] += upstream[index]
    return grad


def max_pool_mask(x: np.ndarray, window: int, stride: int) -> np.ndarray:
    """1 where an input is the maximum of at least one window (it receives gradient), else 0."""
    routed = max_pool_backward(x, np.ones(max_pool(x, window, stride).shape), window, stride)
    return (routed > 0).astype(int)


def avg_pool_backward(x: np.ndarray, upstream: np.ndarray, window: int, stride: int) -> np.ndarray:
    """dL/dx: each window's upstream gradient is shared equally by its window * window inputs."""
    x = np.asarray(x)
    grad = np.zeros(x.shape, dtype=float)
    share = np.asarray(upstream, dtype=float) / (window * window)
    out_h, out_w = share.shape[:2]
    for i in range(out_h):
        for j in range(out_w):
            rows = slice(i * stride, i * stride + window)
            cols = slice(j * stride, j * stride + window)
            grad[rows, cols] += share[i, j]
    return grad
