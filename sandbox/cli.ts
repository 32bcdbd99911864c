// `npm run sandbox [-- --port 3080 --state .orgstack/sandbox-state.json --no-rate-limits --latency-ms 50 --no-request-log --verbose]`
import * as path from "path";
import { startSandbox, SEED } from "./index";

async function main() {
  const args = process.argv.slice(2);
  const opt = (name: string, fallback: string) => {
    const i = args.indexOf(name);
    return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
  };
  const stateFile = path.resolve(opt("--state", ".orgstack/sandbox-state.json"));
  const running = await startSandbox({
    port: Number(opt("--port", "3080")),
    stateFile,
    rateLimits: !args.includes("--no-rate-limits"),
    latencyMs: Number(opt("--latency-ms", "0")),
    requestLog: !args.includes("--no-request-log"),
    verbose: args.includes("--verbose"),
  });
  console.log(`orgstack sandbox listening on ${running.url} (loopback only); state in ${stateFile}`);
  console.log(`  bitgo:apiUrl  ${running.url}`);
  console.log(`  finhub:apiUrl ${running.finhubUrl}`);
  console.log(`  log in as ${SEED.operator.email} / ${SEED.operator.password}, OTP 000000`);
  const stop = async () => {
    await running.stop();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
