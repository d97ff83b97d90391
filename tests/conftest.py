from __future__ import annotations

import importlib
from collections.abc import Iterator

import pytest
from django.apps import apps as django_apps
from django.test import Client
from django.utils import translation

from integrations.delivery import threads as sending_threads
from tests.redis_server import redis_url  # noqa: F401  (a fixture)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request with another
    Accept-Language leaves its language active in the thread (as it would in a
    server's worker thread until its next request)."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _sending_threads_end_with_the_test(request: pytest.FixtureRequest) -> Iterator[None]:
    """The delivery's sending threads live as long as their process and keep
    their database connections: each test's end with the test, before its
    database is emptied (or, at the end of the run, dropped)."""
    if _is_transactional(request):
        request.getfixturevalue("transactional_db")  # so it is torn down after this
    yield
    sending_threads.stop()


@pytest.fixture(autouse=True)
def _migration_data(request: pytest.FixtureRequest) -> None:
    """Transactional tests start from what the migrations create.

    A transactional test ends by emptying every table; Django then re-creates
    content types and permissions (post_migrate), and our post_migrate hooks
    re-create the task schedules, but the data migrations' rows (system
    groups, built-in integrations, the default definition) are gone. Running
    the data migration again (it is idempotent) restores them. This is used
    instead of serialized rollback, which collides with the re-created content
    types whenever a test without it ran first.
    """
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    defaults = importlib.import_module("integrations.migrations.0002_defaults")
    defaults.create_defaults(django_apps, None)


@pytest.fixture
def staff_client(db, django_user_model) -> Client:
    user = django_user_model.objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client
