// The outbox: every submission is kept in IndexedDB until the server has answered it, sent
// with its idempotency key, and retried with backoff when the network fails, also after the
// page was closed and opened again. The server stores a key once, so a retry is harmless.
const DB = "jelajah";
const STORE = "outbox";
const MAX_WAIT_MS = 60_000;

function db() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function tx(mode, work) {
  const handle = await db();
  return new Promise((resolve, reject) => {
    const t = handle.transaction(STORE, mode);
    const result = work(t.objectStore(STORE));
    t.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    t.onerror = () => reject(t.error);
  });
}

export const put = (item) => tx("readwrite", (s) => s.put(item));
export const all = () => tx("readonly", (s) => s.getAll());
export const remove = (key) => tx("readwrite", (s) => s.delete(key));

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID().replaceAll("-", "");
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

const listeners = new Set();
export function onChange(listener) { listeners.add(listener); }
async function changed(progress) { const items = await all(); for (const l of listeners) l(items, progress); }

export async function enqueue(item) {
  await put({ ...item, state: "waiting", attempts: 0, nextTry: 0, message: "" });
  await changed();
  drain();
}

function send(item, onProgress) {
  return new Promise((resolve) => {
    const body = new FormData();
    for (const [name, value] of Object.entries(item.fields)) body.append(name, value);
    if (item.photo) body.append("photo", item.photo, "photo.jpg");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", item.url);
    xhr.timeout = 180_000;
    xhr.setRequestHeader("X-CSRFToken", item.csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body = {};
      try { body = JSON.parse(xhr.responseText); } catch (error) { body = {}; }
      resolve({ status: xhr.status, body, json: xhr.getResponseHeader("Content-Type")?.includes("json") });
    };
    xhr.onerror = xhr.ontimeout = () => resolve({ status: 0, body: {} });
    xhr.send(body);
  });
}

let draining = false;
export async function drain() {
  if (draining) return;
  draining = true;
  try {
    for (const item of await all()) {
      if (item.state !== "waiting" || item.nextTry > Date.now()) continue;
      if (!navigator.onLine) break;
      item.state = "sending";
      await put(item);
      await changed({ key: item.key, fraction: 0 });
      const answer = await send(item, (fraction) => changed({ key: item.key, fraction }));
      if (answer.status >= 200 && answer.status < 300 && answer.json) {
        item.state = "received";
        item.serverStatus = answer.body.submission?.status;
        item.receivedAt = answer.body.submission?.received_at;
      } else if (answer.json && answer.status >= 400 && answer.status < 500 && ![408, 429].includes(answer.status)) {
        item.state = "refused";  // a definite answer from the server: retrying would not help
        item.message = answer.body.message || "";
      } else {
        item.state = "waiting";
        item.attempts += 1;
        const wait = Math.min(MAX_WAIT_MS, 2000 * 2 ** item.attempts) * (0.75 + Math.random() / 2);
        item.nextTry = Date.now() + wait;
      }
      await put(item);
      await changed();
    }
  } finally {
    draining = false;
  }
}

export function startQueue() {
  window.addEventListener("online", () => {
    all().then((items) => Promise.all(items.filter((i) => i.state === "waiting")
      .map((i) => put({ ...i, nextTry: 0 })))).then(drain);
  });
  document.addEventListener("visibilitychange", () => document.visibilityState === "visible" && drain());
  setInterval(drain, 3000);
  all().then(async (items) => {
    for (const item of items) {
      if (item.state === "sending") await put({ ...item, state: "waiting" }); // page closed mid-send
    }
    await changed();
    drain();
  });
}
