"""Exam-variant generator: randomized deep-learning exams with keys computed by a numpy engine.

The library API is :func:`generator.build.generate` (files) and
:func:`generator.assemble.build_exam` (pure, in memory); the CLI is a thin
layer over them.
"""

__version__ = "0.2.0"
