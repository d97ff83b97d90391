"""Step captures: definitions, JSON pointers (RFC 6901), regular expressions,
values that are missing, escaping in later steps, and chains of steps."""

from __future__ import annotations

import json

import pytest

from integrations.captures import (
    Capture,
    NotFound,
    chain_errors,
    definition_errors,
    extract,
    resolve_pointer,
    take,
)
from integrations.models import Integration, IntegrationKind, IntegrationStep, IntegrationVariable
from integrations.sending import preview, send_test
from integrations.templating import render
from integrations.transports.base import TransportError
from integrations.validation import integration_problems

# The example document of RFC 6901, section 5.
RFC_DOCUMENT = {
    "foo": ["bar", "baz"],
    "": 0,
    "a/b": 1,
    "c%d": 2,
    "e^f": 3,
    "g|h": 4,
    "i\\j": 5,
    'k"l': 6,
    " ": 7,
    "m~n": 8,
}


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("", RFC_DOCUMENT),
        ("/foo", ["bar", "baz"]),
        ("/foo/0", "bar"),
        ("/", 0),
        ("/a~1b", 1),
        ("/c%d", 2),
        ("/e^f", 3),
        ("/g|h", 4),
        ("/i\\j", 5),
        ('/k"l', 6),
        ("/ ", 7),
        ("/m~0n", 8),
    ],
)
def test_json_pointer_follows_rfc_6901(pointer: str, expected: object) -> None:
    assert resolve_pointer(RFC_DOCUMENT, pointer) == expected


@pytest.mark.parametrize(
    "pointer", ["/foo/2", "/foo/-", "/foo/01", "/foo/x", "/nope", "/foo/0/deeper", "/a/b"]
)
def test_json_pointer_to_nothing(pointer: str) -> None:
    capture = Capture("x", "json-pointer", pointer)
    assert extract(capture, json.dumps(RFC_DOCUMENT)) is None


def pointer(expression: str) -> Capture:
    return Capture("value", "json-pointer", expression)


def test_pointer_values_as_text() -> None:
    body = json.dumps(
        {"result": [{"sys_id": "46d4", "n": 42, "ok": True, "none": None, "obj": {"a": [1, "é"]}, "f": 1.5}]}
    )
    assert extract(pointer("/result/0/sys_id"), body) == "46d4"
    assert extract(pointer("/result/0/n"), body) == "42"
    assert extract(pointer("/result/0/f"), body) == "1.5"
    assert extract(pointer("/result/0/ok"), body) == "true"
    assert extract(pointer("/result/0/obj"), body) == '{"a":[1,"é"]}'
    # null is "nothing found": a lookup whose field is empty found nothing to use.
    assert extract(pointer("/result/0/none"), body) is None
    assert extract(pointer("/result/0/sys_id"), "<html>Login</html>") is None
    assert extract(pointer("/result/0/sys_id"), "") is None


def test_regex_takes_the_first_group_or_the_whole_match() -> None:
    body = 'HTTP/1.1 OK\n{"token": "abc.def-123", "other": "x"}'
    assert extract(Capture("t", "regex", r'"token":\s*"([^"]+)"'), body) == "abc.def-123"
    assert extract(Capture("t", "regex", r"abc\.\w+"), body) == "abc.def"
    assert extract(Capture("t", "regex", r'"missing":\s*"([^"]+)"'), body) is None
    # A group that took no part in the match is nothing found, not "None".
    assert extract(Capture("t", "regex", r"(zzz)?OK"), body) is None
    # An empty first group is a found, empty value.
    assert extract(Capture("t", "regex", r"HTTP/1\.1 ()OK"), body) == ""


def test_take_names_step_and_capture_when_nothing_is_found() -> None:
    captures = [Capture("id", "json-pointer", "/result/0/sys_id")]
    with pytest.raises(NotFound) as caught:
        take("step 2 (Look up incident)", captures, '{"result": []}')
    assert str(caught.value) == (
        "step 2 (Look up incident): capture id found nothing at /result/0/sys_id in the response."
    )
    with pytest.raises(NotFound, match="the response is not JSON"):
        take("step 2", captures, "<html>")
    with pytest.raises(NotFound, match=r"capture t found nothing: a\(b\) does not match the response"):
        take("step 1", [Capture("t", "regex", "a(b)")], "xyz")
    optional = [Capture("id", "json-pointer", "/result/0/sys_id", optional=True), Capture("n", "regex", "x")]
    assert take("step 2", optional, '{"result": [], "x": 1}') == {"id": "", "n": "x"}


