// Countdowns by the server's clock: the page carries the server's time, so a phone whose own
// clock is wrong still shows the right time left. Warnings at 10 and 2 minutes.
const WARN_AT = [10 * 60, 2 * 60];

export function serverOffset(root = document) {
  const holder = root.querySelector("[data-server-now]");
  if (!holder) return 0;
  const loadedAt = performance.timeOrigin || Date.now();
  return Date.parse(holder.dataset.serverNow) - loadedAt;
}

function format(seconds, labels) {
  if (seconds <= 0) return labels.closed;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const clock = h > 0 ? `${h}:${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}`
    : `${m}:${String(s).padStart(2, "0")}`;
  return labels.left.replace("{time}", clock);
}

function warn(text) {
  const box = document.getElementById("deadline-warning");
  if (!box) return;
  box.textContent = text;
  box.hidden = false;
  if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
}

export function startCountdowns(root = document) {
  const offset = serverOffset(root);
  const labels = JSON.parse(document.body.dataset.clockLabels || '{"left":"{time}","closed":"0:00","warning":""}');
  const warned = new Set();
  const tick = () => {
    const now = Date.now() + offset;
    for (const el of root.querySelectorAll(".countdown[data-deadline]")) {
      const left = (Date.parse(el.dataset.deadline) - now) / 1000;
      el.textContent = format(left, labels);
      el.classList.toggle("warn", left > 0 && left <= WARN_AT[0]);
      el.classList.toggle("urgent", left > 0 && left <= WARN_AT[1]);
      for (const limit of WARN_AT) {
        const id = `${el.dataset.deadline}/${limit}`;
        if (left > 0 && left <= limit && left > limit - 5 && !warned.has(id)) {
          warned.add(id);
          warn(labels.warning.replace("{minutes}", String(limit / 60)).replace("{task}", el.dataset.title || ""));
        }
      }
    }
  };
  tick();
  return setInterval(tick, 1000);
}
