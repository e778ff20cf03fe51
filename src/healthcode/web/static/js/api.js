// Calls of the JSON API with a session's bearer token, in the page's language, and refusals
// shown in the API's own words: shared by the citizen's pages and the console, each of which
// keeps its own session (citizen/session.js, console/session.js).
import { lang, t } from "./page.js";

// { ok, status, data, headers }; throws only when the network fails (offline).
export async function callApi(path, { method = "GET", body, token } = {}) {
  const headers = { Accept: "application/json", "Accept-Language": lang };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    cache: "no-store",
  });
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  return { ok: response.ok, status: response.status, data, headers: response.headers };
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
