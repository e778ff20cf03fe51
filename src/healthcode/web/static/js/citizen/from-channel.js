// A partner app (channel) opens the pages already signed in: it links to
// /citizen/from-channel#assertion=JWT. The assertion is in the fragment, so it never reaches
// the server's logs or a Referer; the page takes it out of the address at once, sends it to
// POST /api/v1/website/login/channel (single use: the API refuses a replay) and, with the
// session it gives, goes to the code page. A refusal is shown in the API's words.
import { t } from "../page.js";
import { api, clearSession, problemText, saveSession } from "./session.js";

const $ = (id) => document.getElementById(id);

function refuse(words) {
  $("wait").hidden = true;
  $("problem").textContent = words;
  $("refused").hidden = false;
}

async function open() {
  const assertion = new URLSearchParams(location.hash.slice(1)).get("assertion");
  history.replaceState(null, "", location.pathname + location.search); // out of the history too
  if (!assertion) return refuse(t.from_channel_missing);
  clearSession(); // whoever was signed in on this device, the link is for the channel's user
  try {
    const answer = await api("/api/v1/website/login/channel", { method: "POST", body: { assertion }, relogin: false });
    if (!answer.ok) return refuse(problemText(answer.data));
    saveSession(answer.data);
    location.replace("/citizen");
  } catch {
    refuse(t.error);
  }
  return null;
}

open();
