"""Control-list use cases: editions, search, showing an entry, exporting an edition.

Search is the officer's main tool, so it must forgive anything typed:

* A code typed in any common form (``9.A.1``, ``9a1``, ``M2A1c``, ``9A101``,
  ``2.A.1.c``, ``Item 3``) goes straight to that entry, ranked first.
* Everything else becomes an FTS5 query built from the words of the input,
  each quoted (so ``OR``, ``NEAR(``, ``-``, ``*``, quotes and brackets are plain
  words, never syntax) and prefix-matched. All words must match; when no entry
  has them all, any word may match.
* Results are ranked by bm25 with codes and titles weighted above body text, and
  carry a snippet with the matches marked.
"""

from __future__ import annotations

import re
from pathlib import Path

from mtcr_desk.domain.codes import code_search_term, lookup_key
from mtcr_desk.domain.control_list import (
    MATCH_END,
    MATCH_START,
    Category,
    Edition,
    Entry,
    EntryDetail,
    EntryKind,
    SearchHit,
    TextStatus,
)
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError
from mtcr_desk.storage import control_lists
from mtcr_desk.storage.database import Store

MAX_QUERY_LENGTH = 500
MAX_LIMIT = 1000
#: Words beyond this many add nothing a licensing officer needs and cost time.
MAX_TERMS = 16
#: Rank given to exact code matches: better than any bm25 score.
EXACT_MATCH_RANK = float("-inf")
#: The edition new cases pin when none is named and no full MTCR edition is loaded.
FALLBACK_EDITION = "mtcr-2024-structure"

# Words as the FTS tokenizer sees them: runs of letters and digits.
_WORD_PATTERN = re.compile(r"[^\W_]+")


def fts_query_terms(query: str) -> tuple[list[str], bool]:
    """Return the search terms of a user query, and whether every term is a code.

    Code-like chunks (``2.A.1``, ``9a1``) become the compact form the index holds;
    everything else is split into words.
    """
    terms: list[str] = []
    only_codes = True
    for chunk in query.split():
        # "2.A.1*" means what "2.A.1" already does: the entry and its sub-entries.
        code_term = code_search_term(chunk.rstrip("*"))
        if code_term is not None:
            terms.append(code_term)
        else:
            only_codes = False
            terms.extend(_WORD_PATTERN.findall(chunk))
    # A word said twice narrows nothing, and every term costs a pass over the index.
    unique = list(dict.fromkeys(term.casefold() for term in terms))
    return unique[:MAX_TERMS], only_codes


def fts_match_expression(terms: list[str], *, any_term: bool = False,
                         codes_only: bool = False) -> str:
    """Return a safe FTS5 MATCH expression: every term quoted and prefix-matched.

    With ``codes_only`` the terms match the code column only, so that ``3.A.1``
    does not find entries whose text merely mentions such a code.
    """
    # Terms hold only letters and digits, so quoting cannot be broken out of.
    quoted = [f'"{term}"*' for term in terms]
    expression = (" OR " if any_term else " ").join(quoted)
    return f"search_codes : ({expression})" if codes_only else expression


