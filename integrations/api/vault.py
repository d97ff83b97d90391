"""``/api/v1/vault``: shared credential sets (admin scope for every method:
even the usernames are credentials). Passwords and secrets are write-only;
an answer says only whether one is set."""

from __future__ import annotations

from django.utils.translation import ngettext
from rest_framework import permissions, serializers
from rest_framework.validators import UniqueValidator

from alerting.api.auth import AdminScope
from alerting.api.resources.common import ConfigViewSet, document, refuse
from integrations.api.resources.parts import secret_field
from integrations.field_lists import VAULT, VAULT_SECRETS
from integrations.models import VaultItem


class VaultItemSerializer(serializers.ModelSerializer):
    name = serializers.CharField(max_length=200, validators=[UniqueValidator(VaultItem.objects.all())])
    username = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    password = secret_field('Never shown again; leave it out of an update to keep it, send "" to clear it.')
    password_set = serializers.SerializerMethodField()
    secret = secret_field("A further secret (an API key, an HMAC key); never shown again.")
    secret_set = serializers.SerializerMethodField()
    references = serializers.SerializerMethodField(
        help_text="What to write in a template for each field of this item."
    )

    class Meta:
        model = VaultItem
        fields = (
            "id",
            *VAULT,
            *VAULT_SECRETS,
            "password_set",
            "secret_set",
            "references",
            "created_at",
            "updated_at",
        )
        read_only_fields = ("id", "created_at", "updated_at")

    def get_password_set(self, item: VaultItem) -> bool:
        return bool(item.password)

    def get_secret_set(self, item: VaultItem) -> bool:
        return bool(item.secret)

    def get_references(self, item: VaultItem) -> dict[str, str]:
        return {field: "{{@VaultItem." + str(item.pk) + "." + field + "}}" for field in item.values()}


@document("vault items", VaultItemSerializer, "Vault")
class VaultViewSet(ConfigViewSet):
    serializer_class = VaultItemSerializer
    queryset = VaultItem.objects.all()

    def get_permissions(self) -> list[permissions.BasePermission]:
        return [AdminScope()]

    def perform_destroy(self, instance: VaultItem) -> None:
        used = instance.used_by()
        if used:
            text = ngettext(
                "%(name)s is used by the integration %(used)s; remove the references first.",
                "%(name)s is used by the integrations %(used)s; remove the references first.",
                len(used),
            )
            refuse(text % {"name": instance.name, "used": ", ".join(used)})
        instance.delete()
