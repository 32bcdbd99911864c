// Type-checks a Pulumi TypeScript program the way Pulumi's Node runtime does before it runs it
// (@pulumi/pulumi/cmd/run/run.js): the folder's tsconfig.json through Pulumi's own tsutils, the
// compiler and ts-node it would pick, and the same default compiler options. No engine is needed:
// the program is compiled, not run. Usage: node scripts/pulumi-ts-check.js <program folder> [main]
const fs = require("fs");
const path = require("path");
const dir = path.resolve(process.argv[2] ?? ".");
process.chdir(dir);
const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [dir] }));
const tsutils = require(path.join(pulumiDir, "tsutils.js"));
let main = process.argv[3];
if (!main) {
  const project = fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8");
  main = (/^main:\s*(\S+)/m.exec(project) ?? [])[1] ?? "index.ts";
}
const tsConfigPath = process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json";
const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
const ts = require(typescriptRequire);
const useNodeNext = Number(ts.version.split(".")[0]) > 4 || (ts.version.startsWith("4.") && Number(ts.version.split(".")[1]) >= 7);
const service = require(tsnodeRequire).register({
  compiler: typescriptRequire,
  project: tsConfigPath,
  skipProject: !fs.existsSync(tsConfigPath),
  cache: false,
  compilerOptions: { target: "ES2020", module: useNodeNext ? "nodenext" : "commonjs", moduleResolution: useNodeNext ? "nodenext" : "node", sourceMap: "true", ...compilerOptions },
});
const file = path.resolve(dir, main);
try {
  service.compile(fs.readFileSync(file, "utf8"), file);
  console.log(`ok: ${path.relative(process.cwd(), file) || file} compiles as Pulumi's Node runtime compiles it (typescript ${ts.version})`);
} catch (e) {
  console.error(String(e.diagnosticText ?? e.message ?? e));
  process.exit(1);
}
