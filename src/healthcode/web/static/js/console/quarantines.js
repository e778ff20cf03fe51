// Quarantine orders in force or planned (GET /api/v1/quarantines, a page at a time: every person
// shown is recorded in the access log), ending soonest first, those ending today (the city's day,
// by the server's clock) marked; a release is proposed with a reason
// (POST /api/v1/quarantines/release) and approved by a second official in the four-eyes inbox.
import { dateTime, el, t } from "../page.js";
import { short } from "./cases-view.js";
import { api, requireSession } from "./session.js";
import { $, cityDay, fields, filled, proposed, refuse, today } from "./admin.js";

function releaseForm(subject) {
  const id = `why-${subject}`;
  const form = el("form", { class: "form", method: "post", novalidate: true },
    el("label", { for: id }, t.adm_release_reason),
    el("textarea", { id, name: "reason", rows: "2", maxlength: "2000", required: true }),
    el("button", { type: "submit" }, t.adm_release_submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { subject, reason: form.reason.value };
    const answer = await api("/api/v1/quarantines/release", { method: "POST", body });
    if (!answer.ok) return refuse(answer.data);
    form.reason.value = "";
    form.closest("details").open = false;
    return proposed(answer.data);
  });
  return el("details", {}, el("summary", {}, t.adm_release), form);
}

// An order's reason, as tracing writes it: "case 9f2… (close_contact)" (the person's category
// last; "(case)" for the case's own order), "risk area Name (risk_area_high)". Said in the
// page's words, a case by the link to its page; any other reason as it is.
function why(reason) {
  const found = /^(?:case ([0-9a-f]+)|risk area (.+)) \((\w+)\)$/.exec(reason);
  if (!found) return reason;
  const [, caseId, area, key] = found;
  const word = key === "case" ? t.adm_order_own_case : t[`category_${key}`] || key;
  if (area) return `${word} · ${t.adm_order_area} ${area}`;
  const link = el("a", { href: `/console/cases/${encodeURIComponent(caseId)}` }, `${t.adm_order_case} ${short(caseId)}`);
  return [`${word} · `, link];
}

function orderItem(q, endsToday) {
  const state = q.state === "planned" ? t.adm_planned : t.adm_in_force;
  const badge = endsToday ? `⏰ ${t.adm_ending_today} · ` : "";
  return el("li", { class: `record${endsToday ? " today" : ""}`, "data-order": q.order_id, "data-subject": q.subject },
    el("h3", {}, `${badge}${state} · ${q.subject}`),
    fields(
      [t.adm_planned_end, dateTime(q.planned_end)],
      [t.adm_starts_at, dateTime(q.starts_at)],
      [t.setting, t[`setting_${q.setting}`] || q.setting],
      [t.adm_order_reason, why(q.reason)],
    ),
    releaseForm(q.subject));
}

// A page of orders at a time (the API's limit; each person shown is read into the access log),
// ending soonest first, as the API answers them; "Show more" asks for the next page
const PAGE = 50;
let shown = 0;

async function load({ more = false } = {}) {
  const offset = more ? shown : 0;
  const answer = await api(`/api/v1/quarantines?limit=${PAGE}&offset=${offset}`);
  if (!answer.ok) {
    if (!more) filled($("quarantines"), []);
    return refuse(answer.data);
  }
  const day = today();
  const items = answer.data.map((q) => orderItem(q, cityDay(Date.parse(q.planned_end)) === day));
  if (more) $("quarantines").append(...items);
  else filled($("quarantines"), items);
  shown = offset + answer.data.length;
  const total = Number(answer.headers.get("X-Total-Count") || shown);
  $("count").textContent = t.adm_orders_shown.replace("{shown}", shown).replace("{total}", total);
  $("more").hidden = shown >= total;
  return null;
}

$("refresh").addEventListener("click", () => load());
$("more").addEventListener("click", () => load({ more: true }));
if (requireSession()) load();
