-- egov catalogue schema, SQLite dialect.
-- Keep in step with ../postgres/0001_catalogue.sql: tests/schema.rs compares the two.
-- Timestamps are RFC 3339 text, dates ISO 8601 text; integers are 64-bit.

-- Administrative units (đơn vị hành chính) of both eras; key: era + GSO code.
CREATE TABLE admin_units (
    era           TEXT NOT NULL CHECK (era IN ('current', 'pre-2025')),
    code          TEXT NOT NULL,
    level         TEXT NOT NULL CHECK (level IN ('province', 'district', 'commune')),
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    full_name     TEXT NOT NULL,
    name_en       TEXT,
    full_name_en  TEXT,
    -- Lower case, no diacritics (egov_domain::text::fold), for substring search.
    name_folded   TEXT NOT NULL,
    parent_code   TEXT,
    province_code TEXT NOT NULL,
    valid_from    TEXT,
    valid_to      TEXT,
    PRIMARY KEY (era, code),
    FOREIGN KEY (era, parent_code) REFERENCES admin_units (era, code)
);
CREATE INDEX admin_units_parent ON admin_units (era, parent_code, code);
CREATE INDEX admin_units_level ON admin_units (era, level, code);

-- Old (pre-2025) unit -> current unit that took over all or part of it.
-- The era columns are constants that let the foreign keys pin each end to its era.
CREATE TABLE unit_successions (
    old_era   TEXT NOT NULL DEFAULT 'pre-2025' CHECK (old_era = 'pre-2025'),
    old_code  TEXT NOT NULL,
    old_level TEXT NOT NULL CHECK (old_level IN ('province', 'district', 'commune')),
    new_era   TEXT NOT NULL DEFAULT 'current' CHECK (new_era = 'current'),
    new_code  TEXT NOT NULL,
    new_level TEXT NOT NULL CHECK (new_level IN ('province', 'commune')),
    -- Stored as 0/1. Read it through an expression (CASE WHEN partial ...): the
    -- sqlx Any driver cannot decode a SQLite column declared BOOLEAN.
    partial   BOOLEAN NOT NULL CHECK (partial IN (0, 1)),
    PRIMARY KEY (old_code, new_code),
    FOREIGN KEY (old_era, old_code) REFERENCES admin_units (era, code),
    FOREIGN KEY (new_era, new_code) REFERENCES admin_units (era, code)
);
CREATE INDEX unit_successions_new ON unit_successions (new_code, old_code);

-- Agencies (cơ quan): a tree; an agency may serve one current administrative unit.
CREATE TABLE agencies (
    code            TEXT NOT NULL PRIMARY KEY,
    name            TEXT NOT NULL,
    name_folded     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    parent_code     TEXT REFERENCES agencies (code),
    admin_unit_era  TEXT NOT NULL DEFAULT 'current' CHECK (admin_unit_era = 'current'),
    admin_unit_code TEXT,
    FOREIGN KEY (admin_unit_era, admin_unit_code) REFERENCES admin_units (era, code)
);
CREATE INDEX agencies_parent ON agencies (parent_code, code);
CREATE INDEX agencies_kind ON agencies (kind, code);
CREATE INDEX agencies_admin_unit ON agencies (admin_unit_code, code);

-- Procedures (thủ tục hành chính): one row per procedure pointing at its
-- current version; every version's content is kept as JSON text.
CREATE TABLE procedures (
    code            TEXT NOT NULL PRIMARY KEY,
    current_version INTEGER NOT NULL CHECK (current_version >= 1),
    name            TEXT NOT NULL,
    field           TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);

CREATE TABLE procedure_versions (
    code         TEXT NOT NULL REFERENCES procedures (code),
    version      INTEGER NOT NULL CHECK (version >= 1),
    recorded_at  TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    content      TEXT NOT NULL,
    PRIMARY KEY (code, version)
);

-- Small key/value markers ("demo data loaded"...).
CREATE TABLE settings (
    key   TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
);
