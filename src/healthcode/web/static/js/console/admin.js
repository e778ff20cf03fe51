// What the console's administrative pages share: the server's time of the page, times in the
// city's zone for forms (datetime-local and date inputs carry no zone), a definition list
// builder, announcements and refusals.
import { el, serverNow, syncClock, t } from "../page.js";
import { problemText } from "./session.js";

const zone = JSON.parse(document.getElementById("page").textContent).zone;
const admin = document.getElementById("admin");
if (admin && admin.dataset.now) syncClock(admin.dataset.now);

export const $ = (id) => document.getElementById(id);
export const LEVEL_SYMBOL = { high: "▲", medium: "◆", low: "●" };
export const COLOUR_SYMBOL = { green: "✓", yellow: "!", red: "✕" };

export function fields(...pairs) {
  return el("dl", {}, pairs.filter(([, v]) => v !== null && v !== undefined && v !== "")
    .flatMap(([label, value]) => [el("dt", {}, label), el("dd", {}, value)]));
}

// the wall-clock parts of an instant in the city's zone
function parts(ms) {
  const format = new Intl.DateTimeFormat("en-CA", {
    timeZone: zone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
  return Object.fromEntries(format.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
}

// the city's day (YYYY-MM-DD) of an instant
export function cityDay(ms) {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}`;
}

// a datetime-local value (YYYY-MM-DDTHH:MM) of an instant, in the city's zone
export function localInput(ms) {
  const p = parts(ms);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

// an ISO time with the city's offset from a datetime-local or date value read in the city
export function cityIso(value) {
  const wall = value.length === 10 ? `${value}T00:00` : value;
  const guess = Date.parse(`${wall}:00Z`);
  if (Number.isNaN(guess)) return value;
  const p = parts(guess); // the city's wall clock at `guess`, read as if UTC
  const offset = Date.parse(`${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}:${p.second}Z`) - guess;
  return new Date(guess - offset).toISOString();
}

export function today() {
  return cityDay(serverNow());
}

export function announce(text) {
  $("problem").hidden = true;
  $("done").textContent = text;
  $("done").hidden = false;
}

export function refuse(data) {
  const done = $("done");
  if (done) done.hidden = true;
  $("problem").textContent = problemText(data);
  $("problem").hidden = false;
}

export function filled(list, items) {
  list.replaceChildren(...(items.length ? items : [el("li", {}, t.nothing)]));
  list.setAttribute("aria-busy", "false");
}

export function proposed(proposal) {
  announce(t.adm_proposed.replace("{id}", proposal.id));
}
