// The kit's pieces on their own: checking inputs, field formats, ids, secrets, exactly-once writes,
// the batcher and the read cache. Resources are tested through them elsewhere; these say what each
// piece promises.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { UNKNOWN, checkInputs, closest } from "../../provider/kit/check";
import { email, hex32, isCalendarDate, isoDate, list, text } from "../../provider/kit/fields";
import { compositeId, vendorId } from "../../provider/kit/ids";
import { addSecret, forgetSecrets, redact, redactDeep, redactError } from "../../provider/kit/secrets";
import { LostWriteError, done, guardedWrite, pending } from "../../provider/kit/writes";
import { Batcher } from "../../provider/kit/batch";
import { ReadCache, loadEvents } from "../../provider/http/cache";
import { VendorError } from "../../provider/http/transport";
import { sleep } from "../../provider/kit/util";

const schema = z
  .object({
    username: email(),
    enterpriseId: hex32("the enterprise's id"),
    tags: list(text({ max: 10 }), { max: 5 }).default([]),
    nested: z.object({ city: text() }).strict().optional(),
  })
  .strict();

describe("checkInputs", () => {
  it("names an unknown field with the closest known one and the list of inputs", () => {
    const r = checkInputs("test:Thing", schema, { username: "a@b.example", enterpriseId: "0".repeat(32), usrname: "x" });
    expect(r.failures).toEqual([{ property: "usrname", reason: expect.stringContaining("usrname: is not an input of test:Thing: did you mean username?") }]);
    const nested = checkInputs("test:Thing", schema, { username: "a@b.example", enterpriseId: "0".repeat(32), nested: { city: "x", cty: "y" } });
    expect(nested.failures?.[0].property).toBe("nested.cty");
    expect(nested.failures?.[0].reason).toContain("did you mean city?");
    expect(closest("colour", ["username", "enterpriseId"])).toBeUndefined();
  });

  it("refuses a huge string or list before any format check runs, naming where", () => {
    const big = checkInputs("test:Thing", schema, { username: "a".repeat(1_000_000), enterpriseId: "0".repeat(32) });
    expect(big.failures).toEqual([{ property: "username", reason: expect.stringContaining("it is 1000000 characters long") }]);
    const long = checkInputs("test:Thing", schema, { username: "a@b.example", enterpriseId: "0".repeat(32), tags: Array(5000).fill("x") });
    expect(long.failures?.[0].property).toBe("tags");
  });

  it("lets values not known yet through, and still checks the rest", () => {
    expect(checkInputs("t", schema, { username: UNKNOWN, enterpriseId: "0".repeat(32) }).failures).toBeUndefined();
    expect(checkInputs("t", schema, { username: "a@b.example", enterpriseId: "0".repeat(32), tags: [UNKNOWN] }).failures).toBeUndefined();
    expect(checkInputs("t", schema, { username: UNKNOWN, enterpriseId: "nope" }).failures?.map((f) => f.property)).toEqual(["enterpriseId"]);
    // With an unknown value the inputs go through as they came: normalizing would corrupt the sentinel.
    expect(checkInputs("t", schema, { username: UNKNOWN, enterpriseId: "0".repeat(32) }).inputs).toEqual({ username: UNKNOWN, enterpriseId: "0".repeat(32) });
  });

  it("normalizes: trims and lowercases emails, fills defaults, drops Pulumi's keys", () => {
    expect(checkInputs("t", schema, { __provider: "x", username: " Ops@Acme.Example ", enterpriseId: "0".repeat(32) }).inputs).toEqual({
      username: "ops@acme.example",
      enterpriseId: "0".repeat(32),
      tags: [],
    });
  });
});

describe("fields", () => {
  it("dates are real calendar days", () => {
    expect(isCalendarDate("2024-02-29")).toBe(true);
    expect(isCalendarDate("2023-02-29")).toBe(false);
    expect(isCalendarDate("2020-02-30")).toBe(false);
    expect(isCalendarDate("2020-13-01")).toBe(false);
    expect(isoDate({ past: true }).safeParse("2999-01-01").success).toBe(false);
    expect(isoDate().safeParse("1985-02-01").success).toBe(true);
  });
  it("lists refuse duplicates and cap their size", () => {
    expect(list(text()).safeParse(["a", "a"]).success).toBe(false);
    expect(list(text(), { max: 2 }).safeParse(["a", "b", "c"]).success).toBe(false);
  });
});

