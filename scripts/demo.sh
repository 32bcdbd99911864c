#!/usr/bin/env bash
# The main job (`npm run demo`): set up a fresh clone, then run the demo stack against the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$(bash scripts/setup.sh)
export PATH PULUMI_SKIP_UPDATE_CHECK=true
export ORGSTACK_PULUMI_BIN=$(bash scripts/ensure-pulumi.sh)
node dist/demo/run.js
