#!/usr/bin/env bash
# `npm run example -- <name> [--keep]`: set up, then run examples/<name> against the sandbox.
set -euo pipefail
cd "$(dirname "$0")/.."
PATH=$(bash scripts/setup.sh)
export PATH PULUMI_SKIP_UPDATE_CHECK=true
export ORGSTACK_PULUMI_BIN=$(bash scripts/ensure-pulumi.sh)
node dist/demo/example.js "$@"
