// Offline verification of a health code in the browser: the same checks, in the same order,
// with the same outcome, reason and words as healthcode.credentials.verify (the Python
// verifier behind `healthcode verify`); tests/web/test_scanner_conformance.py runs both on one
// set of valid and broken codes. A pure module: no DOM, no storage, no network.
//
//  1. prefix HZ2: (bad_prefix); base45, COSE_Sign1, protected header (bad_encoding)
//  2. the kid names a held key (unknown_kid); 3. Ed25519 under that key (bad_signature)
//  4. the claims in their one deterministic CBOR encoding (bad_encoding)
//  5. issuer = the key's jurisdiction (wrong_issuer); 6. issued in the key's period
//     (key_not_valid); 7. lifetime within the list's maximum (lifetime_too_long);
//  8. not issued beyond the clock skew ahead (not_yet_valid); 9. not expired (expired);
// 10. a v3 list holding the key has not expired (trust_list_expired)
// 11. issuer accepted here (issuer_not_trusted); 12. colour accepted (a foreign issuer's by
//     its acceptance rule, the message naming it): pass, else stop.

import { decodeAny, decodeDeterministic, hex, isPrintable, NotDeterministic, pyStr, Tag } from "./cbor.js";

export { acceptanceFor, maxListAge } from "./acceptance.js";
export { openBundle, parseBundle } from "./bundle.js";
export { acceptTrustList, parseTrustList, TrustStore } from "./trustlist.js";

export const PREFIX = "HZ2:";
export const MAX_TOKEN_CHARS = 1024;
export const DEFAULT_CLOCK_SKEW = 60;
export const COLOURS = ["green", "yellow", "red"];
const WIRE_TO_COLOUR = { 1: "green", 2: "yellow", 3: "red" };
const CHARSET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
const PROTECTED_PREFIX = [0xa2, 0x01, 0x27, 0x04, 0x48];
const KID_BYTES = 8;
const ISSUER = /^[1-9][0-9]{5}$/;
const HEX_SUBJECT = /^(?:[0-9a-f]{2}){1,32}$/;
const MAX_TIMESTAMP = 0xffffffff;
const CLAIM_ISS = 1;
const CLAIM_EXP = 4;
const CLAIM_IAT = 6;
const CLAIM_HEALTHCODE = -65537;
const CLAIM_KEYS = [CLAIM_ISS, CLAIM_EXP, CLAIM_IAT, CLAIM_HEALTHCODE];

class Rejected extends Error {
  constructor(reason, message) {
    super(message);
    this.reason = reason;
  }
}

const bad = (message) => new Rejected("bad_encoding", message);

function decision(outcome, reason, message, extra = {}) {
  return {
    outcome,
    reason,
    message,
    colour: null,
    masked_name: null,
    issuer: null,
    subject: null,
    issued_at: null,
    expires_at: null,
    kid: null,
    degraded: false,
    ...extra,
  };
}

// ---- token.py ----

function prefixProblem(text) {
  const headText = [...text].slice(0, 4).join("");
  if (headText === "HC1:") return "an EU Digital COVID Certificate (HC1:), not a health code";
  if ([...headText].length === 4 && headText.startsWith("HZ") && [...headText][3] === ":") {
    return `unsupported health code version ${pyStr(headText)} (this verifier reads ${PREFIX})`;
  }
  return `not a health code: expected the prefix ${PREFIX}`;
}

export function decodeToken(text) {
  if (typeof text !== "string") throw bad("a token is text");
  if (!text.startsWith(PREFIX)) throw new Rejected("bad_prefix", prefixProblem(text));
  const length = [...text].length;
  if (length > MAX_TOKEN_CHARS) throw bad(`token is ${length} characters; at most ${MAX_TOKEN_CHARS}`);
  return b45decode(text.slice(PREFIX.length));
}