describe("ids", () => {
  const id = compositeId("test:Thing", ["enterpriseId", "username"], { enterpriseId: /^[0-9a-f]{32}$/ });
  it("builds and parses in one place", () => {
    const built = id.build({ enterpriseId: "a".repeat(32), username: "ops@acme.example" });
    expect(built).toBe(`${"a".repeat(32)}/ops@acme.example`);
    expect(id.parse(built)).toEqual({ enterpriseId: "a".repeat(32), username: "ops@acme.example" });
  });
  it("is never made of a missing value", () => {
    for (const missing of [undefined, "", "undefined", "null"]) {
      expect(() => id.build({ enterpriseId: "a".repeat(32), username: missing as any })).toThrow(/username is missing/);
    }
    expect(() => vendorId("test:Thing", "recordId", /^\d+$/).build({ recordId: "abc" })).toThrow(/not in the expected form/);
  });
  it("refuses a malformed id with the expected form (what import shows)", () => {
    expect(() => id.parse("nope")).toThrow("the form is <enterpriseId>/<username>");
    expect(() => id.parse(`${"a".repeat(32)}/undefined`)).toThrow(/not an id/);
  });
});

describe("secrets", () => {
  afterEach(() => forgetSecrets());
  it("scrubs registered secrets, bearer tokens, and secret-named keys from any text or value", () => {
    addSecret("correct-horse-battery");
    addSecret("000000");
    expect(redact("password correct-horse-battery and Bearer abc.def")).toBe("password [secret] and Bearer [secret]");
    // A one-time code is scrubbed as a word only: a 32-hex id that contains it stays readable.
    expect(redact("otp 000000, id 62c5ae000000860007aff138a2d74df7")).toBe("otp [secret], id 62c5ae000000860007aff138a2d74df7");
    expect(redactDeep({ context: { password: "anything", echoed: ["correct-horse-battery"] } })).toEqual({ context: { password: "[secret]", echoed: ["[secret]"] } });
    const e = redactError(Object.assign(new Error("failed for correct-horse-battery"), { context: { body: "correct-horse-battery" }, reasons: ["correct-horse-battery"] }));
    expect(JSON.stringify({ m: e.message, s: e.stack, c: (e as any).context, r: (e as any).reasons })).not.toContain("correct-horse-battery");
  });
});

describe("guardedWrite: exactly once", () => {
  const lost = () => new VendorError({ vendor: "V", method: "POST", path: "/x", message: "no answer within 400 ms", ambiguous: true });
  const conflict = () => new VendorError({ vendor: "V", method: "POST", path: "/x", status: 409, message: "already exists", ambiguous: false });

  it("sends once when the answer comes", async () => {
    let sent = 0;
    let looked = 0;
    const r = await guardedWrite({ what: "w", send: async () => done(++sent), effect: async () => (looked++, undefined) }, 1000);
    expect([sent, looked, r]).toEqual([1, 0, { done: true, value: 1 }]);
  });

  it("after a lost answer, finds the effect that appears late and never sends again", async () => {
    let sent = 0;
    const appearsAt = Date.now() + 700; // a slow vendor finishes after the client gave up
    const r = await guardedWrite(
      { what: "w", send: async () => (sent++, Promise.reject(lost())), effect: async () => (Date.now() >= appearsAt ? "made" : undefined) },
      3000,
    );
    expect(sent).toBe(1);
    expect(r).toEqual({ done: true, value: "made" });
  });

  it("after a lost answer, finds the approval the write made", async () => {
    let sent = 0;
    const r = await guardedWrite({ what: "w", send: async () => (sent++, Promise.reject(lost())), effect: async () => undefined, approval: async () => "approval-1" }, 1000);
    expect([sent, r]).toEqual([1, pending("approval-1")]);
  });

  it("sends once more only when no effect appeared in the settle window, and never a third time", async () => {
    let sent = 0;
    const ok = await guardedWrite({ what: "w", send: async () => (++sent === 1 ? Promise.reject(lost()) : done("second")), effect: async () => undefined }, 300);
    expect([sent, ok]).toEqual([2, { done: true, value: "second" }]);
    sent = 0;
    await expect(guardedWrite({ what: "w", send: async () => (sent++, Promise.reject(lost())), effect: async () => undefined }, 300)).rejects.toBeInstanceOf(LostWriteError);
    expect(sent).toBe(2);
  });

  it("a once-only write is never sent again, and says what to do", async () => {
    let sent = 0;
    const err = await guardedWrite({ what: "registering", once: true, whenLost: "set existingOrganizationId", send: async () => (sent++, Promise.reject(lost())) }, 300).catch((e) => e);
    expect(sent).toBe(1);
    expect(err).toBeInstanceOf(LostWriteError);
    expect(err.message).toContain("set existingOrganizationId");
  });

  it("a conflict whose object cannot be found passes the vendor's own words on", async () => {
    const err = await guardedWrite({ what: "w", send: async () => Promise.reject(conflict()), effect: async () => undefined }, 300).catch((e) => e);
    expect(err).toBeInstanceOf(VendorError);
    expect(err.status).toBe(409);
  });

  it("a refusal (400) is not looked into: it is thrown as it came", async () => {
    let looked = 0;
    const refused = new VendorError({ vendor: "V", method: "POST", path: "/x", status: 400, message: "bad", ambiguous: false });
    await expect(guardedWrite({ what: "w", send: async () => Promise.reject(refused), effect: async () => (looked++, undefined) }, 300)).rejects.toBe(refused);
    expect(looked).toBe(0);
  });
});

