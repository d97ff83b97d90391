"""The editor's JSON and XML check of a step's body.

A body that is valid JSON with the catalogue's example values can still break
when an alert's description holds a quote, a backslash or a line break. So the
body is rendered with hostile sample values (``body_check.json``), one
placeholder at a time, and parsed: each placeholder whose value can break the
body is reported with the fix, ``{{@JsonEncode(…)}}`` (``{{@XmlEncode(…)}}``
for XML), when wrapping it makes the body valid. The editor shows the findings
with a button that applies the edits; the API and the admin's save report them
as warnings (``integrations.template_warnings``).

Values the hub makes itself (GUIDs, times, its own URLs) keep their example;
an integration's own variables take their value when it is known, else plain
sample text: they are written by the integration's author, not by whatever the
monitored system reports.
"""

from __future__ import annotations

import json
import xml.parsers.expat
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext, gettext_noop

from integrations import catalogue
from integrations.templating.errors import Phrase, phrase
from integrations.templating.parser import Bad, Call, Node, Text, Var, parse, without_invisible
from integrations.templating.render import MAX_VALUE_CHARS, evaluate
from integrations.templating.validate import validate

DATA_PATH = Path(__file__).with_name("body_check.json")
# Enough for any real body (the Uptrends preset has 38); the rest is not checked.
MAX_PLACEHOLDERS = 300
# The "what" of each hostile sample in body_check.json, for the catalogues:
# the data stays English and each is translated where a message names it.
BREAKS_WITH = (
    gettext_noop("a double quote"),
    gettext_noop("a backslash"),
    gettext_noop("a line break"),
    gettext_noop("a <"),
    gettext_noop("an &"),
    gettext_noop("an apostrophe"),
)


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(DATA_PATH.read_text(encoding="utf-8"))
    return data


def body_format(content_type: str, headers: Iterable[Any] = ()) -> str:
    """ "JSON", "XML" or "" for a step's content type; a Content-Type header
    the step sets itself wins, as it does when the request is sent."""
    for pair in headers or ():
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            continue
        if str(pair[0]).strip().lower() == "content-type" and "{{" not in str(pair[1]):
            content_type = str(pair[1])
    media = content_type.split(";", 1)[0].strip().lower()
    if media in ("application/json", "text/json") or media.endswith("+json"):
        return "JSON"
    if media in ("application/xml", "text/xml") or media.endswith("+xml"):
        return "XML"
    return ""


@dataclass(frozen=True)
class Edit:
    """Replace ``base[start:end]`` with ``text``; offsets count UTF-16 code
    units, as the browser's textarea does."""

    start: int
    end: int
    text: str


@dataclass
class Finding:
    token: str  # the placeholder as written, e.g. "{{@alert.description}}"
    line: int
    column: int
    breaks_with: list[str]  # "a double quote", "a backslash", …
    wrap: str  # the placeholder wrapped in the encoder, or "" when that does not help
    edits: list[Edit] = field(default_factory=list)

    @property
    def count(self) -> int:
        return max(1, len(self.edits))


