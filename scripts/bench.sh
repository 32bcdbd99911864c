#!/usr/bin/env bash
# `npm run bench -- [--sizes 100,300,1000] [--latency 50]`: set up, then run the benchmark (tests/bench/run.ts).
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$(bash scripts/setup.sh)
export PATH PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export ORGSTACK_PULUMI_BIN=$(bash scripts/ensure-pulumi.sh)
node dist/tests/bench/run.js "$@"
