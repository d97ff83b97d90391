"""Acknowledge and unacknowledge an incident (``respond`` scope)."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext, gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from alerting.api.auth import ApiKeyUser, RespondScope
from alerting.api.listing import COMMON, err, parse_aware
from alerting.api.serializers import IncidentSerializer
from alerting.engine import clock
from alerting.engine.acknowledgement import IncidentResolved, acknowledge, unacknowledge
from alerting.models import Incident
from integrations.tasks import deliver_after_commit

MAX_NOTE = 2000
# A snooze is a pause, not a way to silence an incident for good; acknowledge
# without ``until`` for "until resolved".
MAX_SNOOZE = dt.timedelta(days=366)
RESOLVED = gettext_lazy("The incident is resolved: there is nothing to acknowledge.")


class AcknowledgeIn(serializers.Serializer):
    by = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Who is on it; default: the API key's name.",
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=MAX_NOTE)
    until = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Snooze: ISO 8601 with a time zone, in the future; escalation resumes then. "
        "Omitted: acknowledged until resolved.",
    )

    def validate_until(self, value: str | None) -> dt.datetime | None:
        return parse_until(value, clock.now())


def parse_until(value: str | None, now: dt.datetime) -> dt.datetime | None:
    """The snooze end from an ISO 8601 text, in UTC; ``ValueError``-free:
    bad input raises a DRF ``ValidationError`` with the reason."""
    if value is None or value == "":
        return None
    moment = parse_aware(value)
    if moment <= now:
        raise ValidationError(gettext("The snooze must end in the future."))
    if moment - now > MAX_SNOOZE:
        raise ValidationError(
            gettext("At most 366 days ahead; acknowledge without 'until' for until resolved.")
        )
    return moment


def _key_name(request: Request) -> str:
    user = request.user
    return f"API key {user.api_key.name}" if isinstance(user, ApiKeyUser) else ""


class AcknowledgeView(APIView):
    permission_classes = [RespondScope]

    @extend_schema(
        summary="Acknowledge an incident (optionally snoozed until a time)",
        description=(
            "While acknowledged no further escalation level fires and no reminder is sent; the Ok "
            "still goes out. Acknowledging again replaces who, the note and the snooze."
        ),
        request=AcknowledgeIn,
        responses={
            200: IncidentSerializer,
            400: err("Bad input, or the incident is resolved."),
            404: err("No incident has this key."),
            **COMMON,
        },
    )
    def post(self, request: Request, key: str) -> Response:
        data = AcknowledgeIn(data=request.data if request.data is not None else {})
        data.is_valid(raise_exception=True)
        values = data.validated_data
        try:
            incident, raised = acknowledge(
                key,
                by=values.get("by") or _key_name(request),
                note=values.get("note", ""),
                until=values.get("until"),
            )
            deliver_after_commit(raised.message_ids)
        except Incident.DoesNotExist:
            raise NotFound(gettext("No incident has this key.")) from None
        except IncidentResolved:
            raise ValidationError({"incident": [RESOLVED]}) from None
        return Response(IncidentSerializer(incident).data)


class UnacknowledgeView(APIView):
    permission_classes = [RespondScope]

    @extend_schema(
        summary="Take an acknowledgement back: escalation resumes at once",
        request=None,
        responses={
            200: IncidentSerializer,
            400: err("The incident is resolved."),
            404: err("No incident has this key."),
            **COMMON,
        },
    )
    def post(self, request: Request, key: str) -> Response:
        try:
            incident, raised = unacknowledge(key)
            deliver_after_commit(raised.message_ids)
        except Incident.DoesNotExist:
            raise NotFound(gettext("No incident has this key.")) from None
        except IncidentResolved:
            raise ValidationError({"incident": [gettext("The incident is resolved.")]}) from None
        return Response(IncidentSerializer(incident).data)
