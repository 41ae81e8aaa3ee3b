"""The word index of items (m011): what finding precedents reads instead of every item.

For each item, ``item_words`` holds the comparable words of its description and of
its manufacturer, and ``item_word_counts`` how many there are and its part-number
key, all as :mod:`mtcr_desk.domain.item_words` makes them. Items are never changed
once written, so an item is indexed once, in the transaction that inserts it.

:func:`precedent_matches` returns, for every assessed item of another case that
shares a word or the part number with the item being classified, the counts the
precedent score is computed from: exactly the items the score would not give 0.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass

from mtcr_desk.domain import item_words as item_text
from mtcr_desk.domain.cases import AssessmentStatus


def _last_indexed(connection: sqlite3.Connection) -> int:
    return connection.execute("SELECT max(item_id) FROM item_word_counts").fetchone()[0] or 0


def has_missing_items(connection: sqlite3.Connection) -> bool:
    """True when items newer than the last one indexed exist (see index_missing_items)."""
    return connection.execute("SELECT EXISTS (SELECT 1 FROM items WHERE id > ?)",
                              [_last_indexed(connection)]).fetchone()[0] == 1


def index_missing_items(connection: sqlite3.Connection) -> int:
    """Index the items written without their words (newer than the last one indexed);
    return how many. Normally none: every item this app writes is indexed with it."""
    rows = connection.execute(
        "SELECT id, description, manufacturer, part_number FROM items WHERE id > ? "
        "ORDER BY id", [_last_indexed(connection)])
    count = 0
    # Row by row, not fetchall(): an older database may hold half a million items.
    for item_id, description, manufacturer, part_number in rows:
        index_item(connection, item_id, description=description, manufacturer=manufacturer,
                   part_number=part_number)
        count += 1
    return count


def index_item(connection: sqlite3.Connection, item_id: int, *, description: str,
               manufacturer: str, part_number: str) -> None:
    """Index a newly inserted item (in the caller's transaction)."""
    description_words = item_text.words(description)
    maker_words = item_text.manufacturer_words(manufacturer)
    connection.executemany(
        "INSERT INTO item_words (field, word, item_id) VALUES (?, ?, ?)",
        [("description", word, item_id) for word in sorted(description_words)]
        + [("manufacturer", word, item_id) for word in sorted(maker_words)])
    connection.execute(
        "INSERT INTO item_word_counts (item_id, description_words, manufacturer_words, "
        "part_number_key) VALUES (?, ?, ?, ?)",
        [item_id, len(description_words), len(maker_words),
         item_text.part_number_key(part_number)])


@dataclass(frozen=True, slots=True)
class MatchRow:
    """An assessed item of another case with something in common with the target."""

    item_id: int
    reference: str
    line: int
    assessed_at: str | None
    #: Words its description shares with the target's, and how many it has.
    shared_description_words: int
    description_words: int
    #: The same for the manufacturer's name.
    shared_manufacturer_words: int
    manufacturer_words: int
    part_number_key: str


def precedent_matches(connection: sqlite3.Connection, *, exclude_case_id: int,
                      include_training: bool, description_words: Iterable[str],
                      manufacturer_words: Iterable[str],
                      part_number_key: str) -> list[MatchRow]:
    """Assessed items of other cases sharing a description word, a manufacturer word or
    the (non-empty) part-number key with the target, with the counts to score them."""
    training = "" if include_training else "AND c.training = 0"
    rows = connection.execute(
        f"""
        WITH shared (item_id, description, manufacturer) AS (
            SELECT item_id, 1, 0 FROM item_words
            WHERE field = 'description' AND word IN (SELECT value FROM json_each(:described))
            UNION ALL
            SELECT item_id, 0, 1 FROM item_words
            WHERE field = 'manufacturer' AND word IN (SELECT value FROM json_each(:made_by))
            UNION ALL
            SELECT item_id, 0, 0 FROM item_word_counts
            WHERE part_number_key = :part_number AND part_number_key != ''
        ),
        -- Counted first, so that each item is joined to its case once, not once a word.
        counted (item_id, description, manufacturer) AS (
            SELECT item_id, sum(description), sum(manufacturer) FROM shared GROUP BY item_id
        )
        SELECT s.item_id, c.reference, i.line, a.assessed_at,
               s.description, k.description_words,
               s.manufacturer, k.manufacturer_words, k.part_number_key
        FROM counted AS s
        JOIN item_word_counts AS k ON k.item_id = s.item_id
        JOIN items AS i ON i.id = s.item_id
        JOIN cases AS c ON c.id = i.case_id
        JOIN assessments AS a ON a.item_id = i.id
        WHERE c.id != :excluded AND a.status != :unassessed {training}
        """,
        {"described": json.dumps(sorted(description_words)),
         "made_by": json.dumps(sorted(manufacturer_words)),
         "part_number": part_number_key, "excluded": exclude_case_id,
         "unassessed": AssessmentStatus.UNASSESSED.value},
    ).fetchall()
    return [MatchRow(*row) for row in rows]
