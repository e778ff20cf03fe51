// What a policy text caught and cost in the simulated city (GET
// /api/v1/simulations/measured/{sha256}: the simulator's runs of exactly that text), shown beside
// its check and its activation proposal, so the officials see it before switching the text on;
// or, plainly, that it was never measured.
import { el, t } from "../page.js";
import { api } from "./session.js";

// A run's city in the page's words: residents, days, seed
export function params(report) {
  return t.sim_params.replace("{population}", report.population.toLocaleString())
    .replace("{days}", report.days).replace("{seed}", report.seed);
}

function runHead(run) {
  const href = `/console/simulations?report=${encodeURIComponent(run.report.name)}`;
  return el("th", { scope: "col" }, el("a", { href }, run.report.name), el("br"),
    `${run.policy}; ${params(run.report)}`);
}

function table(runs) {
  const rows = runs[0].rows.map((row, n) => el("tr", { "data-key": row.key },
    el("th", { scope: "row" }, t[`sim_row_${row.key}`] || row.label),
    ...runs.map((run) => el("td", {}, run.rows[n].shown[0]))));
  return el("div", { class: "scroll" }, el("table", { class: "figures" },
    el("caption", { class: "visually-hidden" }, t.sim_measured_title),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t.sim_measure), ...runs.map(runHead))),
    el("tbody", {}, ...rows)));
}

// A section on the runs of the text whose SHA-256 is ``sha256`` (data-runs: how many), headed at
// ``level`` in the page's outline
export async function measuredSection(sha256, level = "h4") {
  const section = el("section", { class: "measured", "data-sha256": sha256 },
    el(level, {}, t.sim_measured_title));
  const answer = await api(`/api/v1/simulations/measured/${encodeURIComponent(sha256)}`);
  if (!answer.ok) {
    section.append(el("p", {}, t.sim_measured_unread));
    return section;
  }
  const { configured, runs } = answer.data;
  section.dataset.runs = String(runs.length);
  if (runs.length) {
    section.append(el("p", {}, t.sim_measured_about), table(runs));
  } else {
    section.append(el("p", { class: "unmeasured" },
      `⚠ ${t.sim_measured_none}${configured ? "" : ` ${t.sim_not_configured}`}`));
  }
  return section;
}
