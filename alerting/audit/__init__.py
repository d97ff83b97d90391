"""The audit log: every configuration change, with who, when, through what and a
field-level diff (secrets masked).

Channels only say who is acting (``context.acting``; the web requests through
``middleware``); model signals (``signals``) record the changes, and the few
changes that are not model saves (*Stop all alerts*, acknowledgements, key
rotation) call ``record.action``.
"""
