//! The server handle: bind, serve (HTTP/1.1, or HTTPS with ALPN h2 and http/1.1), shut down.
//! Its configuration is `builder.rs`. One file at about 450 lines on purpose: the accept loop, the
//! per-connection limits and the shutdown that drains them share their state and are read together.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tower::ServiceExt;

use crate::body_deadline::{DeadlineBody, REQUEST_READ_TIMEOUT};
use crate::builder::MockServerBuilder;
use crate::error::MockError;
use crate::fault::Fault;
use crate::fixtures::CampaignFixture;
use crate::journal::JournalEntry;
use crate::routes::{ConnectionControl, ConnectionEnd, router};
use crate::state::AppState;
use crate::verify::{Expectation, VerificationError};

/// How long a graceful shutdown waits for requests in flight before dropping them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// How long a TLS handshake may take before the connection is dropped: a peer that connects and
/// says nothing must not hold a task for ever.
#[cfg(feature = "tls")]
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// A running mock server. Dropping it stops the server at once; [`MockServer::shutdown`] lets
/// requests in flight finish first.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let server = wa_stats_mock::MockServer::start().await;
/// assert!(server.base_url().starts_with("http://127.0.0.1:"));
/// # }
/// ```
#[derive(Debug)]
pub struct MockServer {
    addr: SocketAddr,
    state: AppState,
    https: bool,
    ca_pem: Option<String>,
    accepted: Arc<AtomicU64>,
    verify_on_drop: bool,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl MockServer {
    /// The `tracing` target of the one line logged per request (by [`router`](crate::router)'s
    /// middleware), so that it can be filtered on its own
    /// (`RUST_LOG=wa_stats_mock::request=off`).
    pub const REQUEST_LOG_TARGET: &'static str = crate::routes::REQUEST_LOG_TARGET;

    /// Starts a server with the built-in data (R13) on `127.0.0.1` and a free port.
    ///
    /// # Panics
    /// If no loopback port can be bound (the operating system is out of ports or sockets).
    /// Use [`MockServer::builder`] to get that as an error instead.
    pub async fn start() -> Self {
        match Self::builder().start().await {
            Ok(server) => server,
            Err(error) => panic!("wa-stats-mock could not start: {error}"),
        }
    }

    /// A builder for fixtures and settings.
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder::default()
    }

    /// Starts a server with the built-in data on `127.0.0.1` and a free port over HTTPS, with a
    /// CA and a leaf certificate for `localhost`, `127.0.0.1` and `::1` made at start. Trust
    /// [`MockServer::ca_pem`] in the client under test.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// let server = wa_stats_mock::MockServer::start_tls().await;
    /// assert!(server.base_url().starts_with("https://127.0.0.1:"));
    /// assert!(server.ca_pem().is_some_and(|pem| pem.contains("BEGIN CERTIFICATE")));
    /// # }
    /// ```
    ///
    /// # Panics
    /// If no loopback port can be bound or the certificates cannot be made.
    #[cfg(feature = "tls")]
    pub async fn start_tls() -> Self {
        match Self::builder().tls().start().await {
            Ok(server) => server,
            Err(error) => panic!("wa-stats-mock could not start: {error}"),
        }
    }

