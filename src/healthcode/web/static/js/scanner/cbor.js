// CBOR (RFC 8949) as the scanner needs it, mirroring healthcode.credentials.deterministic:
// `decodeDeterministic` reads a value and refuses any encoding but its one deterministic form
// (definite lengths, shortest heads, map keys sorted length-first then bytewise, no key twice,
// nothing after the item), naming the first rule broken with the words the Python verifier
// uses; `encodeCanonical` writes arrays, integers, text, byte strings and null canonically
// (what a trust list's root and a scan batch's device sign).

const MAX_DEPTH = 16;
const SHORTEST = { 24: 24n, 25: 0x100n, 26: 0x10000n, 27: 0x100000000n };
const utf8 = new TextDecoder("utf-8", { fatal: true });
const utf8Encoder = new TextEncoder();

export class Tag {
  constructor(tag, value) {
    this.tag = tag;
    this.value = value;
  }
}

// a float (never an integer, as in Python: 2.0 is no time in seconds)
export class Float {
  constructor(value) {
    this.value = value;
  }

  toString() {
    return String(this.value);
  }
}

export class Simple {
  constructor(value) {
    this.value = value;
  }
}

class Fault extends Error {}
class Eof extends Error {}
class Malformed extends Error {}

// tags cbor2 turns into other values (dates, big numbers, decimals, sets…): their encoding
// does not come back from the value, so the deterministic check refuses them
const SEMANTIC_TAGS = new Set([0, 1, 2, 3, 4, 5, 25, 28, 29, 30, 35, 36, 37, 100, 256, 258, 260, 261, 1004, 55799]);

function argument(data, pos, info) {
  const size = 1 << (info - 24);
  if (pos + 1 + size > data.length) throw new Eof();
  let value = 0n;
  for (let i = 0; i < size; i++) value = (value << 8n) | BigInt(data[pos + 1 + i]);
  return [value, pos + 1 + size];
}

// a lenient reader (cbor2's): any well-formed item; the last of repeated map keys wins
function read(data, pos, depth) {
  if (pos >= data.length) throw new Eof();
  if (depth > 200) throw new Malformed();
  const initial = data[pos];
  const major = initial >> 5;
  const info = initial & 0x1f;
  let arg;
  let next;
  if (info < 24) {
    arg = BigInt(info);
    next = pos + 1;
  } else if (info <= 27) {
    [arg, next] = argument(data, pos, info);
  } else if (info === 31 && [2, 3, 4, 5].includes(major)) {
    return readIndefinite(data, pos + 1, major, depth);
  } else if (info === 31 && major === 7) {
    throw new Malformed(); // a lone "break"
  } else {
    throw new Malformed();
  }
  switch (major) {
    case 0:
      return [small(arg), next];
    case 1:
      return [small(-1n - arg), next];
    case 2:
    case 3: {
      const end = next + Number(arg);
      if (arg > BigInt(data.length) || end > data.length) throw new Eof();
      const bytes = data.slice(next, end);
      if (major === 2) return [bytes, end];
      try {
        return [utf8.decode(bytes), end];
      } catch {
        throw new Malformed();
      }
    }
    case 4: {
      const items = [];
      let at = next;
      for (let i = 0n; i < arg; i++) {
        const [item, after] = read(data, at, depth + 1);
        items.push(item);
        at = after;
      }
      return [items, at];
    }
    case 5: {
      const map = new Map();
      let at = next;
      for (let i = 0n; i < arg; i++) {
        const [key, afterKey] = read(data, at, depth + 1);
        const [value, after] = read(data, afterKey, depth + 1);
        map.set(mapKey(key), { key, value });
        at = after;
      }
      return [map, at];
    }
    case 6: {
      const [value, after] = read(data, next, depth + 1);
      return [new Tag(Number(arg), value), after];
    }
    default:
      return [readSimple(data, pos, info, arg), next];
  }
}

function readIndefinite(data, pos, major, depth) {
  const items = [];
  let at = pos;
  for (;;) {
    if (at >= data.length) throw new Eof();
    if (data[at] === 0xff) {
      at += 1;
      break;
    }
    const [item, after] = read(data, at, depth + 1);
    items.push(item);
    at = after;
  }
  if (major === 2 || major === 3) {
    if (!items.every((c) => (major === 2 ? c instanceof Uint8Array : typeof c === "string"))) throw new Malformed();
    if (major === 3) return [items.join(""), at];
    const out = new Uint8Array(items.reduce((n, c) => n + c.length, 0));
    let offset = 0;
    for (const chunk of items) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return [out, at];
  }
  if (major === 4) return [items, at];
  if (items.length % 2) throw new Malformed();
  const map = new Map();
  for (let i = 0; i < items.length; i += 2) map.set(mapKey(items[i]), { key: items[i], value: items[i + 1] });
  return [map, at];
}

