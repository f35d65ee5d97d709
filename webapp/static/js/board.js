// The projector board: polls with the revision's ETag (a 304 costs the server nothing), moves
// rows to their new rank with an animation and shows point gains, rotates its views, and
// keeps going through network drops, saying quietly when its data is stale.
// Every text from the data (names, titles, places, announcements) goes in as text, never as
// HTML: a group name is whatever a roster file said.
const body = document.body;
const labels = JSON.parse(body.dataset.labels);
const pollMs = Number(body.dataset.poll) * 1000;
const offset = Date.parse(body.dataset.serverNow) - (performance.timeOrigin || Date.now());
const timeFormat = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", second: "2-digit", timeZone: body.dataset.timezone });
const ONE_COLUMN = 10; // more groups than this share the screen in two columns
let tag = null;
let state = null;
let lastOk = Date.now();
let gone = false;
const previous = new Map();

function el(name, attrs = {}, ...children) {
  const node = document.createElement(name);
  Object.assign(node, attrs);
  node.append(...children);
  return node;
}

// Row places are CSS custom properties: the stylesheet turns them into sizes from the
// standings view's own box, so rows are right whichever view shows when data arrives and
// after the window changes size, with nothing measured here.
function renderRows(groups, phase) {
  const list = document.getElementById("rows");
  const columns = groups.length > ONE_COLUMN ? 2 : 1;
  const perColumn = Math.max(Math.ceil(groups.length / columns), 6);
  list.style.setProperty("--columns", columns);
  list.style.setProperty("--per-column", perColumn);
  list.classList.toggle("two-columns", columns === 2);
  const seen = new Set();
  groups.forEach((group, index) => {
    seen.add(String(group.id));
    let row = list.querySelector(`[data-id="${CSS.escape(String(group.id))}"]`);
    if (!row) {
      row = el("li", { className: phase === "reveal" ? "row revealed" : "row" });
      row.dataset.id = group.id;
      row.append(el("span", { className: "rank" }), el("span", { className: "swatch" }),
                 el("span", { className: "name" }), el("span", { className: "points" }),
                 el("span", { className: "tasks" }), el("span", { className: "bar" }));
      list.append(row);
    }
    row.style.setProperty("--column", Math.floor(index / perColumn));
    row.style.setProperty("--line", index % perColumn);
    row.querySelector(".rank").textContent = group.rank;
    row.querySelector(".swatch").style.background = group.colour;
    row.querySelector(".name").textContent = group.name;
    row.querySelector(".name").title = group.name;
    row.querySelector(".points").textContent = Number.isInteger(group.points) ? group.points : group.points.toFixed(1);
    row.querySelector(".tasks").textContent = `${group.tasks} ${group.tasks === 1 ? labels.task : labels.tasks}`;
    const bar = row.querySelector(".bar");
    bar.style.background = group.colour;
    bar.style.width = `${Math.round(group.bar * 100)}%`;
    const before = previous.get(group.id);
    if (before !== undefined && group.points > before) {
      row.querySelector(".gain")?.remove();
      const gain = el("span", { className: "gain", textContent: `+${+(group.points - before).toFixed(1)}` });
      row.append(gain);
      setTimeout(() => gain.remove(), 3100);
    }
    previous.set(group.id, group.points);
  });
  for (const row of list.querySelectorAll(".row")) if (!seen.has(row.dataset.id)) row.remove();
}

function caption(photo) {
  return el("figcaption", {}, el("b", { textContent: photo.group }), el("span", { textContent: photo.task }));
}

function renderStrip(photos) {
  document.getElementById("strip").replaceChildren(...photos.map((p) =>
    el("figure", {}, el("img", { src: p.url, alt: "" }), caption(p))));
}

function label(text, className) {
  return el("span", { className, textContent: text });
}

function groupLabel(p) {
  const swatch = el("i", { className: "swatch" });
  swatch.style.background = p.colour;
  return el("span", { className: "group-label" }, swatch, p.group);
}

