#!/usr/bin/env bash
# Packs the provider plugin into one self-contained archive for `pulumi plugin install`: the compiled
# provider and plugin (dist/provider, dist/plugin), the npm packages they load at run time (zod, axios,
# @grpc/grpc-js, google-protobuf and what those need, copied from node_modules), the gRPC stubs from
# @pulumi/pulumi/proto, and the executable pulumi-resource-orgstack. Needs Node.js where it runs.
#
#   scripts/plugin-package.sh [outdir]     → <outdir>/pulumi-resource-orgstack-v<version>.tar.gz
#   pulumi plugin install resource orgstack <version> --file <that archive>
set -euo pipefail
cd "$(dirname "$0")/.."
outdir="${1:-.orgstack/plugin-package}"
version=$(node -p 'require("./package.json").version')
npx tsc -p tsconfig.json >&2 || true # a type error elsewhere must not stop the package (tsc still emits)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/dist" "$outdir"
cp -R dist/provider dist/plugin "$stage/dist/"
node -e 'const p = require("./package.json"); process.stdout.write(JSON.stringify({ name: p.name, version: p.version, license: p.license, private: true }, null, 2))' > "$stage/package.json"
# The packages the plugin loads, with everything they depend on, where npm put them (nesting kept).
node - "$stage" <<'JS'
const fs = require("fs");
const path = require("path");
const stage = process.argv[2];
const seen = new Set();
const queue = ["zod", "axios", "@grpc/grpc-js", "google-protobuf"].map((name) => [name, process.cwd()]);
// Where Node finds a package from a folder: the nearest node_modules/<name> upwards (exports maps aside).
const locate = (name, from) => {
  for (let d = from; ; d = path.dirname(d)) {
    const dir = path.join(d, "node_modules", name);
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
    if (d === path.dirname(d)) throw new Error(`plugin-package: ${name} is not installed (run npm ci)`);
  }
};
while (queue.length) {
  const [name, from] = queue.shift();
  const dir = locate(name, from);
  const manifest = path.join(dir, "package.json");
  if (seen.has(dir)) continue;
  seen.add(dir);
  fs.cpSync(dir, path.join(stage, path.relative(process.cwd(), dir)), { recursive: true });
  for (const dep of Object.keys(require(manifest).dependencies ?? {})) queue.push([dep, dir]);
}
const proto = path.join("node_modules", "@pulumi", "pulumi");
fs.cpSync(path.join(proto, "proto"), path.join(stage, proto, "proto"), { recursive: true });
fs.copyFileSync(path.join(proto, "LICENSE"), path.join(stage, proto, "LICENSE"));
JS
printf '#!/usr/bin/env node\nrequire("./dist/plugin/main.js");\n' > "$stage/pulumi-resource-orgstack"
chmod +x "$stage/pulumi-resource-orgstack"
archive="$outdir/pulumi-resource-orgstack-v$version.tar.gz"
tar -czf "$archive" -C "$stage" .
echo "$archive"
