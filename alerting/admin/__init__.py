from django.contrib import admin as _admin

from alerting.admin import account, definitions, history, incidents, monitors, operators  # noqa: F401

# alertsite has no public site: the header's links are the dashboard and the
# API docs (templates/admin/base_site.html), not Django's "View site".
_admin.site.site_url = None
