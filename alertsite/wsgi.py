import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alertsite.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: refuse to serve when the configured keys
# cannot read the secrets already stored (see alertsite.checks).
from alertsite.checks import require_readable_secrets  # noqa: E402

require_readable_secrets()
