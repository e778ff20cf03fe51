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

// The API's words are English (an operator's, naming the field or action): the kind of
// refusal comes first in the page's language
export function problemText(data) {
  const words = data && Array.isArray(data.errors) && data.errors.length
    ? data.errors.map((e) => `${e.field}: ${e.message}`).join("; ")
    : (data && (data.detail || data.title)) || "";
  const kind = data && t[`refusal_${data.status}`];
  if (!kind) return words || t.error;
  return words ? `${kind}${lang === "zh" ? "：" : ": "}${words}` : kind;
}

export function showProblem(node, data) {
  node.textContent = problemText(data);
  node.hidden = false;
}
