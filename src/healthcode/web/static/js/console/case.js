// One case: its details and state, the tracing preview (people per rule), the four-eyes steps
// the official may take (confirm another's report or correction, propose a correction or a
// withdrawal, approve another's withdrawal), and the people tracing found, masked, with their
// evidence and a way to see a contact's number for a stated purpose (audited).
import { dateTime, el, evidencePlace, t, traceRuleWord } from "../page.js";
import { categoryWord, facts, field, quiet, say, short, stateClass, stateWord, zonedIso } from "./cases-view.js";
import { api, requireSession, session, showProblem } from "./session.js";

const POLL_MS = 5000;
const $ = (id) => document.getElementById(id);
const caseId = $("case-title").dataset.case;
const base = `/api/v1/cases/${encodeURIComponent(caseId)}`;
let current = null;
let contactsOf = null; // the tracing whose contacts are shown
let waiting = null;

function problem(data) {
  quiet($("done"));
  showProblem($("problem"), data);
}

function done(text) {
  quiet($("problem"));
  say($("done"), text);
}

function showCase(c) {
  current = c;
  $("case-state").className = `verdict ${stateClass(c.state)}`;
  $("case-state").textContent = stateWord(c.state);
  $("case-title").textContent = `${t.case_title} ${short(c.case_id)}`;
  $("details").replaceChildren(...[
    facts(t.case_subject, c.subject),
    facts(t.classification, t[`classification_${c.classification}`] || c.classification),
    facts(t.sampled_at, dateTime(c.sampled_at)),
    facts(t.onset_at, c.onset_at && dateTime(c.onset_at)),
    facts(t.case_isolated, c.isolated_at && dateTime(c.isolated_at)),
    facts(t.test_reference, c.test_reference),
    facts(t.version, String(c.version)),
    facts(t.reported_by, `${c.reported_by} · ${dateTime(c.reported_at)}`),
    facts(t.confirmed_by, c.confirmed_by && `${c.confirmed_by} · ${dateTime(c.confirmed_at)}`),
    facts(t.withdrawn_by, c.withdrawn_by && `${c.withdrawn_by} · ${dateTime(c.withdrawn_at)}`),
    facts(t.withdrawal_reason, c.withdrawal_reason),
    facts(t.traced_at, c.traced_at ? dateTime(c.traced_at) : c.state === "confirmed" ? t.not_traced : null),
  ].filter(Boolean));
  $("details").setAttribute("aria-busy", "false");
  const me = (session() || {}).username;
  const live = c.state === "reported" || c.state === "confirmed";
  $("confirm").hidden = !c.pending_proposal;
  $("approve-withdrawal").hidden = !c.pending_withdrawal;
  $("correct").hidden = c.state !== "confirmed" || Boolean(c.pending_proposal);
  $("withdraw").hidden = !live || Boolean(c.pending_withdrawal);
  proposer($("confirm-proposer"), c.pending_proposal, me);
  proposer($("withdrawal-proposer"), c.pending_withdrawal, me);
}

// Who proposed what waits (and why), read once per proposal: the reader's own is marked.
const proposals = new Map();
async function proposer(node, id, me) {
  if (!id) {
    node.textContent = "";
    return;
  }
  if (!proposals.has(id)) {
    const answer = await api(`/api/v1/proposals/${encodeURIComponent(id)}`);
    proposals.set(id, answer.ok ? answer.data : null);
  }
  const p = proposals.get(id);
  if (!p) return;
  const mine = p.proposed_by === me ? ` (${t.yours})` : "";
  node.textContent = `${t.proposed_by_label}: ${p.proposed_by}${mine} · ${t.proposal_reason}: ${p.reason}`;
}

// A rule in words, with the id the policy names it by (what an official edits in a policy)
function ruleText(rule) {
  const word = traceRuleWord(rule);
  return word === rule ? rule : `${word} (${rule})`;
}

