// A step's captures: "Add a capture" appends an empty row (the server ignores
// empty rows, so the page works without this script too).
(function () {
  "use strict";
  document.addEventListener("click", (e) => {
    const button = e.target.closest(".capture-add");
    if (!button) return;
    e.preventDefault();
    const box = button.closest(".capture-rows");
    const field = box.dataset.field;
    const count = box.querySelector(`input[name="${field}-rows"]`);
    const rows = box.querySelectorAll("tbody tr");
    const last = rows[rows.length - 1];
    const index = Number(count.value);
    const row = last.cloneNode(true);
    row.querySelectorAll("input, select").forEach((input) => {
      input.name = input.name.replace(/-\d+-(\w+)$/, `-${index}-$1`);
      if (input.type === "checkbox") input.checked = false;
      else if (input.tagName === "SELECT") input.selectedIndex = 0;
      else input.value = "";
    });
    last.parentNode.appendChild(row);
    count.value = String(index + 1);
    row.querySelector("input").focus();
  });
})();
