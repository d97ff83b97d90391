"""Read-side representations, and the shapes the OpenAPI schema documents."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from alerting.api.ingest_schema import CHECK_FIELDS, MONITOR_FIELDS
from alerting.engine import clock
from alerting.models import Alert, Incident, IncidentStatus
from integrations.models import Message


class AcknowledgementOut(serializers.Serializer):
    at = serializers.DateTimeField()
    by = serializers.CharField()
    note = serializers.CharField()
    until = serializers.DateTimeField(allow_null=True)


class IncidentSerializer(serializers.ModelSerializer):
    monitor = serializers.CharField(source="monitor.key")
    monitor_name = serializers.CharField(source="monitor.name")
    status = serializers.SerializerMethodField()
    acknowledgement = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "key",
            "monitor",
            "monitor_name",
            "status",
            "opened_at",
            "resolved_at",
            "first_error_description",
            "consecutive_errors",
            "last_error_at",
            "acknowledgement",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=IncidentStatus.choices))
    def get_status(self, obj: Incident) -> str:
        return obj.status_at(clock.now())

    @extend_schema_field(AcknowledgementOut(allow_null=True))
    def get_acknowledgement(self, obj: Incident) -> dict[str, Any] | None:
        """Who acknowledged, when, the note and the snooze; null when nobody has
        (kept after the incident resolved)."""
        if obj.acknowledged_at is None:
            return None
        field = serializers.DateTimeField()
        until = obj.acknowledged_until
        return {
            "at": field.to_representation(obj.acknowledged_at),
            "by": obj.acknowledged_by,
            "note": obj.acknowledgement_note,
            "until": field.to_representation(until) if until is not None else None,
        }


class MessageSummarySerializer(serializers.ModelSerializer):
    integration = serializers.CharField(source="integration.name")
    integration_kind = serializers.CharField(source="integration.kind")
    response_status = serializers.SerializerMethodField(help_text="The last attempt's HTTP status, if any.")

    class Meta:
        model = Message
        fields = [
            "id",
            "integration",
            "integration_kind",
            "recipient",
            "status",
            "attempt_count",
            "created_at",
            "next_attempt_at",
            "delivered_at",
            "response_status",
            "error",
        ]

    def get_response_status(self, message: Message) -> int | None:
        # The attempts are prefetched (IncidentDetailSerializer): no query per message.
        attempts = message.attempts.all()
        return max(attempts, key=lambda a: a.number).response_status if attempts else None


class AlertSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="guid")
    type = serializers.CharField(source="alert_type")
    incident = serializers.CharField(source="incident.key")
    monitor = serializers.CharField(source="incident.monitor.key")
    alert_definition = serializers.UUIDField(source="definition_id", allow_null=True)
    alert_definition_name = serializers.CharField(source="definition_name")
    escalation_level = serializers.IntegerField(source="level_number")
    check_result = serializers.IntegerField(source="check_result_id", allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "type",
            "timestamp",
            "incident",
            "monitor",
            "alert_definition",
            "alert_definition_name",
            "escalation_level",
            "suppressed_reason",
            "check_result",
        ]


class AlertDetailSerializer(AlertSerializer):
    variables = serializers.DictField(child=serializers.CharField())
    messages = MessageSummarySerializer(many=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "variables", "messages"]


class IncidentDetailSerializer(IncidentSerializer):
    alerts = serializers.SerializerMethodField()

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "alerts"]

    def get_alerts(self, obj: Incident) -> Any:
        alerts = obj.alerts.select_related("incident__monitor").prefetch_related(
            "messages__integration", "messages__attempts"
        )
        return AlertDetailSerializer(alerts.order_by("timestamp", "pk"), many=True).data


# --- Documentation-only shapes (drf-spectacular reads them) ---------------------


def _text(help_text: str, max_length: int | None = None) -> serializers.CharField:
    if max_length is None:
        return serializers.CharField(required=False, help_text=help_text)
    return serializers.CharField(required=False, help_text=help_text, max_length=max_length)


class CheckResultIn(serializers.Serializer):
    monitor = serializers.CharField(help_text="The monitor's key; an unknown key creates the monitor.")
    status = serializers.ChoiceField(choices=["error", "ok"])
    description = _text("The error text; required when status is error.")
    timestamp = serializers.DateTimeField(
        required=False, help_text="ISO 8601 with a time zone; default now; at most 5 minutes ahead."
    )
    idempotency_key = _text("Repeated within 24 hours, this item changes nothing and answers as before.", 150)
    custom_fields = serializers.DictField(child=serializers.CharField(), required=False)

    def get_fields(self) -> dict:
        fields = super().get_fields()
        for name, limit in {**CHECK_FIELDS, **MONITOR_FIELDS}.items():
            note = "Truncated at 1 MB." if name == "response_body" else ""
            fields[name] = _text(f"Optional {name.replace('_', ' ')}. {note}".strip(), limit)
        return fields


class IncidentRef(serializers.Serializer):
    key = serializers.CharField()
    status = serializers.ChoiceField(choices=IncidentStatus.choices)


class AlertRef(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.ChoiceField(choices=["Alert", "Ok", "Reminder", "Acknowledged"])
    alert_definition = serializers.UUIDField(allow_null=True)
    escalation_level = serializers.IntegerField()
    suppressed = serializers.CharField(
        allow_null=True,
        help_text="Why this alert sends no message (e.g. 'maintenance: notifications disabled', "
        "'stop all alerts is on'); null when its messages go out.",
    )


class CheckResultAccepted(serializers.Serializer):
    id = serializers.IntegerField(help_text="The stored check result.")
    monitor = serializers.CharField()
    incident = IncidentRef(allow_null=True)
    alerts = AlertRef(many=True)
    ignored = serializers.CharField(
        allow_null=True, help_text="Why the result changed nothing (older than the last one, maintenance)."
    )


class BatchAccepted(serializers.Serializer):
    results = CheckResultAccepted(many=True)


class Errors(serializers.Serializer):
    errors = serializers.DictField(  # type: ignore[assignment]  # a field named like Serializer.errors
        help_text="Field name (or, for a batch, the item's index) → messages; 'detail' for the request."
    )
