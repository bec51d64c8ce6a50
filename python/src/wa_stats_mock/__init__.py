"""The wa-stats mock of Insider's WhatsApp Campaign Analytics API, for Python test suites.

The wheel holds the `wa-stats-mock` binary itself (no Rust toolchain needed); this module starts
it, waits until it listens, drains its output and stops it:

```python
from wa_stats_mock import MockServer

with MockServer() as server:
    ...  # POST to server.v1_url with header x-ins-auth-key: MockServer.DEMO_API_KEY
```

With pytest, the `wa_stats_mock` fixture (one server per test) and `wa_stats_mock_session`
(one server per session, reset before each test) need no import. See docs/mock.md.
"""

from ._admin import AdminError, CloseKind, Fault, JournalEntry, Route
from ._binary import BINARY_ENV, find_binary
from ._builtin import (
    API_KEY_HEADER,
    CONVERSATIONAL_CAMPAIGN_ID,
    DEMO_API_KEY,
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_TOKEN,
    INACTIVE_API_KEY,
    INACTIVE_TOKEN,
    NOT_WHATSAPP_CAMPAIGN_ID,
    OTHER_API_KEY,
    OTHER_PARTNER_CAMPAIGN_ID,
    OTHER_TOKEN,
    SAMPLE_CAMPAIGN_ID,
    TOKEN_PATH,
    V1_PATH,
    V2_PATH,
)
from ._server import Fixtures, MockServer, MockStartError, Synthetic

__all__ = [
    "API_KEY_HEADER",
    "BINARY_ENV",
    "CONVERSATIONAL_CAMPAIGN_ID",
    "DEMO_API_KEY",
    "DEMO_CLIENT_ID",
    "DEMO_CLIENT_SECRET",
    "DEMO_TOKEN",
    "INACTIVE_API_KEY",
    "INACTIVE_TOKEN",
    "NOT_WHATSAPP_CAMPAIGN_ID",
    "OTHER_API_KEY",
    "OTHER_PARTNER_CAMPAIGN_ID",
    "OTHER_TOKEN",
    "SAMPLE_CAMPAIGN_ID",
    "TOKEN_PATH",
    "V1_PATH",
    "V2_PATH",
    "AdminError",
    "CloseKind",
    "Fault",
    "Fixtures",
    "JournalEntry",
    "MockServer",
    "MockStartError",
    "Route",
    "Synthetic",
    "find_binary",
]
