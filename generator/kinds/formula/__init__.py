"""Formula answers: the key's formulas read back, students' formulas read safely, compared.

Owns: reading a key's ``srepr`` (``reader``), a student's notation (``notation``),
mathematical equivalence (``equivalence``) and the share of points (``grading``).
Nothing a student writes is ever run.  Imports nothing of the package outside ``kinds``
but the key's records.
"""
