"""The package's own suite: run against the installed wheel only (see .ci/run)."""

pytest_plugins = ["pytester"]
