"""Saving some of a document's pages without copying them (generator/page_trees.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pikepdf

from generator.builds.page_trees import leaves, open_detached, save_pages


def _document(path: Path, count: int) -> None:
    """``count`` pages, page n drawing only the marker ``PAGEMARK<n>`` (uncompressed, so
    that a byte search finds it), in a page tree of more than one level."""
    with pikepdf.new() as document:
        for n in range(1, count + 1):
            document.add_blank_page(page_size=(200 + n, 300))
            document.pages[-1].Contents = document.make_stream(f"% PAGEMARK{n}\n".encode())
        document.docinfo["/Producer"] = "pdfTeX"  # as the chunks' files have one
        document.save(
            path, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable
        )


def _marks(path: Path) -> set[str]:
    """The page markers anywhere in a file's streams, whatever reaches them."""
    with pikepdf.open(path) as document:
        data = b"".join(o.read_bytes() for o in document.objects if isinstance(o, pikepdf.Stream))
    return set(re.findall(r"PAGEMARK\d", data.decode()))


def test_leaves_walk_a_nested_tree_in_order(tmp_path: Path) -> None:
    _document(tmp_path / "a.pdf", 3)
    with pikepdf.open(tmp_path / "a.pdf") as document:
        root = document.Root.Pages
        kids = list(root.Kids)
        inner = pikepdf.Dictionary(Type=pikepdf.Name.Pages, Kids=pikepdf.Array(kids[1:]), Count=2)
        inner = document.make_indirect(inner)
        inner.Parent = root
        for kid in kids[1:]:
            kid.Parent = inner
        root.Kids = pikepdf.Array([kids[0], inner])
        widths = [int(page.MediaBox[2]) for page in leaves(document)]
    assert widths == [201, 202, 203]


def test_saved_pages_are_those_asked_and_nothing_else(tmp_path: Path) -> None:
    source = tmp_path / "chunk.pdf"
    _document(source, 5)
    before = source.read_bytes()
    document, pages = open_detached(source)
    with document:
        save_pages(document, pages[1:3], tmp_path / "two.pdf")
        save_pages(document, pages[4:], tmp_path / "last.pdf")
    assert source.read_bytes() == before
    assert _marks(tmp_path / "two.pdf") == {"PAGEMARK2", "PAGEMARK3"}
    assert _marks(tmp_path / "last.pdf") == {"PAGEMARK5"}
    with pikepdf.open(tmp_path / "two.pdf") as saved:
        assert [int(p.mediabox[2]) for p in saved.pages] == [202, 203]
        assert "/Info" not in saved.trailer
    with pikepdf.open(tmp_path / "last.pdf") as saved:
        assert [int(p.mediabox[2]) for p in saved.pages] == [205]


def _inheriting(path: Path) -> None:
    """Two pages that take their box and rotation from the tree node above them, written
    byte by byte: a PDF library writing the file would set them on the pages itself."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 /MediaBox [0 0 400 500] /Rotate 90 >>",
        b"<< /Type /Page /Parent 2 0 R /Resources << >> /Contents 5 0 R >>",
        b"<< /Type /Page /Parent 2 0 R /Resources << >> /Contents 6 0 R >>",
        b"<< /Length 12 >>\nstream\n% PAGEMARK1\nendstream",
        b"<< /Length 12 >>\nstream\n% PAGEMARK2\nendstream",
    ]
    data, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(data))
        data += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(data)
    data += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    data += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    data += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)  # fmt: skip
    path.write_bytes(data)


def test_what_a_page_inherits_from_its_tree_goes_with_it(tmp_path: Path) -> None:
    source = tmp_path / "inherits.pdf"
    _inheriting(source)
    document, pages = open_detached(source)
    with document:
        save_pages(document, pages[1:], tmp_path / "second.pdf")
    assert _marks(tmp_path / "second.pdf") == {"PAGEMARK2"}
    with pikepdf.open(tmp_path / "second.pdf") as saved:
        page = saved.pages[0].obj
        assert page.Rotate == 90 and list(page.MediaBox) == [0, 0, 400, 500]