function readSimple(data, pos, info, arg) {
  if (info === 20) return false;
  if (info === 21) return true;
  if (info === 22) return null;
  if (info === 23) return undefined;
  if (info < 24 || info === 24) return new Simple(Number(arg));
  const view = new DataView(data.buffer, data.byteOffset + pos + 1);
  if (info === 25) return new Float(half(view.getUint16(0)));
  if (info === 26) return new Float(view.getFloat32(0));
  return new Float(view.getFloat64(0));
}

function half(bits) {
  const exponent = (bits >> 10) & 0x1f;
  const mantissa = bits & 0x3ff;
  const sign = bits & 0x8000 ? -1 : 1;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 31) return mantissa ? NaN : sign * Infinity;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

function small(value) {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function mapKey(key) {
  if (typeof key === "number" || typeof key === "bigint") return `i${key}`;
  if (typeof key === "string") return `s${key}`;
  if (key instanceof Uint8Array) return `b${hex(key)}`;
  return `o${JSON.stringify(String(key))}`;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// ---- the deterministic-encoding walk (deterministic.encoding_fault) ----

function head(data, pos) {
  const initial = data[pos];
  if (initial === undefined) throw new Eof();
  const major = initial >> 5;
  const info = initial & 0x1f;
  if (info < 24) return [major, BigInt(info), pos + 1];
  if (info === 31) throw new Fault(`indefinite length at byte ${pos}`);
  if (info > 27) throw new Fault(`reserved additional information ${info} at byte ${pos}`);
  const [arg, next] = argument(data, pos, info);
  if (major !== 7 && arg < SHORTEST[info]) throw new Fault(`integer or length not in shortest form at byte ${pos}`);
  return [major, arg, next];
}

function item(data, pos, depth) {
  if (depth > MAX_DEPTH) throw new Fault(`nested deeper than ${MAX_DEPTH} levels`);
  const [major, arg, next] = head(data, pos);
  if (major === 2 || major === 3) {
    if (BigInt(next) + arg > BigInt(data.length)) throw new Eof();
    return next + Number(arg);
  }
  if (major === 4) {
    let at = next;
    for (let i = 0n; i < arg; i++) at = item(data, at, depth + 1);
    return at;
  }
  if (major === 5) {
    let at = next;
    let previous = null;
    for (let i = 0n; i < arg; i++) {
      const start = at;
      at = item(data, at, depth + 1);
      const key = data.slice(start, at);
      if (previous && compareKeys(key, previous) === 0) throw new Fault(`duplicate map key ${shown(key)} at byte ${start}`);
      if (previous && compareKeys(key, previous) < 0) throw new Fault(`map key ${shown(key)} out of order at byte ${start}`);
      previous = key;
      at = item(data, at, depth + 1);
    }
    return at;
  }
  if (major === 6) return item(data, next, depth + 1);
  return next;
}

function compareKeys(a, b) {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

// Python's repr of a decoded key, cut to 24 characters (deterministic._shown)
function shown(key) {
  let value;
  try {
    [value] = read(key, 0, 0);
  } catch {
    return hex(key).slice(0, 24);
  }
  return pyRepr(value).slice(0, 24);
}

export function pyRepr(value) {
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "string") return pyStr(value);
  if (value === null || value === undefined) return value === null ? "None" : "undefined";
  if (value === true) return "True";
  if (value === false) return "False";
  if (value instanceof Uint8Array) {
    return `b'${Array.from(value, (b) => (b >= 0x20 && b < 0x7f && b !== 0x27 && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, "0")}`)).join("")}'`;
  }
  return String(value);
}

