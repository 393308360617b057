"""After the exam: responses read, scored against each student's own copy, reported.

Owns: the records response readers, graders and gradebooks share (``records``, which
imports nothing of the package but its errors), the responses files of every layout
(``responses``), scoring by the answer kinds and the run of ``grade`` (``pipeline``), the
sheets of the parts people grade (``sheets``), the item analysis (``item_analysis``), the
students' feedback (``feedback``) and regrades after a fixed key (``regrade``).

May import: the foundation modules, ``kinds``, ``key`` (its records, reader and diff) and
``lms`` (each vendor's report reader and gradebook writer, found by vendor name).  Never
the build or typesetting stack.
"""
