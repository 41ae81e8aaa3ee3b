"""Views: the pages of the main window (case list, workspace, control-list browser)."""
