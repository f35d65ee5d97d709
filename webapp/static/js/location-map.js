// The organiser's map: every place with its radius and its name written beside it; click to
// place the location being edited, drag its marker, or type (or paste) its coordinates.
// Without tiles (no internet on the laptop) a notice says so; places, typed coordinates and
// saving all keep working on a plain background.
const mapEl = document.getElementById("map");
const form = document.getElementById("location-form");
const offline = document.querySelector(".map-offline");

// "-7,98", "−7.98" and "-7.98, 112.63" are what people type or paste.
const NUMBER = /[-+]?\d+(?:[.,]\d+)?/g;

function numbers(text) {
  const cleaned = text.replace(/\u2212/g, "-").trim();
  const found = cleaned.match(NUMBER) || [];
  const leftover = cleaned.replace(NUMBER, "").replace(/[\s,;/°]/g, "");
  if (leftover || found.length === 0 || found.length > 2) return [];
  return found.map((n) => Number(n.replace(",", ".")));
}

function label(name) {
  const span = document.createElement("span");
  span.textContent = name; // names are typed by people: text, never HTML
  return span;
}

function start() {
  if (!window.L || !mapEl) return;
  mapEl.querySelector(".map-fallback")?.remove();
  const map = L.map(mapEl);
  const tiles = L.tileLayer(mapEl.dataset.tiles, {
    attribution: mapEl.dataset.attribution,
    maxZoom: 19,
  }).addTo(map);
  tiles.on("tileerror", () => { offline.hidden = false; });
  tiles.on("tileload", () => { offline.hidden = true; });

  const bounds = [];
  for (const item of document.querySelectorAll(".locations-list li")) {
    if ("editing" in item.dataset) continue; // drawn as the draggable marker below
    const at = [Number(item.dataset.lat), Number(item.dataset.lon)];
    L.circle(at, { radius: Number(item.dataset.radius), color: "#0b5d3b" }).addTo(map);
    L.marker(at, { title: item.dataset.name, alt: item.dataset.name })
      .bindTooltip(label(item.dataset.name), {
        permanent: true, direction: "top", offset: [-15, -12], className: "place-label",
      })
      .addTo(map)
      .on("click", () => { window.location = item.dataset.edit; });
    bounds.push(at);
  }

  const lat = form.querySelector("[name=lat]");
  const lon = form.querySelector("[name=lon]");
  const radius = form.querySelector("[name=radius_m]");
  let marker = null;
  let circle = null;

  function show(at) {
    if (!marker) {
      const alt = mapEl.dataset.editingLabel;
      marker = L.marker(at, { draggable: true, title: alt, alt, zIndexOffset: 1000 }).addTo(map);
      circle = L.circle(at, { radius: Number(radius.value) || 50, color: "#d62728" }).addTo(map);
      marker.on("drag", (e) => { circle.setLatLng(e.latlng); write(e.latlng); });
    }
    marker.setLatLng(at);
    circle.setLatLng(at);
  }

  function write(at) {
    lat.value = at.lat.toFixed(6);
    lon.value = at.lng.toFixed(6);
  }

  function typed() {
    const first = numbers(lat.value);
    if (first.length === 2) { // a pasted pair: it goes to both fields
      [lat.value, lon.value] = first.map(String);
    }
    const [y] = numbers(lat.value);
    const [x] = numbers(lon.value);
    if (y === undefined || x === undefined || Math.abs(y) > 90 || Math.abs(x) > 180) return;
    show(L.latLng(y, x));
    map.setView([y, x], Math.max(map.getZoom() || 0, 16), { animate: false });
  }

  lat.addEventListener("input", typed);
  lon.addEventListener("input", typed);
  radius.addEventListener("input", () => circle?.setRadius(Number(radius.value.replace(",", ".")) || 50));
  map.on("click", (e) => { show(e.latlng); write(e.latlng); });

  const [y] = numbers(lat.value);
  const [x] = numbers(lon.value);
  if (y !== undefined && x !== undefined) {
    show(L.latLng(y, x));
    map.setView([y, x], 17);
  } else if (bounds.length) {
    map.fitBounds(bounds, { padding: [40, 40], maxZoom: 17 });
  } else {
    map.setView([Number(mapEl.dataset.startLat), Number(mapEl.dataset.startLon)], 13);
  }
}

if (document.readyState === "complete") start();
else window.addEventListener("load", start);
