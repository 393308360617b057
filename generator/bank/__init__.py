"""The question bank: question folders and exam blueprints, read and checked.

Owns: loading and validating question folders (``questions``), blueprints
(``blueprints``), the TOML they are written in (``tomlfile``), and the scaffold of a new
question (``scaffold``).

May import: the foundation modules, ``kinds`` and ``authoring`` (a question's answers,
statements and template language).  Nothing here draws a variant or writes a file of a run.
"""
