"""The copies of an exam: who gets which copy, and each copy drawn and answered.

Owns: the secret and every random stream and code keyed by it (``secret``, ``seeding``),
rosters and the copies they make (``roster``), which questions a copy prints when its
blueprint draws (``draws``), and ``assemble.build_exam``: blueprint -> copies -> answered
parts, pure and in memory.

May import: the foundation modules, ``kinds``, ``authoring`` and ``bank``.
"""
