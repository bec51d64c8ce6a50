//! The PostgreSQL store, for a team's shared database.
//!
//! Syncs of different campaigns run side by side (an agency's partners, each with its own
//! credential, from several machines); a campaign is never synced by two at once: each run takes
//! a session advisory lock per campaign (`pg_try_advisory_lock(class, campaign)`) before reading
//! its state, held for the whole run and dropped by the server when the connection ends, whether
//! the process exited or was killed. Each campaign is one transaction.
//!
//! The connection uses TLS as `sslmode` in `--db` says (libpq's modes, rustls; `postgres_tls.rs`).
//! The password never appears in a message.

use std::collections::BTreeMap;

use tokio_postgres::tls::MakeTlsConnect;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, GenericClient, NoTls, Socket};

use super::columns::{Cell, Column, Kind, Row};
use super::plan::{Span, day_text};
use super::postgres_tls;
use super::schema::{self, Dialect, VERSION};
use super::store::{Batch, Written, bounds, redacted, span_of};

/// The migration lock's key: "wa-stats" in ASCII, so that it is recognisable in `pg_locks`.
const LOCK_KEY: i64 = 0x7761_2d73_7461_7473;
/// The class of the campaigns' locks (two-key advisory locks): "wa-s" in ASCII.
const LOCK_CLASS: i32 = 0x7761_2d73;

/// A campaign's lock key: its ID folded to 32 bits (two campaigns sharing a key only take turns).
fn campaign_key(id: i64) -> i32 {
    #[allow(
        clippy::cast_possible_truncation,
        reason = "folding to 32 bits on purpose"
    )]
    let key = ((id >> 32) ^ id) as i32;
    key
}

/// A parameter of a statement.
type Param = Box<dyn ToSql + Sync + Send>;

/// An open, locked PostgreSQL database.
pub(crate) struct Postgres {
    client: Client,
    columns: Vec<Column>,
    upsert: String,
    stored: String,
}

/// Connects with `tls` (plain TCP or rustls) and drives the connection on a task of its own.
async fn connect<T>(
    config: &tokio_postgres::Config,
    tls: T,
    shown: &str,
    mode: postgres_tls::SslMode,
) -> Result<Client, String>
where
    T: MakeTlsConnect<Socket>,
    T::Stream: Send + 'static,
{
    let (client, connection) = config
        .connect(tls)
        .await
        .map_err(|e| postgres_tls::connect_error(&e, shown, mode))?;
    // Its end is seen by the next query on the client, which reports it.
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// The error with its server message, when there is one.
fn text(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => format!("{}: {}", db.code().code(), db.message()),
        None => error.to_string(),
    }
}

impl Postgres {
    /// Connects to `url`, takes the advisory lock and migrates.
    pub(crate) async fn open(
        url: &str,
        columns: &[Column],
        ca_cert: Option<&str>,
    ) -> Result<Self, String> {
        let shown = redacted(url);
        let (plain, tls) = postgres_tls::split_url(url)?;
        let mut config: tokio_postgres::Config = plain
            .parse()
            .map_err(|e| format!("--db {shown} is not a PostgreSQL URL: {e}"))?;
        config.ssl_mode(postgres_tls::pg_mode(tls.mode));
        let client = match postgres_tls::client_config(&tls, ca_cert)? {
            None => connect(&config, NoTls, &shown, tls.mode).await?,
            Some(rustls) => {
                let connector = tokio_postgres_rustls::MakeRustlsConnect::new(rustls);
                connect(&config, connector, &shown, tls.mode).await?
            }
        };
        let mut store = Self {
            client,
            columns: columns.to_vec(),
            upsert: schema::upsert(Dialect::Postgres, columns),
            stored: schema::stored_days(Dialect::Postgres, columns),
        };
        store
            .migrate()
            .await
            .map_err(|e| format!("cannot prepare the database {shown}: {}", text(&e)))?;
        Ok(store)
    }

    /// Takes campaign `id`'s lock for the rest of the session (the server drops it when the
    /// connection ends, also when the process is killed): `false` when another sync holds it.
    pub(crate) async fn lock_campaign(&mut self, id: i64) -> Result<bool, String> {
        Ok(self
            .client
            .query_one(
                "SELECT pg_try_advisory_lock($1::int4, $2::int4)",
                &[&LOCK_CLASS, &campaign_key(id)],
            )
            .await
            .map_err(|e| format!("cannot lock campaign {id}: {}", text(&e)))?
            .get(0))
    }

