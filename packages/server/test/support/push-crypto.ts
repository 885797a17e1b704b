/**
 * The browser's and the push service's side of Web Push, written from the
 * RFCs with node:crypto only, so tests check the server's pushes
 * independently of the `web-push` library that produced them:
 * - RFC 8291 (Message Encryption for Web Push) over RFC 8188 (`aes128gcm`),
 * - RFC 8292 (VAPID): `Authorization: vapid t=<ES256 JWT>, k=<public key>`.
 */
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify, type ECDH } from "node:crypto";

/** A browser's subscription keys, with the private half the browser never sends. */
export interface BrowserKeys {
  readonly ecdh: ECDH;
  /** Uncompressed P-256 point (65 bytes). */
  readonly publicKey: Buffer;
  /** The 16-byte auth secret. */
  readonly auth: Buffer;
}

/** What a browser generates when it subscribes: a P-256 ECDH pair and a 16-byte auth secret. */
export function browserKeys(): BrowserKeys {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return { ecdh, publicKey: ecdh.getPublicKey(), auth: randomBytes(16) };
}

/**
 * Decrypts an `aes128gcm` Web Push body (RFC 8188 §2 header: salt(16) ‖ rs(4) ‖
 * idlen(1) ‖ keyid, keyid = the sender's ephemeral public key), per RFC 8291 §3.3–3.4.
 * Throws when anything does not check out.
 */
export function decryptWebPush(body: Buffer, keys: BrowserKeys): Buffer {
  if (body.length < 21) throw new Error("body shorter than the aes128gcm header");
  const salt = body.subarray(0, 16);
  const rs = body.readUInt32BE(16);
  const idlen = body[20]!;
  const senderPublic = body.subarray(21, 21 + idlen);
  if (idlen !== 65 || senderPublic[0] !== 0x04) throw new Error("keyid is not an uncompressed P-256 point");
  if (rs < 18) throw new Error(`record size ${rs} too small`);
  const ecdhSecret = keys.ecdh.computeSecret(senderPublic);
  const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), keys.publicKey, senderPublic]);
  const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, keys.auth, keyInfo, 32));
  const cek = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16));
  const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
  return decryptRecords(body.subarray(21 + idlen), rs, cek, nonce);
}

function decryptRecords(ciphertext: Buffer, rs: number, cek: Buffer, nonce: Buffer): Buffer {
  const out: Buffer[] = [];
  const count = Math.ceil(ciphertext.length / rs);
  for (let i = 0; i < count; i++) {
    const record = ciphertext.subarray(i * rs, (i + 1) * rs);
    const plain = decryptRecord(record, cek, recordNonce(nonce, i));
    out.push(unpad(plain, i === count - 1));
  }
  return Buffer.concat(out);
}

/** RFC 8188 §2.3: the nonce XOR the record's sequence number (96-bit big-endian; ours fit the last 32 bits). */
function recordNonce(nonce: Buffer, seq: number): Buffer {
  const out = Buffer.from(nonce);
  out.writeUInt32BE((out.readUInt32BE(8) ^ seq) >>> 0, 8);
  return out;
}

function decryptRecord(record: Buffer, cek: Buffer, nonce: Buffer): Buffer {
  if (record.length < 17) throw new Error("record shorter than its tag");
  const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
  decipher.setAuthTag(record.subarray(record.length - 16));
  return Buffer.concat([decipher.update(record.subarray(0, record.length - 16)), decipher.final()]);
}

/** RFC 8188 §2: data ‖ delimiter (2 for the last record, 1 otherwise) ‖ zero padding. */
function unpad(plain: Buffer, last: boolean): Buffer {
  let end = plain.length - 1;
  while (end >= 0 && plain[end] === 0) end--;
  if (end < 0) throw new Error("record has no padding delimiter");
  if (plain[end] !== (last ? 2 : 1)) throw new Error(`bad padding delimiter ${plain[end]}`);
  return plain.subarray(0, end);
}

/** A checked VAPID header: the claims and the key it was signed with. */
export interface VapidClaims {
  readonly aud: string;
  readonly sub: string;
  readonly exp: number;
  /** The `k=` public key, base64url. */
  readonly key: string;
}

/**
 * Verifies `Authorization: vapid t=<JWT>, k=<key>` (RFC 8292 §2–3): an ES256 JWT
 * signed by `k`, audience = the push resource's origin, not expired, at most 24 h ahead.
 */
export function verifyVapid(
  header: string | undefined,
  endpointOrigin: string,
  nowSec = Date.now() / 1000,
): VapidClaims {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+),\s*k=([\w-]+)$/.exec(header ?? "");
  if (!match) throw new Error(`not a vapid Authorization header: ${header}`);
  const [jwt, key] = [match[1]!, match[2]!];
  const [head, payload, signature] = jwt.split(".") as [string, string, string];
  const alg = JSON.parse(Buffer.from(head, "base64url").toString()) as { alg?: string; typ?: string };
  if (alg.alg !== "ES256") throw new Error(`JWT alg ${alg.alg}, want ES256`);
  const point = Buffer.from(key, "base64url");
  if (point.length !== 65 || point[0] !== 4) throw new Error("k is not an uncompressed P-256 point");
  const jwk = { kty: "EC", crv: "P-256", x: b64(point.subarray(1, 33)), y: b64(point.subarray(33)) };
  const publicKey = createPublicKey({ key: jwk, format: "jwk" });
  const signed = Buffer.from(`${head}.${payload}`);
  const sig = Buffer.from(signature, "base64url");
  if (!verify("sha256", signed, { key: publicKey, dsaEncoding: "ieee-p1363" }, sig))
    throw new Error("bad JWT signature");
  const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as { aud: string; sub: string; exp: number };
  if (claims.aud !== endpointOrigin) throw new Error(`aud ${claims.aud}, want ${endpointOrigin}`);
  if (!(claims.exp > nowSec && claims.exp <= nowSec + 24 * 3600 + 60)) throw new Error(`bad exp ${claims.exp}`);
  if (!/^(mailto:|https:)/.test(claims.sub)) throw new Error(`bad sub ${claims.sub}`);
  return { ...claims, key };
}

function b64(buf: Buffer): string {
  return buf.toString("base64url");
}
