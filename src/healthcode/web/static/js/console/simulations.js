// The simulator's reports (GET /api/v1/simulations: synthetic figures, no one's data), newest
// first, each a link to ?report=NAME; that report's table (a column a policy, its words in the
// page's language) and its plots (the PNGs the command drew, as data: images with their titles).
import { dateTime, el, t } from "../page.js";
import { params } from "./measured.js";
import { api, requireSession, showProblem } from "./session.js";

const $ = (id) => document.getElementById(id);
const chosen = new URLSearchParams(location.search).get("report");

function reportItem(report) {
  const link = el("a", { href: `?report=${encodeURIComponent(report.name)}`, "data-report": report.name }, report.name);
  if (report.name === chosen) link.setAttribute("aria-current", "page");
  return el("li", {}, link, ` — ${report.policies.join(", ")}; ${params(report)}; ${t.sim_written} ${dateTime(report.written_at)}`);
}

function table(report) {
  const head = $("report-table").querySelector("thead tr");
  head.replaceChildren(el("th", { scope: "col" }, t.sim_measure),
    ...report.policies.map((p) => el("th", { scope: "col" }, p)));
  $("report-table").querySelector("tbody").replaceChildren(...report.rows.map((row) =>
    el("tr", { "data-key": row.key },
      el("th", { scope: "row" }, t[`sim_row_${row.key}`] || row.label),
      ...row.shown.map((value) => el("td", {}, value)))));
}

function plots(report) {
  $("report-plots").replaceChildren(...report.plots.map((plot) => {
    const title = t[`sim_plot_${plot.name}`] || plot.title;
    const figure = plot.png_base64
      ? el("img", { src: `data:image/png;base64,${plot.png_base64}`, alt: title, width: "800", height: "400" })
      : el("p", {}, t.sim_plot_missing);
    return el("figure", { class: "chart", "data-plot": plot.name }, figure, el("figcaption", {}, title));
  }));
}

async function showReport() {
  const answer = await api(`/api/v1/simulations/${encodeURIComponent(chosen)}`);
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const report = answer.data;
  $("report-title").textContent = report.name;
  $("report-params").textContent = `${t.sim_policies}: ${report.policies.join(", ")}. ${params(report)}.`;
  $("report-written").textContent = `${t.sim_written} ${dateTime(report.written_at)}`;
  table(report);
  plots(report);
  $("report").hidden = false;
  return null;
}

async function load() {
  const answer = await api("/api/v1/simulations");
  $("reports").setAttribute("aria-busy", "false");
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const { configured, reports } = answer.data;
  $("reports").replaceChildren(...reports.map(reportItem));
  if (!reports.length) {
    $("reports-note").textContent = configured ? t.sim_none : t.sim_not_configured;
    $("reports-note").hidden = false;
  }
  if (chosen) await showReport();
  document.body.dataset.ready = "simulations";
  return null;
}

if (requireSession()) load();
