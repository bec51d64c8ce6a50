//! Where a sync writes: `--db` read as a target, and the store behind it (SQLite or PostgreSQL)
//! with the same few operations: open (lock, migrate), read the synced ranges, write one
//! campaign's days and state in one transaction.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::columns::{Column, Row};
use super::plan::{Day, Span, day_text};
use crate::refusal::Refusal;

/// `--db`, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// A file path, or `sqlite:PATH`.
    Sqlite(PathBuf),
    /// `postgres://…` or `postgresql://…`, as given (with its password, never printed).
    Postgres(String),
}

impl Target {
    /// Reads `--db`: `postgres://…`, `postgresql://…`, `sqlite:PATH`, or a path.
    pub(crate) fn parse(text: &str) -> Result<Self, Refusal> {
        let fix = "give a file path (SQLite), sqlite:PATH, or postgres://USER@HOST/DB";
        if text.starts_with("postgres://") || text.starts_with("postgresql://") {
            return Ok(Self::Postgres(text.to_owned()));
        }
        let path = text.strip_prefix("sqlite:").unwrap_or(text);
        if let Some((scheme, _)) = text.split_once("://")
            && !text.starts_with("sqlite:")
        {
            return Err(Refusal::new(
                format!("--db `{scheme}://…` is not a database this tool writes"),
                fix,
            ));
        }
        if path.is_empty() {
            return Err(Refusal::new("--db is empty", fix));
        }
        Ok(Self::Sqlite(PathBuf::from(path)))
    }

