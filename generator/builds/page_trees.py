"""Saving some of a document's pages as a PDF of their own, without copying them.

A PDF writer writes only the objects a document's page tree reaches.  So a student's PDF
can be the very document their pages were typeset in (a class chunk, a pool's body),
saved with those pages as its page tree: their fonts and drawings are neither copied
into a new document nor rewritten, which copying them (``pages.extend``) did, once per
student.  The document on disk is never changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name


def open_detached(path: Path) -> tuple[pikepdf.Pdf, list[pikepdf.Object]]:
    """The document at ``path``, with an empty page tree of its own in place of its
    catalog (and no information dictionary), and its page objects in order.  Opening it
    sets what a page inherits from the tree's nodes (box, resources, rotation) on the page
    itself, so that it keeps them hung from another tree."""
    document = pikepdf.open(path, inherit_page_attributes=True)
    pages = leaves(document)
    tree = document.make_indirect(Dictionary(Type=Name.Pages, Kids=Array(), Count=0))
    document.trailer.Root = document.make_indirect(Dictionary(Type=Name.Catalog, Pages=tree))
    if "/Info" in document.trailer:  # pdfTeX's, for the whole document
        del document.trailer.Info
    return document, pages


def leaves(document: pikepdf.Pdf) -> list[pikepdf.Object]:
    """A document's page objects in order, found by walking its page tree: ``pdf.pages[i]``
    on a long document is slow, and its page cache would go stale once the tree is
    replaced."""

    def walk(node: pikepdf.Object) -> Iterator[pikepdf.Object]:
        if node.get("/Type") == Name.Pages:
            for kid in node.Kids:
                yield from walk(kid)
        else:
            yield node

    return list(walk(document.Root.Pages))


def save_pages(document: pikepdf.Pdf, pages: list[pikepdf.Object], target: Path) -> None:
    """Save ``document`` (from :func:`open_detached`) with ``pages`` as its pages, and
    nothing they do not reach."""
    tree = document.Root.Pages
    for page in pages:
        page.Parent = tree
    tree.Kids = Array(pages)
    tree.Count = len(pages)
    document.save(target, static_id=True)
