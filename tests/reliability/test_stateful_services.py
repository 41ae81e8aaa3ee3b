"""Random sequences of service calls keep the audit chain exact.

A hypothesis state machine drives the case and user services with random, often invalid,
input: opening cases, adding items, assessing, recording factors, acknowledging flags,
editing details, notes, drafting, countersigning (agree or return), withdrawing, amending,
and wrong passwords. Around every call it snapshots every audited table and asserts:

* exactly one audit row per changed record, whose before-image is the record before the
  call and whose after-image is the record after it (None when absent), and no audit row
  for a record that did not change; the few known ways the services write extra rows
  (still chaining from before to after) are listed in KNOWN_DEVIATIONS, tallied and
  printed, and any other fails;
* a refused call writes nothing at all; the exceptions: a wrong password records the
  failed attempt on the user's row (one row, one audit row), and a draft or
  countersignature refused by the rules after a successful sign-in keeps that sign-in's
  reset of the failed-attempt counter;
* replaying the audit log (the latest after-image of every record) reproduces every
  audited table exactly, and ``audit.verify()`` is ok.
"""

from __future__ import annotations

import hashlib
import itertools
import shutil
from collections import defaultdict
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    precondition,
    rule,
    run_state_machine_as_test,
)

from mtcr_desk.domain.cases import (
    AssessmentStatus,
    Assurance,
    CaseStatus,
    Factor,
    Finding,
    Item,
    Outcome,
)
from mtcr_desk.domain.errors import MtcrDeskError
from mtcr_desk.domain.users import Role
from mtcr_desk.services import users
from mtcr_desk.services.cases import CaseService
from mtcr_desk.services.database import open_database
from mtcr_desk.storage import audit

PASSWORD = "correct horse"
PEOPLE = {"alice": Role.OFFICER, "bob": Role.OFFICER, "sam": Role.SENIOR_OFFICER,
          "tina": Role.TRAINER}
ACTORS = ("admin", *PEOPLE)
EXAMPLES = 25
STEPS = 30
#: Codes of the structure edition (entries of Category I and II, a production facility,
#: a section, a typed form) and codes it lacks.
CODES = ("3.A.1", "1.A.1", "2.B.1", "3.A", "2a1", "9.Z.9", "")
STATS = defaultdict(int)
DEVIATIONS = defaultdict(int)


def _image(table: str, row: dict) -> str:
    image = dict(row)
    if table == "users" and image.get("password_hash") is not None:
        image["password_hash"] = "sha256:" + hashlib.sha256(
            image["password_hash"].encode()).hexdigest()
    if table == "memo_documents":  # the audit holds the memo PDF's digest, not its bytes
        image["pdf"] = "sha256:" + hashlib.sha256(image["pdf"]).hexdigest()
    return audit.canonical_json(image)


def snapshot(connection) -> dict[tuple[str, str], str]:
    """Every audited record as ``{(table, entity id): canonical after-image}``."""
    records = {}
    for table, key in audit.AUDITED_TABLES.items():
        cursor = connection.execute(f"SELECT * FROM {table}")
        columns = [d[0] for d in cursor.description]
        for values in cursor:
            row = dict(zip(columns, values, strict=True))
            records[(table, audit.canonical_json([row[c] for c in key]))] = _image(table, row)
    return records


#: Known ways the services write more audit rows than records they change (the rows
#: still chain from each record's state before the call to its state after it). They are
#: tallied and printed; any other extra audit row fails the test.
KNOWN_DEVIATIONS = {
    # An entry list that changes is rewritten row by row (positions shift).
    ("several rows for one changed record", "assessment_entries"),
    # draft_decision(acknowledge_flags=True) updates the case twice: acknowledgement, status.
    ("several rows for one changed record", "cases"),
    # amend inserts each item's assessment unassessed, then saves the old case's one.
    ("several rows for one changed record", "assessments"),
}


def _deviation(name: str, key: tuple[str, str], images: list[tuple], *,
               changed: bool) -> str | None:
    """Name the known way a call writes more audit rows than records it changes, or None."""
    entity = key[0]
    if not changed and all(before == after for before, after in images):
        kind = "no-op update row"
    elif not changed and len(images) == 2 and images[0][1] is None and images[1][0] is None:
        kind = "deleted and re-inserted unchanged"
    elif changed and len(images) > 1:
        kind = "several rows for one changed record"
    else:
        return None
    if (kind, entity) not in KNOWN_DEVIATIONS:
        return None
    return f"{name}: {kind} ({entity})"


