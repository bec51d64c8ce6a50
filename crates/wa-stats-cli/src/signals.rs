//! SIGINT and SIGTERM during a run: caught, so that the run can stop admitting, say how far it
//! got, and exit with the status a shell gives a process the signal ended (130, 143).

use crate::refusal::{EXIT_SIGINT, EXIT_SIGTERM};

/// Completes at the first SIGINT or SIGTERM with the exit status for it. From the first poll on,
/// those signals no longer end the process by themselves. Never completes if the handlers cannot
/// be installed (the signals then end the process as before).
#[cfg(unix)]
pub(crate) async fn interrupted() -> u8 {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut interrupt), Ok(mut terminate)) = (
        signal(SignalKind::interrupt()),
        signal(SignalKind::terminate()),
    ) else {
        return std::future::pending().await;
    };
    tokio::select! {
        _ = interrupt.recv() => EXIT_SIGINT,
        _ = terminate.recv() => EXIT_SIGTERM,
    }
}

/// Completes at the first Ctrl-C.
#[cfg(not(unix))]
pub(crate) async fn interrupted() -> u8 {
    let _ = EXIT_SIGTERM;
    match tokio::signal::ctrl_c().await {
        Ok(()) => EXIT_SIGINT,
        Err(_) => std::future::pending().await,
    }
}
