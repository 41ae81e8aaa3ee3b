"""Local accounts: adding users, signing in, and the password re-asked before signing.

Passwords are stored as scrypt hashes (standard library, a random salt each).
Five wrong passwords in a row lock the account for 15 minutes; every failed
attempt and the lockout are written to the audit chain.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import UTC, datetime, timedelta

from mtcr_desk.domain.errors import InvalidInputError, NotFoundError, RuleViolation
from mtcr_desk.domain.users import Role, User
from mtcr_desk.services.database import utc_now_iso
from mtcr_desk.storage import users as user_store
from mtcr_desk.storage.database import Store

MAX_FAILED_ATTEMPTS = 5
LOCKOUT = timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[a-z0-9._-]{1,64}$")

# scrypt cost: about 50 ms on an office laptop; slow enough to make guessing a stolen
# file expensive, fast enough for a password asked at every signature.
_SCRYPT_N, _SCRYPT_R, _SCRYPT_P = 2**14, 8, 1


class AuthenticationError(RuleViolation):
    """Wrong password, locked or disabled account (exit code 3: refused)."""


def hash_password(password: str) -> str:
    """Return the storable scrypt hash of a password."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_SCRYPT_N, r=_SCRYPT_R,
                            p=_SCRYPT_P, dklen=32)
    return f"scrypt${_SCRYPT_N}${_SCRYPT_R}${_SCRYPT_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    """Return True when ``password`` is the one ``stored`` was made from."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n),
                                   r=int(r), p=int(p), dklen=len(digest) // 2)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


def _now() -> datetime:
    return datetime.now(UTC)


def _validate_new_user(username: str, display_name: str, password: str) -> None:
    if not USERNAME_PATTERN.match(username):
        raise InvalidInputError(
            f"username {username!r}: use 1 to 64 lower-case letters, digits, '.', '_' or '-'")
    if not display_name.strip():
        raise InvalidInputError("name: give the user's full name")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"password: at least {MIN_PASSWORD_LENGTH} characters")


def has_users(store: Store) -> bool:
    """True once the database has its first account."""
    return user_store.count_users(store.connection) > 0


def add_user(store: Store, *, username: str, display_name: str, role: Role, password: str,
             actor: User | None) -> User:
    """Create an account. The first account is an administrator created by nobody;
    after that, only an administrator adds users."""
    _validate_new_user(username, display_name, password)
    password_hash = hash_password(password)
    with store.write() as connection:
        first = user_store.count_users(connection) == 0
        if first:
            if role is not Role.ADMINISTRATOR:
                raise RuleViolation("first user: a new database's first account is its "
                                    "administrator (--role administrator)")
            actor_name = username
        else:
            if actor is None or actor.role is not Role.ADMINISTRATOR:
                raise RuleViolation("add user: only an administrator adds users "
                                    "(sign in as one with --as)")
            actor_name = actor.username
        if user_store.get_user(connection, username) is not None:
            raise RuleViolation(f"add user: {username} already exists")
        return user_store.insert_user(connection, username=username, display_name=display_name,
                                      role=role, password_hash=password_hash,
                                      created_at=utc_now_iso(), actor=actor_name)


def authenticate(store: Store, *, username: str, password: str) -> User:
    """Return the signed-in user, or raise AuthenticationError and record the failure."""
    now = _now()
    with store.write() as connection:
        found = user_store.credentials(connection, username)
        if found is None:
            raise NotFoundError(f"No user {username!r}")
        user_id, stored_hash, failed, locked_until = found
        user = user_store.get_user(connection, username)
        assert user is not None
        if not user.active:
            raise AuthenticationError(f"{username}: the account is disabled")
        if locked_until is not None and datetime.fromisoformat(locked_until) > now:
            raise AuthenticationError(
                f"{username}: the account is locked after {MAX_FAILED_ATTEMPTS} wrong passwords "
                f"until {locked_until[11:16]} UTC")
        if password_matches(password, stored_hash):
            if failed or locked_until:
                user_store.record_sign_in(connection, user_id, failed_attempts=0,
                                          locked_until=None, actor=username, action="sign-in")
            return user_store.get_user(connection, username)  # type: ignore[return-value]
        failed += 1
        if failed >= MAX_FAILED_ATTEMPTS:
            until = (now + LOCKOUT).isoformat(timespec="seconds")
            user_store.record_sign_in(connection, user_id, failed_attempts=0,
                                      locked_until=until, actor=username, action="account locked")
            message = (f"{username}: wrong password; the account is locked for "
                       f"{int(LOCKOUT.total_seconds() // 60)} minutes")
        else:
            user_store.record_sign_in(connection, user_id, failed_attempts=failed,
                                      locked_until=None, actor=username,
                                      action="sign-in failed")
            left = MAX_FAILED_ATTEMPTS - failed
            message = f"{username}: wrong password ({left} attempt{'s' if left > 1 else ''} left)"
    # Raised after the transaction committed, so that the failure is on record.
    raise AuthenticationError(message)


def list_users(store: Store) -> list[User]:
    """Return every account."""
    return user_store.list_users(store.connection)


def get_user(store: Store, username: str) -> User | None:
    """Return one account, or None."""
    return user_store.get_user(store.connection, username)
