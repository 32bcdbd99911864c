// The spend-share keychain against BitGo's own SDK (BitGoJS) test vectors, so a key orgstack shares
// opens in BitGo's web UI and SDK exactly as one shared by BitGo itself.
//
// Vectors, from the public BitGo/BitGoJS repository:
// - ECDH: modules/bitgo/test/ecdh.ts (commit ffadcb917a9e897a4bdfc85b0c1220b9b72f3ab9, "should calculate a new
//   ECDH sharing secret correctly"):
//   keys are bip32.fromSeed(sha256(`${i}.a`)) and bip32.fromSeed(sha256(`${i}.b`)); getSharedSecret
//   gives 465ffe57…b4b8 for i = 0 and 61ff44fc…818d for i = 1.
// - SJCL envelope: modules/sdk-api/test/unit/fixtures/keycard.ts (commit 654a92d76b193e70b64493feabe3321c73a5f5c0),
//   KEYCARD_BOX_A: a real BitGo keycard box encrypted with KEYCARD_PASSWORD (iter 10000, ks 256,
//   ts 64, ccm); decrypted it is 895 characters and starts with {"uShare":{"i":  (decryptV1.ts checks
//   the same against sjcl.decrypt).
import * as crypto from "crypto";
import { describe, expect, it } from "vitest";
import {
  bip32MasterPrivateKey,
  buildSharedKeychain,
  openSharedKeychain,
  publicKeyOf,
  sharedSecret,
  sjclDecrypt,
  sjclEncrypt,
} from "../../provider/bitgo/keychain";

const key = (seed: string) => bip32MasterPrivateKey(crypto.createHash("sha256").update(seed).digest());

const KEYCARD_PASSWORD = "97IoV9Qs3fuhBKYCg6ju0y6LPBHTywBY";
const KEYCARD_BOX_A =
  '{"iv":"iury+nZhVfoWjpzbzrN1Yw==","v":1,"iter":10000,"ks":256,"ts":64,"mode":"ccm","adata":"","cipher":"aes","salt":"WiUMqHlpxiQ=","ct":"Qx6nr/Q+oEaHmmsIq75cHcR4hR4XzowpJvdgNuzcGD6v113dimT8tg2FAWAGj+syRfH19X5cDBhFX6k3ifWMbyQHneHs0OGh86kjm/v4ddNHaGgGEzhsQCWX2tAOyhxT+oG5PewnSr+xFGZePvo0GFakmPFLzF9gfvG8K3o30i0iU5UyzPdp5iAZGbZTseqp6d3KXcleA712Gnv5eT0mlDYJwoi9Io7TwCjdaa2M5r1PFkN8ZaC1aIzba3A+f7b7PDrfFckGGDIl6o2ytjNEpCKvvbfiTbk9/WOIXtMibW1e3ysmuPl5tiw2lSAtYXHQOl9rqwEvtoIMtM2uZqAE+ELf8UiabdBpdCYFiSVBgD+jjEfgUocd7xCRh2bW/Uqhu8ye7SDdZowMaTI3d/sGW8QubquPaHWQZTkhvDXttT0l1YXsIld3L2mQfDw+FpFD+SihNDiCf4fVYHFI/I9bYMx03QnUV+wXyo0dl1QXnkyVxTVOeaoJ7dM7Tp7h5cY2m5Dlp2YvAY2twRzOSPKjYu8M+rUuY0GsbodZW8mKXCLVfTyNmonSgqmLZ7V8MlZ4oR2gGfPn39XrGG9fRPj3lKb4gaFCSweHWfXAAXLN+MP9BquE57cphKn8RcuwwGPnH0j/tKOdcqKtn1XcAKtf8+s3L7utIXS+dijADqTLrjfG/2gKe4NbpykiW/vOPQ+2BbZO7d0F0YMnd2di/KD2VL5Y3M6Iib1zZAQX1r41X9Zb1/ShEsKtFyObi2zG0atYrQ6g4+f11nBbwJa6BD6n3P+UAaHvIJoXEFnaccvq3OWowlHQppQUOqCkdg5kwf2fXJqkR9hGGSBpXM48gm61hgwR12n2rDQxks6wwtdtm5BMKZrJy25x/ZAqYaQejm+0dT9SVa0qpNNOa1IdDzrPnI0AL1aLNGOVQ9EwEt9OOYoS/DBTp7JmVwhShDC5w8Br3KOKsm5qlWz/uslhfWBR7l6+BFft2jjfeCmfjZORCuhV5tX5nnQXuc13HjQkrdzaJE+LXZYtal+U83i2SfdwZnWuplTQqxKk+C0ikfGGJd7PDNb+8VEoR3rEIXk4YKJyI/HyPAVwNJN48tm/364SOm/iPV+wW5HvwPDmRJBan5vs66pTT2GtkZsZD1L+BxN4s8ycM4BWO1xyjgTI7mKjSatSnBqeJ0Cm0bIHq8hsbM9lH8yc0VsJ"}';

