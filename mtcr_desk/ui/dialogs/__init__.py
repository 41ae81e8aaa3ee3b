"""Dialogs: sign-in, first run, errors."""
