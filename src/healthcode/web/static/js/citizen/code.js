// The code page: the QR drawn here from the signed token, in its colour's frame, with the
// masked name, the issuer, a live clock and a moving bar (a screenshot is visibly stale); a new
// code before this one expires; the status polled (and refetched when another page of this
// site records a declaration) so a change shows without reloading; the last code kept on this
// device and shown with its expiry when the network is gone.
import qrcode from "/static/vendor/qrcode-generator/qrcode.mjs";
import { cityName, clockTime, duration, lang, serverNow, setOffset, syncClock, t } from "../page.js";
import { CHANGED, api, clearSession, requireSession, showProblem } from "./session.js";
import { colourClass, showVerdict, showWhy, tickCountdowns } from "./status-view.js";

const LAST = "hc.lastCode";
const POLL_MS = 15000;
const RENEW_BEFORE_MS = 30000;
const $ = (id) => document.getElementById(id);

let code = null;
let colour = null;
let busy = false;

function draw(current) {
  const qr = qrcode(current.qr_version, "M");
  qr.addData(current.token, "Alphanumeric");
  qr.make();
  $("qr").innerHTML = qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true }); // SVG made by the library from an alphanumeric token
  $("qr").setAttribute("aria-label", `${t.qr_label}: ${t[`colour_${current.colour}`]}`);
  $("card").className = `card ${colourClass(current.colour)}`;
  showVerdict($("verdict"), current.colour);
  $("action").textContent = t[`action_${current.colour}`];
  $("dispute").hidden = current.colour === "green"; // yellow or red: the way to appeal it
  $("holder").textContent = `${current.masked_name} · ${t.issuer}: ${cityName(current.issuer)}`;
  $("expires").textContent = clockTime(Date.parse(current.expires_at));
  $("expires").setAttribute("datetime", current.expires_at);
  $("card").setAttribute("aria-busy", "false");
  linkVisits(current.token);
  performance.mark("code-drawn"); // the first one: when the page showed a code (bench/web_paint.py)
}

// Each peer city's visitor check-in, opened with the code shown now in the address's fragment
// (a fragment never reaches a server: the visited city's page reads it and sends it itself)
function linkVisits(token) {
  for (const link of document.querySelectorAll("a.visit-link")) {
    link.href = `${link.dataset.base}/visit?lang=${lang}#code=${encodeURIComponent(token)}`;
  }
}

function remember(current) {
  // with the server's clock as this device saw it, for when it opens offline
  localStorage.setItem(LAST, JSON.stringify({ ...current, offset: serverNow() - Date.now() }));
}

function lastKept() {
  try {
    return JSON.parse(localStorage.getItem(LAST));
  } catch {
    return null;
  }
}

function withhold(identity, notices) {
  code = null;
  localStorage.removeItem(LAST); // a withheld code is not shown offline either
  $("qr").replaceChildren();
  $("expires").textContent = "";
  $("left").textContent = "";
  $("card").className = "card colour-none";
  $("card").setAttribute("aria-busy", "false");
  $("verdict").replaceChildren(t.withheld);
  $("action").textContent = "";
  $("dispute").hidden = true;
  $("holder").textContent = "";
  const texts = notices.filter((n) => n.blocks_code).map((n) => n.text);
  if (identity !== "verified") texts.unshift(identity === "taken_back" ? t.taken_back : t.unverified);
  $("withheld").textContent = texts.join(" ");
  $("withheld").hidden = false;
}

async function issue() {
  const answer = await api("/api/v1/me/code");
  if (!answer.ok) return showProblem($("withheld"), answer.data);
  code = answer.data;
  syncClock(code.issued_at);
  remember(code);
  $("withheld").hidden = true;
  draw(code);
}

async function refresh() {
  if (busy) return;
  busy = true;
  try {
    const [me, status] = await Promise.all([api("/api/v1/me"), api("/api/v1/me/status")]);
    $("offline").hidden = true;
    if (!me.ok || !status.ok) return showProblem($("withheld"), (me.ok ? status : me).data);
    syncClock(status.data.assessed_at);
    showWhy($("why"), status.data);
    if (me.data.identity !== "verified" || status.data.notices.some((n) => n.blocks_code)) {
      return withhold(me.data.identity, status.data.notices);
    }
    const renew = !code || status.data.colour !== colour || Date.parse(code.expires_at) - serverNow() < RENEW_BEFORE_MS;
    colour = status.data.colour;
    if (renew) await issue();
  } catch {
    $("offline").hidden = false; // no network: the last code stays, with its expiry
  } finally {
    busy = false;
    paint();
  }
}

// the clock, the expiry and the countdowns as of now (every second, and after each change)
function paint() {
  const now = serverNow();
  $("clock").textContent = clockTime(now);
  tickCountdowns($("why"), now);
  const shown = code || lastKept();
  if (!shown) return null;
  const left = Date.parse(shown.expires_at) - now;
  $("left").textContent = left > 0 ? `(${t.left} ${duration(left)})` : `(${t.expired})`;
  $("card").classList.toggle("stale", left <= 0);
  return left;
}

function tick() {
  const left = paint();
  if (code && left < RENEW_BEFORE_MS && !busy && navigator.onLine) refresh();
}

function start() {
  if (!requireSession()) return;
  const kept = lastKept();
  if (kept) {
    setOffset(kept.offset); // the server's clock as last seen, until it answers again
    draw(kept); // at once, and all there is while the network is gone
  }
  $("log-out").addEventListener("click", async () => {
    await api("/api/v1/sessions/logout", { method: "POST" }).catch(() => null);
    clearSession();
    localStorage.removeItem(LAST);
    location.assign("/citizen/login");
  });
  window.addEventListener("storage", (event) => event.key === CHANGED && refresh());
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && refresh());
  window.addEventListener("online", refresh);
  window.addEventListener("offline", () => ($("offline").hidden = false));
  setInterval(() => document.visibilityState === "visible" && refresh(), POLL_MS);
  setInterval(tick, 1000);
  tick();
  refresh();
  // kept pages and scripts let this page open with no network (sw.js); a browser without
  // service workers (or one that blocks them) still shows the code while it stays open
  navigator.serviceWorker?.register("/citizen/sw.js", { scope: "/citizen" }).catch(() => null);
}

start();
