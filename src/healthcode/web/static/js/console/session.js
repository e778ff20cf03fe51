// The official's console session (the token of POST /api/v1/officials/login, with the role and
// username it was given), kept on this device apart from a citizen's, and calls of the JSON API
// with it in the page's language.
import { callApi } from "../api.js";

export { problemText, showProblem } from "../api.js";

const KEY = "hc.console.session";
export const LOGIN = "/console/login";

export function session() {
  try {
    return JSON.parse(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function saveSession(answer, username) {
  const held = { token: answer.token, expires_at: answer.expires_at, role: answer.role, username };
  localStorage.setItem(KEY, JSON.stringify(held));
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

export function requireSession() {
  // the expiry is the server's business (its clock, not this device's): a 401 ends the session
  const held = session();
  if (held && held.token) return held;
  location.replace(LOGIN);
  return null;
}

// { ok, status, data, headers }; throws only when the network fails. A 401 ends the session and
// goes to the login page.
export async function api(path, { method = "GET", body } = {}) {
  const held = session();
  const answer = await callApi(path, { method, body, token: held && held.token });
  if (answer.status === 401 && held) {
    clearSession();
    location.assign(LOGIN);
  }
  return answer;
}
