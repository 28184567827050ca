"""Pure value objects, rules, errors and events. No I/O, no third-party imports."""
