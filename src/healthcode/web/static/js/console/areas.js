// Risk areas: the published ones (GET /api/v1/risk-areas), those proposed and waiting for a
// second official (GET /api/v1/proposals, approved at /proposals/{id}/approve: never by their
// proposer, the API says so), a new one proposed by H3 cells or venues (POST /risk-areas), and
// the end of one proposed now (POST /risk-areas/{id}/end, four eyes too).
import { dateTime, el, serverNow, t } from "../page.js";
import { api, requireSession } from "./session.js";
import { $, LEVEL_SYMBOL, announce, cityIso, fields, filled, localInput, proposed, refuse } from "./admin.js";

const DAY = 86400000;
const AREA_KINDS = ["declare_risk_area", "end_risk_area"];

function lines(text) {
  return text.split(/[\s,]+/).map((s) => s.trim()).filter(Boolean);
}

function level(name) {
  return `${LEVEL_SYMBOL[name] || ""} ${t[`adm_level_${name}`] || name}`;
}

function places(area) {
  const parts = [];
  if (area.cells.length) parts.push(`${area.cells.length} ${t.adm_area_cells_n}`);
  if (area.venues.length) parts.push(`${area.venues.length} ${t.adm_area_venues_n}`);
  return `${parts.join(" · ")}: ${[...area.cells, ...area.venues].slice(0, 6).join(", ")}${
    area.cells.length + area.venues.length > 6 ? " …" : ""}`;
}

function stateOf(area) {
  const now = serverNow();
  if (Date.parse(area.ends_at) <= now) return t.adm_area_over;
  return Date.parse(area.starts_at) > now ? t.adm_area_planned : t.adm_area_active;
}

function endForm(area) {
  const id = `end-${area.id}`;
  const form = el("form", { class: "form", method: "post", novalidate: true },
    el("label", { for: id }, t.adm_area_end_reason),
    el("textarea", { id, name: "reason", rows: "2", maxlength: "2000", required: true }),
    el("button", { type: "submit" }, t.adm_area_submit));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const path = `/api/v1/risk-areas/${encodeURIComponent(area.id)}/end`;
    const answer = await api(path, { method: "POST", body: { reason: form.reason.value } });
    if (!answer.ok) return refuse(answer.data);
    proposed(answer.data);
    return load();
  });
  return el("details", {}, el("summary", {}, t.adm_area_end), form);
}

function areaItem(area) {
  const open = Date.parse(area.ends_at) > serverNow();
  return el("li", { class: `record level-${area.level}`, "data-area": area.id },
    el("h3", {}, `${level(area.level)} · ${area.name}`),
    fields(
      [t.adm_area_places, places(area)],
      [t.adm_window, `${dateTime(area.starts_at)} – ${dateTime(area.ends_at)} (${stateOf(area)})`],
      [t.adm_declared, dateTime(area.declared_at)],
    ),
    open ? endForm(area) : null);
}

function pendingItem(p) {
  const ending = p.action === "end_risk_area";
  const area = { cells: [], venues: [], ...p.payload };
  const approve = el("button", { type: "button", "data-approve": p.id }, t.adm_approve);
  approve.addEventListener("click", async () => {
    const answer = await api(`/api/v1/proposals/${encodeURIComponent(p.id)}/approve`, { method: "POST", body: { note: "" } });
    if (!answer.ok) return refuse(answer.data);
    announce(t.adm_done);
    return load();
  });
  return el("li", { class: `record level-${area.level}`, "data-proposal": p.id },
    el("h3", {}, `${t.adm_waiting}: ${ending ? `${t.adm_area_ending} · ` : ""}${level(area.level)} · ${area.name}`),
    fields(
      [t.adm_area_places, ending ? null : places(area)],
      [t.adm_window, ending ? `${t.adm_ends}: ${dateTime(area.planned_end)}` : `${dateTime(area.starts_at)} – ${dateTime(area.ends_at)}`],
      [t.adm_proposed_by, `${p.proposed_by} · ${dateTime(p.proposed_at)}`],
      [t.adm_reason, p.reason],
    ),
    el("div", { class: "actions" }, approve));
}

async function load() {
  const past = $("include-past").checked ? "?include_past=true" : "";
  const [areas, waiting] = await Promise.all([
    api(`/api/v1/risk-areas${past}`),
    api("/api/v1/proposals?status=pending"),
  ]);
  if (!areas.ok) return refuse(areas.data);
  filled($("areas"), areas.data.map(areaItem));
  if (!waiting.ok) {
    filled($("pending"), []);
    return refuse(waiting.data);
  }
  filled($("pending"), waiting.data.filter((p) => AREA_KINDS.includes(p.action)).map(pendingItem));
  return null;
}

const form = $("declare");
form.starts.value = localInput(serverNow());
form.ends.value = localInput(serverNow() + 14 * DAY);
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = {
    name: form.name.value.trim(),
    level: form.level.value,
    cells: lines(form.cells.value),
    venues: lines(form.venues.value),
    starts_at: cityIso(form.starts.value),
    ends_at: cityIso(form.ends.value),
    reason: form.reason.value,
  };
  const answer = await api("/api/v1/risk-areas", { method: "POST", body });
  if (!answer.ok) return refuse(answer.data);
  proposed(answer.data);
  form.name.value = "";
  form.cells.value = "";
  form.venues.value = "";
  form.reason.value = "";
  await load();
  $("pending").scrollIntoView({ block: "nearest" });
  return null;
});
$("include-past").addEventListener("change", () => load());

if (requireSession()) load();
