"""Typesetting: a copy's LaTeX, the institution's layout, the PDF, the students' names.

Owns: ``latex`` (copies -> .tex through the exam document's templates), ``templating``
(the document's jinja environment and the layout it is read from), ``partials`` (an
institution's ``--templates``), ``pdf`` (pdflatex, its formats and page ranges) and
``names`` (students' names in any script, typeset by Typst).

May import: the foundation modules, ``kinds``, ``authoring``, ``bank`` and ``variants``.
Nothing that reads a finished run (``key.read``, ``lms``, ``grading``) imports it.
"""
