#!/usr/bin/env bash
# Runs every test: lint, unit specs, and e2e specs against the built app and a real
# redis-server that the e2e set-up starts on a free port. The last line is "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
. scripts/lib/prerequisites.sh

ensure_node || exit 1
ensure_node_modules || exit 1
ensure_redis_server || exit 1
# The metrics e2e test checks /metrics with promtool and scrapes it with a real Prometheus.
ensure_command promtool prometheus || exit 1
# The queue dashboard e2e test drives Debian's Chromium through playwright-core.
ensure_command chromium chromium || exit 1
npm run --silent build || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

lint_failures=0
npm run --silent lint || lint_failures=1

mkdir -p reports && rm -f reports/jest.json
NODE_OPTIONS=--experimental-vm-modules npx jest --json --outputFile=reports/jest.json "$@"
jest_status=$?

[ "$lint_failures" = 0 ] || echo "lint failed (npm run lint); it counts as one failure below" >&2
# A failed lint counts as one failure, so the last line never says 0 failed on a red run.
LINT_FAILURES=$lint_failures node -e '
  const fs = require("fs");
  const report = fs.existsSync("reports/jest.json") ? JSON.parse(fs.readFileSync("reports/jest.json", "utf8")) : null;
  const passed = report ? report.numPassedTests : 0;
  const failed = (report ? report.numFailedTests + report.numRuntimeErrorTestSuites : 1) + Number(process.env.LINT_FAILURES);
  console.log(`${passed} passed, ${failed} failed`);
'
[ "$lint_failures" = 0 ] || exit 1
exit $jest_status
