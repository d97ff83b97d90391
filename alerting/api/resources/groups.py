"""What operator groups and monitor groups share: system groups that cannot be
renamed or deleted, and one automatic group (*Everyone*, *All monitors*) whose
members are every row of the member model and cannot be edited."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils.translation import gettext
from rest_framework import serializers

from alerting.api.resources.common import ConfigViewSet, refuse


class GroupSerializer(serializers.ModelSerializer):
    # Set by subclasses: the member field, the flag of the automatic group,
    # the model whose every row belongs to it, and the refusal to show.
    member_field: ClassVar[str]
    automatic_flag: ClassVar[str]
    member_model: ClassVar[type[models.Model]]
    automatic_message: ClassVar[Any]

    is_system = serializers.BooleanField(read_only=True)

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        if getattr(instance, self.automatic_flag):
            ids = self.member_model._default_manager.order_by("pk").values_list("pk", flat=True)
            data[self.member_field] = [str(pk) for pk in ids]
        return data

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        group = self.instance
        if group is not None and group.is_system and "name" in attrs and attrs["name"] != group.name:
            refuse(
                gettext("%(name)s is a system group and cannot be renamed.") % {"name": group.name}, "name"
            )
        if group is not None and getattr(group, self.automatic_flag) and self.member_field in attrs:
            # Sending back what was read is fine; changing it is not.
            sent = {member.pk for member in attrs[self.member_field]}
            if sent != set(self.member_model._default_manager.values_list("pk", flat=True)):
                refuse(self.automatic_message, self.member_field)
            del attrs[self.member_field]
        return attrs


class GroupViewSet(ConfigViewSet):
    def perform_destroy(self, instance: Any) -> None:
        if instance.is_system:
            refuse(gettext("%(name)s is a system group and cannot be deleted.") % {"name": instance.name})
        instance.delete()
