// `npm run demo`: the main job. Starts the sandbox, runs the root Pulumi.yaml stack through the real
// Pulumi engine (up, a preview that shows nothing to do, a role change shown with preview --diff, up,
// destroy), and says in plain words what happened at each step.
import * as fs from "fs";
import * as path from "path";
import { offlineStack, programFile } from "./engine";
import { startSandbox, SEED, RunningSandbox } from "../sandbox";

const repoRoot = path.resolve(__dirname, "../..");
const work = path.join(repoRoot, ".orgstack", "demo");

function say(step: string, text: string) {
  console.log(`\n=== ${step}\n${text}`);
}

/** Who is in the enterprise now, with permissions, as the sandbox (standing in for BitGo) holds it. */
function members(running: RunningSandbox, enterpriseId: string): string {
  const st = running.sandbox.state.bitgo;
  const e = st.enterprises.find((x: any) => x.id === enterpriseId);
  const line = (m: any) => `${st.users.find((u: any) => u.id === m.userId)?.email} (${m.permissions.join(", ") || "member"})`;
  return e.members.map(line).join(", ");
}

async function main() {
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  const sandbox = await startSandbox({ port: 0, stateFile: path.join(work, "sandbox-state.json") });
  const enterpriseId = SEED.enterprises.custody.id;
  try {
    say("The sandbox", `A local stand-in for BitGo listens on ${sandbox.url}. Enterprise "Acme Custody" (${enterpriseId}) has these users: ${members(sandbox, enterpriseId)}.`);

    const stack = await offlineStack({
      stackName: "demo",
      projectName: "orgstack-demo",
      // The root Pulumi.yaml's program, run inline: it needs no Node language host binary.
      program: programFile(path.join(repoRoot, "dist", "demo", "index.js")),
      workDir: repoRoot,
      stateDir: work,
      passphrase: "orgstack-demo",
      binDir: process.env.ORGSTACK_PULUMI_BIN,
    });
    // Logging in with email, password and OTP mints the short-lived token that adding users needs.
    await stack.setAllConfig({
      "bitgo:apiUrl": { value: sandbox.url },
      "bitgo:email": { value: SEED.operator.email },
      "bitgo:password": { value: SEED.operator.password, secret: true },
      "bitgo:otp": { value: "000000" },
      "demo:enterpriseId": { value: enterpriseId },
    });

    const up1 = await stack.up();
    say(
      "1. pulumi up",
      `Created ${(up1.summary.resourceChanges?.create ?? 1) - 1} EnterpriseUser resources (plus the stack itself): ops@acme.example as an admin and video approver, ` +
        `auditor@acme.example as an auditor. Outputs: enterprise "${up1.outputs.enterpriseName.value}", organization ${up1.outputs.organizationId.value}.\n` +
        `BitGo now shows ${members(sandbox, enterpriseId)}.`,
    );

    const quiet = await stack.preview();
    say("2. pulumi preview (nothing changed)", `Changes planned: ${JSON.stringify(quiet.changeSummary)} — everything already matches.`);

    await stack.setConfig("demo:auditorPermission", { value: "wallet.create" });
    const diff = await stack.preview({ diff: true });
    say(
      "3. Change auditor@acme.example from auditor to wallet.create, then pulumi preview --diff",
      `${diff.stdout.trim()}\n\nIn words: ${diff.changeSummary.update ?? 0} update in place, ${diff.changeSummary.replace ?? 0} replacement. ` +
        `BitGo changes a role with one call, so nothing is removed and added again.`,
    );

    const up2 = await stack.up();
    say("4. pulumi up", `Updated ${up2.summary.resourceChanges?.update ?? 0} resource in place. BitGo now shows ${members(sandbox, enterpriseId)}.`);

    const down = await stack.destroy();
    say("5. pulumi destroy", `Deleted ${(down.summary.resourceChanges?.delete ?? 1) - 1} EnterpriseUser resources (and the stack). BitGo now shows ${members(sandbox, enterpriseId)}.`);
    await stack.workspace.removeStack("demo");
    say("Done", "The demo stack came up, changed one role in place, and went away, leaving the enterprise as it found it.");
  } finally {
    await sandbox.stop();
  }
}

main().catch((e) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
});
