"""Services: one module per use case; the only API the GUI and the CLI call."""
