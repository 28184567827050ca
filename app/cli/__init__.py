"""The `pli` command line: the automation interface over the services."""
