// The peer cities (admins): each one's pinned root, its last good trust list (sequence,
// issued, expiry, age, STALE past the policy's limit), its last sync and last refusal with the
// reason, and its syncs counted by outcome (GET /api/v1/peers, the use case of `healthcode
// peer list`); the proposals to add or remove a city (GET /api/v1/peers/proposals), which a
// second admin approves or rejects here (POST /api/v1/proposals/{id}/approve|reject).
import { cityName, dateTime, duration, el, t } from "../page.js";
import { api, requireSession, session } from "./session.js";
import { $, announce, fields, filled, refuse } from "./admin.js";

function decide(p, verb, note) {
  return async () => {
    const answer = await api(`/api/v1/proposals/${encodeURIComponent(p.id)}/${verb}`, {
      method: "POST", body: { note: note.value },
    });
    if (!answer.ok) return refuse(answer.data);
    announce(verb === "approve" ? t.peers_approved : t.peers_rejected);
    return load();
  };
}

function proposalItem(p, me) {
  const payload = p.payload || {};
  const noteId = `note-${p.id}`;
  const note = el("input", { id: noteId, name: "note", maxlength: "500", autocomplete: "off" });
  const approve = el("button", { type: "button", class: "approve" }, `✓ ${t.adm_approve}`);
  const reject = el("button", { type: "button", class: "secondary reject" }, `✕ ${t.adm_reject}`);
  approve.addEventListener("click", decide(p, "approve", note));
  reject.addEventListener("click", decide(p, "reject", note));
  return el("li", { class: "record", "data-proposal": p.id, "data-action": p.action },
    el("h3", {}, `${t[`action_${p.action}`] || p.action}: ${cityName(payload.jurisdiction)} ${payload.jurisdiction}`),
    fields(
      [t.peers_url, payload.url],
      [t.peers_root_key, payload.root_key],
      [t.peers_root, payload.root_kid],
      [t.adm_reason, p.reason],
      [t.adm_proposed_by, p.proposed_by],
      [t.adm_at, dateTime(p.proposed_at)],
    ),
    p.proposed_by === me
      ? el("p", { class: "yours" }, `… ${t.peers_yours}`)
      : el("div", { class: "actions" }, el("label", { for: noteId }, t.peers_note), note, approve, reject));
}

function ageText(peer) {
  if (peer.list_age_seconds === null) return null;
  const limit = t.peers_limit.replace("{hours}", String(Math.round(peer.max_age_seconds / 3600)));
  return `${duration(peer.list_age_seconds * 1000)} (${limit})`;
}

// a sync's outcome in the page's language (its code when the page has no words for it)
function outcome(code) {
  return t[`peers_outcome_${code}`] || code;
}

function counts(syncs) {
  const entries = Object.entries(syncs);
  return entries.length ? entries.map(([code, n]) => `${outcome(code)} ${n}`).join(" · ") : "0";
}

// the last refusal: when, what it came to in the page's language, and the recorded detail,
// which is an operator's English (marked so, for a screen reader)
function refusalOf(peer) {
  if (!peer.last_error) return t.peers_no_refusal;
  const named = peer.last_refusal ? `${outcome(peer.last_refusal)} — ` : "";
  return el("span", { class: "refusal", "data-outcome": peer.last_refusal || "" },
    `${dateTime(peer.last_error_at)}: ${named}${t.peers_detail}`,
    el("code", { lang: "en" }, peer.last_error));
}

function peerItem(peer) {
  const name = (peer.name && peer.name[document.documentElement.lang]) || cityName(peer.jurisdiction);
  const refusal = refusalOf(peer);
  const marks = [peer.stale ? t.peers_stale : t.peers_fresh];
  if (peer.last_error) marks.push(t.peers_refused_mark);
  return el("li", {
    class: `record peer ${peer.stale ? "stale" : "current"}`,
    "data-peer": peer.jurisdiction,
    "data-stale": String(peer.stale),
  },
  el("h3", {}, `${name} ${peer.jurisdiction}`),
  el("p", { class: "badge" }, marks.join(" · ")),
  fields(
    [t.peers_url, peer.url],
    [t.peers_root, peer.root_kid],
    [t.peers_sequence, peer.list_sequence === null ? t.peers_no_list : `#${peer.list_sequence}`],
    [t.peers_issued, peer.list_issued_at && dateTime(peer.list_issued_at)],
    [t.peers_expires, peer.list_expires_at && dateTime(peer.list_expires_at)],
    [t.peers_age, ageText(peer)],
    [t.peers_last_sync, dateTime(peer.last_attempt_at)],
    [t.peers_last_success, dateTime(peer.last_success_at)],
    [t.peers_last_refusal, refusal],
    [t.peers_refusals, String(peer.refusals)],
    [t.peers_syncs, counts(peer.syncs)],
    [t.peers_added, `${dateTime(peer.added_at)} · ${peer.added_by}`],
  ));
}

async function load() {
  const [listed, waiting] = await Promise.all([
    api("/api/v1/peers"), api("/api/v1/peers/proposals?status=pending"),
  ]);
  if (!listed.ok || !waiting.ok) {
    filled($("peers"), []);
    filled($("proposals"), []);
    return refuse((listed.ok ? waiting : listed).data);
  }
  const me = (session() || {}).username;
  filled($("proposals"), waiting.data.map((p) => proposalItem(p, me)));
  $("peers").replaceChildren(...(listed.data.length
    ? listed.data.map(peerItem) : [el("li", {}, t.peers_none)]));
  $("peers").setAttribute("aria-busy", "false");
  return null;
}

$("refresh").addEventListener("click", () => load());
if (requireSession()) load();
