"""Precedents: how similar items were assessed on other cases, and re-using an assessment.

An officer classifying "gyroscope, rate-integrating, Honeywell GG1320" wants to
see how the office classified the same or similar items before. The ranking is
deliberately simple so that an officer can see why a precedent is offered:

1. the same part number (compared without case, spaces, ``-``, ``.``, ``/``, ``_``)
   ranks above everything else: a part number names one product;
2. then the share of words in common (Jaccard: words in both / words in either)
   of the descriptions, weighted 0.7, and of the manufacturers, weighted 0.3:
   the description says what the item is, the manufacturer only narrows it.

Words are compared case-insensitively and Unicode-normalised (NFKC), ignoring
one-letter words, common English words ("for", "with") and company forms
("GmbH", "Ltd"). The score is ``1 + 0.7 * description + 0.3 * manufacturer``
with a part-number match, ``0.7 * description + 0.3 * manufacturer`` without:
at most 1 without a part-number match, at least 1 with one. Items with nothing
in common are not offered.

A precedent is applicable to a case only when every one of its entry codes is an
entry of the case's pinned edition: an assessment is never copied against an
edition it was not made for without the officer seeing that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mtcr_desk.domain.cases import Assessment, AssessmentStatus, Case, Item
from mtcr_desk.domain.control_list import Category
from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, RuleViolation
from mtcr_desk.domain.item_words import manufacturer_words, part_number_key, words
from mtcr_desk.domain.rules import item_category
from mtcr_desk.domain.users import User
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.edition_diff import compare_entries
from mtcr_desk.storage import case_queries, control_lists
from mtcr_desk.storage import cases as case_store
from mtcr_desk.storage import item_words as item_word_index
from mtcr_desk.storage.database import Store

DESCRIPTION_WEIGHT = 0.7
MANUFACTURER_WEIGHT = 0.3
PART_NUMBER_BONUS = 1.0


@dataclass(frozen=True)
class Precedent:
    """An assessment recorded on another case, offered as a precedent."""

    case_reference: str
    line: int
    description: str
    manufacturer: str
    part_number: str
    status: AssessmentStatus
    entry_codes: tuple[str, ...]
    #: The MTCR category: recorded with the assessment, or derived from the
    #: precedent's pinned edition when that edition carries categories.
    category: str | None
    rationale: str
    assessed_by: str | None
    assessed_at: str | None
    #: The edition the precedent's case pins (its entry codes are codes of it).
    edition_id: str
    score: float
    part_number_match: bool
    #: True when the precedent can be applied to the target item as it stands.
    applicable: bool
    #: Why it is (or is not) applicable, in words an officer can act on.
    reason: str
    training: bool = False

    @property
    def label(self) -> str:
        """The precedent as an assessment records it: "MTCR-2026-0001 line 2"."""
        return f"{self.case_reference} line {self.line}"


# --- similarity ------------------------------------------------------------------------


def jaccard(left: frozenset[str], right: frozenset[str]) -> float:
    """Words in both divided by words in either (0 when either has none)."""
    if not left or not right:
        return 0.0
    return len(left & right) / len(left | right)


@dataclass(frozen=True)
class Comparable:
    """An item's fields as compared: its words, its manufacturer's words, its part number.

    Made once for the item being classified; the items it is compared with come as
    counts from the word index (:func:`find_precedents`).
    """

    description: frozenset[str]
    manufacturer: frozenset[str]
    part_number: str

    @classmethod
    def of(cls, description: str, manufacturer: str, part_number: str) -> Comparable:
        return cls(words(description), manufacturer_words(manufacturer),
                   part_number_key(part_number))


def compare(target: Comparable, other: Comparable) -> tuple[float, bool]:
    """Return ``(score, part numbers match)`` of two items (see the module docstring)."""
    part_match = bool(target.part_number) and target.part_number == other.part_number
    return _score(jaccard(target.description, other.description),
                  jaccard(target.manufacturer, other.manufacturer), part_match), part_match


def _score(description_share: float, manufacturer_share: float, part_match: bool) -> float:
    score = DESCRIPTION_WEIGHT * description_share + MANUFACTURER_WEIGHT * manufacturer_share
    if part_match:
        score += PART_NUMBER_BONUS
    return round(score, 6)


def _share(shared: int, own: int, target: int) -> float:
    """Jaccard from counts: words in both / words in either (``own + target - shared``)."""
    return shared / (own + target - shared) if shared else 0.0


def similarity(target: Item, description: str, manufacturer: str,
               part_number: str) -> tuple[float, bool]:
    """Return ``(score, part numbers match)`` of an item against another item's fields."""
    return compare(Comparable.of(target.description, target.manufacturer, target.part_number),
                   Comparable.of(description, manufacturer, part_number))


