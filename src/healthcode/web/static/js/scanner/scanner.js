// The scanner page: enrolment, then camera and manual checks, each answered full screen
// (colour with a word and a symbol, the masked name, the issuing city and the reason, and a
// sound), the scan queued on the device and uploaded when the network is there.

import { cityName, clockTime, lang, t } from "../page.js";
import { Camera } from "../camera.js";
import * as device from "./device.js";
import { acceptanceFor, maxListAge, verifyCode, withTemperature } from "./verify.js";

const $ = (id) => document.getElementById(id);
const SYMBOLS = { pass: "✓", stop: "✕", invalid: "!", expired: "⌛" };
const REFRESH_MS = 5 * 60 * 1000;
const UPLOAD_MS = 30 * 1000;

let key = null;
let enrolled = null;
let held = null; // {store, kept, problem}
let audio = null;
let camera = null;

const nowSeconds = () => Date.now() / 1000;

function online() {
  return navigator.onLine !== false;
}

async function start() {
  key = await device.deviceKey();
  enrolled = await device.enrolment();
  if (!enrolled) {
    showEnrolment();
  } else {
    await showScanner();
  }
  navigator.serviceWorker?.register("/checkpoint/sw.js", { scope: "/checkpoint" }).catch(() => null);
}

function showEnrolment() {
  $("enrol").hidden = false;
  $("scanner").hidden = true;
  $("enrol-device").textContent = key.id;
  $("enrol-key").textContent = key.publicKeyText;
  $("enrol-command").value = [
    `healthcode device add --venue VENUE --public-key ${key.publicKeyText}`,
    `healthcode demo guard --public-key ${key.publicKeyText}`,
  ].join("\n");
  $("enrol-check").addEventListener("click", checkEnrolment);
}

async function checkEnrolment() {
  const note = $("enrol-note");
  if (!online()) {
    note.textContent = t.enrol_offline;
    return;
  }
  const answer = await device.enrol(key.id).catch(() => null);
  if (!answer) {
    note.textContent = t.enrol_offline;
  } else if (!answer.registered) {
    note.textContent = t.enrol_waiting;
  } else if (!answer.active) {
    note.textContent = t.enrol_revoked;
  } else {
    enrolled = await device.enrolment();
    $("enrol").hidden = true;
    await showScanner();
  }
}

async function showScanner() {
  $("scanner").hidden = false;
  $("venue").textContent = enrolled.venue_name[lang] || enrolled.venue;
  $("colours").textContent = enrolled.colours.map((c) => t[`colour_${c}`]).join(" · ");
  $("device-id").textContent = enrolled.device;
  $("root-kid").textContent = enrolled.root_public_key;
  held = await device.heldStore(enrolled, nowSeconds());
  showListProblem(held.problem);
  $("manual").addEventListener("submit", onManual);
  $("camera").addEventListener("click", toggleCamera);
  $("answer-next").addEventListener("click", closeAnswer);
  window.addEventListener("online", whenOnline);
  window.addEventListener("offline", showNetwork);
  showNetwork();
  await showQueue();
  showListAge();
  setInterval(showListAge, 15 * 1000);
  setInterval(() => online() && refresh(), REFRESH_MS);
  setInterval(() => online() && sendQueue(), UPLOAD_MS);
  if (online()) await whenOnline();
  document.body.dataset.ready = "true";
}

function showNetwork() {
  $("net").hidden = online();
}

async function whenOnline() {
  showNetwork();
  await refresh();
  await sendQueue();
}

async function refresh() {
  if (!online()) return;
  // the enrolment again: the acceptance rules follow the policy in force (the root stays pinned)
  const answer = await device.enrol(key.id).catch(() => null);
  if (answer?.registered) enrolled = (await device.enrolment()) || enrolled;
  const problem = await device.refreshTrustBundle(held.store, enrolled, nowSeconds()).catch((e) => String(e.message || e));
  held.kept = (await device.get("trust-bundle")) || (await device.get("trust-list"));
  showListProblem(problem ? `${t.trust_list_refused}: ${problem}` : null);
  showListAge();
}

function showListProblem(problem) {
  $("list-problem").hidden = !problem;
  $("list-problem").textContent = problem || "";
}

// each held city's list: its sequence, how long ago it was issued, STALE past the policy's
// limit or expired; then when the lists were last refreshed
function showListAge() {
  const box = $("list-age");
  const own = enrolled.jurisdiction;
  const cities = [...held.store.lists.keys()].sort((a, b) => (a === own ? -1 : b === own ? 1 : a.localeCompare(b)));
  if (!cities.length) {
    box.textContent = t.trust_list_missing;
    return;
  }
  const now = Date.now();
  const limit = maxListAge(enrolled.acceptance);
  box.replaceChildren(
    ...cities.map((city) => {
      const list = held.store.lists.get(city);
      const stale = now / 1000 - list.issuedAt > limit || (list.expiresAt !== null && now / 1000 >= list.expiresAt);
      const line = document.createElement("span");
      line.className = stale ? "list-age list-stale" : "list-age";
      line.dataset.jurisdiction = city;
      line.dataset.stale = String(stale);
      line.textContent = `${cityName(city)} #${list.sequence}, ${t.trust_list_issued} ${ago(now - list.issuedAt * 1000)}${stale ? ` ⚠ ${t.trust_list_stale}` : ""}`;
      return line;
    }),
  );
  if (held.kept?.fetchedAt) {
    const checked = document.createElement("span");
    checked.className = "list-age";
    checked.textContent = `${t.trust_list_checked} ${ago(now - held.kept.fetchedAt)}`;
    box.append(checked);
  }
}

