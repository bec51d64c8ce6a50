"""The `wa-stats` command, installed by this wheel, and the ways Python-side loaders run it.

- `tap-wa-stats` (a binary of the wheel): `wa-stats tap`, for Singer runners such as Meltano.
- `wa_stats_cli.dlt.wa_stats_source`: a dlt source whose records come from the same tap.
"""

from __future__ import annotations

import os
import sys
import sysconfig
from pathlib import Path
from typing import List

__all__ = ["BINARY_ENV", "find_binary"]

#: Set this to a `wa-stats` binary's path to run that one instead of the wheel's.
BINARY_ENV = "WA_STATS_BINARY"

_EXE = "wa-stats" + (sysconfig.get_config_var("EXE") or "")


def _candidates() -> List[Path]:
    # maturin installs a `bindings = "bin"` binary as a script: the active scheme's scripts
    # directory, a `pip install --user` one's, or `<target>/bin` for `pip install --target`.
    found = [Path(sysconfig.get_path("scripts")) / _EXE]
    if sys.version_info >= (3, 10):
        user_scheme = sysconfig.get_preferred_scheme("user")
    else:
        user_scheme = "nt_user" if os.name == "nt" else "posix_user"
    found.append(Path(sysconfig.get_path("scripts", scheme=user_scheme)) / _EXE)
    found.append(Path(__file__).resolve().parent.parent / "bin" / _EXE)
    # Beside the interpreter: a virtual environment's bin directory.
    found.append(Path(sys.executable).parent / _EXE)
    return found


def find_binary() -> str:
    """The path of the `wa-stats` binary: `$WA_STATS_BINARY` if set, else the wheel's.

    Raises `FileNotFoundError` naming every place it looked.
    """
    override = os.environ.get(BINARY_ENV)
    if override:
        if not os.path.isfile(override) or not os.access(override, os.X_OK):
            raise FileNotFoundError(f"${BINARY_ENV} is {override!r}, not an executable file")
        return override
    candidates = _candidates()
    for candidate in candidates:
        if candidate.is_file():
            return str(candidate)
    looked = ", ".join(str(candidate) for candidate in candidates)
    raise FileNotFoundError(
        f"the wa-stats binary is not installed (looked in {looked}); reinstall the "
        f"wa-stats-cli wheel, or set ${BINARY_ENV}"
    )
