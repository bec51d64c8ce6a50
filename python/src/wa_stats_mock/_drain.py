"""Reads a child's output pipe to its end on a thread, so the child can never block on a full pipe.

The mock logs a line per request on stderr; an unread pipe fills after some 64 KiB (about 600
requests) and then every request hangs in the mock's `write`. A `Drain` keeps reading whatever
the test does, and keeps only the last lines, for error messages.
"""

from __future__ import annotations

import threading
from collections import deque
from typing import IO, Callable, Deque, List, Optional

#: Lines kept per stream, for error messages and `MockServer.stderr_tail()`.
KEPT_LINES = 200
#: Longest piece read at once: a line longer than this is kept as several.
_MAX_LINE_BYTES = 64 * 1024


class Drain:
    """Reads `pipe` on a daemon thread until end of file, keeping the last `KEPT_LINES` lines."""

    def __init__(
        self,
        pipe: IO[bytes],
        name: str,
        on_line: Optional[Callable[[str], None]] = None,
        on_end: Optional[Callable[[], None]] = None,
    ) -> None:
        self._pipe = pipe
        self._on_line = on_line
        self._on_end = on_end
        self._lines: Deque[str] = deque(maxlen=KEPT_LINES)
        self._lock = threading.Lock()
        self.line_count = 0
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while True:
                raw = self._pipe.readline(_MAX_LINE_BYTES)
                if not raw:
                    break
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                with self._lock:
                    self._lines.append(line)
                    self.line_count += 1
                if self._on_line is not None:
                    self._on_line(line)
        except (OSError, ValueError):
            # The pipe was closed under us (the server is being torn down): nothing more to read.
            pass
        finally:
            if self._on_end is not None:
                self._on_end()

    def lines(self) -> List[str]:
        """The last lines read so far, oldest first."""
        with self._lock:
            return list(self._lines)

    def join(self, timeout: float) -> None:
        """Waits (at most `timeout` seconds) for end of file, then closes the pipe."""
        self._thread.join(timeout)
        if not self._thread.is_alive():
            self._pipe.close()
