// Flagged check-ins (GET /api/v1/checkins/flagged: every person shown is recorded in the
// access log) with why each was flagged; an official confirms one (it becomes a presence that
// tracing reads) or rejects it (POST /api/v1/checkins/{id}/confirm|reject).
import { dateTime, el, t } from "../page.js";
import { api, requireSession } from "./session.js";
import { $, announce, fields, filled, refuse } from "./admin.js";

function decide(checkin, verdict) {
  const button = el("button", { type: "button", [`data-${verdict}`]: checkin.id },
    verdict === "confirm" ? `✓ ${t.adm_confirm}` : `✕ ${t.adm_reject_checkin}`);
  button.addEventListener("click", async () => {
    const answer = await api(`/api/v1/checkins/${encodeURIComponent(checkin.id)}/${verdict}`, { method: "POST" });
    if (!answer.ok) return refuse(answer.data);
    announce(verdict === "confirm" ? t.adm_confirmed : t.adm_rejected);
    return load();
  });
  return button;
}

function checkinItem(c) {
  const why = t[`adm_flag_${c.flag}`] || c.flag;
  return el("li", { class: "record", "data-checkin": c.id },
    el("h3", {}, `⚠ ${why}`),
    fields(
      [t.adm_subject, c.subject],
      [t.adm_venue, c.venue],
      [t.adm_at, dateTime(c.at)],
      [t.adm_distance, `${(c.distance_m / 1000).toFixed(1)} ${t.adm_km}`],
      [t.adm_why_flagged, c.message],
    ),
    el("div", { class: "actions" }, decide(c, "confirm"), decide(c, "reject")));
}

async function load() {
  const answer = await api("/api/v1/checkins/flagged");
  if (!answer.ok) {
    filled($("checkins"), []);
    return refuse(answer.data);
  }
  filled($("checkins"), answer.data.map(checkinItem));
  return null;
}

$("refresh").addEventListener("click", () => load());
if (requireSession()) load();
