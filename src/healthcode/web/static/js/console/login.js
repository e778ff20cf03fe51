// An official logs in with username, password and TOTP code; the session is kept on this device.
import { api, clearSession, saveSession, showProblem } from "./session.js";

const form = document.getElementById("login");
form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const username = form.username.value.trim();
  const body = { username, password: form.password.value, totp: form.totp.value.trim() };
  clearSession();
  const answer = await api("/api/v1/officials/login", { method: "POST", body });
  if (!answer.ok) return showProblem(document.getElementById("problem"), answer.data);
  saveSession(answer.data, username);
  location.assign("/console");
});
