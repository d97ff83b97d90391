"""The one way out: every outbound HTTP request goes through ``outbound_session``.

A receiver's URL is operator input, so a careless or hostile URL must not turn
the hub into a proxy for the network it sits in (SSRF). The session therefore:

- speaks only http and https, ignores proxy variables and never follows
  redirects (a redirect could point anywhere);
- resolves the host once per request and refuses the request when any
  address it resolves to is loopback, private, link-local, multicast,
  reserved, unspecified or a cloud metadata address (IPv4-mapped and other
  IPv4-embedding IPv6 forms are unwrapped first; decimal, octal and hex
  spellings of IPv4 are normalised by resolving them like the C library does);
- connects to the address it checked, not to whatever a second lookup would
  return (no DNS rebinding between the check and the connection), while the
  Host header, TLS SNI and certificate check still use the name.

``settings.OUTBOUND_ALLOWLIST`` lists host names, addresses or networks that
may be reached anyway (a receiver on the LAN, or the tests' local receiver).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.utils.translation import gettext, gettext_noop
from requests.adapters import HTTPAdapter

from integrations.transports.base import HostNotResolved

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = {"http", "https"}

# Addresses ipaddress does not already treat as non-global but which still
# reach a cloud provider's instance metadata service.
METADATA_ADDRESSES = {
    ipaddress.ip_address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean
    ipaddress.ip_address("169.254.170.2"),  # AWS ECS task metadata
    ipaddress.ip_address("100.100.100.200"),  # Alibaba Cloud
    ipaddress.ip_address("192.0.0.192"),  # Oracle Cloud
    ipaddress.ip_address("fd00:ec2::254"),  # AWS over IPv6
}
METADATA_NAMES = {"metadata", "metadata.google.internal", "metadata.goog", "instance-data"}

# NAT64 (RFC 6052) embeds an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class OutboundURLError(requests.exceptions.InvalidURL):
    """A URL the hub refuses to call. A ValueError (for forms and validators)
    and a requests exception (for code that already handles those)."""


class UnresolvableHostError(OutboundURLError, HostNotResolved):
    """The host has no address now. Refused when sending; accepted when an
    integration is saved, as DNS may answer by the time a message is sent."""


def _allowlist() -> tuple[set[str], list[Network]]:
    names: set[str] = set()
    networks: list[Network] = []
    for entry in settings.OUTBOUND_ALLOWLIST:
        entry = entry.strip().lower()
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
        except ValueError:
            names.add(entry.rstrip("."))
    return names, networks


def _embedded_ipv4(ip: IPAddress) -> ipaddress.IPv4Address | None:
    if not isinstance(ip, ipaddress.IPv6Address):
        return None
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    # Deprecated IPv4-compatible form ::a.b.c.d (but not :: or ::1).
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip))
    return None


def forbidden_reason(ip: IPAddress) -> str | None:
    """Why the address may not be called, or None when it may."""
    embedded = _embedded_ipv4(ip)
    if embedded is not None:
        reason = forbidden_reason(embedded)
        return (
            gettext("%(reason)s (embedded in %(address)s)") % {"reason": reason, "address": ip}
            if reason
            else None
        )
    if ip in METADATA_ADDRESSES:
        return gettext("a cloud metadata address")
    for attr, label in (
        ("is_loopback", gettext_noop("a loopback address")),
        ("is_unspecified", gettext_noop("an unspecified address")),
        ("is_link_local", gettext_noop("a link-local address")),
        ("is_multicast", gettext_noop("a multicast address")),
        ("is_private", gettext_noop("a private address")),
        ("is_reserved", gettext_noop("a reserved address")),
    ):
        if getattr(ip, attr):
            return gettext(label)
    if not ip.is_global:
        return gettext("not a public address")
    return None


def _parse_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        pass
    try:
        # inet_aton accepts the legacy forms: 2130706433, 0177.0.0.1, 0x7f.1.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, UnicodeError, ValueError):
        return None


def resolve(host: str, port: int) -> list[IPAddress]:
    literal = _parse_literal(host)
    if literal is not None:
        return [literal]
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnresolvableHostError(
            gettext("Cannot resolve the host %(host)s: %(error)s") % {"host": repr(host), "error": exc}
        ) from None
    addresses: list[IPAddress] = []
    for _family, _type, _proto, _canon, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise UnresolvableHostError(gettext("The host %(host)s has no address") % {"host": repr(host)})
    return addresses


def _split(url: str) -> tuple[str, str, int]:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise OutboundURLError(gettext("Not a valid URL: %(error)s") % {"error": exc}) from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise OutboundURLError(gettext("Only http:// and https:// URLs can be called"))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundURLError(gettext("The URL has no host"))
    return scheme, host, port or (443 if scheme == "https" else 80)


def vet(url: str) -> tuple[str, str, int, IPAddress]:
    """Check a URL and return (scheme, host, port, address to connect to)."""
    scheme, host, port = _split(url)
    names, networks = _allowlist()
    named = host.lower() in names
    if not named and host.lower() in METADATA_NAMES:
        raise OutboundURLError(
            gettext("%(host)s is a cloud metadata host and cannot be called") % {"host": host}
        )
    addresses = resolve(host, port)
    if not named:
        for ip in addresses:
            if any(ip.version == net.version and ip in net for net in networks):
                continue
            reason = forbidden_reason(ip)
            if reason:
                shown = host if str(ip) == host else f"{host} ({ip})"
                raise OutboundURLError(
                    gettext("%(host)s is %(reason)s; add it to OUTBOUND_ALLOWLIST to allow calling it")
                    % {"host": shown, "reason": reason}
                )
    # One address is pinned; IPv4 first, as more receivers listen there.
    addresses.sort(key=lambda ip: ip.version)
    return scheme, host, port, addresses[0]


def check_url(url: str) -> None:
    """Raise OutboundURLError (a ValueError) when the URL may not be called.

    For save-time validation; sending checks again, since DNS can change.
    """
    vet(url)


class PinnedAdapter(HTTPAdapter):
    """Connects to the vetted address; Host, SNI and the certificate check keep the name."""

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        scheme, host, port, ip = vet(request.url or "")
        request.pinned = (str(ip), host)  # type: ignore[attr-defined]
        if "Host" not in request.headers:
            default = 443 if scheme == "https" else 80
            name = f"[{host}]" if ":" in host else host
            request.headers["Host"] = name if port == default else f"{name}:{port}"
        return super().send(request, **kwargs)

    def build_connection_pool_key_attributes(self, request, verify, cert=None):  # type: ignore[no-untyped-def,unused-ignore]
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        ip, host = request.pinned
        host_params["host"] = ip
        if host_params["port"] is None:
            host_params["port"] = 443 if host_params["scheme"] == "https" else 80
        if host_params["scheme"] == "https":
            # urllib3's pool takes these; requests' stubs list fewer keys.
            pool_kwargs["server_hostname"] = host  # type: ignore[typeddict-unknown-key]
            pool_kwargs["assert_hostname"] = host  # type: ignore[typeddict-unknown-key]
        return host_params, pool_kwargs


class OutboundSession(requests.Session):
    """A session that never follows redirects and applies default timeouts."""

    def __init__(self, connect_timeout: float | None = None, read_timeout: float | None = None) -> None:
        super().__init__()
        # Proxy and netrc settings from the environment would bypass the pinning.
        self.trust_env = False
        self.default_timeout = (
            connect_timeout or settings.DELIVERY_CONNECT_TIMEOUT,
            read_timeout or settings.DELIVERY_READ_TIMEOUT,
        )
        self.mount("http://", PinnedAdapter(pool_maxsize=16))
        self.mount("https://", PinnedAdapter(pool_maxsize=16))

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().request(method, url, *args, **kwargs)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        if kwargs.get("timeout") is None:
            kwargs["timeout"] = self.default_timeout
        return super().send(request, **kwargs)

    def resolve_redirects(self, *args: Any, **kwargs: Any) -> Iterator[requests.Response]:
        # Never follow (nor prepare) a redirect: its target was never vetted.
        return iter(())


def outbound_session(
    connect_timeout: float | None = None, read_timeout: float | None = None
) -> OutboundSession:
    return OutboundSession(connect_timeout, read_timeout)
