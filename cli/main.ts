#!/usr/bin/env node
// `npx orgstack <command>`: the package's command line. Each command lives in its own file under
// cli/ and exports `run(args): Promise<number>` (the exit code); this file only dispatches.
const commands: Record<string, { file: string; about: string }> = {
  review: { file: "./review", about: "read the live vendors and report who has access (Markdown + JSON); exits 1 on a finding" },
  chart: { file: "./chart", about: "draw the stack's organization as SVG and PNG" },
  migrate: { file: "./migrate", about: "move a stack's dynamic resources to the orgstack provider plugin, with no vendor write" },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return ["usage: orgstack <command> [options]   (orgstack <command> --help for its options)", "", ...Object.entries(commands).map(([c, { about }]) => `  ${c.padEnd(width)}  ${about}`)].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`orgstack: no command "${name}"\n\n${usage()}`);
    return 2;
  }
  let mod: { run(args: string[]): Promise<number> };
  try {
    mod = require(command.file);
  } catch (e: any) {
    if (e?.code === "MODULE_NOT_FOUND" && String(e.message).includes(command.file.slice(2))) {
      console.error(`orgstack: the "${name}" command is not in this build`);
      return 2;
    }
    throw e;
  }
  return mod.run(args);
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      console.error(`orgstack: ${e instanceof Error ? e.message : String(e)}`);
      process.exit(1);
    },
  );
}
