// The projector board: polls with the revision's ETag (a 304 costs the server nothing), moves
// rows to their new rank with an animation and shows point gains, rotates its views, and
// keeps going through network drops, saying quietly when its data is stale.
const body = document.body;
const labels = JSON.parse(body.dataset.labels);
const pollMs = Number(body.dataset.poll) * 1000;
const offset = Date.parse(body.dataset.serverNow) - (performance.timeOrigin || Date.now());
const timeFormat = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: body.dataset.timezone });
let tag = null;
let state = null;
let lastOk = Date.now();
const previous = new Map();

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, attrs);
  node.append(...children);
  return node;
}

function renderRows(groups, phase) {
  const list = document.getElementById("rows");
  const rowHeight = list.parentElement.clientHeight / Math.max(groups.length, 6);
  const seen = new Set();
  groups.forEach((group, index) => {
    seen.add(String(group.id));
    let row = list.querySelector(`[data-id="${group.id}"]`);
    if (!row) {
      row = el("li", { className: phase === "reveal" ? "row revealed" : "row" });
      row.dataset.id = group.id;
      row.append(el("span", { className: "rank" }), el("span", { className: "swatch" }),
                 el("span", { className: "name" }), el("span", { className: "points" }),
                 el("span", { className: "tasks" }), el("span", { className: "bar" }));
      row.style.transform = `translateY(${(index + 1) * rowHeight}px)`;
      list.append(row);
    }
    row.style.height = `${rowHeight * 0.88}px`;
    row.querySelector(".rank").textContent = group.rank;
    row.querySelector(".swatch").style.background = group.colour;
    row.querySelector(".name").textContent = group.name;
    row.querySelector(".points").textContent = Number.isInteger(group.points) ? group.points : group.points.toFixed(1);
    row.querySelector(".tasks").textContent = `${group.tasks} ${group.tasks === 1 ? labels.task : labels.tasks}`;
    const bar = row.querySelector(".bar");
    bar.style.background = group.colour;
    bar.style.width = `${Math.round(group.bar * 100)}%`;
    const before = previous.get(group.id);
    if (before !== undefined && group.points > before) {
      row.append(el("span", { className: "gain", textContent: `+${+(group.points - before).toFixed(1)}` }));
      setTimeout(() => row.querySelector(".gain")?.remove(), 3100);
    }
    previous.set(group.id, group.points);
    requestAnimationFrame(() => { row.style.transform = `translateY(${index * rowHeight}px)`; });
  });
  for (const row of list.querySelectorAll(".row")) if (!seen.has(row.dataset.id)) row.remove();
}

function renderStrip(photos) {
  document.getElementById("strip").replaceChildren(...photos.map((p) =>
    el("figure", {}, el("img", { src: p.url, alt: "" }), el("figcaption", { textContent: `${p.group} · ${p.task}` }))));
}

let map = null;
function renderMap(data) {
  if (!window.L) return;
  if (!map) {
    map = L.map("board-map", { zoomControl: false, attributionControl: true });
    L.tileLayer(body.dataset.tiles, { attribution: body.dataset.attribution }).addTo(map);
  }
  map.eachLayer((layer) => { if (!(layer instanceof L.TileLayer)) map.removeLayer(layer); });
  const points = [];
  for (const place of data.places) {
    L.circle([place.lat, place.lon], { radius: place.radius, color: "#ffffff", weight: 1 }).addTo(map);
    points.push([place.lat, place.lon]);
  }
  for (const p of data.positions) {
    L.circleMarker([p.lat, p.lon], { radius: 14, color: p.colour, fillOpacity: 0.9 })
      .bindTooltip(p.group, { permanent: true }).addTo(map);
    points.push([p.lat, p.lon]);
  }
  if (points.length) map.fitBounds(points, { padding: [40, 40], maxZoom: 16 });
}

function render(data) {
  state = data;
  renderRows(data.groups, data.phase);
  renderStrip(data.photos);
  const phase = document.getElementById("phase");
  phase.hidden = data.phase === "live";
  phase.textContent = data.phase === "frozen" ? labels.frozen : labels.reveal;
  const note = document.getElementById("announcement");
  note.hidden = data.announcements.length === 0;
  note.textContent = data.announcements[0] || "";
  if (!document.getElementById("view-map").hidden) renderMap(data);
}

async function poll() {
  try {
    const response = await fetch(body.dataset.url, { headers: tag ? { "If-None-Match": tag } : {}, cache: "no-cache" });
    if (response.status === 200) {
      tag = response.headers.get("ETag");
      render(await response.json());
    }
    if (response.ok || response.status === 304) lastOk = Date.now();
  } catch (error) {
    // The network dropped: keep showing what we have and try again on the next tick.
  }
  const stale = document.getElementById("stale");
  stale.hidden = Date.now() - lastOk < pollMs * 3;
  stale.textContent = labels.stale.replace("{time}", timeFormat.format(new Date(lastOk)));
}

function tick() {
  const now = Date.now() + offset;
  document.getElementById("clock").textContent = timeFormat.format(new Date(now)).slice(0, 5);
  if (!state) return;
  const target = state.next_deadline ? Date.parse(state.next_deadline) : Date.parse(state.ends_at);
  const left = Math.max(0, (target - now) / 1000);
  const text = left <= 0 ? labels.over : `${Math.floor(left / 3600)}:${String(Math.floor(left % 3600 / 60)).padStart(2, "0")}:${String(Math.floor(left % 60)).padStart(2, "0")}`;
  document.getElementById("time-left").textContent = left <= 0 ? text : `${labels.left.replace("{time}", text)} ${state.next_deadline ? labels.deadline : labels.ends}`;
}

const VIEWS = ["standings", "photos", "map", "chart"];
let rotation = 0;
let slide = 0;
function show(view) {
  for (const name of VIEWS) document.getElementById(`view-${name}`).hidden = name !== view;
  if (view === "map" && state) renderMap(state);
  if (view === "chart") document.getElementById("chart").src = `${body.dataset.chart}?r=${state ? state.revision : 0}`;
  if (view === "photos" && state && state.photos.length) {
    const photo = state.photos[slide++ % state.photos.length];
    document.getElementById("slide-img").src = photo.large;
    document.getElementById("slide-caption").textContent = `${photo.group} · ${photo.task}`;
  }
}

let since = Date.now();
function rotate() {
  if (!state) return;
  if (state.phase !== "live" || state.view !== "rotate") {
    show(state.view === "rotate" || state.phase !== "live" ? "standings" : state.view);
    return;
  }
  if (Date.now() - since < state.rotation_seconds * 1000) return;
  since = Date.now();
  const order = state.photos.length ? ["standings", "photos", "map"] : ["standings", "map"];
  show(order[++rotation % order.length]);
}

poll();
setInterval(poll, pollMs);
setInterval(tick, 1000);
setInterval(rotate, 1000);
