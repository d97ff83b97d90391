"""An e-mail backend standing in for a mail server that refuses some mailboxes."""

from __future__ import annotations

import smtplib

from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

REFUSED = {"gone@example.com"}


class EmailBackend(LocmemBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        for message in messages:
            refused = {
                address: (550, b"5.1.1 mailbox unavailable") for address in message.to if address in REFUSED
            }
            if refused:
                raise smtplib.SMTPRecipientsRefused(refused)
        return super().send_messages(messages)
