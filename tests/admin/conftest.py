from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def httpserver_listen_address() -> tuple[str, int]:
    # An address, not "localhost": outbound calls are pinned to one resolved address.
    return ("127.0.0.1", 0)
