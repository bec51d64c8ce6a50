//! The physical floor for the mock's throughput on a machine (benchmark harness, not a test): a
//! bare hyper 1 HTTP/1.1 server that reads each request's body whole and answers the vendor
//! sample's bytes, with none of the mock's work (no routing, no checks, no journal, no log).
//! `crates/wa-stats-mock/benches/floor.sh` loads it with `wrk` beside the mock itself.
//!
//! ```sh
//! cargo build --release -p wa-stats-mock --example bare_hyper
//! target/release/examples/bare_hyper      # prints "listening on http://127.0.0.1:PORT"
//! ```

#![allow(
    clippy::print_stdout,
    reason = "a benchmark harness: its ready line is its interface"
)]

use std::convert::Infallible;
use std::io::Write;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use wa_stats_model::examples::SAMPLE_RESPONSE;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    // The mock answers the sample compacted; so does the floor, byte for byte in length.
    let compact: serde_json::Value =
        serde_json::from_str(SAMPLE_RESPONSE).map_err(std::io::Error::other)?;
    let answer = Bytes::from(compact.to_string());
    let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
    let mut stdout = std::io::stdout();
    writeln!(stdout, "listening on http://{}", listener.local_addr()?)?;
    stdout.flush()?;
    loop {
        let (stream, _) = listener.accept().await?;
        stream.set_nodelay(true)?;
        let answer = answer.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<hyper::body::Incoming>| {
                let answer = answer.clone();
                async move {
                    // Read the body whole, as the mock does before it answers.
                    let _ = request.into_body().collect().await;
                    let response = Response::builder()
                        .header("content-type", "application/json")
                        .body(Full::new(answer))
                        .unwrap_or_default();
                    Ok::<_, Infallible>(response)
                }
            });
            let _ = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
