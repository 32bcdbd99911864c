#!/usr/bin/env bash
# Everything a fresh clone needs before the demo or the tests: npm packages, the compiled package,
# and a Pulumi CLI (built once from the Go module proxy when none is on PATH). Safe to run again.
# Prints the PATH to use (CLI folder and the dynamic-provider plugin folder first).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules/@pulumi/pulumi ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing npm packages" >&2
  npm ci --no-audit --no-fund >&2
fi
node scripts/link-self.js
echo "setup: compiling TypeScript" >&2
npx tsc -p tsconfig.json >&2
pulumi_bin=$(bash scripts/ensure-pulumi.sh)
# The provider plugin's tests: the Pulumi YAML language host and examples/go-admins (built once, cached).
bash scripts/ensure-pulumi-yaml.sh >/dev/null
bash scripts/plugin-go-admins.sh >/dev/null
# pulumi-resource-pulumi-nodejs (the dynamic provider plugin) ships inside @pulumi/pulumi.
echo "$pulumi_bin:$PWD/node_modules/@pulumi/pulumi:$PATH"
