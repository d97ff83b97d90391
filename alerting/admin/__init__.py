from alerting.admin import (  # noqa: F401
    account,
    audit,
    definitions,
    history,
    inbound,
    incidents,
    monitors,
    operators,
)
