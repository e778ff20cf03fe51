// Logging in on the website: phone and password give a session kept on this device.
import { api, clearSession, saveSession, showProblem } from "./session.js";

const form = document.getElementById("login");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const body = { phone: form.phone.value.trim(), password: form.password.value };
  clearSession(); // a stale session would turn a refused login into a redirect here
  const answer = await api("/api/v1/website/login", { method: "POST", body });
  if (!answer.ok) return showProblem(document.getElementById("problem"), answer.data);
  saveSession(answer.data);
  location.assign("/citizen");
});
