// Every console page but the login: the session is required, the official is named with their
// role, and logging out ends the session on the server too.
import { t } from "../page.js";
import { api, clearSession, LOGIN, requireSession } from "./session.js";

const held = requireSession();
if (held) {
  document.getElementById("who").textContent = `${held.username} · ${t[`role_${held.role}`] || held.role}`;
  const logout = document.getElementById("logout");
  logout.hidden = false;
  logout.addEventListener("click", async () => {
    await api("/api/v1/sessions/logout", { method: "POST" }).catch(() => null);
    clearSession();
    location.assign(LOGIN);
  });
}
