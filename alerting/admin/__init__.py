from alerting.admin import account, definitions, history, inbound, incidents, monitors, operators  # noqa: F401