    /// `http://IP:PORT` (`https://` when serving TLS), without a trailing slash: the base URL
    /// for both routes and the token endpoint.
    pub fn base_url(&self) -> String {
        let scheme = if self.https { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The PEM of the CA that signed the served certificate, when the mock made it (or was given
    /// it with the identity); `None` over plain HTTP.
    pub fn ca_pem(&self) -> Option<&str> {
        self.ca_pem.as_deref()
    }

    /// The bound address (with the real port).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// TCP connections accepted so far: a client that multiplexes over HTTP/2 opens one.
    pub fn connections_accepted(&self) -> u64 {
        self.accepted.load(Ordering::Relaxed)
    }

    /// The shared state, for [`router`] or direct inspection.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Scripts a fault for the next matching requests.
    pub fn inject(&self, fault: Fault) {
        self.state.inject(fault);
    }

    /// The requests received so far, oldest first, credentials redacted.
    pub fn journal(&self) -> Vec<JournalEntry> {
        self.state.journal()
    }

    /// Requests counted since the start or the last reset, including those the journal no
    /// longer keeps.
    pub fn requests_received(&self) -> u64 {
        self.state.requests_received()
    }

    /// Expects a request, as wiremock-rs's `expect` does: checked by [`MockServer::verify`] and
    /// when the server is dropped.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use wa_stats_mock::{Expectation, MockServer};
    /// let server = MockServer::start().await;
    /// server.expect(Expectation::campaign(12345).times(0));
    /// server.verify(); // no request came, as expected
    /// # }
    /// ```
    pub fn expect(&self, expectation: Expectation) {
        self.state.expect(expectation);
    }

    /// Checks every expectation against the journal, and panics with what was expected and what
    /// came instead if one is not met. [`MockServer::verification`] returns it instead.
    ///
    /// # Panics
    /// If an expectation is not met.
    #[track_caller]
    pub fn verify(&self) {
        if let Err(error) = self.state.verify() {
            panic!("{error}");
        }
    }

    /// Checks every expectation against the journal, without panicking.
    pub fn verification(&self) -> Result<(), VerificationError> {
        self.state.verify()
    }

    /// Clears faults, expectations, journal, rate-limit state and issued tokens.
    pub fn reset(&self) {
        self.state.reset();
    }

    /// Adds a campaign or replaces the one with the same ID.
    pub fn upsert_campaign(&self, campaign: &CampaignFixture) -> Result<(), MockError> {
        self.state.upsert_campaign(campaign)
    }

    /// Stops accepting, lets requests in flight finish (for up to 5 s), then stops.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    /// Checks the expectations, as wiremock-rs does: only when some were set, only in a test
    /// (a server built with [`MockServerBuilder::verify_on_drop`]`(false)`, as the binary is,
    /// never panics here), and not while the thread is already panicking, where a second panic
    /// would abort the test binary and hide the first failure. The panic text names requests by
    /// method, path and campaign, never by body.
    fn drop(&mut self) {
        let failed =
            if self.verify_on_drop && !std::thread::panicking() && self.state.has_expectations() {
                self.state.verify().err()
            } else {
                None
            };
        if let Some(task) = self.task.take() {
            // Aborting the accept loop drops its JoinSet, which aborts every connection.
            task.abort();
        }
        if let Some(error) = failed {
            panic!("{error}");
        }
    }
}

impl MockServer {
    /// Binds `listen` and serves `state` on it (over TLS with `acceptor`).
    pub(crate) async fn spawn(
        listen: SocketAddr,
        state: AppState,
        acceptor: Option<Acceptor>,
        ca_pem: Option<String>,
        verify_on_drop: bool,
    ) -> Result<Self, MockError> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|source| MockError::Bind {
                addr: listen,
                source,
            })?;
        let addr = listener.local_addr().map_err(|source| MockError::Bind {
            addr: listen,
            source,
        })?;
        let (stop, stopped) = oneshot::channel();
        let https = acceptor.is_some();
        let accepted = Arc::new(AtomicU64::new(0));
        let task = tokio::spawn(serve(
            listener,
            router(state.clone()),
            acceptor,
            accepted.clone(),
            stopped,
        ));
        Ok(Self {
            addr,
            state,
            https,
            ca_pem,
            accepted,
            verify_on_drop,
            stop: Some(stop),
            task: Some(task),
        })
    }
}

#[cfg(feature = "tls")]
pub(crate) type Acceptor = tokio_rustls::TlsAcceptor;
#[cfg(not(feature = "tls"))]
pub(crate) type Acceptor = NoTls;

/// Stands in for the TLS acceptor when the `tls` feature is off.
#[cfg(not(feature = "tls"))]
#[derive(Debug, Clone)]
pub(crate) enum NoTls {}

/// Accepts connections until `stop` fires, then shuts down gracefully.
async fn serve(
    listener: TcpListener,
    router: Router,
    acceptor: Option<Acceptor>,
    accepted_count: Arc<AtomicU64>,
    mut stop: oneshot::Receiver<()>,
) {
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _peer)) => {
                    accepted_count.fetch_add(1, Ordering::Relaxed);
                    // Small answers must not wait for Nagle's algorithm.
                    let _ = stream.set_nodelay(true);
                    let control = ConnectionControl::default();
                    let watcher = graceful.watcher();
                    let router = router.clone();
                    match acceptor.clone() {
                        None => {
                            connections.spawn(plain_connection(stream, router, control, watcher));
                        }
                        #[cfg(feature = "tls")]
                        Some(acceptor) => {
                            connections.spawn(tls_connection(stream, acceptor, router, control, watcher));
                        }
                        #[cfg(not(feature = "tls"))]
                        Some(never) => match never {},
                    }
                }
                Err(error) => {
                    // Out of file descriptors, most likely: back off instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(10)).await;
                }
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
            _ = &mut stop => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {}
    }
}

