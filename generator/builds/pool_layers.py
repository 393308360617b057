"""A pool student's PDFs laid from the pool's layers (generator/builds/pool.py), with pikepdf.

A version's body document is opened once for a chunk of students, and it is itself the
document their PDFs are saved from (generator/page_trees.py): the body's fonts and
drawings are never copied per student, as copying each student's pages into a new
document did (a 2000-student pool build: 32 s before, 23 s after).

No page of the body is changed.  Each of a student's pages is a new page object that
draws the body page's own content, wrapped in q/Q, and then two forms over it: the
student's running head and foot, and the page's number.  pikepdf's add_overlay would do
the same at four times the cost, and would change the shared page itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from generator.builds.page_trees import leaves, open_detached, save_pages


class Frames:
    """A document of frames: "Page 2" up to the longest copy's last page, one page each,
    then every student's cover and head-and-foot page, version after version."""

    def __init__(self, path: Path, last_page: int) -> None:
        self.pdf = pikepdf.open(path)
        self.pages = leaves(self.pdf)
        self.numbers = [pikepdf.Page(p).as_form_xobject() for p in self.pages[: last_page - 1]]

    def cover(self, page: int) -> pikepdf.Object:
        """The drawing of a cover page, in one object that copies across documents in one
        step and without the page tree it hangs from."""
        cover = self.pages[page - 1]
        return self.pdf.make_indirect(Array([cover.MediaBox, cover.Resources, cover.Contents]))

    def head_and_foot(self, page: int) -> pikepdf.Object:
        return pikepdf.Page(self.pages[page - 1]).as_form_xobject()

    def close(self) -> None:
        self.pdf.close()


class Sheaf:
    """One version's body document, into which students' pages are laid and from which
    their PDFs are saved (see the module's docstring)."""

    def __init__(self, body: Path) -> None:
        self.pdf, self.body = open_detached(body)
        self.before = self.pdf.make_stream(b"q\n")
        self.after = self.pdf.make_stream(b"\nQ /ExamFrame Do /ExamPage Do\n")
        self._numbers: dict[Frames, list[pikepdf.Object]] = {}

    def lay(self, frames: Frames, frame: tuple[int, int],
            body: Sequence[tuple[int, int]]) -> list[pikepdf.Object]:  # fmt: skip
        """One student's pages: the cover of their frame (``frame``: its first and last
        page, the last being their running head and foot), then the body pages ``body``
        (first and last page of each question) with that head and foot and each page's
        number laid over them."""
        first, last = frame
        numbers = self._numbers_of(frames)
        head_and_foot = self.pdf.copy_foreign(frames.head_and_foot(last))
        box, resources, contents = self.pdf.copy_foreign(frames.cover(first))
        pages = [self._page(box, resources, contents)]
        for begin, end in body:
            for page in self.body[begin - 1 : end]:
                forms = Dictionary(page.Resources.get("/XObject", {}))
                forms.ExamFrame = head_and_foot
                forms.ExamPage = numbers[len(pages) - 1]
                resources = Dictionary(page.Resources)
                resources.XObject = forms
                own = list(page.Contents) if isinstance(page.Contents, Array) else [page.Contents]
                pages.append(self._page(page.MediaBox, resources, [self.before, *own, self.after]))
        return pages

    def blank(self, like: pikepdf.Object) -> pikepdf.Object:
        """An empty page the size of ``like`` (a print file pads each exam to even pages)."""
        return self._page(like.MediaBox, Dictionary(), [])

    def save(self, pages: list[pikepdf.Object], target: Path) -> None:
        """Save the document with ``pages`` as its pages (and nothing they do not reach)."""
        save_pages(self.pdf, pages, target)

    def close(self) -> None:
        self.pdf.close()

    def _numbers_of(self, frames: Frames) -> list[pikepdf.Object]:
        if frames not in self._numbers:
            self._numbers[frames] = [self.pdf.copy_foreign(n) for n in frames.numbers]
        return self._numbers[frames]

    def _page(self, box: pikepdf.Object, resources: pikepdf.Object,
              contents: Sequence[pikepdf.Object] | pikepdf.Object) -> pikepdf.Object:  # fmt: skip
        return self.pdf.make_indirect(Dictionary(
            Type=Name.Page, MediaBox=box, Resources=resources,
            Contents=contents if isinstance(contents, pikepdf.Object) else Array(contents),
        ))  # fmt: skip
