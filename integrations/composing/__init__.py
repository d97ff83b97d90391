"""What a built-in kind sends, written from a message's plain values.

Delivery renders; transports send. For a custom integration the steps are
templates (``integrations.rendering``); for a built-in kind alertsite writes
the vendor's message itself, here: each module turns an ``Outgoing`` (the
variables snapshot, the integration's values, the reader's language and time
zone) into the plain object its transport sends, a ``Request`` (Slack,
PagerDuty, Twilio) or a ``Mail`` (e-mail). All a receiver reads is written
here: subjects and bodies, blocks, SMS text, speech, local times, in the
reader's language. Nothing here reads a model or sends; a value that makes
sending impossible (no webhook URL, no recipient) is a permanent
``TransportError`` before anything is sent.
"""
