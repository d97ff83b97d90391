from django.contrib import admin as _admin

from alerting.admin import (  # noqa: F401
    account,
    audit,
    definitions,
    history,
    inbound,
    incidents,
    monitors,
    operators,
)

# alertsite has no public site: the header's links are the dashboard and the
# API docs (templates/admin/base_site.html), not Django's "View site".
_admin.site.site_url = None
