-- egov payments schema, PostgreSQL dialect.
-- Keep in step with ../sqlite/0005_payments.sql: tests/schema.rs compares the two.
-- Money is whole đồng (BIGINT); timestamps RFC 3339 text with nine
-- fractional digits; dates ISO 8601 text; JSON as text; enums by their
-- kebab-case names. Integers are BIGINT (the store binds 64-bit integers).
-- Text uses the "C" collation: compared and sorted byte-wise, as SQLite does.

-- Payment orders (lệnh thanh toán): what a dossier owes, sent to one gateway
-- under one reference. Every change raises `version` (compare-and-set).
CREATE TABLE payment_orders (
    id             TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    dossier_code   TEXT COLLATE "C" NOT NULL REFERENCES dossiers (code),
    payer          TEXT COLLATE "C" NOT NULL REFERENCES accounts (id),
    -- The agency the fees are paid to.
    agency         TEXT COLLATE "C" NOT NULL,
    -- The fee lines, JSON.
    lines          TEXT COLLATE "C" NOT NULL,
    total          BIGINT NOT NULL CHECK (total > 0),
    status         TEXT COLLATE "C" NOT NULL CHECK (status IN ('pending', 'paid', 'failed', 'cancelled',
                                                   'expired', 'refunded', 'partially-refunded')),
    created_at     TEXT COLLATE "C" NOT NULL,
    expires_at     TEXT COLLATE "C" NOT NULL,
    paid_at        TEXT COLLATE "C",
    gateway        TEXT COLLATE "C" NOT NULL,
    txn_ref        TEXT COLLATE "C" NOT NULL,
    transaction_no TEXT COLLATE "C",
    refunded       BIGINT NOT NULL CHECK (refunded >= 0 AND refunded <= total),
    version        BIGINT NOT NULL CHECK (version >= 1),
    -- Credited, and the receipt's PDF or the dossier's move not yet done.
    follow_up      BOOLEAN NOT NULL,
    updated_at     TEXT COLLATE "C" NOT NULL
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
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    order_id     TEXT COLLATE "C" NOT NULL REFERENCES payment_orders (id),
    amount       BIGINT NOT NULL CHECK (amount > 0),
    reason       TEXT COLLATE "C" NOT NULL,
    -- An account id, or `system` for the operator.
    refunded_by  TEXT COLLATE "C" NOT NULL,
    at           TEXT COLLATE "C" NOT NULL,
    status_after TEXT COLLATE "C" NOT NULL
);
CREATE INDEX payment_refunds_order ON payment_refunds (order_id, at);

-- Electronic receipts (biên lai điện tử): one per credited order, numbered
-- without gaps in their series; the PDF is in the blob store.
CREATE TABLE payment_receipts (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    order_id     TEXT COLLATE "C" NOT NULL REFERENCES payment_orders (id),
    series       TEXT COLLATE "C" NOT NULL,
    number       BIGINT NOT NULL CHECK (number >= 1),
    issued_at    TEXT COLLATE "C" NOT NULL,
    content_hash TEXT COLLATE "C"
);
CREATE UNIQUE INDEX payment_receipts_order ON payment_receipts (order_id);
CREATE UNIQUE INDEX payment_receipts_number ON payment_receipts (series, number);

-- The last number given in each receipt series.
CREATE TABLE payment_counters (
    name       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    last_value BIGINT NOT NULL CHECK (last_value >= 1)
);

-- Every message a gateway sent to the notification endpoint (IPN), with
-- what it did; those that need review wait for a finance officer.
CREATE TABLE payment_notifications (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    gateway      TEXT COLLATE "C" NOT NULL,
    received_at  TEXT COLLATE "C" NOT NULL,
    raw_query    TEXT COLLATE "C" NOT NULL,
    txn_ref      TEXT COLLATE "C",
    order_id     TEXT COLLATE "C" REFERENCES payment_orders (id),
    outcome      TEXT COLLATE "C" NOT NULL,
    detail       TEXT COLLATE "C",
    needs_review BOOLEAN NOT NULL,
    reviewed_at  TEXT COLLATE "C",
    reviewed_by  TEXT COLLATE "C",
    review_note  TEXT COLLATE "C"
);
CREATE INDEX payment_notifications_received ON payment_notifications (received_at);
CREATE INDEX payment_notifications_order ON payment_notifications (order_id, received_at);
CREATE INDEX payment_notifications_review ON payment_notifications (received_at)
    WHERE needs_review AND reviewed_at IS NULL;

-- Imported settlement files (file đối soát); the bytes are in the blob store.
CREATE TABLE payment_settlements (
    id          TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    gateway     TEXT COLLATE "C" NOT NULL,
    first_day   TEXT COLLATE "C" NOT NULL,
    last_day    TEXT COLLATE "C" NOT NULL,
    file_hash   TEXT COLLATE "C" NOT NULL,
    row_count   BIGINT NOT NULL CHECK (row_count >= 0),
    imported_by TEXT COLLATE "C",
    imported_at TEXT COLLATE "C" NOT NULL,
    -- The reconciliation's counts at import, JSON.
    summary     TEXT COLLATE "C" NOT NULL
);
CREATE INDEX payment_settlements_imported ON payment_settlements (imported_at);
