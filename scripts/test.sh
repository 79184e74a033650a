#!/usr/bin/env bash
# The test command: installs what is missing, builds once, starts RabbitMQ and s3rver on loopback,
# runs every test project, and ends with "N passed, N failed" counted from the test results.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"; cd "$ROOT"
bash scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
W=$(mktemp -d /tmp/merfactory-test.XXXXXX)
eval "$(bash scripts/local-services.sh start "$W")" || { echo "0 passed, 1 failed"; exit 1; }
trap 'bash scripts/local-services.sh stop "$W"' EXIT
export MERFACTORY_SHARED="${MERFACTORY_SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
dotnet test MerFactory.sln -c Release --no-build --logger "trx" --results-directory "$W/results" \
  -- RunConfiguration.TestSessionTimeout=3000000 2>&1 | tee "$W/test.out" | grep -vE '^\s*$' | grep -E 'Passed!|Failed!|Failed |error|Error Message' | head -200
python3 - "$W/results" <<'PY'
import glob, sys, re
passed = failed = 0
for f in glob.glob(sys.argv[1] + "/*.trx"):
    m = re.search(r'<Counters[^>]*', open(f, encoding="utf-8").read())
    if not m: continue
    c = dict(re.findall(r'(\w+)="(\d+)"', m.group(0)))
    passed += int(c.get("passed", 0)); failed += int(c.get("failed", 0)) + int(c.get("error", 0)) + int(c.get("timeout", 0)) + int(c.get("aborted", 0))
open(sys.argv[1] + "/counts", "w").write(f"{passed} {failed}\n")
PY
read -r P F < "$W/results/counts" || { P=0; F=1; }
# A test project that crashed writes no counters: count it as a failure.
CRASHED=$(grep -cE 'Test Run Aborted|The active test run was aborted|exited with error' "$W/test.out" || true)
F=$((F + CRASHED))
echo "$P passed, $F failed"
[ "$F" = 0 ] && [ "$P" -gt 0 ]
