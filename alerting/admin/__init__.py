from alerting.admin import account, definitions, history, monitors, operators  # noqa: F401