class ServiceMachine(RuleBasedStateMachine):
    """Random service calls on a fresh copy of a database with five accounts."""

    template: Path
    scratch: Path
    counter = itertools.count()

    def __init__(self):
        super().__init__()
        folder = self.scratch / f"example-{next(self.counter)}"
        folder.mkdir()
        self.folder = folder
        shutil.copyfile(self.template, folder / "desk.sqlite")
        self.store = open_database(folder / "desk.sqlite")
        self.service = CaseService(self.store)
        self.people = {user.username: user for user in users.list_users(self.store)}
        self.references: list[str] = []
        self.replay: dict[tuple[str, str], str | None] = {}
        self.head = 0
        self._replay_new_rows()
        assert {k: v for k, v in self.replay.items() if v is not None} == \
            snapshot(self.store.connection)
        STATS["examples"] += 1

    def teardown(self):
        self.store.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    # --- the check around every call ---------------------------------------------------

    def _replay_new_rows(self) -> list[tuple]:
        rows = self.store.connection.execute(
            "SELECT seq, entity, entity_id, before, after FROM audit_log WHERE seq > ? "
            "ORDER BY seq", [self.head]).fetchall()
        for seq, entity, entity_id, _, after in rows:
            self.replay[(entity, entity_id)] = after
            self.head = seq
        return rows

    def call(self, name: str, function, *args, **kwargs):
        """Run one service call and check the audit around it; return its result or None."""
        connection = self.store.connection
        before = snapshot(connection)
        refusal = None
        try:
            result = function(*args, **kwargs)
        except MtcrDeskError as error:
            refusal, result = error, None
        after = snapshot(connection)
        new_rows = self._replay_new_rows()
        changed = {key for key in before.keys() | after.keys()
                   if before.get(key) != after.get(key)}
        STATS["calls"] += 1
        STATS[f"{name} {'refused' if refusal else 'ok'}"] += 1

        by_record = defaultdict(list)
        for _, entity, entity_id, image_before, image_after in new_rows:
            by_record[(entity, entity_id)].append((image_before, image_after))

        if refusal is not None:
            if isinstance(refusal, users.AuthenticationError) and ": wrong password" in str(
                    refusal):
                # The failed attempt is on record: the user's row, and its one audit row.
                assert len(new_rows) == 1 and set(by_record) == changed, (name, new_rows)
                assert next(iter(changed))[0] == "users"
            elif changed or new_rows:
                # A signer whose earlier attempt failed signs in before the rules refuse the
                # draft or countersignature: that sign-in resets the counter (committed).
                assert name in ("draft", "countersign") and set(by_record) == changed \
                    and len(new_rows) == 1, (name, refusal, new_rows, changed)
                ((entity, _),) = changed
                assert entity == "users" and '"failed_attempts":0' in new_rows[0][4]
                DEVIATIONS[f"{name}: refused after a sign-in that reset failed attempts"] += 1

        # Each changed record has audit rows leading from its state before to its state
        # after; each audited record changed, with exactly one row, except the deviations.
        problems = []
        missing = changed - set(by_record)
        if missing:
            problems.append(("changed without an audit row", sorted(missing)))
        for key, images in by_record.items():
            if images[0][0] != before.get(key) or images[-1][1] != after.get(key):
                problems.append(("audit images differ from the record", key))
            for (_, first_after), (second_before, _) in itertools.pairwise(images):
                if first_after != second_before:
                    problems.append(("audit rows of a record do not chain", key))
            if key not in changed or len(images) != 1:
                kind = _deviation(name, key, images, changed=key in changed)
                if kind is None:
                    problems.append(("audit rows beyond one per changed record", key, images))
                else:
                    DEVIATIONS[kind] += 1
        assert not problems, (name, args, kwargs, problems)

        # Replaying the after-images reproduces every audited table.
        replayed = {key: image for key, image in self.replay.items() if image is not None}
        assert replayed == after
        verified = audit.verify(connection)
        assert verified.ok, verified.problem
        return result

    def case(self, index: int) -> str:
        return self.references[index % len(self.references)]

    def user(self, name: str):
        return self.people[name]

    # --- rules ----------------------------------------------------------------------------

    @initialize(destination=st.sampled_from(["FR", "KP", "AE"]), lines=st.integers(1, 2),
                controlled=st.booleans(),
                outcome=st.sampled_from([Outcome.DENY, Outcome.NO_LICENCE_REQUIRED,
                                         Outcome.APPROVE_WITH_CONDITIONS]),
                acknowledge=st.booleans())
    def first_case(self, destination, lines, controlled, outcome, acknowledge):
        """Every run starts with a complete review drafted by Alice, awaiting countersignature."""
        case = self.call("create", self.service.create, actor=self.user("alice"),
                         applicant="First Applicant", destination=destination,
                         received_on="2026-02-02",
                         items=[Item(line=0, description=f"item {n}", quantity=1)
                                for n in range(lines)])
        self.references.append(case.reference)
        self._complete(case.reference, self.user("alice"), controlled, outcome, acknowledge)
        assert self.service.get(case.reference).status is CaseStatus.AWAITING_COUNTERSIGNATURE

    @rule(actor=st.sampled_from(ACTORS), destination=st.sampled_from(["FR", "KP", "AE", "XX"]),
          lines=st.integers(0, 2), applicant=st.sampled_from(["Applicant", " ", "x" * 501]),
          statement=st.sampled_from(["", "EUS-7"]),
          assurances=st.sets(st.sampled_from(list(Assurance))),
          due=st.sampled_from([None, "2026-01-01", "2026-12-31", "someday"]))
    def create(self, actor, destination, lines, applicant, statement, assurances, due):
        case = self.call("create", self.service.create, actor=self.user(actor),
                         applicant=applicant, destination=destination,
                         received_on="2026-03-03", due_on=due, end_user_statement=statement,
                         assurances=assurances,
                         items=[Item(line=0, description="part", quantity=2)
                                for _ in range(lines)])
        if case is not None:
            self.references.append(case.reference)

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS),
          description=st.sampled_from(["valve", "", "gyro"]),
          quantity=st.sampled_from([1, 2.5, 0, -1]),
          currency=st.sampled_from(["EUR", "eur"]))
    def add_item(self, case, actor, description, quantity, currency):
        self.call("add item", self.service.add_item, self.case(case),
                  Item(line=0, description=description, quantity=quantity, currency=currency),
                  actor=self.user(actor))

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS), line=st.integers(1, 3),
          status=st.sampled_from(list(AssessmentStatus)),
          codes=st.lists(st.sampled_from(CODES), max_size=2),
          category=st.sampled_from([None, "I", "II"]),
          rationale=st.sampled_from(["because", "", "  "]))
    def assess(self, case, actor, line, status, codes, category, rationale):
        self.call("assess", self.service.assess, self.case(case), line=line, status=status,
                  entry_codes=codes, category=category, rationale=rationale,
                  actor=self.user(actor))

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS),
          factor=st.sampled_from(list(Factor)), finding=st.sampled_from(list(Finding)),
          note=st.sampled_from(["", "seen", "y" * 20_001]))
    def record_factor(self, case, actor, factor, finding, note):
        self.call("record factor", self.service.record_factor, self.case(case), factor=factor,
                  finding=finding, note=note, actor=self.user(actor))

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS))
    def acknowledge_flags(self, case, actor):
        self.call("acknowledge flags", self.service.acknowledge_flags, self.case(case),
                  actor=self.user(actor))

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS),
          end_use=st.sampled_from([None, "research", ""]),
          statement=st.sampled_from([None, "EUS-9"]),
          assurances=st.one_of(st.none(), st.sets(st.sampled_from(list(Assurance)))))
    def update_details(self, case, actor, end_use, statement, assurances):
        self.call("update details", self.service.update_details, self.case(case),
                  actor=self.user(actor), end_use=end_use, end_user_statement=statement,
                  assurances=assurances)

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS),
          text=st.sampled_from(["checked", "", "\u00e9t\u00e9 \U0001f680"]))
    def add_note(self, case, actor, text):
        self.call("add note", self.service.add_note, self.case(case), text=text,
                  actor=self.user(actor))

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS),
          reason=st.sampled_from(["applicant withdrew", ""]))
    def withdraw(self, case, actor, reason):
        self.call("withdraw", self.service.withdraw, self.case(case), actor=self.user(actor),
                  reason=reason)

    @rule(name=st.sampled_from(ACTORS))
    def failed_sign_in(self, name):
        self.call("failed sign-in", users.authenticate, self.store, username=name,
                  password="not the password")

    @rule(case=st.integers(0, 99), actor=st.sampled_from(["alice", "bob", "sam"]),
          controlled=st.booleans(),
          then_draft=st.sampled_from([None, Outcome.DENY, Outcome.NO_LICENCE_REQUIRED,
                                      Outcome.APPROVE_WITH_CONDITIONS, Outcome.APPROVE]),
          acknowledge=st.booleans())
    def complete_inputs(self, case, actor, controlled, then_draft, acknowledge):
        """Everything a draft needs, call by call (each call checked on its own); then,
        maybe, the draft."""
        self._complete(self.case(case), self.user(actor), controlled, then_draft, acknowledge)

    def _complete(self, reference, actor, controlled, then_draft, acknowledge):
        current = self.service.get(reference)
        for item in current.items:
            if controlled and item.line == 1:
                self.call("assess", self.service.assess, reference, line=item.line,
                          status=AssessmentStatus.CONTROLLED, entry_codes=["3.A.1"],
                          rationale="turbojet", actor=actor)
            else:
                self.call("assess", self.service.assess, reference, line=item.line,
                          status=AssessmentStatus.NOT_CONTROLLED, rationale="ordinary",
                          actor=actor)
        for factor in Factor:
            self.call("record factor", self.service.record_factor, reference, factor=factor,
                      finding=Finding.CONCERN if factor is Factor.F else Finding.NO_CONCERN,
                      actor=actor)
        if not acknowledge:
            self.call("acknowledge flags", self.service.acknowledge_flags, reference,
                      actor=actor)
        self.call("update details", self.service.update_details, reference, actor=actor,
                  end_user_statement="EUS-1", assurances=list(Assurance))
        if then_draft is not None:
            self.call("draft", self.service.draft_decision, reference, actor=actor,
                      password=PASSWORD, outcome=then_draft, rationale="sound",
                      conditions=("no re-export",)
                      if then_draft is Outcome.APPROVE_WITH_CONDITIONS else (),
                      presumption_acknowledged=True, acknowledge_flags=acknowledge)

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS),
          right_password=st.sampled_from([True, True, True, False]),
          outcome=st.sampled_from(list(Outcome)),
          rationale=st.sampled_from(["sound", ""]),
          conditions=st.sampled_from([(), ("no re-export",)]),
          presumption=st.booleans(), acknowledge=st.booleans())
    def draft(self, case, actor, right_password, outcome, rationale, conditions, presumption,
              acknowledge):
        self.call("draft", self.service.draft_decision, self.case(case), actor=self.user(actor),
                  password=PASSWORD if right_password else "wrong password", outcome=outcome,
                  rationale=rationale, conditions=conditions,
                  presumption_acknowledged=presumption, acknowledge_flags=acknowledge)

    @precondition(lambda self: any(
        self.service.get(r).status is CaseStatus.AWAITING_COUNTERSIGNATURE
        for r in self.references))
    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS),
          right_password=st.sampled_from([True, True, True, False]), agree=st.booleans(),
          comment=st.sampled_from(["revise", "revise", ""]))
    def countersign(self, case, actor, right_password, agree, comment):
        awaiting = [r for r in self.references
                    if self.service.get(r).status is CaseStatus.AWAITING_COUNTERSIGNATURE]
        self.call("countersign", self.service.countersign, awaiting[case % len(awaiting)],
                  actor=self.user(actor),
                  password=PASSWORD if right_password else "wrong password", agree=agree,
                  comment=comment)

    @rule(case=st.integers(0, 99), actor=st.sampled_from(ACTORS))
    def amend(self, case, actor):
        case = self.call("amend", self.service.amend, self.case(case), actor=self.user(actor),
                         reason="new end user")
        if case is not None:
            self.references.append(case.reference)


