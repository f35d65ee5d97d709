// One key per decision, so a judge goes through hundreds of photos without the mouse:
// A accept, S skip, digits fill the rubric from the first empty criterion. R reject and
// D redo send at once when a comment is written; with none yet they open the comment box,
// and Enter there sends that decision. Enter in the comment never accepts by mistake.
const form = document.getElementById("decide");
const comment = document.getElementById("comment");
const hint = document.getElementById("comment-hint");
let armed = null;

function send(decision) {
  form.querySelector(`button[value=${decision}]`).click();
}

function arm(decision) {
  armed = decision;
  hint.hidden = false;
  comment.focus();
}

comment?.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    armed = null;
    hint.hidden = true;
    comment.blur();
  } else if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    if (armed) send(armed);
    else hint.hidden = false;
  }
});

document.addEventListener("keydown", (event) => {
  if (!form || event.ctrlKey || event.metaKey || event.altKey) return;
  if (["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName)) return;
  const key = event.key.toLowerCase();
  if (key === "a") {
    event.preventDefault();
    send("accept");
  } else if (key === "r" || key === "d") {
    event.preventDefault();
    const decision = key === "r" ? "reject" : "redo";
    if (comment.value.trim()) send(decision);
    else arm(decision);
  } else if (key === "s") {
    event.preventDefault();
    document.getElementById("skip").click();
  } else if (/^[0-9]$/.test(event.key)) {
    const empty = [...form.querySelectorAll(".rubric input")].find((input) => input.value === "");
    if (empty) {
      empty.value = event.key;
      event.preventDefault();
    }
  }
});
