// Countdowns by the server's clock: the page carries the server's time, so a phone whose own
// clock is wrong still shows the right time left. Warnings at 10 and 2 minutes, gone once the
// deadline has passed; after a deadline, what sending late costs, kept current minute by minute.
import { formatNumber, plural, text } from "./text.js";

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

function warn(message, deadline) {
  const box = document.getElementById("deadline-warning");
  if (!box) return;
  box.textContent = message;
  box.dataset.until = String(deadline);
  box.hidden = false;
  if (navigator.vibrate) navigator.vibrate([200, 100, 200]);
}

function endWarning(now) {
  const box = document.getElementById("deadline-warning");
  if (box && !box.hidden && Number(box.dataset.until) <= now) box.hidden = true;
}

// The same rule as the server's scoring (webapp/domain/scoring.py, late_penalty), for a
// submission sent within the current minute: never more than the task is worth.
function lateCost(note, minutes) {
  const value = Number(note.dataset.value);
  let cost = note.dataset.policy === "per_minute" ? value * minutes : value;
  if (note.dataset.policy === "per_minute" && note.dataset.cap !== "") cost = Math.min(cost, Number(note.dataset.cap));
  return Math.min(cost, Number(note.dataset.points));
}

export function lateNote(note, now, labels) {
  const late = text.late || {};
  const closes = Date.parse(note.dataset.closes);
  const from = Date.parse(note.dataset.lateFrom);
  const ago = plural(text.minute, Math.max(1, Math.floor((now - closes) / 60000)));
  const policy = note.dataset.policy;
  if (now <= from) return late.grace.replace("{ago}", ago).replace("{time}", note.dataset.lateFromLabel);
  if (policy === "refuse") return labels.closed;
  const minutes = Math.ceil((now - from) / 60000);
  const name = { penalty_points: "cost", per_minute: "cost", penalty_percent: "percent", zero: "zero" }[policy] || "review";
  return late[name].replace("{ago}", ago).replace("{cost}", plural(text.point, lateCost(note, minutes)))
    .replace("{percent}", `${formatNumber(Number(note.dataset.value))}%`);
}

export function startCountdowns(root = document) {
  const offset = serverOffset(root);
  const labels = JSON.parse(document.body.dataset.clockLabels || '{"left":"{time}","closed":"0:00","warning":""}');
  const warned = new Set();
  const tick = () => {
    const now = Date.now() + offset;
    for (const el of root.querySelectorAll(".countdown[data-deadline]")) {
      const deadline = Date.parse(el.dataset.deadline);
      const left = (deadline - now) / 1000;
      el.textContent = format(left, labels);
      el.classList.toggle("warn", left > 0 && left <= WARN_AT[0]);
      el.classList.toggle("urgent", left > 0 && left <= WARN_AT[1]);
      for (const limit of WARN_AT) {
        const id = `${el.dataset.deadline}/${limit}`;
        if (left > 0 && left <= limit && left > limit - 5 && !warned.has(id)) {
          warned.add(id);
          warn(labels.warning.replace("{minutes}", String(limit / 60)).replace("{task}", el.dataset.title || ""), deadline);
        }
      }
    }
    endWarning(now);
    for (const note of root.querySelectorAll(".late-note[data-closes]")) {
      const said = lateNote(note, now, labels);
      if (note.textContent !== said) note.textContent = said;
    }
  };
  tick();
  return setInterval(tick, 1000);
}
