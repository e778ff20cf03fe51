// Disputing my colour: the form (shown while the code is yellow or red) files an appeal; my
// appeals are listed with their state, deadline, answer and turnaround. The status and the
// appeals are polled, so an answer (and the colour it brings) shows without reloading.
import { dateTime, duration, el, syncClock, t } from "../page.js";
import { CHANGED, api, requireSession, showProblem } from "./session.js";
import { colourClass, showVerdict } from "./status-view.js";

const POLL_MS = 15000;
const SYMBOLS = { green: "✓", yellow: "!", red: "✕" };
const $ = (id) => document.getElementById(id);

function field(label, value) {
  return value === null || value === undefined || value === "" ? [] : [el("dt", {}, label), el("dd", {}, value)];
}

function appealItem(a) {
  const state = `${t[`state_${a.state}`] || a.state}${a.overdue ? ` · ⚠ ${t.overdue}` : ""}`;
  return el("li", { class: `record reason ${colourClass(a.colour)}`, "data-state": a.state },
    el("h3", {}, `${SYMBOLS[a.colour]} ${t[`colour_${a.colour}`]} · ${state}`),
    el("dl", {},
      field(t.appeal_state, state),
      field(t.filed_at, dateTime(a.filed_at)),
      field(t.due_at, dateTime(a.due_at)),
      field(t.appeal_reason, a.reason),
      field(t.appeal_evidence, a.evidence),
      field(t.decided_at, a.decided_at && dateTime(a.decided_at)),
      field(t.decision, a.decision),
      field(t.correction, a.correction && (t[`correction_${a.correction}`] || a.correction)),
      field(t.turnaround, a.turnaround_seconds === null ? null : duration(a.turnaround_seconds * 1000))));
}

async function refresh() {
  const [status, appeals] = await Promise.all([api("/api/v1/me/status"), api("/api/v1/me/appeals")]);
  if (!status.ok) return showProblem($("problem"), status.data);
  if (!appeals.ok) return showProblem($("problem"), appeals.data);
  syncClock(status.data.assessed_at);
  const colour = status.data.colour;
  $("verdict").className = `verdict ${colourClass(colour)}`;
  showVerdict($("verdict"), colour);
  const open = appeals.data.some((a) => a.state === "open");
  $("appeal").hidden = colour === "green" || open; // one open at a time; green has nothing to dispute
  const items = appeals.data.slice().reverse().map(appealItem);
  $("appeals").replaceChildren(...(items.length ? items : [el("li", {}, t.nothing)]));
  $("appeals").setAttribute("aria-busy", "false");
  return null;
}

const form = $("appeal");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  $("problem").hidden = true;
  const evidence = form.evidence.value.trim();
  const body = { reason: form.reason.value, ...(evidence ? { evidence } : {}) };
  const answer = await api("/api/v1/me/appeals", { method: "POST", body });
  if (!answer.ok) return showProblem($("problem"), answer.data);
  form.reset();
  $("filed").hidden = false;
  await refresh();
  $("appeals").scrollIntoView({ block: "nearest" });
  return null;
});

if (requireSession()) {
  refresh();
  const poll = () => document.visibilityState === "visible" && refresh().catch(() => null);
  setInterval(poll, POLL_MS);
  document.addEventListener("visibilitychange", poll);
  window.addEventListener("storage", (event) => event.key === CHANGED && poll());
}
