"""The engine's configuration, compiled once per process and version.

``get()`` answers the compiled configuration (``Snapshot``): one cheap SELECT
of the version row, and a rebuild only when the version moved. Every
configuration write bumps the version in its own transaction
(``alerting.models.config``, ``alerting.config_snapshot.signals``), so each
process sees a change at its next use, at the moment the change commits.
"""

from __future__ import annotations

import threading

from alerting.config_snapshot.compiled import Level, Link, Maintenance, OperatorInfo, Snapshot, Window
from alerting.models.config import current_version, writes_here

__all__ = ["Level", "Link", "Maintenance", "OperatorInfo", "Snapshot", "Window", "forget", "get"]

_cached: tuple[Snapshot, int] | None = None  # and writes_here() when it was built
_lock = threading.Lock()


def get() -> Snapshot:
    """The configuration as of now (the version read first, then the data:
    a change committed in between leaves a newer version, so the next use
    rebuilds)."""
    global _cached
    writes = writes_here()
    version = current_version()
    cached = _cached
    if cached is not None and cached[0].version == version and cached[1] == writes and version is not None:
        return cached[0]
    from alerting.config_snapshot.build import build

    with _lock:  # one thread builds; the others wait for it rather than build too
        cached = _cached
        if cached is None or cached[0].version != version or cached[1] != writes or version is None:
            cached = _cached = (build(version), writes)
    return cached[0]


def forget() -> None:
    """Drop this process's snapshot (tests that change settings it compiled)."""
    global _cached
    _cached = None
