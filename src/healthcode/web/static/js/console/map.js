// The map: risk areas, and cases and exposures per H3 cell (GET /api/v1/dashboard/map), drawn
// as SVG from each cell's own boundary, projected equirectangularly around the city's centre;
// no tiles, nothing fetched from elsewhere. A legend and a table say the same in words.
import { dateTime, el, t } from "../page.js";
import { api, requireSession, showProblem } from "./session.js";
import { svg, swatch } from "./svg.js";

const SCALE = 100000; // degrees to drawing units
const MIN_SPAN = 0.02 * SCALE; // at least about 2 km across, so one cell is not the whole map
// density: lightest to darkest, each with the range it stands for (the number is also written)
const SHADES = [
  { from: 3, fill: "#dbe9f6" }, // counts below 3 never come: the API leaves them out
  { from: 5, fill: "#9ecae1" },
  { from: 10, fill: "#4292c6" },
  { from: 20, fill: "#08519c" },
];
const LEVELS = {
  low: { stroke: "#b38f00", width: 3 },
  medium: { stroke: "#d95f02", width: 4 },
  high: { stroke: "#c8102e", width: 5 },
};

function shade(value) {
  if (value === null || value === undefined) return null;
  return [...SHADES].reverse().find((s) => value >= s.from) || SHADES[0];
}

function projector(centre) {
  const [lat0, lon0] = centre;
  const k = Math.cos((lat0 * Math.PI) / 180);
  return ([lat, lon]) => [(lon - lon0) * k * SCALE, -(lat - lat0) * SCALE];
}

function viewBox(points) {
  const xs = points.map((p) => p[0]);
  const ys = points.map((p) => p[1]);
  let [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const grow = (a, b) => {
    const missing = Math.max(0, MIN_SPAN - (b - a)) / 2;
    return [a - missing, b + missing];
  };
  [x0, x1] = grow(x0, x1);
  [y0, y1] = grow(y0, y1);
  const pad = 0.05 * Math.max(x1 - x0, y1 - y0);
  return [x0 - pad, y0 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad];
}

function hidden(value, smallest) {
  return value === null || value === undefined ? t.map_hidden.replace("{n}", smallest) : String(value);
}

function level(name) {
  return name ? t[`level_${name}`] || name : "—";
}

function draw(data, measure) {
  const project = projector(data.centre);
  const shapes = data.cells.map((c) => ({ cell: c, corners: c.boundary.map(project) }));
  const figure = document.getElementById("map");
  const label = t.map_picture.replace("{cells}", data.cells.length).replace("{areas}", data.areas.length);
  if (!shapes.length) {
    figure.replaceChildren(el("p", {}, t.map_no_cells));
    return;
  }
  const box = viewBox(shapes.flatMap((s) => s.corners));
  const unit = box[2] / 320; // one drawing unit of a 320-wide picture
  const cells = shapes.map(({ cell, corners }) => {
    const value = cell[measure];
    const fill = shade(value);
    const risk = cell.risk_level ? LEVELS[cell.risk_level] : null;
    const [cx, cy] = corners.reduce((a, p) => [a[0] + p[0] / corners.length, a[1] + p[1] / corners.length], [0, 0]);
    const words = [t[`level_mark_${cell.risk_level}`], value ?? null].filter((w) => w !== null && w !== undefined);
    return svg(
      "g",
      { "data-cell": cell.cell },
      svg("title", {}, `${cell.cell}: ${level(cell.risk_level)}; ${t.map_cases} ${hidden(cell.cases, data.smallest_count)}; ${t.map_exposures} ${hidden(cell.exposures, data.smallest_count)}`),
      svg("polygon", {
        points: corners.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(" "),
        fill: fill ? fill.fill : "#ffffff",
        stroke: risk ? risk.stroke : "#555555",
        "stroke-width": (risk ? risk.width : 1) * unit,
        "stroke-dasharray": risk && cell.risk_level !== "high" ? `${4 * unit} ${2 * unit}` : null,
      }),
      words.length
        ? svg("text", { x: cx, y: cy, "text-anchor": "middle", "dominant-baseline": "middle", "font-size": 12 * unit, "font-weight": 700, fill: fill && fill.from >= 10 ? "#ffffff" : "#111111", stroke: "none" }, words.join(" "))
        : null,
    );
  });
  figure.replaceChildren(
    svg("svg", { viewBox: box.map((n) => n.toFixed(1)).join(" "), role: "img", "aria-label": label }, svg("title", {}, label), cells),
  );
}

function legend(measure) {
  const name = measure === "cases" ? t.map_cases : t.map_exposures;
  const ranges = SHADES.map((s, i) => {
    const next = SHADES[i + 1];
    const range = next ? `${s.from}–${next.from - 1}` : `${s.from}+`;
    return el("span", {}, el("span", { class: "swatch" }, swatch(svg("rect", { x: 2, y: 2, width: 28, height: 12, fill: s.fill, stroke: "#555" }))), `${name} ${range}`);
  });
  const levels = Object.entries(LEVELS).map(([name, l]) =>
    el(
      "span",
      {},
      el("span", { class: "swatch" }, swatch(svg("rect", { x: 3, y: 3, width: 26, height: 10, fill: "#fff", stroke: l.stroke, "stroke-width": 3, "stroke-dasharray": name === "high" ? null : "4 2" }))),
      `${t[`level_mark_${name}`]} ${t[`level_${name}`]}`,
    ),
  );
  document.getElementById("legend").replaceChildren(el("strong", {}, t.map_legend), ...ranges, ...levels);
}

function tables(data) {
  document.querySelector("#cells tbody").replaceChildren(
    ...data.cells.map((c) =>
      el(
        "tr",
        { "data-cell": c.cell },
        el("td", { class: "cell-id" }, c.cell),
        el("td", {}, level(c.risk_level)),
        el("td", {}, hidden(c.cases, data.smallest_count)),
        el("td", {}, hidden(c.exposures, data.smallest_count)),
      ),
    ),
  );
  const areas = document.getElementById("areas");
  if (!data.areas.length) return areas.replaceChildren(el("li", {}, t.map_no_areas));
  areas.replaceChildren(
    ...data.areas.map((a) =>
      el("li", { class: "record" }, el("h3", {}, `${a.name} · ${level(a.level)}`), el("p", {}, `${t.map_until} ${dateTime(a.ends_at)} · ${a.cells.length} ${t.map_cell}`)),
    ),
  );
}

let last = null;

async function show() {
  const days = document.getElementById("days").value;
  const answer = await api(`/api/v1/dashboard/map?days=${encodeURIComponent(days)}`);
  if (!answer.ok) return showProblem(document.getElementById("problem"), answer.data);
  last = answer.data;
  document.getElementById("suppressed").textContent = t.map_suppressed.replaceAll("{n}", last.smallest_count);
  document.getElementById("as-of").textContent = `${t.dash_as_of} ${dateTime(last.end)} (${days})`;
  render();
  document.body.dataset.ready = "map";
}

function render() {
  const measure = document.getElementById("measure").value;
  draw(last, measure);
  legend(measure);
  tables(last);
}

if (requireSession()) {
  document.getElementById("days").addEventListener("change", show);
  document.getElementById("measure").addEventListener("change", () => last && render());
  document.getElementById("controls").addEventListener("submit", (event) => event.preventDefault());
  show();
}
