//! `wa-stats sync` into a real PostgreSQL: Debian's `postgresql` (`initdb` and `postgres` from
//! /usr/lib/postgresql/*/bin, run as the `postgres` user when the test runs as root, since
//! `initdb` refuses root), on 127.0.0.1 and a free port, stopped by its PID when the test ends,
//! also on failure. Without the package the test fails and says how to install it.
//!
//! The rows are compared with the same sync into SQLite; re-runs and the changed day as in
//! SQLite; a campaign another sync holds is skipped; syncs of disjoint campaign sets run side by
//! side, and overlapping ones never sync a campaign twice at once.

use std::net::TcpListener;
use std::os::unix::fs::chown;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;
use tokio_postgres::NoTls;

use super::sync::{FROM, TO, campaign_json, db_path, mock, requests, sync, table};

/// A PostgreSQL server of our own; dropping it stops it by its PID.
pub(crate) struct Server {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM through kill(1) (a smart shutdown), then the child is reaped; SIGKILL if that
        // did not do.
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                let _ = std::fs::remove_dir_all(&self.dir);
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The directory holding `initdb` and `postgres`.
fn bin_dir() -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists())
        .collect();
    dirs.sort();
    dirs.pop().unwrap_or_else(|| {
        panic!(
            "no /usr/lib/postgresql/*/bin/initdb: these tests need a real PostgreSQL; install \
             it with `apt-get install -y postgresql` (.ci/run does)"
        )
    })
}

/// The uid and gid to run the server as: the `postgres` user when we are root.
fn account() -> Option<(u32, u32)> {
    let me = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&me.stdout).trim() != "0" {
        return None;
    }
    let passwd = std::fs::read_to_string("/etc/passwd").expect("/etc/passwd");
    let line = passwd
        .lines()
        .find(|line| line.starts_with("postgres:"))
        .expect("a postgres user (the postgresql package creates it): initdb refuses root");
    let fields: Vec<&str> = line.split(':').collect();
    Some((
        fields[2].parse().expect("a uid"),
        fields[3].parse().expect("a gid"),
    ))
}

fn as_account(command: &mut Command, account: Option<(u32, u32)>) -> &mut Command {
    if let Some((uid, gid)) = account {
        command.uid(uid).gid(gid);
    }
    command
}

/// Starts a fresh cluster on 127.0.0.1 and a free port, and waits until it takes connections.
async fn start() -> Server {
    start_with(None).await
}

/// TLS for a server: its certificate and key, and whether TCP connections must use TLS (a
/// `pg_hba.conf` that rejects the others) and which lines it adds.
pub(crate) struct Tls<'a> {
    /// The server's certificate and key.
    pub(crate) identity: &'a wa_stats_mock::tls::TlsIdentity,
    /// Extra `pg_hba.conf` lines, before the ones that let `postgres` in over TLS and reject
    /// plain TCP.
    pub(crate) hba: &'a str,
}

