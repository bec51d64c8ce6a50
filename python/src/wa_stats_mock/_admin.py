"""The admin API's values as Python sees them: `Fault` (what `POST /__admin/faults` takes),
`JournalEntry` (what `GET /__admin/journal` returns) and `AdminError`.

The rules (which combinations a fault may have, what the journal redacts) live in the mock; this
module only converts, so an invalid fault gets the mock's own words back as an `AdminError`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Dict, List, Literal, Mapping, Optional, Tuple, Union

#: What a fault's `body` may be: text as is, or a value sent as its JSON text.
FaultBody = Union[str, Mapping[str, Any], List[Any], None]

#: The two ways a fault can close the connection.
CloseKind = Literal["connection", "mid_body"]
#: Faults below HTTP: a TCP reset (RST), a stall (the request is read, no answer ever comes, the
#: connection stays open), bytes that are not HTTP.
NetworkKind = Literal["reset", "stall", "not_http"]
#: How many requests a fault hits: a count, or `"always"` (until `reset()`).
Times = Union[int, Literal["always"], None]
#: Which requests a fault applies to: the statistics routes, or `POST /auth/token`.
Route = Literal["statistics", "token"]


class AdminError(RuntimeError):
    """The mock refused an admin request (a fault or campaign it cannot take, a wrong admin token).

    `status` is the HTTP status and `message` the mock's own explanation.
    """

    def __init__(self, what: str, status: int, message: str) -> None:
        super().__init__(f"{what}: HTTP {status}: {message}")
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Fault:
    """A scripted fault, applied to the next matching requests (first injected, first applied).

    Give one of `status` (with optional `body` and `headers`), `close`, `network` and
    `slow_body`, or only `delay`:

    - `status`: answer with this HTTP status, `body` (a `str` as is, anything else as JSON) and
      `headers`. A body that parses as JSON is sent as `application/json`, else `text/plain`,
      unless `headers` has a `content-type`.
    - `close`: `"connection"` closes the TCP connection and sends nothing; `"mid_body"` sends the
      status, headers with the full `content-length` and half of the body, then closes.
    - `network`: `"reset"` resets the connection (RST, not a clean close); `"stall"` reads the
      request and never answers, the connection left open (only the client's timeout ends it);
      `"not_http"` writes bytes that are not HTTP and closes.
    - `slow_body`: the real answer, its body sent at this many bytes per second.
    - `delay`: seconds to wait before the fault; alone, a delay before the normal answer.

    `times` (default 1) is how many requests it applies to, or `"always"`; `fraction` (0 to 1)
    hits only that share of the matching requests, drawn from `seed` (default 0) so that a test
    replays the same hits; `campaign_id` limits it to requests
    for that campaign; `route="token"` puts it on `POST /auth/token` instead of the statistics
    routes. Faults apply before every other check and spend no rate budget.
    """

    status: Optional[int] = None
    body: FaultBody = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay: Optional[float] = None
    close: Optional[CloseKind] = None
    network: Optional[NetworkKind] = None
    slow_body: Optional[int] = None
    times: Times = None
    fraction: Optional[float] = None
    seed: Optional[int] = None
    campaign_id: Optional[int] = None
    route: Route = "statistics"

    def to_json(self) -> Dict[str, Any]:
        """The body of `POST /__admin/faults` for this fault."""
        spec: Dict[str, Any] = {}
        if self.status is not None:
            spec["status"] = self.status
        if self.body is not None:
            spec["body"] = self.body if isinstance(self.body, str) else json.dumps(self.body)
        if self.headers:
            spec["headers"] = dict(self.headers)
        if self.delay is not None:
            spec["delayMs"] = round(self.delay * 1000)
        if self.close is not None:
            spec["close"] = self.close
        if self.network is not None:
            spec["network"] = self.network
        if self.slow_body is not None:
            spec["slowBodyBytesPerSecond"] = self.slow_body
        if self.times is not None:
            spec["times"] = self.times
        if self.fraction is not None:
            spec["fraction"] = self.fraction
        if self.seed is not None:
            spec["seed"] = self.seed
        if self.campaign_id is not None:
            spec["campaignId"] = self.campaign_id
        if self.route != "statistics":
            spec["route"] = self.route
        return spec


@dataclass(frozen=True)
class JournalEntry:
    """One request the mock received, with every credential already redacted by the mock.

    `headers` are (lower-case name, value) pairs in received order; credential headers
    (`authorization`, `cookie`, `x-ins-auth-key`, ...) read `** redacted **`. `body` is the
    request body as text, at most 16 KiB of it (`body_cut` is `True` when it was longer), with
    every secret field (`client_secret`, `password`, `token`, ..., on any path) redacted, as are
    the secret fields of `query`. `status` is the status answered, or `None` when the connection
    was closed instead. `seq` counts from 0 since the
    start or the last `reset()`. `/__admin/` and `/healthz` requests are not journaled.
    """

    seq: int
    method: str
    path: str
    query: Optional[str]
    headers: Tuple[Tuple[str, str], ...]
    body: str
    status: Optional[int]
    body_cut: bool = False

    @classmethod
    def from_json(cls, entry: Mapping[str, Any]) -> JournalEntry:
        """Reads one element of `GET /__admin/journal`."""
        return cls(
            seq=int(entry["seq"]),
            method=str(entry["method"]),
            path=str(entry["path"]),
            query=entry.get("query"),
            headers=tuple((str(name), str(value)) for name, value in entry["headers"]),
            body=str(entry["body"]),
            status=entry.get("status"),
            body_cut=bool(entry.get("body_cut", False)),
        )

    def header(self, name: str) -> Optional[str]:
        """The value of the first header called `name` (any case), or `None`."""
        wanted = name.lower()
        return next((value for n, value in self.headers if n == wanted), None)

    def json(self) -> Any:
        """The body parsed as JSON (raises `ValueError` if it is not JSON)."""
        return json.loads(self.body)
