from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations import catalogue
from integrations.templating import check, render, validate
from integrations.templating.encoders import base64_encode, json_encode, url_encode, xml_encode


def test_catalogue_has_the_38_variables_in_six_groups() -> None:
    names = [v.name for v in catalogue.variables()]
    assert len(names) == 38 == len(set(names))
    assert {v.group for v in catalogue.variables()} == set(catalogue.GROUPS)
    for v in catalogue.variables():
        assert v.name == f"@{v.group}.{v.key}"
        assert v.meaning and v.example
    forms = {v.time_form for v in catalogue.variables() if v.time_form}
    assert forms == {"local", "local formatted", "UTC", "UTC formatted"}


def test_example_values_follow_the_type_and_level() -> None:
    ok = catalogue.example_values("Ok", 2)
    assert ok["@alert.type"] == "Ok" and ok["@escalationLevel.id"] == "2"
    assert ok["@alert.downtimeDuration"] == "48:03:21"
    assert catalogue.example_values("Alert")["@alert.downtimeDuration"] == ""
    assert ok["@CustomField(ComponentId)"] == "7149488f-0b33-460d-85eb-210c0e80d7ba"


def test_api_list_covers_variables_custom_field_and_functions() -> None:
    items = catalogue.as_api_list()
    kinds = [i["kind"] for i in items]
    assert kinds.count("variable") == 38
    assert kinds.count("custom_field") == 1
    assert {i["name"] for i in items if i["kind"] == "function"} == {
        "@JsonEncode(…)",
        "@XmlEncode(…)",
        "@UrlEncode(…)",
        "@Base64Encode(…)",
    }


def test_substitution_of_all_three_kinds() -> None:
    out = render(
        "{{@monitor.name}} / {{ApiUrl}} / {{@CustomField(ComponentId)}} / {{Missing}}",
        {"@monitor.name": "Web", "ApiUrl": "https://x", "@CustomField(ComponentId)": "c-1"},
    )
    assert out == "Web / https://x / c-1 / "


def test_nested_functions_and_text_in_arguments() -> None:
    ctx = {"@monitor.notes": 'say "hi"\n', "@monitor.name": "a&b"}
    assert render("{{@JsonEncode({{@monitor.notes}})}}", ctx) == 'say \\"hi\\"\\n'
    assert render("{{@XmlEncode(<{{@monitor.name}}>)}}", ctx) == "&lt;a&amp;b&gt;"
    assert render("{{@UrlEncode(a b/{{@monitor.name}})}}", ctx) == "a%20b%2Fa%26b"
    assert render("{{@Base64Encode({{@UrlEncode({{@monitor.name}})}})}}", ctx) == base64_encode("a%26b")


def test_json_braces_around_placeholders_stay_literal() -> None:
    template = '{"a":{"b":{{{N}}}}}'
    assert render(template, {"N": "1"}) == '{"a":{"b":{1}}}'
    assert validate(template, ["N"]) == []


def test_encoders() -> None:
    assert json_encode('a"\\\n\t\x01😀') == 'a\\"\\\\\\n\\t\\u0001😀'
    assert xml_encode("'\"\x01") == "&apos;&quot;\ufffd"
    assert url_encode("é?&=") == "%C3%A9%3F%26%3D"


def test_output_is_bounded() -> None:
    out = render("[{{A}}][{{A}}]", {"A": "x" * 100}, max_value_chars=150)
    assert out == "[" + "x" * 100 + "][" + "x" * 50 + "]"


def test_lone_surrogates_are_replaced() -> None:
    out = render("{{A}}", {"A": "a\ud800b"})
    out.encode("utf-8")


@pytest.mark.parametrize(
    ("template", "token", "line", "column", "words"),
    [
        ("x\n  {{ApiUlr}}", "{{ApiUlr}}", 2, 3, "did you mean ApiUrl"),
        ("{{@Bar({{@alert.type}})}}", "{{@Bar(", 1, 1, "unknown function @Bar"),
        ('{"a": "{{@alert.type"}', '{{@alert.type"}', 1, 8, "unbalanced braces"),
        ("{{@JsonEncode({{@alert.type}}}}", "{{@JsonEncode(", 1, 1, "never closed with )}}"),
        ("{{ 1x }}", "{{ 1x }}", 1, 1, "expected a variable"),
        ("{{@CustomField()}}", "{{@CustomField()}}", 1, 1, "custom field"),
    ],
)
def test_validation_errors_name_the_token_and_place(
    template: str, token: str, line: int, column: int, words: str
) -> None:
    errors = validate(template, ["ApiUrl"])
    assert len(errors) == 1, errors
    error = errors[0]
    assert (error.token, error.line, error.column) == (token, line, column)
    assert words in error.message
    assert str(error).startswith(f"line {line}, column {column}: ")


def test_an_unknown_system_variable_is_a_warning_naming_the_token_and_place() -> None:
    report = check("x\n {{@alert.descriptoin}}", ["ApiUrl"])
    assert report.errors == []
    [warning] = report.warnings
    assert (warning.token, warning.line, warning.column) == ("{{@alert.descriptoin}}", 2, 2)
    assert "did you mean @alert.description" in warning.message and "renders empty" in warning.message


def test_valid_templates_have_no_errors() -> None:
    every = " ".join("{{" + name + "}}" for name in catalogue.variable_names())
    assert validate(every + "{{@JsonEncode({{@CustomField(Team)}})}} }} {{ApiUrl}}", ["ApiUrl"]) == []


def test_nesting_depth_is_limited() -> None:
    template = "{{@UrlEncode(" * 7 + "x" + ")}}" * 7
    assert any("nested" in e.message for e in validate(template))


values = st.text(alphabet=st.characters(codec="utf-8"), max_size=200) | st.sampled_from(
    ['"', "\\", "\n", "}}", "{{", "😀", ")}}", "\u2028", "\x00"]
)


@given(a=values, b=values)
def test_json_encode_keeps_json_valid(a: str, b: str) -> None:
    template = '{"a": "{{@JsonEncode({{A}})}}", "b": ["{{@JsonEncode(x {{B}})}}"]}'
    assert json.loads(render(template, {"A": a, "B": b})) == {"a": a, "b": ["x " + b]}


@given(text=st.text(max_size=300))
def test_render_never_raises_on_any_template(text: str) -> None:
    render(text, {"@alert.type": "Alert"})
    validate(text)
