"""Compares the rows a loader loaded with `wa-stats sync`'s table for the same range: `python
compare.py REFERENCE.db jsonl FILE` or `python compare.py REFERENCE.db dlt JSON`. Exits 1 with
the first difference. Standard library only."""

from __future__ import annotations

import json
import sqlite3
import sys
from typing import Any, Dict, List, Optional, Tuple


def normal(value: Any) -> Optional[object]:
    if value is None or value == "None":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def reference(path: str) -> Tuple[List[str], Dict[Tuple[object, object], Dict[str, object]]]:
    connection = sqlite3.connect(path)
    cursor = connection.execute("SELECT * FROM daily_statistics")
    columns = [d[0] for d in cursor.description if d[0] != "fetched_at"]
    rows = {}
    for row in cursor:
        named = dict(zip([d[0] for d in cursor.description], row))
        rows[(normal(named["campaign_id"]), normal(named["day"]))] = {
            c: normal(named[c]) for c in columns
        }
    return columns, rows


def main() -> int:
    columns, expected = reference(sys.argv[1])
    kind, source = sys.argv[2], sys.argv[3]
    got: Dict[Tuple[object, object], Dict[str, Any]] = {}
    if kind == "jsonl":
        with open(source) as lines:
            for line in lines:
                record = json.loads(line)
                got[(normal(record["campaign_id"]), normal(record["day"]))] = record
    else:
        with open(source) as text:
            loaded = json.load(text)
        for row in loaded["rows"]:
            record = dict(zip(loaded["columns"], row))
            got[(normal(record["campaign_id"]), normal(record["day"]))] = record
    if set(got) != set(expected):
        print(f"rows differ: {len(got)} loaded, {len(expected)} in sync's table; "
              f"missing {sorted(set(expected) - set(got))[:3]}, extra {sorted(set(got) - set(expected))[:3]}")
        return 1
    for key, row in expected.items():
        for column in columns:
            # A loader may leave out a column that is null in every row (dlt does).
            if normal(got[key].get(column)) != row[column]:
                print(f"{key} {column}: loaded {got[key].get(column)!r}, sync stored {row[column]!r}")
                return 1
    print(f"{len(expected)} rows equal sync's table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
