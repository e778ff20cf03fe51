// For auditors: the access log's chain verified (GET /api/v1/audit/verify) when the page opens
// and on demand, a person's access log (GET /api/v1/audit/access-log/{subject}) and the
// break-glass reads of a period (GET /api/v1/audit/break-glass). Each read here is itself
// recorded by the API; a role that may not read these sees the API's refusal.
import { dateTime, el, t } from "../page.js";
import { api, requireSession } from "./session.js";
import { $, cityIso, fields, filled, refuse, today } from "./admin.js";

async function verify() {
  $("chain").textContent = t.loading;
  const answer = await api("/api/v1/audit/verify");
  if (!answer.ok) {
    $("chain").textContent = "";
    return refuse(answer.data);
  }
  const v = answer.data;
  $("chain").className = v.intact ? "ok" : "problem";
  $("chain").textContent = v.intact
    ? t.adm_chain_intact.replace("{n}", v.records)
    : `${t.adm_chain_broken}${v.problem} (#${v.first_bad_record})`;
  return null;
}

function recordItem(r) {
  return el("li", { class: "record", "data-seq": r.seq },
    el("h3", {}, `#${r.seq} · ${dateTime(r.at)}`),
    fields(
      [t.adm_actor, r.actor],
      [t.adm_role, t[`role_${r.role}`] || r.role],
      [t.adm_purpose, t[`purpose_${r.purpose}`] || r.purpose],
      [t.adm_what, r.what],
    ));
}

$("by-subject").addEventListener("submit", async (event) => {
  event.preventDefault();
  const subject = $("subject").value.trim();
  const answer = await api(`/api/v1/audit/access-log/${encodeURIComponent(subject)}`);
  if (!answer.ok) return refuse(answer.data);
  $("problem").hidden = true;
  filled($("records"), answer.data.slice().reverse().map(recordItem));
  return null;
});

$("break-glass").addEventListener("submit", async (event) => {
  event.preventDefault();
  const from = encodeURIComponent(cityIso($("from").value));
  // the "to" day is included: the API's period ends before its given time
  const to = encodeURIComponent(new Date(Date.parse(cityIso($("to").value)) + 86400000).toISOString());
  const answer = await api(`/api/v1/audit/break-glass?from=${from}&to=${to}`);
  if (!answer.ok) return refuse(answer.data);
  $("problem").hidden = true;
  filled($("glass"), answer.data.map((u) => el("li", { class: "record" },
    el("h3", {}, `${dateTime(u.at)} · ${u.operator}`),
    fields([t.adm_what, u.what], [t.adm_people, String(u.people)], [t.adm_reason, u.reason]))));
  return null;
});

$("verify").addEventListener("click", () => verify());
const day = today();
$("to").value = day;
$("from").value = `${day.slice(0, 8)}01`;
if (requireSession()) verify();
