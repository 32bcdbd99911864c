// The dynamic provider process loads each resource's serialized shim with no file name, so the shim's
// `require("orgstack/provider")` resolves only through node_modules folders above the program's working
// directory. Inside this repository (the demo stack, examples/, tests/) that means
// node_modules/orgstack must point at the repository itself. Installed from the registry, the
// package is already in the user's node_modules and this script does nothing.
const fs = require("fs");
const path = require("path");

const root = path.resolve(__dirname, "..");
const nodeModules = path.join(root, "node_modules");
if (path.basename(path.dirname(root)) === "node_modules") process.exit(0); // installed as a dependency
const link = path.join(nodeModules, "orgstack");
fs.mkdirSync(nodeModules, { recursive: true });
try {
  if (fs.readlinkSync(link) === "..") process.exit(0);
  fs.rmSync(link, { recursive: true, force: true });
} catch {
  /* not there yet */
}
fs.symlinkSync("..", link, "dir");