// how long ago, in words: just now, N minutes, N hours, N days
function ago(ms) {
  const minutes = Math.floor(Math.max(0, ms) / 60000);
  if (minutes < 1) return t.just_now;
  if (minutes < 60) return t.minutes_ago.replace("{n}", minutes);
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return t.hours_ago.replace("{n}", hours);
  return t.days_ago.replace("{n}", Math.floor(hours / 24));
}

async function showQueue(extra = "") {
  const count = (await device.queued()).length;
  $("queue").textContent = `${count} ${t.scans_unit}${extra}`;
}

let sending = false;

async function sendQueue() {
  if (sending || !online() || !(await device.queued()).length) return;
  sending = true;
  const result = await device.upload(key).catch((e) => ({ sent: 0, problem: String(e.message || e) }));
  sending = false;
  const note = result.problem ? ` · ${t.upload_refused}: ${result.problem}` : result.sent ? ` · ${t.uploaded} ${result.sent}` : "";
  await showQueue(note);
}

function temperature() {
  const field = $("temperature");
  if (field.value.trim() === "") return { value: null };
  const value = Number(field.value);
  if (!Number.isFinite(value) || value < 34 || value > 43) return { problem: t.temperature_rule };
  return { value };
}

async function onManual(event) {
  event.preventDefault();
  await check($("code").value.trim());
}

async function check(text) {
  const temp = temperature();
  if (temp.problem) {
    $("temperature").setAttribute("aria-invalid", "true");
    $("temperature").focus();
    return;
  }
  $("temperature").removeAttribute("aria-invalid");
  const atMs = Date.now();
  const acceptance = acceptanceFor(enrolled.acceptance, { jurisdiction: enrolled.jurisdiction, colours: enrolled.colours, trusted: held.store.jurisdictions });
  const maxAge = maxListAge(enrolled.acceptance);
  let decision = await verifyCode(text, { store: held.store, at: atMs / 1000, acceptance, maxAge });
  decision = withTemperature(decision, temp.value);
  showAnswer(decision);
  beep(decision.outcome);
  const queuedScan = await device.record(decision, { atMs, temperature: temp.value });
  if (queuedScan?.earlier) {
    $("answer-repeat").textContent = t.repeat_scan.replace("{time}", clockTime(queuedScan.earlier.atMs));
    $("answer-repeat").hidden = false;
  }
  await showQueue();
  sendQueue();
}

function answerKind(decision) {
  if (decision.outcome === "invalid" && decision.reason === "expired") return "expired";
  return decision.outcome;
}

function showAnswer(decision) {
  const kind = answerKind(decision);
  const box = $("answer");
  box.className = `answer answer-${kind}`;
  box.dataset.outcome = kind;
  box.dataset.reason = decision.fever ? "fever" : decision.reason;
  box.querySelector(".answer-symbol").textContent = SYMBOLS[kind];
  $("answer-word").textContent = t[`answer_${kind}`];
  const holder = decision.masked_name ? [decision.masked_name, decision.colour && t[`colour_${decision.colour}`], decision.issuer && `${t.issuer} ${cityName(decision.issuer)}`] : [];
  $("answer-holder").textContent = holder.filter(Boolean).join(" · ");
  const reason = decision.fever ? t.scan_fever : t[`reason_${decision.reason}`] || decision.reason;
  $("answer-reason").textContent = decision.degraded ? `${reason} (${t.degraded})` : reason;
  $("answer-detail").textContent = decision.message;
  $("answer-repeat").hidden = true;
  box.hidden = false;
  $("answer-next").focus();
}

function closeAnswer() {
  $("answer").hidden = true;
  $("code").value = "";
}

function beep(outcome) {
  try {
    audio ??= new AudioContext();
    const notes = outcome === "pass" ? [880] : [330, 220];
    notes.forEach((frequency, i) => {
      const tone = audio.createOscillator();
      const gain = audio.createGain();
      tone.frequency.value = frequency;
      gain.gain.value = 0.2;
      tone.connect(gain).connect(audio.destination);
      const begin = audio.currentTime + i * 0.2;
      tone.start(begin);
      tone.stop(begin + 0.15);
    });
  } catch {
    // no sound on this device: the answer is on the screen
  }
}

async function toggleCamera() {
  const button = $("camera");
  camera ??= new Camera($("video"), $("frame"), (text) => {
    if ($("answer").hidden) check(text);
  });
  if (camera.running) {
    camera.stop();
    button.textContent = t.camera_start;
    button.setAttribute("aria-pressed", "false");
    return;
  }
  try {
    await camera.start();
    $("camera-note").hidden = true;
    button.textContent = t.camera_stop;
    button.setAttribute("aria-pressed", "true");
  } catch {
    camera.stop();
    $("camera-note").hidden = false;
  }
}

start();
