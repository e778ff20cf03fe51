// What the casework pages share: times typed in the city's zone sent as instants, a record's
// fields, a short subject, a case's state as a word with a symbol, and the page's alerts.
import { el, t } from "../page.js";

const zone = JSON.parse(document.getElementById("page").textContent).zone;
const zoneParts = new Intl.DateTimeFormat("en-US", {
  timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
  hour: "2-digit", minute: "2-digit", second: "2-digit",
});

function zoneOffset(ms) {
  const p = Object.fromEntries(zoneParts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return Date.UTC(+p.year, +p.month - 1, +p.day, +p.hour, +p.minute, +p.second) - ms;
}

// "2026-03-01T12:00" (a datetime-local field, read in the city's zone) → an ISO instant; "" → null
export function zonedIso(local) {
  if (!local) return null;
  const [day, time] = local.split("T");
  const [y, m, d] = day.split("-").map(Number);
  const [h, mi] = time.split(":").map(Number);
  const guess = Date.UTC(y, m - 1, d, h, mi);
  let instant = guess - zoneOffset(guess);
  instant = guess - zoneOffset(instant); // across a change of offset
  return new Date(instant).toISOString();
}

export function field(label, value) {
  if (value === null || value === undefined || value === "") return [];
  return [el("dt", {}, label), el("dd", {}, value)];
}

export function facts(label, value) {
  if (value === null || value === undefined || value === "") return null;
  return el("div", {}, el("dt", {}, label), el("dd", {}, value));
}

export function short(id) {
  return id && id.length > 10 ? `${id.slice(0, 8)}…` : id;
}

const STATE = {
  reported: ["…", "yellow"],
  confirmed: ["✕", "red"],
  withdrawn: ["↺", "none"],
  rejected: ["–", "none"],
};

export function stateWord(state) {
  const [symbol] = STATE[state] || ["?"];
  return `${symbol} ${t[`case_state_${state}`] || state}`;
}

export function stateClass(state) {
  return `colour-${(STATE[state] || ["", "none"])[1]}`;
}

export function categoryWord(category) {
  return t[`category_${category}`] || category;
}

export function say(node, text) {
  node.textContent = text;
  node.hidden = false;
}

export function quiet(...nodes) {
  for (const node of nodes) node.hidden = true;
}