def test_definitions_are_checked() -> None:
    assert definition_errors([]) == [] and definition_errors(None) == []
    good = [
        {"name": "sys_id", "source": "json-pointer", "expression": "/result/0/sys_id"},
        {"name": "Token", "source": "regex", "expression": "t=(\\w+)", "secret": True, "optional": False},
    ]
    assert definition_errors(good) == []
    assert definition_errors({"name": "x"}) == [
        'Enter captures as a list of {"name", "source", "expression"} objects.'
    ]
    errors = definition_errors(
        [
            {"name": "1st", "source": "json-pointer", "expression": "/a"},
            {"name": "a", "source": "xpath", "expression": "//a"},
            {"name": "b", "source": "json-pointer", "expression": "result/0"},
            {"name": "c", "source": "json-pointer", "expression": "/a~2"},
            {"name": "d", "source": "regex", "expression": "(unclosed"},
            {"name": "e", "source": "regex", "expression": "(a)(b)"},
            {"name": "f", "source": "regex", "expression": ""},
            {"name": "f", "source": "regex", "expression": "x", "secret": "yes", "colour": "red"},
            "text",
        ]
    )
    assert errors == [
        "capture 1st: a name is letters, digits and underscores, not starting with a digit.",
        "capture a: the source is json-pointer or regex.",
        "capture b: a JSON pointer starts with / (e.g. /result/0/sys_id), or is empty for the whole "
        "document.",
        "capture c: in a JSON pointer ~ is written ~0 and / inside a name ~1.",
        "capture d: not a valid regular expression (missing ), unterminated subpattern at position 0).",
        "capture e: the first group is taken; use (?:…) for the other groups.",
        "capture f: give the expression (a JSON pointer or a regular expression).",
        "capture f: unknown key colour.",
        "capture f: the step captures f twice.",
        "capture f: secret is true or false.",
        'capture 9: enter an object with "name", "source" and "expression".',
    ]


def test_captured_values_are_not_templates_and_encode_like_any_value() -> None:
    value = 'a "quoted" {{@alert.type}} \\ value\n'
    context = {"x": value, "@alert.type": "Alert"}
    assert render("{{x}}", context) == value  # a captured {{…}} is text, never expanded
    assert json.loads(render('{"v": "{{@JsonEncode({{x}})}}"}', context)) == {"v": value}
    assert render("{{@UrlEncode({{x}})}}", context) == (
        "a%20%22quoted%22%20%7B%7B%40alert.type%7D%7D%20%5C%20value%0A"
    )
    assert render("<v>{{@XmlEncode({{x}})}}</v>", context) == (
        "<v>a &quot;quoted&quot; {{@alert.type}} \\ value\n</v>"
    )


def step(position: int, types: str = "Alert,Ok", **fields: object) -> IntegrationStep:
    handled = set(types.split(","))
    return IntegrationStep(
        position=position,
        url=str(fields.pop("url", "https://example.com/")),
        handles_alert="Alert" in handled,
        handles_ok="Ok" in handled,
        handles_reminder="Reminder" in handled,
        handles_acknowledged="Acknowledged" in handled,
        **fields,  # type: ignore[arg-type]
    )


ID = [{"name": "id", "source": "json-pointer", "expression": "/id"}]


