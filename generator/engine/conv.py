"""Convolution layers of any dimension (1D time series, 2D images, 3D video)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


@dataclass(frozen=True)
class Conv:
    """A convolution layer: kernels of shape (*kernel, in_channels, filters), a bias per filter.

    Inputs are channels-last, e.g. (height, width, channels), as in the course.
    """

    kernels: np.ndarray
    bias: np.ndarray
    stride: int = 1
    padding: int = 0

    @classmethod
    def zeros(
        cls,
        kernel: tuple[int, ...],
        in_channels: int,
        filters: int,
        *,
        stride: int = 1,
        padding: int = 0,
    ) -> Conv:
        """The layer's parameter arrays, allocated so that they can be counted."""
        return cls(np.zeros((*kernel, in_channels, filters)), np.zeros(filters), stride, padding)

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(self.kernels.shape[:-2])

    @property
    def weight_count(self) -> int:
        return int(self.kernels.size)

    @property
    def bias_count(self) -> int:
        return int(self.bias.size)

    @property
    def parameter_count(self) -> int:
        return self.weight_count + self.bias_count

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return conv_forward(x, self.kernels, self.bias, self.stride, self.padding)


def conv_forward(
    x: np.ndarray, kernels: np.ndarray, bias: np.ndarray, stride: int, padding: int
) -> np.ndarray:
    """Cross-correlate a channels-last input with ``kernels`` (no loops over positions)."""
    dims = kernels.ndim - 2
    if x.ndim != dims + 1 or x.shape[-1] != kernels.shape[-2]:
        raise ValueError(f"input of shape {x.shape} does not fit kernels of shape {kernels.shape}")
    pad = [(padding, padding)] * dims + [(0, 0)]
    xp = np.pad(x, pad)
    windows = sliding_window_view(xp, kernels.shape[:dims], axis=tuple(range(dims)))
    windows = windows[tuple(slice(None, None, stride) for _ in range(dims))]
    # windows: (*out, C, *kernel); kernels: (*kernel, C, K)
    spatial = "abcdefg"[:dims]
    out = np.einsum(f"...z{spatial},{spatial}zk->...k", windows, kernels)
    return out + bias
