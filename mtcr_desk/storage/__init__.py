"""Storage layer: the one SQLite file, its schema and every SQL statement of the app."""
