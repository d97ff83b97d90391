from __future__ import annotations

import os
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.utils.translation import gettext


class Command(BaseCommand):
    help = (
        "Create the first admin login when none exists: ADMIN_USERNAME, ADMIN_EMAIL and "
        "ADMIN_PASSWORD from the environment, or a generated password printed once."
    )

    def handle(self, *args: object, **options: object) -> None:
        User = get_user_model()
        if User.objects.filter(is_superuser=True).exists():
            self.stdout.write(gettext("Admin login: already set up (manage logins in the admin)."))
            return
        username = os.environ.get("ADMIN_USERNAME", "admin")
        email = os.environ.get("ADMIN_EMAIL", "admin@localhost")
        password = os.environ.get("ADMIN_PASSWORD", "")
        generated = not password
        if generated:
            password = secrets.token_urlsafe(12)
        User.objects.create_superuser(username=username, email=email, password=password)
        if generated:
            self.stdout.write(
                self.style.WARNING(
                    gettext(
                        "Created admin login %(username)s with password %(password)s "
                        "(shown only this once; change it in the admin)."
                    )
                    % {"username": repr(username), "password": repr(password)}
                )
            )
        else:
            self.stdout.write(
                gettext("Created admin login %(username)s from ADMIN_PASSWORD.")
                % {"username": repr(username)}
            )
