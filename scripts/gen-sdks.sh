#!/usr/bin/env bash
# Generates the orgstack SDKs (Go, Python, .NET, Node.js) from a Pulumi package schema, without the
# internet and without `pulumi package gen-sdk` (which needs the pulumi-language-* plugins).
#
#   scripts/gen-sdks.sh <schema.json> <outdir> [-version X.Y.Z] [-go-pulumi-sdk vX]
#   ORGSTACK_SDK_LANGUAGES=go,python scripts/gen-sdks.sh ...   (default go,python,nodejs,dotnet)
#
# Writes <outdir>/go, <outdir>/python, <outdir>/dotnet, <outdir>/nodejs. The generator is the small Go
# program in codegen/ (Pulumi's own code generators from pkg/v3 v3.248.0, and the .NET one from
# pulumi-language-dotnet); it is built once from the Go module proxy into a per-user cache outside the
# clone, keyed by a hash of its sources, so a second run costs nothing but the generation itself.
set -euo pipefail

usage() { echo "usage: $0 <schema.json> <outdir> [-version X.Y.Z] [-go-pulumi-sdk vX.Y.Z]" >&2; exit 2; }
[ $# -ge 2 ] || usage
schema="$1"
outdir="$2"
shift 2
version_args=()
go_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    -version) [ $# -ge 2 ] || usage; version_args=(-version "$2"); shift 2 ;;
    -go-pulumi-sdk) [ $# -ge 2 ] || usage; go_args=(-go-pulumi-sdk "$2"); shift 2 ;;
    *) usage ;;
  esac
done

REPO="$(cd "$(dirname "$0")/.." && pwd)"
CACHE_ROOT="${ORGSTACK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/orgstack}"

# Builds the Go program in codegen/<dir> (its own module) once into the cache, keyed by a hash of its
# sources, and prints the binary's path.
ensure_tool() { # <module dir under codegen/> <package> <binary name>
  local src="$REPO/codegen/$1" hash bin_dir
  hash=$(cd "$src" && cat go.mod go.sum $(find "$2" -maxdepth 1 -name '*.go' | sort) | sha256sum | cut -c1-16)
  bin_dir="$CACHE_ROOT/$3-$hash/bin"
  if [ ! -x "$bin_dir/$3" ]; then
    command -v go >/dev/null 2>&1 || { echo "gen-sdks: no Go to build $3 with" >&2; exit 1; }
    echo "gen-sdks: building $3 (once; cached in $bin_dir)" >&2
    mkdir -p "$bin_dir.tmp"
    # The checksum database is not reachable here; go.sum pins what the proxy serves.
    (cd "$src" && GOSUMDB="${GOSUMDB:-off}" GOFLAGS=-mod=mod \
      go build -trimpath -ldflags "-s -w" -o "$bin_dir.tmp/$3" "$2") >&2
    rm -rf "$bin_dir"
    mv "$bin_dir.tmp" "$bin_dir"
  fi
  echo "$bin_dir/$3"
}

languages="${ORGSTACK_SDK_LANGUAGES:-go,python,nodejs,dotnet}"
main_langs=$(echo "$languages" | tr ',' '\n' | grep -v '^dotnet$' | paste -sd, - || true)

mkdir -p "$outdir"
if [ -n "$main_langs" ]; then
  tool=$(ensure_tool . ./cmd/orgstack-codegen orgstack-codegen)
  "$tool" -schema "$schema" -out "$outdir" -languages "$main_langs" \
    "${version_args[@]}" "${go_args[@]}"
fi
if echo "$languages" | tr ',' '\n' | grep -qx dotnet; then
  tool=$(ensure_tool dotnet . orgstack-codegen-dotnet)
  "$tool" -schema "$schema" -out "$outdir/dotnet" "${version_args[@]}"
fi
