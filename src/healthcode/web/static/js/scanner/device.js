// The checkpoint device in the browser (healthcode.checkpoint.device, in IndexedDB):
// - its Ed25519 key pair, made here by WebCrypto; the private key is not extractable, so it
//   never leaves this browser (IndexedDB keeps the CryptoKey object itself);
// - its enrolment: venue, colours that pass, jurisdiction and the root key pinned then;
// - the trust bundle last accepted (its text: this city's list and its peers'), checked
//   against the pinned root, each peer's list against the root the bundle vouches for (or,
//   from a server that serves no bundle, this city's trust list alone);
// - the queue of scans, signed in batches (healthcode.checkpoint.batches) and uploaded to
//   POST /api/v1/scans/batches; a scan leaves the queue only once the server took it, and the
//   server stores each (device, seq) once, so an upload that is retried stores nothing twice.

import { encodeCanonical, hex } from "./cbor.js";
import { openBundle } from "./bundle.js";
import { b64, kidOf, parseTrustList, TrustStore, unb64 } from "./trustlist.js";

const DB = "hc-checkpoint";
const KV = "kv";
const QUEUE = "queue";
const BATCH_CONTEXT = "healthcode scan batch v1";
const UPLOAD_BATCH = 1000;

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

let opened = null;
function db() {
  opened ??= new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => {
      req.result.createObjectStore(KV);
      req.result.createObjectStore(QUEUE, { keyPath: "seq" });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  return opened;
}

async function tx(store, mode, work) {
  const database = await db();
  const transaction = database.transaction(store, mode);
  const result = await work(transaction.objectStore(store));
  await new Promise((resolve, reject) => {
    transaction.oncomplete = resolve;
    transaction.onerror = () => reject(transaction.error);
    transaction.onabort = () => reject(transaction.error);
  });
  return result;
}

export const get = (key) => tx(KV, "readonly", (s) => request(s.get(key)));
export const put = (key, value) => tx(KV, "readwrite", (s) => request(s.put(value, key)));

/** The device's key pair and id (made on first use): {keys, publicKey (raw), id (16 hex)}. */
export async function deviceKey() {
  let keys = await get("keys");
  if (!keys) {
    keys = await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
    await put("keys", keys);
  }
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
  return { keys, publicKey, publicKeyText: b64(publicKey), id: hex(await kidOf(publicKey)) };
}

/** Ask the server what this device checks codes with; kept, with its root pinned, once the
 * key is registered. Returns the enrolment, or {registered: false}. */
export async function enrol(deviceId) {
  const response = await fetch(`/checkpoint/enrolment/${deviceId}`, { cache: "no-store" });
  if (!response.ok) throw new Error(`enrolment: ${response.status}`);
  const answer = await response.json();
  if (answer.registered && answer.device === deviceId) {
    const pinned = (await get("enrolment"))?.root_public_key;
    // the root is pinned at the first enrolment: a later answer cannot swap it
    await put("enrolment", { ...answer, root_public_key: pinned || answer.root_public_key });
  }
  return answer;
}

export const enrolment = () => get("enrolment");

/** The held trust store (from the kept bundle, else the kept list), or an empty one. */
export async function heldStore(enrolled, at) {
  const root = unb64(enrolled.root_public_key, 32, "root");
  const store = new TrustStore({ [enrolled.jurisdiction]: root });
  const bundle = await get("trust-bundle");
  if (bundle) {
    try {
      const opened = await openBundle(bundle.text, { store, jurisdiction: enrolled.jurisdiction, root, at, kept: true });
      return { store, kept: bundle, problem: opened.refused.join("; ") || null };
    } catch (error) {
      return { store, kept: bundle, problem: error.message };
    }
  }
  const kept = await get("trust-list");
  if (!kept) return { store, kept: null };
  try {
    await store.accept(await parseTrustList(kept.text), at, { kept: true });
  } catch (error) {
    return { store, kept, problem: error.message };
  }
  return { store, kept };
}

/** Fetch this city's trust bundle; check it under the pinned root, hold its lists in `store`
 * and keep it (a bundle older than the one kept is refused). Resolves to the problem text
 * (the bundle refused, or the lists in it refused), else null. A server that serves no bundle:
 * its trust list alone. */
export async function refreshTrustBundle(store, enrolled, at) {
  const response = await fetch("/.well-known/healthcode/trust-bundle", { cache: "no-store" });
  if (response.status === 404) return refreshTrustList(store, at);
  if (!response.ok) return `trust bundle: ${response.status}`;
  const text = await response.text();
  const root = unb64(enrolled.root_public_key, 32, "root");
  const kept = await get("trust-bundle");
  let opened;
  try {
    opened = await openBundle(text, { store, jurisdiction: enrolled.jurisdiction, root, at });
  } catch (error) {
    return error.message;
  }
  if (kept?.issuedAt && opened.issuedAt < kept.issuedAt) return `bundle.issued_at: older than the bundle held`;
  await put("trust-bundle", { text, fetchedAt: Date.now(), issuedAt: opened.issuedAt });
  return opened.refused.join("; ") || null;
}

/** Fetch the published list; accept it into `store` (pinned root, sequence rules) and keep
 * it. Resolves to the problem text when it was refused, else null. */
export async function refreshTrustList(store, at) {
  const response = await fetch("/.well-known/healthcode/trust-list", { cache: "no-store" });
  if (!response.ok) return `trust list: ${response.status}`;
  const text = await response.text();
  try {
    await store.accept(await parseTrustList(text), at);
  } catch (error) {
    return error.message;
  }
  await put("trust-list", { text, fetchedAt: Date.now() });
  return null;
}

/** A sequence number this device never used: at least the time in ms, above the last. */
async function nextSeq(atMs) {
  const last = (await get("seq")) ?? -1;
  const seq = Math.max(Math.floor(atMs), last + 1);
  await put("seq", seq);
  return seq;
}

/** This device's earlier scan of the same code (subject and moment of issue) within the
 * code's lifetime, as device.earlier_scan finds it: {seq, atMs} or null. The first scan of a
 * code stays the one a repeat points to; codes no longer valid are forgotten. */
async function earlierScan(decision, atMs, seq) {
  if (decision.subject === null || decision.issued_at === null) return null;
  const codeKey = `${decision.subject}@${decision.issued_at}`;
  const seen = Object.fromEntries(Object.entries((await get("seen")) || {}).filter(([, v]) => v[2] * 1000 > atMs));
  const found = seen[codeKey] || null;
  if (!found) seen[codeKey] = [seq, atMs, decision.expires_at];
  await put("seen", seen);
  return found && { seq: found[0], atMs: found[1] };
}

/** Queue the scan of a decision that named a person (as device.scan_record does); a code
 * scanned here before within its lifetime is queued with `repeat_of` (and `earlier`). */
export async function record(decision, { atMs, temperature }) {
  if (decision.subject === null || decision.issuer === null) return null;
  const fever = temperature !== null && temperature >= 37.3;
  const whole = Math.floor(atMs / 1000) * 1000; // whole seconds: the server's ms are exact
  const scan = {
    seq: await nextSeq(atMs),
    subject: decision.subject,
    at: new Date(whole).toISOString().replace(".000Z", "Z"),
    outcome: decision.outcome,
    reason: fever ? "fever" : decision.reason,
    issuer: decision.issuer,
    temperature: temperature === null ? null : Math.round(temperature * 10) / 10,
    vehicle: null,
    at_ms: whole,
  };
  const earlier = await earlierScan(decision, atMs, scan.seq);
  if (earlier) scan.repeat_of = earlier.seq;
  await tx(QUEUE, "readwrite", (s) => request(s.put(scan)));
  return { ...scan, earlier };
}

export const queued = () => tx(QUEUE, "readonly", (s) => request(s.getAll()));

function signedItems(scan) {
  const tenths = scan.temperature === null ? null : Math.round(scan.temperature * 10);
  const items = [scan.seq, scan.subject, scan.at_ms, scan.outcome, scan.reason, scan.issuer, tenths, scan.vehicle];
  return scan.repeat_of === undefined ? items : [...items, scan.repeat_of];
}

/** The signed upload body of `scans` (batches.sign_batch). */
export async function signBatch(key, scans) {
  const message = encodeCanonical([BATCH_CONTEXT, key.id, scans.map(signedItems)]);
  const signature = new Uint8Array(await crypto.subtle.sign("Ed25519", key.keys.privateKey, message));
  const wire = scans.map(({ at_ms: _, ...scan }) => scan);
  return { device: key.id, scans: wire, signature: b64(signature) };
}

/** Upload the queue in signed batches; resolves to {sent, stored, duplicates, problem}. */
export async function upload(key) {
  const scans = (await queued()).sort((a, b) => a.seq - b.seq);
  const result = { sent: 0, stored: 0, duplicates: 0, problem: null };
  for (let start = 0; start < scans.length; start += UPLOAD_BATCH) {
    const part = scans.slice(start, start + UPLOAD_BATCH);
    const response = await fetch("/api/v1/scans/batches", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(await signBatch(key, part)),
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => null);
      const first = answer?.errors?.[0];
      result.problem = first ? `${first.field}: ${first.message}` : String(response.status);
      break;
    }
    const receipt = await response.json();
    result.sent += part.length;
    result.stored += receipt.stored;
    result.duplicates += receipt.duplicates;
    await tx(QUEUE, "readwrite", async (s) => {
      for (const scan of part) s.delete(scan.seq);
    });
  }
  return result;
}
