from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from alerting.api.resources.common import document
from alerting.api.resources.groups import GroupSerializer, GroupViewSet
from alerting.models import Operator, OperatorGroup


class OperatorGroupSerializer(GroupSerializer):
    member_field = "members"
    automatic_flag = "is_everyone"
    member_model = Operator
    automatic_message = gettext_lazy(
        "Everyone holds every operator automatically; its members cannot be edited."
    )

    members = serializers.PrimaryKeyRelatedField(
        many=True,
        queryset=Operator.objects.all(),
        required=False,
        help_text="Operator ids. Everyone always holds every operator and cannot be edited.",
    )

    class Meta:
        model = OperatorGroup
        fields = ("id", "name", "is_everyone", "is_administrators", "is_system", "members", "created_at")
        read_only_fields = ("id", "is_everyone", "is_administrators", "created_at")


@document("operator groups", OperatorGroupSerializer, "Operator groups")
class OperatorGroupViewSet(GroupViewSet):
    serializer_class = OperatorGroupSerializer

    def get_queryset(self) -> QuerySet[OperatorGroup]:
        return OperatorGroup.objects.prefetch_related("members")
