// The key material a spend share carries, built the way BitGo's own SDK (BitGoJS) builds it, with
// nothing but Node's crypto:
//
//   1. the wallet's user key, `encryptedPrv`, is decrypted with the wallet passphrase;
//   2. a fresh secp256k1 key is made; its ECDH secret with the recipient's sharing pubkey (the x
//      coordinate of fresh * recipientPub, 32 bytes, as hex) is the password;
//   3. the private key is encrypted under that password in SJCL's JSON envelope (PBKDF2-HMAC-SHA256,
//      10000 iterations, AES-256-CCM with a 64-bit tag) and sent with the fresh pubkey (`fromPubKey`),
//      the recipient's pubkey (`toPubKey`) and the recipient's derivation path.
//
// The recipient derives the same secret from its sharing private key and `fromPubKey`. Compatibility
// is checked in tests/unit/keychain.test.ts against BitGoJS's public test vectors.
//
// Nothing here logs, and no error message carries a password, a secret or a decrypted key.
import * as crypto from "crypto";

export interface SjclEnvelope {
  iv: string;
  v: number;
  iter: number;
  ks: number;
  ts: number;
  mode: string;
  adata: string;
  cipher: string;
  salt: string;
  ct: string;
}

export interface SharedKeychain {
  pub: string;
  encryptedPrv: string;
  fromPubKey: string;
  toPubKey: string;
  path: string;
}

/** A decryption that failed: never says more than that (no password, no plaintext). */
export class KeyDecryptionError extends Error {
  constructor(what: string) {
    super(`${what} could not be decrypted: the passphrase is wrong, or the key is not an SJCL AES-CCM envelope`);
    this.name = "KeyDecryptionError";
  }
}

/** The CCM nonce SJCL uses: the IV cut to 15 - L bytes, L the length-field size for the message. */
function ccmNonce(iv: Buffer, plaintextLength: number): Buffer {
  let L = 2;
  while (L < 4 && plaintextLength >>> (8 * L)) L++;
  if (L < 15 - iv.length) L = 15 - iv.length;
  return iv.subarray(0, 15 - L);
}

/** SJCL's `sjcl.encrypt(password, plaintext, { iter, ks: 256, ts: 64, mode: "ccm" })`, as BitGo's `encrypt`. */
export function sjclEncrypt(password: string, plaintext: string, opts: { salt?: Buffer; iv?: Buffer; iter?: number } = {}): string {
  const salt = opts.salt ?? crypto.randomBytes(8);
  const iv = opts.iv ?? crypto.randomBytes(16);
  const iter = opts.iter ?? 10_000;
  if (salt.length !== 8) throw new Error("salt must be 8 bytes");
  if (iv.length !== 16) throw new Error("iv must be 16 bytes");
  const key = crypto.pbkdf2Sync(Buffer.from(password, "utf8"), salt, iter, 32, "sha256");
  const data = Buffer.from(plaintext, "utf8");
  const cipher = crypto.createCipheriv("aes-256-ccm", key, ccmNonce(iv, data.length), { authTagLength: 8 });
  const ct = Buffer.concat([cipher.update(data), cipher.final(), cipher.getAuthTag()]);
  const envelope: SjclEnvelope = {
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
  };
  return JSON.stringify(envelope);
}

