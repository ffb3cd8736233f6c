"""Bearer tokens, enrolment codes and password hashes.

Tokens are 256 random bits shown once; only their sha256 is stored, so a database leak
gives nobody a working token (a fast hash is right for high-entropy tokens; passwords, which
are low-entropy, get argon2id instead).
"""

from __future__ import annotations

import hashlib
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_HASHER = PasswordHasher()
#: Unambiguous characters for codes an installer types by hand (no 0/O, 1/I/L).
_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
MIN_PASSWORD_LENGTH = 10


def new_token() -> str:
    return secrets.token_urlsafe(32)


def new_enrolment_code(length: int = 10) -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _ in range(length))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_code(code: str) -> str:
    """Codes are case-insensitive and may be typed with dashes or spaces."""
    return "".join(ch for ch in code.upper() if ch.isalnum())


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return _HASHER.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


#: Verified against when the e-mail is unknown, so a wrong e-mail takes as long as a wrong password.
DUMMY_HASH = _HASHER.hash("not-a-real-password-" + secrets.token_hex(8))
