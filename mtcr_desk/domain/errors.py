"""Domain exceptions, each with a message a licensing officer can read.

Every error carries the process exit code the CLI uses for it. The codes are
fixed for every command, present and future:

====  =========================================================
0     ok
1     not found
2     invalid input or usage
3     refused by a rule
4     storage problem (locked, read-only, not our file, newer schema)
====  =========================================================
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_NOT_FOUND = 1
EXIT_INVALID_INPUT = 2
EXIT_RULE_REFUSED = 3
EXIT_STORAGE = 4


class MtcrDeskError(Exception):
    """Base of every error the application reports to its user."""

    exit_code = EXIT_INVALID_INPUT

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFoundError(MtcrDeskError):
    """Something the user named does not exist (an entry code, an edition)."""

    exit_code = EXIT_NOT_FOUND


class InvalidInputError(MtcrDeskError):
    """The user's input cannot be used as given (bad file, bad argument)."""

    exit_code = EXIT_INVALID_INPUT


class RuleViolation(MtcrDeskError):
    """A licensing rule refuses the action; the message says what would satisfy it."""

    exit_code = EXIT_RULE_REFUSED


class StorageError(MtcrDeskError):
    """The database cannot be used: locked, read-only, damaged or not ours."""

    exit_code = EXIT_STORAGE


class NotOurDatabaseError(StorageError):
    """The file is not an MTCR Desk database; it is left untouched."""


class NewerSchemaError(StorageError):
    """The database was written by a newer version of MTCR Desk."""


class DatabaseLockedError(StorageError):
    """Another program holds the write lock for longer than the busy timeout."""


class RulesNotMet(RuleViolation):
    """Several licensing rules refuse the action; ``failures`` lists every one."""

    def __init__(self, action: str, failures: list):
        self.action = action
        self.failures = list(failures)
        count = len(self.failures)
        super().__init__(
            f"{action}: {count} rule{'s are' if count > 1 else ' is'} not met: "
            + "; ".join(str(failure) for failure in self.failures))
