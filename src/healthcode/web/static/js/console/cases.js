// Cases: the list of the jurisdiction's cases by state, and reporting one (a proposal a second
// official confirms on the case's page or in the inbox).
import { dateTime, el, t } from "../page.js";
import { field, quiet, short, stateClass, stateWord, zonedIso } from "./cases-view.js";
import { api, requireSession, showProblem } from "./session.js";

const $ = (id) => document.getElementById(id);

function caseItem(c) {
  const link = el("a", { href: `/console/cases/${encodeURIComponent(c.case_id)}` }, t.open_case);
  return el("li", { class: `record reason ${stateClass(c.state)}`, "data-case": c.case_id, "data-state": c.state },
    el("h3", {}, `${stateWord(c.state)} · ${short(c.case_id)}`),
    el("dl", {},
      field(t.case_subject, short(c.subject)),
      field(t.sampled_at, dateTime(c.sampled_at)),
      field(t.reported_by, `${c.reported_by} · ${dateTime(c.reported_at)}`),
      field(t.confirmed_by, c.confirmed_by && `${c.confirmed_by} · ${dateTime(c.confirmed_at)}`),
      field(t.pending_correction, c.state === "confirmed" && c.pending_proposal ? "!" : null),
      field(t.pending_withdrawal_note, c.pending_withdrawal ? "!" : null)),
    link);
}

async function refresh() {
  const state = $("state").value;
  const answer = await api(`/api/v1/cases${state ? `?state=${encodeURIComponent(state)}` : ""}`);
  $("cases").setAttribute("aria-busy", "false");
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const items = answer.data.slice().reverse().map(caseItem);
  $("cases").replaceChildren(...(items.length ? items : [el("li", {}, t.nothing)]));
  return null;
}

const form = $("report");
form.asymptomatic.addEventListener("change", () => {
  form.onset_at.disabled = form.asymptomatic.checked;
});
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  quiet($("problem"), $("reported"));
  const body = {
    subject: form.subject.value.trim(),
    sampled_at: zonedIso(form.sampled_at.value),
    asymptomatic: form.asymptomatic.checked,
    test_reference: form.test_reference.value.trim(),
  };
  const onset = form.asymptomatic.checked ? null : zonedIso(form.onset_at.value);
  if (onset) body.onset_at = onset;
  const isolated = zonedIso(form.isolated_at.value);
  if (isolated) body.isolated_at = isolated;
  if (form.reason.value.trim()) body.reason = form.reason.value.trim();
  const answer = await api("/api/v1/cases", { method: "POST", body });
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const caseId = answer.data.payload.case_id;
  const link = $("reported-link");
  link.href = `/console/cases/${encodeURIComponent(caseId)}`;
  link.textContent = `${t.open_case} ${short(caseId)}`;
  $("reported").replaceChildren(t.reported_done, link);
  $("reported").hidden = false;
  form.reset();
  form.onset_at.disabled = false;
  await refresh();
  return null;
});

$("state").addEventListener("change", refresh);
if (requireSession()) refresh();
