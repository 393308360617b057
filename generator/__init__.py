"""Exam-variant generator: randomized deep-learning exams with keys computed by a numpy engine.

The package is the pipeline, one subpackage per stage, each importing only the stages
above it in this list (its docstring says what it owns and may import), and the two
record modules that import nothing of the package: the key's (``key.records``, which
``kinds`` reads) and grading's (``grading.records``, which each LMS vendor's report
reader and gradebook writer use):

- ``engine``: the numpy reference engine (pure functions, no randomness);
- ``kinds``: answer kinds, how each is stored, shown and scored (formulas, code);
- ``authoring``: what a question's ``solve.py`` and ``question.tex.j2`` are written with;
- ``bank``: question folders and blueprints, read and checked;
- ``variants``: the secret, seeds and rosters; :func:`generator.variants.assemble.build_exam`
  draws and answers every copy, in memory;
- ``render``: a copy's LaTeX, the layout, the PDF and the students' names;
- ``key``: key.json, written from typed records and read back into them;
- ``lms``: exports for learning-management systems, one home per vendor;
- ``grading``: responses scored against each student's copy, gradebooks, item analysis;
- ``builds``, ``check``, ``preview``: the runs of ``generate-exam``, ``check`` and
  ``preview``;
- ``cli``: the command line, one module per command, over the library.

The Python API is :mod:`generator.api` (docs/python-api.md): an exam or a class built
in memory, its key as records or a pandas table, a table of responses graded.  Beneath it:
:func:`generator.builds.pipeline.build` (a run folder, from a
:class:`generator.builds.pipeline.BuildSpec`), :func:`generator.variants.assemble.build_exam`
(pure, in memory), :func:`generator.key.read.read_key` and
:func:`generator.grading.pipeline.grade_run`.
"""

__version__ = "0.2.0"
