"""Formulas as sympy expressions: typeset for the solutions and evaluated to check them.

Symbols are plain (``W1``) so that sympy can turn an expression into a numpy
function; ``Formula.names`` gives their printed form (``W^{[1]}``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import numpy as np
import sympy as sp

from generator.engine.dense import sigmoid
from generator.kinds.answers import Formula

SIGMA = sp.Function("sigma")


def evaluate(formula: Formula, values: Mapping[sp.Basic, np.ndarray | float]) -> np.ndarray:
    """The formula's right-hand side computed with numpy for the given symbol values."""
    symbols = tuple(values)
    function = _numpy_function(formula.rhs, symbols)
    return np.asarray(function(*(values[s] for s in symbols)), dtype=float)


@cache
def _numpy_function(rhs: sp.Basic, symbols: tuple[sp.Basic, ...]) -> Callable[..., Any]:
    """sympy's lambdify is slow; a formula is turned into numpy code once per process.

    numpy goes in as the module: the name "numpy" makes sympy run ``from numpy import *``,
    which imports numpy.testing and more (0.1 s of every run's start).
    """
    return sp.lambdify(symbols, rhs, modules=[{"sigma": sigmoid}, np])
