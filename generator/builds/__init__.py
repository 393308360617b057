"""Building a run: one exam, a class of unique copies, or a class drawn from a variant pool.

(Named ``builds``, not ``build``: tools and ignore files commonly treat a folder named
``build`` as generated output, and would pass over, or leave out, the source here.)

Owns: ``pipeline.build`` (every run of ``generate-exam``, read top to bottom), the unique
class build in chunks of copies (``unique``), the pool build (``pool``, ``pool_layers``)
and saving a copy's pages as a PDF of their own (``page_trees``).

May import: every stage below it (``bank``, ``variants``, ``render``, ``key``, ``lms``).
"""
