// One key per decision, so a judge goes through hundreds of photos without the mouse:
// A accept, R reject, D redo; digits fill the rubric from the first empty criterion.
const form = document.getElementById("decide");
document.addEventListener("keydown", (event) => {
  if (!form || event.ctrlKey || event.metaKey || event.altKey) return;
  const typing = ["INPUT", "TEXTAREA", "SELECT"].includes(document.activeElement?.tagName);
  if (typing && event.key !== "Enter") return;
  const decision = { a: "accept", r: "reject", d: "redo" }[event.key.toLowerCase()];
  if (decision && !typing) {
    event.preventDefault();
    form.querySelector(`button[value=${decision}]`).click();
  } else if (/^[0-9]$/.test(event.key) && !typing) {
    const empty = [...form.querySelectorAll(".rubric input")].find((input) => input.value === "");
    if (empty) { empty.value = event.key; event.preventDefault(); }
  }
});