describe("ECDH shared secret (BitGoJS getSharedSecret vectors)", () => {
  it("matches BitGoJS for i = 0 and i = 1, from both sides", () => {
    const expected: Record<number, string> = {
      0: "465ffe5745325998b83fb39631347148e24d4f21b3f3b54739c264d5c42db4b8",
      1: "61ff44fc1af8061a433a314b7b8be8ae352c10f62aac5887047dbaa5643b818d",
    };
    for (const i of [0, 1]) {
      const a = key(`${i}.a`);
      const b = key(`${i}.b`);
      const ab = sharedSecret(a, publicKeyOf(b)).toString("hex");
      const ba = sharedSecret(b, publicKeyOf(a)).toString("hex");
      expect(ab).toBe(expected[i]);
      expect(ba).toBe(ab);
    }
  });

  it("refuses a public key that is not on the curve (BitGoJS's CVE-2024-48930 check)", () => {
    const bad = Buffer.from("0279be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798", "hex");
    bad[32] ^= 0xff;
    expect(() => sharedSecret(Buffer.alloc(32, 1), bad)).toThrow();
  });
});

describe("SJCL envelope (BitGo encrypt/decrypt v1)", () => {
  it("decrypts a real BitGo keycard box from BitGoJS's fixtures", () => {
    const plain = sjclDecrypt(KEYCARD_PASSWORD, KEYCARD_BOX_A);
    expect(plain.length).toBe(895);
    expect(plain.startsWith('{"uShare":{"i":')).toBe(true);
  });

  it("fails on a wrong password without echoing the password", () => {
    let message = "";
    try {
      sjclDecrypt("not-the-password", KEYCARD_BOX_A);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/could not be decrypted/);
    expect(message).not.toContain("not-the-password");
  });

  it("writes BitGo's envelope shape, deterministic for a given salt and iv, and reads it back", () => {
    const salt = Buffer.alloc(8, 7);
    const iv = Buffer.alloc(16, 9);
    const a = sjclEncrypt("pw", "xprv-like secret", { salt, iv });
    expect(sjclEncrypt("pw", "xprv-like secret", { salt, iv })).toBe(a);
    const env = JSON.parse(a);
    expect(Object.keys(env)).toEqual(["iv", "v", "iter", "ks", "ts", "mode", "adata", "cipher", "salt", "ct"]);
    expect(env).toMatchObject({ v: 1, iter: 10000, ks: 256, ts: 64, mode: "ccm", adata: "", cipher: "aes" });
    expect(Buffer.from(env.ct, "base64").length).toBe("xprv-like secret".length + 8); // 64-bit tag
    expect(sjclDecrypt("pw", a)).toBe("xprv-like secret");
    expect(sjclEncrypt("pw", "xprv-like secret")).not.toBe(a); // fresh salt and iv by default
  });
});

describe("shared keychain", () => {
  it("re-encrypts the wallet key so only the recipient's sharing key opens it", () => {
    const prv = "tprv8ZgxMBicQKsPd9TeAdPADNnSyH9SSUUbTVeFszDE23Ki6TBB5nCefAdHkK8Fm3qMQR6sHwA56zqRmKmxnHk37JkiFzvncDqoKmPWubu7hDF";
    const passphrase = "wallet passphrase";
    const recipient = key("recipient");
    const keychain = buildSharedKeychain({
      userKey: { pub: "tpub-user", encryptedPrv: sjclEncrypt(passphrase, prv) },
      walletPassphrase: passphrase,
      recipient: { pubkey: publicKeyOf(recipient).toString("hex"), path: "m/999999/1/1" },
    });
    expect(keychain.pub).toBe("tpub-user");
    expect(keychain.path).toBe("m/999999/1/1");
    expect(keychain.toPubKey).toBe(publicKeyOf(recipient).toString("hex"));
    expect(keychain.fromPubKey).toMatch(/^0[23][0-9a-f]{64}$/);
    expect(JSON.stringify(keychain)).not.toContain(prv);
    expect(openSharedKeychain(keychain, recipient)).toBe(prv);
    expect(() => openSharedKeychain(keychain, key("someone else"))).toThrow(/could not be decrypted/);
  });

  it("refuses a wrong wallet passphrase with an error that holds neither passphrase nor key", () => {
    const prv = "tprv-secret-material";
    let message = "";
    try {
      buildSharedKeychain({
        userKey: { pub: "p", encryptedPrv: sjclEncrypt("right", prv) },
        walletPassphrase: "wrong-passphrase",
        recipient: { pubkey: publicKeyOf(key("r")).toString("hex"), path: "m/1" },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/walletPassphrase/);
    expect(message).not.toMatch(/wrong-passphrase|tprv-secret/);
  });
});
