// A small SVG builder (never parses markup) and the marks the console's charts share: each
// colour of code drawn with its own stroke pattern and symbol, so colour is never alone.
const NS = "http://www.w3.org/2000/svg";

export function svg(tag, attributes = {}, ...children) {
  const node = document.createElementNS(NS, tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined) node.setAttribute(name, String(value));
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

// the colours of codes: stroke, dash pattern and symbol (the same words as the code page)
export const SERIES = {
  green: { stroke: "#0a7a3d", dash: null, symbol: "✓" },
  yellow: { stroke: "#b38f00", dash: "6 3", symbol: "!" },
  red: { stroke: "#c8102e", dash: "2 2", symbol: "✕" },
};

// a short day label ("3/3" or "3月3日") for an ISO date, read as a calendar date
export function dayLabel(iso, lang) {
  const [, m, d] = iso.split("-").map(Number);
  return lang === "zh" ? `${m}月${d}日` : `${d}/${m}`;
}

// a swatch for a legend: a short line or box drawn like the chart's mark
export function swatch(mark) {
  return svg("svg", { viewBox: "0 0 32 16", "aria-hidden": "true", focusable: "false" }, mark);
}
