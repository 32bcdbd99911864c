// The sandbox's own key material code, independent of the provider's (the sandbox plays BitGo, so it
// must not borrow the client's implementation: a shared bug would pass unseen). Built from the
// algorithms as BitGo and SJCL define them, with Node's crypto only:
//
//   - secp256k1 public keys (compressed, 33 bytes) and ECDH, where the shared secret is the x
//     coordinate of priv * pub (BitGoJS's getSharedSecret); done with KeyObjects (SEC1 / JWK), not ECDH;
//   - SJCL's `sjcl.encrypt` / `sjcl.decrypt` JSON envelope as BitGo writes it: PBKDF2-HMAC-SHA256 key,
//     AES-CCM (RFC 3610) with SJCL's nonce rule. CCM is written out here over the raw AES block
//     function, as SJCL itself does it, rather than with Node's "aes-*-ccm" ciphers.
import * as crypto from "crypto";

// ---- secp256k1 ----

const SECP256K1_OID = Buffer.from("06052b8104000a", "hex"); // 1.3.132.0.10

/** A private key as a KeyObject: a minimal SEC1 ECPrivateKey (version 1, the key, the curve). */
function privateKeyObject(prv: Buffer): crypto.KeyObject {
  if (prv.length !== 32) throw new Error("a secp256k1 private key is 32 bytes");
  const der = Buffer.concat([
    Buffer.from([0x30, 0x2e, 0x02, 0x01, 0x01, 0x04, 0x20]),
    prv,
    Buffer.from([0xa0, 0x07]),
    SECP256K1_OID,
  ]);
  return crypto.createPrivateKey({ key: der, format: "der", type: "sec1" });
}

/** A public key (compressed or not) as a KeyObject; throws when the point is not on the curve. */
function publicKeyObject(pub: Buffer): crypto.KeyObject {
  const full = crypto.ECDH.convertKey(pub, "secp256k1", undefined, undefined, "uncompressed") as Buffer;
  const b64 = (b: Buffer) => b.toString("base64url");
  return crypto.createPublicKey({ key: { kty: "EC", crv: "secp256k1", x: b64(full.subarray(1, 33)), y: b64(full.subarray(33, 65)) }, format: "jwk" });
}

/** The compressed public key of a private key: 02 or 03 (y even or odd), then x. */
export function secp256k1PublicKey(prv: Buffer): Buffer {
  const jwk = crypto.createPublicKey(privateKeyObject(prv)).export({ format: "jwk" });
  const x = Buffer.from(jwk.x!, "base64url");
  const y = Buffer.from(jwk.y!, "base64url");
  return Buffer.concat([Buffer.from([y[y.length - 1] & 1 ? 0x03 : 0x02]), x]);
}

/** The ECDH secret BitGo uses: the 32-byte x coordinate of prv * pub. */
export function ecdhSecret(prv: Buffer, pub: Buffer): Buffer {
  return crypto.diffieHellman({ privateKey: privateKeyObject(prv), publicKey: publicKeyObject(pub) });
}

// ---- AES-CCM as SJCL does it ----

/** The raw AES block function E_k (ECB on whole blocks, no padding). */
function blockCipher(key: Buffer): (block: Buffer) => Buffer {
  const ecb = crypto.createCipheriv(`aes-${key.length * 8}-ecb`, key, null);
  ecb.setAutoPadding(false);
  return (block) => ecb.update(block);
}

/** `n` as a big-endian number of `bytes` bytes. */
function beBytes(n: number, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  for (let i = bytes - 1; i >= 0; i--, n = Math.floor(n / 256)) out[i] = n % 256;
  return out;
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

/**
 * SJCL's CCM parameters: L (the length field's size) is the smallest of 2..4 that holds the message
 * length, but at least 15 - iv length; the nonce is the IV's first 15 - L bytes.
 */
function ccmNonce(iv: Buffer, messageLength: number): { nonce: Buffer; L: number } {
  let L = 2;
  while (L < 4 && Math.floor(messageLength / 2 ** (8 * L)) > 0) L++;
  L = Math.max(L, 15 - iv.length);
  return { nonce: iv.subarray(0, 15 - L), L };
}

/** CBC-MAC over B0, the encoded associated data and the message (RFC 3610 2.2), cut to `tagBytes`. */
function ccmTag(E: (b: Buffer) => Buffer, nonce: Buffer, L: number, tagBytes: number, adata: Buffer, message: Buffer): Buffer {
  const flags = (adata.length ? 0x40 : 0) | (((tagBytes - 2) / 2) << 3) | (L - 1);
  const blocks: Buffer[] = [Buffer.concat([Buffer.from([flags]), nonce, beBytes(message.length, L)])];
  const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((16 - (b.length % 16)) % 16)]);
  if (adata.length) {
    const len =
      adata.length < 0xff00
        ? beBytes(adata.length, 2)
        : Buffer.concat([Buffer.from([0xff, 0xfe]), beBytes(adata.length, 4)]);
    blocks.push(pad(Buffer.concat([len, adata])));
  }
  blocks.push(pad(message));
  const all = Buffer.concat(blocks);
  let x: Buffer = Buffer.alloc(16);
  for (let i = 0; i < all.length; i += 16) x = E(xor(x, all.subarray(i, i + 16)));
  return x.subarray(0, tagBytes);
}

