"""User-defined functions and vault references in the renderer and in template
validation (pure: no database)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time

import pytest

from integrations.templating import check, render, render_url, validate
from integrations.templating.functions import UserFunction, apply, digest, extract, pattern_error
from integrations.templating.vault import canonical, context_key, parse_reference, references

SEVERITY = UserFunction(
    "Severity", "mapping", mapping=(("Alert", "critical"), ("Ok", "resolved")), default="info"
)
CODE = UserFunction("Code", "regex", pattern=r"HTTP (\d{3})")
WHOLE = UserFunction("Host", "regex", pattern=r"[a-z]+\.example\.com")
SIGN = UserFunction("Sign", "hash", algorithm="hmac-sha256", key="s3cret-key")
FUNCTIONS = {f.name: f for f in (SEVERITY, CODE, WHOLE, SIGN)}
ITEM = "3fa85f64-5717-4562-b3fc-2c963f66afa6"


def test_mapping_exact_match_else_default() -> None:
    assert apply(SEVERITY, "Alert") == "critical"
    assert apply(SEVERITY, "Ok") == "resolved"
    assert apply(SEVERITY, "ok") == "info"  # exact: case counts
    assert apply(SEVERITY, "Alert ") == "info"
    assert apply(UserFunction("Empty", "mapping", mapping=(("a", "b"),)), "z") == ""


def test_regex_first_group_or_whole_match() -> None:
    assert apply(CODE, "GET / gave HTTP 503 then HTTP 404") == "503"
    assert apply(CODE, "no status") == ""
    assert apply(WHOLE, "see https://shop.example.com/x") == "shop.example.com"
    # An optional group that took no part in the match gives empty, not "None".
    assert extract(r"a(b)?", "a") == ""


def test_catastrophic_backtracking_is_cut_off() -> None:
    started = time.monotonic()
    assert extract(r"(a+)+$", "a" * 5000 + "!") == ""
    assert extract(r"(\w+\s?)*$", "word " * 3000 + "!") == ""
    assert time.monotonic() - started < 2


@pytest.mark.parametrize("pattern", [r"(a+)+$", r"(\w+\s?)*$", r"^(([a-z])+.)+[A-Z]([a-z])+$"])
def test_a_catastrophic_pattern_is_refused_when_saved(pattern: str) -> None:
    assert pattern_error(pattern).startswith("This pattern backtracks catastrophically")


def test_invalid_pattern_is_reported_and_renders_empty() -> None:
    assert "Not a valid regular expression" in pattern_error("(unclosed")
    assert pattern_error("") == "Enter a regular expression."
    assert pattern_error(r"(\d+)") == ""
    assert extract("(unclosed", "text") == ""


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("md5", hashlib.md5(b"h\xc3\xa9llo").hexdigest()),
        ("sha1", hashlib.sha1(b"h\xc3\xa9llo").hexdigest()),
        ("sha256", hashlib.sha256(b"h\xc3\xa9llo").hexdigest()),
        ("sha512", hashlib.sha512(b"h\xc3\xa9llo").hexdigest()),
        ("hmac-sha1", hmac.new(b"k", b"h\xc3\xa9llo", hashlib.sha1).hexdigest()),
        ("hmac-sha256", hmac.new(b"k", b"h\xc3\xa9llo", hashlib.sha256).hexdigest()),
        ("hmac-sha512", hmac.new(b"k", b"h\xc3\xa9llo", hashlib.sha512).hexdigest()),
    ],
)
def test_hashes_of_the_utf8_bytes_in_hex(algorithm: str, expected: str) -> None:
    assert digest(algorithm, "héllo", "k") == expected


def test_hash_in_base64() -> None:
    raw = hmac.new(b"k", b"x", hashlib.sha256).digest()
    assert digest("hmac-sha256", "x", "k", "base64") == base64.b64encode(raw).decode()
    assert digest("nope", "x") == ""


def test_functions_render_in_body_url_and_nest() -> None:
    context = {"@alert.type": "Alert", "@alert.description": "HTTP 503 from shop", "Url": "https://h"}
    body = render(
        '{"severity": "{{Severity({{@alert.type}})}}", "code": "{{Code({{@alert.description}})}}", '
        '"sig": "{{Sign({{@alert.type}}:{{Code({{@alert.description}})}})}}", '
        '"b64": "{{@Base64Encode({{Severity({{@alert.type}})}})}}"}',
        context,
        functions=FUNCTIONS,
    )
    expected_sig = hmac.new(b"s3cret-key", b"Alert:503", hashlib.sha256).hexdigest()
    assert body == (
        '{"severity": "critical", "code": "503", '
        f'"sig": "{expected_sig}", "b64": "{base64.b64encode(b"critical").decode()}"}}'
    )
    url = render_url(
        "{{Url}}/{{Severity({{@alert.type}})}}?c={{Code({{@alert.description}})}}",
        context,
        functions=FUNCTIONS,
    )
    assert url == "https://h/critical?c=503"


def test_a_function_the_integration_lacks_renders_empty() -> None:
    assert render("[{{Gone(x)}}]", {}) == "[]"


def test_unknown_function_names_are_errors_with_a_suggestion() -> None:
    errors = validate("{{Severty({{@alert.type}})}}", function_names={"Severity"})
    assert len(errors) == 1
    assert errors[0].token == "{{Severty("
    assert "unknown function Severty (did you mean Severity?)" in errors[0].message
    assert validate("{{Severity(x)}}", function_names={"Severity"}) == []
    none = validate("{{Severity(x)}}")
    assert "this integration defines no functions" in none[0].message
    # "@" names stay the built-in ones.
    assert (
        "unknown function @Severity" in validate("{{@Severity(x)}}", function_names={"Severity"})[0].message
    )


def test_vault_references_render_case_insensitively() -> None:
    context = {context_key(ITEM, "Password"): "pa55", context_key(ITEM, "Username"): "svc"}
    template = "{{@VaultItem." + ITEM.upper() + ".Username}}:{{@VaultItem." + ITEM + ".Password}}"
    assert render(template, context) == "svc:pa55"
    assert render("{{@Base64Encode({{@VaultItem." + ITEM + ".Password}})}}", context) == "cGE1NQ=="
    assert canonical("@VaultItem." + ITEM.upper() + ".Secret") == context_key(ITEM, "Secret")


def test_vault_reference_validation() -> None:
    good = "{{@VaultItem." + ITEM + ".Password}}"
    assert validate(good, vault_ids={ITEM}) == []
    assert validate(good) == []  # no list of items given: any well-formed reference
    unknown = validate(good, vault_ids=set())
    assert unknown[0].message.startswith(f"unknown vault item {ITEM}")
    assert "did you mean Password?" in validate("{{@VaultItem." + ITEM + ".password}}")[0].message
    assert "is not a vault item id" in validate("{{@VaultItem.abc.Password}}")[0].message
    assert "write {{@VaultItem.<item id>.Username}}" in validate("{{@VaultItem.Password}}")[0].message
    # Never a warning about an unknown system variable.
    assert check(good, vault_ids={ITEM}).warnings == []


def test_references_finds_items_inside_functions() -> None:
    other = "0b1c2d3e-0000-4000-8000-000000000001"
    found = references(
        [
            "{{@Base64Encode({{@VaultItem." + ITEM.upper() + ".Username}})}}",
            "x",
            "{{@VaultItem." + other + ".Secret}}",
        ]
    )
    assert found == {ITEM, other}
    assert parse_reference("@VaultItem." + ITEM + ".Secret") == (ITEM, "Secret")
