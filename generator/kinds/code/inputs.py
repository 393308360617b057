"""Random arguments for the bank's code skeletons, by the function a skeleton defines.

A skeleton says what its function takes in its signature and docstring, not how to make
such values; this table does, for the bank's code parts (the Adam step of 3(g), the
batch-norm forward pass of 4(b)).  A skeleton it does not know is graded by people.
Shapes come from the skeleton (4(b)'s docstring says which layout its ``Z`` has); each
case gets fresh values from the grader's seeded Generator, so that grading is
deterministic.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

Arguments = dict[str, Any]


def adam(skeleton: str, rng: np.random.Generator) -> list[Arguments]:
    """Two weights of different shapes, moving averages already under way (s > 0), at
    steps 1, 2 and 7: each bias correction matters; at step 7 the gradients and s are tiny,
    so that eps matters too."""
    cases = []
    for step, scale in ((1, 1.0), (2, 1.0), (7, 1e-6)):
        shapes = {"W1": (3, 2), "b1": (3, 1)}
        weights = {k: rng.standard_normal(s) for k, s in shapes.items()}
        grads = {k: rng.standard_normal(s) * scale for k, s in shapes.items()}
        cache = {f"v{k}": rng.standard_normal(s) * 0.1 * scale for k, s in shapes.items()}
        cache |= {f"s{k}": rng.uniform(0.01, 0.2, s) * scale**2 for k, s in shapes.items()}
        cases.append({"weights_dict": weights, "gradients_dict": grads, "cache_dict": cache,
                      "step": step})  # fmt: skip
    return cases


def batchnorm(skeleton: str, rng: np.random.Generator) -> list[Arguments]:
    """A batch in the layout the docstring gives (5 features, 8 examples), in train mode
    and in test mode, with moving averages away from 0 and 1; in one test case the stored
    variance is tiny, so that eps matters."""
    examples_first = re.search(r"Z -- input, with shape \(num_examples, num_features\)", skeleton)
    shape, stats = ((8, 5), (1, 5)) if examples_first else ((5, 8), (5, 1))
    cases = []
    for mode, scale in (("train", 1.0), ("test", 1.0), ("train", 1.0), ("test", 1e-8)):
        cases.append({
            "Z": rng.standard_normal(shape) * 3 + 1,
            "gamma": rng.standard_normal(stats), "beta": rng.standard_normal(stats),
            "cache_dict": {"mu": rng.standard_normal(stats),
                           "var": rng.uniform(0.5, 2, stats) * scale},
            "mode": mode,
        })  # fmt: skip
    return cases


RECIPES: dict[str, Callable[[str, np.random.Generator], list[Arguments]]] = {
    "optim_adam": adam,
    "forward_batchnorm": batchnorm,
}
