// Trust lists in the browser (healthcode.credentials.trustfile, trustlist and truststore):
// read the JSON file strictly, rebuild the deterministic CBOR the root signed
// (to_be_signed), check the root's Ed25519 signature against the root pinned at enrolment,
// refuse an expired (v3) list, an older sequence, or another list under the same sequence.
//
//   v1 ["healthcode trust list v1", jurisdiction, sequence, issued_at, root_kid, keys]
//   v2 ["healthcode trust list v2", jurisdiction, sequence, issued_at, root_kid,
//       max_code_lifetime, keys]
//   v3 ["healthcode trust list v3", jurisdiction, sequence, issued_at, root_kid,
//       max_code_lifetime, expires_at, keys, next_root]
// keys = [[kid, public_key, valid_from, valid_until], ...]; times in epoch seconds.

import { encodeCanonical, hex } from "./cbor.js";

const FORMATS = {
  "healthcode-trust-list/1": 1,
  "healthcode-trust-list/2": 2,
  "healthcode-trust-list/3": 3,
};
const CONTEXTS = { 1: "healthcode trust list v1", 2: "healthcode trust list v2", 3: "healthcode trust list v3" };
const BASE_FIELDS = ["format", "jurisdiction", "sequence", "issued_at", "root_kid", "keys", "signature"];
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

export class TrustListError extends Error {}

function fail(field, message) {
  throw new TrustListError(`trust_list.${field}: ${message}`);
}

export function unb64(text, size, field) {
  if (typeof text !== "string" || !/^[A-Za-z0-9_-]*$/.test(text)) fail(field, `must be ${size} bytes in unpadded base64url`);
  let binary;
  try {
    binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4));
  } catch {
    fail(field, `must be ${size} bytes in unpadded base64url`);
  }
  const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
  if (bytes.length !== size || b64(bytes) !== text) fail(field, `must be ${size} bytes in unpadded base64url`);
  return bytes;
}

