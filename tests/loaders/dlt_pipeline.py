"""Runs the dlt source against a mock into duckdb, as a dlt user would: `python dlt_pipeline.py
BASE_URL DUCKDB_FILE PIPELINES_DIR`. Prints one JSON line: the rows loaded by this run, and every
row of the table afterwards."""

from __future__ import annotations

import json
import sys

import dlt
import duckdb

from wa_stats_cli.dlt_source import wa_stats_source

base_url, database, pipelines_dir = sys.argv[1:4]
pipeline = dlt.pipeline(
    pipeline_name="wa_stats_test",
    destination=dlt.destinations.duckdb(database),
    dataset_name="insider",
    pipelines_dir=pipelines_dir,
)
info = pipeline.run(
    wa_stats_source(
        campaign_ids=[12345, 12346],
        start_date="2024-02-25",
        end_date="2024-05-05",
        lookback_days=28,
        base_url=base_url,
        token="demo-token",
    )
)
loaded = sum(
    count
    for table, count in pipeline.last_trace.last_normalize_info.row_counts.items()
    if table == "daily_statistics"
)
with duckdb.connect(database, read_only=True) as connection:
    columns = [
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'insider' "
            "AND table_name = 'daily_statistics' AND column_name NOT LIKE '\\_dlt%' ESCAPE '\\' "
            "ORDER BY column_name"
        ).fetchall()
    ]
    rows = connection.execute(
        f"SELECT {', '.join(columns)} FROM insider.daily_statistics ORDER BY campaign_id, day"
    ).fetchall()
print(json.dumps({"loaded": loaded, "columns": columns, "rows": [[str(v) for v in row] for row in rows]}))
