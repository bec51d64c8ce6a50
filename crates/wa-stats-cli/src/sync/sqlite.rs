//! The SQLite store (bundled SQLite: nothing to install).
//!
//! WAL journal with `synchronous = NORMAL`: each commit survives the process being killed, and
//! readers (an analyst's query) never block the sync nor see half a campaign. A second sync is
//! refused by an exclusive `flock` on the database file held for the whole run: SQLite's own
//! locks last one transaction, and two runs committing campaigns in turn would interleave their
//! states. The kernel drops the `flock` when the process dies, SIGKILL included.

use std::collections::BTreeMap;
use std::fs::{File, TryLockError};
use std::path::Path;
use std::time::Duration;

use rusqlite::types::Value as Sql;
use rusqlite::{Connection, params_from_iter};

use super::columns::{Cell, Column, Kind, Row};
use super::plan::{Span, day_text};
use super::schema::{self, Dialect, VERSION};
use super::store::{Batch, Written, bounds, span_of};

/// An open, locked SQLite database.
pub(crate) struct Sqlite {
    /// Declared before the lock, so that it is closed first: closing any descriptor of the file
    /// drops SQLite's POSIX locks, so the lock's file must outlive the connection.
    connection: Connection,
    /// Holds the `flock`; never read.
    _lock: File,
    columns: Vec<Column>,
    upsert: String,
    stored: String,
}

impl Sqlite {
    /// Opens (creating) `path`, locks it and migrates it.
    pub(crate) fn open(path: &Path, columns: &[Column]) -> Result<Self, String> {
        let shown = path.display();
        let connection =
            Connection::open(path).map_err(|e| format!("cannot open the database {shown}: {e}"))?;
        let lock = File::open(path).map_err(|e| format!("cannot open {shown}: {e}"))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(format!(
                    "another wa-stats sync is writing {shown}; this one stopped before writing \
                     anything (run it again when that one is done)"
                ));
            }
            Err(TryLockError::Error(e)) => return Err(format!("cannot lock {shown}: {e}")),
        }
        // SQLite's own words, without the statement it failed in (a whole CREATE TABLE).
        let failed = |e: rusqlite::Error| match e {
            rusqlite::Error::SqlInputError { msg, .. } => {
                format!("cannot prepare the database {shown}: {msg}")
            }
            other => format!("cannot prepare the database {shown}: {other}"),
        };
        // An analyst's long read can hold a lock for a moment; wait for it rather than fail.
        connection
            .busy_timeout(Duration::from_secs(30))
            .map_err(failed)?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(failed)?;
        connection
            .pragma_update(None, "synchronous", "NORMAL")
            .map_err(failed)?;
        let mut store = Self {
            connection,
            _lock: lock,
            columns: columns.to_vec(),
            upsert: schema::upsert(Dialect::Sqlite, columns),
            stored: schema::stored_days(Dialect::Sqlite, columns),
        };
        if let Some(table) = store.foreign_table().map_err(failed)? {
            return Err(format!(
                "the database {shown} already has a table `{table}` that wa-stats did not make \
                 (there is no wa_stats_schema table recording it): its columns are not ours, so \
                 nothing is written; give --db a new file, or rename or drop that table"
            ));
        }
        store.migrate().map_err(failed)?;
        Ok(store)
    }

    /// A table of ours by name that this tool did not make: one there while `wa_stats_schema`,
    /// which every migration of ours writes first, is not.
    fn foreign_table(&self) -> rusqlite::Result<Option<String>> {
        let ours: i64 = self.connection.query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE name = 'wa_stats_schema'",
            [],
            |r| r.get(0),
        )?;
        if ours > 0 {
            return Ok(None);
        }
        let mut statement = self.connection.prepare(
            "SELECT name FROM sqlite_master WHERE name IN ('daily_statistics', 'sync_state') \
             ORDER BY name",
        )?;
        let mut names = statement.query_map([], |r| r.get::<_, String>(0))?;
        names.next().transpose()
    }

    /// Applies every migration the file lacks, each with its version in one transaction, then
    /// adds the counter columns the model gained.
    fn migrate(&mut self) -> rusqlite::Result<()> {
        let tx = self.connection.transaction()?;
        tx.execute_batch(schema::VERSION_TABLE)?;
        let version: i64 = tx.query_row(
            "SELECT COALESCE(MAX(version), 0) FROM wa_stats_schema",
            [],
            |r| r.get(0),
        )?;
        for next in version + 1..=VERSION {
            for statement in schema::migration(Dialect::Sqlite, &self.columns, next) {
                tx.execute_batch(&statement)?;
            }
            tx.execute("DELETE FROM wa_stats_schema", [])?;
            tx.execute("INSERT INTO wa_stats_schema (version) VALUES (?1)", [next])?;
        }
        let present: Vec<String> = {
            let mut statement =
                tx.prepare("SELECT name FROM pragma_table_info('daily_statistics')")?;
            statement
                .query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?
        };
        for column in &self.columns {
            if !present.contains(&column.name) {
                tx.execute_batch(&schema::add_column(Dialect::Sqlite, column))?;
            }
        }
        tx.commit()
    }

    /// Every campaign's synced range.
    pub(crate) fn states(&mut self) -> Result<BTreeMap<i64, Span>, String> {
        let read = || -> rusqlite::Result<BTreeMap<i64, Span>> {
            let mut statement = self.connection.prepare(&schema::states(Dialect::Sqlite))?;
            let rows = statement.query_map([], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })?;
            let mut states = BTreeMap::new();
            for row in rows {
                let (id, first, last) = row?;
                if let Some(span) = span_of(&first, &last) {
                    states.insert(id, span);
                }
            }
            Ok(states)
        };
        read().map_err(|e| format!("cannot read the sync state: {e}"))
    }

    /// The rows stored for `campaign_id` over `span`, by day text.
    pub(crate) fn rows(
        &mut self,
        campaign_id: i64,
        span: Span,
    ) -> Result<BTreeMap<String, Row>, String> {
        stored_rows(
            &self.connection,
            &self.stored,
            &self.columns,
            campaign_id,
            &day_text(span.from),
            &day_text(span.to - 1),
        )
        .map_err(|e| format!("cannot read campaign {campaign_id}'s stored days: {e}"))
    }

    /// One campaign's rows and state, in one transaction.
    pub(crate) fn write(&mut self, batch: &Batch, fetched_at: &str) -> Result<Written, String> {
        self.write_inner(batch, fetched_at).map_err(|e| {
            format!(
                "cannot write campaign {} to the database: {e}",
                batch.campaign_id
            )
        })
    }

    fn write_inner(&mut self, batch: &Batch, fetched_at: &str) -> rusqlite::Result<Written> {
        let tx = self.connection.transaction()?;
        let before = match bounds(&batch.rows) {
            Some((first, last)) => stored_rows(
                &tx,
                &self.stored,
                &self.columns,
                batch.campaign_id,
                &first,
                &last,
            )?,
            None => BTreeMap::new(),
        };
        let written = Written::compare(&batch.rows, &before);
        {
            let mut upsert = tx.prepare(&self.upsert)?;
            for (day, row) in &batch.rows {
                let values = [Sql::Integer(batch.campaign_id), Sql::Text(day_text(*day))]
                    .into_iter()
                    .chain(row.cells.iter().map(|cell| match *cell {
                        Cell::Null => Sql::Null,
                        Cell::Integer(n) => Sql::Integer(n),
                        Cell::Real(x) => Sql::Real(x),
                    }))
                    .chain([
                        row.extra.clone().map_or(Sql::Null, Sql::Text),
                        Sql::Text(fetched_at.to_owned()),
                    ]);
                upsert.execute(params_from_iter(values))?;
            }
        }
        match batch.state {
            Some(span) => tx.execute(
                &schema::record_state(Dialect::Sqlite),
                rusqlite::params![
                    batch.campaign_id,
                    day_text(span.from),
                    day_text(span.to - 1),
                    fetched_at
                ],
            )?,
            None => tx.execute(&schema::forget_state(Dialect::Sqlite), [batch.campaign_id])?,
        };
        tx.commit()?;
        Ok(written)
    }
}

