-- egov identity schema, PostgreSQL dialect.
-- Keep in step with ../sqlite/0002_identity.sql: tests/schema.rs compares the two.
-- Timestamps are RFC 3339 text with nine fractional digits (fixed width, so
-- text order is time order); dates ISO 8601 text; lists JSON text.
-- Secrets are never stored in clear: `*_hash` columns hold SHA-256 hex
-- digests, `password_hash` an argon2id PHC string.
-- Integers are BIGINT (the store binds 64-bit integers). Text uses the "C"
-- collation: compared and sorted byte-wise, as SQLite does.

-- Accounts (tài khoản) of citizens, organisations and officials.
CREATE TABLE accounts (
    id                               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    kind                             TEXT COLLATE "C" NOT NULL CHECK (kind IN ('citizen', 'organisation', 'official')),
    status                           TEXT COLLATE "C" NOT NULL CHECK (status IN ('active', 'locked')),
    -- The sign-in identifier: national ID, tax code or e-mail.
    login                            TEXT COLLATE "C" NOT NULL,
    full_name                        TEXT COLLATE "C" NOT NULL,
    -- Lower case, no diacritics (egov_domain::text::fold), for ordering by name.
    name_folded                      TEXT COLLATE "C" NOT NULL,
    national_id                      TEXT COLLATE "C",
    date_of_birth                    TEXT COLLATE "C",
    email                            TEXT COLLATE "C",
    email_verified_at                TEXT COLLATE "C",
    phone                            TEXT COLLATE "C",
    phone_verified_at                TEXT COLLATE "C",
    org_tax_code                     TEXT COLLATE "C",
    org_name                         TEXT COLLATE "C",
    org_representative_name          TEXT COLLATE "C",
    org_representative_national_id   TEXT COLLATE "C",
    -- Stored as 0/1 and read through CASE WHEN (see 0001, unit_successions.partial).
    totp_required                    BOOLEAN NOT NULL,
    password_hash                    TEXT COLLATE "C" NOT NULL,
    totp_secret                      TEXT COLLATE "C",
    created_at                       TEXT COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX accounts_login ON accounts (login);
CREATE UNIQUE INDEX accounts_national_id ON accounts (national_id);
CREATE UNIQUE INDEX accounts_email ON accounts (email);
CREATE INDEX accounts_name ON accounts (name_folded, id);

-- Roles (vai trò) officials hold in agencies.
CREATE TABLE role_assignments (
    account_id  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    agency_code TEXT COLLATE "C" NOT NULL REFERENCES agencies (code),
    role        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, agency_code, role)
);
CREATE INDEX role_assignments_agency ON role_assignments (agency_code, account_id);

-- One-time codes (mã xác thực) awaiting entry: one per account and purpose.
CREATE TABLE one_time_codes (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    purpose    TEXT COLLATE "C" NOT NULL CHECK (purpose IN ('verify-email', 'verify-phone', 'reset-password')),
    target     TEXT COLLATE "C" NOT NULL,
    code_hash  TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    attempts   BIGINT NOT NULL CHECK (attempts >= 0),
    PRIMARY KEY (account_id, purpose)
);

-- Notification outbox: messages a background worker sends.
CREATE TABLE outbox (
    id         TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    channel    TEXT COLLATE "C" NOT NULL CHECK (channel IN ('email', 'sms')),
    recipient  TEXT COLLATE "C" NOT NULL,
    subject    TEXT COLLATE "C" NOT NULL,
    body       TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    attempts   BIGINT NOT NULL CHECK (attempts >= 0),
    sent_at    TEXT COLLATE "C",
    last_error TEXT COLLATE "C"
);
CREATE INDEX outbox_pending ON outbox (created_at) WHERE sent_at IS NULL;

-- Web sessions; the cookie holds a random token, only its hash is stored.
CREATE TABLE sessions (
    id_hash       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    created_at    TEXT COLLATE "C" NOT NULL,
    last_seen_at  TEXT COLLATE "C" NOT NULL,
    expires_at    TEXT COLLATE "C" NOT NULL,
    ip            TEXT COLLATE "C",
    user_agent    TEXT COLLATE "C",
    csrf_secret   TEXT COLLATE "C" NOT NULL,
    second_factor BOOLEAN NOT NULL,
    revoked_at    TEXT COLLATE "C"
);
CREATE INDEX sessions_account ON sessions (account_id, created_at);

