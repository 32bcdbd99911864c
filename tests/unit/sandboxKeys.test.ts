// The sandbox's own key code (sandbox/keys.ts) and the provider's (provider/bitgo/keychain.ts) are two
// independent implementations of the same BitGo / SJCL algorithms: each must read what the other
// writes, byte for byte where the inputs are fixed. The sandbox itself never imports the provider;
// only this test holds both.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { describe, expect, it } from "vitest";
import * as sandbox from "../../sandbox/keys";
import * as provider from "../../provider/bitgo/keychain";

// A real BitGo keycard box from BitGoJS's public fixtures (modules/sdk-api/test/unit/fixtures/keycard.ts,
// also used by tests/unit/keychain.test.ts): iter 10000, ks 256, ts 64, ccm; 895 characters inside.
const KEYCARD_PASSWORD = "97IoV9Qs3fuhBKYCg6ju0y6LPBHTywBY";
const KEYCARD_BOX_A =
  '{"iv":"iury+nZhVfoWjpzbzrN1Yw==","v":1,"iter":10000,"ks":256,"ts":64,"mode":"ccm","adata":"","cipher":"aes","salt":"WiUMqHlpxiQ=","ct":"Qx6nr/Q+oEaHmmsIq75cHcR4hR4XzowpJvdgNuzcGD6v113dimT8tg2FAWAGj+syRfH19X5cDBhFX6k3ifWMbyQHneHs0OGh86kjm/v4ddNHaGgGEzhsQCWX2tAOyhxT+oG5PewnSr+xFGZePvo0GFakmPFLzF9gfvG8K3o30i0iU5UyzPdp5iAZGbZTseqp6d3KXcleA712Gnv5eT0mlDYJwoi9Io7TwCjdaa2M5r1PFkN8ZaC1aIzba3A+f7b7PDrfFckGGDIl6o2ytjNEpCKvvbfiTbk9/WOIXtMibW1e3ysmuPl5tiw2lSAtYXHQOl9rqwEvtoIMtM2uZqAE+ELf8UiabdBpdCYFiSVBgD+jjEfgUocd7xCRh2bW/Uqhu8ye7SDdZowMaTI3d/sGW8QubquPaHWQZTkhvDXttT0l1YXsIld3L2mQfDw+FpFD+SihNDiCf4fVYHFI/I9bYMx03QnUV+wXyo0dl1QXnkyVxTVOeaoJ7dM7Tp7h5cY2m5Dlp2YvAY2twRzOSPKjYu8M+rUuY0GsbodZW8mKXCLVfTyNmonSgqmLZ7V8MlZ4oR2gGfPn39XrGG9fRPj3lKb4gaFCSweHWfXAAXLN+MP9BquE57cphKn8RcuwwGPnH0j/tKOdcqKtn1XcAKtf8+s3L7utIXS+dijADqTLrjfG/2gKe4NbpykiW/vOPQ+2BbZO7d0F0YMnd2di/KD2VL5Y3M6Iib1zZAQX1r41X9Zb1/ShEsKtFyObi2zG0atYrQ6g4+f11nBbwJa6BD6n3P+UAaHvIJoXEFnaccvq3OWowlHQppQUOqCkdg5kwf2fXJqkR9hGGSBpXM48gm61hgwR12n2rDQxks6wwtdtm5BMKZrJy25x/ZAqYaQejm+0dT9SVa0qpNNOa1IdDzrPnI0AL1aLNGOVQ9EwEt9OOYoS/DBTp7JmVwhShDC5w8Br3KOKsm5qlWz/uslhfWBR7l6+BFft2jjfeCmfjZORCuhV5tX5nnQXuc13HjQkrdzaJE+LXZYtal+U83i2SfdwZnWuplTQqxKk+C0ikfGGJd7PDNb+8VEoR3rEIXk4YKJyI/HyPAVwNJN48tm/364SOm/iPV+wW5HvwPDmRJBan5vs66pTT2GtkZsZD1L+BxN4s8ycM4BWO1xyjgTI7mKjSatSnBqeJ0Cm0bIHq8hsbM9lH8yc0VsJ"}';

describe("sandbox/keys.ts stands alone", () => {
  it("imports nothing from the provider (no file under sandbox/ does)", () => {
    const dir = path.resolve(__dirname, "../../sandbox");
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith(".ts"))) {
      expect(fs.readFileSync(path.join(dir, f), "utf8"), f).not.toMatch(/from\s+["']\.\.\/provider/);
    }
  });

  it("opens a real BitGo keycard box (SJCL AES-256-CCM, PBKDF2-HMAC-SHA256 10000)", () => {
    const plain = sandbox.sjclDecrypt(KEYCARD_PASSWORD, KEYCARD_BOX_A);
    expect(plain.length).toBe(895);
    expect(plain.startsWith('{"uShare":{"i":')).toBe(true);
    expect(() => sandbox.sjclDecrypt("wrong", KEYCARD_BOX_A)).toThrow(/tag mismatch/);
  });
});

