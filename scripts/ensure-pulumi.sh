#!/usr/bin/env bash
# Puts a Pulumi CLI on PATH for the tests and the demo, without the internet.
#
# If a `pulumi` is already on PATH it is used as it is. Otherwise the CLI is built once from the Go
# module proxy (get.pulumi.com is out of reach here), pinned to the release that matches the
# @pulumi/pulumi in package.json, into a per-user cache outside the clone, so a fresh clone and a
# second run cost nothing. Prints the folder that holds the `pulumi` binary.
set -euo pipefail

PULUMI_VERSION="${ORGSTACK_PULUMI_VERSION:-3.248.0}"
CACHE_ROOT="${ORGSTACK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/orgstack}"
BIN_DIR="$CACHE_ROOT/pulumi-v$PULUMI_VERSION/bin"
REPO="$(cd "$(dirname "$0")/.." && pwd)"

# The dynamic-provider plugin is a small script in @pulumi/pulumi that finds the SDK from the program's
# folder; the official CLI ships it beside `pulumi`, and so does this one (no "found on PATH" warning).
add_dynamic_provider_plugin() {
  local plugin="$REPO/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [ -f "$plugin" ] && [ ! -x "$1/pulumi-resource-pulumi-nodejs" ]; then
    cp "$plugin" "$1/pulumi-resource-pulumi-nodejs.tmp" && chmod +x "$1/pulumi-resource-pulumi-nodejs.tmp" &&
      mv "$1/pulumi-resource-pulumi-nodejs.tmp" "$1/pulumi-resource-pulumi-nodejs"
  fi
}

if [ -z "${ORGSTACK_FORCE_BUILD_PULUMI:-}" ] && command -v pulumi >/dev/null 2>&1; then
  dirname "$(command -v pulumi)"
  exit 0
fi
if [ -x "$BIN_DIR/pulumi" ]; then
  add_dynamic_provider_plugin "$BIN_DIR"
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "ensure-pulumi: no pulumi on PATH and no Go to build it with" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
cat > go.mod <<MOD
module orgstack.local/pulumi-cli

go 1.25

require (
	github.com/pulumi/pulumi/pkg/v3 v$PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 v$PULUMI_VERSION
)

// pkg/go.mod carries this replace for itself; a replace does not travel with a dependency.
replace github.com/atotto/clipboard => github.com/tgummerer/clipboard v0.0.0-20241001131231-d02d263e614e
MOD
cat > tools.go <<'GO'
//go:build tools

package tools

import _ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
GO
echo "ensure-pulumi: building the Pulumi CLI v$PULUMI_VERSION from the Go module proxy (once; cached in $BIN_DIR)" >&2
# The checksum database is not reachable here; the proxy is the only source.
export GOSUMDB="${GOSUMDB:-off}"
GOFLAGS=-mod=mod go mod tidy >&2
mkdir -p "$BIN_DIR.tmp"
GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION" \
  -o "$BIN_DIR.tmp/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi >&2
rm -rf "$BIN_DIR"
mv "$BIN_DIR.tmp" "$BIN_DIR"
add_dynamic_provider_plugin "$BIN_DIR"
echo "$BIN_DIR"
