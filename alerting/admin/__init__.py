from alerting.admin import account, definitions, history, incidents, monitors, operators  # noqa: F401
