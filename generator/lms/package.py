"""Content packages (zip files) with the same bytes for the same content."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from lxml import etree

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip timestamps would make every export differ


def write_zip(
    target: Path, files: Mapping[str, bytes], run_folder: Path, figures: Iterable[str]
) -> Path:
    """``files`` in name order, then the figure PNGs copied from the run's folder."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(files):
            _add(archive, name, files[name])
        for figure in figures:
            _add(archive, figure, (run_folder / figure).read_bytes())
    return target


def _add(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def xml_bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
