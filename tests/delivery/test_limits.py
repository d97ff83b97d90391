"""The receivers' documented rate limits name only kinds and presets that exist."""

from __future__ import annotations

from integrations import presets
from integrations.delivery.policy import LIMITS
from integrations.models.integrations import IntegrationKind


def test_every_limit_names_an_existing_kind_or_preset() -> None:
    assert set(LIMITS["kinds"]) <= set(IntegrationKind.values)
    assert set(LIMITS["presets"]) <= set(presets.presets())
    assert all(isinstance(v, int) and v > 0 for part in ("kinds", "presets") for v in LIMITS[part].values())
