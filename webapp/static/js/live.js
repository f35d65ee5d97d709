// Keeps a phone page current while it is open: every few seconds (and at once when the page
// is shown again or the signal returns) it asks for the group's state with the ETag it has;
// "nothing changed" (304) costs the server almost nothing. When what this page shows has
// changed (a judge's verdict, a redo, an unlocked task, an announcement, a deadline), or a
// deadline or opening time has just passed, it fetches the page again and swaps its live
// parts in place, keeping a form the person has started to fill in.
import { text } from "./text.js";

const POLL_MS = 5000;
const holder = document.getElementById("phone-page");
const listeners = new Set();
let etag = holder?.dataset.etag;
let shown = JSON.parse(document.getElementById("phone-state")?.textContent || '{"tasks":[],"announcements":[]}');
let checkedAt = Date.now();
let timer = null;
let busy = false;
let again = false;
let stopped = false;
let offset = 0;

export function onRefresh(listener) { listeners.add(listener); }

function scoped(state) {
  const scope = holder.dataset.scope;
  return scope === "all" ? state.tasks : state.tasks.filter((t) => String(t.id) === scope);
}

// What this page shows of a state: two states that give the same text need no new page.
function view(state) {
  return JSON.stringify([scoped(state).map((t) => [t.id, t.state, t.opens_at, t.closes_at, t.late_from, t.comment]),
                         state.announcements]);
}

// An opening time, a deadline or the end of a grace passed since the last answer: the state
// changed although nothing was written, so the ETag alone cannot tell.
function boundaryPassed(now) {
  return scoped(shown).some((t) => [t.opens_at, t.closes_at, t.late_from]
    .some((at) => at && Date.parse(at) > checkedAt && Date.parse(at) <= now));
}

function timeLabel(date) {
  const clock = new Intl.DateTimeFormat("en-GB", { timeZone: holder.dataset.tz, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  return `${clock.format(date)} ${holder.dataset.tzLabel}`;
}

function fresh(now) {
  checkedAt = now;
  holder.dataset.fetchedLabel = timeLabel(new Date(now));
  const updated = document.getElementById("updated");
  if (updated && text.updated) updated.textContent = text.updated.replace("{time}", holder.dataset.fetchedLabel);
}

function typed(region) {
  return [...region.querySelectorAll("input, textarea")].some((field) =>
    field.type === "file" ? field.files.length > 0
      : field.type === "radio" || field.type === "checkbox" ? field.checked
        : field.type !== "hidden" && field.value.trim() !== "");
}

export async function refresh() {
  const response = await fetch(location.href, { headers: { Accept: "text/html", "X-Phone-Refresh": "1" }, credentials: "same-origin" });
  if (!response.ok || response.redirected) return;
  const page = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const region of page.querySelectorAll("[data-live][id]")) {
    const current = document.getElementById(region.id);
    if (!current || (current.hasAttribute("data-keep-typed") && typed(current))) continue;
    current.replaceWith(document.importNode(region, true));
  }
  const state = page.getElementById("phone-state");
  if (state) shown = JSON.parse(state.textContent);
  etag = page.getElementById("phone-page")?.dataset.etag || etag;
  for (const listener of listeners) listener();
}

async function poll() {
  if (stopped || document.visibilityState === "hidden") return;
  if (busy) { again = true; return; }  // asked while a round is out: one more right after it
  busy = true;
  const now = Date.now() + offset;
  const force = boundaryPassed(now);
  try {
    const headers = { Accept: "application/json" };
    if (etag && !force) headers["If-None-Match"] = etag;
    const response = await fetch(holder.dataset.stateUrl, { headers, cache: "no-store", credentials: "same-origin" });
    if (response.status === 401) { stopped = true; return; }
    if (response.status === 304) { fresh(now); return; }
    if (!response.ok) return;
    const state = await response.json();
    if (view(state) !== view(shown)) {
      await refresh();  // takes the new page's ETag: a failed refresh is tried again
    } else {
      shown = state;
      etag = response.headers.get("ETag") || etag;
    }
    fresh(now);
  } catch (error) {
    // no signal: the next poll asks again
  } finally {
    busy = false;
    if (again) {
      again = false;
      poll();
    } else {
      plan();
    }
  }
}

function plan() {
  clearTimeout(timer);
  if (!stopped && document.visibilityState !== "hidden") timer = setTimeout(poll, POLL_MS);
}

export function startLive(serverOffset) {
  if (!holder) return;
  offset = serverOffset;
  checkedAt = Date.parse(holder.dataset.serverNow);
  document.addEventListener("visibilitychange", () => (document.visibilityState === "visible" ? poll() : plan()));
  window.addEventListener("online", poll);
  plan();
}