/// The rows of `campaign_id` from day `first` to day `last` (inclusive, as text), by day text.
fn stored_rows(
    connection: &rusqlite::Connection,
    query: &str,
    columns: &[Column],
    campaign_id: i64,
    first: &str,
    last: &str,
) -> rusqlite::Result<BTreeMap<String, Row>> {
    let mut before = BTreeMap::new();
    let mut statement = connection.prepare(query)?;
    let mut rows = statement.query(rusqlite::params![campaign_id, first, last])?;
    while let Some(row) = rows.next()? {
        let day: String = row.get(0)?;
        let mut cells = Vec::with_capacity(columns.len());
        for (index, column) in columns.iter().enumerate() {
            cells.push(match (column.kind, row.get::<_, Sql>(index + 1)?) {
                (_, Sql::Null) => Cell::Null,
                (Kind::Integer, Sql::Integer(n)) => Cell::Integer(n),
                (_, Sql::Real(x)) => Cell::Real(x),
                #[allow(
                    clippy::cast_precision_loss,
                    reason = "an integer in a REAL column: compared, never kept"
                )]
                (Kind::Real, Sql::Integer(n)) => Cell::Real(n as f64),
                // Text or a blob someone else wrote: never equal to a counter.
                _ => Cell::Null,
            });
        }
        let extra: Option<String> = row.get(columns.len() + 1)?;
        before.insert(day, Row { cells, extra });
    }
    Ok(before)
}
