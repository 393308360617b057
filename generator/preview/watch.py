"""``--watch``: run a rebuild each time a file of a folder changes, by polling.

Polling the modification times and sizes of a question folder's few files costs
microseconds a round, and needs neither a dependency nor a platform's notification API.
What the run writes itself is never watched: Python's ``__pycache__``, hidden files
(editors' swap files, staging folders) and the output folder, which would otherwise
trigger a rebuild of their own.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from pathlib import Path

POLL_SECONDS = 0.5
SKIPPED_DIRS = ("__pycache__",)

Snapshot = tuple[tuple[str, int, int], ...]


def snapshot(folder: Path, *, ignore: Iterable[Path] = ()) -> Snapshot:
    """Every watched file below ``folder``: its path, modification time (ns) and size.
    A file that vanishes while being listed is left out (the next round sees it gone)."""
    ignored = {os.path.realpath(path) for path in ignore}
    found = []
    for directory, folders, files in os.walk(folder):
        folders[:] = sorted(
            name for name in folders
            if not _hidden(name) and name not in SKIPPED_DIRS
            and os.path.realpath(os.path.join(directory, name)) not in ignored
        )  # fmt: skip
        for name in sorted(files):
            if _hidden(name):
                continue
            path = os.path.join(directory, name)
            try:
                stat = os.stat(path)
            except OSError:
                continue
            found.append((os.path.relpath(path, folder), stat.st_mtime_ns, stat.st_size))
    return tuple(found)


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.endswith("~")


def watch(
    folder: Path,
    rebuild: Callable[[], None],
    *,
    wait: Callable[[], bool],
    ignore: Iterable[Path] = (),
    started: Callable[[], None] = lambda: None,
) -> int:
    """Call ``rebuild`` after each round of ``wait`` in which a watched file changed;
    ``wait`` returns False to stop (the CLI sleeps a poll interval and returns True, until
    Ctrl-C).  ``started`` runs once the folder's first state is taken: a change from then
    on is seen, so that is when to say it watches.  The number of rebuilds made."""
    ignore = tuple(ignore)
    seen = snapshot(folder, ignore=ignore)
    started()
    rebuilds = 0
    while wait():
        now = snapshot(folder, ignore=ignore)
        if now != seen:
            seen = now
            rebuild()
            rebuilds += 1
    return rebuilds
