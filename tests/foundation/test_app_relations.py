"""Relations between the two apps run one way: integrations' models (the
outbox, an escalation level's integration links) point at alerting's models
(alerts, levels, operators); alerting's models point at no integrations model.
A relation the other way would tie the two apps' migrations together again
(alerting 0001 -> integrations 0001 -> alerting 0002) and make alerting's
models need the integrations app (issue 19)."""

from __future__ import annotations

from django.apps import apps


def forward_relations(source: str, target: str) -> list[str]:
    """``model.field`` for each relation declared on a model of app ``source``
    (foreign key, one-to-one, many-to-many, and the foreign keys of the
    automatic through tables) to a model of app ``target``."""
    found = []
    for model in apps.get_app_config(source).get_models(include_auto_created=True):
        for field in model._meta.get_fields(include_hidden=True):
            if not field.is_relation or (field.auto_created and not field.concrete):
                continue  # not a relation, or the reverse side of one declared elsewhere
            related = field.related_model
            if related is not None and related._meta.app_label == target:
                found.append(f"{model._meta.label}.{field.name}")
    return sorted(found)


def test_alerting_models_point_at_no_integrations_model() -> None:
    assert forward_relations("alerting", "integrations") == []


def test_the_check_sees_relations_between_the_apps() -> None:
    """The other direction holds relations, and the check finds them: the
    outbox's foreign keys, and the level link's (a string reference, a class
    reference and a many-to-many's through table are all resolved models by now)."""
    found = forward_relations("integrations", "alerting")
    assert {
        "integrations.Message.alert",
        "integrations.Message.operator",
        "integrations.LevelIntegration.level",
    } <= set(found)
    assert "integrations.Message.level_link" not in found  # within integrations now
    through = forward_relations("alerting", "alerting")
    assert "alerting.EscalationLevel_operators.operator" in through
    assert "alerting.EscalationLevel.operators" in through
