#!/usr/bin/env bash
# The test command (`npm test`): sets up a fresh clone, runs every test (unit, contract, engine),
# and ends with the plain line `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
PATH=$(bash scripts/setup.sh) || { echo "0 passed, 1 failed"; exit 1; }
export PATH PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
mkdir -p .orgstack
npx vitest run "$@" --reporter=default --reporter=json --outputFile.json=.orgstack/vitest-report.json
status=$?
node scripts/summarize-tests.js .orgstack/vitest-report.json || status=1
exit $status
