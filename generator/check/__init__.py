"""``generate-exam check``: draw many variants of every question and catch the broken ones.

Owns: the stress check (``stress``) and its report of variant statistics (``report``).

May import: the foundation modules, ``kinds``, ``authoring``, ``bank``, ``variants`` and
``render.latex`` (the text a student reads, to find answers given away by it).
"""
