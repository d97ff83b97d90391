"""The API answers JSON; the usual Accept headers take a shortcut
(alerting.api.negotiation), anything else is negotiated as DRF does."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("accept", [None, "", "*/*", "application/json"])
def test_plain_accept_headers_get_json(ingest_client, accept):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    body = {"monitor": "n-1", "status": "ok"}
    response = ingest_client.post("/api/v1/alerts", body, format="json", **headers)
    assert response.status_code == 202
    assert response["Content-Type"] == "application/json"
    assert response.json()["monitor"] == "n-1"


def test_json_with_parameters_is_still_negotiated(read_client):
    response = read_client.get("/api/v1/incidents", HTTP_ACCEPT="application/json; indent=4")
    assert response.status_code == 200
    assert response.content.startswith(b'{\n    "')


def test_unacceptable_media_type_is_406(read_client, ingest_client):
    response = read_client.get("/api/v1/incidents", HTTP_ACCEPT="text/html")
    assert response.status_code == 406
    assert "errors" in response.json()
    posted = ingest_client.post(
        "/api/v1/alerts", {"monitor": "n-1", "status": "ok"}, format="json", HTTP_ACCEPT="application/xml"
    )
    assert posted.status_code == 406


def test_unknown_format_override_is_ignored(read_client):
    """``?format=`` is no documented parameter: an unknown value is ignored
    like any unknown parameter (DRF alone would answer 404, as if the
    resource were missing); the answer is JSON."""
    for url in ("/api/v1/incidents?format=xml", "/api/v1/variables?format=%0E&format=NUL"):
        response = read_client.get(url)
        assert response.status_code == 200, (url, response.content)
        assert response["Content-Type"] == "application/json"
    # Accept still decides: what the client cannot take is refused.
    assert read_client.get("/api/v1/incidents?format=xml", HTTP_ACCEPT="text/html").status_code == 406


def test_the_schema_view_still_takes_its_format(read_client):
    response = read_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
