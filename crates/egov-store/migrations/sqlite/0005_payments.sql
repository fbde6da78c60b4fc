-- egov payments schema, SQLite dialect.
-- Keep in step with ../postgres/0005_payments.sql: tests/schema.rs compares the two.
-- Money is whole đồng (INTEGER); timestamps RFC 3339 text with nine
-- fractional digits; dates ISO 8601 text; JSON as text; enums by their
-- kebab-case names.

-- Payment orders (lệnh thanh toán): what a dossier owes, sent to one gateway
-- under one reference. Every change raises `version` (compare-and-set).
CREATE TABLE payment_orders (
    id             TEXT NOT NULL PRIMARY KEY,
    dossier_code   TEXT NOT NULL REFERENCES dossiers (code),
    payer          TEXT NOT NULL REFERENCES accounts (id),
    -- The agency the fees are paid to.
    agency         TEXT NOT NULL,
    -- The fee lines, JSON.
    lines          TEXT NOT NULL,
    total          INTEGER NOT NULL CHECK (total > 0),
    status         TEXT NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'cancelled',
                                                   'expired', 'refunded', 'partially-refunded')),
    created_at     TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    paid_at        TEXT,
    gateway        TEXT NOT NULL,
    txn_ref        TEXT NOT NULL,
    transaction_no TEXT,
    refunded       INTEGER NOT NULL CHECK (refunded >= 0 AND refunded <= total),
    version        INTEGER NOT NULL CHECK (version >= 1),
    -- Credited, and the receipt's PDF or the dossier's move not yet done.
    -- sqlx Any driver cannot decode a SQLite column declared BOOLEAN: read
    -- it through CASE.
    follow_up      BOOLEAN NOT NULL CHECK (follow_up IN (0, 1)),
    updated_at     TEXT NOT NULL
);
CREATE UNIQUE INDEX payment_orders_txn_ref ON payment_orders (gateway, txn_ref);
-- At most one pending order per dossier.
CREATE UNIQUE INDEX payment_orders_pending ON payment_orders (dossier_code)
    WHERE status = 'pending';
CREATE INDEX payment_orders_dossier ON payment_orders (dossier_code, created_at);
CREATE INDEX payment_orders_expiry ON payment_orders (status, expires_at);
CREATE INDEX payment_orders_paid ON payment_orders (gateway, paid_at);
CREATE INDEX payment_orders_follow_up ON payment_orders (updated_at) WHERE follow_up;

-- Refunds (hoàn tiền), full or partial, by an authorised official.
CREATE TABLE payment_refunds (
    id           TEXT NOT NULL PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES payment_orders (id),
    amount       INTEGER NOT NULL CHECK (amount > 0),
    reason       TEXT NOT NULL,
    -- An account id, or `system` for the operator.
    refunded_by  TEXT NOT NULL,
    at           TEXT NOT NULL,
    status_after TEXT NOT NULL
);
CREATE INDEX payment_refunds_order ON payment_refunds (order_id, at);

-- Electronic receipts (biên lai điện tử): one per credited order, numbered
-- without gaps in their series; the PDF is in the blob store.
CREATE TABLE payment_receipts (
    id           TEXT NOT NULL PRIMARY KEY,
    order_id     TEXT NOT NULL REFERENCES payment_orders (id),
    series       TEXT NOT NULL,
    number       INTEGER NOT NULL CHECK (number >= 1),
    issued_at    TEXT NOT NULL,
    content_hash TEXT
);
CREATE UNIQUE INDEX payment_receipts_order ON payment_receipts (order_id);
CREATE UNIQUE INDEX payment_receipts_number ON payment_receipts (series, number);

-- The last number given in each receipt series.
CREATE TABLE payment_counters (
    name       TEXT NOT NULL PRIMARY KEY,
    last_value INTEGER NOT NULL CHECK (last_value >= 1)
);

-- Every message a gateway sent to the notification endpoint (IPN), with
-- what it did; those that need review wait for a finance officer.
CREATE TABLE payment_notifications (
    id           TEXT NOT NULL PRIMARY KEY,
    gateway      TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    raw_query    TEXT NOT NULL,
    txn_ref      TEXT,
    order_id     TEXT REFERENCES payment_orders (id),
    outcome      TEXT NOT NULL,
    detail       TEXT,
    needs_review BOOLEAN NOT NULL CHECK (needs_review IN (0, 1)),
    reviewed_at  TEXT,
    reviewed_by  TEXT,
    review_note  TEXT
);
CREATE INDEX payment_notifications_received ON payment_notifications (received_at);
CREATE INDEX payment_notifications_order ON payment_notifications (order_id, received_at);
CREATE INDEX payment_notifications_review ON payment_notifications (received_at)
    WHERE needs_review AND reviewed_at IS NULL;

-- Imported settlement files (file đối soát); the bytes are in the blob store.
CREATE TABLE payment_settlements (
    id          TEXT NOT NULL PRIMARY KEY,
    gateway     TEXT NOT NULL,
    first_day   TEXT NOT NULL,
    last_day    TEXT NOT NULL,
    file_hash   TEXT NOT NULL,
    row_count   INTEGER NOT NULL CHECK (row_count >= 0),
    imported_by TEXT,
    imported_at TEXT NOT NULL,
    -- The reconciliation's counts at import, JSON.
    summary     TEXT NOT NULL
);
CREATE INDEX payment_settlements_imported ON payment_settlements (imported_at);
