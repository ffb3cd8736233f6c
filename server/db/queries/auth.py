"""SQL for users, sessions, scope and the audit log."""

USER_BY_EMAIL = """
SELECT user_id, org_id, email, name, role, password_hash, disabled_at
FROM users WHERE email = %(email)s
"""

USER_BY_ID = """
SELECT user_id, org_id, email, name, role, disabled_at FROM users WHERE user_id = %(user_id)s
"""

INSERT_SESSION = """
INSERT INTO sessions (token_hash, user_id, expires_at) VALUES (%(token_hash)s, %(user_id)s, %(expires_at)s)
"""

#: A live session: not revoked, not expired, user not disabled.
SESSION_USER = """
SELECT u.user_id, u.org_id, u.email, u.name, u.role, s.expires_at
FROM sessions s JOIN users u USING (user_id)
WHERE s.token_hash = %(token_hash)s AND s.revoked_at IS NULL AND s.expires_at > now()
  AND u.disabled_at IS NULL
"""

REVOKE_SESSION = (
    "UPDATE sessions SET revoked_at = now() WHERE token_hash = %(token_hash)s AND revoked_at IS NULL"
)

REVOKE_USER_SESSIONS = (
    "UPDATE sessions SET revoked_at = now() WHERE user_id = %(user_id)s AND revoked_at IS NULL"
)

SET_PASSWORD = "UPDATE users SET password_hash = %(password_hash)s WHERE user_id = %(user_id)s"

ALL_ORG_STORES = "SELECT store_id FROM stores WHERE org_id = %(org_id)s"

REGION_STORES = """
SELECT s.store_id FROM stores s JOIN user_regions ur ON ur.region_id = s.region_id
WHERE ur.user_id = %(user_id)s AND s.org_id = %(org_id)s
"""

ASSIGNED_STORES = """
SELECT s.store_id FROM stores s JOIN user_stores us ON us.store_id = s.store_id
WHERE us.user_id = %(user_id)s AND s.org_id = %(org_id)s
"""

INSERT_AUDIT = """
INSERT INTO audit_log (org_id, actor_kind, actor_id, action, target, details)
VALUES (%(org_id)s, %(actor_kind)s, %(actor_id)s, %(action)s, %(target)s, %(details)s)
"""

AUDIT_FOR_ORG = """
SELECT audit_id, at, actor_kind, actor_id, action, target, details
FROM audit_log WHERE org_id = %(org_id)s ORDER BY at DESC, audit_id DESC LIMIT %(limit)s
"""
