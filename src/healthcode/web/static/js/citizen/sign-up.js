// Signing up on the website: a code is sent by text message to the phone, then the
// registration, the code and a password make the account; then it logs in.
import { api, clearSession, saveSession, showProblem } from "./session.js";

const $ = (id) => document.getElementById(id);
const start = $("start");
const form = $("sign-up");
clearSession(); // signing up starts a new session: a stale one would redirect refusals away

start.addEventListener("submit", async (event) => {
  event.preventDefault();
  const answer = await api("/api/v1/website/sign-up/start", { method: "POST", body: { phone: start.phone.value.trim() } });
  if (!answer.ok) return showProblem($("problem"), answer.data);
  $("sent").hidden = false;
  form.hidden = false;
  form.code.focus();
});

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const phone = start.phone.value.trim();
  const body = {
    name: form.name.value.trim(),
    id_type: form.id_type.value,
    id_number: form.id_number.value.trim(),
    phone,
    address: form.address.value.trim(),
    consent_location: form.consent_location.checked,
    password: form.password.value,
    code: form.code.value.trim(),
  };
  const answer = await api("/api/v1/website/sign-up", { method: "POST", body });
  if (!answer.ok) return showProblem($("problem"), answer.data);
  form.hidden = true;
  start.hidden = true;
  const login = await api("/api/v1/website/login", { method: "POST", body: { phone, password: body.password } });
  if (!login.ok) return ($("done").hidden = false); // the phone had an account: its text says so
  saveSession(login.data);
  location.assign("/citizen");
});