# --- finding -------------------------------------------------------------------------


def _target(store: Store, reference: str, line: int) -> tuple[Case, Item]:
    case = CaseService(store).get(reference)
    item = case.item(line)
    if item is None:
        raise NotFoundError(f"{case.reference} has no line {line}")
    return case, item


def find_precedents(store: Store, reference: str, *, line: int,
                    limit: int = 10) -> list[Precedent]:
    """Return earlier assessments of similar items on other cases, most similar first.

    Only assessed items (not "unassessed") of other cases are offered; training
    cases only when the case itself is a training case. Ties are broken by the
    most recent assessment, then by case reference and line.
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise InvalidInputError("limit: a whole number of 1 or more")
    case, item = _target(store, reference, line)
    target = Comparable.of(item.description, item.manufacturer, item.part_number)
    # The word index gives exactly the items that share something with the target, with
    # the counts their score is made of: the same score as compare(), without reading
    # (or tokenising) every item of the office.
    matches = item_word_index.precedent_matches(
        store.connection, exclude_case_id=case.id, include_training=case.training,
        description_words=target.description, manufacturer_words=target.manufacturer,
        part_number_key=target.part_number)
    scored = []
    for match in matches:
        part_match = bool(target.part_number) and match.part_number_key == target.part_number
        score = _score(
            _share(match.shared_description_words, match.description_words,
                   len(target.description)),
            _share(match.shared_manufacturer_words, match.manufacturer_words,
                   len(target.manufacturer)),
            part_match)
        if score > 0:
            scored.append((score, part_match, match))
    # Newest first among equals: sort by time descending, then the stable keys.
    scored.sort(key=lambda entry: (entry[2].reference, entry[2].line))
    scored.sort(key=lambda entry: entry[2].assessed_at or "", reverse=True)
    scored.sort(key=lambda entry: (entry[1], entry[0]), reverse=True)
    best = scored[:limit]
    rows = case_queries.precedent_rows(store.connection, [match.item_id for *_, match in best])
    return [_precedent(store, case, row, score, part_match)
            for (score, part_match, _match), row in zip(best, rows, strict=True)]


def _precedent(store: Store, case: Case, row: case_queries.CandidateRow, score: float,
               part_match: bool) -> Precedent:
    status = AssessmentStatus(row.status)
    category = _precedent_category(store, row, status)
    applicable, reason = _applicability(store, case, row.edition_id, status, row.entry_codes,
                                        category)
    return Precedent(
        case_reference=row.reference, line=row.line, description=row.description,
        manufacturer=row.manufacturer, part_number=row.part_number, status=status,
        entry_codes=row.entry_codes, category=category, rationale=row.rationale,
        assessed_by=row.assessed_by, assessed_at=row.assessed_at, edition_id=row.edition_id,
        score=score, part_number_match=part_match, applicable=applicable, reason=reason,
        training=row.training)


def _precedent_category(store: Store, row: case_queries.CandidateRow,
                        status: AssessmentStatus) -> str | None:
    if status is not AssessmentStatus.CONTROLLED:
        return None
    if row.category:
        return row.category
    edition = control_lists.get_edition(store.connection, row.edition_id)
    if edition is None or not edition.has_mtcr_categories:
        return None
    categories = case_store.entry_categories(store.connection, row.edition_id,
                                             row.entry_codes)
    derived = item_category(
        Assessment(status=status, entry_codes=row.entry_codes),
        {code: Category(value) if value else None for code, value in categories.items()},
        edition_has_categories=True)
    return derived.value if derived else None


def _applicability(store: Store, case: Case, edition_id: str, status: AssessmentStatus,
                   codes: Iterable[str], category: str | None) -> tuple[bool, str]:
    """Return whether a precedent can be applied to ``case`` and why (or why not)."""
    codes = tuple(codes)
    target = case.edition_id
    if not codes:
        return True, f"{status.value}: no entry codes to check against edition {target}"
    kinds = case_store.entry_kinds(store.connection, target, codes)
    missing = [code for code in codes if code not in kinds]
    not_entries = [f"{code} (a {kinds[code]})" for code in codes
                   if code in kinds and kinds[code] != "entry"]
    problems = []
    if missing:
        problems.append(f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not in "
                        f"edition {target}")
    if not_entries:
        problems.append(f"{', '.join(not_entries)} {'is' if len(not_entries) == 1 else 'are'} "
                        f"not an entry in edition {target}")
    if problems:
        return False, ("; ".join(problems) + f": the precedent was assessed against edition "
                       f"{edition_id}; assess the item against {target} or re-pin the case")
    target_edition = control_lists.get_edition(store.connection, target)
    if target_edition is not None and not target_edition.has_mtcr_categories \
            and category not in ("I", "II"):
        return False, (f"edition {target} records the MTCR category with the assessment and "
                       "the precedent has none: assess the item directly")
    if edition_id == target:
        return True, f"assessed against the same edition ({target})"
    differing = [code for code in codes if _differs(store, edition_id, target, code)]
    if differing:
        return True, (f"every entry exists in edition {target}, but "
                      f"{', '.join(differing)} {'reads' if len(differing) == 1 else 'read'} "
                      f"differently than in {edition_id}: check the wording")
    return True, f"every entry exists unchanged in edition {target}"


def _differs(store: Store, old_edition: str, new_edition: str, code: str) -> bool:
    old = control_lists.get_entry(store.connection, old_edition, code)
    new = control_lists.get_entry(store.connection, new_edition, code)
    return old is None or new is None or bool(compare_entries(old, new))


# --- applying ------------------------------------------------------------------------


def apply_precedent(store: Store, reference: str, *, line: int, precedent_reference: str,
                    precedent_line: int, actor: User) -> Case:
    """Assess an item as an earlier item was assessed, recording where it came from.

    Copies the status, entry codes, category and rationale (prefixed
    "Precedent <ref> line <n>: ") through :meth:`CaseService.assess`, which checks
    the actor, the case's state and the assessment rules. Refuses a precedent from
    the same case, an unassessed one, a training precedent on a live case, and one
    whose entries are not all entries of the case's pinned edition.
    """
    case, _item = _target(store, reference, line)
    source = CaseService(store).get(precedent_reference)
    source_item = source.item(precedent_line)
    if source_item is None:
        raise NotFoundError(f"{source.reference} has no line {precedent_line}")
    label = f"{source.reference} line {precedent_line}"
    assessment = source_item.assessment
    if source.id == case.id:
        raise RuleViolation(f"apply precedent: {label} is on {case.reference} itself; a "
                            "precedent comes from another case")
    if assessment.status is AssessmentStatus.UNASSESSED:
        raise RuleViolation(f"apply precedent: {label} is unassessed; choose an assessed item "
                            "as the precedent")
    if source.training and not case.training:
        raise RuleViolation(f"apply precedent: {source.reference} is a training case; a live "
                            "case takes precedents from live cases only")
    row = case_queries.CandidateRow(
        item_id=source_item.id or 0, reference=source.reference, training=source.training,
        edition_id=source.edition_id, line=source_item.line,
        description=source_item.description, manufacturer=source_item.manufacturer,
        part_number=source_item.part_number, status=assessment.status.value,
        category=assessment.category, rationale=assessment.rationale,
        assessed_by=assessment.assessed_by, assessed_at=assessment.assessed_at,
        entry_codes=assessment.entry_codes)
    category = _precedent_category(store, row, assessment.status)
    applicable, reason = _applicability(store, case, source.edition_id, assessment.status,
                                        assessment.entry_codes, category)
    if not applicable:
        raise RuleViolation(f"apply precedent {label} to {case.reference} line {line}: {reason}")
    return CaseService(store).assess(
        case.reference, line=line, status=assessment.status,
        entry_codes=assessment.entry_codes, category=category,
        rationale=f"Precedent {label}: {assessment.rationale}", actor=actor, precedent=label)
