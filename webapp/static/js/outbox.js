// What this phone has sent, as its maker sees it: what waits and why (no signal, a server
// problem, not logged in), what was refused and why, and what arrived with the server's
// verdict. Arrived items fold away by themselves after a few seconds; the others stay until
// they are sent or their refusal is read. Logging out with items waiting asks what to do.
import { all, discard, mine, put, remove, unsent } from "./queue.js";
import { plural, text } from "./text.js";

const FOLD_MS = 8000;

function stateText(item) {
  if (item.state === "waiting") {
    return { server: text.serverProblem, login: text.loginProblem }[item.problem] || text.waiting;
  }
  return text[item.state] || item.state;
}

function verdict(status) {
  const chip = document.createElement("span");
  chip.className = `state state-${status}`;
  chip.textContent = (text.states || {})[status] || status;
  return chip;
}

function line(item, progress, refresh) {
  const li = document.createElement("li");
  li.className = `outbox-${item.state}${item.problem ? ` outbox-${item.problem}` : ""}`;
  li.dataset.key = item.key;
  const title = document.createElement("strong");
  title.textContent = item.title;
  const state = document.createElement("span");
  state.className = "outbox-state";
  state.textContent = ` · ${stateText(item)}`;
  li.append(title, state);
  if (item.state === "refused" && item.message) {
    const why = document.createElement("span");
    why.className = "outbox-why";
    why.textContent = `: ${item.message}`;
    li.append(why);
  }
  if (item.state === "received" && item.serverStatus) li.append(" ", verdict(item.serverStatus));
  if (item.state === "sending") {
    const bar = document.createElement("progress");
    bar.max = 1;
    bar.value = progress && progress.key === item.key ? progress.fraction : 0;
    li.append(bar);
  }
  if (item.state === "refused") {
    const clear = document.createElement("button");
    clear.className = "link";
    clear.textContent = text.clear || "OK";
    clear.onclick = () => remove(item.key).then(refresh);
    li.append(" ", clear);
  }
  return li;
}

let foldTimer = null;

export function renderOutbox(items, progress) {
  const box = document.getElementById("outbox");
  if (!box) return;
  const refresh = () => all().then((i) => renderOutbox(i));
  const now = Date.now();
  for (const item of items) {
    if (mine(item) && item.state === "received" && !item.doneShownAt) {
      item.doneShownAt = now;
      put(item);
    }
  }
  const folded = items.filter((i) => mine(i) && i.state === "received" && now - i.doneShownAt >= FOLD_MS);
  folded.forEach((i) => remove(i.key));
  const shown = items.filter((i) => mine(i) && !folded.includes(i))
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  const others = items.filter((i) => !mine(i) && unsent(i));
  box.hidden = shown.length === 0 && others.length === 0;
  box.querySelector("ul").replaceChildren(...shown.map((item) => line(item, progress, refresh)));
  const note = box.querySelector(".outbox-others");
  note.hidden = others.length === 0;
  note.textContent = text.others || "";
  clearTimeout(foldTimer);
  const next = shown.filter((i) => i.state === "received").map((i) => i.doneShownAt + FOLD_MS - now);
  if (next.length) foldTimer = setTimeout(refresh, Math.max(0, Math.min(...next)) + 50);
}

// The line under the send button follows the item it announced, to its end.
export function followSend(status, items, key) {
  const item = items.find((i) => i.key === key);
  if (!status || !item) return;
  if (item.state === "received") status.textContent = text.arrived;
  else if (item.state === "refused") status.textContent = `${text.refused}: ${item.message || ""}`;
  else if (item.state === "sending") status.textContent = text.sending;
  else status.textContent = stateText(item) === text.waiting ? text.queued : stateText(item);
}

// The pages this phone kept for offline use show the group of whoever was logged in.
async function forgetPages() {
  if (!("caches" in window)) return;
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) {
      if (new URL(request.url).pathname.startsWith("/play/")) await cache.delete(request);
    }
  }
}

export function guardLogout() {
  const form = document.querySelector("form[action$='/logout']");
  const dialog = document.getElementById("logout-dialog");
  if (!form || !dialog || !dialog.showModal) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const leave = () => forgetPages().catch(() => {}).then(() => form.submit());
    const waiting = (await all()).filter((i) => mine(i) && unsent(i));
    if (waiting.length === 0) { leave(); return; }
    dialog.querySelector(".logout-count").textContent = plural(text.unsent, waiting.length);
    dialog.onclick = async (click) => {
      const choice = click.target.closest("[data-choice]")?.dataset.choice;
      if (!choice) return;
      dialog.close();
      if (choice === "cancel") return;
      if (choice === "discard") await discard(waiting);
      leave();
    };
    dialog.showModal();
  });
}
