//! Project tasks: `cargo xtask schemas [--check]` regenerates (or checks) every file generated from
//! the Rust crates alone; `cargo xtask bindings [--check]` does that and then runs the pinned
//! TypeScript, Python and Go generators over the schemas (docs/bindings.md); `cargo xtask
//! public-api [--check]` regenerates (or checks) the listings of the published crates' public
//! APIs (`public_api/`); `cargo xtask test [ARGS…]` provisions what the tests drive and runs
//! every test.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "a command-line tool reports on its terminal"
)]

mod bindings;
mod exports;
mod generated;
mod public_api;
mod render;
mod test_command;

use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask schemas [--check]\n       cargo xtask bindings [--check]\n       \
                     cargo xtask public-api [--check]\n       cargo xtask test [CARGO TEST ARGS…]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["schemas"] => generated::ensure_all(false),
        ["schemas", "--check"] => generated::ensure_all(true),
        ["bindings"] => bindings::ensure(false),
        ["bindings", "--check"] => bindings::ensure(true),
        ["public-api"] => public_api::ensure(false),
        ["public-api", "--check"] => public_api::ensure(true),
        ["test", rest @ ..] => test_command::run(rest),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("{error}");
            ExitCode::FAILURE
        }
    }
}