class ControlListService:
    """Reading the loaded control lists."""

    def __init__(self, store: Store):
        self._store = store

    @property
    def store(self) -> Store:
        """The open database, for services that write (imports)."""
        return self._store

    @property
    def connection(self):
        """The database connection, for other services that read the control lists."""
        return self._store.connection

    def editions(self) -> list[Edition]:
        """Return every loaded edition."""
        return control_lists.list_editions(self.connection)

    def default_edition(self) -> str:
        """The edition new cases pin: the newest full-text MTCR edition, else the structure."""
        full = [e for e in self.editions()
                if e.regime == "MTCR" and e.text_status is TextStatus.FULL]
        if full:
            return full[-1].id
        return FALLBACK_EDITION

    def edition(self, edition_id: str) -> Edition:
        """Return one edition or raise NotFoundError naming the ones that exist."""
        edition = control_lists.get_edition(self.connection, edition_id)
        if edition is None:
            known = ", ".join(e.id for e in self.editions()) or "none loaded"
            raise NotFoundError(f"No edition {edition_id!r} (loaded editions: {known})")
        return edition

    def search(  # noqa: C901 - one readable sequence of cases
        self,
        query: str,
        *,
        edition_id: str | None = None,
        item: int | None = None,
        category: str | None = None,
        limit: int = 50,
    ) -> list[SearchHit]:
        """Search codes, titles, text and notes; exact code matches come first."""
        if len(query) > MAX_QUERY_LENGTH:
            raise InvalidInputError(
                f"Search text too long ({len(query)} characters, at most {MAX_QUERY_LENGTH})"
            )
        if not 1 <= limit <= MAX_LIMIT:
            raise InvalidInputError(f"Limit must be between 1 and {MAX_LIMIT}")
        if category is not None and category not in (Category.I.value, Category.II.value):
            raise InvalidInputError("Category must be I or II")
        if edition_id is not None:
            self.edition(edition_id)  # raises NotFoundError with the list of editions
        filters = {"edition_id": edition_id, "item": item, "category": category}

        hits: list[SearchHit] = []
        seen: set[tuple[str, str]] = set()
        key = lookup_key(query)
        if key is not None:
            for entry in control_lists.find_entries_by_key(self.connection, key, **filters):
                hits.append(_exact_hit(entry))
                seen.add((entry.edition_id, entry.code))

        terms, only_codes = fts_query_terms(query)
        if hits and only_codes and len(terms) == 1:
            # One code that names entries: those entries and their trees, in list order.
            for entry in list(hits):
                for node in control_lists.entry_subtree(self.connection, entry.edition_id,
                                                        entry.code)[1:]:
                    if _passes(node, item=item, category=category):
                        hits.append(_tree_hit(node))
            return hits[:limit]
        if terms and len(hits) < limit:
            rows = control_lists.full_text_search(
                self.connection, fts_match_expression(terms, codes_only=only_codes),
                limit=limit, annex_order=only_codes, **filters,
            )
            if not rows and not hits and len(terms) > 1:
                rows = control_lists.full_text_search(
                    self.connection, fts_match_expression(terms, any_term=True),
                    limit=limit, **filters,
                )
            for row in rows:
                if (row.edition_id, row.code) in seen:
                    continue
                hits.append(_fts_hit(row))
        return hits[:limit]

    def show(self, code: str, *, edition_id: str | None = None) -> list[EntryDetail]:
        """Return the entry for a code typed in any form, one per edition that has it.

        Notes and definitions, whose codes are not in any typed form
        (``9A112.a Note 1``), are found by their exact code.
        """
        if edition_id is not None:
            self.edition(edition_id)
        key = lookup_key(code)
        if key is None:
            entries = control_lists.find_entries_by_code(
                self.connection, code.strip(), edition_id=edition_id)
            if not entries:
                raise InvalidInputError(
                    f"{code!r} is not a control-list code (examples: 2.A.1.c, 9A101, Item 3)"
                )
        else:
            entries = control_lists.find_entries_by_key(
                self.connection, key, edition_id=edition_id)
        if not entries:
            where = f"edition {edition_id}" if edition_id else "any loaded edition"
            raise NotFoundError(f"No entry {code.strip()} in {where}")
        return [self._detail(entry) for entry in entries]

    def _detail(self, entry: Entry) -> EntryDetail:
        ancestors: list[Entry] = []
        parent_code = entry.parent_code
        # Editions are validated to have parents before children; the guard against a
        # loop costs nothing and keeps a damaged file from hanging the app.
        while parent_code is not None and len(ancestors) < 64:
            parent = control_lists.get_entry(self.connection, entry.edition_id, parent_code)
            if parent is None:
                break
            ancestors.insert(0, parent)
            parent_code = parent.parent_code
        subtree = control_lists.entry_subtree(self.connection, entry.edition_id, entry.code)
        return EntryDetail(
            entry=entry,
            edition=self.edition(entry.edition_id),
            ancestors=tuple(ancestors),
            children=tuple(control_lists.children(self.connection, entry.edition_id,
                                                  entry.code)),
            descendants=tuple(node for node in subtree if node.code != entry.code),
        )

    def export_edition(self, edition_id: str, destination: Path) -> int:
        """Write an edition in the edition format to ``destination``; return entry count.

        The write is atomic: a temporary file in the same folder, fsynced, then
        renamed over the destination, so a failure never leaves a half file.
        """
        edition = self.edition(edition_id)
        entries = control_lists.edition_entries(self.connection, edition_id)
        # Imported here: only an export needs the file format.
        from mtcr_desk.services.edition_format import edition_document, serialise_edition
        from mtcr_desk.services.files import write_file_atomically

        data = serialise_edition(edition_document(edition, entries))
        write_file_atomically(destination, data, protected=self._store.files())
        return len(entries)


def _exact_hit(entry: Entry) -> SearchHit:
    return SearchHit(
        edition_id=entry.edition_id,
        code=entry.code,
        kind=entry.kind,
        title=entry.title,
        category=entry.category,
        snippet=entry.title or "",
        rank=EXACT_MATCH_RANK,
        exact_code_match=True,
        refs=entry.refs,
    )


def _passes(entry: Entry, *, item: int | None, category: str | None) -> bool:
    """True when an entry satisfies the search filters."""
    if item is not None and entry.item != item:
        return False
    return category is None or (entry.category is not None and entry.category.value == category)


def _tree_hit(entry: Entry) -> SearchHit:
    """A node listed under the code that was searched for."""
    return SearchHit(
        edition_id=entry.edition_id, code=entry.code, kind=entry.kind, title=entry.title,
        category=entry.category, snippet=entry.title or (entry.text or "")[:160], rank=0.0,
        refs=entry.refs)


def _fts_hit(row: control_lists.FullTextRow) -> SearchHit:
    snippet = row.snippet
    if snippet.replace(MATCH_START, "").replace(MATCH_END, "") == row.search_codes:
        # The match was in the code column: show the words rather than code forms.
        snippet = row.title or (row.text or "")[:160]
    return SearchHit(
        edition_id=row.edition_id,
        code=row.code,
        kind=EntryKind(row.kind),
        title=row.title,
        category=Category(row.category) if row.category else None,
        snippet=snippet,
        rank=row.rank,
        refs=tuple(row.refs.split(" ")) if row.refs else (),
    )
