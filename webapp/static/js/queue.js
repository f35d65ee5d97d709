// The outbox: every submission is kept in IndexedDB until the server has answered it, sent
// with its idempotency key, and retried with backoff when the network or the server fails,
// also after the page was closed and opened again. The server stores a key once, so a retry
// is harmless. Each item belongs to the participant who made it: a phone shared by several
// people sends an item only while its own maker is logged in, never under another login.
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

// Who is logged in on this page (items are sent only for them) and the page's CSRF token:
// a session renewed since an item was made would refuse the token saved with it.
const login = { participant: null, csrf: "" };

export const unsent = (item) => item.state === "waiting" || item.state === "sending";
export const mine = (item) => item.participant === login.participant;

const listeners = new Set();
export function onChange(listener) { listeners.add(listener); }
async function changed(progress) { const items = await all(); for (const l of listeners) l(items, progress); }

export async function enqueue(item) {
  await put({ ...item, participant: login.participant, state: "waiting", attempts: 0, nextTry: 0, message: "", problem: "" });
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
    xhr.setRequestHeader("X-CSRFToken", login.csrf || item.csrf);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let answer = {};
      try { answer = JSON.parse(xhr.responseText); } catch (error) { answer = {}; }
      const redirected = !new URL(xhr.responseURL, location.href).pathname.endsWith(item.url);
      resolve({ status: xhr.status, body: answer, redirected,
                json: xhr.getResponseHeader("Content-Type")?.includes("json") });
    };
    xhr.onerror = xhr.ontimeout = () => resolve({ status: 0, body: {} });
    xhr.send(body);
  });
}

// What the answer means for the item: arrived, refused for good, or try again (and why).
function settle(item, answer) {
  if (answer.status >= 200 && answer.status < 300 && answer.json && !answer.redirected) {
    return { state: "received", problem: "", serverStatus: answer.body.submission?.status,
             receivedAt: answer.body.submission?.received_at };
  }
  if (answer.json && answer.status >= 400 && answer.status < 500 && ![401, 408, 429].includes(answer.status)) {
    return { state: "refused", problem: "", message: answer.body.message || "" };
  }
  const problem = answer.status === 0 ? "offline"
    : answer.redirected || answer.status === 401 ? "login" : "server";
  const attempts = item.attempts + 1;
  const wait = Math.min(MAX_WAIT_MS, 2000 * 2 ** attempts) * (0.75 + Math.random() / 2);
  return { state: "waiting", problem, attempts, nextTry: Date.now() + wait, status: answer.status };
}

let draining = false;
export async function drain() {
  if (draining || login.participant === null) return;
  draining = true;
  try {
    const items = (await all()).sort((a, b) => a.createdAt.localeCompare(b.createdAt));  // as made
    for (const item of items) {
      if (!mine(item) || item.state !== "waiting" || item.nextTry > Date.now()) continue;
      if (!navigator.onLine) break;
      item.state = "sending";
      await put(item);
      await changed({ key: item.key, fraction: 0 });
      const answer = await send(item, (fraction) => changed({ key: item.key, fraction }));
      await put({ ...item, ...settle(item, answer) });
      await changed();
    }
  } finally {
    draining = false;
  }
}

export async function discard(items) {
  for (const item of items) await remove(item.key);
  await changed();
}

export function startQueue(participant, csrf) {
  Object.assign(login, { participant, csrf });
  window.addEventListener("online", () => {
    all().then((items) => Promise.all(items.filter((i) => mine(i) && i.state === "waiting")
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
