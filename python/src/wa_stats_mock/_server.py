"""`MockServer`: the bundled `wa-stats-mock` binary on 127.0.0.1 and a free port, as a context
manager that always stops it."""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import ssl
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Dict, List, Mapping, Optional, Sequence, Set, Tuple, Type, Union

from . import _builtin
from ._binary import find_binary
from ._controls import AdminControls
from ._drain import Drain

#: A fixture file's path, or its content as a dict (the JSON of docs/mock.md, "Fixture files").
Fixtures = Union[str, "os.PathLike[str]", Mapping[str, Any]]

#: The binary's one line on stdout once it accepts connections.
_READY_LINE = re.compile(r"^listening on (https?://[^\s:/]+:(\d+))\s*$")
#: How long to wait for the output threads once the process has gone.
_DRAIN_JOIN_SECS = 2.0
#: Variables the binary reads that would change what this wrapper relies on.
_IGNORED_ENV = ("WA_STATS_MOCK_LISTEN", "WA_STATS_MOCK_ADMIN_TOKEN")


@dataclass(frozen=True)
class Synthetic:
    """Generated campaigns owned by "demo": `--synthetic-campaigns/--synthetic-days/--seed`.

    IDs start at 1 000 000 (or just above the highest fixture ID); days from 2018-01-01; the same
    seed gives the same data.
    """

    campaigns: int
    days: int = 30
    seed: int = 0


class MockStartError(RuntimeError):
    """The binary did not come up: it exited, or printed no `listening on` line in time.

    The message ends with the binary's stderr, which says why (a bad fixture, say); `stderr` holds
    its last lines and `returncode` its exit status (`None` if it was stopped by the timeout).
    """

    def __init__(self, message: str, stderr: List[str], returncode: Optional[int]) -> None:
        shown = "\n".join(f"  {line}" for line in stderr) if stderr else "  (nothing)"
        super().__init__(f"{message}. Its stderr:\n{shown}")
        self.stderr = stderr
        self.returncode = returncode


# Strong references: a server dropped without `stop()` must still be found at exit.
_running: Set[MockServer] = set()
_running_lock = threading.Lock()


@atexit.register
def _stop_all() -> None:
    # A server that was started without `with` and never stopped must not outlive Python.
    with _running_lock:
        servers = list(_running)
    for server in servers:
        server.stop()


