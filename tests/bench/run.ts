// `npm run bench`: what the per-run read cache saves when one stack declares many users of one
// enterprise. Creates N EnterpriseUsers through the provider against the sandbox twice, with the
// client's cache on and off, and prints HTTP calls and wall time for both, and their ratios.
// Figures are from this machine and this run only; compare the ratios, not the absolute times.
import { startSandbox, SEED } from "../../sandbox";
import { setConfig } from "../../provider/config";
import { provider } from "../../provider";
import { bitgoClient, bitgoSettings, resetBitGoClients } from "../../provider/bitgo/client";

const N = Number(process.env.BENCH_USERS ?? 60);

async function run(cacheOn: boolean, rateLimits = false) {
  const sb = await startSandbox({ rateLimits });
  try {
    const settings = { "bitgo:apiUrl": sb.url, "bitgo:email": SEED.operator.email, "bitgo:password": SEED.operator.password, "bitgo:otp": "000000" } as Record<string, string>;
    resetBitGoClients();
    setConfig({ get: (k) => settings[k] });
    const p = provider("bitgo:EnterpriseUser");
    const enterpriseId = SEED.enterprises.custody.id;
    const started = process.hrtime.bigint();
    // Like the engine: creates run in parallel (Pulumi's default parallelism is unbounded for independent resources).
    const created = await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const inputs = (await p.check(undefined, { enterpriseId, username: `user${i}@acme.example`, permissions: ["auditor"] })).inputs;
        return p.create(inputs);
      }),
    );
    // A refresh: every resource read once.
    await Promise.all(created.map((c) => p.read(c.id, c.outs)));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    const calls = sb.sandbox.requests.length;
    const userReads = sb.sandbox.requests.filter((r) => /^\/api\/v2\/user\/[0-9a-f]{32}$/.test(r.path)).length;
    const limited = sb.sandbox.requests.filter((r) => r.status === 429).length;
    return { ms, calls, userReads, limited };
  } finally {
    await sb.stop();
  }
}

async function main() {
  await run(true); // warm up the JIT and the sockets
  const on = await run(true);
  const off = await run(false);
  console.log(`EnterpriseUser: create then read ${N} users of one enterprise`);
  console.log(`  cache on : ${on.calls} HTTP calls (${(on.calls / N).toFixed(2)} per user), ${on.ms.toFixed(0)} ms`);
  console.log(`  cache off: ${off.calls} HTTP calls (${(off.calls / N).toFixed(2)} per user), ${off.ms.toFixed(0)} ms`);
  console.log(`  ratio off/on: calls ${(off.calls / on.calls).toFixed(2)}x, time ${(off.ms / on.ms).toFixed(2)}x`);
  console.log(`  GET /api/v2/user/{id} calls (BitGo allows 60 per 600 s): ${on.userReads} with the cache on`);
  const limited = await run(true, true).then(
    (r) => `succeeded, ${r.limited} answers were 429`,
    (e) => `failed: ${String(e.message).slice(0, 160)}`,
  );
  console.log(`  with BitGo's documented rate limits enforced by the sandbox: ${limited}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
