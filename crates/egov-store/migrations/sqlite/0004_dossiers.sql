-- egov dossiers schema, SQLite dialect.
-- Keep in step with ../postgres/0004_dossiers.sql: tests/schema.rs compares the two.
-- Timestamps are RFC 3339 text with nine fractional digits (fixed width, so
-- text order is time order); dates ISO 8601 text; JSON as text; enums by
-- their kebab-case names.

-- Online service definitions (dịch vụ công trực tuyến), every version kept;
-- a new version only when the definition's JSON changes.
CREATE TABLE service_versions (
    procedure_code TEXT NOT NULL,
    version        INTEGER NOT NULL CHECK (version >= 1),
    recorded_at    TEXT NOT NULL,
    definition     TEXT NOT NULL,
    PRIMARY KEY (procedure_code, version)
);

-- Applications being filled in (bản nháp).
CREATE TABLE drafts (
    id             TEXT NOT NULL PRIMARY KEY,
    applicant      TEXT NOT NULL REFERENCES accounts (id),
    procedure_code TEXT NOT NULL,
    agency_code    TEXT NOT NULL,
    -- The form values typed so far, JSON.
    form_values    TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX drafts_applicant ON drafts (applicant, updated_at);

-- Dossiers (hồ sơ): the current state; every change raises `version`.
CREATE TABLE dossiers (
    code                TEXT NOT NULL PRIMARY KEY,
    procedure_code      TEXT NOT NULL,
    service_version     INTEGER NOT NULL,
    procedure_name      TEXT NOT NULL,
    applicant           TEXT NOT NULL REFERENCES accounts (id),
    applicant_kind      TEXT NOT NULL,
    applicant_name      TEXT NOT NULL,
    channel             TEXT NOT NULL,
    receiving_agency    TEXT NOT NULL,
    handling_agency     TEXT NOT NULL,
    status              TEXT NOT NULL,
    step                INTEGER NOT NULL CHECK (step >= 0),
    awaiting            TEXT,
    assignee            TEXT,
    -- The validated form values, JSON.
    form                TEXT NOT NULL,
    submitted_at        TEXT NOT NULL,
    received_at         TEXT,
    due_at              TEXT,
    deadline_at         TEXT,
    rescheduled_due_at  TEXT,
    paused_since        TEXT,
    paused_seconds      INTEGER NOT NULL,
    supplement_requests INTEGER NOT NULL CHECK (supplement_requests >= 0),
    finished_at         TEXT,
    outcome             TEXT,
    returned_at         TEXT,
    rating              INTEGER CHECK (rating BETWEEN 1 AND 5),
    version             INTEGER NOT NULL CHECK (version >= 1)
);
CREATE INDEX dossiers_inbox ON dossiers (handling_agency, status);
CREATE INDEX dossiers_applicant ON dossiers (applicant, submitted_at);
CREATE INDEX dossiers_deadline ON dossiers (deadline_at);
CREATE INDEX dossiers_assignee ON dossiers (assignee);

-- The daily counter of each receiving unit, for dossier codes.
CREATE TABLE dossier_counters (
    unit     TEXT NOT NULL,
    day      TEXT NOT NULL,
    last_seq INTEGER NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (unit, day)
);

-- Idempotency keys of submissions, per applicant, with what was submitted.
CREATE TABLE idempotency_keys (
    applicant    TEXT NOT NULL REFERENCES accounts (id),
    key          TEXT NOT NULL,
    fingerprint  TEXT NOT NULL,
    dossier_code TEXT NOT NULL REFERENCES dossiers (code),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (applicant, key)
);

-- Uploaded files' records (tệp đính kèm); the bytes are in the blob store.
-- Each belongs to a draft or, once submitted, to a dossier.
CREATE TABLE attachments (
    id           TEXT NOT NULL PRIMARY KEY,
    draft_id     TEXT REFERENCES drafts (id),
    dossier_code TEXT REFERENCES dossiers (code),
    document_key TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    media_type   TEXT NOT NULL CHECK (media_type IN ('pdf', 'jpeg', 'png')),
    size         INTEGER NOT NULL CHECK (size >= 0),
    content_hash TEXT NOT NULL,
    uploaded_by  TEXT NOT NULL REFERENCES accounts (id),
    uploaded_at  TEXT NOT NULL,
    CHECK ((draft_id IS NULL) <> (dossier_code IS NULL))
);
CREATE INDEX attachments_draft ON attachments (draft_id);
CREATE INDEX attachments_dossier ON attachments (dossier_code);

-- The audit log of every dossier (nhật ký hồ sơ): one hash chain over all
-- dossiers. `at`, `actor`, `dossier_code`, `action` and `detail` are the
-- hashed content, stored exactly as hashed.
CREATE TABLE dossier_events (
    seq          INTEGER NOT NULL PRIMARY KEY,
    dossier_code TEXT NOT NULL REFERENCES dossiers (code),
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX dossier_events_dossier ON dossier_events (dossier_code, seq);

-- The chain's head, kept apart so that a removed tail is detected: one row.
CREATE TABLE dossier_chain_head (
    id   INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO dossier_chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Documents issued for dossiers (receipts, slips, results); bytes in the blob store.
CREATE TABLE issued_documents (
    id           TEXT NOT NULL PRIMARY KEY,
    dossier_code TEXT NOT NULL REFERENCES dossiers (code),
    kind         TEXT NOT NULL,
    file_name    TEXT NOT NULL,
    content_type TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    issued_at    TEXT NOT NULL
);
CREATE INDEX issued_documents_dossier ON issued_documents (dossier_code, issued_at);
CREATE INDEX issued_documents_hash ON issued_documents (content_hash);

-- In-app notifications (thông báo) of dossier changes.
CREATE TABLE notifications (
    id           TEXT NOT NULL PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    dossier_code TEXT NOT NULL REFERENCES dossiers (code),
    status       TEXT NOT NULL,
    action       TEXT NOT NULL,
    at           TEXT NOT NULL,
    read_at      TEXT
);
CREATE INDEX notifications_account ON notifications (account_id, at);

-- Days off and make-up working days an administrator declared (lịch làm việc).
CREATE TABLE calendar_overrides (
    day    TEXT NOT NULL PRIMARY KEY,
    kind   TEXT NOT NULL CHECK (kind IN ('day-off', 'working-day')),
    reason TEXT NOT NULL
);

-- The platform's certificate authority: one row.
CREATE TABLE certificate_authority (
    id              INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    private_key_pem TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

-- Each agency's signing key and certificate.
CREATE TABLE agency_certificates (
    agency_code     TEXT NOT NULL PRIMARY KEY,
    private_key_pem TEXT NOT NULL,
    certificate_pem TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
