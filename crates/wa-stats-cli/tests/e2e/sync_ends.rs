//! How `sync` tells a person it stopped (issue 31, item 16): SIGTERM and SIGINT say how far it
//! got on stderr, and a database whose tables are not ours is named without dumping SQL.

use std::process::{Command, Stdio};
use std::time::Duration;

use wa_stats_mock::Fault;

use crate::sync::{FROM, TO, campaigns_written, db_path, mock, sync};
use crate::{command, finish_within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_and_sigint_say_how_far_sync_got() {
    let server = mock().await;
    for (signal, status) in [("-TERM", 143), ("-INT", 130)] {
        server.reset();
        // The second campaign never answers: the run is stopped while it waits.
        server.inject(
            Fault::delay(Duration::from_secs(600))
                .for_campaign(702)
                .always(),
        );
        let db = db_path(&format!("signal{signal}"));
        let db_text = db.to_str().expect("UTF-8 path");
        let mut sync = command(
            &[
                "sync",
                "701",
                "702",
                "703",
                "--db",
                db_text,
                "--from",
                FROM,
                "--to",
                TO,
                "--concurrency",
                "1",
                "--base-url",
                &server.base_url(),
                "--token",
                "demo-token",
            ],
            &[],
        );
        sync.stdin(Stdio::null());
        let child = sync.spawn().expect("wa-stats runs");
        // Bounded: campaign 701's 30 days committed, within 30 s.
        let mut written = 0;
        for _ in 0..3000 {
            written = campaigns_written(&db);
            if written > 0 {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(written, 1, "{signal}: the first campaign was committed");
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill(1) runs");
        assert!(sent.success());
        let (run, _) = finish_within(child, Duration::from_secs(20));
        assert_eq!(run.code, status, "{signal}: {run:?}");
        assert!(run.stderr.contains("interrupted"), "{signal}: {run:?}");
        assert!(run.stderr.contains("30 days written"), "{signal}: {run:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_foreign_table_is_named_without_its_sql() {
    let server = mock().await;
    let db = db_path("foreign");
    let made = Command::new("python3")
        .args([
            "-c",
            "import sqlite3, sys\n\
             c = sqlite3.connect(sys.argv[1])\n\
             c.execute('CREATE TABLE daily_statistics (note TEXT)')\n\
             c.commit()\n",
        ])
        .arg(&db)
        .status()
        .expect("python3 runs");
    assert!(made.success());
    let run = sync(&server.base_url(), db.to_str().expect("UTF-8 path"), &[]);
    assert_ne!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("daily_statistics"), "{run:?}");
    assert!(!run.stderr.contains("CREATE TABLE"), "{run:?}");
    assert!(!run.stderr.contains("CREATE INDEX"), "{run:?}");
    assert!(run.stderr.lines().count() <= 3, "a short message: {run:?}");
}
