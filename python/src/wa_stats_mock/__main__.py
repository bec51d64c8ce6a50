"""`python -m wa_stats_mock [FLAGS]`: runs the bundled binary with these flags, as ruff does."""

from __future__ import annotations

import os
import subprocess
import sys

from ._binary import find_binary


def main() -> int:
    binary = find_binary()
    if os.name == "nt":
        return subprocess.call([binary, *sys.argv[1:]])
    os.execv(binary, [binary, *sys.argv[1:]])
    return 0  # not reached: execv replaced this process


if __name__ == "__main__":
    sys.exit(main())
