// My rights over my data: a copy of all of it (GET /api/v1/me/export, saved as a JSON file)
// and closing my account (a confirmation and the password again; then logged out).
import { el } from "../page.js";
import { api, clearSession, requireSession, showProblem } from "./session.js";

const $ = (id) => document.getElementById(id);

async function download() {
  $("problem").hidden = true;
  const answer = await api("/api/v1/me/export");
  if (!answer.ok) return showProblem($("problem"), answer.data);
  const blob = new Blob([JSON.stringify(answer.data, null, 2)], { type: "application/json" });
  const url = URL.createObjectURL(blob);
  const link = el("a", { href: url, download: "healthcode-my-data.json", hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  $("exported").hidden = false;
  return null;
}

const form = $("close");

function showClose(shown) {
  form.hidden = !shown;
  $("close-start").setAttribute("aria-expanded", String(shown));
  if (shown) form.confirm.focus();
  else form.reset();
  $("close-now").disabled = true;
}

async function close(event) {
  event.preventDefault();
  $("problem").hidden = true;
  const body = { confirm: form.confirm.checked, password: form.password.value };
  const answer = await api("/api/v1/me/close", { method: "POST", body, relogin: false });
  if (!answer.ok) return showProblem($("problem"), answer.data);
  clearSession();
  localStorage.removeItem("hc.lastCode");
  location.assign("/citizen/login");
  return null;
}

$("export").addEventListener("click", download);
$("close-start").addEventListener("click", () => showClose(true));
$("close-cancel").addEventListener("click", () => showClose(false));
form.addEventListener("input", () => {
  $("close-now").disabled = !(form.confirm.checked && form.password.value);
});
form.addEventListener("submit", close);
requireSession();
