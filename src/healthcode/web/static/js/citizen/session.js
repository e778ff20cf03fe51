// The website session (the token of POST /api/v1/website/login, kept on this device) and calls
// of the JSON API with it, in the page's language.
import { lang, t } from "../page.js";

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

// { ok, status, data }; throws only when the network fails (offline). A 401 ends the session
// and goes to the login page, unless `relogin` is false (a password re-entered and refused).
export async function api(path, { method = "GET", body, relogin = true } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": lang };
  const held = session();
  if (held) headers.Authorization = `Bearer ${held.token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (response.status === 401 && held && relogin) {
    clearSession();
    location.assign(LOGIN);
  }
  return { ok: response.ok, status: response.status, data };
}

export function problemText(data) {
  if (data && Array.isArray(data.errors) && data.errors.length) {
    return data.errors.map((e) => `${e.field}: ${e.message}`).join("; ");
  }
  return (data && (data.detail || data.title)) || t.error;
}

export function showProblem(node, data) {
  node.textContent = problemText(data);
  node.hidden = false;
}
