"""The escalation engine: check results in, incidents, alerts and outbox rows out.

It decides and records; it never sends. Delivery picks the Message rows up
after the transaction that wrote them commits.
"""

from alerting.engine.submissions import Outcome, Submission, process_submission
from alerting.engine.sweep import sweep

__all__ = ["Outcome", "Submission", "process_submission", "sweep"]
