"""The machinery of applying a document: errors that name the object and
field, the change report, and comparing/setting a model's fields."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_noop

from alerting.configfile import spec, values
from alertsite.db.columns import forward_field

# What ``expect`` says a value should be, for the catalogues (callers pass the English).
EXPECTED = (
    gettext_noop("a mapping"),
    gettext_noop("a list"),
    gettext_noop("a string"),
    gettext_noop("a mapping with the configuration sections"),
)


class ConfigError(Exception):
    """A problem in the document; the message names the object and the field."""


def where(section: str, label: str, field: str | None = None) -> str:
    return f"{section}[{label}]" + (f".{field}" if field else "")


def messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
    return {"": exc.messages}


def raise_validation(section: str, label: str, exc: ValidationError, prefix: str = "") -> None:
    parts = []
    for field, texts in messages(exc).items():
        name = f"{prefix}{field}" if field and field != "__all__" else prefix.rstrip(".") or None
        parts.append(f"{where(section, label, name)}: {' '.join(texts)}")
    raise ConfigError("\n".join(parts))


def expect(value: Any, kind: type | tuple[type, ...], place: str, what: str) -> Any:
    if not isinstance(value, kind):
        raise ConfigError(gettext("%(place)s: expected %(what)s.") % {"place": place, "what": gettext(what)})
    return value


def check_keys(item: dict[str, Any], allowed: set[str], place: str) -> None:
    unknown = sorted(set(item) - allowed)
    if unknown:
        raise ConfigError(
            gettext("%(place)s: unknown field(s) %(fields)s (allowed: %(allowed)s).")
            % {"place": place, "fields": ", ".join(unknown), "allowed": ", ".join(sorted(allowed))}
        )


def parse_id(raw: Any, place: str) -> uuid.UUID | None:
    if raw is None:
        return None
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        raise ConfigError(
            gettext("%(place)s.id: %(value)s is not a UUID.") % {"place": place, "value": repr(raw)}
        ) from None


def desired_row(
    model: type[models.Model],
    names: tuple[str, ...],
    item: dict[str, Any],
    section: str,
    label: str,
    prefix: str = "",
) -> dict[str, Any]:
    """The canonical values the file asks for; a field left out takes its default."""
    out: dict[str, Any] = {}
    for name in names:
        field = forward_field(model, name)
        raw = item.get(name, spec.default(model, name))
        try:
            out[name] = values.canonical(field, raw)
        except ValidationError as exc:
            raise ConfigError(f"{where(section, label, prefix + name)}: {' '.join(exc.messages)}") from None
    return out


def current_row(obj: models.Model, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: values.dump(forward_field(obj, name), getattr(obj, name)) for name in names}


def assign(obj: models.Model, row: dict[str, Any]) -> list[str]:
    """Set the fields that differ; return their names."""
    changed = []
    for name, value in row.items():
        field = forward_field(obj, name)
        if obj._state.adding or values.dump(field, getattr(obj, name)) != value:
            setattr(obj, name, values.load(field, value))
            changed.append(name)
    return changed


def clean_and_save(
    obj: models.Model,
    section: str,
    label: str,
    prefix: str = "",
    exclude: tuple[str, ...] = (),
    tolerate: tuple[str, ...] = (),
) -> None:
    """Validate as the admin does, then save. Errors on the ``tolerate`` fields
    are ignored: a secret the file does not carry cannot be checked."""
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        remaining = {k: v for k, v in messages(exc).items() if k not in tolerate}
        if remaining:
            raise_validation(section, label, ValidationError(remaining), prefix)
    obj.save()


def thing(noun: str, label: object) -> str:
    """An object a change line or an error names: "operator group ops"
    (``noun`` is the English, marked where it is written)."""
    return gettext("%(noun)s %(label)s") % {"noun": gettext(noun), "label": label}


class Report:
    """The change lines, in the language active while applying (a command's:
    the account's). Field names stay as the document writes them."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def created(self, what: str) -> None:
        self.lines.append(gettext("create %(what)s") % {"what": what})

    def changed(self, what: str, fields: list[str]) -> None:
        if fields:
            self.lines.append(
                gettext("change %(what)s: %(fields)s")
                % {"what": what, "fields": ", ".join(dict.fromkeys(fields))}
            )

    def deleted(self, what: str) -> None:
        self.lines.append(gettext("delete %(what)s") % {"what": what})
