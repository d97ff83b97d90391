"""The integration's user-defined functions in the API: nested under
``functions``, matched by name; the HMAC key is write-only (``hash_key_set``
says whether one is stored; leaving it out of an update keeps it)."""

from __future__ import annotations

from rest_framework import serializers

from integrations.api.resources.parts import secret_field
from integrations.models import FunctionKind, HashAlgorithm, HashEncoding, IntegrationFunction
from integrations.models.integrations import variable_name_validator


class FunctionSerializer(serializers.Serializer):
    name = serializers.CharField(
        max_length=100,
        validators=[variable_name_validator],
        help_text="Called in templates as {{Name({{@alert.description}})}}.",
    )
    kind = serializers.ChoiceField(FunctionKind.choices)
    description = serializers.CharField(max_length=300, required=False, allow_blank=True)
    mapping = serializers.ListField(
        child=serializers.ListField(
            child=serializers.CharField(allow_blank=True, trim_whitespace=False), min_length=2, max_length=2
        ),
        required=False,
        help_text='Mapping: [["input", "output"], ...]; an input is compared exactly.',
    )
    default_value = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Mapping: the result when no row matches.",
    )
    pattern = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Regular expression: gives the first match's first group (the whole match without groups).",
    )
    algorithm = serializers.ChoiceField(HashAlgorithm.choices, required=False, allow_blank=True)
    hash_key = secret_field("HMAC key (text, or {{@VaultItem.<id>.Secret}}); never shown again.")
    hash_key_set = serializers.SerializerMethodField()
    encoding = serializers.ChoiceField(HashEncoding.choices, required=False)

    def get_hash_key_set(self, function: IntegrationFunction) -> bool:
        return bool(function.hash_key)
