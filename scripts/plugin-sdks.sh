#!/usr/bin/env bash
# Regenerates the provider plugin's package schema (sdks/schema.json, from the resource registry) and
# the SDKs generated from it (sdks/go, sdks/python, sdks/dotnet) with Pulumi's own code generators
# (scripts/gen-sdks.sh). Run it after adding or changing a resource; tests/plugin/schema.test.ts fails
# while sdks/schema.json differs from what the registry gives.
#
#   scripts/plugin-sdks.sh            schema and SDKs
#   scripts/plugin-sdks.sh --schema   the schema only (no Go needed)
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json >&2 || true   # a type error elsewhere must not stop the schema (tsc still emits)
mkdir -p sdks
node -e 'process.stdout.write(JSON.stringify(require("./dist/plugin/server").schema(), null, 2) + "\n")' > sdks/schema.json
echo "plugin-sdks: sdks/schema.json" >&2
[ "${1:-}" = "--schema" ] && exit 0
# Generated files are overwritten, never deleted: start from empty folders so a removed type leaves nothing behind.
rm -rf sdks/go sdks/python sdks/dotnet
ORGSTACK_SDK_LANGUAGES="${ORGSTACK_SDK_LANGUAGES:-go,python,dotnet}" bash scripts/gen-sdks.sh sdks/schema.json sdks
