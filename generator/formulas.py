"""Formulas as sympy expressions: typeset for the solutions and evaluated to check them.

Symbols are plain (``W1``) so that sympy can turn an expression into a numpy
function; ``Formula.names`` gives their printed form (``W^{[1]}``).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import sympy as sp

from .answers import Formula
from .engine.dense import sigmoid

SIGMA = sp.Function("sigma")


def evaluate(formula: Formula, values: Mapping[sp.Basic, np.ndarray | float]) -> np.ndarray:
    """The formula's right-hand side computed with numpy for the given symbol values."""
    symbols = list(values)
    function = sp.lambdify(symbols, formula.rhs, modules=[{"sigma": sigmoid}, "numpy"])
    return np.asarray(function(*(values[s] for s in symbols)), dtype=float)


def matrix(name: str, rows: int, cols: int) -> sp.MatrixSymbol:
    return sp.MatrixSymbol(name, rows, cols)
