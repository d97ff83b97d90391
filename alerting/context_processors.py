from __future__ import annotations

from django.http import HttpRequest


def alerting_state(request: HttpRequest) -> dict[str, object]:
    """Whether *Stop all alerts* is on, for the banner on every admin page."""
    if not request.path.startswith("/admin/"):
        return {}
    from alerting.models import AccountSettings

    row = AccountSettings.objects.filter(pk=1).values("stop_all_alerts").first()
    return {"stop_all_alerts": bool(row and row["stop_all_alerts"])}
