"""The reference runs give the reviewed golden files (``make golden`` rewrites them)."""

from __future__ import annotations

import difflib

import pytest

from tests import golden


@pytest.mark.parametrize("name", sorted(golden.RUNS))
def test_run_gives_its_golden_files(name, tmp_path):
    found = golden.texts(golden.build(name, tmp_path))
    expected = golden.stored(name)
    assert sorted(found) == sorted(expected), "files added or gone; run `make golden`"
    changed = [path for path in expected if found[path] != expected[path]]
    diff = []
    for path in changed[:3]:
        before, after = expected[path].splitlines(), found[path].splitlines()
        diff += difflib.unified_diff(before, after, f"golden/{name}/{path}", "this build",
                                     lineterm="", n=1)  # fmt: skip
    assert not changed, (
        f"{len(changed)} files differ from tests/golden/{name} (review, then `make golden`):\n"
        + "\n".join(diff[:80])
    )


def test_masks_hide_only_what_the_machine_decides():
    """The masks replace versions and figure bytes, and nothing the project writes."""
    text = '"version": "0.2.0",\n"numpy": "2.4.6"\n<file name="a.png" path="/">iVBOR=</file>'
    assert golden.masked(text) == (
        '"version": "(masked)",\n"numpy": "(masked)"\n<file name="a.png" path="/">(PNG)</file>'
    )
    assert golden.masked('"answer": "version"') == '"answer": "version"'
