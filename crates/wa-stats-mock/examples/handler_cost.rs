//! Cost of the handlers alone (no sockets): N oneshot calls through the router per scenario.

#![allow(
    clippy::print_stdout,
    clippy::unwrap_used,
    reason = "a measurement tool"
)]

use std::time::Instant;

use tower::ServiceExt;
use wa_stats_mock::{MockServer, router};

fn main() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        for journal in [10_000, 0] {
            let state = MockServer::builder()
                .synthetic(100, 3650, 1)
                .rate_limit(None)
                .journal_capacity(journal)
                .into_state()
                .unwrap();
            let app = router(state);
            for (name, method, path, body) in [
                ("healthz", "GET", "/healthz", ""),
                (
                    "one-day",
                    "POST",
                    "/v1/statistics/campaign",
                    r#"{"campaign_id":1000001,"start_time":1654041600,"end_time":1654128000}"#,
                ),
                (
                    "lifetime",
                    "POST",
                    "/v1/statistics/campaign",
                    r#"{"campaign_id":1000001}"#,
                ),
            ] {
                let n = 200_000;
                let started = Instant::now();
                for _ in 0..n {
                    let request = http::Request::builder()
                        .method(method)
                        .uri(path)
                        .header("x-ins-auth-key", "INS.demo-key")
                        .header("content-type", "application/json")
                        .body(axum::body::Body::from(body))
                        .unwrap();
                    let response = app.clone().oneshot(request).await.unwrap();
                    let _ = axum::body::to_bytes(response.into_body(), usize::MAX)
                        .await
                        .unwrap();
                }
                println!(
                    "journal {journal:>5} {name:>9}: {:.2} µs",
                    started.elapsed().as_secs_f64() * 1e6 / f64::from(n)
                );
            }
        }
    });
}
