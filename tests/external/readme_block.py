"""Prints one fenced block of a Markdown file, verbatim: `readme_block.py FILE LANG N` gives the
N-th (from 0) block whose fence names LANG (`-` for a fence without a language).

tests/external/run.sh copies the READMEs' files (go.mod, package.json, tsconfig.json, the
programs) into fresh projects with it, so that what runs is what the README shows.
"""

import re
import sys


def main() -> None:
    path, lang, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
    text = open(path, encoding="utf-8").read()
    blocks = re.findall(r"^```([\w-]*)[^\n]*\n(.*?)^```", text, re.S | re.M)
    wanted = [body for fence, body in blocks if fence == ("" if lang == "-" else lang)]
    if index >= len(wanted):
        sys.exit(f"{path} has no block {index} of language {lang!r} ({len(wanted)} found)")
    sys.stdout.write(wanted[index])


if __name__ == "__main__":
    main()
