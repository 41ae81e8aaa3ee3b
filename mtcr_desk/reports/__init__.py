"""Printed documents: the PDF decision memo (reportlab), built from domain objects only.

Nothing here reads the database or imports Qt; a report returns bytes and the
caller decides where they go.
"""
