import os

from django.core.wsgi import get_wsgi_application

from alertsite.chunked import ReadChunkedBodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alertsite.settings")
# Chunked request bodies are read (bounded) before Django sees them: alertsite.chunked.
application = ReadChunkedBodies(get_wsgi_application())

# gunicorn runs no system checks: refuse to serve when the configured keys
# cannot read the secrets already stored (see alertsite.checks).
from alertsite.checks import require_readable_secrets  # noqa: E402

require_readable_secrets()
