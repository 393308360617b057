"""Everything a question's ``solve.py`` needs, in one import.

The package also holds what those names are made of: self-checks (``self_checks``),
redraws (``sampling``), statement pools (``statements``), formulas (``formulas``),
figures (``figures``) and the template language of ``question.tex.j2`` (``templates``).
It may import the foundation modules, ``engine`` and ``kinds``.

A question folder imports from this module only::

    from generator.authoring import Formula, require, sampling, engine

The rest of the package is private to it and may change between versions; what this
module exports is the authoring interface, documented in docs/authoring.md:

- answers: :class:`Formula` (a sympy expression), :class:`Choices` of :class:`Option`,
  :class:`Code` (lines to fill in a skeleton), :class:`Accept` (a value with its accepted
  alternatives or the formula a number comes from), :class:`Model` (a text part's model
  answer and rubric, when the part's question is drawn);
- :func:`require` (a self-check that stops generation when it fails) and :func:`memoize`;
- :mod:`sampling` (``sampling.until(propose, accept)``: a redraw whose rejection rate
  ``check`` and ``preview`` report);
- :mod:`statements` (true/false pools for select-all parts) and :class:`Statement`;
- :mod:`engine` (the numpy reference engine: ``engine.dense``, ``engine.conv``,
  ``engine.batchnorm``, ``engine.losses``, ``engine.optim``, ``engine.attacks``,
  ``engine.pooling``, ``engine.receptive``, ``engine.recurrent``, ``engine.attention``,
  ``engine.metrics``, ``engine.init``, ``engine.schedules``, ``engine.dropout``,
  ``engine.backprop``);
- formula helpers :func:`evaluate` and :data:`SIGMA`; figures :class:`Panel`,
  :class:`PanelRow`.
"""

from __future__ import annotations

from generator import engine
from generator.authoring import sampling, statements
from generator.authoring.figures import Panel, PanelRow
from generator.authoring.formulas import SIGMA, evaluate
from generator.authoring.self_checks import memoize, require
from generator.authoring.statements import Statement
from generator.engine import (
    attacks,
    attention,
    backprop,
    batchnorm,
    conv,
    dense,
    dropout,
    init,
    losses,
    metrics,
    optim,
    pooling,
    receptive,
    recurrent,
    schedules,
)
from generator.kinds.answers import Accept, Choices, Code, Formula, Model, Option

__all__ = [
    "SIGMA",
    "Accept",
    "Choices",
    "Code",
    "Formula",
    "Model",
    "Option",
    "Panel",
    "PanelRow",
    "Statement",
    "attacks",
    "attention",
    "backprop",
    "batchnorm",
    "conv",
    "dense",
    "dropout",
    "engine",
    "evaluate",
    "init",
    "losses",
    "memoize",
    "metrics",
    "optim",
    "pooling",
    "receptive",
    "recurrent",
    "require",
    "sampling",
    "schedules",
    "statements",
]
