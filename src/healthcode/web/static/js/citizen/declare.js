// The health and travel declarations: each is sent to the API, then the status it leads to is
// shown here at once (and other open pages of this site are told to refetch theirs).
import { dateTime, el, syncClock, t } from "../page.js";
import { CHANGED, api, requireSession, showProblem } from "./session.js";
import { colourClass, showVerdict, showWhy } from "./status-view.js";

const $ = (id) => document.getElementById(id);

async function showStatus() {
  const status = await api("/api/v1/me/status");
  if (!status.ok) return showProblem($("problem"), status.data);
  syncClock(status.data.assessed_at);
  $("result-verdict").className = `verdict ${colourClass(status.data.colour)}`;
  showVerdict($("result-verdict"), status.data.colour);
  showWhy($("result-why"), status.data);
  $("result").hidden = false;
}

function describe(d) {
  if (d.kind === "travel_declaration") return `${d.place}: ${d.from_date} – ${d.to_date}`;
  const symptoms = (d.symptoms || []).map((s) => t[`symptom_${s}`] || s).join(", ");
  return `${d.temperature} °C${symptoms ? ` · ${symptoms}` : ""}${d.note ? ` · ${d.note}` : ""}`;
}

async function listMine() {
  const answer = await api("/api/v1/me/declarations");
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const items = answer.data.slice().reverse().map((d) =>
    el("li", { class: "record" }, el("h3", {}, d.kind === "travel_declaration" ? t.travel_title : t.health_title), el("p", {}, dateTime(d.at), " · ", describe(d))),
  );
  $("mine").replaceChildren(...(items.length ? items : [el("li", {}, t.nothing)]));
}

// A refusal is told under the form that was sent, where the citizen is looking
async function send(form, path, body) {
  const problem = $(`${form.id}-problem`);
  for (const node of document.querySelectorAll(".problem")) node.hidden = true;
  const answer = await api(path, { method: "POST", body });
  if (!answer.ok) return showProblem(problem, answer.data);
  localStorage.setItem(CHANGED, String(Date.now()));
  await Promise.all([showStatus(), listMine()]);
  $("result").scrollIntoView({ block: "nearest" });
}

const health = $("health");
health.addEventListener("submit", (event) => {
  event.preventDefault();
  const symptoms = [...health.querySelectorAll("input[name=symptoms]:checked")].map((box) => box.value);
  send(health, "/api/v1/me/declarations/health", {
    temperature: Number(health.temperature.value),
    symptoms: symptoms.length ? symptoms : ["none"],
    note: health.note.value,
  });
});

const travel = $("travel");
travel.addEventListener("submit", (event) => {
  event.preventDefault();
  send(travel, "/api/v1/me/declarations/travel", {
    place: travel.place.value.trim(),
    from_date: travel.from_date.value,
    to_date: travel.to_date.value,
  });
});

if (requireSession()) listMine();