function showPreview(p) {
  const rows = Object.entries(p.by_rule).map(([rule, people]) => el("tr", {}, el("th", { scope: "row" }, ruleText(rule)), el("td", {}, String(people))));
  $("preview").replaceChildren(
    el("table", { class: "figures" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t.preview_rule), el("th", { scope: "col" }, t.preview_people))),
      el("tbody", {}, rows.length ? rows : [el("tr", {}, el("td", { colspan: "2" }, t.nothing))])),
    el("dl", { class: "facts" },
      facts(t.preview_window, `${dateTime(p.window.start)} – ${dateTime(p.window.end)}`),
      ...Object.entries(p.by_category).map(([category, people]) => facts(categoryWord(category), String(people))),
      facts(t.preview_total, String(p.people)),
      facts(t.preview_exposures, String(p.exposures)),
      facts(t.preview_orders, String(p.quarantine_orders))));
  $("preview").setAttribute("aria-busy", "false");
}

function evidenceItem(c) {
  return el("li", {},
    `${evidencePlace(c)} · ${t.source_there} ${dateTime(c.source.start)}–${dateTime(c.source.end)} · `
      + `${t.contact_there} ${dateTime(c.contact.start)}–${dateTime(c.contact.end)} · ${t.overlap} ${Math.round(c.minutes)}`);
}

// A finding's evidence: a few meetings shown, more folded under their count (a secondary
// contact at a busy shop may have met a dozen close contacts there)
const EVIDENCE_SHOWN = 2;

function evidenceList(contacts) {
  const list = el("ul", { class: "evidence" }, contacts.map(evidenceItem));
  if (contacts.length <= EVIDENCE_SHOWN) return list;
  return el("details", { class: "evidence-more" }, el("summary", {}, `${t.evidence} (${contacts.length})`), list);
}

function findingItem(f) {
  const what = f.kind === "quarantine_order"
    ? `${t.kind_quarantine_order} · ${t[`setting_${f.setting}`] || f.setting || ""} · ${t.planned_end} ${dateTime(f.planned_end)}`
    : `${categoryWord(f.category)} · ${t.rule} ${ruleText(f.rule)}${f.overlap_minutes === null ? "" : ` · ${t.overlap} ${Math.round(f.overlap_minutes)}`}`;
  return el("li", { "data-rule": f.rule },
    f.retracted_at ? `${t.retracted}: ${what}` : what,
    f.contacts.length ? evidenceList(f.contacts) : null);
}

// Showing a contact's number is a stated-purpose read: folded until asked for, and a refusal
// told in the form, beside the contact it is about
function revealForm(contact) {
  const id = `purpose-${contact.subject}`;
  const refused = el("p", { class: "problem", role: "alert", hidden: true });
  const form = el("form", { class: "form reveal", method: "post", novalidate: true },
    el("label", { for: id }, t.reveal_purpose),
    el("input", { id, name: "purpose", maxlength: "80", autocomplete: "off", required: true }),
    el("button", { type: "submit", class: "secondary" }, t.reveal_submit),
    refused);
  const folded = el("details", { class: "reveal-more" }, el("summary", {}, t.reveal_submit), form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await api(`${base}/contacts/${encodeURIComponent(contact.subject)}/phone`, {
      method: "POST", body: { purpose: form.purpose.value },
    });
    if (!answer.ok) return showProblem(refused, answer.data);
    folded.replaceWith(el("p", { class: "revealed", role: "status" }, `${t.revealed}: ${answer.data.phone}`));
    return null;
  });
  return folded;
}

function contactItem(contact) {
  return el("li", { class: "record", "data-subject": contact.subject },
    el("h3", {}, `${contact.name || short(contact.subject)} · ${contact.phone}`),
    el("dl", {}, field(t.case_subject, short(contact.subject))), // the name and phone, masked, head the card
    el("ul", { class: "findings" }, contact.findings.map(findingItem)),
    revealForm(contact));
}