describe("Batcher", () => {
  it("sends what arrives within the window as one call, each caller getting its own result", async () => {
    const calls: string[][] = [];
    const b = new Batcher<string, string>(async (_key, entries) => {
      calls.push(entries.map((e) => e.item));
      for (const e of entries) e.resolve(e.item.toUpperCase());
    }, { max: 3, windowMs: 50 });
    const results = await Promise.all(["a", "b", "c", "d"].map((x) => b.add("k", x)));
    expect(results).toEqual(["A", "B", "C", "D"]);
    expect(calls).toEqual([["a", "b", "c"], ["d"]]); // max 3 per call
  });

  it("stays open while its call could not leave yet (a rate limit), so later arrivals ride along", async () => {
    const calls: string[][] = [];
    let leavesAt = Date.now() + 300; // the pacer has no room for 300 ms
    const b = new Batcher<string, string>(
      async (_key, entries) => {
        calls.push(entries.map((e) => e.item));
        for (const e of entries) e.resolve(e.item);
      },
      { windowMs: 20, readyIn: () => leavesAt - Date.now() },
    );
    const first = b.add("k", "a");
    await sleep(150); // well past the quiet window: without readyIn, "a" would have gone alone
    const second = b.add("k", "b");
    await Promise.all([first, second]);
    expect(calls).toEqual([["a", "b"]]);
    leavesAt = 0;
    await b.add("k", "c");
    expect(calls).toEqual([["a", "b"], ["c"]]);
  });
});

describe("ReadCache", () => {
  it("shares one load, serves a read that started after a moment, and never keeps a failure", async () => {
    const c = new ReadCache();
    let loads = 0;
    const load = async () => (await sleep(20), ++loads);
    expect(await Promise.all([c.get("k", load), c.get("k", load)])).toEqual([1, 1]);
    const since = Date.now() + 1;
    await sleep(5);
    expect(await Promise.all([c.get("k", load, { notBefore: since }), c.get("k", load, { notBefore: since })])).toEqual([2, 2]);
    await expect(c.get("bad", async () => Promise.reject(new Error("x")))).rejects.toThrow("x");
    expect(await c.get("bad", async () => "fine")).toBe("fine");
  });

  it("a fresh read waits for the writes in flight to the same key, so one read after a wave serves every write", async () => {
    const c = new ReadCache();
    let loads = 0;
    const load = async () => (await sleep(5), ++loads);
    // Three writes to "list" and one to "other", ending 10, 40 and 70 ms from now.
    const write = (keys: string[], ms: number) => {
      const ended = c.writing(keys);
      return sleep(ms).then(() => Date.now()).finally(ended);
    };
    const afterEach = [10, 40, 70].map((ms) => write(["list"], ms).then((since) => c.get("list", load, { notBefore: since, gatherMs: 5 })));
    void write(["other"], 5_000); // never holds up a read of another key
    const started = Date.now();
    expect(await Promise.all(afterEach)).toEqual([1, 1, 1]);
    expect(Date.now() - started).toBeLessThan(1_000);
    // A read that needs no fresh value never waits.
    const w = c.writing(["list"]);
    expect(await c.get("list", load)).toBe(1);
    w();
    w(); // ending twice counts once
    expect(await c.get("list", load, { notBefore: Date.now() })).toBe(2);
  });

  it("a read still waiting to leave (the pacer) is joined by a caller who needs a fresh one; once it has left, it is not", async () => {
    const c = new ReadCache();
    let loads = 0;
    const load = async () => {
      loadEvents.queued();
      await sleep(100); // waiting for room under the rate limit
      loadEvents.departing();
      await sleep(50); // the answer's trip
      return ++loads;
    };
    const first = c.get("list", load);
    await sleep(40);
    c.forget("list"); // a write ended meanwhile: the read has not left, so it will see the write
    const joined = c.get("list", load, { notBefore: Date.now() });
    await sleep(90); // it has left by now
    const after = c.get("list", load, { notBefore: Date.now() });
    expect(await Promise.all([first, joined, after])).toEqual([1, 1, 2]);
  });
});
