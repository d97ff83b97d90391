"""API key authentication and scope permissions for every /api/ endpoint.

A key is sent as ``Authorization: Bearer <key>`` (or ``Token <key>``). Only its
SHA-256 hash is stored; the lookup goes through the short, indexed prefix and
the hashes are then compared in constant time, so response timing says nothing
about how much of a guessed key was right.

Scopes form a ladder, ``ingest < read < respond < admin``: a key may do what its own
scope allows and everything below it (an admin key may do everything).
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from alerting.models import ApiKey, ApiScope
from alerting.models.ingest import KEY_PREFIX_LEN, hash_key
from alertsite.db.hot_sql import where_equal

SCHEMES = {b"bearer", b"token"}
SCOPE_RANK: dict[str, int] = {ApiScope.INGEST: 0, ApiScope.READ: 1, ApiScope.RESPOND: 2, ApiScope.ADMIN: 3}
# Writing last_used_at on every request would turn each read into a write;
# once a minute is precise enough for "is this key still in use?".
LAST_USED_PRECISION = dt.timedelta(minutes=1)
MAX_KEY_LENGTH = 200


class ApiKeyUser:
    """What ``request.user`` is for a request authenticated by an API key."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False

    def __init__(self, api_key: ApiKey) -> None:
        self.api_key = api_key
        self.pk = None
        self.username = f"api-key:{api_key.prefix}"

    def __str__(self) -> str:
        return self.username


class ApiKeyAuthentication(BaseAuthentication):
    """``request.auth`` is the ``ApiKey``; ``request.user`` an ``ApiKeyUser``."""

    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[ApiKeyUser, ApiKey] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() not in SCHEMES:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                gettext("Invalid Authorization header: use 'Bearer <api key>' with no spaces in the key.")
            )
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(gettext("Invalid API key.")) from None
        api_key = find_key(raw)
        if api_key is None:
            raise exceptions.AuthenticationFailed(gettext("Invalid API key."))
        if api_key.is_revoked:
            raise exceptions.AuthenticationFailed(gettext("This API key has been revoked."))
        touch(api_key)
        return ApiKeyUser(api_key), api_key

    def authenticate_header(self, request: Request) -> str:
        # Having a WWW-Authenticate value makes DRF answer 401 rather than 403.
        return 'Bearer realm="api"'


def find_key(raw: str) -> ApiKey | None:
    if not raw or len(raw) > MAX_KEY_LENGTH:
        return None
    digest = hash_key(raw)
    found = None
    prefix = raw[:KEY_PREFIX_LEN]
    # Every API request runs this query: compiled once (alertsite.db.hot_sql).
    for candidate in where_equal(ApiKey, "prefix", prefix):
        # Compare every candidate, not stopping at the first match, so the time
        # taken does not depend on where the match is.
        if hmac.compare_digest(candidate.key_hash, digest):
            found = candidate
    return found


def touch(api_key: ApiKey) -> None:
    now = timezone.now()
    cutoff = now - LAST_USED_PRECISION
    if api_key.last_used_at is not None and api_key.last_used_at > cutoff:
        return
    # Conditional UPDATE: concurrent requests with the same key write at most once.
    ApiKey.objects.filter(Q(last_used_at__isnull=True) | Q(last_used_at__lte=cutoff), pk=api_key.pk).update(
        last_used_at=now
    )
    api_key.last_used_at = now


def key_allows(api_key: ApiKey, scope: str) -> bool:
    return SCOPE_RANK.get(api_key.scope, -1) >= SCOPE_RANK[scope]


class ScopePermission(BasePermission):
    """Allows requests authenticated with a key whose scope reaches ``scope``.

    Without a key DRF answers 401 (the authentication class supplies the
    WWW-Authenticate header); with a key below the scope, 403.
    """

    scope: str = ApiScope.ADMIN

    def has_permission(self, request: Request, view: object) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            raise exceptions.NotAuthenticated(gettext("Send an API key: 'Authorization: Bearer <api key>'."))
        if not key_allows(api_key, self.scope):
            self.message = gettext("This API key has the '%(scope)s' scope; this needs '%(needed)s'.") % {
                "scope": api_key.scope,
                "needed": self.scope,
            }
            return False
        return True


class IngestScope(ScopePermission):
    scope = ApiScope.INGEST


class ReadScope(ScopePermission):
    scope = ApiScope.READ


class RespondScope(ScopePermission):
    """Acknowledge and unacknowledge incidents (and everything ``read`` may)."""

    scope = ApiScope.RESPOND


class AdminScope(ScopePermission):
    scope = ApiScope.ADMIN


_BY_SCOPE: dict[str, type[ScopePermission]] = {
    ApiScope.INGEST: IngestScope,
    ApiScope.READ: ReadScope,
    ApiScope.RESPOND: RespondScope,
    ApiScope.ADMIN: AdminScope,
}


def scope_permission(scope: str) -> type[ScopePermission]:
    """``permission_classes = [scope_permission("read")]``, the same as ``[ReadScope]``."""
    try:
        return _BY_SCOPE[scope]
    except KeyError:
        raise ValueError(f"Unknown API scope {scope!r}; use one of {', '.join(_BY_SCOPE)}.") from None
