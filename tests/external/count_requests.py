#!/usr/bin/env python3
"""Count what schemathesis sent, from its NDJSON event log, and insist on a minimum.

Usage: count_requests.py EVENTS.ndjson MINIMUM

Prints the test cases generated and the requests sent, by phase, operation and status, and
exits non-zero when fewer than MINIMUM of them had any check applied (schemathesis' own probes,
which it reports as "skipped", do not count). Standard library only.
"""

from __future__ import annotations

import collections
import json
import sys


def main() -> int:
    path, minimum = sys.argv[1], int(sys.argv[2])
    cases = 0
    checked = 0
    requests = 0
    by_phase: collections.Counter[str] = collections.Counter()
    by_operation: collections.Counter[str] = collections.Counter()
    by_status: collections.Counter[str] = collections.Counter()
    by_mode: collections.Counter[str] = collections.Counter()
    with open(path, encoding="utf-8") as events:
        for line in events:
            event = json.loads(line)
            finished = event.get("ScenarioFinished")
            if finished is None:
                continue
            recorder = finished["recorder"]
            for case_id, case in recorder["cases"].items():
                cases += 1
                if recorder["checks"].get(case_id):
                    checked += 1
                mode = ((case["value"].get("meta") or {}).get("generation") or {}).get("mode", "?")
                by_mode[mode] += 1
            for interaction in recorder["interactions"].values():
                requests += 1
                request = interaction["request"]
                response = interaction.get("response")
                by_phase[finished["phase"]] += 1
                path_only = "/" + request["uri"].split("://", 1)[-1].split("/", 1)[-1]
                by_operation[f"{request['method']} {path_only.split('?')[0]}"] += 1
                by_status[str(response["status_code"]) if response else "no response"] += 1

    def show(counter: collections.Counter[str]) -> str:
        return ", ".join(f"{key} {count}" for key, count in sorted(counter.items()))

    print(f"schemathesis: {cases} test cases generated ({show(by_mode)}), {requests} requests sent, "
          f"{checked} of them checked (the rest are schemathesis' own authentication probes)")
    print(f"  by phase:     {show(by_phase)}")
    print(f"  by operation: {show(by_operation)}")
    print(f"  by status:    {show(by_status)}")
    if checked < minimum:
        print(f"only {checked} checked requests, fewer than the {minimum} required: raise --max-examples")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
