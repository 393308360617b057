"""Random arguments for the bank's code skeletons, by the function a skeleton defines.

A skeleton says what its function takes in its signature and docstring, not how to make
such values; this table does, for the bank's code parts (the Adam step of 3(g), the
batch-norm forward pass of 4(b)).  A skeleton it does not know is graded by people.
Layouts come from the skeleton (4(b)'s docstring says which layout its ``Z`` has); the
sizes, steps and values are drawn anew for every response from the grader's stream
(:func:`generator.kinds.streams.stream`, keyed by the run's key and the texts compared).
Drawn from a fixed seed they could be read in the public tool, and a wrong line written
to agree with the key on exactly those inputs (``step`` replaced by a polynomial equal
to it at the three steps tried, a count replaced by the one size tried).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np

Arguments = dict[str, Any]

# Adam's steps: (lowest, highest) of each case's draw, and the scale of its gradients.
# Steps 1 and 2 and a draw in 3..20 make both bias corrections large; up to 60 beta1's
# still matters (0.85 ** 60 > 1e-5, a hundred times the grader's tolerance), up to 1000
# beta2's (0.99 ** 1000 > 1e-5); the last draw, far out, catches a polynomial in the step
# that agrees with it below.  Gradients of 1e-6 make s far below eps, so that eps matters.
ADAM_STEPS = ((1, 1, 1.0), (2, 2, 1.0), (3, 20, 1e-6), (3, 20, 1.0), (21, 60, 1.0),
              (61, 1000, 1.0), (1001, 10_000, 1.0))  # fmt: skip
ADAM_SIZES = (2, 6)  # the rows and columns of a weight matrix, drawn per case
# Batch norm: the mode of each case and the scale of its stored variance (tiny: eps
# matters); the counts of examples and of features, drawn per case, never equal.
BATCHNORM_MODES = (("train", 1.0), ("test", 1.0), ("train", 1.0), ("test", 1e-8),
                   ("train", 1.0))  # fmt: skip
EXAMPLES, FEATURES = (3, 16), (2, 9)


def adam(skeleton: str, rng: np.random.Generator) -> list[Arguments]:
    """A weight matrix and a bias column of sizes drawn per case (so of different shapes),
    moving averages already under way (s > 0), at the steps of :data:`ADAM_STEPS`."""
    cases = []
    for low, high, scale in ADAM_STEPS:
        rows, columns = (int(rng.integers(ADAM_SIZES[0], ADAM_SIZES[1] + 1)) for _ in "rc")
        shapes = {"W1": (rows, columns), "b1": (rows, 1)}
        weights = {k: rng.standard_normal(s) for k, s in shapes.items()}
        grads = {k: rng.standard_normal(s) * scale for k, s in shapes.items()}
        cache = {f"v{k}": rng.standard_normal(s) * 0.1 * scale for k, s in shapes.items()}
        cache |= {f"s{k}": rng.uniform(0.01, 0.2, s) * scale**2 for k, s in shapes.items()}
        cases.append({"weights_dict": weights, "gradients_dict": grads, "cache_dict": cache,
                      "step": int(rng.integers(low, high + 1))})  # fmt: skip
    return cases


def batchnorm(skeleton: str, rng: np.random.Generator) -> list[Arguments]:
    """A batch in the layout the docstring gives, its counts of examples and features drawn
    per case and different (a line that mixes the axes up fails), in train mode and in
    test mode, with moving averages away from 0 and 1; in one test case the stored
    variance is tiny, so that eps matters."""
    examples_first = re.search(r"Z -- input, with shape \(num_examples, num_features\)", skeleton)
    cases = []
    for mode, scale in BATCHNORM_MODES:
        examples = int(rng.integers(EXAMPLES[0], EXAMPLES[1] + 1))
        features = int(rng.choice([n for n in range(FEATURES[0], FEATURES[1] + 1)
                                   if n != examples]))  # fmt: skip
        shape, stats = (((examples, features), (1, features)) if examples_first
                        else ((features, examples), (features, 1)))  # fmt: skip
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
