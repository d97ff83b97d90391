from __future__ import annotations

import pytest
from drf_spectacular.generators import SchemaGenerator

from alerting.models import Monitor, OperatorGroup

COLLECTIONS = [
    "operators",
    "operator-groups",
    "monitors",
    "monitor-groups",
    "maintenance-periods",
    "alert-definitions",
    "integrations",
]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_read_key_may_read_but_not_write(read_api, collection):
    assert read_api.get(collection).status_code == 200
    response = read_api.post(collection, {"name": "x"})
    assert response.status_code == 403
    assert "admin" in response.json()["errors"]["detail"][0]


@pytest.mark.parametrize("collection", COLLECTIONS)
def test_ingest_key_may_neither_read_nor_write(ingest_api, collection):
    assert ingest_api.get(collection).status_code == 403
    assert ingest_api.post(collection, {"name": "x"}).status_code == 403


def test_object_writes_need_admin(read_api, ingest_api, api):
    group = OperatorGroup.objects.create(name="Ops")
    monitor = Monitor.objects.create(key="m", name="M")
    for client in (read_api, ingest_api):
        assert client.patch(f"operator-groups/{group.pk}", {"name": "Hacked"}).status_code == 403
        assert client.put(f"monitors/{monitor.key}", {"key": "m", "name": "Hacked"}).status_code == 403
        assert client.delete(f"monitors/{monitor.pk}").status_code == 403
    assert read_api.get(f"monitors/{monitor.key}").status_code == 200
    group.refresh_from_db()
    monitor.refresh_from_db()
    assert (group.name, monitor.name) == ("Ops", "M")
    assert api.delete(f"monitors/{monitor.pk}").status_code == 204


def test_no_key_is_401(client, db):
    response = client.get("/api/v1/operators")
    assert response.status_code == 401
    assert response.json()["errors"]["detail"]


def test_every_resource_is_in_the_schema_with_its_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = schema["paths"]
    for collection in COLLECTIONS:
        listing = paths[f"/api/v1/{collection}"]
        assert set(listing["get"]["responses"]) >= {"200", "401", "403"}
        assert set(listing["post"]["responses"]) >= {"201", "400", "401", "403"}
        detail = next(p for p in paths if p.startswith(f"/api/v1/{collection}/{{"))
        ops = paths[detail]
        assert set(ops) >= {"get", "put", "patch", "delete"}
        for method in ("put", "patch"):
            assert set(ops[method]["responses"]) >= {"200", "400", "401", "403", "404"}
        assert set(ops["delete"]["responses"]) >= {"204", "400", "401", "403", "404"}
        assert set(ops["get"]["responses"]) >= {"200", "401", "403", "404"}
    assert "/api/v1/monitors/{id_or_key}" in paths
