"""The ``integrations`` configuration resource: kind or preset, predefined
variables, steps and StatusHub services. Secrets are write-only."""
