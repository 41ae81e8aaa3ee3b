"""The case list: which cases match a filter, in which order, a page at a time.

:class:`CaseListService` counts and pages cases filtered and sorted in SQL (over
the trigger-maintained ``case_index``, see :mod:`mtcr_desk.storage.case_list`),
so that 100,000 cases open and filter at once. A :class:`CaseFilter` says what
the officer narrowed the list to; :class:`CaseRow` is one case as the list shows
it. Saved filters are stored in the database per user (never in QSettings).

Saved filters are not audited: they are an officer's view preferences, they
change no record, and the audit chain's cross-check covers the tables that hold
the licensing record only.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from mtcr_desk.domain.cases import CaseStatus
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, StorageError
from mtcr_desk.domain.rules import DestinationFlags
from mtcr_desk.domain.text import text_problem
from mtcr_desk.domain.users import User
from mtcr_desk.services.database import utc_now_iso
from mtcr_desk.storage import case_list as list_store
from mtcr_desk.storage.database import Store

#: Sort keys, in column order: reference, applicant, destination, status, category,
#: officer, received, due, days open.
SORT_KEYS = tuple(list_store.SORT_EXPRESSIONS)
#: The category filter's value for cases without a category (nothing controlled).
NO_CATEGORY = "none"
#: Statuses that are still being worked on ("open" cases).
OPEN_STATUSES = tuple(status for status in CaseStatus if not status.is_final)
MAX_FILTER_TEXT = 200
MAX_FILTER_NAME = 100
FILTER_FORMAT = "mtcr-desk/case-filter"


@dataclass(frozen=True)
class CaseFilter:
    """What the case list is narrowed to; every field left empty matches every case."""

    #: Words that must all occur in the reference, applicant, destination (code or
    #: name) or officer; case-insensitive (any script from three characters on,
    #: ASCII letters below that).
    text: str = ""
    #: Any of these statuses (empty: any status).
    statuses: tuple[CaseStatus, ...] = ()
    #: ``"I"``, ``"II"``, :data:`NO_CATEGORY` or None (any).
    category: str | None = None
    #: ISO country code of the destination.
    destination: str | None = None
    #: Username of the assigned officer.
    officer: str | None = None
    #: Only cases past their due date and not final.
    overdue: bool = False
    #: True: training cases only; False: live cases only; None: both.
    training: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str):
            raise InvalidInputError("filter text: expected text")
        if len(self.text) > MAX_FILTER_TEXT:
            raise InvalidInputError(f"filter text: at most {MAX_FILTER_TEXT} characters")
        try:
            statuses = tuple(dict.fromkeys(CaseStatus(s) for s in self.statuses))
        except (TypeError, ValueError) as error:
            raise InvalidInputError(
                f"status: one of {', '.join(s.value for s in CaseStatus)}") from error
        object.__setattr__(self, "statuses", statuses)
        if self.category not in (None, NO_CATEGORY, *(c.value for c in Category)):
            raise InvalidInputError(f"category: I, II or {NO_CATEGORY}")
        if self.destination is not None:
            object.__setattr__(self, "destination", self.destination.strip().upper())

    @property
    def words(self) -> tuple[str, ...]:
        """The words of :attr:`text`, each to be found somewhere in the case."""
        return tuple(self.text.split())

    @property
    def is_empty(self) -> bool:
        """True when the filter matches every case."""
        return self == CaseFilter()

    def to_dict(self) -> dict:
        """Return the filter as a JSON-ready object (how saved filters are stored)."""
        return {"format": FILTER_FORMAT, "text": self.text,
                "statuses": [s.value for s in self.statuses], "category": self.category,
                "destination": self.destination, "officer": self.officer,
                "overdue": self.overdue, "training": self.training}

    @classmethod
    def from_dict(cls, data: dict) -> CaseFilter:
        """Read a filter written by :meth:`to_dict`, refusing anything else."""
        if not isinstance(data, dict) or data.get("format") != FILTER_FORMAT:
            raise InvalidInputError("saved filter: not a case-list filter")
        try:
            return cls(text=data.get("text") or "", statuses=tuple(data.get("statuses") or ()),
                       category=data.get("category"), destination=data.get("destination"),
                       officer=data.get("officer"), overdue=bool(data.get("overdue")),
                       training=data.get("training"))
        except (TypeError, ValueError) as error:
            raise InvalidInputError(f"saved filter: {error}") from error


@dataclass(frozen=True)
class CaseSort:
    """The order of the list: a key of :data:`SORT_KEYS`, ascending or descending."""

    key: str = "reference"
    descending: bool = True

    def __post_init__(self) -> None:
        if self.key not in SORT_KEYS:
            raise InvalidInputError(f"sort: one of {', '.join(SORT_KEYS)}")


@dataclass(frozen=True, slots=True)
class CaseRow:
    """One case as the list shows it (a summary; :meth:`CaseService.get` has the rest)."""

    reference: str
    applicant: str
    #: The destination with its partner status and UN measures (flags, never a decision).
    destination: DestinationFlags
    status: CaseStatus
    category: Category | None
    officer: str | None
    officer_name: str | None
    received_on: str
    due_on: str | None
    #: When the case became final (decided or withdrawn), else None.
    closed_on: str | None
    #: Whole days from receipt to today, or to the day the case became final.
    days_open: int
    #: Past its due date and not final.
    overdue: bool
    training: bool

    @property
    def is_final(self) -> bool:
        return self.status.is_final


@dataclass(frozen=True)
class CasePage:
    """How many cases match a filter, and the first rows of them in order."""

    total: int
    rows: list[CaseRow] = field(default_factory=list)


class CaseListService:
    """Count and page the cases that match a filter; keep each user's saved filters."""

    def __init__(self, store: Store, *,
                 today: Callable[[], datetime.date] = datetime.date.today):
        self._store = store
        self._today = today

    @property
    def _connection(self):
        return self._store.connection

    def _conditions(self, case_filter: CaseFilter) -> list_store.ListConditions:
        return list_store.ListConditions(
            words=case_filter.words, statuses=tuple(s.value for s in case_filter.statuses),
            category=case_filter.category, destination=case_filter.destination,
            officer=case_filter.officer, overdue=case_filter.overdue,
            training=case_filter.training)

    def today(self) -> str:
        """Today's date as the list counts it (days open, overdue), ISO format."""
        return self._today().isoformat()

    # --- counting and paging ---------------------------------------------------------

    def count(self, case_filter: CaseFilter = CaseFilter()) -> int:
        """Return how many cases match ``case_filter``."""
        if case_filter.is_empty:
            return list_store.count_all(self._connection)
        return list_store.count_cases(self._connection, self._conditions(case_filter),
                                      today=self.today())

    def rows(self, case_filter: CaseFilter = CaseFilter(), sort: CaseSort = CaseSort(), *,
             offset: int = 0, limit: int = 200, total: int | None = None) -> list[CaseRow]:
        """Return up to ``limit`` matching cases from position ``offset``, in ``sort`` order.

        ``total`` is the count of matching cases when the caller has it (it saves a
        count: the query plan depends on how selective the filter is).
        """
        if offset < 0 or limit < 0:
            raise InvalidInputError("offset and limit: zero or more")
        if limit == 0:
            return []
        rows = list_store.fetch_page(
            self._connection, self._conditions(case_filter), sort=sort.key,
            descending=sort.descending, offset=offset, limit=limit, today=self.today(),
            matching=total if total is not None else self.count(case_filter))
        return [_case_row(row) for row in rows]

    def first_page(self, case_filter: CaseFilter = CaseFilter(), sort: CaseSort = CaseSort(),
                   *, limit: int = 200) -> CasePage:
        """Return the count of matching cases and the first ``limit`` of them."""
        total = self.count(case_filter)
        return CasePage(total, self.rows(case_filter, sort, limit=limit, total=total)
                        if total else [])

    def destinations(self) -> list[tuple[str, str]]:
        """Return ``(code, name)`` of the destinations that cases have, by name."""
        return list_store.destinations_in_use(self._connection)

    def officers(self) -> list[tuple[str, str]]:
        """Return ``(username, display name)`` of the officers cases are assigned to."""
        return [(username, name or username)
                for username, name in list_store.officers_in_use(self._connection)]

    # --- saved filters ---------------------------------------------------------------

    def saved_filters(self, user: User) -> dict[str, CaseFilter]:
        """Return the user's saved filters by name, in name order.

        A stored filter this version cannot read is left out, not an error.
        """
        found: dict[str, CaseFilter] = {}
        for name, document in list_store.saved_filters(self._connection, user.username):
            try:
                found[name] = CaseFilter.from_dict(json.loads(document))
            except (ValueError, InvalidInputError):
                continue
        return found

    def save_filter(self, user: User, name: str, case_filter: CaseFilter) -> str:
        """Save (or replace) the user's filter under ``name``; return the name as saved."""
        name = (name or "").strip()
        if not name:
            raise InvalidInputError("filter name: must not be empty")
        if len(name) > MAX_FILTER_NAME:
            raise InvalidInputError(f"filter name: at most {MAX_FILTER_NAME} characters")
        problem = text_problem(name)
        if problem:
            raise InvalidInputError(f"filter name: {problem}")
        self._require_writable("save the filter")
        document = json.dumps(case_filter.to_dict(), sort_keys=True, ensure_ascii=False)
        with self._store.write() as connection:
            list_store.save_filter(connection, username=user.username, name=name,
                                   document=document, saved_at=utc_now_iso())
        return name

    def delete_filter(self, user: User, name: str) -> None:
        """Delete one of the user's saved filters."""
        self._require_writable("delete the filter")
        with self._store.write() as connection:
            if not list_store.delete_filter(connection, username=user.username, name=name):
                raise NotFoundError(f"No saved filter {name!r}")

    def _require_writable(self, action: str) -> None:
        if getattr(self._store, "read_only", False):
            raise StorageError(f"Cannot {action}: this window has the database open "
                               "read-only")


def _case_row(row: list_store.ListRow) -> CaseRow:
    return CaseRow(
        reference=row.reference, applicant=row.applicant,
        destination=DestinationFlags(country=row.destination,
                                     country_name=row.destination_name,
                                     mtcr_status=row.mtcr_status,
                                     un_measures=row.un_measures),
        status=CaseStatus(row.status), category=Category(row.category) if row.category else None,
        officer=row.officer, officer_name=row.officer_name, received_on=row.received_on,
        due_on=row.due_on, closed_on=row.closed_on, days_open=row.days_open,
        overdue=row.overdue, training=row.training)

