//! The shared budget's scripts against the local rules they must agree with, on the same inputs
//! in a real `redis-server`: `sent.lua` against the model's `SlidingWindowLog`, `gcra.lua`
//! against the local pacer's schedule. Both scripts take "now" as an argument here, so that
//! Redis's clock and tokio's paused one read the same instants; keys are made persistent after
//! each call, so that real time passing (expiry is real-time housekeeping) cannot differ from
//! the simulated time the inputs say.

#![allow(
    clippy::unwrap_used,
    reason = "test helpers: a panic is the failure report"
)]

use std::cell::{Cell, RefCell};
use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use wa_stats_model::window::SlidingWindowLog;

use super::{RECORD, RESERVE};
use crate::rate::local::{LocalPacer, interval};

#[path = "../../../tests/common/redis_server.rs"]
mod redis_server;

/// Redis's clock reads about this many microseconds (2023); the scripts' arithmetic must hold
/// there, not only near zero.
const EPOCH_US: u64 = 1_700_000_000_000_000;

fn run(connection: &mut redis::Connection, script: &redis::Script, key: &str, args: &[u64]) -> u64 {
    let mut invocation = script.key(key);
    for arg in args {
        invocation.arg(*arg);
    }
    let wait: i64 = invocation.invoke(connection).unwrap();
    let _: i64 = redis::cmd("PERSIST").arg(key).query(connection).unwrap();
    u64::try_from(wait).unwrap()
}

/// The runner takes a `Fn`: the connection (and the case count) are cells.
fn connect(redis: &redis_server::RedisServer) -> RefCell<redis::Connection> {
    let client = redis::Client::open(redis.url()).unwrap();
    RefCell::new(client.get_connection().unwrap())
}

fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_micros()).unwrap()
}

#[test]
fn sent_lua_admits_exactly_as_the_sliding_window_log() {
    let redis = redis_server::RedisServer::start();
    let connection = connect(&redis);
    let case = Cell::new(0u32);
    let inputs = (
        1u32..=12,
        1_000_000u64..=3_000_000,
        proptest::collection::vec(0u64..400_000, 1..150),
    );
    TestRunner::new(Config::with_cases(64))
        .run(&inputs, |(limit, window_us, gaps)| {
            case.set(case.get() + 1);
            let key = format!("sent-{}", case.get());
            let mut log = SlidingWindowLog::new(limit, Duration::from_micros(window_us));
            let mut now = Duration::ZERO;
            for gap in gaps {
                now += Duration::from_micros(gap);
                let expected = match log.next_allowed() {
                    Some(allowed) if now < allowed => micros(allowed - now),
                    _ => 0,
                };
                let fits = log.try_admit(now);
                let wait = run(
                    &mut connection.borrow_mut(),
                    &RECORD,
                    &key,
                    &[u64::from(limit), window_us, EPOCH_US + micros(now)],
                );
                prop_assert_eq!(wait, expected, "at {:?}", now);
                prop_assert_eq!(wait == 0, fits);
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn gcra_lua_schedules_exactly_as_the_local_pacer() {
    let redis = redis_server::RedisServer::start();
    let connection = connect(&redis);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    let case = Cell::new(0u32);
    let inputs = (1u32..=250, proptest::collection::vec(0u64..40_000, 1..200));
    TestRunner::new(Config::with_cases(64))
        .run(&inputs, |(rate, gaps)| {
            case.set(case.get() + 1);
            let key = format!("gcra-{}", case.get());
            let interval_us = micros(interval(rate));
            runtime.block_on(async {
                let pacer = LocalPacer::new(rate);
                let start = tokio::time::Instant::now();
                for gap in gaps {
                    tokio::time::advance(Duration::from_micros(gap)).await;
                    let now = tokio::time::Instant::now();
                    let local = micros(pacer.reserve() - now);
                    let shared = run(
                        &mut connection.borrow_mut(),
                        &RESERVE,
                        &key,
                        &[interval_us, EPOCH_US + micros(now - start)],
                    );
                    prop_assert_eq!(shared, local, "rate {} at {:?}", rate, now - start);
                }
                Ok(())
            })
        })
        .unwrap();
}
