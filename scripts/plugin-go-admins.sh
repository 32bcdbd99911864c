#!/usr/bin/env bash
# Builds examples/go-admins (a Go Automation API program on the generated Go SDK, sdks/go) once into a
# per-user cache outside the clone, keyed by a hash of its sources and of the Go SDK, and prints the
# binary's path. The plugin tests run it; setup.sh builds it before them (two test files must not race
# to build it). A rebuild after a change reuses Go's build cache.
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE_ROOT="${ORGSTACK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/orgstack}"
hash=$( (ls examples/go-admins/*.go examples/go-admins/go.mod examples/go-admins/go.sum; find sdks/go -type f) | LC_ALL=C sort |
  while read -r f; do printf '%s\n' "$f"; cat "$f"; done | sha256sum | cut -c1-16)
bin_dir="$CACHE_ROOT/go-admins-$hash"
if [ ! -x "$bin_dir/go-admins" ]; then
  command -v go >/dev/null 2>&1 || { echo "plugin-go-admins: Go is needed to build examples/go-admins" >&2; exit 1; }
  echo "plugin-go-admins: building examples/go-admins (once; cached in $bin_dir)" >&2
  mkdir -p "$bin_dir"
  tmp=$(mktemp "$bin_dir/go-admins.XXXXXX")
  # The checksum database is not reachable here; go.sum pins what the module proxy serves.
  (cd examples/go-admins && GOSUMDB="${GOSUMDB:-off}" GOFLAGS=-mod=mod go build -trimpath -o "$tmp" .) >&2
  mv -f "$tmp" "$bin_dir/go-admins"
fi
echo "$bin_dir/go-admins"
