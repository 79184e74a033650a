#!/usr/bin/env bash
# The test command: installs what is missing, builds once, starts RabbitMQ and s3rver on loopback,
# runs every test project, and ends with "N passed, N failed" counted from the test results.
# It cannot be green by accident: dotnet test's exit status counts, every test project must leave a result file,
# tests that were not executed count as failed, and the run stops at once when the broker or S3 server is not up.
set -uo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"; cd "$ROOT"
fail() { echo "Error: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
bash scripts/setup.sh || fail "scripts/setup.sh failed (see above)"
W=$(mktemp -d /tmp/merfactory-test.XXXXXX)
trap 'bash scripts/local-services.sh stop "$W"' EXIT
# `eval "$(cmd)"` would hide cmd's failure: take the output first.
SERVICES=$(bash scripts/local-services.sh start "$W") || fail "the local RabbitMQ or s3rver did not start (logs in $W: rmq.out, s3.out)"
eval "$SERVICES"
for url in "${MERFACTORY_RABBITMQ:-}" "${MERFACTORY_S3_ENDPOINT:-}"; do
  hostport=${url##*@}; hostport=${hostport#*://}; hostport=${hostport%%/*}
  [ -n "$hostport" ] && (exec 3<>"/dev/tcp/${hostport%:*}/${hostport##*:}") 2>/dev/null \
    || fail "nothing listens at '$url' after start (logs in $W)"
done
export MERFACTORY_SHARED="${MERFACTORY_SHARED:-$(cd "$ROOT/.." && pwd)/shared}"
dotnet test MerFactory.sln -c Release --no-build --logger "trx" --results-directory "$W/results" \
  -- RunConfiguration.TestSessionTimeout=3000000 > "$W/test.out" 2>&1
TEST_EXIT=$?
# Each failure's message (the line after "Error Message:") is printed too: a CI log must say why, not only what.
grep -vE '^\s*$' "$W/test.out" | awk '/Error Message:/ { print; if ((getline m) > 0) print substr(m, 1, 1500); next }
  /Passed!|Failed!|Failed |error/' | head -200
# Every test project of the solution must have written a result file naming its assembly.
dotnet sln MerFactory.sln list | grep -E '\.Tests\.csproj$' | sed -E 's#.*/([^/]+)\.csproj$#\1#' | sort > "$W/projects"
python3 - "$W/results" "$W/projects" <<'PY'
import glob, sys, re
results, projects = sys.argv[1], [p.strip() for p in open(sys.argv[2]) if p.strip()]
passed = failed = not_executed = 0
seen = set()
for f in glob.glob(results + "/*.trx"):
    text = open(f, encoding="utf-8").read()
    seen.update(re.findall(r'storage="[^"]*?([\w.]+\.Tests)\.dll"', text, flags=re.I))
    m = re.search(r'<Counters[^>]*', text)
    if not m:
        failed += 1; print(f"result file without counters: {f}"); continue
    c = {k.lower(): int(v) for k, v in re.findall(r'(\w+)="(\d+)"', m.group(0))}
    passed += c.get("passed", 0)
    failed += sum(c.get(k, 0) for k in ("failed", "error", "timeout", "aborted"))
    not_executed += c.get("notexecuted", 0) + c.get("inconclusive", 0) + c.get("pending", 0) + c.get("disconnected", 0)
seen_lower = {s.lower() for s in seen}
missing = [p for p in projects if p.lower() not in seen_lower]
for p in missing: print(f"no test results from {p} (it crashed, was not built, or ran no tests)")
if not_executed: print(f"{not_executed} test(s) not executed")
open(results + "/counts", "w").write(f"{passed} {failed + len(missing) + not_executed} {len(missing)} {not_executed}\n")
PY
read -r P F MISSING NOT_RUN < "$W/results/counts" || { P=0; F=1; }
# A non-zero exit of dotnet test with no failure counted (a crash, a build problem) is still a failure.
if [ "$TEST_EXIT" -ne 0 ] && [ "$F" = 0 ]; then echo "dotnet test exited with $TEST_EXIT"; F=1; fi
echo "$P passed, $F failed"
[ "$F" = 0 ] && [ "$P" -gt 0 ] && [ "$TEST_EXIT" -eq 0 ]
