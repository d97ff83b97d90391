from __future__ import annotations

from collections.abc import Callable

import pytest
from pytest_httpserver import HTTPServer

from integrations.models import Integration
from integrations.provisioning import apply_preset


@pytest.fixture
def receiver(httpserver: HTTPServer, settings) -> HTTPServer:
    """The local HTTP server, reachable through the SSRF-safe session."""
    settings.OUTBOUND_ALLOWLIST = ["127.0.0.1", "::1", "localhost"]
    return httpserver


def base_url(server: HTTPServer) -> str:
    return server.url_for("/").rstrip("/")


@pytest.fixture
def make_preset(db, receiver: HTTPServer) -> Callable[..., Integration]:
    """An integration from a preset, its variables set, and any fixed vendor
    host in its step URLs replaced by the local receiver."""

    def make(slug: str, values: dict[str, str], vendor_base: str = "") -> Integration:
        integration = apply_preset(Integration(name=f"{slug} test"), slug)
        for variable in integration.variables.all():
            if variable.name in values:
                if variable.is_secret:
                    variable.secret_value = values[variable.name]
                else:
                    variable.value = values[variable.name]
                variable.save()
        if vendor_base:
            for step in integration.steps.all():
                step.url = step.url.replace(vendor_base, base_url(receiver))
                step.save()
        integration.customized = bool(vendor_base)
        integration.save()
        return integration

    return make
