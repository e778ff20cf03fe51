// The page's texts and settings (rendered by the server into #page), the server's clock, how
// times are shown (in the city's time zone), and a small DOM builder that never parses HTML.
const page = JSON.parse(document.getElementById("page").textContent);
export const t = page.texts;
export const lang = page.lang;
const locale = lang === "zh" ? "zh-CN" : "en-GB";
const parts = { timeZone: page.zone, hour12: false, hour: "2-digit", minute: "2-digit", second: "2-digit" };
const stampFormat = new Intl.DateTimeFormat(locale, { ...parts, year: "numeric", month: "2-digit", day: "2-digit" });
const clockFormat = new Intl.DateTimeFormat(locale, parts);

let offset = 0; // server time minus this device's time, from the last answer that said it

export function syncClock(serverIso) {
  const server = Date.parse(serverIso);
  if (!Number.isNaN(server)) offset = server - Date.now();
}

export function setOffset(ms) {
  if (Number.isFinite(ms)) offset = ms;
}

export function serverNow() {
  return Date.now() + offset;
}

export function dateTime(iso) {
  return iso ? stampFormat.format(new Date(iso)) : "—";
}

export function clockTime(ms) {
  return clockFormat.format(new Date(ms));
}

export function duration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const days = Math.floor(total / 86400);
  const pad = (n) => String(n).padStart(2, "0");
  const hms = `${pad(Math.floor((total % 86400) / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return days ? `${days}${t.days} ${hms}` : hms;
}

// Where a contact behind an exposure was: at home, a venue or bus line by its name (and the
// vehicle), else the place's id and kind
export function evidencePlace(c) {
  if (c.place_id === null) return t.where_home;
  const name = lang === "zh" ? c.place_name_zh : c.place_name_en;
  if (!name) return `${c.place_id} (${c.place_kind})`;
  return c.vehicle ? `${name} · ${t.vehicle} ${c.vehicle}` : name;
}

// What tracing found someone by, in words ("at the same venue"); a rule the page has no words
// for keeps its id
export function traceRuleWord(rule) {
  return t[`trace_rule_${rule}`] || rule;
}

export function cityName(code) {
  return page.cities[code] || code;
}

export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}
