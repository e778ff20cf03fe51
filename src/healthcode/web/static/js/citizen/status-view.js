// A status shown to its holder: the colour as a word and a symbol (never the colour alone) and
// each reason in plain words, since when, until when (counting down to the second) or what
// clears it. Shared by the code page and the declarations page.
import { dateTime, duration, el, t } from "../page.js";

const SYMBOLS = { green: "✓", yellow: "!", red: "✕" };

export function showVerdict(node, colour) {
  node.replaceChildren(
    el("span", { class: "symbol", "aria-hidden": "true" }, SYMBOLS[colour] || "…"),
    el("span", { class: "word" }, t[`colour_${colour}`] || t.loading),
  );
}

export function colourClass(colour) {
  return `colour-${SYMBOLS[colour] ? colour : "none"}`;
}

function field(label, ...value) {
  return [el("dt", {}, label), el("dd", {}, ...value)];
}

function reasonItem(reason) {
  const until = reason.ends_at
    ? field(t.until, dateTime(reason.ends_at), " · ", t.countdown, " ",
        el("span", { class: "countdown", "data-ends": reason.ends_at }, ""))
    : [];
  // a rule cleared by a count of normal days: how far it has come and its earliest end
  const progress = reason.progress
    ? [
        ...field(t.progress, el("span", { class: "progress" },
          `${reason.progress.days} ${t.progress_of} ${reason.progress.of} ${t.progress_days}`)),
        ...field(t.earliest_end, dateTime(reason.progress.earliest_end)),
      ]
    : [];
  return el(
    "li",
    { class: `reason ${colourClass(reason.colour)}`, "data-rule": reason.rule },
    el("h3", {}, `${SYMBOLS[reason.colour] || ""} ${t[`colour_${reason.colour}`]}: ${reason.text}`),
    el("dl", {}, field(t.since, dateTime(reason.since)), until, field(t.clears_when, reason.clears_when), progress),
  );
}

function noticeItem(notice) {
  return el(
    "li",
    { class: "reason", "data-notice": notice.notice },
    el("h3", {}, `⚠ ${notice.text}`),
    el("dl", {}, notice.since ? field(t.since, dateTime(notice.since)) : [], field(t.clears_when, notice.clears_when)),
  );
}

export function showWhy(node, status) {
  const parts = [];
  if (!status.reasons.length) parts.push(el("p", { class: "no-reasons" }, `✓ ${t.no_reasons}`));
  else parts.push(el("ol", { class: "reasons" }, status.reasons.map(reasonItem)));
  if (status.notices.length) {
    parts.push(el("h3", {}, t.notices), el("ul", { class: "reasons" }, status.notices.map(noticeItem)));
  }
  node.replaceChildren(...parts);
}

export function tickCountdowns(root, nowMs) {
  for (const span of root.querySelectorAll(".countdown[data-ends]")) {
    span.textContent = duration(Date.parse(span.dataset.ends) - nowMs);
  }
}
