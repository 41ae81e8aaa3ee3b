"""The desktop application. The only package that imports PySide6."""