    async fn migrate(&mut self) -> Result<(), tokio_postgres::Error> {
        let tx = self.client.transaction().await?;
        // Two syncs starting together migrate one after the other (the lock ends with the
        // transaction).
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK_KEY])
            .await?;
        tx.batch_execute(schema::VERSION_TABLE).await?;
        let version: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::BIGINT FROM wa_stats_schema",
                &[],
            )
            .await?
            .get(0);
        for next in version + 1..=VERSION {
            for statement in schema::migration(Dialect::Postgres, &self.columns, next) {
                tx.batch_execute(&statement).await?;
            }
            tx.execute("DELETE FROM wa_stats_schema", &[]).await?;
            tx.execute(
                "INSERT INTO wa_stats_schema (version) VALUES ($1)",
                &[&next],
            )
            .await?;
        }
        let present: Vec<String> = tx
            .query(
                "SELECT column_name::TEXT FROM information_schema.columns WHERE table_schema = \
                 current_schema() AND table_name = 'daily_statistics'",
                &[],
            )
            .await?
            .iter()
            .map(|row| row.get(0))
            .collect();
        for column in &self.columns {
            if !present.contains(&column.name) {
                tx.batch_execute(&schema::add_column(Dialect::Postgres, column))
                    .await?;
            }
        }
        tx.commit().await
    }

    /// Every campaign's synced range.
    pub(crate) async fn states(&mut self) -> Result<BTreeMap<i64, Span>, String> {
        let rows = self
            .client
            .query(&schema::states(Dialect::Postgres), &[])
            .await
            .map_err(|e| format!("cannot read the sync state: {}", text(&e)))?;
        Ok(rows
            .iter()
            .filter_map(|row| {
                let first: String = row.get(1);
                let last: String = row.get(2);
                span_of(&first, &last).map(|span| (row.get::<_, i64>(0), span))
            })
            .collect())
    }

    /// The rows stored for `campaign_id` over `span`, by day text.
    pub(crate) async fn rows(
        &mut self,
        campaign_id: i64,
        span: Span,
    ) -> Result<BTreeMap<String, Row>, String> {
        stored_rows(
            &self.client,
            &self.stored,
            &self.columns,
            campaign_id,
            &day_text(span.from),
            &day_text(span.to - 1),
        )
        .await
        .map_err(|e| {
            format!(
                "cannot read campaign {campaign_id}'s stored days: {}",
                text(&e)
            )
        })
    }

    /// One campaign's rows and state, in one transaction.
    pub(crate) async fn write(
        &mut self,
        batch: &Batch,
        fetched_at: &str,
    ) -> Result<Written, String> {
        self.write_inner(batch, fetched_at).await.map_err(|e| {
            format!(
                "cannot write campaign {} to the database: {}",
                batch.campaign_id,
                text(&e)
            )
        })
    }

    async fn write_inner(
        &mut self,
        batch: &Batch,
        fetched_at: &str,
    ) -> Result<Written, tokio_postgres::Error> {
        let columns = &self.columns;
        let tx = self.client.transaction().await?;
        let before = match bounds(&batch.rows) {
            Some((first, last)) => {
                stored_rows(&tx, &self.stored, columns, batch.campaign_id, &first, &last).await?
            }
            None => BTreeMap::new(),
        };
        let written = Written::compare(&batch.rows, &before);
        let upsert = tx.prepare(&self.upsert).await?;
        for (day, row) in &batch.rows {
            let mut params: Vec<Param> =
                vec![Box::new(batch.campaign_id), Box::new(day_text(*day))];
            for (cell, column) in row.cells.iter().zip(columns) {
                params.push(match (column.kind, *cell) {
                    (Kind::Integer, Cell::Integer(n)) => Box::new(Some(n)),
                    (Kind::Integer, _) => Box::new(None::<i64>),
                    (Kind::Real, Cell::Real(x)) => Box::new(Some(x)),
                    #[allow(
                        clippy::cast_precision_loss,
                        reason = "never: a Real column holds Real cells"
                    )]
                    (Kind::Real, Cell::Integer(n)) => Box::new(Some(n as f64)),
                    (Kind::Real, Cell::Null) => Box::new(None::<f64>),
                });
            }
            params.push(Box::new(row.extra.clone()));
            params.push(Box::new(fetched_at.to_owned()));
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| &**p as &(dyn ToSql + Sync)).collect();
            tx.execute(&upsert, &refs).await?;
        }
        match batch.state {
            Some(span) => {
                let (first, last) = (day_text(span.from), day_text(span.to - 1));
                tx.execute(
                    &schema::record_state(Dialect::Postgres),
                    &[&batch.campaign_id, &first, &last, &fetched_at],
                )
                .await?
            }
            None => {
                tx.execute(
                    &schema::forget_state(Dialect::Postgres),
                    &[&batch.campaign_id],
                )
                .await?
            }
        };
        tx.commit().await?;
        Ok(written)
    }
}

/// The rows of `campaign_id` from day `first` to day `last` (inclusive, as text), by day text.
async fn stored_rows(
    client: &impl GenericClient,
    query: &str,
    columns: &[Column],
    campaign_id: i64,
    first: &str,
    last: &str,
) -> Result<BTreeMap<String, Row>, tokio_postgres::Error> {
    let mut before = BTreeMap::new();
    for row in client.query(query, &[&campaign_id, &first, &last]).await? {
        let mut cells = Vec::with_capacity(columns.len());
        for (index, column) in columns.iter().enumerate() {
            cells.push(match column.kind {
                Kind::Integer => row
                    .try_get::<_, Option<i64>>(index + 1)?
                    .map_or(Cell::Null, Cell::Integer),
                Kind::Real => row
                    .try_get::<_, Option<f64>>(index + 1)?
                    .map_or(Cell::Null, Cell::Real),
            });
        }
        let extra: Option<String> = row.try_get(columns.len() + 1)?;
        before.insert(row.try_get::<_, String>(0)?, Row { cells, extra });
    }
    Ok(before)
}
