"""The escalation engine: check results in, incidents, alerts and outbox rows out.

It decides and records; it never sends. Delivery picks the Message rows up
after the transaction that wrote them commits. The periodic sweep lives in
``alerting.engine.sweep`` (not re-exported here: a function of that name would
hide the module, and django-q2 finds the task by its dotted path).
"""

from alerting.engine.submissions import Outcome, Submission, process_batch, process_submission

__all__ = ["Outcome", "Submission", "process_batch", "process_submission"]