let map = null;
function renderMap(data) {
  if (!window.L) return;
  if (!map) {
    map = L.map("board-map", { zoomControl: false, attributionControl: true });
    L.tileLayer(body.dataset.tiles, { attribution: body.dataset.attribution }).addTo(map);
  }
  map.invalidateSize();
  map.eachLayer((layer) => { if (!(layer instanceof L.TileLayer)) map.removeLayer(layer); });
  const points = [];
  for (const place of data.places) {
    L.circle([place.lat, place.lon], { radius: place.radius, color: "#ffffff", weight: 2, fillOpacity: 0.15 })
      .bindTooltip(label(place.name, "place-label"), { permanent: true, direction: "left", offset: [-14, 0], className: "place-tip" })
      .addTo(map);
    points.push([place.lat, place.lon]);
  }
  // Groups at the same place stack their labels beside it instead of on top of each other.
  const atPlace = new Map();
  for (const p of data.positions) {
    const key = `${p.lat},${p.lon}`;
    atPlace.set(key, [...(atPlace.get(key) || []), p]);
  }
  const spacing = Math.round(window.innerHeight * 0.024 * 2); // a label's height and a gap (board.css)
  for (const group of atPlace.values()) {
    group.forEach((p, k) => {
      L.circleMarker([p.lat, p.lon], { radius: 12, color: "#ffffff", weight: 2, fillColor: p.colour, fillOpacity: 0.95 })
        .bindTooltip(groupLabel(p), {
          permanent: true, direction: "right", className: "group-tip",
          offset: [16, (k - (group.length - 1) / 2) * spacing],
        }).addTo(map);
      points.push([p.lat, p.lon]);
    });
  }
  if (points.length) map.fitBounds(points, { padding: [60, 60], maxZoom: 17 });
  else map.setView([-2.5, 118], 5);
}

function render(data) {
  state = data;
  renderRows(data.groups, data.phase);
  renderStrip(data.photos);
  const phase = document.getElementById("phase");
  phase.hidden = data.phase === "live";
  phase.textContent = data.phase === "frozen" ? labels.frozen : labels.reveal;
  const tieBreak = document.getElementById("tie-break");
  tieBreak.hidden = !data.tie_break;
  tieBreak.textContent = data.tie_break || "";
  const note = document.getElementById("announcement");
  note.hidden = data.announcements.length === 0;
  note.textContent = data.announcements[0] || "";
  if (current === "map") renderMap(data);
  if (current === "chart") showChart();
}

async function poll() {
  if (gone) return;
  try {
    const response = await fetch(body.dataset.url, { headers: tag ? { "If-None-Match": tag } : {}, cache: "no-cache" });
    if (response.status === 200) {
      tag = response.headers.get("ETag");
      render(await response.json());
    }
    if (response.ok || response.status === 304) lastOk = Date.now();
    gone = response.status === 404; // the organisers made a new board link
  } catch (error) {
    // The network dropped: keep showing what we have and try again on the next tick.
  }
  const stale = document.getElementById("stale");
  stale.hidden = !gone && Date.now() - lastOk < pollMs * 3;
  stale.textContent = gone ? labels.gone : labels.stale.replace("{time}", timeFormat.format(new Date(lastOk)));
  stale.classList.toggle("gone", gone);
}

function tick() {
  const now = Date.now() + offset;
  document.getElementById("clock").textContent = `${timeFormat.format(new Date(now)).slice(0, 5)} ${body.dataset.zone}`;
  if (!state) return;
  const target = state.next_deadline ? Date.parse(state.next_deadline) : Date.parse(state.ends_at);
  const left = Math.max(0, (target - now) / 1000);
  const text = left <= 0 ? labels.over : `${Math.floor(left / 3600)}:${String(Math.floor(left % 3600 / 60)).padStart(2, "0")}:${String(Math.floor(left % 60)).padStart(2, "0")}`;
  document.getElementById("time-left").textContent = left <= 0 ? text : `${labels.left.replace("{time}", text)} ${state.next_deadline ? labels.deadline : labels.ends}`;
}

function showChart() {
  const chart = document.getElementById("chart");
  const source = `${body.dataset.chart}?r=${state ? state.revision : 0}`;
  if (chart.getAttribute("src") !== source) chart.src = source;
}

const VIEWS = ["standings", "photos", "map", "chart"];
let current = "standings";
let since = Date.now();
let slide = 0;
function show(view) {
  for (const name of VIEWS) document.getElementById(`view-${name}`).hidden = name !== view;
  current = view;
  since = Date.now();
  if (view === "map" && state) renderMap(state);
  if (view === "chart") showChart();
  if (view === "photos" && state && state.photos.length) {
    const photo = state.photos[slide++ % state.photos.length];
    document.getElementById("slide-img").src = photo.large;
    document.getElementById("slide-caption").replaceChildren(...caption(photo).childNodes);
  }
}

function order() {
  if (state.phase !== "live") return ["standings"];
  if (state.view !== "rotate") return [state.view];
  const views = ["standings"];
  if (state.photos.length) views.push("photos");
  if (state.places.length || state.positions.length) views.push("map");
  return views;
}

// Views take turns every rotation_seconds; a single view (photos) moves on to its next slide.
function rotate() {
  if (!state) return;
  const views = order();
  if (!views.includes(current)) show(views[0]);
  else if (Date.now() - since >= state.rotation_seconds * 1000) show(views[(views.indexOf(current) + 1) % views.length]);
}

poll();
setInterval(poll, pollMs);
setInterval(tick, 1000);
setInterval(rotate, 1000);
tick();