    /// The target for messages: a URL's password replaced by `***`.
    pub(crate) fn shown(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => redacted(url),
        }
    }
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`; a password given as a
/// `password=` parameter is hidden too.
pub(crate) fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let (authority, tail) = rest.split_at(rest.find(['/', '?']).unwrap_or(rest.len()));
    let authority = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:***@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail: Vec<String> = tail
        .split('&')
        .map(|part| match part.find("password=") {
            Some(at) => format!("{}password=***", &part[..at]),
            None => part.to_owned(),
        })
        .collect();
    format!("{scheme}://{authority}{}", tail.join("&"))
}

/// One campaign's work for the writer: the days whose answers came, and the state to record
/// (`None`: forget it).
#[derive(Debug)]
pub(crate) struct Batch {
    /// The campaign.
    pub(crate) campaign_id: i64,
    /// Each day's row to store.
    pub(crate) rows: Vec<(Day, Row)>,
    /// Days settled as they were stored (not rewritten; counted unchanged).
    pub(crate) kept: usize,
    /// The range the state records after this batch.
    pub(crate) state: Option<Span>,
}

/// What the writes did to the table.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Written {
    /// Days that had no row.
    pub(crate) new: usize,
    /// Days whose row had other values.
    pub(crate) changed: usize,
    /// Days whose row had the same values (only `fetched_at` moved).
    pub(crate) unchanged: usize,
}

impl Written {
    /// Adds `other`.
    pub(crate) fn add(&mut self, other: Self) {
        self.new += other.new;
        self.changed += other.changed;
        self.unchanged += other.unchanged;
    }

    /// Counts `rows` against the rows stored before, by day text.
    pub(crate) fn compare(rows: &[(Day, Row)], before: &BTreeMap<String, Row>) -> Self {
        let mut written = Self::default();
        for (day, row) in rows {
            match before.get(&day_text(*day)) {
                None => written.new += 1,
                Some(old) if old.same(row) => written.unchanged += 1,
                Some(_) => written.changed += 1,
            }
        }
        written
    }
}

/// The first and last day of a batch's rows, as text, for reading what was stored before.
pub(crate) fn bounds(rows: &[(Day, Row)]) -> Option<(String, String)> {
    let first = rows.iter().map(|(day, _)| *day).min()?;
    let last = rows.iter().map(|(day, _)| *day).max()?;
    Some((day_text(first), day_text(last)))
}

/// An open, locked, migrated database.
pub(crate) enum Store {
    /// SQLite.
    #[cfg(feature = "sqlite")]
    Sqlite(super::sqlite::Sqlite),
    /// PostgreSQL.
    #[cfg(feature = "postgres")]
    Postgres(super::postgres::Postgres),
}

impl Store {
    /// Opens `target`, takes the lock that keeps a second sync out, and applies migrations.
    pub(crate) async fn open(
        target: &Target,
        columns: &[Column],
        ca_cert: Option<&str>,
    ) -> Result<Self, String> {
        match target {
            #[cfg(feature = "sqlite")]
            Target::Sqlite(path) => {
                let _ = ca_cert;
                tokio::task::block_in_place(|| super::sqlite::Sqlite::open(path, columns))
                    .map(Self::Sqlite)
            }
            #[cfg(feature = "postgres")]
            Target::Postgres(url) => super::postgres::Postgres::open(url, columns, ca_cert)
                .await
                .map(Self::Postgres),
            #[allow(unreachable_patterns, reason = "reached when a feature is off")]
            _ => Err(format!(
                "this wa-stats was built without support for {}; build it with the default \
                 features",
                target.shown()
            )),
        }
    }

    /// The synced range of every campaign the database knows.
    pub(crate) async fn states(&mut self) -> Result<BTreeMap<i64, Span>, String> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(store) => tokio::task::block_in_place(|| store.states()),
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => store.states().await,
        }
    }

    /// Takes campaign `id` for this run: `false` when another sync holds it (PostgreSQL; an SQLite
    /// file is held whole by one run, so every campaign is this run's).
    pub(crate) async fn lock_campaign(&mut self, id: i64) -> Result<bool, String> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(_) => {
                let _ = id;
                Ok(true)
            }
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => store.lock_campaign(id).await,
        }
    }

    /// The rows stored for `campaign_id` over `span`, by day.
    pub(crate) async fn rows(
        &mut self,
        campaign_id: i64,
        span: Span,
    ) -> Result<BTreeMap<Day, Row>, String> {
        let by_text = match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(store) => tokio::task::block_in_place(|| store.rows(campaign_id, span))?,
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => store.rows(campaign_id, span).await?,
        };
        Ok(by_text
            .into_iter()
            .filter_map(|(day, row)| Some((super::plan::parse_day("day", &day).ok()?.0, row)))
            .collect())
    }

    /// Writes one campaign's rows and state in one transaction.
    pub(crate) async fn write(
        &mut self,
        batch: &Batch,
        fetched_at: &str,
    ) -> Result<Written, String> {
        match self {
            #[cfg(feature = "sqlite")]
            Self::Sqlite(store) => tokio::task::block_in_place(|| store.write(batch, fetched_at)),
            #[cfg(feature = "postgres")]
            Self::Postgres(store) => store.write(batch, fetched_at).await,
        }
    }
}

/// A state row read back: `first_day`, `last_day` (inclusive) as text.
pub(crate) fn span_of(first: &str, last: &str) -> Option<Span> {
    let (from, _) = super::plan::parse_day("first_day", first).ok()?;
    let (last, _) = super::plan::parse_day("last_day", last).ok()?;
    (last >= from).then_some(Span { from, to: last + 1 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            Target::parse("stats.db").unwrap(),
            Target::Sqlite("stats.db".into())
        );
        assert_eq!(
            Target::parse("sqlite:/tmp/x.db").unwrap(),
            Target::Sqlite("/tmp/x.db".into())
        );
        assert!(matches!(
            Target::parse("postgresql://u@127.0.0.1/db").unwrap(),
            Target::Postgres(_)
        ));
        assert!(Target::parse("mysql://h/db").is_err());
        assert!(Target::parse("").is_err());
    }

    #[test]
    fn passwords_are_never_shown() {
        assert_eq!(
            redacted("postgres://ana:s3cret@db.example:5432/stats"),
            "postgres://ana:***@db.example:5432/stats"
        );
        assert_eq!(
            redacted("postgres://h/db?user=ana&password=s3cret"),
            "postgres://h/db?user=ana&password=***"
        );
        assert_eq!(redacted("postgres://ana@h/db"), "postgres://ana@h/db");
    }
}
