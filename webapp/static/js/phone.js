// The phone pages: countdowns, the outbox and its list, the send form for every kind of task,
// the position for check-ins and photos, and the offline shell.
import { startCountdowns } from "./clock.js";
import { downscale } from "./downscale.js";
import { readEvidence } from "./exif.js";
import { all, drain, enqueue, newKey, onChange, remove, startQueue } from "./queue.js";

const text = JSON.parse(document.body.dataset.phoneLabels || "{}");

function position(timeout = 10_000) {
  if (!navigator.geolocation) return Promise.resolve(null);
  return new Promise((resolve) => {
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lon: p.coords.longitude, accuracy: p.coords.accuracy }),
      () => resolve(null), { enableHighAccuracy: true, timeout, maximumAge: 30_000 });
  });
}

function renderOutbox(items, progress) {
  const box = document.getElementById("outbox");
  if (!box) return;
  const shown = items.filter((i) => i.state !== "received" || Date.now() - (i.doneShownAt || Date.now()) < 3_600_000)
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  box.hidden = shown.length === 0;
  const list = box.querySelector("ul");
  list.replaceChildren(...shown.map((item) => {
    const li = document.createElement("li");
    li.className = `outbox-${item.state}`;
    li.dataset.key = item.key;
    const title = document.createElement("strong");
    title.textContent = item.title;
    const state = document.createElement("span");
    state.className = "outbox-state";
    state.textContent = ` · ${text[item.state] || item.state}${item.message ? ": " + item.message : ""}`;
    li.append(title, state);
    if (item.state === "sending") {
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = progress && progress.key === item.key ? progress.fraction : 0;
      li.append(bar);
    }
    if (item.state === "refused" || item.state === "received") {
      const clear = document.createElement("button");
      clear.className = "link";
      clear.textContent = text.clear || "OK";
      clear.onclick = () => remove(item.key).then(() => all().then((i) => renderOutbox(i)));
      li.append(" ", clear);
    }
    return li;
  }));
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
  await enqueue({ key: fields.key, url: form.dataset.api, csrf: form.querySelector("[name=csrf_token]").value,
                  fields, photo, title: form.dataset.title, createdAt: new Date().toISOString() });
  status.textContent = navigator.onLine ? text.sending : text.queued;
  form.reset();
  form.querySelector(".preview")?.replaceChildren();
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
  const holder = document.querySelector("[data-fetched]");
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
    const id = `dismissed-${note.dataset.announcement}`;
    if (localStorage.getItem(id)) { note.remove(); continue; }
    note.querySelector("button")?.addEventListener("click", () => { localStorage.setItem(id, "1"); note.remove(); });
  }
}

function distanceToPlace() {
  const place = document.querySelector("[data-place-lat]");
  if (!place) return;
  position(15_000).then((where) => {
    if (!where) return;
    const rad = Math.PI / 180;
    const [a, b] = [Number(place.dataset.placeLat) * rad, where.lat * rad];
    const dLon = (Number(place.dataset.placeLon) - where.lon) * rad;
    const metres = 6371000 * Math.acos(Math.min(1, Math.sin(a) * Math.sin(b) + Math.cos(a) * Math.cos(b) * Math.cos(dLon)));
    place.querySelector(".distance").textContent = (text.distance || "{metres} m").replace("{metres}", Math.round(metres));
  });
}

window.jelajahOffset = 0;
startCountdowns();
onChange((items, progress) => {
  renderOutbox(items, progress);
  if (items.some((i) => i.state === "received" && !i.reloaded && i.url === document.querySelector("#send-form")?.dataset.api)) {
    Promise.all(items.filter((i) => i.state === "received").map((i) => import("./queue.js").then((q) => q.put({ ...i, reloaded: true }))))
      .then(() => { if (!items.some((i) => i.state === "sending")) setTimeout(() => location.reload(), 600); });
  }
});
startQueue();
showFreshness();
dismissals();
distanceToPlace();
const form = document.getElementById("send-form");
if (form) {
  form.addEventListener("submit", (e) => submitForm(form, e));
  form.querySelector("input[type=file]")?.addEventListener("change", (e) => previewPhoto(e.target));
}
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
window.jelajahDrain = drain;
document.documentElement.dataset.ready = "1";  // the page's handlers are in place
