//! Both migration sets must describe the same schema: tables, columns (name,
//! type family, nullability), primary keys, indexes and foreign keys.
//! The PostgreSQL half runs when TEST_DATABASE_URL is set.

use std::collections::{BTreeMap, BTreeSet};

use egov_store::SqlStore;
use sqlx::{Connection, PgConnection, SqliteConnection};

/// (column name, type family, nullable)
type Column = (String, String, bool);

#[derive(Debug, Default, PartialEq, Eq)]
struct Schema {
    columns: BTreeMap<String, Vec<Column>>,
    primary_keys: BTreeMap<String, Vec<String>>,
    /// index name → (table, columns, unique)
    indexes: BTreeMap<String, (String, Vec<String>, bool)>,
    /// (table, columns, referenced table, referenced columns)
    foreign_keys: BTreeSet<(String, Vec<String>, String, Vec<String>)>,
}

/// The family a declared type belongs to, the same on both databases.
fn family(declared: &str) -> String {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        "integer".into()
    } else if t.contains("char") || t.contains("text") || t.contains("clob") {
        "text".into()
    } else if t.starts_with("bool") {
        "boolean".into()
    } else {
        t
    }
}

async fn sqlite_schema(url: &str) -> Schema {
    let mut conn = SqliteConnection::connect(url).await.expect("sqlite");
    let mut schema = Schema::default();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(&mut conn)
    .await
    .expect("tables");
    for table in tables {
        let cols: Vec<(String, String, i64, i64)> = sqlx::query_as(
            r#"SELECT name, type, "notnull", pk FROM pragma_table_info($1) ORDER BY cid"#,
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .expect("columns");
        let mut pk: Vec<(i64, String)> = cols
            .iter()
            .filter(|c| c.3 > 0)
            .map(|c| (c.3, c.0.clone()))
            .collect();
        pk.sort();
        schema
            .primary_keys
            .insert(table.clone(), pk.into_iter().map(|(_, c)| c).collect());
        schema.columns.insert(
            table.clone(),
            cols.into_iter()
                .map(|(name, ty, notnull, _)| (name, family(&ty), notnull == 0))
                .collect(),
        );
        let fks: Vec<(i64, String, String, String)> = sqlx::query_as(
            r#"SELECT id, "table", "from", "to" FROM pragma_foreign_key_list($1) ORDER BY id, seq"#,
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .expect("foreign keys");
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for (id, target, from, to) in fks {
            let entry = by_id.entry(id).or_insert_with(|| (target, vec![], vec![]));
            entry.1.push(from);
            entry.2.push(to);
        }
        for (_, (target, from, to)) in by_id {
            schema
                .foreign_keys
                .insert((table.clone(), from, target, to));
        }
        let indexes: Vec<(String, i64)> = sqlx::query_as(
            r#"SELECT name, "unique" FROM pragma_index_list($1) WHERE origin = 'c' ORDER BY name"#,
        )
        .bind(&table)
        .fetch_all(&mut conn)
        .await
        .expect("indexes");
        for (index, unique) in indexes {
            let cols: Vec<String> =
                sqlx::query_scalar("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(&mut conn)
                    .await
                    .expect("index columns");
            schema
                .indexes
                .insert(index, (table.clone(), cols, unique != 0));
        }
    }
    schema
}

async fn postgres_schema(url: &str) -> Schema {
    let mut conn = PgConnection::connect(url).await.expect("postgres");
    let mut schema = Schema::default();
    let cols: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .expect("columns");
    for (table, column, ty, nullable) in cols {
        schema
            .columns
            .entry(table)
            .or_default()
            .push((column, family(&ty), nullable == "YES"));
    }
    let pks: Vec<(String, String)> = sqlx::query_as(
        "SELECT tc.table_name::text, kcu.column_name::text \
         FROM information_schema.table_constraints tc \
         JOIN information_schema.key_column_usage kcu \
           ON kcu.constraint_name = tc.constraint_name AND kcu.table_schema = tc.table_schema \
         WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = current_schema() \
           AND tc.table_name <> '_sqlx_migrations' \
         ORDER BY tc.table_name, kcu.ordinal_position",
    )
    .fetch_all(&mut conn)
    .await
    .expect("primary keys");
    for (table, column) in pks {
        schema.primary_keys.entry(table).or_default().push(column);
    }
    let indexes: Vec<(String, String, bool, Vec<String>)> = sqlx::query_as(
        "SELECT i.relname::text, t.relname::text, x.indisunique, \
           ARRAY(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, ord) \
                 JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum ORDER BY k.ord) \
         FROM pg_index x \
         JOIN pg_class i ON i.oid = x.indexrelid \
         JOIN pg_class t ON t.oid = x.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = current_schema() AND NOT x.indisprimary",
    )
    .fetch_all(&mut conn)
    .await
    .expect("indexes");
    for (index, table, unique, cols) in indexes {
        schema.indexes.insert(index, (table, cols, unique));
    }
    let fks: Vec<(String, String, Vec<String>, Vec<String>)> = sqlx::query_as(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text, \
           ARRAY(SELECT a.attname::text FROM unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
                 JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum ORDER BY k.ord), \
           ARRAY(SELECT a.attname::text FROM unnest(c.confkey) WITH ORDINALITY AS k(attnum, ord) \
                 JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum ORDER BY k.ord) \
         FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace \
         WHERE c.contype = 'f' AND n.nspname = current_schema()",
    )
    .fetch_all(&mut conn)
    .await
    .expect("foreign keys");
    for (table, target, from, to) in fks {
        schema.foreign_keys.insert((table, from, target, to));
    }
    schema
}

async fn migrated(url: &str) {
    let store = SqlStore::connect(url).await.expect("connect");
    store.migrate().await.expect("migrate");
    store.close().await;
}

#[tokio::test]
async fn both_migration_sets_give_the_same_schema() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite_url = format!("sqlite://{}/schema.db", dir.path().display());
    migrated(&sqlite_url).await;
    let sqlite = sqlite_schema(&sqlite_url).await;

    // The SQLite half alone must already describe the catalogue, identity, dossiers and payments.
    let tables: Vec<&str> = sqlite.columns.keys().map(String::as_str).collect();
    assert_eq!(
        tables,
        [
            "accounts",
            "admin_units",
            "agencies",
            "agency_certificates",
            "attachments",
            "audit_log",
            "authorization_codes",
            "calendar_overrides",
            "certificate_authority",
            "consents",
            "dossier_chain_head",
            "dossier_counters",
            "dossier_events",
            "dossiers",
            "drafts",
            "external_identities",
            "idempotency_keys",
            "issued_documents",
            "notifications",
            "oidc_clients",
            "one_time_codes",
            "outbox",
            "payment_counters",
            "payment_notifications",
            "payment_orders",
            "payment_receipts",
            "payment_refunds",
            "payment_settlements",
            "procedure_versions",
            "procedures",
            "refresh_tokens",
            "role_assignments",
            "service_versions",
            "sessions",
            "settings",
            "signing_keys",
            "throttles",
            "unit_successions"
        ]
    );
    assert_eq!(sqlite.primary_keys["admin_units"], ["era", "code"]);
    assert!(
        sqlite.indexes.contains_key("admin_units_parent"),
        "{:?}",
        sqlite.indexes
    );
    assert!(
        sqlite.foreign_keys.contains(&(
            "admin_units".into(),
            vec!["era".into(), "parent_code".into()],
            "admin_units".into(),
            vec!["era".into(), "code".into()],
        )),
        "{:?}",
        sqlite.foreign_keys
    );

    let Some(db) = egov_store::testing::fresh_postgres_database() else {
        println!("TEST_DATABASE_URL is not set: PostgreSQL half of the schema comparison skipped");
        return;
    };
    migrated(db.url()).await;
    let postgres = postgres_schema(db.url()).await;
    assert_eq!(sqlite.columns, postgres.columns, "columns differ");
    assert_eq!(
        sqlite.primary_keys, postgres.primary_keys,
        "primary keys differ"
    );
    assert_eq!(sqlite.indexes, postgres.indexes, "indexes differ");
    assert_eq!(
        sqlite.foreign_keys, postgres.foreign_keys,
        "foreign keys differ"
    );
}
