from __future__ import annotations

from alerting.models import OffDutySchedule, Operator, OperatorGroup


def make_operator(api, email="alice@example.com", **extra):
    body = {"full_name": "Alice", "email": email, **extra}
    response = api.post("operators", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_operator_crud_with_schedules(api):
    created = make_operator(
        api,
        mobile_phone="+31612345678",
        off_duty_schedules=[
            {"mode": "weekly", "weekday": 5, "start_time": "00:00", "end_time": "23:59"},
            {
                "mode": "one_time",
                "start_datetime": "2030-01-01T00:00:00Z",
                "end_datetime": "2030-01-02T00:00:00Z",
            },
        ],
    )
    op_id = created["id"]
    assert [s["mode"] for s in created["off_duty_schedules"]] == ["weekly", "one_time"]

    listed = api.get("operators").json()
    assert [o["email"] for o in listed["results"]] == ["alice@example.com"]

    read = api.get(f"operators/{op_id}").json()
    assert read["mobile_phone"] == "+31612345678"

    # PATCH without schedules keeps them.
    patched = api.patch(f"operators/{op_id}", {"is_on_duty": False})
    assert patched.status_code == 200
    assert len(patched.json()["off_duty_schedules"]) == 2
    assert Operator.objects.get(pk=op_id).is_on_duty is False

    # PUT with a schedule list replaces them.
    replaced = api.put(
        f"operators/{op_id}",
        {
            "full_name": "Alice B",
            "email": "alice@example.com",
            "off_duty_schedules": [{"mode": "daily", "start_time": "22:00", "end_time": "06:00"}],
        },
    )
    assert replaced.status_code == 200, replaced.content
    assert OffDutySchedule.objects.filter(operator_id=op_id).count() == 1
    assert Operator.objects.get(pk=op_id).full_name == "Alice B"

    assert api.delete(f"operators/{op_id}").status_code == 204
    assert not Operator.objects.filter(pk=op_id).exists()
    assert api.get(f"operators/{op_id}").status_code == 404


def test_operator_validation_errors_name_the_field(api):
    response = api.post(
        "operators", {"full_name": "Bob", "email": "not-an-email", "mobile_phone": "0612345678"}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"email", "mobile_phone"}
    assert "E.164" in errors["mobile_phone"][0]

    response = api.post(
        "operators",
        {
            "full_name": "Bob",
            "email": "bob@example.com",
            "time_zone": "Mars/Olympus",
            "off_duty_schedules": [{"mode": "weekly", "start_time": "10:00", "end_time": "11:00"}],
        },
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert "time_zone" in errors
    assert errors["off_duty_schedules"]["0"]["weekday"] == ["A weekly window needs a weekday."]
    assert not Operator.objects.filter(email="bob@example.com").exists()

    make_operator(api)
    duplicate = api.post("operators", {"full_name": "Other", "email": "alice@example.com"})
    assert duplicate.status_code == 400
    assert "email" in duplicate.json()["errors"]


def test_operator_group_crud_and_members(api):
    alice = make_operator(api)["id"]
    bob = make_operator(api, "bob@example.com")["id"]
    created = api.post("operator-groups", {"name": "On call", "members": [alice]})
    assert created.status_code == 201, created.content
    group_id = created.json()["id"]
    assert created.json()["members"] == [alice]
    assert created.json()["is_system"] is False

    patched = api.patch(f"operator-groups/{group_id}", {"members": [alice, bob], "name": "On call 24/7"})
    assert patched.status_code == 200
    group = OperatorGroup.objects.get(pk=group_id)
    assert group.name == "On call 24/7"
    assert {str(pk) for pk in group.members.values_list("id", flat=True)} == {alice, bob}

    unknown = api.patch(f"operator-groups/{group_id}", {"members": ["00000000-0000-0000-0000-000000000000"]})
    assert unknown.status_code == 400
    assert "members" in unknown.json()["errors"]

    assert api.delete(f"operator-groups/{group_id}").status_code == 204
    assert not OperatorGroup.objects.filter(pk=group_id).exists()


def test_system_operator_groups_cannot_be_renamed_or_deleted(api):
    everyone = OperatorGroup.objects.get(is_everyone=True)
    admins = OperatorGroup.objects.get(is_administrators=True)
    alice = make_operator(api)["id"]

    read = api.get(f"operator-groups/{everyone.pk}").json()
    assert read["is_everyone"] is True and read["members"] == [alice]

    for group in (everyone, admins):
        renamed = api.patch(f"operator-groups/{group.pk}", {"name": "Renamed"})
        assert renamed.status_code == 400
        assert "cannot be renamed" in renamed.json()["errors"]["name"][0]
        deleted = api.delete(f"operator-groups/{group.pk}")
        assert deleted.status_code == 400
        assert "cannot be deleted" in deleted.json()["errors"]["detail"][0]
        assert OperatorGroup.objects.filter(pk=group.pk, name=group.name).exists()

    edit = api.patch(f"operator-groups/{everyone.pk}", {"members": []})
    assert edit.status_code == 400
    assert "members" in edit.json()["errors"]
    # Sending back what was read changes nothing and is accepted.
    assert api.put(f"operator-groups/{everyone.pk}", read).status_code == 200

    # Administrators' members are editable.
    ok = api.patch(f"operator-groups/{admins.pk}", {"members": [alice]})
    assert ok.status_code == 200
    assert list(admins.members.values_list("email", flat=True)) == ["alice@example.com"]
