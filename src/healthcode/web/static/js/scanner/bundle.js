// The trust bundle in the browser (healthcode.federation.bundle): this city's trust list and
// each peer's last good list, each as its jurisdiction signed it, with the peers' roots, the
// whole signed by this city's root. The scanner pins its own city's root at enrolment; the
// bundle vouches for the peers' roots, and each list inside still verifies under its own
// jurisdiction's root (trustlist.js), so the city cannot forge a peer's keys unseen.
//
//   signed: ["healthcode trust bundle v1", jurisdiction, issued_at, root_kid,
//            [[peer jurisdiction, root public key], ...], [list text, ...]]

import { encodeCanonical, hex } from "./cbor.js";
import { kidOf, parseTrustList, unb64 } from "./trustlist.js";

const FORMAT = "healthcode-trust-bundle/1";
const CONTEXT = "healthcode trust bundle v1";
const FIELDS = ["format", "jurisdiction", "issued_at", "root_kid", "roots", "lists", "signature"];
const TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;
const JURISDICTION = /^[1-9][0-9]{5}$/;

export class BundleError extends Error {}

function fail(field, message) {
  throw new BundleError(`bundle${field ? "." + field : ""}: ${message}`);
}

function bytes(text, size, field) {
  try {
    return unb64(text, size, field);
  } catch {
    return fail(field, `must be ${size} bytes in unpadded base64url`);
  }
}

/** The bundle in `text`, its form checked (not its signature). */
export function parseBundle(text) {
  let doc;
  try {
    doc = JSON.parse(text);
  } catch {
    fail("", "is not JSON");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) fail("", "must be an object");
  const names = Object.keys(doc);
  if (names.length !== FIELDS.length || !FIELDS.every((f) => names.includes(f))) fail("", `must be an object with the fields ${FIELDS.join(", ")}`);
  if (doc.format !== FORMAT) fail("format", `must be ${FORMAT}`);
  if (typeof doc.jurisdiction !== "string" || !JURISDICTION.test(doc.jurisdiction)) fail("jurisdiction", "must be a GB/T 2260 code");
  const m = typeof doc.issued_at === "string" ? TIME.exec(doc.issued_at) : null;
  if (!m) fail("issued_at", "must look like 2024-03-01T08:00:00Z");
  const issuedAt = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  if (typeof doc.root_kid !== "string" || !/^[0-9a-f]{16}$/.test(doc.root_kid)) fail("root_kid", "must be 16 hex digits");
  if (!Array.isArray(doc.lists) || !doc.lists.every((x) => typeof x === "string")) fail("lists", "must be a list of trust-list texts");
  if (!Array.isArray(doc.roots)) fail("roots", "must be a list");
  const roots = doc.roots.map((entry, i) => {
    const keys = entry && typeof entry === "object" ? Object.keys(entry).sort().join() : "";
    if (keys !== "jurisdiction,root_public_key") fail(`roots[${i}]`, "must hold jurisdiction, root_public_key");
    if (typeof entry.jurisdiction !== "string" || !JURISDICTION.test(entry.jurisdiction)) fail(`roots[${i}].jurisdiction`, "must be a GB/T 2260 code");
    return [entry.jurisdiction, bytes(entry.root_public_key, 32, `roots[${i}].root_public_key`)];
  });
  return {
    jurisdiction: doc.jurisdiction,
    issuedAt,
    rootKid: Uint8Array.from(doc.root_kid.match(/../g), (h) => parseInt(h, 16)),
    roots,
    lists: doc.lists,
    signature: bytes(doc.signature, 64, "signature"),
  };
}

function toBeSigned(bundle) {
  const head = [CONTEXT, bundle.jurisdiction, bundle.issuedAt, bundle.rootKid];
  return encodeCanonical([...head, bundle.roots, bundle.lists]);
}

/**
 * Check the bundle in `text` under `root` (this city's pinned root, raw 32 bytes) and hold its
 * lists in `store` (trustlist.js TrustStore): the peers' roots pinned as the bundle vouches for
 * them, each list accepted under its own jurisdiction's root at `at` (`kept`: read back from
 * storage). Throws BundleError when the bundle itself is refused; resolves to {issuedAt,
 * refused: [messages]} naming each list refused (the lists held before stay).
 */
export async function openBundle(text, { store, jurisdiction, root, at, kept = false }) {
  const bundle = parseBundle(text);
  if (bundle.jurisdiction !== jurisdiction) fail("jurisdiction", `is ${bundle.jurisdiction}, not this checkpoint's ${jurisdiction}`);
  if (hex(await kidOf(root)) !== hex(bundle.rootKid)) fail("root_kid", "is not the pinned root of this city");
  let holds = false;
  try {
    const key = await crypto.subtle.importKey("raw", root, { name: "Ed25519" }, false, ["verify"]);
    holds = await crypto.subtle.verify("Ed25519", key, bundle.signature, toBeSigned(bundle));
  } catch {
    holds = false;
  }
  if (!holds) fail("signature", "does not verify under the root");
  if (bundle.roots.some(([j]) => j === jurisdiction)) fail("roots", "must not name the city's own jurisdiction");
  for (const [peer, key] of bundle.roots) store.roots.set(peer, key);
  const refused = [];
  for (const [i, listText] of bundle.lists.entries()) {
    try {
      await store.accept(await parseTrustList(listText), at, { kept });
    } catch (error) {
      refused.push(`lists[${i}]: ${error.message}`);
    }
  }
  return { issuedAt: bundle.issuedAt, refused };
}
