//! The tables, as SQL for either engine, and their migrations.
//!
//! Counter columns are always quoted: `drop` is an SQL keyword (queries write `"drop"`).
//!
//! Version 1: `daily_statistics` (one row per campaign and UTC day, one column per counter of the
//! model, `extra`, `fetched_at`) and `sync_state` (the range each campaign is synced over), with
//! days and times as text. Version 2 gives PostgreSQL its proper types: `day`, `first_day` and
//! `last_day` `date`, the times `timestamptz`, `extra` `jsonb`, `revenue` `numeric` (exact); SQLite
//! has no such types and keeps text and REAL (its version 2 changes nothing). The version lives in
//! `wa_stats_schema`; each migration runs in the transaction that records it.
//! Beside the versions, a counter column the model gained since the table was made is added on
//! open (`ALTER TABLE … ADD COLUMN`, NULL for the days fetched before), so that a newer binary
//! never drops a counter on the floor.

use super::columns::{Column, Kind};

/// The schema version this binary writes.
pub(crate) const VERSION: i64 = 2;

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
        2 if dialect == Dialect::Postgres => {
            let revenue: Vec<String> = columns
                .iter()
                .filter(|c| c.kind == Kind::Real)
                .map(|c| {
                    format!(
                        ",\n    ALTER COLUMN \"{0}\" TYPE NUMERIC USING \"{0}\"::NUMERIC",
                        c.name
                    )
                })
                .collect();
            vec![
                format!(
                    "ALTER TABLE daily_statistics\n    ALTER COLUMN day TYPE DATE USING day::DATE,\n    \
                     ALTER COLUMN fetched_at TYPE TIMESTAMPTZ USING fetched_at::TIMESTAMPTZ,\n    \
                     ALTER COLUMN extra TYPE JSONB USING extra::JSONB{}",
                    revenue.concat()
                ),
                "ALTER TABLE sync_state\n    ALTER COLUMN first_day TYPE DATE USING first_day::DATE,\n    \
                 ALTER COLUMN last_day TYPE DATE USING last_day::DATE,\n    \
                 ALTER COLUMN synced_at TYPE TIMESTAMPTZ USING synced_at::TIMESTAMPTZ"
                    .to_owned(),
            ]
        }
        _ => Vec::new(),
    }
}

/// What a value bound as text (or as a double) becomes in PostgreSQL's version-2 column: the
/// statements bind days and times as text and `revenue` as a double, and cast them here.
fn cast(dialect: Dialect, column: &str, kind: Option<Kind>) -> &'static str {
    if dialect == Dialect::Sqlite {
        return "";
    }
    match (column, kind) {
        ("day" | "first_day" | "last_day", _) => "::TEXT::DATE",
        ("fetched_at" | "synced_at", _) => "::TEXT::TIMESTAMPTZ",
        ("extra", _) => "::TEXT::JSONB",
        (_, Some(Kind::Real)) => "::FLOAT8::NUMERIC",
        _ => "",
    }
}

/// How a column is read back: as the text or double the code binds (PostgreSQL's version-2 types
/// cast back).
fn read_back(dialect: Dialect, column: &str, kind: Option<Kind>) -> String {
    match (dialect, column, kind) {
        (Dialect::Sqlite, _, _) => column.to_owned(),
        (Dialect::Postgres, "day" | "first_day" | "last_day" | "extra", _) => {
            format!("{column}::TEXT")
        }
        (Dialect::Postgres, _, Some(Kind::Real)) => format!("{column}::FLOAT8"),
        (Dialect::Postgres, _, _) => column.to_owned(),
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
    let kinds: Vec<Option<Kind>> = [None, None]
        .into_iter()
        .chain(columns.iter().map(|c| Some(c.kind)))
        .chain([None, None])
        .collect();
    let values: Vec<String> = all
        .iter()
        .zip(&kinds)
        .enumerate()
        .map(|(at, (name, kind))| {
            format!(
                "{}{}",
                dialect.placeholder(at + 1),
                cast(dialect, name, *kind)
            )
        })
        .collect();
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
    let names: Vec<String> = columns
        .iter()
        .map(|c| read_back(dialect, &format!("\"{}\"", c.name), Some(c.kind)))
        .collect();
    format!(
        "SELECT {}, {}, {} FROM daily_statistics WHERE campaign_id = {} AND day >= {}{} AND \
         day <= {}{}",
        read_back(dialect, "day", None),
        names.join(", "),
        read_back(dialect, "extra", None),
        dialect.placeholder(1),
        dialect.placeholder(2),
        cast(dialect, "day", None),
        dialect.placeholder(3),
        cast(dialect, "day", None)
    )
}

/// Records a campaign's synced range: `campaign_id, first_day, last_day, synced_at`.
pub(crate) fn record_state(dialect: Dialect) -> String {
    let p = |n| dialect.placeholder(n);
    format!(
        "INSERT INTO sync_state (campaign_id, first_day, last_day, synced_at) VALUES ({}, {}{}, \
         {}{}, {}{}) ON CONFLICT (campaign_id) DO UPDATE SET first_day = excluded.first_day, \
         last_day = excluded.last_day, synced_at = excluded.synced_at",
        p(1),
        p(2),
        cast(dialect, "first_day", None),
        p(3),
        cast(dialect, "last_day", None),
        p(4),
        cast(dialect, "synced_at", None)
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
pub(crate) fn states(dialect: Dialect) -> String {
    format!(
        "SELECT campaign_id, {}, {} FROM sync_state",
        read_back(dialect, "first_day", None),
        read_back(dialect, "last_day", None)
    )
}

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
