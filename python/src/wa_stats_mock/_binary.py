"""Where the wheel put the `wa-stats-mock` binary: the environment's scripts directory."""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import List

#: Set this to a binary's path to run that one instead of the wheel's (a `cargo build` of your own,
#: say). The package's own tests never set it: they check that the wheel's binary runs.
BINARY_ENV = "WA_STATS_MOCK_BINARY"

_EXE = "wa-stats-mock" + (sysconfig.get_config_var("EXE") or "")


def _candidates() -> List[Path]:
    # maturin installs a `bindings = "bin"` binary as a script, like ruff and uv do, so it lands
    # where the installer puts scripts: the active scheme's, a `pip install --user` one's, or
    # `<target>/bin` beside the package for `pip install --target`.
    found = [Path(sysconfig.get_path("scripts")) / _EXE]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    elif os.name == "nt":
        user_scheme = "nt_user"
    elif sys.platform == "darwin" and getattr(sys, "_framework", None):
        user_scheme = "osx_framework_user"
    else:
        user_scheme = "posix_user"
    found.append(Path(sysconfig.get_path("scripts", scheme=user_scheme)) / _EXE)
    found.append(Path(__file__).resolve().parent.parent / "bin" / _EXE)
    return found


def find_binary() -> str:
    """The path of the `wa-stats-mock` binary to run.

    `$WA_STATS_MOCK_BINARY` if set, else the one this package's wheel installed.
    Raises `FileNotFoundError` naming every place it looked.
    """
    override = os.environ.get(BINARY_ENV)
    if override:
        if not os.path.isfile(override) or not os.access(override, os.X_OK):
            raise FileNotFoundError(
                f"${BINARY_ENV} is {override!r}, which is not an executable file"
            )
        return override
    candidates = _candidates()
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    looked = ", ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(
        f"the wa-stats-mock binary is not installed (looked in {looked}); reinstall the "
        f"wa-stats-mock wheel, or set ${BINARY_ENV} to a wa-stats-mock binary"
    )
