// The phone pages: countdowns, the outbox and its list, the send form for every kind of task,
// the position for check-ins and photos, the page kept current, and the offline shell.
import { serverOffset, startCountdowns } from "./clock.js";
import { downscale } from "./downscale.js";
import { readEvidence } from "./exif.js";
import { onRefresh, refresh, startLive } from "./live.js";
import { followSend, guardLogout, renderOutbox } from "./outbox.js";
import { drain, enqueue, newKey, onChange, startQueue } from "./queue.js";
import { formatDistance, text } from "./text.js";

const holder = document.getElementById("phone-page");
let lastSent = null;  // the key of the item the send status talks about
let lastPosition = null;

function position(timeout = 10_000) {
  if (!navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null), { enableHighAccuracy: true, timeout, maximumAge: 30_000 });
  });
}

async function submitForm(form, event) {
  event.preventDefault();
  const status = document.getElementById("send-status");
  const fields = {};
  for (const [name, value] of new FormData(form)) {
    if (name !== "photo" && name !== "csrf_token") fields[name] = value;
  }
  fields.key = newKey();
  fields.pressed_at = new Date(Date.now() + (window.jelajahOffset || 0)).toISOString();
  let photo = null;
  const file = form.querySelector("input[type=file]")?.files?.[0];
  if (form.dataset.kind.startsWith("photo")) {
    if (!file) { status.textContent = text.photoFirst; return; }
    status.textContent = text.preparing;
    fields.evidence = JSON.stringify(await readEvidence(file));
    photo = await downscale(file);
  }
  if (form.dataset.kind === "checkin" || form.dataset.kind.startsWith("photo")) {
    status.textContent = text.locating;
    const where = await position();
    if (where) Object.assign(fields, { lat: where.lat, lon: where.lon, accuracy: where.accuracy });
  }
  lastSent = fields.key;
  status.textContent = navigator.onLine ? text.sending : text.queued;
  form.reset();
  form.querySelector(".preview")?.replaceChildren();
  await enqueue({ key: fields.key, url: form.dataset.api, csrf: form.querySelector("[name=csrf_token]").value,
                  fields, photo, title: form.dataset.title, event: Number(holder.dataset.event),
                  createdAt: new Date().toISOString() });
}

function previewPhoto(input) {
  const box = input.form.querySelector(".preview");
  const file = input.files[0];
  if (!box || !file) return;
  const img = document.createElement("img");
  img.alt = "";
  img.src = URL.createObjectURL(file);
  box.replaceChildren(img);
}

function showFreshness() {
  const banner = document.getElementById("offline-banner");
  if (!holder || !banner) return;
  const update = () => {
    banner.hidden = navigator.onLine;
    banner.textContent = (text.offline || "").replace("{time}", holder.dataset.fetchedLabel);
  };
  window.addEventListener("online", update);
  window.addEventListener("offline", update);
  update();
}

function dismissals() {
  for (const note of document.querySelectorAll("[data-announcement]")) {
    if (localStorage.getItem(`dismissed-${note.dataset.announcement}`)) note.remove();
  }
}

function showDistance() {
  const place = document.querySelector("[data-place-lat]");
  if (!place || !lastPosition) return;
  const rad = Math.PI / 180;
  const [a, b] = [Number(place.dataset.placeLat) * rad, lastPosition.lat * rad];
  const dLon = (Number(place.dataset.placeLon) - lastPosition.lon) * rad;
  const metres = 6371000 * Math.acos(Math.min(1, Math.sin(a) * Math.sin(b) + Math.cos(a) * Math.cos(b) * Math.cos(dLon)));
  place.querySelector(".distance").textContent = (text.distance || "{distance}").replace("{distance}", formatDistance(metres));
}

function distanceToPlace() {
  if (!document.querySelector("[data-place-lat]")) return;
  position(15_000).then((where) => { lastPosition = where; showDistance(); });
}

// Handlers on the document, so that a form swapped in by a refresh works at once.
function listen() {
  document.addEventListener("submit", (event) => {
    if (event.target.id === "send-form") submitForm(event.target, event);
  });
  document.addEventListener("change", (event) => {
    if (event.target.matches("#send-form input[type=file]")) previewPhoto(event.target);
  });
  document.addEventListener("click", (event) => {
    const note = event.target.closest("[data-announcement] button");
    if (!note) return;
    const id = note.parentElement.dataset.announcement;
    localStorage.setItem(`dismissed-${id}`, "1");
    note.parentElement.remove();
  });
}

const offset = serverOffset();
window.jelajahOffset = offset;
startCountdowns();
let seen = null;  // the keys that had arrived when this page was drawn
onChange((items, progress) => {
  renderOutbox(items, progress);
  followSend(document.getElementById("send-status"), items, lastSent);
  const arrived = items.filter((i) => i.state === "received" && !seen?.has(i.key));
  if (seen === null) { seen = new Set(arrived.map((i) => i.key)); return; }
  arrived.forEach((i) => seen.add(i.key));
  // What this page shows changed with an arrival: show it now rather than at the next poll.
  const scope = holder?.dataset.scope;
  if (arrived.some((i) => scope === "all" || i.url.includes(`/tasks/${scope}/`))) refresh().catch(() => {});
});
startQueue(Number(document.getElementById("phone-labels").dataset.participant),
           document.querySelector("input[name=csrf_token]")?.value || "");
startLive(offset);
onRefresh(() => { dismissals(); showDistance(); });
listen();
showFreshness();
dismissals();
distanceToPlace();
guardLogout();
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
window.jelajahDrain = drain;
document.documentElement.dataset.ready = "1";  // the page's handlers are in place
