// The dashboard: what waits for an official, people by colour at the end of each day and cases
// per day (GET /api/v1/dashboard), drawn as SVG charts with a table saying the same; refreshed
// every minute while visible.
import { dateTime, el, lang, t } from "../page.js";
import { api, requireSession, showProblem } from "./session.js";
import { dayLabel, SERIES, svg, swatch } from "./svg.js";

const W = 320;
const H = 180;
const PAD = { left: 30, right: 44, top: 12, bottom: 24 };

function scale(max) {
  const top = Math.max(1, max);
  return (value) => PAD.top + (H - PAD.top - PAD.bottom) * (1 - value / top);
}

function axes(days, max) {
  const y = scale(max);
  const bottom = H - PAD.bottom;
  return [
    svg("line", { x1: PAD.left, y1: bottom, x2: W - PAD.right, y2: bottom, stroke: "#888" }),
    svg("line", { x1: PAD.left, y1: PAD.top, x2: PAD.left, y2: bottom, stroke: "#888" }),
    svg("text", { x: PAD.left - 4, y: y(max) + 4, "text-anchor": "end", "font-size": 10 }, String(max)),
    svg("text", { x: PAD.left - 4, y: bottom + 4, "text-anchor": "end", "font-size": 10 }, "0"),
    svg("text", { x: PAD.left, y: H - 6, "font-size": 10 }, dayLabel(days[0].day, lang)),
    svg("text", { x: W - PAD.right, y: H - 6, "text-anchor": "end", "font-size": 10 }, dayLabel(days[days.length - 1].day, lang)),
  ];
}

function colourChart(days) {
  const colours = Object.keys(SERIES);
  const max = Math.max(0, ...days.flatMap((d) => colours.map((c) => d.counts[c] || 0)));
  const y = scale(max);
  const step = (W - PAD.left - PAD.right) / Math.max(1, days.length - 1);
  const x = (i) => PAD.left + i * step;
  const today = days[days.length - 1].counts;
  const summary = colours.map((c) => `${SERIES[c].symbol} ${t[`word_${c}`]} ${today[c] || 0}`).join(", ");
  const lines = colours.map((c) => {
    const { stroke, dash, symbol } = SERIES[c];
    const points = days.map((d, i) => `${x(i).toFixed(1)},${y(d.counts[c] || 0).toFixed(1)}`).join(" ");
    const last = days.length - 1;
    return svg(
      "g",
      { "data-colour": c },
      svg("polyline", { points, fill: "none", stroke, "stroke-width": 2.5, "stroke-dasharray": dash }),
      svg("text", { x: x(last) + 4, y: y(today[c] || 0) + 4, "font-size": 11, fill: stroke, "font-weight": 700 }, `${symbol}${today[c] || 0}`),
    );
  });
  const label = `${t.dash_chart_colours}${summary}`;
  const picture = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label }, svg("title", {}, label), axes(days, max), lines);
  const legend = el(
    "figcaption",
    {},
    colours.map((c) => {
      const { stroke, dash, symbol } = SERIES[c];
      const mark = svg("line", { x1: 2, y1: 8, x2: 30, y2: 8, stroke, "stroke-width": 3, "stroke-dasharray": dash });
      return el("span", {}, el("span", { class: "swatch" }, swatch(mark)), `${symbol} ${t[`word_${c}`]}`);
    }),
  );
  return [picture, legend];
}

function casesChart(days) {
  const max = Math.max(0, ...days.flatMap((d) => [d.counts.reported, d.counts.confirmed]));
  const y = scale(max);
  const slot = (W - PAD.left - PAD.right) / days.length;
  const bar = Math.max(1, slot / 2 - 0.5);
  const bottom = H - PAD.bottom;
  const bars = days.flatMap((d, i) => {
    const left = PAD.left + i * slot;
    return [
      // reported: an outline; confirmed: filled (the shape tells them apart, not only the colour)
      d.counts.reported
        ? svg("rect", { x: left, y: y(d.counts.reported), width: bar, height: bottom - y(d.counts.reported), fill: "#fff", stroke: "#0b4fa8", "stroke-width": 1.2, "data-day": d.day, "data-kind": "reported" })
        : null,
      d.counts.confirmed
        ? svg("rect", { x: left + bar, y: y(d.counts.confirmed), width: bar, height: bottom - y(d.counts.confirmed), fill: "#c8102e", "data-day": d.day, "data-kind": "confirmed" })
        : null,
    ];
  });
  const total = (key) => days.reduce((sum, d) => sum + d.counts[key], 0);
  const label = `${t.dash_chart_cases}${t.dash_reported} ${total("reported")}, ${t.dash_confirmed} ${total("confirmed")}`;
  const picture = svg("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": label }, svg("title", {}, label), axes(days, max), bars);
  const legend = el(
    "figcaption",
    {},
    el("span", {}, el("span", { class: "swatch" }, swatch(svg("rect", { x: 8, y: 2, width: 16, height: 12, fill: "#fff", stroke: "#0b4fa8", "stroke-width": 1.5 }))), `□ ${t.dash_reported}`),
    el("span", {}, el("span", { class: "swatch" }, swatch(svg("rect", { x: 8, y: 2, width: 16, height: 12, fill: "#c8102e" }))), `■ ${t.dash_confirmed}`),
  );
  return [picture, legend];
}

function table(id, days, keys) {
  const body = document.querySelector(`#${id} tbody`);
  // newest first: today's figures are the ones read first
  body.replaceChildren(
    ...[...days].reverse().map((d) =>
      el("tr", { "data-day": d.day }, el("th", { scope: "row" }, dayLabel(d.day, lang)), keys.map((k) => el("td", {}, String(d.counts[k] || 0)))),
    ),
  );
}

function waiting(data) {
  document.getElementById("quarantines-today").textContent = data.quarantines_ending_today;
  document.getElementById("flagged").textContent = data.flagged_checkins;
  const kinds = Object.entries(data.proposals_waiting);
  document.getElementById("proposals").textContent = kinds.reduce((sum, [, n]) => sum + n, 0);
  document.getElementById("proposal-kinds").replaceChildren(...kinds.map(([kind, n]) => el("li", {}, `${kind}: ${n}`)));
}

async function show() {
  const answer = await api("/api/v1/dashboard");
  if (!answer.ok) return showProblem(document.getElementById("problem"), answer.data);
  const data = answer.data;
  document.getElementById("as-of").textContent = `${t.dash_as_of} ${dateTime(data.generated_at)}`;
  waiting(data);
  document.getElementById("colours-chart").replaceChildren(...colourChart(data.colours));
  document.getElementById("cases-chart").replaceChildren(...casesChart(data.cases));
  table("colours-table", data.colours, Object.keys(SERIES));
  table("cases-table", data.cases, ["reported", "confirmed"]);
  document.body.dataset.ready = "dashboard";
}

// refreshed every minute while the page is visible, and at once when it becomes visible again
const REFRESH_MS = 60_000;
function refresh() {
  if (document.visibilityState === "visible") show().catch(() => null); // offline: keep what is shown
}

if (requireSession()) {
  show();
  setInterval(refresh, REFRESH_MS);
  document.addEventListener("visibilitychange", refresh);
}
