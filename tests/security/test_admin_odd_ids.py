"""Every admin page of an object answers an id that is no id of that model
(text for an integer key, a number too large, a NUL) with the admin's
"doesn't exist" redirect (or a 400/403/404), never a 500."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.test import Client
from django.urls import NoReverseMatch, reverse

ODD_IDS = ["abc", "1.5", "-1", "99999999999999999999999", "00000000-0000-0000-0000-000000000000", "a b"]
PAGES = ["change", "history", "delete"]


def admin_urls() -> list[str]:
    urls = []
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        for page in PAGES:
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_{page}"
            for odd in ODD_IDS:
                try:
                    urls.append(reverse(name, args=[odd]))
                except NoReverseMatch:
                    continue
    return urls


def test_odd_ids_on_every_admin_object_page(staff_client: Client) -> None:
    staff_client.raise_request_exception = False
    urls = admin_urls()
    assert len(urls) >= 10 * len(ODD_IDS)
    failed = {}
    for url in [*urls, *(u.replace("abc", "%00") for u in urls if "/abc/" in u)]:
        response = staff_client.get(url)
        if response.status_code not in (302, 400, 403, 404):
            failed[url] = response.status_code
    assert not failed


@pytest.mark.parametrize("query", ["q=%00", "q=abc", "p=abc", "o=zz"])
def test_odd_changelist_queries_are_not_500(staff_client: Client, query: str) -> None:
    staff_client.raise_request_exception = False
    for model in (m for m in apps.get_models() if admin.site.is_registered(m)):
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert staff_client.get(f"{url}?{query}").status_code < 500, url