/// [`start`], with TLS on when given (then only TLS connections are taken over TCP; the test's
/// own readiness check and setup use the Unix socket in the server's directory).
pub(crate) async fn start_with(tls: Option<Tls<'_>>) -> Server {
    let bin = bin_dir();
    let account = account();
    let dir = std::env::temp_dir().join(format!("wa-stats-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a data directory");
    if let Some((uid, gid)) = account {
        chown(&dir, Some(uid), Some(gid)).expect("the data directory given to postgres");
    }
    let data = dir.join("data");
    let initdb = as_account(&mut Command::new(bin.join("initdb")), account)
        .args([
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--no-sync",
            "-D",
        ])
        .arg(&data)
        .stdout(Stdio::null())
        .output()
        .expect("initdb runs");
    assert!(
        initdb.status.success(),
        "initdb failed: {}",
        String::from_utf8_lossy(&initdb.stderr)
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut command = Command::new(bin.join("postgres"));
    as_account(&mut command, account)
        .arg("-D")
        .arg(&data)
        .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-p"])
        .arg(port.to_string())
        .arg("-k")
        .arg(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(tls) = tls {
        let write = |name: &str, text: &str, mode: u32| {
            let path = dir.join(name);
            std::fs::write(&path, text).expect("a server file");
            std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(mode))
                .expect("its mode");
            if let Some((uid, gid)) = account {
                chown(&path, Some(uid), Some(gid)).expect("given to postgres");
            }
            path
        };
        let cert = write("server.crt", tls.identity.cert_pem(), 0o644);
        let key = write("server.key", tls.identity.key_pem(), 0o600);
        let hba = write(
            "pg_hba.conf",
            &format!(
                "local all all trust\n{}\nhostssl all postgres 127.0.0.1/32 trust\n\
                 hostnossl all all 127.0.0.1/32 reject\n",
                tls.hba
            ),
            0o644,
        );
        command
            .args(["-c", "ssl=on", "-c"])
            .arg(format!("ssl_cert_file={}", cert.display()))
            .arg("-c")
            .arg(format!("ssl_key_file={}", key.display()))
            .arg("-c")
            .arg(format!("hba_file={}", hba.display()));
    }
    let child = command.spawn().expect("postgres starts");
    let server = Server { child, port, dir };
    for _ in 0..300 {
        if server.socket_client().await.is_some() {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("postgres did not take connections on 127.0.0.1:{port} within 30 s");
}

impl Server {
    pub(crate) fn url(&self) -> String {
        format!("postgres://postgres@127.0.0.1:{}/postgres", self.port)
    }

    /// The server's port.
    pub(crate) fn port(&self) -> u16 {
        self.port
    }

    /// A connection over the Unix socket in the server's directory (trusted, no TLS).
    pub(crate) async fn socket_client(&self) -> Option<tokio_postgres::Client> {
        let config = format!(
            "host={} port={} user=postgres dbname=postgres",
            self.dir.display(),
            self.port
        );
        let (client, connection) = tokio_postgres::connect(&config, NoTls).await.ok()?;
        tokio::spawn(connection);
        Some(client)
    }

    async fn client(&self) -> tokio_postgres::Client {
        self.socket_client().await.expect("a connection")
    }

    /// Every row but the times, as the SQLite helper gives them: numbers as numbers.
    async fn table(&self) -> Vec<Vec<Value>> {
        let client = self.client().await;
        let mut out = Vec::new();
        for query in [
            "SELECT * FROM daily_statistics ORDER BY campaign_id, day",
            "SELECT campaign_id, first_day, last_day FROM sync_state ORDER BY campaign_id",
        ] {
            for message in client.simple_query(query).await.expect("a query") {
                let tokio_postgres::SimpleQueryMessage::Row(row) = message else {
                    continue;
                };
                let mut values = Vec::new();
                for (index, column) in row.columns().iter().enumerate() {
                    if column.name() == "fetched_at" {
                        continue;
                    }
                    values.push(match row.get(index) {
                        None => Value::Null,
                        Some(text) => match text.parse::<i64>() {
                            Ok(n) => Value::from(n),
                            Err(_) => text
                                .parse::<f64>()
                                .map_or_else(|_| Value::from(text), Value::from),
                        },
                    });
                }
                out.push(values);
            }
        }
        out
    }
}

/// SQLite gives `0.0` for a REAL holding 0; PostgreSQL's text gives `0`: compare numbers as
/// numbers.
fn numbers(rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    rows.into_iter()
        .map(|row| {
            row.into_iter()
                .map(|value| match value.as_f64() {
                    Some(x) => Value::from(x),
                    None => value,
                })
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_holds_the_same_rows_as_sqlite_and_stays_right() {
    let postgres = start().await;
    let server = mock().await;
    let url = postgres.url();

    let run = sync(&server.base_url(), &url, &[]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("90 days written (90 new"), "{run:?}");
    let sqlite = db_path("postgres-twin");
    assert_eq!(
        sync(&server.base_url(), &sqlite.to_string_lossy(), &[]).code,
        0
    );
    assert_eq!(numbers(postgres.table().await), numbers(table(&sqlite)));

    // Re-run with nothing new: the lookback only, one request per unchanged campaign, counted
    // in the journal.
    server.reset();
    let run = sync(&server.base_url(), &url, &["--lookback", "7"]);
    assert!(
        run.stderr.contains(
            "21 days written (0 new, 0 changed, 21 unchanged), 3 requests (one per day: 21)"
        ),
        "{run:?}"
    );
    assert_eq!(requests(&server), 3);

    // Late data inside the lookback is corrected, outside it is left alone.
    let status = Command::new("curl")
        .args([
            "-fsS",
            "-X",
            "PUT",
            "-H",
            "content-type: application/json",
            "--data-binary",
        ])
        .arg(campaign_json(702, &[5, 28]))
        .arg(format!("{}/__admin/campaigns/702", server.base_url()))
        .status()
        .expect("curl runs");
    assert!(status.success());
    let run = sync(&server.base_url(), &url, &["--lookback", "7"]);
    assert!(run.stderr.contains("1 changed"), "{run:?}");
    let client = postgres.client().await;
    let changed: Vec<(String, i64)> = client
        .query(
            "SELECT day::TEXT, delivered FROM daily_statistics WHERE campaign_id = 702 AND day IN \
             ('2024-03-05', '2024-03-28') ORDER BY day",
            &[],
        )
        .await
        .expect("a query")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    let before = crate::sync::python_rows(
        &sqlite,
        "SELECT day, delivered FROM daily_statistics WHERE campaign_id = 702 AND day IN \
         ('2024-03-05', '2024-03-28') ORDER BY day",
    );
    assert_eq!(
        Value::from(changed[0].1),
        before[0][1],
        "outside the lookback: left alone"
    );
    assert_ne!(
        Value::from(changed[1].1),
        before[1][1],
        "inside the lookback: corrected"
    );

    // A campaign another sync holds (its advisory lock) is skipped, said once, and nothing of it
    // is sent; the others are synced.
    let holder = postgres.client().await;
    holder
        .execute(
            "SELECT pg_advisory_lock($1::int4, $2::int4)",
            &[&0x7761_2d73_i32, &702_i32],
        )
        .await
        .expect("the lock");
    server.reset();
    let run = sync(&server.base_url(), &url, &["--lookback", "7"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("campaign 702: another wa-stats sync is syncing it"),
        "{run:?}"
    );
    assert!(
        server
            .journal()
            .iter()
            .all(|entry| !entry.body.contains("\"campaign_id\":702")),
        "nothing sent for the held campaign"
    );
    assert_eq!(requests(&server), 2, "the two others: one request each");
    drop(holder);
    // The server drops the lock with the session; a moment for it to notice.
    let mut code = 1;
    for _ in 0..50 {
        code = sync(&server.base_url(), &url, &["--lookback", "0"]).code;
        if code == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(code, 0);
    let _ = (FROM, TO);
}

/// Four syncs of disjoint campaign sets into one database at once all finish; two of the same
/// campaigns never both sync one: each campaign is synced by exactly one of them, the other says
/// it skipped it, and a later run finds the table whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syncs_of_different_campaigns_run_side_by_side() {
    let postgres = start().await;
    let campaigns: Vec<String> = (801..=808).map(|id| campaign_json(id, &[])).collect();
    let text = format!(
        r#"{{"partners":[{{"name":"demo","tokens":["demo-token"]}}],"campaigns":[{}]}}"#,
        campaigns.join(",")
    );
    let fixtures = wa_stats_mock::fixtures::from_json(&text, "the lock test").expect("fixtures");
    let server = wa_stats_mock::MockServer::builder()
        .fixtures(fixtures)
        .start()
        .await
        .expect("the mock starts");
    let url = postgres.url();
    let spawn = |ids: &[&str]| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_wa-stats"));
        command
            .arg("sync")
            .args(ids)
            .args(["--db", &url, "--from", FROM, "--to", TO]);
        command.args([
            "--rate-limit",
            "20",
            "--base-url",
            &server.base_url(),
            "--token",
            "demo-token",
        ]);
        crate::isolate(&mut command);
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("wa-stats runs")
    };
    let disjoint: Vec<Child> = [
        ["801", "802"],
        ["803", "804"],
        ["805", "806"],
        ["807", "808"],
    ]
    .iter()
    .map(|ids| spawn(ids))
    .collect();
    for child in disjoint {
        let output = child.wait_with_output().expect("a sync ends");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let client = postgres.client().await;
    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM daily_statistics", &[])
        .await
        .expect("a count")
        .get(0);
    assert_eq!(rows, 8 * 30, "every campaign of the four syncs");

    // The same three campaigns twice at once (on a fresh range of days, so both have work).
    client
        .batch_execute("DELETE FROM daily_statistics WHERE campaign_id IN (801, 802, 803); DELETE FROM sync_state WHERE campaign_id IN (801, 802, 803)")
        .await
        .expect("a reset");
    server.reset();
    let (a, b) = (spawn(&["801", "802", "803"]), spawn(&["803", "802", "801"]));
    let (a, b) = (
        a.wait_with_output().expect("a sync ends"),
        b.wait_with_output().expect("a sync ends"),
    );
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&a.stderr),
        String::from_utf8_lossy(&b.stderr)
    );
    let skipped = said.matches("another wa-stats sync is syncing it").count();
    // Each campaign synced by exactly one of the two: 32 requests (30 + 2 for a dense 30-day
    // campaign) from one process, the other skipping it, or 33 when one had finished it before
    // the other locked it (then a re-check of one request). 64 would be two syncs at once.
    for id in [801, 802, 803] {
        let sent = server
            .journal()
            .iter()
            .filter(|entry| entry.body.contains(&format!("\"campaign_id\":{id},")))
            .count();
        assert!(
            sent == 32 || sent == 33,
            "campaign {id}: {sent} requests: {said}"
        );
    }
    assert!(skipped <= 3, "{said}");
    let rows: i64 = client
        .query_one("SELECT COUNT(*) FROM daily_statistics", &[])
        .await
        .expect("a count")
        .get(0);
    assert_eq!(rows, 8 * 30, "{said}");
}

/// Every row of both tables as text, `extra` as a JSON value and `fetched_at` to the microsecond
/// (what `timestamptz` keeps; the tool wrote nanoseconds in version 1), `synced_at` aside, for
/// comparing a table before and after its migration.
async fn rows_as_text(client: &tokio_postgres::Client) -> Vec<Vec<Value>> {
    let mut out = Vec::new();
    for query in [
        "SELECT * FROM daily_statistics ORDER BY campaign_id, day",
        "SELECT * FROM sync_state ORDER BY campaign_id",
    ] {
        for message in client.simple_query(query).await.expect("a query") {
            let tokio_postgres::SimpleQueryMessage::Row(row) = message else {
                continue;
            };
            let mut values = Vec::new();
            for (index, column) in row.columns().iter().enumerate() {
                let text = row.get(index);
                values.push(match (column.name(), text) {
                    (_, None) => Value::Null,
                    ("extra", Some(text)) => serde_json::from_str(text).expect("JSON"),
                    // When the last run was: every run records it.
                    ("synced_at", Some(_)) => continue,
                    ("fetched_at", Some(text)) => {
                        let instant: jiff::Timestamp = text
                            .replacen(' ', "T", 1)
                            .replace("+00", "Z")
                            .parse()
                            .expect("a time");
                        // To the nearest microsecond, as PostgreSQL rounds.
                        let micros = (instant.as_nanosecond() + 500).div_euclid(1000);
                        Value::from(i64::try_from(micros).expect("a time"))
                    }
                    (_, Some(text)) => text
                        .parse::<f64>()
                        .map_or_else(|_| Value::from(text), Value::from),
                });
            }
            out.push(values);
        }
    }
    out
}

/// A version-1 database, as the tool wrote it before version 2 (`fixtures/postgres-v1.sql`,
/// pg_dump of a sync of a fixture campaign with revenue and the built-in conversational
/// campaign), is upgraded by the next run: proper types, and no value changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_1_database_is_upgraded_without_changing_a_value() {
    let postgres = start().await;
    let loader = postgres.client().await;
    loader
        .batch_execute(include_str!("fixtures/postgres-v1.sql"))
        .await
        .expect("the version-1 dump loads");
    let client = postgres.client().await;
    let before = rows_as_text(&client).await;
    assert_eq!(before.len(), 90 + 140 + 5, "rows of both tables");

    let server = mock().await;
    let run = sync(&server.base_url(), &postgres.url(), &["--lookback", "0"]);
    assert_eq!(run.code, 0, "{run:?}");
    let version: i64 = client
        .query_one("SELECT MAX(version) FROM wa_stats_schema", &[])
        .await
        .expect("the version")
        .get(0);
    assert_eq!(version, 2);
    let types: Vec<(String, String)> = client
        .query(
            "SELECT column_name::TEXT, data_type::TEXT FROM information_schema.columns WHERE \
             table_name IN ('daily_statistics', 'sync_state') AND column_name IN ('day', \
             'fetched_at', 'extra', 'revenue', 'first_day', 'last_day', 'synced_at') ORDER BY 1",
            &[],
        )
        .await
        .expect("the types")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    for (column, expected) in [
        ("day", "date"),
        ("extra", "jsonb"),
        ("fetched_at", "timestamp with time zone"),
        ("first_day", "date"),
        ("last_day", "date"),
        ("revenue", "numeric"),
        ("synced_at", "timestamp with time zone"),
    ] {
        assert!(
            types.iter().any(|(c, t)| c == column && t == expected),
            "{column} is {expected}: {types:?}"
        );
    }
    let after = rows_as_text(&client).await;
    assert_eq!(after.len(), before.len());
    for (after, before) in after.iter().zip(&before) {
        assert_eq!(after, before, "no value changed");
    }

    // And the upgraded table is read and written as before: a re-check finds nothing changed.
    server.reset();
    let run = sync(&server.base_url(), &postgres.url(), &["--lookback", "7"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(
        run.stderr.contains("(0 new, 0 changed, 21 unchanged)"),
        "{run:?}"
    );
}
