"""The app's settings plus one no-op view, so both are served by the same
gunicorn with the same middleware: the baseline the ingest figures are set beside."""

from alertsite.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
