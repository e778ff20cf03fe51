// Policies: the version in force and those activated before (GET /api/v1/policies); a new
// policy file, uploaded or pasted, is checked (POST /policies/check: every wrong field named),
// measured (POST /policies/impact: who would change colour now, by colour) and proposed for
// activation (POST /policies/activate: a different supervisor approves it). A checked text shows
// what the simulator measured of it (measured.js), or that it never was.
import { dateTime, el, lang, t } from "../page.js";
import { api, requireSession } from "./session.js";
import { $, COLOUR_SYMBOL, announce, fields, filled, proposed, refuse } from "./admin.js";
import { measuredSection } from "./measured.js";

function colour(name) {
  return `${COLOUR_SYMBOL[name] || ""} ${t[`colour_${name}`] || name}`;
}

async function loadInForce() {
  const answer = await api("/api/v1/policies");
  $("in-force").setAttribute("aria-busy", "false");
  if (!answer.ok) return refuse(answer.data);
  const p = answer.data;
  const activated = p.activated
    ? `${dateTime(p.activated.activated_at)} · ${p.activated.activated_by} / ${p.activated.approved_by || "—"}`
    : t.adm_policy_bundled;
  $("in-force").replaceChildren(...fields(
    [t.adm_policy_version, p.version],
    [t.adm_policy_name, p.name[lang] || p.name.en || ""],
    [t.adm_policy_rules, `${p.rules.length}: ${p.rules.join(", ")}`],
    [t.adm_policy_activated, activated],
  ).children);
  filled($("history"), p.history.slice().reverse().map((a) => el("li", { class: "record" },
    el("h3", {}, a.version),
    fields(
      [t.adm_policy_activated, dateTime(a.activated_at)],
      [t.adm_proposed_by, a.activated_by],
      [t.adm_policy_approved_by, a.approved_by],
    ))));
  return null;
}

function source() {
  return { source: $("source").value };
}

async function check() {
  $("impact-result").hidden = true;
  $("measured-result").replaceChildren();
  const answer = await api("/api/v1/policies/check", { method: "POST", body: source() });
  if (!answer.ok) return refuse(answer.data);
  const p = answer.data;
  $("measured-result").replaceChildren(await measuredSection(p.sha256, "h2"));
  return announce(`✓ ${t.adm_policy_ok}${p.jurisdiction} ${p.version} (${p.rules.length} ${t.adm_policy_rules})`);
}

async function impact() {
  $("impact-result").hidden = true;
  const answer = await api("/api/v1/policies/impact", { method: "POST", body: source() });
  if (!answer.ok) return refuse(answer.data);
  const i = answer.data;
  const to = Object.entries(i.changed_to).map(([name, n]) => `${t.adm_impact_to} ${colour(name)}: ${n}`);
  $("impact-facts").replaceChildren(...fields(
    [t.adm_policy_version, `${i.current_version} → ${i.proposed_version}`],
    [t.adm_impact_people, String(i.people)],
    [t.adm_impact_changed, `${i.changed}${to.length ? ` (${to.join("; ")})` : ""}`],
  ).children);
  const moved = i.moves.filter((m) => m.before !== m.after);
  $("moves").tBodies[0].replaceChildren(...(moved.length
    ? moved.map((m) => el("tr", { "data-to": m.after },
      el("td", {}, `${colour(m.before)} → ${colour(m.after)}`), el("td", {}, String(m.people))))
    : [el("tr", {}, el("td", { colspan: "2" }, t.adm_impact_none))]));
  $("impact-result").hidden = false;
  $("problem").hidden = true;
  $("done").hidden = true;
  return null;
}

async function activate() {
  const body = { ...source(), reason: $("reason").value };
  const answer = await api("/api/v1/policies/activate", { method: "POST", body });
  if (!answer.ok) return refuse(answer.data);
  return proposed(answer.data);
}

$("file").addEventListener("change", async () => {
  const file = $("file").files[0];
  if (file) $("source").value = await file.text();
});
$("check").addEventListener("click", () => check());
$("impact").addEventListener("click", () => impact());
$("activate").addEventListener("click", () => activate());
$("policy").addEventListener("submit", (event) => event.preventDefault());

if (requireSession()) loadInForce();
