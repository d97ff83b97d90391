from __future__ import annotations

import re
import zoneinfo

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext, gettext_lazy

E164_RE = re.compile(r"^\+[1-9]\d{6,14}$")

validate_e164 = RegexValidator(
    E164_RE,
    message=gettext_lazy(
        "Enter the number in E.164 form: a + followed by the country code and number, "
        "digits only, e.g. +14155550100."
    ),
    code="invalid_e164",
)


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            gettext("%(value)s is not a known time zone (e.g. Europe/Amsterdam).") % {"value": repr(value)}
        )


monitor_key_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}$",
    message=gettext_lazy(
        "A monitor key is 1–200 characters: letters, digits and . _ : @ / - "
        "(starting with a letter or digit)."
    ),
    code="invalid_monitor_key",
)


def validate_string_map(value: object) -> None:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValidationError(gettext("Enter an object whose keys and values are all strings."))
