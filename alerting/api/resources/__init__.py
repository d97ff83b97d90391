"""Configuration resources of the HTTP API (operators, groups, monitors,
maintenance, alert definitions): list, create, read, update, delete."""
