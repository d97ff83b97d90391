"""Imports run one way. Every import in the project's packages (function-level
and type-only ones included) is read from the source, and each rule below
names a kind of module and what it must never import.

- The engine decides and records, and hands back message ids: it never
  queues, sends, renders for a receiver, or knows the API and the admin.
- Rendering is pure: the template language knows nothing of ours but itself
  and the variable catalogue (data).
- A transport sends one rendered request or composed e-mail and classifies
  the answer: it knows nothing of ours but the other transports (the HTTP
  session it is handed is all it knows of the rest), reads no database,
  renders no template and writes no text for a receiver; of Django's
  translation it takes ``gettext`` alone, for its own error messages.
- Composing a built-in kind's message is pure too: values in, a plain
  request or e-mail out; it reads no model and sends nothing.
- Models import no API, admin, task, delivery, engine or transport code.
- The task queue has one door: only ``integrations.tasks`` and the queue
  module beneath it put work on django-q2.
- No circles: no module imports, at run time and however indirectly, one
  that imports it back (type-only imports under ``TYPE_CHECKING`` are not
  run, so they do not count).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("alerting", "alertsite", "integrations")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def from_module(node: ast.ImportFrom, package: str) -> str:
    """The absolute module a ``from ... import`` reads from (relative ones resolved)."""
    if not node.level:
        return node.module or ""
    base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_of(path: Path, name: str = "") -> set[str]:
    """Every module ``path`` (the module ``name``) imports, dotted and absolute
    (``from x import y`` counts as x and as x.y, since y may be a module)."""
    name = name or module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = from_module(node, package)
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def sources() -> dict[str, set[str]]:
    graph = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                graph[module_name(path)] = imports_of(path)
    return graph


GRAPH = sources()


def within(name: str, prefixes: tuple[str, ...]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


@dataclass(frozen=True)
class Rule:
    what: str
    modules: tuple[str, ...]
    never: tuple[str, ...]
    unless: tuple[str, ...] = ()  # modules the rule spares
    but: tuple[str, ...] = ()  # targets within ``never`` that are allowed all the same

    def broken(self) -> list[str]:
        return sorted(
            f"{module} imports {target}"
            for module, targets in GRAPH.items()
            if within(module, self.modules) and not within(module, self.unless)
            for target in targets
            if within(target, self.never) and not within(target, self.but)
        )


WEB = ("alerting.api", "alerting.admin", "integrations.api", "integrations.admin")
RULES = [
    Rule(
        "the engine decides and records; it never queues or sends",
        ("alerting.engine",),
        (
            "integrations.tasks",
            "integrations.delivery",
            "integrations.transports",
            "integrations.sending",
            "django_q",
            *WEB,
        ),
    ),
    Rule(
        "rendering is pure",
        ("integrations.templating",),
        ("alerting", "alertsite", "django.db", "integrations.models", "integrations.delivery", "requests"),
    ),
    Rule(
        # Delivery renders (pure templating over the variables snapshot) or
        # composes (a built-in kind's vendor text) into plain requests and
        # e-mails; a transport sends them and classifies the answer. A
        # transport that could read a model or the database, render a
        # template or write a receiver's text could send something other
        # than what was rendered and previewed (a row changed since, a text
        # written twice), and the test sends, previews and deliveries would
        # drift apart. Importing the step renderer, the captures or a
        # composer would be the same thing by a detour, and a circle (they
        # import the transports).
        "a transport knows nothing of ours but the other transports",
        ("integrations.transports",),
        ("alerting", "alertsite", "integrations", "django_q"),
        but=("integrations.transports",),
    ),
    Rule(
        "a transport reads no database and writes no text for a receiver",
        ("integrations.transports",),
        (
            "django.db",
            "django.template",
            "django.utils.dateformat",
            "django.utils.formats",
            "django.utils.timezone",
            "zoneinfo",
        ),
    ),
    Rule(
        "composing is pure: it reads no model and sends nothing",
        ("integrations.composing",),
        (
            "alerting",
            "integrations.models",
            "integrations.delivery",
            "integrations.sending",
            "integrations.rendering",
            "integrations.captures",
            "integrations.tasks",
            "integrations.transports.email",
            "integrations.transports.http",
            "integrations.transports.webhook",
            "integrations.outbound",
            "django.db",
            "django.core.mail",
            "requests",
            "django_q",
            *WEB,
        ),
    ),
    Rule(
        "models import no API, admin, task, delivery, engine or transport code",
        ("alerting.models", "integrations.models"),
        (
            "alerting.engine",
            "integrations.delivery",
            "integrations.transports",
            "integrations.sending",
            "integrations.tasks",
            "django_q",
            *WEB,
        ),
    ),
    Rule(
        "the task queue has one door",
        PACKAGES,
        ("django_q.tasks", "django_q.brokers"),
        unless=("integrations.tasks", "integrations.delivery.queue"),
    ),
]


@pytest.mark.parametrize("rule", RULES, ids=[r.what for r in RULES])
def test_imports_run_one_way(rule: Rule) -> None:
    assert rule.broken() == []


def test_function_level_and_relative_imports_are_read(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from ..delivery import queue\n    import django_q.tasks\n")
    found = imports_of(probe, "integrations.engine_like.probe")
    assert {"integrations.delivery", "integrations.delivery.queue", "django_q.tasks"} <= found
    engine = Rule("probe", ("alerting.engine",), ("integrations.delivery",))
    GRAPH["alerting.engine._probe"] = found
    try:
        assert engine.broken() == [
            "alerting.engine._probe imports integrations.delivery",
            "alerting.engine._probe imports integrations.delivery.queue",
        ]
    finally:
        del GRAPH["alerting.engine._probe"]


TRANSPORT_RULES = [r for r in RULES if r.modules == ("integrations.transports",)]


def test_a_transport_importing_ours_is_found(tmp_path: Path) -> None:
    """Anything of ours outside the transports is caught, however it is
    imported; the other transports and the HTTP and mail libraries are not."""
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import requests\n"
        "from django.core.mail import EmailMultiAlternatives\n"
        "from integrations.transports.base import Request\n"
        "from . import http\n"
        "from alertsite.i18n import local_time\n"
        "from integrations import catalogue\n"
        "def f():\n"
        "    from ..outbound import outbound_session\n"
        "    import integrations.composing.slack\n"
        "    from django.template.loader import render_to_string\n"
    )
    GRAPH["integrations.transports._probe"] = imports_of(probe, "integrations.transports._probe")
    try:
        assert [line for rule in TRANSPORT_RULES for line in rule.broken()] == [
            "integrations.transports._probe imports alertsite.i18n",
            "integrations.transports._probe imports alertsite.i18n.local_time",
            "integrations.transports._probe imports integrations",
            "integrations.transports._probe imports integrations.catalogue",
            "integrations.transports._probe imports integrations.composing.slack",
            "integrations.transports._probe imports integrations.outbound",
            "integrations.transports._probe imports integrations.outbound.outbound_session",
            "integrations.transports._probe imports django.template.loader",
            "integrations.transports._probe imports django.template.loader.render_to_string",
        ]
    finally:
        del GRAPH["integrations.transports._probe"]


def translation_taken(path: Path) -> set[str]:
    """What ``path`` takes from Django's translation: the names it imports
    from ``django.utils.translation``, and "translation" for the module itself
    (whose ``override`` would write in another language)."""
    taken: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            taken.update("translation" for a in node.names if a.name.startswith("django.utils.translation"))
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            taken.update("translation" for a in node.names if a.name == "translation")
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            taken.update(a.name for a in node.names)
    return taken


def test_a_transport_translates_only_its_error_messages(tmp_path: Path) -> None:
    """A transport's error messages are in the language of whoever reads them
    (the active one): ``gettext``. Lazy labels, ``override`` or ``activate``
    would mean it writes text for a receiver, which composing does."""
    taken = {
        module_name(path): translation_taken(path)
        for path in (ROOT / "integrations" / "transports").rglob("*.py")
    }
    assert {module: names for module, names in taken.items() if names - {"gettext"}} == {}
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from django.utils import translation\n"
        "from django.utils.translation import gettext as _, gettext_lazy\n"
        "import django.utils.translation.trans_real\n"
    )
    assert translation_taken(probe) == {"translation", "gettext", "gettext_lazy"}


def runtime_imports(path: Path, name: str, modules: set[str]) -> set[str]:
    """The project modules ``path`` imports when it runs: imports under
    ``if TYPE_CHECKING:`` left out, and ``from x import y`` counted as x.y
    when that is a module, else as x (the name comes from x's own code)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    type_only = {
        id(inner)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"
        for inner in ast.walk(node)
    }
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom):
            module = from_module(node, package)
            for alias in node.names:
                target = f"{module}.{alias.name}"
                if target in modules:
                    found.add(target)
                elif module in modules:
                    found.add(module)
    found.discard(name)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def runtime_graph() -> dict[str, set[str]]:
    paths = {
        module_name(path): path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    return {name: runtime_imports(path, name, set(paths)) for name, path in paths.items()}


def test_no_import_circles() -> None:
    graph = runtime_graph()
    found = circles(graph)
    assert found == [], "\n".join(
        " <-> ".join(f"{m} imports {sorted(graph[m] & set(group))}" for m in group) for group in found
    )


def test_a_circle_is_found(tmp_path: Path) -> None:
    """The circle check sees function-level imports and skips type-only ones."""
    (tmp_path / "a.py").write_text("def f():\n    from pkg import b\n")
    (tmp_path / "b.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import c\n"
    )
    (tmp_path / "c.py").write_text("import pkg.a\n")
    modules = {"pkg.a", "pkg.b", "pkg.c"}
    graph = {name: runtime_imports(tmp_path / f"{name[-1]}.py", name, modules) for name in modules}
    assert graph == {"pkg.a": {"pkg.b"}, "pkg.b": set(), "pkg.c": {"pkg.a"}}
    assert circles(graph) == []
    graph["pkg.b"].add("pkg.c")  # b now imports c at run time: a -> b -> c -> a
    assert circles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