describe("secp256k1: the same public keys and ECDH secrets as the provider", () => {
  it("for random keys, both ways", () => {
    for (let i = 0; i < 25; i++) {
      const a = crypto.randomBytes(32);
      const b = crypto.randomBytes(32);
      expect(sandbox.secp256k1PublicKey(a).toString("hex")).toBe(provider.publicKeyOf(a).toString("hex"));
      const s1 = sandbox.ecdhSecret(a, provider.publicKeyOf(b)).toString("hex");
      const s2 = provider.sharedSecret(b, sandbox.secp256k1PublicKey(a)).toString("hex");
      expect(s1).toBe(s2);
      expect(s1).toHaveLength(64);
    }
  });

  it("BitGoJS's getSharedSecret vector (i = 0)", () => {
    const key = (seed: string) => provider.bip32MasterPrivateKey(crypto.createHash("sha256").update(seed).digest());
    const secret = sandbox.ecdhSecret(key("0.a"), sandbox.secp256k1PublicKey(key("0.b"))).toString("hex");
    expect(secret).toBe("465ffe5745325998b83fb39631347148e24d4f21b3f3b54739c264d5c42db4b8");
  });

  it("refuses a point not on the curve", () => {
    const bad = Buffer.from("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "hex");
    bad[32] ^= 0xff;
    expect(() => sandbox.ecdhSecret(Buffer.alloc(32, 1), bad)).toThrow();
  });
});

describe("SJCL envelope: each reads what the other writes", () => {
  // Lengths around the block size and past 65535 bytes, where SJCL's CCM length field grows to 3 bytes.
  const lengths = [0, 1, 15, 16, 17, 111, 65535, 65536, 70000];

  it("the same bytes for the same salt and iv", () => {
    const salt = Buffer.alloc(8, 3);
    const iv = Buffer.alloc(16, 4);
    for (const n of lengths) {
      const text = "k".repeat(n);
      expect(sandbox.sjclEncrypt("pw", text, { salt, iv, iter: 7 })).toBe(provider.sjclEncrypt("pw", text, { salt, iv, iter: 7 }));
    }
  });

  it("sandbox → provider and provider → sandbox, random salt and iv, BitGo's 10000 iterations", () => {
    for (const n of [0, 33, 200]) {
      const text = crypto.randomBytes(n).toString("base64").slice(0, n) + "é✓";
      expect(provider.sjclDecrypt("passphrase", sandbox.sjclEncrypt("passphrase", text))).toBe(text);
      expect(sandbox.sjclDecrypt("passphrase", provider.sjclEncrypt("passphrase", text))).toBe(text);
    }
  });

  it("a tampered ciphertext fails in the sandbox as in the provider", () => {
    const env = JSON.parse(provider.sjclEncrypt("pw", "secret", { iter: 7 }));
    const ct = Buffer.from(env.ct, "base64");
    ct[0] ^= 1;
    const bad = JSON.stringify({ ...env, ct: ct.toString("base64") });
    expect(() => sandbox.sjclDecrypt("pw", bad)).toThrow();
    expect(() => provider.sjclDecrypt("pw", bad)).toThrow();
  });
});

describe("the keychain of a spend share, both ways", () => {
  const prv = "xprv-sandbox-test-" + "a".repeat(80);
  const passphrase = "wallet passphrase";
  const recipientPrv = crypto.createHash("sha256").update("recipient").digest();
  const recipient = { pubkey: provider.publicKeyOf(recipientPrv).toString("hex"), path: "m/999999/1/1" };
  const userKey = { pub: "03" + "11".repeat(32), encryptedPrv: provider.sjclEncrypt(passphrase, prv) };

  it("sealed by the provider (the client), opened by the sandbox (BitGo's recipient side)", () => {
    const kc = provider.buildSharedKeychain({ userKey, walletPassphrase: passphrase, recipient });
    expect(sandbox.openKeychain(kc, recipientPrv)).toBe(prv);
  });

  it("sealed by the sandbox (its BitGo Express), opened by the provider", () => {
    const kc = sandbox.sealKeychainFor({ pub: userKey.pub, encryptedPrv: sandbox.sjclEncrypt(passphrase, prv) }, passphrase, recipient);
    expect(kc).toMatchObject({ pub: userKey.pub, toPubKey: recipient.pubkey, path: recipient.path });
    expect(kc.fromPubKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(provider.openSharedKeychain(kc, recipientPrv)).toBe(prv);
  });

  it("a wrong wallet passphrase fails to seal", () => {
    expect(() => sandbox.sealKeychainFor(userKey, "not it", recipient)).toThrow();
  });
});
