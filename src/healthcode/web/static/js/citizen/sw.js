// The citizen pages' service worker (scope /citizen): the code page and what it loads are kept,
// so the page opens, and shows the last code with its expiry, with no network. Network first:
// online, every page and asset comes fresh from the server (and the kept copy is renewed). The
// API is never kept here: the code page keeps its last code itself.
const CACHE = "hc-citizen-2";
const SHELL = [
  "/citizen",
  "/static/css/site.css",
  "/static/icon.svg",
  "/static/js/page.js",
  "/static/js/api.js",
  "/static/js/citizen/session.js",
  "/static/js/citizen/status-view.js",
  "/static/js/citizen/code.js",
  "/static/vendor/qrcode-generator/qrcode.mjs",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      // only this worker's own older caches: the checkpoint scanner on the same origin keeps its own
      .then((names) => Promise.all(names.filter((name) => name.startsWith("hc-citizen") && name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (failure) {
    const kept = await cache.match(request, { ignoreSearch: true });
    if (kept) return kept;
    throw failure;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname.startsWith("/.well-known/")) return;
  event.respondWith(networkFirst(event.request));
});