def test_chain_errors() -> None:
    fine = [step(1, captures=ID), step(2, url="https://example.com/{{id}}")]
    assert chain_errors(fine, ["Url"]) == {}
    used_first = [step(1, url="https://example.com/{{id}}"), step(2, captures=ID)]
    assert chain_errors(used_first, []) == {
        0: {"url": ["{{id}} is captured by step 2, which runs after this step."]}
    }
    narrower = [step(1, "Ok", captures=ID), step(2, "Alert,Ok", body='{"id": "{{id}}"}')]
    assert chain_errors(narrower, []) == {
        1: {
            "body": [
                "{{id}} is captured by step 1, which does not run for Alert messages; "
                "tick the same alert types there."
            ]
        }
    }
    headers = [step(1, captures=ID), step(2, "Reminder", headers=[["X-Id", "{{@UrlEncode({{id}})}}"]])]
    assert list(chain_errors(headers, [])[1]) == ["headers"]
    clash = [step(1, captures=[{"name": "Url", "source": "regex", "expression": "x"}])]
    assert chain_errors(clash, ["Url"]) == {
        0: {"captures": ["capture Url: the integration has a variable so named."]}
    }


# --- Through the transport: test sends and previews ------------------------------------


@pytest.fixture
def chained(db, receiver) -> Integration:
    integration = Integration.objects.create(name="chained", kind=IntegrationKind.WEBHOOK)
    IntegrationVariable.objects.create(integration=integration, name="Base", value=receiver.url_for(""))
    IntegrationStep.objects.create(
        integration=integration,
        position=1,
        name="Login",
        url="{{Base}}/login",
        body="{}",
        captures=[
            {"name": "session", "source": "regex", "expression": "sid=([0-9a-f]+)"},
            {"name": "label", "source": "json-pointer", "expression": "/label"},
        ],
    )
    IntegrationStep.objects.create(
        integration=integration,
        position=2,
        name="Send",
        url="{{Base}}/send?label={{@UrlEncode({{label}})}}",
        headers=[["X-Session", "{{session}}"]],
        body='{"label": "{{@JsonEncode({{label}})}}", "echo": "{{session}}"}',
    )
    return integration


def test_test_send_runs_the_chain_and_hides_credential_like_captures(chained, receiver) -> None:
    receiver.expect_ordered_request("/login", method="POST").respond_with_json(
        {"set": "sid=0a1b2c3d4e5f", "label": 'db "primary" {{@alert.type}}'}
    )
    receiver.expect_ordered_request("/send", method="POST").respond_with_json({"echo": "sid 0a1b2c3d4e5f"})
    exchanges = send_test(chained, "Alert")
    second = receiver.log[1][0]
    assert second.headers["X-Session"] == "0a1b2c3d4e5f"
    assert second.args["label"] == 'db "primary" {{@alert.type}}'
    assert second.get_json() == {"label": 'db "primary" {{@alert.type}}', "echo": "0a1b2c3d4e5f"}
    # "session" names a credential, so its value is hidden from the test output,
    # also in the first response it came from and in the echo of the second.
    shown = json.dumps([vars(e) for e in exchanges])
    assert "0a1b2c3d4e5f" not in shown
    assert json.loads(exchanges[0].body) == {"set": "sid=********", "label": 'db "primary" {{@alert.type}}'}
    assert exchanges[1].request["headers"]["X-Session"] == "********"
    assert json.loads(exchanges[1].request["body"])["label"] == 'db "primary" {{@alert.type}}'  # not secret


def test_a_failing_capture_in_a_test_send_is_a_clear_error(chained, receiver) -> None:
    receiver.expect_request("/login", method="POST").respond_with_json({"label": "x"})
    with pytest.raises(TransportError) as caught:
        send_test(chained, "Alert")
    assert caught.value.permanent
    assert str(caught.value) == (
        "step 1 (Login): capture session found nothing: sid=([0-9a-f]+) does not match the response."
    )
    assert [e.request["url"].rsplit("/", 1)[-1] for e in caught.value.exchanges] == ["login"]
    assert caught.value.exchanges[0].error == str(caught.value)


def test_preview_shows_placeholders_for_captures(chained) -> None:
    _login, send = preview(chained, "Alert")
    # Nothing is sent in a preview, so nothing is captured: the placeholder shows where it goes.
    assert send.request["headers"]["X-Session"] == "{{session}}"
    assert json.loads(send.request["body"])["label"] == "{{label}}"
    assert integration_problems(chained) == []
