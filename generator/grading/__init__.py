"""After the exam: responses read, scored against each student's own copy, reported.

Owns: the records graders and gradebooks share (``records``), the responses files of
every layout (``pipeline.read_responses``), scoring by the answer kinds
(``pipeline.grade``), the sheets of the parts people grade (``sheets``), the item analysis
(``item_analysis``) and the gradebooks and feedback pages (``gradebook``).

May import: the foundation modules, ``kinds``, ``key`` (its records and reader) and
``lms`` (each vendor's report reader and gradebook writer).  Never the build or
typesetting stack.
"""