export function b45decode(text) {
  for (const ch of text) if (ch.codePointAt(0) > 0x7f) throw bad("base45: non-ASCII character");
  const digits = [];
  for (const ch of text) {
    const value = CHARSET.indexOf(ch);
    if (value < 0) throw bad(`base45: character ${pyStr(ch)} is not in the base45 alphabet`);
    digits.push(value);
  }
  const groups = Math.floor(digits.length / 3);
  const rest = digits.length % 3;
  if (rest === 1) throw bad("base45: length leaves a single dangling character");
  const out = [];
  for (let g = 0; g < groups; g++) {
    const value = digits[3 * g] + 45 * digits[3 * g + 1] + 2025 * digits[3 * g + 2];
    if (value > 0xffff) throw bad("base45: a three-character group exceeds 65535");
    out.push(value >> 8, value & 0xff);
  }
  if (rest) {
    const last = digits[3 * groups] + 45 * digits[3 * groups + 1];
    if (last > 0xff) throw bad("base45: the final two-character group exceeds 255");
    out.push(last);
  }
  return new Uint8Array(out);
}

// ---- cose.py ----

function bstr(data, pos, what) {
  if (pos >= data.length) throw bad(`truncated before the ${what}`);
  const initial = data[pos];
  if (initial >> 5 !== 2) throw bad(`the ${what} must be a byte string`);
  const info = initial & 0x1f;
  let length;
  if (info < 24) {
    length = info;
    pos += 1;
  } else if (info >= 24 && info <= 26) {
    const size = 1 << (info - 24);
    if (pos + 1 + size > data.length) throw bad(`truncated in the ${what} length`);
    length = 0;
    for (let i = 0; i < size; i++) length = length * 256 + data[pos + 1 + i];
    if (length < (size === 1 ? 24 : 2 ** (4 * size))) throw bad(`the ${what} length is not in shortest form`);
    pos += 1 + size;
  } else throw bad(`the ${what} must have a definite length below 4 GiB`);
  const end = pos + length;
  if (end > data.length) throw bad(`truncated in the ${what}: ${end - data.length} byte(s) missing`);
  return [pos, end];
}

function diagnoseProtected(protectedBytes) {
  let header;
  try {
    header = decodeAny(protectedBytes);
  } catch {
    return "protected header is not valid CBOR";
  }
  if (!(header instanceof Map)) return "protected header is not a CBOR map";
  const alg = header.get("i1")?.value;
  if (typeof alg !== "number" || alg !== -8) return `unsupported algorithm ${reprShort(alg)} (only EdDSA, -8)`;
  const kid = header.get("i4")?.value;
  if (!(kid instanceof Uint8Array) || kid.length !== KID_BYTES) return "protected header kid must be an 8-byte byte string";
  if (header.size !== 2) return "protected header has parameters other than alg and kid";
  return "protected header is not deterministically encoded";
}

function reprShort(value) {
  if (value === undefined) return "None";
  if (typeof value === "string") return pyStr(value).slice(0, 24);
  if (value instanceof Uint8Array) return "b'…'";
  return String(value).slice(0, 24);
}

export function parseSign1(data) {
  if (data.length < 2 || data[0] !== 0xd2) throw bad("not a COSE_Sign1: expected CBOR tag 18");
  if (data[1] !== 0x84) throw bad("COSE_Sign1 must be an array of four items");
  let [start, pos] = bstr(data, 2, "protected header");
  const protectedBytes = data.slice(start, pos);
  if (pos >= data.length || data[pos] !== 0xa0) throw bad("unprotected header must be an empty map");
  [start, pos] = bstr(data, pos + 1, "payload");
  const payload = data.slice(start, pos);
  [start, pos] = bstr(data, pos, "signature");
  const signature = data.slice(start, pos);
  if (pos !== data.length) throw bad(`${data.length - pos} trailing byte(s) after the COSE_Sign1`);
  if (signature.length !== 64) throw bad(`an Ed25519 signature is 64 bytes, not ${signature.length}`);
  const expected = protectedBytes.length === PROTECTED_PREFIX.length + KID_BYTES && PROTECTED_PREFIX.every((b, i) => protectedBytes[i] === b);
  if (!expected) throw bad(diagnoseProtected(protectedBytes));
  return { protected: protectedBytes, kid: protectedBytes.slice(-KID_BYTES), payload, signature };
}

