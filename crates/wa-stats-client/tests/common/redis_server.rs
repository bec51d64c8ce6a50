//! A real `redis-server` for one test: on 127.0.0.1 and a free port, without persistence, and
//! stopped by its PID when the guard drops, including when the test fails. If it cannot start,
//! the test fails saying why; it never skips. (The CLI's end-to-end tests use this file too.)

#![allow(dead_code, unreachable_pub, reason = "each test binary uses a subset")]
#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "test helper: a panic is the failure report"
)]

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running `redis-server`, killed on drop.
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
}

impl RedisServer {
    /// Starts one on a free port.
    pub fn start() -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|listener| listener.local_addr())
            .map(|addr| addr.port())
            .unwrap();
        Self::start_on(port)
    }

    /// Starts one on `port` (a restart after [`kill`](Self::kill) reuses the old port).
    pub fn start_on(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args([
                "--port",
                &port.to_string(),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
            ])
            .args(["--appendonly", "no", "--protected-mode", "yes"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| {
                panic!(
                    "cannot start redis-server ({error}); these tests need a real Redis: \
                     install the Debian package redis-server (.ci/run does)"
                )
            });
        let mut server = Self {
            child: Some(child),
            port,
        };
        server.wait_until_ready();
        server
    }

    fn wait_until_ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.as_mut().unwrap().try_wait().unwrap() {
                let mut output = String::new();
                let mut child = self.child.take().unwrap();
                let _ = child.stdout.take().unwrap().read_to_string(&mut output);
                let _ = child.stderr.take().unwrap().read_to_string(&mut output);
                let _ = child.wait();
                panic!(
                    "redis-server on port {} exited at start ({status}):\n{output}",
                    self.port
                );
            }
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok()
                && self
                    .connection()
                    .map(|mut c| redis::cmd("PING").exec(&mut c))
                    .is_ok()
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "redis-server on port {} did not answer within 10 s",
                self.port
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    fn connection(&self) -> redis::RedisResult<redis::Connection> {
        redis::Client::open(self.url())?.get_connection_with_timeout(Duration::from_secs(2))
    }

    /// Runs one command on a fresh connection.
    pub fn command(&self, args: &[&str]) -> redis::Value {
        let mut cmd = redis::cmd(args[0]);
        for arg in &args[1..] {
            cmd.arg(*arg);
        }
        cmd.query(&mut self.connection().unwrap()).unwrap()
    }

    /// Every key with its value and remaining time to live in milliseconds.
    pub fn dump(&self) -> Vec<(String, String, i64)> {
        let mut connection = self.connection().unwrap();
        let keys: Vec<String> = redis::cmd("KEYS").arg("*").query(&mut connection).unwrap();
        keys.into_iter()
            .map(|key| {
                let kind: String = redis::cmd("TYPE").arg(&key).query(&mut connection).unwrap();
                let value: String = match kind.as_str() {
                    "string" => redis::cmd("GET").arg(&key).query(&mut connection).unwrap(),
                    "list" => redis::cmd("LRANGE")
                        .arg(&key)
                        .arg(0)
                        .arg(-1)
                        .query::<Vec<String>>(&mut connection)
                        .unwrap()
                        .join(","),
                    other => panic!("{key}: a {other}, which the budget never writes"),
                };
                let ttl: i64 = redis::cmd("PTTL").arg(&key).query(&mut connection).unwrap();
                (key, value, ttl)
            })
            .collect()
    }

    /// Kills the server (SIGKILL, by PID) and waits for it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
    }
}
