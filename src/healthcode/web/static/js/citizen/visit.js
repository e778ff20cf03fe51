// A visitor's check-in in the city visited: their home city's code page opens this page with
// the code it shows in the address's fragment (#code=HZ2:…), which never reaches a server; the
// page keeps it for this tab (so switching the language keeps it) and takes it out of the
// address. The place code is read by the camera (./place-reader.js) or typed, and sent with the
// home code and the phone's position to POST /api/v1/visitors/checkins (no account here);
// the answer names the venue, the issuing city and pass or stop. A refusal is shown in the
// API's words; one of the code (expired, unknown) says how to bring a fresh one.
import { callApi, showProblem } from "../api.js";
import { cityName, dateTime, el, lang, t } from "../page.js";
import { PlaceCamera, positionOrSay } from "./place-reader.js";

const $ = (id) => document.getElementById(id);
const HELD = "hc.visitCode";
const SYMBOLS = { pass: "✓", stop: "✕" };
const COLOURS = { pass: "colour-green", stop: "colour-red" };
let reader = null;
let sending = false;

function takeCodeFromAddress() {
  const found = new URLSearchParams(location.hash.slice(1)).get("code");
  if (found) {
    sessionStorage.setItem(HELD, found.trim());
    history.replaceState(null, "", location.pathname + location.search);
  }
  const held = sessionStorage.getItem(HELD);
  if (held) {
    $("home-code").value = held;
    $("code-came").hidden = !found;
  }
}

function showDone(answer) {
  $("done-verdict").className = `verdict ${COLOURS[answer.outcome] || "colour-none"}`;
  $("done-verdict").replaceChildren(
    el("span", { class: "symbol", "aria-hidden": "true" }, SYMBOLS[answer.outcome] || "!"),
    el("span", {}, answer.text));
  $("done-venue").textContent = lang === "zh" ? answer.venue_name_zh : answer.venue_name_en;
  $("done-issuer").textContent = cityName(answer.issuer);
  $("done-at").textContent = dateTime(new Date().toISOString());
  $("done-not-kept").hidden = answer.recorded;
  $("done").hidden = false;
  $("done").scrollIntoView({ block: "nearest" });
}

function refused(data) {
  $("done").hidden = true;
  showProblem($("problem"), data);
  const errors = (data && data.errors) || [];
  $("code-hint").hidden = !errors.some((e) => e.field === "code");
}

async function send() {
  const code = $("home-code").value.trim();
  const placeCode = $("place-code").value.trim();
  if (sending || !code || !placeCode) return;
  sending = true;
  $("problem").hidden = true;
  $("code-hint").hidden = true;
  try {
    const where = await positionOrSay();
    if (!where) return;
    const answer = await callApi("/api/v1/visitors/checkins", {
      method: "POST", body: { code, place_code: placeCode, ...where },
    });
    if (!answer.ok) {
      refused(answer.data);
      return;
    }
    sessionStorage.setItem(HELD, code);
    reader.stop();
    $("place-code").value = "";
    showDone(answer.data);
  } catch {
    showProblem($("problem"), { detail: t.error });
  } finally {
    sending = false;
  }
}

takeCodeFromAddress();
reader = new PlaceCamera((text) => {
  $("place-code").value = text.trim();
  send();
});
$("typed").addEventListener("submit", (event) => {
  event.preventDefault();
  send();
});
