//! SIGINT and SIGTERM during a run: caught, so that the run can stop admitting, say how far it
//! got, and exit with the status a shell gives a process the signal ended (130, 143).
//!
//! One listener per process, started by the first [`interrupted`]: a signal that arrives while no
//! part of the run is waiting for one (between reading the IDs and fetching, say) is kept, and the
//! next [`interrupted`] completes at once, instead of being lost once the handlers are installed.

use std::sync::OnceLock;

use tokio::sync::watch;

use crate::refusal::{EXIT_SIGINT, EXIT_SIGTERM};

/// The first signal's exit status, once one arrived.
static FIRST: OnceLock<watch::Receiver<Option<u8>>> = OnceLock::new();

/// Completes at the first SIGINT or SIGTERM of the process (also one that came before this call,
/// after an earlier call started listening) with the exit status for it. Once listening, those
/// signals no longer end the process by themselves. Never completes if the handlers cannot be
/// installed (the signals then end the process as before).
pub(crate) async fn interrupted() -> u8 {
    let mut first = FIRST
        .get_or_init(|| {
            let (sender, receiver) = watch::channel(None);
            tokio::spawn(async move {
                let status = listen().await;
                let _ = sender.send(Some(status));
                // Kept alive: a closed channel would read as "never".
                std::future::pending::<()>().await;
            });
            receiver
        })
        .clone();
    loop {
        if let Some(status) = *first.borrow_and_update() {
            return status;
        }
        if first.changed().await.is_err() {
            return std::future::pending().await;
        }
    }
}

/// Waits for the first SIGINT or SIGTERM.
#[cfg(unix)]
async fn listen() -> u8 {
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

/// Waits for the first Ctrl-C.
#[cfg(not(unix))]
async fn listen() -> u8 {
    let _ = EXIT_SIGTERM;
    match tokio::signal::ctrl_c().await {
        Ok(()) => EXIT_SIGINT,
        Err(_) => std::future::pending().await,
    }
}
