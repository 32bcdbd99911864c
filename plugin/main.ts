#!/usr/bin/env node
// pulumi-resource-orgstack: the executable the Pulumi engine starts. It serves the provider on a free
// loopback port and writes that port, alone, as the first line of stdout (the engine reads it from
// there; anything printed before it breaks the start-up). Arguments (the engine's address, logging
// flags) are not needed: the plugin never calls back into the engine.
import { serve } from "./server";

async function main(): Promise<void> {
  if (process.argv.includes("--version")) {
    process.stdout.write(`${require("./server").version()}\n`);
    return;
  }
  const { port } = await serve();
  process.stdout.write(`${port}\n`);
}

main().catch((e) => {
  process.stderr.write(`pulumi-resource-orgstack: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
