"""Make the database match a configuration document.

Three passes: find which database object each document object is (by id, or
by natural key, adopting the file's id), delete what the document no longer
has (only with ``prune``), then create and change objects in dependency order.
Only fields that differ are written, so applying the same document twice
changes nothing the second time.
"""

from __future__ import annotations

import contextlib
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext, gettext_noop

from alerting.configfile import DOCUMENT_VERSION, nested, spec, vault_functions
from alerting.configfile.base import (
    ConfigError,
    Report,
    assign,
    check_keys,
    clean_and_save,
    desired_row,
    expect,
    parse_id,
    thing,
    where,
)
from alerting.configfile.export import SYSTEM_OPERATOR_GROUPS
from alerting.configfile.inbound import SECTION as INBOUND_SECTION
from alerting.configfile.inbound import apply_inbound_sources
from alerting.configfile.rekey import rekey
from alerting.models import AlertDefinition, MaintenancePeriod, Monitor, MonitorGroup, Operator, OperatorGroup
from integrations.models import Integration, VaultItem


@dataclass
class Section:
    name: str  # the document key
    noun: str  # for messages
    model: type[models.Model]
    natural: str  # the natural key field
    allowed: frozenset[str]


SECTIONS = [
    Section(
        "operators",
        gettext_noop("operator"),
        Operator,
        "email",
        frozenset({"id", "off_duty_schedules", *spec.OPERATOR}),
    ),
    Section(
        "operator_groups",
        gettext_noop("operator group"),
        OperatorGroup,
        "name",
        frozenset({"id", "name", "system", "members"}),
    ),
    Section("monitors", gettext_noop("monitor"), Monitor, "key", frozenset({"id", *spec.MONITOR})),
    Section(
        "monitor_groups",
        gettext_noop("monitor group"),
        MonitorGroup,
        "name",
        frozenset({"id", "name", "system", "monitors"}),
    ),
    Section(
        "vault",
        gettext_noop("vault item"),
        VaultItem,
        "name",
        frozenset({"id", *vault_functions.VAULT, *vault_functions.VAULT_SECRETS}),
    ),
    Section(
        "integrations",
        gettext_noop("integration"),
        Integration,
        "name",
        frozenset(
            {
                "id",
                "builtin",
                "variables",
                "steps",
                "statushub_services",
                "functions",
                *spec.INTEGRATION,
                *spec.INTEGRATION_SECRETS,
            }
        ),
    ),
    Section(
        "alert_definitions",
        gettext_noop("alert definition"),
        AlertDefinition,
        "name",
        frozenset({"id", "monitors", "monitor_groups", "levels", *spec.DEFINITION}),
    ),
]
BY_NAME = {s.name: s for s in SECTIONS}
# Each noun's plural, for the catalogues (English adds an s to every one).
PLURALS = {
    "operator": gettext_noop("operators"),
    "operator group": gettext_noop("operator groups"),
    "monitor": gettext_noop("monitors"),
    "monitor group": gettext_noop("monitor groups"),
    "vault item": gettext_noop("vault items"),
    "integration": gettext_noop("integrations"),
    "alert definition": gettext_noop("alert definitions"),
}
TOP_LEVEL = {"version", "maintenance_periods", INBOUND_SECTION, *BY_NAME}


@dataclass
class Entry:
    item: dict[str, Any]
    label: str
    obj: models.Model | None
    final_id: uuid.UUID


def apply_document(document: Any, prune: bool = False) -> list[str]:
    """Apply in one transaction; returns the report lines. Raises ConfigError."""
    with transaction.atomic():
        applier = Applier(document, prune)
        applier.run()
    return applier.report.lines


