"""Writer for test_crash_durability: saves through the services until it is killed.

    python crash_writer.py DB USERNAME PASSWORD REFERENCE FIRST

Opens the database as the app does, signs in once, prints ``READY``, then saves in a
loop, cycling through an assessment, a factor finding and a note, each carrying the
marker ``save <n>`` (n = FIRST, FIRST + 1, ...). ``ACK <n>`` is printed (and flushed)
only after the service call that committed save n has returned.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from mtcr_desk.domain.cases import AssessmentStatus, Factor, Finding  # noqa: E402
from mtcr_desk.services import users  # noqa: E402
from mtcr_desk.services.cases import CaseService  # noqa: E402
from mtcr_desk.services.database import open_database  # noqa: E402

LINES = 3
FACTORS = tuple(Factor)


def target(n: int) -> tuple[str, str]:
    """What save n writes: ('assessment', line), ('factor', letter) or ('note', '')."""
    kind = n % 3
    if kind == 0:
        return "assessment", str(1 + (n // 3) % LINES)
    if kind == 1:
        return "factor", FACTORS[(n // 3) % len(FACTORS)].value
    return "note", ""


def main(argv: list[str]) -> int:
    path, username, password, reference, first = argv
    store = open_database(Path(path))
    user = users.authenticate(store, username=username, password=password)
    service = CaseService(store)
    out = sys.stdout
    out.write("READY\n")
    out.flush()
    n = int(first)
    while True:
        marker = f"save {n}"
        kind, which = target(n)
        if kind == "assessment":
            service.assess(reference, line=int(which), status=AssessmentStatus.NOT_CONTROLLED,
                           rationale=marker, actor=user)
        elif kind == "factor":
            service.record_factor(reference, factor=Factor(which), finding=Finding.NO_CONCERN,
                                  note=marker, actor=user)
        else:
            service.add_note(reference, text=marker, actor=user)
        out.write(f"ACK {n}\n")
        out.flush()
        n += 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