// a hundred contacts at a time (each one shown is read into the access log); "Show more"
// asks for the next hundred
const CONTACTS_PAGE = 100;
let contactsShown = 0;

async function loadContacts({ more = false } = {}) {
  const offset = more ? contactsShown : 0;
  const answer = await api(`${base}/contacts?limit=${CONTACTS_PAGE}&offset=${offset}`);
  if (!answer.ok) return problem(answer.data);
  const { contacts, total } = answer.data;
  if (more) {
    $("contacts").append(...contacts.map(contactItem));
  } else {
    // keep a form being typed into (and the pages shown after the first): only redraw when who
    // is listed first changed
    const listed = [...$("contacts").children].slice(0, contacts.length).map((li) => li.dataset.subject).join();
    if (listed !== contacts.map((c) => c.subject).join() || !contacts.length) {
      $("contacts").replaceChildren(...(contacts.length ? contacts.map(contactItem) : [el("li", {}, t.nothing)]));
    }
  }
  contactsShown = $("contacts").querySelectorAll(":scope > li[data-subject]").length;
  $("contacts-count").textContent = t.contacts_shown.replace("{shown}", contactsShown).replace("{total}", total);
  $("more-contacts").hidden = contactsShown >= total;
  return null;
}

async function refresh({ preview = false } = {}) {
  const answer = await api(base);
  if (!answer.ok) return problem(answer.data);
  const before = current;
  showCase(answer.data);
  const changed = !before || before.version !== answer.data.version || before.state !== answer.data.state
    || before.pending_proposal !== answer.data.pending_proposal;
  const live = answer.data.state === "reported" || answer.data.state === "confirmed";
  if (!live) {
    $("preview").replaceChildren(el("p", {}, t.nothing));
    $("preview").setAttribute("aria-busy", "false");
  } else if (preview || changed) {
    const shown = await api(`${base}/preview`);
    if (shown.ok) showPreview(shown.data);
    else {
      $("preview").setAttribute("aria-busy", "false");
      problem(shown.data);
    }
  }
  // contacts are read (and each one audited) once per tracing, not at every look at the case
  const traced = answer.data.traced_at || "";
  if (traced && (contactsOf !== traced || preview)) {
    contactsOf = traced;
    await loadContacts();
  }
  waitForTracing(answer.data);
  return null;
}

// Every read of a case is in its person's access log: the page looks again only while a
// confirmed case waits for the worker to trace it, then stops.
function waitForTracing(c) {
  clearTimeout(waiting);
  if (c.state === "confirmed" && !c.traced_at) {
    waiting = setTimeout(() => refresh(), POLL_MS);
  }
}

function on(id, handler) {
  const form = $(id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    quiet($("problem"), $("done"));
    const message = await handler(form);
    if (message) {
      done(message);
      await refresh({ preview: true });
    }
  });
}

async function send(path, body) {
  const answer = await api(path, { method: "POST", body });
  if (!answer.ok) {
    problem(answer.data);
    return null;
  }
  return answer.data;
}

on("confirm", async (form) => (await send(`${base}/confirm`, { note: form.note.value })) && t.confirmed_done);
on("approve-withdrawal", async (form) => (await send(`${base}/withdrawal/approve`, { note: form.note.value })) && t.withdrawn_done);
on("withdraw", async (form) => (await send(`${base}/withdraw`, { reason: form.reason.value })) && t.withdrawn_done);
on("correct", async (form) => {
  const body = { reason: form.reason.value };
  for (const name of ["sampled_at", "onset_at", "isolated_at"]) {
    const value = zonedIso(form[name].value);
    if (value) body[name] = value;
  }
  if (form.test_reference.value.trim()) body.test_reference = form.test_reference.value.trim();
  const made = await send(`${base}/corrections`, body);
  if (made) form.reset();
  return made && t.corrected_done;
});

$("more-contacts").addEventListener("click", () => loadContacts({ more: true }));

if (requireSession()) refresh({ preview: true });