class Applier:
    def __init__(self, document: Any, prune: bool) -> None:
        self.doc = expect(document, dict, "document", "a mapping with the configuration sections")
        self.prune = prune
        self.report = Report()
        self.entries: dict[str, list[Entry]] = {}
        self.refs: dict[str, dict[str, uuid.UUID]] = {}

    def run(self) -> None:
        check_keys(self.doc, TOP_LEVEL, "document")
        if self.doc.get("version", DOCUMENT_VERSION) != DOCUMENT_VERSION:
            raise ConfigError(
                gettext("document.version: this alertsite reads version %(version)s.")
                % {"version": DOCUMENT_VERSION}
            )
        for section in SECTIONS:
            self.match(section)
        if self.prune:
            self.prune_unmatched()
        self.apply_operators()
        self.apply_groups("operator_groups", "members", "operators")
        self.apply_simple("monitors", spec.MONITOR)
        self.apply_groups("monitor_groups", "monitors", "monitors")
        nested.apply_maintenance(self)
        vault_functions.apply_vault(self)
        nested.apply_integrations(self)
        nested.apply_definitions(self)
        apply_inbound_sources(self)

    # --- pass 1: which object is which -------------------------------------------
    def items(self, name: str) -> list[dict[str, Any]]:
        items = expect(self.doc.get(name) or [], list, name, "a list")
        for index, item in enumerate(items):
            expect(item, dict, f"{name}[{index}]", "a mapping")
        return items

    def match(self, section: Section) -> None:
        entries: list[Entry] = []
        refs: dict[str, uuid.UUID] = {}
        claimed: set[Any] = set()
        for index, item in enumerate(self.items(section.name)):
            label = str(item.get(section.natural) or item.get("kind") or f"#{index + 1}")
            place = where(section.name, label)
            check_keys(item, set(section.allowed), place)
            file_id = parse_id(item.get("id"), place)
            obj = self.find(section, item, file_id, place)
            if obj is not None and obj.pk in claimed:
                raise ConfigError(
                    gettext("%(place)s: the same %(noun)s appears twice in the document.")
                    % {"place": place, "noun": gettext(section.noun)}
                )
            if obj is not None:
                claimed.add(obj.pk)
            final_id = file_id or (obj.pk if obj is not None else uuid.uuid4())
            for key in (str(final_id), item.get(section.natural)):
                if key is None:
                    continue
                if str(key) in refs:
                    raise ConfigError(
                        gettext("%(place)s: %(key)s is used by two %(nouns)s in the document.")
                        % {"place": place, "key": key, "nouns": gettext(PLURALS[section.noun])}
                    )
                refs[str(key)] = final_id
            if section.name == "integrations" and item.get("builtin"):
                refs.setdefault(f"builtin:{item.get('kind')}", final_id)
            entries.append(Entry(item, label, obj, final_id))
        self.entries[section.name] = entries
        self.refs[section.name] = refs

    def find(self, section: Section, item: dict[str, Any], file_id: uuid.UUID | None, place: str) -> Any:
        model = section.model
        system = item.get("system")
        if section.name == "operator_groups" and system is not None:
            flag = {v: k for k, v in SYSTEM_OPERATOR_GROUPS.items()}.get(system)
            if flag is None:
                raise ConfigError(
                    gettext("%(place)s.system: use everyone or administrators.") % {"place": place}
                )
            return model._default_manager.get(**{flag: True})
        if section.name == "monitor_groups" and system is not None:
            if system != "all_monitors":
                raise ConfigError(
                    gettext("%(place)s.system: the only system monitor group is all_monitors.")
                    % {"place": place}
                )
            return model._default_manager.get(is_all_monitors=True)
        if section.name == "integrations" and item.get("builtin"):
            found = model._default_manager.filter(is_builtin=True, kind=item.get("kind")).first()
            if found is None:
                raise ConfigError(
                    gettext("%(place)s.kind: there is no built-in %(kind)s integration.")
                    % {"place": place, "kind": repr(item.get("kind"))}
                )
            return found
        if file_id is not None:
            found = model._default_manager.filter(pk=file_id).first()
            if found is not None:
                return found
        natural = item.get(section.natural)
        if natural is None:
            return None
        found = model._default_manager.filter(**{section.natural: natural}).first()
        if found is not None and _is_system(found):
            raise ConfigError(
                gettext("%(place)s: %(name)s is the name of a system %(noun)s.")
                % {"place": f"{place}.{section.natural}", "name": natural, "noun": gettext(section.noun)}
            )
        return found

    def resolve(self, section_name: str, raw: Any, place: str) -> uuid.UUID:
        """A reference (an id, or a natural key) to an object of the document or,
        without prune, of the database."""
        section = BY_NAME[section_name]
        if not isinstance(raw, str):
            raise ConfigError(
                gettext("%(place)s: %(value)s is not a reference to a %(noun)s (give its id).")
                % {"place": place, "value": repr(raw), "noun": gettext(section.noun)}
            )
        if raw in self.refs[section_name]:
            return self.refs[section_name][raw]
        query = models.Q(**{section.natural: raw})
        with contextlib.suppress(ValueError):
            query |= models.Q(pk=uuid.UUID(raw))
        found = section.model._default_manager.filter(query).first()
        # With prune, only system objects (never pruned) exist outside the document.
        if found is not None and (not self.prune or _is_system(found)):
            return found.pk
        raise ConfigError(
            gettext("%(place)s: no %(thing)s in the document.")
            % {"place": place, "thing": thing(section.noun, repr(raw))}
        )

    # --- pass 2: prune ---------------------------------------------------------------
    def prune_unmatched(self) -> None:
        for section in reversed(SECTIONS):
            keep = {e.obj.pk for e in self.entries[section.name] if e.obj is not None}
            for obj in section.model._default_manager.exclude(pk__in=keep).order_by(section.natural):
                if _is_system(obj):
                    continue
                self.report.deleted(thing(section.noun, getattr(obj, section.natural)))
                obj.delete()

    # --- pass 3: create and change ----------------------------------------------------
    def upsert(
        self, section_name: str, entry: Entry, row: dict[str, Any], **create: Any
    ) -> tuple[Any, list[str]]:
        """Create or update ``entry``'s object with ``row``; returns it and the changed fields."""
        section = BY_NAME[section_name]
        what = thing(section.noun, entry.label)
        obj = entry.obj
        changed: list[str] = []
        if obj is not None and obj.pk != entry.final_id:
            obj = entry.obj = rekey(obj, entry.final_id)
            changed.append("id")
        if obj is None:
            obj = entry.obj = section.model(pk=entry.final_id, **create)
            self.report.created(what)
            assign(obj, row)
            clean_and_save(obj, section_name, entry.label)
            return obj, []
        fields = assign(obj, row)
        if fields:
            clean_and_save(obj, section_name, entry.label)
        return obj, changed + fields

    def apply_simple(self, section_name: str, names: tuple[str, ...]) -> None:
        section = BY_NAME[section_name]
        for entry in self.entries[section_name]:
            row = desired_row(section.model, names, entry.item, section_name, entry.label)
            _, changed = self.upsert(section_name, entry, row)
            self.report.changed(thing(section.noun, entry.label), changed)

    def apply_operators(self) -> None:
        for entry in self.entries["operators"]:
            row = desired_row(Operator, spec.OPERATOR, entry.item, "operators", entry.label)
            operator, changed = self.upsert("operators", entry, row)
            if nested.sync_schedules(operator, entry.item.get("off_duty_schedules") or [], entry.label):
                changed.append("off_duty_schedules")
            self.report.changed(thing(gettext_noop("operator"), entry.label), changed)

    def apply_groups(self, section_name: str, members_key: str, member_section: str) -> None:
        section = BY_NAME[section_name]
        for entry in self.entries[section_name]:
            obj = entry.obj
            row = desired_row(section.model, ("name",), entry.item, section_name, entry.label)
            if obj is not None and _is_system(obj) and row["name"] != getattr(obj, "name", None):
                raise ConfigError(
                    gettext("%(place)s: a system group cannot be renamed.")
                    % {"place": where(section_name, entry.label, "name")}
                )
            group, changed = self.upsert(section_name, entry, row)
            relation = getattr(group, members_key)
            if getattr(group, "is_everyone", False) or getattr(group, "is_all_monitors", False):
                if entry.item.get(members_key):
                    raise ConfigError(
                        gettext("%(place)s: %(group)s holds every %(noun)s automatically; leave %(key)s out.")
                        % {
                            "place": where(section_name, entry.label, members_key),
                            "group": group.name,
                            "noun": gettext(BY_NAME[member_section].noun),
                            "key": members_key,
                        }
                    )
                self.report.changed(thing(section.noun, entry.label), changed)
                continue
            place = where(section_name, entry.label, members_key)
            raw = expect(entry.item.get(members_key) or [], list, place, "a list")
            wanted = {self.resolve(member_section, ref, place) for ref in raw}
            if wanted != set(relation.values_list("pk", flat=True)):
                relation.set(wanted)
                changed.append(members_key)
            self.report.changed(thing(section.noun, entry.label), changed)


def _is_system(obj: models.Model) -> bool:
    return bool(
        getattr(obj, "is_everyone", False)
        or getattr(obj, "is_administrators", False)
        or getattr(obj, "is_all_monitors", False)
        or getattr(obj, "is_builtin", False)
    )


__all__ = ["Applier", "ConfigError", "MaintenancePeriod", "apply_document"]
