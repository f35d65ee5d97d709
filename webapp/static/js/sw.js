// The offline shell: phone pages and their assets are kept, so the task list and task pages
// open with no signal, showing the last known state (each page says when it was fetched).
// The server writes the release (a hash of every static file) into this file, so an upgrade
// installs a new worker whose cache has a new name; the old caches go when it takes over.
const RELEASE = "dev";
const CACHE = `jelajah-${RELEASE}`;
const NETWORK_WAIT_MS = 4000;

self.addEventListener("install", () => { self.skipWaiting(); });
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

// Versioned static files and photos never change under their address; anything else may.
function immutable(url) {
  return url.pathname.startsWith("/photos/") || (url.pathname.startsWith("/static/") && url.searchParams.has("v"));
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

// A page refreshing itself wants the server's answer, however slow, never the kept copy.
async function networkOnly(request) {
  const response = await fetch(request);
  if (response.ok && !response.redirected) (await caches.open(CACHE)).put(request, response.clone());
  return response;
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
  const url = new URL(event.request.url);
  if (immutable(url)) event.respondWith(cacheFirst(event.request));
  else if (event.request.headers.get("X-Phone-Refresh")) event.respondWith(networkOnly(event.request));
  else event.respondWith(networkFirst(event.request));
});
