// The scanner's service worker (scope /checkpoint): the page and everything it loads are
// kept, so the scanner opens, and verifies against the trust list it keeps in IndexedDB, with
// no network. Network first: online, the page and its assets come fresh (and the kept copies
// are renewed). The API, the trust list and the enrolment are never kept here.
const CACHE = "hc-checkpoint-1";
const SHELL = [
  "/checkpoint",
  "/checkpoint/manifest.webmanifest",
  "/static/css/site.css",
  "/static/css/scanner.css",
  "/static/icon.svg",
  "/static/js/page.js",
  "/static/js/scanner/scanner.js",
  "/static/js/camera.js",
  "/static/js/scanner/device.js",
  "/static/js/scanner/verify.js",
  "/static/js/scanner/trustlist.js",
  "/static/js/scanner/cbor.js",
  "/static/vendor/jsqr/jsQR.js",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((name) => name.startsWith("hc-checkpoint") && name !== CACHE).map((name) => caches.delete(name))))
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
  if (url.pathname.startsWith("/checkpoint/enrolment/")) return;
  event.respondWith(networkFirst(event.request));
});
