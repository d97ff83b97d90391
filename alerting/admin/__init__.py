from alerting.admin import account, audit, definitions, history, incidents, monitors, operators  # noqa: F401
