//! Storage behaviour, run against every store the harness offers: SQLite
//! always, PostgreSQL too when TEST_DATABASE_URL is set.

// clippy.toml allows expect() inside #[test] functions only; the helpers of
// this test binary (fixtures, schema introspection) fail the test the same way.
#![allow(clippy::expect_used)]

mod agencies;
mod connect;
mod dossiers;
mod fixtures;
mod identity;
mod payments;
mod procedures;
mod schema;
mod units;
