"""Receptive fields of units in a stack of convolution and pooling layers.

A unit's receptive field is found by tracing, layer by layer from the unit back to the
input, the span of positions that feed it: a span [lo, hi] of a layer's output reads
[lo * stride, hi * stride + kernel - 1] of its (padded) input.  Padding only shifts the
span, so it does not change the size.  Along one side; square kernels give a square field.
"""

from __future__ import annotations

from collections.abc import Sequence


def input_span(layers: Sequence[tuple[int, int]], unit: int = 0) -> tuple[int, int]:
    """The first and last (padded) input positions that feed output position ``unit`` of the
    last layer; ``layers`` are (kernel, stride) pairs from the input to that layer."""
    lo = hi = unit
    for kernel, stride in reversed(layers):
        lo, hi = lo * stride, hi * stride + kernel - 1
    return lo, hi


def receptive_field(layers: Sequence[tuple[int, int]]) -> int:
    """How many input positions along a side one unit of the last layer sees."""
    lo, hi = input_span(layers)
    return hi - lo + 1
