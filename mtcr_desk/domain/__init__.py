"""Domain layer: dataclasses, enums, rules and errors. No Qt, no SQL."""