def _build_template(template_database: Path, folder: Path) -> Path:
    """The shipped editions plus five accounts (scrypt hashing is done once, here)."""
    path = folder / "with-users.sqlite"
    shutil.copyfile(template_database, path)
    store = open_database(path)
    try:
        admin = users.add_user(store, username="admin", display_name="Admin",
                               role=Role.ADMINISTRATOR, password=PASSWORD, actor=None)
        for name, role in PEOPLE.items():
            users.add_user(store, username=name, display_name=name.title(), role=role,
                           password=PASSWORD, actor=admin)
    finally:
        store.close()
    return path


def test_random_service_calls_keep_the_audit_exact(template_database, tmp_path):
    ServiceMachine.template = _build_template(template_database, tmp_path)
    ServiceMachine.scratch = tmp_path
    STATS.clear()
    DEVIATIONS.clear()
    run_state_machine_as_test(ServiceMachine, settings=settings(
        max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, database=None,
        # No shrinking: it can take minutes here; the failing run's steps are printed as
        # they are (at most STEPS of them).
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much]))
    ok = sum(v for k, v in STATS.items() if k.endswith(" ok"))
    refused = sum(v for k, v in STATS.items() if k.endswith(" refused"))
    print(f"\n[stateful services] {STATS['examples']} examples x up to {STEPS} steps, "
          f"{STATS['calls']} checked calls ({ok} ok, {refused} refused): "
          + ", ".join(f"{k} {v}" for k, v in sorted(STATS.items())
                      if k not in ("examples", "calls")))
    print("[stateful services] audit rows beyond one per changed record: "
          + (", ".join(f"{k} x{v}" for k, v in sorted(DEVIATIONS.items())) or "none"))
    assert STATS["draft ok"] >= STATS["examples"], dict(STATS)

