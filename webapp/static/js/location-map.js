// The organiser's location map: existing places with their radius, click to place, drag to move.
// Without tiles (no network) the markers and circles still show on a plain background.
const mapEl = document.getElementById("map");
const form = document.getElementById("location-form");

function start() {
  if (!window.L || !mapEl) return;
  mapEl.querySelector(".map-fallback")?.remove();
  const map = L.map(mapEl);
  L.tileLayer(mapEl.dataset.tiles, { attribution: mapEl.dataset.attribution, maxZoom: 19 }).addTo(map);
  const bounds = [];
  for (const item of document.querySelectorAll(".locations-list li")) {
    const at = [Number(item.dataset.lat), Number(item.dataset.lon)];
    L.circle(at, { radius: Number(item.dataset.radius), color: "#0b5d3b" }).addTo(map);
    L.marker(at, { title: item.dataset.name }).addTo(map)
      .on("click", () => { window.location = item.dataset.edit; });
    bounds.push(at);
  }
  const lat = form.querySelector("[name=lat]");
  const lon = form.querySelector("[name=lon]");
  const radius = form.querySelector("[name=radius_m]");
  let marker = null;
  let circle = null;
  function place(at) {
    lat.value = at.lat.toFixed(6);
    lon.value = at.lng.toFixed(6);
    if (!marker) {
      marker = L.marker(at, { draggable: true }).addTo(map);
      circle = L.circle(at, { radius: Number(radius.value) || 50, color: "#d62728" }).addTo(map);
      marker.on("drag", (e) => { circle.setLatLng(e.latlng); place(e.latlng); });
    }
    marker.setLatLng(at);
    circle.setLatLng(at);
  }
  radius.addEventListener("input", () => circle?.setRadius(Number(radius.value) || 50));
  map.on("click", (e) => place(e.latlng));
  if (lat.value && lon.value) {
    place(L.latLng(Number(lat.value), Number(lon.value)));
    map.setView([Number(lat.value), Number(lon.value)], 17);
  } else if (bounds.length) {
    map.fitBounds(bounds, { padding: [30, 30], maxZoom: 17 });
  } else {
    map.setView([-2.5, 118], 5); // Indonesia
  }
}

if (document.readyState === "complete") start();
else window.addEventListener("load", start);
