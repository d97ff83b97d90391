from integrations.admin import integrations, messages  # noqa: F401