/** CTR keystream blocks A_i = flags(L-1) | nonce | i; A_0 masks the tag, A_1.. the message. */
function ccmCtr(E: (b: Buffer) => Buffer, nonce: Buffer, L: number, data: Buffer, first: number): Buffer {
  const out = Buffer.alloc(data.length);
  for (let off = 0, i = first; off < data.length; off += 16, i++) {
    const s = E(Buffer.concat([Buffer.from([L - 1]), nonce, beBytes(i, L)]));
    for (let j = 0; j < 16 && off + j < data.length; j++) out[off + j] = data[off + j] ^ s[j];
  }
  return out;
}

// ---- SJCL's JSON envelope ----

export interface SjclOptions {
  salt?: Buffer;
  iv?: Buffer;
  iter?: number;
}

/** `sjcl.encrypt(password, plaintext, { iter: 10000, ks: 256, ts: 64, mode: "ccm" })`, as BitGo's `encrypt`. */
export function sjclEncrypt(password: string, plaintext: string, opts: SjclOptions = {}): string {
  const salt = opts.salt ?? crypto.randomBytes(8);
  const iv = opts.iv ?? crypto.randomBytes(16);
  const iter = opts.iter ?? 10_000;
  const key = crypto.pbkdf2Sync(password, salt, iter, 32, "sha256");
  const E = blockCipher(key);
  const message = Buffer.from(plaintext, "utf8");
  const { nonce, L } = ccmNonce(iv, message.length);
  const tag = ccmTag(E, nonce, L, 8, Buffer.alloc(0), message);
  const ct = Buffer.concat([ccmCtr(E, nonce, L, message, 1), ccmCtr(E, nonce, L, tag, 0)]);
  // SJCL writes the fields in this order; ct, iv, salt and adata are base64.
  return JSON.stringify({
    iv: iv.toString("base64"),
    v: 1,
    iter,
    ks: 256,
    ts: 64,
    mode: "ccm",
    adata: "",
    cipher: "aes",
    salt: salt.toString("base64"),
    ct: ct.toString("base64"),
  });
}

/** `sjcl.decrypt` for AES-CCM envelopes (ks 128/192/256, ts 64/96/128, adata). Throws on any mismatch. */
export function sjclDecrypt(password: string, envelope: string): string {
  const e = JSON.parse(envelope);
  const ks = e.ks ?? 128;
  const ts = e.ts ?? 64;
  if (e.cipher !== "aes" || e.mode !== "ccm" || ![128, 192, 256].includes(ks) || ![64, 96, 128].includes(ts)) {
    throw new Error("not an SJCL AES-CCM envelope");
  }
  const key = crypto.pbkdf2Sync(password, Buffer.from(e.salt, "base64"), e.iter ?? 10_000, ks / 8, "sha256");
  const E = blockCipher(key);
  const all = Buffer.from(e.ct, "base64");
  const tagBytes = ts / 8;
  if (all.length < tagBytes) throw new Error("ciphertext shorter than its tag");
  const body = all.subarray(0, all.length - tagBytes);
  const { nonce, L } = ccmNonce(Buffer.from(e.iv, "base64"), body.length);
  const message = ccmCtr(E, nonce, L, body, 1);
  const tag = ccmCtr(E, nonce, L, all.subarray(body.length), 0);
  const expected = ccmTag(E, nonce, L, tagBytes, Buffer.from(e.adata ?? "", "base64"), message);
  if (!crypto.timingSafeEqual(tag, expected)) throw new Error("CCM tag mismatch: wrong password or damaged envelope");
  return message.toString("utf8");
}

// ---- the keychain of a spend share ----

export interface SharedKeychain {
  pub: string;
  encryptedPrv: string;
  fromPubKey: string;
  toPubKey: string;
  path: string;
}

/**
 * What BitGo Express does for a spend share: opens the wallet's user key with the wallet passphrase
 * and seals it for the recipient under the ECDH secret of a fresh key and the recipient's sharing key.
 */
export function sealKeychainFor(userKey: { pub: string; encryptedPrv: string }, walletPassphrase: string, recipient: { pubkey: string; path: string }): SharedKeychain {
  const prv = sjclDecrypt(walletPassphrase, userKey.encryptedPrv);
  const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: "secp256k1" });
  const fresh = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
  const secret = ecdhSecret(fresh, Buffer.from(recipient.pubkey, "hex")).toString("hex");
  return {
    pub: userKey.pub,
    encryptedPrv: sjclEncrypt(secret, prv),
    fromPubKey: secp256k1PublicKey(fresh).toString("hex"),
    toPubKey: recipient.pubkey,
    path: recipient.path,
  };
}

/** What the recipient does on acceptance: the same secret from its sharing key and `fromPubKey`. */
export function openKeychain(keychain: { fromPubKey: string; encryptedPrv: string }, recipientPrv: Buffer): string {
  const secret = ecdhSecret(recipientPrv, Buffer.from(keychain.fromPubKey, "hex")).toString("hex");
  return sjclDecrypt(secret, keychain.encryptedPrv);
}