function bstrHead(length) {
  if (length < 24) return [0x40 | length];
  if (length < 0x100) return [0x58, length];
  if (length < 0x10000) return [0x59, length >> 8, length & 0xff];
  return [0x5a, (length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff];
}

export function sigStructure(protectedBytes, payload) {
  const context = [0x84, 0x6a, ...new TextEncoder().encode("Signature1")];
  return new Uint8Array([...context, ...bstrHead(protectedBytes.length), ...protectedBytes, 0x40, ...bstrHead(payload.length), ...payload]);
}

// ---- claims.py ----

function claimsBad(message) {
  return bad(`claims: ${message}`);
}

function subjectOf(value) {
  if (value instanceof Uint8Array) return value.length > 0 && value.length <= 32 ? hex(value) : null;
  if (typeof value === "string" && !HEX_SUBJECT.test(value)) return value;
  return null;
}

const chars = (text) => [...text].length;
const isInt = (v) => typeof v === "number" && Number.isInteger(v);

export function parseClaims(payload) {
  let raw;
  try {
    raw = decodeDeterministic(payload);
  } catch (error) {
    if (error instanceof NotDeterministic) throw claimsBad(error.message);
    throw error;
  }
  const fields = fieldsOf(raw);
  if (fields) {
    const iss = raw.get(`i${CLAIM_ISS}`).value;
    const exp = raw.get(`i${CLAIM_EXP}`).value;
    const iat = raw.get(`i${CLAIM_IAT}`).value;
    const [colour, name] = fields;
    const sub = subjectOf(fields[2]);
    if (
      isInt(colour) && colour in WIRE_TO_COLOUR && typeof iss === "string" && ISSUER.test(iss) &&
      typeof sub === "string" && chars(sub) > 0 && chars(sub) <= 64 && isPrintable(sub) &&
      typeof name === "string" && chars(name) > 0 && chars(name) <= 32 && isPrintable(name) &&
      isInt(iat) && isInt(exp) && iat >= 0 && iat < exp && exp <= MAX_TIMESTAMP
    ) {
      return { issuer: iss, subject: sub, issued_at: iat, expires_at: exp, colour: WIRE_TO_COLOUR[colour], masked_name: name };
    }
  }
  throw claimsBad(diagnose(raw));
}

function fieldsOf(raw) {
  if (!(raw instanceof Map) || raw.size !== 4 || !CLAIM_KEYS.every((k) => raw.has(`i${k}`))) return null;
  const fields = raw.get(`i${CLAIM_HEALTHCODE}`).value;
  return Array.isArray(fields) && fields.length === 3 ? fields : null;
}

function diagnose(raw) {
  if (!(raw instanceof Map)) return "not a CBOR map";
  return keyProblem(raw) || valueProblem(raw) || claimsProblem(raw);
}

function keyProblem(raw) {
  const keys = [...raw.values()].map((e) => e.key);
  const missing = CLAIM_KEYS.filter((k) => !raw.has(`i${k}`)).sort((a, b) => a - b);
  if (missing.length) return `missing claim(s) [${missing.join(", ")}]`;
  const extra = keys.filter((k) => !(typeof k === "number" && CLAIM_KEYS.includes(k)));
  if (extra.length) {
    const shown = extra.map((k) => (typeof k === "string" ? pyStr(k) : String(k)).slice(0, 16)).sort();
    return `unexpected claim(s) [${shown.map((s) => pyStr(s)).join(", ")}]`;
  }
  return "";
}

function valueProblem(raw) {
  if (typeof raw.get(`i${CLAIM_ISS}`).value !== "string") return `claim ${CLAIM_ISS} must be a text string`;
  for (const key of [CLAIM_EXP, CLAIM_IAT]) {
    const v = raw.get(`i${key}`).value;
    if (!isInt(v) || v < 0 || v > MAX_TIMESTAMP) return `claim ${key} must be an unsigned 32-bit time in seconds`;
  }
  const fields = fieldsOf(raw);
  if (!fields) return `claim ${CLAIM_HEALTHCODE} must be an array [colour, masked name, subject]`;
  const [colour, name, subject] = fields;
  if (!isInt(colour) || !(colour in WIRE_TO_COLOUR)) return `claim ${CLAIM_HEALTHCODE}[0] (colour) must be 1, 2 or 3`;
  if (typeof name !== "string") return `claim ${CLAIM_HEALTHCODE}[1] (masked name) must be a text string`;
  if (subjectOf(subject) === null) {
    if (typeof subject === "string") return `claim ${CLAIM_HEALTHCODE}[2] (subject) in text must not be lowercase hex`;
    return `claim ${CLAIM_HEALTHCODE}[2] (subject) must be text or 1 to 32 bytes`;
  }
  return "";
}

function textProblem(field, value, limit) {
  if (!value) return `${field}: must be a non-empty string`;
  if (chars(value) > limit) return `${field}: must be at most ${limit} characters`;
  if (!isPrintable(value)) return `${field}: must not contain control characters`;
  return null;
}

// CodeClaims' validation problems, joined as InvalidInput's text
function claimsProblem(raw) {
  const [, name, subject] = fieldsOf(raw);
  const iss = raw.get(`i${CLAIM_ISS}`).value;
  const iat = raw.get(`i${CLAIM_IAT}`).value;
  const exp = raw.get(`i${CLAIM_EXP}`).value;
  const problems = [];
  if (!ISSUER.test(iss)) problems.push("issuer: must be a GB/T 2260 six-digit code like 330100");
  for (const p of [textProblem("subject", subjectOf(subject) || "", 64), textProblem("masked_name", name, 32)]) if (p) problems.push(p);
  if (exp <= iat) problems.push("expires_at: must be after issued_at");
  return problems.length ? problems.join("; ") : "claims break a rule";
}

// ---- verify.py ----

function when(seconds) {
  return new Date(seconds * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

// Python's f"{x:.0f}": the nearest integer, ties to even
function whole(x) {
  const floor = Math.floor(x);
  const diff = x - floor;
  const n = diff > 0.5 ? floor + 1 : diff < 0.5 ? floor : floor % 2 === 0 ? floor : floor + 1;
  return Object.is(n, -0) || (n === 0 && x < 0) ? (x < 0 ? "-0" : "0") : String(n);
}

function colourList(colours) {
  const order = COLOURS.filter((c) => colours.includes(c));
  return order.length ? order.join(" and ") : "no colour";
}

async function signatureHolds(key, signature, message) {
  try {
    return await crypto.subtle.verify("Ed25519", await key.cryptoKey(), signature, message);
  } catch {
    return false;
  }
}

/**
 * Verify `token` at `at` (epoch seconds, may be fractional) against `store` (a TrustStore of
 * trustlist.js). `acceptance`: {issuers: [...], colours: [...], byIssuer: {issuer: {colours,
 * rule}}} (acceptance.js builds it from the policy's rules). `skew` seconds; `maxAge`
 * seconds or null (a list issued longer ago marks the decision degraded).
 * Resolves to a decision {outcome, reason, message, colour, masked_name, issuer, subject,
 * issued_at, expires_at (epoch seconds), kid, degraded}; never rejects on hostile input.
 */
export async function verifyCode(token, { store, at, acceptance, skew = DEFAULT_CLOCK_SKEW, maxAge = null }) {
  let sign1;
  try {
    sign1 = parseSign1(decodeToken(token));
  } catch (error) {
    if (error instanceof Rejected) return decision("invalid", error.reason, error.message);
    throw error;
  }
  const kid = hex(sign1.kid);
  const candidates = store.keysFor(kid);
  if (!candidates.length) return decision("invalid", "unknown_kid", `no held trust list has key ${kid}`, { kid });
  const message = sigStructure(sign1.protected, sign1.payload);
  const verified = [];
  for (const candidate of candidates) if (await signatureHolds(candidate, sign1.signature, message)) verified.push(candidate);
  if (!verified.length) {
    return decision("invalid", "bad_signature", `the signature does not verify under key ${kid} of ${candidates[0].jurisdiction}`, { kid });
  }
  let claims;
  try {
    claims = parseClaims(sign1.payload);
  } catch (error) {
    if (error instanceof Rejected) return decision("invalid", error.reason, error.message, { kid });
    throw error;
  }
  let key = verified[0];
  if (verified.length > 1) key = verified.find((k) => k.jurisdiction === claims.issuer) || key;
  return judge(claims, key, kid, at, skew, acceptance, maxAge);
}

function judge(claims, key, kid, at, skew, acceptance, maxAge) {
  const { issuer, issued_at: iat, expires_at: exp, colour } = claims;
  let outcome = "invalid";
  let reason = "ok";
  let text;
  if (issuer !== key.jurisdiction) {
    reason = "wrong_issuer";
    text = `claims issuer ${issuer} but key ${kid} is ${key.jurisdiction}'s`;
  } else if (!(key.validFrom <= iat && iat < key.validUntil)) {
    reason = "key_not_valid";
    text = `issued ${when(iat)}, outside the signing period of key ${kid} (${when(key.validFrom)} to ${when(key.validUntil)})`;
  } else if (key.maxLifetime !== null && exp - iat > key.maxLifetime) {
    reason = "lifetime_too_long";
    text = `lives ${exp - iat} s; the trust list of ${key.jurisdiction} allows its codes at most ${key.maxLifetime} s`;
  } else if (iat > at + skew) {
    reason = "not_yet_valid";
    text = `issued ${when(iat)}, ${whole(iat - at)} s ahead of this checkpoint's clock`;
  } else if (at >= exp + skew) {
    reason = "expired";
    text = `expired ${when(exp)}, ${whole(at - exp)} s ago`;
  } else if (key.listExpiresAt !== null && at >= key.listExpiresAt + skew) {
    reason = "trust_list_expired";
    text = `the trust list of ${key.jurisdiction} expired ${when(key.listExpiresAt)}`;
  } else if (!acceptance.issuers.includes(issuer)) {
    reason = "issuer_not_trusted";
    text = `codes issued by ${issuer} are not accepted here`;
  } else {
    [outcome, reason, text] = colourHere(colour, issuer, acceptance);
  }
  const degraded = maxAge !== null && at - key.listIssuedAt > maxAge;
  if (degraded) text += ` (offline: trust list of ${key.jurisdiction} is older than allowed)`;
  return decision(outcome, reason, text, { ...claims, kid, degraded });
}

// a valid code of an accepted issuer, by its colour: under the issuer's own rule when the
// acceptance has one (verify._colour_here)
function colourHere(colour, issuer, acceptance) {
  const rule = acceptance.byIssuer?.[issuer];
  if (!rule) {
    if (acceptance.colours.includes(colour)) return ["pass", "ok", `${colour} code: pass`];
    return ["stop", "colour_not_accepted", `${colour} code: only ${colourList(acceptance.colours)} pass here`];
  }
  if (rule.colours.includes(colour)) return ["pass", "ok", `${colour} code of ${issuer}: pass (${rule.rule})`];
  const only = rule.colours.length ? `only ${colourList(rule.colours)} pass here` : "not admitted here";
  return ["stop", "colour_not_accepted", `${colour} code of ${issuer}: ${only} (${rule.rule})`];
}

export const FEVER_THRESHOLD = 37.3;

// device.decide: a fever (37.3 °C or more) turns a pass into a stop
export function withTemperature(result, temperature) {
  if (temperature === null || temperature === undefined || Number.isNaN(temperature)) return result;
  if (temperature < FEVER_THRESHOLD || result.outcome !== "pass") return result;
  return { ...result, outcome: "stop", reason: "colour_not_accepted", message: `temperature ${temperature.toFixed(1)} °C: stop (fever)`, fever: true };
}

export { Tag };
