"""``generate-exam preview``: N variants of one question side by side, to check them by eye.

Owns: what a preview is asked for (``spec``), drawing and writing it (``pipeline``), its
HTML page (``html``) and the ``--watch`` loop (``watch``).

May import: every stage up to ``render`` and ``key``, and ``lms.html`` (LaTeX as HTML).
"""
