//! Cost of the fast body writer (`CampaignStatistics::write_json`) alone: a plain body with both
//! reason objects, the shape the mock answers most, written N times (docs/performance.md).
//!
//! `cargo run --release -p wa-stats-model --example write_body [N]`; for a figure that does not
//! move with the machine's load, run the binary under `valgrind --tool=callgrind` with a small N.

#![allow(
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a measurement tool printing a rate"
)]

use std::time::Instant;

use wa_stats_model::{CampaignStatistics, DropDetails, UndeliveredDetails};

fn main() {
    let bodies: u64 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000_000);
    let mut stats = CampaignStatistics::default();
    (stats.sent, stats.delivered, stats.open) = (123_456, 120_000, 9_999);
    stats.revenue = 12.5;
    stats.drop_details = Some(DropDetails::default());
    stats.undelivered_details = Some(UndeliveredDetails::default());
    let mut out = Vec::with_capacity(2048);
    for round in 0..3 {
        let started = Instant::now();
        for i in 0..bodies {
            out.clear();
            stats.click = i;
            stats.write_json(&mut out);
            std::hint::black_box(&out);
        }
        println!(
            "round {round}: {:.1} ns per body",
            started.elapsed().as_nanos() as f64 / bodies as f64
        );
    }
}
