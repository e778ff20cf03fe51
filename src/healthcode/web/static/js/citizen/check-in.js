// Checking in at a venue: the place code read by the camera (./place-reader.js over the shared
// ../camera.js: BarcodeDetector, else the vendored jsQR) or typed, sent with the phone's position to
// POST /api/v1/me/checkins; the answer names the venue, the time recorded and pass or stop,
// a refusal is shown in the API's words. My check-ins are listed below (GET /api/v1/me/checkins).
import { dateTime, el, lang, t } from "../page.js";
import { PlaceCamera, positionOrSay } from "./place-reader.js";
import { CHANGED, api, requireSession, showProblem } from "./session.js";

const $ = (id) => document.getElementById(id);
const SYMBOLS = { pass: "✓", stop: "✕" };
const COLOURS = { pass: "colour-green", stop: "colour-red" };
const names = new Map(); // venue id -> its name in this language, from this page's answers
let reader = null;
let sending = false;

function showDone(answer) {
  const venue = lang === "zh" ? answer.venue_name_zh : answer.venue_name_en;
  names.set(answer.venue, venue);
  $("done-verdict").className = `verdict ${COLOURS[answer.outcome] || "colour-none"}`;
  $("done-verdict").replaceChildren(
    el("span", { class: "symbol", "aria-hidden": "true" }, SYMBOLS[answer.outcome] || "!"),
    el("span", {}, answer.text));
  $("done-venue").textContent = venue;
  $("done-at").textContent = dateTime(answer.at);
  $("done").hidden = false;
  $("done").scrollIntoView({ block: "nearest" });
}

async function send(placeCode) {
  if (sending) return;
  sending = true;
  $("problem").hidden = true;
  try {
    const where = await positionOrSay();
    if (!where) return;
    const answer = await api("/api/v1/me/checkins", { method: "POST", body: { place_code: placeCode, ...where } });
    if (!answer.ok) {
      $("done").hidden = true;
      showProblem($("problem"), answer.data);
      return;
    }
    reader.stop();
    $("typed").reset();
    localStorage.setItem(CHANGED, String(Date.now())); // the code page may have a new colour to show
    showDone(answer.data);
    await listMine();
  } catch {
    showProblem($("problem"), { detail: t.error });
  } finally {
    sending = false;
  }
}

async function listMine() {
  const mine = await api("/api/v1/me/checkins");
  if (!mine.ok) return showProblem($("problem"), mine.data);
  const items = mine.data.slice().reverse().map((c) =>
    el("li", { class: "record", "data-state": c.state },
      el("h3", {}, `${SYMBOLS[c.outcome] || ""} ${names.get(c.venue) || c.venue}`),
      el("p", {}, `${dateTime(c.at)} · ${t[`checkin_${c.state}`] || c.state}`)));
  $("mine").replaceChildren(...(items.length ? items : [el("li", {}, t.nothing)]));
  $("mine").setAttribute("aria-busy", "false");
  return null;
}

if (requireSession()) {
  reader = new PlaceCamera((text) => send(text.trim()));
  $("typed").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("place-code").value.trim();
    if (text) send(text);
  });
  listMine().catch(() => showProblem($("problem"), { detail: t.error }));
}