class MockServer(AdminControls):
    """The mock API in a child process, on `127.0.0.1` and a port the kernel picks.

    ```python
    with MockServer() as server:
        conn = http.client.HTTPConnection(*server.addr)
        conn.request("POST", "/v1/statistics/campaign", body='{"campaign_id": 12345}',
                     headers={"x-ins-auth-key": MockServer.DEMO_API_KEY})
    ```

    Options mirror the binary's flags (`None` keeps the binary's default):

    - `fixtures`: a fixture file's path, or its content as a dict (fed to the binary on its
      standard input, so no file is written). Default: the built-in data (R13).
    - `rate_limit`: requests per second per credential; `0` turns the limit off. Default 100, or
      the fixtures' `settings.rateLimitPerSecond`.
    - `token_ttl`: lifetime in seconds of the tokens `POST /auth/token` issues. Default 3600.
    - `journal_capacity`: requests kept for `journal()`; `0` keeps none. Default 10 000.
    - `synthetic`: generated campaigns, a `Synthetic(campaigns, days, seed)`.
    - `tls`: serve HTTPS (ALPN h2 and http/1.1) with a CA and a leaf certificate for
      `localhost`, `127.0.0.1` and `::1` made at start; `ca_path` is the CA's PEM file (for
      `ssl.create_default_context(cafile=...)`, `curl --cacert`, `requests`' `verify=`), and every
      URL is `https://`. The admin helpers trust it too.
    - `admin_token`: require `Authorization: Bearer TOKEN` on `/__admin/` (the helpers send it).
    - `binary`: run this binary instead of the installed one (see `find_binary`).
    - `extra_args`: more command-line arguments, passed as they are.
    - `env`: variables added to the binary's environment (`RUST_LOG`, say).
    - `startup_timeout`: seconds to wait for the `listening on` line (default 30).
    - `stop_timeout`: seconds a graceful stop (SIGTERM) may take before SIGKILL (default 5).

    The binary's stdout and stderr are read on two threads for as long as it runs, so it never
    blocks on a full pipe however many requests it logs; the last lines of each are kept
    (`stderr_tail()`). Leaving the `with` block stops the process by its PID and waits for it,
    whether the block raised or not; a server never stopped is stopped when Python exits.
    """

    DEMO_TOKEN = _builtin.DEMO_TOKEN
    DEMO_API_KEY = _builtin.DEMO_API_KEY
    DEMO_CLIENT_ID = _builtin.DEMO_CLIENT_ID
    DEMO_CLIENT_SECRET = _builtin.DEMO_CLIENT_SECRET
    OTHER_TOKEN = _builtin.OTHER_TOKEN
    OTHER_API_KEY = _builtin.OTHER_API_KEY
    INACTIVE_TOKEN = _builtin.INACTIVE_TOKEN
    INACTIVE_API_KEY = _builtin.INACTIVE_API_KEY
    SAMPLE_CAMPAIGN_ID = _builtin.SAMPLE_CAMPAIGN_ID
    CONVERSATIONAL_CAMPAIGN_ID = _builtin.CONVERSATIONAL_CAMPAIGN_ID
    NOT_WHATSAPP_CAMPAIGN_ID = _builtin.NOT_WHATSAPP_CAMPAIGN_ID
    OTHER_PARTNER_CAMPAIGN_ID = _builtin.OTHER_PARTNER_CAMPAIGN_ID

    def __init__(
        self,
        *,
        fixtures: Optional[Fixtures] = None,
        rate_limit: Optional[int] = None,
        token_ttl: Optional[int] = None,
        journal_capacity: Optional[int] = None,
        synthetic: Optional[Synthetic] = None,
        admin_token: Optional[str] = None,
        tls: bool = False,
        binary: Optional[Union[str, "os.PathLike[str]"]] = None,
        extra_args: Sequence[str] = (),
        env: Optional[Mapping[str, str]] = None,
        startup_timeout: float = 30.0,
        stop_timeout: float = 5.0,
    ) -> None:
        self._fixtures = fixtures
        self._rate_limit = rate_limit
        self._token_ttl = token_ttl
        self._journal_capacity = journal_capacity
        self._synthetic = synthetic
        self._admin_token = admin_token
        self._tls = tls
        self._tls_dir: Optional[str] = None
        self._binary = binary
        self._extra_args = tuple(extra_args)
        self._env = dict(env or {})
        self._startup_timeout = startup_timeout
        self._stop_timeout = stop_timeout
        self._lock = threading.RLock()
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._pid: Optional[int] = None
        self._returncode: Optional[int] = None
        self._base_url: Optional[str] = None
        self._port: Optional[int] = None
        self._stdout: Optional[Drain] = None
        self._stderr: Optional[Drain] = None
        self._fixtures_dir: Optional[str] = None

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> MockServer:
        """Starts the binary and waits for its `listening on` line; returns `self`.

        Raises `MockStartError` (with the binary's stderr) if it exits or stays silent for
        `startup_timeout` seconds; the process is stopped before the error is raised.
        """
        with self._lock:
            if self._process is not None:
                raise RuntimeError("this MockServer is already running")
            command, fixtures_text = self._command()
            self._returncode = None
            # Fixtures given as a dict reach the binary on a pipe of their own: its stdin is the
            # lifeline (`--exit-on-stdin-eof`), held open until `stop`, so that the binary stops
            # by itself when this process dies, even by SIGKILL, and no orphan keeps the port.
            fixtures_pipe = os.pipe() if fixtures_text is not None else None
            if fixtures_pipe is not None:
                command.append(f"--fixtures=/dev/fd/{fixtures_pipe[0]}")
            try:
                process = subprocess.Popen(
                    command,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=self._child_env(),
                    pass_fds=(fixtures_pipe[0],) if fixtures_pipe is not None else (),
                )
            except BaseException:
                if fixtures_pipe is not None:
                    os.close(fixtures_pipe[1])
                raise
            finally:
                if fixtures_pipe is not None:
                    os.close(fixtures_pipe[0])
            self._process = process
            self._pid = process.pid
            with _running_lock:
                _running.add(self)
            try:
                self._wait_until_listening(
                    process,
                    command,
                    fixtures_text,
                    fixtures_pipe[1] if fixtures_pipe is not None else None,
                )
            except BaseException:
                self.stop()
                raise
            return self

    def _command(self) -> Tuple[List[str], Optional[bytes]]:
        binary = os.fspath(self._binary) if self._binary is not None else find_binary()
        # `--flag=value`, so that a value starting with `-` reaches the binary's own check.
        command = [binary, "--listen=127.0.0.1:0", "--exit-on-stdin-eof"]
        fixtures_text: Optional[bytes] = None
        if isinstance(self._fixtures, Mapping):
            fixtures_text = json.dumps(self._fixtures).encode()
            if os.name == "nt":
                command.append(f"--fixtures={self._fixtures_file(fixtures_text)}")
        elif self._fixtures is not None:
            command.append(f"--fixtures={os.fspath(self._fixtures)}")
        if self._rate_limit is not None:
            command.append(f"--rate-limit={self._rate_limit}")
        if self._token_ttl is not None:
            command.append(f"--token-ttl={self._token_ttl}")
        if self._journal_capacity is not None:
            command.append(f"--journal={self._journal_capacity}")
        if self._synthetic is not None:
            command += [
                f"--synthetic-campaigns={self._synthetic.campaigns}",
                f"--synthetic-days={self._synthetic.days}",
                f"--seed={self._synthetic.seed}",
            ]
        if self._tls:
            if self._tls_dir is None:
                self._tls_dir = tempfile.mkdtemp(prefix="wa-stats-mock-tls-")
            command += ["--tls", f"--tls-ca-out={os.path.join(self._tls_dir, 'ca.pem')}"]
        command += self._extra_args
        if fixtures_text is not None and os.name == "nt":
            fixtures_text = None  # written to a file instead (above)
        return command, fixtures_text

    def _fixtures_file(self, text: bytes) -> str:
        # Fixtures hold credentials: elsewhere they go on a pipe (`start`) rather than in a
        # file; Windows has no `pass_fds`.
        self._fixtures_dir = tempfile.mkdtemp(prefix="wa-stats-mock-")
        path = os.path.join(self._fixtures_dir, "fixtures.json")
        with open(path, "wb") as file:
            file.write(text)
        return path

    def _child_env(self) -> Dict[str, str]:
        env = {name: value for name, value in os.environ.items() if name not in _IGNORED_ENV}
        # The binary's log lines are for people reading an error message, not for a terminal.
        env.setdefault("NO_COLOR", "1")
        env.update(self._env)
        if self._admin_token is not None:
            # In the environment rather than argv, where `ps` would show it.
            env["WA_STATS_MOCK_ADMIN_TOKEN"] = self._admin_token
        return env

    def _wait_until_listening(
        self,
        process: subprocess.Popen[bytes],
        command: List[str],
        fixtures_text: Optional[bytes],
        fixtures_pipe: Optional[int],
    ) -> None:
        assert process.stdout is not None and process.stderr is not None
        ready = threading.Event()

        def on_stdout_line(line: str) -> None:
            match = _READY_LINE.match(line)
            if match is not None and self._base_url is None:
                self._base_url = match.group(1)
                self._port = int(match.group(2))
                ready.set()

        self._stdout = Drain(process.stdout, "wa-stats-mock stdout", on_stdout_line, ready.set)
        self._stderr = Drain(process.stderr, "wa-stats-mock stderr")
        if fixtures_text is not None and fixtures_pipe is not None:
            _feed(os.fdopen(fixtures_pipe, "wb"), fixtures_text)
        ready.wait(self._startup_timeout)
        if self._base_url is not None:
            return
        if ready.is_set():
            # Its stdout ended: it is exiting; let it finish so that its status is known.
            try:
                process.wait(_DRAIN_JOIN_SECS)
            except subprocess.TimeoutExpired:
                pass
        status = process.poll()
        if status is not None:
            reason = f"exited with status {status} before it was listening"
        elif ready.is_set():
            reason = "closed its stdout without printing 'listening on http://127.0.0.1:PORT'"
        else:
            reason = (
                f"did not print 'listening on http://127.0.0.1:PORT' within "
                f"{self._startup_timeout:g} s"
            )
        self._stop_process(process)
        shown = " ".join(command)
        raise MockStartError(
            f"wa-stats-mock {reason} (command: {shown})",
            # Fixtures we piped in have no file the caller knows: name them as the Rust library does.
            [
                re.sub(r"fixture file /dev/fd/\d+", "fixtures given to MockServer", line)
                for line in self._finish_drains()
            ],
            status,
        )

    def stop(self) -> None:
        """Stops the binary by its PID (SIGTERM, then SIGKILL after `stop_timeout` seconds) and
        waits for it. Does nothing if it is not running; safe to call twice."""
        with self._lock:
            process = self._process
            if process is None:
                return
            try:
                self._stop_process(process)
            finally:
                self._finish_drains()
                self._process = None
                self._base_url = None
                self._port = None
                with _running_lock:
                    _running.discard(self)
                if self._fixtures_dir is not None:
                    shutil.rmtree(self._fixtures_dir, ignore_errors=True)
                    self._fixtures_dir = None
                if self._tls_dir is not None:
                    shutil.rmtree(self._tls_dir, ignore_errors=True)
                    self._tls_dir = None

    def _stop_process(self, process: subprocess.Popen[bytes]) -> None:
        if process.stdin is not None:
            try:
                process.stdin.close()
            except OSError:
                pass
        if process.poll() is None:
            # `terminate` signals `process.pid` only while the child is unreaped, so it can never
            # hit a process that later got the same PID.
            process.terminate()
            try:
                process.wait(self._stop_timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self._returncode = process.returncode

    def _finish_drains(self) -> List[str]:
        for drain in (self._stdout, self._stderr):
            if drain is not None:
                drain.join(_DRAIN_JOIN_SECS)
        return self.stderr_tail()

    def __enter__(self) -> MockServer:
        if self._process is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        traceback: Optional[TracebackType],
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self._base_url or "not running"
        return f"MockServer({where}, pid={self._pid})"

    # --- where it is -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the process is alive."""
        process = self._process
        return process is not None and process.poll() is None

    @property
    def pid(self) -> Optional[int]:
        """The process ID of the last started binary (kept after it stopped), or `None`."""
        return self._pid

    @property
    def returncode(self) -> Optional[int]:
        """The exit status once stopped (negative: the signal that ended it; 3: expectations
        set with `expect()` were not met when it stopped), else `None`."""
        return self._returncode

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT` (`https://` with `tls=True`), no trailing slash."""
        if self._base_url is None:
            raise RuntimeError(
                "the mock is not running: use `with MockServer() as server:` or call start()"
            )
        return self._base_url

    @property
    def port(self) -> int:
        """The port the kernel picked."""
        self.base_url  # raises when not running
        assert self._port is not None
        return self._port

    @property
    def ca_path(self) -> str:
        """The PEM file of the CA the mock made (`tls=True` only), valid while it runs."""
        if not self._tls:
            raise RuntimeError("this MockServer serves plain HTTP: start it with tls=True")
        if self._base_url is None or self._tls_dir is None:
            raise RuntimeError(
                "the mock is not running: use `with MockServer(tls=True) as server:` or call "
                "start()"
            )
        return os.path.join(self._tls_dir, "ca.pem")

    def ssl_context(self) -> ssl.SSLContext:
        """An `ssl.SSLContext` that trusts the mock's CA (`tls=True` only)."""
        return ssl.create_default_context(cafile=self.ca_path)

    def _admin_ssl_context(self) -> Optional[ssl.SSLContext]:
        return self.ssl_context() if self._tls else None

    @property
    def addr(self) -> Tuple[str, int]:
        """`("127.0.0.1", port)`."""
        return ("127.0.0.1", self.port)

    @property
    def v1_url(self) -> str:
        """`POST` here with header `x-ins-auth-key: KEY`."""
        return self.base_url + _builtin.V1_PATH

    @property
    def v2_url(self) -> str:
        """`POST` here with header `Authorization: Bearer TOKEN`."""
        return self.base_url + _builtin.V2_PATH

    @property
    def token_url(self) -> str:
        """The OAuth 2.0 token endpoint (`POST`, JSON body with client id, secret and scopes)."""
        return self.base_url + _builtin.TOKEN_PATH

    def stderr_tail(self) -> List[str]:
        """The last lines (200 at most) the binary wrote on stderr: its log, one line a request."""
        return self._stderr.lines() if self._stderr is not None else []

    @property
    def stderr_line_count(self) -> int:
        """How many lines the binary has written on stderr so far (all read, most dropped)."""
        return self._stderr.line_count if self._stderr is not None else 0


def _feed(pipe: IO[bytes], data: bytes) -> None:
    """Writes `data` to the child's fixtures pipe and closes it, on a thread: a child that reads
    nothing must not block the caller once the pipe is full."""

    def write() -> None:
        try:
            pipe.write(data)
        except OSError:
            pass  # the child exited first; its stderr says why
        finally:
            try:
                pipe.close()
            except OSError:
                pass

    threading.Thread(target=write, name="wa-stats-mock stdin", daemon=True).start()
