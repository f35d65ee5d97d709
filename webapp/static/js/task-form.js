// The task editor shows only the fields of the chosen kind, window and late policy. Without
// this script every field shows, each saying which kinds it is for; the server ignores the
// fields a kind does not use. A field with an error message is never hidden.
const form = document.querySelector(".task-form");

function update() {
  for (const block of form.querySelectorAll("[data-when]")) {
    const chosen = form.elements[block.dataset.when]?.value;
    const wanted = block.dataset.values.split(" ").includes(chosen);
    block.hidden = !wanted && !block.querySelector(".error");
  }
}

if (form) {
  form.classList.add("enhanced");
  form.addEventListener("change", (event) => {
    if (event.target.matches("select")) update();
  });
  update();
}
