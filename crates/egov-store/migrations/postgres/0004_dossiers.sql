-- egov dossiers schema, PostgreSQL dialect.
-- Keep in step with ../sqlite/0004_dossiers.sql: tests/schema.rs compares the two.
-- Timestamps are RFC 3339 text with nine fractional digits (fixed width, so
-- text order is time order); dates ISO 8601 text; JSON as text; enums by
-- their kebab-case names.
-- Integers are BIGINT (the store binds 64-bit integers). Text uses the "C"
-- collation: compared and sorted byte-wise, as SQLite does.

-- Online service definitions (dịch vụ công trực tuyến), every version kept;
-- a new version only when the definition's JSON changes.
CREATE TABLE service_versions (
    procedure_code TEXT COLLATE "C" NOT NULL,
    version        BIGINT NOT NULL CHECK (version >= 1),
    recorded_at    TEXT COLLATE "C" NOT NULL,
    definition     TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (procedure_code, version)
);

-- Applications being filled in (bản nháp).
CREATE TABLE drafts (
    id             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    applicant      TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    procedure_code TEXT COLLATE "C" NOT NULL,
    agency_code    TEXT COLLATE "C" NOT NULL,
    -- The form values typed so far, JSON.
    form_values    TEXT COLLATE "C" NOT NULL,
    created_at     TEXT COLLATE "C" NOT NULL,
    updated_at     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX drafts_applicant ON drafts (applicant, updated_at);

-- Dossiers (hồ sơ): the current state; every change raises `version`.
CREATE TABLE dossiers (
    code                TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    procedure_code      TEXT COLLATE "C" NOT NULL,
    service_version     BIGINT NOT NULL,
    procedure_name      TEXT COLLATE "C" NOT NULL,
    applicant           TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    applicant_kind      TEXT COLLATE "C" NOT NULL,
    applicant_name      TEXT COLLATE "C" NOT NULL,
    channel             TEXT COLLATE "C" NOT NULL,
    receiving_agency    TEXT COLLATE "C" NOT NULL,
    handling_agency     TEXT COLLATE "C" NOT NULL,
    status              TEXT COLLATE "C" NOT NULL,
    step                BIGINT NOT NULL CHECK (step >= 0),
    awaiting            TEXT COLLATE "C",
    assignee            TEXT COLLATE "C",
    -- The validated form values, JSON.
    form                TEXT COLLATE "C" NOT NULL,
    submitted_at        TEXT COLLATE "C" NOT NULL,
    received_at         TEXT COLLATE "C",
    due_at              TEXT COLLATE "C",
    deadline_at         TEXT COLLATE "C",
    rescheduled_due_at  TEXT COLLATE "C",
    paused_since        TEXT COLLATE "C",
    paused_seconds      BIGINT NOT NULL,
    supplement_requests BIGINT NOT NULL CHECK (supplement_requests >= 0),
    finished_at         TEXT COLLATE "C",
    outcome             TEXT COLLATE "C",
    returned_at         TEXT COLLATE "C",
    rating              BIGINT CHECK (rating BETWEEN 1 AND 5),
    version             BIGINT NOT NULL CHECK (version >= 1)
);
CREATE INDEX dossiers_inbox ON dossiers (handling_agency, status);
CREATE INDEX dossiers_applicant ON dossiers (applicant, submitted_at);
CREATE INDEX dossiers_deadline ON dossiers (deadline_at);
CREATE INDEX dossiers_assignee ON dossiers (assignee);

-- The daily counter of each receiving unit, for dossier codes.
CREATE TABLE dossier_counters (
    unit     TEXT COLLATE "C" NOT NULL,
    day      TEXT COLLATE "C" NOT NULL,
    last_seq BIGINT NOT NULL CHECK (last_seq >= 1),
    PRIMARY KEY (unit, day)
);

-- Idempotency keys of submissions, per applicant, with what was submitted.
CREATE TABLE idempotency_keys (
    applicant    TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    key          TEXT COLLATE "C" NOT NULL,
    fingerprint  TEXT COLLATE "C" NOT NULL,
    dossier_code TEXT COLLATE "C" NOT NULL REFERENCES dossiers (code),
    created_at   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (applicant, key)
);

-- Uploaded files' records (tệp đính kèm); the bytes are in the blob store.
-- Each belongs to a draft or, once submitted, to a dossier.
CREATE TABLE attachments (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    draft_id     TEXT COLLATE "C" REFERENCES drafts (id),
    dossier_code TEXT COLLATE "C" REFERENCES dossiers (code),
    document_key TEXT COLLATE "C" NOT NULL,
    file_name    TEXT COLLATE "C" NOT NULL,
    media_type   TEXT COLLATE "C" NOT NULL CHECK (media_type IN ('pdf', 'jpeg', 'png')),
    size         BIGINT NOT NULL CHECK (size >= 0),
    content_hash TEXT COLLATE "C" NOT NULL,
    uploaded_by  TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    uploaded_at  TEXT COLLATE "C" NOT NULL,
    CHECK ((draft_id IS NULL) <> (dossier_code IS NULL))
);
CREATE INDEX attachments_draft ON attachments (draft_id);
CREATE INDEX attachments_dossier ON attachments (dossier_code);

-- The audit log of every dossier (nhật ký hồ sơ): one hash chain over all
-- dossiers. `at`, `actor`, `dossier_code`, `action` and `detail` are the
-- hashed content, stored exactly as hashed.
CREATE TABLE dossier_events (
    seq          BIGINT NOT NULL PRIMARY KEY,
    dossier_code TEXT COLLATE "C" NOT NULL REFERENCES dossiers (code),
    at           TEXT COLLATE "C" NOT NULL,
    actor        TEXT COLLATE "C" NOT NULL,
    action       TEXT COLLATE "C" NOT NULL,
    detail       TEXT COLLATE "C" NOT NULL,
    prev_hash    TEXT COLLATE "C" NOT NULL,
    hash         TEXT COLLATE "C" NOT NULL
);
CREATE INDEX dossier_events_dossier ON dossier_events (dossier_code, seq);

-- The chain's head, kept apart so that a removed tail is detected: one row.
CREATE TABLE dossier_chain_head (
    id   BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT COLLATE "C" NOT NULL
);
INSERT INTO dossier_chain_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Documents issued for dossiers (receipts, slips, results); bytes in the blob store.
CREATE TABLE issued_documents (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    dossier_code TEXT COLLATE "C" NOT NULL REFERENCES dossiers (code),
    kind         TEXT COLLATE "C" NOT NULL,
    file_name    TEXT COLLATE "C" NOT NULL,
    content_type TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C" NOT NULL,
    issued_at    TEXT COLLATE "C" NOT NULL
);
CREATE INDEX issued_documents_dossier ON issued_documents (dossier_code, issued_at);
CREATE INDEX issued_documents_hash ON issued_documents (content_hash);

-- In-app notifications (thông báo) of dossier changes.
CREATE TABLE notifications (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    account_id   TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    dossier_code TEXT COLLATE "C" NOT NULL REFERENCES dossiers (code),
    status       TEXT COLLATE "C" NOT NULL,
    action       TEXT COLLATE "C" NOT NULL,
    at           TEXT COLLATE "C" NOT NULL,
    read_at      TEXT COLLATE "C"
);
CREATE INDEX notifications_account ON notifications (account_id, at);

-- Days off and make-up working days an administrator declared (lịch làm việc).
CREATE TABLE calendar_overrides (
    day    TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    kind   TEXT COLLATE "C" NOT NULL CHECK (kind IN ('day-off', 'working-day')),
    reason TEXT COLLATE "C" NOT NULL
);

-- The platform's certificate authority: one row.
CREATE TABLE certificate_authority (
    id              BIGINT NOT NULL PRIMARY KEY CHECK (id = 1),
    private_key_pem TEXT COLLATE "C" NOT NULL,
    certificate_pem TEXT COLLATE "C" NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL
);

-- Each agency's signing key and certificate.
CREATE TABLE agency_certificates (
    agency_code     TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    private_key_pem TEXT COLLATE "C" NOT NULL,
    certificate_pem TEXT COLLATE "C" NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL
);
