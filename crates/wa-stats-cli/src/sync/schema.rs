//! The tables, as SQL for either engine, and their migrations.
//!
//! Counter columns are always quoted: `drop` is an SQL keyword (queries write `"drop"`).
//!
//! Version 1: `daily_statistics` (one row per campaign and UTC day, one column per counter of the
//! model, `extra`, `fetched_at`) and `sync_state` (the range each campaign is synced over). The
//! version lives in `wa_stats_schema`; each migration runs in the transaction that records it.
//! Beside the versions, a counter column the model gained since the table was made is added on
//! open (`ALTER TABLE … ADD COLUMN`, NULL for the days fetched before), so that a newer binary
//! never drops a counter on the floor.

use super::columns::{Column, Kind};

/// The schema version this binary writes.
pub(crate) const VERSION: i64 = 1;

/// What differs between the engines' SQL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite: `?1` placeholders, INTEGER and REAL.
    Sqlite,
    /// PostgreSQL: `$1` placeholders, BIGINT and DOUBLE PRECISION.
    Postgres,
}

impl Dialect {
    /// The SQL type of a counter column.
    pub(crate) const fn type_of(self, kind: Kind) -> &'static str {
        match (self, kind) {
            (Self::Sqlite, Kind::Integer) => "INTEGER",
            (Self::Sqlite, Kind::Real) => "REAL",
            (Self::Postgres, Kind::Integer) => "BIGINT",
            (Self::Postgres, Kind::Real) => "DOUBLE PRECISION",
        }
    }

    /// The `n`th placeholder, from 1.
    pub(crate) fn placeholder(self, n: usize) -> String {
        match self {
            Self::Sqlite => format!("?{n}"),
            Self::Postgres => format!("${n}"),
        }
    }

    /// The type of `campaign_id`.
    const fn id_type(self) -> &'static str {
        match self {
            Self::Sqlite => "INTEGER",
            Self::Postgres => "BIGINT",
        }
    }
}

/// The version table, made before anything else.
pub(crate) const VERSION_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS wa_stats_schema (version BIGINT NOT NULL)";

/// The statements of migration `version` (from 1).
pub(crate) fn migration(dialect: Dialect, columns: &[Column], version: i64) -> Vec<String> {
    let id = dialect.id_type();
    match version {
        1 => {
            let counters: String = columns
                .iter()
                .map(|c| format!("    \"{}\" {},\n", c.name, dialect.type_of(c.kind)))
                .collect();
            vec![
                format!(
                    "CREATE TABLE daily_statistics (\n    campaign_id {id} NOT NULL,\n    \
                     day TEXT NOT NULL,\n{counters}    extra TEXT,\n    \
                     fetched_at TEXT NOT NULL,\n    PRIMARY KEY (campaign_id, day)\n)"
                ),
                format!(
                    "CREATE TABLE sync_state (\n    campaign_id {id} PRIMARY KEY,\n    \
                     first_day TEXT NOT NULL,\n    last_day TEXT NOT NULL,\n    \
                     synced_at TEXT NOT NULL\n)"
                ),
            ]
        }
        _ => Vec::new(),
    }
}

/// `ALTER TABLE` for a counter column the table lacks.
pub(crate) fn add_column(dialect: Dialect, column: &Column) -> String {
    format!(
        "ALTER TABLE daily_statistics ADD COLUMN \"{}\" {}",
        column.name,
        dialect.type_of(column.kind)
    )
}

/// The upsert of one day: `campaign_id, day, counters…, extra, fetched_at`.
pub(crate) fn upsert(dialect: Dialect, columns: &[Column]) -> String {
    let all: Vec<String> = ["campaign_id", "day"]
        .into_iter()
        .map(str::to_owned)
        .chain(columns.iter().map(|c| format!("\"{}\"", c.name)))
        .chain(["extra".to_owned(), "fetched_at".to_owned()])
        .collect();
    let values: Vec<String> = (1..=all.len()).map(|n| dialect.placeholder(n)).collect();
    let updates: Vec<String> = all[2..]
        .iter()
        .map(|name| format!("{name} = excluded.{name}"))
        .collect();
    format!(
        "INSERT INTO daily_statistics ({}) VALUES ({}) ON CONFLICT (campaign_id, day) DO UPDATE \
         SET {}",
        all.join(", "),
        values.join(", "),
        updates.join(", ")
    )
}

/// The stored days of one campaign between two days (inclusive): `day, counters…, extra`.
pub(crate) fn stored_days(dialect: Dialect, columns: &[Column]) -> String {
    let names: Vec<String> = columns.iter().map(|c| format!("\"{}\"", c.name)).collect();
    format!(
        "SELECT day, {}, extra FROM daily_statistics WHERE campaign_id = {} AND day >= {} AND \
         day <= {}",
        names.join(", "),
        dialect.placeholder(1),
        dialect.placeholder(2),
        dialect.placeholder(3)
    )
}

/// Records a campaign's synced range: `campaign_id, first_day, last_day, synced_at`.
pub(crate) fn record_state(dialect: Dialect) -> String {
    let p = |n| dialect.placeholder(n);
    format!(
        "INSERT INTO sync_state (campaign_id, first_day, last_day, synced_at) VALUES ({}, {}, {}, \
         {}) ON CONFLICT (campaign_id) DO UPDATE SET first_day = excluded.first_day, last_day = \
         excluded.last_day, synced_at = excluded.synced_at",
        p(1),
        p(2),
        p(3),
        p(4)
    )
}

/// Forgets a campaign's synced range (no complete day left to claim).
pub(crate) fn forget_state(dialect: Dialect) -> String {
    format!(
        "DELETE FROM sync_state WHERE campaign_id = {}",
        dialect.placeholder(1)
    )
}

/// The synced range of every campaign.
pub(crate) const STATES: &str = "SELECT campaign_id, first_day, last_day FROM sync_state";

#[cfg(test)]
mod tests {
    use super::super::columns::columns;
    use super::*;

    #[test]
    fn the_upsert_names_every_column_once() {
        let columns = columns();
        let sql = upsert(Dialect::Postgres, &columns);
        assert!(sql.contains(&format!("${}", columns.len() + 4)), "{sql}");
        assert!(!sql.contains(&format!("${}", columns.len() + 5)), "{sql}");
        assert!(sql.contains(r#""drop" = excluded."drop""#), "{sql}");
        let create = migration(Dialect::Sqlite, &columns, 1).join(";\n");
        assert!(create.contains(r#""revenue" REAL"#), "{create}");
        assert!(
            create.contains("PRIMARY KEY (campaign_id, day)"),
            "{create}"
        );
    }
}
