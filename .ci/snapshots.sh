#!/usr/bin/env bash
# Fails on a snapshot no test referenced in the run that wrote REFS (insta's
# INSTA_SNAPSHOT_REFERENCES_FILE, the file `cargo insta test --unreferenced=reject` reads), and on a
# pending `.snap.new`. Stale snapshots already fail the tests themselves (insta never writes them
# when CI is set). Usage: .ci/snapshots.sh REFS
set -euo pipefail
refs=${1:?usage: .ci/snapshots.sh REFS}
cd "$(dirname "$0")/.."
[ -s "$refs" ] || { echo "no snapshot was referenced: was INSTA_SNAPSHOT_REFERENCES_FILE set for the tests?"; exit 1; }
status=0
while IFS= read -r snap; do
  if ! grep -qxF "$PWD/$snap" "$refs"; then
    echo "unreferenced snapshot: $snap (no test asserts it any more: delete it, or restore its test)"
    status=1
  fi
done < <(git ls-files '*.snap')
while IFS= read -r pending; do
  echo "pending snapshot: $pending (review it with cargo insta review, or delete it)"
  status=1
done < <(find crates xtask -name '*.snap.new' -not -path '*/target/*' 2>/dev/null)
[ "$status" = 0 ] && echo "snapshots: $(git ls-files '*.snap' | wc -l) committed, all referenced"
exit "$status"
