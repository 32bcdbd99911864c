#!/usr/bin/env bash
# Puts `pulumi-language-yaml` (the Pulumi YAML language host) in a cache folder, without the internet,
# so that Pulumi YAML programs (runtime: yaml) run against the CLI that scripts/ensure-pulumi.sh provides.
#
# get.pulumi.com is out of reach here and the CLI we build ships no language hosts, but
# github.com/pulumi/pulumi-yaml is an ordinary module on the Go module proxy. The proxy refuses version
# listings (so `go install ...@version` fails on its deprecation look-up) and some versions, so the script
# downloads one pinned version with `go mod download`, and builds cmd/pulumi-language-yaml from a copy of
# that module with the module's own go.mod and go.sum (its own pulumi pkg/sdk pins).
#
# Version: v1.32.0 pins pulumi pkg/sdk v3.230.0, the closest to our v3.248.0 that the proxy serves
# (v1.31.0, v1.32.1, v1.33.0 and v1.33.1 answer 403; see plugin/README-toolchain.md).
#
# If a `pulumi-language-yaml` is already on PATH it is used as it is. Otherwise the binary is built once
# into a per-user cache outside the clone. Prints the folder that holds `pulumi-language-yaml`; put it on
# PATH (the engine then warns "using pulumi-language-yaml from $PATH", which is harmless).
set -euo pipefail

YAML_VERSION="${ORGSTACK_PULUMI_YAML_VERSION:-v1.32.0}"
CACHE_ROOT="${ORGSTACK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/orgstack}"
BIN_DIR="$CACHE_ROOT/pulumi-yaml-$YAML_VERSION/bin"

if [ -z "${ORGSTACK_FORCE_BUILD_PULUMI_YAML:-}" ] && command -v pulumi-language-yaml >/dev/null 2>&1; then
  dirname "$(command -v pulumi-language-yaml)"
  exit 0
fi
if [ -x "$BIN_DIR/pulumi-language-yaml" ]; then
  echo "$BIN_DIR"
  exit 0
fi

command -v go >/dev/null 2>&1 || { echo "ensure-pulumi-yaml: no pulumi-language-yaml on PATH and no Go to build it with" >&2; exit 1; }

# The checksum database is not reachable here; the proxy is the only source. The module's own go.sum still
# pins every dependency it lists.
export GOSUMDB="${GOSUMDB:-off}"

echo "ensure-pulumi-yaml: building pulumi-language-yaml $YAML_VERSION from the Go module proxy (once; cached in $BIN_DIR)" >&2
src=$(GOFLAGS=-mod=mod go mod download -json "github.com/pulumi/pulumi-yaml@$YAML_VERSION" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
if [ -z "$src" ] || [ ! -f "$src/go.mod" ]; then
  echo "ensure-pulumi-yaml: could not download github.com/pulumi/pulumi-yaml@$YAML_VERSION from the module proxy" >&2
  exit 1
fi

# Build from a writable copy: the module cache is read-only, and -mod=mod may need to touch go.sum.
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$src/." "$work/"
chmod -R u+w "$work"
cd "$work"
mkdir -p "$BIN_DIR.tmp"
GOFLAGS=-mod=mod go build -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi-yaml/pkg/version.Version=$YAML_VERSION" \
  -o "$BIN_DIR.tmp/pulumi-language-yaml" ./cmd/pulumi-language-yaml >&2
rm -rf "$BIN_DIR"
mv "$BIN_DIR.tmp" "$BIN_DIR"
echo "$BIN_DIR"
