"""Templates are plain substitution: nothing in one can run code, read files or reach settings."""

from __future__ import annotations

import pytest
from django.conf import settings

from integrations.templating import MAX_VALUE_CHARS, check, render, validate
from integrations.templating.parser import MAX_DEPTH

CONTEXT = {"@alert.type": "Alert", "@monitor.name": "Web", "ApiKey": "k"}

HOSTILE = [
    "{{@CustomField(../../etc/passwd)}}",
    "{{@CustomField(/etc/passwd)}}",
    "{% load static %}{% debug %}",
    "{% include '/etc/passwd' %}",
    "{% ssi '/etc/passwd' %}",
    "{{7*7}}",
    "{{ 7*'7' }}",
    "{{@alert.__class__}}",
    "{{@alert.type.__class__.__mro__}}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{__import__('os').system('id')}}",
    "{{ settings.SECRET_KEY }}",
    "{{ config.items() }}",
    "{{ request.environ }}",
    "{{ self._TemplateReference__context }}",
    "${7*7} #{7*7} <%= 7*7 %>",
    "{{@JsonEncode({{__import__('os')}})}}",
    "{{@Eval(1+1)}}",
    "{{@open(/etc/passwd)}}",
]


def file_content_markers() -> list[str]:
    with open("/etc/passwd") as handle:
        first = handle.readline().strip()
    return [first, "root:x:0:0"]


@pytest.mark.parametrize("template", HOSTILE)
def test_hostile_template_renders_as_inert_text(template: str) -> None:
    output = render(template, CONTEXT)
    for marker in file_content_markers():
        assert marker not in output
    assert "49" not in output
    assert "7777777" not in output
    assert settings.SECRET_KEY not in output
    assert "<class" not in output
    assert "uid=" not in output


@pytest.mark.parametrize(
    "template",
    [
        "{{7*7}}",
        "{{__import__('os').system('id')}}",
        "{{ settings.SECRET_KEY }}",
        "{{@Eval(1+1)}}",
        "{{@open(/etc/passwd)}}",
        "{{@JsonEncode({{__import__('os')}})}}",
    ],
)
def test_hostile_template_is_refused_when_saved(template: str) -> None:
    assert validate(template, {"ApiKey"}), template


def test_unknown_system_variable_is_saved_with_a_warning_and_renders_empty() -> None:
    # Uptrends renders bodies with unknown @ names (issue 15); it is a lookup, never an attribute.
    assert validate("{{@alert.__class__}}", {"ApiKey"}) == []
    assert check("{{@alert.__class__}}", {"ApiKey"}).warnings
    assert render("[{{@alert.__class__}}]", CONTEXT) == "[]"


def test_custom_field_is_a_lookup_not_a_path() -> None:
    # The name is only a key into the monitor's custom fields.
    assert render("[{{@CustomField(../../etc/passwd)}}]", {}) == "[]"
    assert (
        render("[{{@CustomField(../../etc/passwd)}}]", {"@CustomField(../../etc/passwd)": "just text"})
        == "[just text]"
    )


def test_values_are_never_evaluated_again() -> None:
    # A check result's text that looks like a template stays text.
    hostile_value = "{{@alert.type}} {% debug %} {{7*7}} {{ApiKey}}"
    assert render("{{@monitor.name}}", {"@monitor.name": hostile_value}) == hostile_value
    assert render("{{@JsonEncode({{@monitor.name}})}}", {"@monitor.name": hostile_value}) == hostile_value


def test_output_is_bounded_by_the_value_budget() -> None:
    huge = "x" * (MAX_VALUE_CHARS * 2)
    template = "{{@monitor.name}}" * 50
    output = render(template, {"@monitor.name": huge})
    assert len(output) == MAX_VALUE_CHARS


def test_nested_encoders_are_bounded() -> None:
    budget = 1000
    # The worst growth: a 4-byte character becomes 12 under @UrlEncode, then
    # every "%" becomes "%25" (x3) under each further level.
    value = "\U0001f600" * 10_000
    template = "{{@monitor.name}}"
    for _ in range(MAX_DEPTH):
        template = "{{@UrlEncode(" + template + ")}}"
    assert not validate(template)
    output = render(template, {"@monitor.name": value}, max_value_chars=budget)
    assert len(output) <= budget * 12 * 3 ** (MAX_DEPTH - 1)
    too_deep = "{{@UrlEncode(" + template + ")}}"
    assert any("nested more than" in e.message for e in validate(too_deep))


def test_unbalanced_and_pathological_input_renders_quickly() -> None:
    # Thousands of unclosed braces: linear work, no recursion blow-up.
    for template in ("{{" * 20_000, "{{@UrlEncode(" * 5_000, "}}" * 20_000, "{{@CustomField(" * 5_000):
        render(template, CONTEXT)
        assert validate(template) or template == "}}" * 20_000
