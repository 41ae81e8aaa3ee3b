"""Drafts of text being typed, kept on disk so that a crash loses at most a few seconds.

Rationales, notes and conditions are typed into the GUI long before they are
recorded. Every few seconds the GUI saves what is in those boxes here, as small
JSON files in the user data folder::

    autosave/<database file stem>-<path digest>/<username>/<case reference>__<field>.json

(the digest of the database's full path keeps two databases of the same file
name, say two copies of ``mtcr-desk.sqlite``, from seeing each other's drafts)

one file per case and field, each written atomically. A draft is removed when
its text is recorded (committed to the database) or when the user declines to
restore it; whatever is left after a crash is offered back the next time the
case is opened. Drafts are the user's own unsaved words: they stay outside the
database and its audit trail, readable only by the user's account.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from mtcr_desk import paths
from mtcr_desk.domain.errors import InvalidInputError, StorageError
from mtcr_desk.services.files import write_file_atomically
from mtcr_desk.services.users import USERNAME_PATTERN

DRAFT_FORMAT = "mtcr-desk/draft"
#: Longer text than this is not autosaved (the database refuses it anyway).
MAX_DRAFT_CHARACTERS = 200_000
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
_SEPARATOR = "__"


@dataclass(frozen=True)
class Draft:
    """Text typed into one field of one case and not recorded yet."""

    reference: str
    field: str
    text: str
    saved_at: str

    @property
    def first_line(self) -> str:
        """The first non-blank line, for the recovery dialog."""
        for line in self.text.splitlines():
            if line.strip():
                return line.strip()
        return ""


def _checked(kind: str, value: str) -> str:
    """A reference, field or user name that is safe as part of a file name."""
    if kind == "user":
        # Any username the user service accepts (``.ada``, ``a__b``) is one folder name;
        # only "." and ".." would mean another folder.
        if isinstance(value, str) and USERNAME_PATTERN.match(value) and value not in (".", ".."):
            return value
        raise InvalidInputError(f"autosave: user {value!r} cannot name a draft folder")
    if not isinstance(value, str) or not _SAFE_PART.match(value) or _SEPARATOR in value:
        raise InvalidInputError(f"autosave: {kind} {value!r} cannot name a draft")
    return value


class DraftStore:
    """The drafts of one user on one database file."""

    def __init__(self, database_path: Path, username: str, *, root: Path | None = None):
        root = Path(root) if root is not None else paths.user_data_dir() / "autosave"
        stem = Path(database_path).stem or "database"
        safe_stem = re.sub(r"[^A-Za-z0-9._-]", "_", stem)[:60]
        digest = hashlib.sha256(str(Path(database_path).resolve()).encode()).hexdigest()[:12]
        self.folder = root / f"{safe_stem}-{digest}" / _checked("user", username)

    def path(self, reference: str, field: str) -> Path:
        """The file of one draft."""
        reference = _checked("case reference", reference.strip().upper())
        return self.folder / f"{reference}{_SEPARATOR}{_checked('field', field)}.json"

    def save(self, reference: str, field: str, text: str) -> Draft | None:
        """Keep ``text`` as the draft of a field; blank text removes the draft instead."""
        target = self.path(reference, field)
        if not text.strip():
            self.discard(reference, field)
            return None
        if len(text) > MAX_DRAFT_CHARACTERS:
            text = text[:MAX_DRAFT_CHARACTERS]
        draft = Draft(reference.strip().upper(), field, text,
                      datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"))
        document = {"format": DRAFT_FORMAT, "format_version": 1, "reference": draft.reference,
                    "field": field, "saved_at": draft.saved_at, "text": text}
        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as error:
            raise StorageError(f"Cannot keep a draft in {self.folder}: "
                               f"{error.strerror or error}") from error
        write_file_atomically(target, json.dumps(document, ensure_ascii=False).encode("utf-8"))
        with contextlib.suppress(OSError):
            os.chmod(target, 0o600)  # the officer's unsaved words: theirs only
        return draft

    def load(self, reference: str, field: str) -> Draft | None:
        """The draft of a field, or None (an unreadable draft file counts as none)."""
        return _read(self.path(reference, field))

    def list(self, reference: str | None = None) -> list[Draft]:
        """Every draft of one case (or of every case), oldest first."""
        if not self.folder.is_dir():
            return []
        prefix = "" if reference is None else \
            _checked("case reference", reference.strip().upper()) + _SEPARATOR
        found = []
        for path in sorted(self.folder.glob(f"{prefix}*.json")):
            draft = _read(path)
            if draft is not None:
                found.append(draft)
        found.sort(key=lambda draft: (draft.saved_at, draft.reference, draft.field))
        return found

    def discard(self, reference: str, field: str) -> None:
        """Remove the draft of a field (it was recorded, or the user rejected it)."""
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self.path(reference, field))

    def discard_case(self, reference: str) -> None:
        """Remove every draft of a case."""
        for draft in self.list(reference):
            self.discard(draft.reference, draft.field)


def _read(path: Path) -> Draft | None:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != DRAFT_FORMAT:
        return None
    values = [document.get(key) for key in ("reference", "field", "text", "saved_at")]
    if not all(isinstance(value, str) for value in values):
        return None
    reference, field, text, saved_at = values
    if path.name != f"{reference}{_SEPARATOR}{field}.json":
        return None  # renamed or copied by hand: not what it claims to be
    return Draft(reference, field, text, saved_at)
