from __future__ import annotations

import pytest
from django.test import Client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every transactional test restores the migrations' data afterwards.

    A transactional test ends by emptying every table; without a serialized
    rollback the default data (built-in integrations, the default definition)
    is gone for the tests after it, and a later test that does restore it
    collides with the content types the flush re-created. So all of them do.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker is not None
            and marker.kwargs.get("transaction")
            and "serialized_rollback" not in marker.kwargs
        ):
            item.add_marker(
                pytest.mark.django_db(*marker.args, **{**marker.kwargs, "serialized_rollback": True}),
                append=False,
            )


@pytest.fixture
def staff_client(db, django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client
