-- egov identity schema, SQLite dialect.
-- Keep in step with ../postgres/0002_identity.sql: tests/schema.rs compares the two.
-- Timestamps are RFC 3339 text with nine fractional digits (fixed width, so
-- text order is time order); dates ISO 8601 text; lists JSON text.
-- Secrets are never stored in clear: `*_hash` columns hold SHA-256 hex
-- digests, `password_hash` an argon2id PHC string.

-- Accounts (tài khoản) of citizens, organisations and officials.
CREATE TABLE accounts (
    id                               TEXT NOT NULL PRIMARY KEY,
    kind                             TEXT NOT NULL CHECK (kind IN ('citizen', 'organisation', 'official')),
    status                           TEXT NOT NULL CHECK (status IN ('active', 'locked')),
    -- The sign-in identifier: national ID, tax code or e-mail.
    login                            TEXT NOT NULL,
    full_name                        TEXT NOT NULL,
    -- Lower case, no diacritics (egov_domain::text::fold), for ordering by name.
    name_folded                      TEXT NOT NULL,
    national_id                      TEXT,
    date_of_birth                    TEXT,
    email                            TEXT,
    email_verified_at                TEXT,
    phone                            TEXT,
    phone_verified_at                TEXT,
    org_tax_code                     TEXT,
    org_name                         TEXT,
    org_representative_name          TEXT,
    org_representative_national_id   TEXT,
    -- Stored as 0/1 and read through CASE WHEN (see 0001, unit_successions.partial).
    totp_required                    BOOLEAN NOT NULL CHECK (totp_required IN (0, 1)),
    password_hash                    TEXT NOT NULL,
    totp_secret                      TEXT,
    created_at                       TEXT NOT NULL
);
CREATE UNIQUE INDEX accounts_login ON accounts (login);
CREATE UNIQUE INDEX accounts_national_id ON accounts (national_id);
CREATE UNIQUE INDEX accounts_email ON accounts (email);
CREATE INDEX accounts_name ON accounts (name_folded, id);

-- Roles (vai trò) officials hold in agencies.
CREATE TABLE role_assignments (
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    agency_code TEXT NOT NULL REFERENCES agencies (code),
    role        TEXT NOT NULL,
    PRIMARY KEY (account_id, agency_code, role)
);
CREATE INDEX role_assignments_agency ON role_assignments (agency_code, account_id);

-- One-time codes (mã xác thực) awaiting entry: one per account and purpose.
CREATE TABLE one_time_codes (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    purpose    TEXT NOT NULL CHECK (purpose IN ('verify-email', 'verify-phone', 'reset-password')),
    target     TEXT NOT NULL,
    code_hash  TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL CHECK (attempts >= 0),
    PRIMARY KEY (account_id, purpose)
);

-- Notification outbox: messages a background worker sends.
CREATE TABLE outbox (
    id         TEXT NOT NULL PRIMARY KEY,
    channel    TEXT NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient  TEXT NOT NULL,
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts   INTEGER NOT NULL CHECK (attempts >= 0),
    sent_at    TEXT,
    last_error TEXT
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE sent_at IS NULL;

-- Web sessions; the cookie holds a random token, only its hash is stored.
CREATE TABLE sessions (
    id_hash       TEXT NOT NULL PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    created_at    TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL,
    expires_at    TEXT NOT NULL,
    ip            TEXT,
    user_agent    TEXT,
    csrf_secret   TEXT NOT NULL,
    second_factor BOOLEAN NOT NULL CHECK (second_factor IN (0, 1)),
    revoked_at    TEXT
);
CREATE INDEX sessions_account ON sessions (account_id, created_at);

-- Failed attempts counted per key (`account:{id}`, `ip:{addr}`, ...).
CREATE TABLE throttles (
    key               TEXT NOT NULL PRIMARY KEY,
    failures          INTEGER NOT NULL CHECK (failures >= 0),
    window_started_at TEXT NOT NULL,
    locked_until      TEXT
);

-- Audit log (nhật ký): who did what, when, from where, and how it went.
CREATE TABLE audit_log (
    id         INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    at         TEXT NOT NULL,
    actor      TEXT,
    action     TEXT NOT NULL,
    subject    TEXT,
    ip         TEXT,
    user_agent TEXT,
    outcome    TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    detail     TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
CREATE INDEX audit_log_at ON audit_log (at, id);

-- OpenID Connect clients (relying parties).
CREATE TABLE oidc_clients (
    client_id                 TEXT NOT NULL PRIMARY KEY,
    name                      TEXT NOT NULL,
    kind                      TEXT NOT NULL CHECK (kind IN ('confidential', 'public')),
    secret_hash               TEXT,
    redirect_uris             TEXT NOT NULL,
    post_logout_redirect_uris TEXT NOT NULL,
    allowed_scopes            TEXT NOT NULL,
    grant_types               TEXT NOT NULL,
    created_at                TEXT NOT NULL
);

-- Authorization codes: single use (used_at set atomically), short-lived.
CREATE TABLE authorization_codes (
    code_hash             TEXT NOT NULL PRIMARY KEY,
    client_id             TEXT NOT NULL REFERENCES oidc_clients (client_id),
    account_id            TEXT NOT NULL REFERENCES accounts (id),
    redirect_uri          TEXT NOT NULL,
    scopes                TEXT NOT NULL,
    nonce                 TEXT,
    code_challenge        TEXT,
    code_challenge_method TEXT,
    auth_time             TEXT NOT NULL,
    created_at            TEXT NOT NULL,
    expires_at            TEXT NOT NULL,
    used_at               TEXT
);

-- Refresh tokens, rotated on each use; a family is one chain of rotations.
CREATE TABLE refresh_tokens (
    token_hash TEXT NOT NULL PRIMARY KEY,
    family_id  TEXT NOT NULL,
    client_id  TEXT NOT NULL REFERENCES oidc_clients (client_id),
    account_id TEXT NOT NULL REFERENCES accounts (id),
    scopes     TEXT NOT NULL,
    auth_time  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT,
    revoked_at TEXT
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

-- What a person granted a client (sự đồng ý), asked once.
CREATE TABLE consents (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    client_id  TEXT NOT NULL REFERENCES oidc_clients (client_id),
    scopes     TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- Token-signing keys: sign from activates_at to retires_at, verify until expires_at.
CREATE TABLE signing_keys (
    kid          TEXT NOT NULL PRIMARY KEY,
    alg          TEXT NOT NULL,
    private_pem  TEXT NOT NULL,
    public_jwk   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    activates_at TEXT NOT NULL,
    retires_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

-- Identities at an external identity provider linked to accounts.
CREATE TABLE external_identities (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_account ON external_identities (account_id);