/** SJCL's `sjcl.decrypt` for the AES-CCM envelopes BitGo writes (ks 128/192/256, ts 64/96/128, optional adata). */
export function sjclDecrypt(password: string, envelopeText: string, what = "the key"): string {
  let e: SjclEnvelope;
  try {
    e = JSON.parse(envelopeText);
  } catch {
    throw new KeyDecryptionError(what);
  }
  if (!e || e.cipher !== "aes" || e.mode !== "ccm" || typeof e.ct !== "string" || typeof e.iv !== "string" || typeof e.salt !== "string") {
    throw new KeyDecryptionError(what);
  }
  const ks = e.ks ?? 128;
  const ts = e.ts ?? 64;
  const iter = e.iter ?? 10_000;
  if (![128, 192, 256].includes(ks) || ![64, 96, 128].includes(ts) || !(iter > 0 && iter <= 1_000_000)) throw new KeyDecryptionError(what);
  const key = crypto.pbkdf2Sync(Buffer.from(password, "utf8"), Buffer.from(e.salt, "base64"), iter, ks / 8, "sha256");
  const all = Buffer.from(e.ct, "base64");
  const tagLength = ts / 8;
  if (all.length < tagLength) throw new KeyDecryptionError(what);
  const body = all.subarray(0, all.length - tagLength);
  const tag = all.subarray(all.length - tagLength);
  const iv = Buffer.from(e.iv, "base64");
  try {
    const decipher = crypto.createDecipheriv(`aes-${ks}-ccm` as crypto.CipherCCMTypes, key, ccmNonce(iv, body.length), {
      authTagLength: tagLength,
    });
    decipher.setAuthTag(tag);
    const adata = e.adata ? Buffer.from(e.adata, "base64") : undefined;
    if (adata && adata.length) decipher.setAAD(adata, { plaintextLength: body.length });
    return Buffer.concat([decipher.update(body), decipher.final()]).toString("utf8");
  } catch {
    throw new KeyDecryptionError(what);
  }
}

/** BitGoJS's `getSharedSecret(privateKey, publicKey)`: the x coordinate of priv * pub on secp256k1. */
export function sharedSecret(privateKey: Buffer, publicKey: Buffer): Buffer {
  const ecdh = crypto.createECDH("secp256k1");
  ecdh.setPrivateKey(privateKey);
  return ecdh.computeSecret(publicKey); // throws on a point not on the curve
}

/** The compressed public key of a secp256k1 private key. */
export function publicKeyOf(privateKey: Buffer): Buffer {
  const ecdh = crypto.createECDH("secp256k1");
  ecdh.setPrivateKey(privateKey);
  return Buffer.from(ecdh.getPublicKey(undefined, "compressed"));
}

/** BIP32 master private key from a seed (HMAC-SHA512 keyed "Bitcoin seed", left half). */
export function bip32MasterPrivateKey(seed: Buffer): Buffer {
  return crypto.createHmac("sha512", "Bitcoin seed").update(seed).digest().subarray(0, 32);
}

/**
 * The keychain for a spend share: decrypts the wallet's user key with the wallet passphrase and
 * re-encrypts it for the recipient's sharing key. The decrypted key lives only inside this call.
 */
export function buildSharedKeychain(args: {
  userKey: { pub: string; encryptedPrv: string };
  walletPassphrase: string;
  recipient: { pubkey: string; path: string };
}): SharedKeychain {
  const prv = sjclDecrypt(args.walletPassphrase, args.userKey.encryptedPrv, "the wallet's user key (with walletPassphrase)");
  let recipientPub: Buffer;
  try {
    recipientPub = Buffer.from(args.recipient.pubkey, "hex");
  } catch {
    throw new Error("the recipient's sharing pubkey is not hex");
  }
  const ecdh = crypto.createECDH("secp256k1");
  ecdh.generateKeys();
  let secret: string;
  try {
    secret = ecdh.computeSecret(recipientPub).toString("hex");
  } catch {
    throw new Error("the recipient's sharing pubkey is not a valid secp256k1 point");
  }
  return {
    pub: args.userKey.pub,
    encryptedPrv: sjclEncrypt(secret, prv),
    fromPubKey: Buffer.from(ecdh.getPublicKey(undefined, "compressed")).toString("hex"),
    toPubKey: args.recipient.pubkey,
    path: args.recipient.path,
  };
}

/** What the recipient does on acceptance: derive the secret from its sharing key and open the keychain. */
export function openSharedKeychain(keychain: SharedKeychain, recipientPrivateKey: Buffer): string {
  const secret = sharedSecret(recipientPrivateKey, Buffer.from(keychain.fromPubKey, "hex")).toString("hex");
  return sjclDecrypt(secret, keychain.encryptedPrv, "the shared keychain");
}