-- Failed attempts counted per key (`account:{id}`, `ip:{addr}`, ...).
CREATE TABLE throttles (
    key               TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    failures          BIGINT NOT NULL CHECK (failures >= 0),
    window_started_at TEXT COLLATE "C" NOT NULL,
    locked_until      TEXT COLLATE "C"
);

-- Audit log (nhật ký): who did what, when, from where, and how it went.
CREATE TABLE audit_log (
    id         BIGSERIAL NOT NULL PRIMARY KEY,
    at         TEXT COLLATE "C" NOT NULL,
    actor      TEXT COLLATE "C",
    action     TEXT COLLATE "C" NOT NULL,
    subject    TEXT COLLATE "C",
    ip         TEXT COLLATE "C",
    user_agent TEXT COLLATE "C",
    outcome    TEXT COLLATE "C" NOT NULL CHECK (outcome IN ('success', 'failure')),
    detail     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log (actor, at);
CREATE INDEX audit_log_subject ON audit_log (subject, at);
CREATE INDEX audit_log_at ON audit_log (at, id);

-- OpenID Connect clients (relying parties).
CREATE TABLE oidc_clients (
    client_id                 TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name                      TEXT COLLATE "C" NOT NULL,
    kind                      TEXT COLLATE "C" NOT NULL CHECK (kind IN ('confidential', 'public')),
    secret_hash               TEXT COLLATE "C",
    redirect_uris             TEXT COLLATE "C" NOT NULL,
    post_logout_redirect_uris TEXT COLLATE "C" NOT NULL,
    allowed_scopes            TEXT COLLATE "C" NOT NULL,
    grant_types               TEXT COLLATE "C" NOT NULL,
    created_at                TEXT COLLATE "C" NOT NULL
);

-- Authorization codes: single use (used_at set atomically), short-lived.
CREATE TABLE authorization_codes (
    code_hash             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    client_id             TEXT COLLATE "C" NOT NULL REFERENCES oidc_clients (client_id),
    account_id            TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    redirect_uri          TEXT COLLATE "C" NOT NULL,
    scopes                TEXT COLLATE "C" NOT NULL,
    nonce                 TEXT COLLATE "C",
    code_challenge        TEXT COLLATE "C",
    code_challenge_method TEXT COLLATE "C",
    auth_time             TEXT COLLATE "C" NOT NULL,
    created_at            TEXT COLLATE "C" NOT NULL,
    expires_at            TEXT COLLATE "C" NOT NULL,
    used_at               TEXT COLLATE "C"
);

-- Refresh tokens, rotated on each use; a family is one chain of rotations.
CREATE TABLE refresh_tokens (
    token_hash TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    family_id  TEXT COLLATE "C" NOT NULL,
    client_id  TEXT COLLATE "C" NOT NULL REFERENCES oidc_clients (client_id),
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    scopes     TEXT COLLATE "C" NOT NULL,
    auth_time  TEXT COLLATE "C" NOT NULL,
    created_at TEXT COLLATE "C" NOT NULL,
    expires_at TEXT COLLATE "C" NOT NULL,
    used_at    TEXT COLLATE "C",
    revoked_at TEXT COLLATE "C"
);
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_account ON refresh_tokens (account_id);

-- What a person granted a client (sự đồng ý), asked once.
CREATE TABLE consents (
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    client_id  TEXT COLLATE "C" NOT NULL REFERENCES oidc_clients (client_id),
    scopes     TEXT COLLATE "C" NOT NULL,
    granted_at TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, client_id)
);

-- Token-signing keys: sign from activates_at to retires_at, verify until expires_at.
CREATE TABLE signing_keys (
    kid          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    alg          TEXT COLLATE "C" NOT NULL,
    private_pem  TEXT COLLATE "C" NOT NULL,
    public_jwk   TEXT COLLATE "C" NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    activates_at TEXT COLLATE "C" NOT NULL,
    retires_at   TEXT COLLATE "C" NOT NULL,
    expires_at   TEXT COLLATE "C" NOT NULL
);

-- Identities at an external identity provider linked to accounts.
CREATE TABLE external_identities (
    issuer     TEXT COLLATE "C" NOT NULL,
    subject    TEXT COLLATE "C" NOT NULL,
    account_id TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX external_identities_account ON external_identities (account_id);