export function b64(bytes) {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function time(value, field) {
  const m = typeof value === "string" ? TIME.exec(value) : null;
  const seconds = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : NaN;
  if (!m || new Date(seconds * 1000).toISOString().replace(".000Z", "Z") !== value) fail(field, "must look like 2024-03-01T08:00:00Z");
  return seconds;
}

function hex8(value, field) {
  if (typeof value !== "string" || !/^[0-9a-f]{16}$/.test(value)) fail(field, "must be 16 lowercase hex digits");
  return Uint8Array.from(value.match(/../g), (h) => parseInt(h, 16));
}

function only(object, names, path) {
  if (!object || typeof object !== "object" || Array.isArray(object)) fail(path, "must be a JSON object");
  for (const name of Object.keys(object)) if (!names.includes(name)) fail(`${path}.${name}`.replace(/^\./, ""), "is not a known field");
  for (const name of names) if (!(name in object)) fail(`${path}.${name}`.replace(/^\./, ""), "is required");
}

export async function kidOf(publicKey) {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", publicKey)).slice(0, 8);
}

/** The signed list in a trust-list file (form only: `TrustStore.accept` checks the root). */
export async function parseTrustList(text) {
  const doc = typeof text === "string" ? JSON.parse(text) : text;
  const version = FORMATS[doc && doc.format];
  if (!version) fail("format", "must be healthcode-trust-list/3, /2 or /1");
  const fields = [...BASE_FIELDS];
  if (version >= 2) fields.push("max_code_lifetime");
  if (version >= 3) fields.push("expires_at");
  if (version >= 3 && "next_root_public_key" in doc) fields.push("next_root_public_key");
  only(doc, fields, "");
  if (typeof doc.jurisdiction !== "string" || !/^[1-9][0-9]{5}$/.test(doc.jurisdiction)) fail("jurisdiction", "must be a GB/T 2260 six-digit code");
  if (!Number.isSafeInteger(doc.sequence) || doc.sequence < 0) fail("sequence", "must be a non-negative integer");
  if (!Array.isArray(doc.keys)) fail("keys", "must be a list");
  const keys = [];
  for (const [i, raw] of doc.keys.entries()) {
    const path = `keys[${i}]`;
    only(raw, ["kid", "public_key", "valid_from", "valid_until"], path);
    const publicKey = unb64(raw.public_key, 32, `${path}.public_key`);
    const kid = hex8(raw.kid, `${path}.kid`);
    if (hex(await kidOf(publicKey)) !== hex(kid)) fail(`${path}.kid`, "is not the kid of the public key");
    const validFrom = time(raw.valid_from, `${path}.valid_from`);
    const validUntil = time(raw.valid_until, `${path}.valid_until`);
    if (validUntil <= validFrom) fail(`${path}.valid_until`, "must be after valid_from");
    keys.push({ kid, publicKey, validFrom, validUntil });
  }
  let maxLifetime = null;
  if (version >= 2) {
    maxLifetime = doc.max_code_lifetime;
    if (!Number.isSafeInteger(maxLifetime) || maxLifetime < 1 || maxLifetime > 0xffffffff) fail("max_code_lifetime", "must be 1 to 2^32 - 1 seconds");
  }
  const issuedAt = time(doc.issued_at, "issued_at");
  const expiresAt = version >= 3 ? time(doc.expires_at, "expires_at") : null;
  if (expiresAt !== null && expiresAt <= issuedAt) fail("expires_at", "must be after issued_at");
  const nextRoot = version >= 3 && "next_root_public_key" in doc ? unb64(doc.next_root_public_key, 32, "next_root_public_key") : null;
  return {
    version,
    jurisdiction: doc.jurisdiction,
    sequence: doc.sequence,
    issuedAt,
    rootKid: hex8(doc.root_kid, "root_kid"),
    maxLifetime,
    expiresAt,
    nextRoot,
    keys,
    signature: unb64(doc.signature, 64, "signature"),
  };
}

/** The deterministic CBOR bytes the root signs (TrustList.to_be_signed). */
export function toBeSigned(list) {
  const keys = list.keys.map((k) => [k.kid, k.publicKey, k.validFrom, k.validUntil]);
  const head = [CONTEXTS[list.version], list.jurisdiction, list.sequence, list.issuedAt, list.rootKid];
  if (list.version === 1) return encodeCanonical([...head, keys]);
  if (list.version === 2) return encodeCanonical([...head, list.maxLifetime, keys]);
  return encodeCanonical([...head, list.maxLifetime, list.expiresAt, keys, list.nextRoot]);
}

async function rootSigned(list, rootPublicKey) {
  if (hex(await kidOf(rootPublicKey)) !== hex(list.rootKid)) return false;
  try {
    const key = await crypto.subtle.importKey("raw", rootPublicKey, { name: "Ed25519" }, false, ["verify"]);
    return await crypto.subtle.verify("Ed25519", key, list.signature, toBeSigned(list));
  } catch {
    return false;
  }
}

function sameList(a, b) {
  return hex(toBeSigned(a)) === hex(toBeSigned(b)) && hex(a.signature) === hex(b.signature);
}

class ResolvedKey {
  constructor(list, key) {
    this.jurisdiction = list.jurisdiction;
    this.kid = key.kid;
    this.publicKey = key.publicKey;
    this.validFrom = key.validFrom;
    this.validUntil = key.validUntil;
    this.listIssuedAt = list.issuedAt;
    this.listExpiresAt = list.expiresAt;
    this.maxLifetime = list.maxLifetime;
    this.imported = null;
  }

  cryptoKey() {
    this.imported ??= crypto.subtle.importKey("raw", this.publicKey, { name: "Ed25519" }, false, ["verify"]);
    return this.imported;
  }
}

/** The latest accepted list per jurisdiction, checked against pinned roots; keys by kid. */
export class TrustStore {
  constructor(roots) {
    this.roots = new Map(Object.entries(roots)); // jurisdiction -> raw 32-byte root key
    this.lists = new Map();
    this.index = new Map();
  }

  get jurisdictions() {
    return [...this.lists.keys()];
  }

  keysFor(kidHex) {
    return this.index.get(kidHex) || [];
  }

  /** Verify `list` (from parseTrustList) at `at` (epoch seconds) and hold it; throws
   * TrustListError naming why it is refused. A list signed by the next root the held list
   * announced is accepted, and that root pinned from then on. `kept`: the list was accepted
   * before (read back from storage): its expiry is then left to the verifier, which refuses
   * codes under it as trust_list_expired, as the Python store does with a list it holds. */
  async accept(list, at, { kept = false } = {}) {
    const pinned = this.roots.get(list.jurisdiction);
    if (!pinned) fail("jurisdiction", `no root key is pinned for ${list.jurisdiction}`);
    const held = this.lists.get(list.jurisdiction);
    let root = pinned;
    if (hex(await kidOf(pinned)) !== hex(list.rootKid) && held?.nextRoot && hex(await kidOf(held.nextRoot)) === hex(list.rootKid)) {
      root = held.nextRoot;
    }
    if (hex(await kidOf(root)) !== hex(list.rootKid)) {
      fail("root_kid", `signed by another root (${hex(list.rootKid)}), not the pinned root ${hex(await kidOf(pinned))} of ${list.jurisdiction}`);
    }
    if (!(await rootSigned(list, root))) fail("signature", `does not verify under the pinned root key of ${list.jurisdiction}`);
    if (!kept && list.expiresAt !== null && at >= list.expiresAt) {
      fail("expires_at", `the list of ${list.jurisdiction} expired ${new Date(list.expiresAt * 1000).toISOString()}`);
    }
    if (held) {
      if (list.sequence < held.sequence) fail("sequence", `${list.sequence} is lower than the ${held.sequence} already held for ${list.jurisdiction}`);
      if (list.sequence === held.sequence) {
        if (sameList(list, held)) return held;
        fail("sequence", `${list.sequence} is already held for ${list.jurisdiction} with other content`);
      }
    }
    this.roots.set(list.jurisdiction, root);
    this.lists.set(list.jurisdiction, list);
    this.index = new Map();
    for (const l of this.lists.values()) {
      for (const key of l.keys) {
        const kid = hex(key.kid);
        this.index.set(kid, [...(this.index.get(kid) || []), new ResolvedKey(l, key)]);
      }
    }
    return list;
  }
}

/** Parse a trust-list file and accept it into `store` at `at`. */
export async function acceptTrustList(store, text, at) {
  return store.accept(await parseTrustList(text), at);
}
