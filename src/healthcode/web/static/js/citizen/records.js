// The citizen's records, newest first: status changes with their reasons, exposures with their
// evidence (never who the case was), and who read my data.
import { dateTime, el, evidencePlace, t, traceRuleWord } from "../page.js";
import { causeWords, readWords } from "./record-words.js";
import { api, requireSession, showProblem } from "./session.js";

const SOURCES = {
  history: "/api/v1/me/status/history",
  exposures: "/api/v1/me/exposures",
  access: "/api/v1/me/access-log",
};
const SYMBOLS = { green: "✓", yellow: "!", red: "✕" };

function field(label, value) {
  return value === null || value === undefined || value === "" ? [] : [el("dt", {}, label), el("dd", {}, value)];
}

function span(window) {
  return `${dateTime(window.start)} – ${dateTime(window.end)}`;
}

function colourWord(colour) {
  return colour ? `${SYMBOLS[colour]} ${t[`colour_${colour}`]}` : "—";
}

const ITEMS = {
  history: (c) =>
    el("li", { class: `record reason colour-${c.to}` },
      el("h3", {}, `${colourWord(c.from)} → ${colourWord(c.to)}`),
      el("dl", {}, field(t.since, dateTime(c.at)), field(t.cause, causeWords(c.cause)), field(t.policy_version, c.policy_version),
        c.reasons.map((r) => field(colourWord(r.colour), r.text)).flat())),
  exposures: (x) =>
    el("li", { class: "record", "data-fact": x.fact },
      el("h3", {}, `${x.kind === "exposure" ? `${t.kind_exposure}: ${t[`category_${x.category}`] || x.category}` : t[`kind_${x.kind}`] || x.kind}${x.secondary ? ` · ${t.secondary}` : ""}${x.retracted_at ? ` · ${t.retracted}` : ""}`),
      el("dl", {}, field(t.since, dateTime(x.at || x.recorded_at)), field(t.cause, `${t[`source_${x.source}`] || x.source} (${traceRuleWord(x.rule)})`),
        field(t.reporting_city, x.city && (x.city_name || x.city)), field(t.place_name, x.place_name),
        field(t.overlap, x.overlap_minutes), field(t.setting, x.setting && (t[`setting_${x.setting}`] || x.setting)), field(t.planned_end, x.planned_end && dateTime(x.planned_end)),
        field(t.retracted, x.retracted_at && dateTime(x.retracted_at))),
      x.contacts.length ? el("h4", {}, t.evidence) : null,
      x.contacts.map((c) => el("dl", { class: "evidence" }, field(t.where, evidencePlace(c)),
        field(t.source_there, span(c.source)), field(t.you_there, span(c.contact)), field(t.overlap, c.minutes)))),
  access: (r) =>
    el("li", { class: "record" },
      el("h3", {}, `${r.actor.replace(`${r.role}:`, "")} (${t[`role_${r.role}`] || r.role})`), // "official:wang": wang, then the role in words
      el("dl", {}, field(t.read_at, dateTime(r.at)), field(t.cause, t[`purpose_${r.purpose}`] || r.purpose), field(t.what, readWords(r.what)))),
};

async function show() {
  const list = document.getElementById("records");
  const kind = list.dataset.kind;
  const answer = await api(SOURCES[kind]);
  list.setAttribute("aria-busy", "false");
  if (!answer.ok) return showProblem(document.getElementById("problem"), answer.data);
  const items = answer.data.slice().reverse().map(ITEMS[kind]);
  list.replaceChildren(...(items.length ? items : [el("li", {}, t.nothing)]));
}

if (requireSession()) show();