@dataclass
class BodyReport:
    format: str = ""  # "JSON", "XML" or "" (not checked)
    problem: str | Phrase = ""  # invalid even with plain values: why (translated when read)
    findings: list[Finding] = field(default_factory=list)
    base: str = ""  # the text the edits apply to (invisible characters in placeholders dropped)

    @property
    def error(self) -> str:
        """Why the body is invalid even with plain values, in the active language."""
        return str(self.problem)

    @property
    def encoder(self) -> str:
        return str(_data()["encoders"].get(self.format, ""))

    def messages(self) -> list[str]:
        found = []
        if self.error:
            found.append(
                gettext("the body is not valid %(format)s even with plain sample values: %(error)s")
                % {"format": self.format, "error": self.error}
            )
        for f in self.findings:
            where = gettext("%(token)s at line %(line)s, column %(column)s") % {
                "token": f.token,
                "line": f.line,
                "column": f.column,
            }
            if f.count > 1:
                where += gettext(" (and %(count)s more)") % {"count": f.count - 1}
            what = _either([gettext(item) for item in f.breaks_with])
            if f.wrap:
                fix = gettext("write %(wrapped)s") % {"wrapped": f.wrap}
            elif self.format == "JSON":
                fix = gettext('put it inside a JSON string and write "{{%(encoder)s(…)}}"') % {
                    "encoder": self.encoder
                }
            else:
                fix = gettext("put it in element text or a quoted attribute and write {{%(encoder)s(…)}}") % {
                    "encoder": self.encoder
                }
            found.append(
                gettext("%(where)s: %(what)s in its value makes the body invalid %(format)s; %(fix)s")
                % {"where": where, "what": what, "format": self.format, "fix": fix}
            )
        return found

    def as_dict(self) -> dict[str, Any]:
        """For the editor's live check."""
        return {
            "format": self.format,
            "encoder": self.encoder,
            "messages": self.messages(),
            "findings": [
                {
                    "token": f.token,
                    "wrap": f.wrap,
                    "message": message,
                    "edits": [[e.start, e.end, e.text] for e in f.edits],
                }
                for f, message in zip(self.findings, self.messages()[1 if self.error else 0 :], strict=True)
            ],
            "base": self.base,
        }


