"""Delivery: reads the outbox (Message rows), claims due messages with a lease,
sends them through ``integrations.sending`` and records every attempt."""
