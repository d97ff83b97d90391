"""The integration editor's user-defined functions inline, and the vault's
admin: credential sets whose password and secret are write-only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import lazy
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from alerting.field_lists import flat, rows
from alertsite.secret_forms import SecretFieldsMixin
from integrations.admin.forms import code_area
from integrations.admin.inlines import HidesSecretsFromViewers
from integrations.field_lists import FUNCTION_ROWS, VAULT, VAULT_SECRETS
from integrations.models import IntegrationFunction, VaultItem

ARROW = "=>"


def mapping_help() -> str:
    return gettext(
        "Mapping: one row per line, input %(arrow)s output (spaces around them are ignored). "
        "The input must match exactly."
    ) % {"arrow": ARROW}


class MappingField(forms.Field):
    """A mapping edited as lines ``input => output``; stored as [[input, output], …]."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", code_area(4))
        kwargs["required"] = False
        kwargs.setdefault(
            "help_text",
            lazy(mapping_help, str)(),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{a} {ARROW} {b}" for a, b in value)
        return value

    def to_python(self, value: Any) -> list[list[str]]:
        if isinstance(value, list):
            return value
        rows: list[list[str]] = []
        for number, line in enumerate(str(value or "").splitlines(), start=1):
            if not line.strip():
                continue
            if ARROW not in line:
                raise ValidationError(
                    gettext("Line %(number)s: write input %(arrow)s output.")
                    % {"number": number, "arrow": ARROW}
                )
            given, result = line.split(ARROW, 1)
            rows.append([given.strip(), result.strip()])
        return rows


class FunctionForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("hash_key",)
    mapping = MappingField()

    class Meta:
        model = IntegrationFunction
        fields = flat(FUNCTION_ROWS)
        widgets = {
            "default_value": forms.TextInput(attrs={"spellcheck": "false"}),
            "pattern": forms.TextInput(attrs={"class": "vURL code-input", "spellcheck": "false"}),
        }


class FunctionInline(HidesSecretsFromViewers, admin.StackedInline):
    secret_fields = ("hash_key",)
    model = IntegrationFunction
    form = FunctionForm
    extra = 0
    fields = rows(FUNCTION_ROWS)
    verbose_name_plural = _("User-defined functions (called as {{Name(…)}})")


class VaultItemForm(SecretFieldsMixin, forms.ModelForm):
    secret_fields = ("password", "secret")

    class Meta:
        model = VaultItem
        fields = (*VAULT, *VAULT_SECRETS)
        widgets = {"username": forms.TextInput(attrs={"autocomplete": "off"})}


@admin.register(VaultItem)
class VaultItemAdmin(admin.ModelAdmin):
    form = VaultItemForm
    list_display = ("name", "description", "password_state", "secret_state", "updated_at")
    search_fields = ("name", "description")
    readonly_fields = ("references", "used_by")

    def get_fields(self, request: HttpRequest, obj: VaultItem | None = None) -> Any:
        fields = [*VAULT, *VAULT_SECRETS]
        if obj is not None and not self.has_change_permission(request, obj):
            fields = list(VAULT)
        if obj is not None:
            fields += ["references", "used_by"]
        return fields

    @admin.display(description=_("Password"))
    def password_state(self, obj: VaultItem) -> str:
        return pgettext("a secret", "set") if obj.password else "—"

    @admin.display(description=_("Secret"))
    def secret_state(self, obj: VaultItem) -> str:
        return pgettext("a secret", "set") if obj.secret else "—"

    @admin.display(description=_("Use in templates"))
    def references(self, obj: VaultItem) -> str:
        tokens = ["{{@VaultItem." + str(obj.pk) + "." + field + "}}" for field in obj.values()]
        return format_html(
            "<ul>{}</ul>", format_html_join("", "<li><code>{}</code></li>", ((t,) for t in tokens))
        )

    @admin.display(description=_("Used by"))
    def used_by(self, obj: VaultItem) -> str:
        return ", ".join(obj.used_by()) or "—"

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        # Deleting checks each item's use, one at a time (the delete page).
        actions.pop("delete_selected", None)
        return actions

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        used = obj.used_by() if obj is not None else []
        if used:
            self.message_user(
                request,
                gettext("“%(name)s” is used by %(used)s; remove those references before deleting it.")
                % {"name": obj, "used": ", ".join(used)},
                messages.ERROR,
            )
            return HttpResponseRedirect(reverse("admin:integrations_vaultitem_change", args=[object_id]))
        return super().delete_view(request, object_id, extra_context)
