// The offline shell: phone pages and their assets are kept, so the task list and task pages
// open with no signal, showing the last known state (each page says when it was fetched).
const CACHE = "jelajah-v1";
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", (event) => { self.skipWaiting(); });
self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys().then((names) => Promise.all(
    names.filter((n) => n !== CACHE).map((n) => caches.delete(n)))).then(() => self.clients.claim()));
});

function cacheable(request) {
  const url = new URL(request.url);
  return request.method === "GET" && url.origin === self.location.origin &&
    (url.pathname.startsWith("/play/") || url.pathname.startsWith("/static/") ||
     url.pathname.startsWith("/photos/")) && !url.pathname.startsWith("/play/api/");
}

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("slow")), NETWORK_WAIT_MS)),
    ]);
    if (response.ok && !response.redirected) cache.put(request, response.clone());
    return response;
  } catch (error) {
    const kept = await cache.match(request);
    if (kept) return kept;
    throw error;
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const kept = await cache.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) cache.put(request, response.clone());
  return response;
}

self.addEventListener("fetch", (event) => {
  if (!cacheable(event.request)) return;
  const path = new URL(event.request.url).pathname;
  event.respondWith(path.startsWith("/play/") ? networkFirst(event.request) : cacheFirst(event.request));
});
