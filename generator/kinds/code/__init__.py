"""Code answers (fill in the blanks of a skeleton), graded by running them.

Owns: a restricted interpreter for the skeleton and a student's lines (``interpreter``),
random arguments for the bank's skeletons (``inputs``) and the share of points
(``grading``).  Imports nothing of the package outside ``kinds`` but the key's records.
"""
