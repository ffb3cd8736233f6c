-- People who sign in, their roles and scope, bearer sessions and the audit log.

CREATE TABLE users (
    user_id        uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_id         uuid NOT NULL REFERENCES organisations (org_id) ON DELETE CASCADE,
    email          text NOT NULL CHECK (email = lower(email) AND position('@' in email) > 1),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    role           text NOT NULL CHECK (role IN ('hq_admin', 'regional_manager', 'store_manager', 'installer', 'analyst')),
    -- argon2id (argon2-cffi) encoded hash; never the password.
    password_hash  text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    disabled_at    timestamptz,
    UNIQUE (email)
);
CREATE INDEX users_org_idx ON users (org_id);

-- Regional managers see the stores of these regions.
CREATE TABLE user_regions (
    user_id    uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    region_id  text NOT NULL REFERENCES regions (region_id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, region_id)
);

-- Store managers and installers see these stores.
CREATE TABLE user_stores (
    user_id   uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    store_id  text NOT NULL REFERENCES stores (store_id) ON DELETE CASCADE,
    PRIMARY KEY (user_id, store_id)
);

-- OAuth2 bearer sessions: sha256 of the token, with expiry and revocation.
CREATE TABLE sessions (
    token_hash  text PRIMARY KEY,
    user_id     uuid NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    revoked_at  timestamptz
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- Who did what, when: logins, imports, erasures, device enrolments, configuration changes.
CREATE TABLE audit_log (
    audit_id    bigserial PRIMARY KEY,
    org_id      uuid REFERENCES organisations (org_id) ON DELETE CASCADE,
    at          timestamptz NOT NULL DEFAULT now(),
    actor_kind  text NOT NULL CHECK (actor_kind IN ('user', 'device', 'system', 'anonymous')),
    actor_id    text,
    action      text NOT NULL,
    target      text,
    details     jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_org_at_idx ON audit_log (org_id, at DESC);