export function pyStr(text) {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = "";
  for (const ch of text) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (!isPrintable(ch)) {
      const cp = ch.codePointAt(0);
      out += cp < 0x100 ? `\\x${cp.toString(16).padStart(2, "0")}` : cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, "0")}` : `\\U${cp.toString(16).padStart(8, "0")}`;
    } else out += ch;
  }
  return quote + out + quote;
}

const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

// Python's str.isprintable: no control, format, private, unassigned or separator character
// but the plain space
export function isPrintable(text) {
  for (const ch of text) if (ch !== " " && NOT_PRINTABLE.test(ch)) return false;
  return true;
}

export function encodingFault(data) {
  let end;
  try {
    end = item(data, 0, 0);
  } catch (error) {
    if (error instanceof Fault) return error.message;
    return "truncated";
  }
  if (end !== data.length) return `${data.length - end} trailing byte(s) after the item`;
  return "a value not in its one deterministic form (RFC 8949 §4.2)";
}

function noncanonicalValue(value) {
  if (value instanceof Tag) return SEMANTIC_TAGS.has(value.tag) || noncanonicalValue(value.value);
  if (Array.isArray(value)) return value.some(noncanonicalValue);
  if (value instanceof Map) return [...value.values()].some((e) => noncanonicalValue(e.key) || noncanonicalValue(e.value));
  return false;
}

function floatNotShortest(data) {
  // a float the walk passes: canonical only in the shortest width that keeps its value
  let pos = 0;
  const stack = [1];
  while (pos < data.length && stack.length) {
    const initial = data[pos];
    const major = initial >> 5;
    const info = initial & 0x1f;
    let arg = BigInt(info);
    let next = pos + 1;
    if (info >= 24 && info <= 27) [arg, next] = argument(data, pos, info);
    stack[stack.length - 1] -= 1;
    if (major === 7 && (info === 26 || info === 27)) {
      const view = new DataView(data.buffer, data.byteOffset + pos + 1);
      const value = info === 26 ? view.getFloat32(0) : view.getFloat64(0);
      if (Number.isNaN(value) || half(toHalf(value)) === value || (info === 27 && Math.fround(value) === value)) return true;
    }
    if (major === 2 || major === 3) next += Number(arg);
    if (major === 4) stack.push(Number(arg));
    if (major === 5) stack.push(2 * Number(arg));
    if (major === 6) stack.push(1);
    pos = next;
    while (stack.length && stack[stack.length - 1] === 0) stack.pop();
  }
  return false;
}

function toHalf(value) {
  // the half-precision bits nearest `value` (enough to test whether it round-trips)
  if (value === 0) return Object.is(value, -0) ? 0x8000 : 0;
  const sign = value < 0 ? 0x8000 : 0;
  const abs = Math.abs(value);
  if (!Number.isFinite(abs)) return sign | 0x7c00;
  const exponent = Math.floor(Math.log2(abs));
  if (exponent < -14) return sign | Math.round(abs / 2 ** -24);
  if (exponent > 15) return sign | 0x7c00;
  const mantissa = Math.round((abs / 2 ** exponent - 1) * 1024);
  return sign | ((exponent + 15) << 10) | mantissa;
}

// any well-formed item, as cbor2.loads reads it (what follows it is ignored)
export function decodeAny(data) {
  return read(data, 0, 0)[0];
}

export class NotDeterministic extends Error {}

// the value `data` encodes, or NotDeterministic with deterministic.decode_deterministic's words
export function decodeDeterministic(data) {
  let value;
  try {
    [value] = read(data, 0, 0);
  } catch (error) {
    if (error instanceof Eof) throw new NotDeterministic("not CBOR (CBORDecodeEOF)");
    if (error instanceof Malformed || error instanceof RangeError) throw new NotDeterministic("not CBOR (CBORDecodeError)");
    throw error;
  }
  const fault = encodingFault(data);
  const clean = fault === "a value not in its one deterministic form (RFC 8949 §4.2)";
  if (!clean || noncanonicalValue(value) || floatNotShortest(data)) {
    throw new NotDeterministic(`not in deterministic encoding: ${fault}`);
  }
  return value;
}

// ---- canonical encoding of arrays, integers, text, bytes and null ----

function encodeHead(major, value, out) {
  const n = BigInt(value);
  if (n < 24n) out.push((major << 5) | Number(n));
  else if (n < 0x100n) out.push((major << 5) | 24, Number(n));
  else if (n < 0x10000n) out.push((major << 5) | 25, Number(n >> 8n), Number(n & 0xffn));
  else if (n < 0x100000000n) {
    out.push((major << 5) | 26);
    for (let s = 24n; s >= 0n; s -= 8n) out.push(Number((n >> s) & 0xffn));
  } else {
    out.push((major << 5) | 27);
    for (let s = 56n; s >= 0n; s -= 8n) out.push(Number((n >> s) & 0xffn));
  }
}

function encodeInto(value, out) {
  if (value === null) out.push(0xf6);
  else if (typeof value === "number" || typeof value === "bigint") {
    if (typeof value === "number" && !Number.isInteger(value)) throw new TypeError("integers only");
    const n = BigInt(value);
    if (n >= 0n) encodeHead(0, n, out);
    else encodeHead(1, -1n - n, out);
  } else if (typeof value === "string") {
    const bytes = utf8Encoder.encode(value);
    encodeHead(3, bytes.length, out);
    for (const b of bytes) out.push(b);
  } else if (value instanceof Uint8Array) {
    encodeHead(2, value.length, out);
    for (const b of value) out.push(b);
  } else if (Array.isArray(value)) {
    encodeHead(4, value.length, out);
    for (const entry of value) encodeInto(entry, out);
  } else throw new TypeError("cannot encode this value");
}

export function encodeCanonical(value) {
  const out = [];
  encodeInto(value, out);
  return new Uint8Array(out);
}
