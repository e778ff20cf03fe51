// The website session (the token of POST /api/v1/website/login, kept on this device) and calls
// of the JSON API with it, in the page's language.
import { callApi } from "../api.js";

export { problemText, showProblem } from "../api.js";

const KEY = "hc.session";
export const LOGIN = "/citizen/login";
export const CHANGED = "hc.changed"; // set when this device records something that may change the status

export function session() {
  try {
    return JSON.parse(localStorage.getItem(KEY));
  } catch {
    return null;
  }
}

export function saveSession(answer) {
  localStorage.setItem(KEY, JSON.stringify({ token: answer.token, expires_at: answer.expires_at }));
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

export function requireSession() {
  if (session()) return true;
  location.replace(LOGIN);
  return false;
}

// { ok, status, data, headers }; throws only when the network fails (offline). A 401 ends the
// session and goes to the login page, unless `relogin` is false (a password re-entered and
// refused).
export async function api(path, { method = "GET", body, relogin = true } = {}) {
  const held = session();
  const answer = await callApi(path, { method, body, token: held && held.token });
  if (answer.status === 401 && held && relogin) {
    clearSession();
    location.assign(LOGIN);
  }
  return answer;
}
