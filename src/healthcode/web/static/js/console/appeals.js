// The appeals queue: soonest deadline first, an overdue one flagged with a word and a symbol;
// upheld with a reason (one official), or corrected by proposing an answer_appeal (a release,
// a green override for a record correction, or a wrong fact taken back), which a second
// official approves in the inbox.
import { dateTime, el, t } from "../page.js";
import { field, quiet, say, short } from "./cases-view.js";
import { api, requireSession, showProblem } from "./session.js";

const SYMBOLS = { green: "✓", yellow: "!", red: "✕" };
const $ = (id) => document.getElementById(id);
const DAY_MS = 24 * 3600 * 1000;

async function send(path, body, message) {
  quiet($("problem"), $("done"));
  const answer = await api(path, { method: "POST", body });
  if (!answer.ok) {
    showProblem($("problem"), answer.data);
    return null;
  }
  say($("done"), message(answer.data));
  if (answer.data && answer.data.action === "answer_appeal") {
    $("done").append(" ", el("a", { href: "/console/inbox" }, t.nav_inbox));
  }
  await refresh(true);
  return answer.data;
}

function upholdForm(a) {
  const id = `uphold-${a.id}`;
  const form = el("form", { class: "form uphold", method: "post", novalidate: true },
    el("label", { for: id }, t.uphold_reason),
    el("textarea", { id, name: "reason", rows: "2", maxlength: "1000", required: true }),
    el("button", { type: "submit" }, t.uphold_submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    send(`/api/v1/appeals/${encodeURIComponent(a.id)}/uphold`, { reason: form.reason.value }, () => t.upheld_done);
  });
  return form;
}

function correctionPayload(a, form) {
  const payload = { appeal: a.id, correction: form.correction.value };
  if (payload.correction === "release") payload.rules = [];
  if (payload.correction === "retract") payload.fact = form.fact.value.trim();
  if (payload.correction === "override") {
    payload.colour = "green";
    payload.reason_category = "record_correction";
    payload.expires_at = new Date(Date.now() + DAY_MS).toISOString();
  }
  return payload;
}

function correctForm(a) {
  const pick = `correction-${a.id}`;
  const fact = `fact-${a.id}`;
  const reason = `correct-reason-${a.id}`;
  const form = el("form", { class: "form correct", method: "post", novalidate: true },
    el("label", { for: pick }, t.correct_appeal),
    el("select", { id: pick, name: "correction" },
      el("option", { value: "release" }, t.correct_release),
      el("option", { value: "override" }, t.correct_override),
      el("option", { value: "retract" }, t.correct_retract)),
    el("label", { for: fact }, t.fact_id),
    el("input", { id: fact, name: "fact", autocomplete: "off" }),
    el("label", { for: reason }, t.correct_reason),
    el("input", { id: reason, name: "reason", maxlength: "500", autocomplete: "off", required: true }),
    el("button", { type: "submit", class: "secondary" }, t.correct_appeal_submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = { action: "answer_appeal", payload: correctionPayload(a, form), reason: form.reason.value };
    send("/api/v1/proposals", body, (p) => `${t.correction_proposed}${short(p.id)}.`);
  });
  return form;
}

function appealItem(a) {
  const flag = a.overdue ? `⚠ ${t.overdue}` : null;
  const state = `${t[`state_${a.state}`] || a.state}${flag ? ` · ${flag}` : ""}`;
  return el("li", { class: `record reason colour-${a.colour}${a.overdue ? " overdue" : ""}`, "data-appeal": a.id, "data-state": a.state },
    el("h3", {}, `${SYMBOLS[a.colour] || ""} ${t[`colour_${a.colour}`] || a.colour} · ${state}`),
    flag ? el("p", { class: "problem overdue-flag" }, flag.replace("⚠ ", "")) : null,
    el("dl", {},
      field(t.case_subject, short(a.subject)),
      field(t.filed_at, dateTime(a.filed_at)),
      field(t.due_at, dateTime(a.due_at)),
      field(t.appeal_reason, a.reason),
      field(t.appeal_evidence, a.evidence),
      field(t.decided_at, a.decided_at && dateTime(a.decided_at)),
      field(t.decision, a.decision)),
    a.state === "open" ? [upholdForm(a), correctForm(a)] : null);
}

async function refresh(force = false) {
  const all = $("include-decided").checked;
  const answer = await api(`/api/v1/appeals${all ? "?include_decided=true" : ""}`);
  $("appeals").setAttribute("aria-busy", "false");
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const key = answer.data.map((a) => `${a.id}:${a.state}:${a.overdue}`).join();
  if (!force && $("appeals").dataset.key === key) return null; // keep a form being typed into
  $("appeals").dataset.key = key;
  const items = answer.data.map(appealItem);
  $("appeals").replaceChildren(...(items.length ? items : [el("li", {}, t.queue_empty)]));
  return null;
}

$("include-decided").addEventListener("change", () => refresh(true));
$("reload").addEventListener("click", () => refresh(true));
if (requireSession()) refresh(true);