/// The handler of one connection: the router, with the connection's control in every request.
fn handler(
    router: Router,
    control: &ConnectionControl,
) -> impl Fn(http::Request<Incoming>) -> tower::util::Oneshot<Router, http::Request<Body>>
+ Clone
+ Send
+ 'static {
    let control = control.clone();
    move |mut request: http::Request<Incoming>| {
        request.extensions_mut().insert(control.clone());
        router
            .clone()
            .oneshot(request.map(|body| Body::new(DeadlineBody::new(body))))
    }
}

/// Serves one plain HTTP/1.1 connection; ends it the way a fault asks to.
async fn plain_connection(
    stream: tokio::net::TcpStream,
    router: Router,
    control: ConnectionControl,
    graceful: hyper_util::server::graceful::Watcher,
) {
    let raw = RawSocket::of(&stream);
    let conn = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(REQUEST_READ_TIMEOUT)
        .serve_connection(
            TokioIo::new(stream),
            hyper::service::service_fn(handler(router, &control)),
        );
    let conn = graceful.watch(conn);
    tokio::select! {
        _ = conn => {}
        end = control.ended() => raw.end(end),
    }
}

/// Serves one HTTPS connection: the handshake (bounded), then HTTP/2 or HTTP/1.1 as ALPN chose.
#[cfg(feature = "tls")]
async fn tls_connection(
    stream: tokio::net::TcpStream,
    acceptor: tokio_rustls::TlsAcceptor,
    router: Router,
    control: ConnectionControl,
    graceful: hyper_util::server::graceful::Watcher,
) {
    let raw = RawSocket::of(&stream);
    let stream = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await {
        Ok(Ok(stream)) => stream,
        Ok(Err(error)) => {
            // A client that refuses our certificate ends here; that is its test passing.
            tracing::debug!(%error, "TLS handshake failed");
            return;
        }
        Err(_) => return,
    };
    let h2 = stream.get_ref().1.alpn_protocol() == Some(b"h2");
    let io = TokioIo::new(stream);
    let service = hyper::service::service_fn(handler(router, &control));
    if h2 {
        let conn = hyper::server::conn::http2::Builder::new(hyper_util::rt::TokioExecutor::new())
            .timer(TokioTimer::new())
            .serve_connection(io, service);
        let conn = graceful.watch(conn);
        tokio::select! {
            _ = conn => {}
            end = control.ended() => raw.end(end),
        }
    } else {
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(REQUEST_READ_TIMEOUT)
            .serve_connection(io, service);
        let conn = graceful.watch(conn);
        tokio::select! {
            _ = conn => {}
            end = control.ended() => raw.end(end),
        }
    }
}

/// A second handle on a connection's socket, for the faults that act below HTTP: a reset (RST)
/// and bytes that are not HTTP. The handle is a duplicate of the descriptor, so it works while
/// hyper (and rustls) own the stream.
struct RawSocket(Option<std::net::TcpStream>);

impl RawSocket {
    #[cfg(unix)]
    fn of(stream: &tokio::net::TcpStream) -> Self {
        use std::os::fd::AsFd;
        Self(
            stream
                .as_fd()
                .try_clone_to_owned()
                .ok()
                .map(std::net::TcpStream::from),
        )
    }

    #[cfg(not(unix))]
    fn of(_stream: &tokio::net::TcpStream) -> Self {
        Self(None)
    }

    /// Ends the connection as asked; the caller then drops hyper's side, which closes the
    /// socket for good.
    fn end(self, end: ConnectionEnd) {
        let Some(socket) = self.0 else { return };
        match end {
            ConnectionEnd::Close => {}
            ConnectionEnd::Reset => {
                // SO_LINGER 0: closing sends RST instead of FIN. The zero linger never blocks.
                if let Ok(socket) = tokio::net::TcpStream::from_std(socket) {
                    let _ = socket.set_zero_linger();
                }
            }
            ConnectionEnd::Garbage(bytes) => {
                use std::io::Write;
                let mut socket = socket;
                // The descriptor is non-blocking; a short answer fits the socket buffer.
                let _ = socket.write_all(&bytes);
                let _ = socket.shutdown(std::net::Shutdown::Write);
            }
        }
    }
}
