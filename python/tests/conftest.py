"""The package's own suite: run against the installed wheel only (see python/ci.sh)."""

from __future__ import annotations

from typing import Iterator

import pytest

from wa_stats_mock import MockServer

pytest_plugins = ["pytester"]


@pytest.fixture
def server() -> Iterator[MockServer]:
    """A server with the built-in data, without the plugin (whose own tests are test_plugin.py)."""
    with MockServer() as running:
        yield running
