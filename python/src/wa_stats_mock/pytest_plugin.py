"""The pytest plugin (entry point `pytest11`, loaded by pytest on its own once the wheel is
installed): fixtures `wa_stats_mock`, `wa_stats_mock_session` and `wa_stats_mock_options`, and
the marker `wa_stats_mock(**options)`.

- `wa_stats_mock`: a `MockServer` of its own for each test (function scope), so each test starts
  from the built-in data (or its fixtures), an empty journal and no faults.
- `wa_stats_mock_session`: one `MockServer` for the whole session (faster when there are many
  tests); `reset()` runs before every test that uses it: faults, journal, rate-limit windows and
  issued tokens are cleared. Campaigns added with `upsert_campaign` stay, as `reset` keeps them.
- A failed test that used one of them shows the mock's last stderr lines (its request log) in
  its report.
- `wa_stats_mock_options`: the keyword arguments of `MockServer` for both; override it in a
  `conftest.py`. `@pytest.mark.wa_stats_mock(rate_limit=0, fixtures={...})` adds to them for one
  test's `wa_stats_mock`.
"""

from __future__ import annotations

from typing import Any, Dict, Generator, Iterator

import pytest

from ._server import MockServer

MARKER = "wa_stats_mock"
FIXTURES = ("wa_stats_mock", "wa_stats_mock_session")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(**options): keyword arguments of wa_stats_mock.MockServer for this test's "
        "wa_stats_mock fixture (fixtures=, rate_limit=, token_ttl=, synthetic=, ...)",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    # A failed test's report shows what the mock logged: the requests it got and their statuses.
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if not report.failed:
        return
    funcargs: Dict[str, Any] = getattr(item, "funcargs", {})
    for name in FIXTURES:
        server = funcargs.get(name)
        if isinstance(server, MockServer):
            lines = server.stderr_tail()
            report.sections.append(
                (f"{name}: the mock's stderr, last {len(lines)} lines", "\n".join(lines))
            )


@pytest.fixture(scope="session")
def wa_stats_mock_options() -> Dict[str, Any]:
    """`MockServer(**options)` for the plugin's fixtures; override it to configure them."""
    return {}


@pytest.fixture
def wa_stats_mock(
    request: pytest.FixtureRequest, wa_stats_mock_options: Dict[str, Any]
) -> Iterator[MockServer]:
    """A mock server for this test alone, stopped (by PID) when the test ends, pass or fail."""
    options = dict(wa_stats_mock_options)
    marker = request.node.get_closest_marker(MARKER)
    if marker is not None:
        if marker.args:
            raise pytest.UsageError(
                f"@pytest.mark.{MARKER} takes keyword arguments only (those of MockServer)"
            )
        options.update(marker.kwargs)
    with MockServer(**options) as server:
        yield server


@pytest.fixture(scope="session")
def wa_stats_mock_session(wa_stats_mock_options: Dict[str, Any]) -> Iterator[MockServer]:
    """One mock server for the session, reset before each test that uses it."""
    with MockServer(**wa_stats_mock_options) as server:
        yield server


@pytest.fixture(autouse=True)
def _wa_stats_mock_session_reset(request: pytest.FixtureRequest) -> None:
    # A session fixture cannot act between tests itself; this function fixture does, and only for
    # tests that use the session server, so that no other test starts one.
    if "wa_stats_mock_session" in request.fixturenames:
        server: MockServer = request.getfixturevalue("wa_stats_mock_session")
        server.reset()
