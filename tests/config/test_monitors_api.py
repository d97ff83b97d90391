from __future__ import annotations

from alerting.models import MaintenancePeriod, Monitor, MonitorGroup


def make_monitor(api, key="shop/home", **extra):
    response = api.post("monitors", {"key": key, "name": key.title(), **extra})
    assert response.status_code == 201, response.content
    return response.json()


def test_monitor_crud_by_id_and_by_key(api):
    created = make_monitor(api, custom_fields={"ComponentId": "c-1"}, url="https://shop.example.com/")
    monitor_id = created["id"]
    assert api.get("monitors").json()["count"] == 1

    for address in (monitor_id, "shop/home"):
        response = api.get(f"monitors/{address}")
        assert response.status_code == 200, address
        assert response.json()["id"] == monitor_id

    patched = api.patch("monitors/shop/home", {"name": "Shop home page", "generate_alerts": False})
    assert patched.status_code == 200
    monitor = Monitor.objects.get(pk=monitor_id)
    assert (monitor.name, monitor.generate_alerts) == ("Shop home page", False)

    replaced = api.put(f"monitors/{monitor_id}", {"key": "shop-home", "name": "Shop"})
    assert replaced.status_code == 200
    assert Monitor.objects.get(pk=monitor_id).key == "shop-home"
    assert api.get("monitors/shop/home").status_code == 404

    assert api.delete("monitors/shop-home").status_code == 204
    assert not Monitor.objects.exists()


def test_monitor_validation(api):
    make_monitor(api, "db-1")
    response = api.post("monitors", {"key": "db-1", "name": "Again"})
    assert response.status_code == 400 and "key" in response.json()["errors"]
    response = api.post("monitors", {"key": " bad key", "name": "x", "custom_fields": {"a": 1}})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"key", "custom_fields"}


def test_monitor_group_crud_and_all_monitors(api):
    a = make_monitor(api, "a")["id"]
    make_monitor(api, "b")
    created = api.post("monitor-groups", {"name": "Web", "monitors": [a, "b"]})
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    assert set(created.json()["monitors"]) == set(map(str, Monitor.objects.values_list("id", flat=True)))

    patched = api.patch(f"monitor-groups/{group_id}", {"monitors": ["a"]})
    assert patched.json()["monitors"] == [a]
    missing = api.patch(f"monitor-groups/{group_id}", {"monitors": ["no-such-monitor"]})
    assert missing.status_code == 400
    assert "no-such-monitor" in missing.json()["errors"]["monitors"][0]
    assert api.delete(f"monitor-groups/{group_id}").status_code == 204

    all_monitors = MonitorGroup.objects.get(is_all_monitors=True)
    read = api.get(f"monitor-groups/{all_monitors.pk}").json()
    assert read["is_system"] is True and len(read["monitors"]) == 2
    assert api.patch(f"monitor-groups/{all_monitors.pk}", {"name": "Everything"}).status_code == 400
    assert api.patch(f"monitor-groups/{all_monitors.pk}", {"monitors": [a]}).status_code == 400
    assert api.delete(f"monitor-groups/{all_monitors.pk}").status_code == 400
    assert MonitorGroup.objects.filter(pk=all_monitors.pk, name="All monitors").exists()


def test_maintenance_period_crud_and_rules(api):
    make_monitor(api, "a")
    group = MonitorGroup.objects.get(is_all_monitors=True)
    created = api.post(
        "maintenance-periods",
        {"monitor": "a", "mode": "weekly", "weekday": 6, "start_time": "02:00", "end_time": "04:00"},
    )
    assert created.status_code == 201, created.content
    period_id = created.json()["id"]
    assert created.json()["maintenance_type"] == "disable_notifications"

    # A PATCH is checked against the window as it will be saved.
    bad = api.patch(f"maintenance-periods/{period_id}", {"mode": "monthly"})
    assert bad.status_code == 400
    assert "month_day" in bad.json()["errors"]
    good = api.patch(f"maintenance-periods/{period_id}", {"mode": "monthly", "month_day": 31})
    assert good.status_code == 200
    assert MaintenancePeriod.objects.get(pk=period_id).month_day == 31

    both = api.patch(f"maintenance-periods/{period_id}", {"monitor_group": str(group.pk)})
    assert both.status_code == 400 and "monitor" in both.json()["errors"]
    switched = api.patch(
        f"maintenance-periods/{period_id}", {"monitor_group": str(group.pk), "monitor": None}
    )
    assert switched.status_code == 200
    assert api.get(f"maintenance-periods/{period_id}").json()["monitor_group"] == str(group.pk)

    neither = api.post(
        "maintenance-periods",
        {
            "mode": "one_time",
            "start_datetime": "2030-01-02T00:00:00Z",
            "end_datetime": "2030-01-01T00:00:00Z",
        },
    )
    assert neither.status_code == 400
    assert set(neither.json()["errors"]) == {"monitor"}

    backwards = api.post(
        "maintenance-periods",
        {
            "monitor": "a",
            "mode": "one_time",
            "start_datetime": "2030-01-02T00:00:00Z",
            "end_datetime": "2030-01-01T00:00:00Z",
        },
    )
    assert backwards.status_code == 400
    assert backwards.json()["errors"]["end_datetime"] == ["The end must be after the start."]

    assert api.delete(f"maintenance-periods/{period_id}").status_code == 204
    assert not MaintenancePeriod.objects.exists()