def _either(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + gettext(" or ") + items[-1]


def check_body(
    body: str,
    content_type: str,
    values: Mapping[str, str] | None = None,
    *,
    headers: Iterable[Any] = (),
    known_variable_names: Iterable[str] | None = None,
) -> BodyReport:
    """Check ``body`` for its content type. ``values`` are the integration's
    own variables whose value is known (fixed and not secret). A body with
    template errors is not checked (the errors are reported first)."""
    fmt = body_format(content_type, headers)
    if not fmt or not body.strip():
        return BodyReport(format=fmt)
    names = frozenset(known_variable_names) if known_variable_names is not None else None
    if names is not None and validate(body, names):
        return BodyReport(format=fmt)
    # Only the values the body names matter; API lists ask again for every integration.
    own = frozenset((k, v) for k, v in (values or {}).items() if k in body)
    return _check(body, fmt, own)


@lru_cache(maxsize=256)
def _check(body: str, fmt: str, own: frozenset[tuple[str, str]]) -> BodyReport:
    """The check proper; callers only read the report, so it can be shared."""
    values = dict(own)
    report = BodyReport(format=fmt)
    base = without_invisible(body)
    report.base = base
    nodes, errors = parse(body)
    if errors:
        return report
    problem_in = _VALIDATORS[fmt]
    plain = _plain_context(nodes, values)
    rendered = _render(nodes, plain, {})
    problem = problem_in(rendered)
    if problem:
        report.problem = problem
        return report

    encoder = report.encoder
    samples = _data()["hostile"][fmt]
    by_token: dict[str, Finding] = {}
    for index, (node, start, end) in enumerate(_slots(nodes, len(base))):
        if index >= MAX_PLACEHOLDERS:
            break
        free = set(_free_names(node))
        if not free:
            continue
        breaks = []
        for sample in samples:
            hostile = {name: sample["value"] for name in free}
            if problem_in(_render(nodes, plain, {id(node): hostile})):
                breaks.append(sample["what"])
        if not breaks:
            continue
        token = base[start:end]
        wrap = "{{" + encoder + "(" + token + ")}}"
        wrapped = _wrapped(node, encoder)
        helps = all(
            not problem_in(
                _render(nodes, plain, {id(node): {name: s["value"] for name in free}}, wrapped, node)
            )
            for s in samples
        )
        finding = by_token.get(token)
        if finding is None:
            line = base.count("\n", 0, start) + 1
            column = start - (base.rfind("\n", 0, start) + 1) + 1
            finding = Finding(token, line, column, breaks, wrap if helps else "")
            by_token[token] = finding
            report.findings.append(finding)
        if helps and finding.wrap:
            finding.edits.append(Edit(_utf16(base, start), _utf16(base, end), wrap))
    return report


def _utf16(text: str, index: int) -> int:
    return len(text[:index].encode("utf-16-le")) // 2


def _slots(nodes: tuple[Node, ...], length: int) -> list[tuple[Node, int, int]]:
    """The top-level placeholders with their start and end in the parsed text.
    Nodes cover the text without gaps, so the spans follow from the ends."""
    spans: list[tuple[Node, int, int]] = []
    end = length
    for node in reversed(nodes):
        start = end - len(node.value) if isinstance(node, Text) else node.offset
        if isinstance(node, Var | Call):
            spans.append((node, start, end))
        end = start
    spans.reverse()
    return spans


def _variables(node: Node) -> Iterable[Var]:
    if isinstance(node, Var):
        yield node
    elif isinstance(node, Call):
        for arg in node.args:
            yield from _variables(arg)


def _free_names(node: Node) -> Iterable[str]:
    """The names in ``node`` whose values are free text from outside."""
    for var in _variables(node):
        if _kind(var.name) == "free":
            yield var.name


def _kind(name: str) -> str:
    """ "free" (text from monitored systems and people), "fixed" (made by the
    hub), "own" (the integration's variable) or "unknown" (renders empty)."""
    if not name.startswith("@"):
        return "own"
    if name.startswith(catalogue.CUSTOM_FIELD_FUNCTION + "("):
        return "free"
    name = catalogue.aliases().get(name, name)
    if name in _data()["fixed_form"] or name in catalogue.automatic_variable_names():
        return "fixed"
    if name in catalogue.variable_names():
        return "free"
    return "unknown"


def _plain_context(nodes: Iterable[Node], values: Mapping[str, str]) -> dict[str, str]:
    examples = catalogue.example_values("Alert", 1)
    context: dict[str, str] = {}
    for node in nodes:
        for var in _variables(node):
            kind = _kind(var.name)
            if kind == "fixed":
                context[var.name] = str(examples.get(catalogue.aliases().get(var.name, var.name), ""))
            elif kind == "own":
                context[var.name] = values.get(var.name, _data()["plain"])
            elif kind == "free":
                context[var.name] = _data()["plain"]
    return context


def _wrapped(node: Node, encoder: str) -> Call:
    return Call(encoder, (node,), getattr(node, "offset", 0))


def _render(
    nodes: tuple[Node, ...],
    plain: Mapping[str, str],
    overrides: Mapping[int, Mapping[str, str]],
    replacement: Node | None = None,
    replaced: Node | None = None,
) -> str:
    budget = [MAX_VALUE_CHARS]
    parts = []
    for node in nodes:
        context = {**plain, **overrides[id(node)]} if id(node) in overrides else plain
        shown = replacement if replaced is not None and node is replaced else node
        if isinstance(shown, Bad):
            parts.append(shown.text)
        else:
            parts.append(evaluate(shown, context, budget))  # type: ignore[arg-type]
    return "".join(parts)


def _json_problem(text: str) -> str | Phrase:
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return phrase(
            gettext_noop("%(problem)s at line %(line)s, column %(column)s of the rendered body"),
            problem=exc.msg,
            line=exc.lineno,
            column=exc.colno,
        )
    except RecursionError:
        return phrase(gettext_noop("nested too deeply"))
    return ""


class _Refused(Exception):
    pass


def _refuse(*_args: Any) -> None:
    # Entity declarations are how XML bombs and external entities work; a
    # webhook body has no use for them, and the check will not expand them.
    raise _Refused


def _xml_problem(text: str) -> str | Phrase:
    parser = xml.parsers.expat.ParserCreate()
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse  # type: ignore[assignment]
    try:
        parser.Parse(text, True)
    except _Refused:
        return ""  # not checked
    except xml.parsers.expat.ExpatError as exc:
        message = xml.parsers.expat.ErrorString(exc.code) if exc.code else str(exc)
        return phrase(
            gettext_noop("%(problem)s at line %(line)s, column %(column)s of the rendered body"),
            problem=message,
            line=exc.lineno,
            column=exc.offset + 1,
        )
    return ""


_VALIDATORS: dict[str, Callable[[str], str | Phrase]] = {"JSON": _json_problem, "XML": _xml_problem}
