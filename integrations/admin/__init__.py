from integrations.admin import functions, integrations, messages  # noqa: F401
