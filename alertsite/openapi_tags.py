"""Names the API docs' groups for people: operations the views left untagged
(drf-spectacular then groups them by the path's first segment, "v1") and the
lowercase "messages" get the group their path belongs to, and every group a
one-line description, in the order a reader needs them."""

from __future__ import annotations

from typing import Any

# (group, description, path prefixes under /api/v1/ it takes from an untagged operation)
GROUPS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Check results", "Submit check results (POST) and read the alerts they raised (GET).", ("alerts",)),
    (
        "Inbound alerts",
        "Alerts in the formats other tools send: Alertmanager, Grafana, Uptime Kuma, Uptrends.",
        ("inbound",),
    ),
    ("Incidents", "Open and resolved incidents; acknowledge and unacknowledge them.", ("incidents",)),
    ("Messages", "Delivery of each message, with its attempts; retry one.", ("messages",)),
    ("Monitors", "Monitors, their heartbeat settings and ping URLs.", ()),
    ("Monitor groups", "Named sets of monitors; All monitors holds every one.", ()),
    ("Maintenance periods", "Windows in which a monitor or group sends no alerts.", ()),
    ("Alert definitions", "Which monitors are covered, and who is told at each escalation level.", ()),
    ("Operators", "People who receive alerts, with their off-duty schedules.", ()),
    ("Operator groups", "Named sets of operators; Everyone holds every one.", ()),
    ("Integrations", "How messages are delivered; send a test.", ("integrations",)),
    ("Vault", "Shared credential sets that integrations refer to; secrets are write-only.", ("vault",)),
    ("Variables", "The template variables and functions messages can use.", ("variables",)),
    ("Audit log", "Who changed what in the configuration, when and through what.", ("audit",)),
]
PREFIX = "/api/v1/"


def group_for(path: str) -> str | None:
    rest = path.removeprefix(PREFIX).split("/", 1)[0]
    for name, _, prefixes in GROUPS:
        if rest in prefixes:
            return name
    return None


def name_groups(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    known = {name.lower(): name for name, _, _ in GROUPS}
    for path, operations in result.get("paths", {}).items():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            tags = operation.get("tags") or []
            if not tags or tags == ["v1"]:
                group = group_for(path)
                if group:
                    operation["tags"] = [group]
            else:
                operation["tags"] = [known.get(tag.lower(), tag) for tag in tags]
    result["tags"] = [{"name": name, "description": text} for name, text, _ in GROUPS]
    return result
