// The four-eyes inbox: proposals waiting for a second official, with what each would do; the
// official approves or rejects those others made (their own wait for someone else).
import { dateTime, el, lang, t } from "../page.js";
import { field, quiet, say, short } from "./cases-view.js";
import { measuredSection } from "./measured.js";
import { api, requireSession, session, showProblem } from "./session.js";

const $ = (id) => document.getElementById(id);

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d/;

// A value by its field's meaning: a colour, a risk level, a role or a test's kind and result
const WORDED = { colour: "colour", level: "level", role: "role", kind: "test_kind", result: "result" };

// The policy's rules by id, in the page's language, else Chinese, the policy's language of record
// (GET /api/v1/policies/rules, public); a release names the rules it clears by id
let ruleWords = null;

async function loadRuleWords() {
  if (ruleWords) return;
  const answer = await api("/api/v1/policies/rules");
  if (!answer.ok) return; // the ids alone, as the policy names them
  ruleWords = Object.fromEntries(answer.data.rules.map((r) => [r.id, r.text[lang] || r.text.zh || r.id]));
}

// What a proposal would do, its fields named in the page's words (an id where it has none)
function detail(value, key) {
  if (value === null || value === undefined) return "";
  if (Array.isArray(value)) return value.map((v) => detail(v, key)).join(", ");
  if (typeof value === "object") {
    return Object.entries(value)
      .filter(([, v]) => v !== null && v !== undefined && v !== "" && !(Array.isArray(v) && !v.length))
      .map(([k, v]) => `${t[`payload_${k}`] || k}: ${detail(v, k)}`)
      .join("; ");
  }
  const text = String(value);
  if (WORDED[key]) return t[`${WORDED[key]}_${text}`] || text;
  if (key === "rules" && ruleWords && ruleWords[text]) return `${ruleWords[text]} (${text})`;
  if (/^[0-9a-f]{32}([0-9a-f]{32})?$/.test(text)) return short(text);
  return INSTANT.test(text) ? dateTime(text) : text;
}

// A policy's text is folded away under its own heading, not run into the details' line
function shownPayload(payload) {
  if (!payload || typeof payload.source !== "string") return payload;
  const rest = { ...payload };
  delete rest.source;
  return rest;
}

function policyText(payload) {
  if (!payload || typeof payload.source !== "string") return null;
  return el("details", { class: "policy-text" }, el("summary", {}, t.payload_source),
    el("pre", {}, payload.source));
}

function decide(p, verb, note) {
  return async () => {
    quiet($("problem"), $("done"));
    const answer = await api(`/api/v1/proposals/${encodeURIComponent(p.id)}/${verb}`, {
      method: "POST", body: { note: note.value },
    });
    if (!answer.ok) return showProblem($("problem"), answer.data);
    say($("done"), verb === "approve" ? t.approved_done : t.rejected_done);
    await refresh(true);
    return null;
  };
}

function proposalItem(p, me) {
  const mine = p.proposed_by === me;
  const caseId = p.payload && p.payload.case_id;
  const noteId = `note-${p.id}`;
  const note = el("input", { id: noteId, name: "note", maxlength: "500", autocomplete: "off" });
  const approve = el("button", { type: "button", class: "approve" }, t.approve);
  const reject = el("button", { type: "button", class: "secondary reject" }, t.reject);
  approve.addEventListener("click", decide(p, "approve", note));
  reject.addEventListener("click", decide(p, "reject", note));
  return el("li", { class: "record", "data-proposal": p.id, "data-action": p.action },
    el("h3", {}, `${t[`action_${p.action}`] || p.action}${p.bulk ? " · ⚠" : ""}`),
    el("dl", {},
      field(t.proposed_by_label, `${p.proposed_by} (${t[`role_${p.proposed_by_role}`] || p.proposed_by_role})`),
      field(t.proposed_at, dateTime(p.proposed_at)),
      field(t.proposal_subject, p.subject && short(p.subject)),
      field(t.proposal_reason, p.reason),
      field(t.proposal_details, detail(shownPayload(p.payload))),
      field(t.proposal_people, p.people === null ? null : String(p.people)),
      field(t.proposal_bulk, p.bulk ? "⚠" : null),
      field(t.first_approved_by, p.first_approved_by)),
    caseId ? el("p", {}, el("a", { href: `/console/cases/${encodeURIComponent(caseId)}` }, t.open_case)) : null,
    policyText(p.payload),
    mine
      ? el("p", { class: "yours" }, `… ${t.yours}`)
      : el("div", { class: "form" }, el("label", { for: noteId }, t.decision_note), note, approve, reject));
}

async function refresh(force = false) {
  const answer = await api("/api/v1/proposals?status=pending");
  $("proposals").setAttribute("aria-busy", "false");
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const ids = answer.data.map((p) => p.id).join();
  if (!force && $("proposals").dataset.ids === ids) return null; // keep a note being typed
  $("proposals").dataset.ids = ids;
  const me = (session() || {}).username;
  await loadRuleWords();
  const items = await Promise.all(answer.data.map(async (p) => {
    const item = proposalItem(p, me);
    // a policy text: what it caught and cost in the simulated city, or that it was never measured
    const sha256 = p.action === "activate_policy" && p.payload && p.payload.sha256;
    if (sha256) item.querySelector("dl").after(await measuredSection(sha256));
    return item;
  }));
  $("proposals").replaceChildren(...(items.length ? items : [el("li", {}, t.inbox_empty)]));
  return null;
}

$("reload").addEventListener("click", () => refresh(true));
if (requireSession()) refresh(true);
