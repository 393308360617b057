"""key.json, the answer key every other output is derived from.

Owns: its typed records (``records``), the JSON Schema made from them (``schema``), the
writer (``write``), the reader (``read``), the answer-key CSV (``answer_csv``) and the
comparison of two keys (``diff``).

May import: the foundation modules and ``kinds``.  ``write`` alone, which a build runs,
also imports ``authoring`` (a figure's file name), ``bank`` (the blueprint's draws),
``variants`` (the copies) and ``render`` (the printed text of each part); reading a key
loads none of them.
"""
