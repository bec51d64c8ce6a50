//! `tap-wa-stats ARGS…`: `wa-stats tap ARGS…`, for Singer runners (Meltano) that call a tap as one
//! executable. The process is replaced by `wa-stats` from the same directory (so that a wheel's or
//! an install's pair stays together), or from `PATH`; exit status and streams are its own.

#![allow(
    clippy::print_stderr,
    reason = "the one line when wa-stats cannot be run"
)]

use std::path::PathBuf;
use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let name = format!("wa-stats{}", std::env::consts::EXE_SUFFIX);
    let beside: Option<PathBuf> = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(&name)))
        .filter(|path| path.is_file());
    let program = beside.unwrap_or_else(|| PathBuf::from(&name));
    let mut command = Command::new(&program);
    command.arg("tap").args(std::env::args_os().skip(1));
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let error = command.exec();
        eprintln!("tap-wa-stats: cannot run {}: {error}", program.display());
        ExitCode::from(127)
    }
    #[cfg(not(unix))]
    match command.status() {
        Ok(status) => ExitCode::from(u8::try_from(status.code().unwrap_or(1)).unwrap_or(1)),
        Err(error) => {
            eprintln!("tap-wa-stats: cannot run {}: {error}", program.display());
            ExitCode::from(127)
        }
    }
}
